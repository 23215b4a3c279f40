// Public pages: the home page, a campaign page with its donate form, and the
// thank-you page. Fully usable without JavaScript.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { DomainError, ValidationError, type FieldIssue } from '../../domain/errors.ts';
import { formatPercent } from '../../domain/fees.ts';
import { exponentOf, formatMajor, money, parseMoney, type Money } from '../../domain/money.ts';
import { newSecret } from '../../db/ids.ts';
import type { CampaignRow } from '../../db/campaigns.ts';
import {
  campaignProgress,
  getPublicCampaign,
  listPublicCampaigns,
  publicSupporters,
  type CampaignProgress,
  type PublicPledge,
} from '../../services/campaigns.ts';
import { guardPaymentStart, notePaymentCheckout } from '../../services/card-testing.ts';
import { feeCoverFor, getGift, startOnlineGift } from '../../services/gifts.ts';
import { once } from '../../services/idempotency.ts';
import { acceptedCurrencies } from '../../services/rates.ts';
import { translator } from '../../i18n.ts';
import { renderStory } from '../markdown.ts';
import { localPath } from '../forms.ts';
import { moneyLimit } from '../plugins/limits.ts';
import { VisitorPages } from '../visitor-pages.ts';

const t = translator('en');

const donateForm = z.object({
  amount: z.string().optional(),
  amount_other: z.string().optional(),
  currency: z.string().optional(),
  name: z.string().trim().min(1, t('Enter your name (it stays hidden if you give anonymously)')).max(200, t('At most 200 characters')),
  email: z.email(t('Enter a valid e-mail address')).max(254),
  anonymous: z.literal('on').optional(),
  show_amount: z.literal('on').optional(),
  comment: z.string().trim().max(1000, t('At most 1,000 characters')).optional(),
  cover_fee: z.literal('on').optional(),
  form_token: z.string().min(16).max(100),
});

type DonateValues = Record<string, string>;

function presets(c: CampaignRow): { money: Money; value: string }[] {
  const majors = exponentOf(c.currency) === 0 ? [10_000, 30_000, 50_000, 100_000] : [25, 50, 100, 250];
  const list = majors.map((m) => money(m * 10 ** exponentOf(c.currency), c.currency));
  if (c.impactUnitCost !== null && !list.some((m) => m.amount === c.impactUnitCost)) {
    list.push(money(c.impactUnitCost, c.currency));
    list.sort((a, b) => a.amount - b.amount);
  }
  // The value names its currency: a preset means what its label says,
  // whatever currency is chosen for "another amount".
  return list.map((m) => ({ money: m, value: `${formatMajor(m)} ${m.currency}` }));
}

/** The gift's amount: "another amount" in the chosen currency, else the preset picked. */
function amountFromForm(raw: DonateValues, accepted: readonly string[]): { money: Money } | { issue: FieldIssue } {
  const other = raw.amount_other?.trim();
  const [presetAmount, presetCurrency] = (raw.amount ?? '').split(' ');
  const typed = other ? { value: other, currency: raw.currency ?? '', field: 'amount_other' } : { value: presetAmount ?? '', currency: presetCurrency ?? '', field: 'amount' };
  if (!typed.value) return { issue: { field: 'amount', message: t('Choose or enter an amount') } };
  if (!accepted.includes(typed.currency)) {
    return { issue: { field: other ? 'currency' : 'amount', message: t('Gifts in this currency cannot be accepted') } };
  }
  try {
    return { money: parseMoney(typed.value, typed.currency) };
  } catch (err) {
    const first = err instanceof ValidationError ? err.issues[0] : undefined;
    if (!first) throw err;
    return { issue: { field: typed.field, message: first.message } };
  }
}

/** "Every gift doubled by an anonymous sponsor" — the banner for active pledges. */
function matchBanner(matches: readonly PublicPledge[]): { text: string; remaining: Money } | null {
  const active = matches.filter((m) => m.status === 'active');
  const first = active[0];
  if (!first) return null;
  const verbs: Record<string, string> = { '1:1': 'doubled', '2:1': 'tripled', '3:1': 'quadrupled' };
  const sponsor = first.anonymous ? t('an anonymous sponsor') : first.sponsor;
  const verb = verbs[first.ratio];
  const text =
    active.length > 1
      ? t('Gifts matched by {n} sponsors', { n: active.length })
      : verb
        ? t('Every gift {verb} by {sponsor}', { verb: t(verb), sponsor })
        : t('Gifts matched {ratio} by {sponsor}', { ratio: first.ratio, sponsor });
  const remaining = active.reduce((n, m) => n + m.remaining.amount, 0);
  return { text, remaining: money(remaining, first.remaining.currency) };
}

/** Bar lengths in thousandths of the goal, for the server-rendered thermometer. */
export function thermometer(p: CampaignProgress) {
  const goal = p.goal.amount;
  const raised = Math.min(1000, Math.floor((p.raised.amount * 1000) / goal));
  const matched = Math.min(1000 - raised, Math.floor((p.matched.amount * 1000) / goal));
  return { raised, matched, percent: Math.floor((p.total.amount * 100) / goal) };
}

export default async function publicCampaigns(app: FastifyInstance) {
  const svc = app.services;

  /** The home page's data, and when the clock alone changes it (a pledge window, as on each campaign's page). */
  function homePage() {
    const campaigns = listPublicCampaigns(svc).map((c) => {
      const p = campaignProgress(svc, c);
      return { progress: p, bar: thermometer(p) };
    });
    return { data: { title: t('Campaigns'), campaigns }, changesAt: () => Math.min(...campaigns.map((c) => c.progress.changesAt)), about: undefined };
  }

  // The first page most visitors see: made once per change for those not logged in.
  const homePages = new VisitorPages(app, 'pages/public/home');
  app.get('/', { schema: { hide: true } }, (req, reply) => homePages.serve(req, reply, 'home', homePage));

  /**
   * The "cover the processing fee" checkbox, when this installation offers it:
   * the fee for the amount already entered (a form shown again), else the
   * rate; and what the page's script needs to show the figure as the donor
   * picks an amount. The server computes the fee again from what is sent.
   */
  function feeOffer(campaign: CampaignRow, currencies: readonly string[], values: DonateValues) {
    const fee = svc.config.processingFee;
    if (fee === null || currencies.length === 0) return null;
    const entered = amountFromForm(values, currencies);
    const fixed = fee.fixed[campaign.currency];
    return {
      amount: 'money' in entered ? feeCoverFor(svc, entered.money) : null,
      percent: formatPercent(fee.millionths),
      fixed: fixed ? money(fixed, campaign.currency) : null,
      script: {
        millionths: fee.millionths,
        fixed: Object.fromEntries(currencies.map((c) => [c, fee.fixed[c] ?? 0])),
        exponents: Object.fromEntries(currencies.map((c) => [c, exponentOf(c)])),
      },
    };
  }

  function campaignPage(campaign: CampaignRow, form: { values: DonateValues; errors: Record<string, string>; message?: string }) {
    const progress = campaignProgress(svc, campaign);
    const currencies = campaign.status === 'published' ? acceptedCurrencies(svc, campaign.currency) : [];
    const values = { currency: campaign.currency, show_amount: 'on', form_token: newSecret(18), ...form.values };
    const data = {
      title: campaign.title,
      progress,
      bar: thermometer(progress),
      banner: matchBanner(progress.matches),
      supporters: publicSupporters(svc, campaign, 10),
      story: renderStory(`${campaign.id}:${campaign.updatedAt}`, campaign.story),
      currencies,
      presets: presets(campaign),
      open: campaign.status === 'published',
      fee: feeOffer(campaign, currencies, values),
      form: { ...form, values },
    };
    return { data, changesAt: progress.changesAt };
  }

  function renderCampaign(
    reply: FastifyReply,
    campaign: CampaignRow,
    form: { values: DonateValues; errors: Record<string, string>; message?: string },
  ) {
    return reply.page('pages/public/campaign', campaignPage(campaign, form).data);
  }

  const visitorPages = new VisitorPages(app, 'pages/public/campaign');

  app.get<{ Params: { slug: string } }>('/campaigns/:slug', { schema: { hide: true } }, (req, reply) =>
    visitorPages.serve(req, reply, req.params.slug, (formToken) => {
      const { data, changesAt } = campaignPage(getPublicCampaign(svc, req.params.slug), { values: { form_token: formToken }, errors: {} });
      return { data, changesAt: () => changesAt, about: undefined };
    }),
  );

  app.post<{ Params: { slug: string }; Body: Record<string, unknown> }>(
    '/campaigns/:slug/donate',
    { schema: { hide: true }, config: moneyLimit(svc.config) },
    async (req, reply) => {
      const campaign = getPublicCampaign(svc, req.params.slug);
      const raw = Object.fromEntries(
        Object.entries(req.body ?? {}).map(([k, v]) => [k, Array.isArray(v) ? String(v[0]) : String(v)]),
      );
      // The form keeps its token while it is being corrected, so a corrected
      // form that was in fact sent before still gives only once.
      const fail = (issues: readonly FieldIssue[], message?: string, freshToken = false) => {
        const errors = Object.fromEntries(issues.map((i) => [i.field, i.message]));
        const { form_token: token, ...values } = raw;
        reply.code(400);
        return renderCampaign(reply, campaign, {
          values: freshToken || !token ? values : { ...values, form_token: token },
          errors,
          ...(message && { message }),
        });
      };
      const parsed = donateForm.safeParse(raw);
      // The amount is checked even when other fields fail, so every problem shows at once.
      const amount = amountFromForm(raw, acceptedCurrencies(svc, campaign.currency));
      const issues = [
        ...(parsed.success ? [] : parsed.error.issues.map((i) => ({ field: String(i.path[0] ?? 'form'), message: i.message }))),
        ...('issue' in amount ? [amount.issue] : []),
      ];
      if (!parsed.success || 'issue' in amount) return fail(issues);
      const f = parsed.data;
      try {
        const result = await once(svc, 'form:donate', f.form_token, { slug: campaign.slug, ...f }, async () => {
          const attempt = await guardPaymentStart(svc, { ip: req.ip, email: f.email, kind: 'gift' }, svc.now());
          const started = await startOnlineGift(svc, app.payments, campaign.slug, {
            amount: amount.money,
            donor: { name: f.name, email: f.email.toLowerCase() },
            anonymous: f.anonymous === 'on',
            showAmount: f.show_amount === 'on',
            comment: f.comment || null,
            coverFee: f.cover_fee === 'on',
          });
          await notePaymentCheckout(svc, attempt, { giftId: started.gift.id });
          return { statusCode: 303, body: started.checkoutUrl };
        });
        return reply.redirect(localPath(String(result.body), svc.config.baseUrl), 303);
      } catch (err) {
        if (err instanceof ValidationError) {
          // Errors about the typed amount belong next to the custom amount field.
          return fail(err.issues.map((i) => (i.field === 'amount' && raw.amount_other?.trim() ? { ...i, field: 'amount_other' } : i)));
        }
        if (err instanceof DomainError && err.code === 'conflict') {
          // The same form was sent before with other values (a back button, a second tab).
          return fail([], t('This form was already sent once. Send it again to start a new gift.'), true);
        }
        if (err instanceof DomainError && (err.code === 'missing_rate' || err.code === 'invalid_state')) {
          return fail(err.issues, err.message);
        }
        if (err instanceof DomainError && err.code === 'unprocessable') {
          // The fee cover was chosen on a page from before it stopped being offered.
          return fail(err.issues.map((i) => (i.field === 'coverFee' ? { ...i, field: 'cover_fee' } : i)), err.message);
        }
        throw err;
      }
    },
  );

  app.get<{ Params: { id: string } }>('/gifts/:id/thank-you', { schema: { hide: true } }, async (req, reply) => {
    const gift = getGift(svc, req.params.id);
    const campaign = getPublicCampaign(svc, gift.campaignSlug);
    // Personal to one donor: never kept by a browser or a proxy.
    reply.header('cache-control', 'no-store');
    return reply.page('pages/public/thank-you', {
      title: gift.status === 'succeeded' ? t('Thank you') : t('Your gift'),
      gift,
      campaign,
    });
  });
}
