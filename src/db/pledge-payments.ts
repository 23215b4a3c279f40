// Sponsors' payments of what their pledges came to.
import { and, asc, eq, sql } from 'drizzle-orm';
import type { Database } from './connection.ts';
import { checkouts, pledgePayments, providerRefunds } from './schema.ts';

export type PledgePaymentRow = typeof pledgePayments.$inferSelect;

export function insertPledgePayment(db: Database, row: PledgePaymentRow): void {
  db.orm.insert(pledgePayments).values(row).run();
}

export function findPledgePayment(db: Database, id: string): PledgePaymentRow | undefined {
  return db.orm.select().from(pledgePayments).where(eq(pledgePayments.id, id)).get();
}

export function updatePledgePayment(db: Database, id: string, patch: Partial<PledgePaymentRow>): void {
  db.orm.update(pledgePayments).set(patch).where(eq(pledgePayments.id, id)).run();
}

/** A pledge's payments, oldest first (rowid: in the order written, also within one millisecond). */
export function paymentsOfPledge(db: Database, pledgeId: string): PledgePaymentRow[] {
  return db.orm.select().from(pledgePayments).where(eq(pledgePayments.pledgeId, pledgeId)).orderBy(asc(pledgePayments.createdAt), sql`rowid`).all();
}

/** Pending card payments whose checkout ran out by `now`. */
export function pledgePaymentsExpiredBy(db: Database, now: number): PledgePaymentRow[] {
  return db.orm
    .select()
    .from(pledgePayments)
    .where(and(eq(pledgePayments.status, 'pending'), sql`${pledgePayments.expiresAt} <= ${now}`))
    .all();
}

/** What the provider gave back of each of a pledge's payments (refunds made in the Stripe Dashboard), by payment. */
export function refundedOfPledgePayments(db: Database, pledgeId: string): Map<string, number> {
  const rows = db.orm
    .select({ paymentId: pledgePayments.id, refunded: sql<number>`sum(${providerRefunds.amount})` })
    .from(providerRefunds)
    .innerJoin(checkouts, eq(checkouts.id, providerRefunds.checkoutId))
    .innerJoin(pledgePayments, eq(pledgePayments.id, checkouts.pledgePaymentId))
    .where(eq(pledgePayments.pledgeId, pledgeId))
    .groupBy(pledgePayments.id)
    .all();
  return new Map(rows.map((r) => [r.paymentId, Number(r.refunded)]));
}
