// Stripe's side of a payment: signed webhook events, and the pages Stripe
// Checkout sends the payer back to. Registered only when Stripe takes the
// payments. The webhook reads the raw body: the signature covers the exact
// bytes, so the body must not be parsed and re-serialised first.
import type { FastifyInstance } from 'fastify';
import type Stripe from 'stripe';
import { DomainError } from '../../domain/errors.ts';
import type { StripeProvider } from '../../payments/stripe-provider.ts';
import { getCheckout } from '../../services/payments.ts';
import { applyStripeEvent, confirmReturnedSession } from '../../services/stripe-events.ts';

export default async function stripeWebhooks(app: FastifyInstance) {
  if (app.payments.name !== 'stripe') return;
  const provider = app.payments as StripeProvider;
  const svc = app.services;

  await app.register(async (raw) => {
    raw.removeAllContentTypeParsers();
    raw.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

    raw.post('/webhooks/stripe', { schema: { hide: true }, config: { csrf: false } }, async (req, reply) => {
      const signature = req.headers['stripe-signature'];
      let event: Stripe.Event;
      try {
        if (typeof signature !== 'string' || !Buffer.isBuffer(req.body)) throw new Error('no signature');
        event = provider.client.webhooks.constructEvent(req.body, signature, provider.webhookSecret);
      } catch {
        // A forged, stale or re-serialised body: nothing is changed.
        req.log.warn('stripe webhook with a bad signature refused');
        return reply.code(400).type('application/json').send({ error: 'invalid signature' });
      }
      const result = await applyStripeEvent(svc, event, provider);
      if (!result.handled) req.log.info({ event: event.id, type: event.type, reason: result.reason }, 'stripe event acknowledged, not applied');
      return reply.code(200).send({ received: true });
    });
  });

  // Stripe Checkout's success_url: record the payment if the webhook has not yet.
  app.get<{ Querystring: { session_id?: string } }>('/payments/stripe/return', { schema: { hide: true } }, async (req, reply) => {
    const id = req.query.session_id;
    if (!id || !/^cs_\w+$/.test(id)) throw new DomainError('not_found', 'There is no such payment.');
    const session = await provider.client.checkout.sessions.retrieve(id);
    const checkout = await confirmReturnedSession(svc, session, provider);
    if (!checkout) throw new DomainError('not_found', 'There is no such payment.');
    return reply.redirect(getCheckout(svc, checkout.id).returnPath, 303);
  });

  // Stripe Checkout's cancel_url: back to where the payer started; the hold runs out on its own.
  app.get<{ Querystring: { checkout?: string } }>('/payments/stripe/cancel', { schema: { hide: true } }, async (req, reply) => {
    const id = req.query.checkout;
    if (!id) throw new DomainError('not_found', 'There is no such payment.');
    return reply.redirect(getCheckout(svc, id).startPath, 303);
  });
}
