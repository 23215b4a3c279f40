// JSON API v1: exchange rates (POST /exchange-rates), matching pledges
// (POST /campaigns/:slug/match-pledges) with every rule worked through the
// API with figures computed by hand, and the sponsor's statement
// (GET /match-pledges/:id/statement).
import t, { type Test } from 'tap';
import { buildTestApp, createRescueFund, type TestApp, testCheckout } from '../helper.ts';
import {
  addPledge,
  checkoutPath,
  donate,
  expectProblem,
  getCampaign,
  giftById,
  giftPost,
  krw,
  offline,
  pledgePost,
  ratePost,
  refund,
  START,
  totals,
  usd,
  verifyClean,
  type MoneyJson,
  type PledgeJson,
} from './api-helpers.ts';

interface RateJson {
  id: string;
  base: string;
  quote: string;
  rate: string;
  effectiveAt: string;
}
interface StatementLine {
  donor: string;
  gift: MoneyJson;
  value: MoneyJson;
  matched: MoneyJson;
  at: string | null;
}
interface StatementJson {
  pledge: PledgeJson;
  campaign: { slug: string; title: string };
  matched: MoneyJson;
  remaining: MoneyJson;
  owed: MoneyJson;
  wouldAdd: MoneyJson;
  gifts: StatementLine[];
}
const MINUTE = 60_000;

async function pledgeOf(ta: TestApp, id: string, slug = 'rescue-fund'): Promise<PledgeJson> {
  const p = (await getCampaign(ta, slug)).matches.find((m) => m.id === id);
  if (!p) throw new Error(`pledge ${id} not shown`);
  return p;
}

/** An online gift paid at the test checkout. */
async function online(ta: TestApp, amount: MoneyJson, donor = { name: 'Gina', email: 'gina@donor.test' }): Promise<string> {
  const d = await donate(ta, amount, donor);
  const paid = await testCheckout(ta, checkoutPath(d), 'pay');
  if (paid.statusCode !== 303) throw new Error(`pay: ${paid.statusCode}`);
  return d.id;
}

async function giftMatched(ta: TestApp, id: string): Promise<number> {
  return (await giftById(ta, id)).matched.amount;
}

function statementGet(ta: TestApp, id: string, headers: Record<string, string> = ta.auth('admin')) {
  return ta.app.inject({ method: 'GET', url: `/api/v1/match-pledges/${id}/statement`, headers });
}

async function statement(ta: TestApp, id: string): Promise<StatementJson> {
  const res = await statementGet(ta, id);
  if (res.statusCode !== 200) throw new Error(`statement: ${res.statusCode} ${res.body}`);
  return res.json<StatementJson>();
}

async function fund(t: Test): Promise<TestApp> {
  const ta = await buildTestApp(t);
  await createRescueFund(ta);
  return ta;
}

// ---------------------------------------------------------------- exchange rates

t.test('POST /exchange-rates enters a rate: 1 base = rate quote', async (t) => {
  const ta = await fund(t);
  const res = await ratePost(ta, { base: 'KRW', quote: 'USD', rate: '0.00074' });
  t.equal(res.statusCode, 201);
  const r = res.json<RateJson>();
  t.match(r.id, /\S/);
  t.strictSame(r, { id: r.id, base: 'KRW', quote: 'USD', rate: '0.00074', effectiveAt: START });

  // Trailing zeros are normalised; an offset date-time is kept as its instant.
  const cadRes = await ratePost(ta, { base: 'CAD', quote: 'USD', rate: '0.7300', effectiveAt: '2026-10-01T09:00:00+09:00' });
  t.equal(cadRes.statusCode, 201);
  t.match(cadRes.json<RateJson>(), { base: 'CAD', quote: 'USD', rate: '0.73', effectiveAt: '2026-10-01T00:00:00.000Z' });
  t.equal((await ratePost(ta, { base: 'JPY', quote: 'USD', rate: '7' })).statusCode, 201, 'a whole-number rate');

  const g = await offline(ta, krw(50_000));
  t.strictSame([g.campaignAmount, g.rate], [usd(3_700), '0.00074']);
  const c = await offline(ta, { amount: 10_000, currency: 'CAD' });
  t.strictSame([c.campaignAmount, c.rate], [usd(7_300), '0.73'], '100 CAD × 0.73 = 73 USD');
  const y = await offline(ta, { amount: 3, currency: 'JPY' });
  t.strictSame(y.campaignAmount, usd(2_100), '3 JPY (no minor unit) × 7 = 21 USD');
});

t.test('POST /exchange-rates refuses bad input and creates no rate', async (t) => {
  const ta = await fund(t);
  const good = { base: 'KRW', quote: 'USD', rate: '0.00074' };
  const cases: { name: string; body: Record<string, unknown>; fields: string[] }[] = [
    { name: 'lower-case base', body: { ...good, base: 'krw' }, fields: ['base'] },
    { name: 'lower-case quote', body: { ...good, quote: 'usd' }, fields: ['quote'] },
    { name: 'unsupported base', body: { ...good, base: 'XYZ' }, fields: ['base'] },
    { name: 'four letters', body: { ...good, quote: 'USDT' }, fields: ['quote'] },
    { name: 'base missing', body: { quote: 'USD', rate: '1' }, fields: ['base'] },
    { name: 'same currency', body: { ...good, quote: 'KRW' }, fields: ['quote'] },
    { name: 'zero rate', body: { ...good, rate: '0' }, fields: ['rate'] },
    { name: 'zero rate with decimals', body: { ...good, rate: '0.000' }, fields: ['rate'] },
    { name: 'negative rate', body: { ...good, rate: '-0.5' }, fields: ['rate'] },
    { name: 'words', body: { ...good, rate: 'abc' }, fields: ['rate'] },
    { name: 'exponent notation', body: { ...good, rate: '7.4e-4' }, fields: ['rate'] },
    { name: 'decimal comma', body: { ...good, rate: '0,00074' }, fields: ['rate'] },
    { name: 'leading dot', body: { ...good, rate: '.5' }, fields: ['rate'] },
    { name: 'trailing dot', body: { ...good, rate: '5.' }, fields: ['rate'] },
    { name: 'a JSON number', body: { ...good, rate: 0.00074 }, fields: ['rate'] },
    { name: 'thirteen decimals', body: { ...good, rate: '0.0000000000001' }, fields: ['rate'] },
    { name: 'nineteen digits', body: { ...good, rate: '1234567890123456789' }, fields: ['rate'] },
    { name: 'rate missing', body: { base: 'KRW', quote: 'USD' }, fields: ['rate'] },
    { name: 'bad effectiveAt', body: { ...good, effectiveAt: 'yesterday' }, fields: ['effectiveAt'] },
    { name: 'effectiveAt without a time', body: { ...good, effectiveAt: '2026-11-01' }, fields: ['effectiveAt'] },
    { name: 'unknown field', body: { ...good, source: 'bank' }, fields: ['source'] },
  ];
  for (const c of cases) {
    await t.test(c.name, async (t) => {
      expectProblem(t, await ratePost(ta, c.body), 400, c.fields);
    });
  }
  // Auth: 401 without or with a bad token, 403 for an organizer or a sponsor.
  expectProblem(t, await ratePost(ta, good, {}), 401);
  expectProblem(t, await ratePost(ta, good, { authorization: 'Bearer bogus' }), 401);
  expectProblem(t, await ratePost(ta, good, ta.auth('organizer')), 403);
  expectProblem(t, await ratePost(ta, good, ta.auth('sponsor')), 403);

  // No rate was stored: a KRW gift is still refused.
  expectProblem(t, await giftPost(ta, { amount: krw(50_000), donor: { name: 'Jin' }, method: 'cash' }), 422, ['amount.currency']);
  t.strictSame(totals(await getCampaign(ta)), { raised: 0, matched: 0, total: 0, donorCount: 0, giftCount: 0 });
});

t.test('a rate counts from its effective date; the latest effective rate applies; the inverse pair is not used', async (t) => {
  const ta = await fund(t);
  const krwGift = { amount: krw(50_000), donor: { name: 'Jin' }, method: 'cash' };
  // USD→KRW says nothing about KRW→USD.
  t.equal((await ratePost(ta, { base: 'USD', quote: 'KRW', rate: '1350' })).statusCode, 201);
  expectProblem(t, await giftPost(ta, krwGift), 422, ['amount.currency']);

  // Effective tomorrow: refused today, accepted tomorrow.
  t.equal((await ratePost(ta, { base: 'KRW', quote: 'USD', rate: '0.0008', effectiveAt: '2026-11-02T00:00:00Z' })).statusCode, 201);
  expectProblem(t, await giftPost(ta, krwGift), 422, ['amount.currency']);
  ta.clock.now = Date.parse('2026-11-02T00:00:00Z');
  const g = await offline(ta, krw(50_000));
  t.strictSame([g.campaignAmount, g.rate], [usd(4_000), '0.0008']);

  // A rate entered later but effective earlier does not replace the latest effective one.
  ta.clock.now += MINUTE;
  t.equal((await ratePost(ta, { base: 'KRW', quote: 'USD', rate: '0.0009', effectiveAt: '2026-10-01T00:00:00Z' })).statusCode, 201);
  t.strictSame((await offline(ta, krw(50_000))).campaignAmount, usd(4_000));
  // A newer effective rate does.
  ta.clock.now += MINUTE;
  t.equal((await ratePost(ta, { base: 'KRW', quote: 'USD', rate: '0.00074' })).statusCode, 201);
  t.strictSame((await offline(ta, krw(50_000))).campaignAmount, usd(3_700));
  t.strictSame(totals(await getCampaign(ta)), { raised: 11_700, matched: 0, total: 11_700, donorCount: 3, giftCount: 3 });
});

// ---------------------------------------------------------------- pledge creation

t.test('POST /campaigns/:slug/match-pledges creates an active pledge', async (t) => {
  const ta = await fund(t);
  const res = await pledgePost(ta, {
    sponsor: { name: 'Secret Sam', email: 'sam@sponsor.test' },
    anonymous: true,
    message: 'For every rescue',
    ratio: ' 1 : 1 ',
    capUnits: 50,
  });
  t.equal(res.statusCode, 201);
  const p = res.json<PledgeJson>();
  t.strictSame(p, {
    id: p.id,
    sponsor: 'Anonymous',
    ratio: '1:1',
    cap: usd(1_500_000),
    allocated: usd(0),
    remaining: usd(1_500_000),
    status: 'active',
    message: 'For every rescue',
    unlock: null,
    wouldAdd: null,
  });
  t.notMatch(res.body, /Secret Sam|@/, 'the 201 answer hides the anonymous sponsor too');
  t.strictSame((await getCampaign(ta)).matches, [p]);

  const named = await addPledge(ta, { ratio: '2:1', cap: usd(50_000), priority: 5, stacking: false });
  t.match(named, { sponsor: 'Harbour Bank', ratio: '2:1', cap: usd(50_000), status: 'active' });

  const scheduled = await addPledge(ta, { cap: usd(1_000), startsAt: '2026-12-01T00:00:00Z', endsAt: '2026-12-31T00:00:00Z' });
  t.equal(scheduled.status, 'scheduled', 'a pledge whose window has not begun');
  t.equal((await getCampaign(ta)).matches.length, 3);

  // A pledge on a draft campaign is fine; on a closed one it is a conflict; unknown campaign 404.
  t.equal((await ta.app.inject({ method: 'POST', url: '/api/v1/campaigns', headers: ta.auth('admin'), payload: { slug: 'closed-fund', title: 'C', currency: 'USD', goal: usd(100), status: 'closed' } })).statusCode, 201);
  expectProblem(t, await pledgePost(ta, { sponsor: { name: 'X' }, ratio: '1:1', cap: usd(100) }, { slug: 'closed-fund' }), 409);
  expectProblem(t, await pledgePost(ta, { sponsor: { name: 'X' }, ratio: '1:1', cap: usd(100) }, { slug: 'no-such-fund' }), 404);
  expectProblem(t, await pledgePost(ta, { sponsor: { name: 'X' }, ratio: '1:1', cap: usd(100) }, { slug: 'Bad_Slug' }), 400, ['slug']);
});

t.test('POST /campaigns/:slug/match-pledges refuses bad input and creates nothing', async (t) => {
  const ta = await fund(t);
  t.equal((await ta.app.inject({ method: 'POST', url: '/api/v1/campaigns', headers: ta.auth('admin'), payload: { slug: 'plain-fund', title: 'Plain', currency: 'USD', goal: usd(100_000), status: 'published' } })).statusCode, 201);
  const good = { sponsor: { name: 'Harbour Bank', email: 'csr@harbour.test' }, anonymous: false, ratio: '1:1', cap: usd(100_000) };
  const noCap = { sponsor: good.sponsor, ratio: '1:1' };
  const cases: { name: string; body: Record<string, unknown>; fields: string[] }[] = [
    { name: 'ratio "2"', body: { ...good, ratio: '2' }, fields: ['ratio'] },
    { name: 'ratio "0:1"', body: { ...good, ratio: '0:1' }, fields: ['ratio'] },
    { name: 'ratio "1:0"', body: { ...good, ratio: '1:0' }, fields: ['ratio'] },
    { name: 'ratio "a:b"', body: { ...good, ratio: 'a:b' }, fields: ['ratio'] },
    { name: 'ratio "1:1:1"', body: { ...good, ratio: '1:1:1' }, fields: ['ratio'] },
    { name: 'ratio "1.5:1"', body: { ...good, ratio: '1.5:1' }, fields: ['ratio'] },
    { name: 'ratio "-1:1"', body: { ...good, ratio: '-1:1' }, fields: ['ratio'] },
    { name: 'ratio "1001:1"', body: { ...good, ratio: '1001:1' }, fields: ['ratio'] },
    { name: 'ratio empty', body: { ...good, ratio: '' }, fields: ['ratio'] },
    { name: 'ratio as a number', body: { ...good, ratio: 2 }, fields: ['ratio'] },
    { name: 'ratio missing', body: { sponsor: good.sponsor, cap: good.cap }, fields: ['ratio'] },
    { name: 'both cap and capUnits', body: { ...good, capUnits: 5 }, fields: ['cap'] },
    { name: 'neither cap nor capUnits', body: noCap, fields: ['cap'] },
    { name: 'cap in another currency', body: { ...good, cap: { amount: 100, currency: 'CAD' } }, fields: ['cap.currency'] },
    { name: 'cap lower-case currency', body: { ...good, cap: { amount: 100, currency: 'usd' } }, fields: ['cap.currency'] },
    { name: 'negative cap', body: { ...good, cap: usd(-100) }, fields: ['cap.amount'] },
    { name: 'zero cap', body: { ...good, cap: usd(0) }, fields: ['cap.amount'] },
    { name: 'fractional cap', body: { ...good, cap: usd(100.5) }, fields: ['cap.amount'] },
    { name: 'string cap', body: { ...good, cap: { amount: '100', currency: 'USD' } }, fields: ['cap.amount'] },
    { name: 'cap over the limit', body: { ...good, cap: usd(100_000_000_001) }, fields: ['cap.amount'] },
    { name: 'capUnits zero', body: { ...noCap, capUnits: 0 }, fields: ['capUnits'] },
    { name: 'capUnits negative', body: { ...noCap, capUnits: -3 }, fields: ['capUnits'] },
    { name: 'capUnits fractional', body: { ...noCap, capUnits: 1.5 }, fields: ['capUnits'] },
    { name: 'capUnits a string', body: { ...noCap, capUnits: '50' }, fields: ['capUnits'] },
    { name: 'minGift in another currency', body: { ...good, minGift: { amount: 100, currency: 'CAD' } }, fields: ['minGift.currency'] },
    { name: 'minGift zero', body: { ...good, minGift: usd(0) }, fields: ['minGift.amount'] },
    { name: 'maxPerGift negative', body: { ...good, maxPerGift: usd(-1) }, fields: ['maxPerGift.amount'] },
    { name: 'maxPerDonor fractional', body: { ...good, maxPerDonor: usd(0.5) }, fields: ['maxPerDonor.amount'] },
    { name: 'unknown source', body: { ...good, sources: ['card'] }, fields: ['sources.0'] },
    { name: 'empty sources', body: { ...good, sources: [] }, fields: ['sources'] },
    { name: 'sources not a list', body: { ...good, sources: 'offline' }, fields: ['sources'] },
    { name: 'negative priority', body: { ...good, priority: -1 }, fields: ['priority'] },
    { name: 'fractional priority', body: { ...good, priority: 1.5 }, fields: ['priority'] },
    { name: 'stacking not a boolean', body: { ...good, stacking: 'no' }, fields: ['stacking'] },
    { name: 'anonymous not a boolean', body: { ...good, anonymous: 1 }, fields: ['anonymous'] },
    { name: 'bad startsAt', body: { ...good, startsAt: 'tomorrow' }, fields: ['startsAt'] },
    { name: 'startsAt without a time', body: { ...good, startsAt: '2026-12-01' }, fields: ['startsAt'] },
    { name: 'impossible endsAt', body: { ...good, endsAt: '2026-11-31T00:00:00Z' }, fields: ['endsAt'] },
    { name: 'end before start', body: { ...good, startsAt: '2026-12-01T00:00:00Z', endsAt: '2026-11-15T00:00:00Z' }, fields: ['endsAt'] },
    { name: 'end already past', body: { ...good, endsAt: '2026-10-01T00:00:00Z' }, fields: ['endsAt'] },
    { name: 'raised threshold as a number', body: { ...good, unlock: { kind: 'raised', threshold: 20_000 } }, fields: ['unlock.threshold'] },
    { name: 'raised threshold in another currency', body: { ...good, unlock: { kind: 'raised', threshold: { amount: 100, currency: 'CAD' } } }, fields: ['unlock.threshold.currency'] },
    { name: 'donors threshold zero', body: { ...good, unlock: { kind: 'donors', threshold: 0 } }, fields: ['unlock.threshold'] },
    { name: 'unknown unlock kind', body: { ...good, unlock: { kind: 'goal', threshold: 1 } }, fields: ['unlock.kind'] },
    { name: 'unknown unlock field', body: { ...good, unlock: { kind: 'donors', threshold: 2, by: 'x' } }, fields: ['unlock.by'] },
    { name: 'sponsor name empty', body: { ...good, sponsor: { name: '' } }, fields: ['sponsor.name'] },
    { name: 'sponsor e-mail bad', body: { ...good, sponsor: { name: 'S', email: 'sam.sponsor.test' } }, fields: ['sponsor.email'] },
    { name: 'sponsor missing', body: { ratio: '1:1', cap: usd(100) }, fields: ['sponsor'] },
    { name: 'unknown sponsor field', body: { ...good, sponsor: { name: 'S', phone: '555' } }, fields: ['sponsor.phone'] },
    { name: 'unknown field', body: { ...good, colour: 'gold' }, fields: ['colour'] },
    { name: 'status may not be set', body: { ...good, status: 'active' }, fields: ['status'] },
  ];
  for (const c of cases) {
    await t.test(c.name, async (t) => {
      expectProblem(t, await pledgePost(ta, c.body), 400, c.fields);
    });
  }
  expectProblem(t, await pledgePost(ta, { ...noCap, capUnits: 5 }, { slug: 'plain-fund' }), 400, ['capUnits']);

  // Auth: 401 without or with a bad token, 403 for an organizer or a sponsor.
  const url = '/api/v1/campaigns/rescue-fund/match-pledges';
  expectProblem(t, await ta.app.inject({ method: 'POST', url, payload: good }), 401);
  expectProblem(t, await ta.app.inject({ method: 'POST', url, payload: good, headers: { authorization: 'Bearer bogus' } }), 401);
  expectProblem(t, await pledgePost(ta, good, { role: 'organizer' }), 403);
  expectProblem(t, await pledgePost(ta, good, { role: 'sponsor' }), 403);

  t.strictSame((await getCampaign(ta)).matches, [], 'no pledge was created');
  t.strictSame((await getCampaign(ta, 'plain-fund')).matches, []);
  const g = await offline(ta, usd(10_000));
  t.equal(g.matched.amount, 0, 'and nothing matches');
});

t.test('a cap in impact units too large to be an amount is a 400 naming capUnits, not a 409', async (t) => {
  const ta = await fund(t);
  // 1e15 rescues × 300 USD = 3e19 cents: not even a safe integer. It is bad input, not a conflict.
  expectProblem(t, await pledgePost(ta, { sponsor: { name: 'S' }, ratio: '1:1', capUnits: 1e15 }), 400, ['capUnits']);
  t.strictSame((await getCampaign(ta)).matches, [], 'no pledge was created');
});

t.test('a cap in impact units is bounded like a cap in money (1,000,000,000 major units)', async (t) => {
  const ta = await fund(t);
  // The same cap written as money is refused: 120,000,000,000 cents is over the limit.
  expectProblem(t, await pledgePost(ta, { sponsor: { name: 'S' }, ratio: '1:1', cap: usd(120_000_000_000) }), 400, ['cap.amount']);
  // 4,000,000 rescues × 300 USD = 1,200,000,000 USD: it must be refused the same way.
  expectProblem(t, await pledgePost(ta, { sponsor: { name: 'S' }, ratio: '1:1', capUnits: 4_000_000 }), 400, ['capUnits']);
  t.strictSame((await getCampaign(ta)).matches, [], 'no pledge was created');
  // Exactly at the limit is fine: 3,333,333 rescues × 300 USD = 999,999,900 USD.
  const ok = await pledgePost(ta, { sponsor: { name: 'S' }, ratio: '1:1', capUnits: 3_333_333 });
  t.equal(ok.statusCode, 201);
  t.strictSame(ok.json<PledgeJson>().cap, usd(99_999_990_000));
});

// ---------------------------------------------------------------- matching rules

t.test('ratio 2:1 adds two for one; 1:2 and 3:2 round down to the cent', async (t) => {
  const ta = await fund(t);
  const mk = async (slug: string) => {
    const r = await ta.app.inject({ method: 'POST', url: '/api/v1/campaigns', headers: ta.auth('admin'), payload: { slug, title: slug, currency: 'USD', goal: usd(1_000_000), status: 'published' } });
    t.equal(r.statusCode, 201);
  };
  await addPledge(ta, { ratio: '2:1', cap: usd(100_000) });
  t.strictSame((await offline(ta, usd(10_000))).matched, usd(20_000), '100 USD → 200 USD');
  t.strictSame((await offline(ta, usd(1))).matched, usd(2));
  t.strictSame(totals(await getCampaign(ta)), { raised: 10_001, matched: 20_002, total: 30_003, donorCount: 2, giftCount: 2 });

  await mk('half-match');
  await addPledge(ta, { ratio: '1:2', cap: usd(100_000) }, 'half-match');
  t.strictSame((await offline(ta, usd(3_333), undefined, {}, 'half-match')).matched, usd(1_666), '33.33 / 2 = 16.665 → 16.66');
  t.strictSame((await offline(ta, usd(1), undefined, {}, 'half-match')).matched, usd(0), 'half a cent → 0');
  t.strictSame((await offline(ta, usd(3), undefined, {}, 'half-match')).matched, usd(1), '1.5 cents → 1');
  t.strictSame(totals(await getCampaign(ta, 'half-match')), { raised: 3_337, matched: 1_667, total: 5_004, donorCount: 3, giftCount: 3 });

  await mk('three-two');
  await addPledge(ta, { ratio: '3:2', cap: usd(100_000) }, 'three-two');
  t.strictSame((await offline(ta, usd(1_001), undefined, {}, 'three-two')).matched, usd(1_501), '10.01 × 1.5 = 15.015 → 15.01');

  // On the converted value: 50,000 KRW = 37.00 USD → 1:2 adds 18.50.
  t.equal((await ratePost(ta, { base: 'KRW', quote: 'USD', rate: '0.00074' })).statusCode, 201);
  t.strictSame((await offline(ta, krw(50_000), undefined, {}, 'half-match')).matched, usd(1_850));
  await verifyClean(t, ta);
});

t.test('the cap is reached in the middle of a gift; the pledge is then exhausted', async (t) => {
  const ta = await fund(t);
  const p = await addPledge(ta, { cap: usd(15_000) });
  t.strictSame((await offline(ta, usd(10_000))).matched, usd(10_000));
  t.strictSame((await offline(ta, usd(10_000))).matched, usd(5_000), 'only 50 USD of cap left');
  t.strictSame((await offline(ta, usd(3_000))).matched, usd(0));
  t.strictSame(await pledgeOf(ta, p.id), { ...p, allocated: usd(15_000), remaining: usd(0), status: 'exhausted' });
  t.strictSame(totals(await getCampaign(ta)), { raised: 23_000, matched: 15_000, total: 38_000, donorCount: 3, giftCount: 3 });

  // 2:1 with a cap below the raw match.
  const ta2 = await fund(t);
  await addPledge(ta2, { ratio: '2:1', cap: usd(15_000) });
  t.strictSame((await offline(ta2, usd(10_000))).matched, usd(15_000), 'raw 200 USD, capped at 150 USD');
  await verifyClean(t, ta);
  await verifyClean(t, ta2);
});

t.test('two pledges apply in priority order, then creation order', async (t) => {
  const ta = await fund(t);
  const second = await addPledge(ta, { sponsor: { name: 'Second Bank' }, ratio: '1:1', cap: usd(100_000), priority: 200 });
  const first = await addPledge(ta, { sponsor: { name: 'First Trust' }, ratio: '2:1', cap: usd(5_000), priority: 10 });
  // First Trust (priority 10) adds 2:1 on 100 USD = 200, capped at 50, which covers 25 USD of the gift;
  // Second Bank matches the 75 USD left 1:1.
  const g = await offline(ta, usd(10_000));
  t.strictSame(g.matched, usd(12_500));
  t.match(await pledgeOf(ta, first.id), { allocated: usd(5_000), remaining: usd(0), status: 'exhausted' });
  t.match(await pledgeOf(ta, second.id), { allocated: usd(7_500), remaining: usd(92_500), status: 'active' });
  // First Trust is exhausted: the next gift is all Second Bank's.
  t.strictSame((await offline(ta, usd(4_000))).matched, usd(4_000));
  t.strictSame(totals(await getCampaign(ta)), { raised: 14_000, matched: 16_500, total: 30_500, donorCount: 2, giftCount: 2 });

  // Same priority: the older pledge goes first.
  const tb = await fund(t);
  const older = await addPledge(tb, { sponsor: { name: 'Older' }, cap: usd(3_000) });
  const newer = await addPledge(tb, { sponsor: { name: 'Newer' }, cap: usd(100_000) });
  t.strictSame((await offline(tb, usd(10_000))).matched, usd(10_000));
  t.strictSame((await pledgeOf(tb, older.id)).allocated, usd(3_000));
  t.strictSame((await pledgeOf(tb, newer.id)).allocated, usd(7_000));
  await verifyClean(t, ta);
  await verifyClean(t, tb);
});

t.test('a stacking pledge matches the full gift on top of others', async (t) => {
  const ta = await fund(t);
  const base = await addPledge(ta, { sponsor: { name: 'Base' }, cap: usd(100_000) });
  const stack = await addPledge(ta, { sponsor: { name: 'Stack' }, cap: usd(100_000), stacking: true });
  t.strictSame((await offline(ta, usd(10_000))).matched, usd(20_000));
  t.strictSame((await pledgeOf(ta, base.id)).allocated, usd(10_000));
  t.strictSame((await pledgeOf(ta, stack.id)).allocated, usd(10_000));
  await verifyClean(t, ta);
});

t.test('minGift, maxPerGift and maxPerDonor', async (t) => {
  const ta = await fund(t);
  await addPledge(ta, { cap: usd(100_000), minGift: usd(5_000) });
  t.strictSame((await offline(ta, usd(4_999))).matched, usd(0), '49.99 is under the minimum');
  t.strictSame((await offline(ta, usd(5_000))).matched, usd(5_000), '50.00 is matched');

  const tb = await fund(t);
  const capped = await addPledge(tb, { sponsor: { name: 'Per gift' }, cap: usd(100_000), maxPerGift: usd(2_500) });
  const rest = await addPledge(tb, { sponsor: { name: 'Rest' }, cap: usd(100_000), priority: 500 });
  t.strictSame((await offline(tb, usd(10_000))).matched, usd(10_000), '25 from the first, the other 75 from the second');
  t.strictSame((await pledgeOf(tb, capped.id)).allocated, usd(2_500));
  t.strictSame((await pledgeOf(tb, rest.id)).allocated, usd(7_500));
  t.strictSame((await offline(tb, usd(1_000))).matched, usd(1_000));
  t.strictSame((await pledgeOf(tb, capped.id)).allocated, usd(3_500), 'a small gift is all the first pledge');

  const tc = await fund(t);
  await addPledge(tc, { cap: usd(100_000), maxPerDonor: usd(15_000) });
  t.strictSame((await offline(tc, usd(10_000), { name: 'Ada', email: 'ada@donor.test' })).matched, usd(10_000));
  t.strictSame((await offline(tc, usd(10_000), { name: 'Ada', email: 'ADA@donor.test' })).matched, usd(5_000), 'Ada has 50 left');
  t.strictSame((await offline(tc, usd(10_000), { name: 'Bo', email: 'bo@donor.test' })).matched, usd(10_000));
  t.strictSame((await offline(tc, usd(20_000))).matched, usd(15_000), 'a gift without e-mail is its own donor');
  t.strictSame((await offline(tc, usd(20_000))).matched, usd(15_000));
  t.strictSame(totals(await getCampaign(tc)), { raised: 70_000, matched: 55_000, total: 125_000, donorCount: 4, giftCount: 5 });
  await verifyClean(t, ta);
  await verifyClean(t, tb);
  await verifyClean(t, tc);
});

t.test('sources ["offline"] matches offline gifts, not online or event gifts', async (t) => {
  const ta = await fund(t);
  const p = await addPledge(ta, { cap: usd(100_000), sources: ['offline'] });
  t.strictSame((await offline(ta, usd(10_000))).matched, usd(10_000));
  const onlineId = await online(ta, usd(10_000));
  t.equal(await giftMatched(ta, onlineId), 0, 'an online gift is not matched');
  t.strictSame((await offline(ta, usd(10_000), { name: 'Raffle' }, { eventId: 'evt-screening' })).matched, usd(0), 'an event gift is not matched');
  t.strictSame((await pledgeOf(ta, p.id)).allocated, usd(10_000));
  t.strictSame(totals(await getCampaign(ta)), { raised: 30_000, matched: 10_000, total: 40_000, donorCount: 3, giftCount: 3 });

  const tb = await fund(t);
  await addPledge(tb, { cap: usd(100_000), sources: ['online'] });
  t.strictSame((await offline(tb, usd(10_000))).matched, usd(0));
  const id = await online(tb, usd(2_500));
  t.equal(await giftMatched(tb, id), 2_500, 'an online gift is matched by an online-only pledge');
  await verifyClean(t, ta);
  await verifyClean(t, tb);
});

t.test('the pledge window: past start matches earlier gifts, scheduled and expired pledges do not match', async (t) => {
  const ta = await fund(t);
  const g1 = await offline(ta, usd(10_000));
  const g2 = await offline(ta, usd(5_000));
  ta.clock.now += MINUTE;
  // A window that starts in the past matches gifts already given, at once.
  const back = await addPledge(ta, { sponsor: { name: 'Back' }, cap: usd(100_000), startsAt: '2026-10-01T00:00:00Z' });
  t.strictSame(back.allocated, usd(15_000), 'the 201 answer shows the replayed allocation');
  t.equal(await giftMatched(ta, g1.id), 10_000);
  t.equal(await giftMatched(ta, g2.id), 5_000);
  // Starting now (the default), earlier gifts are not matched.
  const now = await addPledge(ta, { sponsor: { name: 'Now' }, cap: usd(100_000), priority: 1 });
  t.strictSame(now.allocated, usd(0));
  t.strictSame(totals(await getCampaign(ta)), { raised: 15_000, matched: 15_000, total: 30_000, donorCount: 2, giftCount: 2 });

  const tb = await fund(t);
  const later = await addPledge(tb, { cap: usd(100_000), startsAt: '2026-11-02T00:00:00Z' });
  t.equal(later.status, 'scheduled');
  t.strictSame((await offline(tb, usd(1_000))).matched, usd(0), 'not yet');
  tb.clock.now = Date.parse('2026-11-02T00:00:00Z');
  t.equal((await pledgeOf(tb, later.id)).status, 'active');
  t.strictSame((await offline(tb, usd(1_000))).matched, usd(1_000));
  tb.clock.now = Date.parse('2026-11-03T00:00:00Z');
  const short = await addPledge(tb, { sponsor: { name: 'Short' }, cap: usd(100_000), priority: 1, endsAt: '2026-11-03T01:00:00Z' });
  t.strictSame((await offline(tb, usd(2_000))).matched, usd(2_000), 'inside the window: the short pledge (priority 1) matches');
  t.strictSame((await pledgeOf(tb, short.id)).allocated, usd(2_000));
  tb.clock.now += 2 * 60 * MINUTE;
  t.equal((await pledgeOf(tb, short.id)).status, 'expired');
  t.strictSame((await offline(tb, usd(3_000))).matched, usd(3_000), 'after its end only the other pledge matches');
  t.strictSame((await pledgeOf(tb, short.id)).allocated, usd(2_000));
  await verifyClean(t, ta);
  await verifyClean(t, tb);
});

t.test('a challenge pledge on money raised stays locked until reached, then matches, and relocks after a refund', async (t) => {
  const ta = await fund(t);
  const p = await addPledge(ta, { cap: usd(100_000), unlock: { kind: 'raised', threshold: usd(20_000) } });
  t.match(p, { status: 'locked', unlock: { kind: 'raised', threshold: 20_000 }, allocated: usd(0) });

  const g1 = await offline(ta, usd(10_000));
  t.strictSame(g1.matched, usd(0), 'locked: nothing matched');
  t.equal((await pledgeOf(ta, p.id)).status, 'locked');
  let st = await statement(ta, p.id);
  t.strictSame([st.matched, st.wouldAdd, st.owed], [usd(0), usd(10_000), usd(0)], 'the statement says what it would add');
  t.strictSame(totals(await getCampaign(ta)), { raised: 10_000, matched: 0, total: 10_000, donorCount: 1, giftCount: 1 });

  // 100 + 150 = 250 USD ≥ 200 USD: unlocked, and every gift so far is matched.
  const g2 = await offline(ta, usd(15_000));
  t.strictSame(g2.matched, usd(15_000));
  t.equal(await giftMatched(ta, g1.id), 10_000, 'the earlier gift is matched too');
  t.match(await pledgeOf(ta, p.id), { status: 'active', allocated: usd(25_000), remaining: usd(75_000) });
  t.strictSame(totals(await getCampaign(ta)), { raised: 25_000, matched: 25_000, total: 50_000, donorCount: 2, giftCount: 2 });
  st = await statement(ta, p.id);
  t.strictSame([st.matched, st.wouldAdd, st.owed], [usd(25_000), usd(0), usd(25_000)]);

  // Refund 60 USD of the second gift: 190 USD raised < 200 USD: locked again, nothing matched.
  const r = await refund(ta, g2.id, usd(6_000));
  t.strictSame(r.matched, usd(0));
  t.equal(await giftMatched(ta, g1.id), 0);
  t.match(await pledgeOf(ta, p.id), { status: 'locked', allocated: usd(0) });
  t.strictSame(totals(await getCampaign(ta)), { raised: 19_000, matched: 0, total: 19_000, donorCount: 2, giftCount: 2 });

  // 10 more USD reaches exactly 200 USD: unlocked again.
  const g3 = await offline(ta, usd(1_000));
  t.strictSame(g3.matched, usd(1_000));
  t.equal(await giftMatched(ta, g1.id), 10_000);
  t.equal(await giftMatched(ta, g2.id), 9_000);
  t.match(await pledgeOf(ta, p.id), { status: 'active', allocated: usd(20_000) });
  t.strictSame(totals(await getCampaign(ta)), { raised: 20_000, matched: 20_000, total: 40_000, donorCount: 3, giftCount: 3 });
  await verifyClean(t, ta);
});

t.test('a challenge pledge on the number of donors', async (t) => {
  const ta = await fund(t);
  const p = await addPledge(ta, { cap: usd(100_000), unlock: { kind: 'donors', threshold: 2 } });
  t.strictSame((await offline(ta, usd(5_000), { name: 'Ada', email: 'ada@donor.test' })).matched, usd(0));
  t.strictSame((await offline(ta, usd(5_000), { name: 'Ada', email: 'ada@donor.test' })).matched, usd(0), 'still one donor');
  t.equal((await pledgeOf(ta, p.id)).status, 'locked');
  t.strictSame((await offline(ta, usd(2_000))).matched, usd(2_000), 'a second donor unlocks it');
  t.match(await pledgeOf(ta, p.id), { status: 'active', allocated: usd(12_000) });
  t.strictSame(totals(await getCampaign(ta)), { raised: 12_000, matched: 12_000, total: 24_000, donorCount: 2, giftCount: 3 });
  await verifyClean(t, ta);
});

t.test('a donors challenge shows the status its matching has, also after a refund leaves a gift worth 0', async (t) => {
  const ta = await fund(t);
  t.equal((await ratePost(ta, { base: 'KRW', quote: 'USD', rate: '0.00074' })).statusCode, 201);
  const p = await addPledge(ta, { cap: usd(100_000), unlock: { kind: 'donors', threshold: 2 } });
  await offline(ta, usd(10_000), { name: 'Ada', email: 'ada@donor.test' });
  const jin = await offline(ta, krw(50_000), { name: 'Jin', email: 'jin@donor.test' });
  t.strictSame(jin.matched, usd(3_700), 'two donors: unlocked');
  t.match(await pledgeOf(ta, p.id), { status: 'active', allocated: usd(13_700) });

  // Refund all but 5 KRW: Jin's gift is worth 0.37 cents → 0 USD, but is still a partially refunded gift.
  const r = await refund(ta, jin.id, krw(49_995));
  t.equal(r.status, 'partially_refunded');
  const c = await getCampaign(ta);
  const shown = c.matches.find((m) => m.id === p.id);
  t.equal(c.raised.amount, 10_000);
  // Whatever the rule for a gift worth nothing, the public page must not say
  // "active" for a pledge that the matching treats as locked (or the reverse).
  const consistent =
    (shown?.status === 'locked' && c.matched.amount === 0 && c.donorCount < 2) ||
    (shown?.status === 'active' && c.matched.amount === 10_000 && c.donorCount >= 2);
  t.ok(consistent, `status ${String(shown?.status)} with donorCount ${c.donorCount} agrees with matched ${c.matched.amount}`);
  await verifyClean(t, ta);
});

// ---------------------------------------------------------------- statement

t.test('GET /match-pledges/:id/statement: matched, remaining, owed, gifts; anonymous donors stay Anonymous; no e-mail', async (t) => {
  const ta = await fund(t);
  t.equal((await ratePost(ta, { base: 'KRW', quote: 'USD', rate: '0.00074' })).statusCode, 201);
  const p = await addPledge(ta, { sponsor: { name: 'Secret Sam', email: 'sam@sponsor.test' }, anonymous: true, cap: usd(15_000) });
  const hana = await offline(ta, usd(10_000), { name: 'Hidden Hana', email: 'hana@donor.test' }, { anonymous: true });
  ta.clock.now += MINUTE;
  await offline(ta, krw(50_000), { name: 'Jin Seo', email: 'jin@donor.test' });
  ta.clock.now += MINUTE;
  await offline(ta, usd(8_000), { name: 'Ada Park', email: 'ada@donor.test' });
  ta.clock.now += MINUTE;
  await offline(ta, usd(1_000), { name: 'Late Lee', email: 'lee@donor.test' }); // nothing left to match

  const res = await statementGet(ta, p.id);
  t.equal(res.statusCode, 200);
  t.match(String(res.headers['content-type']), /^application\/json/);
  t.notMatch(res.body, /@/, 'no e-mail anywhere in the statement');
  t.notMatch(res.body, /Hidden Hana|hana/i, 'the anonymous donor is not named');
  const st = res.json<StatementJson>();
  const at = (minutes: number) => new Date(Date.parse(START) + minutes * MINUTE).toISOString();
  t.strictSame(st, {
    pledge: { ...p, allocated: usd(15_000), remaining: usd(0), status: 'exhausted' },
    campaign: { slug: 'rescue-fund', title: 'Rescue Fund' },
    matched: usd(15_000),
    remaining: usd(0),
    owed: usd(15_000),
    wouldAdd: usd(0),
    gifts: st.gifts, // compared below, in any order
  });
  const byDonor = [...st.gifts].sort((a, b) => b.matched.amount - a.matched.amount);
  t.strictSame(byDonor, [
    { donor: 'Anonymous', gift: usd(10_000), value: usd(10_000), matched: usd(10_000), at: at(0) },
    { donor: 'Jin Seo', gift: krw(50_000), value: usd(3_700), matched: usd(3_700), at: at(1) },
    { donor: 'Ada Park', gift: usd(8_000), value: usd(8_000), matched: usd(1_300), at: at(2) },
  ], 'one line per matched gift: the gift, its value in USD and the match');

  // After a partial refund the statement follows the replay: Hana 60, Jin 37, Ada 53.
  await refund(ta, hana.id, usd(4_000));
  const after = await statement(ta, p.id);
  t.strictSame([after.matched, after.remaining, after.owed], [usd(15_000), usd(0), usd(15_000)]);
  t.strictSame(after.gifts.map((g) => [g.donor, g.matched.amount]).sort(), [['Ada Park', 5_300], ['Anonymous', 6_000], ['Jin Seo', 3_700]]);
  t.notMatch(JSON.stringify(after), /@/);
  await verifyClean(t, ta);
});

t.test('GET /match-pledges/:id/statement is for admins only', async (t) => {
  const ta = await fund(t);
  const p = await addPledge(ta, { cap: usd(15_000) });
  expectProblem(t, await statementGet(ta, p.id, {}), 401);
  expectProblem(t, await statementGet(ta, p.id, { authorization: 'Bearer bogus' }), 401);
  expectProblem(t, await statementGet(ta, p.id, ta.auth('organizer')), 403);
  expectProblem(t, await statementGet(ta, p.id, ta.auth('sponsor')), 403);
  expectProblem(t, await statementGet(ta, 'pledge_nope'), 404);
  const empty = await statement(ta, p.id);
  t.strictSame([empty.matched, empty.remaining, empty.owed, empty.gifts], [usd(0), usd(15_000), usd(0), []]);
});
