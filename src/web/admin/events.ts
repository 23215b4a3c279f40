// Console: events — the list, create and edit (with a description preview),
// ticket types, publish and cancel, door sales for cash, the attendee list
// with its CSV, card disputes and order refunds (admins: whole, or chosen
// tickets and the donation), and door check-in built for a phone: a typed
// code or the camera (check-in.js), a big green or red answer, and live
// counts for several volunteers at once.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { toCsv } from '../../domain/csv.ts';
import { DomainError, ValidationError } from '../../domain/errors.ts';
import { parseLocalDateTime } from '../../domain/local-time.ts';
import type { Money } from '../../domain/money.ts';
import { findCampaignById } from '../../db/campaigns.ts';
import { listEvents, type EventRow } from '../../db/events.ts';
import { newSecret } from '../../db/ids.ts';
import { attendeesOfEvent, ticketCountsOfEvent, type AttendeeRow } from '../../db/orders.ts';
import { eventStatuses } from '../../db/schema.ts';
import type { UserRow } from '../../db/users.ts';
import { slugPattern } from '../../services/campaigns.ts';
import { cancelEvent } from '../../services/event-cancellation.ts';
import { addTicketType, createEvent, eventView, getEvent, patchEvent, patchTicketType, publishEvent, type EventView } from '../../services/events.ts';
import { once } from '../../services/idempotency.ts';
import {
  checkIn,
  disputeOfOrder,
  getOrder,
  normaliseTicketCode,
  recordDoorSale,
  refundChoicesOf,
  refundOrderPart,
  type OrderView,
  type RefundChoices,
} from '../../services/orders.ts';
import { campaignsManagedBy, managesEvent } from '../../services/permissions.ts';
import { audienceOf } from '../../services/privacy.ts';
import { rafflesAtEvent } from '../../services/raffles.ts';
import { translator, type Locale } from '../../i18n.ts';
import { formatDate, formatTimeRange, money as moneyText, zoneLabel } from '../../format.ts';
import { formList, formValues, parseForm, serviceErrors, type FieldErrors, type FormValues } from '../forms.ts';
import { renderStory } from '../markdown.ts';
import { handOnRefunds } from '../provider-refunds.ts';
import { actorOf } from '../plugins/auth.ts';
import { localeOf } from '../plugins/views.ts';
import { currencyOptions } from './campaign-form.ts';
import { disputeText } from './dispute-text.ts';
import {
  eventFieldNames,
  eventFromForm,
  eventToForm,
  kindLabels,
  kindOptions,
  newTicketTypeValues,
  rowCount,
  ticketTypeFieldNames,
  ticketTypeFromForm,
  ticketTypeToForm,
  zoneOptions,
} from './event-form.ts';
import { qrScannerUrls } from './vendor-assets.ts';

const t = translator('en');
const staff = { roles: ['admin', 'organizer'] as const };
const ownEvent = { roles: ['admin', 'organizer'] as const, owns: 'event' as const };
const config = (access: typeof staff | typeof ownEvent) => ({ schema: { hide: true }, config: { access } });

const flashes: Record<string, string> = {
  created: t('The event was created as a draft. Add its tickets, then publish it.'),
  saved: t('Your changes were saved.'),
  published: t('The event is published: its page is public and it sells tickets.'),
  cancelled: t('The event is cancelled. Its page says so, and ticket holders with an e-mail address are told.'),
  'type-added': t('The ticket type was added.'),
  'type-saved': t('The ticket type was saved.'),
  refunded: t('The order was refunded: its tickets no longer work and its money left the campaign total.'),
  'partly-refunded': t('The chosen part of the order was refunded: those tickets no longer work, their seats are free again and their money left the campaign total. A buyer with an e-mail address is told.'),
};

const orderStatusLabels: Record<string, string> = {
  paid: t('paid'),
  partially_refunded: t('partly refunded'),
  refunded: t('refunded'),
  cancelled: t('cancelled'),
  pending: t('pending'),
  expired: t('expired'),
  failed: t('failed'),
};

const methodOptions = [
  { value: 'cash', label: t('Cash') },
  { value: 'card_terminal', label: t('Card terminal') },
  { value: 'other', label: t('Other') },
] as const;

/** How an order was paid and where, in words: door methods, online providers, free RSVPs. */
const paymentLabels: Record<string, string> = {
  ...Object.fromEntries(methodOptions.map((m) => [m.value, m.label])),
  free: t('Free'),
  test: t('Test payment'),
  stripe: t('Card (Stripe)'),
  door: t('At the door'),
  online: t('Online'),
};
const paymentLabel = (key: string) => paymentLabels[key] ?? key;

const doorForm = z.object({
  name: z.string().trim().max(200, t('At most 200 characters')).optional(),
  method: z.enum(['cash', 'card_terminal', 'other'], { message: t('Choose how they paid') }),
  form_token: z.string().min(16).max(100),
});

const refundForm = z.object({
  reason: z.string().trim().min(3, t('Say why the order is refunded (for the audit log)')).max(500, t('At most 500 characters')),
  form_token: z.string().min(16).max(100),
  /** Which button: the ticked tickets and donation, or everything left of the order. */
  scope: z.enum(['chosen', 'all']).optional(),
});

const cancelForm = z.object({
  reason: z.string().trim().max(500, t('At most 500 characters')).optional(),
  offer_until: z.string().trim().max(40).optional(),
});

type Params = { Params: { slug: string } };

function query(req: FastifyRequest): Record<string, string | undefined> {
  return req.query as Record<string, string | undefined>;
}

function flashOf(req: FastifyRequest): string | undefined {
  const done = query(req).done;
  return done ? flashes[done] : undefined;
}

function user(req: FastifyRequest): UserRow {
  if (!req.user) throw new DomainError('unauthorized', 'Log in first.');
  return req.user;
}

function localeOfReq(req: FastifyRequest): Locale {
  return localeOf(req.headers['accept-language']);
}

/** When the event happens, as the clocks read where it happens. */
function timesOf(e: EventRow, locale: Locale) {
  return {
    local: formatTimeRange(e.startsAt, e.endsAt, { locale, timeZone: e.timezone }),
    zone: zoneLabel(e.startsAt, e.timezone, locale),
  };
}

/** An instant as a date and time in the event's zone, for what happened at the event (check-ins, sales). */
function zonedFormatter(e: EventRow, locale: Locale): (ms: number) => string {
  return (ms) => formatDate(ms, { locale, timeZone: e.timezone, style: 'datetime' });
}

/** Sold (valid tickets), checked in, and the most that may come: the door's three numbers. */
function doorCounts(svc: FastifyInstance['services'], e: EventRow, view: EventView = eventView(svc, e)) {
  const { valid, checkedIn } = ticketCountsOfEvent(svc.db, e.id);
  const ofTypes = view.ticketTypes.reduce((n, tt) => n + tt.quantity, 0);
  return { sold: valid, checkedIn, capacity: e.capacity ?? (ofTypes > 0 ? ofTypes : null) };
}

/** What a refused button says: the service's whole sentence (a button has no field to mark). Unexpected errors are rethrown. */
function messageOf(err: unknown): string {
  const e = serviceErrors(err);
  if (err instanceof DomainError && !(err instanceof ValidationError)) return err.message;
  return e.message ?? Object.values(e.errors).join(' ');
}

export default async function adminEvents(app: FastifyInstance) {
  const svc = app.services;

  // ------------------------------------------------------------ list, create, edit

  app.get('/admin/events', config(staff), async (req, reply) => {
    const me = user(req);
    const locale = localeOfReq(req);
    const now = svc.now();
    const mine = listEvents(svc.db, { statuses: eventStatuses }).filter((e) => managesEvent(svc, me, e));
    const row = (e: EventRow) => {
      const view = eventView(svc, e);
      return { event: e, when: timesOf(e, locale), sold: view.ticketTypes.reduce((n, tt) => n + tt.sold, 0), capacity: doorCounts(svc, e, view).capacity };
    };
    return reply.page('pages/admin/events', {
      title: t('Events'),
      upcoming: mine.filter((e) => e.endsAt > now).map(row),
      past: mine.filter((e) => e.endsAt <= now).reverse().map(row),
      flash: flashOf(req),
    });
  });

  function campaignChoices(req: FastifyRequest, current: { slug: string; title: string } | null) {
    const runs = campaignsManagedBy(svc, user(req)).filter((c) => c.status !== 'closed' || c.slug === current?.slug);
    const list = current && !runs.some((c) => c.slug === current.slug) ? [current, ...runs] : runs;
    return [{ value: '', label: t('No campaign') }, ...list.map((c) => ({ value: c.slug, label: c.title }))];
  }

  function formPage(
    req: FastifyRequest,
    reply: FastifyReply,
    data: { event?: EventRow; values: FormValues; errors?: FieldErrors; message?: string; preview?: boolean },
  ) {
    const values = data.values;
    const campaign = data.event?.campaignId ? findCampaignById(svc.db, data.event.campaignId) : undefined;
    return reply.page('pages/admin/event-form', {
      title: data.event ? t('Edit {title}', { title: data.event.title }) : t('New event'),
      kinds: kindOptions,
      zones: zoneOptions(values.timezone),
      allZones: Intl.supportedValuesOf('timeZone'),
      campaigns: campaignChoices(req, campaign ? { slug: campaign.slug, title: campaign.title } : null),
      currencies: [{ value: '', label: t('The campaign’s currency') }, ...currencyOptions],
      hostRows: rowCount(values, 'host'),
      speakerRows: rowCount(values, 'speaker'),
      errors: {},
      ...data,
      previewHtml: data.preview ? renderStory(`event-preview:${values.description ?? ''}`, values.description ?? '') : null,
    });
  }

  app.get('/admin/events/new', config(staff), async (req, reply) => {
    const first = campaignsManagedBy(svc, user(req)).find((c) => c.status === 'published');
    return formPage(req, reply, { values: { kind: 'screening', campaign: first?.slug ?? '' } });
  });

  app.post('/admin/events/new', config(staff), async (req, reply) => {
    const values = formValues(req.body);
    const slug = values.slug?.trim().toLowerCase() ?? '';
    const errors: FieldErrors = {};
    if (!slugPattern.test(slug)) errors.slug = t('Use lower-case letters, digits and single hyphens, e.g. seoul-screening');
    else if (slug === 'new') errors.slug = t('This address is reserved: choose another');
    const form = eventFromForm(values);
    const preview = values.action === 'preview';
    if (!form.ok || Object.keys(errors).length > 0) {
      return formPage(req, reply.code(400), { values, errors: { ...(form.ok ? {} : form.errors), ...errors }, preview });
    }
    if (preview) return formPage(req, reply, { values, preview: true });
    try {
      const e = await createEvent(svc, actorOf(req), { ...form.input, slug, status: 'draft' });
      return reply.redirect(`/admin/events/${e.slug}?done=created`, 303);
    } catch (err) {
      const e = serviceErrors(err, eventFieldNames(values));
      return formPage(req, reply.code(err instanceof DomainError && err.code === 'forbidden' ? 403 : 400), { values, errors: e.errors, ...(e.message && { message: e.message }) });
    }
  });

  app.get<Params>('/admin/events/:slug/edit', config(ownEvent), async (req, reply) => {
    const event = getEvent(svc, req.params.slug);
    const view = eventView(svc, event);
    return formPage(req, reply, { event, values: eventToForm(event, view.campaign?.slug ?? null, view.series?.slug ?? null) });
  });

  app.post<Params>('/admin/events/:slug/edit', config(ownEvent), async (req, reply) => {
    const event = getEvent(svc, req.params.slug);
    const values: FormValues = { ...formValues(req.body), slug: event.slug };
    const form = eventFromForm(values);
    const preview = values.action === 'preview';
    if (!form.ok) return formPage(req, reply.code(400), { event, values, errors: form.errors, preview });
    if (preview) return formPage(req, reply, { event, values, preview: true });
    const { currency, ...rest } = form.input;
    try {
      // An empty currency keeps the event's (or takes a new campaign's).
      await patchEvent(svc, actorOf(req), event.slug, { ...rest, ...(currency && { currency }) });
    } catch (err) {
      const e = serviceErrors(err, eventFieldNames(values));
      return formPage(req, reply.code(err instanceof DomainError && err.code === 'forbidden' ? 403 : 400), { event, values, errors: e.errors, ...(e.message && { message: e.message }) });
    }
    return reply.redirect(`/admin/events/${event.slug}?done=saved`, 303);
  });

  // ------------------------------------------------------------ the event page

  interface PageState {
    /** The ticket type form that was sent: "new" or a type's id, with what was typed. */
    typeForm?: { id: string; values: FormValues; errors: FieldErrors; message?: string };
    door?: { values: FormValues; errors: FieldErrors; message?: string };
    cancel?: { values: FormValues; errors: FieldErrors; message?: string };
    message?: string;
  }

  function eventPage(req: FastifyRequest, reply: FastifyReply, event: EventRow, state: PageState = {}) {
    const locale = localeOfReq(req);
    const view = eventView(svc, event);
    const now = svc.now();
    const saleId = query(req).sale;
    let lastSale: OrderView | null = null;
    if (saleId && !state.door) {
      try {
        const sale = getOrder(svc, saleId);
        lastSale = sale.event.id === event.id ? sale : null;
      } catch (err) {
        if (!(err instanceof DomainError && err.code === 'not_found')) throw err;
      }
    }
    const typeForms = Object.fromEntries(
      view.ticketTypes.map((tt) => {
        const sent = state.typeForm?.id === tt.id ? state.typeForm : null;
        return [tt.id, sent ?? { values: ticketTypeToForm(tt, event), errors: {} }];
      }),
    );
    reply.header('cache-control', 'no-store');
    return reply.page('pages/admin/event', {
      title: event.title,
      view,
      event,
      kind: t(kindLabels[event.kind]),
      times: timesOf(event, locale),
      zoned: zonedFormatter(event, locale),
      counts: doorCounts(svc, event, view),
      selling: event.status === 'published' && now < event.endsAt,
      newType: state.typeForm?.id === 'new' ? state.typeForm : { values: newTicketTypeValues, errors: {} },
      typeForms,
      openType: state.typeForm?.id ?? null,
      door: state.door ?? { values: { method: query(req).method ?? 'cash', form_token: newSecret(18) }, errors: {} },
      methods: methodOptions,
      lastSale,
      lastSaleTotal: lastSale ? lastSale.total : null,
      paymentLabel,
      cancel: state.cancel ?? { values: {}, errors: {} },
      message: state.message,
      flash: state.message === undefined && !state.typeForm && !state.door && !state.cancel ? flashOf(req) : undefined,
      priceText: (p: Money, min: Money | null) => priceText(p, min, locale),
      raffles: rafflesAtEvent(svc, event.id),
    });
  }

  app.get<Params>('/admin/events/:slug', config(ownEvent), async (req, reply) => eventPage(req, reply, getEvent(svc, req.params.slug)));

  /** A refused button on the event page: the page again with the reason (409: the event's state does not allow it). */
  function refused(req: FastifyRequest, reply: FastifyReply, slug: string, err: unknown) {
    const message = messageOf(err);
    return eventPage(req, reply.code(err instanceof ValidationError ? 400 : 409), getEvent(svc, slug), { message });
  }

  app.post<Params>('/admin/events/:slug/publish', config(ownEvent), async (req, reply) => {
    const event = getEvent(svc, req.params.slug);
    try {
      await publishEvent(svc, actorOf(req), event.slug);
    } catch (err) {
      return refused(req, reply, event.slug, err);
    }
    return reply.redirect(`/admin/events/${event.slug}?done=published`, 303);
  });

  app.post<Params>('/admin/events/:slug/cancel', config(ownEvent), async (req, reply) => {
    const event = getEvent(svc, req.params.slug);
    const values = formValues(req.body);
    const parsed = parseForm(cancelForm, values);
    if (!parsed.ok) return eventPage(req, reply.code(400), event, { cancel: { values, errors: parsed.errors } });
    try {
      const until = parsed.data.offer_until ? parseLocalDateTime(parsed.data.offer_until, event.timezone, 'offer_until') : null;
      await cancelEvent(svc, actorOf(req), event.slug, { offerGiftUntil: until, reason: parsed.data.reason || null });
      await handOnRefunds(app);
    } catch (err) {
      const e = serviceErrors(err, { offerGiftUntil: 'offer_until' });
      const now = getEvent(svc, event.slug);
      const code = err instanceof ValidationError ? 400 : 409;
      // Cancelled meanwhile (a second tap): the page has no cancel form left to show the answer in.
      if (now.status === 'cancelled') return eventPage(req, reply.code(code), now, { message: e.message ?? messageOf(err) });
      return eventPage(req, reply.code(code), now, { cancel: { values, errors: e.errors, ...(e.message && { message: e.message }) } });
    }
    return reply.redirect(`/admin/events/${event.slug}?done=cancelled`, 303);
  });

  // ------------------------------------------------------------ ticket types

  app.post<Params>('/admin/events/:slug/ticket-types', config(ownEvent), async (req, reply) => {
    const event = getEvent(svc, req.params.slug);
    const values = formValues(req.body);
    const form = ticketTypeFromForm(values, event.currency);
    if (!form.ok) return eventPage(req, reply.code(400), event, { typeForm: { id: 'new', values, errors: form.errors } });
    try {
      await addTicketType(svc, actorOf(req), event.slug, form.input);
    } catch (err) {
      const e = serviceErrors(err, ticketTypeFieldNames);
      return eventPage(req, reply.code(400), event, { typeForm: { id: 'new', values, errors: e.errors, ...(e.message && { message: e.message }) } });
    }
    return reply.redirect(`/admin/events/${event.slug}?done=type-added#ticket-types`, 303);
  });

  app.post<{ Params: { slug: string; id: string } }>('/admin/events/:slug/ticket-types/:id', config(ownEvent), async (req, reply) => {
    const event = getEvent(svc, req.params.slug);
    const id = req.params.id;
    if (!eventView(svc, event).ticketTypes.some((tt) => tt.id === id)) throw new DomainError('not_found', t('This event has no such ticket type.'));
    const values = formValues(req.body);
    const form = ticketTypeFromForm(values, event.currency);
    if (!form.ok) return eventPage(req, reply.code(400), event, { typeForm: { id, values, errors: form.errors } });
    try {
      await patchTicketType(svc, actorOf(req), event.slug, id, form.input);
    } catch (err) {
      const e = serviceErrors(err, ticketTypeFieldNames);
      return eventPage(req, reply.code(400), event, { typeForm: { id, values, errors: e.errors, ...(e.message && { message: e.message }) } });
    }
    return reply.redirect(`/admin/events/${event.slug}?done=type-saved#ticket-types`, 303);
  });

  // ------------------------------------------------------------ door sales

  app.post<Params>('/admin/events/:slug/door-sale', config(ownEvent), async (req, reply) => {
    const event = getEvent(svc, req.params.slug);
    const values = formValues(req.body);
    const parsed = parseForm(doorForm, values);
    const types = eventView(svc, event).ticketTypes;
    const errors: FieldErrors = parsed.ok ? {} : { ...parsed.errors };
    const items = types.flatMap((tt) => {
      const raw = values[`qty_${tt.id}`]?.trim() ?? '';
      if (raw === '' || raw === '0') return [];
      if (!/^\d{1,4}$/.test(raw)) {
        errors[`qty_${tt.id}`] = t('Enter a number of tickets');
        return [];
      }
      return [{ ticketTypeId: tt.id, quantity: Number(raw) }];
    });
    if (items.length === 0 && Object.keys(errors).length === 0) errors.items = t('Enter how many tickets of each type were sold');
    if (!parsed.ok || Object.keys(errors).length > 0) return eventPage(req, reply.code(400), event, { door: { values, errors } });
    const f = parsed.data;
    try {
      // A double tap, or the form sent again on a flaky connection, sells once.
      const result = await once(svc, 'form:door-sale', f.form_token, { slug: event.slug, items, name: f.name ?? '', method: f.method }, async () => {
        const sale = await recordDoorSale(svc, actorOf(req), event.slug, { items, buyer: { name: f.name ?? '' }, method: f.method });
        return { statusCode: 303, body: sale.order.id };
      });
      const q = new URLSearchParams({ sale: String(result.body), method: f.method });
      return reply.redirect(`/admin/events/${event.slug}?${q.toString()}#door-sale`, 303);
    } catch (err) {
      if (err instanceof DomainError && err.code === 'conflict') {
        // The first sending counts; the form keeps its token, so no resend can sell twice.
        const inProgress = err.issues.length === 0;
        return eventPage(req, reply.code(409), event, {
          door: {
            values,
            errors: {},
            message: inProgress
              ? t('This sale is still being recorded. Check the attendee list in a moment before selling again.')
              : t('This form was already used for a sale. Check the attendee list; for another sale, reload the page.'),
          },
        });
      }
      // Sold out, the event over or cancelled meanwhile: say it in the service's words.
      const e =
        err instanceof DomainError && (err.code === 'sold_out' || err.code === 'unprocessable' || err.code === 'not_found')
          ? { errors: {}, message: err.message }
          : serviceErrors(err);
      return eventPage(req, reply.code(err instanceof ValidationError ? 400 : 409), event, { door: { values, errors: e.errors, ...(e.message && { message: e.message }) } });
    }
  });

  // ------------------------------------------------------------ attendees

  function attendeesFor(req: FastifyRequest, event: EventRow): (AttendeeRow & { buyerEmail: string | null })[] {
    const admin = audienceOf(user(req).role) === 'admin';
    // Buyers' e-mail addresses are for admins only (see services/privacy.ts).
    return attendeesOfEvent(svc.db, event.id).map((a) => ({ ...a, buyerEmail: admin ? a.buyerEmail : null }));
  }

  function attendeesPage(
    req: FastifyRequest,
    reply: FastifyReply,
    event: EventRow,
    state: { orderId?: string; values?: FormValues; ticked?: string[]; errors?: FieldErrors; message?: string } = {},
  ) {
    const q = (query(req).q ?? '').trim().slice(0, 100);
    const all = attendeesFor(req, event);
    const needle = q.toLowerCase();
    // A piece of a code counts from four characters on; shorter ones are names ("Ola" is not "01A").
    const code = normaliseTicketCode(q);
    const byCode = code.replace(/-/g, '').length >= 4;
    const shown = q === '' ? all : all.filter((a) => a.buyerName.toLowerCase().includes(needle) || (byCode && a.code.includes(code)));
    const isAdmin = audienceOf(user(req).role) === 'admin';
    const tokens: Record<string, string> = {};
    for (const a of shown) tokens[a.orderId] ??= newSecret(18);
    // What each refundable order still has to refund, ticket by ticket; and card payments' disputes.
    const choices: Record<string, RefundChoices> = {};
    const disputes: Record<string, string> = {};
    for (const a of shown) {
      if (a.orderId in choices || a.orderId in disputes) continue;
      if (isAdmin && (a.orderStatus === 'paid' || a.orderStatus === 'partially_refunded')) choices[a.orderId] = refundChoicesOf(svc, getOrder(svc, a.orderId));
      const dispute = a.method === 'stripe' ? disputeOfOrder(svc, a.orderId) : null;
      if (dispute) disputes[a.orderId] = disputeText(dispute, 'order');
    }
    const locale = localeOfReq(req);
    reply.header('cache-control', 'no-store');
    return reply.page('pages/admin/attendees', {
      title: t('Attendees: {title}', { title: event.title }),
      event,
      attendees: shown,
      total: all.length,
      q,
      counts: doorCounts(svc, event),
      zoned: zonedFormatter(event, locale),
      isAdmin,
      tokens,
      choices,
      disputes,
      moneyText: (m: Money) => moneyText(m, locale),
      statusLabel: (status: string) => orderStatusLabels[status] ?? status,
      paymentLabel,
      refund: { orderId: state.orderId ?? null, values: state.values ?? {}, ticked: state.ticked ?? [], errors: state.errors ?? {}, message: state.message },
      flash: state.message === undefined && !state.errors ? flashOf(req) : undefined,
    });
  }

  app.get<Params>('/admin/events/:slug/attendees', config(ownEvent), async (req, reply) => attendeesPage(req, reply, getEvent(svc, req.params.slug)));

  app.get<Params>('/admin/events/:slug/attendees.csv', config(ownEvent), async (req, reply) => {
    const event = getEvent(svc, req.params.slug);
    const isAdmin = audienceOf(user(req).role) === 'admin';
    const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
    const header = ['code', 'ticket_type', 'buyer_name', ...(isAdmin ? ['buyer_email'] : []), 'order', 'order_status', 'source', 'method', 'paid_at', 'ticket_status', 'checked_in_at', 'checked_in_by'];
    const rows = attendeesFor(req, event).map((a) => [
      a.code,
      a.typeName,
      a.buyerName,
      ...(isAdmin ? [a.buyerEmail] : []),
      a.orderId,
      a.orderStatus,
      a.source,
      a.method,
      iso(a.paidAt),
      a.ticketStatus,
      iso(a.checkedInAt),
      a.checkedInBy,
    ]);
    return reply
      .header('cache-control', 'no-store')
      .header('content-disposition', `attachment; filename="attendees-${event.slug}.csv"`)
      .type('text/csv; charset=utf-8')
      .send(toCsv(header, rows));
  });

  app.post<{ Params: { id: string } }>('/admin/orders/:id/refund', { schema: { hide: true }, config: { access: { roles: ['admin'], owns: 'order' } } }, async (req, reply) => {
    const order = getOrder(svc, req.params.id);
    const values = formValues(req.body);
    const ticked = formList(req.body, 'tickets');
    const donation = values.donation !== undefined && values.donation !== '';
    const parsed = parseForm(refundForm, values);
    const back = (err?: { errors?: FieldErrors; message?: string }, code = 400) =>
      attendeesPage(req, reply.code(code), order.event, { orderId: order.order.id, values, ticked, errors: err?.errors ?? {}, ...(err?.message && { message: err.message }) });
    if (!parsed.ok) return back({ errors: parsed.errors });
    // Without a button's scope (an older page), ticked boxes still mean a choice.
    const chosen = parsed.data.scope === 'chosen' || (parsed.data.scope === undefined && (ticked.length > 0 || donation));
    const choice = chosen ? { tickets: ticked, donation } : {};
    try {
      await once(svc, 'form:order-refund', parsed.data.form_token, { order: order.order.id, reason: parsed.data.reason, ...choice }, async () => {
        await refundOrderPart(svc, actorOf(req), order.order.id, { ...choice, reason: parsed.data.reason }, app.payments);
        return { statusCode: 303, body: order.order.id };
      });
    } catch (err) {
      if (err instanceof DomainError && err.code === 'conflict') {
        return back({ message: t('This refund form was already sent. Reload the attendee list to see the order as it is now.') }, 409);
      }
      // A ticket or the donation refused ("tickets.1", "donation") is marked on its own list.
      const e = serviceErrors(err);
      const errors: FieldErrors = {};
      for (const [field, message] of Object.entries(e.errors)) errors[field.split('.')[0] ?? field] ??= message;
      return back({ errors, message: e.message ?? Object.values(errors).join(' ') }, err instanceof ValidationError ? 400 : err instanceof DomainError && err.code === 'unprocessable' ? 422 : 409);
    }
    const done = getOrder(svc, order.order.id).order.status === 'refunded' ? 'refunded' : 'partly-refunded';
    return reply.redirect(`/admin/events/${order.event.slug}/attendees?done=${done}`, 303);
  });

  // ------------------------------------------------------------ check-in at the door

  interface Answer {
    ok: boolean;
    headline: string;
    /** For a repeat: when and by whom the ticket was first checked in. */
    when?: string;
    detail?: string;
  }

  function checkInPage(req: FastifyRequest, reply: FastifyReply, event: EventRow, state: { answer?: Answer; code?: string; error?: string } = {}) {
    reply.header('cache-control', 'no-store');
    return reply.page('pages/admin/check-in', {
      title: t('Check-in: {title}', { title: event.title }),
      event,
      times: timesOf(event, localeOfReq(req)),
      counts: doorCounts(svc, event),
      answer: state.answer ?? null,
      code: state.code ?? '',
      error: state.error,
      scanner: qrScannerUrls,
    });
  }

  app.get<Params>('/admin/events/:slug/check-in', config(ownEvent), async (req, reply) => checkInPage(req, reply, getEvent(svc, req.params.slug)));

  app.post<Params>('/admin/events/:slug/check-in', config(ownEvent), async (req, reply) => {
    const event = getEvent(svc, req.params.slug);
    const code = (formValues(req.body).code ?? '').trim().slice(0, 100);
    if (code === '') return checkInPage(req, reply.code(400), event, { error: t('Type the code printed under the QR code, or scan it') });
    try {
      const r = await checkIn(svc, actorOf(req), event.slug, code);
      const buyer = getOrder(svc, r.ticket.orderId).order.buyerName;
      if (r.admitted) {
        return checkInPage(req, reply, event, { answer: { ok: true, headline: t('Welcome — {type}', { type: r.typeName }), detail: `${buyer} · ${r.ticket.code}` } });
      }
      const at = r.ticket.checkedInAt === null ? '' : zonedFormatter(event, localeOfReq(req))(r.ticket.checkedInAt);
      return checkInPage(req, reply.code(409), event, {
        answer: {
          ok: false,
          headline: t('Already checked in'),
          when: t('at {time} by {who}', { time: at, who: r.ticket.checkedInBy ?? t('someone') }),
          detail: `${r.typeName} · ${buyer} · ${r.ticket.code}`,
        },
      });
    } catch (err) {
      if (!(err instanceof DomainError) || (err.code !== 'not_found' && err.code !== 'unprocessable')) throw err;
      const shown = normaliseTicketCode(code);
      const headline = err.code === 'not_found' ? t('Unknown code') : err.message;
      const detail = err.code === 'not_found' ? t('{code}: no ticket has this code. Check it, or look the name up in the attendee list.', { code: shown }) : shown;
      return checkInPage(req, reply.code(err.code === 'not_found' ? 404 : 422), event, { answer: { ok: false, headline, detail } });
    }
  });

  app.get<Params>('/admin/events/:slug/check-in/counts', config(ownEvent), async (req, reply) => {
    const event = getEvent(svc, req.params.slug);
    return reply.header('cache-control', 'no-store').send(doorCounts(svc, event));
  });
}

function priceText(p: Money, min: Money | null, locale: Locale): string {
  const fmt = (m: Money) => moneyText(m, locale);
  if (min !== null) return t('Pay what you want, at least {min} (suggested {price})', { min: fmt(min), price: fmt(p) });
  return p.amount === 0 ? t('Free') : fmt(p);
}
