// The waiting list: joining a sold-out ticket type, freed seats offered in
// order with a time-limited claim link, claiming and paying, and an offer
// that lapses passing the seats on to the next in line.
import t from 'tap';
import { listMail } from '../../src/db/mail.ts';
import { expirePendingOrders } from '../../src/services/orders.ts';
import { verifyAll } from '../../src/services/verify.ts';
import { buildTestApp, createRescueFund, testCheckout, type TestApp } from '../helper.ts';
import { FormClient } from './form-client.ts';

t.setTimeout(120_000);

const usd = (amount: number) => ({ amount, currency: 'USD' });

function offerLink(ta: TestApp, email: string): string {
  const mail = listMail(ta.db, 50, 0).find((m) => m.toAddress === email && m.subject.startsWith('Seats for you'));
  return /http:\/\/lantern\.test(\/waitlist\/[\w-]+)/.exec(mail?.text ?? '')?.[1] ?? '';
}

t.test('freed seats go to the waiting list in order, with a claim link that expires', async (t) => {
  const ta = await buildTestApp(t);
  await createRescueFund(ta);
  await ta.app.inject({ method: 'POST', url: '/api/v1/events', headers: ta.auth('organizer'), payload: { slug: 'run', title: 'Charity run', kind: 'run', timezone: 'America/Vancouver', startsAt: '2026-12-12T09:00', endsAt: '2026-12-12T12:00', venue: { name: 'Stanley Park', address: 'Park Dr', city: 'Vancouver', country: 'CA' }, campaignSlug: 'rescue-fund', status: 'published' } });
  const type = ((await ta.app.inject({ method: 'POST', url: '/api/v1/events/run/ticket-types', headers: ta.auth('organizer'), payload: { name: 'Runner', price: usd(2_000), quantity: 2 } })).json() as { id: string }).id;
  const buy = (email: string) => ta.app.inject({ method: 'POST', url: '/api/v1/events/run/orders', payload: { items: [{ ticketTypeId: type, quantity: 2 }], buyer: { name: email.split('@')[0], email } } });
  const join = (email: string, quantity = 2) => ta.app.inject({ method: 'POST', url: '/api/v1/events/run/waitlist', payload: { ticketTypeId: type, quantity, name: email.split('@')[0], email } });

  t.equal((await join('early@example.org')).statusCode, 409, 'nobody waits while seats are left');
  const first = (await buy('ann@example.org')).json() as { id: string; checkoutUrl: string };
  t.equal((await buy('zed@example.org')).statusCode, 409, 'sold out');
  const b = await join('bo@example.org');
  t.equal(b.statusCode, 201);
  t.equal((b.json() as { position: number }).position, 1);
  t.equal(((await join('cy@example.org')).json() as { position: number }).position, 2);
  t.equal((await join('bo@example.org')).statusCode, 409, 'once per person');
  t.match(listMail(ta.db, 50, 0).find((m) => m.toAddress === 'cy@example.org')?.text, 'number 2 in line');

  // Ann never pays: her hold ends and the seats go to Bo, not yet to Cy.
  ta.clock.now += 15 * 60_000;
  await expirePendingOrders(ta.services);
  const boLink = offerLink(ta, 'bo@example.org');
  t.ok(boLink, 'Bo is offered the seats by e-mail');
  t.equal(offerLink(ta, 'cy@example.org'), '', 'Cy still waits');
  t.equal((await buy('zed@example.org')).statusCode, 409, 'the offered seats are held for Bo');
  t.equal((await testCheckout(ta, new URL(first.checkoutUrl).pathname)).statusCode, 303);
  t.equal(((await ta.app.inject({ url: `/api/v1/orders/${first.id}`, headers: ta.auth('admin') })).json() as { status: string }).status, 'expired', 'Ann’s late payment does not take them back');

  const bo = new FormClient(ta.app);
  const page = await bo.get(boLink);
  t.equal(page.statusCode, 200);
  t.match(page.body, 'Held for you until');
  const claim = await bo.post(boLink);
  t.match(claim.headers.location, /^\/test-checkout\//, 'claiming leads to the payment');
  const paid = await testCheckout(ta, String(claim.headers.location));
  const orderPath = String(paid.headers.location);
  const order = (await ta.app.inject({ url: `/api/v1${orderPath}`, headers: ta.auth('admin') })).json() as { id: string; status: string; tickets: unknown[] };
  t.equal(order.status, 'paid');
  t.equal(order.tickets.length, 2);
  t.match((await bo.get(boLink)).body, 'This offer has ended', 'the link works once');

  // Bo's order is refunded: the seats go to Cy, who lets the offer lapse.
  await ta.app.inject({ method: 'POST', url: `/api/v1/orders/${order.id}/refunds`, headers: ta.auth('admin'), payload: {} });
  const cyLink = offerLink(ta, 'cy@example.org');
  t.ok(cyLink, 'Cy is offered the seats');
  ta.clock.now += 24 * 3_600_000;
  await expirePendingOrders(ta.services);
  const lapsed = await new FormClient(ta.app).get(cyLink);
  t.match(lapsed.body, 'This offer has ended');
  t.equal((await buy('zed@example.org')).statusCode, 201, 'with nobody left waiting, anyone may buy');
  t.same((await verifyAll(ta.services)).differences, []);
});

t.test('joining from the event page form', async (t) => {
  const ta = await buildTestApp(t);
  await createRescueFund(ta);
  await ta.app.inject({ method: 'POST', url: '/api/v1/events', headers: ta.auth('organizer'), payload: { slug: 'tiny', title: 'Tiny seminar', kind: 'seminar', timezone: 'America/Regina', startsAt: '2026-12-12T19:00', endsAt: '2026-12-12T21:00', onlineUrl: 'https://video.example.org/tiny', campaignSlug: 'rescue-fund', status: 'published' } });
  const type = ((await ta.app.inject({ method: 'POST', url: '/api/v1/events/tiny/ticket-types', headers: ta.auth('organizer'), payload: { name: 'Seat', price: usd(0), quantity: 1 } })).json() as { id: string }).id;
  await ta.app.inject({ method: 'POST', url: '/api/v1/events/tiny/orders', payload: { items: [{ ticketTypeId: type, quantity: 1 }], buyer: { name: 'A', email: 'a@example.org' } } });
  const b = new FormClient(ta.app);
  const page = await b.get('/events/tiny');
  t.match(page.body, 'Join the waiting list', 'a sold-out event offers its waiting list');
  t.match(page.body, `<option value="${type}"`);
  const bad = await b.post('/events/tiny/waitlist', { ticket_type: type, quantity: '1', name: '', email: 'x' });
  t.equal(bad.statusCode, 400);
  t.match(bad.body, 'Enter your name');
  const ok = await b.post('/events/tiny/waitlist', { ticket_type: type, quantity: '1', name: 'Dana', email: 'dana@example.org' });
  t.equal(ok.statusCode, 200);
  t.match(ok.body, 'You are on the waiting list (number 1 in line)');
  t.equal((await b.post('/events/nope/waitlist', {})).statusCode, 404);
});
