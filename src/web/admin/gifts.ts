// Console: a campaign's gifts, the cash box (offline gifts entered one after
// another at an event), a gift's page, and refunds (admins only, with a reason).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { DomainError, ValidationError } from '../../domain/errors.ts';
import { exponentOf, money, parseMoney, type Money } from '../../domain/money.ts';
import type { CampaignRow } from '../../db/campaigns.ts';
import { newSecret } from '../../db/ids.ts';
import { campaignProgress, getCampaign } from '../../services/campaigns.ts';
import { getGift, listGifts, offlineMethods, recordOfflineGift, refundGift } from '../../services/gifts.ts';
import { once } from '../../services/idempotency.ts';
import { audienceOf, giftFor } from '../../services/privacy.ts';
import { acceptedCurrencies } from '../../services/rates.ts';
import { translator } from '../../i18n.ts';
import { actorOf } from '../plugins/auth.ts';
import { formValues, parseForm, serviceErrors, type FieldErrors, type FormValues } from '../forms.ts';

const t = translator('en');
const ownCampaign = { roles: ['admin', 'organizer'] as const, owns: 'campaign' as const };
const pageSize = 50;

const methodLabels: Record<string, string> = { cash: t('Cash'), cheque: t('Cheque'), bank_transfer: t('Bank transfer'), other: t('Other') };
const methodOptions = offlineMethods.map((m) => ({ value: m, label: methodLabels[m] ?? m }));

const cashForm = z.object({
  amount: z.string().trim().min(1, t('Enter the amount')),
  currency: z.string(),
  method: z.enum(offlineMethods, { message: t('Choose how it was given') }),
  name: z.string().trim().max(200, t('At most 200 characters')).optional(),
  email: z.union([z.literal(''), z.email(t('Enter a valid e-mail address or leave it empty')).max(254)]).optional(),
  anonymous: z.literal('on').optional(),
  send_receipt: z.literal('on').optional(),
  note: z.string().trim().max(1000, t('At most 1,000 characters')).optional(),
  form_token: z.string().min(16).max(100),
});

const refundForm = z.object({
  amount: z.string().trim().optional(),
  reason: z.string().trim().min(3, t('Say why the gift is refunded (for the audit log)')).max(500),
  form_token: z.string().min(16).max(100),
});

function amountIn(value: string, currency: string, field: string): { money: Money } | { errors: FieldErrors } {
  try {
    const m = parseMoney(value, currency);
    if (m.amount <= 0) return { errors: { [field]: t('Enter an amount above zero') } };
    return { money: m };
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    return { errors: { [field]: err.issues[0]?.message ?? err.message } };
  }
}

export default async function adminGifts(app: FastifyInstance) {
  const svc = app.services;

  app.get<{ Params: { slug: string }; Querystring: { page?: string } }>(
    '/admin/campaigns/:slug/gifts',
    { schema: { hide: true }, config: { access: ownCampaign } },
    async (req, reply) => {
      const campaign = getCampaign(svc, req.params.slug);
      const page = Math.max(1, Math.min(10_000, Number.parseInt(req.query.page ?? '1', 10) || 1));
      const gifts = await listGifts(svc, campaign.slug, pageSize + 1, (page - 1) * pageSize);
      const audience = audienceOf(req.user?.role);
      reply.header('cache-control', 'no-store');
      return reply.page('pages/admin/gifts', {
        title: t('Gifts: {title}', { title: campaign.title }),
        campaign,
        gifts: gifts.slice(0, pageSize).map((g) => giftFor(g, audience)),
        page,
        more: gifts.length > pageSize,
      });
    },
  );

  // The cash box: the last entry and its match are shown above a fresh form,
  // which remembers the currency and method of the one before.
  function cashBox(req: FastifyRequest, reply: FastifyReply, campaign: CampaignRow, values: FormValues, errors: FieldErrors = {}, message?: string) {
    const query = req.query as Record<string, string | undefined>;
    const last = query.last ? getGift(svc, query.last) : null;
    reply.header('cache-control', 'no-store');
    return reply.page('pages/admin/cash-box', {
      title: t('Cash box: {title}', { title: campaign.title }),
      campaign,
      progress: campaignProgress(svc, campaign),
      last: last && last.campaignSlug === campaign.slug ? last : null,
      currencies: acceptedCurrencies(svc, campaign.currency).map((c) => ({ value: c, label: c })),
      methods: methodOptions,
      // A fresh form offers the receipt; one sent back keeps what the volunteer chose.
      values: { currency: query.currency ?? campaign.currency, method: query.method ?? 'cash', form_token: newSecret(18), ...(Object.keys(values).length === 0 && { send_receipt: 'on' }), ...values },
      errors,
      message,
      step: (c: string) => (exponentOf(c) === 0 ? '1' : '0.01'),
    });
  }

  app.get<{ Params: { slug: string } }>('/admin/campaigns/:slug/cash-box', { schema: { hide: true }, config: { access: ownCampaign } }, async (req, reply) => {
    const campaign = getCampaign(svc, req.params.slug);
    return cashBox(req, reply, campaign, {});
  });

  app.post<{ Params: { slug: string } }>('/admin/campaigns/:slug/cash-box', { schema: { hide: true }, config: { access: ownCampaign } }, async (req, reply) => {
    const campaign = getCampaign(svc, req.params.slug);
    const values = formValues(req.body);
    const parsed = parseForm(cashForm, values);
    const amount = amountIn(values.amount ?? '', values.currency ?? '', 'amount');
    const errors = { ...(parsed.ok ? {} : parsed.errors), ...('errors' in amount ? amount.errors : {}) };
    if (!parsed.ok || 'errors' in amount) return cashBox(req, reply.code(400), campaign, values, errors);
    const f = parsed.data;
    const name = f.name ?? '';
    try {
      // A double tap or a resent form on a flaky connection records the gift once.
      const result = await once(svc, 'form:cash-box', f.form_token, { slug: campaign.slug, ...f }, async () => {
        const gift = await recordOfflineGift(svc, actorOf(req), campaign.slug, {
          amount: amount.money,
          donor: { name: name || t('Anonymous donor'), email: f.email ? f.email.toLowerCase() : null },
          anonymous: f.anonymous === 'on' || !name,
          method: f.method,
          note: f.note || null,
          // The box is ticked by default; it sends only where an address was given.
          sendReceipt: f.send_receipt === 'on' && Boolean(f.email),
        });
        return { statusCode: 303, body: gift.id };
      });
      const q = new URLSearchParams({ last: String(result.body), currency: amount.money.currency, method: f.method });
      return reply.redirect(`/admin/campaigns/${campaign.slug}/cash-box?${q.toString()}`, 303);
    } catch (err) {
      if (err instanceof DomainError && err.code === 'conflict') {
        // The same form again: still being recorded, or sent before with other
        // values. Either way the first sending counts; the form keeps its
        // token, so sending it again can never record a second gift.
        const inProgress = err.issues.length === 0;
        return cashBox(
          req,
          reply.code(409),
          campaign,
          values,
          {},
          inProgress
            ? t('This gift is still being recorded. Check the gifts list in a moment before entering it again.')
            : t('This form was already used to record a gift. Check the gifts list; for another gift, open a new entry form.'),
        );
      }
      const e = serviceErrors(err, { 'amount.currency': 'currency', amount: 'amount' });
      return cashBox(req, reply.code(400), campaign, values, e.errors, e.message);
    }
  });

  function giftPage(req: FastifyRequest, reply: FastifyReply, id: string, values: FormValues = {}, errors: FieldErrors = {}, message?: string) {
    const audience = audienceOf(req.user?.role);
    const gift = giftFor(getGift(svc, id), audience);
    const campaign = getCampaign(svc, gift.campaignSlug);
    const isAdmin = audience === 'admin';
    reply.header('cache-control', 'no-store');
    return reply.page('pages/admin/gift', {
      title: t('Gift'),
      gift,
      campaign,
      isAdmin,
      refundable: isAdmin && (gift.status === 'succeeded' || gift.status === 'partially_refunded'),
      remaining: money(gift.amount.amount - gift.refunded.amount, gift.amount.currency),
      feeCoverLeft: money(gift.feeCover.amount - gift.feeCoverRefunded.amount, gift.feeCover.currency),
      values: { form_token: newSecret(18), ...values },
      errors,
      message,
      flash: (req.query as Record<string, string | undefined>).done === 'refunded' ? t('The refund was recorded and the matching recalculated.') : undefined,
    });
  }

  app.get<{ Params: { id: string } }>('/admin/gifts/:id', { schema: { hide: true }, config: { access: { roles: ['admin', 'organizer'], owns: 'gift' } } }, async (req, reply) =>
    giftPage(req, reply, req.params.id),
  );

  app.post<{ Params: { id: string } }>('/admin/gifts/:id/refund', { schema: { hide: true }, config: { access: { roles: ['admin'], owns: 'gift' } } }, async (req, reply) => {
    const gift = getGift(svc, req.params.id);
    const values = formValues(req.body);
    const parsed = parseForm(refundForm, values);
    const amount = values.amount?.trim() ? amountIn(values.amount, gift.amount.currency, 'amount') : null;
    const errors = { ...(parsed.ok ? {} : parsed.errors), ...(amount && 'errors' in amount ? amount.errors : {}) };
    if (!parsed.ok || (amount && 'errors' in amount)) return giftPage(req, reply.code(400), gift.id, values, errors);
    try {
      await once(svc, 'form:refund', parsed.data.form_token, { gift: gift.id, ...parsed.data }, async () => {
        await refundGift(svc, actorOf(req), gift.id, { ...(amount && { amount: amount.money }), reason: parsed.data.reason }, app.payments);
        return { statusCode: 303, body: gift.id };
      });
    } catch (err) {
      const e = serviceErrors(err, { 'amount.amount': 'amount' });
      return giftPage(req, reply.code(400), gift.id, values, e.errors, e.message);
    }
    return reply.redirect(`/admin/gifts/${gift.id}?done=refunded`, 303);
  });
}
