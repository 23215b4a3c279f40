// The waiting list: joining it from a sold-out event page, and claiming the
// seats offered by e-mail (the link's token is the claimant's key).
import type { FastifyInstance } from 'fastify';
import { DomainError } from '../../domain/errors.ts';
import { money } from '../../domain/money.ts';
import { findEventBySlug, ticketTypesOfEvent } from '../../db/events.ts';
import { translator } from '../../i18n.ts';
import { payHeldFreeOrder } from '../../services/orders.ts';
import { checkoutForOffer, getOffer, joinWaitlist } from '../../services/waitlist.ts';
import { formValues, localPath } from '../forms.ts';
import { moneyLimit } from '../plugins/limits.ts';

const t = translator('en');


export default async function waitlistPages(app: FastifyInstance) {
  const svc = app.services;

  app.post<{ Params: { slug: string } }>('/events/:slug/waitlist', { schema: { hide: true }, config: moneyLimit(svc.config) }, async (req, reply) => {
    const event = findEventBySlug(svc.db, req.params.slug);
    if (!event || event.status === 'draft') throw new DomainError('not_found', `There is no event "${req.params.slug}".`);
    const v = formValues(req.body);
    reply.header('cache-control', 'no-store');
    try {
      const joined = await joinWaitlist(svc, event.slug, {
        ticketTypeId: v.ticket_type ?? '',
        quantity: Number.parseInt(v.quantity ?? '1', 10),
        name: v.name ?? '',
        email: v.email ?? '',
      });
      return reply.page('pages/public/waitlist', { title: t('Waiting list: {title}', { title: event.title }), event, joined, hours: svc.config.waitlistClaimHours });
    } catch (err) {
      if (!(err instanceof DomainError) || err.code === 'not_found') throw err;
      const detail = err.issues.length > 0 ? err.issues.map((i) => i.message).join('. ') : err.message;
      return reply.code(err.code === 'validation' ? 400 : 409).page('pages/public/waitlist', { title: t('Waiting list: {title}', { title: event.title }), event, message: err.code === 'validation' ? detail : err.message });
    }
  });

  app.get<{ Params: { token: string } }>('/waitlist/:token', { schema: { hide: true } }, async (req, reply) => {
    const offer = getOffer(svc, req.params.token);
    const typeName = ticketTypesOfEvent(svc.db, offer.event.id).find((tt) => tt.id === offer.entry.ticketTypeId)?.name ?? '';
    reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer');
    return reply.page('pages/public/waitlist', {
      title: t('Seats for you'),
      event: offer.event,
      offer,
      typeName,
      token: req.params.token,
      total: money(offer.order.ticketsTotal, offer.order.currency),
    });
  });

  app.post<{ Params: { token: string } }>('/waitlist/:token', { schema: { hide: true }, config: moneyLimit(svc.config) }, async (req, reply) => {
    try {
      const claimed = await checkoutForOffer(svc, app.payments, req.params.token);
      if (claimed.checkoutUrl === null) {
        await payHeldFreeOrder(svc, claimed.orderId);
        return reply.redirect(`/orders/${claimed.orderId}`, 303);
      }
      return reply.redirect(localPath(claimed.checkoutUrl, svc.config.baseUrl), 303);
    } catch (err) {
      if (!(err instanceof DomainError && err.code === 'invalid_state')) throw err;
      return reply.redirect(`/waitlist/${encodeURIComponent(req.params.token)}`, 303);
    }
  });
}
