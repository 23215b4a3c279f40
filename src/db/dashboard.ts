// Reads for the organizer console's dashboard: a campaign's ledger for the
// gifts-over-time chart, and what waits for an organizer across campaigns.
import { and, asc, eq, inArray, lte, sql } from 'drizzle-orm';
import type { Database } from './connection.ts';
import type { LedgerKind } from './ledger.ts';
import type { PledgeRow } from './pledges.ts';
import { prepared } from './prepared.ts';
import { gifts, ledgerEntries, matchPledges } from './schema.ts';

export interface MovementRow {
  /** The start of the quarter hour the entries were written in (ms). */
  at: number;
  kind: LedgerKind;
  /** Their sum, signed as in the ledger, in the campaign's minor units. */
  amount: number;
}

// Every UTC offset in use is a whole number of quarter hours, and so is every
// transition, so a quarter hour never straddles a local midnight: summing per
// quarter hour keeps day buckets exact while a busy campaign's 100,000 entries
// arrive as a few thousand rows.
const SLOT_MS = 15 * 60_000;
const slot = sql<number>`(${ledgerEntries.createdAt} / ${sql.raw(String(SLOT_MS))}) * ${sql.raw(String(SLOT_MS))}`;

const movements = prepared((db) =>
  db.orm
    .select({ at: slot, kind: ledgerEntries.kind, amount: sql<number>`sum(${ledgerEntries.amount})` })
    .from(ledgerEntries)
    .where(eq(ledgerEntries.campaignId, sql.placeholder('campaignId')))
    .groupBy(slot, ledgerEntries.kind)
    .orderBy(slot)
    .prepare(),
);

/** A campaign's ledger summed per quarter hour and kind, oldest first. */
export function ledgerMovements(db: Database, campaignId: string): MovementRow[] {
  return movements(db).all({ campaignId });
}

/** Pledges sponsors proposed that no one has approved or declined yet, the longest waiting first. */
export function proposedPledges(db: Database, campaignIds: readonly string[]): PledgeRow[] {
  if (campaignIds.length === 0) return [];
  return db.orm
    .select()
    .from(matchPledges)
    .where(and(eq(matchPledges.status, 'proposed'), inArray(matchPledges.campaignId, [...campaignIds])))
    .orderBy(asc(matchPledges.createdAt), asc(matchPledges.seq))
    .all();
}

export interface ExpiringGiftRow {
  id: string;
  campaignId: string;
  amount: number;
  currency: string;
  expiresAt: number;
}

/**
 * Online gifts still waiting for their payment whose time runs out by `by`
 * (ms), the soonest first; read through the (status, expires_at) index.
 */
export function pendingGiftsExpiringBy(db: Database, campaignIds: readonly string[], by: number): ExpiringGiftRow[] {
  if (campaignIds.length === 0) return [];
  return db.orm
    .select({
      id: gifts.id,
      campaignId: gifts.campaignId,
      amount: gifts.amount,
      currency: gifts.currency,
      // Never null here: the condition below leaves out gifts without an expiry.
      expiresAt: sql<number>`${gifts.expiresAt}`,
    })
    .from(gifts)
    .where(and(eq(gifts.status, 'pending'), lte(gifts.expiresAt, by), inArray(gifts.campaignId, [...campaignIds])))
    .orderBy(asc(gifts.expiresAt), asc(gifts.id))
    .all();
}
