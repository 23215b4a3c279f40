// The cached picture of an event's seats answers a rush without queuing for
// the write, but must never turn a buyer away from a seat that is free: a
// hold running out, a refund, a new ticket type or a commit by another
// connection each show at once.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { money } from '../../src/domain/money.ts';
import { openDatabase } from '../../src/db/connection.ts';
import { testProvider } from '../../src/payments/test-provider.ts';
import { createCampaign } from '../../src/services/campaigns.ts';
import { createServices, type Services } from '../../src/services/context.ts';
import { addTicketType, createEvent, patchTicketType } from '../../src/services/events.ts';
import { expirePendingOrders, placeOrder, recordDoorSale, refundOrder } from '../../src/services/orders.ts';
import { testActor, testConfig } from '../helper.ts';

t.test('a refusal from the cached seats is never stale', async (t) => {
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
  const type = await addTicketType(s, testActor, 'night', { name: 'Seat', price: money(1_000, 'USD'), quantity: 1 });
  let n = 0;
  const buy = () => placeOrder(s, provider, 'night', { items: [{ ticketTypeId: type.id, quantity: 1 }], buyer: { name: 'B', email: `b${++n}@example.org` } });

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
  t.equal((await buy()).view.order.status, 'pending', 'a seat added by another connection is held for the next buyer at once');
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
