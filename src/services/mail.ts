// Queues e-mail: called inside a write transaction, so a message exists if and
// only if the change that caused it was committed. Sending happens after commit.
import { newId } from '../db/ids.ts';
import { insertMail } from '../db/mail.ts';
import { renderMail } from '../mail/render.ts';
import type { Services } from './context.ts';

export interface MailAttachment {
  filename: string;
  contentType: string;
  /** The bytes, base64-encoded. */
  content: string;
  /** Set for an image the HTML part shows inline as `cid:<cid>`. */
  cid?: string;
}

export interface MailToQueue {
  to: string;
  /** What the message is for, shown in the console's outbox. */
  kind: string;
  template: string;
  subject: string;
  data: Record<string, unknown>;
  attachments?: readonly MailAttachment[];
}

export function queueMail(s: Services, m: MailToQueue): string {
  const body = renderMail(m.template, m.subject, { ...m.data, baseUrl: s.config.baseUrl });
  const id = newId('mail');
  insertMail(s.db, { id, toAddress: m.to, kind: m.kind, createdAt: s.now(), attachments: JSON.stringify(m.attachments ?? []), ...body });
  return id;
}
