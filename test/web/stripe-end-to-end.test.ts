// Issue 6's "done means", end to end over HTTP with STRIPE_* pointed at the
// fake Stripe API: a donor pays for a gift, a ticket order with a donation and
// a raffle bundle; the sponsor pays their match from the portal; an admin
// refunds part of the order. After every step the campaign's totals are what
// they must be, `verify` is clean, and the ledger agrees with what (fake)
// Stripe says it was paid.
import type { Test } from 'tap';
import t from 'tap';
import { findUserByEmail } from '../../src/db/users.ts';
import type { Actor } from '../../src/services/context.ts';
import { decidePledge } from '../../src/services/pledges.ts';
import { proposePledge } from '../../src/services/sponsor.ts';
import { verifyAll } from '../../src/services/verify.ts';
import type { FakeStripe } from '../fakes/stripe.ts';
import { createRescueFund, testActor, testPassword, type TestApp } from '../helper.ts';
import { addKrwRate, createSeoulEvent, krw } from './api-helpers.ts';
import { FormClient } from './form-client.ts';
import { buildStripeApp, webhookSecret } from './stripe-app.ts';

// The sponsor logs in (argon2id: slow on purpose).
t.setTimeout(180_000);


interface Run {
  ta: TestApp;
  fake: FakeStripe;
  hook: string;
}

interface Figures {
  gifts: number;
  tickets: number;
  raffles: number;
  raised: number;
  matched: number;
  total: number;
}

async function figures(ta: TestApp): Promise<Figures> {
  const c = (await ta.app.inject({ method: 'GET', url: '/api/v1/campaigns/rescue-fund' })).json<{
    raised: { amount: number };
    matched: { amount: number };
    total: { amount: number };
    breakdown: { gifts: { amount: number }; tickets: { amount: number }; raffles: { amount: number } };
  }>();
  return {
    gifts: c.breakdown.gifts.amount,
    tickets: c.breakdown.tickets.amount,
    raffles: c.breakdown.raffles.amount,
    raised: c.raised.amount,
    matched: c.matched.amount,
    total: c.total.amount,
  };
}

/** What (fake) Stripe holds as paid and not refunded, per currency, leaving out the charges named. */
function netAtStripe(fake: FakeStripe, leaveOut: ReadonlySet<string> = new Set()): Record<string, number> {
  const net: Record<string, number> = {};
  for (const c of fake.charges.values()) {
    if (leaveOut.has(String(c.payment_intent))) continue;
    const cur = c.currency.toUpperCase();
    net[cur] = (net[cur] ?? 0) + c.amount - c.amount_refunded;
  }
  return net;
}

async function assertClean(t: Test, ta: TestApp, step: string): Promise<void> {
  t.same((await verifyAll(ta.services)).differences, [], `${step}: verify is clean`);
}

function sessionOf(url: string): string {
  return new URL(url).pathname.split('/').pop() ?? '';
}

/** The donor pays on (fake) Checkout and Stripe tells us, twice as it sometimes does. */
async function pay(t: Test, run: Run, checkoutUrl: string): Promise<string> {
  t.match(checkoutUrl, run.fake.url, 'the payer is sent to (fake) Stripe Checkout');
  const sessionId = sessionOf(checkoutUrl);
  const paid = run.fake.pay(sessionId);
  for (let i = 0; i < 2; i++) t.equal((await run.fake.deliver(run.hook, paid, webhookSecret)).status, 200);
  return String(run.fake.sessions.get(sessionId)?.payment_intent);
}

t.test('a gift, an order with a donation, a raffle bundle, the sponsor’s match and part of the order refunded — all through Stripe', async (t) => {
  const run: Run = await buildStripeApp(t, { passwords: true, env: { RATE_LIMITS: 'off' } });
  const { ta, fake } = run;
  await createRescueFund(ta);
  await addKrwRate(t, ta);

  // The anonymous sponsor's 1:1 pledge, approved before the first gift.
  const sponsorUser = findUserByEmail(ta.db, 'sponsor@example.test');
  const sponsorActor: Actor = { userId: sponsorUser?.id ?? null, label: 'sponsor@example.test', role: 'sponsor', ip: null };
  const pledge = await proposePledge(ta.services, sponsorActor, 'rescue-fund', {
    sponsorName: 'Harbour Light',
    anonymous: true,
    message: null,
    ratio: '1:1',
    cap: { amount: 100_000, currency: 'USD' },
    startsAt: null,
    endsAt: null,
  });
  await decidePledge(ta.services, testActor, pledge.id, 'approve');

  // The game night in Seoul: two ticket types and a raffle, all in KRW.
  await createSeoulEvent(t, ta);
  const types: string[] = [];
  for (const tt of [
    { name: 'General', price: krw(10_000), quantity: 40 },
    { name: 'Supporter', price: krw(20_000), quantity: 10 },
  ]) {
    const res = await ta.app.inject({ method: 'POST', url: '/api/v1/events/game-night/ticket-types', headers: ta.auth('organizer'), payload: tt });
    t.equal(res.statusCode, 201, res.body);
    types.push(res.json<{ id: string }>().id);
  }
  const raffleRes = await ta.app.inject({
    method: 'POST',
    url: '/api/v1/events/game-night/raffles',
    headers: ta.auth('organizer'),
    payload: {
      title: 'Game night raffle',
      price: krw(5_000),
      bundles: [{ quantity: 3, price: krw(10_000) }],
      prizes: [{ name: 'Board game bundle' }],
      licence: 'SEOUL-2026-118',
      authority: 'Mapo-gu Office',
      ageLimit: 19,
      onePrizePerPerson: false,
    },
  });
  t.equal(raffleRes.statusCode, 201, raffleRes.body);
  const raffleId = raffleRes.json<{ id: string }>().id;
  t.same(await figures(ta), { gifts: 0, tickets: 0, raffles: 0, raised: 0, matched: 0, total: 0 });

  // 1. A donor gives 50.00 USD: matched 1:1.
  const gift = await ta.app.inject({ method: 'POST', url: '/api/v1/campaigns/rescue-fund/donations', payload: { amount: { amount: 5_000, currency: 'USD' }, donor: { name: 'Ada Byun', email: 'ada@example.org' } } });
  t.equal(gift.statusCode, 201, gift.body);
  await pay(t, run, gift.json<{ checkoutUrl: string }>().checkoutUrl);
  t.same(await figures(ta), { gifts: 5_000, tickets: 0, raffles: 0, raised: 5_000, matched: 5_000, total: 10_000 }, 'after the gift');
  t.same(netAtStripe(fake), { USD: 5_000 });
  await assertClean(t, ta, 'gift');

  // 2. Two General and one Supporter ticket (40,000 KRW) with a 10,000 KRW donation: one charge of 50,000 KRW.
  const order = await ta.app.inject({
    method: 'POST',
    url: '/api/v1/events/game-night/orders',
    payload: { items: [{ ticketTypeId: types[0], quantity: 2 }, { ticketTypeId: types[1], quantity: 1 }], buyer: { name: 'Ji-ho Kang', email: 'jiho@example.org' }, donation: krw(10_000) },
  });
  t.equal(order.statusCode, 201, order.body);
  const placed = order.json<{ id: string; checkoutUrl: string }>();
  const orderSession = fake.sessions.get(sessionOf(placed.checkoutUrl));
  t.equal(orderSession?.amount_total, 50_000, 'KRW has no minor unit: 50,000 KRW goes to Stripe as 50000');
  await pay(t, run, placed.checkoutUrl);
  // 40,000 KRW of tickets is 30.00 USD; the 10,000 KRW donation is a 7.50 USD gift, matched.
  t.same(await figures(ta), { gifts: 5_750, tickets: 3_000, raffles: 0, raised: 8_750, matched: 5_750, total: 14_500 }, 'after the order');
  t.same(netAtStripe(fake), { USD: 5_000, KRW: 50_000 });
  await assertClean(t, ta, 'order');

  // 3. A raffle bundle of three for 10,000 KRW (7.50 USD; raffle sales are not matched).
  const entry = await ta.app.inject({ method: 'POST', url: `/api/v1/raffles/${raffleId}/entries`, payload: { buyer: { name: 'Min-ji Kim', email: 'minji@example.org' }, quantity: 3, confirmed: true } });
  t.equal(entry.statusCode, 201, entry.body);
  await pay(t, run, entry.json<{ checkoutUrl: string }>().checkoutUrl);
  t.same(await figures(ta), { gifts: 5_750, tickets: 3_000, raffles: 750, raised: 9_500, matched: 5_750, total: 15_250 }, 'after the raffle bundle');
  t.same(netAtStripe(fake), { USD: 5_000, KRW: 60_000 });
  await assertClean(t, ta, 'raffle');

  // 4. The sponsor pays what the pledge came to (57.50 USD) from the portal.
  const sponsor = new FormClient(ta.app);
  await sponsor.login('sponsor@example.test', testPassword);
  const statement = await sponsor.get(`/sponsor/pledges/${pledge.id}`);
  t.match(statement.body, 'Pay $57.50 by card');
  const token = /action="\/sponsor\/pledges\/[^/]+\/payments">[\s\S]*?name="form_token" value="([^"]+)"/.exec(statement.body)?.[1] ?? '';
  const started = await sponsor.post(`/sponsor/pledges/${pledge.id}/payments`, { form_token: token });
  t.equal(started.statusCode, 303, started.body.slice(0, 200));
  const matchIntent = await pay(t, run, String(started.headers.location));
  t.same(await figures(ta), { gifts: 5_750, tickets: 3_000, raffles: 750, raised: 9_500, matched: 5_750, total: 15_250 }, 'paying the match moves no campaign total');
  t.match((await sponsor.get(`/sponsor/pledges/${pledge.id}`)).body, /Outstanding<strong>\$0\.00/);
  t.same(netAtStripe(fake), { USD: 5_000 + 5_750, KRW: 60_000 }, 'Stripe took the match payment too');
  t.same(netAtStripe(fake, new Set([matchIntent])), { USD: 5_000, KRW: 60_000 }, 'everything else Stripe holds is in the ledger');
  await assertClean(t, ta, 'match payment');

  // 5. The admin refunds one General ticket of the order: 10,000 KRW back on the card.
  const before = (await ta.app.inject({ method: 'GET', url: `/api/v1/orders/${placed.id}`, headers: ta.auth('admin') })).json<{ tickets: { code: string; ticketTypeId: string }[] }>();
  const general = before.tickets.find((x) => x.ticketTypeId === types[0]);
  const part = await ta.app.inject({ method: 'POST', url: `/api/v1/orders/${placed.id}/refunds`, headers: { ...ta.auth('admin'), 'idempotency-key': 'e2e-part-refund-1' }, payload: { tickets: [general?.code], reason: 'Cannot come' } });
  t.equal(part.statusCode, 201, part.body);
  const after = part.json<{ status: string; refunded: { amount: number }; tickets: { code: string; status: string }[] }>();
  t.equal(after.status, 'partially_refunded');
  t.equal(after.refunded.amount, 10_000);
  t.equal(after.tickets.find((x) => x.code === general?.code)?.status, 'void');
  t.same([...fake.refunds.values()].map((r) => [r.amount, r.currency]), [[10_000, 'krw']], 'Stripe refunded exactly that ticket');
  const reported = fake.events.filter((x) => x.type === 'charge.refunded');
  t.equal(reported.length, 1, 'Stripe reports the refund by webhook');
  for (const e of [...reported, ...reported]) t.equal((await fake.deliver(run.hook, e, webhookSecret)).status, 200);
  // 30,000 of 40,000 KRW of tickets remain: 22.50 USD.
  t.same(await figures(ta), { gifts: 5_750, tickets: 2_250, raffles: 750, raised: 8_750, matched: 5_750, total: 14_500 }, 'after the partial refund (its webhook counted once)');
  t.same(netAtStripe(fake, new Set([matchIntent])), { USD: 5_000, KRW: 50_000 });
  const checkIn = await ta.app.inject({ method: 'POST', url: '/api/v1/events/game-night/check-ins', headers: ta.auth('organizer'), payload: { code: general?.code } });
  t.equal(checkIn.statusCode, 422, 'the refunded ticket no longer gets in');
  await assertClean(t, ta, 'partial refund');
});
