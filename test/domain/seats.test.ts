// Seat availability: whatever the requests, granting only what checkRequest
// allows never takes more seats than a type has or the event holds.
import fc from 'fast-check';
import t from 'tap';
import { available, checkRequest, type TypeSeats } from '../../src/domain/seats.ts';

t.test('limits and what is left', async (t) => {
  const types = new Map<string, TypeSeats>([
    ['a', { quantity: 5, taken: 4, minPerOrder: 1, maxPerOrder: 3 }],
    ['b', { quantity: 10, taken: 0, minPerOrder: 2, maxPerOrder: 4 }],
  ]);
  const event = { capacity: 8, taken: 4 };
  t.same(checkRequest(new Map([['a', 1]]), types, event), []);
  t.same(checkRequest(new Map([['a', 2]]), types, event), [{ kind: 'sold_out', ticketTypeId: 'a', available: 1 }]);
  t.same(checkRequest(new Map([['b', 1]]), types, event), [{ kind: 'too_few', ticketTypeId: 'b', limit: 2 }]);
  t.same(
    checkRequest(new Map([['b', 5]]), types, event),
    [
      { kind: 'too_many', ticketTypeId: 'b', limit: 4 },
      { kind: 'sold_out', ticketTypeId: null, available: 4 },
    ],
    'every problem at once',
  );
  t.same(checkRequest(new Map([['a', 1], ['b', 4]]), types, event), [{ kind: 'sold_out', ticketTypeId: null, available: 4 }], 'the event capacity spans the types');
  t.same(checkRequest(new Map([['x', 1]]), types, event), [{ kind: 'unknown_type', ticketTypeId: 'x' }]);
  t.equal(available({ quantity: 5, taken: 4, minPerOrder: 1, maxPerOrder: 3 }, { capacity: null, taken: 100 }), 1);
  t.equal(available({ quantity: 5, taken: 0, minPerOrder: 1, maxPerOrder: 3 }, { capacity: 8, taken: 8 }), 0);
  t.equal(available({ quantity: 5, taken: 7, minPerOrder: 1, maxPerOrder: 3 }, { capacity: null, taken: 7 }), 0, 'never negative');
});

t.test('granted requests never exceed a type or the capacity', async (t) => {
  const request = fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c'), fc.integer({ min: 0, max: 6 })), { minLength: 1, maxLength: 3 });
  fc.assert(
    fc.property(
      fc.record({ qa: fc.integer({ min: 1, max: 20 }), qb: fc.integer({ min: 1, max: 20 }), qc: fc.integer({ min: 1, max: 20 }) }),
      fc.option(fc.integer({ min: 1, max: 40 }), { nil: null }),
      fc.array(request, { maxLength: 60 }),
      ({ qa, qb, qc }, capacity, requests) => {
        const quantity: Record<string, number> = { a: qa, b: qb, c: qc };
        const taken: Record<string, number> = { a: 0, b: 0, c: 0 };
        for (const r of requests) {
          const want = new Map<string, number>();
          for (const [id, n] of r) if (n > 0) want.set(id, (want.get(id) ?? 0) + n);
          if (want.size === 0) continue;
          const types = new Map(Object.keys(quantity).map((id) => [id, { quantity: quantity[id] ?? 0, taken: taken[id] ?? 0, minPerOrder: 1, maxPerOrder: 6 }]));
          const all = Object.values(taken).reduce((n, v) => n + v, 0);
          if (checkRequest(want, types, { capacity, taken: all }).length === 0) {
            for (const [id, n] of want) taken[id] = (taken[id] ?? 0) + n;
          }
          for (const id of Object.keys(quantity)) if ((taken[id] ?? 0) > (quantity[id] ?? 0)) return false;
          if (capacity !== null && Object.values(taken).reduce((n, v) => n + v, 0) > capacity) return false;
        }
        return true;
      },
    ),
    { numRuns: 500 },
  );
  t.pass('500 random workloads kept the invariant');
});
