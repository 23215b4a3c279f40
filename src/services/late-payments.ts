// A payment that completes after its hold ran out, for seats taken since (or
// raffle tickets after sales closed), cannot be kept: the order or entry was
// marked failed in the write that recorded the payment. Here the money goes
// back through the provider, once (the idempotency key is the checkout's, and
// a refund already recorded is not asked for again), and the payer is told
// why, once. The webhook calls this on every delivery of the payment, so a
// provider that could not be reached is asked again when Stripe redelivers.
import { formatMoney, money } from '../domain/money.ts';
import { findCheckout, providerRefundKnown, recordProviderRefund, refundedAtProvider, type CheckoutRow } from '../db/checkouts.ts';
import { findEventById } from '../db/events.ts';
import { findOrder } from '../db/orders.ts';
import { findEntry, findRaffle } from '../db/raffles.ts';
import type { PaymentProvider } from '../payments/provider.ts';
import { audit } from './audit.ts';
import type { Services } from './context.ts';
import { queueMail } from './mail.ts';

interface Refused {
  name: string;
  email: string | null;
  title: string;
  why: string;
  link: string;
}

/** What a paid checkout bought that could not be kept, if anything. */
function refusedPurchase(s: Services, checkout: CheckoutRow): Refused | null {
  if (checkout.status !== 'paid') return null;
  if (checkout.orderId) {
    const order = findOrder(s.db, checkout.orderId);
    const event = order && findEventById(s.db, order.eventId);
    if (!order || !event || order.status !== 'failed') return null;
    return { name: order.buyerName, email: order.buyerEmail, title: event.title, why: 'your seats’ hold ran out and they were sold to someone else', link: `${s.config.baseUrl}/events/${event.slug}` };
  }
  if (checkout.raffleEntryId) {
    const entry = findEntry(s.db, checkout.raffleEntryId);
    const raffle = entry && findRaffle(s.db, entry.raffleId);
    if (!entry || !raffle || entry.status !== 'failed') return null;
    return { name: entry.buyerName, email: entry.buyerEmail, title: raffle.title, why: 'raffle ticket sales had closed', link: `${s.config.baseUrl}/raffles/${raffle.id}` };
  }
  return null;
}

/** Refunds a paid checkout whose purchase was refused; true when it did. */
export async function refundRefusedPayment(s: Services, provider: PaymentProvider, checkoutId: string): Promise<boolean> {
  const checkout = findCheckout(s.db, checkoutId);
  if (!checkout || checkout.provider !== provider.name) return false;
  const refused = refusedPurchase(s, checkout);
  if (!refused || refundedAtProvider(s.db, checkoutId) >= checkout.amount) return false;
  const amount = money(checkout.amount, checkout.currency);
  const { refundId } = await provider.refund({ checkoutId, providerPayment: checkout.providerPayment, amount, idempotencyKey: `lantern-late-${checkoutId}`, reason: refused.why });
  const recorded = await s.db.write(() => {
    // Another delivery of the same payment got there first.
    if (providerRefundKnown(s.db, provider.name, refundId)) return false;
    recordProviderRefund(s.db, { provider: provider.name, refundId, checkoutId, amount: amount.amount, createdAt: s.now() });
    audit(s, { userId: null, label: 'system', role: null, ip: null }, 'payment.refunded_late', { type: 'checkout', id: checkoutId }, null, { refund: refundId, amount: amount.amount, currency: amount.currency });
    if (refused.email) {
      queueMail(s, {
        to: refused.email,
        kind: 'payment',
        template: 'payment-refunded',
        subject: `Refunded: ${refused.title}`,
        data: { name: refused.name, title: refused.title, amount: formatMoney(amount), why: refused.why, link: refused.link },
      });
    }
    return true;
  });
  if (recorded) s.mailer.kick();
  return recorded;
}
