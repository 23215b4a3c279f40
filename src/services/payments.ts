// Applies a provider's report of a payment to our records, exactly once per
// event id. This is the path the test checkout and Stripe webhooks share. A
// checkout pays for a gift, a ticket order, raffle tickets or a sponsor's
// match payment.
import { DomainError } from '../domain/errors.ts';
import { claimPaymentEvent, findCheckout, updateCheckout, type CheckoutRow } from '../db/checkouts.ts';
import { findCampaignById } from '../db/campaigns.ts';
import { findEventById } from '../db/events.ts';
import { findGift, updateGift, type GiftRow } from '../db/gifts.ts';
import { findPledge } from '../db/pledges.ts';
import { findOrder, itemsOfOrder, type OrderRow } from '../db/orders.ts';
import { findPledgePayment } from '../db/pledge-payments.ts';
import { findEntry, findRaffle } from '../db/raffles.ts';
import type { PaymentEvent } from '../payments/provider.ts';
import type { Services } from './context.ts';
import { queueGiftReceipt, succeedGift } from './gifts.ts';
import { pledgePaymentCompleted, pledgePaymentFailed } from './pledge-payments.ts';
import { orderPaymentCompleted, orderPaymentFailed, prepareTickets, type PreparedTickets } from './orders.ts';
import { raffleEntryPaymentCompleted, raffleEntryPaymentFailed } from './raffles.ts';

export interface AppliedEvent {
  /** False when the event had been applied before (a redelivery). */
  applied: boolean;
  checkout: CheckoutRow;
  gift: GiftRow | null;
  order: OrderRow | null;
}

const noTickets: PreparedTickets = { codes: [], png: [] };

export async function applyPaymentEvent(s: Services, event: PaymentEvent): Promise<AppliedEvent> {
  // A payment that issues tickets gets their codes and QR images ready first:
  // encoding images is asynchronous, and the write below must not wait.
  const before = findCheckout(s.db, event.checkoutId);
  const prepared =
    before?.orderId && event.outcome === 'completed'
      ? await prepareTickets(itemsOfOrder(s.db, before.orderId).reduce((n, i) => n + i.quantity, 0))
      : noTickets;
  const now = s.now();
  const result = await s.db.write(() => {
    const checkout = findCheckout(s.db, event.checkoutId);
    if (!checkout || checkout.provider !== event.provider) {
      throw new DomainError('not_found', 'There is no such checkout.');
    }
    const applied = claimPaymentEvent(s.db, event.provider, event.eventId, event.outcome, now);
    // The provider's payment id is what its refunds and disputes will name.
    if (event.providerPayment && checkout.providerPayment === null) updateCheckout(s.db, checkout.id, { providerPayment: event.providerPayment });
    if (applied) applyOutcome(s, checkout, event, now, prepared);
    const after = findCheckout(s.db, checkout.id);
    if (!after) throw new Error('checkout vanished');
    return {
      applied,
      checkout: after,
      gift: checkout.giftId === null ? null : (findGift(s.db, checkout.giftId) ?? null),
      order: checkout.orderId === null ? null : (findOrder(s.db, checkout.orderId) ?? null),
    };
  });
  // Confirmations and receipts queued with the payment go out now, not at the next sweep.
  if (result.applied) s.mailer.kick();
  return result;
}

function applyOutcome(s: Services, checkout: CheckoutRow, event: PaymentEvent, now: number, prepared: PreparedTickets): void {
  const next = { completed: 'paid', declined: 'declined', expired: 'expired' } as const;
  // A checkout is decided once; a late "paid" still records money that arrived.
  if (event.outcome === 'completed' ? checkout.status === 'paid' : checkout.status !== 'open') return;
  updateCheckout(s.db, checkout.id, { status: next[event.outcome], completedAt: now });
  if (checkout.orderId !== null) {
    const order = findOrder(s.db, checkout.orderId);
    if (!order) throw new Error(`checkout ${checkout.id} has no order`);
    if (event.outcome === 'completed') orderPaymentCompleted(s, order, now, prepared);
    else orderPaymentFailed(s, order, event.outcome);
    return;
  }
  if (checkout.raffleEntryId !== null) {
    const entry = findEntry(s.db, checkout.raffleEntryId);
    if (!entry) throw new Error(`checkout ${checkout.id} has no raffle entry`);
    if (event.outcome === 'completed') raffleEntryPaymentCompleted(s, entry, now);
    else raffleEntryPaymentFailed(s, entry, event.outcome);
    return;
  }
  if (checkout.pledgePaymentId !== null) {
    const payment = findPledgePayment(s.db, checkout.pledgePaymentId);
    if (!payment) throw new Error(`checkout ${checkout.id} has no pledge payment`);
    if (event.outcome === 'completed') pledgePaymentCompleted(s, payment, now);
    else pledgePaymentFailed(s, payment, event.outcome);
    return;
  }
  const gift = checkout.giftId === null ? undefined : findGift(s.db, checkout.giftId);
  if (!gift) throw new Error(`checkout ${checkout.id} has no gift`);
  switch (event.outcome) {
    case 'completed':
      // Money that arrives after the hold expired is still the donor's gift.
      if (gift.status === 'pending' || gift.status === 'expired' || gift.status === 'failed') {
        const campaign = findCampaignById(s.db, gift.campaignId);
        if (!campaign) throw new Error(`gift ${gift.id} has no campaign`);
        const { gift: done, matched } = succeedGift(s, gift, now, { campaign, isNew: false });
        queueGiftReceipt(s, done, campaign, matched);
      }
      return;
    case 'declined':
      if (gift.status === 'pending') updateGift(s.db, gift.id, { status: 'failed' });
      return;
    case 'expired':
      if (gift.status === 'pending') updateGift(s.db, gift.id, { status: 'expired' });
      return;
  }
}

export interface CheckoutView {
  checkout: CheckoutRow;
  /** What is paid for, as the checkout page names it. */
  title: string;
  /** Where the payer lands afterwards: the gift's thank-you page or the order's page. */
  returnPath: string;
  /** Where to start again after an expired or closed checkout. */
  startPath: string;
  /** True once the time to pay has run out (whatever the stored status says yet). */
  expired: boolean;
}

export function getCheckout(s: Services, id: string): CheckoutView {
  const checkout = findCheckout(s.db, id);
  if (!checkout) throw new DomainError('not_found', 'There is no such checkout.');
  const expired = checkout.status === 'expired' || (checkout.status === 'open' && s.now() >= checkout.expiresAt);
  if (checkout.orderId !== null) {
    const order = findOrder(s.db, checkout.orderId);
    const event = order && findEventById(s.db, order.eventId);
    if (!order || !event) throw new DomainError('not_found', 'There is no such checkout.');
    return { checkout, title: event.title, returnPath: `/orders/${order.id}`, startPath: `/events/${event.slug}`, expired };
  }
  if (checkout.raffleEntryId !== null) {
    const entry = findEntry(s.db, checkout.raffleEntryId);
    const raffle = entry && findRaffle(s.db, entry.raffleId);
    if (!entry || !raffle) throw new DomainError('not_found', 'There is no such checkout.');
    return { checkout, title: raffle.title, returnPath: `/raffle-entries/${entry.id}`, startPath: `/raffles/${raffle.id}`, expired };
  }
  if (checkout.pledgePaymentId !== null) {
    const payment = findPledgePayment(s.db, checkout.pledgePaymentId);
    const pledge = payment && findPledge(s.db, payment.pledgeId);
    const campaign = pledge && findCampaignById(s.db, pledge.campaignId);
    if (!payment || !campaign) throw new DomainError('not_found', 'There is no such checkout.');
    const statement = `/sponsor/pledges/${payment.pledgeId}`;
    return { checkout, title: `Match pledge on ${campaign.title}`, returnPath: `${statement}?done=paying`, startPath: statement, expired };
  }
  const gift = checkout.giftId ? findGift(s.db, checkout.giftId) : undefined;
  const campaign = gift && findCampaignById(s.db, gift.campaignId);
  if (!gift || !campaign) throw new DomainError('not_found', 'There is no such checkout.');
  return { checkout, title: campaign.title, returnPath: `/gifts/${gift.id}/thank-you`, startPath: `/campaigns/${campaign.slug}`, expired };
}

