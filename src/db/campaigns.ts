// Campaign rows and their cached totals.
import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import type { Database } from './connection.ts';
import { prepared } from './prepared.ts';
import { campaignOrganizers, campaigns, campaignTotals, users } from './schema.ts';

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
  tickets?: number;
  raffles?: number;
}

const addTotals = prepared((db) =>
  db.orm
    .update(campaignTotals)
    .set({
      raised: sql`${campaignTotals.raised} + ${sql.placeholder('raised')}`,
      matched: sql`${campaignTotals.matched} + ${sql.placeholder('matched')}`,
      donorCount: sql`${campaignTotals.donorCount} + ${sql.placeholder('donorCount')}`,
      giftCount: sql`${campaignTotals.giftCount} + ${sql.placeholder('giftCount')}`,
      tickets: sql`${campaignTotals.tickets} + ${sql.placeholder('tickets')}`,
      raffles: sql`${campaignTotals.raffles} + ${sql.placeholder('raffles')}`,
    })
    .where(eq(campaignTotals.campaignId, sql.placeholder('id')))
    .prepare(),
);

/** Called only inside the transaction that writes the matching ledger entries. */
export function addToTotals(db: Database, campaignId: string, d: TotalsDelta): void {
  if (!d.raised && !d.matched && !d.donorCount && !d.giftCount && !d.tickets && !d.raffles) return;
  addTotals(db).run({
    id: campaignId,
    raised: d.raised ?? 0,
    matched: d.matched ?? 0,
    donorCount: d.donorCount ?? 0,
    giftCount: d.giftCount ?? 0,
    tickets: d.tickets ?? 0,
    raffles: d.raffles ?? 0,
  });
}

export function assignOrganizer(db: Database, campaignId: string, userId: string, at: number): void {
  db.orm.insert(campaignOrganizers).values({ campaignId, userId, createdAt: at }).onConflictDoNothing().run();
}

export function unassignOrganizer(db: Database, campaignId: string, userId: string): number {
  return db.orm
    .delete(campaignOrganizers)
    .where(and(eq(campaignOrganizers.campaignId, campaignId), eq(campaignOrganizers.userId, userId)))
    .run().changes;
}

const assigned = prepared((db) =>
  db.orm
    .select({ one: sql<number>`1` })
    .from(campaignOrganizers)
    .where(and(eq(campaignOrganizers.campaignId, sql.placeholder('campaignId')), eq(campaignOrganizers.userId, sql.placeholder('userId'))))
    .prepare(),
);

export function isOrganizerOf(db: Database, campaignId: string, userId: string): boolean {
  return assigned(db).get({ campaignId, userId }) !== undefined;
}

export function campaignsOfOrganizer(db: Database, userId: string): CampaignRow[] {
  return db.orm
    .select({ c: campaigns })
    .from(campaignOrganizers)
    .innerJoin(campaigns, eq(campaigns.id, campaignOrganizers.campaignId))
    .where(eq(campaignOrganizers.userId, userId))
    .orderBy(desc(campaigns.createdAt))
    .all()
    .map((r) => r.c);
}

export function organizersOfCampaign(db: Database, campaignId: string): { userId: string; email: string; name: string }[] {
  return db.orm
    .select({ userId: users.id, email: users.email, name: users.name })
    .from(campaignOrganizers)
    .innerJoin(users, eq(users.id, campaignOrganizers.userId))
    .where(eq(campaignOrganizers.campaignId, campaignId))
    .orderBy(users.email)
    .all();
}
