// Calendar feeds (iCalendar, RFC 5545) of published events: every upcoming
// event, one event, or one series. Each event keeps its own time zone: its
// start and end are written as wall times with a TZID, and the feed carries a
// VTIMEZONE for every zone it uses. UIDs never change and SEQUENCE grows with
// every edit, so subscribed calendars update the event they already show.
import { getVtimezoneComponent } from '@touch4it/ical-timezones';
import ical, { ICalCalendarMethod, ICalEventStatus } from 'ical-generator';
import { DateTime } from 'luxon';
import { DomainError } from '../domain/errors.ts';
import { offsetAt, wallTimeIsExact, zoneTransitions } from '../domain/local-time.ts';
import { findCampaignById } from '../db/campaigns.ts';
import type { EventRow } from '../db/events.ts';
import { translator } from '../i18n.ts';
import type { Services } from './context.ts';
import { eventsOfSeries, getPublicEvent, getSeries, listPublicEvents, type Host, type Speaker } from './events.ts';

const t = translator('en');
const MINUTE = 60_000;
const DAY = 86_400_000;

export interface CalendarFile {
  /** The iCalendar text. */
  ics: string;
  /** When the clock alone changes the file (an event ends and leaves the feed); Infinity if never. */
  changesAt: number;
}

/** Escapes a TEXT value for the calendar-level lines ical-generator writes verbatim. */
function textValue(text: string): string {
  return text.replace(/[\\;,]/g, (c) => `\\${c}`).replace(/\r\n|\r|\n/g, '\\n');
}

function mailAddress(mailFrom: string): string {
  const m = /<([^>]+)>/.exec(mailFrom);
  return (m?.[1] ?? mailFrom).trim();
}

function eventUrl(baseUrl: string, e: EventRow): string {
  return `${baseUrl}/events/${e.slug}`;
}

function location(e: EventRow): string | null {
  const venue = [e.venueName, e.venueAddress, e.venueCity, e.venueCountry].filter((p): p is string => p !== null && p.trim() !== '');
  if (venue.length > 0) return venue.join(', ');
  return e.onlineUrl;
}

/** The plain-text description: the event's text, who speaks and hosts, where the money goes, the link. */
function description(s: Services, e: EventRow): string {
  const speakers = JSON.parse(e.speakers) as Speaker[];
  const hosts = JSON.parse(e.hosts) as Host[];
  const campaign = e.campaignId === null ? undefined : findCampaignById(s.db, e.campaignId);
  const parts = [
    e.status === 'cancelled' ? t('This event is cancelled.') : '',
    e.description.trim(),
    speakers.length > 0 ? `${t('Speakers')}: ${speakers.map((sp) => (sp.bio ? `${sp.name} (${sp.bio})` : sp.name)).join('; ')}` : '',
    hosts.length > 0 ? `${t('Co-hosted with')}: ${hosts.map((h) => (h.url ? `${h.name} (${h.url})` : h.name)).join('; ')}` : '',
    campaign ? t('Proceeds go to {campaign}.', { campaign: campaign.title }) : '',
    e.venueName !== null && e.onlineUrl !== null ? `${t('Online')}: ${e.onlineUrl}` : '',
    eventUrl(s.config.baseUrl, e),
  ];
  return parts.filter((p) => p !== '').join('\n\n');
}

// ---------------------------------------------------------------- VTIMEZONE

interface Observance {
  from: number;
  to: number;
  /** Wall time of the change, as minutes after midnight. */
  at: number;
  rule: { month: number; nth: number; weekday: number } | null;
}

const WEEKDAYS: Record<string, number> = { SU: 0, MO: 1, TU: 2, WE: 3, TH: 4, FR: 5, SA: 6 };

function parseOffset(text: string): number | null {
  const m = /^([+-])(\d{2})(\d{2})$/.exec(text);
  if (!m) return null;
  const minutes = Number(m[2]) * 60 + Number(m[3]);
  return m[1] === '-' ? -minutes : minutes;
}

/**
 * Reads the packaged VTIMEZONE's observances, which all have the shape tzurl
 * writes: one fixed offset, or a yearly rule "nth weekday of a month". Null
 * for anything else (it is then not used).
 */
function parseObservances(component: string): Observance[] | null {
  const out: Observance[] = [];
  let current: Partial<Observance> | null = null;
  for (const line of component.split(/\r?\n/)) {
    const [name, value = ''] = line.split(/:(.*)/s, 2) as [string, string?];
    if (name === 'BEGIN' && (value === 'STANDARD' || value === 'DAYLIGHT')) current = { rule: null };
    else if (current === null) continue;
    else if (name === 'TZOFFSETFROM' || name === 'TZOFFSETTO') {
      const offset = parseOffset(value);
      if (offset === null) return null;
      if (name === 'TZOFFSETFROM') current.from = offset;
      else current.to = offset;
    } else if (name === 'DTSTART') {
      const m = /^\d{8}T(\d{2})(\d{2})00$/.exec(value);
      if (!m) return null;
      current.at = Number(m[1]) * 60 + Number(m[2]);
    } else if (name === 'RRULE') {
      const m = /^FREQ=YEARLY;BYMONTH=(\d{1,2});BYDAY=(-?\d)(SU|MO|TU|WE|TH|FR|SA)$/.exec(value);
      if (!m) return null;
      current.rule = { month: Number(m[1]), nth: Number(m[2]), weekday: WEEKDAYS[m[3] ?? ''] ?? 0 };
    } else if (name === 'END') {
      const { from, to, at, rule = null } = current;
      if (from === undefined || to === undefined || at === undefined) return null;
      out.push({ from, to, at, rule });
      current = null;
    } else if (name !== 'TZNAME') return null;
  }
  const fixed = out.length === 1 && out[0]?.rule === null;
  return fixed || (out.length > 0 && out.every((o) => o.rule !== null)) ? out : null;
}

/** The UTC instant (as ms) of the nth weekday of a month at a wall time given in minutes, read at `offset`. */
function ruleInstant(year: number, rule: NonNullable<Observance['rule']>, at: number, offset: number): number {
  let day: number;
  if (rule.nth > 0) {
    const first = new Date(Date.UTC(year, rule.month - 1, 1)).getUTCDay();
    day = 1 + ((rule.weekday - first + 7) % 7) + (rule.nth - 1) * 7;
  } else {
    const last = new Date(Date.UTC(year, rule.month, 0));
    day = last.getUTCDate() - ((last.getUTCDay() - rule.weekday + 7) % 7) + (rule.nth + 1) * 7;
  }
  return Date.UTC(year, rule.month - 1, day) + (at - offset) * MINUTE;
}

/** The offset the observances give an instant. */
function ruleOffset(observances: readonly Observance[], ms: number): number | undefined {
  const only = observances[0];
  if (observances.length === 1 && only?.rule === null) return only.to;
  const year = new Date(ms).getUTCFullYear();
  let best: { at: number; to: number } | undefined;
  for (const y of [year - 1, year, year + 1]) {
    for (const o of observances) {
      if (o.rule === null) continue;
      const at = ruleInstant(y, o.rule, o.at, o.from);
      if (at <= ms && (best === undefined || at > best.at)) best = { at, to: o.to };
    }
  }
  return best?.to;
}

function formatOffset(minutes: number): string {
  const abs = Math.abs(minutes);
  return `${minutes < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}${String(abs % 60).padStart(2, '0')}`;
}

function formatLocal(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace(/[-:]/g, '');
}

/**
 * A VTIMEZONE written from the time zone database Node ships, with every
 * offset change in the year around the instants given.
 */
function builtVtimezone(zone: string, instants: readonly number[]): string {
  const from = Math.min(...instants) - 366 * DAY;
  const to = Math.max(...instants) + 366 * DAY;
  const first = offsetAt(from, zone);
  const observance = (dst: boolean, start: number, fromOffset: number, toOffset: number) => [
    `BEGIN:${dst ? 'DAYLIGHT' : 'STANDARD'}`,
    `DTSTART:${formatLocal(start + fromOffset * MINUTE)}`,
    `TZOFFSETFROM:${formatOffset(fromOffset)}`,
    `TZOFFSETTO:${formatOffset(toOffset)}`,
    `END:${dst ? 'DAYLIGHT' : 'STANDARD'}`,
  ];
  return [
    'BEGIN:VTIMEZONE',
    `TZID:${zone}`,
    ...observance(DateTime.fromMillis(from, { zone }).isInDST, from, first, first),
    ...zoneTransitions(zone, from, to).flatMap((tr) => observance(tr.dst, tr.at, tr.from, tr.to)),
    'END:VTIMEZONE',
  ].join('\r\n');
}

/**
 * The zone's VTIMEZONE: the packaged one when it names the zone and gives
 * the same offsets as Node's time zone database at every instant the feed
 * writes, else one built from that database. (The package's rules date from
 * 2018: zones changed since, such as Mexico's end of DST in 2022, or renamed,
 * such as Europe/Kyiv, would otherwise mislead calendars that use them.)
 */
export function vtimezone(zone: string, instants: readonly number[]): string {
  const packaged = getVtimezoneComponent(zone);
  if (packaged && /^TZID:(.*)$/m.exec(packaged)?.[1]?.trim() === zone) {
    const observances = parseObservances(packaged);
    if (observances && instants.every((ms) => ruleOffset(observances, ms) === offsetAt(ms, zone))) return packaged.trim();
  }
  return builtVtimezone(zone, instants.length > 0 ? instants : [0]);
}

// ---------------------------------------------------------------- feeds

function calendar(s: Services, name: string, events: readonly EventRow[]): string {
  const host = new URL(s.config.baseUrl).host;
  const exact = (e: EventRow) => wallTimeIsExact(e.startsAt, e.timezone) && wallTimeIsExact(e.endsAt, e.timezone);
  // Wall times that read back as another instant (the second pass through
  // an autumn overlap) are written in UTC instead.
  const zoned = events.filter(exact);
  const instants = new Map<string, number[]>();
  for (const e of zoned) instants.set(e.timezone, [...(instants.get(e.timezone) ?? []), e.startsAt, e.endsAt]);
  const cal = ical({
    name: textValue(name),
    prodId: { company: 'Lantern', product: 'Lantern events', language: 'EN' },
    method: ICalCalendarMethod.PUBLISH,
    url: `${s.config.baseUrl}/events`,
    // No calendar-wide zone: DTSTAMP and the like stay in UTC, each event names its own.
    timezone: { name: null, generator: (zone) => vtimezone(zone, instants.get(zone) ?? []) },
  });
  const organizer = { name: 'Lantern', email: mailAddress(s.config.mailFrom) };
  for (const e of events) {
    const zone = exact(e) ? e.timezone : 'UTC';
    cal.createEvent({
      id: `${e.id}@${host}`,
      sequence: e.sequence,
      start: DateTime.fromMillis(e.startsAt, { zone }),
      end: DateTime.fromMillis(e.endsAt, { zone }),
      timezone: zone,
      // Fixed by the data, never the clock: the same events give the same bytes (and ETag).
      stamp: DateTime.fromMillis(e.updatedAt, { zone: 'utc' }),
      created: DateTime.fromMillis(e.createdAt, { zone: 'utc' }),
      lastModified: DateTime.fromMillis(e.updatedAt, { zone: 'utc' }),
      summary: e.status === 'cancelled' ? t('Cancelled: {title}', { title: e.title }) : e.title,
      description: description(s, e),
      location: location(e),
      url: eventUrl(s.config.baseUrl, e),
      organizer,
      status: e.status === 'cancelled' ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
    });
  }
  return cal.toString();
}

/** Every published upcoming event (and upcoming cancellations): the subscribable feed. */
export function upcomingEventsCalendar(s: Services): CalendarFile {
  const events = listPublicEvents(s, { when: 'upcoming' });
  const host = new URL(s.config.baseUrl).host;
  return { ics: calendar(s, t('Events at {host}', { host }), events), changesAt: Math.min(...events.map((e) => e.endsAt)) };
}

/** One published or cancelled event, past or upcoming. */
export function eventCalendar(s: Services, slug: string): CalendarFile {
  const e = getPublicEvent(s, slug);
  return { ics: calendar(s, e.title, [e]), changesAt: Infinity };
}

/** Every published or cancelled date of a series; a series with none is not shown. */
export function seriesCalendar(s: Services, slug: string): CalendarFile {
  const series = getSeries(s, slug);
  const events = eventsOfSeries(s, series);
  if (events.length === 0) throw new DomainError('not_found', `There is no series "${slug}".`);
  return { ics: calendar(s, series.title, events), changesAt: Infinity };
}

/**
 * An "add to Google Calendar" link for the event page. It is a plain link the
 * visitor may choose to follow: nothing is loaded from Google.
 */
export function googleCalendarUrl(event: EventRow, baseUrl: string): string {
  const utc = (ms: number) => DateTime.fromMillis(ms, { zone: 'utc' }).toFormat("yyyyLLdd'T'HHmmss'Z'");
  const url = eventUrl(baseUrl, event);
  const text = event.description.trim();
  // Long descriptions make links some browsers and Google refuse.
  const details = text.length > 800 ? `${text.slice(0, 800)}…\n\n${url}` : text === '' ? url : `${text}\n\n${url}`;
  const params = new URLSearchParams({
    action: 'TEMPLATE',
    text: event.status === 'cancelled' ? t('Cancelled: {title}', { title: event.title }) : event.title,
    dates: `${utc(event.startsAt)}/${utc(event.endsAt)}`,
    details,
    location: location(event) ?? '',
    ctz: event.timezone,
  });
  return `https://calendar.google.com/calendar/render?${params.toString()}`;
}
