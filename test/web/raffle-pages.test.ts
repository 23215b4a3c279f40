// Raffles through their pages, as a volunteer and a guest use them without
// JavaScript: set up at a Seoul event (the Korean requirements shown and
// enforced), opened, a bundle sold at the door, a ticket bought online through
// the test checkout, closed (the commitment published), drawn (revealed on the
// projector one prize at a time), claims and redraws, and the public record
// with anonymous winners; bad input changes nothing; strangers are turned away.
import t, { type Test } from 'tap';
import { getCheckout } from '../../src/services/payments.ts';
import { createRaffle, getRaffle, publicRaffle } from '../../src/services/raffles.ts';
import { createUser } from '../../src/services/users.ts';
import { buildTestApp, createRescueFund, testActor, testCheckout, testPassword, type TestApp } from '../helper.ts';
import { addKrwRate, createSeoulEvent } from './api-helpers.ts';
import { FormClient } from './form-client.ts';

t.setTimeout(120_000);

const formToken = (html: string) => /name="form_token" value="([^"]+)"/.exec(html)?.[1] ?? '';
/** The numbers shown in big type, in page order. */
const bigNumbers = (html: string) => [...(/<ul class="raffle-numbers[^"]*">([\s\S]*?)<\/ul>/.exec(html)?.[1] ?? '').matchAll(/<li>(\d+)<\/li>/g)].map((m) => Number(m[1]));

async function setup(t: Test) {
  const ta = await buildTestApp(t, { passwords: true });
  await createRescueFund(ta);
  await addKrwRate(t, ta);
  await createSeoulEvent(t, ta, { endsAt: '2026-12-05T23:00' });
  const org = new FormClient(ta.app, { 'user-agent': 'Phone' });
  await org.login('organizer@example.test', testPassword);
  return { ta, org };
}

const setupForm = {
  title: 'Game night raffle',
  rules: 'One draw at 21:30 at the bar. Prizes must be collected within 30 days.',
  entry: 'paid',
  jurisdiction: 'KR',
  licence: '',
  authority: '',
  age_limit: '19',
  draw_at: '2026-12-05T21:30',
  draw_place: 'Blue Pub, Seoul',
  claim_days: '30',
  price: '5,000',
  bundle_qty_0: '3',
  bundle_price_0: '10000',
  max_tickets: '100',
  prize_name_0: 'Board game bundle',
  prize_description_0: 'Five party games',
  prize_donor_0: 'Dice Café',
  prize_value_0: '80000',
  prize_name_1: 'Film poster',
  prize_name_2: 'Coffee voucher',
  prize_value_2: '10000',
};

function taken(ta: TestApp, id: string): number {
  return getRaffle(ta.services, id).taken;
}

t.test('a volunteer runs a paid raffle from setup to draw, and a guest buys a ticket', async (t) => {
  const { ta, org } = await setup(t);

  // ---- setup: the Korean requirements are shown, and enforced before sales open
  const eventPage = await org.get('/admin/events/game-night');
  t.match(eventPage.body, 'href="/admin/events/game-night/raffles/new"', 'the event page offers a new raffle');
  const blank = await org.get('/admin/events/game-night/raffles/new');
  t.equal(blank.statusCode, 200);
  t.match(blank.body, 'What South Korea asks before paid tickets may be sold');
  t.match(blank.body, 'Selling lottery or raffle tickets without a statutory basis is a crime in Korea');
  t.match(blank.body, 'Licence or permit number, Issuing authority, Age limit, Where the draw takes place');
  t.match(blank.body, /name="jurisdiction" list="jurisdictions" value="KR"/, 'the venue’s country by default');
  t.match(blank.body, '<option value="CA-BC">', 'the suggested jurisdictions');
  t.match(blank.body, /name="age_limit" type="text" value="19"/, 'the Korean minimum age');

  const checked = await org.post('/admin/events/game-night/raffles/new', { ...setupForm, jurisdiction: 'CA-BC', action: 'check' });
  t.equal(checked.statusCode, 200);
  t.match(checked.body, 'What Canada asks', 'the box follows the jurisdiction typed');
  t.match(checked.body, 'value="Game night raffle"', 'and keeps what was typed');

  const bad = await org.post('/admin/events/game-night/raffles/new', { ...setupForm, title: '', price: 'lots', bundle_qty_0: '', prize_name_0: '' });
  t.equal(bad.statusCode, 400);
  t.match(bad.body, 'Give the raffle a title');
  t.match(bad.body, 'Enter an amount such as 25');
  t.match(bad.body, 'Enter how many tickets the bundle holds, or clear its price');
  t.match(bad.body, 'Name the prize, or clear its row');
  t.match(bad.body, 'value="Dice Café"', 'the input is kept');

  const created = await org.post('/admin/events/game-night/raffles/new', setupForm);
  t.equal(created.statusCode, 303, created.body.slice(0, 500));
  const id = /\/admin\/raffles\/(raf_[^?]+)\?done=created/.exec(String(created.headers.location))?.[1] ?? '';
  t.ok(id, 'to the raffle’s console page');
  let page = await org.follow(created);
  t.match(page.body, 'The raffle was set up as a draft');
  t.match(page.body, 'A licence or permit number is required in South Korea');
  t.match(page.body, 'Name the authority that issued the licence');
  t.notMatch(page.body, 'Set the age limit', 'what was given is not asked again');
  t.equal((await ta.app.inject(`/raffles/${id}`)).statusCode, 404, 'a draft is not public');

  const early = await org.post(`/admin/raffles/${id}/open`);
  t.equal(early.statusCode, 422);
  t.match(early.body, 'Paid ticket sales cannot open yet in South Korea');
  t.equal(getRaffle(ta.services, id).raffle.status, 'draft');

  const edit = await org.get(`/admin/raffles/${id}/edit`);
  t.equal(edit.statusCode, 200);
  t.match(edit.body, 'value="2026-12-05T21:30"', 'the draw time in the event’s zone');
  t.match(edit.body, /name="price" type="text" value="5000"/);
  t.match(edit.body, /name="bundle_qty_0" type="text" value="3"/);
  const saved = await org.post(`/admin/raffles/${id}/edit`, { ...setupForm, licence: 'Yongsan 2026-117', authority: 'Yongsan-gu Office' });
  t.equal(saved.statusCode, 303, saved.body.slice(0, 500));
  page = await org.follow(saved);
  t.notMatch(page.body, 'A licence or permit number is required');
  t.match(page.body, 'Licence Yongsan 2026-117');

  const opened = await org.post(`/admin/raffles/${id}/open`);
  t.equal(opened.statusCode, 303);
  page = await org.follow(opened);
  t.match(page.body, 'Sales are open');
  t.match(page.body, 'Sold: 1 ticket — ₩5,000');
  t.match(page.body, 'Sold: 3 tickets — ₩10,000');

  // ---- the door: a bundle of 3, numbered 1 to 3; without the age check nothing is sold
  const token = formToken(page.body);
  const unchecked = await org.post(`/admin/raffles/${id}/door-sales`, { form_token: token, name: 'Door buyer', method: 'cash', quantity: '3' });
  t.equal(unchecked.statusCode, 400);
  t.match(unchecked.body, 'Check that the buyer is 19 or older');
  t.equal(taken(ta, id), 0);
  const sale = await org.post(`/admin/raffles/${id}/door-sales`, { form_token: token, name: 'Door buyer', method: 'cash', quantity: '3', confirmed: 'on' });
  t.equal(sale.statusCode, 303, sale.body.slice(0, 500));
  const again = await org.post(`/admin/raffles/${id}/door-sales`, { form_token: token, name: 'Door buyer', method: 'cash', quantity: '3', confirmed: 'on' });
  t.equal(again.statusCode, 303, 'a double tap sells once');
  page = await org.follow(sale);
  t.match(page.body, 'Sold 3 tickets for ₩10,000.');
  t.same(bigNumbers(page.body), [1, 2, 3], 'the numbers to write on the stubs');
  t.equal(taken(ta, id), 3);

  // ---- a guest online: bad input re-renders and buys nothing, then one ticket through the test checkout
  const event = await ta.app.inject('/events/game-night');
  t.match(event.body, `href="/raffles/${id}"`, 'the public event page lists the raffle');
  const guest = new FormClient(ta.app);
  const pub = await guest.get(`/raffles/${id}`);
  t.equal(pub.statusCode, 200);
  t.match(pub.body, 'Yongsan 2026-117');
  t.match(pub.body, 'issued by Yongsan-gu Office');
  t.match(pub.body, '19 or older');
  t.match(pub.body, 'Winners have 30 days after the draw to claim their prize.');
  t.match(pub.body, /Board game bundle[\s\S]*worth ₩80,000[\s\S]*Donated by Dice Café[\s\S]*Film poster[\s\S]*Coffee voucher/, 'prizes in order');
  t.match(pub.body, /type="radio" name="quantity" value="1" checked> 1 ticket — ₩5,000/);
  t.match(pub.body, /type="radio" name="quantity" value="3" > 3 tickets — ₩10,000/);
  t.match(pub.body, /<input type="checkbox" name="public_name" >/, 'naming a winner is off by default');
  t.match(pub.body, /Dec 5, 2026, 9:30\s?PM \(Asia\/Seoul/, 'the draw in the event’s zone');
  const gtoken = formToken(pub.body);
  const buyer = { name: 'Mina Park', email: 'mina@example.org', public_name: 'on' };
  const noConsent = await guest.post(`/raffles/${id}/entries`, { ...buyer, quantity: '1', form_token: gtoken });
  t.equal(noConsent.statusCode, 400);
  t.match(noConsent.body, 'Confirm that you are 19 or older and accept the rules');
  t.match(noConsent.body, 'value="Mina Park"', 'what was typed is kept');
  const notOffered = await guest.post(`/raffles/${id}/entries`, { ...buyer, quantity: '2', confirmed: 'on', form_token: gtoken });
  t.equal(notOffered.statusCode, 400);
  t.match(notOffered.body, 'Choose a bundle this raffle offers: 1, 3 tickets');
  t.equal(taken(ta, id), 3, 'bad input changes nothing');
  const bought = await guest.post(`/raffles/${id}/entries`, { ...buyer, quantity: '1', confirmed: 'on', form_token: gtoken });
  t.equal(bought.statusCode, 303, bought.body.slice(0, 500));
  const checkout = String(bought.headers.location);
  t.match(checkout, /^\/test-checkout\/co_/, 'a local path to the test checkout');
  const waiting = await ta.app.inject(getCheckout(ta.services, checkout.split('/').pop() ?? '').returnPath);
  t.equal(waiting.statusCode, 200);
  t.match(waiting.body, 'Waiting for your payment');
  t.match(waiting.body, `href="${checkout}"`, 'with the way back to the payment');
  const paid = await testCheckout(ta, checkout);
  t.equal(paid.statusCode, 303);
  const entryPath = String(paid.headers.location);
  t.match(entryPath, /^\/raffle-entries\/rfe_/);
  const entry = await guest.get(entryPath);
  t.equal(entry.statusCode, 200);
  t.same(bigNumbers(entry.body), [4], 'the guest’s number, after the door’s three');
  t.match(entry.body, 'Thank you, Mina Park!');
  t.notMatch(entry.body, 'mina@example.org', 'no e-mail on the page');
  t.equal(entry.headers['cache-control'], 'no-store');

  // ---- a refund before closing: the ticket leaves the pool, its number is not reused
  page = await org.get(`/admin/raffles/${id}`);
  const oneMore = await org.post(`/admin/raffles/${id}/door-sales`, { form_token: formToken(page.body), method: 'cash', quantity: '1', confirmed: 'on' });
  page = await org.follow(oneMore);
  t.same(bigNumbers(page.body), [5]);
  const saleId = /sale=(rfe_[^&]+)/.exec(String(oneMore.headers.location))?.[1] ?? '';
  const refundPath = `/admin/raffles/${id}/entries/${saleId}/refund`;
  const refundToken = new RegExp(`action="${refundPath}" novalidate>[\\s\\S]*?name="form_token" value="([^"]+)"`).exec(page.body)?.[1] ?? '';
  const noReason = await org.post(refundPath, { form_token: refundToken, reason: '' });
  t.equal(noReason.statusCode, 400);
  t.match(noReason.body, 'Say why the entry is refunded');
  const refunded = await org.post(refundPath, { form_token: refundToken, reason: 'Sold by mistake' });
  t.equal(refunded.statusCode, 303, refunded.body.slice(0, 300));
  t.match((await org.follow(refunded)).body, 'The entry was refunded');
  t.equal(taken(ta, id), 4);

  // ---- close: confirmed, then the pool and the commitment are public
  const unconfirmed = await org.post(`/admin/raffles/${id}/close`, {});
  t.equal(unconfirmed.statusCode, 400);
  t.match(unconfirmed.body, 'Tick the box to confirm');
  t.equal(getRaffle(ta.services, id).raffle.status, 'open');
  const closed = await org.post(`/admin/raffles/${id}/close`, { confirm: 'on' });
  t.equal(closed.statusCode, 303);
  page = await org.follow(closed);
  const commitment = getRaffle(ta.services, id).raffle.commitment ?? '';
  t.match(commitment, /^[0-9a-f]{64}$/);
  t.match(page.body, commitment, 'the console shows the commitment');
  let pubPage = await ta.app.inject(`/raffles/${id}`);
  t.match(pubPage.body, commitment, 'the public page shows the commitment');
  t.match(pubPage.body, '4 tickets are in the draw: numbers 1–4.');
  t.match(pubPage.body, 'published its fingerprint above', 'with a sentence explaining it');
  t.notMatch(pubPage.body, 'name="quantity"', 'no more sales');
  t.equal((await guest.post(`/raffles/${id}/entries`, { ...buyer, quantity: '1', confirmed: 'on', form_token: 'a-fresh-form-token-0001' })).statusCode, 422, 'a late purchase is refused');

  // ---- draw: to the projector, which reveals the winners one by one, last prize first
  const drawn = await org.post(`/admin/raffles/${id}/draw`);
  t.equal(drawn.statusCode, 303);
  t.equal(drawn.headers.location, `/admin/raffles/${id}/projector`);
  const seed = getRaffle(ta.services, id).raffle.seed ?? '';
  let projector = await org.follow(drawn);
  t.equal(projector.statusCode, 200);
  t.notMatch(projector.body, 'console-nav', 'no console chrome');
  t.match(projector.body, commitment);
  t.match(projector.body, `href="/admin/raffles/${id}/projector?shown=1"`);
  t.match(projector.body, 'Reveal next prize: Coffee voucher');
  t.notMatch(projector.body, seed, 'the seed comes at the end');
  projector = await org.get(`/admin/raffles/${id}/projector?shown=1`);
  t.match(projector.body, /<span class="prize">Coffee voucher<\/span>/);
  t.notMatch(projector.body, /<span class="prize">Board game bundle<\/span>/);
  t.match(projector.body, 'Reveal next prize: Film poster');
  projector = await org.get(`/admin/raffles/${id}/projector?shown=3`);
  t.match(projector.body, /<span class="prize">Board game bundle<\/span>/);
  t.match(projector.body, seed, 'and the seed once every prize is shown');
  t.notMatch(projector.body, 'Reveal next prize');
  t.equal((await org.post(`/admin/raffles/${id}/draw`)).statusCode, 409, 'a draw runs once');

  // ---- the public record: seed, winners, and Anonymous for those who did not agree to be named
  const record = publicRaffle(ta.services, getRaffle(ta.services, id));
  pubPage = await ta.app.inject(`/raffles/${id}`);
  t.match(pubPage.body, seed);
  t.match(pubPage.body, commitment);
  t.match(pubPage.body, 'href="/docs/raffle-draw"');
  t.match(pubPage.body, `href="/api/v1/raffles/${id}"`);
  for (const w of record.winners ?? []) {
    const name = w.ticketNumber === 4 ? 'Mina P.' : 'Anonymous';
    t.match(pubPage.body, new RegExp(`${w.prizeName}</td>\\s*<td class="num"><strong>${w.ticketNumber}</strong></td>\\s*<td>${name}</td>`), `prize ${w.prize}: ticket ${w.ticketNumber}, ${name}`);
  }
  t.match(pubPage.body, 'Anonymous', 'the door buyer wins at least one prize and is not named');
  t.notMatch(pubPage.body, 'Door buyer');
  t.notMatch(pubPage.body, 'Mina Park', 'never the whole name');
  const doc = await ta.app.inject('/docs/raffle-draw');
  t.equal(doc.statusCode, 200);
  t.match(doc.body, 'How Lantern draws raffle winners');
  t.match(doc.body, '<h2>3. Recompute: the algorithm</h2>');

  // ---- claims and a redraw
  const claimed = await org.post(`/admin/raffles/${id}/prizes/0/claim`);
  t.equal(claimed.statusCode, 303);
  t.equal((await org.post(`/admin/raffles/${id}/prizes/0/redraw`)).statusCode, 409, 'a claimed prize is not drawn again');
  const before = record.winners?.[1]?.ticketNumber;
  const redrawn = await org.post(`/admin/raffles/${id}/prizes/1/redraw`);
  t.equal(redrawn.statusCode, 303);
  page = await org.follow(redrawn);
  t.match(page.body, 'The prize was drawn again.');
  const after = publicRaffle(ta.services, getRaffle(ta.services, id));
  t.not(after.winners?.[1]?.ticketNumber, before, 'another ticket wins the prize');
  pubPage = await ta.app.inject(`/raffles/${id}`);
  t.match(pubPage.body, 'not claimed: drawn again', 'the public record shows the redraw');
  t.equal((await org.post(`/admin/raffles/${id}/prizes/x/claim`)).statusCode, 404);

  // ---- strangers
  const sponsor = new FormClient(ta.app);
  await createUser(ta.services, testActor, { email: 'sponsor2@example.test', role: 'sponsor', password: testPassword });
  await sponsor.login('sponsor2@example.test', testPassword);
  await createUser(ta.services, testActor, { email: 'stranger@example.test', role: 'organizer', password: testPassword });
  const stranger = new FormClient(ta.app);
  await stranger.login('stranger@example.test', testPassword);
  for (const who of [sponsor, stranger]) {
    for (const url of [`/admin/raffles/${id}`, `/admin/raffles/${id}/projector`, `/admin/raffles/${id}/edit`, '/admin/events/game-night/raffles/new']) {
      t.equal((await who.get(url)).statusCode, 403, url);
    }
  }
  await stranger.get('/admin');
  t.equal((await stranger.post(`/admin/raffles/${id}/prizes/2/redraw`)).statusCode, 403);
});

t.test('a free sign-up draw and a draw for checked-in guests', async (t) => {
  const { ta, org } = await setup(t);
  const signup = await createRaffle(ta.services, testActor, {
    title: 'Poster draw',
    eventSlug: 'game-night',
    entry: 'signup',
    rules: 'One entry per person.',
    onePrizePerPerson: false,
    prizes: [{ name: 'Film poster' }],
    open: true,
  });
  const id = signup.raffle.id;
  const guest = new FormClient(ta.app);
  const pub = await guest.get(`/raffles/${id}`);
  t.match(pub.body, 'Enter the draw');
  t.notMatch(pub.body, 'name="quantity"', 'nothing to choose');
  const entered = await guest.post(`/raffles/${id}/entries`, { name: 'Jae Min', email: 'jae@example.org', confirmed: 'on', form_token: formToken(pub.body) });
  t.equal(entered.statusCode, 303, entered.body.slice(0, 400));
  t.match(String(entered.headers.location), /^\/raffle-entries\/rfe_/);
  t.same(bigNumbers((await guest.follow(entered)).body), [1]);
  const twice = await guest.post(`/raffles/${id}/entries`, { name: 'Jae Min', email: 'jae@example.org', confirmed: 'on', form_token: formToken((await guest.get(`/raffles/${id}`)).body) });
  t.equal(twice.statusCode, 409);
  t.match(twice.body, 'You are already in this draw');

  const checkedIn = await createRaffle(ta.services, testActor, { title: 'Door prize', eventSlug: 'game-night', entry: 'checked_in', onePrizePerPerson: false, prizes: [{ name: 'Mug' }], open: true });
  const page = await ta.app.inject(`/raffles/${checkedIn.raffle.id}`);
  t.match(page.body, 'Every guest who checks in at the event is in the draw');
  t.notMatch(page.body, 'name="email"');
  const console = await org.get(`/admin/raffles/${checkedIn.raffle.id}`);
  t.equal(console.statusCode, 200);
  t.notMatch(console.body, 'door-sales', 'a free draw sells nothing at the door');
});
