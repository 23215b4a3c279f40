// JSON API for ticket orders: a guest's order (holds seats, pays at
// checkoutUrl, or is paid at once when free), door sales, the order with its
// ticket codes (and any dispute of its card payment) for staff, refunds of
// all of it or of chosen tickets and the donation, and check-in at the door.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { guardPaymentStart, notePaymentCheckout } from '../../../services/card-testing.ts';
import type { PaymentDispute } from '../../../services/disputes.ts';
import { cancelEvent } from '../../../services/event-cancellation.ts';
import { joinWaitlist } from '../../../services/waitlist.ts';
import { checkIn, disputeOfOrder, getOrder, placeOrder, recordDoorSale, refundOrderPart, soldOutRefusal, type OrderView } from '../../../services/orders.ts';
import { handOnRefunds } from '../../provider-refunds.ts';
import { actorOf } from '../../plugins/auth.ts';
import { sendDomainProblem } from '../../plugins/errors.ts';
import { moneyLimit } from '../../plugins/limits.ts';
import { idempotent } from './idempotent.ts';
import { currencySchema, dateTimeSchema, idempotencyHeaders, idParams, moneyOut, moneySchema, slugParams } from './schemas.ts';

const bearer = [{ bearer: [] }];
const problem = z.object({ type: z.string(), title: z.string(), status: z.number(), detail: z.string() }).loose();

const item = z.strictObject({
  ticketTypeId: z.string().min(1).max(100),
  quantity: z.number().int('A whole number of tickets').min(0).max(1000),
  /** Pay what you want: the price chosen per ticket. */
  price: moneySchema.optional(),
});

const orderCreate = z.strictObject({
  items: z.array(item).min(1, 'Choose at least one ticket').max(50),
  buyer: z.strictObject({ name: z.string().trim().min(1, 'Required').max(200), email: z.email('Enter a valid e-mail address').max(254) }),
  donation: z.strictObject({ amount: z.number().int().min(0), currency: currencySchema }).optional(),
  donationPublic: z.boolean().optional(),
});

const doorSale = z.strictObject({
  items: z.array(item).min(1).max(50),
  buyer: z.strictObject({ name: z.string().trim().max(200).default(''), email: z.email().max(254).optional() }).default({ name: '' }),
  method: z.enum(['cash', 'card_terminal', 'other']).default('cash'),
});

const orderRefund = z
  .strictObject({
    /** Codes of the tickets to refund, as GET /orders/{id} lists them. */
    tickets: z.array(z.string().trim().min(1, 'A ticket code').max(40)).max(1000).optional(),
    /** Refund what is left of the order's donation. */
    donation: z.boolean().optional(),
    reason: z.string().trim().max(500).optional(),
  })
  .default({});

const ticketOut = z.object({
  code: z.string(),
  ticketTypeId: z.string(),
  status: z.enum(['valid', 'void']),
  checkedInAt: z.string().nullable(),
  checkedInBy: z.string().nullable(),
});

const orderOut = z.object({
  id: z.string(),
  event: z.string(),
  status: z.string(),
  source: z.string(),
  buyer: z.object({ name: z.string(), email: z.string().nullable() }),
  items: z.array(z.object({ ticketTypeId: z.string(), name: z.string(), quantity: z.number(), refundedQuantity: z.number(), unitPrice: moneyOut })),
  total: moneyOut,
  donation: moneyOut,
  /** The tickets' price refunded so far (the donation's refunds are the gift's). */
  refunded: moneyOut,
  /** The newest dispute of the card payment, if the cardholder disputed it. */
  dispute: z.object({ status: z.string(), reason: z.string().nullable(), amount: moneyOut }).nullable(),
  expiresAt: z.string().nullable(),
  paidAt: z.string().nullable(),
  tickets: z.array(ticketOut),
});

const placedOut = z.object({
  id: z.string(),
  status: z.string(),
  total: moneyOut,
  expiresAt: z.string().nullable(),
  checkoutUrl: z.string().optional(),
  tickets: z.array(z.object({ code: z.string() })).optional(),
});

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function orderJson(v: OrderView, dispute: PaymentDispute | null) {
  const o = v.order;
  return {
    id: o.id,
    event: v.event.slug,
    status: o.status,
    source: o.source,
    buyer: { name: o.buyerName, email: o.buyerEmail },
    items: v.items.map((i) => ({ ticketTypeId: i.ticketTypeId, name: i.name, quantity: i.quantity, refundedQuantity: i.refundedQuantity, unitPrice: { amount: i.unitPrice, currency: o.currency } })),
    total: v.total,
    donation: v.donation,
    refunded: { amount: o.refundedAmount, currency: o.currency },
    dispute: dispute && { status: dispute.status, reason: dispute.reason, amount: dispute.amount },
    expiresAt: iso(o.expiresAt),
    paidAt: iso(o.paidAt),
    tickets: v.tickets.map((t) => ({ code: t.code, ticketTypeId: t.ticketTypeId, status: t.status, checkedInAt: iso(t.checkedInAt), checkedInBy: t.checkedInBy })),
  };
}

export default async function ordersApi(root: FastifyInstance) {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const svc = root.services;

  app.post(
    '/events/:slug/orders',
    {
      config: { access: 'public', ...moneyLimit(svc.config) },
      // When nothing is left, every order is refused: answer before the body
      // is read or checked, which is most of what a refusal costs in a rush.
      // In preParsing, so the address's rate limit (onRequest) still counts
      // it. A request with an Idempotency-Key goes on, as it may be a retry
      // owed its stored answer. Answering ends the chain (done is not called).
      preParsing: (req, reply, payload, done) => {
        const refusal = req.headers['idempotency-key'] === undefined ? soldOutRefusal(svc, (req.params as { slug: string }).slug, svc.now()) : null;
        if (refusal) void sendDomainProblem(req, reply, refusal);
        else done(null, payload);
      },
      schema: {
        tags: ['public'],
        summary: 'Order tickets as a guest: seats are held while pending; pay at checkoutUrl (a free order is paid at once)',
        description: 'When every seat is paid, held or being ordered, the answer is 409 sold out before the body is read (unless an Idempotency-Key is sent).',
        params: slugParams,
        headers: idempotencyHeaders,
        body: orderCreate,
        response: { 201: placedOut, 400: problem, 404: problem, 409: problem, 422: problem, 429: problem },
      },
    },
    async (req, reply) =>
      idempotent(req, reply, 'order', async () => {
        const b = req.body;
        const attempt = await guardPaymentStart(svc, { ip: req.ip, email: b.buyer.email, kind: 'order' }, svc.now());
        const placed = await placeOrder(svc, root.payments, req.params.slug, {
          items: b.items.map((i) => ({ ticketTypeId: i.ticketTypeId, quantity: i.quantity, ...(i.price && { price: i.price }) })),
          buyer: b.buyer,
          donation: b.donation ?? null,
          donationPublic: b.donationPublic ?? false,
        });
        await notePaymentCheckout(svc, attempt, { orderId: placed.view.order.id });
        const o = placed.view.order;
        return {
          statusCode: 201,
          body: {
            id: o.id,
            status: o.status,
            total: placed.view.total,
            expiresAt: iso(o.expiresAt),
            ...(placed.checkoutUrl !== null && { checkoutUrl: placed.checkoutUrl }),
            ...(o.status === 'paid' && { tickets: placed.view.tickets.map((t) => ({ code: t.code })) }),
          },
        };
      }),
  );

  app.post(
    '/events/:slug/waitlist',
    {
      config: { access: 'public', ...moneyLimit(svc.config) },
      schema: {
        tags: ['public'],
        summary: 'Join the waiting list of a sold-out ticket type; freed seats are offered in order by e-mail',
        params: slugParams,
        body: z.strictObject({ ticketTypeId: z.string().min(1).max(100), quantity: z.number().int().min(1).max(10), name: z.string().trim().min(1).max(200), email: z.email().max(254) }),
        response: { 201: z.object({ id: z.string(), position: z.number() }), 400: problem, 404: problem, 409: problem, 422: problem },
      },
    },
    async (req, reply) => {
      const r = await joinWaitlist(svc, req.params.slug, req.body);
      return reply.code(201).send({ id: r.entry.id, position: r.position });
    },
  );

  app.post(
    '/events/:slug/door-sales',
    {
      config: { access: { roles: ['admin', 'organizer'], owns: 'event' } },
      schema: { tags: ['admin'], security: bearer, summary: 'Record tickets sold at the door (cash): paid at once', params: slugParams, headers: idempotencyHeaders, body: doorSale, response: { 201: orderOut, 400: problem, 401: problem, 403: problem, 404: problem, 409: problem, 422: problem } },
    },
    async (req, reply) =>
      idempotent(req, reply, 'door-sale', async () => {
        const b = req.body;
        const view = await recordDoorSale(svc, actorOf(req), req.params.slug, {
          items: b.items.map((i) => ({ ticketTypeId: i.ticketTypeId, quantity: i.quantity, ...(i.price && { price: i.price }) })),
          buyer: { name: b.buyer.name, email: b.buyer.email ?? null },
          method: b.method,
        });
        return { statusCode: 201, body: orderJson(view, null) };
      }),
  );

  app.get(
    '/orders/:id',
    {
      config: { access: { roles: ['admin', 'organizer'], owns: 'order' } },
      schema: { tags: ['admin'], security: bearer, summary: 'An order with its tickets and their codes', params: idParams, response: { 200: orderOut, 401: problem, 403: problem, 404: problem } },
    },
    async (req) => orderJson(getOrder(svc, req.params.id), disputeOfOrder(svc, req.params.id)),
  );

  app.post(
    '/orders/:id/refunds',
    {
      config: { access: { roles: ['admin'] } },
      schema: {
        tags: ['admin'],
        security: bearer,
        summary:
          'Refund a paid order, in full or in part: `tickets` (their codes) and/or `donation: true` choose what; with neither, everything left. Refunded tickets stop working and free their seats, their price leaves the ledger, a card payment is refunded through the provider for exactly that amount, and the buyer is told',
        params: idParams,
        headers: idempotencyHeaders,
        body: orderRefund,
        response: { 201: orderOut, 400: problem, 401: problem, 403: problem, 404: problem, 409: problem, 422: problem },
      },
    },
    async (req, reply) =>
      idempotent(req, reply, 'order-refund', async () => {
        const b = req.body;
        const view = await refundOrderPart(svc, actorOf(req), req.params.id, { ...(b.tickets && { tickets: b.tickets }), ...(b.donation !== undefined && { donation: b.donation }), reason: b.reason ?? null }, root.payments);
        return { statusCode: 201, body: orderJson(view, disputeOfOrder(svc, view.order.id)) };
      }),
  );

  app.post(
    '/events/:slug/cancellation',
    {
      config: { access: { roles: ['admin', 'organizer'], owns: 'event' } },
      schema: {
        tags: ['admin'],
        security: bearer,
        summary: 'Cancel an event: holds released, paid orders refunded and holders told — or, with offerGiftUntil, holders may give their ticket price until then',
        params: slugParams,
        body: z.strictObject({ offerGiftUntil: dateTimeSchema.optional(), reason: z.string().trim().max(500).optional() }).default({}),
        response: { 200: z.object({ status: z.string(), refunded: z.number(), offered: z.number(), released: z.number() }), 400: problem, 401: problem, 403: problem, 404: problem, 409: problem },
      },
    },
    async (req) => {
      const r = await cancelEvent(svc, actorOf(req), req.params.slug, { offerGiftUntil: req.body.offerGiftUntil ?? null, reason: req.body.reason ?? null });
      await handOnRefunds(root);
      return { status: r.event.status, refunded: r.refunded, offered: r.offered, released: r.released };
    },
  );

  app.post(
    '/events/:slug/check-ins',
    {
      config: { access: { roles: ['admin', 'organizer'], owns: 'event' } },
      schema: {
        tags: ['admin'],
        security: bearer,
        summary: 'Check a ticket in by its code: 200 the first time, 409 with the first check-in on a repeat',
        params: slugParams,
        body: z.strictObject({ code: z.string().trim().min(1, 'Required').max(100) }),
        response: {
          200: z.object({ ticket: ticketOut, checkedInAt: z.string() }),
          400: problem,
          401: problem,
          403: problem,
          404: problem,
          409: problem,
          422: problem,
        },
      },
    },
    async (req, reply) => {
      const r = await checkIn(svc, actorOf(req), req.params.slug, req.body.code);
      const t = r.ticket;
      const ticket = { code: t.code, ticketTypeId: t.ticketTypeId, status: t.status, checkedInAt: iso(t.checkedInAt), checkedInBy: t.checkedInBy };
      if (!r.admitted) {
        return reply
          .code(409)
          .type('application/problem+json')
          .send({
            type: 'urn:lantern:problem:already_checked_in',
            title: 'Conflict',
            status: 409,
            detail: `Already checked in at ${iso(t.checkedInAt) ?? ''} by ${t.checkedInBy ?? 'someone'}.`,
            instance: req.url,
            ticket,
            checkedInAt: iso(t.checkedInAt),
            checkedInBy: t.checkedInBy,
          });
      }
      return { ticket, checkedInAt: iso(t.checkedInAt) ?? '' };
    },
  );
}
