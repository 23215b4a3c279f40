// Raffles a campaign holds itself, with no event (sold at an office fair, say),
// through the console and public pages: set up from the campaign's page with
// the same form as at an event (no draw among checked-in guests, no venue to
// suggest a jurisdiction or a draw place, the draw time in UTC, the
// campaign's currency), then opened, sold at the door, closed, drawn, shown on
// the projector and on its public page; strangers are turned away.
import t, { type Test } from 'tap';
import { findCampaignBySlug } from '../../src/db/campaigns.ts';
import { getRaffle, rafflesOfCampaign } from '../../src/services/raffles.ts';
import { createUser } from '../../src/services/users.ts';
import { buildTestApp, createRescueFund, testActor, testPassword, type TestApp } from '../helper.ts';
import { FormClient } from './form-client.ts';

t.setTimeout(120_000);

const formToken = (html: string) => /name="form_token" value="([^"]+)"/.exec(html)?.[1] ?? '';
/** The numbers shown in big type, in page order. */
const bigNumbers = (html: string) => [...(/<ul class="raffle-numbers[^"]*">([\s\S]*?)<\/ul>/.exec(html)?.[1] ?? '').matchAll(/<li>(\d+)<\/li>/g)].map((m) => Number(m[1]));

async function setup(t: Test) {
  const ta = await buildTestApp(t, { passwords: true });
  await createRescueFund(ta);
  const org = new FormClient(ta.app);
  await org.login('organizer@example.test', testPassword);
  return { ta, org };
}

function campaignRaffles(ta: TestApp) {
  const c = findCampaignBySlug(ta.db, 'rescue-fund');
  if (!c) throw new Error('no campaign');
  return rafflesOfCampaign(ta.services, c.id);
}

const newPath = '/admin/campaigns/rescue-fund/raffles/new';

const setupForm = {
  title: 'Office fair raffle',
  rules: 'Tickets at the fair stand. The draw is at 17:00 UTC in the lobby.',
  entry: 'paid',
  jurisdiction: 'other',
  licence: '',
  authority: '',
  age_limit: '18',
  draw_at: '2026-11-20T17:00',
  draw_place: 'Head office lobby',
  claim_days: '30',
  price: '5',
  bundle_qty_0: '3',
  bundle_price_0: '12',
  max_tickets: '',
  prize_name_0: 'Weekend for two',
  prize_value_0: '400',
  prize_name_1: 'Coffee machine',
  prize_donor_1: 'Bean & Co',
};

t.test('an organizer runs a campaign’s own raffle from setup to draw', async (t) => {
  const { ta, org } = await setup(t);

  // ---- the campaign page offers it; the form has no event's defaults
  const campaignPage = await org.get('/admin/campaigns/rescue-fund');
  t.equal(campaignPage.statusCode, 200);
  t.match(campaignPage.body, '<section id="raffles">');
  t.match(campaignPage.body, `href="${newPath}"`, 'a New raffle link');
  t.match(campaignPage.body, 'No raffle is held by the campaign itself');

  const blank = await org.get(newPath);
  t.equal(blank.statusCode, 200, blank.body.slice(0, 500));
  t.match(blank.body, 'href="/admin/campaigns/rescue-fund">← Rescue Fund</a>', 'back to the campaign');
  t.match(blank.body, `action="${newPath}"`);
  t.match(blank.body, 'value="Rescue Fund raffle"');
  t.match(blank.body, /name="jurisdiction" list="jurisdictions" value=""/, 'no venue: no jurisdiction suggested');
  t.match(blank.body, /name="draw_place" type="text" value=""/, 'and no draw place');
  t.match(blank.body, /name="age_limit" type="text" value=""/);
  t.match(blank.body, 'Draw date and time (UTC)');
  t.match(blank.body, 'Prices (USD)', 'the campaign’s currency');
  t.match(blank.body, 'name="entry" value="paid" checked');
  t.match(blank.body, 'name="entry" value="signup"');
  t.notMatch(blank.body, 'value="checked_in"', 'no draw among checked-in guests without an event');

  // ---- bad input: every problem at once, nothing saved
  const noJurisdiction = await org.post(newPath, { ...setupForm, jurisdiction: '' });
  t.equal(noJurisdiction.statusCode, 400);
  t.match(noJurisdiction.body, 'Choose where the law applies');
  t.match(noJurisdiction.body, 'value="Head office lobby"', 'what was typed is kept');
  const checkedIn = await org.post(newPath, { ...setupForm, entry: 'checked_in' });
  t.equal(checkedIn.statusCode, 400);
  t.match(checkedIn.body, 'Choose how people enter');
  const badTime = await org.post(newPath, { ...setupForm, draw_at: 'tomorrow' });
  t.equal(badTime.statusCode, 400);
  t.same(campaignRaffles(ta), [], 'nothing was set up');

  const checked = await org.post(newPath, { ...setupForm, jurisdiction: 'US-WA', action: 'check' });
  t.equal(checked.statusCode, 200);
  t.match(checked.body, 'What United States asks', 'the box follows the jurisdiction typed');
  t.same(campaignRaffles(ta), [], 'checking saves nothing');

  // ---- set up: paid, jurisdiction other, 18+, a draw place, a bundle
  const created = await org.post(newPath, setupForm);
  t.equal(created.statusCode, 303, created.body.slice(0, 500));
  const id = /^\/admin\/raffles\/(raf_[^?]+)\?done=created$/.exec(String(created.headers.location))?.[1] ?? '';
  t.ok(id, 'to the raffle’s console page');
  const view = getRaffle(ta.services, id);
  t.equal(view.event, null, 'no event');
  t.equal(view.campaign?.slug, 'rescue-fund');
  t.match(view.raffle, { entry: 'paid', currency: 'USD', jurisdiction: 'other', ageLimit: 18, drawPlace: 'Head office lobby', drawAt: Date.UTC(2026, 10, 20, 17, 0), status: 'draft' });
  t.same(view.bundles, [
    { quantity: 1, price: 500 },
    { quantity: 3, price: 1200 },
  ]);
  t.same(
    view.prizes.map((p) => [p.name, p.value, p.donor]),
    [
      ['Weekend for two', 40_000, null],
      ['Coffee machine', null, 'Bean & Co'],
    ],
  );
  let page = await org.follow(created);
  t.equal(page.statusCode, 200);
  t.match(page.body, 'The raffle was set up as a draft');
  t.match(page.body, 'href="/admin/campaigns/rescue-fund#raffles">← Rescue Fund</a>', 'back to the campaign');
  t.match(page.body, /Nov 20, 2026, 5:00\s?PM \(UTC/, 'the draw time in UTC');
  t.match(page.body, 'This raffle is a draft: nobody else sees it yet.', 'nothing is missing for “other”');
  const listed = await org.get('/admin/campaigns/rescue-fund');
  t.match(listed.body, `href="/admin/raffles/${id}">Office fair raffle</a>`, 'the campaign page lists it');
  t.notMatch(listed.body, 'No raffle is held by the campaign itself');

  // ---- edit: the draw time comes back in UTC, and a change is saved
  const edit = await org.get(`/admin/raffles/${id}/edit`);
  t.equal(edit.statusCode, 200);
  t.match(edit.body, `href="/admin/raffles/${id}">← Office fair raffle</a>`);
  t.match(edit.body, 'value="2026-11-20T17:00"');
  t.match(edit.body, 'Draw date and time (UTC)');
  t.match(edit.body, /name="price" type="text" value="5\.00"/);
  const clearedJurisdiction = await org.post(`/admin/raffles/${id}/edit`, { ...setupForm, jurisdiction: '' });
  t.equal(clearedJurisdiction.statusCode, 400, 'the jurisdiction stays required without an event');
  const saved = await org.post(`/admin/raffles/${id}/edit`, { ...setupForm, draw_at: '2026-11-20T17:30', licence: 'Fair permit 12' });
  t.equal(saved.statusCode, 303, saved.body.slice(0, 500));
  t.equal(getRaffle(ta.services, id).raffle.drawAt, Date.UTC(2026, 10, 20, 17, 30));
  t.equal(getRaffle(ta.services, id).raffle.licence, 'Fair permit 12');

  // ---- open, and sell a bundle at the door
  const opened = await org.post(`/admin/raffles/${id}/open`);
  t.equal(opened.statusCode, 303, opened.body.slice(0, 500));
  page = await org.follow(opened);
  t.match(page.body, 'Sales are open');
  t.match(page.body, 'Sold: 1 ticket — $5.00');
  t.match(page.body, 'Sold: 3 tickets — $12.00');
  const token = formToken(page.body);
  const unchecked = await org.post(`/admin/raffles/${id}/door-sales`, { form_token: token, name: 'Fair buyer', method: 'cash', quantity: '3' });
  t.equal(unchecked.statusCode, 400);
  t.match(unchecked.body, 'Check that the buyer is 18 or older');
  const sale = await org.post(`/admin/raffles/${id}/door-sales`, { form_token: token, name: 'Fair buyer', method: 'cash', quantity: '3', confirmed: 'on' });
  t.equal(sale.statusCode, 303, sale.body.slice(0, 500));
  page = await org.follow(sale);
  t.match(page.body, 'Sold 3 tickets for $12.00.');
  t.same(bigNumbers(page.body), [1, 2, 3]);
  t.equal(getRaffle(ta.services, id).taken, 3);

  // ---- the public page: no event, the campaign linked, the draw in UTC
  const guest = new FormClient(ta.app);
  let pub = await guest.get(`/raffles/${id}`);
  t.equal(pub.statusCode, 200, pub.body.slice(0, 500));
  t.match(pub.body, 'href="/campaigns/rescue-fund"', 'the campaign it raises money for');
  t.notMatch(pub.body, 'href="/events/', 'no event');
  t.match(pub.body, '18 or older');
  t.match(pub.body, 'Fair permit 12');
  t.match(pub.body, /Nov 20, 2026, 5:30\s?PM \(UTC/);
  t.match(pub.body, /type="radio" name="quantity" value="3" > 3 tickets — \$12\.00/);

  // ---- close, draw, the projector
  const closed = await org.post(`/admin/raffles/${id}/close`, { confirm: 'on' });
  t.equal(closed.statusCode, 303, closed.body.slice(0, 500));
  page = await org.follow(closed);
  const commitment = getRaffle(ta.services, id).raffle.commitment ?? '';
  t.match(commitment, /^[0-9a-f]{64}$/);
  t.match(page.body, commitment);
  const drawn = await org.post(`/admin/raffles/${id}/draw`);
  t.equal(drawn.statusCode, 303, drawn.body.slice(0, 500));
  t.equal(drawn.headers.location, `/admin/raffles/${id}/projector`);
  const seed = getRaffle(ta.services, id).raffle.seed ?? '';
  let projector = await org.follow(drawn);
  t.equal(projector.statusCode, 200);
  t.match(projector.body, 'Reveal next prize: Coffee machine', 'the last prize first');
  projector = await org.get(`/admin/raffles/${id}/projector?shown=2`);
  t.match(projector.body, /<span class="prize">Weekend for two<\/span>/);
  t.match(projector.body, seed);
  page = await org.get(`/admin/raffles/${id}`);
  t.equal(page.statusCode, 200);
  t.match(page.body, 'Prizes may be claimed until Dec 1, 2026.', '30 days after the draw (the test clock’s Nov 1)');

  pub = await guest.get(`/raffles/${id}`);
  t.equal(pub.statusCode, 200);
  t.match(pub.body, seed, 'the public record after the draw');
  t.match(pub.body, /Weekend for two<\/td>\s*<td class="num"><strong>[123]<\/strong><\/td>\s*<td>Anonymous<\/td>/);
  t.notMatch(pub.body, 'Fair buyer');
});

t.test('a campaign’s own free sign-up draw', async (t) => {
  const { ta, org } = await setup(t);
  await org.get(newPath);
  const created = await org.post(newPath, { title: 'Lunch draw', entry: 'signup', jurisdiction: 'other', price: '5', prize_name_0: 'Lunch with the director' });
  t.equal(created.statusCode, 303, created.body.slice(0, 500));
  const id = /\/admin\/raffles\/(raf_[^?]+)/.exec(String(created.headers.location))?.[1] ?? '';
  t.match(getRaffle(ta.services, id).raffle, { entry: 'signup', eventId: null, drawPlace: null, bundles: '[]' });
  t.equal((await org.post(`/admin/raffles/${id}/open`)).statusCode, 303);
  const guest = new FormClient(ta.app);
  const pub = await guest.get(`/raffles/${id}`);
  t.match(pub.body, 'Enter the draw');
  const entered = await guest.post(`/raffles/${id}/entries`, { name: 'Jae Min', email: 'jae@example.org', form_token: formToken(pub.body) });
  t.equal(entered.statusCode, 303, entered.body.slice(0, 400));
  t.same(bigNumbers((await guest.follow(entered)).body), [1]);
});

t.test('sponsors and organizers of other campaigns cannot set one up', async (t) => {
  const { ta } = await setup(t);
  const sponsor = new FormClient(ta.app);
  await sponsor.login('sponsor@example.test', testPassword);
  await createUser(ta.services, testActor, { email: 'stranger@example.test', role: 'organizer', password: testPassword });
  const stranger = new FormClient(ta.app);
  await stranger.login('stranger@example.test', testPassword);
  for (const [who, name] of [
    [sponsor, 'sponsor'],
    [stranger, 'unassigned organizer'],
  ] as const) {
    t.equal((await who.get(newPath)).statusCode, 403, `${name}: the form`);
    await who.get('/admin');
    t.equal((await who.post(newPath, setupForm)).statusCode, 403, `${name}: sending it`);
  }
  t.same(campaignRaffles(ta), [], 'nothing was set up');

  const admin = new FormClient(ta.app);
  await admin.login('admin@example.test', testPassword);
  t.equal((await admin.get(newPath)).statusCode, 200, 'an admin may');
  t.equal((await admin.get('/admin/campaigns/no-such-fund/raffles/new')).statusCode, 404);
  const created = await admin.post(newPath, setupForm);
  t.equal(created.statusCode, 303, created.body.slice(0, 500));
  const id = /\/admin\/raffles\/(raf_[^?]+)/.exec(String(created.headers.location))?.[1] ?? '';
  for (const url of [`/admin/raffles/${id}`, `/admin/raffles/${id}/edit`, `/admin/raffles/${id}/projector`]) {
    t.equal((await stranger.get(url)).statusCode, 403, `the unassigned organizer: ${url}`);
  }
  const org = new FormClient(ta.app);
  await org.login('organizer@example.test', testPassword);
  t.equal((await org.get(`/admin/raffles/${id}`)).statusCode, 200, 'the campaign’s organizer runs it');
});
