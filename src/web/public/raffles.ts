// Public raffle pages: a raffle with its rules, licence and prizes, the buy
// form (paid bundles through the payment provider) or the free sign-up, the
// frozen pool and the commitment once sales close, the winners and the seed
// after the draw; the buyer's own page with their ticket numbers; and the
// draw's verification instructions. Fully usable without JavaScript.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, ValidationError, type FieldIssue } from '../../domain/errors.ts';
import { money, type Money } from '../../domain/money.ts';
import { rulesFor } from '../../domain/raffle-rules.ts';
import { newSecret } from '../../db/ids.ts';
import { guardPaymentStart, notePaymentCheckout } from '../../services/card-testing.ts';
import { once } from '../../services/idempotency.ts';
import { buyRaffleTickets, getEntry, getRaffle, openCheckoutOfEntry, publicRaffle, signUpForDraw, type RaffleView } from '../../services/raffles.ts';
import { translatePlural, translator, type Locale } from '../../i18n.ts';
import { buyerForm, formValues, localPath, type FieldErrors, type FormValues } from '../forms.ts';
import { formatDate, money as moneyText, zoneLabel } from '../../format.ts';
import { renderStory } from '../markdown.ts';
import { moneyLimit } from '../plugins/limits.ts';
import { localeOf } from '../plugins/views.ts';

const t = translator('en');

const docPath = resolve(dirname(fileURLToPath(import.meta.url)), '../../../docs/raffle-draw.md');



/** [[1, 3], [5, 5]] → "1–3, 5". */
export function rangesText(ranges: readonly (readonly [number, number])[]): string {
  return ranges.map(([a, b]) => (a === b ? String(a) : `${a}–${b}`)).join(', ');
}

/** "1 ticket — ₩5,000", "3 tickets — ₩10,000". */
export function bundleLabel(quantity: number, price: Money, locale: Locale): string {
  return translatePlural(locale, '{n} ticket — {price}', '{n} tickets — {price}', quantity, { price: moneyText(price, locale) });
}

/** A draw's date and time where the raffle happens, with its zone. */
export function drawTimeText(ms: number | null, timeZone: string, locale: Locale): string | null {
  if (ms === null) return null;
  return `${formatDate(ms, { locale, timeZone, style: 'datetime' })} (${zoneLabel(ms, timeZone, locale)})`;
}

/** A service's field names ("buyer.email") as the form names its fields. */
function fieldErrors(issues: readonly FieldIssue[]): FieldErrors {
  const out: FieldErrors = {};
  for (const i of issues) {
    const field = i.field.startsWith('buyer.') ? i.field.slice('buyer.'.length) : i.field === 'confirmed' ? 'confirmed' : 'quantity';
    out[field] ??= i.message;
  }
  return out;
}

interface EntryForm {
  values: FormValues;
  errors: FieldErrors;
  message?: string;
}

export default async function publicRaffles(app: FastifyInstance) {
  const svc = app.services;

  /** A raffle the public may see: not a draft, not cancelled. */
  function visibleRaffle(id: string): RaffleView {
    const view = getRaffle(svc, id);
    if (view.raffle.status === 'draft' || view.raffle.status === 'cancelled') throw new DomainError('not_found', 'There is no such raffle.');
    return view;
  }

  function renderRaffle(req: FastifyRequest, reply: FastifyReply, view: RaffleView, form: EntryForm) {
    const locale = localeOf(req.headers['accept-language']);
    const r = view.raffle;
    const pub = publicRaffle(svc, view);
    const now = svc.now();
    const zone = view.event?.timezone ?? 'UTC';
    const inWindow = (r.salesStart === null || now >= r.salesStart) && (r.salesEnd === null || now < r.salesEnd);
    const soldOut = pub.ticketsLeft !== null && pub.ticketsLeft <= 0;
    const bundles = view.bundles.map((b) => ({ quantity: b.quantity, label: bundleLabel(b.quantity, money(b.price, r.currency), locale) }));
    const defaults: FormValues = { form_token: newSecret(18), quantity: String(bundles[0]?.quantity ?? '') };
    const prizeNames = view.prizes.map((p) => p.name);
    return reply.page('pages/public/raffle', {
      title: r.title,
      raffle: r,
      pub,
      event: view.event && (view.event.status === 'published' || view.event.status === 'cancelled') ? view.event : null,
      campaign: view.campaign && view.campaign.status !== 'draft' ? view.campaign : null,
      rulesHtml: r.rules === '' ? '' : renderStory(`raffle:${r.id}:${r.updatedAt}`, r.rules),
      jurisdiction: rulesFor(r.jurisdiction).name,
      drawAt: drawTimeText(r.drawAt, zone, locale),
      salesStart: drawTimeText(r.salesStart, zone, locale),
      salesEnd: drawTimeText(r.salesEnd, zone, locale),
      prizes: view.prizes.map((p) => ({ ...p, valueText: p.value === null ? null : moneyText(money(p.value, r.currency), locale) })),
      bundles,
      selling: r.status === 'open' && r.entry === 'paid' && inWindow && !soldOut && bundles.length > 0,
      signingUp: r.status === 'open' && r.entry === 'signup' && inWindow && !soldOut,
      notYet: r.status === 'open' && r.salesStart !== null && now < r.salesStart,
      ended: r.status === 'open' && r.salesEnd !== null && now >= r.salesEnd,
      soldOut: r.status === 'open' && soldOut,
      needsConfirmation: r.ageLimit !== null || r.rules !== '',
      pool: pub.pool ? rangesText(pub.pool) : null,
      poolSize: pub.pool ? pub.pool.reduce((n, [a, b]) => n + b - a + 1, 0) : 0,
      winners: (pub.winners ?? []).map((w) => ({ ...w, name: w.name === 'Anonymous' ? t('Anonymous') : w.name })),
      draws: (pub.draws ?? []).map((d) => ({ ...d, prizeName: prizeNames[d.prize] ?? '' })),
      claimUntil: r.drawnAt === null ? null : formatDate(r.drawnAt + r.claimDays * 86_400_000, { locale, timeZone: zone, style: 'date' }),
      holdMinutes: svc.config.orderHoldMinutes,
      form: { ...form, values: { ...defaults, ...form.values } },
    });
  }

  app.get<{ Params: { id: string } }>('/raffles/:id', { schema: { hide: true } }, async (req, reply) =>
    renderRaffle(req, reply, visibleRaffle(req.params.id), { values: {}, errors: {} }),
  );

  app.post<{ Params: { id: string }; Body: unknown }>('/raffles/:id/entries', { schema: { hide: true }, config: moneyLimit(svc.config) }, async (req, reply) => {
    const view = visibleRaffle(req.params.id);
    const r = view.raffle;
    const raw = formValues(req.body);
    // The form keeps its token while it is corrected, so a corrected form that
    // was in fact sent before still buys only once.
    const fail = (status: number, errors: FieldErrors, message?: string, freshToken = false) => {
      const { form_token: token, ...values } = raw;
      reply.code(status);
      return renderRaffle(req, reply, getRaffle(svc, r.id), {
        values: freshToken || !token ? values : { ...values, form_token: token },
        errors,
        ...(message && { message }),
      });
    };
    if (r.entry === 'checked_in') return fail(422, {}, t('Every checked-in guest of the event is in this draw: no sign-up needed.'));

    const errors: FieldErrors = {};
    const parsed = buyerForm.safeParse(raw);
    if (!parsed.success) for (const i of parsed.error.issues) errors[String(i.path[0] ?? 'form')] ??= i.message;
    const paid = r.entry === 'paid';
    const quantityText = raw.quantity?.trim() ?? '';
    if (paid && !/^\d{1,4}$/.test(quantityText)) errors.quantity = t('Choose how many tickets');
    if ((r.ageLimit !== null || r.rules !== '') && raw.confirmed !== 'on') {
      errors.confirmed = r.ageLimit !== null ? t('Confirm that you are {age} or older and accept the rules', { age: r.ageLimit }) : t('Accept the rules');
    }
    if (!parsed.success || Object.keys(errors).length > 0) return fail(400, errors);

    const f = parsed.data;
    const input = {
      buyer: { name: f.name, email: f.email },
      quantity: paid ? Number(quantityText) : 1,
      publicName: raw.public_name === 'on',
      confirmed: raw.confirmed === 'on',
    };
    try {
      const result = await once(svc, 'form:raffle-entry', f.form_token, { raffle: r.id, ...raw }, async () => {
        if (!paid) {
          const entry = await signUpForDraw(svc, r.id, input);
          return { statusCode: 303, body: `/raffle-entries/${entry.entry.id}` };
        }
        const attempt = await guardPaymentStart(svc, { ip: req.ip, email: f.email, kind: 'raffle' }, svc.now());
        const started = await buyRaffleTickets(svc, app.payments, r.id, input);
        await notePaymentCheckout(svc, attempt, { raffleEntryId: started.view.entry.id });
        const next = started.checkoutUrl === null ? `/raffle-entries/${started.view.entry.id}` : localPath(started.checkoutUrl, svc.config.baseUrl);
        return { statusCode: 303, body: next };
      });
      return reply.redirect(String(result.body), 303);
    } catch (err) {
      if (err instanceof ValidationError) return fail(400, fieldErrors(err.issues));
      if (err instanceof DomainError && err.code === 'sold_out') return fail(409, {}, err.message);
      if (err instanceof DomainError && err.code === 'unprocessable') return fail(422, {}, err.message);
      if (err instanceof DomainError && err.code === 'conflict') {
        // Already in a free draw: the service names the field.
        if (err.issues.some((i) => i.field === 'buyer.email')) return fail(409, fieldErrors(err.issues), err.message);
        // The same form was sent before with other values (a back button, a second tab).
        return fail(409, {}, t('This form was already sent once. Send it again to buy new tickets.'), true);
      }
      throw err;
    }
  });

  app.get<{ Params: { id: string } }>('/raffle-entries/:id', { schema: { hide: true } }, async (req, reply) => {
    const locale = localeOf(req.headers['accept-language']);
    const { entry, raffle, ticketNumbers } = getEntry(svc, req.params.id);
    const view = getRaffle(svc, raffle.id);
    const now = svc.now();
    // A hold that ran out is expired even before the expiry job has marked it.
    const status = entry.status === 'pending' && entry.expiresAt !== null && now >= entry.expiresAt ? 'expired' : entry.status;
    // The test provider's page can be opened again; other providers' links are not kept.
    const open = status === 'pending' ? openCheckoutOfEntry(svc, entry.id) : undefined;
    const checkout = open?.provider === 'test' ? open : undefined;
    const zone = view.event?.timezone ?? 'UTC';
    // Personal to one buyer: never kept by a browser or a proxy.
    reply.header('cache-control', 'no-store');
    return reply.page('pages/public/raffle-entry', {
      title: raffle.title,
      entry,
      raffle,
      status,
      numbers: ticketNumbers,
      amount: entry.amount > 0 ? money(entry.amount, entry.currency) : null,
      heldUntil: entry.expiresAt === null ? null : formatDate(entry.expiresAt, { locale, timeZone: 'UTC', style: 'datetime' }),
      checkoutPath: checkout ? `/test-checkout/${checkout.id}` : null,
      drawAt: drawTimeText(raffle.drawAt, zone, locale),
      visible: raffle.status !== 'draft' && raffle.status !== 'cancelled',
    });
  });

  app.get('/docs/raffle-draw', { schema: { hide: true } }, async (_req, reply) => {
    const markdown = readFileSync(docPath, 'utf8');
    const [heading = '', ...rest] = markdown.split('\n');
    return reply.page('pages/public/raffle-draw-doc', {
      title: heading.replace(/^#\s*/, ''),
      html: renderStory(`doc:raffle-draw:${markdown.length}`, rest.join('\n')),
    });
  });
}
