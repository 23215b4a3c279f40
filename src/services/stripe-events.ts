// Stripe's webhook events (already signature-checked by the route) and the
// donor's return from Stripe Checkout, turned into our payment events. Each
// Stripe event counts once by its id; the return page and the webhook race,
// and whichever arrives first records the payment (the other finds it paid).
import type Stripe from 'stripe';
import { findCheckout, findCheckoutByProviderRef, updateCheckout, type CheckoutRow } from '../db/checkouts.ts';
import type { PaymentOutcome } from '../payments/provider.ts';
import { audit } from './audit.ts';
import type { Services } from './context.ts';
import { applyPaymentEvent } from './payments.ts';

export type StripeEventResult =
  | { handled: true; checkoutId: string; outcome: PaymentOutcome | 'awaiting' }
  | { handled: false; reason: string };

const system = { userId: null, label: 'stripe', role: null, ip: null } as const;

function paymentIdOf(session: Stripe.Checkout.Session): string | null {
  const pi = session.payment_intent;
  return typeof pi === 'string' ? pi : (pi?.id ?? null);
}

/** Our checkout a session belongs to: by the id in its metadata, else by the session id we kept. */
function checkoutOfSession(s: Services, session: Stripe.Checkout.Session): CheckoutRow | undefined {
  const id = session.metadata?.checkout_id ?? session.client_reference_id;
  const byId = id ? findCheckout(s.db, id) : undefined;
  if (byId && byId.provider === 'stripe') return byId;
  return findCheckoutByProviderRef(s.db, 'stripe', session.id);
}

/** A session whose amount is not what we asked for is never recorded as paid. */
function amountMatches(checkout: CheckoutRow, session: Stripe.Checkout.Session): boolean {
  return session.amount_total === checkout.amount && (session.currency ?? '').toUpperCase() === checkout.currency;
}

async function settle(s: Services, eventId: string, session: Stripe.Checkout.Session, outcome: PaymentOutcome | 'awaiting'): Promise<StripeEventResult> {
  const checkout = checkoutOfSession(s, session);
  if (!checkout) return { handled: false, reason: `no checkout of ours for session ${session.id}` };
  const payment = paymentIdOf(session);
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
  return { handled: true, checkoutId: checkout.id, outcome };
}

/** Applies one verified Stripe event; events Lantern does not use are acknowledged and ignored. */
export async function applyStripeEvent(s: Services, event: Stripe.Event): Promise<StripeEventResult> {
  switch (event.type) {
    case 'checkout.session.completed': {
      const session = event.data.object;
      const paid = session.payment_status === 'paid' || session.payment_status === 'no_payment_required';
      return settle(s, event.id, session, paid ? 'completed' : 'awaiting');
    }
    case 'checkout.session.async_payment_succeeded':
      return settle(s, event.id, event.data.object, 'completed');
    case 'checkout.session.async_payment_failed':
      return settle(s, event.id, event.data.object, 'declined');
    case 'checkout.session.expired':
      return settle(s, event.id, event.data.object, 'expired');
    default:
      return { handled: false, reason: `${event.type} is not used` };
  }
}

/** The donor came back from Stripe: if the session is paid, record it now rather than wait for the webhook. */
export async function confirmReturnedSession(s: Services, session: Stripe.Checkout.Session): Promise<CheckoutRow | undefined> {
  const checkout = checkoutOfSession(s, session);
  if (!checkout) return undefined;
  if (session.payment_status === 'paid') await settle(s, `${session.id}:return`, session, 'completed');
  return findCheckout(s.db, checkout.id);
}
