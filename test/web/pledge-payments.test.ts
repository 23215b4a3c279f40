// A sponsor pays what their pledge came to, from the portal: by card through
// the test checkout and through (fake) Stripe, or by a transfer an
// administrator records. Paying never changes the campaign's totals (the
// matches are already in its ledger); the statement shows owed, paid and
// outstanding; a repeat form, a redelivered webhook or a refund in the
// Dashboard keep the account exact.
import t, { type Test } from 'tap';
import { findCheckout } from '../../src/db/checkouts.ts';
import { readAuditLog } from '../../src/db/audit.ts';
import { listMail } from '../../src/db/mail.ts';
import { paymentsOfPledge } from '../../src/db/pledge-payments.ts';
import { findPledge } from '../../src/db/pledges.ts';
import { findUserByEmail } from '../../src/db/users.ts';
import type { Actor } from '../../src/services/context.ts';
import type { PaymentProvider } from '../../src/payments/provider.ts';
import { expirePendingPledgePayments, pledgeAccount, startPledgePayment } from '../../src/services/pledge-payments.ts';
import { decidePledge } from '../../src/services/pledges.ts';
import { reconcileStripe } from '../../src/services/reconcile.ts';
import { proposePledge } from '../../src/services/sponsor.ts';
import { createUser } from '../../src/services/users.ts';
import { verifyAll } from '../../src/services/verify.ts';
import type { FakeStripe } from '../fakes/stripe.ts';
import { buildTestApp, createRescueFund, testActor, testPassword, type TestApp } from '../helper.ts';
import { FormClient } from './form-client.ts';
import { buildStripeApp, webhookSecret } from './stripe-app.ts';

// Logins verify argon2id passwords: slow on purpose.
t.setTimeout(180_000);


interface Portal {
  ta: TestApp;
  sponsor: FormClient;
  pledgeId: string;
}

interface WithStripe extends Portal {
  fake: FakeStripe;
  hook: string;
}

async function sponsorActor(ta: TestApp, email = 'sponsor@example.test'): Promise<Actor> {
  const user = findUserByEmail(ta.db, email);
  if (!user) throw new Error('no sponsor');
  return { userId: user.id, label: user.email, role: 'sponsor', ip: null };
}

/** A 1:1 pledge up to 1,000 USD, proposed, and its sponsor logged in to the portal. */
async function portal(t: Test): Promise<Portal> {
  return portalOn(await buildTestApp(t, { passwords: true, env: { RATE_LIMITS: 'off' } }));
}

/** The same with payments through the fake Stripe API. */
async function stripePortal(t: Test, env: Record<string, string> = {}): Promise<WithStripe> {
  const { ta, fake, hook } = await buildStripeApp(t, { passwords: true, env: { RATE_LIMITS: 'off', ...env } });
  return { ...(await portalOn(ta)), fake, hook };
}

async function portalOn(ta: TestApp): Promise<Portal> {
  await createRescueFund(ta);
  const pledge = await proposePledge(ta.services, await sponsorActor(ta), 'rescue-fund', {
    sponsorName: 'Harbour Light',
    anonymous: true,
    message: null,
    ratio: '1:1',
    cap: { amount: 100_000, currency: 'USD' },
    startsAt: null,
    endsAt: null,
  });
  const sponsor = new FormClient(ta.app);
  await sponsor.login('sponsor@example.test', testPassword);
  return { ta, sponsor, pledgeId: pledge.id };
}

async function approve(p: Portal): Promise<void> {
  await decidePledge(p.ta.services, testActor, p.pledgeId, 'approve');
}

async function giveOffline(ta: TestApp, cents: number): Promise<void> {
  const res = await ta.app.inject({
    method: 'POST',
    url: '/api/v1/campaigns/rescue-fund/gifts',
    headers: ta.auth('admin'),
    payload: { amount: { amount: cents, currency: 'USD' }, donor: { name: 'Mina Park', email: 'mina@example.org' }, method: 'cash' },
  });
  if (res.statusCode !== 201) throw new Error(`gift: ${res.statusCode} ${res.body}`);
}

interface Totals {
  raised: number;
  matched: number;
  total: number;
}

async function totals(ta: TestApp): Promise<Totals> {
  const c = (await ta.app.inject({ method: 'GET', url: '/api/v1/campaigns/rescue-fund' })).json<Record<string, { amount: number }>>();
  return { raised: c.raised?.amount ?? -1, matched: c.matched?.amount ?? -1, total: c.total?.amount ?? -1 };
}

function tokenOf(html: string): string {
  const token = /action="\/sponsor\/pledges\/[^/]+\/payments">[\s\S]*?name="form_token" value="([^"]+)"/.exec(html)?.[1];
  if (!token) throw new Error('no pay form on the page');
  return token;
}

/** The figures in the statement's payments table. */
function account(html: string): Record<string, string> {
  const section = /<section class="pledge-payments"[\s\S]*?<\/section>/.exec(html)?.[0] ?? '';
  const rows = [...section.matchAll(/<tr><th scope="row">(?:<strong>)?([^<]+)(?:<\/strong>)?<\/th><td class="num">(?:<strong>)?([^<]+)/g)];
  return Object.fromEntries(rows.map((m) => [m[1] ?? '', m[2] ?? '']));
}

t.test('a sponsor pays what the pledge matched by card (test checkout); the campaign totals do not move', async (t) => {
  const p = await portal(t);
  const proposed = await p.sponsor.get(`/sponsor/pledges/${p.pledgeId}`);
  t.notMatch(proposed.body, 'by card', 'nothing to pay while the pledge waits for approval');
  const early = await p.sponsor.post(`/sponsor/pledges/${p.pledgeId}/payments`, { form_token: 'proposed-pledge-token-1' });
  t.equal(early.statusCode, 409);
  t.match(early.body, 'waiting for approval');

  await approve(p);
  const none = await p.sponsor.get(`/sponsor/pledges/${p.pledgeId}`);
  t.notMatch(none.body, 'by card', 'nothing matched yet, nothing to pay');
  const nothing = await p.sponsor.post(`/sponsor/pledges/${p.pledgeId}/payments`, { form_token: 'nothing-owed-token-1' });
  t.equal(nothing.statusCode, 409);
  t.match(nothing.body, 'Nothing is owed');

  await giveOffline(p.ta, 30_000);
  await giveOffline(p.ta, 20_000);
  const before = await totals(p.ta);
  t.same(before, { raised: 50_000, matched: 50_000, total: 100_000 });

  const page = await p.sponsor.get(`/sponsor/pledges/${p.pledgeId}`);
  t.match(page.body, 'Pay $500.00 by card');
  t.same(account(page.body), { 'Matched (owed in all)': '$500.00', Paid: '$0.00', Outstanding: '$500.00' });
  const token = tokenOf(page.body);
  const start = await p.sponsor.post(`/sponsor/pledges/${p.pledgeId}/payments`, { form_token: token });
  t.equal(start.statusCode, 303, start.body.slice(0, 300));
  const checkoutPath = String(start.headers.location);
  t.match(checkoutPath, /^\/test-checkout\/co_/, 'off to the (test) checkout, on our own origin');
  const again = await p.sponsor.post(`/sponsor/pledges/${p.pledgeId}/payments`, { form_token: token });
  t.equal(again.headers.location, checkoutPath, 'the same form sent twice starts one payment');
  t.equal(paymentsOfPledge(p.ta.db, p.pledgeId).length, 1);

  const waiting = await p.sponsor.get(`/sponsor/pledges/${p.pledgeId}`);
  t.same(account(waiting.body), { 'Matched (owed in all)': '$500.00', Paid: '$0.00', 'Being paid (waiting for the card payment to finish)': '$500.00', Outstanding: '$0.00' });
  t.notMatch(waiting.body, 'by card', 'no second payment while one is under way');

  const checkoutPage = await p.sponsor.get(checkoutPath);
  t.match(checkoutPage.body, 'Match pledge on Rescue Fund');
  t.match(checkoutPage.body, 'Pay $500.00 (test)');
  const paid = await p.sponsor.post(`${checkoutPath}/pay`);
  t.equal(paid.statusCode, 303);
  t.equal(paid.headers.location, `/sponsor/pledges/${p.pledgeId}?done=paying`);
  const after = await p.sponsor.get(String(paid.headers.location));
  t.match(after.body, 'Back from the payment page');
  t.same(account(after.body), { 'Matched (owed in all)': '$500.00', Paid: '$500.00', Outstanding: '$0.00' });
  t.match(after.body, /Outstanding<strong>\$0\.00/, 'the figures at the top say it too');
  const home = await p.sponsor.get('/sponsor');
  t.match(home.body, /To pay<\/dt><dd><strong>\$0\.00/, 'and the list of pledges');
  t.match(after.body, '<td>Card</td>');
  t.notMatch(after.body, 'by card');
  t.same(await totals(p.ta), before, 'paying the match changes no campaign total');

  const receipt = listMail(p.ta.db, 50, 0).find((m) => m.kind === 'pledge_payment');
  t.equal(receipt?.toAddress, 'sponsor@example.test');
  t.match(receipt?.text, 'We received your payment of $500.00');
  t.match(receipt?.text, 'Outstanding: $0.00');
  t.ok(readAuditLog(p.ta.db, { limit: 10, offset: 0, action: 'pledge.payment.paid' }).length === 1, 'the payment is in the audit log');

  // More gifts are matched later: the sponsor owes (and may pay) the difference.
  await giveOffline(p.ta, 12_500);
  const more = await p.sponsor.get(`/sponsor/pledges/${p.pledgeId}`);
  t.match(more.body, 'Pay $125.00 by card');
  t.same((await verifyAll(p.ta.services)).differences, []);
});

t.test('only the pledge’s own sponsor pays; a declined card and a lapsed checkout leave it owed', async (t) => {
  const p = await portal(t);
  await approve(p);
  await giveOffline(p.ta, 10_000);
  await createUser(p.ta.services, testActor, { email: 'other@example.test', role: 'sponsor', password: testPassword });
  const other = new FormClient(p.ta.app);
  await other.login('other@example.test', testPassword);
  const stranger = await other.post(`/sponsor/pledges/${p.pledgeId}/payments`, { form_token: 'stranger-token-000001' });
  t.equal(stranger.statusCode, 403, 'another sponsor');
  const seen = await other.get(`/sponsor/pledges/${p.pledgeId}`);
  t.equal(seen.statusCode, 403, 'cannot read the statement either');
  const anonymous = await p.ta.app.inject({ method: 'POST', url: `/sponsor/pledges/${p.pledgeId}/payments`, payload: 'form_token=anonymous-token-0001', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  t.equal(anonymous.statusCode, 401, 'nobody logged out starts a payment');
  const bad = await p.sponsor.post(`/sponsor/pledges/${p.pledgeId}/payments`, { form_token: 'x' });
  t.equal(bad.statusCode, 400, 'a form without its token');
  t.equal(paymentsOfPledge(p.ta.db, p.pledgeId).length, 0, 'none of that started a payment');

  const page = await p.sponsor.get(`/sponsor/pledges/${p.pledgeId}`);
  const declined = await p.sponsor.post(`/sponsor/pledges/${p.pledgeId}/payments`, { form_token: tokenOf(page.body) });
  await p.sponsor.get(String(declined.headers.location));
  await p.sponsor.post(`${String(declined.headers.location)}/decline`);
  t.equal(paymentsOfPledge(p.ta.db, p.pledgeId)[0]?.status, 'failed');
  const again = await p.sponsor.get(`/sponsor/pledges/${p.pledgeId}`);
  t.match(again.body, 'Pay $100.00 by card', 'a declined card leaves the amount owed');

  const lapsing = await p.sponsor.post(`/sponsor/pledges/${p.pledgeId}/payments`, { form_token: tokenOf(again.body) });
  t.equal(lapsing.statusCode, 303);
  t.notMatch((await p.sponsor.get(`/sponsor/pledges/${p.pledgeId}`)).body, 'by card');
  p.ta.clock.now += 61 * 60_000;
  t.match((await p.sponsor.get(`/sponsor/pledges/${p.pledgeId}`)).body, 'Pay $100.00 by card', 'a checkout that ran out no longer holds the amount');
  t.equal(await expirePendingPledgePayments(p.ta.services), 1);
  t.same(
    paymentsOfPledge(p.ta.db, p.pledgeId).map((x) => x.status),
    ['failed', 'expired'],
  );
  const checkout = findCheckout(p.ta.db, String(lapsing.headers.location).split('/').pop() ?? '');
  t.equal(checkout?.status, 'expired');
});

t.test('an administrator records a transfer; bad amounts are refused with a message and change nothing', async (t) => {
  const p = await portal(t);
  await approve(p);
  await giveOffline(p.ta, 40_000);
  const admin = new FormClient(p.ta.app);
  await admin.login('admin@example.test', testPassword);
  const page = await admin.get(`/sponsor/pledges/${p.pledgeId}`);
  t.equal(page.statusCode, 200);
  t.match(page.body, 'Record a payment that arrived by transfer, cheque or cash');
  t.notMatch(page.body, 'by card</button>', 'an administrator does not pay for the sponsor');
  const token = /action="\/admin\/pledges\/[^/]+\/payments"[\s\S]*?name="form_token" value="([^"]+)"/.exec(page.body)?.[1] ?? '';

  const tooMuch = await admin.post(`/admin/pledges/${p.pledgeId}/payments`, { amount: '400.01', method: 'transfer', form_token: token });
  t.equal(tooMuch.statusCode, 400);
  t.match(tooMuch.body, 'At most $400.00 is outstanding on this pledge');
  t.match(tooMuch.body, 'value="400.01"', 'the form keeps what was typed');
  const junk = await admin.post(`/admin/pledges/${p.pledgeId}/payments`, { amount: 'lots', method: 'gold', form_token: token });
  t.equal(junk.statusCode, 400);
  t.match(junk.body, 'Choose how it was paid');
  t.equal(paymentsOfPledge(p.ta.db, p.pledgeId).length, 0);

  const before = await totals(p.ta);
  const ok = await admin.post(`/admin/pledges/${p.pledgeId}/payments`, { amount: '250', method: 'transfer', note: 'Wire ref 77', form_token: token });
  t.equal(ok.statusCode, 303, ok.body.slice(0, 300));
  const twice = await admin.post(`/admin/pledges/${p.pledgeId}/payments`, { amount: '250', method: 'transfer', note: 'Wire ref 77', form_token: token });
  t.equal(twice.statusCode, 303, 'the same form again records nothing more');
  t.equal(paymentsOfPledge(p.ta.db, p.pledgeId).length, 1);
  const shown = await admin.get(String(ok.headers.location));
  t.match(shown.body, 'Payment recorded');
  t.match(shown.body, '<td>Bank transfer</td>');
  t.same(account(shown.body), { 'Matched (owed in all)': '$400.00', Paid: '$250.00', Outstanding: '$150.00' });
  t.same(await totals(p.ta), before);
  const list = await admin.get('/admin/campaigns/rescue-fund/pledges');
  t.match(list.body, /Paid by the sponsor<strong>\$250\.00/, 'the console’s pledge list shows what was paid');
  t.match(list.body, /Outstanding<strong>\$150\.00/);
  t.match(list.body, `href="/sponsor/pledges/${p.pledgeId}#payments"`);
  const entry = readAuditLog(p.ta.db, { limit: 10, offset: 0, action: 'pledge.payment.record' })[0];
  t.match(entry?.after, 'Wire ref 77');

  const bySponsor = await p.sponsor.post(`/admin/pledges/${p.pledgeId}/payments`, { amount: '10', method: 'cash', form_token: 'sponsor-records-token-1' });
  t.equal(bySponsor.statusCode, 403, 'a sponsor cannot record their own payment');
  const sponsorView = await p.sponsor.get(`/sponsor/pledges/${p.pledgeId}`);
  t.match(sponsorView.body, 'Pay $150.00 by card');
  t.notMatch(sponsorView.body, 'Record a payment');
  const print = await p.sponsor.get(`/sponsor/pledges/${p.pledgeId}/print`);
  t.match(print.body, '<td>Bank transfer</td>', 'the printable statement lists the payments');
});

// ---------------------------------------------------------------- with Stripe

async function startStripePayment(t: Test, p: WithStripe): Promise<string> {
  const page = await p.sponsor.get(`/sponsor/pledges/${p.pledgeId}`);
  const started = await p.sponsor.post(`/sponsor/pledges/${p.pledgeId}/payments`, { form_token: tokenOf(page.body) });
  t.equal(started.statusCode, 303, started.body.slice(0, 300));
  const url = String(started.headers.location);
  t.match(url, p.fake.url, 'off to (fake) Stripe Checkout');
  return new URL(url).pathname.split('/').pop() ?? '';
}

t.test('through Stripe: the webhook records the payment once; a Dashboard refund makes it owed again', async (t) => {
  const p = await stripePortal(t);
  await approve(p);
  await giveOffline(p.ta, 60_000);
  const before = await totals(p.ta);
  const page = await p.sponsor.get(`/sponsor/pledges/${p.pledgeId}`);
  const csp = String(page.headers['content-security-policy']);
  t.match(csp, `form-action 'self' https://checkout.stripe.com ${p.fake.url}`, 'the browser may follow the form to Checkout');

  const sessionId = await startStripePayment(t, p);
  const session = p.fake.sessions.get(sessionId);
  t.equal(session?.amount_total, 60_000);
  t.equal(session?.customer_email, 'sponsor@example.test');
  const [payment] = paymentsOfPledge(p.ta.db, p.pledgeId);
  t.equal(session?.metadata?.reference, payment?.id, 'the session names our payment');

  const paid = p.fake.pay(sessionId);
  const deliveries = await Promise.all([1, 2, 3].map(() => p.fake.deliver(p.hook, paid, webhookSecret)));
  t.same(deliveries.map((d) => d.status), [200, 200, 200]);
  t.same(paymentsOfPledge(p.ta.db, p.pledgeId).map((x) => x.status), ['paid'], 'recorded once');
  t.equal(listMail(p.ta.db, 50, 0).filter((m) => m.kind === 'pledge_payment').length, 1, 'one receipt');
  const back = await p.sponsor.get(`/payments/stripe/return?session_id=${sessionId}`);
  t.equal(back.statusCode, 303);
  t.equal(back.headers.location, `/sponsor/pledges/${p.pledgeId}?done=paying`);
  t.same(account((await p.sponsor.get(`/sponsor/pledges/${p.pledgeId}`)).body), { 'Matched (owed in all)': '$600.00', Paid: '$600.00', Outstanding: '$0.00' });
  t.same(await totals(p.ta), before);

  const report = await reconcileStripe(p.ta.services, p.fake.client(), 0, false);
  t.same(report.missing, [], 'reconcile finds Stripe and Lantern agree');
  t.same(report.unknownToStripe, []);

  // Someone refunds the sponsor in the Stripe Dashboard.
  const charge = [...p.fake.charges.values()].find((c) => c.payment_intent === findCheckout(p.ta.db, String(session?.metadata?.checkout_id))?.providerPayment);
  const refunded = p.fake.refundInDashboard(charge?.id ?? '');
  for (let i = 0; i < 2; i++) t.equal((await p.fake.deliver(p.hook, refunded, webhookSecret)).status, 200);
  t.same(paymentsOfPledge(p.ta.db, p.pledgeId).map((x) => x.status), ['refunded']);
  const owedAgain = await p.sponsor.get(`/sponsor/pledges/${p.pledgeId}`);
  t.same(account(owedAgain.body), { 'Matched (owed in all)': '$600.00', Paid: '$0.00', Outstanding: '$600.00' });
  t.match(owedAgain.body, '<td>Refunded</td>');
  t.same(await totals(p.ta), before, 'the campaign still counts the matches');
  t.same((await verifyAll(p.ta.services)).differences, []);
});

t.test('through Stripe: a payment whose webhook never came is found by reconcile; a lost dispute makes it owed again', async (t) => {
  const p = await stripePortal(t);
  await approve(p);
  await giveOffline(p.ta, 8_000);
  const sessionId = await startStripePayment(t, p);
  p.fake.pay(sessionId);
  const report = await reconcileStripe(p.ta.services, p.fake.client(), 0, true);
  t.equal(report.missing.length, 1);
  t.equal(report.missing[0]?.fixed, true);
  t.same(paymentsOfPledge(p.ta.db, p.pledgeId).map((x) => x.status), ['paid']);

  const checkout = findCheckout(p.ta.db, String(p.fake.sessions.get(sessionId)?.metadata?.checkout_id));
  const charge = [...p.fake.charges.values()].find((c) => c.payment_intent === checkout?.providerPayment);
  const opened = p.fake.dispute(charge?.id ?? '');
  t.equal((await p.fake.deliver(p.hook, opened, webhookSecret)).status, 200);
  t.same(paymentsOfPledge(p.ta.db, p.pledgeId).map((x) => x.status), ['paid'], 'a dispute opened changes nothing yet');
  t.ok(readAuditLog(p.ta.db, { limit: 10, offset: 0, action: 'payment.dispute' }).length >= 1, 'but it is in the audit log');
  const lost = p.fake.closeDispute(String((opened.data.object as { id: string }).id), false);
  for (let i = 0; i < 2; i++) t.equal((await p.fake.deliver(p.hook, lost, webhookSecret)).status, 200);
  t.same(paymentsOfPledge(p.ta.db, p.pledgeId).map((x) => x.status), ['refunded'], 'the money went back to the cardholder');
  t.match((await p.sponsor.get(`/sponsor/pledges/${p.pledgeId}`)).body, 'Pay $80.00 by card');

  // A session that runs out releases what it held.
  const lapsing = await startStripePayment(t, p);
  t.notMatch((await p.sponsor.get(`/sponsor/pledges/${p.pledgeId}`)).body, 'by card');
  t.equal((await p.fake.deliver(p.hook, p.fake.expire(lapsing), webhookSecret)).status, 200);
  t.same(paymentsOfPledge(p.ta.db, p.pledgeId).map((x) => x.status), ['refunded', 'expired']);
  t.match((await p.sponsor.get(`/sponsor/pledges/${p.pledgeId}`)).body, 'Pay $80.00 by card');
  t.same((await verifyAll(p.ta.services)).differences, []);
});

t.test('through Stripe: part of a payment given back lowers what was paid; all of it in parts makes it owed again', async (t) => {
  const p = await stripePortal(t);
  await approve(p);
  await giveOffline(p.ta, 60_000);
  const sessionId = await startStripePayment(t, p);
  t.equal((await p.fake.deliver(p.hook, p.fake.pay(sessionId), webhookSecret)).status, 200);
  const checkout = findCheckout(p.ta.db, String(p.fake.sessions.get(sessionId)?.metadata?.checkout_id));
  const charge = [...p.fake.charges.values()].find((c) => c.payment_intent === checkout?.providerPayment)?.id ?? '';
  const first = p.fake.refundInDashboard(charge, 20_000);
  for (let i = 0; i < 2; i++) t.equal((await p.fake.deliver(p.hook, first, webhookSecret)).status, 200);
  const part = await p.sponsor.get(`/sponsor/pledges/${p.pledgeId}`);
  t.same(account(part.body), { 'Matched (owed in all)': '$600.00', Paid: '$400.00', Outstanding: '$200.00' }, 'counted once');
  t.match(part.body, 'Paid · $200.00 given back');
  t.match(part.body, 'Pay $200.00 by card');
  const rest = p.fake.refundInDashboard(charge);
  t.equal((await p.fake.deliver(p.hook, rest, webhookSecret)).status, 200);
  t.same(paymentsOfPledge(p.ta.db, p.pledgeId).map((x) => x.status), ['refunded']);
  t.same(account((await p.sponsor.get(`/sponsor/pledges/${p.pledgeId}`)).body), { 'Matched (owed in all)': '$600.00', Paid: '$0.00', Outstanding: '$600.00' });
});

t.test('through Stripe: the amount stays held as long as the Checkout session can still be paid (30 minutes at least)', async (t) => {
  const p = await stripePortal(t, { PENDING_GIFT_MINUTES: '15' });
  await approve(p);
  await giveOffline(p.ta, 10_000);
  const sessionId = await startStripePayment(t, p);
  const [payment] = paymentsOfPledge(p.ta.db, p.pledgeId);
  const session = p.fake.sessions.get(sessionId);
  t.equal(payment?.expiresAt, (session?.expires_at ?? 0) * 1000, 'held until Stripe’s session expires, not our 15 minutes');
  // (The session's expiry is on Stripe's clock, the real one; the test clock is not moved, or the sponsor's login would lapse.)
  const pledge = findPledge(p.ta.db, p.pledgeId);
  if (!pledge) throw new Error('no pledge');
  const at = (ms: number) => pledgeAccount(p.ta.services, pledge, 'USD', ms).outstanding.amount;
  t.equal(at(Date.now() + 16 * 60_000), 0, 'no second payment while the first can still be paid');
  t.equal(at((session?.expires_at ?? 0) * 1000 + 1), 10_000, 'once the session ran out, it is owed again');
});

t.test('a checkout the provider cannot start holds nothing: the sponsor may try again at once', async (t) => {
  const p = await portal(t);
  await approve(p);
  await giveOffline(p.ta, 10_000);
  const failing: PaymentProvider = {
    ...p.ta.app.payments,
    createCheckout: () => Promise.reject(new Error('the provider is down')),
  };
  await t.rejects(startPledgePayment(p.ta.services, failing, await sponsorActor(p.ta), p.pledgeId), /the provider is down/);
  t.same(paymentsOfPledge(p.ta.db, p.pledgeId).map((x) => x.status), ['failed']);
  const again = await startPledgePayment(p.ta.services, p.ta.app.payments, await sponsorActor(p.ta), p.pledgeId);
  t.equal(again.payment.amount, 10_000, 'the whole amount is still there to pay');
});
