// The event and ticket type forms of the console: what a volunteer types (a
// date and a time in the event's own zone, prices in major units, co-hosts
// and speakers as repeated rows) to and from the events service's input.
import { z } from 'zod';
import { ValidationError, type FieldIssue } from '../../domain/errors.ts';
import { localDateTime } from '../../domain/local-time.ts';
import { formatMajor, parseMoney, type Money } from '../../domain/money.ts';
import type { EventKind, EventRow } from '../../db/events.ts';
import { eventKinds } from '../../db/schema.ts';
import type { EventInput, Host, Speaker, TicketTypeInput, TicketTypeView, Venue } from '../../services/events.ts';
import { translator } from '../../i18n.ts';
import { parseUtcDay, type FieldErrors, type FormValues } from '../forms.ts';

const t = translator('en');
const DAY = 86_400_000;

export const kindLabels: Record<EventKind, string> = { screening: 'Screening', seminar: 'Seminar', social: 'Social', run: 'Run', other: 'Other' };
export const kindOptions = eventKinds.map((k) => ({ value: k, label: t(kindLabels[k]) }));

/** The zones the NGO's events happen in, and the usual others; any IANA name may be typed instead. */
const commonZones = [
  'Asia/Seoul',
  'Asia/Tokyo',
  'Asia/Bangkok',
  'America/Vancouver',
  'America/Edmonton',
  'America/Regina',
  'America/Winnipeg',
  'America/Toronto',
  'America/Los_Angeles',
  'America/Denver',
  'America/Chicago',
  'America/New_York',
  'Europe/London',
  'Europe/Berlin',
  'Australia/Sydney',
  'UTC',
];

/** The zone select: the common zones, the event's own when it is another, and "another zone" for the text field. */
export function zoneOptions(current: string | undefined): { value: string; label: string }[] {
  const zones = current && current !== 'other' && !commonZones.includes(current) ? [current, ...commonZones] : commonZones;
  return [{ value: '', label: t('Choose the time zone…') }, ...zones.map((z) => ({ value: z, label: z.replace(/_/g, ' ') })), { value: 'other', label: t('Another zone (type it below)') }];
}

/** Blank rows offered below the filled ones for co-hosts and speakers. */
export const blankRows = 3;

/** How many co-host or speaker rows the form shows: every filled one, then three blank. */
export function rowCount(values: FormValues, prefix: 'host' | 'speaker'): number {
  let last = -1;
  for (const [k, v] of Object.entries(values)) {
    const m = new RegExp(`^${prefix}_(name|url|bio)_(\\d{1,2})$`).exec(k);
    if (m && v.trim() !== '') last = Math.max(last, Number(m[2]));
  }
  return last + 1 + blankRows;
}

const text = (max: number) => z.string().trim().max(max, t('At most {n} characters', { n: max.toLocaleString('en') }));
const optionalText = (max: number) => text(max).optional();

const eventFormSchema = z.object({
  title: text(200).min(1, t('Give the event a title')),
  kind: z.enum(eventKinds, { message: t('Choose what kind of event it is') }),
  description: optionalText(50_000),
  campaign: optionalText(100),
  series: optionalText(100),
  currency: optionalText(3),
  venue_name: optionalText(200),
  venue_address: optionalText(300),
  venue_city: optionalText(100),
  venue_country: optionalText(100),
  online_url: optionalText(500),
  capacity: optionalText(12),
});

const TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;

function day(value: string | undefined, field: string, issues: FieldIssue[], required: string | null): number | null {
  const v = value?.trim() ?? '';
  if (v === '') {
    if (required) issues.push({ field, message: required });
    return null;
  }
  const ms = parseUtcDay(v);
  if (ms === null) issues.push({ field, message: t('Enter a date as YYYY-MM-DD') });
  return ms;
}

function time(value: string | undefined, field: string, issues: FieldIssue[]): string | null {
  const v = value?.trim() ?? '';
  if (!TIME.test(v)) {
    issues.push({ field, message: v === '' ? t('Enter the time, e.g. 19:00') : t('Enter a time as HH:MM on a 24-hour clock, e.g. 19:00') });
    return null;
  }
  return v;
}

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * Start and end as wall times in the event's zone. An empty end date means
 * the start's day, or the next one when the end time is not after the start
 * time (a game night from 19:00 to 01:00).
 */
function startAndEnd(values: FormValues, issues: FieldIssue[]): { startsAt: string; endsAt: string } | null {
  const startDay = day(values.start_date, 'start_date', issues, t('Enter the date it starts'));
  const startTime = time(values.start_time, 'start_time', issues);
  const endDay = day(values.end_date, 'end_date', issues, null);
  const endTime = time(values.end_time, 'end_time', issues);
  if (startDay === null || startTime === null || endTime === null || (values.end_date?.trim() && endDay === null)) return null;
  const end = endDay ?? (endTime > startTime ? startDay : startDay + DAY);
  return { startsAt: `${isoDay(startDay)}T${startTime}`, endsAt: `${isoDay(end)}T${endTime}` };
}

function people(values: FormValues, issues: FieldIssue[]): { hosts: Host[]; speakers: Speaker[] } {
  const hosts: Host[] = [];
  const speakers: Speaker[] = [];
  for (let i = 0; i < rowCount(values, 'host'); i++) {
    const name = values[`host_name_${i}`]?.trim() ?? '';
    const url = values[`host_url_${i}`]?.trim() ?? '';
    if (name === '' && url === '') continue;
    if (name === '') issues.push({ field: `host_name_${i}`, message: t('Give the organisation’s name, or clear its link') });
    else if (name.length > 200) issues.push({ field: `host_name_${i}`, message: t('At most {n} characters', { n: 200 }) });
    if (url.length > 500) issues.push({ field: `host_url_${i}`, message: t('At most {n} characters', { n: 500 }) });
    hosts.push({ name, url: url || null });
  }
  for (let i = 0; i < rowCount(values, 'speaker'); i++) {
    const name = values[`speaker_name_${i}`]?.trim() ?? '';
    const bio = values[`speaker_bio_${i}`]?.trim() ?? '';
    if (name === '' && bio === '') continue;
    if (name === '') issues.push({ field: `speaker_name_${i}`, message: t('Give the speaker’s name, or clear the bio') });
    else if (name.length > 200) issues.push({ field: `speaker_name_${i}`, message: t('At most {n} characters', { n: 200 }) });
    if (bio.length > 1000) issues.push({ field: `speaker_bio_${i}`, message: t('At most {n} characters', { n: '1,000' }) });
    speakers.push({ name, bio: bio || null });
  }
  return { hosts, speakers };
}

export type EventFormInput = Omit<EventInput, 'slug' | 'status'>;

function failed(issues: readonly FieldIssue[]): { ok: false; errors: FieldErrors } {
  const errors: FieldErrors = {};
  for (const i of issues) errors[i.field] ??= i.message;
  return { ok: false, errors };
}

/** Form values → the service's input; every problem at once, keyed by form field. */
export function eventFromForm(values: FormValues): { ok: true; input: EventFormInput } | { ok: false; errors: FieldErrors } {
  const parsed = eventFormSchema.safeParse(values);
  const issues: FieldIssue[] = parsed.success ? [] : parsed.error.issues.map((i) => ({ field: String(i.path[0]), message: i.message }));
  const zoneChoice = values.timezone?.trim() ?? '';
  const typedZone = values.timezone_other?.trim() ?? '';
  const timezone = typedZone || (zoneChoice === 'other' ? '' : zoneChoice);
  if (timezone === '') issues.push({ field: zoneChoice === 'other' ? 'timezone_other' : 'timezone', message: t('Choose the time zone where the event happens') });
  const times = startAndEnd(values, issues);
  const { hosts, speakers } = people(values, issues);
  const capacityText = values.capacity?.trim().replace(/[,\s]/g, '') ?? '';
  let capacity: number | null = null;
  if (capacityText !== '') {
    capacity = /^\d{1,9}$/.test(capacityText) ? Number(capacityText) : NaN;
    if (!Number.isSafeInteger(capacity) || capacity < 1) issues.push({ field: 'capacity', message: t('Enter the number of places, e.g. 80, or leave it empty') });
  }
  if (!parsed.success || issues.length > 0 || times === null) return failed(issues);
  const f = parsed.data;
  const venueFields = [f.venue_name, f.venue_address, f.venue_city, f.venue_country];
  const venue: Venue | null = venueFields.some((v) => v)
    ? { name: f.venue_name ?? '', address: f.venue_address ?? '', city: f.venue_city ?? '', country: f.venue_country ?? '' }
    : null;
  return {
    ok: true,
    input: {
      title: f.title,
      kind: f.kind,
      description: f.description ?? '',
      timezone,
      ...times,
      venue,
      onlineUrl: f.online_url || null,
      campaignSlug: f.campaign || null,
      seriesSlug: f.series || null,
      currency: f.currency || null,
      capacity,
      hosts,
      speakers,
    },
  };
}

export function eventToForm(e: EventRow, campaignSlug: string | null, seriesSlug: string | null): FormValues {
  const start = localDateTime(e.startsAt, e.timezone);
  const end = localDateTime(e.endsAt, e.timezone);
  const values: FormValues = {
    slug: e.slug,
    title: e.title,
    kind: e.kind,
    description: e.description,
    campaign: campaignSlug ?? '',
    series: seriesSlug ?? '',
    currency: e.currency,
    timezone: e.timezone,
    start_date: start.slice(0, 10),
    start_time: start.slice(11, 16),
    end_date: end.slice(0, 10),
    end_time: end.slice(11, 16),
    venue_name: e.venueName ?? '',
    venue_address: e.venueAddress ?? '',
    venue_city: e.venueCity ?? '',
    venue_country: e.venueCountry ?? '',
    online_url: e.onlineUrl ?? '',
    capacity: e.capacity === null ? '' : String(e.capacity),
  };
  (JSON.parse(e.hosts) as Host[]).forEach((h, i) => {
    values[`host_name_${i}`] = h.name;
    values[`host_url_${i}`] = h.url ?? '';
  });
  (JSON.parse(e.speakers) as Speaker[]).forEach((s, i) => {
    values[`speaker_name_${i}`] = s.name;
    values[`speaker_bio_${i}`] = s.bio ?? '';
  });
  return values;
}

/** Service field paths → form field names, for errors the events service finds. */
export function eventFieldNames(values: FormValues): Record<string, string> {
  const names: Record<string, string> = {
    startsAt: 'start_time',
    endsAt: 'end_time',
    timezone: values.timezone === 'other' || values.timezone_other?.trim() ? 'timezone_other' : 'timezone',
    venue: 'venue_name',
    'venue.name': 'venue_name',
    'venue.address': 'venue_address',
    'venue.city': 'venue_city',
    'venue.country': 'venue_country',
    onlineUrl: 'online_url',
    campaignSlug: 'campaign',
    seriesSlug: 'series',
  };
  for (let i = 0; i < Math.max(rowCount(values, 'host'), rowCount(values, 'speaker')); i++) {
    names[`hosts.${i}.name`] = `host_name_${i}`;
    names[`hosts.${i}.url`] = `host_url_${i}`;
    names[`speakers.${i}.name`] = `speaker_name_${i}`;
  }
  return names;
}

// ---------------------------------------------------------------- ticket types

const ticketTypeSchema = z.object({
  name: text(100).min(1, t('Name the ticket, e.g. General or Student')),
  description: optionalText(500),
  price: text(30).min(1, t('Enter the price, or 0 for a free RSVP')),
  pwyw: z.literal('on').optional(),
  min_price: optionalText(30),
  quantity: text(12).regex(/^\d{1,9}$/, t('Enter how many tickets there are, e.g. 50')),
  sales_start: optionalText(40),
  sales_end: optionalText(40),
  min_per_order: text(6).regex(/^\d{1,6}$/, t('A whole number, e.g. 1')),
  max_per_order: text(6).regex(/^\d{1,6}$/, t('A whole number, e.g. 10')),
});

function price(value: string | undefined, currency: string, field: string, issues: FieldIssue[]): Money | null {
  try {
    return parseMoney(value?.trim() ?? '', currency, { allowZero: true, field });
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    issues.push({ field, message: err.issues[0]?.message ?? err.message });
    return null;
  }
}

/** A sales window's end: a wall time in the event's zone (datetime-local gives "2026-12-05T19:00"). */
function salesTime(value: string | undefined): string | null {
  const v = value?.trim() ?? '';
  return v === '' ? null : v;
}

export function ticketTypeFromForm(values: FormValues, currency: string): { ok: true; input: TicketTypeInput } | { ok: false; errors: FieldErrors } {
  const parsed = ticketTypeSchema.safeParse(values);
  const issues: FieldIssue[] = parsed.success ? [] : parsed.error.issues.map((i) => ({ field: String(i.path[0]), message: i.message }));
  const amount = price(values.price, currency, 'price', issues);
  const pwyw = values.pwyw === 'on';
  const minPrice = pwyw ? price(values.min_price?.trim() || '0', currency, 'min_price', issues) : null;
  if (!parsed.success || issues.length > 0 || amount === null) return failed(issues);
  const f = parsed.data;
  return {
    ok: true,
    input: {
      name: f.name,
      description: f.description || null,
      price: amount,
      minPrice,
      quantity: Number(f.quantity),
      salesStart: salesTime(f.sales_start),
      salesEnd: salesTime(f.sales_end),
      minPerOrder: Number(f.min_per_order),
      maxPerOrder: Number(f.max_per_order),
    },
  };
}

export function ticketTypeToForm(tt: TicketTypeView, event: EventRow): FormValues {
  const wall = (ms: number | null) => (ms === null ? '' : localDateTime(ms, event.timezone).slice(0, 16));
  return {
    name: tt.name,
    description: tt.description ?? '',
    price: formatMajor(tt.price),
    ...(tt.minPrice !== null && { pwyw: 'on' }),
    min_price: tt.minPrice === null ? '' : formatMajor(tt.minPrice),
    quantity: String(tt.quantity),
    sales_start: wall(tt.salesStart),
    sales_end: wall(tt.salesEnd),
    min_per_order: String(tt.minPerOrder),
    max_per_order: String(tt.maxPerOrder),
  };
}

export const newTicketTypeValues: FormValues = { price: '', quantity: '', min_per_order: '1', max_per_order: '10' };

export const ticketTypeFieldNames: Record<string, string> = {
  'price.amount': 'price',
  'price.currency': 'price',
  'minPrice.amount': 'min_price',
  'minPrice.currency': 'min_price',
  salesStart: 'sales_start',
  salesEnd: 'sales_end',
  minPerOrder: 'min_per_order',
  maxPerOrder: 'max_per_order',
};
