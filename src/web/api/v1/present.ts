// Service results → API JSON. The public shapes carry no e-mail and no name a
// donor or sponsor chose to hide; the services already replaced them.
import type { CampaignProgress, PublicPledge } from '../../../services/campaigns.ts';
import type { GiftView } from '../../../services/gifts.ts';
import type { PledgeStatement } from '../../../services/pledges.ts';
import { donorFor, type Audience } from '../../../services/privacy.ts';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function pledgeJson(p: PublicPledge) {
  return {
    id: p.id,
    sponsor: p.sponsor,
    ratio: p.ratio,
    cap: p.cap,
    allocated: p.allocated,
    remaining: p.remaining,
    status: p.status,
    message: p.message,
    unlock: p.unlock,
    wouldAdd: p.wouldAdd,
  };
}

export function campaignJson(p: CampaignProgress, baseUrl: string) {
  const c = p.campaign;
  return {
    slug: c.slug,
    title: c.title,
    status: c.status,
    currency: c.currency,
    goal: p.goal,
    raised: p.raised,
    breakdown: p.breakdown,
    matched: p.matched,
    total: p.total,
    donorCount: p.donorCount,
    giftCount: p.giftCount,
    ...(p.impact && { impact: { unit: p.impact.unit, unitCost: p.impact.unitCost, unitsFunded: p.impact.unitsFunded } }),
    startsAt: iso(c.startsAt),
    endsAt: iso(c.endsAt),
    matches: p.matches.map(pledgeJson),
    url: `${baseUrl}/campaigns/${c.slug}`,
  };
}

export function giftJson(g: GiftView) {
  return {
    id: g.id,
    status: g.status,
    amount: g.amount,
    campaignAmount: g.campaignAmount,
    rate: g.rate,
    matched: g.matched,
    refunded: g.refunded,
    feeCover: g.feeCover,
    feeCoverRefunded: g.feeCoverRefunded,
  };
}

/** For staff routes: the donor as `audience` may see them (e-mail for admins only; anonymous stays anonymous for organizers). */
export function giftAdminJson(g: GiftView, audience: Audience) {
  const donor = donorFor(g, audience);
  return {
    ...giftJson(g),
    donor: { name: donor.name, email: donor.email },
    anonymous: g.anonymous,
    comment: g.comment,
    source: g.source,
    method: g.method,
    createdAt: new Date(g.createdAt).toISOString(),
    succeededAt: iso(g.succeededAt),
  };
}

export function statementJson(st: PledgeStatement) {
  const v = st.view;
  return {
    pledge: pledgeJson(v),
    campaign: { slug: st.campaign.slug, title: st.campaign.title },
    matched: v.allocated,
    remaining: v.remaining,
    owed: st.owed,
    wouldAdd: v.wouldAdd ?? { amount: 0, currency: st.campaign.currency },
    gifts: st.lines.map((l) => ({ donor: l.donor, gift: l.gift, value: l.giftValue, matched: l.matched, at: iso(l.at) })),
  };
}
