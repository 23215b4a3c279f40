// Checkouts are indexed only under the columns they fill (migration 0013):
// every lookup still finds its rows through an index, and a checkout adds no
// entry to the indexes of the subjects it does not have.
import t from 'tap';
import { openDatabase } from '../../src/db/connection.ts';
import {
  findCheckoutByProviderPayment,
  findCheckoutByProviderRef,
  openCheckoutsOfGift,
  openCheckoutsOfOrder,
  openCheckoutsOfPledgePayment,
  openCheckoutsOfRaffleEntry,
  paidCheckoutOfGift,
  paidCheckoutOfOrder,
} from '../../src/db/checkouts.ts';
import { newestCheckoutOf } from '../../src/db/payment-attempts.ts';

t.test('every checkout lookup is served by one of the partial indexes', async (t) => {
  const db = openDatabase(':memory:');
  t.teardown(() => db.close());
  // The SQL each lookup prepares, as the database sees it.
  const prepared: string[] = [];
  const prepare = db.sqlite.prepare.bind(db.sqlite);
  db.sqlite.prepare = ((source: string) => {
    prepared.push(source);
    return prepare(source);
  }) as typeof db.sqlite.prepare;
  const lookups: [string, () => unknown][] = [
    ['open checkouts of a gift', () => openCheckoutsOfGift(db, 'gft_x')],
    ['open checkouts of an order', () => openCheckoutsOfOrder(db, 'ord_x')],
    ['open checkouts of a raffle entry', () => openCheckoutsOfRaffleEntry(db, 'ren_x')],
    ['open checkouts of a pledge payment', () => openCheckoutsOfPledgePayment(db, 'ppm_x')],
    ['by the provider reference', () => findCheckoutByProviderRef(db, 'stripe', 'cs_x')],
    ['by the provider payment', () => findCheckoutByProviderPayment(db, 'stripe', 'pi_x')],
    ['the paid checkout of a gift', () => paidCheckoutOfGift(db, 'gft_x')],
    ['the paid checkout of an order', () => paidCheckoutOfOrder(db, 'ord_x')],
    ['the newest checkout of an order', () => newestCheckoutOf(db, { orderId: 'ord_x' })],
    ['the newest checkout of a gift', () => newestCheckoutOf(db, { giftId: 'gft_x' })],
    ['the newest checkout of a raffle entry', () => newestCheckoutOf(db, { raffleEntryId: 'ren_x' })],
  ];
  for (const [name, lookup] of lookups) {
    prepared.length = 0;
    lookup();
    const source = prepared.find((s) => /from "checkouts"/i.test(s));
    if (!source) {
      t.fail(`${name}: no query on checkouts was prepared`);
      continue;
    }
    const params = (source.match(/\?/g) ?? []).map(() => 'x');
    const plan = (prepare(`explain query plan ${source}`).all(...params) as { detail: string }[]).map((r) => r.detail);
    const onCheckouts = plan.filter((d) => /\bcheckouts\b/.test(d));
    t.ok(onCheckouts.length > 0 && onCheckouts.every((d) => /USING (COVERING )?INDEX checkouts_/.test(d)), `${name}: ${plan.join(' | ')}`);
  }
});

t.test('the six checkout indexes leave out the rows whose column is empty', async (t) => {
  const db = openDatabase(':memory:');
  t.teardown(() => db.close());
  const partial = db.sqlite
    .prepare(`select name, sql from sqlite_master where type = 'index' and tbl_name = 'checkouts' and name like 'checkouts_%'`)
    .all() as { name: string; sql: string }[];
  t.same(
    partial.map((i) => i.name).sort(),
    ['checkouts_gift', 'checkouts_order', 'checkouts_pledge_payment', 'checkouts_provider_payment', 'checkouts_provider_ref', 'checkouts_raffle_entry'],
  );
  for (const i of partial) t.match(i.sql, /WHERE "checkouts"\."\w+" is not null$/, i.name);
});
