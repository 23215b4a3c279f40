// JSON API v1. Routes validate with zod, call one service function and shape
// the answer; authorization is declared per route with requireRole.
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  campaignProgress,
  createCampaign,
  getPublicCampaign,
  listPublicCampaigns,
  patchCampaign,
  describePledge,
} from '../../../services/campaigns.ts';
import { guardPaymentStart, notePaymentCheckout } from '../../../services/card-testing.ts';
import { listGifts, recordOfflineGift, refundGift, startOnlineGift } from '../../../services/gifts.ts';
import { createPledge, pledgeStatement } from '../../../services/pledges.ts';
import { audienceOf } from '../../../services/privacy.ts';
import { addRate } from '../../../services/rates.ts';
import { actorOf } from '../../plugins/auth.ts';
import { moneyLimit } from '../../plugins/limits.ts';
import { maxCacheAgeMs, ReadCache } from '../../../services/read-cache.ts';
import eventsApi from './events.ts';
import { idempotent } from './idempotent.ts';
import ordersApi from './orders.ts';
import rafflesApi from './raffles.ts';
import { campaignJson, giftAdminJson, giftJson, pledgeJson, statementJson } from './present.ts';
import * as s from './schemas.ts';

const bearer = [{ bearer: [] }];
const problem = z.object({ type: z.string(), title: z.string(), status: z.number(), detail: z.string() }).loose();

/** Sends JSON already serialised from a schema-shaped object: Fastify passes strings through. */
function sendSerialised(reply: FastifyReply, json: string): FastifyReply {
  return reply.type('application/json; charset=utf-8').send(json);
}

export default async function apiV1(root: FastifyInstance) {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const svc = root.services;
  const base = svc.config.baseUrl;
  const campaignCache = new ReadCache<string>();

  app.get(
    '/campaigns',
    { config: { access: 'public' }, schema: { tags: ['public'], summary: 'Published campaigns with their progress', response: { 200: z.object({ campaigns: z.array(s.campaignOut) }) } } },
    async () => ({ campaigns: listPublicCampaigns(svc).map((c) => campaignJson(campaignProgress(svc, c), base)) }),
  );

  app.get(
    '/campaigns/:slug',
    { config: { access: 'public' }, schema: { tags: ['public'], summary: 'One campaign with totals and matching pledges', params: s.slugParams, response: { 200: s.campaignOut, 404: problem } } },
    async (req, reply) => {
      const now = svc.now();
      const version = svc.db.version();
      let body = campaignCache.get(req.params.slug, version, now);
      if (body === undefined) {
        const progress = campaignProgress(svc, getPublicCampaign(svc, req.params.slug));
        body = JSON.stringify(campaignJson(progress, base));
        campaignCache.set(req.params.slug, version, Math.min(progress.changesAt, now + maxCacheAgeMs), body);
      }
      return sendSerialised(reply, body);
    },
  );

  app.post(
    '/campaigns/:slug/donations',
    {
      config: { access: 'public', ...moneyLimit(svc.config) },
      schema: {
        tags: ['public'],
        summary: 'Start an online gift as a guest; pay at checkoutUrl',
        params: s.slugParams,
        headers: s.idempotencyHeaders,
        body: s.donationCreate,
        response: { 201: s.donationOut, 400: problem, 404: problem, 409: problem, 422: problem, 429: problem },
      },
    },
    async (req, reply) =>
      idempotent(req, reply, 'donation', async () => {
        const b = req.body;
        const attempt = await guardPaymentStart(svc, { ip: req.ip, email: b.donor.email ?? null, kind: 'gift' }, svc.now());
        const started = await startOnlineGift(svc, root.payments, req.params.slug, {
          amount: b.amount,
          donor: b.donor,
          anonymous: b.anonymous,
          showAmount: b.showAmount,
          comment: b.comment ?? null,
          coverFee: b.coverFee,
        });
        await notePaymentCheckout(svc, attempt, { giftId: started.gift.id });
        const g = started.gift;
        return {
          statusCode: 201,
          body: { id: g.id, status: g.status, amount: g.amount, feeCover: g.feeCover, charged: started.charged, checkoutUrl: started.checkoutUrl },
        };
      }),
  );

  // Admin and organizer routes below.
  app.post(
    '/campaigns',
    {
      config: { access: { roles: ['admin', 'organizer'] } },
      schema: { tags: ['admin'], security: bearer, summary: 'Create a campaign', body: s.campaignCreate, response: { 201: s.campaignOut, 400: problem, 401: problem, 403: problem, 409: problem } },
    },
    async (req, reply) => {
      const b = req.body;
      const c = await createCampaign(svc, actorOf(req), {
        slug: b.slug,
        title: b.title,
        story: b.story ?? '',
        currency: b.currency,
        goal: b.goal,
        impact: b.impact ?? null,
        startsAt: b.startsAt ?? null,
        endsAt: b.endsAt ?? null,
        status: b.status,
      });
      return reply.code(201).send(campaignJson(campaignProgress(svc, c), base));
    },
  );

  app.patch(
    '/campaigns/:slug',
    {
      config: { access: { roles: ['admin', 'organizer'], owns: 'campaign' } },
      schema: { tags: ['admin'], security: bearer, summary: 'Change a campaign', params: s.slugParams, body: s.campaignPatch, response: { 200: s.campaignOut, 400: problem, 401: problem, 403: problem, 404: problem } },
    },
    async (req) => {
      const c = await patchCampaign(svc, actorOf(req), req.params.slug, req.body);
      return campaignJson(campaignProgress(svc, c), base);
    },
  );

  app.post(
    '/exchange-rates',
    {
      config: { access: { roles: ['admin'] } },
      schema: { tags: ['admin'], security: bearer, summary: 'Enter an exchange rate: 1 base = rate quote', body: s.rateCreate, response: { 201: s.rateOut, 400: problem, 401: problem, 403: problem } },
    },
    async (req, reply) => {
      const r = await addRate(svc, actorOf(req), req.body);
      return reply.code(201).send({ id: r.id, base: r.base, quote: r.quote, rate: r.rate, effectiveAt: new Date(r.effectiveAt).toISOString() });
    },
  );

  app.post(
    '/campaigns/:slug/match-pledges',
    {
      config: { access: { roles: ['admin'] } },
      schema: { tags: ['admin'], security: bearer, summary: 'Create a matching pledge (active at once)', params: s.slugParams, body: s.pledgeCreate, response: { 201: s.pledgeOut, 400: problem, 401: problem, 403: problem, 404: problem } },
    },
    async (req, reply) => {
      const b = req.body;
      const p = await createPledge(
        svc,
        actorOf(req),
        req.params.slug,
        {
          sponsor: b.sponsor,
          anonymous: b.anonymous,
          message: b.message ?? null,
          ratio: b.ratio,
          ...(b.cap && { cap: b.cap }),
          ...(b.capUnits !== undefined && { capUnits: b.capUnits }),
          startsAt: b.startsAt ?? null,
          endsAt: b.endsAt ?? null,
          minGift: b.minGift ?? null,
          maxPerGift: b.maxPerGift ?? null,
          maxPerDonor: b.maxPerDonor ?? null,
          sources: b.sources ?? null,
          ...(b.priority !== undefined && { priority: b.priority }),
          ...(b.stacking !== undefined && { stacking: b.stacking }),
          unlock: b.unlock ?? null,
        },
        'active',
      );
      return reply.code(201).send(pledgeJson(describePledge(svc, p)));
    },
  );

  app.get(
    '/match-pledges/:id/statement',
    {
      config: { access: { roles: ['admin', 'sponsor'], owns: 'pledge' } },
      schema: { tags: ['admin'], security: bearer, summary: "A pledge's statement: matched, remaining, owed, gifts matched", params: s.idParams, response: { 200: s.statementOut, 401: problem, 403: problem, 404: problem } },
    },
    async (req) => {
      return statementJson(pledgeStatement(svc, req.params.id));
    },
  );

  app.post(
    '/campaigns/:slug/gifts',
    {
      config: { access: { roles: ['admin', 'organizer'], owns: 'campaign' } },
      schema: { tags: ['admin'], security: bearer, summary: 'Record an offline gift (cash, cheque, transfer); it succeeds at once', params: s.slugParams, headers: s.idempotencyHeaders, body: s.giftCreate, response: { 201: s.giftOut, 400: problem, 401: problem, 403: problem, 404: problem, 409: problem, 422: problem } },
    },
    async (req, reply) =>
      idempotent(req, reply, 'gift', async () => {
        const b = req.body;
        const g = await recordOfflineGift(svc, actorOf(req), req.params.slug, {
          amount: b.amount,
          donor: { name: b.donor.name, email: b.donor.email ?? null },
          anonymous: b.anonymous,
          showAmount: b.showAmount,
          comment: b.comment ?? null,
          method: b.method,
          ...(b.receivedAt !== undefined && { receivedAt: b.receivedAt }),
          eventId: b.eventId ?? null,
          note: b.note ?? null,
          sendReceipt: b.sendReceipt === true,
        });
        return { statusCode: 201, body: giftJson(g) };
      }),
  );

  app.get(
    '/campaigns/:slug/gifts',
    {
      config: { access: { roles: ['admin', 'organizer'], owns: 'campaign' } },
      schema: { tags: ['admin'], security: bearer, summary: 'All gifts with donor details: e-mails for admins only; for organizers an anonymous donor is "Anonymous"', params: s.slugParams, querystring: s.pageQuery, response: { 200: z.object({ gifts: z.array(s.giftAdminOut) }), 401: problem, 403: problem, 404: problem } },
    },
    async (req) => {
      const gifts = await listGifts(svc, req.params.slug, req.query.limit, req.query.offset);
      const audience = audienceOf(req.user?.role);
      return { gifts: gifts.map((g) => giftAdminJson(g, audience)) };
    },
  );

  app.post(
    '/gifts/:id/refunds',
    {
      config: { access: { roles: ['admin'] } },
      schema: { tags: ['admin'], security: bearer, summary: 'Refund a gift in full or in part', params: s.idParams, headers: s.idempotencyHeaders, body: s.refundCreate, response: { 201: s.giftOut, 400: problem, 401: problem, 403: problem, 404: problem, 409: problem } },
    },
    async (req, reply) =>
      idempotent(req, reply, 'refund', async () => {
        const g = await refundGift(
          svc,
          actorOf(req),
          req.params.id,
          { ...(req.body.amount && { amount: req.body.amount }), reason: req.body.reason ?? null },
          root.payments,
        );
        return { statusCode: 201, body: giftJson(g) };
      }),
  );

  await root.register(eventsApi);
  await root.register(ordersApi);
  await root.register(rafflesApi);
}
