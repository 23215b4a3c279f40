// Campaigns: create, edit, list, and the progress every public page and the
// API show. Progress reads only the cached totals and pledge rows, never sums
// the ledger, so a read costs the same with 100 or 100,000 gifts.
import { DomainError, ValidationError } from '../domain/errors.ts';
import { money, type Money } from '../domain/money.ts';
import { formatRatio, summarise } from '../domain/matching.ts';
import {
  assignOrganizer,
  findCampaignById,
  findCampaignBySlug,
  insertCampaign,
  listCampaigns,
  readTotals,
  updateCampaign,
  type CampaignRow,
  type CampaignStatus,
} from '../db/campaigns.ts';
import { recentSupporters } from '../db/gifts.ts';
import { newId } from '../db/ids.ts';
import { pledgesOfCampaign, type PledgeRow } from '../db/pledges.ts';
import { audit } from './audit.ts';
import type { Actor, Services } from './context.ts';
import { matchableOfCampaign, toPledgeTerms } from './matching.ts';

export const slugPattern = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

export interface CampaignInput {
  slug: string;
  title: string;
  story?: string;
  currency: string;
  goal: Money;
  impact?: { unit: string; unitCost: Money } | null;
  startsAt?: number | null;
  endsAt?: number | null;
  status: CampaignStatus;
}

export type CampaignPatch = Partial<Omit<CampaignInput, 'slug' | 'currency'>>;

function checkRules(c: { currency: string; goal: Money; impact?: CampaignInput['impact']; startsAt?: number | null; endsAt?: number | null }): void {
  if (c.goal.currency !== c.currency) throw ValidationError.field('goal.currency', `The goal must be in ${c.currency}`);
  if (c.goal.amount <= 0) throw ValidationError.field('goal.amount', 'The goal must be more than zero');
  if (c.impact) {
    if (c.impact.unitCost.currency !== c.currency) {
      throw ValidationError.field('impact.unitCost.currency', `The unit cost must be in ${c.currency}`);
    }
    if (c.impact.unitCost.amount <= 0) throw ValidationError.field('impact.unitCost.amount', 'The unit cost must be more than zero');
  }
  if (c.startsAt != null && c.endsAt != null && c.endsAt <= c.startsAt) {
    throw ValidationError.field('endsAt', 'The end must be after the start');
  }
}

export async function createCampaign(s: Services, actor: Actor, input: CampaignInput): Promise<CampaignRow> {
  if (!slugPattern.test(input.slug)) {
    throw ValidationError.field('slug', 'Use lower-case letters, digits and single hyphens, e.g. rescue-fund');
  }
  checkRules(input);
  const now = s.now();
  const row: CampaignRow = {
    id: newId('cmp'),
    slug: input.slug,
    title: input.title,
    story: input.story ?? '',
    currency: input.currency,
    goal: input.goal.amount,
    impactUnit: input.impact?.unit ?? null,
    impactUnitCost: input.impact?.unitCost.amount ?? null,
    startsAt: input.startsAt ?? null,
    endsAt: input.endsAt ?? null,
    status: input.status,
    createdAt: now,
    updatedAt: now,
  };
  await s.db.write(() => {
    if (findCampaignBySlug(s.db, input.slug)) {
      throw new DomainError('conflict', `A campaign with the slug "${input.slug}" already exists.`, [
        { field: 'slug', message: 'This slug is taken' },
      ]);
    }
    insertCampaign(s.db, row);
    // An organizer runs the campaigns they create.
    if (actor.role === 'organizer' && actor.userId) assignOrganizer(s.db, row.id, actor.userId, now);
    audit(s, actor, 'campaign.create', { type: 'campaign', id: row.id }, null, row);
  });
  return row;
}

export async function patchCampaign(s: Services, actor: Actor, slug: string, patch: CampaignPatch): Promise<CampaignRow> {
  return s.db.write(() => {
    const before = getCampaign(s, slug);
    const merged = {
      currency: before.currency,
      goal: patch.goal ?? money(before.goal, before.currency),
      impact:
        patch.impact === undefined
          ? before.impactUnit !== null && before.impactUnitCost !== null
            ? { unit: before.impactUnit, unitCost: money(before.impactUnitCost, before.currency) }
            : null
          : patch.impact,
      startsAt: patch.startsAt === undefined ? before.startsAt : patch.startsAt,
      endsAt: patch.endsAt === undefined ? before.endsAt : patch.endsAt,
    };
    checkRules(merged);
    const changes: Partial<CampaignRow> = {
      ...(patch.title !== undefined && { title: patch.title }),
      ...(patch.story !== undefined && { story: patch.story }),
      ...(patch.status !== undefined && { status: patch.status }),
      goal: merged.goal.amount,
      impactUnit: merged.impact?.unit ?? null,
      impactUnitCost: merged.impact?.unitCost.amount ?? null,
      startsAt: merged.startsAt,
      endsAt: merged.endsAt,
      updatedAt: s.now(),
    };
    updateCampaign(s.db, before.id, changes);
    const after = getCampaign(s, slug);
    audit(s, actor, 'campaign.update', { type: 'campaign', id: before.id }, before, after);
    return after;
  });
}

export function getCampaign(s: Services, slug: string): CampaignRow {
  const c = findCampaignBySlug(s.db, slug);
  if (!c) throw new DomainError('not_found', `There is no campaign "${slug}".`);
  return c;
}

/** A campaign the public may see: published or closed, never a draft. */
export function getPublicCampaign(s: Services, slug: string): CampaignRow {
  const c = findCampaignBySlug(s.db, slug);
  if (!c || c.status === 'draft') throw new DomainError('not_found', `There is no campaign "${slug}".`);
  return c;
}

export function listPublicCampaigns(s: Services): CampaignRow[] {
  return listCampaigns(s.db, ['published']);
}

export type PublicPledgeStatus =
  | 'proposed'
  | 'declined'
  | 'active'
  | 'scheduled'
  | 'locked'
  | 'exhausted'
  | 'expired'
  | 'closed'
  | 'paused';

export interface PublicPledge {
  id: string;
  /** The sponsor's name, or "Anonymous": a hidden name never leaves the service. */
  sponsor: string;
  anonymous: boolean;
  message: string | null;
  ratio: string;
  cap: Money;
  allocated: Money;
  remaining: Money;
  status: PublicPledgeStatus;
  unlock: { kind: 'raised' | 'donors'; threshold: number } | null;
  /** For a locked challenge: what it would match were it unlocked now. */
  wouldAdd: Money | null;
}

export interface Supporter {
  name: string;
  amount: Money | null;
  comment: string | null;
  at: number | null;
}

export interface CampaignProgress {
  campaign: CampaignRow;
  goal: Money;
  /** Everything raised: gifts, ticket revenue and raffle proceeds, net of refunds. */
  raised: Money;
  breakdown: { gifts: Money; tickets: Money; raffles: Money };
  matched: Money;
  total: Money;
  donorCount: number;
  giftCount: number;
  impact: { unit: string; unitCost: Money; unitsFunded: number; unitsGoal: number } | null;
  matches: PublicPledge[];
  /** The next moment the clock alone changes this progress (a window opens or ends); Infinity if none. */
  changesAt: number;
}

function pledgeStatus(p: PledgeRow, raised: number, donors: number, now: number): PublicPledgeStatus {
  if (p.status !== 'active') return p.status;
  if (p.allocated >= p.cap) return 'exhausted';
  if (p.endsAt !== null && now >= p.endsAt) return 'expired';
  if (p.startsAt !== null && now < p.startsAt) return 'scheduled';
  if (p.unlockKind !== null && p.unlockThreshold !== null) {
    const reached = p.unlockKind === 'raised' ? raised >= p.unlockThreshold : donors >= p.unlockThreshold;
    if (!reached) return 'locked';
  }
  return 'active';
}

function publicPledge(p: PledgeRow, currency: string, status: PublicPledgeStatus, wouldAdd: number | null): PublicPledge {
  return {
    id: p.id,
    sponsor: p.anonymous ? 'Anonymous' : p.sponsorName,
    anonymous: p.anonymous,
    message: p.publicMessage,
    ratio: formatRatio({ sponsor: p.ratioSponsor, donor: p.ratioDonor }),
    cap: money(p.cap, currency),
    allocated: money(p.allocated, currency),
    remaining: money(p.cap - p.allocated, currency),
    status,
    unlock: p.unlockKind !== null && p.unlockThreshold !== null ? { kind: p.unlockKind, threshold: p.unlockThreshold } : null,
    wouldAdd: wouldAdd === null ? null : money(wouldAdd, currency),
  };
}

/**
 * What each locked challenge would match were it unlocked now. It takes a
 * replay of the campaign's gifts, paid only while a challenge is locked (the
 * write path replays such campaigns too) and cached with the page.
 */
function wouldAddOfLocked(s: Services, campaignId: string, all: readonly PledgeRow[]): Map<string, number> {
  const { pledges } = summarise(matchableOfCampaign(s, campaignId).items, all.map(toPledgeTerms));
  return new Map(pledges.filter((p) => !p.unlocked).map((p) => [p.id, p.wouldAdd]));
}

/** One pledge as the campaign page shows it (an admin's answers and statements use it too). */
export function describePledge(s: Services, pledge: PledgeRow): PublicPledge {
  const campaign = findCampaignById(s.db, pledge.campaignId);
  if (!campaign) throw new Error(`pledge ${pledge.id} has no campaign`);
  const t = readTotals(s.db, campaign.id);
  const status = pledgeStatus(pledge, t.raised, t.donorCount, s.now());
  const wouldAdd =
    status === 'locked' ? (wouldAddOfLocked(s, campaign.id, pledgesOfCampaign(s.db, campaign.id)).get(pledge.id) ?? 0) : null;
  return publicPledge(pledge, campaign.currency, status, wouldAdd);
}

export function campaignProgress(s: Services, campaign: CampaignRow): CampaignProgress {
  const t = readTotals(s.db, campaign.id);
  const c = campaign.currency;
  const now = s.now();
  // Raised counts every kind of money in; matching and challenges look at gifts only.
  const raised = t.raised + t.tickets + t.raffles;
  const total = raised + t.matched;
  const all = pledgesOfCampaign(s.db, campaign.id);
  const shown = all.filter((p) => p.status !== 'proposed' && p.status !== 'declined');
  const statuses = shown.map((p) => pledgeStatus(p, t.raised, t.donorCount, now));
  const wouldAdd = statuses.includes('locked') ? wouldAddOfLocked(s, campaign.id, all) : new Map<string, number>();
  const matches = shown.map((p, i) => {
    const status = statuses[i] ?? 'active';
    return publicPledge(p, c, status, status === 'locked' ? (wouldAdd.get(p.id) ?? 0) : null);
  });
  const boundaries = [campaign.startsAt, campaign.endsAt, ...shown.flatMap((p) => [p.startsAt, p.endsAt])];
  const changesAt = Math.min(...boundaries.filter((b): b is number => b !== null && b > now));
  return {
    campaign,
    goal: money(campaign.goal, c),
    raised: money(raised, c),
    breakdown: { gifts: money(t.raised, c), tickets: money(t.tickets, c), raffles: money(t.raffles, c) },
    matched: money(t.matched, c),
    total: money(total, c),
    donorCount: t.donorCount,
    giftCount: t.giftCount,
    impact:
      campaign.impactUnit !== null && campaign.impactUnitCost !== null
        ? {
            unit: campaign.impactUnit,
            unitCost: money(campaign.impactUnitCost, c),
            unitsFunded: Math.floor(total / campaign.impactUnitCost),
            unitsGoal: Math.floor(campaign.goal / campaign.impactUnitCost),
          }
        : null,
    matches,
    changesAt,
  };
}

/** Recent supporters as the public may see them: anonymity and hidden amounts respected here. */
export function publicSupporters(s: Services, campaign: CampaignRow, limit: number): Supporter[] {
  return recentSupporters(s.db, campaign.id, limit).map((r) => ({
    name: r.anonymous ? 'Anonymous' : r.donorName,
    amount: r.showAmount ? money(r.amount, r.currency) : null,
    comment: r.comment,
    at: r.succeededAt,
  }));
}
