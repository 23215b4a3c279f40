// Seat availability: whatever the requests, granting only what checkRequest
// allows never takes more seats than a type has or the event holds.
import fc from 'fast-check';
import t from 'tap';
import { available, checkRequest, nothingLeft, withTaken, type TypeSeats } from '../../src/domain/seats.ts';

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

t.test('nothing left: the capacity or every type taken', async (t) => {
  const type = (quantity: number, taken: number): TypeSeats => ({ quantity, taken, minPerOrder: 1, maxPerOrder: 4 });
  t.equal(nothingLeft(new Map([['a', type(5, 5)], ['b', type(3, 4)]]), { capacity: null, taken: 9 }), true, 'every type taken (one over: a refund raced)');
  t.equal(nothingLeft(new Map([['a', type(5, 5)], ['b', type(3, 2)]]), { capacity: null, taken: 7 }), false, 'one type has a seat');
  t.equal(nothingLeft(new Map([['a', type(5, 1)]]), { capacity: 10, taken: 10 }), true, 'the capacity is taken');
  t.equal(nothingLeft(new Map(), { capacity: null, taken: 0 }), false, 'an event without ticket types is not sold out (it sells nothing)');
  t.equal(nothingLeft(new Map(), { capacity: 0, taken: 0 }), true);
});

t.test('with more taken', async (t) => {
  const types = new Map<string, TypeSeats>([
    ['a', { quantity: 5, taken: 1, minPerOrder: 1, maxPerOrder: 4 }],
    ['b', { quantity: 3, taken: 0, minPerOrder: 1, maxPerOrder: 4 }],
  ]);
  const more = withTaken(types, { capacity: 6, taken: 1 }, new Map([['a', 2], ['x', 7]]));
  t.equal(more.seats.get('a')?.taken, 3);
  t.equal(more.seats.get('b')?.taken, 0);
  t.same(more.event, { capacity: 6, taken: 3 }, 'seats of unknown types are not counted');
  t.equal(types.get('a')?.taken, 1, 'the given seats are left as they were');
});

t.test('when nothing is left, every order is refused, as sold out when it keeps the limits', async (t) => {
  const type = fc.record({ quantity: fc.integer({ min: 0, max: 10 }), taken: fc.integer({ min: 0, max: 12 }), minPerOrder: fc.integer({ min: 1, max: 3 }), maxPerOrder: fc.integer({ min: 3, max: 8 }) });
  fc.assert(
    fc.property(
      fc.dictionary(fc.constantFrom('a', 'b', 'c'), type, { minKeys: 1 }),
      fc.option(fc.integer({ min: 0, max: 30 }), { nil: null }),
      fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c', 'x'), fc.integer({ min: 1, max: 8 })), { minLength: 1, maxLength: 4 }),
      (typesRecord, capacity, request) => {
        const types = new Map(Object.entries(typesRecord));
        const taken = [...types.values()].reduce((n, ty) => n + ty.taken, 0);
        const event = { capacity, taken };
        if (!nothingLeft(types, event)) return true;
        const want = new Map<string, number>();
        for (const [id, n] of request) want.set(id, (want.get(id) ?? 0) + n);
        const problems = checkRequest(want, types, event);
        const withinLimits = [...want].every(([id, n]) => {
          const ty = types.get(id);
          return ty !== undefined && n >= ty.minPerOrder && n <= ty.maxPerOrder;
        });
        return problems.length > 0 && (!withinLimits || problems.some((p) => p.kind === 'sold_out'));
      },
    ),
    { numRuns: 1000 },
  );
  t.pass('1000 random sold-out events refused every order');
});
