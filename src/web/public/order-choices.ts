// After a cancellation with a gift offer: the ticket holder chooses, from the
// order page, to give the ticket price or to take the refund now. The order's
// unguessable id is the holder's key, as for the order page itself.
import type { FastifyInstance } from 'fastify';
import { DomainError } from '../../domain/errors.ts';
import { giveTicketPrice, takeRefund } from '../../services/event-cancellation.ts';
import { formValues } from '../forms.ts';
import { handOnRefunds } from '../provider-refunds.ts';

export default async function orderChoices(app: FastifyInstance) {
  const svc = app.services;

  app.post<{ Params: { id: string } }>('/orders/:id/give', { schema: { hide: true } }, async (req, reply) => {
    const values = formValues(req.body);
    try {
      await giveTicketPrice(svc, req.params.id, { showName: values.show_name === 'on' });
    } catch (err) {
      if (!(err instanceof DomainError && err.code === 'invalid_state')) throw err;
      return reply.redirect(`/orders/${encodeURIComponent(req.params.id)}?choice=late`, 303);
    }
    return reply.redirect(`/orders/${encodeURIComponent(req.params.id)}?choice=gift`, 303);
  });

  app.post<{ Params: { id: string } }>('/orders/:id/refund', { schema: { hide: true } }, async (req, reply) => {
    try {
      await takeRefund(svc, req.params.id);
      await handOnRefunds(app);
    } catch (err) {
      if (!(err instanceof DomainError && err.code === 'invalid_state')) throw err;
      return reply.redirect(`/orders/${encodeURIComponent(req.params.id)}?choice=late`, 303);
    }
    return reply.redirect(`/orders/${encodeURIComponent(req.params.id)}?choice=refund`, 303);
  });
}
