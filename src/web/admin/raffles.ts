// Console: raffles — set up at an event or for a campaign directly (with what
// the jurisdiction asks before paid sales may open), edit, open sales, sell
// bundles at the door with big buttons, refund an entry before the pool is
// frozen, close (publishing the commitment), draw, mark prizes claimed or
// redraw them, and a projector page that reveals the winners one by one
// without JavaScript.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { DomainError, ValidationError, type FieldIssue } from '../../domain/errors.ts';
import { localDateTime, parseLocalDateTime } from '../../domain/local-time.ts';
import { formatMajor, money, parseMoney, type Money } from '../../domain/money.ts';
import { missingForPaidSales, rulesFor, suggestedJurisdictions, type Requirement } from '../../domain/raffle-rules.ts';
import type { CampaignRow } from '../../db/campaigns.ts';
import type { EventRow } from '../../db/events.ts';
import { newSecret } from '../../db/ids.ts';
import type { UserRow } from '../../db/users.ts';
import { getCampaign } from '../../services/campaigns.ts';
import { disputeOf } from '../../services/disputes.ts';
import { getEvent } from '../../services/events.ts';
import { once } from '../../services/idempotency.ts';
import { audienceOf } from '../../services/privacy.ts';
import {
  closeRaffle,
  createRaffle,
  drawRaffle,
  getEntry,
  getRaffle,
  holderOfTicket,
  markPrizeClaimed,
  openRaffle,
  publicRaffle,
  raffleEntries,
  redrawPrize,
  refundRaffleEntry,
  sellRaffleTicketsAtDoor,
  updateRaffleSetup,
  type BundleInput,
  type EntryView,
  type PrizeInput,
  type RaffleEntryMode,
  type RaffleInput,
  type RaffleView,
} from '../../services/raffles.ts';
import { translator, type Locale } from '../../i18n.ts';
import { formatDate } from '../../format.ts';
import { formValues, parseForm, serviceErrors, type FieldErrors, type FormValues } from '../forms.ts';
import { handOnRefunds } from '../provider-refunds.ts';
import { actorOf } from '../plugins/auth.ts';
import { localeOf } from '../plugins/views.ts';
import { bundleLabel, drawTimeText, rangesText } from '../public/raffles.ts';
import { disputeText } from './dispute-text.ts';

const t = translator('en');
const ownEvent = { roles: ['admin', 'organizer'] as const, owns: 'event' as const };
const ownCampaign = { roles: ['admin', 'organizer'] as const, owns: 'campaign' as const };
const ownRaffle = { roles: ['admin', 'organizer'] as const, owns: 'raffle' as const };
const config = (access: typeof ownEvent | typeof ownCampaign | typeof ownRaffle) => ({ schema: { hide: true }, config: { access } });

/** Rows the setup form offers. */
const bundleRows = 3;
const prizeRows = 10;

const flashes: Record<string, string> = {
  created: t('The raffle was set up as a draft. Check what is still missing, then open sales.'),
  saved: t('Your changes were saved.'),
  opened: t('Sales are open: the raffle’s page is public.'),
  closed: t('Sales are closed. The pool is frozen and the commitment is published on the raffle’s page.'),
  claimed: t('The prize is marked as claimed.'),
  redrawn: t('The prize was drawn again.'),
  refunded: t('The entry was refunded: its tickets left the draw and its money left the campaign total.'),
};

const entryLabels: Record<string, string> = {
  paid: t('Paid tickets'),
  signup: t('Free sign-up'),
  checked_in: t('Free for checked-in guests'),
};

const requirementLabels: Record<Requirement, string> = {
  licence: t('Licence or permit number'),
  authority: t('Issuing authority'),
  ageLimit: t('Age limit'),
  drawPlace: t('Where the draw takes place'),
};

const sourceLabels: Record<string, string> = { online: t('Online'), door: t('At the door'), free: t('Free entry') };

const methodOptions = [
  { value: 'cash', label: t('Cash') },
  { value: 'card_terminal', label: t('Card terminal') },
  { value: 'other', label: t('Other') },
] as const;

const text = (max: number) => z.string().trim().max(max, t('At most {n} characters', { n: max.toLocaleString('en') }));
const optionalText = (max: number) => text(max).optional();

const setupSchema = z.object({
  title: text(200).min(1, t('Give the raffle a title')),
  rules: optionalText(10_000),
  jurisdiction: optionalText(20),
  licence: optionalText(100),
  authority: optionalText(200),
  draw_place: optionalText(200),
});

const doorForm = z.object({
  name: optionalText(200),
  email: z.union([z.literal(''), z.email(t('Enter a valid e-mail address, or leave it empty')).max(254)]).optional(),
  quantity: z.string().regex(/^\d{1,4}$/, t('Choose a bundle')),
  method: z.enum(['cash', 'card_terminal', 'other'], { message: t('Choose how they paid') }),
  form_token: z.string().min(16).max(100),
});

const refundForm = z.object({
  reason: text(500).min(3, t('Say why the entry is refunded (for the audit log)')),
  form_token: z.string().min(16).max(100),
});

type SetupInput = Omit<RaffleInput, 'eventSlug' | 'campaignSlug' | 'open' | 'entry'>;

/**
 * Where a raffle's setup form is: at an event (its currency, time zone and
 * venue), or for a campaign directly, with no event: no draw among checked-in
 * guests, no venue to take the jurisdiction from, and the draw time in UTC.
 */
interface Setting {
  event: EventRow | null;
  currency: string;
  zone: string;
  /** Where the form is sent, and the page it came from. */
  action: string;
  back: string;
  backLabel: string;
}

function atEvent(event: EventRow): Setting {
  return { event, currency: event.currency, zone: event.timezone, action: `/admin/events/${event.slug}/raffles/new`, back: `/admin/events/${event.slug}`, backLabel: event.title };
}

function forCampaign(campaign: CampaignRow): Setting {
  return { event: null, currency: campaign.currency, zone: 'UTC', action: `/admin/campaigns/${campaign.slug}/raffles/new`, back: `/admin/campaigns/${campaign.slug}`, backLabel: campaign.title };
}

function ofRaffle(view: RaffleView): Setting {
  const r = view.raffle;
  return { event: view.event, currency: r.currency, zone: view.event?.timezone ?? 'UTC', action: `/admin/raffles/${r.id}/edit`, back: `/admin/raffles/${r.id}`, backLabel: r.title };
}

/** How people may enter: a draw among checked-in guests needs an event. */
function entryModes(setting: Setting): RaffleEntryMode[] {
  return setting.event ? ['paid', 'signup', 'checked_in'] : ['paid', 'signup'];
}

/** The form's rows for the service's bundles and prizes, so the service's errors land on the right row. */
interface SetupRows {
  bundles: number[];
  prizes: number[];
}

function whole(value: string | undefined, field: string, message: string, issues: FieldIssue[]): number | null {
  const v = value?.trim().replace(/[,\s]/g, '') ?? '';
  if (v === '') return null;
  if (!/^\d{1,9}$/.test(v)) {
    issues.push({ field, message });
    return null;
  }
  return Number(v);
}

function price(value: string | undefined, currency: string, field: string, issues: FieldIssue[], allowZero = false): Money | null {
  const v = value?.trim() ?? '';
  if (v === '') return null;
  try {
    return parseMoney(v, currency, { allowZero, field });
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    issues.push({ field, message: err.issues[0]?.message ?? err.message });
    return null;
  }
}

/** Form values → the raffle service's input; every problem at once, keyed by form field. */
function setupFromForm(values: FormValues, setting: Setting): { ok: true; entry: RaffleEntryMode; input: SetupInput; rows: SetupRows } | { ok: false; errors: FieldErrors } {
  const { currency, zone } = setting;
  const parsed = setupSchema.safeParse(values);
  const issues: FieldIssue[] = parsed.success ? [] : parsed.error.issues.map((i) => ({ field: String(i.path[0]), message: i.message }));
  const entry = values.entry ?? 'paid';
  if (!(entryModes(setting) as string[]).includes(entry)) issues.push({ field: 'entry', message: t('Choose how people enter') });
  // Without an event there is no venue to take the jurisdiction from: the organizer says which law applies.
  if (!setting.event && !values.jurisdiction?.trim()) issues.push({ field: 'jurisdiction', message: t('Choose where the law applies: a code such as US-WA, or “other”') });
  const ageLimit = whole(values.age_limit, 'age_limit', t('Enter an age, e.g. 19, or leave it empty'), issues);
  const claimDays = whole(values.claim_days, 'claim_days', t('Enter a number of days, e.g. 30'), issues);
  const maxTickets = whole(values.max_tickets, 'max_tickets', t('Enter a number of tickets, or leave it empty'), issues);
  let drawAt: number | null = null;
  const drawText = values.draw_at?.trim() ?? '';
  if (drawText !== '') {
    try {
      drawAt = parseLocalDateTime(drawText, zone, 'draw_at');
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      issues.push(...err.issues);
    }
  }
  const paid = entry === 'paid';
  const single = paid ? price(values.price, currency, 'price', issues) : null;
  const bundles: BundleInput[] = [];
  const rows: SetupRows = { bundles: [], prizes: [] };
  for (let i = 0; paid && i < bundleRows; i++) {
    const q = values[`bundle_qty_${i}`]?.trim() ?? '';
    const p = values[`bundle_price_${i}`]?.trim() ?? '';
    if (q === '' && p === '') continue;
    const quantity = whole(q, `bundle_qty_${i}`, t('Enter how many tickets the bundle holds, e.g. 3'), issues);
    if (q === '') issues.push({ field: `bundle_qty_${i}`, message: t('Enter how many tickets the bundle holds, or clear its price') });
    const amount = price(p, currency, `bundle_price_${i}`, issues);
    if (p === '') issues.push({ field: `bundle_price_${i}`, message: t('Enter the bundle’s price, or clear its number of tickets') });
    if (quantity !== null && amount !== null) {
      bundles.push({ quantity, price: amount });
      rows.bundles.push(i);
    }
  }
  const prizes: PrizeInput[] = [];
  for (let i = 0; i < prizeRows; i++) {
    const name = values[`prize_name_${i}`]?.trim() ?? '';
    const description = values[`prize_description_${i}`]?.trim() ?? '';
    const donor = values[`prize_donor_${i}`]?.trim() ?? '';
    const valueText = values[`prize_value_${i}`]?.trim() ?? '';
    if (name === '' && description === '' && donor === '' && valueText === '') continue;
    if (name === '') issues.push({ field: `prize_name_${i}`, message: t('Name the prize, or clear its row') });
    if (name.length > 200) issues.push({ field: `prize_name_${i}`, message: t('At most {n} characters', { n: 200 }) });
    if (description.length > 1000) issues.push({ field: `prize_description_${i}`, message: t('At most {n} characters', { n: '1,000' }) });
    if (donor.length > 200) issues.push({ field: `prize_donor_${i}`, message: t('At most {n} characters', { n: 200 }) });
    const value = price(valueText, currency, `prize_value_${i}`, issues, true);
    prizes.push({ name, description, donor: donor || null, value });
    rows.prizes.push(i);
  }
  if (prizes.length === 0) issues.push({ field: 'prize_name_0', message: t('Add at least one prize') });
  if (!parsed.success || issues.length > 0) {
    const errors: FieldErrors = {};
    for (const i of issues) errors[i.field] ??= i.message;
    return { ok: false, errors };
  }
  const f = parsed.data;
  return {
    ok: true,
    rows,
    entry: entry as RaffleEntryMode,
    input: {
      title: f.title,
      rules: f.rules ?? '',
      jurisdiction: f.jurisdiction || null,
      licence: f.licence || null,
      authority: f.authority || null,
      ageLimit,
      drawAt,
      drawPlace: f.draw_place || null,
      ...(claimDays !== null && { claimDays }),
      ...(paid && { price: single, bundles }),
      maxTickets,
      onePrizePerPerson: values.one_prize === 'on',
      prizes,
    },
  };
}

/** The service's field paths → the setup form's fields. */
function setupFieldNames(rows: SetupRows | null): Record<string, string> {
  const names: Record<string, string> = {
    'price.amount': 'price',
    'price.currency': 'price',
    'price.quantity': 'price',
    ageLimit: 'age_limit',
    maxTickets: 'max_tickets',
    claimDays: 'claim_days',
    drawPlace: 'draw_place',
    drawAt: 'draw_at',
    prizes: 'prize_name_0',
    salesEnd: 'form',
    eventSlug: 'form',
  };
  rows?.bundles.forEach((row, k) => {
    names[`bundles.${k}.quantity`] = `bundle_qty_${row}`;
    names[`bundles.${k}.amount`] = `bundle_price_${row}`;
    names[`bundles.${k}.currency`] = `bundle_price_${row}`;
  });
  rows?.prizes.forEach((row, k) => {
    names[`prizes.${k}.name`] = `prize_name_${row}`;
    names[`prizes.${k}.value`] = `prize_value_${row}`;
  });
  return names;
}

function setupToForm(view: RaffleView): FormValues {
  const r = view.raffle;
  const zone = view.event?.timezone ?? 'UTC';
  const values: FormValues = {
    title: r.title,
    rules: r.rules,
    entry: r.entry,
    jurisdiction: r.jurisdiction,
    licence: r.licence ?? '',
    authority: r.authority ?? '',
    age_limit: r.ageLimit === null ? '' : String(r.ageLimit),
    draw_at: r.drawAt === null ? '' : localDateTime(r.drawAt, zone).slice(0, 16),
    draw_place: r.drawPlace ?? '',
    claim_days: String(r.claimDays),
    max_tickets: r.maxTickets === null ? '' : String(r.maxTickets),
    ...(r.onePrizePerPerson && { one_prize: 'on' }),
  };
  const single = view.bundles.find((b) => b.quantity === 1);
  values.price = single ? formatMajor(money(single.price, r.currency)) : '';
  view.bundles
    .filter((b) => b.quantity !== 1)
    .forEach((b, i) => {
      values[`bundle_qty_${i}`] = String(b.quantity);
      values[`bundle_price_${i}`] = formatMajor(money(b.price, r.currency));
    });
  view.prizes.forEach((p, i) => {
    values[`prize_name_${i}`] = p.name;
    values[`prize_description_${i}`] = p.description;
    values[`prize_donor_${i}`] = p.donor ?? '';
    values[`prize_value_${i}`] = p.value === null ? '' : formatMajor(money(p.value, r.currency));
  });
  return values;
}

/** Bundles as comparable text: "1:5000,3:10000". */
function bundlesKey(list: readonly { quantity: number; price: number }[]): string {
  return [...list]
    .sort((a, b) => a.quantity - b.quantity)
    .map((b) => `${b.quantity}:${b.price}`)
    .join(',');
}

function user(req: FastifyRequest): UserRow {
  if (!req.user) throw new DomainError('unauthorized', 'Log in first.');
  return req.user;
}

function query(req: FastifyRequest): Record<string, string | undefined> {
  return req.query as Record<string, string | undefined>;
}

function localeOfReq(req: FastifyRequest): Locale {
  return localeOf(req.headers['accept-language']);
}

/** What a refused button says: the service's whole sentence (a button has no field to mark). Unexpected errors are rethrown. */
function messageOf(err: unknown): string {
  const e = serviceErrors(err);
  if (err instanceof DomainError && !(err instanceof ValidationError)) return err.message;
  return e.message ?? Object.values(e.errors).join(' ');
}

function prizeIndex(value: string): number {
  if (!/^\d{1,3}$/.test(value)) throw new DomainError('not_found', t('There is no such prize.'));
  return Number(value);
}

interface FormState {
  values: FormValues;
  errors: FieldErrors;
  message?: string;
}

interface PageState {
  door?: FormState;
  refund?: FormState & { entryId: string };
  close?: FormState;
  message?: string;
}

export default async function adminRaffles(app: FastifyInstance) {
  const svc = app.services;

  // ------------------------------------------------------------ setup and edit

  function requirementsBox(jurisdiction: string) {
    const rules = rulesFor(jurisdiction);
    return { name: rules.name, note: rules.note, minimumAge: rules.minimumAge, required: rules.paid.map((r) => requirementLabels[r]) };
  }

  function formPage(reply: FastifyReply, data: { setting: Setting; view?: RaffleView; values: FormValues; errors?: FieldErrors; message?: string; checked?: boolean }) {
    const { setting, view, values } = data;
    const locked = view ? view.raffle.status !== 'draft' && view.raffle.status !== 'open' : false;
    return reply.page('pages/admin/raffle-form', {
      title: view ? t('Edit {title}', { title: view.raffle.title }) : t('New raffle'),
      action: setting.action,
      back: setting.back,
      backLabel: setting.backLabel,
      event: setting.event,
      raffle: view?.raffle ?? null,
      locked,
      currency: setting.currency,
      zone: setting.zone,
      entryOptions: entryModes(setting).map((value) => ({ value, label: entryLabels[value] ?? value })),
      jurisdictions: suggestedJurisdictions,
      box: requirementsBox(values.jurisdiction?.trim() || 'other'),
      bundleRows,
      prizeRows,
      values,
      errors: data.errors ?? {},
      message: data.message,
      checked: data.checked ?? false,
    });
  }

  /** A new raffle's form, sent: checked, refused with every problem at once, or set up as a draft. */
  async function setUp(req: FastifyRequest, reply: FastifyReply, setting: Setting, owner: { eventSlug: string } | { campaignSlug: string }) {
    const values = formValues(req.body);
    const page = { setting, values };
    const form = setupFromForm(values, setting);
    // "Check the requirements" shows the box for the jurisdiction typed, and saves nothing.
    if (values.action === 'check') return formPage(reply, { ...page, ...(!form.ok && { errors: form.errors }), checked: true });
    if (!form.ok) return formPage(reply.code(400), { ...page, errors: form.errors });
    try {
      const created = await createRaffle(svc, actorOf(req), { ...form.input, entry: form.entry, ...owner });
      return reply.redirect(`/admin/raffles/${created.raffle.id}?done=created`, 303);
    } catch (err) {
      const e = serviceErrors(err, setupFieldNames(form.rows));
      return formPage(reply.code(400), { ...page, errors: e.errors, ...(e.message && { message: e.message }) });
    }
  }

  app.get<{ Params: { slug: string } }>('/admin/events/:slug/raffles/new', config(ownEvent), async (req, reply) => {
    const event = getEvent(svc, req.params.slug);
    const jurisdiction = event.venueCountry?.trim().toUpperCase() || 'other';
    const minimumAge = rulesFor(jurisdiction).minimumAge;
    return formPage(reply, {
      setting: atEvent(event),
      values: {
        title: t('{event} raffle', { event: event.title }),
        entry: event.campaignId ? 'paid' : 'signup',
        jurisdiction,
        age_limit: minimumAge === null ? '' : String(minimumAge),
        draw_place: [event.venueName, event.venueCity].filter(Boolean).join(', '),
        claim_days: '30',
      },
    });
  });

  app.post<{ Params: { slug: string } }>('/admin/events/:slug/raffles/new', config(ownEvent), async (req, reply) => {
    const event = getEvent(svc, req.params.slug);
    return setUp(req, reply, atEvent(event), { eventSlug: event.slug });
  });

  // A raffle held by the campaign itself: no venue, so no jurisdiction or draw place to suggest.
  app.get<{ Params: { slug: string } }>('/admin/campaigns/:slug/raffles/new', config(ownCampaign), async (req, reply) => {
    const campaign = getCampaign(svc, req.params.slug);
    return formPage(reply, {
      setting: forCampaign(campaign),
      values: { title: t('{campaign} raffle', { campaign: campaign.title }), entry: 'paid', jurisdiction: '', claim_days: '30' },
    });
  });

  app.post<{ Params: { slug: string } }>('/admin/campaigns/:slug/raffles/new', config(ownCampaign), async (req, reply) => {
    const campaign = getCampaign(svc, req.params.slug);
    return setUp(req, reply, forCampaign(campaign), { campaignSlug: campaign.slug });
  });

  app.get<{ Params: { id: string } }>('/admin/raffles/:id/edit', config(ownRaffle), async (req, reply) => {
    const view = getRaffle(svc, req.params.id);
    return formPage(reply, { setting: ofRaffle(view), view, values: setupToForm(view) });
  });

  app.post<{ Params: { id: string } }>('/admin/raffles/:id/edit', config(ownRaffle), async (req, reply) => {
    const view = getRaffle(svc, req.params.id);
    const r = view.raffle;
    // How people enter is fixed at setup: what was sold depends on it.
    const values: FormValues = { ...formValues(req.body), entry: r.entry };
    const page = { setting: ofRaffle(view), view, values };
    const form = setupFromForm(values, page.setting);
    if (values.action === 'check') return formPage(reply, { ...page, ...(!form.ok && { errors: form.errors }), checked: true });
    if (!form.ok) return formPage(reply.code(400), { ...page, errors: form.errors });
    const { price: single, bundles, onePrizePerPerson, ...rest } = form.input;
    const next = [...(single ? [{ quantity: 1, price: single.amount }] : []), ...(bundles ?? []).map((b) => ({ quantity: b.quantity, price: b.price.amount }))];
    try {
      // Prices and the one-prize rule are sent only when they change: once tickets are sold they stay as sold.
      await updateRaffleSetup(svc, actorOf(req), r.id, {
        ...rest,
        ...(r.entry === 'paid' && bundlesKey(next) !== bundlesKey(view.bundles) && { price: single ?? null, bundles: bundles ?? [] }),
        ...(onePrizePerPerson !== r.onePrizePerPerson && { onePrizePerPerson }),
      });
    } catch (err) {
      const e = serviceErrors(err, setupFieldNames(form.rows));
      const status = err instanceof DomainError && err.code === 'invalid_state' ? 409 : 400;
      return formPage(reply.code(status), { ...page, errors: e.errors, ...(e.message && { message: e.message }) });
    }
    return reply.redirect(`/admin/raffles/${r.id}?done=saved`, 303);
  });

  // ------------------------------------------------------------ the raffle's page

  function rafflePage(req: FastifyRequest, reply: FastifyReply, id: string, state: PageState = {}) {
    const locale = localeOfReq(req);
    const view = getRaffle(svc, id);
    const r = view.raffle;
    const now = svc.now();
    const zone = view.event?.timezone ?? 'UTC';
    const zoned = (ms: number) => formatDate(ms, { locale, timeZone: zone, style: 'datetime' });
    const isAdmin = audienceOf(user(req).role) === 'admin';
    const missing =
      r.entry === 'paid'
        ? [...missingForPaidSales(r.jurisdiction, r).map((m) => m.message), ...(view.bundles.length === 0 ? [t('Set the price of a ticket')] : [])]
        : [];
    // Only card payments are disputed.
    const disputeLine = (method: string, id: string, currency: string) => {
      const d = method === 'stripe' ? disputeOf(svc, { type: 'raffle_entry', id }, currency) : null;
      return d && disputeText(d, 'entry');
    };
    const entries = raffleEntries(svc, r.id)
      .map(({ entry: e, numbers }) => ({
        entry: e,
        status: e.status === 'pending' && e.expiresAt !== null && now >= e.expiresAt ? 'expired' : e.status,
        numbers,
        // Buyers' e-mail addresses are for admins only (see services/privacy.ts).
        email: isAdmin ? e.buyerEmail : null,
        amount: money(e.amount, e.currency),
        dispute: disputeLine(e.method, e.id, e.currency),
      }))
      // Newest first; entries made in the same millisecond by their numbers (unnumbered, still paying, on top).
      .sort((a, b) => b.entry.createdAt - a.entry.createdAt || (b.numbers[0] ?? Infinity) - (a.numbers[0] ?? Infinity));
    const sold = entries.filter((e) => e.status === 'paid').reduce((n, e) => n + e.entry.quantity, 0);
    const tokens: Record<string, string> = {};
    for (const e of entries) if (e.status === 'paid') tokens[e.entry.id] = newSecret(18);
    let lastSale: EntryView | null = null;
    const saleId = query(req).sale;
    if (saleId && !state.door) {
      try {
        const sale = getEntry(svc, saleId);
        lastSale = sale.raffle.id === r.id ? sale : null;
      } catch (err) {
        if (!(err instanceof DomainError && err.code === 'not_found')) throw err;
      }
    }
    const pub = publicRaffle(svc, view);
    const winners = view.prizes.map((p) => {
      const d = [...view.draws].reverse().find((x) => x.prize === p.position);
      const holder = d?.ticketNumber ? holderOfTicket(svc, r.id, d.ticketNumber) : undefined;
      return { prize: p.position, name: p.name, ticketNumber: d?.ticketNumber ?? null, status: d?.status ?? 'unawarded', holder: holder?.buyerName ?? null, claimedAt: d?.claimedAt ?? null };
    });
    const done = query(req).done;
    const quiet = state.message === undefined && !state.door && !state.refund && !state.close;
    reply.header('cache-control', 'no-store');
    return reply.page('pages/admin/raffle', {
      title: r.title,
      view,
      raffle: r,
      event: view.event,
      campaign: view.campaign,
      entryLabel: entryLabels[r.entry] ?? r.entry,
      jurisdiction: rulesFor(r.jurisdiction),
      missing,
      bundles: view.bundles.map((b) => ({ quantity: b.quantity, label: bundleLabel(b.quantity, money(b.price, r.currency), locale) })),
      counts: { sold, held: Math.max(0, view.taken - sold), max: r.maxTickets },
      entries,
      sourceLabels,
      tokens,
      door: state.door ?? { values: { method: query(req).method ?? 'cash', form_token: newSecret(18) }, errors: {} },
      methods: methodOptions,
      lastSale,
      refund: state.refund ?? null,
      close: state.close ?? { values: {}, errors: {} },
      pool: pub.pool ? rangesText(pub.pool) : null,
      winners,
      drawAt: drawTimeText(r.drawAt, zone, locale),
      claimUntil: r.drawnAt === null ? null : formatDate(r.drawnAt + r.claimDays * 86_400_000, { locale, timeZone: zone, style: 'date' }),
      zoned,
      message: state.message,
      flash: quiet && done ? flashes[done] : undefined,
    });
  }

  app.get<{ Params: { id: string } }>('/admin/raffles/:id', config(ownRaffle), async (req, reply) => rafflePage(req, reply, req.params.id));

  /** A refused button: the page again with the reason (409: the raffle's state does not allow it). */
  function refused(req: FastifyRequest, reply: FastifyReply, id: string, err: unknown) {
    const message = messageOf(err);
    const code = err instanceof ValidationError ? 400 : err instanceof DomainError && err.code === 'unprocessable' ? 422 : 409;
    return rafflePage(req, reply.code(code), id, { message });
  }

  app.post<{ Params: { id: string } }>('/admin/raffles/:id/open', config(ownRaffle), async (req, reply) => {
    const id = getRaffle(svc, req.params.id).raffle.id;
    try {
      await openRaffle(svc, actorOf(req), id);
    } catch (err) {
      return refused(req, reply, id, err);
    }
    return reply.redirect(`/admin/raffles/${id}?done=opened`, 303);
  });

  // ------------------------------------------------------------ door sales and refunds

  app.post<{ Params: { id: string } }>('/admin/raffles/:id/door-sales', config(ownRaffle), async (req, reply) => {
    const view = getRaffle(svc, req.params.id);
    const r = view.raffle;
    const values = formValues(req.body);
    const parsed = parseForm(doorForm, values);
    const errors: FieldErrors = parsed.ok ? {} : { ...parsed.errors };
    if ((r.ageLimit !== null || r.rules !== '') && values.confirmed !== 'on') {
      errors.confirmed = r.ageLimit !== null ? t('Check that the buyer is {age} or older and knows the rules, then tick the box', { age: r.ageLimit }) : t('Check that the buyer knows the rules, then tick the box');
    }
    if (!parsed.ok || Object.keys(errors).length > 0) return rafflePage(req, reply.code(400), r.id, { door: { values, errors } });
    const f = parsed.data;
    const input = {
      buyer: { name: f.name ?? '', email: f.email || null },
      quantity: Number(f.quantity),
      publicName: values.public_name === 'on',
      confirmed: true,
      method: f.method,
    };
    try {
      // A double tap, or the form sent again on a flaky connection, sells once.
      const result = await once(svc, 'form:raffle-door-sale', f.form_token, { raffle: r.id, ...input }, async () => {
        const sale = await sellRaffleTicketsAtDoor(svc, actorOf(req), r.id, input);
        return { statusCode: 303, body: sale.entry.id };
      });
      const q = new URLSearchParams({ sale: String(result.body), method: f.method });
      return reply.redirect(`/admin/raffles/${r.id}?${q.toString()}#door-sale`, 303);
    } catch (err) {
      if (err instanceof DomainError && err.code === 'conflict') {
        return rafflePage(req, reply.code(409), r.id, {
          door: { values, errors: {}, message: t('This form was already used for a sale. Check the entries below; for another sale, reload the page.') },
        });
      }
      const e =
        err instanceof DomainError && !(err instanceof ValidationError) && err.code !== 'invalid_state' ? { errors: {}, message: err.message } : serviceErrors(err, { 'buyer.email': 'email', 'buyer.name': 'name' });
      return rafflePage(req, reply.code(err instanceof ValidationError ? 400 : 409), r.id, { door: { values, errors: e.errors, ...(e.message && { message: e.message }) } });
    }
  });

  app.post<{ Params: { id: string; entryId: string } }>('/admin/raffles/:id/entries/:entryId/refund', config(ownRaffle), async (req, reply) => {
    const id = getRaffle(svc, req.params.id).raffle.id;
    const entry = getEntry(svc, req.params.entryId);
    if (entry.raffle.id !== id) throw new DomainError('not_found', t('This raffle has no such entry.'));
    const values = formValues(req.body);
    const parsed = parseForm(refundForm, values);
    const back = (e: { errors?: FieldErrors; message?: string }, code = 400) =>
      rafflePage(req, reply.code(code), id, { refund: { entryId: entry.entry.id, values, errors: e.errors ?? {}, ...(e.message && { message: e.message }) } });
    if (!parsed.ok) return back({ errors: parsed.errors });
    try {
      await once(svc, 'form:raffle-refund', parsed.data.form_token, { entry: entry.entry.id, reason: parsed.data.reason }, async () => {
        await refundRaffleEntry(svc, actorOf(req), entry.entry.id, parsed.data.reason);
        await handOnRefunds(app);
        return { statusCode: 303, body: entry.entry.id };
      });
    } catch (err) {
      if (err instanceof DomainError && err.code === 'conflict') return back({ message: t('This refund form was already sent. Reload the page to see the entry as it is now.') }, 409);
      return back({ message: messageOf(err) }, err instanceof ValidationError ? 400 : 409);
    }
    return reply.redirect(`/admin/raffles/${id}?done=refunded#entries`, 303);
  });

  // ------------------------------------------------------------ close, draw, claims

  app.post<{ Params: { id: string } }>('/admin/raffles/:id/close', config(ownRaffle), async (req, reply) => {
    const id = getRaffle(svc, req.params.id).raffle.id;
    const values = formValues(req.body);
    if (values.confirm !== 'on') {
      return rafflePage(req, reply.code(400), id, { close: { values, errors: { confirm: t('Tick the box to confirm: closing cannot be undone') } } });
    }
    try {
      await closeRaffle(svc, actorOf(req), id);
    } catch (err) {
      return rafflePage(req, reply.code(err instanceof DomainError && err.code === 'unprocessable' ? 422 : 409), id, { close: { values, errors: {}, message: messageOf(err) } });
    }
    return reply.redirect(`/admin/raffles/${id}?done=closed#draw`, 303);
  });

  app.post<{ Params: { id: string } }>('/admin/raffles/:id/draw', config(ownRaffle), async (req, reply) => {
    const id = getRaffle(svc, req.params.id).raffle.id;
    try {
      await drawRaffle(svc, actorOf(req), id);
    } catch (err) {
      return refused(req, reply, id, err);
    }
    return reply.redirect(`/admin/raffles/${id}/projector`, 303);
  });

  app.post<{ Params: { id: string; i: string } }>('/admin/raffles/:id/prizes/:i/claim', config(ownRaffle), async (req, reply) => {
    const id = getRaffle(svc, req.params.id).raffle.id;
    try {
      await markPrizeClaimed(svc, actorOf(req), id, prizeIndex(req.params.i));
    } catch (err) {
      if (err instanceof DomainError && err.code === 'not_found') throw err;
      return refused(req, reply, id, err);
    }
    return reply.redirect(`/admin/raffles/${id}?done=claimed#winners`, 303);
  });

  app.post<{ Params: { id: string; i: string } }>('/admin/raffles/:id/prizes/:i/redraw', config(ownRaffle), async (req, reply) => {
    const id = getRaffle(svc, req.params.id).raffle.id;
    try {
      await redrawPrize(svc, actorOf(req), id, prizeIndex(req.params.i));
    } catch (err) {
      if (err instanceof DomainError && err.code === 'not_found') throw err;
      return refused(req, reply, id, err);
    }
    return reply.redirect(`/admin/raffles/${id}?done=redrawn#winners`, 303);
  });

  // ------------------------------------------------------------ the projector

  app.get<{ Params: { id: string }; Querystring: { shown?: string } }>('/admin/raffles/:id/projector', config(ownRaffle), async (req, reply) => {
    const view = getRaffle(svc, req.params.id);
    const r = view.raffle;
    const pub = publicRaffle(svc, view);
    // The last prize is revealed first, so the first prize comes last.
    const order = [...(pub.winners ?? [])].reverse().map((w) => ({ ...w, name: w.name === 'Anonymous' ? t('Anonymous') : w.name }));
    const asked = Number.parseInt(req.query.shown ?? '0', 10);
    const shown = Number.isInteger(asked) ? Math.min(Math.max(asked, 0), order.length) : 0;
    reply.header('cache-control', 'no-store');
    return reply.page('pages/admin/raffle-projector', {
      title: r.title,
      raffle: r,
      drawn: r.status === 'drawn',
      commitment: pub.commitment,
      seed: pub.seed,
      revealed: order.slice(0, shown),
      next: shown < order.length ? order[shown] : null,
      shown,
      total: order.length,
    });
  });
}
