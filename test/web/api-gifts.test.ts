// JSON API v1, money in: offline gifts (POST /campaigns/:slug/gifts), the
// admin gift list (GET /campaigns/:slug/gifts), guest donations through the
// test provider (POST /campaigns/:slug/donations, then the checkout page),
// refunds (POST /gifts/:id/refunds) and idempotent replays of all three.
import t, { type Test } from 'tap';
import { FormClient } from './form-client.ts';
import { buildTestApp, createRescueFund, type TestApp, testCheckout } from '../helper.ts';
import {
  addPledge,
  addRate,
  cad,
  checkoutPath,
  donate,
  donationPost,
  expectProblem,
  getCampaign,
  giftById,
  giftPost,
  krw,
  listGifts,
  offline,
  refund,
  refundPost,
  START,
  totals,
  usd,
  verifyClean,
  type AdminGiftJson,
  type DonationJson,
  type GiftJson,
  type PledgeJson,
} from './api-helpers.ts';

/** The sponsor of these tests' pledges: anonymous, so shown without a name. */
const SECRET_SAM = { sponsor: { name: 'Secret Sam', email: 'sam@sponsor.test' }, anonymous: true };

/** The Rescue Fund with its anonymous 1:1 sponsor capped at 50 rescues (15,000 USD). */
async function rescueFundWithSponsor(t: Test): Promise<{ ta: TestApp; pledge: PledgeJson }> {
  const ta = await buildTestApp(t);
  await createRescueFund(ta);
  const pledge = await addPledge(ta, { ...SECRET_SAM, capUnits: 50 });
  t.strictSame(pledge.remaining, usd(1_500_000), '50 rescues × 300 USD = 15,000 USD of matching');
  return { ta, pledge };
}

// ---------------------------------------------------------------- offline gifts

t.test('POST /campaigns/:slug/gifts records an offline gift that succeeds at once and is matched', async (t) => {
  const { ta, pledge } = await rescueFundWithSponsor(t);
  const res = await giftPost(ta, {
    amount: usd(10_000),
    donor: { name: 'Ada Park', email: 'Ada@Donor.test' },
    anonymous: false,
    method: 'cash',
    comment: 'For the next rescue',
    note: 'cash box, screening night',
  });
  t.equal(res.statusCode, 201);
  t.match(String(res.headers['content-type']), /^application\/json/);
  const g = res.json<GiftJson>();
  t.match(g.id, /\S/);
  t.strictSame(g, {
    id: g.id,
    status: 'succeeded',
    amount: usd(10_000),
    campaignAmount: usd(10_000),
    rate: null,
    matched: usd(10_000),
    refunded: usd(0),
    feeCover: usd(0),
    feeCoverRefunded: usd(0),
  });

  const c = await getCampaign(ta);
  t.strictSame(totals(c), { raised: 10_000, matched: 10_000, total: 20_000, donorCount: 1, giftCount: 1 });
  t.strictSame(c.matches[0]?.allocated, usd(10_000));
  t.strictSame(c.matches[0]?.remaining, usd(1_490_000));
  t.equal(c.matches[0]?.id, pledge.id);

  const listed = await giftById(ta, g.id);
  t.strictSame(listed, {
    ...g,
    donor: { name: 'Ada Park', email: 'ada@donor.test' },
    anonymous: false,
    comment: 'For the next rescue',
    source: 'offline',
    method: 'cash',
    createdAt: START,
    succeededAt: START,
  }, 'the admin list has the donor details, e-mail lower-cased');

  // Every method, an organizer may enter them, a past receivedAt is accepted.
  for (const method of ['cheque', 'bank_transfer', 'other'] as const) {
    const r = await giftPost(ta, { amount: usd(1_000), donor: { name: 'Org' }, method, receivedAt: '2026-10-30T09:00:00Z' }, { role: 'organizer' });
    t.equal(r.statusCode, 201, `method ${method}`);
    t.equal(r.json<GiftJson>().matched.amount, 0, 'received before the pledge started: not matched');
  }
  // A gift at an event is counted with source "event".
  const atEvent = await offline(ta, usd(500), { name: 'Raffle' }, { eventId: 'evt-game-night' });
  t.equal((await giftById(ta, atEvent.id)).source, 'event');
  t.strictSame(totals(await getCampaign(ta)), { raised: 13_500, matched: 10_500, total: 24_000, donorCount: 5, giftCount: 5 });
  await verifyClean(t, ta);
});

t.test('donorCount counts distinct e-mails and each gift without e-mail as its own donor', async (t) => {
  const ta = await buildTestApp(t);
  await createRescueFund(ta);
  await offline(ta, usd(10_000), { name: 'Ada', email: 'ada@donor.test' });
  await offline(ta, usd(5_000), { name: 'Ada again', email: 'ADA@DONOR.TEST' });
  await offline(ta, usd(2_000), { name: 'Bo', email: 'bo@donor.test' });
  await offline(ta, usd(1_000), { name: 'Cash box' });
  await offline(ta, usd(1_000), { name: 'Cash box' });
  t.strictSame(totals(await getCampaign(ta)), { raised: 19_000, matched: 0, total: 19_000, donorCount: 4, giftCount: 5 });

  // An online gift from a known address is the same donor.
  const d = await donate(ta, usd(2_500), { name: 'Ada online', email: 'ada@donor.test' });
  t.equal((await testCheckout(ta, checkoutPath(d), 'pay')).statusCode, 303);
  t.strictSame(totals(await getCampaign(ta)), { raised: 21_500, matched: 0, total: 21_500, donorCount: 4, giftCount: 6 });
  await verifyClean(t, ta);
});

t.test('POST /campaigns/:slug/gifts refuses bad input with the failing field and changes nothing', async (t) => {
  const { ta } = await rescueFundWithSponsor(t);
  await offline(ta, usd(1_000));
  const before = await getCampaign(ta);
  const good = { amount: usd(5_000), donor: { name: 'Ada', email: 'ada@donor.test' }, method: 'cash' };
  const cases: { name: string; body: Record<string, unknown>; fields: string[] }[] = [
    { name: 'negative amount', body: { ...good, amount: usd(-5_000) }, fields: ['amount.amount'] },
    { name: 'zero amount', body: { ...good, amount: usd(0) }, fields: ['amount.amount'] },
    { name: 'fractional minor units', body: { ...good, amount: usd(50.5) }, fields: ['amount.amount'] },
    { name: 'amount as a string', body: { ...good, amount: { amount: '5000', currency: 'USD' } }, fields: ['amount.amount'] },
    { name: 'amount as a formatted string', body: { ...good, amount: { amount: '50.00', currency: 'USD' } }, fields: ['amount.amount'] },
    { name: 'amount over 1,000,000,000 USD', body: { ...good, amount: usd(100_000_000_001) }, fields: ['amount.amount'] },
    { name: 'amount over 1,000,000,000 KRW', body: { ...good, amount: krw(1_000_000_001) }, fields: ['amount.amount'] },
    { name: 'amount as a bare number', body: { ...good, amount: 5_000 }, fields: ['amount'] },
    { name: 'amount missing', body: { donor: good.donor, method: 'cash' }, fields: ['amount'] },
    { name: 'lower-case currency', body: { ...good, amount: { amount: 5_000, currency: 'usd' } }, fields: ['amount.currency'] },
    { name: 'unsupported currency', body: { ...good, amount: { amount: 5_000, currency: 'XYZ' } }, fields: ['amount.currency'] },
    { name: 'currency symbol', body: { ...good, amount: { amount: 5_000, currency: '$' } }, fields: ['amount.currency'] },
    { name: 'currency missing', body: { ...good, amount: { amount: 5_000 } }, fields: ['amount.currency'] },
    { name: 'unknown field in amount', body: { ...good, amount: { amount: 5_000, currency: 'USD', major: 50 } }, fields: ['amount.major'] },
    { name: 'donor name empty', body: { ...good, donor: { name: '' } }, fields: ['donor.name'] },
    { name: 'donor name blank', body: { ...good, donor: { name: '   ' } }, fields: ['donor.name'] },
    { name: 'donor missing', body: { amount: usd(5_000), method: 'cash' }, fields: ['donor'] },
    { name: 'bad e-mail', body: { ...good, donor: { name: 'Ada', email: 'ada-at-donor.test' } }, fields: ['donor.email'] },
    { name: 'e-mail without a domain', body: { ...good, donor: { name: 'Ada', email: 'ada@' } }, fields: ['donor.email'] },
    { name: 'unknown donor field', body: { ...good, donor: { name: 'Ada', phone: '555' } }, fields: ['donor.phone'] },
    { name: 'unknown method', body: { ...good, method: 'card' }, fields: ['method'] },
    { name: 'method missing', body: { amount: usd(5_000), donor: { name: 'Ada' } }, fields: ['method'] },
    { name: 'anonymous not a boolean', body: { ...good, anonymous: 'yes' }, fields: ['anonymous'] },
    { name: 'receivedAt not a date', body: { ...good, receivedAt: 'yesterday' }, fields: ['receivedAt'] },
    { name: 'receivedAt without a time', body: { ...good, receivedAt: '2026-10-30' }, fields: ['receivedAt'] },
    { name: 'receivedAt in the future', body: { ...good, receivedAt: '2026-11-02T12:00:00Z' }, fields: ['receivedAt'] },
    { name: 'unknown field', body: { ...good, tip: 5 }, fields: ['tip'] },
  ];
  for (const c of cases) {
    await t.test(c.name, async (t) => {
      expectProblem(t, await giftPost(ta, c.body), 400, c.fields);
    });
  }
  // A value below one minor unit of the campaign currency (1 KRW ≈ 0.074 cents).
  await addRate(ta, 'KRW', '0.00074');
  expectProblem(t, await giftPost(ta, { ...good, amount: krw(1) }), 400, ['amount']);
  expectProblem(t, await giftPost(ta, good, { slug: 'Rescue_Fund' }), 400, ['slug']);
  expectProblem(t, await giftPost(ta, good, { slug: 'no-such-fund' }), 404);

  t.strictSame(await getCampaign(ta), before, 'totals and pledges unchanged');
  t.equal((await listGifts(ta)).length, 1, 'still one gift');
  await verifyClean(t, ta);
});

t.test('offline gifts and the gift list need an admin or organizer token', async (t) => {
  const ta = await buildTestApp(t);
  await createRescueFund(ta);
  const body = { amount: usd(5_000), donor: { name: 'Ada', email: 'ada@donor.test' }, method: 'cash' };
  const url = '/api/v1/campaigns/rescue-fund/gifts';
  expectProblem(t, await ta.app.inject({ method: 'POST', url, payload: body }), 401);
  expectProblem(t, await ta.app.inject({ method: 'POST', url, payload: body, headers: { authorization: 'Bearer wrong-token' } }), 401);
  expectProblem(t, await giftPost(ta, body, { role: 'sponsor' }), 403);
  t.strictSame(totals(await getCampaign(ta)), { raised: 0, matched: 0, total: 0, donorCount: 0, giftCount: 0 }, 'nothing recorded');

  expectProblem(t, await ta.app.inject({ method: 'GET', url }), 401);
  expectProblem(t, await ta.app.inject({ method: 'GET', url, headers: { authorization: 'Bearer wrong-token' } }), 401);
  expectProblem(t, await ta.app.inject({ method: 'GET', url, headers: ta.auth('sponsor') }), 403);
  const byOrganizer = await ta.app.inject({ method: 'GET', url, headers: ta.auth('organizer') });
  t.equal(byOrganizer.statusCode, 200);
  t.strictSame(byOrganizer.json<{ gifts: AdminGiftJson[] }>(), { gifts: [] });
});

t.test('offline gifts to a closed campaign are refused with 409; a draft campaign may record them', async (t) => {
  const ta = await buildTestApp(t);
  await createRescueFund(ta, { status: 'closed' });
  const body = { amount: usd(5_000), donor: { name: 'Ada' }, method: 'cash' };
  expectProblem(t, await giftPost(ta, body), 409);
  t.strictSame(await listGifts(ta), []);
  t.strictSame(totals(await getCampaign(ta)), { raised: 0, matched: 0, total: 0, donorCount: 0, giftCount: 0 });
});

t.test('GET /campaigns/:slug/gifts lists every gift with donor details, paged', async (t) => {
  const ta = await buildTestApp(t);
  await createRescueFund(ta);
  for (let i = 1; i <= 5; i++) {
    ta.clock.now += 1_000;
    await offline(ta, usd(i * 100), { name: `Donor ${i}`, email: `donor${i}@donor.test` }, { anonymous: i % 2 === 0 });
  }
  ta.clock.now += 1_000;
  const d = await donate(ta, usd(700), { name: 'Pending Pat', email: 'pat@donor.test' });
  const all = await listGifts(ta);
  t.equal(all.length, 6, 'pending gifts are listed too');
  t.strictSame(all.map((g) => g.amount.amount), [700, 500, 400, 300, 200, 100], 'newest first');
  t.strictSame(all.map((g) => g.donor.email), ['pat@donor.test', 'donor5@donor.test', 'donor4@donor.test', 'donor3@donor.test', 'donor2@donor.test', 'donor1@donor.test']);
  t.strictSame(all.map((g) => g.anonymous), [false, false, true, false, true, false]);
  const pending = all[0];
  t.match(pending, { id: d.id, status: 'pending', source: 'online', method: 'test', campaignAmount: null, succeededAt: null });
  t.strictSame((await listGifts(ta, 'rescue-fund', '?limit=2')).map((g) => g.amount.amount), [700, 500]);
  t.strictSame((await listGifts(ta, 'rescue-fund', '?limit=2&offset=4')).map((g) => g.amount.amount), [200, 100]);
  t.strictSame(await listGifts(ta, 'rescue-fund', '?offset=10'), []);

  const url = '/api/v1/campaigns/rescue-fund/gifts';
  for (const [query, field] of [['?limit=0', 'limit'], ['?limit=501', 'limit'], ['?limit=abc', 'limit'], ['?offset=-1', 'offset'], ['?page=2', 'page']] as const) {
    expectProblem(t, await ta.app.inject({ method: 'GET', url: `${url}${query}`, headers: ta.auth('admin') }), 400, [field]);
  }
  expectProblem(t, await ta.app.inject({ method: 'GET', url: '/api/v1/campaigns/no-such-fund/gifts', headers: ta.auth('admin') }), 404);
  expectProblem(t, await ta.app.inject({ method: 'GET', url: '/api/v1/campaigns/NO/gifts', headers: ta.auth('admin') }), 400, ['slug']);
});

// ------------------------------------------------------------- currencies

t.test('a gift in a currency without a rate is refused (422); with a rate it is converted half to even', async (t) => {
  const { ta } = await rescueFundWithSponsor(t);
  const krwGift = { amount: krw(50_000), donor: { name: 'Jin', email: 'jin@donor.test' }, method: 'cash' };
  const p = expectProblem(t, await giftPost(ta, krwGift), 422, ['amount.currency']);
  t.match(p.detail, /KRW/);
  expectProblem(t, await donationPost(ta, { amount: krw(50_000), donor: { name: 'Jin', email: 'jin@donor.test' } }), 422, ['amount.currency']);
  t.strictSame(await listGifts(ta), [], 'nothing created');
  t.strictSame(totals(await getCampaign(ta)), { raised: 0, matched: 0, total: 0, donorCount: 0, giftCount: 0 });

  await addRate(ta, 'KRW', '0.00074');
  const g = await offline(ta, krw(50_000), { name: 'Jin', email: 'jin@donor.test' });
  // 50,000 × 0.00074 = 37.00 USD.
  t.strictSame(g, { id: g.id, status: 'succeeded', amount: krw(50_000), campaignAmount: usd(3_700), rate: '0.00074', matched: usd(3_700), refunded: krw(0), feeCover: krw(0), feeCoverRefunded: krw(0) });

  // Half to even at the cent: 10,250 KRW = 758.5 cents → 758; 10,750 KRW = 795.5 cents → 796.
  const down = await offline(ta, krw(10_250));
  t.strictSame(down.campaignAmount, usd(758), '758.5 rounds to the even 758');
  t.strictSame(down.matched, usd(758), 'matched on the converted value');
  const up = await offline(ta, krw(10_750));
  t.strictSame(up.campaignAmount, usd(796), '795.5 rounds to the even 796');
  // 10,001 KRW = 740.074 cents → 740 (not a half: nearest).
  t.strictSame((await offline(ta, krw(10_001))).campaignAmount, usd(740));

  // CAD at 1.35: 0.10 CAD = 13.5 cents → 14; 0.30 CAD = 40.5 cents → 40.
  await addRate(ta, 'CAD', '1.35');
  const c1 = await offline(ta, cad(10));
  t.strictSame([c1.campaignAmount, c1.rate], [usd(14), '1.35']);
  t.strictSame((await offline(ta, cad(30))).campaignAmount, usd(40));

  const c = await getCampaign(ta);
  const raised = 3_700 + 758 + 796 + 740 + 14 + 40;
  t.strictSame(totals(c), { raised, matched: raised, total: 2 * raised, donorCount: 6, giftCount: 6 });

  // A later rate applies to later gifts; earlier gifts keep their frozen value and rate.
  ta.clock.now += 60_000;
  await addRate(ta, 'KRW', '0.0008');
  const later = await offline(ta, krw(50_000));
  t.strictSame([later.campaignAmount, later.rate], [usd(4_000), '0.0008']);
  const first = await giftById(ta, g.id);
  t.strictSame([first.campaignAmount, first.rate], [usd(3_700), '0.00074'], 'the first gift kept its rate');
  await verifyClean(t, ta);
});

// ------------------------------------------------------------- donations

t.test('POST /campaigns/:slug/donations starts a pending gift; paying it at the test checkout counts it', async (t) => {
  const { ta } = await rescueFundWithSponsor(t);
  const res = await donationPost(ta, {
    amount: usd(2_500),
    donor: { name: 'Gina Guest', email: 'Gina@Donor.test' },
    anonymous: true,
    comment: 'Stay safe',
  });
  t.equal(res.statusCode, 201);
  t.match(String(res.headers['content-type']), /^application\/json/);
  const d = res.json<DonationJson>();
  t.strictSame(Object.keys(d).sort(), ['amount', 'charged', 'checkoutUrl', 'feeCover', 'id', 'status']);
  t.equal(d.status, 'pending');
  t.strictSame(d.amount, usd(2_500));
  t.match(d.checkoutUrl, /^http:\/\/lantern\.test\/test-checkout\/[^/]+$/, 'checkoutUrl points at /test-checkout/<id>');
  t.notMatch(res.body, /@|Gina/, 'no e-mail or name in the donation response');

  t.strictSame(totals(await getCampaign(ta)), { raised: 0, matched: 0, total: 0, donorCount: 0, giftCount: 0 }, 'pending counts for nothing');
  const page = await ta.app.inject({ method: 'GET', url: checkoutPath(d) });
  t.equal(page.statusCode, 200);
  t.match(page.body, /TEST MODE/);
  t.notMatch(page.body, /gina@donor\.test/i, 'the checkout page shows no e-mail');

  const paid = await testCheckout(ta, checkoutPath(d), 'pay');
  t.equal(paid.statusCode, 303);
  t.equal(paid.headers.location, `/gifts/${d.id}/thank-you`);
  const c = await getCampaign(ta);
  t.strictSame(totals(c), { raised: 2_500, matched: 2_500, total: 5_000, donorCount: 1, giftCount: 1 });
  const g = await giftById(ta, d.id);
  t.match(g, { status: 'succeeded', source: 'online', method: 'test', anonymous: true, comment: 'Stay safe', campaignAmount: usd(2_500), matched: usd(2_500), succeededAt: START });
  t.strictSame(g.donor, { name: 'Gina Guest', email: 'gina@donor.test' });

  // Paying twice counts once.
  t.equal((await testCheckout(ta, checkoutPath(d), 'pay')).statusCode, 303);
  t.strictSame(totals(await getCampaign(ta)), { raised: 2_500, matched: 2_500, total: 5_000, donorCount: 1, giftCount: 1 });
  const again = await ta.app.inject({ method: 'GET', url: checkoutPath(d) });
  t.match(again.body, /already been paid/);
  await verifyClean(t, ta);
});

t.test('declining at the test checkout fails the gift; paying afterwards does not count', async (t) => {
  const ta = await buildTestApp(t);
  await createRescueFund(ta);
  const d = await donate(ta, usd(4_000));
  const declined = await testCheckout(ta, checkoutPath(d), 'decline');
  t.equal(declined.statusCode, 303);
  t.equal((await giftById(ta, d.id)).status, 'failed');
  t.equal((await testCheckout(ta, checkoutPath(d), 'pay')).statusCode, 303);
  t.equal((await giftById(ta, d.id)).status, 'failed');
  t.strictSame(totals(await getCampaign(ta)), { raised: 0, matched: 0, total: 0, donorCount: 0, giftCount: 0 });
  // A failed gift cannot be refunded.
  expectProblem(t, await refundPost(ta, d.id, {}), 409);
  // An unknown outcome or checkout is not found.
  const browser = new FormClient(ta.app);
  await browser.get('/login');
  t.equal((await browser.post(`${checkoutPath(d)}/steal`)).statusCode, 404);
  t.equal((await ta.app.inject({ method: 'GET', url: '/test-checkout/co_nope' })).statusCode, 404);
});

t.test('a checkout left beyond PENDING_GIFT_MINUTES expires; paying it then does not count', async (t) => {
  const ta = await buildTestApp(t);
  await createRescueFund(ta);
  const early = await donate(ta, usd(1_000), { name: 'Early', email: 'early@donor.test' });
  const late = await donate(ta, usd(2_000), { name: 'Late', email: 'late@donor.test' });

  ta.clock.now += 59 * 60_000;
  t.notMatch((await ta.app.inject({ method: 'GET', url: checkoutPath(early) })).body, /expired/, 'still open at 59 minutes');
  t.equal((await testCheckout(ta, checkoutPath(early), 'pay')).statusCode, 303);
  t.strictSame(totals(await getCampaign(ta)), { raised: 1_000, matched: 0, total: 1_000, donorCount: 1, giftCount: 1 });

  ta.clock.now += 2 * 60_000; // 61 minutes after the start
  const page = await ta.app.inject({ method: 'GET', url: checkoutPath(late) });
  t.equal(page.statusCode, 200);
  t.match(page.body, /expired/i, 'the checkout page says expired');
  t.notMatch(page.body, /\/pay"/, 'and offers no pay button');
  t.equal((await testCheckout(ta, checkoutPath(late), 'pay')).statusCode, 303);
  t.strictSame(totals(await getCampaign(ta)), { raised: 1_000, matched: 0, total: 1_000, donorCount: 1, giftCount: 1 }, 'the late payment did not count');
  t.equal((await giftById(ta, late.id)).status, 'expired');
  t.equal((await giftById(ta, early.id)).status, 'succeeded');
  await verifyClean(t, ta);
});

t.test('donations to a draft, closed, not yet started or ended campaign are refused', async (t) => {
  const ta = await buildTestApp(t);
  const base = { title: 'F', currency: 'USD', goal: usd(100_000) };
  const make = async (slug: string, extra: Record<string, unknown>) => {
    const r = await ta.app.inject({ method: 'POST', url: '/api/v1/campaigns', headers: ta.auth('admin'), payload: { slug, ...base, ...extra } });
    t.equal(r.statusCode, 201, `created ${slug}`);
  };
  await make('draft-fund', { status: 'draft' });
  await make('closed-fund', { status: 'closed' });
  await make('future-fund', { status: 'published', startsAt: '2027-01-01T00:00:00Z' });
  await make('ended-fund', { status: 'published', startsAt: '2026-01-01T00:00:00Z', endsAt: '2026-06-01T00:00:00Z' });
  const body = { amount: usd(2_500), donor: { name: 'Gina', email: 'gina@donor.test' } };
  for (const slug of ['draft-fund', 'closed-fund', 'future-fund', 'ended-fund']) {
    await t.test(slug, async (t) => {
      expectProblem(t, await donationPost(ta, body, { slug }), 409);
      t.strictSame(await listGifts(ta, slug), [], 'no gift created');
    });
  }
  expectProblem(t, await donationPost(ta, body, { slug: 'no-such-fund' }), 404);
  expectProblem(t, await donationPost(ta, body, { slug: 'Bad Slug' }), 400, ['slug']);
});

t.test('POST /campaigns/:slug/donations refuses bad input and creates nothing', async (t) => {
  const ta = await buildTestApp(t);
  await createRescueFund(ta);
  const good = { amount: usd(2_500), donor: { name: 'Gina', email: 'gina@donor.test' } };
  const cases: { name: string; body: Record<string, unknown>; fields: string[] }[] = [
    { name: 'negative amount', body: { ...good, amount: usd(-1) }, fields: ['amount.amount'] },
    { name: 'zero amount', body: { ...good, amount: usd(0) }, fields: ['amount.amount'] },
    { name: 'fractional amount', body: { ...good, amount: usd(25.5) }, fields: ['amount.amount'] },
    { name: 'string amount', body: { ...good, amount: { amount: '2500', currency: 'USD' } }, fields: ['amount.amount'] },
    { name: 'amount over the cap', body: { ...good, amount: usd(100_000_000_001) }, fields: ['amount.amount'] },
    { name: 'lower-case currency', body: { ...good, amount: { amount: 2_500, currency: 'usd' } }, fields: ['amount.currency'] },
    { name: 'unsupported currency', body: { ...good, amount: { amount: 2_500, currency: 'BTC' } }, fields: ['amount.currency'] },
    { name: 'e-mail missing', body: { ...good, donor: { name: 'Gina' } }, fields: ['donor.email'] },
    { name: 'bad e-mail', body: { ...good, donor: { name: 'Gina', email: 'gina at donor' } }, fields: ['donor.email'] },
    { name: 'e-mail with spaces', body: { ...good, donor: { name: 'Gina', email: 'gi na@donor.test' } }, fields: ['donor.email'] },
    { name: 'name empty', body: { ...good, donor: { name: '', email: 'gina@donor.test' } }, fields: ['donor.name'] },
    { name: 'anonymous not a boolean', body: { ...good, anonymous: 'on' }, fields: ['anonymous'] },
    { name: 'comment too long', body: { ...good, comment: 'x'.repeat(1001) }, fields: ['comment'] },
    { name: 'unknown field', body: { ...good, tip: usd(100) }, fields: ['tip'] },
    { name: 'unknown donor field', body: { ...good, donor: { ...good.donor, address: 'Seoul' } }, fields: ['donor.address'] },
    { name: 'a guest cannot pick the method', body: { ...good, method: 'cash' }, fields: ['method'] },
  ];
  for (const c of cases) {
    await t.test(c.name, async (t) => {
      expectProblem(t, await donationPost(ta, c.body), 400, c.fields);
    });
  }
  t.strictSame(await listGifts(ta), [], 'no gift created');
});

// ------------------------------------------------------------- refunds

t.test('refunds: partial then full; the match afterwards equals a replay without the refunded money', async (t) => {
  const ta = await buildTestApp(t);
  await createRescueFund(ta);
  const p = await addPledge(ta, { ...SECRET_SAM, cap: usd(15_000) }); // 1:1 up to 150 USD
  const g1 = await offline(ta, usd(10_000), { name: 'Ada', email: 'ada@donor.test' });
  const g2 = await offline(ta, usd(10_000), { name: 'Bo', email: 'bo@donor.test' });
  const g3 = await offline(ta, usd(8_000), { name: 'Cy', email: 'cy@donor.test' });
  t.strictSame([g1.matched, g2.matched, g3.matched], [usd(10_000), usd(5_000), usd(0)], 'the cap is reached in the second gift');
  t.strictSame(totals(await getCampaign(ta)), { raised: 28_000, matched: 15_000, total: 43_000, donorCount: 3, giftCount: 3 });

  // Partial refund of 40 USD from the first gift: it is matched 60, which frees 40 for the second.
  const r1 = await refundPost(ta, g1.id, { amount: usd(4_000), reason: 'donor asked' });
  t.equal(r1.statusCode, 201);
  t.strictSame(r1.json<GiftJson>(), { id: g1.id, status: 'partially_refunded', amount: usd(10_000), campaignAmount: usd(10_000), rate: null, matched: usd(6_000), refunded: usd(4_000), feeCover: usd(0), feeCoverRefunded: usd(0) });
  t.strictSame((await giftById(ta, g2.id)).matched, usd(9_000), 'the second gift picks up what was freed');
  t.strictSame((await giftById(ta, g3.id)).matched, usd(0));
  let c = await getCampaign(ta);
  t.strictSame(totals(c), { raised: 24_000, matched: 15_000, total: 39_000, donorCount: 3, giftCount: 3 }, 'a partial refund keeps the gift and the donor');
  t.strictSame(c.matches.find((m) => m.id === p.id)?.allocated, usd(15_000));

  // Full refund of the second gift (no amount: everything that remains).
  const r2 = await refund(ta, g2.id);
  t.strictSame(r2, { id: g2.id, status: 'refunded', amount: usd(10_000), campaignAmount: usd(10_000), rate: null, matched: usd(0), refunded: usd(10_000), feeCover: usd(0), feeCoverRefunded: usd(0) });
  t.strictSame((await giftById(ta, g3.id)).matched, usd(8_000), 'the third gift is matched now');
  c = await getCampaign(ta);
  t.strictSame(totals(c), { raised: 14_000, matched: 14_000, total: 28_000, donorCount: 2, giftCount: 2 }, 'a full refund drops the gift and its donor');
  t.match(c.matches.find((m) => m.id === p.id), { allocated: usd(14_000), remaining: usd(1_000), status: 'active' });

  // The same campaign built from scratch with only the money that stayed.
  const fresh = await buildTestApp(t);
  await createRescueFund(fresh);
  await addPledge(fresh, { ...SECRET_SAM, cap: usd(15_000) });
  await offline(fresh, usd(6_000), { name: 'Ada', email: 'ada@donor.test' });
  await offline(fresh, usd(8_000), { name: 'Cy', email: 'cy@donor.test' });
  const replayed = await getCampaign(fresh);
  t.strictSame(totals(c), totals(replayed), 'same totals as the replay');
  t.strictSame(c.matches.map((m) => [m.allocated, m.remaining, m.status]), replayed.matches.map((m) => [m.allocated, m.remaining, m.status]));

  // Refunding more than remains: 400; refunding a refunded gift: 409; nothing changes.
  expectProblem(t, await refundPost(ta, g1.id, { amount: usd(6_001) }), 400, ['amount']);
  expectProblem(t, await refundPost(ta, g2.id, {}), 409);
  expectProblem(t, await refundPost(ta, g2.id, { amount: usd(1) }), 409);
  t.strictSame(totals(await getCampaign(ta)), { raised: 14_000, matched: 14_000, total: 28_000, donorCount: 2, giftCount: 2 });
  t.strictSame((await giftById(ta, g1.id)).refunded, usd(4_000));

  // The rest of the first gift, exactly: the gift is refunded and the match moves on.
  const r3 = await refund(ta, g1.id, usd(6_000));
  t.equal(r3.status, 'refunded');
  t.strictSame(totals(await getCampaign(ta)), { raised: 8_000, matched: 8_000, total: 16_000, donorCount: 1, giftCount: 1 });
  await verifyClean(t, ta);
});

t.test('a full refund keeps a donor who has another counting gift', async (t) => {
  const ta = await buildTestApp(t);
  await createRescueFund(ta);
  const a1 = await offline(ta, usd(1_000), { name: 'Ada', email: 'ada@donor.test' });
  await offline(ta, usd(2_000), { name: 'Ada', email: 'ada@donor.test' });
  const anon = await offline(ta, usd(3_000));
  t.strictSame(totals(await getCampaign(ta)), { raised: 6_000, matched: 0, total: 6_000, donorCount: 2, giftCount: 3 });
  await refund(ta, a1.id);
  t.strictSame(totals(await getCampaign(ta)), { raised: 5_000, matched: 0, total: 5_000, donorCount: 2, giftCount: 2 }, 'Ada still gave');
  await refund(ta, anon.id);
  t.strictSame(totals(await getCampaign(ta)), { raised: 2_000, matched: 0, total: 2_000, donorCount: 1, giftCount: 1 });
  await verifyClean(t, ta);
});

t.test('refunds of a converted gift keep the frozen conversion exact', async (t) => {
  const ta = await buildTestApp(t);
  await createRescueFund(ta);
  await addRate(ta, 'KRW', '0.00074');
  const g = await offline(ta, krw(50_000), { name: 'Jin', email: 'jin@donor.test' });
  t.strictSame(g.campaignAmount, usd(3_700));
  // Refund 49,750 KRW: 250 KRW remain, worth 18.5 cents → 18 (half to even).
  const r = await refund(ta, g.id, krw(49_750));
  t.strictSame(r, { id: g.id, status: 'partially_refunded', amount: krw(50_000), campaignAmount: usd(3_700), rate: '0.00074', matched: usd(0), refunded: krw(49_750), feeCover: krw(0), feeCoverRefunded: krw(0) });
  t.strictSame(totals(await getCampaign(ta)), { raised: 18, matched: 0, total: 18, donorCount: 1, giftCount: 1 });
  // A refund must be in the gift's currency.
  expectProblem(t, await refundPost(ta, g.id, { amount: usd(18) }), 400, ['amount.currency']);
  expectProblem(t, await refundPost(ta, g.id, { amount: krw(251) }), 400, ['amount']);
  // The rest: exactly back to zero.
  t.equal((await refund(ta, g.id)).status, 'refunded');
  t.strictSame(totals(await getCampaign(ta)), { raised: 0, matched: 0, total: 0, donorCount: 0, giftCount: 0 });
  await verifyClean(t, ta);
});

t.test('POST /gifts/:id/refunds refuses bad input and wrong roles, and changes nothing', async (t) => {
  const { ta } = await rescueFundWithSponsor(t);
  const g = await offline(ta, usd(10_000), { name: 'Ada', email: 'ada@donor.test' });
  const before = await getCampaign(ta);
  const cases: { name: string; body: Record<string, unknown>; fields: string[] }[] = [
    { name: 'negative amount', body: { amount: usd(-100) }, fields: ['amount.amount'] },
    { name: 'zero amount', body: { amount: usd(0) }, fields: ['amount.amount'] },
    { name: 'fractional amount', body: { amount: usd(10.5) }, fields: ['amount.amount'] },
    { name: 'string amount', body: { amount: { amount: '100', currency: 'USD' } }, fields: ['amount.amount'] },
    { name: 'over the cap', body: { amount: usd(100_000_000_001) }, fields: ['amount.amount'] },
    { name: 'lower-case currency', body: { amount: { amount: 100, currency: 'usd' } }, fields: ['amount.currency'] },
    { name: 'another currency', body: { amount: cad(100) }, fields: ['amount.currency'] },
    { name: 'more than the gift', body: { amount: usd(10_001) }, fields: ['amount'] },
    { name: 'unknown field', body: { amount: usd(100), all: true }, fields: ['all'] },
    { name: 'reason too long', body: { reason: 'x'.repeat(501) }, fields: ['reason'] },
  ];
  for (const c of cases) {
    await t.test(c.name, async (t) => {
      expectProblem(t, await refundPost(ta, g.id, c.body), 400, c.fields);
    });
  }
  const url = `/api/v1/gifts/${g.id}/refunds`;
  expectProblem(t, await ta.app.inject({ method: 'POST', url, payload: {} }), 401);
  expectProblem(t, await ta.app.inject({ method: 'POST', url, payload: {}, headers: { authorization: 'Bearer forged' } }), 401);
  expectProblem(t, await refundPost(ta, g.id, {}, { role: 'sponsor' }), 403);
  expectProblem(t, await refundPost(ta, g.id, {}, { role: 'organizer' }), 403, []);
  expectProblem(t, await refundPost(ta, 'gift_does_not_exist', {}), 404);

  // A pending online gift cannot be refunded yet.
  const d = await donate(ta, usd(1_000));
  expectProblem(t, await refundPost(ta, d.id, {}), 409);

  t.strictSame(await getCampaign(ta), before, 'totals and pledge unchanged');
  const after = await giftById(ta, g.id);
  t.strictSame([after.status, after.refunded, after.matched], ['succeeded', usd(0), usd(10_000)]);
  await verifyClean(t, ta);
});

// ------------------------------------------------------------- idempotency

t.test('Idempotency-Key on offline gifts: a replay returns the first answer and creates nothing', async (t) => {
  const { ta } = await rescueFundWithSponsor(t);
  const body = { amount: usd(10_000), donor: { name: 'Ada', email: 'ada@donor.test' }, method: 'cash' };
  const first = await giftPost(ta, body, { key: 'gift-key-0001' });
  t.equal(first.statusCode, 201);
  t.notOk(first.headers['idempotent-replayed'], 'the first answer is not a replay');
  const second = await giftPost(ta, body, { key: 'gift-key-0001' });
  t.equal(second.statusCode, 201);
  t.equal(second.headers['idempotent-replayed'], 'true');
  t.strictSame(second.json<GiftJson>(), first.json<GiftJson>(), 'the same body');
  t.equal((await listGifts(ta)).length, 1, 'one gift exists');
  t.strictSame(totals(await getCampaign(ta)), { raised: 10_000, matched: 10_000, total: 20_000, donorCount: 1, giftCount: 1 });

  expectProblem(t, await giftPost(ta, { ...body, amount: usd(10_001) }, { key: 'gift-key-0001' }), 409, ['Idempotency-Key']);
  expectProblem(t, await giftPost(ta, body, { key: 'short' }), 400, ['idempotency-key']);
  t.equal((await listGifts(ta)).length, 1, 'still one gift');

  // A request that failed frees its key for the corrected request.
  expectProblem(t, await giftPost(ta, { ...body, amount: krw(5_000) }, { key: 'gift-key-0002' }), 422);
  t.equal((await giftPost(ta, body, { key: 'gift-key-0002' })).statusCode, 201);
  // Without a key, the same body twice is two gifts.
  await giftPost(ta, body);
  await giftPost(ta, body);
  t.equal((await listGifts(ta)).length, 4);
  t.strictSame(totals(await getCampaign(ta)), { raised: 40_000, matched: 40_000, total: 80_000, donorCount: 1, giftCount: 4 });
  await verifyClean(t, ta);
});

t.test('Idempotency-Key on donations: one pending gift for a repeated request', async (t) => {
  const ta = await buildTestApp(t);
  await createRescueFund(ta);
  const body = { amount: usd(2_500), donor: { name: 'Gina', email: 'gina@donor.test' } };
  const first = await donationPost(ta, body, { key: 'donation-key-1' });
  t.equal(first.statusCode, 201);
  const second = await donationPost(ta, body, { key: 'donation-key-1' });
  t.equal(second.statusCode, 201);
  t.equal(second.headers['idempotent-replayed'], 'true');
  t.strictSame(second.json<DonationJson>(), first.json<DonationJson>(), 'same id and checkoutUrl');
  t.equal((await listGifts(ta)).length, 1, 'one gift exists');
  expectProblem(t, await donationPost(ta, { ...body, anonymous: true }, { key: 'donation-key-1' }), 409);
  t.equal((await listGifts(ta)).length, 1);

  // Paying the replayed checkout counts the one gift once.
  const d = second.json<DonationJson>();
  await testCheckout(ta, checkoutPath(d), 'pay');
  t.strictSame(totals(await getCampaign(ta)), { raised: 2_500, matched: 0, total: 2_500, donorCount: 1, giftCount: 1 });
});

t.test('Idempotency-Key on refunds: a replay refunds once', async (t) => {
  const { ta } = await rescueFundWithSponsor(t);
  const g = await offline(ta, usd(10_000), { name: 'Ada', email: 'ada@donor.test' });
  const first = await refundPost(ta, g.id, { amount: usd(1_000) }, { key: 'refund-key-1' });
  t.equal(first.statusCode, 201);
  const second = await refundPost(ta, g.id, { amount: usd(1_000) }, { key: 'refund-key-1' });
  t.equal(second.statusCode, 201);
  t.equal(second.headers['idempotent-replayed'], 'true');
  t.strictSame(second.json<GiftJson>(), first.json<GiftJson>());
  t.strictSame((await giftById(ta, g.id)).refunded, usd(1_000), 'refunded once');
  t.strictSame(totals(await getCampaign(ta)), { raised: 9_000, matched: 9_000, total: 18_000, donorCount: 1, giftCount: 1 });
  expectProblem(t, await refundPost(ta, g.id, { amount: usd(2_000) }, { key: 'refund-key-1' }), 409);
  t.strictSame((await giftById(ta, g.id)).refunded, usd(1_000));
  await verifyClean(t, ta);
});

// ------------------------------------------------------------- privacy

t.test('donation answers and public campaign JSON never carry an e-mail; the admin list does', async (t) => {
  const { ta } = await rescueFundWithSponsor(t);
  const d = await donationPost(ta, { amount: usd(5_000), donor: { name: 'Hidden Hana', email: 'hana@donor.test' }, anonymous: true });
  t.notMatch(d.body, /@|Hana/);
  await testCheckout(ta, checkoutPath(d.json<DonationJson>()), 'pay');
  await offline(ta, usd(1_000), { name: 'Open Oscar', email: 'oscar@donor.test' });
  for (const url of ['/api/v1/campaigns', '/api/v1/campaigns/rescue-fund']) {
    const res = await ta.app.inject({ method: 'GET', url });
    t.equal(res.statusCode, 200);
    t.notMatch(res.body, /@/, `${url}: no e-mail`);
    t.notMatch(res.body, /Hana|Secret Sam/, `${url}: no hidden name`);
  }
  const admin = await ta.app.inject({ method: 'GET', url: '/api/v1/campaigns/rescue-fund/gifts', headers: ta.auth('admin') });
  t.match(admin.body, /hana@donor\.test/);
  t.match(admin.body, /oscar@donor\.test/);
  t.match(admin.body, /Hidden Hana/, 'the admin sees who gave anonymously');
  expectProblem(t, await ta.app.inject({ method: 'GET', url: '/api/v1/campaigns/rescue-fund/gifts', headers: ta.auth('sponsor') }), 403);
});

// ------------------------------------------------------------- concurrency and timing

t.test('concurrent requests with one Idempotency-Key create one gift', async (t) => {
  const { ta } = await rescueFundWithSponsor(t);
  const body = { amount: usd(2_500), donor: { name: 'Gina', email: 'gina@donor.test' } };
  const answers = await Promise.all(Array.from({ length: 8 }, () => donationPost(ta, body, { key: 'race-key-0001' })));
  const created = answers.filter((r) => r.statusCode === 201);
  t.ok(created.length >= 1, 'at least one answer is the gift');
  for (const r of answers) {
    if (r.statusCode === 201) t.strictSame(r.json<DonationJson>(), created[0]?.json<DonationJson>(), 'every 201 is the same gift');
    else expectProblem(t, r, 409);
  }
  t.equal((await listGifts(ta)).length, 1, 'one gift exists');

  const gifts = await Promise.all(Array.from({ length: 8 }, () => giftPost(ta, { amount: usd(1_000), donor: { name: 'Box' }, method: 'cash' }, { key: 'race-key-0002' })));
  t.ok(gifts.every((r) => r.statusCode === 201 || r.statusCode === 409));
  t.equal((await listGifts(ta)).length, 2, 'one offline gift for the key');
  t.strictSame(totals(await getCampaign(ta)), { raised: 1_000, matched: 1_000, total: 2_000, donorCount: 1, giftCount: 1 });
  await verifyClean(t, ta);
});

t.test('many concurrent offline gifts are all counted exactly once', async (t) => {
  const { ta } = await rescueFundWithSponsor(t);
  const answers = await Promise.all(
    Array.from({ length: 30 }, (_, i) => giftPost(ta, { amount: usd(1_000 + i), donor: { name: `D${i}`, email: `d${i % 10}@donor.test` }, method: 'cash' })),
  );
  t.ok(answers.every((r) => r.statusCode === 201), 'all recorded');
  // 30 × 1,000 + (0 + 1 + … + 29) = 30,435 cents from 10 distinct addresses.
  t.strictSame(totals(await getCampaign(ta)), { raised: 30_435, matched: 30_435, total: 60_870, donorCount: 10, giftCount: 30 });
  await verifyClean(t, ta);
});

t.test('an online gift in another currency is converted at the rate in effect when it is paid', async (t) => {
  const ta = await buildTestApp(t);
  await createRescueFund(ta);
  await addRate(ta, 'CAD', '0.73');
  const d = await donate(ta, cad(10_000));
  t.strictSame(d.amount, cad(10_000), 'the donation keeps its own currency');
  ta.clock.now += 10 * 60_000;
  await addRate(ta, 'CAD', '0.75');
  t.equal((await testCheckout(ta, checkoutPath(d), 'pay')).statusCode, 303);
  const g = await giftById(ta, d.id);
  t.strictSame([g.amount, g.campaignAmount, g.rate], [cad(10_000), usd(7_500), '0.75']);
  t.strictSame(totals(await getCampaign(ta)), { raised: 7_500, matched: 0, total: 7_500, donorCount: 1, giftCount: 1 });
});
