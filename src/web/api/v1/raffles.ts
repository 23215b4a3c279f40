// JSON API for raffles: setting one up at an event, entries (bought online by
// guests, or sold for cash with an organizer's token), closing (the pool and
// the commitment), the draw (the seed and the winners), redraws, and the
// public record that anyone can verify (docs/raffle-draw.md).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { DomainError } from '../../../domain/errors.ts';
import { guardPaymentStart, notePaymentCheckout } from '../../../services/card-testing.ts';
import { mayAccess } from '../../../services/permissions.ts';
import {
  buyRaffleTickets,
  closeRaffle,
  createRaffle,
  drawRaffle,
  getRaffle,
  publicRaffle,
  redrawPrize,
  sellRaffleTicketsAtDoor,
  signUpForDraw,
  type EntryView,
} from '../../../services/raffles.ts';
import { actorOf } from '../../plugins/auth.ts';
import { moneyLimit } from '../../plugins/limits.ts';
import { idempotent } from './idempotent.ts';
import { dateTimeSchema, idempotencyHeaders, idParams, moneyOut, moneySchema, slugParams } from './schemas.ts';

const bearer = [{ bearer: [] }];
const problem = z.object({ type: z.string(), title: z.string(), status: z.number(), detail: z.string() }).loose();

const optionalText = (max: number) => z.string().trim().max(max).optional();

const raffleCreate = z.strictObject({
  title: z.string().trim().min(1, 'Required').max(200),
  rules: z.string().max(10_000).optional(),
  /** paid (the default), or a free prize draw: signup, or checked_in guests of the event. */
  entry: z.enum(['paid', 'checked_in', 'signup']).optional(),
  price: moneySchema.optional(),
  bundles: z.array(z.strictObject({ quantity: z.number().int().min(1).max(1000), price: moneySchema })).max(10).optional(),
  prizes: z
    .array(
      z.strictObject({
        name: z.string().trim().min(1, 'Name the prize').max(200),
        description: z.string().max(2000).optional(),
        donor: optionalText(200),
        value: z.strictObject({ amount: z.number().int().min(0), currency: z.string() }).optional(),
      }),
    )
    .min(1, 'Add at least one prize')
    .max(50),
  onePrizePerPerson: z.boolean(),
  jurisdiction: optionalText(20),
  licence: optionalText(100),
  authority: optionalText(200),
  ageLimit: z.number().int().min(1).max(99).optional(),
  drawAt: dateTimeSchema.optional(),
  drawPlace: optionalText(300),
  claimDays: z.number().int().min(1).max(365).optional(),
  maxTickets: z.number().int().min(1).optional(),
  salesStart: dateTimeSchema.optional(),
  salesEnd: dateTimeSchema.optional(),
  /** Open sales at once (the default; refused while the jurisdiction's requirements are missing), or keep a draft. */
  status: z.enum(['draft', 'open']).optional(),
});

const entryCreate = z.strictObject({
  buyer: z.strictObject({ name: z.string().trim().max(200), email: z.email('Enter a valid e-mail address').max(254).optional() }),
  quantity: z.number().int().min(1).max(1000),
  /** Staff only: a sale at the door. */
  method: z.enum(['cash', 'card_terminal', 'other']).optional(),
  /** The buyer agrees to be named (first name and initial) if a ticket wins. */
  publicName: z.boolean().optional(),
  /** The buyer confirmed the age limit and accepted the rules (required when the raffle has either). */
  confirmed: z.boolean().optional(),
});

const ranges = z.array(z.tuple([z.number(), z.number()]));
const drawStatus = z.enum(['won', 'claimed', 'forfeited', 'unawarded']);

const raffleOut = z.object({
  id: z.string(),
  title: z.string(),
  status: z.enum(['draft', 'open', 'closed', 'drawn', 'cancelled']),
  event: z.string().nullable(),
  campaign: z.string().nullable(),
  rules: z.string(),
  jurisdiction: z.string(),
  licence: z.string().nullable(),
  authority: z.string().nullable(),
  ageLimit: z.number().nullable(),
  drawAt: z.string().nullable(),
  drawPlace: z.string().nullable(),
  claimDays: z.number(),
  entry: z.enum(['paid', 'checked_in', 'signup']),
  bundles: z.array(z.object({ quantity: z.number(), price: moneyOut })),
  maxTickets: z.number().nullable(),
  ticketsLeft: z.number().nullable(),
  salesStart: z.string().nullable(),
  salesEnd: z.string().nullable(),
  onePrizePerPerson: z.boolean(),
  prizes: z.array(z.object({ name: z.string(), description: z.string(), donor: z.string().nullable(), value: moneyOut.nullable() })),
  commitment: z.string().nullable(),
  pool: ranges.nullable(),
  sameHolder: z.array(z.array(z.number())).nullable(),
  seed: z.string().nullable(),
  draws: z.array(z.object({ prize: z.number(), ticketNumber: z.number().nullable(), attempt: z.number(), status: drawStatus })).nullable(),
  redraws: z.array(z.number()).nullable(),
  winners: z.array(z.object({ prize: z.number(), prizeName: z.string(), ticketNumber: z.number().nullable(), name: z.string().nullable(), status: drawStatus })).nullable(),
  verification: z.string(),
});

const entryOut = z.object({
  id: z.string(),
  raffle: z.string(),
  status: z.string(),
  quantity: z.number(),
  amount: moneyOut,
  checkoutUrl: z.string().optional(),
  ticketNumbers: z.array(z.number()),
});

const drawnOut = z.object({
  seed: z.string(),
  commitment: z.string(),
  winners: z.array(z.object({ prize: z.number(), prizeName: z.string(), ticketNumber: z.number().nullable() })),
});

const prizeParams = z.strictObject({ id: z.string().min(1).max(100), i: z.coerce.number().int().min(0).max(1000) });

function entryJson(v: EntryView, checkoutUrl: string | null) {
  return {
    id: v.entry.id,
    raffle: v.raffle.id,
    status: v.entry.status,
    quantity: v.entry.quantity,
    amount: { amount: v.entry.amount, currency: v.entry.currency },
    ...(checkoutUrl !== null && { checkoutUrl }),
    ticketNumbers: v.ticketNumbers,
  };
}

/** A sale for cash needs a token of someone who runs this raffle. */
function assertMaySellAtDoor(req: FastifyRequest, raffleId: string): void {
  const user = req.user;
  if (!user) throw new DomainError('unauthorized', 'Selling for cash needs an organizer’s API token: Authorization: Bearer <token>.');
  if ((user.role !== 'admin' && user.role !== 'organizer') || !mayAccess(req.server.services, user, 'raffle', raffleId)) {
    throw new DomainError('forbidden', `You (${user.role}) do not run this raffle's event or campaign.`);
  }
}

export default async function rafflesApi(root: FastifyInstance) {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const svc = root.services;
  const staff = { roles: ['admin', 'organizer'] as ('admin' | 'organizer')[], owns: 'raffle' as const };

  const create = (req: FastifyRequest, b: z.infer<typeof raffleCreate>, owner: { eventSlug: string } | { campaignSlug: string }) => {
    return createRaffle(svc, actorOf(req), {
      ...b,
      ...owner,
      price: b.price ?? null,
      bundles: b.bundles ?? [],
      prizes: b.prizes.map((p) => ({ ...p, value: p.value ?? null })),
      open: (b.status ?? 'open') === 'open',
    });
  };

  // A raffle belongs to an event, or directly to a campaign: the same body either way.
  const owners = [
    { path: '/events/:slug/raffles', owns: 'event', summary: 'Set up a raffle at an event: paid tickets in bundles (sales open only when the jurisdiction’s requirements are met), or a free prize draw' },
    { path: '/campaigns/:slug/raffles', owns: 'campaign', summary: 'Set up a raffle for a campaign directly (no event): paid tickets in bundles or a free sign-up draw' },
  ] as const;
  for (const owner of owners) {
    app.post(
      owner.path,
      {
        config: { access: { roles: ['admin', 'organizer'], owns: owner.owns } },
        schema: {
          tags: ['admin'],
          security: bearer,
          summary: owner.summary,
          params: slugParams,
          headers: idempotencyHeaders,
          body: raffleCreate,
          response: { 201: raffleOut, 400: problem, 401: problem, 403: problem, 404: problem, 422: problem },
        },
      },
      async (req, reply) =>
        idempotent(req, reply, 'raffle', async () => {
          const at = owner.owns === 'event' ? { eventSlug: req.params.slug } : { campaignSlug: req.params.slug };
          return { statusCode: 201, body: publicRaffle(svc, await create(req, req.body, at)) };
        }),
    );
  }

  app.get(
    '/raffles/:id',
    {
      config: { access: 'public' },
      schema: {
        tags: ['public'],
        summary: 'A raffle’s public record: prizes, the commitment and pool once closed, the seed and every draw once drawn (enough to verify it; no e-mails)',
        params: idParams,
        response: { 200: raffleOut, 404: problem },
      },
    },
    async (req) => publicRaffle(svc, getRaffle(svc, req.params.id)),
  );

  app.post(
    '/raffles/:id/entries',
    {
      config: { access: 'public', ...moneyLimit(svc.config) },
      schema: {
        tags: ['public'],
        summary: 'Buy a bundle of raffle tickets (pending until paid at checkoutUrl), sign up for a free draw, or, with an organizer’s token and a method, sell for cash (paid, numbered at once)',
        params: idParams,
        headers: idempotencyHeaders,
        body: entryCreate,
        response: { 201: entryOut, 400: problem, 401: problem, 403: problem, 404: problem, 409: problem, 422: problem, 429: problem },
      },
    },
    async (req, reply) =>
      idempotent(req, reply, 'raffle-entry', async () => {
        const b = req.body;
        const id = req.params.id;
        const input = { buyer: { name: b.buyer.name, email: b.buyer.email ?? null }, quantity: b.quantity, publicName: b.publicName ?? false, confirmed: b.confirmed ?? false };
        if (b.method) {
          assertMaySellAtDoor(req, id);
          const view = await sellRaffleTicketsAtDoor(svc, actorOf(req), id, { ...input, method: b.method });
          return { statusCode: 201, body: entryJson(view, null) };
        }
        if (getRaffle(svc, id).raffle.entry === 'signup') {
          const view = await signUpForDraw(svc, id, input);
          return { statusCode: 201, body: entryJson(view, null) };
        }
        const attempt = await guardPaymentStart(svc, { ip: req.ip, email: input.buyer.email, kind: 'raffle' }, svc.now());
        const started = await buyRaffleTickets(svc, root.payments, id, input);
        await notePaymentCheckout(svc, attempt, { raffleEntryId: started.view.entry.id });
        return { statusCode: 201, body: entryJson(started.view, started.checkoutUrl) };
      }),
  );

  app.post(
    '/raffles/:id/close',
    {
      config: { access: staff },
      schema: {
        tags: ['admin'],
        security: bearer,
        summary: 'Close sales: freeze the pool and commit to a secret seed (its SHA-256 is published); cannot be undone',
        params: idParams,
        response: { 200: z.object({ commitment: z.string(), pool: ranges }), 401: problem, 403: problem, 404: problem, 409: problem, 422: problem },
      },
    },
    async (req) => closeRaffle(svc, actorOf(req), req.params.id),
  );

  app.post(
    '/raffles/:id/draw',
    {
      config: { access: staff },
      schema: {
        tags: ['admin'],
        security: bearer,
        summary: 'Draw: reveal the seed and the winners (once)',
        params: idParams,
        response: { 200: drawnOut, 401: problem, 403: problem, 404: problem, 409: problem },
      },
    },
    async (req) => drawRaffle(svc, actorOf(req), req.params.id),
  );

  app.post(
    '/raffles/:id/prizes/:i/redraw',
    {
      config: { access: staff },
      schema: {
        tags: ['admin'],
        security: bearer,
        summary: 'Redraw an unclaimed prize, continuing its attempts after the last one used',
        params: prizeParams,
        response: { 200: drawnOut, 401: problem, 403: problem, 404: problem, 409: problem },
      },
    },
    async (req) => redrawPrize(svc, actorOf(req), req.params.id, req.params.i),
  );
}
