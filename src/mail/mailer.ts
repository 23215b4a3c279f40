// Sends what the outbox holds. Messages are written to the outbox inside the
// transaction that causes them; after commit `kick()` sends them over SMTP
// (nodemailer). Without SMTP_URL nothing is sent: admins read the outbox in
// the console, so invitations and resets still work on a fresh install.
import nodemailer from 'nodemailer';
import type { Config } from '../config.ts';
import type { Database } from '../db/connection.ts';
import { claimUnsentMail, markMailFailed, markMailSent } from '../db/mail.ts';

export interface Mailer {
  /** True when an SMTP server is configured. */
  readonly sends: boolean;
  /** Sends pending mail soon, without making the caller wait. */
  kick(): void;
  /** Sends everything pending now; resolves with the number sent. */
  flush(): Promise<number>;
  close(): void;
}

interface Log {
  warn(obj: object, msg: string): void;
}

const leaseMs = 60_000;

interface StoredAttachment {
  filename: string;
  contentType: string;
  content: string;
  cid?: string;
}

export function createMailer(db: Database, config: Config, now: () => number, log: Log): Mailer {
  if (!config.smtpUrl) {
    return { sends: false, kick: () => undefined, flush: async () => 0, close: () => undefined };
  }
  const transport = nodemailer.createTransport(config.smtpUrl);
  let running: Promise<number> | null = null;
  let again = false;

  async function sendBatch(): Promise<number> {
    let sent = 0;
    for (;;) {
      const batch = await db.write(() => claimUnsentMail(db, now(), leaseMs, 20));
      if (batch.length === 0) return sent;
      for (const m of batch) {
        try {
          const attachments = (JSON.parse(m.attachments) as StoredAttachment[]).map((a) => ({
            filename: a.filename,
            contentType: a.contentType,
            content: Buffer.from(a.content, 'base64'),
            ...(a.cid && { cid: a.cid }),
          }));
          await transport.sendMail({ from: config.mailFrom, to: m.toAddress, subject: m.subject, text: m.text, html: m.html, attachments });
          await db.write(() => markMailSent(db, m.id, now()));
          sent += 1;
        } catch (err) {
          const message = err instanceof Error ? err.message : String(err);
          log.warn({ mailId: m.id, err: message }, 'mail not sent; it stays in the outbox');
          // Back off: 2, 4, 8 … minutes, at most an hour, so a down server is not hammered.
          await db.write(() => markMailFailed(db, m.id, message, now() + Math.min(60, 2 ** m.attempts) * 60_000));
        }
      }
      if (batch.length < 20) return sent;
    }
  }

  function flush(): Promise<number> {
    if (running) {
      again = true;
      return running;
    }
    running = sendBatch().finally(() => {
      running = null;
      if (again) {
        again = false;
        kick();
      }
    });
    return running;
  }

  function kick(): void {
    flush().catch((err: unknown) => log.warn({ err: String(err) }, 'mail flush failed'));
  }

  return { sends: true, kick, flush, close: () => transport.close() };
}
