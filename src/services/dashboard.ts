// The organizer console's dashboard: for each campaign its progress, gifts over
// time, recent gifts, pledges, and what needs an organizer's attention. Only
// reads; the figures come from the same caches and ledger the public pages and
// `verify` use, so the chart's last point equals the progress shown beside it.
// Donors and sponsors appear as the viewer's audience may see them (privacy.ts).
import { formatRatio } from '../domain/matching.ts';
import { money, type Money } from '../domain/money.ts';
import { timeline, type Timeline } from '../domain/timeline.ts';
import { listCampaigns, type CampaignRow, type CampaignStatus } from '../db/campaigns.ts';
import {
  ledgerMovements,
  pendingGiftsExpiringBy,
  proposedPledges,
  type ExpiringGiftRow,
  type MovementRow,
} from '../db/dashboard.ts';
import { listCampaignGifts } from '../db/gifts.ts';
import { pledgesOfCampaign, type PledgeRow } from '../db/pledges.ts';
import { campaignProgress, describePledge, type CampaignProgress, type PublicPledge } from './campaigns.ts';
import type { Services } from './context.ts';
import { giftView, type GiftView } from './gifts.ts';
import { giftFor, sponsorFor, type Audience, type PersonShown } from './privacy.ts';

export const RECENT_GIFTS = 8;
/** A pending gift whose payment window closes within this is "about to expire". */
export const EXPIRING_SOON_MS = 15 * 60_000;

export type AttentionItem =
  | {
      kind: 'proposed_pledge';
      pledgeId: string;
      campaignSlug: string;
      /**
       * As the audience may see it: admins, who approve, get the real name even
       * when the pledge is anonymous; organizers get "Anonymous sponsor".
       */
      sponsor: string;
      anonymous: boolean;
      ratio: string;
      cap: Money;
      proposedAt: number;
    }
  | {
      kind: 'expiring_gift';
      giftId: string;
      campaignSlug: string;
      expiresAt: number;
      amount: Money;
    };

export interface CampaignDashboard {
  progress: CampaignProgress;
  /** Cumulative raised and matched by local day (or week) from the start to today. */
  timeline: Timeline;
  /** The newest gifts of any status, newest first, each donor as the audience may see them. */
  recentGifts: (GiftView & { donor: PersonShown })[];
  /** Every pledge, proposed and declined ones included, in the order they apply. */
  pledges: PublicPledge[];
  /** Expiring gifts (soonest first), then proposed pledges (longest waiting first). */
  attention: AttentionItem[];
}

export interface DashboardOptions {
  /** IANA zone whose calendar days the timeline uses; UTC until campaigns have a zone. */
  timeZone?: string;
  /** Who looks: organizers see no e-mail and no anonymous donor's or sponsor's name. The console always says. */
  audience?: Audience;
}

// Published campaigns are the live ones; drafts are being prepared; closed ones are history.
const statusOrder: Record<CampaignStatus, number> = { published: 0, draft: 1, closed: 2 };

/**
 * From the campaign's start (or its first ledger entry, if earlier) to now, or
 * to its end once it has ended. A payment or refund recorded after the end
 * extends it, so every ledger entry is counted and the last point equals the
 * totals.
 */
function timelineRange(campaign: CampaignRow, movements: readonly MovementRow[], now: number): { from: number; to: number } {
  const firstAt = movements[0]?.at ?? Infinity;
  const lastAt = movements[movements.length - 1]?.at ?? -Infinity;
  const end = campaign.endsAt !== null && campaign.endsAt < now ? campaign.endsAt : now;
  const to = Math.max(end, lastAt);
  const from = Math.min(campaign.startsAt ?? campaign.createdAt, firstAt, to);
  return { from, to };
}

function expiringGift(g: ExpiringGiftRow, campaign: CampaignRow): AttentionItem {
  return { kind: 'expiring_gift', giftId: g.id, campaignSlug: campaign.slug, expiresAt: g.expiresAt, amount: money(g.amount, g.currency) };
}

function proposedPledge(p: PledgeRow, campaign: CampaignRow, audience: Audience): AttentionItem {
  return {
    kind: 'proposed_pledge',
    pledgeId: p.id,
    campaignSlug: campaign.slug,
    sponsor: sponsorFor(p, audience).name,
    anonymous: p.anonymous,
    ratio: formatRatio({ sponsor: p.ratioSponsor, donor: p.ratioDonor }),
    cap: money(p.cap, campaign.currency),
    proposedAt: p.createdAt,
  };
}

/**
 * The dashboard for the given campaigns (ids; unknown ones are skipped) or for
 * all: published first, then drafts, then closed, newest first within each.
 */
export async function dashboard(
  s: Services,
  campaignIds: readonly string[] | 'all',
  options: DashboardOptions = {},
): Promise<CampaignDashboard[]> {
  const timeZone = options.timeZone ?? 'UTC';
  const audience = options.audience ?? 'admin';
  const now = s.now();
  const wanted = campaignIds === 'all' ? null : new Set(campaignIds);
  // listCampaigns returns the newest first, and the sort is stable.
  const campaigns = listCampaigns(s.db)
    .filter((c) => wanted === null || wanted.has(c.id))
    .sort((a, b) => statusOrder[a.status] - statusOrder[b.status]);
  const ids = campaigns.map((c) => c.id);
  // One query each across all the campaigns, shared out below.
  const expiring = pendingGiftsExpiringBy(s.db, ids, now + EXPIRING_SOON_MS);
  const proposed = proposedPledges(s.db, ids);

  return campaigns.map((campaign) => {
    const movements = ledgerMovements(s.db, campaign.id);
    return {
      progress: campaignProgress(s, campaign),
      timeline: timeline(movements, timeZone, timelineRange(campaign, movements, now)),
      recentGifts: listCampaignGifts(s.db, campaign.id, RECENT_GIFTS, 0).map((g) => giftFor(giftView(s, g, campaign), audience)),
      pledges: pledgesOfCampaign(s.db, campaign.id).map((p) => describePledge(s, p)),
      attention: [
        ...expiring.filter((g) => g.campaignId === campaign.id).map((g) => expiringGift(g, campaign)),
        ...proposed.filter((p) => p.campaignId === campaign.id).map((p) => proposedPledge(p, campaign, audience)),
      ],
    };
  });
}
