// Public payment starts by source (keyed hashes of address and e-mail), for
// the card-testing defences in services/card-testing.
import { and, asc, desc, eq, gte, inArray, or, sql } from 'drizzle-orm';
import type { Database } from './connection.ts';
import { preparedInsert } from './prepared.ts';
import { checkouts, paymentAttempts } from './schema.ts';

export type PaymentAttemptRow = typeof paymentAttempts.$inferSelect;

const insertRow = preparedInsert(paymentAttempts);

/** Prepared: with rate limits on, every public payment start writes one. */
export function insertPaymentAttempt(db: Database, row: PaymentAttemptRow): void {
  insertRow(db).run(row);
}

/** Which column a source hash is matched against. */
export type SourceColumn = 'ip' | 'email';

function column(by: SourceColumn) {
  return by === 'ip' ? paymentAttempts.ipHash : paymentAttempts.emailHash;
}

/** Start times of the source's attempts since `since`, oldest first. */
export function attemptTimesSince(db: Database, by: SourceColumn, hash: string, since: number): number[] {
  return db.orm
    .select({ at: paymentAttempts.createdAt })
    .from(paymentAttempts)
    .where(and(eq(column(by), hash), gte(paymentAttempts.createdAt, since)))
    .orderBy(asc(paymentAttempts.createdAt))
    .all()
    .map((r) => r.at);
}

/**
 * When the source's checkouts failed (declined, or expired — also those past
 * their time that no sweep has marked yet), for failures since `since`, oldest
 * first. Only attempts started since `startedSince` are read: a checkout cannot
 * end long after it started, and the index on the source bounds the scan.
 */
export function failureTimesSince(db: Database, by: SourceColumn, hash: string, startedSince: number, since: number, now: number): number[] {
  const endedAt = sql<number>`coalesce(${checkouts.completedAt}, ${checkouts.expiresAt})`;
  return db.orm
    .select({ at: endedAt })
    .from(paymentAttempts)
    .innerJoin(checkouts, eq(checkouts.id, paymentAttempts.checkoutId))
    .where(
      and(
        eq(column(by), hash),
        gte(paymentAttempts.createdAt, startedSince),
        or(inArray(checkouts.status, ['declined', 'expired']), and(eq(checkouts.status, 'open'), sql`${checkouts.expiresAt} <= ${now}`)),
        gte(endedAt, since),
        sql`${endedAt} <= ${now}`,
      ),
    )
    .orderBy(asc(endedAt))
    .all()
    .map((r) => r.at);
}

/** The newest checkout of what a payment start created (a gift, an order or a raffle entry). */
export function newestCheckoutOf(db: Database, subject: { giftId?: string; orderId?: string; raffleEntryId?: string }): string | undefined {
  const where = subject.giftId
    ? eq(checkouts.giftId, subject.giftId)
    : subject.orderId
      ? eq(checkouts.orderId, subject.orderId)
      : subject.raffleEntryId
        ? eq(checkouts.raffleEntryId, subject.raffleEntryId)
        : undefined;
  if (!where) return undefined;
  return db.orm.select({ id: checkouts.id }).from(checkouts).where(where).orderBy(desc(checkouts.createdAt)).limit(1).get()?.id;
}

export function setAttemptCheckout(db: Database, id: string, checkoutId: string): void {
  db.orm
    .update(paymentAttempts)
    .set({ checkoutId })
    .where(and(eq(paymentAttempts.id, id), sql`${paymentAttempts.checkoutId} is null`))
    .run();
}
