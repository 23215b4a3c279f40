// JSON API v1 across routes: RFC 9457 problem details for every kind of
// failure, the authentication and role gates of every admin route, unknown
// paths, malformed bodies, privacy of every public answer, the OpenAPI
// document and the health endpoints.
import t, { type Test } from 'tap';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { buildTestApp, createRescueFund, type TestApp, testCheckout } from '../helper.ts';
import { expectProblem, getCampaign, usd, type DonationJson, type Role } from './api-helpers.ts';

interface IdJson {
  id: string;
}
interface OpenApiDoc {
  openapi: string;
  paths: Record<string, Record<string, { security?: unknown[]; tags?: string[] }>>;
}

const RFC9457_KEYS = ['detail', 'instance', 'status', 'title', 'type'];

async function admin(ta: TestApp, method: 'POST' | 'PATCH', url: string, payload: Record<string, unknown>, role: Role = 'admin'): Promise<LightMyRequestResponse> {
  return ta.app.inject({ method, url, headers: ta.auth(role), payload });
}

async function mustCreate<T>(res: Promise<LightMyRequestResponse>): Promise<T> {
  const r = await res;
  if (r.statusCode !== 201) throw new Error(`expected 201: ${r.statusCode} ${r.body}`);
  return r.json<T>();
}

/** A campaign with a pledge, a gift and a refund target, for the auth matrix. */
async function seeded(t: Test) {
  const ta = await buildTestApp(t);
  await createRescueFund(ta);
  const pledge = await mustCreate<IdJson>(admin(ta, 'POST', '/api/v1/campaigns/rescue-fund/match-pledges', { sponsor: { name: 'Secret Sam', email: 'sam@sponsor.test' }, anonymous: true, ratio: '1:1', capUnits: 50 }));
  const gift = await mustCreate<IdJson>(admin(ta, 'POST', '/api/v1/campaigns/rescue-fund/gifts', { amount: usd(10_000), donor: { name: 'Ada', email: 'ada@donor.test' }, method: 'cash' }));
  return { ta, pledgeId: pledge.id, giftId: gift.id };
}

interface Route {
  name: string;
  method: 'GET' | 'POST' | 'PATCH';
  url: string;
  /** A body that would succeed for an allowed role. */
  body?: Record<string, unknown>;
  /** A body that fails validation. */
  badBody?: Record<string, unknown>;
  roles: readonly Role[];
}

function adminRoutes(pledgeId: string, giftId: string): Route[] {
  return [
    { name: 'create campaign', method: 'POST', url: '/api/v1/campaigns', body: { slug: 'new-fund', title: 'New', currency: 'USD', goal: usd(100_000) }, badBody: { slug: 'BAD' }, roles: ['admin', 'organizer'] },
    { name: 'patch campaign', method: 'PATCH', url: '/api/v1/campaigns/rescue-fund', body: { title: 'Changed' }, badBody: { title: '' }, roles: ['admin', 'organizer'] },
    { name: 'exchange rate', method: 'POST', url: '/api/v1/exchange-rates', body: { base: 'KRW', quote: 'USD', rate: '0.00074' }, badBody: { base: 'krw' }, roles: ['admin'] },
    { name: 'match pledge', method: 'POST', url: '/api/v1/campaigns/rescue-fund/match-pledges', body: { sponsor: { name: 'X' }, ratio: '1:1', cap: usd(1_000) }, badBody: { ratio: 'a:b' }, roles: ['admin'] },
    { name: 'statement', method: 'GET', url: `/api/v1/match-pledges/${pledgeId}/statement`, roles: ['admin'] },
    { name: 'offline gift', method: 'POST', url: '/api/v1/campaigns/rescue-fund/gifts', body: { amount: usd(500), donor: { name: 'Z' }, method: 'cash' }, badBody: { amount: usd(-1) }, roles: ['admin', 'organizer'] },
    { name: 'gift list', method: 'GET', url: '/api/v1/campaigns/rescue-fund/gifts', roles: ['admin', 'organizer'] },
    { name: 'refund', method: 'POST', url: `/api/v1/gifts/${giftId}/refunds`, body: { amount: usd(100) }, badBody: { amount: usd(0) }, roles: ['admin'] },
  ];
}

function inject(ta: TestApp, r: Route, headers: Record<string, string>, body = r.body): Promise<LightMyRequestResponse> {
  const opts: InjectOptions = { method: r.method, url: r.url, headers };
  if (r.method !== 'GET') opts.payload = body ?? {};
  return ta.app.inject(opts);
}

// ---------------------------------------------------------------- auth

t.test('every admin route: 401 without a valid token, 403 for a role that may not', async (t) => {
  const { ta, pledgeId, giftId } = await seeded(t);
  const before = await getCampaign(ta);
  const beforeGifts = (await ta.app.inject({ method: 'GET', url: '/api/v1/campaigns/rescue-fund/gifts', headers: ta.auth('admin') })).body;
  const badHeaders: [string, Record<string, string>][] = [
    ['no token', {}],
    ['an unknown token', { authorization: 'Bearer lt_not-a-real-token' }],
    ['a token of another shape', { authorization: `Bearer ${ta.tokens.admin}x` }],
    ['the Basic scheme', { authorization: `Basic ${ta.tokens.admin}` }],
    ['Bearer without a token', { authorization: 'Bearer' }],
    ['two tokens', { authorization: `Bearer ${ta.tokens.admin} ${ta.tokens.admin}` }],
  ];
  for (const r of adminRoutes(pledgeId, giftId)) {
    await t.test(`${r.method} ${r.name}`, async (t) => {
      for (const [label, headers] of badHeaders) {
        const p = expectProblem(t, await inject(ta, r, headers), 401);
        t.comment(label);
        t.strictSame(Object.keys(p).filter((k) => k !== 'errors').sort(), RFC9457_KEYS);
      }
      for (const role of ['admin', 'organizer', 'sponsor'] as const) {
        if (r.roles.includes(role)) continue;
        const p = expectProblem(t, await inject(ta, r, ta.auth(role)), 403);
        t.match(p.detail, new RegExp(role), `the detail says the role (${role})`);
      }
    });
  }
  t.strictSame(await getCampaign(ta), before, 'no refused request changed the campaign');
  t.equal((await ta.app.inject({ method: 'GET', url: '/api/v1/campaigns/rescue-fund/gifts', headers: ta.auth('admin') })).body, beforeGifts, 'nor the gifts');
  const rate = await ta.app.inject({ method: 'POST', url: '/api/v1/campaigns/rescue-fund/gifts', headers: ta.auth('admin'), payload: { amount: { amount: 5_000, currency: 'KRW' }, donor: { name: 'J' }, method: 'cash' } });
  expectProblem(t, rate, 422, ['amount.currency']);
  t.comment('the refused exchange rate was not stored');
});

t.test('every admin route: the allowed roles get through', async (t) => {
  const { ta, pledgeId, giftId } = await seeded(t);
  for (const r of adminRoutes(pledgeId, giftId)) {
    for (const role of r.roles) {
      const res = await inject(ta, r, ta.auth(role), r.url === '/api/v1/campaigns' ? { ...r.body, slug: `new-${role}` } : r.body);
      t.ok(res.statusCode === 200 || res.statusCode === 201, `${r.name} as ${role}: ${res.statusCode}`);
    }
  }
});

t.test('authentication is checked before the body is validated', async (t) => {
  // "401 without a valid token, 403 when its user's role may not": a client
  // without the right token learns nothing about the fields a route expects.
  const { ta, pledgeId, giftId } = await seeded(t);
  const before = await getCampaign(ta);
  for (const r of adminRoutes(pledgeId, giftId)) {
    if (!r.badBody) continue;
    await t.test(`${r.method} ${r.name}`, async (t) => {
      const anon = expectProblem(t, await inject(ta, r, {}, r.badBody), 401);
      t.notOk(anon.errors, 'no field errors for an anonymous client');
      for (const role of ['admin', 'organizer', 'sponsor'] as const) {
        if (r.roles.includes(role)) continue;
        expectProblem(t, await inject(ta, r, ta.auth(role), r.badBody), 403);
      }
      // The allowed role does get the validation errors.
      const allowed = r.roles[0] ?? 'admin';
      expectProblem(t, await inject(ta, r, ta.auth(allowed), r.badBody), 400);
    });
  }
  t.strictSame(await getCampaign(ta), before);
});

t.test('public routes need no token', async (t) => {
  const ta = await buildTestApp(t);
  await createRescueFund(ta);
  t.equal((await ta.app.inject({ method: 'GET', url: '/api/v1/campaigns' })).statusCode, 200);
  t.equal((await ta.app.inject({ method: 'GET', url: '/api/v1/campaigns/rescue-fund' })).statusCode, 200);
  const d = await ta.app.inject({ method: 'POST', url: '/api/v1/campaigns/rescue-fund/donations', payload: { amount: usd(1_000), donor: { name: 'G', email: 'g@donor.test' } } });
  t.equal(d.statusCode, 201);
  // A sponsor's token is fine on public routes.
  t.equal((await ta.app.inject({ method: 'GET', url: '/api/v1/campaigns/rescue-fund', headers: ta.auth('sponsor') })).statusCode, 200);
});

// ---------------------------------------------------------------- problem details

t.test('problem details for each kind of failure', async (t) => {
  const { ta, giftId } = await seeded(t);
  const before = await getCampaign(ta);

  const v = expectProblem(t, await admin(ta, 'POST', '/api/v1/campaigns/rescue-fund/gifts', { amount: { amount: -1, currency: 'usd' }, donor: { name: 'A', email: 'nope' }, method: 'card', extra: true }), 400, ['amount.amount', 'amount.currency', 'donor.email', 'method', 'extra']);
  t.strictSame(Object.keys(v).sort(), [...RFC9457_KEYS, 'errors'].sort());
  t.equal(v.instance, '/api/v1/campaigns/rescue-fund/gifts');
  for (const e of v.errors ?? []) t.strictSame(Object.keys(e).sort(), ['field', 'message'], 'each error is {field, message}');
  t.equal(v.errors?.find((e) => e.field === 'extra')?.message, 'Unknown field');

  const types = new Set<string>([v.type]);
  types.add(expectProblem(t, await ta.app.inject({ method: 'GET', url: '/api/v1/campaigns/no-such-fund' }), 404).type);
  types.add(expectProblem(t, await admin(ta, 'POST', '/api/v1/campaigns', { slug: 'rescue-fund', title: 'Dup', currency: 'USD', goal: usd(100) }), 409, ['slug']).type);
  types.add(expectProblem(t, await admin(ta, 'POST', '/api/v1/campaigns/rescue-fund/gifts', { amount: { amount: 5_000, currency: 'KRW' }, donor: { name: 'J' }, method: 'cash' }), 422, ['amount.currency']).type);
  types.add(expectProblem(t, await ta.app.inject({ method: 'GET', url: '/api/v1/campaigns/rescue-fund/gifts' }), 401).type);
  types.add(expectProblem(t, await ta.app.inject({ method: 'GET', url: '/api/v1/campaigns/rescue-fund/gifts', headers: ta.auth('sponsor') }), 403).type);
  t.equal(types.size, 6, 'each kind of problem has its own type');

  await admin(ta, 'POST', `/api/v1/gifts/${giftId}/refunds`, {});
  expectProblem(t, await admin(ta, 'POST', `/api/v1/gifts/${giftId}/refunds`, {}), 409);
  const after = await getCampaign(ta);
  t.equal(after.giftCount, before.giftCount - 1, 'only the one good refund changed anything');
});

t.test('an unknown API path or method answers 404 problem+json', async (t) => {
  const ta = await buildTestApp(t);
  await createRescueFund(ta);
  for (const [method, url] of [
    ['GET', '/api/v1/nothing-here'],
    ['GET', '/api/v2/campaigns'],
    ['POST', '/api/v1/campaigns/rescue-fund/unknown'],
    ['DELETE', '/api/v1/campaigns/rescue-fund'],
    ['PUT', '/api/v1/exchange-rates'],
    ['GET', '/api/v1/gifts/some-id/refunds'],
  ] as const) {
    const p = expectProblem(t, await ta.app.inject({ method, url, headers: ta.auth('admin') }), 404);
    t.match(p.detail, url.split('?')[0] ?? url);
  }
  const withQuery = expectProblem(t, await ta.app.inject({ method: 'GET', url: '/api/v1/nope?x=1' }), 404);
  t.equal(withQuery.instance, '/api/v1/nope?x=1');
});

t.test('malformed, empty, oversized and foreign bodies are refused with problem details', async (t) => {
  const ta = await buildTestApp(t);
  await createRescueFund(ta);
  const url = '/api/v1/campaigns/rescue-fund/gifts';
  const json = { ...ta.auth('admin'), 'content-type': 'application/json' };
  expectProblem(t, await ta.app.inject({ method: 'POST', url, headers: json, payload: '{"amount": ' }), 400);
  expectProblem(t, await ta.app.inject({ method: 'POST', url, headers: json, payload: '' }), 400);
  expectProblem(t, await ta.app.inject({ method: 'POST', url, headers: json, payload: '[]' }), 400);
  expectProblem(t, await ta.app.inject({ method: 'POST', url, headers: json, payload: 'null' }), 400);
  expectProblem(t, await ta.app.inject({ method: 'POST', url, headers: ta.auth('admin') }), 400);
  expectProblem(t, await ta.app.inject({ method: 'POST', url, headers: json, payload: JSON.stringify({ note: 'x'.repeat(70_000) }) }), 413);
  expectProblem(t, await ta.app.inject({ method: 'POST', url, headers: { ...ta.auth('admin'), 'content-type': 'application/xml' }, payload: '<gift/>' }), 415);
  // Prototype pollution attempts are refused, whether by the parser or as an unknown field.
  expectProblem(t, await ta.app.inject({ method: 'POST', url, headers: json, payload: '{"amount":{"amount":100,"currency":"USD"},"donor":{"name":"A"},"method":"cash","constructor":{"prototype":{"x":1}}}' }), 400);
  expectProblem(t, await ta.app.inject({ method: 'POST', url, headers: json, payload: '{"amount":{"amount":100,"currency":"USD"},"donor":{"name":"A"},"method":"cash","__proto__":{"x":1}}' }), 400);
  expectProblem(t, await ta.app.inject({ method: 'POST', url, headers: json, payload: JSON.stringify({ amount: { amount: 100, currency: 'constructor' }, donor: { name: 'A' }, method: 'cash' }) }), 400, ['amount.currency']);
  const c = await getCampaign(ta);
  t.strictSame([c.raised, c.giftCount], [usd(0), 0], 'nothing recorded');
});

// ---------------------------------------------------------------- privacy

t.test('no public answer carries an e-mail or a hidden name; the admin list does', async (t) => {
  const ta = await buildTestApp(t);
  await createRescueFund(ta);
  const emails = ['sam@sponsor.test', 'csr@harbour.test', 'hana@donor.test', 'oscar@donor.test', 'gina@donor.test', 'quiet@sponsor.test'];
  const hidden = ['Secret Sam', 'Hidden Hana', 'Ghost Gina', 'Quiet Quinn'];
  await mustCreate(admin(ta, 'POST', '/api/v1/campaigns/rescue-fund/match-pledges', { sponsor: { name: 'Secret Sam', email: 'sam@sponsor.test' }, anonymous: true, ratio: '1:1', capUnits: 50 }));
  await mustCreate(admin(ta, 'POST', '/api/v1/campaigns/rescue-fund/match-pledges', { sponsor: { name: 'Harbour Bank', email: 'csr@harbour.test' }, anonymous: false, ratio: '1:2', cap: usd(50_000), priority: 500 }));
  await mustCreate(admin(ta, 'POST', '/api/v1/campaigns/rescue-fund/match-pledges', { sponsor: { name: 'Quiet Quinn', email: 'quiet@sponsor.test' }, anonymous: true, ratio: '1:1', cap: usd(50_000), unlock: { kind: 'raised', threshold: usd(1_000_000) } }));
  await mustCreate(admin(ta, 'POST', '/api/v1/campaigns/rescue-fund/gifts', { amount: usd(10_000), donor: { name: 'Hidden Hana', email: 'hana@donor.test' }, anonymous: true, comment: 'for the boats', method: 'cash' }));
  await mustCreate(admin(ta, 'POST', '/api/v1/campaigns/rescue-fund/gifts', { amount: usd(5_000), donor: { name: 'Open Oscar', email: 'oscar@donor.test' }, method: 'cheque' }));
  const dRes = await ta.app.inject({ method: 'POST', url: '/api/v1/campaigns/rescue-fund/donations', payload: { amount: usd(2_500), donor: { name: 'Ghost Gina', email: 'gina@donor.test' }, anonymous: true } });
  t.equal(dRes.statusCode, 201);
  const d = dRes.json<DonationJson>();
  const checkout = new URL(d.checkoutUrl).pathname;
  const replay = await ta.app.inject({ method: 'POST', url: '/api/v1/campaigns/rescue-fund/donations', headers: { 'idempotency-key': 'privacy-key-1' }, payload: { amount: usd(2_500), donor: { name: 'Ghost Gina', email: 'gina@donor.test' }, anonymous: true } });
  const replayed = await ta.app.inject({ method: 'POST', url: '/api/v1/campaigns/rescue-fund/donations', headers: { 'idempotency-key': 'privacy-key-1' }, payload: { amount: usd(2_500), donor: { name: 'Ghost Gina', email: 'gina@donor.test' }, anonymous: true } });
  t.equal(replayed.headers['idempotent-replayed'], 'true');
  t.equal((await testCheckout(ta, checkout, 'pay')).statusCode, 303);

  const publicAnswers: [string, string][] = [
    ['donation 201', dRes.body],
    ['donation with a key', replay.body],
    ['donation replayed', replayed.body],
    ['GET /api/v1/campaigns', (await ta.app.inject({ method: 'GET', url: '/api/v1/campaigns' })).body],
    ['GET /api/v1/campaigns/:slug', (await ta.app.inject({ method: 'GET', url: '/api/v1/campaigns/rescue-fund' })).body],
    ['home page', (await ta.app.inject({ method: 'GET', url: '/' })).body],
    ['campaign page', (await ta.app.inject({ method: 'GET', url: '/campaigns/rescue-fund' })).body],
    ['checkout page', (await ta.app.inject({ method: 'GET', url: checkout })).body],
  ];
  for (const [what, body] of publicAnswers) {
    for (const e of emails) t.notOk(body.includes(e), `${what}: no ${e}`);
    for (const h of hidden) t.notOk(body.includes(h), `${what}: no "${h}"`);
  }
  const campaignJson = publicAnswers[4]?.[1] ?? '';
  t.match(campaignJson, /"sponsor":"Anonymous"/);
  t.match(campaignJson, /"sponsor":"Harbour Bank"/, 'a named sponsor is shown by name');
  t.notMatch(campaignJson, /@/, 'no @ at all in the campaign JSON');

  const adminList = await ta.app.inject({ method: 'GET', url: '/api/v1/campaigns/rescue-fund/gifts', headers: ta.auth('admin') });
  for (const e of ['hana@donor.test', 'oscar@donor.test', 'gina@donor.test']) t.ok(adminList.body.includes(e), `admin list has ${e}`);
  const organizerList = await ta.app.inject({ method: 'GET', url: '/api/v1/campaigns/rescue-fund/gifts', headers: ta.auth('organizer') });
  t.notOk(organizerList.body.includes('@donor.test'), 'an organizer sees no donor e-mail');
  t.notOk(organizerList.body.includes('Hidden Hana'), 'nor an anonymous donor’s name');
  const sponsorList = expectProblem(t, await ta.app.inject({ method: 'GET', url: '/api/v1/campaigns/rescue-fund/gifts', headers: ta.auth('sponsor') }), 403);
  t.notMatch(JSON.stringify(sponsorList), /@donor/, 'the 403 leaks nothing');
});

// ---------------------------------------------------------------- docs and health

t.test('the OpenAPI document lists every /api/v1 path', async (t) => {
  const ta = await buildTestApp(t);
  const res = await ta.app.inject({ method: 'GET', url: '/api/docs/json' });
  t.equal(res.statusCode, 200);
  t.match(String(res.headers['content-type']), /^application\/json/);
  const doc = res.json<OpenApiDoc>();
  t.match(doc.openapi, /^3\./);
  const ops = Object.entries(doc.paths).flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`));
  t.strictSame(ops.sort(), [
    'GET /api/v1/campaigns',
    'GET /api/v1/campaigns/{slug}',
    'GET /api/v1/campaigns/{slug}/gifts',
    'GET /api/v1/events',
    'GET /api/v1/events/{slug}',
    'GET /api/v1/match-pledges/{id}/statement',
    'GET /api/v1/orders/{id}',
    'GET /api/v1/raffles/{id}',
    'PATCH /api/v1/campaigns/{slug}',
    'PATCH /api/v1/events/{slug}',
    'POST /api/v1/campaigns',
    'POST /api/v1/campaigns/{slug}/donations',
    'POST /api/v1/campaigns/{slug}/gifts',
    'POST /api/v1/campaigns/{slug}/match-pledges',
    'POST /api/v1/campaigns/{slug}/raffles',
    'POST /api/v1/events',
    'POST /api/v1/events/{slug}/cancellation',
    'POST /api/v1/events/{slug}/check-ins',
    'POST /api/v1/events/{slug}/door-sales',
    'POST /api/v1/events/{slug}/orders',
    'POST /api/v1/events/{slug}/raffles',
    'POST /api/v1/events/{slug}/ticket-types',
    'POST /api/v1/events/{slug}/waitlist',
    'POST /api/v1/exchange-rates',
    'POST /api/v1/gifts/{id}/refunds',
    'POST /api/v1/orders/{id}/refunds',
    'POST /api/v1/raffles/{id}/close',
    'POST /api/v1/raffles/{id}/draw',
    'POST /api/v1/raffles/{id}/entries',
    'POST /api/v1/raffles/{id}/prizes/{i}/redraw',
  ], 'exactly the API v1 operations; no page or test-checkout route');
  for (const op of ['post', 'patch'] as const) t.ok(doc.paths['/api/v1/campaigns/{slug}']?.[op === 'post' ? 'get' : op], `campaign ${op}`);
  t.ok(doc.paths['/api/v1/exchange-rates']?.post?.security, 'admin routes declare bearer security');
  t.notOk(doc.paths['/api/v1/campaigns']?.get?.security, 'public routes do not');
  t.match(res.body, /Idempotency|idempotency-key/i, 'the idempotency header is documented');

  const ui = await ta.app.inject({ method: 'GET', url: '/api/docs' });
  t.equal(ui.statusCode, 200, 'the docs page is served');
  t.notMatch(ui.body, /(src|href)="https?:\/\//, 'and loads nothing from a third party');
});

t.test('/healthz and /readyz answer 200', async (t) => {
  const ta = await buildTestApp(t);
  const h = await ta.app.inject({ method: 'GET', url: '/healthz' });
  t.equal(h.statusCode, 200);
  t.strictSame(h.json<{ status: string }>(), { status: 'ok' });
  const r = await ta.app.inject({ method: 'GET', url: '/readyz' });
  t.equal(r.statusCode, 200);
  t.strictSame(r.json<{ status: string }>(), { status: 'ready' });
});
