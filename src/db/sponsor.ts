// Reads for the sponsor portal: the pledges a sponsor account made, each with
// the campaign it is on.
import { desc, eq, sql } from 'drizzle-orm';
import type { Database } from './connection.ts';
import type { PledgeRow } from './pledges.ts';
import { prepared } from './prepared.ts';
import { campaigns, matchPledges } from './schema.ts';

export interface SponsorPledgeRow {
  pledge: PledgeRow;
  campaign: { slug: string; title: string; currency: string; impactUnit: string | null };
}

const bySponsorUser = prepared((db) =>
  db.orm
    .select({
      pledge: matchPledges,
      campaign: { slug: campaigns.slug, title: campaigns.title, currency: campaigns.currency, impactUnit: campaigns.impactUnit },
    })
    .from(matchPledges)
    .innerJoin(campaigns, eq(campaigns.id, matchPledges.campaignId))
    .where(eq(matchPledges.sponsorUserId, sql.placeholder('userId')))
    .orderBy(desc(matchPledges.seq))
    .prepare(),
);

/** A sponsor account's pledges, newest first. */
export function pledgesOfSponsorUser(db: Database, userId: string): SponsorPledgeRow[] {
  return bySponsorUser(db).all({ userId });
}
