// Server-rendered SVG charts for the organizer console: no script, no inline
// style (the CSP allows only our stylesheet), colours by CSS classes defined in
// assets/site.css, and a text summary for screen readers. The viewBox lets the
// chart scale to the width of a phone.
import { translator, type Locale } from '../i18n.ts';
import { formatMoney, money } from '../domain/money.ts';
import type { TimelinePoint } from '../domain/timeline.ts';
import { formatDate } from '../format.ts';

export interface ChartOptions {
  currency: string;
  /** The viewer's locale, for words, money and dates. */
  locale: string;
  title: string;
  /** In minor units of `currency`; drawn when it falls within the axis. */
  goal?: number;
}

const WIDTH = 480;
const HEIGHT = 240;
const PLOT = { left: 8, right: WIDTH - 8, top: 36, bottom: HEIGHT - 24 };
const LEGEND_Y = 14;
const LEGEND_COLUMN = 130;
const MAX_BAR_WIDTH = 40;
const X_LABELS = 4;
const Y_INTERVALS = 4;

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

// Coordinates to a tenth of a unit: finer is invisible and only bloats the page.
function n(value: number): string {
  return String(Math.round(value * 10) / 10);
}

// Page locales are English or Korean; anything else reads English words but
// keeps its own money and date formats.
function wordsLocale(locale: string): Locale {
  return locale.toLowerCase().startsWith('ko') ? 'ko' : 'en';
}

/** A round step, in minor units, that divides `max` into about Y_INTERVALS parts. */
function niceStep(max: number): number {
  // At least one minor unit, so steps are whole numbers of them.
  const raw = Math.max(1, max / Y_INTERVALS);
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5].map((k) => k * magnitude).find((s) => s >= raw) ?? 10 * magnitude;
}

// Several charts share a page, and SVG ids are page-wide: the hatch pattern's
// id is derived from what the chart shows (FNV-1a), so it is stable for caching
// and differs between charts. Two charts with the same id draw the same thing.
function chartId(series: readonly TimelinePoint[], opts: ChartOptions): string {
  const text = JSON.stringify([opts.title, opts.currency, opts.goal ?? null, series]);
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return `chart-${hash.toString(36)}`;
}

/** A calendar day (YYYY-MM-DD) through the one date formatter. */
function formatDay(isoDay: string, locale: string): string {
  // The day is already local to the campaign: its UTC midnight, shown in UTC,
  // is that same calendar day in any viewer's locale.
  return formatDate(Date.parse(`${isoDay}T00:00:00Z`), { locale, timeZone: 'UTC' });
}

/**
 * Cumulative raised and matched as stacked bars, one per point of the series,
 * with money on the y axis, dates on the x axis and the goal as a dashed line
 * when it falls within the axis. Matched bars are hatched and the legend names
 * both, so they differ without colour too.
 */
export function cumulativeChartSvg(series: readonly TimelinePoint[], opts: ChartOptions): string {
  const t = translator(wordsLocale(opts.locale));
  const cash = (amount: number) => formatMoney(money(amount, opts.currency), opts.locale);
  const last = series[series.length - 1];
  const summary =
    last === undefined
      ? t('No gifts yet.')
      : t('Raised {raised} and matched {matched} by {date}.', {
          raised: cash(last.raised),
          matched: cash(last.matched),
          date: formatDay(last.lastDay, opts.locale),
        });
  const goalText = opts.goal === undefined ? '' : ` ${t('Goal: {goal}.', { goal: cash(opts.goal) })}`;

  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="100%" font-size="13" role="img">`,
    `<title>${escapeXml(opts.title)}</title>`,
    `<desc>${escapeXml(summary + goalText)}</desc>`,
  ];

  if (last === undefined) {
    out.push(
      `<line class="chart-axis" x1="${PLOT.left}" y1="${PLOT.bottom}" x2="${PLOT.right}" y2="${PLOT.bottom}"/>`,
      `<text class="chart-axis" x="${WIDTH / 2}" y="${(PLOT.top + PLOT.bottom) / 2}" text-anchor="middle">${escapeXml(t('No gifts yet.'))}</text>`,
      '</svg>',
    );
    return out.join('');
  }

  const id = chartId(series, opts);
  out.push(
    `<defs><pattern id="${id}" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">` +
      `<rect class="chart-matched" width="6" height="6"/><line class="chart-hatch" x1="0" y1="0" x2="0" y2="6"/></pattern></defs>`,
  );
  const dataMax = series.reduce((max, p) => Math.max(max, p.raised + p.matched), 0);
  // With nothing raised yet the goal sets the scale, so the empty chart still shows it.
  const scale = dataMax > 0 ? dataMax : (opts.goal ?? 100);
  const step = niceStep(scale);
  const top = step * Math.max(1, Math.ceil(scale / step));
  const y = (amount: number) => PLOT.bottom - (Math.min(Math.max(amount, 0), top) / top) * (PLOT.bottom - PLOT.top);
  const goal = opts.goal !== undefined && opts.goal > 0 && opts.goal <= top ? opts.goal : null;

  // Legend: swatches as the bars are drawn, so hatching identifies "matched".
  const legend: [string, string][] = [
    [`<rect class="chart-raised" x="0" y="${LEGEND_Y - 9}" width="12" height="12"/>`, t('Raised')],
    [`<rect fill="url(#${id})" x="0" y="${LEGEND_Y - 9}" width="12" height="12"/>`, t('Matched')],
  ];
  if (goal !== null) {
    legend.push([`<line class="chart-goal" stroke-dasharray="6 4" x1="0" y1="${LEGEND_Y - 3}" x2="16" y2="${LEGEND_Y - 3}"/>`, t('Goal')]);
  }
  legend.forEach(([swatch, label], i) => {
    const x = PLOT.left + i * LEGEND_COLUMN;
    out.push(`<g transform="translate(${x} 0)">${swatch}<text x="22" y="${LEGEND_Y + 1}">${escapeXml(label)}</text></g>`);
  });

  // Grid lines with their money labels just above them, inside the plot: the
  // bars are cumulative, so the left, where the labels sit, is the lowest.
  for (let value = 0; value <= top; value += step) {
    const gy = n(y(value));
    out.push(
      `<line class="chart-axis" x1="${PLOT.left}" y1="${gy}" x2="${PLOT.right}" y2="${gy}"/>`,
      `<text class="chart-axis" x="${PLOT.left}" y="${n(y(value) - 3)}">${escapeXml(cash(value))}</text>`,
    );
  }

  const band = (PLOT.right - PLOT.left) / series.length;
  const barWidth = Math.min(MAX_BAR_WIDTH, band * 0.8);
  const barX = (i: number) => PLOT.left + i * band + (band - barWidth) / 2;
  const raisedBars: string[] = [];
  const matchedBars: string[] = [];
  series.forEach((p, i) => {
    const raisedTop = y(p.raised);
    const stackTop = y(p.raised + p.matched);
    const x = n(barX(i));
    const w = n(barWidth);
    if (PLOT.bottom - raisedTop > 0) {
      raisedBars.push(`<rect x="${x}" y="${n(raisedTop)}" width="${w}" height="${n(PLOT.bottom - raisedTop)}"/>`);
    }
    if (raisedTop - stackTop > 0) {
      matchedBars.push(`<rect x="${x}" y="${n(stackTop)}" width="${w}" height="${n(raisedTop - stackTop)}"/>`);
    }
  });
  out.push(`<g class="chart-raised">${raisedBars.join('')}</g>`);
  // The hatch's own background carries the chart-matched colour; a class here
  // would override the pattern with that plain colour.
  out.push(`<g fill="url(#${id})">${matchedBars.join('')}</g>`);

  if (goal !== null) {
    const gy = n(y(goal));
    out.push(
      `<line class="chart-goal" stroke-dasharray="6 4" x1="${PLOT.left}" y1="${gy}" x2="${PLOT.right}" y2="${gy}"/>`,
      `<text class="chart-goal" x="${PLOT.right}" y="${n(y(goal) - 3)}" text-anchor="end">${escapeXml(cash(goal))}</text>`,
    );
  }

  // A few dates, spread evenly; the outer ones align inward so they stay in view.
  const labelCount = Math.min(series.length, X_LABELS);
  const indices = new Set(
    Array.from({ length: labelCount }, (_, k) => (labelCount === 1 ? 0 : Math.round((k * (series.length - 1)) / (labelCount - 1)))),
  );
  series.forEach((p, i) => {
    if (!indices.has(i)) return;
    const anchor = series.length === 1 ? 'middle' : i === 0 ? 'start' : i === series.length - 1 ? 'end' : 'middle';
    const x = anchor === 'start' ? barX(i) : anchor === 'end' ? barX(i) + barWidth : barX(i) + barWidth / 2;
    out.push(`<text class="chart-axis" x="${n(x)}" y="${HEIGHT - 6}" text-anchor="${anchor}">${escapeXml(formatDay(p.lastDay, opts.locale))}</text>`);
  });

  out.push('</svg>');
  return out.join('');
}
