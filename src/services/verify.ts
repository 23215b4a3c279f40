// `verify`: proves the caches equal the ledger and the allocation equals a
// replay from scratch, for every campaign. Reports every difference it finds.
import { replay } from '../domain/matching.ts';
import { listCampaigns, readTotals } from '../db/campaigns.ts';
import { giftCounts, succeededGiftsInOrder } from '../db/gifts.ts';
import { ledgerMatchByGiftAndPledge, ledgerSums } from '../db/ledger.ts';
import { ticketRevenueOfCampaign } from '../db/orders.ts';
import { allocationsOfCampaign, pledgesOfCampaign } from '../db/pledges.ts';
import { raffleAllocationsOfCampaign, raffleProceedsByCampaign } from '../db/raffles.ts';
import type { Services } from './context.ts';
import { matchableOfCampaign, toPledgeTerms } from './matching.ts';

export interface VerifyReport {
  campaigns: number;
  differences: string[];
}

export async function verifyAll(s: Services): Promise<VerifyReport> {
  const differences: string[] = [];
  const campaigns = listCampaigns(s.db);
  const raffleProceeds = raffleProceedsByCampaign(s.db);
  for (const c of campaigns) {
    const say = (what: string, cached: number, actual: number) => {
      if (cached !== actual) differences.push(`${c.slug}: ${what}: cached ${cached}, ledger or recomputed ${actual}`);
    };
    const totals = readTotals(s.db, c.id);
    const sums = ledgerSums(s.db, c.id);
    say('raised', totals.raised, sums.gifts + sums.refunds);
    say('matched', totals.matched, sums.matched);
    say('tickets', totals.tickets, sums.tickets);
    say('tickets (from orders)', totals.tickets, ticketRevenueOfCampaign(s.db, c.id));
    say('raffles', totals.raffles, sums.raffles);
    say('raffles (from entries)', totals.raffles, raffleProceeds.get(c.id) ?? 0);

    const gifts = succeededGiftsInOrder(s.db, c.id);
    const counting = gifts.filter(giftCounts);
    say('raised (from gifts)', totals.raised, gifts.reduce((n, g) => n + (g.campaignAmount ?? 0) - g.refundedCampaignAmount, 0));
    say('gift count', totals.giftCount, counting.length);
    say('donor count', totals.donorCount, new Set(counting.map((g) => g.donorKey)).size);

    const pledges = pledgesOfCampaign(s.db, c.id);
    const stored = [...allocationsOfCampaign(s.db, c.id), ...raffleAllocationsOfCampaign(s.db, c.id).map((a) => ({ giftId: a.entryId, pledgeId: a.pledgeId, amount: a.amount }))];
    const ledgerPairs = ledgerMatchByGiftAndPledge(s.db, c.id);
    const storedPairs = new Map(stored.map((a) => [`${a.giftId}|${a.pledgeId}`, a.amount]));
    for (const k of new Set([...ledgerPairs.keys(), ...storedPairs.keys()])) {
      say(`match ledger for gift|pledge ${k}`, storedPairs.get(k) ?? 0, ledgerPairs.get(k) ?? 0);
    }
    for (const p of pledges) {
      const sum = stored.filter((a) => a.pledgeId === p.id).reduce((n, a) => n + a.amount, 0);
      say(`pledge ${p.id} allocated`, p.allocated, sum);
      if (p.allocated > p.cap) differences.push(`${c.slug}: pledge ${p.id} exceeds its cap (${p.allocated} > ${p.cap})`);
    }
    const fresh = replay(matchableOfCampaign(s, c.id).items, pledges.map(toPledgeTerms));
    const freshPairs = new Map(fresh.allocations.map((a) => [`${a.giftId}|${a.pledgeId}`, a.amount]));
    for (const k of new Set([...freshPairs.keys(), ...storedPairs.keys()])) {
      say(`allocation ${k} vs replay`, storedPairs.get(k) ?? 0, freshPairs.get(k) ?? 0);
    }
  }
  return { campaigns: campaigns.length, differences };
}
