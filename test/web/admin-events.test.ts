// Events in the console as a volunteer runs them, without the API: create an
// event with its tickets (bad input shown again), publish it, sell at the
// door (a double tap sells once), check people in at the door by typed code,
// the attendee list and its CSV (no e-mails for organizers, formulas
// defused), an admin's refund, and cancelling; an organizer of another
// campaign is turned away. Also the camera scanner's files served by Lantern.
import { readFileSync } from 'node:fs';
import vm from 'node:vm';
import t from 'tap';
import { eventView, getEvent } from '../../src/services/events.ts';
import { createUser } from '../../src/services/users.ts';
import { qrScannerUrls, workerSource } from '../../src/web/admin/vendor-assets.ts';
import { buildTestApp, createRescueFund, testActor, testPassword, type TestApp } from '../helper.ts';
import { FormClient } from './form-client.ts';

t.setTimeout(180_000);

const formToken = (html: string) => /name="form_token" value="([^"]+)"/.exec(html)?.[1] ?? '';

async function ticketRevenue(ta: TestApp): Promise<number> {
  const c = (await ta.app.inject('/api/v1/campaigns/rescue-fund')).json() as { breakdown: { tickets: { amount: number } } };
  return c.breakdown.tickets.amount;
}

const gameNight = {
  slug: 'seoul-game-night',
  title: 'Two Truths and a Lie',
  kind: 'social',
  campaign: 'rescue-fund',
  timezone: 'Asia/Seoul',
  start_date: '2026-11-20',
  start_time: '19:00',
  end_date: '',
  end_time: '01:00',
  venue_name: 'The Lantern Pub',
  venue_address: '12 Itaewon-ro',
  venue_city: 'Seoul',
  venue_country: 'KR',
  capacity: '60',
  currency: 'KRW',
  host_name_0: 'Seoul Runners',
  host_url_0: 'https://runners.example.org',
  speaker_name_0: 'Jae Min',
  speaker_bio_0: 'Host of the night.',
  description: 'A **propaganda** game night.',
};

t.test('a volunteer runs an event from the console', async (t) => {
  const ta = await buildTestApp(t, { passwords: true });
  await createRescueFund(ta);
  // Ticket prices in KRW count toward the USD campaign at an admin's rate.
  const rate = await ta.app.inject({ method: 'POST', url: '/api/v1/exchange-rates', headers: ta.auth('admin'), payload: { base: 'KRW', quote: 'USD', rate: '0.001', effectiveAt: '2026-01-01T00:00:00Z' } });
  t.equal(rate.statusCode, 201, rate.body);
  const org = new FormClient(ta.app, { 'user-agent': 'Phone' });
  await org.login('organizer@example.test', testPassword);

  const list = await org.get('/admin/events');
  t.equal(list.statusCode, 200);
  t.match(list.body, 'href="/admin/events"', 'the console nav links to events');
  const blank = await org.get('/admin/events/new');
  t.equal(blank.statusCode, 200);
  t.match(blank.body, '<option value="rescue-fund" selected>', 'the campaign the volunteer runs is offered');
  t.equal((blank.body.match(/name="host_name_\d+"/g) ?? []).length, 3, 'three blank co-host rows');
  t.equal((blank.body.match(/name="speaker_name_\d+"/g) ?? []).length, 3, 'three blank speaker rows');

  // Bad input comes back with every message and what was typed.
  const bad = await org.post('/admin/events/new', { ...gameNight, slug: 'Bad Slug', title: '', timezone: '', start_time: '25:00', capacity: 'lots', host_name_0: '', venue_name: 'Kept Pub' });
  t.equal(bad.statusCode, 400);
  t.match(bad.body, 'Use lower-case letters, digits and single hyphens');
  t.match(bad.body, 'Give the event a title');
  t.match(bad.body, 'Choose the time zone where the event happens');
  t.match(bad.body, 'Enter a time as HH:MM');
  t.match(bad.body, 'Enter the number of places');
  t.match(bad.body, 'Give the organisation’s name, or clear its link');
  t.match(bad.body, 'value="Kept Pub"', 'the input is kept');
  // The service's own refusals land on their fields too: a zone nobody knows, a venue half given.
  const refused = await org.post('/admin/events/new', { ...gameNight, timezone: 'other', timezone_other: 'Mars/Olympus', venue_city: '' });
  t.equal(refused.statusCode, 400);
  t.match(refused.body, 'Unknown time zone');
  const halfVenue = await org.post('/admin/events/new', { ...gameNight, venue_city: '' });
  t.equal(halfVenue.statusCode, 400);
  t.match(halfVenue.body, /id="f-venue_city-error" class="error">Required/);

  const preview = await org.post('/admin/events/new', { ...gameNight, action: 'preview' });
  t.equal(preview.statusCode, 200);
  t.match(preview.body, '<strong>propaganda</strong>');
  const created = await org.post('/admin/events/new', gameNight);
  t.equal(created.statusCode, 303, created.body.slice(0, 500));
  t.equal(created.headers.location, '/admin/events/seoul-game-night?done=created');
  const draft = await org.follow(created);
  t.match(draft.body, 'The event was created as a draft');

  const event = getEvent(ta.services, 'seoul-game-night');
  t.equal(event.startsAt, Date.UTC(2026, 10, 20, 10, 0), '19:00 in Seoul');
  t.equal(event.endsAt, Date.UTC(2026, 10, 20, 16, 0), 'ends 01:00 the next day in Seoul');
  t.equal(event.campaignId !== null, true);
  t.same(JSON.parse(event.hosts), [{ name: 'Seoul Runners', url: 'https://runners.example.org' }]);
  t.same(JSON.parse(event.speakers), [{ name: 'Jae Min', bio: 'Host of the night.' }]);

  // Editing shows the times as they were typed, in the event's zone.
  const edit = await org.get('/admin/events/seoul-game-night/edit');
  t.match(edit.body, 'name="start_time" type="time" value="19:00"');
  t.match(edit.body, 'name="end_date" type="date" value="2026-11-21"');
  t.equal((edit.body.match(/name="host_name_\d+"/g) ?? []).length, 4, 'the co-host and three blank rows');
  const backwards = await org.post('/admin/events/seoul-game-night/edit', { ...gameNight, end_date: '2026-11-19' });
  t.equal(backwards.statusCode, 400);
  t.match(backwards.body, /id="f-end_time-error" class="error">The event must end after it starts/);
  const saved = await org.post('/admin/events/seoul-game-night/edit', { ...gameNight, title: 'Two Truths and a Lie: Seoul' });
  t.equal(saved.statusCode, 303);
  t.equal(getEvent(ta.services, 'seoul-game-night').title, 'Two Truths and a Lie: Seoul');

  // Two ticket types, after a refused one.
  const badType = await org.post('/admin/events/seoul-game-night/ticket-types', { name: '', price: '10,000.5', quantity: 'many', min_per_order: '1', max_per_order: '10' });
  t.equal(badType.statusCode, 400);
  t.match(badType.body, 'Name the ticket');
  t.match(badType.body, 'KRW has no decimal places');
  t.match(badType.body, 'Enter how many tickets there are');
  const dearer = await org.post('/admin/events/seoul-game-night/ticket-types', { name: 'Odd', price: '5000', pwyw: 'on', min_price: '6000', quantity: '5', min_per_order: '1', max_per_order: '10' });
  t.equal(dearer.statusCode, 400);
  t.match(dearer.body, /id="tt-new-min_price-error" class="error">The minimum cannot be more than the suggested price/);
  const general = await org.post('/admin/events/seoul-game-night/ticket-types', { name: 'General', price: '10,000', quantity: '50', min_per_order: '1', max_per_order: '10' });
  t.equal(general.statusCode, 303);
  const supporter = await org.post('/admin/events/seoul-game-night/ticket-types', { name: 'Supporter', price: '20000', pwyw: 'on', min_price: '5000', quantity: '10', min_per_order: '1', max_per_order: '4', sales_end: '2026-11-20T18:00' });
  t.equal(supporter.statusCode, 303);
  let types = eventView(ta.services, getEvent(ta.services, 'seoul-game-night')).ticketTypes;
  t.same(types.map((x) => [x.name, x.price.amount, x.minPrice?.amount ?? null, x.quantity]), [['General', 10_000, null, 50], ['Supporter', 20_000, 5_000, 10]]);
  t.equal(types[1]?.salesEnd, Date.UTC(2026, 10, 20, 9, 0), 'the sales window is read in the event zone');
  const [generalId, supporterId] = types.map((x) => x.id) as [string, string];
  const tooSmall = await org.post(`/admin/events/seoul-game-night/ticket-types/${generalId}`, { name: 'General', price: '10000', quantity: '40', min_per_order: '5', max_per_order: '2' });
  t.equal(tooSmall.statusCode, 400);
  t.match(tooSmall.body, 'The maximum per order cannot be less than the minimum');
  const resized = await org.post(`/admin/events/seoul-game-night/ticket-types/${generalId}`, { name: 'General', price: '10000', quantity: '40', min_per_order: '1', max_per_order: '10' });
  t.equal(resized.statusCode, 303);
  types = eventView(ta.services, getEvent(ta.services, 'seoul-game-night')).ticketTypes;
  t.equal(types[0]?.quantity, 40);

  t.match((await org.get('/admin/events')).body, 'Two Truths and a Lie: Seoul', 'the list shows the draft');
  const published = await org.post('/admin/events/seoul-game-night/publish');
  t.equal(published.statusCode, 303);
  t.equal(((await ta.app.inject('/api/v1/events/seoul-game-night')).json() as { status: string }).status, 'published');

  // A door sale: a double tap sells once and shows the same codes.
  const page = await org.get('/admin/events/seoul-game-night');
  t.match(page.body, 'Sold — record the payment');
  const token = formToken(page.body);
  const sale = { form_token: token, [`qty_${generalId}`]: '2', [`qty_${supporterId}`]: '', name: '=CMD()', method: 'cash' };
  const first = await org.post('/admin/events/seoul-game-night/door-sale', sale);
  const again = await org.post('/admin/events/seoul-game-night/door-sale', sale);
  t.equal(first.statusCode, 303);
  t.equal(again.headers.location, first.headers.location, 'the second tap gets the first sale');
  const sold = await org.follow(first);
  const codes = [...sold.body.matchAll(/class="ticket-code">([0-9A-Z-]{19})</g)].map((m) => m[1] ?? '');
  t.equal(codes.length, 2, 'the sale shows its two codes');
  t.match(sold.body, 'Sold 2 tickets for ₩20,000.');
  t.equal(await ticketRevenue(ta), 2_000, '20,000 KRW is 20 USD');
  const reused = await org.post('/admin/events/seoul-game-night/door-sale', { ...sale, [`qty_${generalId}`]: '3' });
  t.equal(reused.statusCode, 409, 'the same form with other numbers sells nothing');
  t.match(reused.body, 'This form was already used for a sale');
  t.match(reused.body, `value="${token}"`, 'and keeps its token');
  const typo = await org.post('/admin/events/seoul-game-night/door-sale', { form_token: formToken(sold.body), [`qty_${generalId}`]: 'two', method: 'cash' });
  t.equal(typo.statusCode, 400);
  t.match(typo.body, 'Enter a number of tickets');
  t.equal((await org.get('/admin/events/seoul-game-night?sale=ord_unknown')).statusCode, 200, 'an unknown sale is simply not shown');
  const empty = await org.post('/admin/events/seoul-game-night/door-sale', { form_token: formToken(sold.body), method: 'cash' });
  t.equal(empty.statusCode, 400);
  t.match(empty.body, 'Enter how many tickets of each type were sold');
  const supporterSale = await org.post('/admin/events/seoul-game-night/door-sale', { form_token: formToken(empty.body), [`qty_${supporterId}`]: '1', name: 'Jae', method: 'card_terminal' });
  t.equal(supporterSale.statusCode, 303);
  // A buyer who gave an e-mail address (through the API).
  const withEmail = await ta.app.inject({ method: 'POST', url: '/api/v1/events/seoul-game-night/door-sales', headers: ta.auth('organizer'), payload: { items: [{ ticketTypeId: generalId, quantity: 1 }], buyer: { name: 'Mina', email: 'mina@example.org' } } });
  t.equal(withEmail.statusCode, 201, withEmail.body);
  const minaCode = (withEmail.json() as { tickets: { code: string }[] }).tickets[0]?.code ?? '';
  const tooMany = await org.post('/admin/events/seoul-game-night/door-sale', { form_token: 'y'.repeat(24), [`qty_${generalId}`]: '38', method: 'cash' });
  t.equal(tooMany.statusCode, 409);
  t.match(tooMany.body, 'Only 37 “General” seats left.');
  t.match(tooMany.body, 'value="38"', 'the numbers are kept');

  // Check-in at the door by typed code.
  const door = await org.get('/admin/events/seoul-game-night/check-in');
  t.equal(door.statusCode, 200);
  t.match(door.body, '<script type="module" src="/assets/check-in.js"></script>');
  t.notMatch(door.body, /<script(?![^>]*\bsrc=)[^>]*>/, 'no inline script');
  t.match(door.body, 'autofocus');
  const code = codes[0] ?? '';
  const welcome = await org.post('/admin/events/seoul-game-night/check-in', { code: code.toLowerCase().replace(/-/g, ' ') });
  t.equal(welcome.statusCode, 200);
  t.match(welcome.body, 'check-in-answer ok');
  t.match(welcome.body, 'Welcome — General');
  const repeat = await org.post('/admin/events/seoul-game-night/check-in', { code });
  t.equal(repeat.statusCode, 409);
  t.match(repeat.body, 'check-in-answer no');
  t.match(repeat.body, 'Already checked in');
  t.match(repeat.body, /at Nov 1, 2026, 9:00\sPM by organizer@example.test/, 'when (Seoul time) and by whom');
  const unknown = await org.post('/admin/events/seoul-game-night/check-in', { code: 'AAAA-BBBB-CCCC-DDDD' });
  t.equal(unknown.statusCode, 404);
  t.match(unknown.body, 'Unknown code');
  const noCode = await org.post('/admin/events/seoul-game-night/check-in', { code: '  ' });
  t.equal(noCode.statusCode, 400);
  t.match(noCode.body, 'Type the code printed under the QR code');
  // A ticket for another event of the same campaign is refused.
  const other = await ta.app.inject({ method: 'POST', url: '/api/v1/events', headers: ta.auth('organizer'), payload: { slug: 'film-night', title: 'Film night', kind: 'screening', timezone: 'Asia/Seoul', startsAt: '2026-11-27T19:00', endsAt: '2026-11-27T22:00', onlineUrl: 'https://stream.example.org', campaignSlug: 'rescue-fund', status: 'published' } });
  t.equal(other.statusCode, 201, other.body);
  const otherType = (await ta.app.inject({ method: 'POST', url: '/api/v1/events/film-night/ticket-types', headers: ta.auth('organizer'), payload: { name: 'RSVP', price: { amount: 0, currency: 'USD' }, quantity: 10 } })).json() as { id: string };
  const otherSale = (await ta.app.inject({ method: 'POST', url: '/api/v1/events/film-night/door-sales', headers: ta.auth('organizer'), payload: { items: [{ ticketTypeId: otherType.id, quantity: 1 }] } })).json() as { tickets: { code: string }[] };
  const elsewhere = await org.post('/admin/events/seoul-game-night/check-in', { code: otherSale.tickets[0]?.code ?? '' });
  t.equal(elsewhere.statusCode, 422);
  t.match(elsewhere.body, 'This ticket is for another event: Film night.');

  const counts = await org.get('/admin/events/seoul-game-night/check-in/counts');
  t.equal(counts.statusCode, 200);
  t.same(counts.json(), { sold: 4, checkedIn: 1, capacity: 60 });

  // The attendee list: organizers see no e-mail addresses, anywhere.
  const attendees = await org.get('/admin/events/seoul-game-night/attendees');
  t.equal(attendees.statusCode, 200);
  t.match(attendees.body, '=CMD()');
  t.match(attendees.body, code);
  t.match(attendees.body, 'Mina');
  t.notMatch(attendees.body, 'mina@example.org');
  t.notMatch(attendees.body, '/refund"', 'no refund button for organizers');
  const found = await org.get('/admin/events/seoul-game-night/attendees?q=jae');
  t.match(found.body, '1 of 4 tickets shown.');
  const csv = await org.get('/admin/events/seoul-game-night/attendees.csv');
  t.equal(csv.statusCode, 200);
  t.match(String(csv.headers['content-type']), 'text/csv');
  t.notMatch(csv.body, 'mina@example.org');
  t.notMatch(csv.body, 'buyer_email');
  t.match(csv.body, "'=CMD()", 'a formula is defused');
  t.notMatch(csv.body, /(^|,)=CMD/m);
  t.match(csv.body, `${code},General,'=CMD()`);

  // An admin sees e-mails and refunds an order; its revenue leaves the campaign.
  const admin = new FormClient(ta.app);
  await admin.login('admin@example.test', testPassword);
  const adminList = await admin.get('/admin/events/seoul-game-night/attendees');
  t.match(adminList.body, 'mina@example.org');
  t.match((await admin.get('/admin/events/seoul-game-night/attendees.csv')).body, 'mina@example.org');
  const orderId = new URL(String(first.headers.location), 'http://x').searchParams.get('sale') ?? '';
  const refundToken = new RegExp(`action="/admin/orders/${orderId}/refund"[\\s\\S]*?name="form_token" value="([^"]+)"`).exec(adminList.body)?.[1] ?? '';
  t.ok(orderId && refundToken);
  const noReason = await admin.post(`/admin/orders/${orderId}/refund`, { form_token: refundToken, reason: '' });
  t.equal(noReason.statusCode, 400);
  t.match(noReason.body, 'Say why the order is refunded');
  const before = await ticketRevenue(ta);
  const refunded = await admin.post(`/admin/orders/${orderId}/refund`, { form_token: refundToken, reason: 'Bought by mistake' });
  t.equal(refunded.statusCode, 303);
  t.equal(refunded.headers.location, '/admin/events/seoul-game-night/attendees?done=refunded');
  const twice = await admin.post(`/admin/orders/${orderId}/refund`, { form_token: refundToken, reason: 'Bought by mistake' });
  t.equal(twice.statusCode, 303, 'a double tap refunds once');
  const reusedRefund = await admin.post(`/admin/orders/${orderId}/refund`, { form_token: refundToken, reason: 'Another reason' });
  t.equal(reusedRefund.statusCode, 409);
  t.match(reusedRefund.body, 'This refund form was already sent.');
  t.equal(await ticketRevenue(ta), before - 2_000, 'the 20,000 KRW left the campaign');
  const voided = await org.post('/admin/events/seoul-game-night/check-in', { code: codes[1] ?? '' });
  t.equal(voided.statusCode, 422);
  t.match(voided.body, 'This ticket was refunded or cancelled.');
  t.same((await org.get('/admin/events/seoul-game-night/check-in/counts')).json(), { sold: 2, checkedIn: 0, capacity: 60 }, 'the refunded order’s check-in no longer counts');
  const orgRefund = await org.post(`/admin/orders/${orderId}/refund`, { form_token: 'x'.repeat(20), reason: 'No' });
  t.equal(orgRefund.statusCode, 403, 'organizers do not refund');

  // An organizer of another campaign is turned away from every page of it.
  await createUser(ta.services, testActor, { email: 'stranger@example.test', role: 'organizer', password: testPassword });
  const stranger = new FormClient(ta.app);
  await stranger.login('stranger@example.test', testPassword);
  t.notMatch((await stranger.get('/admin/events')).body, 'seoul-game-night');
  for (const url of ['/admin/events/seoul-game-night', '/admin/events/seoul-game-night/check-in', '/admin/events/seoul-game-night/check-in/counts', '/admin/events/seoul-game-night/attendees.csv']) {
    t.equal((await stranger.get(url)).statusCode, 403, url);
  }
  t.equal((await stranger.post('/admin/events/seoul-game-night/check-in', { code: minaCode })).statusCode, 403);
  t.equal((await stranger.post('/admin/events/seoul-game-night/cancel')).statusCode, 403);

  // Cancelling: the public API says so, and the paid orders left the total.
  const lateOffer = await org.post('/admin/events/seoul-game-night/cancel', { reason: 'The pub flooded', offer_until: '2026-10-01T10:00' });
  t.equal(lateOffer.statusCode, 400);
  t.match(lateOffer.body, 'Give holders between now and 30 days to choose');
  t.match(lateOffer.body, '<details class="confirm" open>', 'the confirm step stays open with the message');
  t.equal(getEvent(ta.services, 'seoul-game-night').status, 'published');
  const cancelled = await org.post('/admin/events/seoul-game-night/cancel', { reason: 'The pub flooded' });
  t.equal(cancelled.statusCode, 303);
  t.equal(((await ta.app.inject('/api/v1/events/seoul-game-night')).json() as { status: string }).status, 'cancelled');
  t.equal(await ticketRevenue(ta), 0, 'every ticket of it was refunded');
  const after = await org.follow(cancelled);
  t.match(after.body, 'The event is cancelled.');
  t.notMatch(after.body, 'Sold — record the payment', 'no more door sales');
  const republish = await org.post('/admin/events/seoul-game-night/publish');
  t.equal(republish.statusCode, 409);
  t.match(republish.body, 'A cancelled event stays cancelled');
  const again2 = await org.post('/admin/events/seoul-game-night/cancel', {});
  t.equal(again2.statusCode, 409);
  t.match(again2.body, 'This event is already cancelled.');
});

t.test('the camera scanner is served by Lantern, its decoder as a plain worker script', async (t) => {
  const ta = await buildTestApp(t);
  const lib = await ta.app.inject(qrScannerUrls.library);
  t.equal(lib.statusCode, 200);
  t.match(String(lib.headers['content-type']), 'text/javascript');
  t.match(lib.body, 'export default');
  const worker = await ta.app.inject(qrScannerUrls.worker);
  t.equal(worker.statusCode, 200);
  t.notMatch(worker.body, 'createObjectURL', 'no blob: URL, which the CSP forbids');
  t.doesNotThrow(() => new vm.Script(worker.body), 'the decoder is valid JavaScript');
  t.match(worker.body, '`%${', 'template escapes are resolved as JavaScript does');
  t.match(String(worker.headers['content-security-policy'] ?? ''), "script-src 'self'");
  const script = await ta.app.inject('/assets/check-in.js');
  t.equal(script.statusCode, 200);

  t.equal(workerSource('export const createWorker=()=>new Worker(URL.createObjectURL(new Blob([`a\\`b\\${c}\\\\`])))'), 'a`b${c}\\');
  t.throws(() => workerSource('new Blob([`a${b}`])'), /interpolates/);
  t.throws(() => workerSource('new Blob([`a\\nb`])'), /unexpected escape/);
  t.throws(() => workerSource('new Blob([`abc'), /not closed/);
  t.throws(() => workerSource('export const x = 1'), /no Blob source/);
  t.ok(readFileSync(new URL('../../src/web/assets/check-in.js', import.meta.url), 'utf8').includes('createQrEngine'), 'check-in.js replaces the blob worker');
});
