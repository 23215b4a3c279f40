// Events: create, edit and publish them, their series (tours) and ticket
// types, and the view pages and the API show — each ticket type with its
// seats sold, held and still available. Orders, payments, check-in and
// cancelling an event with refunds live in the orders service.
import { DomainError, ValidationError } from '../domain/errors.ts';
import { parseLocalDateTime, localDateTime, requireZone } from '../domain/local-time.ts';
import { assertCurrency, money, type Money } from '../domain/money.ts';
import { available as seatsAvailable } from '../domain/seats.ts';
import { findCampaignById, findCampaignBySlug, type CampaignRow } from '../db/campaigns.ts';
import {
  eventHasOrders,
  findEventBySlug,
  findSeriesById,
  findSeriesBySlug,
  findTicketType,
  insertEvent,
  insertSeries,
  insertTicketType,
  listEvents,
  nextEventEnd,
  ticketTypesOfEvent,
  updateEvent,
  updateTicketType,
  type EventInsert,
  type EventKind,
  type EventRow,
  type EventStatus,
  type SeriesRow,
  type TicketTypeRow,
} from '../db/events.ts';
import { eventKinds, eventStatuses } from '../db/schema.ts';
import { newId } from '../db/ids.ts';
import { nextHoldExpiry, seatsSold, seatsTaken } from '../db/orders.ts';
import { findUserById } from '../db/users.ts';
import { audit } from './audit.ts';
import { slugPattern } from './campaigns.ts';
import type { Actor, Services } from './context.ts';
import { managesCampaignId } from './permissions.ts';
import { acceptedCurrencies } from './rates.ts';

export interface Venue {
  name: string;
  address: string;
  city: string;
  country: string;
}

/** A co-hosting organisation. */
export interface Host {
  name: string;
  url?: string | null;
}

export interface Speaker {
  name: string;
  bio?: string | null;
}

export interface EventInput {
  slug: string;
  title: string;
  description?: string;
  kind: EventKind;
  /** IANA time zone where the event happens. */
  timezone: string;
  /** A wall time in `timezone` ("2026-12-05T19:00"), or an ISO date-time with an offset. */
  startsAt: string;
  endsAt: string;
  /** A venue, an online link, or both. */
  venue?: Venue | null;
  onlineUrl?: string | null;
  seriesSlug?: string | null;
  campaignSlug?: string | null;
  /**
   * Ticket prices' currency. Required without a campaign; with one it
   * defaults to the campaign's, and another needs an exchange rate into it.
   */
  currency?: string | null;
  capacity?: number | null;
  hosts?: readonly Host[];
  speakers?: readonly Speaker[];
  /** A new event is a draft (the default) or published. */
  status?: EventStatus;
}

/**
 * Changes to an event. A new time zone without new times keeps the wall
 * times: an event set at 19:00 in the wrong zone stays at 19:00 in the right one.
 */
export type EventPatch = Partial<Omit<EventInput, 'slug'>>;

export interface TicketTypeInput {
  name: string;
  description?: string | null;
  /** In the event currency; zero for a free RSVP. With minPrice, the suggested price. */
  price: Money;
  /** Pay what you want, at least this much. */
  minPrice?: Money | null;
  quantity: number;
  /** Wall times in the event's zone, or ISO date-times with an offset; null = no limit. */
  salesStart?: string | null;
  salesEnd?: string | null;
  minPerOrder?: number;
  maxPerOrder?: number;
  position?: number;
}

export type TicketTypePatch = Partial<TicketTypeInput>;

export interface SeriesInput {
  slug: string;
  title: string;
  description?: string;
}

/** Statuses the public may see: a cancelled event stays visible, marked as such. */
const publicStatuses: readonly EventStatus[] = ['published', 'cancelled'];

function notFound(slug: string): DomainError {
  return new DomainError('not_found', `There is no event "${slug}".`);
}

function checkSlug(slug: string): void {
  if (!slugPattern.test(slug)) {
    throw ValidationError.field('slug', 'Use lower-case letters, digits and single hyphens, e.g. seoul-screening');
  }
}

function checkUrl(url: string, field: string): void {
  const protocol = URL.canParse(url) ? new URL(url).protocol : null;
  if (protocol !== 'https:' && protocol !== 'http:') {
    throw ValidationError.field(field, 'Use a web address starting with https://');
  }
}

function checkCount(value: number, field: string, min: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < min) throw ValidationError.field(field, `${what} must be a whole number of at least ${min}`);
}

/** Only admins and the campaign's organizers may raise money for a campaign with an event. */
function assertManagesCampaign(s: Services, actor: Actor, campaign: CampaignRow): void {
  if (actor.role === 'admin') return;
  const user = actor.userId === null ? undefined : findUserById(s.db, actor.userId);
  if (!user || !managesCampaignId(s, user, campaign.id)) {
    throw new DomainError('forbidden', `You are not assigned to the campaign "${campaign.slug}"; an administrator can assign you.`, [
      { field: 'campaignSlug', message: 'You do not run this campaign' },
    ]);
  }
}

function campaignBySlug(s: Services, slug: string): CampaignRow {
  const campaign = findCampaignBySlug(s.db, slug);
  if (!campaign) throw ValidationError.field('campaignSlug', `There is no campaign "${slug}"`);
  return campaign;
}

function seriesBySlug(s: Services, slug: string): SeriesRow {
  const series = findSeriesBySlug(s.db, slug);
  if (!series) throw ValidationError.field('seriesSlug', `There is no series "${slug}"`);
  return series;
}

/** The ticket currency: given, or the campaign's; another than the campaign's needs a rate into it. */
function eventCurrency(s: Services, given: string | null | undefined, campaign: CampaignRow | null): string {
  if (campaign === null) {
    if (!given) throw ValidationError.field('currency', 'Give the currency of ticket prices (the event raises money for no campaign)');
    return assertCurrency(given);
  }
  const currency = given ? assertCurrency(given) : campaign.currency;
  if (!acceptedCurrencies(s, campaign.currency).includes(currency)) {
    throw ValidationError.field(
      'currency',
      `No exchange rate from ${currency} to ${campaign.currency} yet: an administrator enters one so ticket sales can count toward the campaign`,
    );
  }
  return currency;
}

interface Placement {
  timezone: string;
  startsAt: number;
  endsAt: number;
  venue: Venue | null;
  onlineUrl: string | null;
}

function checkPlacement(p: Placement): void {
  if (p.endsAt <= p.startsAt) throw ValidationError.field('endsAt', 'The event must end after it starts');
  if (p.venue === null && p.onlineUrl === null) throw ValidationError.field('venue', 'Give a venue or an online link');
  if (p.onlineUrl !== null) checkUrl(p.onlineUrl, 'onlineUrl');
  if (p.venue !== null) {
    for (const key of ['name', 'address', 'city', 'country'] as const) {
      if (p.venue[key].trim() === '') throw ValidationError.field(`venue.${key}`, 'Required');
    }
  }
}

function checkPeople(hosts: readonly Host[], speakers: readonly Speaker[]): void {
  hosts.forEach((h, i) => {
    if (h.name.trim() === '') throw ValidationError.field(`hosts.${i}.name`, 'Required');
    if (h.url) checkUrl(h.url, `hosts.${i}.url`);
  });
  speakers.forEach((sp, i) => {
    if (sp.name.trim() === '') throw ValidationError.field(`speakers.${i}.name`, 'Required');
  });
}

const hostsJson = (hosts: readonly Host[]) => JSON.stringify(hosts.map((h) => ({ name: h.name, ...(h.url && { url: h.url }) })));
const speakersJson = (speakers: readonly Speaker[]) => JSON.stringify(speakers.map((sp) => ({ name: sp.name, ...(sp.bio && { bio: sp.bio }) })));

function venueOf(e: EventRow): Venue | null {
  if (e.venueName === null) return null;
  return { name: e.venueName, address: e.venueAddress ?? '', city: e.venueCity ?? '', country: e.venueCountry ?? '' };
}

function venueColumns(v: Venue | null) {
  return { venueName: v?.name ?? null, venueAddress: v?.address ?? null, venueCity: v?.city ?? null, venueCountry: v?.country ?? null };
}

/** Seats paid or held now, per ticket type and for the whole event. */
function seatCounts(s: Services, eventId: string): { byType: Map<string, number>; total: number } {
  const byType = seatsTaken(s.db, eventId, s.now());
  let total = 0;
  for (const n of byType.values()) total += n;
  return { byType, total };
}

export async function createEvent(s: Services, actor: Actor, input: EventInput): Promise<EventRow> {
  checkSlug(input.slug);
  if (input.title.trim() === '') throw ValidationError.field('title', 'Required');
  if (!eventKinds.includes(input.kind)) throw ValidationError.field('kind', `Choose one of ${eventKinds.join(', ')}`);
  const status = input.status ?? 'draft';
  if (status !== 'draft' && status !== 'published') throw ValidationError.field('status', 'A new event is a draft or published');
  const timezone = requireZone(input.timezone);
  const placement: Placement = {
    timezone,
    startsAt: parseLocalDateTime(input.startsAt, timezone, 'startsAt'),
    endsAt: parseLocalDateTime(input.endsAt, timezone, 'endsAt'),
    venue: input.venue ?? null,
    onlineUrl: input.onlineUrl ?? null,
  };
  checkPlacement(placement);
  if (input.capacity != null) checkCount(input.capacity, 'capacity', 1, 'The capacity');
  checkPeople(input.hosts ?? [], input.speakers ?? []);
  const id = newId('evt');
  const now = s.now();

  return s.db.write(() => {
    const campaign = input.campaignSlug ? campaignBySlug(s, input.campaignSlug) : null;
    if (campaign) assertManagesCampaign(s, actor, campaign);
    const series = input.seriesSlug ? seriesBySlug(s, input.seriesSlug) : null;
    const currency = eventCurrency(s, input.currency, campaign);
    if (findEventBySlug(s.db, input.slug)) {
      throw new DomainError('conflict', `An event with the slug "${input.slug}" already exists.`, [{ field: 'slug', message: 'This slug is taken' }]);
    }
    const row: EventRow = {
      id,
      slug: input.slug,
      title: input.title.trim(),
      description: input.description ?? '',
      kind: input.kind,
      status,
      timezone,
      startsAt: placement.startsAt,
      endsAt: placement.endsAt,
      ...venueColumns(placement.venue),
      onlineUrl: placement.onlineUrl,
      seriesId: series?.id ?? null,
      campaignId: campaign?.id ?? null,
      currency,
      capacity: input.capacity ?? null,
      hosts: hostsJson(input.hosts ?? []),
      speakers: speakersJson(input.speakers ?? []),
      sequence: 0,
      createdBy: actor.userId,
      createdAt: now,
      updatedAt: now,
      cancelledAt: null,
      giftOfferUntil: null,
    };
    insertEvent(s.db, row);
    audit(s, actor, 'event.create', { type: 'event', id }, null, row);
    return row;
  });
}

/**
 * Applies changes to an event inside the caller's write transaction: bumps
 * the calendar SEQUENCE, stamps updatedAt and audits before and after. For
 * services composing a larger operation (cancelling with refunds, say).
 */
export function changeEvent(s: Services, actor: Actor, before: EventRow, changes: Partial<EventInsert>, action = 'event.update'): EventRow {
  const after: EventRow = { ...before, ...changes, sequence: before.sequence + 1, updatedAt: s.now() };
  updateEvent(s.db, before.id, { ...changes, sequence: after.sequence, updatedAt: after.updatedAt });
  audit(s, actor, action, { type: 'event', id: before.id }, before, after);
  return after;
}

function checkStatusChange(s: Services, before: EventRow, to: EventStatus): void {
  if (to === before.status) return;
  if (before.status === 'cancelled') {
    throw new DomainError('invalid_state', 'A cancelled event stays cancelled; create a new event for a new date.', [
      { field: 'status', message: 'This event was cancelled' },
    ]);
  }
  if (to === 'cancelled' && seatCounts(s, before.id).total > 0) {
    throw new DomainError('invalid_state', 'This event has tickets sold or held: cancel it from its orders, which refunds the buyers.', [
      { field: 'status', message: 'Tickets are sold or held' },
    ]);
  }
  if (to === 'draft' && eventHasOrders(s.db, before.id)) {
    throw new DomainError('invalid_state', 'People have ordered tickets for this event, so it cannot go back to being a draft.', [
      { field: 'status', message: 'Orders exist' },
    ]);
  }
}

export async function patchEvent(s: Services, actor: Actor, slug: string, patch: EventPatch): Promise<EventRow> {
  if (patch.title !== undefined && patch.title.trim() === '') throw ValidationError.field('title', 'Required');
  if (patch.kind !== undefined && !eventKinds.includes(patch.kind)) throw ValidationError.field('kind', `Choose one of ${eventKinds.join(', ')}`);
  if (patch.status !== undefined && !eventStatuses.includes(patch.status)) throw ValidationError.field('status', `Choose one of ${eventStatuses.join(', ')}`);
  if (patch.capacity != null) checkCount(patch.capacity, 'capacity', 1, 'The capacity');
  return s.db.write(() => {
    const before = getEvent(s, slug);
    const timezone = patch.timezone === undefined ? before.timezone : requireZone(patch.timezone);
    // A time not given keeps its instant, or in a new zone its wall time.
    const time = (given: string | undefined, instant: number, field: string) =>
      given !== undefined
        ? parseLocalDateTime(given, timezone, field)
        : timezone === before.timezone
          ? instant
          : parseLocalDateTime(localDateTime(instant, before.timezone), timezone, field);
    const placement: Placement = {
      timezone,
      startsAt: time(patch.startsAt, before.startsAt, 'startsAt'),
      endsAt: time(patch.endsAt, before.endsAt, 'endsAt'),
      venue: patch.venue === undefined ? venueOf(before) : patch.venue,
      onlineUrl: patch.onlineUrl === undefined ? before.onlineUrl : patch.onlineUrl,
    };
    checkPlacement(placement);
    const hosts: Host[] = patch.hosts ? [...patch.hosts] : (JSON.parse(before.hosts) as Host[]);
    const speakers: Speaker[] = patch.speakers ? [...patch.speakers] : (JSON.parse(before.speakers) as Speaker[]);
    checkPeople(hosts, speakers);

    let campaign = before.campaignId === null ? null : (findCampaignById(s.db, before.campaignId) ?? null);
    const newCampaign = patch.campaignSlug !== undefined && (patch.campaignSlug ?? null) !== (campaign?.slug ?? null);
    if (newCampaign) {
      if (eventHasOrders(s.db, before.id)) {
        throw ValidationError.field('campaignSlug', 'Tickets were ordered for this event, and their money counts toward its campaign: the campaign can no longer change');
      }
      campaign = patch.campaignSlug ? campaignBySlug(s, patch.campaignSlug) : null;
      if (campaign) assertManagesCampaign(s, actor, campaign);
    }
    let currency = before.currency;
    if (newCampaign || (patch.currency != null && patch.currency !== before.currency)) {
      // A new campaign brings its currency unless the patch names one.
      currency = eventCurrency(s, patch.currency ?? campaign?.currency ?? before.currency, campaign);
      if (currency !== before.currency && ticketTypesOfEvent(s.db, before.id).length > 0) {
        throw ValidationError.field('currency', `Ticket types are priced in ${before.currency}: the currency can no longer change`);
      }
    }
    const capacity = patch.capacity === undefined ? before.capacity : patch.capacity;
    if (capacity !== null && capacity !== before.capacity) {
      const taken = seatCounts(s, before.id).total;
      if (capacity < taken) throw ValidationError.field('capacity', `${taken} seats are already sold or held: the capacity cannot be less`);
    }
    const status = patch.status ?? before.status;
    checkStatusChange(s, before, status);
    const seriesId =
      patch.seriesSlug === undefined ? before.seriesId : patch.seriesSlug === null ? null : seriesBySlug(s, patch.seriesSlug).id;

    const next = {
      title: patch.title?.trim() ?? before.title,
      description: patch.description ?? before.description,
      kind: patch.kind ?? before.kind,
      status,
      timezone,
      startsAt: placement.startsAt,
      endsAt: placement.endsAt,
      ...venueColumns(placement.venue),
      onlineUrl: placement.onlineUrl,
      seriesId,
      campaignId: campaign?.id ?? null,
      currency,
      capacity,
      hosts: hostsJson(hosts),
      speakers: speakersJson(speakers),
    } satisfies Partial<EventRow>;
    const changes = Object.fromEntries(Object.entries(next).filter(([k, v]) => before[k as keyof EventRow] !== v)) as Partial<EventInsert>;
    // Nothing changed: no new SEQUENCE for calendars to fetch, nothing to audit.
    if (Object.keys(changes).length === 0) return before;
    return changeEvent(s, actor, before, changes);
  });
}

export async function publishEvent(s: Services, actor: Actor, slug: string): Promise<EventRow> {
  return s.db.write(() => {
    const before = getEvent(s, slug);
    if (before.status === 'published') return before;
    checkStatusChange(s, before, 'published');
    return changeEvent(s, actor, before, { status: 'published' }, 'event.publish');
  });
}

/** Any event, drafts included: for organizers. */
export function getEvent(s: Services, slug: string): EventRow {
  const e = findEventBySlug(s.db, slug);
  if (!e) throw notFound(slug);
  return e;
}

/** An event the public may see: published or cancelled, never a draft. */
export function getPublicEvent(s: Services, slug: string): EventRow {
  const e = findEventBySlug(s.db, slug);
  if (!e || !publicStatuses.includes(e.status)) throw notFound(slug);
  return e;
}

export interface EventQuery {
  /** Upcoming: not yet over, soonest first. Past: over, latest first. */
  when: 'upcoming' | 'past';
  kind?: EventKind;
  city?: string;
}

/** Published and cancelled events; a cancelled one is listed so people learn of it. */
export function listPublicEvents(s: Services, q: EventQuery): EventRow[] {
  const now = s.now();
  return listEvents(s.db, {
    statuses: publicStatuses,
    ...(q.when === 'upcoming' ? { endsAfter: now, order: 'asc' as const } : { endedBy: now, order: 'desc' as const }),
    ...(q.kind !== undefined && { kind: q.kind }),
    ...(q.city !== undefined && q.city.trim() !== '' && { city: q.city.trim() }),
  });
}

/** When the next public event still to come ends (moving from the upcoming list to the past), after `now`; Infinity when none is to come. */
export function nextPublicEventEnd(s: Services, now: number): number {
  return nextEventEnd(s.db, publicStatuses, now) ?? Infinity;
}

// ---------------------------------------------------------------- series

export async function createSeries(s: Services, actor: Actor, input: SeriesInput): Promise<SeriesRow> {
  checkSlug(input.slug);
  if (input.title.trim() === '') throw ValidationError.field('title', 'Required');
  const row: SeriesRow = { id: newId('ser'), slug: input.slug, title: input.title.trim(), description: input.description ?? '', createdAt: s.now() };
  await s.db.write(() => {
    if (findSeriesBySlug(s.db, input.slug)) {
      throw new DomainError('conflict', `A series with the slug "${input.slug}" already exists.`, [{ field: 'slug', message: 'This slug is taken' }]);
    }
    insertSeries(s.db, row);
    audit(s, actor, 'event_series.create', { type: 'event_series', id: row.id }, null, row);
  });
  return row;
}

export function getSeries(s: Services, slug: string): SeriesRow {
  const series = findSeriesBySlug(s.db, slug);
  if (!series) throw new DomainError('not_found', `There is no series "${slug}".`);
  return series;
}

/** The series' dates in order; drafts only when asked (for organizers). */
export function eventsOfSeries(s: Services, series: SeriesRow, opts: { drafts?: boolean } = {}): EventRow[] {
  return listEvents(s.db, { statuses: opts.drafts ? eventStatuses : publicStatuses, seriesId: series.id });
}

// ---------------------------------------------------------------- ticket types

interface TypeFields {
  price: number;
  minPrice: number | null;
  quantity: number;
  salesStart: number | null;
  salesEnd: number | null;
  minPerOrder: number;
  maxPerOrder: number;
}

function checkTypeFields(f: TypeFields): void {
  if (f.price < 0) throw ValidationError.field('price.amount', 'The price cannot be negative (zero is a free RSVP)');
  if (f.minPrice !== null) {
    if (f.minPrice < 0) throw ValidationError.field('minPrice.amount', 'The minimum cannot be negative');
    if (f.minPrice > f.price) throw ValidationError.field('minPrice.amount', 'The minimum cannot be more than the suggested price');
  }
  checkCount(f.quantity, 'quantity', 1, 'The quantity');
  checkCount(f.minPerOrder, 'minPerOrder', 1, 'The minimum per order');
  checkCount(f.maxPerOrder, 'maxPerOrder', 1, 'The maximum per order');
  if (f.maxPerOrder < f.minPerOrder) throw ValidationError.field('maxPerOrder', 'The maximum per order cannot be less than the minimum');
  if (f.quantity < f.minPerOrder) throw ValidationError.field('quantity', 'The quantity is less than the minimum per order: nobody could buy one');
  if (f.salesStart !== null && f.salesEnd !== null && f.salesEnd <= f.salesStart) {
    throw ValidationError.field('salesEnd', 'Sales must end after they start');
  }
}

function priceIn(m: Money, currency: string, field: string): number {
  if (m.currency !== currency) throw ValidationError.field(`${field}.currency`, `Prices for this event are in ${currency}`);
  return money(m.amount, m.currency).amount;
}

function salesTime(text: string | null | undefined, event: EventRow, field: string): number | null {
  return text ? parseLocalDateTime(text, event.timezone, field) : null;
}

export async function addTicketType(s: Services, actor: Actor, eventSlug: string, input: TicketTypeInput): Promise<TicketTypeRow> {
  if (input.name.trim() === '') throw ValidationError.field('name', 'Required');
  const id = newId('tt');
  return s.db.write(() => {
    const event = getEvent(s, eventSlug);
    if (event.status === 'cancelled') throw new DomainError('invalid_state', 'This event was cancelled: it sells no more tickets.');
    const fields: TypeFields = {
      price: priceIn(input.price, event.currency, 'price'),
      minPrice: input.minPrice ? priceIn(input.minPrice, event.currency, 'minPrice') : null,
      quantity: input.quantity,
      salesStart: salesTime(input.salesStart, event, 'salesStart'),
      salesEnd: salesTime(input.salesEnd, event, 'salesEnd'),
      minPerOrder: input.minPerOrder ?? 1,
      maxPerOrder: input.maxPerOrder ?? Math.max(input.minPerOrder ?? 1, 10),
    };
    checkTypeFields(fields);
    const row: TicketTypeRow = {
      id,
      eventId: event.id,
      name: input.name.trim(),
      description: input.description ?? null,
      ...fields,
      position: input.position ?? ticketTypesOfEvent(s.db, event.id).length,
      createdAt: s.now(),
    };
    insertTicketType(s.db, row);
    audit(s, actor, 'ticket_type.create', { type: 'ticket_type', id }, null, row);
    return row;
  });
}

export async function patchTicketType(s: Services, actor: Actor, eventSlug: string, typeId: string, patch: TicketTypePatch): Promise<TicketTypeRow> {
  if (patch.name !== undefined && patch.name.trim() === '') throw ValidationError.field('name', 'Required');
  return s.db.write(() => {
    const event = getEvent(s, eventSlug);
    const before = findTicketType(s.db, typeId);
    if (!before || before.eventId !== event.id) throw new DomainError('not_found', `Event "${eventSlug}" has no ticket type ${typeId}.`);
    const fields: TypeFields = {
      price: patch.price ? priceIn(patch.price, event.currency, 'price') : before.price,
      minPrice: patch.minPrice === undefined ? before.minPrice : patch.minPrice === null ? null : priceIn(patch.minPrice, event.currency, 'minPrice'),
      quantity: patch.quantity ?? before.quantity,
      salesStart: patch.salesStart === undefined ? before.salesStart : salesTime(patch.salesStart, event, 'salesStart'),
      salesEnd: patch.salesEnd === undefined ? before.salesEnd : salesTime(patch.salesEnd, event, 'salesEnd'),
      minPerOrder: patch.minPerOrder ?? before.minPerOrder,
      maxPerOrder: patch.maxPerOrder ?? before.maxPerOrder,
    };
    checkTypeFields(fields);
    const taken = seatCounts(s, event.id).byType.get(before.id) ?? 0;
    if (fields.quantity < taken) throw ValidationError.field('quantity', `${taken} of these tickets are already sold or held: the quantity cannot be less`);
    const after: TicketTypeRow = {
      ...before,
      ...fields,
      name: patch.name?.trim() ?? before.name,
      description: patch.description === undefined ? before.description : patch.description,
      position: patch.position ?? before.position,
    };
    updateTicketType(s.db, before.id, event.id, after);
    audit(s, actor, 'ticket_type.update', { type: 'ticket_type', id: before.id }, before, after);
    return after;
  });
}

// ---------------------------------------------------------------- the view

export interface TicketTypeView {
  id: string;
  name: string;
  description: string | null;
  price: Money;
  minPrice: Money | null;
  quantity: number;
  salesStart: number | null;
  salesEnd: number | null;
  minPerOrder: number;
  maxPerOrder: number;
  /** Seats paid for. */
  sold: number;
  /** Seats held by pending orders that have not expired. */
  held: number;
  /** What one more order may take now: bounded by this type and by the event's capacity. */
  available: number;
  /** The event is published and now is inside the sales window (sales end when the event does, unless set). */
  salesOpen: boolean;
}

export interface EventView {
  event: EventRow;
  venue: Venue | null;
  hosts: Host[];
  speakers: Speaker[];
  series: SeriesRow | null;
  campaign: CampaignRow | null;
  ticketTypes: TicketTypeView[];
  /** Seats left for the whole event: the types' availability, bounded by the capacity. */
  available: number;
}

export function eventView(s: Services, event: EventRow): EventView {
  const now = s.now();
  const types = ticketTypesOfEvent(s.db, event.id);
  const sold = seatsSold(s.db, event.id);
  const { byType: taken, total } = seatCounts(s, event.id);
  const whole = { capacity: event.capacity, taken: total };
  const ticketTypes = types.map((t): TicketTypeView => {
    const takenOfType = taken.get(t.id) ?? 0;
    const soldOfType = sold.get(t.id) ?? 0;
    return {
      id: t.id,
      name: t.name,
      description: t.description,
      price: money(t.price, event.currency),
      minPrice: t.minPrice === null ? null : money(t.minPrice, event.currency),
      quantity: t.quantity,
      salesStart: t.salesStart,
      salesEnd: t.salesEnd,
      minPerOrder: t.minPerOrder,
      maxPerOrder: t.maxPerOrder,
      sold: soldOfType,
      held: Math.max(0, takenOfType - soldOfType),
      available: seatsAvailable({ quantity: t.quantity, taken: takenOfType, minPerOrder: t.minPerOrder, maxPerOrder: t.maxPerOrder }, whole),
      salesOpen: event.status === 'published' && (t.salesStart === null || now >= t.salesStart) && now < (t.salesEnd ?? event.endsAt),
    };
  });
  const ofTypes = ticketTypes.reduce((n, t) => n + Math.max(0, t.quantity - (taken.get(t.id) ?? 0)), 0);
  return {
    event,
    venue: venueOf(event),
    hosts: JSON.parse(event.hosts) as Host[],
    speakers: JSON.parse(event.speakers) as Speaker[],
    series: event.seriesId === null ? null : (findSeriesById(s.db, event.seriesId) ?? null),
    campaign: event.campaignId === null ? null : (findCampaignById(s.db, event.campaignId) ?? null),
    ticketTypes,
    available: event.capacity === null ? ofTypes : Math.max(0, Math.min(ofTypes, event.capacity - total)),
  };
}

/**
 * The next moment an event's view changes by the clock alone, with nothing
 * written: a held seat coming free, a sales window opening or closing, the
 * event ending, after `now`, read before the view was (a moment between
 * the two reads then counts as still to come). Infinity when none is
 * coming. For caches of the view; an extra query, so eventView itself does
 * not ask.
 */
export function eventViewChangesAt(s: Services, view: EventView, now: number): number {
  const moments = [nextHoldExpiry(s.db, view.event.id, now), view.event.endsAt, ...view.ticketTypes.flatMap((t) => [t.salesStart, t.salesEnd])];
  return Math.min(...moments.map((m) => (m !== null && m > now ? m : Infinity)));
}
