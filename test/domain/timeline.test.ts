// The gifts-over-time series: local calendar days across daylight-saving
// changes, week buckets on long ranges, and properties over random ledgers
// (the last point is the ledger's sum; without refunds nothing goes down).
import t from 'tap';
import fc from 'fast-check';
import { MAX_POINTS, timeline, type Movement, type TimelinePoint } from '../../src/domain/timeline.ts';

const at = (iso: string) => Date.parse(iso);
const gift = (iso: string, amount: number): Movement => ({ at: at(iso), kind: 'gift', amount });
const refund = (iso: string, amount: number): Movement => ({ at: at(iso), kind: 'refund', amount: -amount });
const match = (iso: string, amount: number): Movement => ({ at: at(iso), kind: 'match', amount });
const day = (d: string, raised: number, matched: number): TimelinePoint => ({ firstDay: d, lastDay: d, raised, matched });

t.test('empty input: one point a day, all zero', async (t) => {
  const r = timeline([], 'UTC', { from: at('2026-11-01T12:00:00Z'), to: at('2026-11-03T00:00:00Z') });
  t.equal(r.bucketDays, 1);
  t.strictSame(r.points, [day('2026-11-01', 0, 0), day('2026-11-02', 0, 0), day('2026-11-03', 0, 0)]);
});

t.test('a single day, with movements before it counted as the opening balance', async (t) => {
  const noon = at('2026-11-01T12:00:00Z');
  const r = timeline(
    [gift('2026-10-20T09:00:00Z', 1_000), gift('2026-11-01T12:00:00Z', 500), match('2026-11-01T23:59:59.999Z', 250), gift('2026-11-02T00:00:00Z', 9_999)],
    'UTC',
    { from: noon, to: noon },
  );
  t.strictSame(r, { bucketDays: 1, points: [day('2026-11-01', 1_500, 250)] }, 'the gift on the next day is left out');
});

t.test('America/Vancouver across the end of daylight saving time on 1 Nov 2026', async (t) => {
  // 1 Nov starts at 00:00 PDT (07:00Z), lasts 25 hours, and 2 Nov starts at 00:00 PST (08:00Z).
  const r = timeline(
    [
      gift('2026-11-01T06:59:59.999Z', 100), // 31 Oct 23:59:59.999 PDT
      gift('2026-11-01T07:00:00Z', 200), // 1 Nov 00:00 PDT
      match('2026-11-01T09:30:00Z', 50), // 1 Nov 01:30 PST, the second 01:30 of the day
      gift('2026-11-02T07:59:59.999Z', 300), // 1 Nov 23:59:59.999 PST: a fixed -07:00 would say 2 Nov
      refund('2026-11-02T08:00:00Z', 100), // 2 Nov 00:00 PST
    ],
    'America/Vancouver',
    { from: at('2026-10-30T12:00:00Z'), to: at('2026-11-03T12:00:00Z') },
  );
  t.strictSame(r.points, [
    day('2026-10-30', 0, 0),
    day('2026-10-31', 100, 0),
    day('2026-11-01', 600, 50),
    day('2026-11-02', 500, 50),
    day('2026-11-03', 500, 50),
  ]);
});

t.test('America/Vancouver across the start of daylight saving time on 8 Mar 2026', async (t) => {
  // 8 Mar starts at 00:00 PST (08:00Z) and lasts 23 hours; 9 Mar starts at 00:00 PDT (07:00Z).
  const r = timeline(
    [gift('2026-03-08T07:59:59.999Z', 1), gift('2026-03-08T08:00:00Z', 2), gift('2026-03-09T06:59:59.999Z', 4), gift('2026-03-09T07:00:00Z', 8)],
    'America/Vancouver',
    { from: at('2026-03-07T20:00:00Z'), to: at('2026-03-09T20:00:00Z') },
  );
  t.strictSame(r.points, [day('2026-03-07', 1, 0), day('2026-03-08', 7, 0), day('2026-03-09', 15, 0)]);
});

t.test('Asia/Seoul: days start at 15:00 UTC the day before', async (t) => {
  const r = timeline(
    [gift('2026-11-26T14:59:59.999Z', 10), gift('2026-11-26T15:00:00Z', 20), match('2026-11-27T14:00:00Z', 5)],
    'Asia/Seoul',
    { from: at('2026-11-25T15:00:00Z'), to: at('2026-11-27T03:00:00Z') },
  );
  t.strictSame(r.points, [day('2026-11-26', 10, 0), day('2026-11-27', 30, 5)]);
});

t.test('a day without a midnight (America/Santiago, 6 Sep 2026 starts at 01:00)', async (t) => {
  const r = timeline([gift('2026-09-06T03:59:59.999Z', 1), gift('2026-09-06T04:00:00Z', 2)], 'America/Santiago', {
    from: at('2026-09-05T12:00:00Z'),
    to: at('2026-09-06T12:00:00Z'),
  });
  t.strictSame(r.points, [day('2026-09-05', 1, 0), day('2026-09-06', 3, 0)]);
});

t.test('long ranges: week buckets ending on the last day, never more than MAX_POINTS', async (t) => {
  const sixty = timeline([], 'UTC', { from: at('2026-01-01T00:00:00Z'), to: at('2026-03-01T00:00:00Z') });
  t.equal(sixty.points.length, 60, 'sixty days are sixty points');
  t.equal(sixty.bucketDays, 1);

  const weeks = timeline([gift('2026-01-01T00:00:00Z', 5), gift('2026-03-02T10:00:00Z', 7)], 'UTC', {
    from: at('2026-01-01T00:00:00Z'),
    to: at('2026-03-02T12:00:00Z'),
  });
  t.equal(weeks.bucketDays, 7, 'sixty-one days are weeks');
  t.equal(weeks.points.length, 9);
  t.strictSame(weeks.points[0], { firstDay: '2026-01-01', lastDay: '2026-01-05', raised: 5, matched: 0 }, 'the first week is cut at the start');
  t.strictSame(weeks.points[8], { firstDay: '2026-02-24', lastDay: '2026-03-02', raised: 12, matched: 0 });

  const years = timeline([], 'Asia/Seoul', { from: at('2019-03-01T00:00:00Z'), to: at('2026-11-27T00:00:00Z') });
  t.ok(years.points.length <= MAX_POINTS, `${years.points.length} points`);
  t.equal(years.bucketDays % 7, 0, 'whole weeks');
  t.equal(years.points[0]?.firstDay, '2019-03-01');
  t.equal(years.points.at(-1)?.lastDay, '2026-11-27');
});

t.test('bad input is refused', async (t) => {
  t.throws(() => timeline([], 'Mars/Olympus_Mons', { from: 0, to: 0 }), RangeError, 'unknown zone');
  t.throws(() => timeline([], 'UTC', { from: 10, to: 5 }), RangeError, 'backwards range');
  t.throws(() => timeline([{ at: 0, kind: 'gift', amount: 1.5 }], 'UTC', { from: 0, to: 0 }), RangeError, 'fractional amount');
});

const zones = ['UTC', 'America/Vancouver', 'Asia/Seoul', 'Europe/London', 'Australia/Lord_Howe', 'Asia/Kathmandu'];
const start = at('2026-01-01T00:00:00Z');
const span = 500 * 86_400_000;

/** A random ledger inside a random range: gifts and matches, and refunds when allowed. */
function ledger(withRefunds: boolean) {
  return fc
    .record({
      zone: fc.constantFrom(...zones),
      from: fc.integer({ min: start, max: start + span }),
      length: fc.integer({ min: 0, max: span }),
      moves: fc.array(
        fc.record({
          offset: fc.double({ min: 0, max: 1, noNaN: true }),
          kind: withRefunds ? fc.constantFrom('gift' as const, 'refund' as const, 'match' as const) : fc.constantFrom('gift' as const, 'match' as const),
          amount: fc.integer({ min: 1, max: 10_000_000 }),
        }),
        { maxLength: 60 },
      ),
    })
    .map(({ zone, from, length, moves }) => ({
      zone,
      range: { from, to: from + length },
      movements: moves.map(
        (m): Movement => ({ at: from + Math.floor(m.offset * length), kind: m.kind, amount: m.kind === 'refund' ? -m.amount : m.amount }),
      ),
    }));
}

t.test('property: the last point is the ledger sum', async (t) => {
  t.doesNotThrow(() =>
    fc.assert(
      fc.property(ledger(true), ({ zone, range, movements }) => {
        const { points, bucketDays } = timeline(movements, zone, range);
        const last = points[points.length - 1];
        const sum = (kind: Movement['kind']) => movements.filter((m) => m.kind === kind).reduce((s, m) => s + Math.abs(m.amount), 0);
        return (
          points.length >= 1 &&
          points.length <= MAX_POINTS &&
          (bucketDays === 1 || bucketDays % 7 === 0) &&
          last?.raised === sum('gift') - sum('refund') &&
          last.matched === sum('match')
        );
      }),
      { numRuns: 200 },
    ),
  );
});

t.test('property: without refunds the series never goes down, and days follow each other', async (t) => {
  t.doesNotThrow(() =>
    fc.assert(
      fc.property(ledger(false), ({ zone, range, movements }) => {
        const { points, bucketDays } = timeline(movements, zone, range);
        return points.every((p, i) => {
          const prev = points[i - 1];
          if (prev === undefined) return p.raised >= 0 && p.matched >= 0;
          const gap = (Date.parse(p.lastDay) - Date.parse(prev.lastDay)) / 86_400_000;
          return p.raised >= prev.raised && p.matched >= prev.matched && gap === bucketDays;
        });
      }),
      { numRuns: 200 },
    ),
  );
});
