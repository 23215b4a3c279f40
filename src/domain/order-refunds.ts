// How much of an order's ticket revenue, counted in the campaign currency,
// has left the campaign once part of its tickets is refunded. An order's
// tickets may be priced in another currency than the campaign's (a KRW event
// for a USD campaign): their converted value was frozen when the order was
// paid, and refunds take it back in proportion to what they give back.
import { mulDivFloor } from './money.ts';

/**
 * The campaign-currency revenue refunded in all once `refunded` of the
 * order's `ticketsTotal` (event currency) has gone back:
 *
 *   floor(campaignAmount × refunded / ticketsTotal)
 *
 * Cumulative, not per refund: each refund's ledger entry is this figure after
 * it less the figure before it. So the entries never round on top of each
 * other, never sum to more than was counted, and a complete refund
 * (refunded = ticketsTotal) reverses exactly `campaignAmount`. Floor keeps a
 * partly refunded order's remaining revenue at or above its exact share until
 * the last refund, which takes what is left.
 */
export function refundedCampaignShare(campaignAmount: number, refunded: number, ticketsTotal: number): number {
  if (!Number.isSafeInteger(ticketsTotal) || ticketsTotal < 0) throw new RangeError('ticketsTotal must be a non-negative safe integer');
  if (!Number.isSafeInteger(refunded) || refunded < 0 || refunded > ticketsTotal) throw new RangeError('refunded must be between 0 and ticketsTotal');
  // A free order has nothing to take back.
  if (ticketsTotal === 0) return 0;
  return mulDivFloor(campaignAmount, BigInt(refunded), BigInt(ticketsTotal));
}
