// Gifts over time for the organizers' chart: cumulative raised and matched per
// local calendar day of a time zone, or per week when the range is long, from
// ledger movements. Pure: day boundaries come from Intl and the time zone
// database that ships with Node, with no date library; amounts stay integers.

/** Everything but a match counts as raised: gifts, refunds, ticket and raffle revenue. */
export type MovementKind = 'gift' | 'refund' | 'match' | 'ticket' | 'raffle';

/**
 * A ledger entry as the timeline needs it. Amounts are in minor units and
 * signed as in the ledger: a refund is negative, and so is a match that a
 * replay takes back.
 */
export interface Movement {
  readonly at: number;
  readonly kind: MovementKind;
  readonly amount: number;
}

/** Instants in milliseconds; the series covers every local day from `from`'s to `to`'s. */
export interface TimelineRange {
  readonly from: number;
  readonly to: number;
}

export interface TimelinePoint {
  /** The first and last local calendar days of the bucket, as YYYY-MM-DD. */
  readonly firstDay: string;
  readonly lastDay: string;
  /** By the end of lastDay, in minor units: gifts net of refunds... */
  readonly raised: number;
  /** ...and matches. Movements before the range count from the first point on. */
  readonly matched: number;
}

export interface Timeline {
  /** 1 for daily points, a multiple of 7 for weekly ones. */
  readonly bucketDays: number;
  readonly points: readonly TimelinePoint[];
}

/** More points than this would not be legible on a phone. */
export const MAX_POINTS = 60;

const DAY_MS = 86_400_000;
// Offsets on Earth stay within -12 h and +14 h, so a local day starts within
// this distance of the same wall-clock midnight read as UTC.
const SEARCH_MS = 16 * 3_600_000;

// Calendar days are counted from 1970-01-01 (proleptic Gregorian), so day
// arithmetic is integer arithmetic whatever the zone.
function isoDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

// One formatter per zone: building one costs far more than using it. Only
// valid zone names are cached, and there are a few hundred of them at most.
const formatters = new Map<string, Intl.DateTimeFormat>();

function wallClockFormatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    // en-US, Gregorian, Latin digits and h23: parts that parse as numbers
    // whatever the viewer's locale. Throws RangeError for an unknown zone.
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      calendar: 'gregory',
      numberingSystem: 'latn',
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The wall-clock time at instant t, read as if it were UTC. */
function wallClock(t: number, f: Intl.DateTimeFormat): number {
  const parts: Record<string, number> = {};
  for (const p of f.formatToParts(t)) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  const { year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0 } = parts;
  // Intl has no milliseconds here; no zone offset has any, so t's carry over.
  const millis = ((t % 1000) + 1000) % 1000;
  return Date.UTC(year, month - 1, day, hour, minute, second) + millis;
}

function localDay(t: number, f: Intl.DateTimeFormat): number {
  return Math.floor(wallClock(t, f) / DAY_MS);
}

/** The first instant of a local calendar day. */
function startOfLocalDay(day: number, f: Intl.DateTimeFormat): number {
  const midnight = day * DAY_MS;
  // The offset near that wall time, taken twice so that a transition between
  // the first guess and the answer is accounted for.
  let t = midnight - (wallClock(midnight, f) - midnight);
  t = midnight - (wallClock(t, f) - t);
  if (localDay(t, f) === day && localDay(t - 1, f) < day) return t;
  // A transition skipped this midnight (the day starts at 01:00) or turned the
  // clock back across it (midnight happened twice): search for the first
  // instant of the day instead.
  let before = midnight - SEARCH_MS;
  let start = midnight + SEARCH_MS;
  while (start - before > 1) {
    const mid = before + Math.floor((start - before) / 2);
    if (localDay(mid, f) >= day) start = mid;
    else before = mid;
  }
  return start;
}

/**
 * Cumulative raised and matched by local day in `timeZone` (an IANA name),
 * from `range.from`'s local day to `range.to`'s. Up to MAX_POINTS days give
 * one point a day; longer ranges give one per week (or per few weeks), the
 * last ending on the range's last day. Movements after that day are left out:
 * the last point is what was raised by then.
 */
export function timeline(movements: readonly Movement[], timeZone: string, range: TimelineRange): Timeline {
  if (!Number.isFinite(range.from) || !Number.isFinite(range.to) || range.to < range.from) {
    throw new RangeError(`Invalid timeline range ${range.from}..${range.to}`);
  }
  const f = wallClockFormatter(timeZone);
  const firstDay = localDay(range.from, f);
  // A clock turned back across midnight can put a later instant on an earlier day.
  const lastDay = Math.max(firstDay, localDay(range.to, f));
  const days = lastDay - firstDay + 1;
  const bucketDays = days <= MAX_POINTS ? 1 : 7 * Math.ceil(days / (7 * MAX_POINTS));
  const count = Math.ceil(days / bucketDays);
  const buckets = Array.from({ length: count }, (_, i) => {
    const last = lastDay - (count - 1 - i) * bucketDays;
    return { last, end: startOfLocalDay(last + 1, f), raised: 0, matched: 0 };
  });

  for (const m of movements) {
    if (!Number.isSafeInteger(m.amount)) throw new RangeError(`Movement amount ${m.amount} is not a safe integer`);
    // A linear search is enough: there are at most MAX_POINTS buckets.
    const bucket = buckets.find((b) => m.at < b.end);
    if (bucket === undefined) continue;
    if (m.kind === 'match') bucket.matched += m.amount;
    else bucket.raised += m.amount;
  }

  let raised = 0;
  let matched = 0;
  const points = buckets.map((b): TimelinePoint => {
    raised += b.raised;
    matched += b.matched;
    return { firstDay: isoDay(Math.max(firstDay, b.last - bucketDays + 1)), lastDay: isoDay(b.last), raised, matched };
  });
  return { bucketDays, points };
}
