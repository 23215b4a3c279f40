// The cached picture of an event's seats answers a rush without queuing for
// the write, but must never turn a buyer away from a seat that is free: a
// hold running out, a refund or a new ticket type each show at once, a commit
// by another connection within changesElsewhereShowWithinMs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { money } from '../../src/domain/money.ts';
import { changesElsewhereShowWithinMs, openDatabase } from '../../src/db/connection.ts';
import { testProvider } from '../../src/payments/test-provider.ts';
import { createCampaign } from '../../src/services/campaigns.ts';
import { createServices, type Services } from '../../src/services/context.ts';
import { addTicketType, createEvent, patchTicketType } from '../../src/services/events.ts';
import { once } from '../../src/services/idempotency.ts';
import { expirePendingOrders, placeOrder, recordDoorSale, refundOrder, soldOutRefusal } from '../../src/services/orders.ts';
import { cachedSeatPicture, claimedSeats, claimSeats, seatPicture } from '../../src/services/seats.ts';
import { testActor, testConfig } from '../helper.ts';

async function nightOf(t: Test, opts: { quantity: number; free?: number }) {
  const dir = mkdtempSync(join(tmpdir(), 'lantern-seats-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'x.db');
  const db = openDatabase(path);
  t.teardown(() => db.close());
  const clock = { now: Date.UTC(2026, 10, 1, 12) };
  const s: Services = createServices({ db, config: testConfig({ ORDER_HOLD_MINUTES: '15' }), now: () => clock.now });
  const provider = testProvider(s.config.baseUrl);
  await createCampaign(s, testActor, { slug: 'fund', title: 'Fund', currency: 'USD', goal: money(100_000, 'USD'), status: 'published' });
  await createEvent(s, testActor, {
    slug: 'night',
    title: 'Night',
    kind: 'screening',
    timezone: 'Asia/Seoul',
    startsAt: '2026-12-05T19:00',
    endsAt: '2026-12-05T22:00',
    venue: { name: 'Hall', address: '1 Road', city: 'Seoul', country: 'KR' },
    campaignSlug: 'fund',
    status: 'published',
  });
  const paid = await addTicketType(s, testActor, 'night', { name: 'Seat', price: money(1_000, 'USD'), quantity: opts.quantity, maxPerOrder: Math.min(4, opts.quantity) });
  const free = opts.free ? await addTicketType(s, testActor, 'night', { name: 'RSVP', price: money(0, 'USD'), quantity: opts.free }) : null;
  let n = 0;
  const buy = (ticketTypeId: string, quantity = 1) => placeOrder(s, provider, 'night', { items: [{ ticketTypeId, quantity }], buyer: { name: 'B', email: `b${++n}@example.org` } });
  return { s, db, path, clock, paid, free, buy };
}

/** The cached picture (the one orders are checked against) equals one counted afresh from the database. */
function assertExact(t: Test, s: Services, now: number, message: string) {
  const cached = cachedSeatPicture(s, 'night', now);
  if (!cached) throw new Error('no event');
  const fresh = seatPicture(s, cached.event, now);
  t.same([...cached.picture.seats], [...fresh.seats], `${message}: seats per type`);
  t.same(cached.picture.event, fresh.event, `${message}: seats of the event`);
}

t.test('orders placed in one batch keep the cached seats exact without counting them again', async (t) => {
  const { s, db, clock, paid, free, buy } = await nightOf(t, { quantity: 6, free: 2 });
  assertExact(t, s, clock.now, 'before any order');
  // Queued in the same turn, these run in one transaction; the last fn reads
  // the cached picture there, after the orders' own writes.
  const rush = [buy(paid.id, 2), buy(paid.id, 3)];
  const inBatch = db.write(() => {
    const cached = cachedSeatPicture(s, 'night', clock.now);
    if (!cached) throw new Error('no event');
    const fresh = seatPicture(s, cached.event, clock.now);
    return { cached: [[...cached.picture.seats], cached.picture.event], fresh: [[...fresh.seats], fresh.event] };
  });
  t.same((await Promise.all(rush)).map((p) => p.view.order.status), ['pending', 'pending']);
  const seen = await inBatch;
  t.same(seen.cached, seen.fresh, 'inside the batch, the picture noted by each order equals a fresh count');
  t.match(seen.cached, [[[paid.id, { taken: 5 }], [free?.id, { taken: 0 }]], { taken: 5 }]);
  const free2 = await Promise.allSettled([buy(free?.id ?? '', 1), buy(free?.id ?? '', 2), buy(paid.id, 2)]);
  t.same(free2.map((r) => r.status), ['fulfilled', 'rejected', 'rejected'], 'the seats left decide, in order');
  assertExact(t, s, clock.now, 'after the batches');

  // A batch where another operation fails after writing is run again with a
  // savepoint each: the pictures noted in the failed run must not be used.
  const failing = db.write(() => {
    db.sqlite.prepare("update events set title = 'Night!' where slug = 'night'").run();
    throw new Error('fails after writing');
  });
  const more = buy(paid.id, 1);
  await t.rejects(failing, { message: 'fails after writing' });
  t.equal((await more).view.order.status, 'pending');
  assertExact(t, s, clock.now, 'after a batch run again');
  await t.rejects(buy(paid.id, 1), { code: 'sold_out' }, 'six of six seats held');
  t.equal(cachedSeatPicture(s, 'night', clock.now)?.event.title, 'Night', 'the failed write left no trace');
});

t.test('orders on their way to the write claim their seats; the buyers behind them are turned away at once', async (t) => {
  const { s, path, clock, paid, buy } = await nightOf(t, { quantity: 3 });
  const first = [buy(paid.id, 1), buy(paid.id, 2)];
  t.same([...claimedSeats(s, 'night')], [[paid.id, 3]], 'both orders claimed their seats before either was written');
  t.match(soldOutRefusal(s, 'night', clock.now), { code: 'sold_out', message: '“Seat” is sold out.' }, 'so the next order is refused before it is read');
  await t.rejects(buy(paid.id, 1), { code: 'sold_out' }, 'and a buyer who gets that far is refused without queuing');
  t.same((await Promise.all(first)).map((p) => p.view.order.status), ['pending', 'pending']);
  t.same([...claimedSeats(s, 'night')], [], 'written orders give their claims back');
  t.match(soldOutRefusal(s, 'night', clock.now), { code: 'sold_out' }, 'the seats are held now');

  clock.now += 15 * 60_000;
  t.equal(soldOutRefusal(s, 'night', clock.now), null, 'the holds ran out: nothing turns buyers away');
  const release = claimSeats(s, 'night', new Map([[paid.id, 3]]));
  t.match(soldOutRefusal(s, 'night', clock.now), { code: 'sold_out' }, 'claims alone fill the seats');
  t.equal(soldOutRefusal(s, 'night', clock.now), soldOutRefusal(s, 'night', clock.now), 'one refusal, made once, while nothing changes');
  release();
  t.equal(soldOutRefusal(s, 'night', clock.now), null, 'a released claim is no longer counted (the refusal made with it is not kept)');

  // An order whose write refuses it (the event was cancelled meanwhile, by another connection) gives its claim back too.
  const other = openDatabase(path);
  t.teardown(() => other.close());
  const doomed = buy(paid.id, 3);
  t.same([...claimedSeats(s, 'night')], [[paid.id, 3]]);
  other.sqlite.prepare("update events set status = 'cancelled' where slug = 'night'").run();
  await t.rejects(doomed, { code: 'unprocessable' });
  t.same([...claimedSeats(s, 'night')], [], 'the refused order left no claim');
  t.equal(soldOutRefusal(s, 'night', clock.now), null, 'a cancelled event is not "sold out": the order path says what is wrong');
  other.sqlite.prepare("update events set status = 'published' where slug = 'night'").run();
  await new Promise((resolve) => setTimeout(resolve, changesElsewhereShowWithinMs + 2));
  t.equal((await buy(paid.id, 3)).view.order.status, 'pending', 'all three seats sell again');
});

t.test('an order resumed as a batch settles does not count the seats of an order written in it twice', async (t) => {
  const { s, clock, paid, buy } = await nightOf(t, { quantity: 2 });
  // Y reaches placeOrder through a write of its own (an Idempotency-Key, the
  // HTML form's token): it runs its early check as that batch settles, while
  // X, written in the same batch, is already counted by the database.
  const y = once(s, 'api:order:guest', 'key-y-0001', { y: 1 }, async () => {
    const placed = await buy(paid.id, 1);
    return { statusCode: 201, body: placed.view.order.id };
  });
  const x = buy(paid.id, 1);
  const [ry, rx] = await Promise.allSettled([y, x]);
  t.equal(rx.status, 'fulfilled', 'X holds a seat');
  t.equal(ry.status, 'fulfilled', 'and Y the other: one seat was still free');
  t.same([...claimedSeats(s, 'night')], []);
  assertExact(t, s, clock.now, 'after both');
});

t.test('a refusal from the cached seats is never stale', async (t) => {
  const { s, path, clock, paid: type, buy: buyOne } = await nightOf(t, { quantity: 1 });
  const buy = () => buyOne(type.id);

  const held = await buy();
  await t.rejects(buy(), { code: 'sold_out' }, 'the one seat is held');
  await t.rejects(buy(), { code: 'sold_out' }, 'and stays held a moment later');

  clock.now += 15 * 60_000;
  const second = await buy();
  t.not(second.view.order.id, held.view.order.id, 'the hold ran out on the clock alone: the seat is sold again');
  await expirePendingOrders(s);
  await t.rejects(buy(), { code: 'sold_out' });

  await patchTicketType(s, testActor, 'night', type.id, { quantity: 2 });
  await buy();
  await t.rejects(buy(), { code: 'sold_out' }, 'both seats taken');

  const door = await recordDoorSale(s, testActor, 'night', { items: [{ ticketTypeId: type.id, quantity: 0 }], buyer: { name: 'x' }, method: 'cash' }).catch((e: unknown) => e);
  t.ok(door instanceof Error, 'an empty door sale is refused and changes nothing');
  await t.rejects(buy(), { code: 'sold_out' });

  // Another connection (a CLI, a second instance) frees a seat.
  const other = openDatabase(path);
  t.teardown(() => other.close());
  const s2: Services = createServices({ db: other, config: s.config, now: () => clock.now });
  await s2.db.write(() => other.sqlite.prepare("update ticket_types set quantity = 3 where id = ?").run(type.id));
  // Another connection's commit shows in the caches within changesElsewhereShowWithinMs.
  await new Promise((resolve) => setTimeout(resolve, changesElsewhereShowWithinMs + 2));
  t.equal((await buy()).view.order.status, 'pending', 'a seat added by another connection is held for the next buyer');
  await t.rejects(buy(), { code: 'sold_out' });

  // A refund frees the seat of a paid order.
  const paid = await recordDoorSale(s, testActor, 'night', { items: [{ ticketTypeId: type.id, quantity: 1 }], buyer: { name: 'Cash' }, method: 'cash' }).catch(() => null);
  t.equal(paid, null, 'no seat left at the door either');
  await patchTicketType(s, testActor, 'night', type.id, { quantity: 4 });
  const cash = await recordDoorSale(s, testActor, 'night', { items: [{ ticketTypeId: type.id, quantity: 1 }], buyer: { name: 'Cash' }, method: 'cash' });
  await t.rejects(buy(), { code: 'sold_out' });
  await refundOrder(s, testActor, cash.order.id, 'changed plans');
  t.equal((await buy()).view.order.status, 'pending', 'the refunded seat is held for the next buyer');
});
