// Cancelling an event: holds are released, every paid order is refunded in
// one action and every ticket holder is told — or, when the organizer offers
// it, holders may first turn their ticket price into a gift to the campaign
// until a deadline, after which the remaining orders are refunded.
import { DomainError, ValidationError } from '../domain/errors.ts';
import { money } from '../domain/money.ts';
import { addToTotals, findCampaignById } from '../db/campaigns.ts';
import { openCheckoutsOfOrder, updateCheckout } from '../db/checkouts.ts';
import { findEventById, listEvents, type EventRow } from '../db/events.ts';
import { appendLedger } from '../db/ledger.ts';
import { findOrder, ordersOfEvent, updateOrder, voidTicketsOfOrder, type OrderRow } from '../db/orders.ts';
import { audit } from './audit.ts';
import type { Actor, Services } from './context.ts';
import { changeEvent, getEvent } from './events.ts';
import { succeedEventDonation } from './gifts.ts';
import { queueMail } from './mail.ts';
import { refundOrderInTx } from './orders.ts';

const day = 24 * 60 * 60 * 1000;
/** The longest a holder may be given to choose between a refund and a gift. */
export const maxGiftOfferDays = 30;

export interface CancelOptions {
  /** Until then, holders may give their ticket price instead of taking it back; none = refund at once. */
  offerGiftUntil?: number | null;
  reason?: string | null;
}

export interface CancelResult {
  event: EventRow;
  refunded: number;
  offered: number;
  released: number;
}

const system: Actor = { userId: null, label: 'system', role: null, ip: null };

function tellHolder(s: Services, order: OrderRow, event: EventRow, kind: 'refunded' | 'offer', reason: string | null): void {
  if (!order.buyerEmail) return;
  const campaign = event.campaignId === null ? undefined : findCampaignById(s.db, event.campaignId);
  queueMail(s, {
    to: order.buyerEmail,
    kind: 'event_cancelled',
    template: kind === 'offer' ? 'event-cancelled-offer' : 'event-cancelled',
    subject: `Cancelled: ${event.title}`,
    data: {
      name: order.buyerName,
      event,
      reason,
      amount: money(order.ticketsTotal - order.refundedAmount, order.currency),
      campaign: campaign?.title ?? null,
      until: event.giftOfferUntil === null ? null : new Date(event.giftOfferUntil).toISOString().replace('T', ' ').slice(0, 16) + ' UTC',
      link: `${s.config.baseUrl}/orders/${order.id}`,
    },
  });
}

export async function cancelEvent(s: Services, actor: Actor, slug: string, opts: CancelOptions = {}): Promise<CancelResult> {
  const now = s.now();
  const offerUntil = opts.offerGiftUntil ?? null;
  if (offerUntil !== null && (offerUntil <= now || offerUntil > now + maxGiftOfferDays * day)) {
    throw ValidationError.field('offerGiftUntil', `Give holders between now and ${maxGiftOfferDays} days to choose`);
  }
  const reason = opts.reason?.trim() || null;
  const result = await s.db.write(() => {
    const before = getEvent(s, slug);
    if (before.status === 'cancelled') throw new DomainError('invalid_state', 'This event is already cancelled.');
    if (offerUntil !== null && before.campaignId === null) {
      throw ValidationError.field('offerGiftUntil', 'This event raises money for no campaign: its tickets can only be refunded');
    }
    const event = changeEvent(s, actor, before, { status: 'cancelled', cancelledAt: now, giftOfferUntil: offerUntil }, 'event.cancel');
    let released = 0;
    for (const o of ordersOfEvent(s.db, event.id, ['pending'])) {
      updateOrder(s.db, o.id, { status: 'cancelled' });
      for (const c of openCheckoutsOfOrder(s.db, o.id)) updateCheckout(s.db, c.id, { status: 'expired' });
      released += 1;
    }
    let refunded = 0;
    let offered = 0;
    for (const o of ordersOfEvent(s.db, event.id, ['paid', 'partially_refunded'])) {
      // Free tickets have nothing to give or take back: they are simply void.
      if (offerUntil !== null && o.ticketsTotal > 0) {
        tellHolder(s, o, event, 'offer', reason);
        offered += 1;
      } else {
        refundOrderInTx(s, actor, o.id, reason ?? 'event cancelled', now);
        tellHolder(s, o, event, 'refunded', reason);
        refunded += 1;
      }
    }
    audit(s, actor, 'event.cancel_orders', { type: 'event', id: event.id }, null, { refunded, offered, released, offerGiftUntil: offerUntil, reason });
    return { event, refunded, offered, released };
  });
  s.mailer.kick();
  return result;
}

function openOffer(s: Services, orderId: string, now: number): { order: OrderRow; event: EventRow } {
  const order = findOrder(s.db, orderId);
  const event = order && findEventById(s.db, order.eventId);
  if (!order || !event) throw new DomainError('not_found', 'There is no such order.');
  if (event.status !== 'cancelled' || event.giftOfferUntil === null) throw new DomainError('invalid_state', 'This order has nothing to choose.');
  if (order.status !== 'paid' && order.status !== 'partially_refunded') {
    throw new DomainError('invalid_state', order.convertedGiftId ? 'You already gave your ticket price: thank you.' : 'This order was already refunded.');
  }
  if (now >= event.giftOfferUntil) throw new DomainError('invalid_state', 'The time to choose has passed: the order is being refunded.');
  return { order, event };
}

/**
 * The holder gives the ticket price to the campaign: the ticket revenue
 * leaves the ledger and comes back as a gift from the buyer (which matching
 * pledges may match), in one transaction.
 */
export async function giveTicketPrice(s: Services, orderId: string, opts: { showName: boolean }): Promise<void> {
  const now = s.now();
  await s.db.write(() => {
    const { order, event } = openOffer(s, orderId, now);
    const campaign = event.campaignId === null ? undefined : findCampaignById(s.db, event.campaignId);
    if (!campaign) throw new DomainError('invalid_state', 'This event raises money for no campaign.');
    const back = (order.campaignAmount ?? 0) - order.refundedCampaignAmount;
    if (back > 0) {
      appendLedger(s.db, { campaignId: campaign.id, kind: 'ticket', amount: -back, orderId: order.id, createdAt: now });
      addToTotals(s.db, campaign.id, { tickets: -back });
    }
    const gift = succeedEventDonation(
      s,
      campaign,
      {
        amount: money(order.ticketsTotal - order.refundedAmount, order.currency),
        donor: { name: order.buyerName, email: order.buyerEmail },
        anonymous: !opts.showName,
        method: `converted:${order.method}`,
        eventId: event.id,
      },
      now,
    );
    voidTicketsOfOrder(s.db, order.id);
    updateOrder(s.db, order.id, { status: 'cancelled', convertedGiftId: gift.id, refundedCampaignAmount: order.campaignAmount ?? 0 });
    audit(s, { userId: null, label: order.buyerEmail ?? 'guest', role: null, ip: null }, 'order.convert_to_gift', { type: 'order', id: order.id }, { status: order.status }, { status: 'cancelled', gift: gift.id });
  });
}

/** The holder takes the refund now rather than at the deadline. */
export async function takeRefund(s: Services, orderId: string): Promise<void> {
  const now = s.now();
  await s.db.write(() => {
    const { order } = openOffer(s, orderId, now);
    refundOrderInTx(s, { userId: null, label: order.buyerEmail ?? 'guest', role: null, ip: null }, order.id, 'event cancelled: refund chosen', now);
  });
}

/** After the deadline, orders whose holders did not choose are refunded (the server's sweep). */
export async function settleCancellationOffers(s: Services): Promise<number> {
  const now = s.now();
  const n = await s.db.write(() => {
    let settled = 0;
    for (const event of listEvents(s.db, { statuses: ['cancelled'] })) {
      if (event.giftOfferUntil === null || event.giftOfferUntil > now) continue;
      for (const o of ordersOfEvent(s.db, event.id, ['paid', 'partially_refunded'])) {
        refundOrderInTx(s, system, o.id, 'event cancelled: no choice made by the deadline', now);
        tellHolder(s, o, event, 'refunded', null);
        settled += 1;
      }
    }
    return settled;
  });
  if (n > 0) s.mailer.kick();
  return n;
}
