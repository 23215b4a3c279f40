// "Cover the processing fee": configuration, the donate form, the JSON API,
// the test checkout and Stripe (the real SDK against the fake on loopback,
// signed webhooks over HTTP). The fee cover is charged with the gift and given
// back with a full refund, but the gift, the totals, the ledger and matching
// never include it.
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import t, { type Test } from 'tap';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { findGift } from '../../src/db/gifts.ts';
import { listMail } from '../../src/db/mail.ts';
import { giftsCsv } from '../../src/services/exports.ts';
import type { FakeStripe } from '../fakes/stripe.ts';
import { buildTestApp, createRescueFund, testPassword, type TestApp } from '../helper.ts';
import { expectProblem, getCampaign, totals, usd, verifyClean, type DonationJson, type MoneyJson } from './api-helpers.ts';
import { FormClient } from './form-client.ts';
import { buildStripeApp, webhookSecret } from './stripe-app.ts';

t.setTimeout(60_000);

/** Stripe's US card price: 2.9 % + 0.30 USD; 400 KRW for gifts in won. */
const feeEnv = { PROCESSING_FEE_PERCENT: '2.9', PROCESSING_FEE_FIXED: '0.30 USD, 400 KRW' };
const chromiumPath = '/usr/bin/chromium';

function formToken(html: string): string {
  const m = /name="form_token" value="([^"]+)"/.exec(html);
  if (!m?.[1]) throw new Error('no form token on the page');
  return m[1];
}

/** The Rescue Fund with an anonymous 1:1 sponsor, so a matched fee cover would show. */
async function withPledge(ta: TestApp): Promise<void> {
  await createRescueFund(ta);
  const res = await ta.app.inject({
    method: 'POST',
    url: '/api/v1/campaigns/rescue-fund/match-pledges',
    headers: ta.auth('admin'),
    payload: { sponsor: { name: 'Harbour Light', email: 'hl@example.test' }, anonymous: true, ratio: '1:1', capUnits: 50 },
  });
  if (res.statusCode !== 201) throw new Error(`pledge: ${res.statusCode} ${res.body}`);
}

function donate(ta: TestApp, payload: Record<string, unknown>) {
  return ta.app.inject({ method: 'POST', url: '/api/v1/campaigns/rescue-fund/donations', payload: { donor: { name: 'Ada', email: 'ada@example.org' }, ...payload } });
}

t.test('configuration: off unless a percentage is set; parsed exactly; bad values name their variable', async (t) => {
  const base = { DATABASE_PATH: ':memory:', LOG_LEVEL: 'silent' };
  t.equal(loadConfig(base).processingFee, null, 'not offered by default');
  t.same(loadConfig({ ...base, ...feeEnv }).processingFee, { millionths: 29_000, fixed: { USD: 30, KRW: 400 } });
  t.same(loadConfig({ ...base, PROCESSING_FEE_PERCENT: '1.4' }).processingFee, { millionths: 14_000, fixed: {} }, 'a percentage alone');
  const refused = (env: Record<string, string>, message: RegExp) => {
    t.throws(() => loadConfig({ ...base, ...env }), ConfigError);
    t.throws(() => loadConfig({ ...base, ...env }), { message });
  };
  refused({ PROCESSING_FEE_PERCENT: '2,9' }, /PROCESSING_FEE_PERCENT: Enter a percentage such as 2\.9/);
  refused({ PROCESSING_FEE_PERCENT: '0' }, /PROCESSING_FEE_PERCENT: The percentage must be more than zero/);
  refused({ PROCESSING_FEE_PERCENT: '29' }, /PROCESSING_FEE_PERCENT: The percentage must be at most 20/);
  refused({ PROCESSING_FEE_PERCENT: '2.9', PROCESSING_FEE_FIXED: '0.30' }, /PROCESSING_FEE_FIXED: Write each fixed fee/);
  refused({ PROCESSING_FEE_PERCENT: '2.9', PROCESSING_FEE_FIXED: '0.305 USD' }, /PROCESSING_FEE_FIXED: USD: /);
  refused({ PROCESSING_FEE_FIXED: '0.30 USD' }, /PROCESSING_FEE_FIXED: set PROCESSING_FEE_PERCENT too/);
});

t.test('the donate form offers the fee cover only where it is configured', async (t) => {
  const plain = await buildTestApp(t);
  await createRescueFund(plain);
  const without = await new FormClient(plain.app).get('/campaigns/rescue-fund');
  t.equal(without.statusCode, 200);
  t.notMatch(without.body, 'cover_fee', 'no checkbox');
  t.notMatch(without.body, 'processing fee');
  t.notMatch(without.body, 'fee-cover.js');

  const ta = await buildTestApp(t, { env: feeEnv });
  await createRescueFund(ta);
  const browser = new FormClient(ta.app);
  const page = await browser.get('/campaigns/rescue-fund');
  t.match(page.body, 'name="cover_fee"');
  t.match(page.body, 'Add 2.9% + $0.30 to cover the processing fee', 'before an amount is chosen, the rate');
  t.match(page.body, 'not part of your gift and is not matched');
  t.match(page.body, '<script src="/assets/fee-cover.js" defer></script>', 'a first-party script updates the figure');
  t.match(page.body, 'data-fee-cover="{&quot;millionths&quot;:29000,&quot;fixed&quot;:{&quot;USD&quot;:30},&quot;exponents&quot;:{&quot;USD&quot;:2}}"', 'with the rate the server uses');
  const script = await ta.app.inject('/assets/fee-cover.js');
  t.equal(script.statusCode, 200);
  t.match(script.body, 'million - BigInt(fee.millionths)');

  // A form shown again (a field to correct) names the fee for the amount entered, still ticked.
  const again = await browser.post('/campaigns/rescue-fund/donate', { form_token: formToken(page.body), amount: '100.00 USD', currency: 'USD', name: '', email: 'ada@example.org', cover_fee: 'on' });
  t.equal(again.statusCode, 400);
  t.match(again.body, 'Enter your name');
  t.match(again.body, 'Add $3.30 to cover the processing fee');
  t.match(again.body, /name="cover_fee" checked/);
  t.equal(findGiftCount(ta), 0, 'nothing was created');
});

function findGiftCount(ta: TestApp): number {
  return Number(ta.db.sqlite.prepare('select count(*) from gifts').pluck().get());
}

t.test('through the form and the test checkout: charged with the gift, counted and matched without it', async (t) => {
  const ta = await buildTestApp(t, { env: feeEnv, passwords: true });
  await withPledge(ta);
  const browser = new FormClient(ta.app);
  const page = await browser.get('/campaigns/rescue-fund');
  const donated = await browser.post('/campaigns/rescue-fund/donate', { form_token: formToken(page.body), amount: '100.00 USD', currency: 'USD', name: 'Mina Park', email: 'mina@example.org', show_amount: 'on', cover_fee: 'on' });
  t.equal(donated.statusCode, 303, donated.body);
  const checkoutPath = new URL(String(donated.headers.location), 'http://lantern.test').pathname;
  const checkout = await browser.get(checkoutPath);
  t.match(checkout.body, 'TEST MODE');
  t.match(checkout.body, '$103.30', 'the total is charged');
  t.match(checkout.body, 'Gift: $100.00');
  t.match(checkout.body, 'Processing fee cover: $3.30');
  t.match(checkout.body, 'Pay $103.30 (test)');

  const paid = await browser.post(`${checkoutPath}/pay`);
  t.equal(paid.statusCode, 303);
  const thanks = await ta.app.inject(String(paid.headers.location));
  t.match(thanks.body, 'Your gift of $100.00 to Rescue Fund has been received.');
  t.match(thanks.body, 'You also covered the processing fee ($3.30). Total charged: $103.30.');
  t.match(thanks.body, 'Matched with $100.00 more by our sponsors', 'the fee cover is never matched');
  const receipt = listMail(ta.db, 50, 0).find((m) => m.kind === 'gift_receipt');
  for (const line of ['Gift: $100.00', 'Processing fee you covered: $3.30', 'Total charged: $103.30']) t.match(receipt?.text, line, 'the receipt says it too');

  const campaign = await getCampaign(ta);
  t.same(totals(campaign), { raised: 10_000, matched: 10_000, total: 20_000, donorCount: 1, giftCount: 1 }, 'raised and matched on the gift alone');
  const giftId = /\/gifts\/([^/]+)\/thank-you/.exec(String(paid.headers.location))?.[1] ?? '';
  t.match(giftId, /^gift_/, 'the thank-you page names the gift');
  const gift = findGift(ta.db, giftId);
  t.match(gift, { amount: 10_000, feeCover: 330, feeCoverRefunded: 0, status: 'succeeded' });
  const ledger = ta.db.sqlite.prepare('select kind, amount from ledger_entries where gift_id = ? order by id').all(giftId) as { kind: string; amount: number }[];
  t.same(
    ledger.filter((e) => e.kind === 'gift'),
    [{ kind: 'gift', amount: 10_000 }],
    'the ledger holds the gift, not the fee cover',
  );
  t.equal(ledger.reduce((n, e) => n + e.amount, 0), 20_000, 'the gift and its match, and nothing else');
  await verifyClean(t, ta);

  // Public pages never show it.
  const publicPage = await new FormClient(ta.app).get('/campaigns/rescue-fund');
  t.match(publicPage.body, 'Mina Park');
  t.notMatch(publicPage.body, '$3.30');
  t.notMatch(publicPage.body, '$103.30');
  const publicJson = await ta.app.inject('/api/v1/campaigns/rescue-fund');
  t.notMatch(publicJson.body, /feeCover|10330|"amount":330\b/);

  // Staff see it apart from the amount: the console's gift page and the export.
  const admin = new FormClient(ta.app);
  await admin.login('admin@example.test', testPassword);
  const giftPage = await admin.get(`/admin/gifts/${giftId}`);
  t.equal(giftPage.statusCode, 200);
  t.match(giftPage.body, '<h1>$100.00 <span');
  t.match(giftPage.body, /Fee covered by donor<\/th><td>\$3\.30/);
  t.match(giftPage.body, 'Total charged: $103.30.');
  t.match(giftPage.body, 'Refunding all that remains also gives back the fee cover ($3.30)');
  const csv = giftsCsv(ta.services, 'rescue-fund', 'organizer').csv;
  t.match(csv, 'amount,currency,fee cover,fee cover refunded,campaign value');
  t.match(csv, `${giftId},`);
  t.match(csv, ',100.00,USD,3.30,0.00,100.00,', 'the fee cover in its own column, in the gift currency');

  // A full refund gives the fee cover back too; the ledger reverses the gift only.
  const refund = await admin.post(`/admin/gifts/${giftId}/refund`, { form_token: 'ffffffffffffffffffffff', reason: 'Donor asked for it back' });
  t.equal(refund.statusCode, 303, refund.body);
  t.match(findGift(ta.db, giftId), { status: 'refunded', refundedAmount: 10_000, feeCoverRefunded: 330 });
  t.match((await admin.get(`/admin/gifts/${giftId}`)).body, '$3.30 given back');
  t.match(giftsCsv(ta.services, 'rescue-fund', 'admin').csv, ',100.00,USD,3.30,3.30,100.00,');
  t.same(totals(await getCampaign(ta)), { raised: 0, matched: 0, total: 0, donorCount: 0, giftCount: 0 });
  const refundEntry = ta.db.sqlite.prepare("select amount from ledger_entries where gift_id = ? and kind = 'refund'").pluck().all(giftId);
  t.same(refundEntry, [-10_000], 'the ledger reverses the gift, not the fee cover');
  const audited = ta.db.sqlite.prepare("select after from audit_log where action = 'gift.refund'").pluck().get();
  t.match(JSON.parse(String(audited)), { refunded: 10_000, feeCover: 330, feeCoverRefunded: 330 });
  await verifyClean(t, ta);
});

t.test('unticked, or where it is not offered: the gift alone is charged; a stale tick is refused clearly', async (t) => {
  const ta = await buildTestApp(t, { env: feeEnv });
  await createRescueFund(ta);
  const browser = new FormClient(ta.app);
  const page = await browser.get('/campaigns/rescue-fund');
  const res = await browser.post('/campaigns/rescue-fund/donate', { form_token: formToken(page.body), amount: '100.00 USD', currency: 'USD', name: 'B', email: 'b@example.org' });
  t.equal(res.statusCode, 303);
  const checkout = await browser.get(new URL(String(res.headers.location), 'http://lantern.test').pathname);
  t.match(checkout.body, 'Pay $100.00 (test)');
  t.notMatch(checkout.body, 'Processing fee cover');

  const plain = await buildTestApp(t);
  await createRescueFund(plain);
  const other = new FormClient(plain.app);
  const form = await other.get('/campaigns/rescue-fund');
  const stale = await other.post('/campaigns/rescue-fund/donate', { form_token: formToken(form.body), amount: '100.00 USD', currency: 'USD', name: 'C', email: 'c@example.org', cover_fee: 'on' });
  t.equal(stale.statusCode, 400);
  t.match(stale.body, 'Covering the processing fee is not offered here');
  t.equal(findGiftCount(plain), 0, 'nothing was created');
  const api = await donate(plain, { amount: usd(2_500), coverFee: true });
  const problem = expectProblem(t, api, 422, ['coverFee']);
  t.match(problem.detail, 'not offered');
  t.equal(findGiftCount(plain), 0);
  const declined = await donate(plain, { amount: usd(2_500), coverFee: false });
  t.equal(declined.statusCode, 201, 'coverFee: false is accepted everywhere');
  t.match(declined.json(), { feeCover: usd(0), charged: usd(2_500) });
});

t.test('the API: coverFee in the OpenAPI document and in the answer', async (t) => {
  const ta = await buildTestApp(t, { env: feeEnv });
  await createRescueFund(ta);
  const doc = (await ta.app.inject('/api/docs/json')).json() as { paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { properties: Record<string, { type?: string; description?: string }> } }> } }>> };
  const body = doc.paths['/api/v1/campaigns/{slug}/donations']?.post?.requestBody?.content['application/json']?.schema.properties;
  t.equal(body?.coverFee?.type, 'boolean', 'the request body names coverFee');
  t.match(body?.coverFee?.description, 'processing fee');

  const res = await donate(ta, { amount: usd(2_500), coverFee: true });
  t.equal(res.statusCode, 201, res.body);
  const d = res.json<DonationJson>();
  t.same([d.amount, d.feeCover, d.charged], [usd(2_500), usd(106), usd(2_606)], '(25.00 + 0.30) ÷ 0.971, rounded up');
  t.match(findGift(ta.db, d.id), { amount: 2_500, feeCover: 106 });
  const checkout = ta.db.sqlite.prepare('select amount from checkouts where gift_id = ?').pluck().get(d.id);
  t.equal(checkout, 2_606, 'the checkout is for the total');
  const bad = await donate(ta, { amount: usd(2_500), coverFee: 'yes' });
  expectProblem(t, bad, 400, ['coverFee']);
});

interface Started {
  ta: TestApp;
  fake: FakeStripe;
  hook: string;
}

async function stripeSetup(t: Test, env: Record<string, string> = feeEnv): Promise<Started> {
  const { ta, fake, hook } = await buildStripeApp(t, { env });
  await withPledge(ta);
  return { ta, fake, hook };
}

function sessionIdOf(url: string): string {
  return new URL(url).pathname.split('/').pop() ?? '';
}

/** A paid Stripe gift with its fee cover: its id and charge. */
async function paidGift(t: Test, s: Started, amount: MoneyJson): Promise<{ id: string; charge: string; donation: DonationJson }> {
  const res = await donate(s.ta, { amount, coverFee: true });
  t.equal(res.statusCode, 201, res.body);
  const donation = res.json<DonationJson>();
  const delivered = await s.fake.deliver(s.hook, s.fake.pay(sessionIdOf(donation.checkoutUrl)), webhookSecret);
  t.equal(delivered.status, 200, delivered.body);
  const session = s.fake.sessions.get(sessionIdOf(donation.checkoutUrl));
  const pi = typeof session?.payment_intent === 'string' ? session.payment_intent : '';
  const charge = [...s.fake.charges.values()].find((c) => c.payment_intent === pi)?.id ?? '';
  return { id: donation.id, charge, donation };
}

/** Stripe events the audit log holds for a person: refunds not applied and amounts not matching. */
function unapplied(ta: TestApp): number {
  return Number(ta.db.sqlite.prepare("select count(*) from audit_log where action in ('payment.refund_unapplied', 'payment.amount_mismatch')").pluck().get());
}

t.test('Stripe: two lines and the total on the session; the webhook records the gift unchanged', async (t) => {
  const s = await stripeSetup(t);
  const res = await donate(s.ta, { amount: usd(10_000), coverFee: true });
  t.equal(res.statusCode, 201, res.body);
  const d = res.json<DonationJson>();
  t.same(d.charged, usd(10_330));
  const create = s.fake.requests.find((r) => r.method === 'POST' && r.path === '/v1/checkout/sessions');
  const lines = (create?.body.line_items ?? []) as { quantity: string; price_data: { unit_amount: string; currency: string; product_data: { name: string } } }[];
  t.same(
    lines.map((l) => [l.price_data.product_data.name, l.price_data.unit_amount, l.price_data.currency, l.quantity]),
    [
      ['Gift to Rescue Fund', '10000', 'usd', '1'],
      ['Processing fee cover', '330', 'usd', '1'],
    ],
    'the gift and the fee cover, each its own line',
  );
  const session = s.fake.sessions.get(sessionIdOf(d.checkoutUrl));
  t.equal(session?.amount_total, 10_330, 'Stripe charges the total');

  const paid = s.fake.pay(session?.id ?? '');
  for (const e of [paid, paid]) t.equal((await s.fake.deliver(s.hook, e, webhookSecret)).status, 200);
  t.match(findGift(s.ta.db, d.id), { status: 'succeeded', amount: 10_000, feeCover: 330, campaignAmount: 10_000 });
  t.equal(unapplied(s.ta), 0, 'the total is not taken for an amount mismatch');
  t.same(totals(await getCampaign(s.ta)), { raised: 10_000, matched: 10_000, total: 20_000, donorCount: 1, giftCount: 1 }, 'raised and matched without the fee cover');
  await verifyClean(t, s.ta);
});

t.test('Stripe: a full refund from the console gives back the gift and the fee cover in one refund', async (t) => {
  const s = await stripeSetup(t);
  const g = await paidGift(t, s, usd(10_000));
  const res = await s.ta.app.inject({ method: 'POST', url: `/api/v1/gifts/${g.id}/refunds`, headers: s.ta.auth('admin'), payload: { reason: 'asked by the donor' } });
  t.equal(res.statusCode, 201, res.body);
  t.match(res.json(), { status: 'refunded', refunded: usd(10_000), feeCover: usd(330), feeCoverRefunded: usd(330) });
  t.same([...s.fake.refunds.values()].map((r) => r.amount), [10_330], 'Stripe gives back all that was charged');
  const reported = s.fake.events.filter((e) => e.type === 'charge.refunded');
  t.equal(reported.length, 1, 'Stripe reports the refund by webhook');
  for (const e of [...reported, ...reported]) t.equal((await s.fake.deliver(s.hook, e, webhookSecret)).status, 200);
  t.match(findGift(s.ta.db, g.id), { refundedAmount: 10_000, feeCoverRefunded: 330 }, 'the webhook finds it recorded');
  t.equal(unapplied(s.ta), 0);
  t.same(totals(await getCampaign(s.ta)), { raised: 0, matched: 0, total: 0, donorCount: 0, giftCount: 0 });
  await verifyClean(t, s.ta);
});

t.test('Stripe: a partial refund gives back part of the gift only; the rest then brings the fee cover', async (t) => {
  const s = await stripeSetup(t);
  const g = await paidGift(t, s, usd(10_000));
  const part = await s.ta.app.inject({ method: 'POST', url: `/api/v1/gifts/${g.id}/refunds`, headers: s.ta.auth('admin'), payload: { amount: usd(3_000), reason: 'part' } });
  t.equal(part.statusCode, 201, part.body);
  t.match(part.json(), { status: 'partially_refunded', refunded: usd(3_000), feeCoverRefunded: usd(0) });
  t.same([...s.fake.refunds.values()].map((r) => r.amount), [3_000]);
  t.same(totals(await getCampaign(s.ta)), { raised: 7_000, matched: 7_000, total: 14_000, donorCount: 1, giftCount: 1 });
  const tooMuch = await s.ta.app.inject({ method: 'POST', url: `/api/v1/gifts/${g.id}/refunds`, headers: s.ta.auth('admin'), payload: { amount: usd(7_330) } });
  expectProblem(t, tooMuch, 400, ['amount']);
  t.equal(s.fake.refunds.size, 1, 'the fee cover is not refundable as part of the gift');
  const rest = await s.ta.app.inject({ method: 'POST', url: `/api/v1/gifts/${g.id}/refunds`, headers: s.ta.auth('admin'), payload: { amount: usd(7_000) } });
  t.equal(rest.statusCode, 201, rest.body);
  t.same([...s.fake.refunds.values()].map((r) => r.amount), [3_000, 7_330], 'the rest of the gift and all of the fee cover');
  t.match(findGift(s.ta.db, g.id), { status: 'refunded', refundedAmount: 10_000, feeCoverRefunded: 330 });
  const reported = s.fake.events.filter((e) => e.type === 'charge.refunded');
  t.equal(reported.length, 2, 'Stripe reports both refunds by webhook');
  for (const e of reported) t.equal((await s.fake.deliver(s.hook, e, webhookSecret)).status, 200);
  t.equal(unapplied(s.ta), 0);
  t.equal((await getCampaign(s.ta)).raised.amount, 0);
  await verifyClean(t, s.ta);
});

t.test('Stripe Dashboard refunds: the whole charge is a full refund; part of the gift is a partial one; anything between is audited once', async (t) => {
  const s = await stripeSetup(t);
  const whole = await paidGift(t, s, usd(10_000));
  const event = s.fake.refundInDashboard(whole.charge);
  t.equal((event.data.object as { amount_refunded: number }).amount_refunded, 10_330);
  for (const e of [event, event, event]) t.equal((await s.fake.deliver(s.hook, e, webhookSecret)).status, 200);
  t.match(findGift(s.ta.db, whole.id), { status: 'refunded', refundedAmount: 10_000, feeCoverRefunded: 330 }, 'recognised as a full refund, once');
  t.equal(unapplied(s.ta), 0, 'not audited as unapplied');

  const split = await paidGift(t, s, usd(5_000));
  t.equal(split.donation.feeCover.amount, 181, '(50.00 + 0.30) ÷ 0.971 = 51.80…, rounded up');
  await s.fake.deliver(s.hook, s.fake.refundInDashboard(split.charge, 1_000), webhookSecret);
  t.match(findGift(s.ta.db, split.id), { status: 'partially_refunded', refundedAmount: 1_000, feeCoverRefunded: 0 });
  await s.fake.deliver(s.hook, s.fake.refundInDashboard(split.charge), webhookSecret);
  t.match(findGift(s.ta.db, split.id), { status: 'refunded', refundedAmount: 5_000, feeCoverRefunded: 181 }, 'the rest of the charge completes the refund');

  const odd = await paidGift(t, s, usd(2_000));
  const between = s.fake.refundInDashboard(odd.charge, 2_050);
  for (const e of [between, between]) t.equal((await s.fake.deliver(s.hook, e, webhookSecret)).status, 200);
  t.match(findGift(s.ta.db, odd.id), { status: 'succeeded', refundedAmount: 0, feeCoverRefunded: 0 }, 'more than the gift but not the whole charge is not guessed at');
  const audit = s.ta.db.sqlite.prepare("select subject_type, subject_id, after from audit_log where action = 'payment.refund_unapplied'").all() as { subject_type: string; subject_id: string; after: string }[];
  t.equal(audit.length, 1, 'audited once, however often delivered');
  t.match(audit[0], { subject_type: 'gift', subject_id: odd.id });
  t.match(JSON.parse(audit[0]?.after ?? '{}'), { amount: 2_050, currency: 'usd' });
  t.equal((await getCampaign(s.ta)).raised.amount, 2_000);
  await verifyClean(t, s.ta);
});

t.test('Stripe: a lost dispute of the whole charge takes back the fee cover with the gift', async (t) => {
  const s = await stripeSetup(t);
  const g = await paidGift(t, s, usd(4_000));
  const opened = s.fake.dispute(g.charge);
  t.equal((opened.data.object as { amount: number }).amount, 4_000 + g.donation.feeCover.amount);
  await s.fake.deliver(s.hook, opened, webhookSecret);
  await s.fake.deliver(s.hook, s.fake.closeDispute((opened.data.object as { id: string }).id, false), webhookSecret);
  t.match(findGift(s.ta.db, g.id), { status: 'refunded', refundedAmount: 4_000, feeCoverRefunded: g.donation.feeCover.amount });
  t.equal((await getCampaign(s.ta)).raised.amount, 0);
  await verifyClean(t, s.ta);
});

t.test('Stripe in KRW: whole won, its own fixed part, and the minimum charge applies to the total', async (t) => {
  const s = await stripeSetup(t);
  await s.ta.app.inject({ method: 'POST', url: '/api/v1/exchange-rates', headers: s.ta.auth('admin'), payload: { base: 'KRW', quote: 'USD', rate: '0.00075', effectiveAt: '2026-01-01T00:00:00Z' } });
  const res = await donate(s.ta, { amount: { amount: 50_000, currency: 'KRW' }, coverFee: true });
  t.equal(res.statusCode, 201, res.body);
  const d = res.json<DonationJson>();
  t.same([d.feeCover, d.charged], [{ amount: 1_906, currency: 'KRW' }, { amount: 51_906, currency: 'KRW' }], '(50,000 + 400) ÷ 0.971 = 51,905.25…, rounded up to the won');
  const session = s.fake.sessions.get(sessionIdOf(d.checkoutUrl));
  t.equal(session?.amount_total, 51_906);
  t.equal(session?.currency, 'krw');
  await s.fake.deliver(s.hook, s.fake.pay(session?.id ?? ''), webhookSecret);
  t.match(findGift(s.ta.db, d.id), { status: 'succeeded', amount: 50_000, campaignAmount: 3_750, feeCover: 1_906 });
  t.same(totals(await getCampaign(s.ta)), { raised: 3_750, matched: 3_750, total: 7_500, donorCount: 1, giftCount: 1 }, 'converted and matched without the fee cover');

  // Stripe's minimum here is 700 KRW: 300 KRW alone is refused; with its fee cover the charge is above it.
  const alone = await donate(s.ta, { amount: { amount: 300, currency: 'KRW' } });
  expectProblem(t, alone, 400, ['amount']);
  const covered = await donate(s.ta, { amount: { amount: 300, currency: 'KRW' }, coverFee: true });
  t.equal(covered.statusCode, 201, covered.body);
  t.same(covered.json<DonationJson>().charged, { amount: 721, currency: 'KRW' }, '(300 + 400) ÷ 0.971 = 720.9…');
  await verifyClean(t, s.ta);
});

t.test('in a browser: the page’s own script shows the fee for the amount picked, as the server computes it', { timeout: 90_000, skip: !existsSync(chromiumPath) && 'chromium is not installed' }, async (t) => {
  const ta = await buildTestApp(t, { env: feeEnv });
  await createRescueFund(ta);
  await ta.app.inject({ method: 'POST', url: '/api/v1/exchange-rates', headers: ta.auth('admin'), payload: { base: 'KRW', quote: 'USD', rate: '0.00075', effectiveAt: '2026-01-01T00:00:00Z' } });
  const origin = new URL(await ta.app.listen({ port: 0, host: '127.0.0.1' })).origin;
  const browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: ['--disable-gpu', '--disable-quic', '--disable-sync'] });
  t.teardown(() => browser.close());
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));

  await page.goto(`${origin}/campaigns/rescue-fund`);
  const label = page.locator('[data-fee-label]');
  t.equal(await label.innerText(), 'Add 2.9% + $0.30 to cover the processing fee');
  await page.getByLabel('$100.00').check();
  t.equal(await label.innerText(), 'Add $3.30 to cover the processing fee');
  await page.getByLabel('Another amount', { exact: true }).fill('50');
  t.equal(await label.innerText(), 'Add $1.81 to cover the processing fee', 'another amount takes over from the preset');
  await page.getByLabel('Another amount', { exact: true }).fill('12.345');
  t.equal(await label.innerText(), 'Add 2.9% + $0.30 to cover the processing fee', 'an amount the server would refuse shows the rate');
  await page.getByLabel('Currency of another amount').selectOption('KRW');
  await page.getByLabel('Another amount', { exact: true }).fill('50,000');
  t.equal(await label.innerText(), 'Add ₩1,906 to cover the processing fee', 'whole won, with the fixed part in won');

  await page.getByLabel('Your name').fill('Jae-won Bae');
  await page.getByLabel('E-mail (for your receipt; never shown)').fill('jaewon@example.kr');
  await page.getByLabel('Add ₩1,906 to cover the processing fee').check();
  await page.getByRole('button', { name: 'Continue to payment' }).click();
  await page.waitForURL(/\/test-checkout\//);
  t.match(await page.locator('main').innerText(), 'Processing fee cover: ₩1,906', 'the server charged what the page showed');
  t.match(await page.locator('main').innerText(), '₩51,906');
  t.same(problems, [], 'no script errors and nothing refused by the content security policy');
});
