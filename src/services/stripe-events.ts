// Stripe's webhook events (already signature-checked by the route) and the
// donor's return from Stripe Checkout, turned into our payment events. Each
// Stripe event counts once by its id; the return page and the webhook race,
// and whichever arrives first records the payment (the other finds it paid).
import type Stripe from 'stripe';
import { money } from '../domain/money.ts';
import {
  claimPaymentEvent,
  findCheckout,
  findCheckoutByProviderPayment,
  findCheckoutByProviderRef,
  providerRefundKnown,
  recordProviderRefund,
  refundedAtProvider,
  updateCheckout,
  type CheckoutRow,
} from '../db/checkouts.ts';
import { findOrder } from '../db/orders.ts';
import { findEntry } from '../db/raffles.ts';
import { findGift, findRefundByProviderRef, updateGift } from '../db/gifts.ts';
import type { PaymentOutcome, PaymentProvider } from '../payments/provider.ts';
import type { StripeProvider } from '../payments/stripe-provider.ts';
import { audit } from './audit.ts';
import type { Services } from './context.ts';
import { partsOfProviderRefund, refundGiftInTx } from './gifts.ts';
import { refundRefusedPayment } from './late-payments.ts';
import { orderDisputeLost, refundableOfOrder, refundOrderInTx } from './orders.ts';
import { applyPaymentEvent } from './payments.ts';
import { disputeClosedBefore } from './disputes.ts';
import { pledgePaymentRefunded } from './pledge-payments.ts';
import { raffleEntryDisputeLost } from './raffles.ts';

export type StripeEventResult =
  | { handled: true; checkoutId: string; outcome: PaymentOutcome | 'awaiting' | 'refunded' }
  | { handled: false; reason: string };

const system = { userId: null, label: 'stripe', role: null, ip: null } as const;

/** Stripe names a related object by its id, or expands it into the object. */
export function idOf(ref: string | { id: string } | null | undefined): string | null {
  return typeof ref === 'string' ? ref : (ref?.id ?? null);
}

/** Our checkout a session belongs to: by the id in its metadata, else by the session id we kept. */
export function checkoutOfSession(s: Services, session: Stripe.Checkout.Session): CheckoutRow | undefined {
  const id = session.metadata?.checkout_id ?? session.client_reference_id;
  const byId = id ? findCheckout(s.db, id) : undefined;
  if (byId && byId.provider === 'stripe') return byId;
  return findCheckoutByProviderRef(s.db, 'stripe', session.id);
}

/** A session whose amount is not what we asked for is never recorded as paid. */
export function amountMatches(checkout: CheckoutRow, session: Stripe.Checkout.Session): boolean {
  return session.amount_total === checkout.amount && (session.currency ?? '').toUpperCase() === checkout.currency;
}

async function settle(s: Services, eventId: string, session: Stripe.Checkout.Session, outcome: PaymentOutcome | 'awaiting', provider: PaymentProvider | undefined): Promise<StripeEventResult> {
  const checkout = checkoutOfSession(s, session);
  if (!checkout) return { handled: false, reason: `no checkout of ours for session ${session.id}` };
  const payment = idOf(session.payment_intent);
  if (outcome === 'completed' && !amountMatches(checkout, session)) {
    await s.db.write(() =>
      audit(s, system, 'payment.amount_mismatch', { type: 'checkout', id: checkout.id }, { amount: checkout.amount, currency: checkout.currency }, { amount: session.amount_total, currency: session.currency, session: session.id }),
    );
    return { handled: false, reason: `session ${session.id} paid ${session.amount_total} ${session.currency}, checkout ${checkout.id} is for ${checkout.amount} ${checkout.currency}` };
  }
  if (outcome === 'awaiting') {
    // Paid by a slower method (a bank debit): the money is not there yet.
    if (payment && checkout.providerPayment === null) await s.db.write(() => updateCheckout(s.db, checkout.id, { providerPayment: payment }));
    return { handled: true, checkoutId: checkout.id, outcome };
  }
  await applyPaymentEvent(s, { provider: 'stripe', eventId, outcome, checkoutId: checkout.id, providerPayment: payment });
  // Money for seats (or raffle tickets) that were gone by then goes back: on
  // every delivery, so a refund the provider refused once is asked again.
  if (outcome === 'completed' && provider) await refundRefusedPayment(s, provider, checkout.id);
  return { handled: true, checkoutId: checkout.id, outcome };
}

/**
 * A refund Lantern cannot apply by itself goes to the audit log for a person,
 * once however often Stripe redelivers the event that carries it.
 */
function auditUnappliedOnce(s: Services, r: Stripe.Refund, subject: { type: string; id: string }, note: string, now: number): void {
  if (!claimPaymentEvent(s.db, 'stripe', `${r.id}:unapplied`, 'refund_unapplied', now)) return;
  audit(s, system, 'payment.refund_unapplied', subject, null, { refund: r.id, amount: r.amount, currency: r.currency, note });
}

/**
 * Refunds of a charge, made by our console (already recorded under their
 * Stripe id) or in the Stripe Dashboard (recorded now). The refunds are read
 * from Stripe when a client is given, as the event may be an older snapshot.
 */
async function refundsOfCharge(s: Services, charge: Stripe.Charge, client: Stripe | undefined): Promise<StripeEventResult> {
  const pi = idOf(charge.payment_intent);
  const checkout = pi ? findCheckoutByProviderPayment(s.db, 'stripe', pi) : undefined;
  if (!checkout) return { handled: false, reason: `no checkout of ours for charge ${charge.id}` };
  const refunds = client ? ((await client.charges.retrieve(charge.id, { expand: ['refunds'] })).refunds?.data ?? []) : (charge.refunds?.data ?? []);
  if (checkout.orderId !== null) return refundsOfOrder(s, checkout, checkout.orderId, refunds);
  if (checkout.pledgePaymentId !== null) return refundsOfPledgePayment(s, checkout, checkout.pledgePaymentId, refunds);
  if (checkout.giftId === null) {
    // Raffle tickets are refunded in the console (before the draw); Stripe then carries it out.
    const now = s.now();
    await s.db.write(() => {
      const entry = checkout.raffleEntryId ? findEntry(s.db, checkout.raffleEntryId) : undefined;
      for (const r of refunds) {
        if (r.status !== 'succeeded' || providerRefundKnown(s.db, 'stripe', r.id)) continue;
        if (entry?.status === 'refunded') recordProviderRefund(s.db, { provider: 'stripe', refundId: r.id, checkoutId: checkout.id, amount: r.amount, createdAt: now });
        else auditUnappliedOnce(s, r, { type: 'checkout', id: checkout.id }, 'refund made in Stripe for raffle tickets: refund the entry in the console', now);
      }
    });
    return { handled: true, checkoutId: checkout.id, outcome: 'refunded' };
  }
  const giftId = checkout.giftId;
  const now = s.now();
  await s.db.write(() => {
    for (const r of refunds) {
      if (r.status !== 'succeeded' || findRefundByProviderRef(s.db, r.id)) continue;
      const gift = findGift(s.db, giftId);
      if (!gift || r.currency.toUpperCase() !== gift.currency) continue;
      // The whole charge back is the gift and its fee cover; a smaller amount is part of the gift.
      const parts = partsOfProviderRefund(gift, r.amount);
      if (parts) {
        refundGiftInTx(s, system, giftId, { amount: parts.gift, feeCover: parts.feeCover, reason: 'Refunded in Stripe', providerRefund: r.id }, now);
      } else {
        auditUnappliedOnce(s, r, { type: 'gift', id: giftId }, 'refund made in Stripe that is neither part of what is left of the gift nor all of it with its fee cover: not applied, for a person to look at', now);
      }
    }
  });
  return { handled: true, checkoutId: checkout.id, outcome: 'refunded' };
}

/**
 * A cardholder disputes a charge: the gift is marked disputed (it still
 * counts while the bank decides). A lost dispute takes the money back like a
 * refund (recorded under the dispute's id, so a redelivery changes nothing);
 * a won one returns the gift to what it was. For a ticket order or raffle
 * entry the dispute is audited on it (the console shows it on the order); a
 * lost one reverses what is left of it like a full refund (a raffle whose
 * pool is frozen keeps the tickets in the draw and gives up the money only),
 * once, under the dispute's id; a won one changes nothing.
 */
async function disputeOfCharge(s: Services, eventId: string, dispute: Stripe.Dispute, closed: boolean): Promise<StripeEventResult> {
  const pi = idOf(dispute.payment_intent);
  const checkout = pi ? findCheckoutByProviderPayment(s.db, 'stripe', pi) : undefined;
  if (!checkout) return { handled: false, reason: `no checkout of ours for dispute ${dispute.id}` };
  const now = s.now();
  const giftId = checkout.giftId;
  await s.db.write(() => {
    if (!claimPaymentEvent(s.db, 'stripe', eventId, closed ? `dispute_${dispute.status}` : 'dispute', now)) return;
    const gift = giftId ? findGift(s.db, giftId) : undefined;
    const subject = gift ? { type: 'gift', id: gift.id } : checkout.orderId ? { type: 'order', id: checkout.orderId } : checkout.raffleEntryId ? { type: 'raffle_entry', id: checkout.raffleEntryId } : checkout.pledgePaymentId ? { type: 'pledge_payment', id: checkout.pledgePaymentId } : { type: 'checkout', id: checkout.id };
    // Read before this event is written to the audit log.
    const closedAlready = !closed && disputeClosedBefore(s, subject, dispute.id);
    audit(s, system, closed ? 'payment.dispute_closed' : 'payment.dispute', subject, null, {
      dispute: dispute.id,
      status: dispute.status,
      amount: dispute.amount,
      currency: dispute.currency,
      reason: dispute.reason,
    });
    if (!gift) {
      if (closed && dispute.status === 'lost') {
        if (checkout.orderId) orderDisputeLost(s, system, checkout, dispute.id, now);
        else if (checkout.raffleEntryId) raffleEntryDisputeLost(s, system, checkout, dispute.id, now);
        // The sponsor's match payment went back to the cardholder: the pledge is owed again.
        else if (checkout.pledgePaymentId) pledgePaymentRefunded(s, checkout.pledgePaymentId, 'Dispute lost', now);
      }
      return;
    }
    const settled = gift.refundedAmount > 0 ? 'partially_refunded' : 'succeeded';
    if (!closed) {
      // A dispute Stripe reported closed before it reported it opened is over.
      if (!closedAlready && (gift.status === 'succeeded' || gift.status === 'partially_refunded')) updateGift(s.db, gift.id, { status: 'disputed' });
      return;
    }
    if (gift.status === 'disputed') updateGift(s.db, gift.id, { status: settled });
    if (dispute.status === 'lost' && !findRefundByProviderRef(s.db, dispute.id)) {
      const left = gift.amount - gift.refundedAmount;
      const amount = Math.min(dispute.amount, left);
      // What the bank took beyond the gift was the fee cover.
      const feeCover = Math.min(dispute.amount - amount, gift.feeCover - gift.feeCoverRefunded);
      if (amount > 0) refundGiftInTx(s, system, gift.id, { amount: money(amount, gift.currency), feeCover: money(feeCover, gift.currency), reason: 'Dispute lost', providerRefund: dispute.id }, now);
    }
  });
  return { handled: true, checkoutId: checkout.id, outcome: closed ? 'refunded' : 'awaiting' };
}

/**
 * Refunds of an order's payment: those Lantern made (a refund of tickets, of
 * the donation or of both, recorded under Stripe's refund id) are known and
 * skipped; a refund of everything left made in the Dashboard refunds the
 * order. Any other amount made in the Dashboard is audited (once) for a
 * person: Stripe does not say which tickets it was for, so the console's
 * partial refund is the way to refund part of an order. A refund Lantern
 * asked for (its metadata names our checkout) that is not recorded yet is
 * one whose write is still to come, or failed: asking again for the same
 * tickets gets the same refund from Stripe and records it.
 */
async function refundsOfOrder(s: Services, checkout: CheckoutRow, orderId: string, refunds: readonly Stripe.Refund[]): Promise<StripeEventResult> {
  const now = s.now();
  await s.db.write(() => {
    for (const r of refunds) {
      if (r.status !== 'succeeded' || providerRefundKnown(s.db, 'stripe', r.id) || findRefundByProviderRef(s.db, r.id)) continue;
      const order = findOrder(s.db, orderId);
      if (order?.status === 'refunded') {
        // The ledger refunded it already (a cancelled event): this is the provider doing it.
        recordProviderRefund(s.db, { provider: 'stripe', refundId: r.id, checkoutId: checkout.id, amount: r.amount, createdAt: now });
        continue;
      }
      if (order && (order.status === 'paid' || order.status === 'partially_refunded') && r.amount === refundableOfOrder(s, order)) {
        refundOrderInTx(s, system, orderId, 'Refunded in Stripe', now);
        recordProviderRefund(s.db, { provider: 'stripe', refundId: r.id, checkoutId: checkout.id, amount: r.amount, createdAt: now });
        continue;
      }
      const ours = r.metadata?.checkout_id === checkout.id;
      auditUnappliedOnce(
        s,
        r,
        { type: 'order', id: orderId },
        ours
          ? 'refund Lantern asked Stripe for that is not recorded yet: if the order still shows those tickets valid, refund the same tickets again in the console (Stripe answers with this same refund)'
          : 'refund made in the Stripe Dashboard for part of an order: not applied, as Stripe does not say which tickets it was for, so the ledger still counts it (refunding tickets in the console would ask Stripe to refund them again): refund parts of orders in the console, not in the Dashboard',
        now,
      );
    }
  });
  return { handled: true, checkoutId: checkout.id, outcome: 'refunded' };
}

/**
 * Refunds of a sponsor's match payment, made in the Stripe Dashboard (an
 * overpaid sponsor given the difference back, say): each is recorded under
 * its id, and counts against what the sponsor paid; once all of the payment
 * went back the pledge is owed again.
 */
async function refundsOfPledgePayment(s: Services, checkout: CheckoutRow, paymentId: string, refunds: readonly Stripe.Refund[]): Promise<StripeEventResult> {
  const now = s.now();
  await s.db.write(() => {
    for (const r of refunds) {
      if (r.status !== 'succeeded' || providerRefundKnown(s.db, 'stripe', r.id)) continue;
      recordProviderRefund(s.db, { provider: 'stripe', refundId: r.id, checkoutId: checkout.id, amount: r.amount, createdAt: now });
      if (refundedAtProvider(s.db, checkout.id) >= checkout.amount) pledgePaymentRefunded(s, paymentId, 'Refunded in Stripe', now);
      else audit(s, system, 'pledge.payment.partly_refunded', { type: 'pledge_payment', id: paymentId }, null, { refund: r.id, amount: r.amount, currency: r.currency });
    }
  });
  return { handled: true, checkoutId: checkout.id, outcome: 'refunded' };
}

/** Applies one verified Stripe event; events Lantern does not use are acknowledged and ignored. */
export async function applyStripeEvent(s: Services, event: Stripe.Event, provider?: StripeProvider): Promise<StripeEventResult> {
  switch (event.type) {
    case 'charge.refunded':
      return refundsOfCharge(s, event.data.object, provider?.client);
    case 'charge.dispute.created':
      return disputeOfCharge(s, event.id, event.data.object, false);
    case 'charge.dispute.closed':
      return disputeOfCharge(s, event.id, event.data.object, true);
    case 'checkout.session.completed': {
      const session = event.data.object;
      const paid = session.payment_status === 'paid' || session.payment_status === 'no_payment_required';
      return settle(s, event.id, session, paid ? 'completed' : 'awaiting', provider);
    }
    case 'checkout.session.async_payment_succeeded':
      return settle(s, event.id, event.data.object, 'completed', provider);
    case 'checkout.session.async_payment_failed':
      return settle(s, event.id, event.data.object, 'declined', provider);
    case 'checkout.session.expired':
      return settle(s, event.id, event.data.object, 'expired', provider);
    default:
      return { handled: false, reason: `${event.type} is not used` };
  }
}

/** The donor came back from Stripe: if the session is paid, record it now rather than wait for the webhook. */
export async function confirmReturnedSession(s: Services, session: Stripe.Checkout.Session, provider?: PaymentProvider): Promise<CheckoutRow | undefined> {
  const checkout = checkoutOfSession(s, session);
  if (!checkout) return undefined;
  if (session.payment_status === 'paid') await settle(s, `${session.id}:return`, session, 'completed', provider);
  return findCheckout(s.db, checkout.id);
}
