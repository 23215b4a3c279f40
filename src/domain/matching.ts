// Match pledges: how much of each gift a sponsor's pledge matches.
// Allocation is a pure, deterministic function of the succeeded gifts (in the
// order they succeeded) and the pledges, so after a refund or a pledge change
// the service replays from scratch, and an incremental run over appended gifts
// gives exactly what that replay would. Amounts are integer minor units of the
// campaign currency; ratio products go through BigInt so they are exact.

import { DomainError, ValidationError } from './errors.ts';

/** Written sponsor:donor — 2:1 adds 2 for every 1 given, 1:2 adds half. */
export interface MatchRatio {
  readonly sponsor: number;
  readonly donor: number;
}

const RATIO_PATTERN = /^\s*(\d+)\s*:\s*(\d+)\s*$/;
const MAX_RATIO_PART = 1000;

export function parseRatio(input: string, field = 'ratio'): MatchRatio {
  const parts = RATIO_PATTERN.exec(input);
  const sponsor = Number(parts?.[1]);
  const donor = Number(parts?.[2]);
  if (!isRatioPart(sponsor) || !isRatioPart(donor)) {
    throw ValidationError.field(field, 'Write the ratio as sponsor:donor, e.g. 1:1 or 2:1');
  }
  return { sponsor, donor };
}

export function formatRatio(r: MatchRatio): string {
  return `${r.sponsor}:${r.donor}`;
}

function isRatioPart(n: number): boolean {
  return Number.isInteger(n) && n >= 1 && n <= MAX_RATIO_PART;
}

export interface PledgeTerms {
  readonly id: string;
  /** Creation order; unique. Breaks ties between equal priorities. */
  readonly seq: number;
  /** Lower applies first. */
  readonly priority: number;
  readonly ratio: MatchRatio;
  /** Minor units, > 0. A cap in impact units is converted by the caller. */
  readonly cap: number;
  /** Epoch ms, inclusive. */
  readonly startsAt?: number;
  /** Epoch ms, exclusive. */
  readonly endsAt?: number;
  /**
   * Epoch ms, exclusive: when the pledge was paused or closed. Gifts before it
   * keep their match on replay; gifts from it on get none.
   */
  readonly stoppedAt?: number;
  /** Compared with the gift's full value. */
  readonly minGift?: number;
  readonly maxPerGift?: number;
  readonly maxPerDonor?: number;
  /** Gift sources that count; all when absent. */
  readonly sources?: readonly string[];
  /** Matches the gift's full value whatever others covered, and covers nothing for them. */
  readonly stacking: boolean;
  /** 'inactive' is a pledge never approved (proposed, declined): it matches nothing. */
  readonly state: 'live' | 'inactive';
  /** A challenge: matches only once the campaign reaches the threshold. */
  readonly unlock?: { readonly kind: 'raised' | 'donors'; readonly threshold: number };
}

/**
 * Raffle proceeds take part in matching under this source. They are not
 * gifts: only a pledge whose sources name it matches them, and they never
 * count toward a challenge's threshold.
 */
export const raffleSource = 'raffle';

export interface GiftForMatching {
  readonly id: string;
  /** Order in which gifts succeeded — the replay order; unique. */
  readonly seq: number;
  /** Epoch ms the gift counts at, for windows. */
  readonly at: number;
  /** Net of refunds, in campaign minor units; 0 when fully refunded. */
  readonly value: number;
  /** Lower-cased e-mail, or a per-gift key when there is no address. */
  readonly donorKey: string;
  readonly source: string;
}

/** Only positive amounts are allocations; a pledge that adds nothing leaves no row. */
export interface Allocation {
  readonly giftId: string;
  readonly pledgeId: string;
  readonly amount: number;
}

export interface PledgeState {
  readonly allocated: number;
  readonly perDonor: ReadonlyMap<string, number>;
}

/** Pledges that have matched nothing yet have no entry. */
export interface MatchingState {
  readonly pledges: ReadonlyMap<string, PledgeState>;
}

interface MutablePledgeState {
  allocated: number;
  perDonor: Map<string, number>;
}

export function emptyState(): MatchingState {
  return { pledges: new Map() };
}

/** Ids of the pledges that may match now: live, and their challenge (if any) met. */
export function unlockedPledges(
  pledges: readonly PledgeTerms[],
  gifts: readonly GiftForMatching[],
): Set<string> {
  gifts.forEach(assertGift);
  const ids = new Set<string>();
  for (const p of applicationOrder(pledges)) {
    if (p.state === 'live' && (p.unlock === undefined || challengeMet(p, p.unlock, gifts))) {
      ids.add(p.id);
    }
  }
  return ids;
}

// The campaign has to reach the threshold while the pledge could still match;
// a paused pledge counts only up to its pause, or gifts after the pause could
// unlock it and have it match older gifts anew.
function challengeMet(
  p: PledgeTerms,
  unlock: NonNullable<PledgeTerms['unlock']>,
  gifts: readonly GiftForMatching[],
): boolean {
  const until = matchesUntil(p);
  const counted = gifts.filter((g) => g.at < until && g.source !== raffleSource);
  if (unlock.kind === 'raised') {
    const raised = counted.reduce((sum, g) => sum + BigInt(g.value), 0n);
    return raised >= BigInt(unlock.threshold);
  }
  const donors = new Set(counted.filter((g) => g.value > 0).map((g) => g.donorKey));
  return donors.size >= unlock.threshold;
}

/**
 * The incremental path: match one newly succeeded gift, ordered after every
 * gift already in `state`, with `unlocked` computed including it. Only valid
 * while the unlocked set is unchanged (see `needsReplay`).
 */
export function matchGift(
  state: MatchingState,
  gift: GiftForMatching,
  pledges: readonly PledgeTerms[],
  unlocked: ReadonlySet<string>,
): { allocations: Allocation[]; state: MatchingState } {
  assertGift(gift);
  const allocations = allocateGift(gift, applicationOrder(pledges), unlocked, (id) =>
    state.pledges.get(id),
  );
  if (allocations.length === 0) return { allocations, state };
  const next = new Map(state.pledges);
  for (const a of allocations) {
    const entry = copyOf(state.pledges.get(a.pledgeId));
    record(entry, gift.donorKey, a.amount);
    next.set(a.pledgeId, entry);
  }
  return { allocations, state: { pledges: next } };
}

export interface Replay {
  allocations: Allocation[];
  state: MatchingState;
  unlocked: Set<string>;
}

export function replay(gifts: readonly GiftForMatching[], pledges: readonly PledgeTerms[]): Replay {
  const ordered = replayOrder(gifts);
  const unlocked = unlockedPledges(pledges, ordered);
  return { ...run(ordered, applicationOrder(pledges), unlocked), unlocked };
}

export interface PledgeSummary {
  id: string;
  allocated: number;
  remaining: number;
  giftsMatched: number;
  unlocked: boolean;
  /** What a locked challenge would allocate were it unlocked now; 0 otherwise. */
  wouldAdd: number;
  exhausted: boolean;
}

/** Replays, then describes each pledge, in the order pledges apply. */
export function summarise(
  gifts: readonly GiftForMatching[],
  pledges: readonly PledgeTerms[],
): { replay: Replay; pledges: PledgeSummary[] } {
  const ordered = replayOrder(gifts);
  const order = applicationOrder(pledges);
  const result = replay(ordered, order);
  const giftsMatched = new Map<string, number>();
  for (const a of result.allocations) {
    giftsMatched.set(a.pledgeId, (giftsMatched.get(a.pledgeId) ?? 0) + 1);
  }
  const summaries = order.map((p): PledgeSummary => {
    const allocated = result.state.pledges.get(p.id)?.allocated ?? 0;
    const unlocked = result.unlocked.has(p.id);
    // A live pledge that is not unlocked is a challenge still short of its threshold.
    const lockedChallenge = p.state === 'live' && !unlocked;
    const wouldAdd = lockedChallenge
      ? (run(ordered, order, new Set([...result.unlocked, p.id])).state.pledges.get(p.id)
          ?.allocated ?? 0)
      : 0;
    return {
      id: p.id,
      allocated,
      remaining: p.cap - allocated,
      giftsMatched: giftsMatched.get(p.id) ?? 0,
      unlocked,
      wouldAdd,
      exhausted: allocated === p.cap,
    };
  });
  return { replay: result, pledges: summaries };
}

export function matchForGift(allocations: readonly Allocation[], giftId: string): number {
  return allocations.reduce((sum, a) => (a.giftId === giftId ? sum + a.amount : sum), 0);
}

/** A changed unlocked set can move earlier matches, which only a replay recomputes. */
export function needsReplay(before: ReadonlySet<string>, after: ReadonlySet<string>): boolean {
  return before.size !== after.size || [...before].some((id) => !after.has(id));
}

function run(
  gifts: readonly GiftForMatching[],
  order: readonly PledgeTerms[],
  unlocked: ReadonlySet<string>,
): { allocations: Allocation[]; state: MatchingState } {
  // Replay owns its state until it returns, so it updates in place rather
  // than copying per gift as matchGift must.
  const states = new Map<string, MutablePledgeState>();
  const allocations: Allocation[] = [];
  for (const gift of gifts) {
    for (const a of allocateGift(gift, order, unlocked, (id) => states.get(id))) {
      let entry = states.get(a.pledgeId);
      if (entry === undefined) {
        entry = copyOf(undefined);
        states.set(a.pledgeId, entry);
      }
      record(entry, gift.donorKey, a.amount);
      allocations.push(a);
    }
  }
  return { allocations, state: { pledges: states } };
}

// Each pledge allocates at most once per gift, so every pledge reads the state
// as it was before this gift and the allocations can be applied afterwards.
function allocateGift(
  gift: GiftForMatching,
  order: readonly PledgeTerms[],
  unlocked: ReadonlySet<string>,
  stateOf: (pledgeId: string) => PledgeState | undefined,
): Allocation[] {
  const allocations: Allocation[] = [];
  const full = BigInt(gift.value);
  let uncovered = full;
  for (const p of order) {
    if (!eligible(p, gift, unlocked)) continue;
    const sponsor = BigInt(p.ratio.sponsor);
    const donor = BigInt(p.ratio.donor);
    const base = p.stacking ? full : uncovered;
    const raw = (base * sponsor) / donor;
    const match = min(raw, allowance(p, gift.donorKey, stateOf(p.id)));
    if (!p.stacking) {
      // Capped short of the raw match, the pledge covers only the donor amount
      // its match pays for, and a later pledge picks up the rest. That amount
      // never exceeds `uncovered`, as match < raw <= uncovered * sponsor / donor.
      uncovered -= match === raw ? uncovered : ceilDiv(match * donor, sponsor);
    }
    if (match > 0n) allocations.push({ giftId: gift.id, pledgeId: p.id, amount: Number(match) });
  }
  return allocations;
}

function eligible(p: PledgeTerms, g: GiftForMatching, unlocked: ReadonlySet<string>): boolean {
  return (
    p.state === 'live' &&
    unlocked.has(p.id) &&
    (p.startsAt === undefined || g.at >= p.startsAt) &&
    g.at < matchesUntil(p) &&
    (p.minGift === undefined || g.value >= p.minGift) &&
    (p.sources === undefined ? g.source !== raffleSource : p.sources.includes(g.source))
  );
}

function matchesUntil(p: PledgeTerms): number {
  return Math.min(p.endsAt ?? Infinity, p.stoppedAt ?? Infinity);
}

/** The most this pledge may still add for this gift, from its cap and its limits. */
function allowance(p: PledgeTerms, donorKey: string, state: PledgeState | undefined): bigint {
  let most = BigInt(p.cap - (state?.allocated ?? 0));
  if (p.maxPerGift !== undefined) most = min(most, BigInt(p.maxPerGift));
  if (p.maxPerDonor !== undefined) {
    most = min(most, BigInt(p.maxPerDonor - (state?.perDonor.get(donorKey) ?? 0)));
  }
  if (most < 0n) {
    // Only a state built under other terms (a lowered cap or limit) gets here;
    // the caller must replay after a pledge change.
    throw new DomainError('invalid_state', `Match pledge ${p.id} has matched beyond its terms`);
  }
  return most;
}

function copyOf(state: PledgeState | undefined): MutablePledgeState {
  return { allocated: state?.allocated ?? 0, perDonor: new Map(state?.perDonor) };
}

function record(entry: MutablePledgeState, donorKey: string, amount: number): void {
  entry.allocated += amount;
  entry.perDonor.set(donorKey, (entry.perDonor.get(donorKey) ?? 0) + amount);
}

/** Priority, then creation order; validates the terms on the way. */
function applicationOrder(pledges: readonly PledgeTerms[]): PledgeTerms[] {
  pledges.forEach(assertTerms);
  const order = [...pledges].sort((a, b) => a.priority - b.priority || a.seq - b.seq);
  assertUnique(order, 'match pledge');
  return order;
}

/** Sorted by seq, so the result does not depend on the order the caller lists gifts in. */
function replayOrder(gifts: readonly GiftForMatching[]): GiftForMatching[] {
  gifts.forEach(assertGift);
  const ordered = [...gifts].sort((a, b) => a.seq - b.seq);
  assertUnique(ordered, 'gift');
  return ordered;
}

function assertUnique(items: readonly { id: string; seq: number }[], noun: string): void {
  const ids = new Set(items.map((i) => i.id));
  const seqs = new Set(items.map((i) => i.seq));
  if (ids.size !== items.length || seqs.size !== items.length) {
    throw new DomainError('invalid_state', `Each ${noun} needs a unique id and seq`);
  }
}

function assertTerms(p: PledgeTerms): void {
  const valid =
    isPositiveInteger(p.ratio.sponsor) &&
    isPositiveInteger(p.ratio.donor) &&
    isPositiveInteger(p.cap) &&
    Number.isSafeInteger(p.seq) &&
    Number.isFinite(p.priority) &&
    (p.minGift === undefined || isNonNegativeInteger(p.minGift)) &&
    (p.maxPerGift === undefined || isPositiveInteger(p.maxPerGift)) &&
    (p.maxPerDonor === undefined || isPositiveInteger(p.maxPerDonor)) &&
    (p.unlock === undefined || isPositiveInteger(p.unlock.threshold));
  if (!valid) throw new DomainError('invalid_state', `Match pledge ${p.id} has invalid terms`);
}

function assertGift(g: GiftForMatching): void {
  if (!isNonNegativeInteger(g.value) || !Number.isSafeInteger(g.seq) || !Number.isFinite(g.at)) {
    throw new DomainError('invalid_state', `Gift ${g.id} cannot be matched as given`);
  }
}

function isPositiveInteger(n: number): boolean {
  return Number.isSafeInteger(n) && n > 0;
}

function isNonNegativeInteger(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 0;
}

function min(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

function ceilDiv(a: bigint, b: bigint): bigint {
  return (a + b - 1n) / b;
}
