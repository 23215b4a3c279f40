// Match pledges and their per-gift allocations.
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Database } from './connection.ts';
import { prepared, preparedInsert } from './prepared.ts';
import { gifts, matchAllocations, matchPledges, raffleEntries, raffleMatchAllocations } from './schema.ts';

export type PledgeRow = typeof matchPledges.$inferSelect;
export type PledgeInsert = typeof matchPledges.$inferInsert;
export type PledgeStatus = PledgeRow['status'];

export function insertPledge(db: Database, row: Omit<PledgeInsert, 'seq'>): PledgeRow {
  const seq =
    (db.orm
      .select({ max: sql<number | null>`max(${matchPledges.seq})` })
      .from(matchPledges)
      .get()?.max ?? 0) + 1;
  return db.orm
    .insert(matchPledges)
    .values({ ...row, seq })
    .returning()
    .get();
}

export function findPledge(db: Database, id: string): PledgeRow | undefined {
  return db.orm.select().from(matchPledges).where(eq(matchPledges.id, id)).get();
}

export function updatePledge(db: Database, id: string, patch: Partial<PledgeInsert>): void {
  db.orm.update(matchPledges).set(patch).where(eq(matchPledges.id, id)).run();
}

const campaignPledges = prepared((db) =>
  db.orm
    .select()
    .from(matchPledges)
    .where(eq(matchPledges.campaignId, sql.placeholder('campaignId')))
    .orderBy(asc(matchPledges.priority), asc(matchPledges.seq))
    .prepare(),
);

/** A campaign's pledges in application order (priority, then creation). */
export function pledgesOfCampaign(db: Database, campaignId: string): PledgeRow[] {
  return campaignPledges(db).all({ campaignId });
}

export interface AllocationRow {
  giftId: string;
  pledgeId: string;
  amount: number;
}

const insertAllocationRow = preparedInsert(matchAllocations);

export function insertAllocation(db: Database, row: AllocationRow): void {
  insertAllocationRow(db).run(row);
}

const setAllocated = prepared((db) =>
  db.orm
    .update(matchPledges)
    .set({ allocated: sql`${sql.placeholder('allocated')}` })
    .where(eq(matchPledges.id, sql.placeholder('id')))
    .prepare(),
);

/** The pledge's cached total; written in the transaction that writes its ledger entries. */
export function setPledgeAllocated(db: Database, id: string, allocated: number): void {
  setAllocated(db).run({ id, allocated });
}

export function setAllocation(db: Database, row: AllocationRow): void {
  db.orm
    .insert(matchAllocations)
    .values(row)
    .onConflictDoUpdate({ target: [matchAllocations.giftId, matchAllocations.pledgeId], set: { amount: row.amount } })
    .run();
}

export function deleteAllocation(db: Database, giftId: string, pledgeId: string): void {
  db.orm
    .delete(matchAllocations)
    .where(and(eq(matchAllocations.giftId, giftId), eq(matchAllocations.pledgeId, pledgeId)))
    .run();
}

export function allocationsOfCampaign(db: Database, campaignId: string): AllocationRow[] {
  return db.orm
    .select({ giftId: matchAllocations.giftId, pledgeId: matchAllocations.pledgeId, amount: matchAllocations.amount })
    .from(matchAllocations)
    .innerJoin(matchPledges, eq(matchPledges.id, matchAllocations.pledgeId))
    .where(eq(matchPledges.campaignId, campaignId))
    .all();
}

const giftAllocations = prepared((db) =>
  db.orm
    .select({ giftId: matchAllocations.giftId, pledgeId: matchAllocations.pledgeId, amount: matchAllocations.amount })
    .from(matchAllocations)
    .where(eq(matchAllocations.giftId, sql.placeholder('giftId')))
    .prepare(),
);

export function allocationsOfGift(db: Database, giftId: string): AllocationRow[] {
  return giftAllocations(db).all({ giftId });
}

/** What each of these pledges has already matched for one donor identity (for per-donor limits). */
export function matchedForDonor(db: Database, pledgeIds: readonly string[], donorKey: string): Map<string, number> {
  if (pledgeIds.length === 0) return new Map();
  const rows = db.orm
    .select({ pledgeId: matchAllocations.pledgeId, total: sql<number>`sum(${matchAllocations.amount})` })
    .from(matchAllocations)
    .innerJoin(gifts, eq(gifts.id, matchAllocations.giftId))
    .where(and(inArray(matchAllocations.pledgeId, [...pledgeIds]), eq(gifts.donorKey, donorKey)))
    .groupBy(matchAllocations.pledgeId)
    .all();
  // The same person's raffle tickets, where a pledge matches raffle proceeds.
  const raffleRows = db.orm
    .select({ pledgeId: raffleMatchAllocations.pledgeId, total: sql<number>`sum(${raffleMatchAllocations.amount})` })
    .from(raffleMatchAllocations)
    .innerJoin(raffleEntries, eq(raffleEntries.id, raffleMatchAllocations.entryId))
    .where(and(inArray(raffleMatchAllocations.pledgeId, [...pledgeIds]), eq(raffleEntries.holderKey, donorKey)))
    .groupBy(raffleMatchAllocations.pledgeId)
    .all();
  const totals = new Map<string, number>();
  for (const r of [...rows, ...raffleRows]) totals.set(r.pledgeId, (totals.get(r.pledgeId) ?? 0) + Number(r.total));
  return totals;
}

export interface PledgeGiftRow {
  giftId: string;
  amount: number;
  donorName: string;
  anonymous: boolean;
  showAmount: boolean;
  giftAmount: number;
  giftCurrency: string;
  campaignAmount: number | null;
  succeededAt: number | null;
}

/** The gifts a pledge matched, for the sponsor statement (no e-mail ever leaves here). */
export function giftsMatchedByPledge(db: Database, pledgeId: string): PledgeGiftRow[] {
  return db.orm
    .select({
      giftId: matchAllocations.giftId,
      amount: matchAllocations.amount,
      donorName: gifts.donorName,
      anonymous: gifts.anonymous,
      showAmount: gifts.showAmount,
      giftAmount: gifts.amount,
      giftCurrency: gifts.currency,
      campaignAmount: gifts.campaignAmount,
      succeededAt: gifts.succeededAt,
    })
    .from(matchAllocations)
    .innerJoin(gifts, eq(gifts.id, matchAllocations.giftId))
    .where(eq(matchAllocations.pledgeId, pledgeId))
    .orderBy(asc(gifts.successSeq))
    .all();
}
