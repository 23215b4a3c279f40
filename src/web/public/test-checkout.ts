// The test provider's checkout page, clearly marked TEST MODE. Its buttons
// report the outcome through applyPaymentEvent, the same path a Stripe
// webhook takes; the event id is derived from the checkout, so a double click
// counts once.
import type { FastifyInstance } from 'fastify';
import { money } from '../../domain/money.ts';
import { getGift } from '../../services/gifts.ts';
import { applyPaymentEvent, getCheckout } from '../../services/payments.ts';
import { translator } from '../../i18n.ts';
import { moneyLimit } from '../plugins/limits.ts';

const t = translator('en');

export default async function testCheckout(app: FastifyInstance) {
  const svc = app.services;
  if (app.payments.name !== 'test') return;

  app.get<{ Params: { id: string } }>('/test-checkout/:id', { schema: { hide: true } }, async (req, reply) => {
    const view = getCheckout(svc, req.params.id);
    // A gift's checkout charges its fee cover too, shown apart as Stripe shows its two lines.
    const gift = view.checkout.giftId ? getGift(svc, view.checkout.giftId) : null;
    // Personal to one donor: never kept by a browser or a proxy.
    reply.header('cache-control', 'no-store');
    return reply.page('pages/public/test-checkout', {
      title: t('Test checkout'),
      view,
      amount: money(view.checkout.amount, view.checkout.currency),
      gift: gift && gift.feeCover.amount > 0 ? { amount: gift.amount, feeCover: gift.feeCover } : null,
    });
  });

  app.post<{ Params: { id: string; outcome: string } }>(
    '/test-checkout/:id/:outcome',
    { schema: { hide: true }, config: moneyLimit(svc.config) },
    async (req, reply) => {
      const view = getCheckout(svc, req.params.id);
      const { outcome } = req.params;
      if (outcome !== 'pay' && outcome !== 'decline') return reply.callNotFound();
      const checkoutId = view.checkout.id;
      if (view.expired) {
        await applyPaymentEvent(svc, { provider: 'test', eventId: `${checkoutId}:expired`, outcome: 'expired', checkoutId });
      } else if (view.checkout.status === 'open') {
        await applyPaymentEvent(svc, {
          provider: 'test',
          eventId: `${checkoutId}:${outcome}`,
          outcome: outcome === 'pay' ? 'completed' : 'declined',
          checkoutId,
        });
      }
      return reply.redirect(view.returnPath, 303);
    },
  );
}
