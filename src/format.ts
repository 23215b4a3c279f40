// Formatting for pages and e-mails (receipts, order confirmations): money
// through the money module, dates through one cached formatter per (locale,
// time zone, style). Building an Intl formatter costs ~30 µs, so they are
// made once and reused.
import { formatMoney } from './domain/money.ts';
import type { Money } from './domain/money.ts';

const dateFormatters = new Map<string, Intl.DateTimeFormat>();

export type DateStyle = 'date' | 'datetime';

export function formatDate(ms: number, opts: { locale?: string; timeZone?: string; style?: DateStyle } = {}): string {
  const locale = opts.locale ?? 'en';
  const timeZone = opts.timeZone ?? 'UTC';
  const style = opts.style ?? 'date';
  const key = `${locale}|${timeZone}|${style}`;
  let f = dateFormatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, {
      timeZone,
      dateStyle: 'medium',
      ...(style === 'datetime' && { timeStyle: 'short' }),
    });
    dateFormatters.set(key, f);
  }
  return f.format(ms);
}

export function money(m: Money, locale = 'en'): string {
  return formatMoney(m, locale);
}

const rangeFormatters = new Map<string, Intl.DateTimeFormat>();
const zoneFormatters = new Map<string, Intl.DateTimeFormat>();

function cached(cache: Map<string, Intl.DateTimeFormat>, key: string, make: () => Intl.DateTimeFormat): Intl.DateTimeFormat {
  let f = cache.get(key);
  if (!f) {
    f = make();
    cache.set(key, f);
  }
  return f;
}

/**
 * A start and end as the clocks read them in one zone, on a 24-hour clock,
 * the day written once when both fall on it: "Sat, Dec 5, 2026, 19:00 – 22:00".
 */
export function formatTimeRange(start: number, end: number, opts: { locale?: string; timeZone?: string } = {}): string {
  const locale = opts.locale ?? 'en';
  const timeZone = opts.timeZone ?? 'UTC';
  const f = cached(rangeFormatters, `${locale}|${timeZone}`, () =>
    new Intl.DateTimeFormat(locale, { timeZone, weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }),
  );
  return f.formatRange(start, end);
}

/** The zone's short name at an instant in the locale's words ("PST", "GMT+9"), which changes with DST. */
export function zoneAbbreviation(ms: number, opts: { locale?: string; timeZone?: string } = {}): string {
  const locale = opts.locale ?? 'en';
  const timeZone = opts.timeZone ?? 'UTC';
  const f = cached(zoneFormatters, `${locale}|${timeZone}`, () => new Intl.DateTimeFormat(locale, { timeZone, timeZoneName: 'short' }));
  return f.formatToParts(ms).find((p) => p.type === 'timeZoneName')?.value ?? timeZone;
}

/** "Asia/Seoul, GMT+9": an event's zone as pages and e-mails name it. */
export function zoneLabel(ms: number, timeZone: string, locale = 'en'): string {
  return timeZone === 'UTC' ? 'UTC' : `${timeZone}, ${zoneAbbreviation(ms, { locale, timeZone })}`;
}
