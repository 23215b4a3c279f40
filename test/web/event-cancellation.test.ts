// Cancelling an event: holds released, paid orders refunded and holders told;
// or, with a gift offer, holders choose until a deadline and the rest are
// refunded after it. The ledger ends where it should either way.
import t, { type Test } from 'tap';
import { listMail } from '../../src/db/mail.ts';
import { settleCancellationOffers } from '../../src/services/event-cancellation.ts';
import { verifyAll } from '../../src/services/verify.ts';
import { buildTestApp, createRescueFund, testCheckout, type TestApp } from '../helper.ts';
import { FormClient } from './form-client.ts';

// QR images are encoded for every ticket issued, and many requests race: slow on a busy machine.
t.setTimeout(120_000);

const usd = (amount: number) => ({ amount, currency: 'USD' });

async function setup(t: Test) {
  const ta = await buildTestApp(t);
  await createRescueFund(ta);
  await ta.app.inject({ method: 'POST', url: '/api/v1/campaigns/rescue-fund/match-pledges', headers: ta.auth('admin'), payload: { sponsor: { name: 'Harbour Light' }, anonymous: true, ratio: '1:1', capUnits: 50 } });
  const ev = await ta.app.inject({
    method: 'POST',
    url: '/api/v1/events',
    headers: ta.auth('organizer'),
    payload: { slug: 'screening', title: 'Screening with Q&A', kind: 'screening', timezone: 'Asia/Seoul', startsAt: '2026-12-05T19:00', endsAt: '2026-12-05T22:00', venue: { name: 'Cinema', address: '1 Road', city: 'Seoul', country: 'KR' }, campaignSlug: 'rescue-fund', status: 'published' },
  });
  t.equal(ev.statusCode, 201, ev.body);
  const type = async (payload: Record<string, unknown>) => ((await ta.app.inject({ method: 'POST', url: '/api/v1/events/screening/ticket-types', headers: ta.auth('organizer'), payload })).json() as { id: string }).id;
  const paid = await type({ name: 'Seat', price: usd(1_500), quantity: 20 });
  const free = await type({ name: 'Press', price: usd(0), quantity: 5 });
  const buy = async (email: string, ticketTypeId: string, pay = true) => {
    const res = (await ta.app.inject({ method: 'POST', url: '/api/v1/events/screening/orders', payload: { items: [{ ticketTypeId, quantity: 2 }], buyer: { name: email.split('@')[0], email } } })).json() as { id: string; checkoutUrl?: string };
    if (pay && res.checkoutUrl) await testCheckout(ta, new URL(res.checkoutUrl).pathname);
    return res.id;
  };
  return { ta, paid, free, buy };
}

async function campaign(ta: TestApp) {
  const c = (await ta.app.inject('/api/v1/campaigns/rescue-fund')).json() as { raised: { amount: number }; matched: { amount: number }; breakdown: { gifts: { amount: number }; tickets: { amount: number } } };
  return { tickets: c.breakdown.tickets.amount, gifts: c.breakdown.gifts.amount, matched: c.matched.amount, raised: c.raised.amount };
}

const orderStatus = async (ta: TestApp, id: string) => ((await ta.app.inject({ url: `/api/v1/orders/${id}`, headers: ta.auth('admin') })).json() as { status: string; tickets: { status: string }[] });

t.test('cancelling refunds every paid order at once and tells every holder', async (t) => {
  const { ta, paid, free, buy } = await setup(t);
  const a = await buy('ana@example.org', paid);
  const b = await buy('ben@example.org', free);
  const pending = await buy('pia@example.org', paid, false);
  t.same(await campaign(ta), { tickets: 3_000, gifts: 0, matched: 0, raised: 3_000 });

  const bad = await ta.app.inject({ method: 'POST', url: '/api/v1/events/screening/cancellation', headers: ta.auth('organizer'), payload: { offerGiftUntil: '2026-10-01T00:00:00Z' } });
  t.equal(bad.statusCode, 400, 'a deadline in the past is refused');
  t.equal((await ta.app.inject({ method: 'POST', url: '/api/v1/events/screening/cancellation', headers: ta.auth('sponsor'), payload: {} })).statusCode, 403);

  const res = await ta.app.inject({ method: 'POST', url: '/api/v1/events/screening/cancellation', headers: ta.auth('organizer'), payload: { reason: 'The director is ill.' } });
  t.equal(res.statusCode, 200, res.body);
  t.same(res.json(), { status: 'cancelled', refunded: 2, offered: 0, released: 1 });
  t.equal((await orderStatus(ta, a)).status, 'refunded');
  t.ok((await orderStatus(ta, a)).tickets.every((tk) => tk.status === 'void'));
  t.equal((await orderStatus(ta, b)).status, 'refunded', 'free tickets are void too');
  t.equal((await orderStatus(ta, pending)).status, 'cancelled', 'a pending hold is released');
  t.same(await campaign(ta), { tickets: 0, gifts: 0, matched: 0, raised: 0 });
  const mails = listMail(ta.db, 20, 0).filter((m) => m.kind === 'event_cancelled');
  t.same(mails.map((m) => m.toAddress).sort(), ['ana@example.org', 'ben@example.org']);
  t.match(mails[0]?.text, 'The director is ill.');
  const ics = await ta.app.inject('/events/screening.ics');
  t.match(ics.body, 'STATUS:CANCELLED', 'calendars learn of it');
  t.equal((await ta.app.inject({ method: 'POST', url: '/api/v1/events/screening/cancellation', headers: ta.auth('admin'), payload: {} })).statusCode, 409, 'once');
  t.same((await verifyAll(ta.services)).differences, []);
});

t.test('with a gift offer, holders choose; the rest are refunded after the deadline', async (t) => {
  const { ta, paid, buy } = await setup(t);
  const giver = await buy('gia@example.org', paid);
  const taker = await buy('tom@example.org', paid);
  const silent = await buy('sam@example.org', paid);
  const until = new Date(ta.clock.now + 7 * 24 * 3600_000).toISOString();
  const res = await ta.app.inject({ method: 'POST', url: '/api/v1/events/screening/cancellation', headers: ta.auth('organizer'), payload: { offerGiftUntil: until } });
  t.same(res.json(), { status: 'cancelled', refunded: 0, offered: 3, released: 0 });
  const offer = listMail(ta.db, 20, 0).find((m) => m.toAddress === 'gia@example.org' && m.kind === 'event_cancelled');
  t.match(offer?.text, `http://lantern.test/orders/${giver}`);
  t.match(offer?.text, 'unless you choose the gift by');
  t.same(await campaign(ta), { tickets: 9_000, gifts: 0, matched: 0, raised: 9_000 }, 'nothing moves until someone chooses');

  const browser = new FormClient(ta.app);
  await browser.get('/login');
  const give = await browser.post(`/orders/${giver}/give`, { show_name: 'on' });
  t.equal(give.headers.location, `/orders/${giver}?choice=gift`);
  t.same(await campaign(ta), { tickets: 6_000, gifts: 3_000, matched: 3_000, raised: 9_000 }, 'the ticket price became a matched gift');
  t.match((await ta.app.inject('/campaigns/rescue-fund')).body, 'gia', 'shown with the name, as chosen');
  t.equal((await browser.post(`/orders/${giver}/give`)).headers.location, `/orders/${giver}?choice=late`, 'once');

  t.equal((await browser.post(`/orders/${taker}/refund`)).headers.location, `/orders/${taker}?choice=refund`);
  t.equal((await orderStatus(ta, taker)).status, 'refunded');
  t.same(await campaign(ta), { tickets: 3_000, gifts: 3_000, matched: 3_000, raised: 6_000 });

  t.equal(await settleCancellationOffers(ta.services), 0, 'nothing happens before the deadline');
  ta.clock.now += 7 * 24 * 3600_000;
  t.equal(await settleCancellationOffers(ta.services), 1, 'the silent holder is refunded after it');
  t.equal((await orderStatus(ta, silent)).status, 'refunded');
  t.same(await campaign(ta), { tickets: 0, gifts: 3_000, matched: 3_000, raised: 3_000 });
  t.equal((await browser.post(`/orders/${silent}/give`)).headers.location, `/orders/${silent}?choice=late`, 'too late to give');
  t.same((await verifyAll(ta.services)).differences, []);
});
