// Campaign rows and their cached totals.
import { desc, eq, inArray, sql } from 'drizzle-orm';
import type { Database } from './connection.ts';
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

const bySlug = new WeakMap<Database, ReturnType<typeof prepareBySlug>>();
function prepareBySlug(db: Database) {
  return db.orm
    .select()
    .from(campaigns)
    .where(eq(campaigns.slug, sql.placeholder('slug')))
    .prepare();
}

/** Hot path (every campaign page and JSON read): prepared once per database. */
export function findCampaignBySlug(db: Database, slug: string): CampaignRow | undefined {
  let stmt = bySlug.get(db);
  if (!stmt) bySlug.set(db, (stmt = prepareBySlug(db)));
  return stmt.get({ slug });
}

export function findCampaignById(db: Database, id: string): CampaignRow | undefined {
  return db.orm.select().from(campaigns).where(eq(campaigns.id, id)).get();
}

export function listCampaigns(db: Database, statuses?: readonly CampaignStatus[]): CampaignRow[] {
  const q = db.orm.select().from(campaigns);
  return (statuses ? q.where(inArray(campaigns.status, [...statuses])) : q).orderBy(desc(campaigns.createdAt)).all();
}

const totalsStmt = new WeakMap<Database, ReturnType<typeof prepareTotals>>();
function prepareTotals(db: Database) {
  return db.orm
    .select()
    .from(campaignTotals)
    .where(eq(campaignTotals.campaignId, sql.placeholder('id')))
    .prepare();
}

export function readTotals(db: Database, campaignId: string): TotalsRow {
  let stmt = totalsStmt.get(db);
  if (!stmt) totalsStmt.set(db, (stmt = prepareTotals(db)));
  const row = stmt.get({ id: campaignId });
  if (!row) throw new Error(`campaign ${campaignId} has no totals row`);
  return row;
}

export interface TotalsDelta {
  raised?: number;
  matched?: number;
  donorCount?: number;
  giftCount?: number;
}

/** Called only inside the transaction that writes the matching ledger entries. */
export function addToTotals(db: Database, campaignId: string, d: TotalsDelta): void {
  if (!d.raised && !d.matched && !d.donorCount && !d.giftCount) return;
  db.orm
    .update(campaignTotals)
    .set({
      raised: sql`${campaignTotals.raised} + ${d.raised ?? 0}`,
      matched: sql`${campaignTotals.matched} + ${d.matched ?? 0}`,
      donorCount: sql`${campaignTotals.donorCount} + ${d.donorCount ?? 0}`,
      giftCount: sql`${campaignTotals.giftCount} + ${d.giftCount ?? 0}`,
    })
    .where(eq(campaignTotals.campaignId, campaignId))
    .run();
}
