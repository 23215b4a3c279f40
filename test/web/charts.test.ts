// The dashboard chart is markup we build by hand, so these tests check it is
// well formed, obeys the CSP (no style attributes), escapes what organizers
// type, and says in words what it shows.
import t from 'tap';
import type { Test } from 'tap';
import type { TimelinePoint } from '../../src/domain/timeline.ts';
import { cumulativeChartSvg } from '../../src/web/charts.ts';

/**
 * Tags balance, attributes are quoted, and no raw `<` or stray `&` is left in
 * text: what an XML parser would need. Returns the element names in order.
 */
function checkWellFormed(t: Test, svg: string): string[] {
  const names: string[] = [];
  const stack: string[] = [];
  const tag = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/y;
  let i = 0;
  let text = '';
  while (i < svg.length) {
    if (svg[i] === '<') {
      tag.lastIndex = i;
      const m = tag.exec(svg);
      if (m === null) {
        t.fail(`malformed tag at ${i}: ${svg.slice(i, i + 60)}`);
        return names;
      }
      const [whole, closing, name = '', , selfClosing] = m;
      if (closing) {
        const open = stack.pop();
        if (open !== name) t.fail(`</${name}> closes <${open}>`);
      } else {
        names.push(name);
        if (!selfClosing) stack.push(name);
      }
      i += whole.length;
    } else {
      text += svg[i];
      i++;
    }
  }
  t.strictSame(stack, [], 'every element is closed');
  t.notMatch(text, /&(?!(?:#\d+|amp|lt|gt|quot|apos);)/, 'every & in text starts an entity');
  t.equal(names[0], 'svg', 'one root element');
  return names;
}

const days: TimelinePoint[] = [
  { firstDay: '2026-11-25', lastDay: '2026-11-25', raised: 100_000, matched: 50_000 },
  { firstDay: '2026-11-26', lastDay: '2026-11-26', raised: 300_000, matched: 150_000 },
  { firstDay: '2026-11-27', lastDay: '2026-11-27', raised: 421_000, matched: 210_500 },
];

t.test('a chart of three days with the goal in range', async (t) => {
  const svg = cumulativeChartSvg(days, { currency: 'USD', locale: 'en', title: 'Rescue Fund', goal: 700_000 });
  const names = checkWellFormed(t, svg);
  t.notMatch(svg, /style\s*=/i, 'no style attribute: the CSP allows only our stylesheet');
  t.notMatch(svg, /<script|on\w+=|https?:\/\/(?!www\.w3\.org\/2000\/svg")/i, 'no script and nothing loaded from elsewhere');
  t.match(svg, /^<svg [^>]*viewBox="0 0 \d+ \d+"[^>]*width="100%"[^>]*role="img"/, 'scales to its container, an image to assistive tech');
  t.equal(names[1], 'title', 'the title comes first, naming the image');
  t.match(svg, '<title>Rescue Fund</title>');
  t.match(svg, '<desc>Raised $4,210.00 and matched $2,105.00 by Nov 27, 2026. Goal: $7,000.00.</desc>');
  for (const cls of ['chart-raised', 'chart-matched', 'chart-goal', 'chart-axis']) t.match(svg, `class="${cls}"`, `uses ${cls}`);
  t.match(svg, /<line class="chart-goal" stroke-dasharray="[\d ]+"/, 'the goal is a dashed line');
  t.match(svg, />\$7,000\.00</, 'the goal is labelled with its amount');
  t.match(svg, />\$0\.00</, 'the y axis starts at zero, as money');
  t.match(svg, />Nov 25, 2026</, 'the first day is labelled');
  t.match(svg, />Nov 27, 2026</, 'the last day is labelled');
  t.match(svg, />Raised</, 'the legend names raised');
  t.match(svg, />Matched</, 'the legend names matched');

  const id = /<pattern id="([\w-]+)"/.exec(svg)?.[1] ?? '';
  t.match(id, /^chart-/, 'matched bars are hatched by a pattern');
  t.equal(svg.split(`fill="url(#${id})"`).length - 1, 2, 'the pattern fills the matched bars and their legend swatch');
  const raisedBars = /<g class="chart-raised">(.*?)<\/g>/.exec(svg)?.[1] ?? '';
  const matchedBars = new RegExp(`<g fill="url\\(#${id}\\)">(.*?)</g>`).exec(svg)?.[1] ?? '';
  t.equal(raisedBars.split('<rect').length - 1, 3, 'a raised bar a day');
  t.equal(matchedBars.split('<rect').length - 1, 3, 'a matched bar a day');

  const other = cumulativeChartSvg(days.slice(0, 2), { currency: 'USD', locale: 'en', title: 'Rescue Fund', goal: 700_000 });
  t.not(/<pattern id="([\w-]+)"/.exec(other)?.[1], id, 'another chart on the page gets another pattern id');
  t.equal(cumulativeChartSvg(days, { currency: 'USD', locale: 'en', title: 'Rescue Fund', goal: 700_000 }), svg, 'the same chart renders the same markup');
});

t.test('a title with markup is escaped everywhere', async (t) => {
  const title = '<script>alert("x")</script> & "friends"';
  const svg = cumulativeChartSvg(days, { currency: 'USD', locale: 'en', title });
  checkWellFormed(t, svg);
  t.notMatch(svg, /<script/i);
  t.match(svg, '<title>&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62; &#38; &#34;friends&#34;</title>');
});

t.test('a goal far above the figures is left out of the drawing but not of the summary', async (t) => {
  const svg = cumulativeChartSvg(days, { currency: 'USD', locale: 'en', title: 'Big', goal: 10_000_000 });
  checkWellFormed(t, svg);
  t.notMatch(svg, 'chart-goal', 'no goal line squashing the bars');
  t.match(svg, 'Goal: $100,000.00.</desc>');
});

t.test('an empty series', async (t) => {
  const svg = cumulativeChartSvg([], { currency: 'USD', locale: 'en', title: 'New fund', goal: 100_000 });
  checkWellFormed(t, svg);
  t.notMatch(svg, /style\s*=/i);
  t.match(svg, '<desc>No gifts yet. Goal: $1,000.00.</desc>');
  t.notMatch(svg, /<rect/, 'no bars, nor their pattern');
});

t.test('nothing raised yet: the goal sets the scale', async (t) => {
  const zero: TimelinePoint[] = [{ firstDay: '2026-11-01', lastDay: '2026-11-01', raised: 0, matched: 0 }];
  const svg = cumulativeChartSvg(zero, { currency: 'KRW', locale: 'ko', title: '봄 모금', goal: 5_000_000 });
  checkWellFormed(t, svg);
  t.match(svg, /<line class="chart-goal"/, 'the goal line is drawn');
  t.match(svg, />₩5,000,000</, 'won have no decimals');
  t.match(svg, /2026\. 11\. 1\./, 'Korean dates for a Korean viewer');
  t.notMatch(svg, /<g class="chart-raised"><rect/, 'no bar of zero height');
});

t.test('a single weekly point and a small amount', async (t) => {
  const week: TimelinePoint[] = [{ firstDay: '2026-11-01', lastDay: '2026-11-07', raised: 250, matched: 0 }];
  const svg = cumulativeChartSvg(week, { currency: 'EUR', locale: 'en', title: 'Tiny' });
  checkWellFormed(t, svg);
  t.match(svg, 'Raised €2.50 and matched €0.00 by Nov 7, 2026.</desc>');
  t.match(svg, /text-anchor="middle">Nov 7, 2026</, 'one date, under its bar');
  const width = Number(/<g class="chart-raised"><rect [^>]*width="([\d.]+)"/.exec(svg)?.[1]);
  t.ok(width > 0 && width <= 40, `one bar of a sensible width (${width})`);
});

t.test('nothing raised and no goal: a flat chart on a small scale', async (t) => {
  const zero = Array.from({ length: 60 }, (_, i): TimelinePoint => {
    const d = new Date(Date.UTC(2026, 0, 1 + i)).toISOString().slice(0, 10);
    return { firstDay: d, lastDay: d, raised: 0, matched: 0 };
  });
  const svg = cumulativeChartSvg(zero, { currency: 'USD', locale: 'en', title: 'Quiet' });
  checkWellFormed(t, svg);
  t.notMatch(svg, /<g class="chart-raised"><rect/, 'no bars');
  t.notMatch(svg, 'chart-goal', 'no goal, no goal line');
  t.equal(svg.match(/<text class="chart-axis" x="[\d.]+" y="234"/g)?.length, 4, 'four dates for sixty days');
});
