// Gifts and their refunds.
import { and, asc, desc, eq, inArray, isNotNull, lt, ne, sql } from 'drizzle-orm';
import type { Database } from './connection.ts';
import { prepared, preparedInsert } from './prepared.ts';
import { giftRefunds, gifts } from './schema.ts';

export type GiftRow = typeof gifts.$inferSelect;
export type GiftInsert = typeof gifts.$inferInsert;
export type GiftStatus = GiftRow['status'];
export type RefundInsert = typeof giftRefunds.$inferInsert;

/** Statuses whose money still counts toward a campaign (net of partial refunds). */
export const countingStatuses: readonly GiftStatus[] = ['succeeded', 'partially_refunded', 'disputed'];

/**
 * A gift counts (in the gift and donor counts, and for challenge pledges) while
 * its status counts and it is still worth something in the campaign currency.
 */
export function giftCounts(g: Pick<GiftRow, 'status' | 'campaignAmount' | 'refundedCampaignAmount'>): boolean {
  return countingStatuses.includes(g.status) && (g.campaignAmount ?? 0) - g.refundedCampaignAmount > 0;
}

const isWorthSomething = sql`${gifts.campaignAmount} - ${gifts.refundedCampaignAmount} > 0`;

const insertRow = preparedInsert(gifts);

export function insertGift(db: Database, row: GiftRow): void {
  insertRow(db).run(row);
}

const byId = prepared((db) =>
  db.orm
    .select()
    .from(gifts)
    .where(eq(gifts.id, sql.placeholder('id')))
    .prepare(),
);

export function findGift(db: Database, id: string): GiftRow | undefined {
  return byId(db).get({ id });
}

export function updateGift(db: Database, id: string, patch: Partial<GiftInsert>): void {
  db.orm.update(gifts).set(patch).where(eq(gifts.id, id)).run();
}

export type SuccessPatch = Pick<GiftRow, 'campaignAmount' | 'rate' | 'successSeq' | 'succeededAt'>;

const markSucceeded = prepared((db) =>
  db.orm
    .update(gifts)
    .set({
      status: 'succeeded',
      campaignAmount: sql`${sql.placeholder('campaignAmount')}`,
      rate: sql`${sql.placeholder('rate')}`,
      successSeq: sql`${sql.placeholder('successSeq')}`,
      succeededAt: sql`${sql.placeholder('succeededAt')}`,
    })
    .where(eq(gifts.id, sql.placeholder('id')))
    .prepare(),
);

/** The hot half of the success path (every gift passes here once). */
export function markGiftSucceeded(db: Database, id: string, patch: SuccessPatch): void {
  markSucceeded(db).run({ id, ...patch });
}

// Gifts and paid raffle entries share one matching order.
const maxSuccessSeq = prepared((db) =>
  db.sqlite
    .prepare<[], { max: number | null }>(
      'SELECT max(m) AS max FROM (SELECT max(success_seq) AS m FROM gifts UNION ALL SELECT max(match_seq) FROM raffle_entries)',
    ),
);

/** The next position in the matching replay order; called inside the write transaction. */
export function nextSuccessSeq(db: Database): number {
  return (maxSuccessSeq(db).get()?.max ?? 0) + 1;
}

const otherCountingGift = prepared((db) =>
  db.orm
    .select({ id: gifts.id })
    .from(gifts)
    .where(
      and(
        eq(gifts.campaignId, sql.placeholder('campaignId')),
        eq(gifts.donorKey, sql.placeholder('donorKey')),
        ne(gifts.id, sql.placeholder('giftId')),
        inArray(gifts.status, [...countingStatuses]),
        isWorthSomething,
      ),
    )
    .limit(1)
    .prepare(),
);

/** Whether this donor identity has another gift that still counts (for the donor count). */
export function donorHasOtherCountingGift(db: Database, campaignId: string, donorKey: string, giftId: string): boolean {
  return otherCountingGift(db).get({ campaignId, donorKey, giftId }) !== undefined;
}

/** Every gift that ever succeeded, in replay order (refunded ones carry value 0). */
export function succeededGiftsInOrder(db: Database, campaignId: string): GiftRow[] {
  return db.orm
    .select()
    .from(gifts)
    .where(and(eq(gifts.campaignId, campaignId), isNotNull(gifts.successSeq)))
    .orderBy(asc(gifts.successSeq))
    .all();
}

export interface SupporterRow {
  donorName: string;
  anonymous: boolean;
  showAmount: boolean;
  /** What remains of the gift after refunds, in its own currency. */
  amount: number;
  currency: string;
  comment: string | null;
  succeededAt: number | null;
}

const recent = prepared((db) =>
  db.orm
    .select({
      donorName: gifts.donorName,
      anonymous: gifts.anonymous,
      showAmount: gifts.showAmount,
      amount: sql<number>`${gifts.amount} - ${gifts.refundedAmount}`,
      currency: gifts.currency,
      comment: gifts.comment,
      succeededAt: gifts.succeededAt,
    })
    .from(gifts)
    .where(
      and(
        eq(gifts.campaignId, sql.placeholder('campaignId')),
        isNotNull(gifts.successSeq),
        inArray(gifts.status, [...countingStatuses]),
        isWorthSomething,
      ),
    )
    .orderBy(desc(gifts.successSeq))
    .limit(sql.placeholder('limit'))
    .prepare(),
);

/** Newest counting gifts first, read through the (campaign, success_seq) index. */
export function recentSupporters(db: Database, campaignId: string, limit: number): SupporterRow[] {
  return recent(db).all({ campaignId, limit });
}

export function listCampaignGifts(db: Database, campaignId: string, limit: number, offset: number): GiftRow[] {
  return db.orm
    .select()
    .from(gifts)
    .where(eq(gifts.campaignId, campaignId))
    .orderBy(desc(gifts.createdAt), desc(gifts.id))
    .limit(limit)
    .offset(offset)
    .all();
}

export function pendingGiftsExpiredBy(db: Database, now: number): GiftRow[] {
  return db.orm
    .select()
    .from(gifts)
    .where(and(eq(gifts.status, 'pending'), lt(gifts.expiresAt, now + 1)))
    .all();
}

export function insertRefund(db: Database, row: RefundInsert): void {
  db.orm.insert(giftRefunds).values(row).run();
}

export function findRefundByProviderRef(db: Database, providerRefund: string): typeof giftRefunds.$inferSelect | undefined {
  return db.orm.select().from(giftRefunds).where(eq(giftRefunds.providerRefund, providerRefund)).get();
}

/** What the provider gave back of a gift through refunds Lantern asked for or applied. */
export function refundedAtProviderOfGift(db: Database, giftId: string): number {
  const row = db.orm
    .select({ n: sql<number | null>`sum(${giftRefunds.amount})` })
    .from(giftRefunds)
    .where(and(eq(giftRefunds.giftId, giftId), isNotNull(giftRefunds.providerRefund)))
    .get();
  return Number(row?.n ?? 0);
}
