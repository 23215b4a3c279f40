// Shared by the JSON API v1 tests (test/web/api-*.test.ts): the JSON shapes
// the API answers, money constructors, the RFC 9457 problem assertion and the
// request helpers several of those files use. Not a test file itself.
import type { Test } from 'tap';
import type { LightMyRequestResponse } from 'fastify';
import { verifyAll } from '../../src/services/verify.ts';
import type { TestApp } from '../helper.ts';

export interface MoneyJson {
  amount: number;
  currency: string;
}
export interface FieldError {
  field: string;
  message: string;
}
export interface ProblemJson {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  errors?: FieldError[];
}
export interface PledgeJson {
  id: string;
  sponsor: string;
  ratio: string;
  cap: MoneyJson;
  allocated: MoneyJson;
  remaining: MoneyJson;
  status: string;
  message: string | null;
  unlock: { kind: string; threshold: number } | null;
  wouldAdd: MoneyJson | null;
}
export interface CampaignJson {
  slug: string;
  title: string;
  status: string;
  currency: string;
  goal: MoneyJson;
  raised: MoneyJson;
  matched: MoneyJson;
  total: MoneyJson;
  donorCount: number;
  giftCount: number;
  impact?: { unit: string; unitCost: MoneyJson; unitsFunded: number };
  startsAt: string | null;
  endsAt: string | null;
  matches: PledgeJson[];
  url: string;
}
export interface GiftJson {
  id: string;
  status: string;
  amount: MoneyJson;
  campaignAmount: MoneyJson | null;
  rate: string | null;
  matched: MoneyJson;
  refunded: MoneyJson;
  feeCover: MoneyJson;
  feeCoverRefunded: MoneyJson;
}
/** A gift as the admin gift list shows it. */
export interface AdminGiftJson extends GiftJson {
  donor: { name: string; email: string | null };
  anonymous: boolean;
  comment: string | null;
  source: string;
  method: string;
  createdAt: string;
  succeededAt: string | null;
}
export interface DonationJson {
  id: string;
  status: string;
  amount: MoneyJson;
  feeCover: MoneyJson;
  charged: MoneyJson;
  checkoutUrl: string;
}

export type Role = 'admin' | 'organizer' | 'sponsor';
export const usd = (amount: number): MoneyJson => ({ amount, currency: 'USD' });
export const krw = (amount: number): MoneyJson => ({ amount, currency: 'KRW' });
export const cad = (amount: number): MoneyJson => ({ amount, currency: 'CAD' });
export const START = '2026-11-01T12:00:00.000Z'; // the test clock's start

/** Asserts an RFC 9457 problem answer and that `errors` names every field given. */
export function expectProblem(t: Test, res: LightMyRequestResponse, status: number, fields: readonly string[] = []): ProblemJson {
  t.equal(res.statusCode, status, `answers ${status}`);
  t.match(String(res.headers['content-type']), /^application\/problem\+json/, 'as application/problem+json');
  const p = res.json<ProblemJson>();
  t.equal(p.status, status, 'problem.status');
  t.match(p.type, /\S/, 'problem.type');
  t.match(p.title, /\S/, 'problem.title');
  t.match(p.detail, /\S/, 'problem.detail');
  t.equal(p.instance, res.raw.req.url, 'problem.instance is the request path');
  t.notMatch(res.body, /\.ts:\d+|at [\w.]+ \(/, 'no stack trace');
  for (const f of fields) {
    const hit = p.errors?.find((e) => e.field === f);
    t.ok(hit, `errors names ${f} (got ${JSON.stringify(p.errors)})`);
    if (hit) t.match(hit.message, /\S/, `a message for ${f}`);
  }
  return p;
}

export async function getCampaign(ta: TestApp, slug = 'rescue-fund'): Promise<CampaignJson> {
  const res = await ta.app.inject({ method: 'GET', url: `/api/v1/campaigns/${slug}` });
  if (res.statusCode !== 200) throw new Error(`GET campaign ${slug}: ${res.statusCode} ${res.body}`);
  return res.json<CampaignJson>();
}

/** A campaign's progress figures, to compare in one assertion. */
export function totals(c: CampaignJson) {
  return { raised: c.raised.amount, matched: c.matched.amount, total: c.total.amount, donorCount: c.donorCount, giftCount: c.giftCount };
}

export async function verifyClean(t: Test, ta: TestApp): Promise<void> {
  t.strictSame((await verifyAll(ta.services)).differences, [], 'verify: caches = ledger = replay');
}

// ---------------------------------------------------------------- gifts

export async function listGifts(ta: TestApp, slug = 'rescue-fund', query = ''): Promise<AdminGiftJson[]> {
  const res = await ta.app.inject({ method: 'GET', url: `/api/v1/campaigns/${slug}/gifts${query}`, headers: ta.auth('admin') });
  if (res.statusCode !== 200) throw new Error(`GET gifts: ${res.statusCode} ${res.body}`);
  return res.json<{ gifts: AdminGiftJson[] }>().gifts;
}

export async function giftById(ta: TestApp, id: string, slug = 'rescue-fund'): Promise<AdminGiftJson> {
  const g = (await listGifts(ta, slug)).find((x) => x.id === id);
  if (!g) throw new Error(`gift ${id} not in the list`);
  return g;
}

export function giftPost(ta: TestApp, payload: unknown, opts: { slug?: string; role?: Role; key?: string } = {}) {
  return ta.app.inject({
    method: 'POST',
    url: `/api/v1/campaigns/${opts.slug ?? 'rescue-fund'}/gifts`,
    headers: { ...ta.auth(opts.role ?? 'admin'), ...(opts.key !== undefined && { 'idempotency-key': opts.key }) },
    payload: payload as Record<string, unknown>,
  });
}

/** An offline (cash) gift entered by an admin; it succeeds at once. */
export async function offline(ta: TestApp, amount: MoneyJson, donor: { name: string; email?: string } = { name: 'Cash box' }, extra: Record<string, unknown> = {}, slug = 'rescue-fund'): Promise<GiftJson> {
  const res = await giftPost(ta, { amount, donor, method: 'cash', ...extra }, { slug });
  if (res.statusCode !== 201) throw new Error(`offline gift: ${res.statusCode} ${res.body}`);
  return res.json<GiftJson>();
}

export function donationPost(ta: TestApp, payload: unknown, opts: { slug?: string; key?: string } = {}) {
  return ta.app.inject({
    method: 'POST',
    url: `/api/v1/campaigns/${opts.slug ?? 'rescue-fund'}/donations`,
    headers: opts.key !== undefined ? { 'idempotency-key': opts.key } : {},
    payload: payload as Record<string, unknown>,
  });
}

/** A guest donation, started but not yet paid. */
export async function donate(ta: TestApp, amount: MoneyJson, donor = { name: 'Guest Giver', email: 'guest@donor.test' }, extra: Record<string, unknown> = {}): Promise<DonationJson> {
  const res = await donationPost(ta, { amount, donor, ...extra });
  if (res.statusCode !== 201) throw new Error(`donation: ${res.statusCode} ${res.body}`);
  return res.json<DonationJson>();
}

export const checkoutPath = (d: DonationJson) => new URL(d.checkoutUrl).pathname;

export function refundPost(ta: TestApp, giftId: string, payload: unknown, opts: { role?: Role; key?: string } = {}) {
  return ta.app.inject({
    method: 'POST',
    url: `/api/v1/gifts/${giftId}/refunds`,
    headers: { ...ta.auth(opts.role ?? 'admin'), ...(opts.key !== undefined && { 'idempotency-key': opts.key }) },
    payload: payload as Record<string, unknown>,
  });
}

/** A refund by an admin: of `amount`, or of the whole gift. */
export async function refund(ta: TestApp, giftId: string, amount?: MoneyJson): Promise<GiftJson> {
  const res = await refundPost(ta, giftId, amount ? { amount } : {});
  if (res.statusCode !== 201) throw new Error(`refund: ${res.statusCode} ${res.body}`);
  return res.json<GiftJson>();
}

// ---------------------------------------------------------------- pledges and rates

export function pledgePost(ta: TestApp, payload: unknown, opts: { slug?: string; role?: Role } = {}) {
  return ta.app.inject({
    method: 'POST',
    url: `/api/v1/campaigns/${opts.slug ?? 'rescue-fund'}/match-pledges`,
    headers: ta.auth(opts.role ?? 'admin'),
    payload: payload as Record<string, unknown>,
  });
}

/** A 1:1 pledge by Harbour Bank, shown by name, unless `body` says otherwise. */
export async function addPledge(ta: TestApp, body: Record<string, unknown>, slug = 'rescue-fund'): Promise<PledgeJson> {
  const res = await pledgePost(ta, { sponsor: { name: 'Harbour Bank', email: 'csr@harbour.test' }, anonymous: false, ratio: '1:1', ...body }, { slug });
  if (res.statusCode !== 201) throw new Error(`pledge: ${res.statusCode} ${res.body}`);
  return res.json<PledgeJson>();
}

export function ratePost(ta: TestApp, payload: unknown, headers: Record<string, string> = ta.auth('admin')) {
  return ta.app.inject({ method: 'POST', url: '/api/v1/exchange-rates', headers, payload: payload as Record<string, unknown> });
}

/** 1 `base` = `rate` `quote`, entered by an admin. */
export async function addRate(ta: TestApp, base: string, rate: string, quote = 'USD'): Promise<void> {
  const res = await ratePost(ta, { base, quote, rate });
  if (res.statusCode !== 201) throw new Error(`rate: ${res.statusCode} ${res.body}`);
}

/** An event through the API, by default the Seoul game night for the Rescue Fund (published, KRW). */
export async function createSeoulEvent(t: Test, ta: TestApp, overrides: Record<string, unknown> = {}): Promise<void> {
  const res = await ta.app.inject({
    method: 'POST',
    url: '/api/v1/events',
    headers: ta.auth('organizer'),
    payload: {
      slug: 'game-night',
      title: 'Two Truths and a Lie',
      kind: 'social',
      timezone: 'Asia/Seoul',
      startsAt: '2026-12-05T19:00',
      endsAt: '2026-12-05T22:00',
      venue: { name: 'Blue Pub', address: '12 Itaewon-ro', city: 'Seoul', country: 'KR' },
      campaignSlug: 'rescue-fund',
      currency: 'KRW',
      status: 'published',
      ...overrides,
    },
  });
  t.equal(res.statusCode, 201, res.body);
}

/** 1 KRW = 0.00075 USD from 2026 on. */
export async function addKrwRate(t: Test, ta: TestApp): Promise<void> {
  const res = await ta.app.inject({ method: 'POST', url: '/api/v1/exchange-rates', headers: ta.auth('admin'), payload: { base: 'KRW', quote: 'USD', rate: '0.00075', effectiveAt: '2026-01-01T00:00:00Z' } });
  t.equal(res.statusCode, 201, res.body);
}
