// An admin refunds part of a ticket order: chosen tickets and/or the
// donation, over the JSON API and from the console's attendee list. Card
// orders are refunded through (fake) Stripe for exactly the chosen amount and
// Stripe's webhook for that refund changes nothing; door (cash) orders reverse
// the ledger only. Voided tickets are refused at the door, their seats are
// free again (and go to the waiting list), the campaign-currency revenue
// leaves the ledger by the cumulative floor rule, and `verify` stays clean.
import type { Test } from 'tap';
import t from 'tap';
import fc from 'fast-check';
import { refundedCampaignShare } from '../../src/domain/order-refunds.ts';
import { findOrder } from '../../src/db/orders.ts';
import { readAuditLog } from '../../src/db/audit.ts';
import type { PaymentProvider, RefundRequest } from '../../src/payments/provider.ts';
import { cancelEvent } from '../../src/services/event-cancellation.ts';
import { refundOrderPart } from '../../src/services/orders.ts';
import { settleProviderRefunds } from '../../src/services/provider-refunds.ts';
import type { FakeStripe } from '../fakes/stripe.ts';
import { buildTestApp, createRescueFund, testActor, testCheckout, testPassword, type TestApp } from '../helper.ts';
import { addKrwRate, createSeoulEvent, expectProblem, verifyClean } from './api-helpers.ts';
import { FormClient } from './form-client.ts';
import { buildStripeApp, webhookSecret } from './stripe-app.ts';

t.setTimeout(120_000);

const usd = (amount: number) => ({ amount, currency: 'USD' });

interface OrderJson {
  id: string;
  status: string;
  items: { name: string; quantity: number; refundedQuantity: number }[];
  refunded: { amount: number; currency: string };
  tickets: { code: string; ticketTypeId: string; status: string }[];
}

interface CampaignJson {
  raised: { amount: number };
  breakdown: { gifts: { amount: number }; tickets: { amount: number }; raffles: { amount: number } };
}

async function campaign(ta: TestApp): Promise<CampaignJson> {
  return (await ta.app.inject('/api/v1/campaigns/rescue-fund')).json<CampaignJson>();
}

async function getOrderJson(ta: TestApp, id: string): Promise<OrderJson> {
  const res = await ta.app.inject({ url: `/api/v1/orders/${id}`, headers: ta.auth('admin') });
  if (res.statusCode !== 200) throw new Error(`GET order: ${res.statusCode} ${res.body}`);
  return res.json<OrderJson>();
}

function refundPost(ta: TestApp, id: string, payload: Record<string, unknown>, headers: Record<string, string> = {}) {
  return ta.app.inject({ method: 'POST', url: `/api/v1/orders/${id}/refunds`, headers: { ...ta.auth('admin'), ...headers }, payload });
}

async function sold(ta: TestApp, slug: string): Promise<Record<string, { sold: number; available: number }>> {
  const ev = (await ta.app.inject(`/api/v1/events/${slug}`)).json<{ ticketTypes: { name: string; sold: number; available: number }[] }>();
  return Object.fromEntries(ev.ticketTypes.map((tt) => [tt.name, { sold: tt.sold, available: tt.available }]));
}

function mailTo(ta: TestApp, address: string, subject: string): { subject: string; text: string; html: string }[] {
  return ta.db.sqlite.prepare('select subject, text, html from mail_outbox where to_address = ? and subject like ? order by rowid').all(address, `${subject}%`) as { subject: string; text: string; html: string }[];
}

function audits(ta: TestApp, action: string): number {
  return Number(ta.db.sqlite.prepare('select count(*) from audit_log where action = ?').pluck().get(action));
}

// ---------------------------------------------------------------- the rule

t.test('the campaign-currency share of refunded tickets: cumulative floor, exact on a complete refund', async (t) => {
  // Refunds in any order and any sizes: each ledger entry is the share after it less the share before.
  const order = fc
    .record({ campaignAmount: fc.integer({ min: 0, max: 10_000_000_000 }), prices: fc.array(fc.integer({ min: 0, max: 50_000_000 }), { minLength: 1, maxLength: 30 }) })
    .chain((o) => fc.record({ campaignAmount: fc.constant(o.campaignAmount), prices: fc.constant(o.prices), order: fc.shuffledSubarray(o.prices.map((_, i) => i), { minLength: o.prices.length, maxLength: o.prices.length }) }));
  fc.assert(
    fc.property(order, ({ campaignAmount, prices, order: sequence }) => {
      const total = prices.reduce((n, p) => n + p, 0);
      let refunded = 0;
      let share = 0;
      let entries = 0;
      for (const i of sequence) {
        refunded += prices[i] ?? 0;
        const next = refundedCampaignShare(campaignAmount, refunded, total);
        const entry = next - share;
        if (entry < 0) return false;
        // Never more than the exact proportional share, and less than one minor unit below it.
        if (BigInt(next) * BigInt(total || 1) > BigInt(campaignAmount) * BigInt(refunded)) return false;
        if (total > 0 && (BigInt(next) + 1n) * BigInt(total) <= BigInt(campaignAmount) * BigInt(refunded)) return false;
        entries += entry;
        share = next;
      }
      return entries === (total === 0 ? 0 : campaignAmount);
    }),
    { numRuns: 500 },
  );
  t.equal(refundedCampaignShare(1_425, 7_001, 19_002), 525, 'floor(1425 × 7001 / 19002)');
  t.equal(refundedCampaignShare(1_425, 19_002, 19_002), 1_425, 'everything refunded: everything reversed');
  t.equal(refundedCampaignShare(0, 0, 0), 0, 'a free order');
  t.throws(() => refundedCampaignShare(100, 11, 10), RangeError, 'more than the tickets cost is refused');
});

// ---------------------------------------------------------------- card orders through Stripe

interface Started {
  ta: TestApp;
  fake: FakeStripe;
  hook: string;
}

async function stripeApp(t: Test): Promise<Started> {
  const { ta, fake, hook } = await buildStripeApp(t);
  await createRescueFund(ta);
  return { ta, fake, hook };
}

async function gala(t: Test, ta: TestApp, seats = 3): Promise<{ seat: string; vip: string }> {
  await createSeoulEvent(t, ta, { slug: 'gala', title: 'Gala', venue: { name: 'Hall', address: '1 Road', city: 'Seoul', country: 'KR' }, currency: 'USD' });
  const type = async (name: string, price: number, quantity: number) => {
    const res = await ta.app.inject({ method: 'POST', url: '/api/v1/events/gala/ticket-types', headers: ta.auth('organizer'), payload: { name, price: usd(price), quantity, maxPerOrder: 5 } });
    t.equal(res.statusCode, 201, res.body);
    return res.json<{ id: string }>().id;
  };
  return { seat: await type('Seat', 2_000, seats), vip: await type('VIP', 5_000, 5) };
}

/** An order paid by card at (fake) Stripe Checkout, its webhook delivered. */
async function cardOrder(s: Started, items: { ticketTypeId: string; quantity: number }[], donation: number, who = 'Ann'): Promise<{ id: string; charge: string }> {
  const res = await s.ta.app.inject({
    method: 'POST',
    url: '/api/v1/events/gala/orders',
    payload: { items, buyer: { name: who, email: `${who.toLowerCase()}@example.org` }, ...(donation > 0 && { donation: usd(donation) }) },
  });
  if (res.statusCode !== 201) throw new Error(`order: ${res.statusCode} ${res.body}`);
  const placed = res.json<{ id: string; checkoutUrl: string }>();
  const sessionId = new URL(placed.checkoutUrl).pathname.split('/').pop() ?? '';
  const delivered = await s.fake.deliver(s.hook, s.fake.pay(sessionId), webhookSecret);
  if (delivered.status !== 200) throw new Error(`payment webhook: ${delivered.status} ${delivered.body}`);
  const pi = s.fake.sessions.get(sessionId)?.payment_intent;
  const piId = typeof pi === 'string' ? pi : (pi?.id ?? '');
  return { id: placed.id, charge: [...s.fake.charges.values()].find((c) => c.payment_intent === piId)?.id ?? '' };
}

/** Every charge.refunded event the fake produced so far, delivered (twice each). */
async function deliverRefundEvents(t: Test, s: Started): Promise<void> {
  const events = s.fake.events.filter((e) => e.type === 'charge.refunded');
  t.not(events.length, 0, 'Stripe reported its refunds by webhook');
  for (const e of [...events, ...events]) t.equal((await s.fake.deliver(s.hook, e, webhookSecret)).status, 200);
}

t.test('a card order: some tickets refunded through Stripe for exactly their price, then the rest', async (t) => {
  const s = await stripeApp(t);
  const { ta, fake } = s;
  const { seat, vip } = await gala(t, ta, 2);
  const ann = await cardOrder(s, [{ ticketTypeId: seat, quantity: 2 }, { ticketTypeId: vip, quantity: 1 }], 1_000);
  t.same(await sold(ta, 'gala'), { Seat: { sold: 2, available: 0 }, VIP: { sold: 1, available: 4 } });
  t.equal((await campaign(ta)).raised.amount, 4_000 + 5_000 + 1_000);
  // The seats are gone: someone waits for one.
  const wait = await ta.app.inject({ method: 'POST', url: '/api/v1/events/gala/waitlist', payload: { ticketTypeId: seat, quantity: 1, name: 'Bo', email: 'bo@example.org' } });
  t.equal(wait.statusCode, 201, wait.body);

  const before = await getOrderJson(ta, ann.id);
  const seatCodes = before.tickets.filter((tk) => tk.ticketTypeId === seat).map((tk) => tk.code);
  const vipCode = before.tickets.find((tk) => tk.ticketTypeId === vip)?.code ?? '';
  const keep = seatCodes[1] ?? '';
  t.equal(seatCodes.length, 2, 'two seats to choose from');
  t.match(vipCode, /\S/, 'and a VIP ticket');
  // One seat and the VIP ticket; the code typed the way a person might.
  const typed = (seatCodes[0] ?? '').toLowerCase().replace(/-/g, ' ');
  const res = await refundPost(ta, ann.id, { tickets: [typed, vipCode], reason: 'two of them cannot come' }, { 'idempotency-key': 'refund-ann-1' });
  t.equal(res.statusCode, 201, res.body);
  const after = res.json<OrderJson>();
  t.equal(after.status, 'partially_refunded');
  t.same(after.refunded, usd(7_000));
  t.same(after.items.map((i) => [i.name, i.quantity, i.refundedQuantity]), [['Seat', 2, 1], ['VIP', 1, 1]]);
  t.same(after.tickets.filter((tk) => tk.status === 'valid').map((tk) => tk.code), [keep], 'only the kept seat still works');

  const refunds = [...fake.refunds.values()];
  t.equal(refunds.length, 1, 'Stripe was asked once');
  t.equal(refunds[0]?.amount, 7_000, 'for exactly the chosen tickets: 20.00 + 50.00');
  t.equal(refunds[0]?.charge, ann.charge);
  const asked = fake.requests.filter((r) => r.method === 'POST' && r.path === '/v1/refunds');
  t.match(asked[0]?.idempotencyKey, new RegExp(`^lantern-order-refund-${ann.id}-[0-9a-f]{16}$`), 'keyed by our refund’s id');
  const again = await refundPost(ta, ann.id, { tickets: [typed, vipCode], reason: 'two of them cannot come' }, { 'idempotency-key': 'refund-ann-1' });
  t.equal(again.statusCode, 201, 'the same request again gets the same answer');
  t.equal(fake.refunds.size, 1, 'and refunds nothing more');
  const spent = await refundPost(ta, ann.id, { tickets: [vipCode] });
  expectProblem(t, spent, 409, ['tickets.0']);
  t.equal(fake.refunds.size, 1, 'an already refunded ticket is refused before Stripe is asked');

  // Stripe reports the refund (twice): Lantern knows it and changes nothing.
  await deliverRefundEvents(t, s);
  const c = await campaign(ta);
  t.equal(c.breakdown.tickets.amount, 2_000, 'one seat’s revenue left');
  t.equal(c.breakdown.gifts.amount, 1_000, 'the donation untouched');
  t.equal(c.raised.amount, 3_000);
  t.equal(audits(ta, 'payment.refund_unapplied'), 0, 'our own refund is recognised by its id');
  t.equal(findOrder(ta.db, ann.id)?.refundedCampaignAmount, 7_000);

  // The freed seat went to the waiting list (held for Bo), the VIP seat is for sale again.
  const waiting = ta.db.sqlite.prepare("select status from waitlist where email = 'bo@example.org'").pluck().get();
  t.equal(waiting, 'offered', 'the freed seat is offered to the first in line');
  t.same(await sold(ta, 'gala'), { Seat: { sold: 1, available: 0 }, VIP: { sold: 0, available: 5 } }, 'sold counts only what is still paid');

  // At the door the refunded ticket is refused, the kept one admitted.
  const refused = await ta.app.inject({ method: 'POST', url: '/api/v1/events/gala/check-ins', headers: ta.auth('organizer'), payload: { code: vipCode } });
  expectProblem(t, refused, 422, ['code']);
  const admitted = await ta.app.inject({ method: 'POST', url: '/api/v1/events/gala/check-ins', headers: ta.auth('organizer'), payload: { code: keep } });
  t.equal(admitted.statusCode, 200, admitted.body);

  const mail = mailTo(ta, 'ann@example.org', 'Refunded: Gala');
  t.equal(mail.length, 1, 'the buyer is told');
  t.match(mail[0]?.text, String(seatCodes[0]));
  t.match(mail[0]?.text, vipCode);
  t.notMatch(mail[0]?.text, keep, 'the kept ticket is not listed as refunded');
  t.match(mail[0]?.text, /\$70\.00 goes back to the card you paid with/);
  t.match(mail[0]?.text, /Your other ticket still works/);
  t.match(mail[0]?.html, `<code>${vipCode}</code>`);
  const buyerPage = await ta.app.inject(`/orders/${ann.id}`);
  t.match(buyerPage.body, 'Some of this order was refunded; the tickets still valid are below.');
  t.match(buyerPage.body, /Tickets refunded<\/td><td class="num">−\$70\.00/);
  await verifyClean(t, ta);

  // The rest: the last seat and the donation, in one Stripe refund.
  const rest = await refundPost(ta, ann.id, { reason: 'the rest too' });
  t.equal(rest.statusCode, 201, rest.body);
  t.equal(rest.json<OrderJson>().status, 'refunded');
  t.same([...fake.refunds.values()].map((r) => r.amount), [7_000, 3_000]);
  t.equal(fake.requests.filter((r) => r.path === '/v1/refunds').pop()?.idempotencyKey, `lantern-order-refund-${ann.id}`, 'everything left is keyed by the order');
  await deliverRefundEvents(t, s);
  const end = await campaign(ta);
  t.same([end.raised.amount, end.breakdown.tickets.amount, end.breakdown.gifts.amount], [0, 0, 0]);
  t.equal(audits(ta, 'payment.refund_unapplied'), 0);
  t.equal(audits(ta, 'order.refund'), 2, 'each refund is in the audit log');
  t.equal(await settleProviderRefunds(ta.services, ta.app.payments), 0, 'nothing is left for the refund sweep to ask');
  const last = mailTo(ta, 'ann@example.org', 'Refunded: Gala');
  t.equal(last.length, 2);
  t.match(last[1]?.text, /Your donation of \$10\.00 with the order was refunded too/);
  t.match(last[1]?.text, /\$30\.00 goes back/);
  await verifyClean(t, ta);
  t.equal((await refundPost(ta, ann.id, {})).statusCode, 409, 'a refunded order has nothing left');
});

t.test('the donation alone, through Stripe; then the event is cancelled and the sweep refunds exactly the rest', async (t) => {
  const s = await stripeApp(t);
  const { ta, fake } = s;
  const { seat } = await gala(t, ta);
  const cy = await cardOrder(s, [{ ticketTypeId: seat, quantity: 2 }], 1_500, 'Cy');
  const res = await refundPost(ta, cy.id, { donation: true, reason: 'gave twice by mistake' });
  t.equal(res.statusCode, 201, res.body);
  const o = res.json<OrderJson>();
  t.equal(o.status, 'partially_refunded', 'the tickets are still paid');
  t.same([...new Set(o.tickets.map((tk) => tk.status))], ['valid']);
  t.same(o.refunded, usd(0), 'no ticket price was refunded');
  t.same([...fake.refunds.values()].map((r) => r.amount), [1_500], 'Stripe refunded the donation only');
  await deliverRefundEvents(t, s);
  const c = await campaign(ta);
  t.same([c.breakdown.gifts.amount, c.breakdown.tickets.amount], [0, 4_000]);
  const gift = ta.db.sqlite.prepare('select g.status from gifts g join orders o on o.donation_gift_id = g.id where o.id = ?').pluck().get(cy.id);
  t.equal(gift, 'refunded');
  expectProblem(t, await refundPost(ta, cy.id, { donation: true }), 409, ['donation']);
  t.match(mailTo(ta, 'cy@example.org', 'Refunded: Gala')[0]?.text, /Your donation of \$15\.00 with the order for Gala was refunded/);

  // One more seat refunded, then the event is cancelled: Stripe gives back the last seat only.
  const seatCode = o.tickets[0]?.code ?? '';
  t.equal((await refundPost(ta, cy.id, { tickets: [seatCode] })).statusCode, 201);
  const cancelled = await ta.app.inject({ method: 'POST', url: '/api/v1/events/gala/cancellation', headers: ta.auth('organizer'), payload: { reason: 'the hall flooded' } });
  t.equal(cancelled.statusCode, 200, cancelled.body);
  t.same([...fake.refunds.values()].map((r) => r.amount), [1_500, 2_000, 2_000], 'the rest, not the whole charge again');
  await deliverRefundEvents(t, s);
  t.equal(await settleProviderRefunds(ta.services, ta.app.payments), 0);
  t.equal((await campaign(ta)).raised.amount, 0);
  t.equal((await getOrderJson(ta, cy.id)).status, 'refunded');
  await verifyClean(t, ta);
});

// ---------------------------------------------------------------- cash at the door, another currency

t.test('two overlapping refunds of one order at once: the second sees the first, Stripe refunds what the ledger does', async (t) => {
  const s = await stripeApp(t);
  const { vip } = await gala(t, s.ta);
  const order = await cardOrder(s, [{ ticketTypeId: vip, quantity: 5 }], 0);
  const [a, b, c] = (await getOrderJson(s.ta, order.id)).tickets.map((x) => x.code);
  const results = await Promise.allSettled([
    refundOrderPart(s.ta.services, testActor, order.id, { tickets: [a ?? '', b ?? ''], reason: 'first admin' }, s.ta.app.payments),
    refundOrderPart(s.ta.services, testActor, order.id, { tickets: [b ?? '', c ?? ''], reason: 'second admin' }, s.ta.app.payments),
  ]);
  t.same(results.map((r) => r.status), ['fulfilled', 'rejected'], 'the second is refused: one of its tickets is void by then');
  t.match(String((results[1] as PromiseRejectedResult).reason), /refunded|void/i);
  await deliverRefundEvents(t, s);
  const stripeRefunded = [...s.fake.refunds.values()].reduce((n, r) => n + r.amount, 0);
  t.equal(stripeRefunded, 10_000, 'Stripe refunded two tickets');
  t.equal(findOrder(s.ta.db, order.id)?.refundedAmount, 10_000, 'and so did the ledger');
  t.equal((await campaign(s.ta)).raised.amount, 15_000);
  await verifyClean(t, s.ta);
});

t.test('the event is cancelled while Stripe refunds one ticket: that refund is recorded and the sweep refunds exactly the rest', async (t) => {
  const s = await stripeApp(t);
  const { vip } = await gala(t, s.ta);
  const order = await cardOrder(s, [{ ticketTypeId: vip, quantity: 4 }], 0);
  const [first] = (await getOrderJson(s.ta, order.id)).tickets.map((x) => x.code);
  const real = s.ta.app.payments;
  const racing: PaymentProvider = {
    ...real,
    async refund(req: RefundRequest) {
      const done = await real.refund(req);
      // Stripe's webhook for it lands, then an organizer cancels the event, before our write.
      await deliverRefundEvents(t, s);
      await cancelEvent(s.ta.services, testActor, 'gala', { reason: 'Flooded hall', offerGiftUntil: null });
      return done;
    },
  };
  await refundOrderPart(s.ta.services, testActor, order.id, { tickets: [first ?? ''], reason: 'Cannot come' }, racing);
  t.equal(findOrder(s.ta.db, order.id)?.status, 'refunded', 'the cancellation refunded the order');
  const unapplied = readAuditLog(s.ta.db, { limit: 5, offset: 0, action: 'order.refund_unapplied' });
  t.equal(unapplied.length, 1, 'the console refund that found the order changed is left for a person');
  for (let i = 0; i < 3; i++) await settleProviderRefunds(s.ta.services, real);
  const stripeRefunded = [...s.fake.refunds.values()].reduce((n, r) => n + r.amount, 0);
  t.equal(stripeRefunded, 20_000, 'the buyer got the whole order back at Stripe, once');
  t.equal((await campaign(s.ta)).raised.amount, 0);
  await verifyClean(t, s.ta);
});

t.test('the refund sweep: one refund Stripe refuses does not hold up the others, and is asked again later', async (t) => {
  const s = await stripeApp(t);
  const { vip } = await gala(t, s.ta);
  const first = await cardOrder(s, [{ ticketTypeId: vip, quantity: 1 }], 0, 'Ann');
  await cardOrder(s, [{ ticketTypeId: vip, quantity: 2 }], 0, 'Bo');
  const real = s.ta.app.payments;
  const refusing: PaymentProvider = {
    ...real,
    refund: (req: RefundRequest) => (req.idempotencyKey.includes(first.id) ? Promise.reject(new Error('charge is disputed')) : real.refund(req)),
  };
  // The ledger refunds both at once; Stripe is asked after.
  await cancelEvent(s.ta.services, testActor, 'gala', { reason: 'Flooded hall', offerGiftUntil: null });
  await t.rejects(settleProviderRefunds(s.ta.services, refusing), /1 refund\(s\) through stripe failed and will be tried again: .*charge is disputed/);
  t.same([...s.fake.refunds.values()].map((r) => r.amount), [10_000], 'the other order was refunded all the same');
  t.equal(await settleProviderRefunds(s.ta.services, real), 1, 'the next sweep refunds the one left');
  t.same([...s.fake.refunds.values()].map((r) => r.amount).sort(), [10_000, 5_000].sort());
  t.equal(await settleProviderRefunds(s.ta.services, real), 0, 'and nothing more');
});

t.test('a door (cash) order in KRW for a USD campaign: the ledger reverses by the rule, cash goes back by hand', async (t) => {
  const ta = await buildTestApp(t);
  await createRescueFund(ta);
  await addKrwRate(t, ta);
  await createSeoulEvent(t, ta);
  const type = async (name: string, price: number) =>
    (await ta.app.inject({ method: 'POST', url: '/api/v1/events/game-night/ticket-types', headers: ta.auth('organizer'), payload: { name, price: { amount: price, currency: 'KRW' }, quantity: 20 } })).json<{ id: string }>().id;
  const general = await type('General', 5_000);
  const supporter = await type('Supporter', 7_001);
  const sale = await ta.app.inject({
    method: 'POST',
    url: '/api/v1/events/game-night/door-sales',
    headers: ta.auth('organizer'),
    payload: { items: [{ ticketTypeId: general, quantity: 1 }, { ticketTypeId: supporter, quantity: 2 }], buyer: { name: 'Jae', email: 'jae@example.org' }, method: 'cash' },
  });
  t.equal(sale.statusCode, 201, sale.body);
  const order = sale.json<OrderJson>();
  // 19,002 KRW × 0.00075 = 14.2515 USD, counted as 14.25.
  t.equal(findOrder(ta.db, order.id)?.campaignAmount, 1_425);
  t.equal((await campaign(ta)).breakdown.tickets.amount, 1_425);
  const codeOf = (typeId: string, n: number) => order.tickets.filter((tk) => tk.ticketTypeId === typeId)[n]?.code ?? '';
  const ticketsLedger = () => ta.db.sqlite.prepare("select amount from ledger_entries where kind = 'ticket' and order_id = ? order by id").pluck().all(order.id);

  // floor(1425 × 7001 / 19002) = 525
  const one = await refundPost(ta, order.id, { tickets: [codeOf(supporter, 0)], reason: 'left early' });
  t.equal(one.statusCode, 201, one.body);
  t.equal(one.json<OrderJson>().status, 'partially_refunded');
  t.equal((await campaign(ta)).breakdown.tickets.amount, 1_425 - 525);
  // floor(1425 × 12001 / 19002) = 899: this refund's entry is 374
  t.equal((await refundPost(ta, order.id, { tickets: [codeOf(general, 0)] })).statusCode, 201);
  t.equal((await campaign(ta)).breakdown.tickets.amount, 1_425 - 899);
  // The last ticket reverses exactly what is left: 526
  const last = await refundPost(ta, order.id, { tickets: [codeOf(supporter, 1)] });
  t.equal(last.json<OrderJson>().status, 'refunded', 'no ticket and no donation left');
  t.same(ticketsLedger(), [1_425, -525, -374, -526], 'the three refunds sum to what was counted');
  t.equal((await campaign(ta)).breakdown.tickets.amount, 0);
  t.same(last.json<OrderJson>().refunded, { amount: 19_002, currency: 'KRW' });
  const mail = mailTo(ta, 'jae@example.org', 'Refunded: Two Truths and a Lie');
  t.equal(mail.length, 3);
  t.match(mail[0]?.text, /₩7,001 is given back to you by the organizers, the way you paid at the door/);
  t.match(mail[2]?.text, /Your order:/);
  t.equal(audits(ta, 'order.refund'), 3);
  await verifyClean(t, ta);
});

// ---------------------------------------------------------------- what the API refuses

t.test('the refund API refuses what cannot be refunded, each problem naming its field, and changes nothing', async (t) => {
  const ta = await buildTestApp(t);
  await createRescueFund(ta);
  const { seat } = await gala(t, ta, 10);
  const buy = async (donation: number) => {
    const res = await ta.app.inject({ method: 'POST', url: '/api/v1/events/gala/orders', payload: { items: [{ ticketTypeId: seat, quantity: 2 }], buyer: { name: 'Dee', email: 'dee@example.org' }, ...(donation > 0 && { donation: usd(donation) }) } });
    const placed = res.json<{ id: string; checkoutUrl: string }>();
    return placed;
  };
  const pending = await buy(0);
  expectProblem(t, await refundPost(ta, pending.id, { tickets: ['AAAA-BBBB-CCCC-DDDD'] }), 409);
  await testCheckout(ta, new URL(pending.checkoutUrl).pathname);
  const other = await buy(500);
  await testCheckout(ta, new URL(other.checkoutUrl).pathname);
  const codes = (await getOrderJson(ta, pending.id)).tickets.map((tk) => tk.code);
  const otherCode = (await getOrderJson(ta, other.id)).tickets[0]?.code ?? '';
  t.ok(codes.length >= 2 && otherCode !== '', 'the tickets to name exist');
  const before = await campaign(ta);

  expectProblem(t, await refundPost(ta, pending.id, { tickets: ['AAAA-BBBB-CCCC-DDDD'] }), 422, ['tickets.0']);
  expectProblem(t, await refundPost(ta, pending.id, { tickets: [codes[0] ?? '', otherCode] }), 422, ['tickets.1']);
  expectProblem(t, await refundPost(ta, pending.id, { tickets: [codes[0] ?? '', codes[0] ?? ''] }), 400, ['tickets.1']);
  expectProblem(t, await refundPost(ta, pending.id, { tickets: [] }), 400, ['tickets']);
  expectProblem(t, await refundPost(ta, pending.id, { donation: false }), 400, ['tickets']);
  expectProblem(t, await refundPost(ta, pending.id, { donation: true }), 422, ['donation']);
  expectProblem(t, await refundPost(ta, pending.id, { tickets: 'ABCD' }), 400, ['tickets']);
  expectProblem(t, await refundPost(ta, pending.id, { tickets: [''] }), 400, ['tickets.0']);
  expectProblem(t, await refundPost(ta, pending.id, { seats: 1 }), 400);
  expectProblem(t, await ta.app.inject({ method: 'POST', url: `/api/v1/orders/${pending.id}/refunds`, headers: ta.auth('organizer'), payload: { tickets: [codes[0]] } }), 403);
  expectProblem(t, await refundPost(ta, 'ord_nope', { tickets: [codes[0]] }), 404);
  t.same(await campaign(ta), before, 'nothing changed');
  t.same([...new Set((await getOrderJson(ta, pending.id)).tickets.map((tk) => tk.status))], ['valid']);

  t.equal((await refundPost(ta, pending.id, { tickets: [codes[0] ?? ''] })).statusCode, 201);
  const spent = expectProblem(t, await refundPost(ta, pending.id, { tickets: [codes[1] ?? '', codes[0] ?? ''] }), 409, ['tickets.1']);
  t.match(spent.detail, /already refunded/);
  t.equal((await getOrderJson(ta, pending.id)).tickets.filter((tk) => tk.status === 'valid').length, 1, 'a refusal refunds none of the list');
  await verifyClean(t, ta);
});

// ---------------------------------------------------------------- the console

t.test('the console: tick tickets or the donation on the attendee list, bad input shown again', async (t) => {
  const ta = await buildTestApp(t, { passwords: true });
  await createRescueFund(ta);
  const { seat } = await gala(t, ta, 10);
  const placed = (
    await ta.app.inject({ method: 'POST', url: '/api/v1/events/gala/orders', payload: { items: [{ ticketTypeId: seat, quantity: 3 }], buyer: { name: 'Eun', email: 'eun@example.org' }, donation: usd(700) } })
  ).json<{ id: string; checkoutUrl: string }>();
  await testCheckout(ta, new URL(placed.checkoutUrl).pathname);
  const codes = (await getOrderJson(ta, placed.id)).tickets.map((tk) => tk.code);
  t.ok(codes.length >= 2, 'the tickets to tick exist');
  const admin = new FormClient(ta.app);
  await admin.login('admin@example.test', testPassword);
  const page = await admin.get('/admin/events/gala/attendees');
  t.equal(page.statusCode, 200);
  for (const code of codes) t.match(page.body, `name="tickets" value="${code}"`, `a box for ${code}`);
  t.match(page.body, 'The donation ($7.00)');
  t.match(page.body, 'Refund what is ticked');
  t.match(page.body, 'Refund the whole order');
  const token = /name="form_token" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
  const url = `/admin/orders/${placed.id}/refund`;

  const nothing = await admin.post(url, { form_token: token, reason: 'changed plans', scope: 'chosen' });
  t.equal(nothing.statusCode, 400);
  t.match(nothing.body, 'Choose the tickets to refund, or the donation');
  t.match(nothing.body, '<details open>', 'the form stays open with the message');
  t.match(nothing.body, 'value="changed plans"', 'what was typed is kept');
  const noReason = await admin.post(url, { form_token: token, reason: '', scope: 'chosen', tickets: [codes[0] ?? ''] });
  t.equal(noReason.statusCode, 400);
  t.match(noReason.body, 'Say why the order is refunded');
  t.match(noReason.body, `value="${codes[0] ?? ''}" checked`, 'the ticked box stays ticked');
  t.equal(ta.db.sqlite.prepare("select count(*) from tickets where status = 'void'").pluck().get(), 0, 'nothing refunded yet');

  const done = await admin.post(url, { form_token: token, reason: 'two cannot come', scope: 'chosen', tickets: [codes[0] ?? '', codes[1] ?? ''], donation: '1' });
  t.equal(done.statusCode, 303, done.body);
  t.equal(done.headers.location, '/admin/events/gala/attendees?done=partly-refunded');
  const list = await admin.follow(done);
  t.match(list.body, 'The chosen part of the order was refunded');
  t.match(list.body, 'partly refunded');
  t.notMatch(list.body, `name="tickets" value="${codes[0] ?? ''}"`, 'a refunded ticket has no box any more');
  t.match(list.body, `name="tickets" value="${codes[2] ?? ''}"`);
  t.notMatch(list.body, 'The donation (', 'nor the refunded donation');
  t.match(list.body, 'Refund everything left');
  const c = await campaign(ta);
  t.same([c.breakdown.tickets.amount, c.breakdown.gifts.amount], [2_000, 0]);
  const twice = await admin.post(url, { form_token: token, reason: 'two cannot come', scope: 'chosen', tickets: [codes[0] ?? '', codes[1] ?? ''], donation: '1' });
  t.equal(twice.statusCode, 303, 'a double tap refunds once');

  // A page opened before the refund still offers the refunded ticket: refused with the reason.
  const stale = await admin.post(url, { form_token: 'x'.repeat(24), reason: 'again', scope: 'chosen', tickets: [codes[1] ?? ''] });
  t.equal(stale.statusCode, 409);
  t.match(stale.body, 'already refunded or cancelled');
  const rest = await admin.post(url, { form_token: 'y'.repeat(24), reason: 'the last one too', scope: 'all' });
  t.equal(rest.statusCode, 303);
  t.equal(rest.headers.location, '/admin/events/gala/attendees?done=refunded');
  t.equal((await getOrderJson(ta, placed.id)).status, 'refunded');
  t.equal((await campaign(ta)).raised.amount, 0);
  t.equal(mailTo(ta, 'eun@example.org', 'Refunded: Gala').length, 2, 'one e-mail per refund');
  await verifyClean(t, ta);
});
