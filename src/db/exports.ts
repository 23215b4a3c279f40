// Read queries for the CSV exports: a whole campaign at a time.
import { asc, eq, sql } from 'drizzle-orm';
import type { Database } from './connection.ts';
import type { GiftRow } from './gifts.ts';
import { prepared } from './prepared.ts';
import { gifts, matchAllocations } from './schema.ts';

export type GiftExportRow = Pick<
  GiftRow,
  | 'id'
  | 'createdAt'
  | 'succeededAt'
  | 'successSeq'
  | 'status'
  | 'source'
  | 'method'
  | 'amount'
  | 'currency'
  | 'feeCover'
  | 'feeCoverRefunded'
  | 'campaignAmount'
  | 'rate'
  | 'refundedCampaignAmount'
  | 'donorName'
  | 'donorEmail'
  | 'donorKey'
  | 'anonymous'
  | 'showAmount'
  | 'comment'
  | 'note'
> & {
  /** What the campaign's pledges match of this gift now, in the campaign currency. */
  matched: number;
};

// One statement, so every row (and the matched column) comes from one
// snapshot even while gifts keep arriving: the export's sums then agree with
// each other. The correlated sum reads the allocations' (gift, pledge) key.
const campaignGifts = prepared((db) =>
  db.orm
    .select({
      id: gifts.id,
      createdAt: gifts.createdAt,
      succeededAt: gifts.succeededAt,
      successSeq: gifts.successSeq,
      status: gifts.status,
      source: gifts.source,
      method: gifts.method,
      amount: gifts.amount,
      currency: gifts.currency,
      feeCover: gifts.feeCover,
      feeCoverRefunded: gifts.feeCoverRefunded,
      campaignAmount: gifts.campaignAmount,
      rate: gifts.rate,
      refundedCampaignAmount: gifts.refundedCampaignAmount,
      donorName: gifts.donorName,
      donorEmail: gifts.donorEmail,
      donorKey: gifts.donorKey,
      anonymous: gifts.anonymous,
      showAmount: gifts.showAmount,
      comment: gifts.comment,
      note: gifts.note,
      matched: sql<number>`coalesce((select sum(${matchAllocations.amount}) from ${matchAllocations} where ${matchAllocations.giftId} = ${gifts.id}), 0)`,
    })
    .from(gifts)
    .where(eq(gifts.campaignId, sql.placeholder('campaignId')))
    .orderBy(asc(gifts.createdAt), asc(gifts.id))
    .prepare(),
);

/** Every gift of a campaign in any status, oldest first, with what it has been matched. */
export function giftsForExport(db: Database, campaignId: string): GiftExportRow[] {
  return campaignGifts(db).all({ campaignId });
}
