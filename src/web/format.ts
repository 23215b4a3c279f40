// Formatting for pages: money through the money module, dates through one
// cached formatter per (locale, time zone, style). Building an Intl formatter
// costs ~30 µs, so they are made once and reused.
import { formatMoney } from '../domain/money.ts';
import type { Money } from '../domain/money.ts';

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
