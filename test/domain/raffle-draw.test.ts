// The verifiable draw: the vectors published in docs/raffle-draw.md, the
// rejection step, fairness over many fixed seeds (chi-square), one prize per
// person, redraws, and the pool's ranges.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import t from 'tap';
import { attemptValue, commitmentOf, fromRanges, pickIndex, rejectionLimit, runDraw, toRanges } from '../../src/domain/raffle-draw.ts';

const exampleSeed = Uint8Array.from({ length: 32 }, (_, i) => i);

t.test('the published vectors', async (t) => {
  t.equal(commitmentOf(exampleSeed), '630dcd2966c4336691125448bbb25b4ff412a49c732db2c8abc1b8581bd710dd');
  t.equal(attemptValue(exampleSeed, 'raf_example', 0, 0).toString(16), '8ded5ed30a01ae7b');
  t.equal(attemptValue(exampleSeed, 'raf_example', 0, 1).toString(16), '67485a62187c0808');
  t.equal(rejectionLimit(10), 18446744073709551610n);
  const pool = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  t.same(runDraw({ raffleId: 'raf_example', seed: exampleSeed, pool, prizes: 3, onePrizePerPerson: false }, [1]), [
    { prize: 0, ticketNumber: 2, attempt: 0 },
    { prize: 1, ticketNumber: 9, attempt: 0 },
    { prize: 2, ticketNumber: 3, attempt: 0 },
    { prize: 1, ticketNumber: 10, attempt: 1 },
  ]);
  const holderOf = new Map([
    [1, 'a'],
    [2, 'a'],
    [3, 'a'],
    [4, 'b'],
    [5, 'b'],
    [6, 'c'],
  ]);
  t.same(runDraw({ raffleId: 'raf_example', seed: exampleSeed, pool: [1, 2, 3, 4, 5, 6], prizes: 3, onePrizePerPerson: true, holderOf }), [
    { prize: 0, ticketNumber: 2, attempt: 0 },
    { prize: 1, ticketNumber: 5, attempt: 0 },
    { prize: 2, ticketNumber: 6, attempt: 10 },
  ]);
  const doc = readFileSync(new URL('../../docs/raffle-draw.md', import.meta.url), 'utf8');
  for (const published of ['630dcd2966c4336691125448bbb25b4ff412a49c732db2c8abc1b8581bd710dd', '8ded5ed30a01ae7b', '67485a62187c0808', '18446744073709551610']) {
    t.ok(doc.includes(published), `docs/raffle-draw.md publishes ${published}`);
  }
});

t.test('a value in the biased tail is rejected, every other one picks x mod n', async (t) => {
  const two64 = 1n << 64n;
  t.equal(pickIndex(rejectionLimit(10), 10), null);
  t.equal(pickIndex(two64 - 1n, 10), null);
  t.equal(pickIndex(rejectionLimit(10) - 1n, 10), 9);
  t.equal(pickIndex(0n, 10), 0);
  t.equal(rejectionLimit(1), two64, 'a pool of one rejects nothing');
  t.equal(rejectionLimit(1 << 20), two64, 'a power of two divides 2^64: nothing is rejected');
});

t.test('over many fixed seeds every ticket wins about equally often (chi-square)', async (t) => {
  const tickets = 20;
  const runs = 20_000;
  const pool = Array.from({ length: tickets }, (_, i) => i + 1);
  const first = new Array<number>(tickets).fill(0);
  const second = new Array<number>(tickets).fill(0);
  for (let k = 0; k < runs; k++) {
    const seed = createHash('sha256').update(`lantern-fairness-${k}`).digest();
    const [a, b] = runDraw({ raffleId: 'raf_fair', seed, pool, prizes: 2, onePrizePerPerson: false });
    first[(a?.ticketNumber ?? 0) - 1]! += 1;
    second[(b?.ticketNumber ?? 0) - 1]! += 1;
  }
  const chi = (counts: number[]) => counts.reduce((sum, c) => sum + (c - runs / tickets) ** 2 / (runs / tickets), 0);
  // 19 degrees of freedom: 43.82 is the critical value at p = 0.001.
  t.ok(chi(first) < 43.82, `first prize: chi-square ${chi(first).toFixed(2)} < 43.82`);
  t.ok(chi(second) < 43.82, `second prize: chi-square ${chi(second).toFixed(2)} < 43.82`);
});

const rulesArb = fc
  .record({
    size: fc.integer({ min: 1, max: 40 }),
    prizes: fc.integer({ min: 1, max: 8 }),
    holders: fc.integer({ min: 1, max: 10 }),
    onePrizePerPerson: fc.boolean(),
    seed: fc.uint8Array({ minLength: 32, maxLength: 32 }),
    gap: fc.integer({ min: 1, max: 3 }),
  })
  .chain((r) => fc.record({ r: fc.constant(r), owners: fc.array(fc.integer({ min: 0, max: r.holders - 1 }), { minLength: r.size, maxLength: r.size }), redraws: fc.array(fc.integer({ min: 0, max: r.prizes - 1 }), { maxLength: 4 }) }));

t.test('winners are distinct tickets of the pool, one per person when asked, and the same every time', async () => {
  fc.assert(
    fc.property(rulesArb, ({ r, owners, redraws }) => {
      const pool = Array.from({ length: r.size }, (_, i) => 1 + i * r.gap);
      const holderOf = new Map(pool.map((n, i) => [n, `h${owners[i] ?? 0}`]));
      const rules = { raffleId: 'raf_prop', seed: r.seed, pool, prizes: r.prizes, onePrizePerPerson: r.onePrizePerPerson, holderOf };
      const draws = runDraw(rules, redraws);
      const again = runDraw(rules, redraws);
      if (JSON.stringify(draws) !== JSON.stringify(again)) return false;
      const won = draws.flatMap((d) => (d.ticketNumber === null ? [] : [d.ticketNumber]));
      if (new Set(won).size !== won.length) return false;
      if (!won.every((n) => pool.includes(n))) return false;
      if (r.onePrizePerPerson) {
        const people = won.map((n) => holderOf.get(n));
        if (new Set(people).size !== people.length) return false;
      }
      // A prize goes unawarded only when nobody eligible is left.
      const eligible = r.onePrizePerPerson ? new Set(holderOf.values()).size : pool.length;
      return draws.every((d, k) => d.ticketNumber !== null || k >= eligible);
    }),
  );
});

t.test('a redraw continues the prize’s attempts and never gives it back to a winner', async (t) => {
  const pool = Array.from({ length: 5 }, (_, i) => i + 1);
  const rules = { raffleId: 'raf_redraw', seed: exampleSeed, pool, prizes: 2, onePrizePerPerson: false };
  const draws = runDraw(rules, [0, 0, 0]);
  const firsts = draws.filter((d) => d.prize === 0);
  t.equal(firsts.length, 4);
  for (let k = 1; k < firsts.length; k++) t.ok((firsts[k]?.attempt ?? 0) > (firsts[k - 1]?.attempt ?? 0), 'later attempts');
  const tickets = draws.map((d) => d.ticketNumber);
  t.equal(new Set(tickets).size, 5, 'five different tickets');
  const exhausted = runDraw(rules, [0, 0, 0, 1]);
  t.equal(exhausted[exhausted.length - 1]?.ticketNumber, null, 'with every ticket already a winner, nothing is left to draw');
  t.throws(() => runDraw(rules, [2]), /no prize 2/);
  t.throws(() => runDraw({ ...rules, pool: [2, 1] }), /ascending/);
  t.throws(() => runDraw({ ...rules, seed: new Uint8Array(31) }), /32 bytes/);
});

t.test('the pool as ranges and back', async (t) => {
  t.same(toRanges([1, 2, 3, 5, 7, 8]), [
    [1, 3],
    [5, 5],
    [7, 8],
  ]);
  t.same(toRanges([]), []);
  fc.assert(
    fc.property(fc.uniqueArray(fc.integer({ min: 1, max: 500 })), (xs) => {
      const sorted = [...xs].sort((a, b) => a - b);
      return JSON.stringify(fromRanges(toRanges(sorted))) === JSON.stringify(sorted);
    }),
  );
});
