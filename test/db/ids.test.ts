// Ids: unguessable, URL-safe, and in the order of their creation time, which
// SQLite's bytewise text comparison must see too (rows go at the end of indexes).
import t from 'tap';
import fc from 'fast-check';
import { newId, newUntimedId, timePrefix } from '../../src/db/ids.ts';

const maxMs = 2 ** 48 - 1;

t.test('time prefixes compare bytewise as their times do', async (t) => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: maxMs }), fc.integer({ min: 0, max: maxMs }), (a, b) => {
      const [pa, pb] = [timePrefix(a), timePrefix(b)];
      const bytewise = Buffer.compare(Buffer.from(pa), Buffer.from(pb));
      return pa.length === 8 && pb.length === 8 && Math.sign(bytewise) === Math.sign(a - b);
    }),
    { numRuns: 2000 },
  );
  t.equal(timePrefix(0), '--------');
  t.equal(timePrefix(maxMs), 'zzzzzzzz');
  t.equal(timePrefix(1), '-------0', 'the 64 characters count up in ASCII order');
  t.equal(timePrefix(64), '------0-');
});

t.test('an id is its prefix, its creation time and 15 random bytes', async (t) => {
  const before = timePrefix(Date.now());
  const id = newId('ord');
  const after = timePrefix(Date.now());
  t.match(id, /^ord_[-0-9A-Z_a-z]{8}[-0-9A-Za-z_]{20}$/);
  const time = id.slice(4, 12);
  t.ok(time >= before && time <= after, 'led by the time it was made');
  const many = new Set(Array.from({ length: 5000 }, () => newId('ord').slice(12)));
  t.equal(many.size, 5000, 'the random parts differ');
});

t.test('ids made later sort after ids made earlier', async (t) => {
  const first = newId('gift');
  await new Promise((r) => setTimeout(r, 3));
  const second = newId('gift');
  t.ok(first < second);
});

t.test('an untimed id (a public pledge beside an anonymous sponsor) carries no time', async (t) => {
  const id = newUntimedId('pledge');
  t.match(id, /^pledge_[-0-9A-Za-z_]{20}$/);
  const firsts = new Set(Array.from({ length: 2000 }, () => newUntimedId('pledge').charAt(7)));
  t.ok(firsts.size > 40, 'its first character is random, not a clock');
});
