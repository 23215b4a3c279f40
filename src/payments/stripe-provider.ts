// Card payments through Stripe Checkout. A Checkout Session is created for each
// of our checkouts, with our ids in its metadata (and in the PaymentIntent's),
// so webhooks and the return page lead back to our record. STRIPE_API_BASE
// points the official SDK at another host (a local fake in tests).
import Stripe from 'stripe';
import type { CheckoutRequest, PaymentProvider, RefundRequest, StartedCheckout } from './provider.ts';
import { stripeMinimum, toStripeAmount } from './stripe-currencies.ts';

export interface StripeSettings {
  readonly secretKey: string;
  readonly webhookSecret: string;
  /** e.g. http://127.0.0.1:12111; null for api.stripe.com. */
  readonly apiBase: string | null;
}

export interface StripeProvider extends PaymentProvider {
  readonly name: 'stripe';
  readonly client: Stripe;
  readonly webhookSecret: string;
}

/** Stripe keeps a session open for at least 30 minutes. */
const minimumSessionMs = 31 * 60_000;
/** …and at most 24 hours. */
const maximumSessionMs = 23 * 60 * 60_000;

export function stripeClient(settings: StripeSettings): Stripe {
  const base = settings.apiBase ? new URL(settings.apiBase) : null;
  return new Stripe(settings.secretKey, {
    maxNetworkRetries: base ? 0 : 2,
    timeout: 20_000,
    ...(base && {
      host: base.hostname,
      port: Number(base.port || (base.protocol === 'https:' ? 443 : 80)),
      protocol: base.protocol === 'https:' ? 'https' : 'http',
    }),
  });
}

export function stripeProvider(settings: StripeSettings, baseUrl: string, now: () => number = Date.now): StripeProvider {
  const client = stripeClient(settings);
  return {
    name: 'stripe',
    client,
    webhookSecret: settings.webhookSecret,
    // Checkout's pages; a stand-in API (the tests' fake) serves its own.
    pageOrigins: ['https://checkout.stripe.com', ...(settings.apiBase ? [new URL(settings.apiBase).origin] : [])],
    minimumCharge: (currency) => stripeMinimum[currency] ?? 50,
    async createCheckout(req: CheckoutRequest): Promise<StartedCheckout> {
      const lines = req.lines ?? [{ name: req.description, amount: req.amount, quantity: 1 }];
      const metadata = { checkout_id: req.checkoutId, reference: req.reference };
      // Our hold may be shorter than Stripe allows: a payment arriving after it
      // ran out is handled as a late payment (capacity checked again).
      const expiresAt = Math.min(Math.max(req.expiresAt, now() + minimumSessionMs), now() + maximumSessionMs);
      const session = await client.checkout.sessions.create(
        {
          mode: 'payment',
          line_items: lines.map((l) => ({
            quantity: l.quantity,
            price_data: { currency: l.amount.currency.toLowerCase(), unit_amount: toStripeAmount(l.amount.currency, l.amount.amount), product_data: { name: l.name } },
          })),
          success_url: `${baseUrl}/payments/stripe/return?session_id={CHECKOUT_SESSION_ID}`,
          cancel_url: `${baseUrl}/payments/stripe/cancel?checkout=${encodeURIComponent(req.checkoutId)}`,
          client_reference_id: req.checkoutId,
          expires_at: Math.floor(expiresAt / 1000),
          metadata,
          payment_intent_data: { metadata, description: req.description },
          ...(req.email && { customer_email: req.email }),
        },
        { idempotencyKey: `lantern-checkout-${req.checkoutId}` },
      );
      if (!session.url) throw new Error(`Stripe returned no URL for checkout ${req.checkoutId}`);
      return { url: session.url, providerRef: session.id, expiresAt: session.expires_at * 1000 };
    },
    async refund(req: RefundRequest) {
      if (!req.providerPayment) throw new Error(`checkout ${req.checkoutId} has no Stripe payment to refund`);
      const refund = await client.refunds.create(
        {
          payment_intent: req.providerPayment,
          amount: toStripeAmount(req.amount.currency, req.amount.amount),
          reason: 'requested_by_customer',
          metadata: { checkout_id: req.checkoutId, ...(req.reason && { reason: req.reason.slice(0, 400) }) },
        },
        { idempotencyKey: req.idempotencyKey },
      );
      return { refundId: refund.id };
    },
  };
}
