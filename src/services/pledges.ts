// Match pledges: created by an admin (active at once) or proposed by a
// sponsor; approved or declined (the sponsor hears by e-mail), paused,
// resumed or closed; and the sponsor's statement.
import { DomainError, ValidationError } from '../domain/errors.ts';
import { formatRatio, parseRatio } from '../domain/matching.ts';
import { exponentOf, formatMoney, MAX_MAJOR_UNITS, money, type Money } from '../domain/money.ts';
import { rafflesMatchedByPledge } from '../db/raffles.ts';
import { findCampaignById, type CampaignRow } from '../db/campaigns.ts';
import { newUntimedId } from '../db/ids.ts';
import { findPledge, giftsMatchedByPledge, insertPledge, pledgesOfCampaign, updatePledge, type PledgeRow, type PledgeStatus } from '../db/pledges.ts';
import { findUserById } from '../db/users.ts';
import { audit } from './audit.ts';
import { describePledge, getCampaign, type PublicPledge } from './campaigns.ts';
import type { Actor, Services } from './context.ts';
import { queueMail } from './mail.ts';
import { replayCampaign } from './matching.ts';
import { ANONYMOUS_DONOR } from './privacy.ts';

export interface PledgeInput {
  sponsor: { name: string; email?: string | null };
  anonymous: boolean;
  message?: string | null;
  ratio: string;
  cap?: Money;
  capUnits?: number;
  startsAt?: number | null;
  endsAt?: number | null;
  minGift?: Money | null;
  maxPerGift?: Money | null;
  maxPerDonor?: Money | null;
  sources?: readonly string[] | null;
  priority?: number;
  stacking?: boolean;
  unlock?: { kind: 'raised'; threshold: Money } | { kind: 'donors'; threshold: number } | null;
}

function inCurrency(m: Money | null | undefined, currency: string, field: string): number | null {
  if (m === null || m === undefined) return null;
  if (m.currency !== currency) throw ValidationError.field(`${field}.currency`, `Must be in the campaign currency, ${currency}`);
  if (m.amount <= 0) throw ValidationError.field(`${field}.amount`, 'Must be more than zero');
  return m.amount;
}

export async function createPledge(
  s: Services,
  actor: Actor,
  slug: string,
  input: PledgeInput,
  status: 'active' | 'proposed',
  /** Runs in the same transaction once the pledge is stored (e.g. to queue a notice). */
  andThen?: (pledge: PledgeRow, campaign: CampaignRow) => void,
): Promise<PledgeRow> {
  const ratio = parseRatio(input.ratio, 'ratio');
  const now = s.now();
  return s.db.write(() => {
    const campaign = getCampaign(s, slug);
    if (campaign.status === 'closed') throw new DomainError('invalid_state', 'This campaign is closed.');
    // A sponsor may only offer to match what the public can see and give to.
    if (status === 'proposed' && campaign.status !== 'published') {
      throw ValidationError.field('campaign', 'This campaign does not take new pledges; choose a published campaign');
    }
    const c = campaign.currency;
    let cap: number;
    let capUnits: number | null = null;
    if (input.cap && input.capUnits !== undefined) {
      throw ValidationError.field('cap', 'Give the cap either as money or as impact units, not both');
    } else if (input.capUnits !== undefined) {
      if (campaign.impactUnitCost === null) {
        throw ValidationError.field('capUnits', 'This campaign has no impact unit; give the cap as money');
      }
      if (!Number.isSafeInteger(input.capUnits) || input.capUnits <= 0) {
        throw ValidationError.field('capUnits', 'Must be a whole number of units above zero');
      }
      capUnits = input.capUnits;
      cap = input.capUnits * campaign.impactUnitCost;
      if (cap > MAX_MAJOR_UNITS * 10 ** exponentOf(c)) {
        throw ValidationError.field('capUnits', `The cap must be at most ${MAX_MAJOR_UNITS.toLocaleString('en')} ${c}`);
      }
    } else if (input.cap) {
      cap = inCurrency(input.cap, c, 'cap') ?? 0;
    } else {
      throw ValidationError.field('cap', 'A pledge needs a cap, as money or as impact units');
    }
    const startsAt = input.startsAt ?? now;
    if (input.endsAt != null && input.endsAt <= startsAt) throw ValidationError.field('endsAt', 'The end must be after the start');
    let unlockThreshold: number | null = null;
    if (input.unlock) {
      unlockThreshold =
        input.unlock.kind === 'raised' ? inCurrency(input.unlock.threshold, c, 'unlock.threshold') : input.unlock.threshold;
      if (unlockThreshold === null || !Number.isSafeInteger(unlockThreshold) || unlockThreshold <= 0) {
        throw ValidationError.field('unlock.threshold', 'Must be above zero');
      }
    }
    const row = insertPledge(s.db, {
      id: newUntimedId('pledge'),
      campaignId: campaign.id,
      sponsorName: input.sponsor.name,
      sponsorEmail: input.sponsor.email ?? null,
      sponsorUserId: actor.role === 'sponsor' ? actor.userId : null,
      anonymous: input.anonymous,
      publicMessage: input.message ?? null,
      ratioSponsor: ratio.sponsor,
      ratioDonor: ratio.donor,
      cap,
      capUnits,
      startsAt,
      endsAt: input.endsAt ?? null,
      stoppedAt: null,
      minGift: inCurrency(input.minGift, c, 'minGift'),
      maxPerGift: inCurrency(input.maxPerGift, c, 'maxPerGift'),
      maxPerDonor: inCurrency(input.maxPerDonor, c, 'maxPerDonor'),
      sources: input.sources && input.sources.length > 0 ? JSON.stringify([...new Set(input.sources)].sort()) : null,
      priority: input.priority ?? 100,
      stacking: input.stacking ?? false,
      unlockKind: input.unlock?.kind ?? null,
      unlockThreshold,
      status,
      allocated: 0,
      createdBy: actor.userId,
      createdAt: now,
    });
    // A window that starts in the past matches gifts already given.
    if (status === 'active') replayCampaign(s, campaign.id);
    const after = findPledge(s.db, row.id) ?? row;
    audit(s, actor, status === 'active' ? 'pledge.create' : 'pledge.propose', { type: 'match_pledge', id: row.id }, null, after);
    andThen?.(after, campaign);
    return after;
  });
}

export type PledgeDecision = 'approve' | 'decline' | 'pause' | 'resume' | 'close';

const decisions: Record<PledgeDecision, { from: readonly PledgeStatus[]; done: string }> = {
  approve: { from: ['proposed'], done: 'approved' },
  decline: { from: ['proposed'], done: 'declined' },
  pause: { from: ['active'], done: 'paused' },
  resume: { from: ['paused'], done: 'resumed' },
  close: { from: ['active', 'paused'], done: 'closed' },
};

function patchFor(decision: PledgeDecision, before: PledgeRow, now: number): Partial<PledgeRow> {
  switch (decision) {
    case 'approve':
      return { status: 'active', startsAt: Math.max(before.startsAt ?? now, now) };
    case 'decline':
      return { status: 'declined' };
    // Keeps what it matched before now and matches nothing new.
    case 'pause':
      return { status: 'paused', stoppedAt: now };
    // The replay then treats the pledge as never paused, so gifts given
    // during the pause are matched too (the console says so on the button).
    case 'resume':
      return { status: 'active', stoppedAt: null };
    // A paused pledge closes as of its pause: gifts given since stay unmatched.
    case 'close':
      return { status: 'closed', stoppedAt: before.stoppedAt ?? now };
  }
}

/** Where news of a decision goes: the sponsor's account, else the address given with the pledge. */
function sponsorAddress(s: Services, p: PledgeRow): string | null {
  const user = p.sponsorUserId ? findUserById(s.db, p.sponsorUserId) : undefined;
  return user?.email ?? p.sponsorEmail;
}

export async function decidePledge(s: Services, actor: Actor, pledgeId: string, decision: PledgeDecision): Promise<PledgeRow> {
  const now = s.now();
  const { after, mailed } = await s.db.write(() => {
    const before = findPledge(s.db, pledgeId);
    if (!before) throw new DomainError('not_found', 'There is no such pledge.');
    if (!decisions[decision].from.includes(before.status)) {
      const article = /^[aeiou]/.test(before.status) ? 'An' : 'A';
      throw new DomainError('invalid_state', `${article} ${before.status} pledge cannot be ${decisions[decision].done}.`);
    }
    updatePledge(s.db, pledgeId, patchFor(decision, before, now));
    replayCampaign(s, before.campaignId);
    const after = findPledge(s.db, pledgeId);
    if (!after) throw new Error('pledge vanished');
    audit(s, actor, `pledge.${decision}`, { type: 'match_pledge', id: pledgeId }, before, after);
    const to = decision === 'approve' || decision === 'decline' ? sponsorAddress(s, after) : null;
    if (to) {
      const campaign = findCampaignById(s.db, after.campaignId);
      if (!campaign) throw new Error('pledge without campaign');
      const approved = decision === 'approve';
      queueMail(s, {
        to,
        kind: 'pledge_decision',
        template: 'pledge-decided',
        subject: approved ? `Your match pledge for ${campaign.title} is approved` : `Your match pledge for ${campaign.title} was declined`,
        data: {
          name: after.sponsorName,
          approved,
          title: campaign.title,
          ratio: formatRatio({ sponsor: after.ratioSponsor, donor: after.ratioDonor }),
          cap: formatMoney(money(after.cap, campaign.currency)),
          anonymous: after.anonymous,
          link: after.sponsorUserId ? `${s.config.baseUrl}/sponsor` : `${s.config.baseUrl}/campaigns/${campaign.slug}`,
          portal: after.sponsorUserId !== null,
        },
      });
    }
    return { after, mailed: to !== null };
  });
  if (mailed) s.mailer.kick();
  return after;
}

export interface StaffPledge {
  row: PledgeRow;
  /** Status, matched and remaining as the campaign page computes them. */
  view: PublicPledge;
  /** The sponsor's address (their account's or the one given); for admins only. */
  sponsorEmail: string | null;
}

/** Every pledge of a campaign, proposals and declined ones included, in application order. */
export function pledgesForStaff(s: Services, slug: string): StaffPledge[] {
  const campaign = getCampaign(s, slug);
  return pledgesOfCampaign(s.db, campaign.id).map((row) => ({ row, view: describePledge(s, row), sponsorEmail: sponsorAddress(s, row) }));
}

/** The slug of the campaign a pledge belongs to (for links back to it). */
export function pledgeCampaignSlug(s: Services, pledgeId: string): string {
  const pledge = findPledge(s.db, pledgeId);
  const campaign = pledge ? findCampaignById(s.db, pledge.campaignId) : undefined;
  if (!campaign) throw new DomainError('not_found', 'There is no such pledge.');
  return campaign.slug;
}

export interface StatementLine {
  giftId: string;
  donor: string;
  gift: Money;
  giftValue: Money;
  matched: Money;
  at: number | null;
}

export interface PledgeStatement {
  pledge: PledgeRow;
  /** The pledge as the public sees it: status, cap, matched so far, remaining, would-add. */
  view: PublicPledge;
  campaign: { slug: string; title: string; currency: string };
  /** What the sponsor owes now: everything matched (at close, this is the final figure). */
  owed: Money;
  lines: StatementLine[];
}

/**
 * A sponsor's statement: donors' e-mails never appear, anonymous donors stay
 * "Anonymous", and so does a donor who hid the amount: the statement must
 * show every amount (the sponsor checks the sums), so the name goes instead.
 */
export function pledgeStatement(s: Services, pledgeId: string): PledgeStatement {
  const pledge = findPledge(s.db, pledgeId);
  if (!pledge) throw new DomainError('not_found', 'There is no such pledge.');
  const campaign = findCampaignById(s.db, pledge.campaignId);
  if (!campaign) throw new Error('pledge without campaign');
  const c = campaign.currency;
  return {
    pledge,
    view: describePledge(s, pledge),
    campaign: { slug: campaign.slug, title: campaign.title, currency: c },
    owed: money(pledge.allocated, c),
    lines: giftsMatchedByPledge(s.db, pledgeId).map((g) => ({
      giftId: g.giftId,
      donor: g.anonymous || !g.showAmount ? ANONYMOUS_DONOR : g.donorName,
      gift: money(g.giftAmount, g.giftCurrency),
      giftValue: money(g.campaignAmount ?? 0, c),
      matched: money(g.amount, c),
      at: g.succeededAt,
    })).concat(
      // Raffle sales a pledge chose to match: by the sale, never by buyer.
      rafflesMatchedByPledge(s.db, pledgeId).map((r) => ({
        giftId: r.entryId,
        donor: 'Raffle tickets',
        gift: money(r.entryAmount, r.entryCurrency),
        giftValue: money(r.campaignAmount ?? 0, c),
        matched: money(r.amount, c),
        at: r.paidAt,
      })),
    ),
  };
}
