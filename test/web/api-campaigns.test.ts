// JSON API v1, campaigns: GET /api/v1/campaigns, GET/PATCH /api/v1/campaigns/:slug
// and POST /api/v1/campaigns, through app.inject on a fresh in-memory app.
// Success with exact figures, every kind of bad input (400 problem details
// naming the field, nothing changed), and the auth gates (401 / 403).
import t from 'tap';
import { buildTestApp, createRescueFund, type TestApp } from '../helper.ts';
import { expectProblem, getCampaign, krw, offline, totals, usd, type CampaignJson, type PledgeJson, type Role } from './api-helpers.ts';

async function listCampaigns(ta: TestApp): Promise<CampaignJson[]> {
  const res = await ta.app.inject({ method: 'GET', url: '/api/v1/campaigns' });
  if (res.statusCode !== 200) throw new Error(`GET campaigns: ${res.statusCode} ${res.body}`);
  return res.json<{ campaigns: CampaignJson[] }>().campaigns;
}

async function post(ta: TestApp, url: string, payload: unknown, role: Role = 'admin') {
  return ta.app.inject({ method: 'POST', url, headers: ta.auth(role), payload: payload as Record<string, unknown> });
}

async function patch(ta: TestApp, slug: string, payload: unknown, headers: Record<string, string>) {
  return ta.app.inject({ method: 'PATCH', url: `/api/v1/campaigns/${slug}`, headers, payload: payload as Record<string, unknown> });
}

const validCampaign = {
  slug: 'winter-appeal',
  title: 'Winter Appeal',
  currency: 'USD',
  goal: usd(500_000),
  status: 'published',
};

t.test('GET /api/v1/campaigns/:slug answers the full shape with exact progress', async (t) => {
  const ta = await buildTestApp(t);
  await createRescueFund(ta);

  const empty = await getCampaign(ta);
  t.strictSame(empty, {
    slug: 'rescue-fund',
    title: 'Rescue Fund',
    status: 'published',
    currency: 'USD',
    goal: usd(1_500_000),
    raised: usd(0),
    breakdown: { gifts: usd(0), tickets: usd(0), raffles: usd(0) },
    matched: usd(0),
    total: usd(0),
    donorCount: 0,
    giftCount: 0,
    impact: { unit: 'rescue', unitCost: usd(30_000), unitsFunded: 0 },
    startsAt: null,
    endsAt: null,
    matches: [],
    url: 'http://lantern.test/campaigns/rescue-fund',
  });

  // An anonymous sponsor matching 1:1 up to the cost of 50 rescues.
  const pledgeRes = await post(ta, '/api/v1/campaigns/rescue-fund/match-pledges', {
    sponsor: { name: 'Secret Sam', email: 'sam@sponsor.test' },
    anonymous: true,
    ratio: '1:1',
    capUnits: 50,
  });
  t.equal(pledgeRes.statusCode, 201);
  const pledgeId = pledgeRes.json<PledgeJson>().id;

  await offline(ta, usd(10_000), { name: 'Ada Park', email: 'ada@donor.test' });
  await offline(ta, usd(25_000), { name: 'Bo Kim', email: 'bo@donor.test' });
  await offline(ta, usd(5_000), { name: 'Ada Park', email: 'ADA@donor.test' }); // same donor, other case
  await offline(ta, usd(2_000), { name: 'Cash box' }); // no e-mail: its own donor
  await offline(ta, usd(2_000), { name: 'Cash box' }); // and another

  const c = await getCampaign(ta);
  // raised 100 + 250 + 50 + 20 + 20 = 440 USD, matched 1:1, total 880 USD;
  // donors: ada, bo and two gifts without an address = 4; 880 / 300 = 2 rescues.
  t.strictSame(c, {
    slug: 'rescue-fund',
    title: 'Rescue Fund',
    status: 'published',
    currency: 'USD',
    goal: usd(1_500_000),
    raised: usd(44_000),
    breakdown: { gifts: usd(44_000), tickets: usd(0), raffles: usd(0) },
    matched: usd(44_000),
    total: usd(88_000),
    donorCount: 4,
    giftCount: 5,
    impact: { unit: 'rescue', unitCost: usd(30_000), unitsFunded: 2 },
    startsAt: null,
    endsAt: null,
    matches: [
      {
        id: pledgeId,
        sponsor: 'Anonymous',
        ratio: '1:1',
        cap: usd(1_500_000),
        allocated: usd(44_000),
        remaining: usd(1_456_000),
        status: 'active',
        message: null,
        unlock: null,
        wouldAdd: null,
      },
    ],
    url: 'http://lantern.test/campaigns/rescue-fund',
  });
  t.notMatch(JSON.stringify(c), /@|Secret Sam/, 'no e-mail and no hidden sponsor name');
});

t.test('a named sponsor shows by name; a campaign without impact unit has no impact key', async (t) => {
  const ta = await buildTestApp(t);
  const res = await post(ta, '/api/v1/campaigns', { ...validCampaign, startsAt: '2026-10-01T00:00:00Z', endsAt: '2026-12-31T23:59:59+09:00' });
  t.equal(res.statusCode, 201);
  const created = res.json<CampaignJson>();
  t.notOk('impact' in created, 'no impact without an impact unit');
  t.equal(created.startsAt, '2026-10-01T00:00:00.000Z');
  t.equal(created.endsAt, '2026-12-31T14:59:59.000Z', 'an offset date-time is stored as its instant');

  const p = await post(ta, '/api/v1/campaigns/winter-appeal/match-pledges', {
    sponsor: { name: 'Harbour Bank', email: 'csr@harbour.test' },
    anonymous: false,
    ratio: '2:1',
    cap: usd(100_000),
    message: 'Every gift tripled',
  });
  t.equal(p.statusCode, 201);
  await offline(ta, usd(3_000), { name: 'Dee' }, {}, 'winter-appeal');
  const c = await getCampaign(ta, 'winter-appeal');
  t.notOk('impact' in c);
  t.strictSame(totals(c), { raised: 3_000, matched: 6_000, total: 9_000, donorCount: 1, giftCount: 1 });
  t.equal(c.matches.length, 1);
  t.match(c.matches[0], { sponsor: 'Harbour Bank', ratio: '2:1', cap: usd(100_000), allocated: usd(6_000), remaining: usd(94_000), status: 'active', message: 'Every gift tripled' });
  t.notMatch(JSON.stringify(c), /@/, 'the sponsor e-mail never appears');
});

t.test('GET /api/v1/campaigns lists published campaigns only', async (t) => {
  const ta = await buildTestApp(t);
  t.strictSame(await listCampaigns(ta), [], 'empty at first');
  await createRescueFund(ta);
  t.equal((await post(ta, '/api/v1/campaigns', { ...validCampaign, slug: 'draft-one', status: 'draft' })).statusCode, 201);
  t.equal((await post(ta, '/api/v1/campaigns', { ...validCampaign, slug: 'closed-one', status: 'closed' })).statusCode, 201);
  t.equal((await post(ta, '/api/v1/campaigns', { ...validCampaign, slug: 'krw-fund', currency: 'KRW', goal: krw(800_000) })).statusCode, 201);
  await offline(ta, usd(12_345), { name: 'Eun', email: 'eun@donor.test' });

  const list = await listCampaigns(ta);
  t.strictSame(list.map((c) => c.slug).sort(), ['krw-fund', 'rescue-fund']);
  const rescue = list.find((c) => c.slug === 'rescue-fund');
  t.ok(rescue);
  if (rescue) {
    t.strictSame(totals(rescue), { raised: 12_345, matched: 0, total: 12_345, donorCount: 1, giftCount: 1 });
    t.strictSame(rescue, await getCampaign(ta), 'the list shows the same object as the single GET');
  }
  const krwFund = list.find((c) => c.slug === 'krw-fund');
  t.strictSame(krwFund?.goal, krw(800_000), 'KRW has no minor unit: 800,000 KRW is 800000');
  t.notMatch(JSON.stringify(list), /@/, 'no e-mail in the public list');
});

t.test('GET /api/v1/campaigns/:slug: draft 404, closed visible, unknown 404, bad slug 400', async (t) => {
  const ta = await buildTestApp(t);
  await createRescueFund(ta, { status: 'draft' });
  expectProblem(t, await ta.app.inject({ method: 'GET', url: '/api/v1/campaigns/rescue-fund' }), 404);
  // Not even an admin token makes a draft public.
  expectProblem(t, await ta.app.inject({ method: 'GET', url: '/api/v1/campaigns/rescue-fund', headers: ta.auth('admin') }), 404);
  expectProblem(t, await ta.app.inject({ method: 'GET', url: '/api/v1/campaigns/no-such-fund' }), 404);
  for (const slug of ['Rescue-Fund', 'ab', 'rescue_fund', 'a--b', `${'x'.repeat(61)}`, '-abc']) {
    await t.test(`slug ${JSON.stringify(slug)}`, async (t) => {
      expectProblem(t, await ta.app.inject({ method: 'GET', url: `/api/v1/campaigns/${slug}` }), 400, ['slug']);
    });
  }
  t.equal((await post(ta, '/api/v1/campaigns', { ...validCampaign, slug: 'closed-one', status: 'closed' })).statusCode, 201);
  const closed = await getCampaign(ta, 'closed-one');
  t.equal(closed.status, 'closed', 'a closed campaign stays readable');
});

t.test('POST /api/v1/campaigns creates a campaign', async (t) => {
  const ta = await buildTestApp(t);
  const res = await post(ta, '/api/v1/campaigns', {
    slug: 'seoul-nights',
    title: '  Seoul Nights  ',
    story: 'Game nights in a Seoul pub.',
    currency: 'KRW',
    goal: krw(800_000),
    impact: { unit: 'meal', unitCost: krw(8_000) },
    startsAt: '2026-11-01T00:00:00Z',
    endsAt: '2026-12-31T15:00:00Z',
    status: 'published',
  });
  t.equal(res.statusCode, 201);
  t.match(String(res.headers['content-type']), /^application\/json/);
  t.strictSame(res.json<CampaignJson>(), {
    slug: 'seoul-nights',
    title: 'Seoul Nights',
    status: 'published',
    currency: 'KRW',
    goal: krw(800_000),
    raised: krw(0),
    breakdown: { gifts: krw(0), tickets: krw(0), raffles: krw(0) },
    matched: krw(0),
    total: krw(0),
    donorCount: 0,
    giftCount: 0,
    impact: { unit: 'meal', unitCost: krw(8_000), unitsFunded: 0 },
    startsAt: '2026-11-01T00:00:00.000Z',
    endsAt: '2026-12-31T15:00:00.000Z',
    matches: [],
    url: 'http://lantern.test/campaigns/seoul-nights',
  });
  await offline(ta, krw(50_000), { name: 'Min' }, {}, 'seoul-nights');
  t.equal((await getCampaign(ta, 'seoul-nights')).impact?.unitsFunded, 6, '50,000 / 8,000 = 6 meals, rounded down');

  // Without a status the campaign is a draft, hidden from the public.
  const draft = await post(ta, '/api/v1/campaigns', { slug: 'quiet-one', title: 'Quiet', currency: 'EUR', goal: { amount: 100, currency: 'EUR' } });
  t.equal(draft.statusCode, 201);
  t.equal(draft.json<CampaignJson>().status, 'draft');
  expectProblem(t, await ta.app.inject({ method: 'GET', url: '/api/v1/campaigns/quiet-one' }), 404);

  // An organizer may create campaigns too.
  const byOrganizer = await post(ta, '/api/v1/campaigns', { ...validCampaign, slug: 'by-organizer' }, 'organizer');
  t.equal(byOrganizer.statusCode, 201);

  // The cap is inclusive: exactly 1,000,000,000 major units is allowed.
  t.equal((await post(ta, '/api/v1/campaigns', { ...validCampaign, slug: 'huge-usd', goal: usd(100_000_000_000) })).statusCode, 201);
  t.equal((await post(ta, '/api/v1/campaigns', { ...validCampaign, slug: 'huge-krw', currency: 'KRW', goal: krw(1_000_000_000) })).statusCode, 201);
});

t.test('POST /api/v1/campaigns refuses bad input with the failing field and creates nothing', async (t) => {
  const ta = await buildTestApp(t);
  await createRescueFund(ta);
  const cases: { name: string; body: Record<string, unknown>; fields: string[] }[] = [
    { name: 'slug with capitals and a space', body: { ...validCampaign, slug: 'Winter Appeal' }, fields: ['slug'] },
    { name: 'slug too short', body: { ...validCampaign, slug: 'ab' }, fields: ['slug'] },
    { name: 'slug too long', body: { ...validCampaign, slug: 'a'.repeat(61) }, fields: ['slug'] },
    { name: 'slug with a double hyphen', body: { ...validCampaign, slug: 'winter--appeal' }, fields: ['slug'] },
    { name: 'slug with a leading hyphen', body: { ...validCampaign, slug: '-winter' }, fields: ['slug'] },
    { name: 'slug with an underscore', body: { ...validCampaign, slug: 'winter_appeal' }, fields: ['slug'] },
    { name: 'slug not a string', body: { ...validCampaign, slug: 42 }, fields: ['slug'] },
    { name: 'slug missing', body: { title: 'x', currency: 'USD', goal: usd(100) }, fields: ['slug'] },
    { name: 'empty title', body: { ...validCampaign, title: '' }, fields: ['title'] },
    { name: 'blank title', body: { ...validCampaign, title: '   ' }, fields: ['title'] },
    { name: 'title too long', body: { ...validCampaign, title: 'x'.repeat(201) }, fields: ['title'] },
    { name: 'lower-case currency', body: { ...validCampaign, currency: 'usd', goal: { amount: 100, currency: 'usd' } }, fields: ['currency', 'goal.currency'] },
    { name: 'unsupported currency', body: { ...validCampaign, currency: 'XYZ', goal: { amount: 100, currency: 'XYZ' } }, fields: ['currency', 'goal.currency'] },
    { name: 'negative goal', body: { ...validCampaign, goal: usd(-100) }, fields: ['goal.amount'] },
    { name: 'zero goal', body: { ...validCampaign, goal: usd(0) }, fields: ['goal.amount'] },
    { name: 'fractional goal', body: { ...validCampaign, goal: usd(1500.5) }, fields: ['goal.amount'] },
    { name: 'goal as a string', body: { ...validCampaign, goal: { amount: '1500000', currency: 'USD' } }, fields: ['goal.amount'] },
    { name: 'goal over 1,000,000,000 USD', body: { ...validCampaign, goal: usd(100_000_000_001) }, fields: ['goal.amount'] },
    { name: 'goal over 1,000,000,000 KRW', body: { ...validCampaign, currency: 'KRW', goal: krw(1_000_000_001) }, fields: ['goal.amount'] },
    { name: 'goal in another currency', body: { ...validCampaign, goal: { amount: 100, currency: 'CAD' } }, fields: ['goal.currency'] },
    { name: 'goal with an unknown field', body: { ...validCampaign, goal: { amount: 100, currency: 'USD', cents: true } }, fields: ['goal.cents'] },
    { name: 'unit cost in another currency', body: { ...validCampaign, impact: { unit: 'rescue', unitCost: { amount: 100, currency: 'CAD' } } }, fields: ['impact.unitCost.currency'] },
    { name: 'zero unit cost', body: { ...validCampaign, impact: { unit: 'rescue', unitCost: usd(0) } }, fields: ['impact.unitCost.amount'] },
    { name: 'empty impact unit', body: { ...validCampaign, impact: { unit: '', unitCost: usd(100) } }, fields: ['impact.unit'] },
    { name: 'impact with an unknown field', body: { ...validCampaign, impact: { unit: 'rescue', unitCost: usd(100), plural: 'rescues' } }, fields: ['impact.plural'] },
    { name: 'date without a time', body: { ...validCampaign, startsAt: '2026-12-01' }, fields: ['startsAt'] },
    { name: 'impossible date', body: { ...validCampaign, startsAt: '2026-02-30T00:00:00Z' }, fields: ['startsAt'] },
    { name: 'words for a date', body: { ...validCampaign, endsAt: 'next Friday' }, fields: ['endsAt'] },
    { name: 'epoch number for a date', body: { ...validCampaign, endsAt: 1_790_000_000_000 }, fields: ['endsAt'] },
    { name: 'end before start', body: { ...validCampaign, startsAt: '2026-12-01T00:00:00Z', endsAt: '2026-11-01T00:00:00Z' }, fields: ['endsAt'] },
    { name: 'unknown status', body: { ...validCampaign, status: 'open' }, fields: ['status'] },
    { name: 'unknown field', body: { ...validCampaign, colour: 'red' }, fields: ['colour'] },
  ];
  for (const c of cases) {
    await t.test(c.name, async (t) => {
      expectProblem(t, await post(ta, '/api/v1/campaigns', c.body), 400, c.fields);
    });
  }
  t.strictSame((await listCampaigns(ta)).map((c) => c.slug), ['rescue-fund'], 'no campaign was created');
  // The slugs tried above are still free.
  t.equal((await post(ta, '/api/v1/campaigns', validCampaign)).statusCode, 201);

  const dup = expectProblem(t, await post(ta, '/api/v1/campaigns', { ...validCampaign, title: 'Another' }), 409, ['slug']);
  t.match(dup.detail, /winter-appeal/);
  t.equal((await getCampaign(ta, 'winter-appeal')).title, 'Winter Appeal', 'the existing campaign is unchanged');
});

t.test('POST /api/v1/campaigns needs an admin or organizer token', async (t) => {
  const ta = await buildTestApp(t);
  const url = '/api/v1/campaigns';
  expectProblem(t, await ta.app.inject({ method: 'POST', url, payload: validCampaign }), 401);
  expectProblem(t, await ta.app.inject({ method: 'POST', url, payload: validCampaign, headers: { authorization: 'Bearer not-a-token' } }), 401);
  expectProblem(t, await ta.app.inject({ method: 'POST', url, payload: validCampaign, headers: { authorization: `Basic ${ta.tokens.admin}` } }), 401);
  expectProblem(t, await post(ta, url, validCampaign, 'sponsor'), 403);
  t.strictSame(await listCampaigns(ta), [], 'nothing created');
});

t.test('PATCH /api/v1/campaigns/:slug changes title, goal and status', async (t) => {
  const ta = await buildTestApp(t);
  await createRescueFund(ta);
  await offline(ta, usd(30_000), { name: 'Ada', email: 'ada@donor.test' });

  const res = await patch(ta, 'rescue-fund', { title: 'Rescue Fund 2026', goal: usd(2_000_000) }, ta.auth('admin'));
  t.equal(res.statusCode, 200);
  const after = res.json<CampaignJson>();
  t.match(after, { slug: 'rescue-fund', title: 'Rescue Fund 2026', goal: usd(2_000_000), status: 'published', currency: 'USD' });
  t.strictSame(totals(after), { raised: 30_000, matched: 0, total: 30_000, donorCount: 1, giftCount: 1 }, 'progress untouched');
  t.strictSame(after.impact, { unit: 'rescue', unitCost: usd(30_000), unitsFunded: 1 }, 'impact kept when not sent');
  t.strictSame(await getCampaign(ta), after, 'GET shows the change');

  // Dates, and removing the impact unit.
  const dated = await patch(ta, 'rescue-fund', { endsAt: '2026-12-31T23:59:59Z', impact: null }, ta.auth('organizer'));
  t.equal(dated.statusCode, 200, 'an organizer may edit');
  const d = dated.json<CampaignJson>();
  t.equal(d.endsAt, '2026-12-31T23:59:59.000Z');
  t.notOk('impact' in d, 'impact removed');

  // Draft hides it from the public; published shows it again; closed keeps it readable.
  t.equal((await patch(ta, 'rescue-fund', { status: 'draft' }, ta.auth('admin'))).statusCode, 200);
  expectProblem(t, await ta.app.inject({ method: 'GET', url: '/api/v1/campaigns/rescue-fund' }), 404);
  t.strictSame(await listCampaigns(ta), []);
  t.equal((await patch(ta, 'rescue-fund', { status: 'published' }, ta.auth('admin'))).statusCode, 200);
  t.equal((await getCampaign(ta)).status, 'published');
  t.equal((await patch(ta, 'rescue-fund', { status: 'closed' }, ta.auth('admin'))).statusCode, 200);
  const closed = await getCampaign(ta);
  t.equal(closed.status, 'closed');
  t.equal(closed.raised.amount, 30_000);
  t.strictSame(await listCampaigns(ta), [], 'a closed campaign leaves the public list');
});

t.test('PATCH /api/v1/campaigns/:slug refuses bad input and changes nothing', async (t) => {
  const ta = await buildTestApp(t);
  await createRescueFund(ta, { startsAt: '2026-10-01T00:00:00Z' });
  const before = await getCampaign(ta);
  const cases: { name: string; body: Record<string, unknown>; fields: string[] }[] = [
    { name: 'empty title', body: { title: '' }, fields: ['title'] },
    { name: 'title not a string', body: { title: 7 }, fields: ['title'] },
    { name: 'negative goal', body: { goal: usd(-1) }, fields: ['goal.amount'] },
    { name: 'zero goal', body: { goal: usd(0) }, fields: ['goal.amount'] },
    { name: 'fractional goal', body: { goal: usd(10.25) }, fields: ['goal.amount'] },
    { name: 'goal as a string', body: { goal: { amount: '100', currency: 'USD' } }, fields: ['goal.amount'] },
    { name: 'goal over the cap', body: { goal: usd(100_000_000_001) }, fields: ['goal.amount'] },
    { name: 'goal in lower-case currency', body: { goal: { amount: 100, currency: 'usd' } }, fields: ['goal.currency'] },
    { name: 'goal in another currency', body: { goal: { amount: 100, currency: 'EUR' } }, fields: ['goal.currency'] },
    { name: 'unknown status', body: { status: 'archived' }, fields: ['status'] },
    { name: 'bad date', body: { endsAt: '31/12/2026' }, fields: ['endsAt'] },
    { name: 'end before the start', body: { endsAt: '2026-09-01T00:00:00Z' }, fields: ['endsAt'] },
    { name: 'the slug cannot change', body: { slug: 'other-fund' }, fields: ['slug'] },
    { name: 'the currency cannot change', body: { currency: 'CAD' }, fields: ['currency'] },
    { name: 'unknown field alongside a good one', body: { title: 'Fine', colour: 'red' }, fields: ['colour'] },
  ];
  for (const c of cases) {
    await t.test(c.name, async (t) => {
      expectProblem(t, await patch(ta, 'rescue-fund', c.body, ta.auth('admin')), 400, c.fields);
    });
  }
  t.strictSame(await getCampaign(ta), before, 'the campaign is exactly as before');

  expectProblem(t, await patch(ta, 'no-such-fund', { title: 'x' }, ta.auth('admin')), 404);
  expectProblem(t, await patch(ta, 'Bad_Slug', { title: 'x' }, ta.auth('admin')), 400, ['slug']);

  // Auth: 401 without or with a bad token, 403 for a sponsor.
  expectProblem(t, await patch(ta, 'rescue-fund', { title: 'Hacked' }, {}), 401);
  expectProblem(t, await patch(ta, 'rescue-fund', { title: 'Hacked' }, { authorization: 'Bearer nope' }), 401);
  expectProblem(t, await patch(ta, 'rescue-fund', { title: 'Hacked' }, ta.auth('sponsor')), 403);
  t.strictSame(await getCampaign(ta), before, 'still unchanged');
});

t.test('totals stay consistent across campaigns: gifts to one never show on another', async (t) => {
  const ta = await buildTestApp(t);
  await createRescueFund(ta);
  t.equal((await post(ta, '/api/v1/campaigns', validCampaign)).statusCode, 201);
  await offline(ta, usd(1_000), { name: 'A' });
  await offline(ta, usd(2_000), { name: 'B' }, {}, 'winter-appeal');
  await offline(ta, usd(3_000), { name: 'C' }, {}, 'winter-appeal');
  t.strictSame(totals(await getCampaign(ta)), { raised: 1_000, matched: 0, total: 1_000, donorCount: 1, giftCount: 1 });
  t.strictSame(totals(await getCampaign(ta, 'winter-appeal')), { raised: 5_000, matched: 0, total: 5_000, donorCount: 2, giftCount: 2 });
});
