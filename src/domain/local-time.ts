// Local times of events. An organizer writes "2026-12-05T19:00" and means
// seven in the evening where the event happens; Lantern stores the instant
// (UTC ms) and the IANA zone. This module turns one into the other, refuses
// what cannot be meant (an unknown zone, a time the clocks skip), and lists a
// zone's offset changes for calendar feeds. Zone rules come from the time
// zone database that ships with Node, through luxon.
import { DateTime, IANAZone } from 'luxon';
import { ValidationError } from './errors.ts';

const MINUTE = 60_000;
const DAY = 86_400_000;

// A date and time, seconds and a fraction optional, then an optional offset.
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

let knownZones: readonly string[] | undefined;

/**
 * The zone's canonical spelling ("asia/seoul" → "Asia/Seoul"), or null when
 * the time zone database does not know it. An alias keeps the name it was
 * given ("Asia/Kolkata" is not turned into the older "Asia/Calcutta").
 */
export function canonicalZone(name: string): string | null {
  const text = name.trim();
  if (text === '' || !IANAZone.isValidZone(text)) return null;
  const resolved = new Intl.DateTimeFormat('en-US', { timeZone: text }).resolvedOptions().timeZone;
  if (resolved.toLowerCase() === text.toLowerCase()) return resolved;
  knownZones ??= Intl.supportedValuesOf('timeZone');
  return knownZones.find((z) => z.toLowerCase() === text.toLowerCase()) ?? text;
}

/** Like canonicalZone, but a ValidationError on `field` for an unknown zone. */
export function requireZone(name: string, field = 'timezone'): string {
  const zone = canonicalZone(name);
  if (zone === null) {
    throw ValidationError.field(field, `Unknown time zone "${name.slice(0, 60)}": use an IANA name such as Asia/Seoul or America/Vancouver`);
  }
  return zone;
}

/** The zone's offset from UTC at an instant, in minutes (Seoul: 540). */
export function offsetAt(ms: number, zone: string): number {
  return IANAZone.create(zone).offset(ms);
}

export interface ZoneTransition {
  /** The instant the offset changes. */
  readonly at: number;
  /** Offsets in minutes before and after. */
  readonly from: number;
  readonly to: number;
  /** Whether the new offset is daylight-saving time. */
  readonly dst: boolean;
}

/**
 * Every change of the zone's offset between two instants, in order. Offsets
 * are sampled daily (no zone changes twice within a day) and each change is
 * then found to the second.
 */
export function zoneTransitions(zone: string, from: number, to: number): ZoneTransition[] {
  const z = IANAZone.create(zone);
  const out: ZoneTransition[] = [];
  let t = from;
  let offset = z.offset(t);
  while (t < to) {
    const next = Math.min(t + DAY, to);
    const nextOffset = z.offset(next);
    if (nextOffset !== offset) {
      // Invariant: offset at lo (seconds) is the old one, at hi the new one.
      let lo = Math.floor(t / 1000);
      let hi = Math.ceil(next / 1000);
      while (hi - lo > 1) {
        const mid = Math.floor((lo + hi) / 2);
        if (z.offset(mid * 1000) === offset) lo = mid;
        else hi = mid;
      }
      const at = hi * 1000;
      out.push({ at, from: offset, to: nextOffset, dst: DateTime.fromMillis(at, { zone }).isInDST });
    }
    t = next;
    offset = nextOffset;
  }
  return out;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** "2026-12-05T19:00" (seconds only when not zero): the instant's wall time in the zone. */
export function localDateTime(ms: number, zone: string): string {
  const d = DateTime.fromMillis(ms, { zone });
  const base = `${pad(d.year, 4)}-${pad(d.month)}-${pad(d.day)}T${pad(d.hour)}:${pad(d.minute)}`;
  return d.second === 0 ? base : `${base}:${pad(d.second)}`;
}

/** "UTC+09:00", "UTC−07:00" for messages. */
function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? '\u2212' : '+';
  const abs = Math.abs(minutes);
  return `UTC${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

function wallClock(localAsUtc: number): string {
  const d = new Date(localAsUtc);
  return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

/**
 * The instants at which the zone's clocks show this wall time (given as if
 * it were UTC): none in a gap, two in an overlap, earlier first.
 */
function instantsOf(localAsUtc: number, zone: string): number[] {
  const offsets = new Set([localAsUtc - DAY, localAsUtc, localAsUtc + DAY].map((t) => offsetAt(t, zone)));
  const found = [...offsets].map((o) => localAsUtc - o * MINUTE).filter((t) => offsetAt(t, zone) * MINUTE === localAsUtc - t);
  return [...new Set(found)].sort((a, b) => a - b);
}

/**
 * Turns what an organizer typed into an instant. Without an offset the text
 * is a wall time in `zone`: a time the clocks skip (the spring-forward gap) is
 * refused, and a time they show twice (the autumn overlap) means the first
 * of the two, as iCalendar reads it (RFC 5545 §3.3.5); write an offset, such
 * as 2026-11-01T01:30-08:00, to mean the second. With an offset (or Z) the
 * text is an instant whatever the zone.
 */
export function parseLocalDateTime(text: string, zone: string, field: string): number {
  const m = DATE_TIME.exec(text.trim());
  if (m === null) {
    throw ValidationError.field(field, 'Use a date and time such as 2026-12-05T19:00 (local time), or one with an offset such as 2026-12-05T19:00+09:00');
  }
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map((p) => Number(p ?? 0)) as [number, number, number, number, number, number];
  const invalid = () => ValidationError.field(field, `${text.trim().slice(0, 40)} is not a real date and time`);
  const localAsUtc = Date.UTC(year, month - 1, day, hour, minute, second);
  const check = new Date(localAsUtc);
  if (
    hour > 23 || minute > 59 || second > 59 ||
    check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day
  ) {
    throw invalid();
  }
  if (m[7] !== undefined) {
    const offset = /^[+-](\d{2}):?(\d{2})?$/.exec(m[7]);
    if (offset && (Number(offset[1]) > 14 || Number(offset[2] ?? 0) > 59)) throw invalid();
    const dt = DateTime.fromISO(text.trim().replace(' ', 'T'), { setZone: true });
    if (!dt.isValid) throw invalid();
    return dt.toMillis();
  }
  const instants = instantsOf(localAsUtc, zone);
  const first = instants[0];
  if (first === undefined) {
    const gap = zoneTransitions(zone, localAsUtc - 2 * DAY, localAsUtc + 2 * DAY).find(
      (tr) => tr.to > tr.from && localAsUtc >= tr.at + tr.from * MINUTE && localAsUtc < tr.at + tr.to * MINUTE,
    );
    const detail = gap
      ? `the clocks go from ${wallClock(gap.at + gap.from * MINUTE)} straight to ${wallClock(gap.at + gap.to * MINUTE)} that day, from ${formatOffset(gap.from)} to ${formatOffset(gap.to)}`
      : 'the clocks skip it';
    throw ValidationError.field(field, `${text.trim()} does not exist in ${zone}: ${detail}. Choose a time outside the gap`);
  }
  return first;
}

/**
 * Whether writing the instant as a wall time in the zone (as a calendar's
 * DTSTART;TZID does) reads back as the same instant. It does not for the
 * second pass through an autumn overlap, which must be written in UTC.
 */
export function wallTimeIsExact(ms: number, zone: string): boolean {
  const offset = offsetAt(ms, zone);
  return instantsOf(ms + offset * MINUTE, zone)[0] === ms;
}
