// Disputes of card payments for ticket orders and raffle entries, over HTTP
// with (fake) Stripe's signed webhooks. An opened dispute is audited on the
// order and shown to staff; a lost one reverses what is left of the order like
// a full refund (tickets voided, seats freed, donation reversed), or of a
// raffle entry: before the raffle closed its tickets leave the pool, after it
// the frozen pool stays as committed and only the money leaves the ledger.
// A won one changes nothing. Each counts once, however often it is reported,
// and never reverses money a refund already reversed.
import type { Test } from 'tap';
import t from 'tap';
import { runDraw } from '../../src/domain/raffle-draw.ts';
import { settleProviderRefunds } from '../../src/services/provider-refunds.ts';
import type { FakeEvent, FakeStripe } from '../fakes/stripe.ts';
import { createRescueFund, testPassword, type TestApp } from '../helper.ts';
import { addPledge, createSeoulEvent, verifyClean } from './api-helpers.ts';
import { FormClient } from './form-client.ts';
import { buildStripeApp, webhookSecret } from './stripe-app.ts';

t.setTimeout(120_000);

const usd = (amount: number) => ({ amount, currency: 'USD' });

interface Started {
  ta: TestApp;
  fake: FakeStripe;
  hook: string;
}

interface OrderJson {
  id: string;
  status: string;
  tickets: { code: string; status: string }[];
  dispute: { status: string; reason: string | null; amount: { amount: number; currency: string } } | null;
}

interface CampaignJson {
  raised: { amount: number };
  matched: { amount: number };
  breakdown: { gifts: { amount: number }; tickets: { amount: number }; raffles: { amount: number } };
}

async function setup(t: Test): Promise<Started> {
  const { ta, fake, hook } = await buildStripeApp(t, { passwords: true });
  await createRescueFund(ta);
  await createSeoulEvent(t, ta, { slug: 'gala', title: 'Gala', venue: { name: 'Hall', address: '1 Road', city: 'Seoul', country: 'KR' }, currency: 'USD' });
  return { ta, fake, hook };
}

async function campaign(ta: TestApp): Promise<CampaignJson> {
  return (await ta.app.inject('/api/v1/campaigns/rescue-fund')).json<CampaignJson>();
}

async function orderJson(ta: TestApp, id: string): Promise<OrderJson> {
  return (await ta.app.inject({ url: `/api/v1/orders/${id}`, headers: ta.auth('admin') })).json<OrderJson>();
}

function audits(ta: TestApp, action: string, subjectType?: string): number {
  return Number(
    subjectType
      ? ta.db.sqlite.prepare('select count(*) from audit_log where action = ? and subject_type = ?').pluck().get(action, subjectType)
      : ta.db.sqlite.prepare('select count(*) from audit_log where action = ?').pluck().get(action),
  );
}

async function deliver(t: Test, s: Started, event: FakeEvent, times = 1): Promise<void> {
  for (let i = 0; i < times; i++) t.equal((await s.fake.deliver(s.hook, event, webhookSecret)).status, 200, `${event.type} delivered`);
}

/** Pays a checkout URL at (fake) Stripe and delivers the webhook; answers the charge's id. */
async function payAt(t: Test, s: Started, checkoutUrl: string): Promise<string> {
  const sessionId = new URL(checkoutUrl).pathname.split('/').pop() ?? '';
  await deliver(t, s, s.fake.pay(sessionId));
  const pi = s.fake.sessions.get(sessionId)?.payment_intent;
  const piId = typeof pi === 'string' ? pi : (pi?.id ?? '');
  return [...s.fake.charges.values()].find((c) => c.payment_intent === piId)?.id ?? '';
}

async function seatType(t: Test, ta: TestApp): Promise<string> {
  const res = await ta.app.inject({ method: 'POST', url: '/api/v1/events/gala/ticket-types', headers: ta.auth('organizer'), payload: { name: 'Seat', price: usd(2_000), quantity: 10, maxPerOrder: 5 } });
  t.equal(res.statusCode, 201, res.body);
  return res.json<{ id: string }>().id;
}

async function cardOrder(t: Test, s: Started, type: string, seats: number, donation: number, who: string): Promise<{ id: string; charge: string }> {
  const res = await s.ta.app.inject({
    method: 'POST',
    url: '/api/v1/events/gala/orders',
    payload: { items: [{ ticketTypeId: type, quantity: seats }], buyer: { name: who, email: `${who.toLowerCase()}@example.org` }, ...(donation > 0 && { donation: usd(donation) }) },
  });
  t.equal(res.statusCode, 201, res.body);
  const placed = res.json<{ id: string; checkoutUrl: string }>();
  return { id: placed.id, charge: await payAt(t, s, placed.checkoutUrl) };
}

const disputeId = (e: FakeEvent) => (e.data.object as { id: string }).id;

t.test('a lost dispute on a card order reverses what is left of it once; no refund while the bank decides', async (t) => {
  const s = await setup(t);
  const { ta, fake } = s;
  const seat = await seatType(t, ta);
  const ann = await cardOrder(t, s, seat, 3, 1_000, 'Ann');
  // One seat refunded first, through Stripe.
  const first = (await orderJson(ta, ann.id)).tickets[0]?.code ?? '';
  t.equal((await ta.app.inject({ method: 'POST', url: `/api/v1/orders/${ann.id}/refunds`, headers: ta.auth('admin'), payload: { tickets: [first] } })).statusCode, 201);
  t.equal((await campaign(ta)).raised.amount, 4_000 + 1_000);

  const opened = fake.dispute(ann.charge, { reason: 'fraudulent' });
  await deliver(t, s, opened, 2);
  t.equal(audits(ta, 'payment.dispute', 'order'), 1, 'the dispute is audited on the order, once');
  const disputed = await orderJson(ta, ann.id);
  t.equal(disputed.status, 'partially_refunded', 'the order stands while the bank decides');
  t.same(disputed.dispute, { status: 'open', reason: 'fraudulent', amount: usd(5_000) });
  t.equal((await campaign(ta)).raised.amount, 5_000, 'and still counts');
  const admin = new FormClient(ta.app);
  await admin.login('admin@example.test', testPassword);
  const list = await admin.get('/admin/events/gala/attendees');
  t.match(list.body, 'The cardholder disputes this payment (fraudulent): the bank decides.');
  const refused = await ta.app.inject({ method: 'POST', url: `/api/v1/orders/${ann.id}/refunds`, headers: ta.auth('admin'), payload: {} });
  t.equal(refused.statusCode, 409);
  t.match(refused.json<{ detail: string }>().detail, 'disputes this payment');
  t.equal(fake.refunds.size, 1, 'Stripe was not asked to refund a disputed charge');

  const lost = fake.closeDispute(disputeId(opened), false);
  await deliver(t, s, lost, 3);
  // The same loss, reported under another event id.
  await deliver(t, s, fake.event('charge.dispute.closed', lost.data.object));
  const after = await orderJson(ta, ann.id);
  t.equal(after.status, 'refunded');
  t.same([...new Set(after.tickets.map((tk) => tk.status))], ['void'], 'every ticket is void');
  t.same(after.dispute, { status: 'lost', reason: 'fraudulent', amount: usd(5_000) });
  const c = await campaign(ta);
  t.same([c.raised.amount, c.breakdown.tickets.amount, c.breakdown.gifts.amount], [0, 0, 0], 'the tickets and the donation left the ledger');
  t.equal(audits(ta, 'order.refund'), 2, 'the refund and the lost dispute, one each');
  const ev = (await ta.app.inject('/api/v1/events/gala')).json<{ ticketTypes: { sold: number }[] }>();
  t.equal(ev.ticketTypes[0]?.sold, 0, 'the seats are free again');
  const checkIn = await ta.app.inject({ method: 'POST', url: '/api/v1/events/gala/check-ins', headers: ta.auth('organizer'), payload: { code: after.tickets[1]?.code } });
  t.equal(checkIn.statusCode, 422, 'a ticket of a lost dispute is refused at the door');
  t.equal(await settleProviderRefunds(ta.services, ta.app.payments), 0, 'the bank took the money back: Stripe is not asked to refund it');
  t.equal(fake.refunds.size, 1);
  t.match((await admin.get('/admin/events/gala/attendees')).body, 'was lost: the bank took the money back');
  await verifyClean(t, ta);
});

t.test('a won dispute on an order changes nothing but is audited; the order can then be refunded', async (t) => {
  const s = await setup(t);
  const { ta, fake } = s;
  const seat = await seatType(t, ta);
  const bo = await cardOrder(t, s, seat, 2, 500, 'Bo');
  const opened = fake.dispute(bo.charge, { reason: 'product_not_received' });
  await deliver(t, s, opened);
  await deliver(t, s, fake.closeDispute(disputeId(opened), true), 2);
  const o = await orderJson(ta, bo.id);
  t.equal(o.status, 'paid');
  t.same([...new Set(o.tickets.map((tk) => tk.status))], ['valid']);
  t.same(o.dispute, { status: 'won', reason: 'product_not_received', amount: usd(4_500) });
  t.equal((await campaign(ta)).raised.amount, 4_500);
  t.equal(audits(ta, 'payment.dispute_closed', 'order'), 1);
  t.equal(audits(ta, 'order.refund'), 0);
  const refund = await ta.app.inject({ method: 'POST', url: `/api/v1/orders/${bo.id}/refunds`, headers: ta.auth('admin'), payload: { tickets: [o.tickets[0]?.code] } });
  t.equal(refund.statusCode, 201, refund.body);
  t.same([...fake.refunds.values()].map((r) => r.amount), [2_000]);
  await verifyClean(t, ta);
});

t.test('a dispute lost after the ledger refunded the order (the event cancelled meanwhile) reverses nothing twice', async (t) => {
  const s = await setup(t);
  const { ta, fake } = s;
  const seat = await seatType(t, ta);
  const cy = await cardOrder(t, s, seat, 2, 0, 'Cy');
  const opened = fake.dispute(cy.charge);
  await deliver(t, s, opened);
  const cancelled = await ta.app.inject({ method: 'POST', url: '/api/v1/events/gala/cancellation', headers: ta.auth('organizer'), payload: { reason: 'storm' } });
  t.equal(cancelled.statusCode, 200, cancelled.body);
  t.equal((await orderJson(ta, cy.id)).status, 'refunded');
  t.equal((await campaign(ta)).raised.amount, 0);
  await t.rejects(settleProviderRefunds(ta.services, ta.app.payments), 'Stripe refuses to refund a disputed charge; the sweep will ask again');
  t.equal(fake.refunds.size, 0);

  await deliver(t, s, fake.closeDispute(disputeId(opened), false), 2);
  const c = await campaign(ta);
  t.same([c.raised.amount, c.breakdown.tickets.amount], [0, 0], 'not reversed a second time');
  t.equal(audits(ta, 'order.refund'), 1);
  t.equal(await settleProviderRefunds(ta.services, ta.app.payments), 0, 'the bank returned the money: the sweep stops asking');
  t.equal(fake.refunds.size, 0);
  await verifyClean(t, ta);
});

// ---------------------------------------------------------------- raffle entries

interface RaffleJson {
  id: string;
  status: string;
  pool: [number, number][] | null;
  ticketsLeft: number | null;
}

async function raffle(t: Test, ta: TestApp): Promise<string> {
  const res = await ta.app.inject({
    method: 'POST',
    url: '/api/v1/events/gala/raffles',
    headers: ta.auth('organizer'),
    payload: { title: 'Gala raffle', price: usd(500), bundles: [{ quantity: 3, price: usd(1_200) }], prizes: [{ name: 'Mug' }, { name: 'Book' }], onePrizePerPerson: false, jurisdiction: 'other', ageLimit: 18, maxTickets: 100 },
  });
  t.equal(res.statusCode, 201, res.body);
  return res.json<{ id: string }>().id;
}

async function cardEntry(t: Test, s: Started, raffleId: string, who: string, quantity: number): Promise<{ id: string; charge: string }> {
  const res = await s.ta.app.inject({ method: 'POST', url: `/api/v1/raffles/${raffleId}/entries`, payload: { buyer: { name: who, email: `${who.toLowerCase()}@example.org` }, quantity, confirmed: true } });
  t.equal(res.statusCode, 201, res.body);
  const e = res.json<{ id: string; checkoutUrl: string }>();
  return { id: e.id, charge: await payAt(t, s, e.checkoutUrl) };
}

function entryStatus(ta: TestApp, id: string): string {
  return String(ta.db.sqlite.prepare('select status from raffle_entries where id = ?').pluck().get(id));
}

function validNumbers(ta: TestApp, raffleId: string): number[] {
  return ta.db.sqlite.prepare("select number from raffle_tickets where raffle_id = ? and status = 'valid' order by number").pluck().all(raffleId) as number[];
}

t.test('a raffle entry’s dispute lost while sales are open: a refund, its tickets leave the pool and its match is undone', async (t) => {
  const s = await setup(t);
  const { ta, fake } = s;
  await addPledge(ta, { cap: usd(50_000), sources: ['raffle'] });
  const id = await raffle(t, ta);
  const dan = await cardEntry(t, s, id, 'Dan', 3);
  const eve = await cardEntry(t, s, id, 'Eve', 1);
  t.same(validNumbers(ta, id), [1, 2, 3, 4]);
  t.same([(await campaign(ta)).breakdown.raffles.amount, (await campaign(ta)).matched.amount], [1_700, 1_700], 'matched 1:1');

  const opened = fake.dispute(dan.charge, { reason: 'unrecognized' });
  await deliver(t, s, opened);
  t.equal(audits(ta, 'payment.dispute', 'raffle_entry'), 1, 'audited on the entry');
  t.same(validNumbers(ta, id), [1, 2, 3, 4], 'an open dispute changes nothing');
  const organizer = new FormClient(ta.app);
  await organizer.login('organizer@example.test', testPassword);
  t.match((await organizer.get(`/admin/raffles/${id}`)).body, 'The cardholder disputes this payment (unrecognized): the bank decides.', 'staff see it on the entries list');
  const lost = fake.closeDispute(disputeId(opened), false);
  await deliver(t, s, lost, 2);
  t.same(validNumbers(ta, id), [4], 'Dan’s tickets left the pool');
  const c = await campaign(ta);
  t.same([c.breakdown.raffles.amount, c.matched.amount], [500, 500], 'the proceeds and their match are reversed');
  t.equal(audits(ta, 'raffle.entry.dispute_lost'), 1);
  t.equal(await settleProviderRefunds(ta.services, ta.app.payments), 0, 'Stripe is not asked to refund it');
  t.equal(fake.refunds.size, 0);

  const closed = await ta.app.inject({ method: 'POST', url: `/api/v1/raffles/${id}/close`, headers: ta.auth('organizer'), payload: {} });
  t.equal(closed.statusCode, 200, closed.body);
  t.same(closed.json<{ pool: [number, number][] }>().pool, [[4, 4]], 'only Eve’s ticket is drawn');
  t.equal(entryStatus(ta, eve.id), 'paid');
  await verifyClean(t, ta);
});

t.test('a raffle entry’s dispute lost after the raffle closed: the frozen pool and the draw stay, only the money leaves', async (t) => {
  const s = await setup(t);
  const { ta, fake } = s;
  const id = await raffle(t, ta);
  const fay = await cardEntry(t, s, id, 'Fay', 1);
  const gus = await cardEntry(t, s, id, 'Gus', 3);
  const closed = await ta.app.inject({ method: 'POST', url: `/api/v1/raffles/${id}/close`, headers: ta.auth('organizer'), payload: {} });
  t.equal(closed.statusCode, 200, closed.body);
  const frozen = closed.json<{ commitment: string; pool: [number, number][] }>();
  t.same(frozen.pool, [[1, 4]]);
  t.equal((await campaign(ta)).breakdown.raffles.amount, 1_700);

  const opened = fake.dispute(gus.charge);
  await deliver(t, s, opened);
  const lost = fake.closeDispute(disputeId(opened), false);
  await deliver(t, s, lost, 3);
  await deliver(t, s, fake.event('charge.dispute.closed', lost.data.object));
  t.equal((await campaign(ta)).breakdown.raffles.amount, 500, 'Gus’s 12.00 left the ledger, once');
  t.equal(audits(ta, 'raffle.entry.dispute_lost'), 1);
  const after = (await ta.app.inject(`/api/v1/raffles/${id}`)).json<RaffleJson & { commitment: string }>();
  t.same(after.pool, [[1, 4]], 'the published pool is unchanged');
  t.equal(after.commitment, frozen.commitment);
  t.same(validNumbers(ta, id), [1, 2, 3, 4], 'Gus’s tickets are still in the draw');
  t.equal(entryStatus(ta, gus.id), 'refunded', 'his entry shows the money went back');
  t.equal(entryStatus(ta, fay.id), 'paid');
  const organizer = new FormClient(ta.app);
  await organizer.login('organizer@example.test', testPassword);
  t.match((await organizer.get(`/admin/raffles/${id}`)).body, 'its tickets stay in the committed draw');

  // The draw runs on the committed pool and anyone can recompute it.
  const drawn = await ta.app.inject({ method: 'POST', url: `/api/v1/raffles/${id}/draw`, headers: ta.auth('organizer'), payload: {} });
  t.equal(drawn.statusCode, 200, drawn.body);
  const result = drawn.json<{ seed: string; winners: { ticketNumber: number | null }[] }>();
  const expected = runDraw({ raffleId: id, seed: Buffer.from(result.seed, 'hex'), pool: [1, 2, 3, 4], prizes: 2, onePrizePerPerson: false });
  t.same(
    result.winners.map((w) => w.ticketNumber),
    expected.map((d) => d.ticketNumber),
  );
  t.equal(await settleProviderRefunds(ta.services, ta.app.payments), 0);
  t.equal(fake.refunds.size, 0);
  await verifyClean(t, ta);
});
