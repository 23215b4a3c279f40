// Checkouts started with a payment provider, and provider events already applied.
import { and, asc, eq, gte, or, sql } from 'drizzle-orm';
import type { Database } from './connection.ts';
import { refundedAtProviderOfGift } from './gifts.ts';
import { findOrder } from './orders.ts';
import { preparedInsert } from './prepared.ts';
import { withProps } from '../objects.ts';
import { checkouts, giftRefunds, orders, paymentEvents, providerRefunds, raffleEntries } from './schema.ts';

export type CheckoutRow = typeof checkouts.$inferSelect;

const insertRow = preparedInsert(checkouts);
const unset = { giftId: null, orderId: null, raffleEntryId: null, pledgePaymentId: null, completedAt: null, providerRef: null, providerPayment: null };

/** A new checkout (prepared: one per order in a rush for seats). */
export function insertCheckout(
  db: Database,
  row: Omit<CheckoutRow, 'giftId' | 'orderId' | 'raffleEntryId' | 'pledgePaymentId' | 'completedAt' | 'providerRef' | 'providerPayment'> &
    Partial<Pick<CheckoutRow, 'giftId' | 'orderId' | 'raffleEntryId' | 'pledgePaymentId'>>,
): void {
  insertRow(db).run(withProps(unset, row));
}

export function findCheckout(db: Database, id: string): CheckoutRow | undefined {
  return db.orm.select().from(checkouts).where(eq(checkouts.id, id)).get();
}

export function openCheckoutsOfGift(db: Database, giftId: string): CheckoutRow[] {
  return db.orm
    .select()
    .from(checkouts)
    .where(and(eq(checkouts.giftId, giftId), eq(checkouts.status, 'open')))
    .all();
}

export function openCheckoutsOfOrder(db: Database, orderId: string): CheckoutRow[] {
  return db.orm
    .select()
    .from(checkouts)
    .where(and(eq(checkouts.orderId, orderId), eq(checkouts.status, 'open')))
    .all();
}

export function openCheckoutsOfRaffleEntry(db: Database, entryId: string): CheckoutRow[] {
  return db.orm
    .select()
    .from(checkouts)
    .where(and(eq(checkouts.raffleEntryId, entryId), eq(checkouts.status, 'open')))
    .all();
}

export function openCheckoutsOfPledgePayment(db: Database, paymentId: string): CheckoutRow[] {
  return db.orm
    .select()
    .from(checkouts)
    .where(and(eq(checkouts.pledgePaymentId, paymentId), eq(checkouts.status, 'open')))
    .all();
}

export function updateCheckout(db: Database, id: string, patch: Partial<typeof checkouts.$inferInsert>): void {
  db.orm.update(checkouts).set(patch).where(eq(checkouts.id, id)).run();
}

/** Records that an event was applied; false when it already was (a redelivery). */
export function claimPaymentEvent(db: Database, provider: string, eventId: string, type: string, now: number): boolean {
  const res = db.orm
    .insert(paymentEvents)
    .values({ provider, eventId, type, processedAt: now })
    .onConflictDoNothing()
    .run();
  return res.changes === 1;
}

export function findCheckoutByProviderRef(db: Database, provider: string, ref: string): CheckoutRow | undefined {
  return db.orm
    .select()
    .from(checkouts)
    .where(and(eq(checkouts.provider, provider), eq(checkouts.providerRef, ref)))
    .get();
}

/** A provider's checkouts created from `since` on, oldest first (for reconciling with the provider). */
export function checkoutsOfProviderSince(db: Database, provider: string, since: number): CheckoutRow[] {
  return db.orm
    .select()
    .from(checkouts)
    .where(and(eq(checkouts.provider, provider), gte(checkouts.createdAt, since)))
    .orderBy(asc(checkouts.createdAt))
    .all();
}

/** The checkout that paid a gift, if one did (online gifts). */
export function paidCheckoutOfGift(db: Database, giftId: string): CheckoutRow | undefined {
  return db.orm
    .select()
    .from(checkouts)
    .where(and(eq(checkouts.giftId, giftId), eq(checkouts.status, 'paid')))
    .get();
}

export function findCheckoutByProviderPayment(db: Database, provider: string, payment: string): CheckoutRow | undefined {
  return db.orm
    .select()
    .from(checkouts)
    .where(and(eq(checkouts.provider, provider), eq(checkouts.providerPayment, payment)))
    .get();
}

export function recordProviderRefund(db: Database, row: { provider: string; refundId: string; checkoutId: string; amount: number; createdAt: number }): void {
  db.orm.insert(providerRefunds).values(row).onConflictDoNothing().run();
}

export function providerRefundKnown(db: Database, provider: string, refundId: string): boolean {
  return (
    db.orm
      .select({ id: providerRefunds.refundId })
      .from(providerRefunds)
      .where(and(eq(providerRefunds.provider, provider), eq(providerRefunds.refundId, refundId)))
      .get() !== undefined
  );
}

/** The checkout that paid an order, if one did. */
export function paidCheckoutOfOrder(db: Database, orderId: string): CheckoutRow | undefined {
  return db.orm
    .select()
    .from(checkouts)
    .where(and(eq(checkouts.orderId, orderId), eq(checkouts.status, 'paid')))
    .get();
}

/**
 * What is left to give back of a checkout at its provider: all of it, less
 * the refunds made through the provider, the donation of its order included
 * (a gift's provider refunds are kept with the gift).
 */
export function leftAtProvider(db: Database, c: CheckoutRow): number {
  const order = c.orderId ? findOrder(db, c.orderId) : undefined;
  const donationBack = order?.donationGiftId ? refundedAtProviderOfGift(db, order.donationGiftId) : 0;
  return c.amount - refundedAtProvider(db, c.id) - donationBack;
}

/** How much of a checkout the provider has already given back, as far as Lantern recorded it. */
export function refundedAtProvider(db: Database, checkoutId: string): number {
  const row = db.orm
    .select({ n: sql<number | null>`sum(${providerRefunds.amount})` })
    .from(providerRefunds)
    .where(eq(providerRefunds.checkoutId, checkoutId))
    .get();
  return Number(row?.n ?? 0);
}

/**
 * Paid checkouts of a provider whose order or raffle entry the ledger has
 * refunded (an event cancelled, a raffle entry refunded) while the provider
 * has not yet given all the money back: an order may have had some tickets or
 * its donation refunded through the provider before, which leaves the rest.
 */
export function checkoutsAwaitingProviderRefund(db: Database, provider: string): CheckoutRow[] {
  return db.orm
    .select({ c: checkouts })
    .from(checkouts)
    .leftJoin(orders, eq(orders.id, checkouts.orderId))
    .leftJoin(raffleEntries, eq(raffleEntries.id, checkouts.raffleEntryId))
    .where(
      and(
        eq(checkouts.provider, provider),
        eq(checkouts.status, 'paid'),
        or(eq(orders.status, 'refunded'), eq(raffleEntries.status, 'refunded')),
        sql`coalesce((select sum(${providerRefunds.amount}) from ${providerRefunds} where ${providerRefunds.checkoutId} = ${checkouts.id}), 0)
          + coalesce((select sum(${giftRefunds.amount}) from ${giftRefunds} where ${giftRefunds.giftId} = ${orders.donationGiftId} and ${giftRefunds.providerRefund} is not null), 0)
          < ${checkouts.amount}`,
      ),
    )
    .all()
    .map((r) => r.c);
}
