// Campaign rows and their cached totals.
import { desc, eq, inArray, sql } from 'drizzle-orm';
import type { Database } from './connection.ts';
import { prepared } from './prepared.ts';
import { campaigns, campaignTotals } from './schema.ts';

export type CampaignRow = typeof campaigns.$inferSelect;
export type CampaignInsert = typeof campaigns.$inferInsert;
export type TotalsRow = typeof campaignTotals.$inferSelect;
export type CampaignStatus = CampaignRow['status'];

export function insertCampaign(db: Database, row: CampaignInsert): void {
  db.orm.insert(campaigns).values(row).run();
  db.orm.insert(campaignTotals).values({ campaignId: row.id }).run();
}

export function updateCampaign(db: Database, id: string, patch: Partial<CampaignInsert>): void {
  db.orm.update(campaigns).set(patch).where(eq(campaigns.id, id)).run();
}

const bySlug = prepared((db) =>
  db.orm
    .select()
    .from(campaigns)
    .where(eq(campaigns.slug, sql.placeholder('slug')))
    .prepare(),
);

export function findCampaignBySlug(db: Database, slug: string): CampaignRow | undefined {
  return bySlug(db).get({ slug });
}

const byId = prepared((db) =>
  db.orm
    .select()
    .from(campaigns)
    .where(eq(campaigns.id, sql.placeholder('id')))
    .prepare(),
);

export function findCampaignById(db: Database, id: string): CampaignRow | undefined {
  return byId(db).get({ id });
}

export function listCampaigns(db: Database, statuses?: readonly CampaignStatus[]): CampaignRow[] {
  const q = db.orm.select().from(campaigns);
  return (statuses ? q.where(inArray(campaigns.status, [...statuses])) : q).orderBy(desc(campaigns.createdAt)).all();
}

const totalsOf = prepared((db) =>
  db.orm
    .select()
    .from(campaignTotals)
    .where(eq(campaignTotals.campaignId, sql.placeholder('id')))
    .prepare(),
);

export function readTotals(db: Database, campaignId: string): TotalsRow {
  const row = totalsOf(db).get({ id: campaignId });
  if (!row) throw new Error(`campaign ${campaignId} has no totals row`);
  return row;
}

export interface TotalsDelta {
  raised?: number;
  matched?: number;
  donorCount?: number;
  giftCount?: number;
}

const addTotals = prepared((db) =>
  db.orm
    .update(campaignTotals)
    .set({
      raised: sql`${campaignTotals.raised} + ${sql.placeholder('raised')}`,
      matched: sql`${campaignTotals.matched} + ${sql.placeholder('matched')}`,
      donorCount: sql`${campaignTotals.donorCount} + ${sql.placeholder('donorCount')}`,
      giftCount: sql`${campaignTotals.giftCount} + ${sql.placeholder('giftCount')}`,
    })
    .where(eq(campaignTotals.campaignId, sql.placeholder('id')))
    .prepare(),
);

/** Called only inside the transaction that writes the matching ledger entries. */
export function addToTotals(db: Database, campaignId: string, d: TotalsDelta): void {
  if (!d.raised && !d.matched && !d.donorCount && !d.giftCount) return;
  addTotals(db).run({
    id: campaignId,
    raised: d.raised ?? 0,
    matched: d.matched ?? 0,
    donorCount: d.donorCount ?? 0,
    giftCount: d.giftCount ?? 0,
  });
}
