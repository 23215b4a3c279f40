// Ticket orders through the JSON API: holds, payment through the test
// checkout, free RSVPs, sold out and closed sales, expiry, donations, door
// sales, refunds, check-in, and hundreds of buyers racing for the last seats.
import t, { type Test } from 'tap';
import { listMail } from '../../src/db/mail.ts';
import { verifyAll } from '../../src/services/verify.ts';
import { buildTestApp, createRescueFund, testCheckout, type TestApp } from '../helper.ts';
import { createSeoulEvent } from './api-helpers.ts';

// QR images are encoded for every ticket issued, and many requests race: slow on a busy machine.
t.setTimeout(120_000);

const usd = (amount: number) => ({ amount, currency: 'USD' });

interface Placed {
  id: string;
  status: string;
  total: { amount: number };
  expiresAt: string | null;
  checkoutUrl?: string;
  tickets?: { code: string }[];
}

async function setup(t: Test, opts: { capacity?: number; general?: number } = {}) {
  const ta = await buildTestApp(t);
  await createRescueFund(ta);
  await createSeoulEvent(t, ta, { venue: { name: 'The Pub', address: '12 Itaewon-ro', city: 'Seoul', country: 'KR' }, currency: 'USD', ...(opts.capacity && { capacity: opts.capacity }) });
  const type = async (payload: Record<string, unknown>) => {
    const res = await ta.app.inject({ method: 'POST', url: '/api/v1/events/game-night/ticket-types', headers: ta.auth('organizer'), payload });
    t.equal(res.statusCode, 201, res.body);
    return (res.json() as { id: string }).id;
  };
  const general = await type({ name: 'General', price: usd(1_000), quantity: opts.general ?? 5, maxPerOrder: 10 });
  const rsvp = await type({ name: 'Free RSVP', price: usd(0), quantity: 3 });
  return { ta, general, rsvp };
}

function order(ta: TestApp, items: { ticketTypeId: string; quantity: number }[], extra: Record<string, unknown> = {}) {
  return ta.app.inject({
    method: 'POST',
    url: '/api/v1/events/game-night/orders',
    payload: { items, buyer: { name: 'Mina Park', email: 'mina@example.org' }, ...extra },
  });
}

async function seats(ta: TestApp) {
  const ev = (await ta.app.inject('/api/v1/events/game-night')).json() as { ticketTypes: { name: string; sold: number; held: number; available: number }[] };
  return Object.fromEntries(ev.ticketTypes.map((tt) => [tt.name, { sold: tt.sold, held: tt.held, available: tt.available }]));
}

async function breakdown(ta: TestApp) {
  return ((await ta.app.inject('/api/v1/campaigns/rescue-fund')).json() as { raised: { amount: number }; breakdown: { gifts: { amount: number }; tickets: { amount: number } }; matched: { amount: number } });
}

t.test('an order holds its seats, is paid at the test checkout, and issues one ticket per seat', async (t) => {
  const { ta, general } = await setup(t);
  const res = await order(ta, [{ ticketTypeId: general, quantity: 2 }]);
  t.equal(res.statusCode, 201, res.body);
  const placed = res.json() as Placed;
  t.equal(placed.status, 'pending');
  t.equal(placed.total.amount, 2_000);
  t.ok(placed.checkoutUrl?.startsWith('http://lantern.test/test-checkout/'));
  t.equal(Date.parse(placed.expiresAt ?? '') - ta.clock.now, 15 * 60_000, 'held for 15 minutes');
  t.same((await seats(ta)).General, { sold: 0, held: 2, available: 3 });

  const paid = await testCheckout(ta, new URL(placed.checkoutUrl ?? '').pathname);
  t.equal(paid.headers.location, `/orders/${placed.id}`, 'the buyer returns to the order');
  t.same((await seats(ta)).General, { sold: 2, held: 0, available: 3 });

  const view = await ta.app.inject({ url: `/api/v1/orders/${placed.id}`, headers: ta.auth('organizer') });
  t.equal(view.statusCode, 200);
  const o = view.json() as { status: string; tickets: { code: string; status: string }[] };
  t.equal(o.status, 'paid');
  t.equal(o.tickets.length, 2);
  for (const tk of o.tickets) t.match(tk.code, /^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/, 'an unguessable, typeable code');
  t.not(o.tickets[0]?.code, o.tickets[1]?.code);

  const b = await breakdown(ta);
  t.equal(b.breakdown.tickets.amount, 2_000, 'ticket revenue counts apart from gifts');
  t.equal(b.breakdown.gifts.amount, 0);
  t.equal(b.raised.amount, 2_000, 'raised is their sum');
  t.equal(b.matched.amount, 0, 'tickets are not matched');

  const mail = listMail(ta.db, 10, 0).find((m) => m.kind === 'order');
  t.ok(mail, 'a confirmation is queued');
  t.equal(mail?.toAddress, 'mina@example.org');
  for (const tk of o.tickets) t.match(mail?.text, tk.code, 'with every ticket code');
  const attachments = JSON.parse(mail?.attachments ?? '[]') as { contentType: string; cid?: string; content: string }[];
  t.equal(attachments.filter((a) => a.contentType === 'image/png' && a.cid).length, 2, 'and a QR code image per ticket');
  t.equal(Buffer.from(attachments[0]?.content ?? '', 'base64').subarray(1, 4).toString(), 'PNG');
  t.same((await verifyAll(ta.services)).differences, []);
  const guestAudits = ta.db.sqlite.prepare("select count(*) from audit_log where actor_label = 'mina@example.org' or after like '%mina@example.org%'").pluck().get();
  t.equal(guestAudits, 0, "the guest's order is its own record: the append-only audit log keeps no buyer's e-mail");
});

t.test('a free RSVP is paid at once; limits, sold out and closed sales are refused', async (t) => {
  const { ta, general, rsvp } = await setup(t);
  const free = await order(ta, [{ ticketTypeId: rsvp, quantity: 2 }]);
  t.equal(free.statusCode, 201);
  const f = free.json() as Placed;
  t.equal(f.status, 'paid');
  t.notOk(f.checkoutUrl, 'nothing to pay');
  t.equal(f.tickets?.length, 2);

  const soldOut = await order(ta, [{ ticketTypeId: rsvp, quantity: 2 }]);
  t.equal(soldOut.statusCode, 409);
  t.match(soldOut.json(), { status: 409, detail: 'Only 1 “Free RSVP” seat left.' });
  t.equal((await order(ta, [{ ticketTypeId: rsvp, quantity: 1 }])).statusCode, 201, 'the last seat still sells');
  t.match((await order(ta, [{ ticketTypeId: rsvp, quantity: 1 }])).json(), { status: 409, detail: '“Free RSVP” is sold out.' });

  const tooMany = await order(ta, [{ ticketTypeId: general, quantity: 11 }]);
  t.equal(tooMany.statusCode, 400);
  t.match(tooMany.body, 'at most 10 per order');
  t.equal((await order(ta, [{ ticketTypeId: 'tt_nope', quantity: 1 }])).statusCode, 400);
  t.equal((await order(ta, [{ ticketTypeId: general, quantity: 0 }])).statusCode, 400, 'an order of nothing');
  t.equal((await order(ta, [{ ticketTypeId: general, quantity: 1 }], { buyer: { name: '', email: 'x' } })).statusCode, 400);

  const closed = await ta.app.inject({ method: 'POST', url: '/api/v1/events/game-night/ticket-types', headers: ta.auth('organizer'), payload: { name: 'Early bird', price: usd(500), quantity: 10, salesEnd: '2026-10-01T00:00' } });
  const early = (closed.json() as { id: string }).id;
  const late = await order(ta, [{ ticketTypeId: early, quantity: 1 }]);
  t.equal(late.statusCode, 422, 'a closed sales window is 422');
  t.match(late.json(), { detail: 'Sales of “Early bird” have ended.' });
  t.equal((await ta.app.inject({ method: 'POST', url: '/api/v1/events/nope/orders', payload: { items: [{ ticketTypeId: general, quantity: 1 }], buyer: { name: 'A', email: 'a@example.org' } } })).statusCode, 404);
});

t.test('a hold that runs out frees its seats; paying it then counts nothing', async (t) => {
  const { ta, general } = await setup(t, { general: 2 });
  const first = (await order(ta, [{ ticketTypeId: general, quantity: 2 }])).json() as Placed;
  t.equal((await order(ta, [{ ticketTypeId: general, quantity: 1 }])).statusCode, 409, 'held seats are taken');
  ta.clock.now += 15 * 60_000;
  t.same((await seats(ta)).General, { sold: 0, held: 0, available: 2 }, 'the hold ended');
  const second = (await order(ta, [{ ticketTypeId: general, quantity: 2 }])).json() as Placed;
  t.equal(second.status, 'pending', 'someone else can have them');
  const late = await testCheckout(ta, new URL(first.checkoutUrl ?? '').pathname);
  t.equal(late.statusCode, 303);
  const o = (await ta.app.inject({ url: `/api/v1/orders/${first.id}`, headers: ta.auth('admin') })).json() as { status: string; tickets: unknown[] };
  t.equal(o.status, 'expired');
  t.equal(o.tickets.length, 0);
  t.equal((await breakdown(ta)).breakdown.tickets.amount, 0);
});

t.test('once nothing is left, orders are turned away before they are read', async (t) => {
  const { ta, general, rsvp } = await setup(t, { general: 2 });
  const keyed = await ta.app.inject({
    method: 'POST',
    url: '/api/v1/events/game-night/orders',
    headers: { 'idempotency-key': 'order-general-0001' },
    payload: { items: [{ ticketTypeId: general, quantity: 2 }], buyer: { name: 'Mina Park', email: 'mina@example.org' } },
  });
  t.equal(keyed.statusCode, 201, keyed.body);
  t.equal((await order(ta, [{ ticketTypeId: rsvp, quantity: 2 }])).statusCode, 201, 'one type still had seats: not sold out yet');
  t.equal((await order(ta, [{ ticketTypeId: rsvp, quantity: 1 }])).statusCode, 201, 'the last seat of the last type');

  const junk = await ta.app.inject({ method: 'POST', url: '/api/v1/events/game-night/orders', payload: { not: 'an order' } });
  t.equal(junk.statusCode, 409, 'every seat of every type is taken: even an order that would be invalid is simply sold out');
  t.match(junk.headers['content-type'], /^application\/problem\+json/);
  t.match(junk.json(), { type: 'urn:lantern:problem:sold_out', status: 409, detail: 'This event is sold out.', errors: [{ field: 'items', message: '0 left' }] });
  t.match((await order(ta, [{ ticketTypeId: general, quantity: 1 }])).json(), { status: 409, detail: 'This event is sold out.' });
  // The same refusal is given again and again (its JSON is kept): each answer names its own request.
  const queried = await ta.app.inject({ method: 'POST', url: '/api/v1/events/game-night/orders?from=newsletter', payload: { not: 'an order' } });
  t.match(queried.json(), { status: 409, detail: 'This event is sold out.', instance: '/api/v1/events/game-night/orders?from=newsletter' });
  t.match(junk.json(), { instance: '/api/v1/events/game-night/orders' });
  const plain = await ta.app.inject({ method: 'POST', url: '/api/v1/events/game-night/orders', payload: { not: 'an order' } });
  t.same(plain.json(), junk.json(), 'the kept answer is the one first given');

  const replay = await ta.app.inject({
    method: 'POST',
    url: '/api/v1/events/game-night/orders',
    headers: { 'idempotency-key': 'order-general-0001' },
    payload: { items: [{ ticketTypeId: general, quantity: 2 }], buyer: { name: 'Mina Park', email: 'mina@example.org' } },
  });
  t.equal(replay.statusCode, 201, 'a retry with its key still gets the answer it was given');
  t.equal(replay.headers['idempotent-replayed'], 'true');
  t.equal((replay.json() as Placed).id, (keyed.json() as Placed).id);
  const keyedNew = await ta.app.inject({
    method: 'POST',
    url: '/api/v1/events/game-night/orders',
    headers: { 'idempotency-key': 'order-general-0002' },
    payload: { items: [{ ticketTypeId: general, quantity: 1 }], buyer: { name: 'Joon', email: 'joon@example.org' } },
  });
  t.match(keyedNew.json(), { status: 409, detail: '“General” is sold out.' }, 'a new keyed order goes the whole way and is refused there');

  ta.clock.now += 15 * 60_000;
  const again = await order(ta, [{ ticketTypeId: general, quantity: 1 }]);
  t.equal(again.statusCode, 201, 'the General hold ran out: its seats sell again at once');
  t.equal((await ta.app.inject({ method: 'POST', url: '/api/v1/events/game-night/orders', payload: { not: 'an order' } })).statusCode, 400, 'with a seat left, a bad order is told what is wrong');
});

t.test('as many buyers as seats, some retrying with keys and behind the rate limit: every one gets a seat', async (t) => {
  const ta = await buildTestApp(t, { env: { RATE_LIMITS: 'on', RATE_LIMIT_MONEY: '100000', RATE_LIMIT_MONEY_EMAIL: '100000' } });
  await createRescueFund(ta);
  await createSeoulEvent(t, ta, { currency: 'USD' });
  const created = await ta.app.inject({ method: 'POST', url: '/api/v1/events/game-night/ticket-types', headers: ta.auth('organizer'), payload: { name: 'General', price: usd(1_000), quantity: 40, maxPerOrder: 10 } });
  const general = (created.json() as { id: string }).id;
  const answers = await Promise.all(
    Array.from({ length: 40 }, (_, i) =>
      ta.app.inject({
        method: 'POST',
        url: '/api/v1/events/game-night/orders',
        headers: i % 2 === 0 ? { 'idempotency-key': `rush-key-${i}-abcdefgh` } : {},
        payload: { items: [{ ticketTypeId: general, quantity: 1 }], buyer: { name: `Buyer ${i}`, email: `buyer${i}@example.org` } },
      }),
    ),
  );
  t.same([...new Set(answers.map((r) => r.statusCode))], [201], 'no buyer is told "sold out" while a seat is free');
  t.same((await seats(ta)).General, { sold: 0, held: 40, available: 0 });
});

t.test('a sold-out answer still counts against the address’s rate limit', async (t) => {
  const ta = await buildTestApp(t, { env: { RATE_LIMITS: 'on', RATE_LIMIT_MONEY: '3', RATE_LIMIT_MONEY_EMAIL: '100000' } });
  await createRescueFund(ta);
  await createSeoulEvent(t, ta, { currency: 'USD' });
  const created = await ta.app.inject({ method: 'POST', url: '/api/v1/events/game-night/ticket-types', headers: ta.auth('organizer'), payload: { name: 'General', price: usd(1_000), quantity: 1 } });
  const general = (created.json() as { id: string }).id;
  const codes: number[] = [];
  for (let i = 0; i < 5; i++) codes.push((await order(ta, [{ ticketTypeId: general, quantity: 1 }])).statusCode);
  t.same(codes, [201, 409, 409, 429, 429], 'the seat, two refusals, then the limit');
  ta.clock.now += 16 * 60_000;
  t.equal((await order(ta, [{ ticketTypeId: general, quantity: 1 }])).statusCode, 429, 'a script polling a sold-out event cannot take a freed seat ahead of the limit');
});

t.test('a donation with the order becomes a matched gift; a refund reverses it all', async (t) => {
  const { ta, general } = await setup(t);
  await ta.app.inject({ method: 'POST', url: '/api/v1/campaigns/rescue-fund/match-pledges', headers: ta.auth('admin'), payload: { sponsor: { name: 'Harbour Light' }, anonymous: true, ratio: '1:1', capUnits: 50 } });
  const placed = (await order(ta, [{ ticketTypeId: general, quantity: 1 }], { donation: usd(2_500) })).json() as Placed;
  t.equal(placed.total.amount, 3_500);
  await testCheckout(ta, new URL(placed.checkoutUrl ?? '').pathname);
  let b = await breakdown(ta);
  t.same([b.breakdown.tickets.amount, b.breakdown.gifts.amount, b.matched.amount, b.raised.amount], [1_000, 2_500, 2_500, 3_500]);
  const page = await ta.app.inject('/campaigns/rescue-fund');
  t.notMatch(page.body, 'Mina Park', 'the donation is anonymous unless the buyer says otherwise');

  const refund = await ta.app.inject({ method: 'POST', url: `/api/v1/orders/${placed.id}/refunds`, headers: ta.auth('admin'), payload: { reason: 'cannot come' } });
  t.equal(refund.statusCode, 201, refund.body);
  t.ok((refund.json() as { tickets: { status: string }[] }).tickets.every((tk) => tk.status === 'void'));
  b = await breakdown(ta);
  t.same([b.breakdown.tickets.amount, b.breakdown.gifts.amount, b.matched.amount], [0, 0, 0]);
  t.equal((await ta.app.inject({ method: 'POST', url: `/api/v1/orders/${placed.id}/refunds`, headers: ta.auth('admin'), payload: {} })).statusCode, 409, 'once');
  t.equal((await ta.app.inject({ method: 'POST', url: `/api/v1/orders/${placed.id}/refunds`, headers: ta.auth('organizer'), payload: {} })).statusCode, 403, 'admins refund');
  t.same((await seats(ta)).General, { sold: 0, held: 0, available: 5 }, 'the seat is free again');
  t.same((await verifyAll(ta.services)).differences, []);
});

t.test('door sales and check-in at the door', async (t) => {
  const { ta, general } = await setup(t);
  const door = await ta.app.inject({ method: 'POST', url: '/api/v1/events/game-night/door-sales', headers: ta.auth('organizer'), payload: { items: [{ ticketTypeId: general, quantity: 2 }] } });
  t.equal(door.statusCode, 201, door.body);
  const sale = door.json() as { status: string; source: string; tickets: { code: string }[] };
  t.same([sale.status, sale.source, sale.tickets.length], ['paid', 'door', 2]);
  t.equal((await breakdown(ta)).breakdown.tickets.amount, 2_000, 'cash at the door counts');

  const code = sale.tickets[0]?.code ?? '';
  const checkIn = (c: string, headers = ta.auth('organizer')) => ta.app.inject({ method: 'POST', url: '/api/v1/events/game-night/check-ins', headers, payload: { code: c } });
  const first = await checkIn(code.toLowerCase().replace(/-/g, ' '));
  t.equal(first.statusCode, 200, 'typed in lower case with spaces, it still reads');
  t.match(first.json(), { ticket: { code, checkedInBy: 'organizer@example.test' } });
  ta.clock.now += 60_000;
  const again = await checkIn(code, ta.auth('admin'));
  t.equal(again.statusCode, 409);
  t.match(again.json(), { checkedInAt: new Date(ta.clock.now - 60_000).toISOString(), checkedInBy: 'organizer@example.test', detail: /Already checked in/ });
  t.equal((await checkIn('ZZZZ-ZZZZ-ZZZZ-ZZZZ')).statusCode, 404);
  t.equal((await checkIn(code, ta.auth('sponsor'))).statusCode, 403);

  await ta.app.inject({ method: 'POST', url: '/api/v1/events', headers: ta.auth('admin'), payload: { slug: 'screening', title: 'Screening', kind: 'screening', timezone: 'Asia/Seoul', startsAt: '2026-12-06T19:00', endsAt: '2026-12-06T21:00', onlineUrl: 'https://video.example.org/screening', campaignSlug: 'rescue-fund', status: 'published' } });
  const other = await ta.app.inject({ method: 'POST', url: '/api/v1/events/screening/check-ins', headers: ta.auth('admin'), payload: { code: sale.tickets[1]?.code } });
  t.equal(other.statusCode, 422);
  t.match(other.json(), { detail: 'This ticket is for another event: Two Truths and a Lie.' });
  t.same((await verifyAll(ta.services)).differences, []);
});

t.test('hundreds of buyers at once never get more seats than there are', async (t) => {
  const { ta, general } = await setup(t, { general: 40, capacity: 30 });
  // Most seats go first; then 300 buyers race for the last ten, over real HTTP connections.
  for (let i = 0; i < 10; i++) t.equal((await order(ta, [{ ticketTypeId: general, quantity: 2 }])).statusCode, 201);
  const address = await ta.app.listen({ port: 0, host: '127.0.0.1' });
  const racers = await Promise.all(
    Array.from({ length: 300 }, async (_, i) => {
      const res = await fetch(`${address}/api/v1/events/game-night/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ items: [{ ticketTypeId: general, quantity: 1 + (i % 2) }], buyer: { name: `Buyer ${i}`, email: `buyer${i}@example.org` } }),
      });
      return { status: res.status, body: (await res.json()) as { total?: { amount: number } } };
    }),
  );
  const won = racers.filter((r) => r.status === 201);
  const refused = racers.filter((r) => r.status === 409);
  t.equal(won.length + refused.length, 300, 'every buyer gets an answer: a hold or sold out');
  const seatsWon = won.reduce((n, r) => n + (r.body.total?.amount ?? 0) / 1_000, 0);
  t.equal(seatsWon, 10, 'exactly the last ten seats were held, never more (the event capacity is 30)');
  t.same((await seats(ta)).General, { sold: 0, held: 30, available: 0 });
});
