// Raffles, their prizes, entries (purchases), numbered tickets and draws.
import { and, asc, eq, gt, inArray, isNotNull, lt, or, sql } from 'drizzle-orm';
import type { Database } from './connection.ts';
import { matchPledges, raffleDraws, raffleEntries, raffleMatchAllocations, rafflePrizes, raffles, raffleTickets } from './schema.ts';

export type RaffleRow = typeof raffles.$inferSelect;
export type RaffleInsert = typeof raffles.$inferInsert;
export type RaffleStatus = RaffleRow['status'];
export type PrizeRow = typeof rafflePrizes.$inferSelect;
export type EntryRow = typeof raffleEntries.$inferSelect;
export type RaffleTicketRow = typeof raffleTickets.$inferSelect;
export type DrawRow = typeof raffleDraws.$inferSelect;

export function insertRaffle(db: Database, row: RaffleInsert): void {
  db.orm.insert(raffles).values(row).run();
}

export function updateRaffle(db: Database, id: string, patch: Partial<RaffleInsert>): void {
  db.orm.update(raffles).set(patch).where(eq(raffles.id, id)).run();
}

export function findRaffle(db: Database, id: string): RaffleRow | undefined {
  return db.orm.select().from(raffles).where(eq(raffles.id, id)).get();
}

export function rafflesOfEvent(db: Database, eventId: string): RaffleRow[] {
  return db.orm.select().from(raffles).where(eq(raffles.eventId, eventId)).orderBy(asc(raffles.createdAt), asc(raffles.id)).all();
}

export function rafflesOfCampaigns(db: Database, campaignIds: readonly string[]): RaffleRow[] {
  if (campaignIds.length === 0) return [];
  return db.orm
    .select()
    .from(raffles)
    .where(inArray(raffles.campaignId, [...campaignIds]))
    .orderBy(asc(raffles.createdAt), asc(raffles.id))
    .all();
}

export function allRaffles(db: Database): RaffleRow[] {
  return db.orm.select().from(raffles).orderBy(asc(raffles.createdAt), asc(raffles.id)).all();
}

/** Prizes are rewritten as a whole while the raffle is being set up. */
export function replacePrizes(db: Database, raffleId: string, prizes: readonly Omit<PrizeRow, 'raffleId'>[]): void {
  db.orm.delete(rafflePrizes).where(eq(rafflePrizes.raffleId, raffleId)).run();
  if (prizes.length > 0) db.orm.insert(rafflePrizes).values(prizes.map((p) => ({ ...p, raffleId }))).run();
}

export function prizesOf(db: Database, raffleId: string): PrizeRow[] {
  return db.orm.select().from(rafflePrizes).where(eq(rafflePrizes.raffleId, raffleId)).orderBy(asc(rafflePrizes.position)).all();
}

export function insertEntry(db: Database, row: EntryRow): void {
  db.orm.insert(raffleEntries).values(row).run();
}

export function updateEntry(db: Database, id: string, patch: Partial<EntryRow>): void {
  db.orm.update(raffleEntries).set(patch).where(eq(raffleEntries.id, id)).run();
}

export function findEntry(db: Database, id: string): EntryRow | undefined {
  return db.orm.select().from(raffleEntries).where(eq(raffleEntries.id, id)).get();
}

export function entriesOf(db: Database, raffleId: string): EntryRow[] {
  return db.orm.select().from(raffleEntries).where(eq(raffleEntries.raffleId, raffleId)).orderBy(asc(raffleEntries.createdAt), asc(raffleEntries.id)).all();
}

export function pendingEntriesExpiredBy(db: Database, now: number): EntryRow[] {
  return db.orm
    .select()
    .from(raffleEntries)
    .where(and(eq(raffleEntries.status, 'pending'), lt(raffleEntries.expiresAt, now + 1)))
    .all();
}

/** Tickets paid or held (pending and unexpired) at `now`: what counts against the raffle's maximum. */
export function ticketsTaken(db: Database, raffleId: string, now: number): number {
  const row = db.orm
    .select({ n: sql<number | null>`sum(${raffleEntries.quantity})` })
    .from(raffleEntries)
    .where(
      and(
        eq(raffleEntries.raffleId, raffleId),
        or(eq(raffleEntries.status, 'paid'), and(eq(raffleEntries.status, 'pending'), gt(raffleEntries.expiresAt, now))),
      ),
    )
    .get();
  return Number(row?.n ?? 0);
}

/** The number the next paid ticket gets: numbers are never reused, refunded or not. */
export function nextTicketNumber(db: Database, raffleId: string): number {
  const row = db.orm
    .select({ n: sql<number | null>`max(${raffleTickets.number})` })
    .from(raffleTickets)
    .where(eq(raffleTickets.raffleId, raffleId))
    .get();
  return Number(row?.n ?? 0) + 1;
}

export function insertRaffleTickets(db: Database, rows: readonly RaffleTicketRow[]): void {
  if (rows.length > 0) db.orm.insert(raffleTickets).values([...rows]).run();
}

export function ticketNumbersOfEntry(db: Database, entryId: string): number[] {
  return db.orm
    .select({ number: raffleTickets.number })
    .from(raffleTickets)
    .where(eq(raffleTickets.entryId, entryId))
    .orderBy(asc(raffleTickets.number))
    .all()
    .map((r) => r.number);
}

export function voidTicketsOfEntry(db: Database, entryId: string): void {
  db.orm.update(raffleTickets).set({ status: 'void' }).where(eq(raffleTickets.entryId, entryId)).run();
}

export interface PoolTicket {
  number: number;
  entryId: string;
  holderKey: string;
}

/** The valid tickets of paid entries, ascending: the pool as it stands. */
export function validTickets(db: Database, raffleId: string): PoolTicket[] {
  return db.orm
    .select({ number: raffleTickets.number, entryId: raffleTickets.entryId, holderKey: raffleEntries.holderKey })
    .from(raffleTickets)
    .innerJoin(raffleEntries, eq(raffleEntries.id, raffleTickets.entryId))
    .where(and(eq(raffleTickets.raffleId, raffleId), eq(raffleTickets.status, 'valid'), eq(raffleEntries.status, 'paid')))
    .orderBy(asc(raffleTickets.number))
    .all();
}

export function entryOfTicket(db: Database, raffleId: string, number: number): EntryRow | undefined {
  const row = db.orm
    .select({ entry: raffleEntries })
    .from(raffleTickets)
    .innerJoin(raffleEntries, eq(raffleEntries.id, raffleTickets.entryId))
    .where(and(eq(raffleTickets.raffleId, raffleId), eq(raffleTickets.number, number)))
    .get();
  return row?.entry;
}

export function insertDraws(db: Database, rows: readonly DrawRow[]): void {
  if (rows.length > 0) db.orm.insert(raffleDraws).values([...rows]).run();
}

export function drawsOf(db: Database, raffleId: string): DrawRow[] {
  return db.orm.select().from(raffleDraws).where(eq(raffleDraws.raffleId, raffleId)).orderBy(asc(raffleDraws.seq)).all();
}

export function updateDraw(db: Database, raffleId: string, seq: number, patch: Partial<DrawRow>): void {
  db.orm
    .update(raffleDraws)
    .set(patch)
    .where(and(eq(raffleDraws.raffleId, raffleId), eq(raffleDraws.seq, seq)))
    .run();
}

/** Raffle proceeds per campaign net of refunds, from the entries: `verify` compares them with the ledger. */
export function raffleProceedsByCampaign(db: Database): Map<string, number> {
  const rows = db.orm
    .select({ campaignId: raffles.campaignId, total: sql<number>`sum(${raffleEntries.campaignAmount})` })
    .from(raffleEntries)
    .innerJoin(raffles, eq(raffles.id, raffleEntries.raffleId))
    .where(eq(raffleEntries.status, 'paid'))
    .groupBy(raffles.campaignId)
    .all();
  return new Map(rows.flatMap((r) => (r.campaignId === null ? [] : [[r.campaignId, Number(r.total ?? 0)]])));
}

/** Paid (or since refunded) entries in the campaign's matching order. */
export function matchableEntriesOfCampaign(db: Database, campaignId: string): EntryRow[] {
  return db.orm
    .select({ entry: raffleEntries })
    .from(raffleEntries)
    .innerJoin(raffles, eq(raffles.id, raffleEntries.raffleId))
    .where(and(eq(raffles.campaignId, campaignId), isNotNull(raffleEntries.matchSeq)))
    .orderBy(asc(raffleEntries.matchSeq))
    .all()
    .map((r) => r.entry);
}

export interface RaffleAllocationRow {
  entryId: string;
  pledgeId: string;
  amount: number;
}

export function raffleAllocationsOfCampaign(db: Database, campaignId: string): RaffleAllocationRow[] {
  return db.orm
    .select({ entryId: raffleMatchAllocations.entryId, pledgeId: raffleMatchAllocations.pledgeId, amount: raffleMatchAllocations.amount })
    .from(raffleMatchAllocations)
    .innerJoin(matchPledges, eq(matchPledges.id, raffleMatchAllocations.pledgeId))
    .where(eq(matchPledges.campaignId, campaignId))
    .all();
}

export function setRaffleAllocation(db: Database, row: RaffleAllocationRow): void {
  db.orm
    .insert(raffleMatchAllocations)
    .values(row)
    .onConflictDoUpdate({ target: [raffleMatchAllocations.entryId, raffleMatchAllocations.pledgeId], set: { amount: row.amount } })
    .run();
}

export function deleteRaffleAllocation(db: Database, entryId: string, pledgeId: string): void {
  db.orm
    .delete(raffleMatchAllocations)
    .where(and(eq(raffleMatchAllocations.entryId, entryId), eq(raffleMatchAllocations.pledgeId, pledgeId)))
    .run();
}

export interface RaffleMatchedRow {
  entryId: string;
  amount: number;
  entryAmount: number;
  entryCurrency: string;
  campaignAmount: number | null;
  paidAt: number | null;
}

/** The raffle sales a pledge matched, in the order they were paid (for its statement). */
export function rafflesMatchedByPledge(db: Database, pledgeId: string): RaffleMatchedRow[] {
  return db.orm
    .select({
      entryId: raffleMatchAllocations.entryId,
      amount: raffleMatchAllocations.amount,
      entryAmount: raffleEntries.amount,
      entryCurrency: raffleEntries.currency,
      campaignAmount: raffleEntries.campaignAmount,
      paidAt: raffleEntries.paidAt,
    })
    .from(raffleMatchAllocations)
    .innerJoin(raffleEntries, eq(raffleEntries.id, raffleMatchAllocations.entryId))
    .where(eq(raffleMatchAllocations.pledgeId, pledgeId))
    .orderBy(asc(raffleEntries.matchSeq))
    .all();
}
