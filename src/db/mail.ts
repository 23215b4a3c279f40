// The mail outbox: every e-mail is a row first, sent after commit (or read in
// the console when no SMTP server is configured).
import { and, desc, eq, isNull, lt, or, sql } from 'drizzle-orm';
import type { Database } from './connection.ts';
import { preparedInsert } from './prepared.ts';
import { mailOutbox } from './schema.ts';
import { withProps } from '../objects.ts';

export type MailRow = typeof mailOutbox.$inferSelect;

/** After this many failed attempts a message stays in the outbox for an admin to see. */
export const maxMailAttempts = 8;

const insertRow = preparedInsert(mailOutbox);
/** A new message: unsent, never tried. */
const fresh = { sentAt: null, attempts: 0, claimedUntil: null, lastError: null };

/** Prepared: every paid order and gift queues one. `attachments` is JSON, `[]` for none. */
export function insertMail(db: Database, row: Omit<MailRow, 'sentAt' | 'attempts' | 'claimedUntil' | 'lastError'>): void {
  insertRow(db).run(withProps(fresh, row));
}

/**
 * Claims up to `limit` unsent messages for `leaseMs`: another instance will
 * not send them meanwhile, and a crash mid-send only delays them.
 */
export function claimUnsentMail(db: Database, now: number, leaseMs: number, limit: number): MailRow[] {
  const due = db.orm
    .select({ id: mailOutbox.id })
    .from(mailOutbox)
    .where(
      and(
        isNull(mailOutbox.sentAt),
        lt(mailOutbox.attempts, maxMailAttempts),
        or(isNull(mailOutbox.claimedUntil), lt(mailOutbox.claimedUntil, now)),
      ),
    )
    .orderBy(mailOutbox.createdAt)
    .limit(limit)
    .all();
  return due.map(
    ({ id }) =>
      db.orm
        .update(mailOutbox)
        .set({ claimedUntil: now + leaseMs, attempts: sql`${mailOutbox.attempts} + 1` })
        .where(eq(mailOutbox.id, id))
        .returning()
        .get() as MailRow,
  );
}

/**
 * Marks a message sent. A message carrying a one-time link (an invitation, a
 * password reset) loses its body once sent: the outbox must not keep a live
 * key to an account for every admin and every backup to read.
 */
export function markMailSent(db: Database, id: string, at: number, redact: boolean): void {
  const body = redact ? { text: '(Sent. The one-time link it carried is not kept.)', html: '<p>(Sent. The one-time link it carried is not kept.)</p>' } : {};
  db.orm.update(mailOutbox).set({ sentAt: at, claimedUntil: null, lastError: null, ...body }).where(eq(mailOutbox.id, id)).run();
}

/** Kinds of mail that carry a one-time link. */
export const mailWithLinks: ReadonlySet<string> = new Set(['invitation', 'reset']);

/** Records a failed attempt; the message is not tried again before `retryAt`. */
export function markMailFailed(db: Database, id: string, error: string, retryAt: number): void {
  db.orm.update(mailOutbox).set({ claimedUntil: retryAt, lastError: error.slice(0, 500) }).where(eq(mailOutbox.id, id)).run();
}

export function listMail(db: Database, limit: number, offset: number): MailRow[] {
  return db.orm.select().from(mailOutbox).orderBy(desc(mailOutbox.createdAt), desc(mailOutbox.id)).limit(limit).offset(offset).all();
}

export function findMail(db: Database, id: string): MailRow | undefined {
  return db.orm.select().from(mailOutbox).where(eq(mailOutbox.id, id)).get();
}
