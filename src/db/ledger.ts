// The append-only ledger. Entries are only ever inserted (triggers refuse
// UPDATE and DELETE); `verify` sums them and compares with the caches.
import { and, eq, sql } from 'drizzle-orm';
import type { Database } from './connection.ts';
import { prepared } from './prepared.ts';
import { ledgerEntries } from './schema.ts';

export type LedgerKind = (typeof ledgerEntries.$inferSelect)['kind'];

export interface LedgerInsert {
  campaignId: string;
  kind: LedgerKind;
  amount: number;
  giftId?: string | null;
  pledgeId?: string | null;
  refundId?: string | null;
  orderId?: string | null;
  raffleEntryId?: string | null;
  createdAt: number;
}

const insertEntry = prepared((db) =>
  db.orm
    .insert(ledgerEntries)
    .values({
      campaignId: sql.placeholder('campaignId'),
      kind: sql.placeholder('kind'),
      amount: sql.placeholder('amount'),
      giftId: sql.placeholder('giftId'),
      pledgeId: sql.placeholder('pledgeId'),
      refundId: sql.placeholder('refundId'),
      orderId: sql.placeholder('orderId'),
      raffleEntryId: sql.placeholder('raffleEntryId'),
      createdAt: sql.placeholder('createdAt'),
    })
    .prepare(),
);

/** A zero amount moves nothing and leaves no entry. */
export function appendLedger(db: Database, entry: LedgerInsert): void {
  if (entry.amount === 0) return;
  insertEntry(db).run({ giftId: null, pledgeId: null, refundId: null, orderId: null, raffleEntryId: null, ...entry });
}

export interface LedgerSums {
  gifts: number;
  refunds: number;
  matched: number;
  tickets: number;
  raffles: number;
}

export function ledgerSums(db: Database, campaignId: string): LedgerSums {
  const rows = db.orm
    .select({ kind: ledgerEntries.kind, total: sql<number>`sum(${ledgerEntries.amount})` })
    .from(ledgerEntries)
    .where(eq(ledgerEntries.campaignId, campaignId))
    .groupBy(ledgerEntries.kind)
    .all();
  const by = new Map(rows.map((r) => [r.kind, r.total]));
  return {
    gifts: by.get('gift') ?? 0,
    refunds: by.get('refund') ?? 0,
    matched: by.get('match') ?? 0,
    tickets: by.get('ticket') ?? 0,
    raffles: by.get('raffle') ?? 0,
  };
}

/** Match entries summed per (gift or raffle entry, pledge): must equal the allocation tables. */
export function ledgerMatchByGiftAndPledge(db: Database, campaignId: string): Map<string, number> {
  const matched = sql<string>`coalesce(${ledgerEntries.giftId}, ${ledgerEntries.raffleEntryId})`;
  const rows = db.orm
    .select({
      matchedId: matched,
      pledgeId: ledgerEntries.pledgeId,
      total: sql<number>`sum(${ledgerEntries.amount})`,
    })
    .from(ledgerEntries)
    .where(and(eq(ledgerEntries.campaignId, campaignId), eq(ledgerEntries.kind, 'match')))
    .groupBy(matched, ledgerEntries.pledgeId)
    .all();
  return new Map(rows.map((r) => [`${r.matchedId}|${r.pledgeId}`, r.total]));
}
