// Applies the pure matching rules (domain/matching.ts) to a campaign's stored
// gifts and pledges. Two paths, one truth: the incremental path for a gift that
// just succeeded, and a full replay after a refund or a pledge change. Both
// write every change of an allocation to the ledger, so what a sponsor owed at
// any moment can be reconstructed.
import type { GiftForMatching, MatchingState, PledgeState, PledgeTerms } from '../domain/matching.ts';
import { matchGift, needsReplay, raffleSource, replay, unlockedPledges } from '../domain/matching.ts';
import { addToTotals, type TotalsDelta } from '../db/campaigns.ts';
import { succeededGiftsInOrder, type GiftRow } from '../db/gifts.ts';
import { appendLedger } from '../db/ledger.ts';
import {
  allocationsOfCampaign,
  allocationsOfGift,
  deleteAllocation,
  insertAllocation,
  matchedForDonor,
  pledgesOfCampaign,
  setAllocation,
  setPledgeAllocated,
  type PledgeRow,
} from '../db/pledges.ts';
import { deleteRaffleAllocation, matchableEntriesOfCampaign, raffleAllocationsOfCampaign, setRaffleAllocation, type EntryRow } from '../db/raffles.ts';
import type { Services } from './context.ts';

export function toPledgeTerms(p: PledgeRow): PledgeTerms {
  return {
    id: p.id,
    seq: p.seq,
    priority: p.priority,
    ratio: { sponsor: p.ratioSponsor, donor: p.ratioDonor },
    cap: p.cap,
    ...(p.startsAt !== null && { startsAt: p.startsAt }),
    ...(p.endsAt !== null && { endsAt: p.endsAt }),
    ...(p.stoppedAt !== null && { stoppedAt: p.stoppedAt }),
    ...(p.minGift !== null && { minGift: p.minGift }),
    ...(p.maxPerGift !== null && { maxPerGift: p.maxPerGift }),
    ...(p.maxPerDonor !== null && { maxPerDonor: p.maxPerDonor }),
    ...(p.sources !== null && { sources: JSON.parse(p.sources) as string[] }),
    stacking: p.stacking,
    // Closed and paused pledges keep what they matched before stoppedAt;
    // pledges never approved match nothing.
    state: p.status === 'proposed' || p.status === 'declined' ? 'inactive' : 'live',
    ...(p.unlockKind !== null && p.unlockThreshold !== null && {
      unlock: { kind: p.unlockKind, threshold: p.unlockThreshold },
    }),
  };
}

/** A paid raffle entry as the matching rules see it: under the raffle source, which only pledges naming it match. */
export function toRaffleForMatching(e: EntryRow): GiftForMatching {
  if (e.matchSeq === null) throw new Error(`raffle entry ${e.id} has no place in the matching order`);
  return {
    id: e.id,
    seq: e.matchSeq,
    at: e.paidAt ?? e.createdAt,
    value: e.status === 'paid' ? (e.campaignAmount ?? 0) : 0,
    donorKey: e.holderKey,
    source: raffleSource,
  };
}

/** Everything matching runs over, in the replay order: succeeded gifts and paid raffle entries. */
export function matchableOfCampaign(s: Services, campaignId: string): { items: GiftForMatching[]; raffleIds: Set<string> } {
  const gifts = succeededGiftsInOrder(s.db, campaignId).map(toGiftForMatching);
  const entries = matchableEntriesOfCampaign(s.db, campaignId).map(toRaffleForMatching);
  const items = entries.length === 0 ? gifts : [...gifts, ...entries].sort((a, b) => a.seq - b.seq);
  return { items, raffleIds: new Set(entries.map((e) => e.id)) };
}

/** Whether any pledge of the campaign matches raffle proceeds, or once did. */
export function matchesRaffles(s: Services, campaignId: string): boolean {
  return (
    pledgesOfCampaign(s.db, campaignId).some((p) => p.sources !== null && (JSON.parse(p.sources) as string[]).includes(raffleSource)) ||
    raffleAllocationsOfCampaign(s.db, campaignId).length > 0
  );
}

export function toGiftForMatching(g: GiftRow): GiftForMatching {
  if (g.successSeq === null || g.campaignAmount === null) {
    throw new Error(`gift ${g.id} has not succeeded`);
  }
  return {
    id: g.id,
    seq: g.successSeq,
    at: g.receivedAt ?? g.succeededAt ?? g.createdAt,
    value: g.campaignAmount - g.refundedCampaignAmount,
    donorKey: g.donorKey,
    source: g.source,
  };
}

/**
 * Matches one gift that has just succeeded (it is the newest in the replay
 * order). Falls back to a replay when the gift unlocks a challenge pledge.
 * Returns what the gift was matched in total. The incremental path adds its
 * total to `totals` for the caller to write once with the gift's own; a replay
 * writes the totals itself.
 */
export function matchNewGift(s: Services, campaignId: string, gift: GiftRow, totals: TotalsDelta): number {
  const rows = pledgesOfCampaign(s.db, campaignId);
  if (rows.length === 0) return 0;
  const terms = rows.map(toPledgeTerms);
  const newGift = toGiftForMatching(gift);

  let unlocked: Set<string>;
  if (terms.some((t) => t.unlock)) {
    // Challenge pledges depend on the whole campaign's progress.
    const all = succeededGiftsInOrder(s.db, campaignId).map(toGiftForMatching);
    const before = unlockedPledges(
      terms,
      all.filter((g) => g.id !== gift.id),
    );
    unlocked = unlockedPledges(terms, all);
    if (needsReplay(before, unlocked)) {
      replayCampaign(s, campaignId);
      return allocationsOfGift(s.db, gift.id).reduce((sum, a) => sum + a.amount, 0);
    }
  } else {
    unlocked = unlockedPledges(terms, []);
  }

  const perDonorIds = terms.filter((t) => t.maxPerDonor !== undefined).map((t) => t.id);
  const donorTotals = matchedForDonor(s.db, perDonorIds, gift.donorKey);
  const pledgeStates = new Map<string, PledgeState>();
  for (const r of rows) {
    const donorSoFar = donorTotals.get(r.id);
    pledgeStates.set(r.id, {
      allocated: r.allocated,
      perDonor: new Map(donorSoFar === undefined ? [] : [[gift.donorKey, donorSoFar]]),
    });
  }
  const state: MatchingState = { pledges: pledgeStates };
  const { allocations } = matchGift(state, newGift, terms, unlocked);

  let total = 0;
  const now = s.now();
  for (const a of allocations) {
    const row = rows.find((r) => r.id === a.pledgeId);
    if (!row) continue;
    insertAllocation(s.db, a);
    appendLedger(s.db, { campaignId, kind: 'match', amount: a.amount, giftId: a.giftId, pledgeId: a.pledgeId, createdAt: now });
    setPledgeAllocated(s.db, row.id, row.allocated + a.amount);
    total += a.amount;
  }
  totals.matched = (totals.matched ?? 0) + total;
  return total;
}

/**
 * Recomputes the campaign's whole allocation from scratch and writes the
 * difference: allocation rows, one ledger entry per changed (gift, pledge),
 * pledge caches and the campaign's matched total.
 */
export function replayCampaign(s: Services, campaignId: string): void {
  const rows = pledgesOfCampaign(s.db, campaignId);
  // Raffle allocations name the entry where gift allocations name the gift; the
  // rules see both as one list (giftId is the matched record's id).
  const existing = [...allocationsOfCampaign(s.db, campaignId), ...raffleAllocationsOfCampaign(s.db, campaignId).map((a) => ({ giftId: a.entryId, pledgeId: a.pledgeId, amount: a.amount }))];
  if (rows.length === 0 && existing.length === 0) return;
  const { items, raffleIds } = matchableOfCampaign(s, campaignId);
  const result = replay(items, rows.map(toPledgeTerms));

  const key = (giftId: string, pledgeId: string) => `${giftId}|${pledgeId}`;
  const before = new Map(existing.map((a) => [key(a.giftId, a.pledgeId), a]));
  const after = new Map(result.allocations.map((a) => [key(a.giftId, a.pledgeId), a]));
  const now = s.now();
  let matchedDelta = 0;
  const pledgeDelta = new Map<string, number>();
  const ledger = (id: string, pledgeId: string, amount: number) =>
    appendLedger(s.db, { campaignId, kind: 'match', amount, ...(raffleIds.has(id) ? { raffleEntryId: id } : { giftId: id }), pledgeId, createdAt: now });

  for (const [k, old] of before) {
    if (after.has(k)) continue;
    if (raffleIds.has(old.giftId)) deleteRaffleAllocation(s.db, old.giftId, old.pledgeId);
    else deleteAllocation(s.db, old.giftId, old.pledgeId);
    ledger(old.giftId, old.pledgeId, -old.amount);
    matchedDelta -= old.amount;
    pledgeDelta.set(old.pledgeId, (pledgeDelta.get(old.pledgeId) ?? 0) - old.amount);
  }
  for (const [k, next] of after) {
    const delta = next.amount - (before.get(k)?.amount ?? 0);
    if (delta === 0) continue;
    if (raffleIds.has(next.giftId)) setRaffleAllocation(s.db, { entryId: next.giftId, pledgeId: next.pledgeId, amount: next.amount });
    else setAllocation(s.db, next);
    ledger(next.giftId, next.pledgeId, delta);
    matchedDelta += delta;
    pledgeDelta.set(next.pledgeId, (pledgeDelta.get(next.pledgeId) ?? 0) + delta);
  }
  for (const r of rows) {
    const d = pledgeDelta.get(r.id);
    if (d) setPledgeAllocated(s.db, r.id, r.allocated + d);
  }
  addToTotals(s.db, campaignId, { matched: matchedDelta });
}
