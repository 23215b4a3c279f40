// Card payments through Stripe, end to end over HTTP: the real stripe SDK talks
// to a fake Stripe API on loopback (test/fakes/stripe.ts), and the fake's
// signed webhook events are delivered over HTTP to the running app.
// Duplicates, concurrent duplicates, reordering, forged and stale signatures,
// zero-decimal currencies, the return page racing the webhook, and expiry.
import type { Test } from 'tap';
import t from 'tap';
import { findCheckout } from '../../src/db/checkouts.ts';
import { findGift } from '../../src/db/gifts.ts';
import { reconcileStripe } from '../../src/services/reconcile.ts';
import { verifyAll } from '../../src/services/verify.ts';
import type { FakeStripe } from '../fakes/stripe.ts';
import { createRescueFund, type TestApp } from '../helper.ts';
import { createSeoulEvent } from './api-helpers.ts';
import { buildStripeApp, webhookSecret } from './stripe-app.ts';

t.setTimeout(60_000);


interface Started {
  ta: TestApp;
  fake: FakeStripe;
  hook: string;
  base: string;
}

async function setup(t: Test): Promise<Started> {
  const started = await buildStripeApp(t, { env: { RATE_LIMITS: 'off' } });
  await createRescueFund(started.ta);
  return started;
}

async function donate(s: Started, amount: { amount: number; currency: string }) {
  const res = await s.ta.app.inject({ method: 'POST', url: '/api/v1/campaigns/rescue-fund/donations', payload: { amount, donor: { name: 'Ada', email: 'ada@example.org' } } });
  return res;
}

function sessionIdOf(url: string): string {
  return new URL(url).pathname.split('/').pop() ?? '';
}

async function raised(ta: TestApp): Promise<number> {
  const res = await ta.app.inject({ method: 'GET', url: '/api/v1/campaigns/rescue-fund' });
  return (res.json() as { raised: { amount: number } }).raised.amount;
}

t.test('a gift paid through Stripe Checkout counts once, however often and in whatever order Stripe reports it', async (t) => {
  const s = await setup(t);
  const started = await donate(s, { amount: 2_500, currency: 'USD' });
  t.equal(started.statusCode, 201, started.body);
  const { id: giftId, checkoutUrl } = started.json() as { id: string; checkoutUrl: string };
  t.match(checkoutUrl, s.fake.url, 'the donor is sent to (fake) Stripe Checkout');
  const sessionId = sessionIdOf(checkoutUrl);
  const session = s.fake.sessions.get(sessionId);
  t.equal(session?.amount_total, 2_500);
  t.equal(session?.currency, 'usd');
  t.equal(session?.metadata?.reference, giftId, 'the session names our gift');
  t.equal(session?.customer_email, 'ada@example.org');

  const paid = s.fake.pay(sessionId);
  const first = await s.fake.deliver(s.hook, paid, webhookSecret);
  t.equal(first.status, 200, first.body);
  t.equal(findGift(s.ta.db, giftId)?.status, 'succeeded');
  // Ten more deliveries of the same event, five of them at once.
  const again = await Promise.all(Array.from({ length: 5 }, () => s.fake.deliver(s.hook, paid, webhookSecret)));
  for (let i = 0; i < 5; i++) await s.fake.deliver(s.hook, paid, webhookSecret);
  t.same(again.map((r) => r.status), [200, 200, 200, 200, 200]);
  t.equal(await raised(s.ta), 2_500, 'counted once');
  const checkout = findCheckout(s.ta.db, String(session?.metadata?.checkout_id));
  t.equal(checkout?.providerRef, sessionId, 'the session id is kept');
  t.match(checkout?.providerPayment, /^pi_/, 'so is the payment intent, for refunds and disputes');
  t.same((await verifyAll(s.ta.services)).differences, []);
});

t.test('forged, tampered and stale deliveries are refused and change nothing', async (t) => {
  const s = await setup(t);
  const { checkoutUrl, id } = (await donate(s, { amount: 1_000, currency: 'USD' })).json() as { checkoutUrl: string; id: string };
  const paid = s.fake.pay(sessionIdOf(checkoutUrl));
  const forged = await s.fake.deliver(s.hook, paid, 'whsec_someone_else');
  t.equal(forged.status, 400);
  const tampered = await s.fake.deliver(s.hook, paid, webhookSecret, { body: JSON.stringify({ ...paid, id: 'evt_other' }) });
  t.equal(tampered.status, 400);
  const stale = await s.fake.deliver(s.hook, paid, webhookSecret, { timestamp: Math.floor(Date.now() / 1000) - 600 });
  t.equal(stale.status, 400, 'older than the 300 s tolerance');
  const unsigned = await fetch(s.hook, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(paid) });
  t.equal(unsigned.status, 400);
  t.equal(findGift(s.ta.db, id)?.status, 'pending');
  t.equal(await raised(s.ta), 0);
  const other = await s.fake.deliver(s.hook, s.fake.event('customer.created', { id: 'cus_1', object: 'customer' }), webhookSecret);
  t.equal(other.status, 200, 'events Lantern does not use are acknowledged');
});

t.test('the donor returning from Checkout and the webhook race: one gift, whichever is first', async (t) => {
  const s = await setup(t);
  const { checkoutUrl, id } = (await donate(s, { amount: 5_000, currency: 'USD' })).json() as { checkoutUrl: string; id: string };
  const sessionId = sessionIdOf(checkoutUrl);
  const paid = s.fake.pay(sessionId);
  const [back, hook] = await Promise.all([fetch(`${s.base}/payments/stripe/return?session_id=${sessionId}`, { redirect: 'manual' }), s.fake.deliver(s.hook, paid, webhookSecret)]);
  t.equal(back.status, 303);
  t.equal(back.headers.get('location'), `/gifts/${id}/thank-you`);
  t.equal(hook.status, 200);
  t.equal(findGift(s.ta.db, id)?.status, 'succeeded');
  t.equal(await raised(s.ta), 5_000, 'one gift');
  const cancel = await fetch(`${s.base}/payments/stripe/cancel?checkout=${String(s.fake.sessions.get(sessionId)?.metadata?.checkout_id)}`, { redirect: 'manual' });
  t.equal(cancel.status, 303);
  t.equal(cancel.headers.get('location'), '/campaigns/rescue-fund');
});

t.test('KRW is zero-decimal; amounts below Stripe’s minimum are refused before anything is written', async (t) => {
  const s = await setup(t);
  await s.ta.app.inject({ method: 'POST', url: '/api/v1/exchange-rates', headers: s.ta.auth('admin'), payload: { base: 'KRW', quote: 'USD', rate: '0.00075', effectiveAt: '2026-01-01T00:00:00Z' } });
  const small = await donate(s, { amount: 500, currency: 'KRW' });
  t.equal(small.statusCode, 400);
  t.match(small.body, /start at/);
  t.equal(s.fake.sessions.size, 0, 'nothing reached Stripe');
  const ok = await donate(s, { amount: 50_000, currency: 'KRW' });
  t.equal(ok.statusCode, 201, ok.body);
  const session = s.fake.sessions.get(sessionIdOf((ok.json() as { checkoutUrl: string }).checkoutUrl));
  t.equal(session?.amount_total, 50_000, '50,000 KRW is 50000 at Stripe, not 5000000');
  t.equal(session?.currency, 'krw');
  await s.fake.deliver(s.hook, s.fake.pay(session?.id ?? ''), webhookSecret);
  t.equal(await raised(s.ta), 3_750, 'converted at the frozen rate');
  const usdSmall = await donate(s, { amount: 49, currency: 'USD' });
  t.equal(usdSmall.statusCode, 400);
});

t.test('delayed payments, failures and expiry', async (t) => {
  const s = await setup(t);
  const a = (await donate(s, { amount: 3_000, currency: 'USD' })).json() as { checkoutUrl: string; id: string };
  const b = (await donate(s, { amount: 4_000, currency: 'USD' })).json() as { checkoutUrl: string; id: string };
  const c = (await donate(s, { amount: 6_000, currency: 'USD' })).json() as { checkoutUrl: string; id: string };
  const completedA = s.fake.pay(sessionIdOf(a.checkoutUrl), { async: true });
  const succeeded = s.fake.settleAsync(sessionIdOf(a.checkoutUrl), true);
  // Out of order: the settlement arrives before the completion it follows.
  t.equal((await s.fake.deliver(s.hook, succeeded, webhookSecret)).status, 200);
  t.equal((await s.fake.deliver(s.hook, completedA, webhookSecret)).status, 200);
  t.equal(findGift(s.ta.db, a.id)?.status, 'succeeded');
  s.fake.pay(sessionIdOf(b.checkoutUrl), { async: true });
  await s.fake.deliver(s.hook, s.fake.settleAsync(sessionIdOf(b.checkoutUrl), false), webhookSecret);
  t.equal(findGift(s.ta.db, b.id)?.status, 'failed');
  await s.fake.deliver(s.hook, s.fake.expire(sessionIdOf(c.checkoutUrl)), webhookSecret);
  t.equal(findGift(s.ta.db, c.id)?.status, 'expired');
  t.equal(await raised(s.ta), 3_000);
  t.same((await verifyAll(s.ta.services)).differences, []);
});

t.test('reconcile: a payment whose webhook never came is found and recorded once; a ledger payment Stripe does not know is reported', async (t) => {
  const s = await setup(t);
  // The app's clock and the fake's may differ: from before both.
  const since = Math.min(Date.now(), s.ta.clock.now) - 60_000;
  const lost = (await donate(s, { amount: 7_000, currency: 'USD' })).json() as { checkoutUrl: string; id: string };
  const delivered = (await donate(s, { amount: 1_500, currency: 'USD' })).json() as { checkoutUrl: string; id: string };
  s.fake.pay(sessionIdOf(lost.checkoutUrl)); // the webhook is lost
  await s.fake.deliver(s.hook, s.fake.pay(sessionIdOf(delivered.checkoutUrl)), webhookSecret);
  const client = s.fake.client('sk_test_lantern');

  const dry = await reconcileStripe(s.ta.services, client, since, false);
  t.equal(dry.sessions, 2);
  t.match(dry.missing, [{ session: sessionIdOf(lost.checkoutUrl), amount: 7_000, currency: 'USD', fixed: false }]);
  t.same(dry.unknownToStripe, []);
  t.equal(findGift(s.ta.db, lost.id)?.status, 'pending', 'a dry run changes nothing');

  const fixed = await reconcileStripe(s.ta.services, client, since, true);
  t.match(fixed.missing, [{ fixed: true }]);
  t.equal(findGift(s.ta.db, lost.id)?.status, 'succeeded');
  t.equal(await raised(s.ta), 8_500);
  const late = await s.fake.deliver(s.hook, s.fake.events.find((e) => e.type === 'checkout.session.completed' && (e.data.object as { id?: string }).id === sessionIdOf(lost.checkoutUrl)) ?? s.fake.event('ping', {}), webhookSecret);
  t.equal(late.status, 200);
  t.equal(await raised(s.ta), 8_500, 'the webhook arriving after the fix counts nothing more');
  const again = await reconcileStripe(s.ta.services, client, since, true);
  t.same(again.missing, [], 'a second run finds nothing to do');

  // A checkout the ledger holds as paid that Stripe never saw paid (a bug, or a forged record).
  const stray = (await donate(s, { amount: 2_000, currency: 'USD' })).json() as { checkoutUrl: string };
  const strayCheckout = String(s.fake.sessions.get(sessionIdOf(stray.checkoutUrl))?.metadata?.checkout_id);
  s.ta.db.sqlite.prepare("update checkouts set status = 'paid' where id = ?").run(strayCheckout);
  const odd = await reconcileStripe(s.ta.services, client, since, false);
  t.match(odd.unknownToStripe, [{ checkout: strayCheckout, amount: 2_000 }]);
  t.same((await verifyAll(s.ta.services)).differences, []);
});

t.test('refunds: from the console through Stripe, and from the Stripe Dashboard by webhook, each counted once', async (t) => {
  const s = await setup(t);
  const { checkoutUrl, id } = (await donate(s, { amount: 10_000, currency: 'USD' })).json() as { checkoutUrl: string; id: string };
  await s.fake.deliver(s.hook, s.fake.pay(sessionIdOf(checkoutUrl)), webhookSecret);
  t.equal(await raised(s.ta), 10_000);

  // An admin refunds 30.00 USD in Lantern: Stripe is asked first, then the ledger reverses.
  const partial = await s.ta.app.inject({ method: 'POST', url: `/api/v1/gifts/${id}/refunds`, headers: s.ta.auth('admin'), payload: { amount: { amount: 3_000, currency: 'USD' }, reason: 'asked by the donor' } });
  t.equal(partial.statusCode, 201, partial.body);
  const refunds = [...s.fake.refunds.values()];
  t.equal(refunds.length, 1, 'Stripe refunded');
  t.equal(refunds[0]?.amount, 3_000);
  t.equal(await raised(s.ta), 7_000);
  // Stripe then reports that refund by webhook (twice): nothing more happens.
  const reported = s.fake.events.filter((e) => e.type === 'charge.refunded');
  t.equal(reported.length, 1);
  for (const e of [...reported, ...reported]) t.equal((await s.fake.deliver(s.hook, e, webhookSecret)).status, 200);
  t.equal(await raised(s.ta), 7_000, 'the webhook finds the refund already recorded');

  // Someone refunds another 20.00 USD in the Stripe Dashboard.
  const charge = [...s.fake.charges.values()][0];
  const dashboard = s.fake.refundInDashboard(charge?.id ?? '', 2_000);
  const deliveries = await Promise.all([1, 2, 3].map(() => s.fake.deliver(s.hook, dashboard, webhookSecret)));
  t.same(deliveries.map((d) => d.status), [200, 200, 200]);
  t.equal(await raised(s.ta), 5_000, 'recorded once, however often it is delivered');
  t.equal(findGift(s.ta.db, id)?.status, 'partially_refunded');
  t.equal(findGift(s.ta.db, id)?.refundedAmount, 5_000);

  // The rest, from the console; more than is left is refused before Stripe is asked.
  const tooMuch = await s.ta.app.inject({ method: 'POST', url: `/api/v1/gifts/${id}/refunds`, headers: s.ta.auth('admin'), payload: { amount: { amount: 6_000, currency: 'USD' } } });
  t.equal(tooMuch.statusCode, 400);
  t.equal(s.fake.refunds.size, 2, 'Stripe was not called for a refund Lantern refuses');
  const rest = await s.ta.app.inject({ method: 'POST', url: `/api/v1/gifts/${id}/refunds`, headers: s.ta.auth('admin'), payload: {} });
  t.equal(rest.statusCode, 201, rest.body);
  t.equal(findGift(s.ta.db, id)?.status, 'refunded');
  t.equal(await raised(s.ta), 0);
  const stripeRefunded = [...s.fake.refunds.values()].reduce((n, r) => n + r.amount, 0);
  t.equal(stripeRefunded, 10_000, 'what Stripe gave back equals what the ledger reversed');
  t.same((await verifyAll(s.ta.services)).differences, []);
});

t.test('a card payment that arrives after its hold ran out and the seat was sold is refunded through Stripe, once, and the buyer told', async (t) => {
  const s = await setup(t);
  await createSeoulEvent(t, s.ta, { slug: 'last-seat', title: 'Last seat', kind: 'screening', startsAt: '2026-12-05T19:00', endsAt: '2026-12-05T22:00', venue: { name: 'Hall', address: '1 Road', city: 'Seoul', country: 'KR' }, currency: 'USD' });
  const type = (await s.ta.app.inject({ method: 'POST', url: '/api/v1/events/last-seat/ticket-types', headers: s.ta.auth('organizer'), payload: { name: 'Seat', price: { amount: 2_500, currency: 'USD' }, quantity: 1 } })).json() as { id: string };
  const order = (buyer: string) => s.ta.app.inject({ method: 'POST', url: '/api/v1/events/last-seat/orders', payload: { items: [{ ticketTypeId: type.id, quantity: 1 }], buyer: { name: buyer, email: `${buyer.toLowerCase()}@example.org` } } });
  const slow = (await order('Slow')).json() as { id: string; checkoutUrl: string };
  const session = s.fake.sessions.get(sessionIdOf(slow.checkoutUrl));
  t.equal(session?.line_items?.data?.[0]?.quantity ?? 1, 1);
  // The hold runs out; someone else buys the seat and pays.
  s.ta.clock.now += 16 * 60_000;
  const { expirePendingOrders } = await import('../../src/services/orders.ts');
  await expirePendingOrders(s.ta.services);
  const quick = (await order('Quick')).json() as { id: string; checkoutUrl: string };
  await s.fake.deliver(s.hook, s.fake.pay(sessionIdOf(quick.checkoutUrl)), webhookSecret);
  // Then the slow buyer's payment goes through at Stripe.
  const late = s.fake.pay(sessionIdOf(slow.checkoutUrl));
  t.equal((await s.fake.deliver(s.hook, late, webhookSecret)).status, 200);
  t.equal((await s.fake.deliver(s.hook, late, webhookSecret)).status, 200);
  // The buyer comes back from Checkout too: another path to the same payment.
  t.equal((await fetch(`${s.base}/payments/stripe/return?session_id=${sessionIdOf(slow.checkoutUrl)}`, { redirect: 'manual' })).status, 303);
  const refunds = [...s.fake.refunds.values()];
  t.equal(refunds.length, 1, 'refunded once, however often the event comes and whichever way');
  t.equal(s.ta.db.sqlite.prepare("select count(*) from audit_log where action = 'payment.refunded_late'").pluck().get(), 1, 'audited once');
  t.equal(refunds[0]?.amount, 2_500);
  const orders = (await s.ta.app.inject({ method: 'GET', url: `/api/v1/orders/${slow.id}`, headers: s.ta.auth('admin') })).json() as { status: string; tickets: unknown[] };
  t.equal(orders.status, 'failed');
  t.same(orders.tickets, []);
  const mail = s.ta.db.sqlite.prepare("select subject, text from mail_outbox where to_address = 'slow@example.org' and kind = 'payment'").all() as { subject: string; text: string }[];
  t.equal(mail.length, 1);
  t.match(mail[0]?.text, /refunded in full/);
  t.same((await verifyAll(s.ta.services)).differences, []);
});

t.test('disputes: a lost one takes the money back like a refund, a won one changes nothing, each once', async (t) => {
  const s = await setup(t);
  const paidGift = async (amount: number) => {
    const g = (await donate(s, { amount, currency: 'USD' })).json() as { checkoutUrl: string; id: string };
    await s.fake.deliver(s.hook, s.fake.pay(sessionIdOf(g.checkoutUrl)), webhookSecret);
    const charge = [...s.fake.charges.values()].find((c) => c.amount === amount);
    return { id: g.id, charge: charge?.id ?? '' };
  };
  const lost = await paidGift(4_000);
  const won = await paidGift(6_000);
  t.equal(await raised(s.ta), 10_000);

  const opened = s.fake.dispute(lost.charge);
  for (const e of [opened, opened]) t.equal((await s.fake.deliver(s.hook, e, webhookSecret)).status, 200);
  t.equal(findGift(s.ta.db, lost.id)?.status, 'disputed');
  t.equal(await raised(s.ta), 10_000, 'a disputed gift still counts while the bank decides');
  const closedLost = s.fake.closeDispute((opened.data.object as { id: string }).id, false);
  for (const e of [closedLost, closedLost, closedLost]) await s.fake.deliver(s.hook, e, webhookSecret);
  t.equal(findGift(s.ta.db, lost.id)?.status, 'refunded');
  t.equal(await raised(s.ta), 6_000, 'the lost dispute is reversed once');

  const other = s.fake.dispute(won.charge);
  await s.fake.deliver(s.hook, other, webhookSecret);
  t.equal(findGift(s.ta.db, won.id)?.status, 'disputed');
  await s.fake.deliver(s.hook, s.fake.closeDispute((other.data.object as { id: string }).id, true), webhookSecret);
  t.equal(findGift(s.ta.db, won.id)?.status, 'succeeded', 'a won dispute leaves the gift as it was');
  t.equal(await raised(s.ta), 6_000);
  const audited = s.ta.db.sqlite.prepare("select count(*) from audit_log where action like 'payment.dispute%'").pluck().get();
  t.equal(audited, 4, 'every dispute event is in the audit log once');

  // Stripe reports a third dispute closed (won) before it reports it opened.
  const late = await paidGift(2_500);
  const third = s.fake.dispute(late.charge);
  const thirdWon = s.fake.closeDispute((third.data.object as { id: string }).id, true);
  for (const e of [thirdWon, third]) t.equal((await s.fake.deliver(s.hook, e, webhookSecret)).status, 200);
  t.equal(findGift(s.ta.db, late.id)?.status, 'succeeded', 'a dispute already closed does not leave the gift disputed');
  t.same((await verifyAll(s.ta.services)).differences, []);
});

t.test('order refunds through Stripe: tickets and donation together, the donation alone, and a Dashboard refund; each once', async (t) => {
  const s = await setup(t);
  await createSeoulEvent(t, s.ta, { slug: 'gala', title: 'Gala', kind: 'social', startsAt: '2026-12-05T19:00', endsAt: '2026-12-05T22:00', venue: { name: 'Hall', address: '1 Road', city: 'Seoul', country: 'KR' }, currency: 'USD' });
  const type = (await s.ta.app.inject({ method: 'POST', url: '/api/v1/events/gala/ticket-types', headers: s.ta.auth('organizer'), payload: { name: 'Seat', price: { amount: 2_000, currency: 'USD' }, quantity: 50, maxPerOrder: 5 } })).json() as { id: string };
  const buy = async (who: string, seats: number, donation: number) => {
    const res = await s.ta.app.inject({ method: 'POST', url: '/api/v1/events/gala/orders', payload: { items: [{ ticketTypeId: type.id, quantity: seats }], buyer: { name: who, email: `${who.toLowerCase()}@example.org` }, ...(donation && { donation: { amount: donation, currency: 'USD' } }) } });
    const o = res.json() as { id: string; checkoutUrl: string };
    const session = s.fake.sessions.get(sessionIdOf(o.checkoutUrl));
    await s.fake.deliver(s.hook, s.fake.pay(session?.id ?? ''), webhookSecret);
    return { id: o.id, session, charge: [...s.fake.charges.values()].find((c) => c.payment_intent === s.fake.sessions.get(session?.id ?? '')?.payment_intent)?.id ?? '' };
  };
  const campaign = async () => (await s.ta.app.inject({ method: 'GET', url: '/api/v1/campaigns/rescue-fund' })).json() as { raised: { amount: number }; breakdown: { tickets: { amount: number }; gifts: { amount: number } } };

  const ann = await buy('Ann', 2, 1_000);
  t.equal(ann.session?.line_items?.data?.length ?? 2, 2, 'a line for the seats and one for the donation');
  const bo = await buy('Bo', 1, 500);
  const cy = await buy('Cy', 3, 0);
  t.equal((await campaign()).raised.amount, 4_000 + 1_000 + 2_000 + 500 + 6_000);

  // Ann's whole order from the console: Stripe refunds 50.00 (40 tickets + 10 donation) once.
  const refunded = await s.ta.app.inject({ method: 'POST', url: `/api/v1/orders/${ann.id}/refunds`, headers: s.ta.auth('admin'), payload: { reason: 'cannot come' } });
  t.equal(refunded.statusCode, 201, refunded.body);
  t.equal([...s.fake.refunds.values()].map((r) => r.amount).join(','), '5000');
  for (const e of s.fake.events.filter((e) => e.type === 'charge.refunded')) await s.fake.deliver(s.hook, e, webhookSecret);
  t.equal((await campaign()).raised.amount, 2_000 + 500 + 6_000, 'reversed once');

  // Bo's donation alone (as a gift), then the rest of the order.
  const { gifts } = (await s.ta.app.inject({ method: 'GET', url: '/api/v1/campaigns/rescue-fund/gifts', headers: s.ta.auth('admin') })).json() as { gifts: { id: string; amount: { amount: number } }[] };
  const donation = gifts.find((g) => g.amount.amount === 500);
  const giftRefund = await s.ta.app.inject({ method: 'POST', url: `/api/v1/gifts/${donation?.id ?? ''}/refunds`, headers: s.ta.auth('admin'), payload: {} });
  t.equal(giftRefund.statusCode, 201, giftRefund.body);
  const boOrder = await s.ta.app.inject({ method: 'POST', url: `/api/v1/orders/${bo.id}/refunds`, headers: s.ta.auth('admin'), payload: {} });
  t.equal(boOrder.statusCode, 201, boOrder.body);
  t.equal([...s.fake.refunds.values()].map((r) => r.amount).join(','), '5000,500,2000', 'the donation, then the seat');
  for (const e of s.fake.events.filter((e) => e.type === 'charge.refunded')) await s.fake.deliver(s.hook, e, webhookSecret);
  t.equal((await campaign()).raised.amount, 6_000);

  // Cy is refunded in part in the Dashboard (not applied: an order is refunded whole), then the rest.
  const part = s.fake.refundInDashboard(cy.charge, 2_000);
  await s.fake.deliver(s.hook, part, webhookSecret);
  t.equal((await campaign()).raised.amount, 6_000, 'a partial Dashboard refund of an order is audited, not guessed at');
  const audited = s.ta.db.sqlite.prepare("select count(*) from audit_log where action = 'payment.refund_unapplied'").pluck().get();
  t.equal(audited, 1);
  const rest = s.fake.refundInDashboard(cy.charge);
  await s.fake.deliver(s.hook, rest, webhookSecret);
  t.equal((await campaign()).raised.amount, 6_000, 'the rest alone is not the whole order either');
  t.same((await verifyAll(s.ta.services)).differences, []);
});

t.test('cancelling an event refunds every card order through Stripe, once; so does refunding raffle tickets', async (t) => {
  const s = await setup(t);
  await createSeoulEvent(t, s.ta, { slug: 'rained-out', title: 'Rained out', kind: 'run', startsAt: '2026-12-05T09:00', endsAt: '2026-12-05T12:00', venue: { name: 'Park', address: '1 Road', city: 'Seoul', country: 'KR' }, currency: 'USD' });
  const type = (await s.ta.app.inject({ method: 'POST', url: '/api/v1/events/rained-out/ticket-types', headers: s.ta.auth('organizer'), payload: { name: 'Runner', price: { amount: 1_500, currency: 'USD' }, quantity: 50, maxPerOrder: 5 } })).json() as { id: string };
  const buy = async (who: string, seats: number, donation: number) => {
    const o = (await s.ta.app.inject({ method: 'POST', url: '/api/v1/events/rained-out/orders', payload: { items: [{ ticketTypeId: type.id, quantity: seats }], buyer: { name: who, email: `${who}@example.org` }, ...(donation && { donation: { amount: donation, currency: 'USD' } }) } })).json() as { id: string; checkoutUrl: string };
    await s.fake.deliver(s.hook, s.fake.pay(sessionIdOf(o.checkoutUrl)), webhookSecret);
    return o.id;
  };
  await buy('dana', 2, 700);
  await buy('eli', 1, 0);
  // Dana's donation was refunded on its own before the event was cancelled.
  const { gifts } = (await s.ta.app.inject({ method: 'GET', url: '/api/v1/campaigns/rescue-fund/gifts', headers: s.ta.auth('admin') })).json() as { gifts: { id: string; amount: { amount: number } }[] };
  await s.ta.app.inject({ method: 'POST', url: `/api/v1/gifts/${gifts.find((g) => g.amount.amount === 700)?.id ?? ''}/refunds`, headers: s.ta.auth('admin'), payload: {} });

  const cancelled = await s.ta.app.inject({ method: 'POST', url: '/api/v1/events/rained-out/cancellation', headers: s.ta.auth('organizer'), payload: { reason: 'storm' } });
  t.equal(cancelled.statusCode, 200, cancelled.body);
  const amounts = () => [...s.fake.refunds.values()].map((r) => r.amount).sort((a, b) => a - b);
  t.same(amounts(), [700, 1_500, 3_000], 'the donation, then each order’s tickets');
  for (const e of s.fake.events.filter((e) => e.type === 'charge.refunded')) await s.fake.deliver(s.hook, e, webhookSecret);
  const { settleProviderRefunds } = await import('../../src/services/provider-refunds.ts');
  t.equal(await settleProviderRefunds(s.ta.services, s.ta.app.payments), 0, 'the sweep finds nothing left to ask');
  t.same(amounts(), [700, 1_500, 3_000]);
  t.equal(await raised(s.ta), 0);

  // Raffle tickets bought by card and refunded before the draw.
  await s.ta.app.inject({ method: 'POST', url: '/api/v1/events', headers: s.ta.auth('organizer'), payload: { slug: 'quiz', title: 'Quiz', kind: 'social', timezone: 'Asia/Seoul', startsAt: '2026-12-06T19:00', endsAt: '2026-12-06T22:00', venue: { name: 'Pub', address: '2 Road', city: 'Seoul', country: 'KR' }, campaignSlug: 'rescue-fund', status: 'published' } });
  const raffle = (await s.ta.app.inject({ method: 'POST', url: '/api/v1/events/quiz/raffles', headers: s.ta.auth('organizer'), payload: { title: 'Quiz raffle', price: { amount: 500, currency: 'USD' }, prizes: [{ name: 'Mug' }], onePrizePerPerson: false, jurisdiction: 'other', ageLimit: 18 } })).json() as { id: string };
  const entry = (await s.ta.app.inject({ method: 'POST', url: `/api/v1/raffles/${raffle.id}/entries`, payload: { buyer: { name: 'Fay', email: 'fay@example.org' }, quantity: 1, confirmed: true } })).json() as { id: string; checkoutUrl: string };
  await s.fake.deliver(s.hook, s.fake.pay(sessionIdOf(entry.checkoutUrl)), webhookSecret);
  const { refundRaffleEntry } = await import('../../src/services/raffles.ts');
  await refundRaffleEntry(s.ta.services, { userId: null, label: 'test', role: 'admin', ip: null }, entry.id, 'changed mind');
  t.equal(await settleProviderRefunds(s.ta.services, s.ta.app.payments), 1);
  t.same(amounts(), [500, 700, 1_500, 3_000]);
  for (const e of s.fake.events.filter((e) => e.type === 'charge.refunded')) await s.fake.deliver(s.hook, e, webhookSecret);
  t.equal(await settleProviderRefunds(s.ta.services, s.ta.app.payments), 0);
  const unapplied = s.ta.db.sqlite.prepare("select count(*) from audit_log where action = 'payment.refund_unapplied'").pluck().get();
  t.equal(unapplied, 0, 'every refund Stripe reports is one Lantern made');
  t.same((await verifyAll(s.ta.services)).differences, []);
});
