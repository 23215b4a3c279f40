// Sends what the outbox holds. Messages are written to the outbox inside the
// transaction that causes them; after commit `kick()` sends them over SMTP
// (nodemailer). Without SMTP_URL nothing is sent: admins read the outbox in
// the console, so invitations and resets still work on a fresh install.
import nodemailer from 'nodemailer';
import type { Config } from '../config.ts';
import type { Database } from '../db/connection.ts';
import { claimUnsentMail, mailWithLinks, markMailFailed, markMailSent } from '../db/mail.ts';

export interface Mailer {
  /** True when an SMTP server is configured. */
  readonly sends: boolean;
  /** Sends pending mail soon, without making the caller wait. */
  kick(): void;
  /** Sends everything pending now; resolves with the number sent. */
  flush(): Promise<number>;
  /** Stops sending; resolves once a send under way has finished, so the database can close after. */
  close(): Promise<void>;
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
    return { sends: false, kick: () => undefined, flush: async () => 0, close: async () => undefined };
  }
  const transport = nodemailer.createTransport({
    url: config.smtpUrl,
    connectionTimeout: 15_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  });
  let running: Promise<number> | null = null;
  let again = false;
  let closed = false;

  // One message at a time, each under its own lease, and SMTP timeouts well
  // inside the lease: another instance never takes over a message mid-send.
  async function sendBatch(): Promise<number> {
    let sent = 0;
    while (!closed) {
      const [m] = await db.write(() => claimUnsentMail(db, now(), leaseMs, 1));
      if (!m) return sent;
      const attachments = (JSON.parse(m.attachments) as StoredAttachment[]).map((a) => ({
        filename: a.filename,
        contentType: a.contentType,
        content: Buffer.from(a.content, 'base64'),
        ...(a.cid && { cid: a.cid }),
      }));
      try {
        await transport.sendMail({ from: config.mailFrom, to: m.toAddress, subject: m.subject, text: m.text, html: m.html, attachments });
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        log.warn({ mailId: m.id, err: message }, 'mail not sent; it stays in the outbox');
        // Back off: 2, 4, 8 … minutes, at most an hour, so a down server is not hammered.
        await db.write(() => markMailFailed(db, m.id, message, now() + Math.min(60, 2 ** m.attempts) * 60_000));
        continue;
      }
      // Sent: recording it is separate, so a failure here is never taken for a failed send.
      await db.write(() => markMailSent(db, m.id, now(), mailWithLinks.has(m.kind)));
      sent += 1;
    }
    return sent;
  }

  function flush(): Promise<number> {
    if (closed) return Promise.resolve(0);
    if (running) {
      again = true;
      return running;
    }
    running = sendBatch().finally(() => {
      running = null;
      if (again && !closed) {
        again = false;
        kick();
      }
    });
    return running;
  }

  function kick(): void {
    flush().catch((err: unknown) => log.warn({ err: String(err) }, 'mail flush failed'));
  }

  async function close(): Promise<void> {
    closed = true;
    await running?.catch(() => 0);
    transport.close();
  }

  return { sends: true, kick, flush, close };
}
