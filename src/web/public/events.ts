// Public event pages: the list with its filters, an event with its ticket
// form (guest checkout), a series, and a buyer's order with the tickets' QR
// codes. Fully usable without JavaScript; nothing is loaded from elsewhere
// (the Google Calendar link is a plain link the visitor may follow).
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import QRCode from 'qrcode';
import { z } from 'zod';
import { DomainError, ValidationError, type FieldIssue } from '../../domain/errors.ts';
import { formatMajor, money, parseMoney, type Money } from '../../domain/money.ts';
import { newSecret } from '../../db/ids.ts';
import type { EventRow } from '../../db/events.ts';
import { eventKinds } from '../../db/schema.ts';
import { googleCalendarUrl } from '../../services/calendar.ts';
import { eventsOfSeries, eventView, eventViewChangesAt, getPublicEvent, getSeries, listPublicEvents, nextPublicEventEnd, type EventView, type TicketTypeView } from '../../services/events.ts';
import { guardPaymentStart, notePaymentCheckout } from '../../services/card-testing.ts';
import { keyUsed, once } from '../../services/idempotency.ts';
import { getOrder, placeOrder, soldOutRefusal, type OrderItemInput } from '../../services/orders.ts';
import { rafflesAtEvent } from '../../services/raffles.ts';
import { translator, type Locale } from '../../i18n.ts';
import { buyerForm, formValues, localPath, type FieldErrors, type FormValues } from '../forms.ts';
import { formatDate, formatTimeRange, money as moneyText, zoneAbbreviation, zoneLabel } from '../../format.ts';
import { renderStory } from '../markdown.ts';
import { VisitorPages } from '../visitor-pages.ts';
import { moneyLimit } from '../plugins/limits.ts';
import { localeOf } from '../plugins/views.ts';

const t = translator('en');

type Kind = (typeof eventKinds)[number];

const kindLabels: Record<Kind, string> = { screening: 'Screening', seminar: 'Seminar', social: 'Social', run: 'Run', other: 'Other' };

const listQuery = z.object({
  when: z.enum(['upcoming', 'past']).catch('upcoming'),
  // An unknown kind (an old link, a typo) shows every kind rather than an error.
  kind: z.enum(eventKinds).optional().catch(undefined),
  city: z.string().trim().max(100).optional().catch(undefined),
});



/** Where and when, in the event's zone and as a UTC reference. */
function timesOf(e: EventRow, locale: Locale) {
  return {
    local: formatTimeRange(e.startsAt, e.endsAt, { locale, timeZone: e.timezone }),
    zone: zoneLabel(e.startsAt, e.timezone, locale),
    utc: formatTimeRange(e.startsAt, e.endsAt, { locale, timeZone: 'UTC' }),
    startIso: new Date(e.startsAt).toISOString(),
    endIso: new Date(e.endsAt).toISOString(),
  };
}

function priceText(tt: TicketTypeView, fmt: (m: Money) => string): string {
  if (tt.minPrice !== null) {
    return tt.minPrice.amount === 0
      ? t('Pay what you want (suggested {price})', { price: fmt(tt.price) })
      : t('Pay what you want, at least {min}', { min: fmt(tt.minPrice) });
  }
  return tt.price.amount === 0 ? t('Free') : fmt(tt.price);
}

/** "From 10,000 KRW", "Free", "5–20 USD": what a seat costs, for the list. */
function priceRange(view: EventView, fmt: (m: Money) => string): string | null {
  const lows = view.ticketTypes.map((tt) => tt.minPrice?.amount ?? tt.price.amount);
  const highs = view.ticketTypes.map((tt) => tt.price.amount);
  if (lows.length === 0) return null;
  const low = Math.min(...lows);
  const high = Math.max(...highs);
  if (high === 0) return t('Free');
  const lowText = low === 0 ? t('Free') : fmt(money(low, view.event.currency));
  return low === high ? lowText : `${lowText} – ${fmt(money(high, view.event.currency))}`;
}

type SaleState = 'open' | 'sold_out' | 'not_yet' | 'ended';

interface TicketRowView {
  type: TicketTypeView;
  price: string;
  state: SaleState;
  status: string;
  /** Quantities the select offers: 0, then minPerOrder up to what one order may take. */
  options: number[];
}

function ticketRows(view: EventView, now: number, locale: Locale, fmt: (m: Money) => string): TicketRowView[] {
  return view.ticketTypes.map((tt) => {
    const most = Math.min(tt.maxPerOrder, tt.available);
    let state: SaleState;
    let status: string;
    if (!tt.salesOpen && tt.salesStart !== null && now < tt.salesStart) {
      state = 'not_yet';
      const zone = { locale, timeZone: view.event.timezone };
      status = t('Sales open on {date}', { date: `${formatDate(tt.salesStart, { ...zone, style: 'datetime' })} (${zoneAbbreviation(tt.salesStart, zone)})` });
    } else if (!tt.salesOpen) {
      state = 'ended';
      status = t('Sales ended');
    } else if (most < tt.minPerOrder) {
      state = 'sold_out';
      status = t('Sold out');
    } else {
      state = 'open';
      status = t('{n} left', { n: tt.available.toLocaleString(locale) });
    }
    const options = state === 'open' ? [0, ...Array.from({ length: most - tt.minPerOrder + 1 }, (_, i) => tt.minPerOrder + i)] : [];
    return { type: tt, price: priceText(tt, fmt), state, status, options };
  });
}

/** An inline QR code: the library's SVG, sized by our stylesheet; the CSP forbids style attributes. */
async function qrSvg(code: string, label: string): Promise<string> {
  const svg = await QRCode.toString(code, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
  const escaped = label.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  return svg
    .replace(/\s+style="[^"]*"/g, '')
    .replace(/\s+(width|height)="[^"]*"/g, '')
    .replace('<svg ', `<svg class="qr" role="img" aria-label="${escaped}" `);
}

export default async function publicEvents(app: FastifyInstance) {
  const svc = app.services;
  const fmtFor = (locale: Locale) => (m: Money) => moneyText(m, locale);

  /**
   * When the clock alone changes a list of these events: a hold running out
   * (sold out no more), a sales window, one of them ending, or (for any
   * list) the next upcoming event ending, which moves it to the past.
   */
  function listChangesAt(views: readonly EventView[], now: number): number {
    return Math.min(nextPublicEventEnd(svc, now), ...views.map((v) => eventViewChangesAt(svc, v, now)));
  }

  /** The list's data for a viewer in `locale`, and when the clock alone changes it. */
  function eventListPage(q: z.infer<typeof listQuery>, city: string | undefined, locale: Locale) {
    const now = svc.now();
    const shown = listPublicEvents(svc, { when: q.when, ...(q.kind && { kind: q.kind }), ...(city && { city }) });
    // The city filter offers the cities of this list's events, whichever city is chosen now.
    const cities = [...new Set(listPublicEvents(svc, { when: q.when, ...(q.kind && { kind: q.kind }) }).flatMap((e) => (e.venueCity ? [e.venueCity] : [])))].sort((a, b) =>
      a.localeCompare(b, locale),
    );
    const fmt = fmtFor(locale);
    const views = shown.map((e) => eventView(svc, e));
    const events = views.map((view) => {
      const e = view.event;
      return {
        event: e,
        times: timesOf(e, locale),
        kind: t(kindLabels[e.kind]),
        price: priceRange(view, fmt),
        soldOut: e.status === 'published' && view.ticketTypes.length > 0 && view.available === 0,
        series: view.series,
      };
    });
    const data = {
      title: q.when === 'past' ? t('Past events') : t('Events'),
      when: q.when,
      kind: q.kind ?? '',
      city: city ?? '',
      kinds: eventKinds.map((k) => ({ value: k, label: t(kindLabels[k]) })),
      cities,
      events,
    };
    return { data, changesAt: () => listChangesAt(views, now), about: undefined };
  }

  // The list and series pages are the same for every visitor who is not
  // logged in: made once per change (each ~1 ms: a view and two time ranges
  // per event). A city typed into the URL makes a page of its own, which the
  // cache's bound keeps from growing without end.
  const listPages = new VisitorPages(app, 'pages/public/events');
  app.get<{ Querystring: Record<string, string> }>('/events', { schema: { hide: true } }, (req, reply) => {
    const locale = localeOf(req.headers['accept-language']);
    const q = listQuery.parse(req.query ?? {});
    const city = q.city && q.city !== '' ? q.city : undefined;
    return listPages.serve(req, reply, `${q.when}|${q.kind ?? ''}|${city ?? ''}`, () => eventListPage(q, city, locale));
  });

  interface TicketForm {
    values: FormValues;
    errors: FieldErrors;
    message?: string;
  }

  /** The event page's data for a viewer in `locale`. */
  function eventPage(event: EventRow, form: TicketForm, locale: Locale, formToken: string) {
    const now = svc.now();
    const view = eventView(svc, event);
    const fmt = fmtFor(locale);
    const rows = ticketRows(view, now, locale, fmt);
    const over = now >= event.endsAt;
    const open = rows.filter((r) => r.state === 'open');
    const defaults: FormValues = { form_token: formToken };
    // One kind of ticket: one seat is what most people want.
    const single = open.length === 1 && rows.length === 1 ? open[0] : undefined;
    if (single) defaults[`qty_${single.type.id}`] = String(single.type.minPerOrder);
    for (const r of open) if (r.type.minPrice !== null) defaults[`price_${r.type.id}`] = formatMajor(r.type.price);
    return {
      title: event.title,
      view,
      kind: t(kindLabels[event.kind]),
      description: event.description.trim() === '' ? '' : renderStory(`${event.id}:${event.updatedAt}`, event.description),
      times: timesOf(event, locale),
      googleUrl: googleCalendarUrl(event, svc.config.baseUrl),
      campaignLink: view.campaign && view.campaign.status !== 'draft' ? view.campaign : null,
      rows,
      over,
      cancelled: event.status === 'cancelled',
      selling: event.status === 'published' && !over && open.length > 0,
      soldOut: event.status === 'published' && !over && rows.length > 0 && rows.every((r) => r.state === 'sold_out' || r.state === 'ended') && rows.some((r) => r.state === 'sold_out'),
      donations: view.campaign !== null && view.campaign.status === 'published',
      holdMinutes: svc.config.orderHoldMinutes,
      claimHours: svc.config.waitlistClaimHours,
      form: { ...form, values: { ...defaults, ...form.values } },
      raffles: rafflesAtEvent(svc, event.id).filter((r) => r.status === 'open' || r.status === 'closed' || r.status === 'drawn'),
    };
  }

  function renderEvent(req: FastifyRequest, reply: FastifyReply, event: EventRow, form: TicketForm) {
    return reply.page('pages/public/event', eventPage(event, form, localeOf(req.headers['accept-language']), newSecret(18)));
  }

  // The event page with an empty form, and whether it offers the ticket form.
  const visitorPages = new VisitorPages<{ selling: boolean }>(app, 'pages/public/event');
  const emptyEventPage = (slug: string, locale: Locale) => (formToken: string) => {
    const now = svc.now();
    const data = eventPage(getPublicEvent(svc, slug), { values: {}, errors: {} }, locale, formToken);
    return { data, changesAt: () => eventViewChangesAt(svc, data.view, now), about: { selling: data.selling } };
  };

  app.get<{ Params: { slug: string } }>('/events/:slug', { schema: { hide: true } }, (req, reply) =>
    visitorPages.serve(req, reply, req.params.slug, emptyEventPage(req.params.slug, localeOf(req.headers['accept-language']))),
  );

  const formScope = 'form:order';
  app.post<{ Params: { slug: string }; Body: unknown }>('/events/:slug/tickets', { schema: { hide: true }, config: moneyLimit(svc.config) }, async (req, reply) => {
    const event = getPublicEvent(svc, req.params.slug);
    const raw = formValues(req.body);
    // The form keeps its token while it is corrected, so a corrected form that
    // was in fact sent before still places only one order.
    const fail = (status: number, errors: FieldErrors, message?: string, freshToken = false) => {
      const { form_token: token, ...values } = raw;
      reply.code(status);
      return renderEvent(req, reply, event, {
        values: freshToken || !token ? values : { ...values, form_token: token },
        errors,
        ...(message && { message }),
      });
    };

    // In a rush for the last seats most buyers are turned away. Once nothing
    // is left, say so before the order's checks and the form token's two
    // writes (claiming it, then freeing it again): unless this form was sent
    // before, as a second click after the first took the last seat, which
    // goes on below to that first order (or hears it is still being placed).
    const refusal = soldOutRefusal(svc, event.slug, svc.now());
    if (refusal && !(raw.form_token && keyUsed(svc, formScope, raw.form_token))) {
      // A page with no ticket form shows nothing of what was sent: it is the
      // page everyone gets. While the last seats' orders are still being
      // written it has the form, and the refusal is said in it.
      if (!req.user) {
        const locale = localeOf(req.headers['accept-language']);
        const { page, about } = await visitorPages.get(event.slug, locale, emptyEventPage(event.slug, locale));
        if (!about.selling) return visitorPages.send(reply.code(409), page);
      }
      return fail(409, {}, refusal.message);
    }

    const view = eventView(svc, event);
    const errors: FieldErrors = {};
    const parsed = buyerForm.safeParse(raw);
    if (!parsed.success) for (const i of parsed.error.issues) errors[String(i.path[0] ?? 'form')] ??= i.message;

    const items: OrderItemInput[] = [];
    for (const tt of view.ticketTypes) {
      const chosen = raw[`qty_${tt.id}`]?.trim() ?? '';
      if (chosen === '' || chosen === '0') continue;
      if (!/^\d{1,4}$/.test(chosen)) {
        errors[`qty_${tt.id}`] = t('Choose how many');
        continue;
      }
      const item: OrderItemInput = { ticketTypeId: tt.id, quantity: Number(chosen) };
      if (tt.minPrice !== null) {
        const field = `price_${tt.id}`;
        try {
          const price = parseMoney(raw[field] ?? '', event.currency, { allowZero: true, field });
          if (price.amount < tt.minPrice.amount) errors[field] = t('At least {min}', { min: moneyText(tt.minPrice, localeOf(req.headers['accept-language'])) });
          else item.price = price;
        } catch (err) {
          if (!(err instanceof ValidationError)) throw err;
          errors[field] = err.issues[0]?.message ?? t('Enter a price');
        }
      }
      items.push(item);
    }
    if (items.length === 0 && Object.keys(errors).every((k) => !k.startsWith('qty_'))) errors.items = t('Choose at least one ticket');

    let donation: Money | null = null;
    const donationText = raw.donation?.trim() ?? '';
    if (donationText !== '') {
      try {
        donation = parseMoney(donationText, event.currency, { allowZero: true, field: 'donation' });
      } catch (err) {
        if (!(err instanceof ValidationError)) throw err;
        errors.donation = err.issues[0]?.message ?? t('Enter an amount');
      }
    }
    if (!parsed.success || Object.keys(errors).length > 0) return fail(400, errors);

    const f = parsed.data;
    try {
      const result = await once(svc, formScope, f.form_token, { slug: event.slug, ...raw }, async () => {
        const attempt = await guardPaymentStart(svc, { ip: req.ip, email: f.email, kind: 'order' }, svc.now());
        const placed = await placeOrder(svc, app.payments, event.slug, {
          items,
          buyer: { name: f.name, email: f.email },
          donation: donation && donation.amount > 0 ? donation : null,
          donationPublic: raw.donation_public === 'on',
        });
        await notePaymentCheckout(svc, attempt, { orderId: placed.view.order.id });
        const next = placed.checkoutUrl === null ? `/orders/${placed.view.order.id}` : localPath(placed.checkoutUrl, svc.config.baseUrl);
        return { statusCode: 303, body: next };
      });
      return reply.redirect(String(result.body), 303);
    } catch (err) {
      if (err instanceof ValidationError) return fail(400, fieldErrors(err.issues));
      if (err instanceof DomainError && err.code === 'sold_out') return fail(409, {}, err.message);
      if (err instanceof DomainError && err.code === 'unprocessable') return fail(422, {}, err.message);
      if (err instanceof DomainError && err.code === 'conflict') {
        // The same form was sent before with other values (a back button, a second tab).
        return fail(409, {}, t('This form was already sent once. Send it again to place a new order.'), true);
      }
      throw err;
    }
  });

  app.get<{ Params: { id: string }; Querystring: { choice?: string } }>('/orders/:id', { schema: { hide: true } }, async (req, reply) => {
    const locale = localeOf(req.headers['accept-language']);
    const view = getOrder(svc, req.params.id);
    const now = svc.now();
    const { order, event } = view;
    const about = eventView(svc, event);
    // A hold that ran out is expired even before the expiry job has marked it.
    const status = order.status === 'pending' && order.expiresAt !== null && now >= order.expiresAt ? 'expired' : order.status;
    const names = new Map(view.items.map((i) => [i.ticketTypeId, i.name]));
    // A cancelled event's tickets admit nobody: the page offers the holder's choice instead.
    const showTickets = (status === 'paid' || status === 'partially_refunded') && event.status !== 'cancelled';
    const tickets = showTickets
      ? await Promise.all(
          view.tickets.map(async (tk) => ({
            code: tk.code,
            type: names.get(tk.ticketTypeId) ?? '',
            valid: tk.status === 'valid',
            qr: await qrSvg(tk.code, t('QR code of ticket {code}', { code: tk.code })),
          })),
        )
      : [];
    // After a cancellation with a gift offer the holder may give the ticket price or take the refund (see order-choices.ts).
    const offerOpen =
      event.status === 'cancelled' && event.giftOfferUntil !== null && now < event.giftOfferUntil && about.campaign !== null && (status === 'paid' || status === 'partially_refunded');
    const choice = ['gift', 'refund', 'late'].includes(req.query.choice ?? '') ? req.query.choice : null;
    // Personal to one buyer: never kept by a browser or a proxy.
    reply.header('cache-control', 'no-store');
    return reply.page('pages/public/order', {
      title: t('Your order'),
      order,
      status,
      event,
      eventVisible: event.status === 'published' || event.status === 'cancelled',
      items: view.items,
      total: view.total,
      donation: view.donation,
      tickets,
      times: timesOf(event, locale),
      heldUntil: order.expiresAt === null ? null : formatDate(order.expiresAt, { locale, timeZone: 'UTC', style: 'datetime' }),
      venue: about.venue,
      campaign: about.campaign,
      offer: offerOpen && event.giftOfferUntil !== null ? { until: formatDate(event.giftOfferUntil, { locale, timeZone: 'UTC', style: 'datetime' }) } : null,
      choice,
      googleUrl: googleCalendarUrl(event, svc.config.baseUrl),
    });
  });

  /** A series' data for a viewer in `locale`, and when the clock alone changes it. */
  function seriesPage(slug: string, locale: Locale) {
    const series = getSeries(svc, slug);
    const dates = eventsOfSeries(svc, series);
    if (dates.length === 0) throw new DomainError('not_found', `There is no series "${slug}".`);
    const now = svc.now();
    const fmt = fmtFor(locale);
    const digest = createHash('sha256').update(series.description).digest('base64url').slice(0, 16);
    const views = dates.map((e) => eventView(svc, e));
    const data = {
      title: series.title,
      series,
      description: series.description.trim() === '' ? '' : renderStory(`${series.id}:${digest}`, series.description),
      dates: views.map((view) => {
        const e = view.event;
        return {
          event: e,
          times: timesOf(e, locale),
          price: priceRange(view, fmt),
          over: now >= e.endsAt,
          soldOut: e.status === 'published' && view.ticketTypes.length > 0 && view.available === 0,
        };
      }),
    };
    return { data, changesAt: () => Math.min(...views.map((v) => eventViewChangesAt(svc, v, now))), about: undefined };
  }

  const seriesPages = new VisitorPages(app, 'pages/public/series');
  app.get<{ Params: { slug: string } }>('/series/:slug', { schema: { hide: true } }, (req, reply) =>
    seriesPages.serve(req, reply, req.params.slug, () => seriesPage(req.params.slug, localeOf(req.headers['accept-language']))),
  );
}

/** A service's field names ("buyer.email", "items.0.quantity") as the form names its fields. */
function fieldErrors(issues: readonly FieldIssue[]): FieldErrors {
  const out: FieldErrors = {};
  for (const i of issues) {
    const field = i.field.startsWith('buyer.') ? i.field.slice('buyer.'.length) : i.field.startsWith('items') ? 'items' : i.field.startsWith('donation') ? 'donation' : 'items';
    out[field] ??= i.message;
  }
  return out;
}
