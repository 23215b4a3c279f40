// The public event pages and the guest ticket flow, as a browser without
// JavaScript uses them: the list and its filters, an event page (times in its
// zone, nothing loaded from elsewhere), ordering through the form and the test
// checkout, free RSVPs, sold out, bad input, a resent form, the confirmation
// e-mail with its calendar file, a cancelled event, and series.
import t, { type Test } from 'tap';
import ical, { type VEvent } from 'node-ical';
import { listMail } from '../../src/db/mail.ts';
import { createSeries } from '../../src/services/events.ts';
import { getCheckout } from '../../src/services/payments.ts';
import { buildTestApp, createRescueFund, testActor, testCheckout, testPassword, type TestApp } from '../helper.ts';
import { FormClient } from './form-client.ts';

const usd = (amount: number) => ({ amount, currency: 'USD' });
/** Page text with the thin and no-break spaces Intl puts in dates made plain, so expectations read naturally. */
const plain = (text: string | undefined) => (text ?? '').replace(/[\u2009\u202f\u00a0]/g, ' ');
const codePattern = /[0-9A-HJKMNP-TV-Z]{4}(?:-[0-9A-HJKMNP-TV-Z]{4}){3}/g;

async function createEvent(t: Test, ta: TestApp, payload: Record<string, unknown>) {
  const res = await ta.app.inject({
    method: 'POST',
    url: '/api/v1/events',
    headers: ta.auth('organizer'),
    payload: {
      kind: 'social',
      timezone: 'Asia/Seoul',
      venue: { name: 'The Pub', address: '12 Itaewon-ro', city: 'Seoul', country: 'KR' },
      campaignSlug: 'rescue-fund',
      status: 'published',
      ...payload,
    },
  });
  t.equal(res.statusCode, 201, res.body);
}

async function addType(t: Test, ta: TestApp, slug: string, payload: Record<string, unknown>): Promise<string> {
  const res = await ta.app.inject({ method: 'POST', url: `/api/v1/events/${slug}/ticket-types`, headers: ta.auth('organizer'), payload });
  t.equal(res.statusCode, 201, res.body);
  return (res.json() as { id: string }).id;
}

/** A screening in Busan with one seat. */
async function addBusanScreening(t: Test, ta: TestApp) {
  await createEvent(t, ta, {
    slug: 'busan-screening',
    title: 'Crossing: a film and its director',
    kind: 'screening',
    startsAt: '2026-12-12T18:30',
    endsAt: '2026-12-12T21:00',
    venue: { name: 'Cinema Hall', address: '5 Haeundae-ro', city: 'Busan', country: 'KR' },
  });
  await addType(t, ta, 'busan-screening', { name: 'Seat', price: usd(1_500), quantity: 1 });
}

/** A series of two seminars: Vancouver (Nov 20) and Regina (Nov 27), each 19:00–21:00 in its own zone. */
async function addPrairieTour(t: Test, ta: TestApp, description?: string) {
  await createSeries(ta.services, testActor, { slug: 'prairie-tour', title: 'Prairie Seminar Tour', ...(description !== undefined && { description }) });
  const stops = [
    ['vancouver', 'Vancouver', 'America/Vancouver', '2026-11-20T19:00'],
    ['regina', 'Regina', 'America/Regina', '2026-11-27T19:00'],
  ] as const;
  for (const [slug, city, zone, start] of stops) {
    await createEvent(t, ta, {
      slug: `tour-${slug}`,
      title: `Seminar in ${city}`,
      kind: 'seminar',
      timezone: zone,
      startsAt: start,
      endsAt: start.replace('19:00', '21:00'),
      venue: { name: 'Community Hall', address: '1 Main St', city, country: 'CA' },
      seriesSlug: 'prairie-tour',
    });
  }
}

async function setup(t: Test, opts: { general?: number; passwords?: boolean } = {}) {
  const ta = await buildTestApp(t, { passwords: opts.passwords === true });
  await createRescueFund(ta);
  await createEvent(t, ta, {
    slug: 'game-night',
    title: 'Two Truths and a Lie',
    description: 'A propaganda game night. **Bring friends.**',
    startsAt: '2026-12-05T19:00',
    endsAt: '2026-12-05T22:00',
    hosts: [{ name: 'Open Doors Club', url: 'https://opendoors.example.org/' }, { name: 'Friends of the Fund' }],
    speakers: [{ name: 'Jiwoo Han', bio: 'Defector and storyteller' }],
  });
  const general = await addType(t, ta, 'game-night', { name: 'General', price: usd(1_000), quantity: opts.general ?? 5, maxPerOrder: 4 });
  const rsvp = await addType(t, ta, 'game-night', { name: 'Free RSVP', price: usd(0), quantity: 3 });
  return { ta, general, rsvp };
}

function formToken(html: string): string {
  const m = /name="form_token" value="([^"]+)"/.exec(html);
  if (!m?.[1]) throw new Error('no form token on the page');
  return m[1];
}

/** Opens the event page in a fresh browser and returns it with the page's one-time form token. */
async function openEvent(ta: TestApp, slug = 'game-night') {
  const browser = new FormClient(ta.app);
  const page = await browser.get(`/events/${slug}`);
  return { browser, page, token: formToken(page.body) };
}

const buyer = { name: 'Mina Park', email: 'mina@example.org' };

async function seats(ta: TestApp) {
  const ev = (await ta.app.inject('/api/v1/events/game-night')).json() as { ticketTypes: { name: string; sold: number; held: number; available: number }[] };
  return Object.fromEntries(ev.ticketTypes.map((tt) => [tt.name, { sold: tt.sold, held: tt.held, available: tt.available }]));
}

t.test('/events lists upcoming events by default, past ones on request, and filters by kind and city', async (t) => {
  const { ta } = await setup(t);
  await addBusanScreening(t, ta);
  await createEvent(t, ta, {
    slug: 'autumn-run',
    title: 'Autumn Charity Run',
    kind: 'run',
    startsAt: '2026-10-03T09:00',
    endsAt: '2026-10-03T12:00',
  });
  await createEvent(t, ta, { slug: 'draft-night', title: 'Not yet announced', startsAt: '2026-12-20T19:00', endsAt: '2026-12-20T22:00', status: 'draft' });
  // The only seat of the screening is taken: the list says so.
  const { browser, token } = await openEvent(ta, 'busan-screening');
  const typeId = /name="(qty_[^"]+)"/.exec(browser.last?.body ?? '')?.[1] ?? '';
  t.equal((await browser.post('/events/busan-screening/tickets', { [typeId]: '1', ...buyer, form_token: token })).statusCode, 303);

  const list = await ta.app.inject('/events');
  t.equal(list.statusCode, 200);
  const html = plain(list.body);
  t.match(html, 'Two Truths and a Lie');
  t.match(html, 'Crossing: a film and its director');
  t.notMatch(html, 'Autumn Charity Run', 'a past event is not upcoming');
  t.notMatch(html, 'Not yet announced', 'drafts stay hidden');
  t.ok(html.indexOf('Two Truths and a Lie') < html.indexOf('Crossing'), 'soonest first');
  t.match(html, 'Sat, Dec 5, 2026, 19:00 – 22:00', 'the date in the event’s own zone');
  t.match(html, '(Asia/Seoul, GMT+9)');
  t.match(html, 'Free – $10.00', 'the price range of the game night');
  t.match(html, /Crossing[\s\S]*Sold out/, 'the screening with nothing left says sold out');
  t.notMatch(html.slice(0, html.indexOf('Crossing')), /class="tag sold-out"/, 'the game night is not sold out');
  t.match(html, 'href="/events.ics"', 'the feed to subscribe to');
  t.match(html, /<option value="Busan"[^>]*>Busan<\/option>/, 'the city filter offers the cities listed');
  t.match(html, 'href="/events"', 'the nav links to events');

  const past = await ta.app.inject('/events?when=past');
  t.match(past.body, 'Autumn Charity Run');
  t.notMatch(past.body, 'Two Truths and a Lie');

  const screenings = await ta.app.inject('/events?kind=screening&city=');
  t.match(screenings.body, 'Crossing');
  t.notMatch(screenings.body, 'Two Truths and a Lie');
  const seoul = await ta.app.inject('/events?kind=&city=seoul');
  t.match(seoul.body, 'Two Truths and a Lie', 'the city matches without regard to case');
  t.notMatch(seoul.body, 'Crossing');
  t.match(seoul.body, /<option value="Seoul" selected>/);
  const odd = await ta.app.inject('/events?kind=opera&when=someday');
  t.equal(odd.statusCode, 200, 'an unknown filter value shows everything rather than an error');
  t.match(odd.body, 'Two Truths and a Lie');
  t.match((await ta.app.inject('/events?kind=seminar')).body, 'No events match these filters.');
});

t.test('the event page: times in its zone with a UTC reference, people, calendar links, and nothing loaded from elsewhere', async (t) => {
  const { ta } = await setup(t);
  await addType(t, ta, 'game-night', { name: 'Late release', price: usd(800), quantity: 5, salesStart: '2026-11-10T10:00' });
  await addType(t, ta, 'game-night', { name: 'Early bird', price: usd(500), quantity: 5, salesEnd: '2026-10-30T10:00' });
  const res = await ta.app.inject('/events/game-night');
  t.equal(res.statusCode, 200);
  const html = plain(res.body);
  t.match(html, '<h1>Two Truths and a Lie</h1>');
  t.match(html, 'Social');
  t.match(html, '<strong>Bring friends.</strong>', 'the description is Markdown');
  t.match(html, /Sat, Dec 5, 2026, 19:00 – 22:00<\/time><\/strong> <span class="zone">\(Asia\/Seoul, GMT\+9\)/);
  t.match(html, 'For reference, in UTC: Sat, Dec 5, 2026, 10:00 – 13:00.');
  t.match(html, 'In your time zone: see the calendar file');
  t.match(html, /<address class="venue">\s*<strong>The Pub<\/strong><br>\s*12 Itaewon-ro<br>\s*Seoul, KR/);
  t.match(html, /<dt>Jiwoo Han<\/dt><dd>Defector and storyteller<\/dd>/);
  t.match(html, '<a href="https://opendoors.example.org/" rel="noopener noreferrer">Open Doors Club</a>');
  t.match(html, '<li>Friends of the Fund</li>', 'a host without a site is plain text');
  t.match(html, '<a href="/campaigns/rescue-fund">Rescue Fund</a>');
  t.match(html, 'href="/events/game-night.ics"');
  t.match(html, /<a href="https:\/\/calendar\.google\.com\/calendar\/render\?[^"]+" rel="noopener noreferrer"/);
  t.match(html, '$10.00');
  t.match(html, '5 left');
  t.match(html, '3 left');
  t.match(html, 'Free', 'the RSVP is free');
  t.match(html, /Late release[\s\S]*?<small class="state not_yet">Sales open on Nov 10, 2026, 10:00 AM \(GMT\+9\)<\/small>/, 'in the event’s zone');
  t.match(html, /Early bird[\s\S]*?<small class="state ended">Sales ended<\/small>/);
  t.equal(html.match(/<select id="qty_/g)?.length, 2, 'only the types on sale can be chosen');

  // Nothing outside the site is loaded: absolute addresses appear only in plain links.
  t.same([...html.matchAll(/<script[^>]*>/gi)].map((m) => m[0]), ['<script src="/assets/local-time.js" defer>'], 'only our own script, which shows the time in the viewer’s zone');
  t.notMatch(html, /\sstyle=/i, 'no inline styles (the CSP forbids them)');
  for (const m of html.matchAll(/<(\w+)\b[^>]*\b(?:src|href|action|srcset)="(https?:)?\/\/[^"]*"/gi)) {
    t.equal(m[1]?.toLowerCase(), 'a', `only links go elsewhere: ${m[0].slice(0, 80)}`);
  }
  const external = [...html.matchAll(/href="(https?:\/\/[^"]+)"/g)].map((m) => new URL((m[1] ?? '').replaceAll('&amp;', '&')).host);
  t.same([...new Set(external)].sort(), ['calendar.google.com', 'opendoors.example.org']);

  t.equal((await ta.app.inject('/events/no-such-event')).statusCode, 404);
  const ics = await ta.app.inject('/events/game-night.ics');
  t.equal(ics.statusCode, 200, 'the calendar file still answers beside the page');
  t.match(String(ics.headers['content-type']), 'text/calendar');
});

t.test('ordering two tickets: the form, the test checkout, then the order page with two QR codes', async (t) => {
  const { ta, general } = await setup(t);
  const { browser, page, token } = await openEvent(ta);
  t.match(page.body, `<select id="qty_${general}" name="qty_${general}"`);
  t.match(page.body, /<option value="4"/, 'up to the most per order');
  t.notMatch(page.body, new RegExp(`name="qty_${general}"[\\s\\S]*?<option value="5"`), 'no more than that');

  const sent = await browser.post('/events/game-night/tickets', { [`qty_${general}`]: '2', ...buyer, form_token: token });
  t.equal(sent.statusCode, 303, sent.body.slice(0, 300));
  const checkoutPath = String(sent.headers.location);
  t.match(checkoutPath, /^\/test-checkout\//, 'to the checkout, by path');
  t.same((await seats(ta)).General, { sold: 0, held: 2, available: 3 });

  const held = await browser.get(getCheckout(ta.services, checkoutPath.split('/').pop() ?? '').returnPath);
  t.equal(held.statusCode, 200);
  t.match(held.body, 'Waiting for your payment');
  t.match(plain(held.body), 'Your seats are held until Nov 1, 2026, 12:15 PM (UTC).');

  const paid = await testCheckout(ta, checkoutPath);
  t.equal(paid.statusCode, 303);
  const orderPath = String(paid.headers.location);
  t.match(orderPath, /^\/orders\/ord_/);
  const order = await browser.get(orderPath);
  t.equal(order.statusCode, 200);
  t.equal(order.headers['cache-control'], 'no-store', 'personal: never cached');
  const html = plain(order.body);
  t.match(html, 'Your tickets');
  t.equal(html.match(/<svg class="qr" role="img"/g)?.length, 2, 'two QR codes, inline');
  const codes = [...new Set(html.match(/<p class="ticket-code">([^<]+)<\/p>/g)?.map((m) => m.replace(/<[^>]+>/g, '')) ?? [])];
  t.equal(codes.length, 2, 'two different codes');
  for (const c of codes) t.match(c, /^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/);
  t.notMatch(html, /\sstyle=/i, 'the SVGs carry no style attributes');
  t.notMatch(html, /<script/i);
  t.match(html, 'Sat, Dec 5, 2026, 19:00 – 22:00');
  t.match(html, 'href="/events/game-night.ics"');
  t.match(html, 'calendar.google.com');
  t.match(html, 'Print this page');
  t.match(html, /2 × General<\/td><td class="num">\$20\.00/);
  t.same((await seats(ta)).General, { sold: 2, held: 0, available: 3 });

  t.equal((await ta.app.inject('/orders/ord_doesnotexist')).statusCode, 404);
});

t.test('a free RSVP goes straight to the order page; the e-mail carries QR images and the event’s calendar file', async (t) => {
  const { ta, rsvp } = await setup(t);
  const { browser, token } = await openEvent(ta);
  const sent = await browser.post('/events/game-night/tickets', { [`qty_${rsvp}`]: '2', name: 'Mina Park', email: 'Mina@Example.org', form_token: token });
  t.equal(sent.statusCode, 303);
  t.match(String(sent.headers.location), /^\/orders\/ord_/, 'nothing to pay');
  const order = await browser.follow(sent);
  t.match(order.body, 'Thank you, Mina Park!');
  t.equal(order.body.match(/<svg class="qr"/g)?.length, 2);
  const shownCodes = order.body.match(codePattern) ?? [];

  const mail = listMail(ta.db, 10, 0).find((m) => m.kind === 'order');
  t.ok(mail, 'a confirmation is queued');
  t.equal(mail?.toAddress, 'mina@example.org');
  t.match(mail?.subject, 'Two Truths and a Lie');
  t.match(plain(mail?.text), 'When:  Sat, Dec 5, 2026, 19:00 – 22:00 (Asia/Seoul, GMT+9)');
  t.match(mail?.text, 'The Pub');
  t.match(mail?.html, '12 Itaewon-ro');
  for (const c of new Set(shownCodes)) {
    t.match(mail?.text, c, 'the same codes as the page');
    t.match(mail?.html, c);
  }
  const attachments = JSON.parse(mail?.attachments ?? '[]') as { filename: string; contentType: string; content: string; cid?: string }[];
  const png = attachments.filter((a) => a.contentType === 'image/png');
  t.equal(png.length, 2, 'one QR image per ticket');
  for (const a of png) {
    t.equal(Buffer.from(a.content, 'base64').subarray(1, 4).toString(), 'PNG');
    t.match(mail?.html, `cid:${a.cid}`);
  }
  const icsFile = attachments.find((a) => a.filename === 'event.ics');
  t.equal(icsFile?.contentType, 'text/calendar; charset=utf-8; method=PUBLISH');
  const ics = Buffer.from(icsFile?.content ?? '', 'base64').toString('utf8');
  const events = Object.values(ical.sync.parseICS(ics)).filter((c): c is VEvent => c?.type === 'VEVENT');
  t.equal(events.length, 1, 'one event');
  t.equal(events[0]?.start.getTime(), Date.UTC(2026, 11, 5, 10, 0), 'at 19:00 in Seoul');
  t.equal(events[0]?.end?.getTime(), Date.UTC(2026, 11, 5, 13, 0));
  t.match(String(events[0]?.summary), 'Two Truths and a Lie');
});

t.test('an order with a donation: the donation is anonymous unless the buyer asks to be named', async (t) => {
  const { ta, general } = await setup(t);
  const place = async (name: string, extra: Record<string, string>) => {
    const { browser, token } = await openEvent(ta);
    const sent = await browser.post('/events/game-night/tickets', { [`qty_${general}`]: '1', name, email: `${name.split(' ')[0]?.toLowerCase()}@example.org`, form_token: token, ...extra });
    t.equal(sent.statusCode, 303, sent.body.slice(0, 300));
    const paid = await testCheckout(ta, String(sent.headers.location));
    return browser.get(String(paid.headers.location));
  };
  const quiet = await place('Quiet Donor', { donation: '25' });
  t.match(quiet.body, /Donation<\/td><td class="num">\$25\.00/);
  t.match(quiet.body, /Total<\/th><td class="num"><strong>\$35\.00/);
  await place('Named Donor', { donation: '5.50', donation_public: 'on' });
  const campaign = await ta.app.inject('/campaigns/rescue-fund');
  t.notMatch(campaign.body, 'Quiet Donor', 'anonymous by default');
  // The order keeps no record of the choice until it is paid at the checkout (orders.ts passes false then).
  t.match(campaign.body, 'Named Donor', 'named when asked');
  const raised = (await ta.app.inject('/api/v1/campaigns/rescue-fund')).json() as { raised: { amount: number } };
  t.equal(raised.raised.amount, 2_000 + 2_500 + 550, 'tickets and donations count toward the campaign');
});

t.test('sold out: a clear message at the top, with the availability refreshed', async (t) => {
  const { ta, general } = await setup(t, { general: 2 });
  const late = await openEvent(ta);
  const early = await openEvent(ta);
  t.equal((await early.browser.post('/events/game-night/tickets', { [`qty_${general}`]: '2', ...buyer, form_token: early.token })).statusCode, 303);

  const res = await late.browser.post('/events/game-night/tickets', { [`qty_${general}`]: '1', name: 'Late Comer', email: 'late@example.org', form_token: late.token });
  t.equal(res.statusCode, 409);
  t.match(res.body, /<p class="error banner-error" role="alert">“General” is sold out\.<\/p>/);
  t.match(res.body, /<strong>General<\/strong>[\s\S]*?<small class="state sold_out">Sold out<\/small>/, 'the form shows what is left now');
  t.match(res.body, 'value="Late Comer"', 'the input is kept');
  t.match(res.body, `value="${late.token}"`, 'with its token');
  t.same((await seats(ta)).General, { sold: 0, held: 2, available: 0 });

  // With every seat of every type gone, the page says so instead of showing a form.
  const { rsvp } = { rsvp: /name="(qty_[^"]+)"/.exec(res.body)?.[1] ?? '' };
  const again = await openEvent(ta);
  t.equal((await again.browser.post('/events/game-night/tickets', { [rsvp]: '3', ...buyer, form_token: again.token })).statusCode, 303);
  const page = await ta.app.inject('/events/game-night');
  t.match(page.body, /class="banner sold-out-banner" role="status"><strong>Sold out<\/strong>/);
  t.notMatch(page.body, 'action="/events/game-night/tickets');

  // When the hold runs out the seats come back.
  ta.clock.now += 16 * 60_000;
  const later = await ta.app.inject('/events/game-night');
  t.match(later.body, '2 left');
});

t.test('for visitors not logged in the page is made once per change, yet each gets its own tokens and sees the clock move it', async (t) => {
  const { ta, general } = await setup(t, { general: 1, passwords: true });
  const late = await addType(t, ta, 'game-night', { name: 'Late release', price: usd(1_500), quantity: 10, salesStart: '2026-11-20T09:00' });
  const rendered = () => ta.app.inject('/events/game-night');

  const a = await openEvent(ta);
  const b = await openEvent(ta);
  t.not(a.token, b.token, 'each view has its own form token');
  const csrfOf = (html: string) => [...html.matchAll(/name="_csrf" value="([^"]+)"/g)].map((m) => m[1]);
  t.ok(csrfOf(a.page.body).length >= 1, 'and a CSRF token');
  t.equal(new Set([...csrfOf(a.page.body), ...csrfOf(b.page.body)]).size, 2, 'one per browser, the same in each of its forms');
  t.match(plain(a.page.body), /Late release[\s\S]*?Sales open on/, 'sales of the late release have not started');
  t.notMatch(a.page.body, `name="qty_${late}"`);

  // The second browser buys the last General seat with its own page's tokens.
  t.equal((await b.browser.post('/events/game-night/tickets', { [`qty_${general}`]: '1', ...buyer, form_token: b.token })).statusCode, 303);
  const after = await openEvent(ta);
  t.match(after.page.body, /<strong>General<\/strong>[\s\S]*?Sold out/, 'a sale shows at once');
  t.match(after.page.body, 'action="/events/game-night/waitlist"', 'with the waiting list');
  t.equal(csrfOf(after.page.body).length, 2, 'both forms carry the CSRF token');
  t.equal(new Set(csrfOf(after.page.body)).size, 1);

  // Each moment is seen from just before it (a page cached then) and just after, with nothing written.
  const justBefore = async (at: number) => {
    ta.clock.now = at - 10_000;
    const page = await rendered();
    ta.clock.now = at + 1;
    return page;
  };
  const holdEnds = Date.UTC(2026, 10, 1, 12, 15, 0);
  t.match((await justBefore(holdEnds)).body, /<strong>General<\/strong>[\s\S]*?Sold out/);
  t.match((await rendered()).body, /<strong>General<\/strong>[\s\S]*?1 left/, 'the unpaid hold runs out and its seat comes back');
  const salesOpen = Date.UTC(2026, 10, 20, 0, 0, 0);
  t.notMatch((await justBefore(salesOpen)).body, `name="qty_${late}"`);
  const open = await rendered();
  t.match(open.body, `name="qty_${late}"`, 'sales open when their time comes');
  const eventEnds = Date.UTC(2026, 11, 5, 13, 0, 0);
  t.notMatch((await justBefore(eventEnds)).body, 'This event is over.');
  t.match((await rendered()).body, 'This event is over.', 'and the event ends on time');

  const ko = await ta.app.inject({ url: '/events/game-night', headers: { 'accept-language': 'ko-KR,ko;q=0.9' } });
  t.match(ko.body, '<html lang="ko"', 'each language has its own page');
  t.match(ko.body, /[\uac00-\ud7a3]/, 'in its own script');
  t.equal(Number(ko.headers['content-length']), Buffer.byteLength(ko.body), 'the page, kept as bytes cut at its token holes, is sent whole');
  t.match((await rendered()).body, '<html lang="en"');
  for (const page of [a.page, b.page, after.page, open, ko]) t.notMatch(page.body, /placeholder"|lantern-(form-token|csrf)-placeholder/, 'no placeholder is ever sent');

  const staff = new FormClient(ta.app);
  await staff.login('organizer@example.test', testPassword);
  const own = await staff.get('/events/game-night');
  t.match(own.body, 'action="/logout"', 'staff see their own menu');
  t.notMatch((await rendered()).body, 'action="/logout"', 'which no one else is sent');
});

t.test('once nothing is left, a form is turned away before anything is written; a form sent before still gets its order', async (t) => {
  const { ta, general, rsvp } = await setup(t, { general: 2 });
  const late = await openEvent(ta);
  const first = await openEvent(ta);
  const firstFields = { [`qty_${general}`]: '2', ...buyer, form_token: first.token };
  const placed = await first.browser.post('/events/game-night/tickets', firstFields);
  t.equal(placed.statusCode, 303);
  const rsvps = await openEvent(ta);
  t.equal((await rsvps.browser.post('/events/game-night/tickets', { [`qty_${rsvp}`]: '3', ...buyer, form_token: rsvps.token })).statusCode, 303);

  const keys = () => ta.db.sqlite.prepare('select count(*) from idempotency_keys').pluck().get();
  const audits = () => ta.db.sqlite.prepare('select count(*) from audit_log').pluck().get();
  const before = { keys: keys(), audits: audits(), version: ta.db.version() };
  const res = await late.browser.post('/events/game-night/tickets', { [`qty_${general}`]: '1', name: 'Late Comer', email: 'late@example.org', form_token: late.token });
  t.equal(res.statusCode, 409);
  t.match(res.body, /class="banner sold-out-banner" role="status"><strong>Sold out<\/strong> — Every seat is taken\./, 'the page as it is now: sold out');
  t.notMatch(res.body, 'action="/events/game-night/tickets', 'with no form to send again');
  t.same({ keys: keys(), audits: audits(), version: ta.db.version() }, before, 'no token claimed, nothing written');
  const invalid = await late.browser.post('/events/game-night/tickets', { name: '', email: 'nope', form_token: late.token });
  t.equal(invalid.statusCode, 409, 'nothing to correct when nothing is left');

  const again = await first.browser.post('/events/game-night/tickets', firstFields);
  t.equal(again.statusCode, 303, 'the first buyer clicking again is not told it is sold out');
  t.equal(again.headers.location, placed.headers.location, 'but sent to the checkout of the order the form placed');
  t.same((await seats(ta)).General, { sold: 0, held: 2, available: 0 });
});

t.test('bad input is re-rendered with messages next to the fields, and changes nothing', async (t) => {
  const { ta, general } = await setup(t);
  await addType(t, ta, 'game-night', { name: 'Supporter', price: usd(3_000), minPrice: usd(1_500), quantity: 10 });
  const { browser, page, token } = await openEvent(ta);
  const supporter = /<strong>Supporter<\/strong>[\s\S]*?name="(qty_[^"]+)"/.exec(page.body)?.[1] ?? '';
  const priceField = supporter.replace('qty_', 'price_');
  t.match(page.body, 'Pay what you want, at least $15.00');
  t.match(page.body, `name="${priceField}" inputmode="decimal" autocomplete="off" value="30.00"`, 'the suggested price filled in');

  const none = await browser.post('/events/game-night/tickets', { name: '', email: 'not-an-address', donation: 'lots', form_token: token });
  t.equal(none.statusCode, 400);
  t.match(none.body, 'Please check the fields marked below.');
  t.match(none.body, /id="items-error" class="error">Choose at least one ticket/);
  t.match(none.body, /id="name-error" class="error">Enter your name/);
  t.match(none.body, /id="email-error" class="error">Enter a valid e-mail address/);
  t.match(none.body, /id="donation-error" class="error">Enter an amount such as 25/);
  t.match(none.body, 'value="not-an-address"', 'what was typed is kept');
  t.match(none.body, 'value="lots"');

  const low = await browser.post('/events/game-night/tickets', { [supporter]: '1', [priceField]: '10', ...buyer, form_token: token });
  t.equal(low.statusCode, 400);
  t.match(low.body, new RegExp(`id="${priceField}-error" class="error">At least \\$15\\.00`));
  t.match(low.body, new RegExp(`<option value="1" selected>1</option>`), 'the quantity is kept');

  const tooMany = await browser.post('/events/game-night/tickets', { [`qty_${general}`]: '9', ...buyer, form_token: token });
  t.equal(tooMany.statusCode, 400);
  t.match(tooMany.body, /id="items-error" class="error">“General”: at most 4 per order/, 'the service’s limit, next to the tickets');
  t.same((await seats(ta)).General, { sold: 0, held: 0, available: 5 }, 'nothing was held');

  const chosen = await browser.post('/events/game-night/tickets', { [supporter]: '2', [priceField]: '20', ...buyer, form_token: token });
  t.equal(chosen.statusCode, 303, 'the corrected form goes through with the same token');
  const checkout = await ta.app.inject(String(chosen.headers.location));
  t.match(checkout.body, '$40.00', 'at the price chosen');
});

t.test('a resent form places one order; the same token with other values is refused', async (t) => {
  const { ta, general } = await setup(t);
  const { browser, token } = await openEvent(ta);
  const fields = { [`qty_${general}`]: '2', ...buyer, form_token: token };
  const first = await browser.post('/events/game-night/tickets', fields);
  const second = await browser.post('/events/game-night/tickets', fields);
  t.equal(first.statusCode, 303);
  t.equal(second.statusCode, 303);
  t.equal(second.headers.location, first.headers.location, 'to the same checkout');
  t.same((await seats(ta)).General, { sold: 0, held: 2, available: 3 }, 'two seats held, not four');

  const changed = await browser.post('/events/game-night/tickets', { ...fields, [`qty_${general}`]: '3' });
  t.equal(changed.statusCode, 409);
  t.match(changed.body, 'This form was already sent once.');
  t.notMatch(changed.body, `value="${token}"`, 'a fresh token to send it again');
  const retry = await browser.post('/events/game-night/tickets', { ...fields, [`qty_${general}`]: '3', form_token: formToken(changed.body) });
  t.equal(retry.statusCode, 303);
  t.same((await seats(ta)).General, { sold: 0, held: 5, available: 0 });
});

t.test('an order whose time to pay ran out says so and links back to the event', async (t) => {
  const { ta, general } = await setup(t);
  const { browser, token } = await openEvent(ta);
  const sent = await browser.post('/events/game-night/tickets', { [`qty_${general}`]: '1', ...buyer, form_token: token });
  const orderPath = getCheckout(ta.services, String(sent.headers.location).split('/').pop() ?? '').returnPath;
  ta.clock.now += 16 * 60_000;
  const page = await browser.get(orderPath);
  t.match(page.body, 'The time to pay ran out');
  t.match(page.body, 'href="/events/game-night#tickets"');
  t.notMatch(page.body, 'class="qr"');
});

t.test('a cancelled event shows a banner and no ticket form', async (t) => {
  const { ta } = await setup(t);
  const res = await ta.app.inject({ method: 'PATCH', url: '/api/v1/events/game-night', headers: ta.auth('admin'), payload: { status: 'cancelled' } });
  t.equal(res.statusCode, 200, res.body);
  const page = await ta.app.inject('/events/game-night');
  t.equal(page.statusCode, 200);
  t.match(page.body, /class="banner cancelled-banner" role="alert"><strong>Cancelled<\/strong>/);
  t.notMatch(page.body, '<form method="post" action="/events/game-night/tickets');
  t.notMatch(page.body, 'form_token');
  t.match((await ta.app.inject('/events')).body, /Two Truths and a Lie[\s\S]*?class="tag cancelled">Cancelled/, 'the list marks it too');

  const browser = new FormClient(ta.app);
  await browser.get('/login');
  const post = await browser.post('/events/game-night/tickets', { qty_x: '1', ...buyer, form_token: 'a-token-long-enough-1234' });
  t.equal(post.statusCode, 400, 'an old form finds no such ticket');
});

t.test('a series page lists its dates in their own cities and zones', async (t) => {
  const ta = await buildTestApp(t);
  await createRescueFund(ta);
  await addPrairieTour(t, ta, 'Four cities, *one* story.');
  const res = await ta.app.inject('/series/prairie-tour');
  t.equal(res.statusCode, 200);
  const body = plain(res.body);
  t.match(body, '<h1>Prairie Seminar Tour</h1>');
  t.match(body, '<em>one</em>');
  t.match(body, /Fri, Nov 20, 2026, 19:00 – 21:00<\/time> <small>\(America\/Vancouver, PST\)/);
  t.match(body, /Fri, Nov 27, 2026, 19:00 – 21:00<\/time> <small>\(America\/Regina, CST\)/);
  t.match(body, 'href="/events/tour-vancouver"');
  t.match(body, 'href="/series/prairie-tour.ics"');
  const event = await ta.app.inject('/events/tour-regina');
  t.match(event.body, 'href="/series/prairie-tour">Part of Prairie Seminar Tour</a>');
  t.equal((await ta.app.inject('/series/no-such-tour')).statusCode, 404);
});

t.test('for visitors the list and series pages are made once per change, yet follow the clock', async (t) => {
  const { ta } = await setup(t, { passwords: true });
  await addBusanScreening(t, ta);
  await addPrairieTour(t, ta);
  const list = async (query = '') => plain((await ta.app.inject(`/events${query}`)).body);
  const series = async () => plain((await ta.app.inject('/series/prairie-tour')).body);
  /** The list item of the event with this slug; an event missing from the page fails the test rather than reading as "not sold out". */
  const itemOf = (html: string, slug: string) => {
    const item = html.split('<li>').find((i) => i.includes(`href="/events/${slug}"`));
    if (item === undefined) throw new Error(`${slug} is not on the page`);
    return item;
  };
  const screeningSoldOut = (html: string) => itemOf(html, 'busan-screening').includes('class="tag sold-out"');
  const vancouverPast = (html: string) => itemOf(html, 'tour-vancouver').includes('>Past<');
  // Seen from just before a moment (a page made then) and just after, with nothing written between.
  const justBefore = async <T>(at: number, look: () => Promise<T>) => {
    ta.clock.now = at - 10_000;
    const seen = await look();
    ta.clock.now = at + 1;
    return seen;
  };

  t.notOk(screeningSoldOut(await list()), 'the screening has its seat');
  t.match(await list(), 'Seminar in Vancouver');
  t.notOk(vancouverPast(await series()));
  // Its only seat is held by an order: a change the next view shows at once.
  const { browser, token } = await openEvent(ta, 'busan-screening');
  const typeId = /name="(qty_[^"]+)"/.exec(browser.last?.body ?? '')?.[1] ?? '';
  t.equal((await browser.post('/events/busan-screening/tickets', { [typeId]: '1', ...buyer, form_token: token })).statusCode, 303);
  t.ok(screeningSoldOut(await list()), 'a held seat shows at once');

  const holdEnds = Date.UTC(2026, 10, 1, 12, 15, 0);
  t.ok(screeningSoldOut(await justBefore(holdEnds, () => list())));
  t.notOk(screeningSoldOut(await list()), 'when the hold runs out the seat comes back to the list');

  // The Vancouver seminar ends at 21:00 PST, 05:00 UTC the next day.
  const vancouverEnds = Date.UTC(2026, 10, 21, 5, 0, 0);
  const before = await justBefore(vancouverEnds, async () => ({ upcoming: await list(), past: await list('?when=past'), tour: await series(), seminars: await list('?kind=seminar') }));
  t.match(before.upcoming, 'Seminar in Vancouver');
  t.notMatch(before.past, 'Seminar in Vancouver');
  t.notOk(vancouverPast(before.tour));
  t.match(before.seminars, 'Seminar in Vancouver');
  t.notMatch(await list(), 'Seminar in Vancouver', 'an event that has ended leaves the upcoming list on time');
  t.match(await list('?when=past'), 'Seminar in Vancouver', 'and joins the past ones');
  t.notMatch(await list('?kind=seminar'), 'Seminar in Vancouver', 'in every filtered list');
  t.ok(vancouverPast(await series()), 'the series marks it past');

  const ko = await ta.app.inject({ url: '/events', headers: { 'accept-language': 'ko' } });
  t.match(ko.body, '<html lang="ko"', 'each language has its own list');
  t.match((await ta.app.inject('/events')).body, '<html lang="en"');
  t.equal((await ta.app.inject('/series/no-such-tour')).statusCode, 404);

  const staff = new FormClient(ta.app);
  await staff.login('organizer@example.test', testPassword);
  t.match((await staff.get('/events')).body, 'action="/logout"', 'staff see their own menu on the list');
  t.match((await staff.get('/series/prairie-tour')).body, 'action="/logout"', 'and on a series');
  t.notMatch((await ta.app.inject('/events')).body, 'action="/logout"', 'which no one else is sent');
  t.notMatch((await ta.app.inject('/series/prairie-tour')).body, 'action="/logout"');
});

t.test('after a cancellation with a gift offer, the order page offers the holder’s choice instead of the tickets', async (t) => {
  const { ta, general } = await setup(t);
  const { browser, token } = await openEvent(ta);
  const sent = await browser.post('/events/game-night/tickets', { [`qty_${general}`]: '1', ...buyer, form_token: token });
  const orderPath = String((await testCheckout(ta, String(sent.headers.location))).headers.location);
  const until = new Date(ta.clock.now + 7 * 24 * 3600_000).toISOString();
  const res = await ta.app.inject({ method: 'POST', url: '/api/v1/events/game-night/cancellation', headers: ta.auth('admin'), payload: { offerGiftUntil: until } });
  t.equal(res.statusCode, 200, res.body);
  const page = await browser.get(orderPath);
  t.match(page.body, 'class="banner cancelled-banner"');
  t.match(page.body, `action="${orderPath}/give"`);
  t.match(page.body, `action="${orderPath}/refund"`);
  t.match(page.body, 'Give $10.00');
  t.notMatch(page.body, 'class="qr"', 'no tickets for an event that will not happen');
  const refund = await browser.post(`${orderPath}/refund`);
  t.equal(refund.headers.location, `${orderPath}?choice=refund`);
  const after = await browser.follow(refund);
  t.match(after.body, 'This order was refunded');
  t.match(after.body, 'Your refund is on its way.');
  t.notMatch(after.body, `action="${orderPath}/give"`);
});
