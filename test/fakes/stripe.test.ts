// The Stripe fake, exercised only through the real stripe SDK (and real HTTP
// for webhooks): sessions, listing with auto-pagination, idempotency, Stripe's
// errors, the payment lifecycle, refunds, disputes and signed events.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import t, { type Test } from 'tap';
import Stripe from 'stripe';
import { decodeForm, startFakeStripe, type FakeStripe } from './stripe.ts';

async function fakeFor(t: Test, opts?: Parameters<typeof startFakeStripe>[0]): Promise<FakeStripe> {
  const fake = await startFakeStripe(opts);
  t.teardown(() => fake.close());
  return fake;
}

/** What the SDK threw (fails the test when it did not throw a StripeError). */
async function stripeError(t: Test, p: Promise<unknown>): Promise<Stripe.errors.StripeError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof Stripe.errors.StripeError) return err;
    throw err;
  }
  t.fail('expected the SDK to throw');
  throw new Error('did not throw');
}

const nowSec = () => Math.floor(Date.now() / 1000);

function params(amount: number, currency = 'usd', extra: Partial<Stripe.Checkout.SessionCreateParams> = {}): Stripe.Checkout.SessionCreateParams {
  return {
    mode: 'payment',
    line_items: [{ price_data: { currency, unit_amount: amount, product_data: { name: 'Gift to the library roof' } }, quantity: 1 }],
    success_url: 'https://lantern.test/checkout/done?session={CHECKOUT_SESSION_ID}',
    cancel_url: 'https://lantern.test/checkout/cancelled',
    ...extra,
  };
}

t.test('decodeForm turns bracketed keys into objects and arrays', async (t) => {
  const form = decodeForm(
    'mode=payment&line_items[0][price_data][unit_amount]=5000&line_items[1][quantity]=2&expand[]=a&expand[]=b&metadata[0]=kept&metadata[gift]=g%201',
  );
  t.strictSame(form, {
    mode: 'payment',
    line_items: [{ price_data: { unit_amount: '5000' } }, { quantity: '2' }],
    expand: ['a', 'b'],
    metadata: { '0': 'kept', gift: 'g 1' },
  });
});

t.test('creates and retrieves USD and KRW sessions', async (t) => {
  const fake = await fakeFor(t);
  const stripe = fake.client();
  const expiresAt = nowSec() + 3600;
  const usd = await stripe.checkout.sessions.create(
    params(5000, 'usd', {
      expires_at: expiresAt,
      metadata: { giftId: 'g_1' },
      payment_intent_data: { metadata: { giftId: 'g_1' }, description: 'Roof fund' },
      customer_email: 'donor@example.org',
      client_reference_id: 'chk_1',
      submit_type: 'donate',
      locale: 'auto',
    }),
    { idempotencyKey: 'create-usd' },
  );
  t.match(usd.id, /^cs_test_[A-Za-z0-9]+$/);
  t.equal(usd.object, 'checkout.session');
  t.equal(usd.url, `${fake.url}/pay/${usd.id}`);
  t.equal(usd.amount_total, 5000);
  t.equal(usd.amount_subtotal, 5000);
  t.equal(usd.currency, 'usd');
  t.equal(usd.payment_status, 'unpaid');
  t.equal(usd.status, 'open');
  t.same(usd.metadata, { giftId: 'g_1' });
  t.equal(usd.client_reference_id, 'chk_1');
  t.equal(usd.customer_email, 'donor@example.org');
  t.equal(usd.payment_intent, null);
  t.equal(usd.expires_at, expiresAt);
  t.equal(usd.success_url, 'https://lantern.test/checkout/done?session={CHECKOUT_SESSION_ID}', 'the template is kept');
  t.equal(usd.cancel_url, 'https://lantern.test/checkout/cancelled');
  t.equal(usd.mode, 'payment');
  t.equal(usd.submit_type, 'donate');
  t.equal(usd.livemode, false);
  t.ok(Math.abs(usd.created - nowSec()) <= 2, 'created in seconds');

  const req = fake.requests.find((r) => r.idempotencyKey === 'create-usd');
  t.equal(req?.method, 'POST');
  t.equal(req?.path, '/v1/checkout/sessions');
  t.match(req?.body, { line_items: [{ price_data: { unit_amount: '5000', product_data: { name: 'Gift to the library roof' } }, quantity: '1' }] });

  const krw = await stripe.checkout.sessions.create(
    params(30000, 'krw', { line_items: [{ price_data: { currency: 'krw', unit_amount: 15000, product_data: { name: 'Seat' } }, quantity: 2 }] }),
  );
  t.equal(krw.amount_total, 30000, 'zero-decimal amounts are not converted');
  t.equal(krw.currency, 'krw');
  t.equal(krw.expires_at, krw.created + 24 * 3600, 'expires in 24 hours by default');

  const again = await stripe.checkout.sessions.retrieve(usd.id);
  t.equal(again.id, usd.id);
  t.equal(again.amount_total, 5000);
  const withItems = await stripe.checkout.sessions.retrieve(krw.id, { expand: ['line_items'] });
  t.equal(withItems.line_items?.data[0]?.quantity, 2);
  t.equal(withItems.line_items?.data[0]?.amount_total, 30000);

  const missing = await stripeError(t, stripe.checkout.sessions.retrieve('cs_test_nope'));
  t.ok(missing instanceof Stripe.errors.StripeInvalidRequestError);
  t.equal(missing.statusCode, 404);
  t.equal(missing.code, 'resource_missing');

  const page = await fetch(usd.url ?? '');
  t.equal(page.status, 200);
  const html = await page.text();
  t.match(html, 'Fake Stripe Checkout');
  t.match(html, 'data-amount="5000"');
  t.match(html, 'Gift to the library roof');
});

t.test('lists newest first and auto-paginates across pages', async (t) => {
  const fake = await fakeFor(t);
  const stripe = fake.client();
  const gte = nowSec();
  const created: string[] = [];
  for (let i = 0; i < 25; i++) created.push((await stripe.checkout.sessions.create(params(100 + i))).id);

  const first = await stripe.checkout.sessions.list({ limit: 10 });
  t.equal(first.object, 'list');
  t.equal(first.url, '/v1/checkout/sessions');
  t.equal(first.data.length, 10);
  t.equal(first.has_more, true);
  t.equal(first.data[0]?.id, created[24], 'newest first');

  const seen: string[] = [];
  for await (const s of stripe.checkout.sessions.list({ created: { gte }, limit: 10 })) seen.push(s.id);
  t.strictSame(seen, [...created].reverse(), 'every session once, newest first');
  const listCalls = fake.requests.filter((r) => r.method === 'GET' && r.path === '/v1/checkout/sessions');
  t.equal(listCalls.length, 4, 'one page above, then three pages of 10, 10 and 5');
  t.match(listCalls[2]?.query, { starting_after: created[15], created: { gte: String(gte) }, limit: '10' });

  const none = await stripe.checkout.sessions.list({ created: { lte: gte - 10 } });
  t.strictSame(none.data, []);
  t.equal(none.has_more, false);

  const before = await stripe.checkout.sessions.list({ ending_before: created[10], limit: 3 });
  t.strictSame(
    before.data.map((s) => s.id),
    [created[13], created[12], created[11]],
    'ending_before gives the page just newer than the cursor',
  );
  t.equal(before.has_more, true);

  fake.pay(created[0] ?? '');
  const complete = await stripe.checkout.sessions.list({ status: 'complete', expand: ['data.payment_intent'] });
  t.equal(complete.data.length, 1);
  t.equal(typeof complete.data[0]?.payment_intent, 'object', 'expanded in the list');

  const bad = await stripeError(t, stripe.checkout.sessions.list({ limit: 101 }));
  t.equal(bad.param, 'limit');
});

t.test('an idempotency key replays the same session; another body is refused', async (t) => {
  const fake = await fakeFor(t);
  const stripe = fake.client();
  const a = await stripe.checkout.sessions.create(params(2500), { idempotencyKey: 'gift-1' });
  const b = await stripe.checkout.sessions.create(params(2500), { idempotencyKey: 'gift-1' });
  t.equal(b.id, a.id, 'the same object');
  t.equal(fake.sessions.size, 1, 'created once');
  const err = await stripeError(t, stripe.checkout.sessions.create(params(2600), { idempotencyKey: 'gift-1' }));
  t.ok(err instanceof Stripe.errors.StripeIdempotencyError);
  t.equal(err.statusCode, 400);
  t.equal(err.rawType, 'idempotency_error');
  const c = await stripe.checkout.sessions.create(params(2500), { idempotencyKey: 'gift-2' });
  t.not(c.id, a.id, 'another key, another session');
});

t.test("Stripe's validation errors surface as StripeInvalidRequestError", async (t) => {
  const fake = await fakeFor(t);
  const stripe = fake.client();
  const small = await stripeError(t, stripe.checkout.sessions.create(params(49)));
  t.ok(small instanceof Stripe.errors.StripeInvalidRequestError);
  t.equal(small.code, 'amount_too_small');
  t.equal(small.statusCode, 400);
  t.ok((await stripe.checkout.sessions.create(params(50))).id, 'USD 0.50 is enough');
  t.ok((await stripe.checkout.sessions.create(params(30, 'gbp'))).id, 'GBP 0.30 is enough');
  t.equal((await stripeError(t, stripe.checkout.sessions.create(params(29, 'gbp')))).code, 'amount_too_small');
  t.equal((await stripeError(t, stripe.checkout.sessions.create(params(99, 'krw')))).code, 'amount_too_small');
  t.ok((await stripe.checkout.sessions.create(params(100, 'krw'))).id, 'KRW 100 is enough');
  t.equal((await stripeError(t, stripe.checkout.sessions.create(params(49, 'jpy')))).code, 'amount_too_small');
  t.equal((await stripeError(t, stripe.checkout.sessions.create(params(100_000_000)))).code, 'amount_too_large');

  const cases: [string, Stripe.Checkout.SessionCreateParams, string][] = [
    ['uppercase currency', params(5000, 'USD'), 'line_items[0][price_data][currency]'],
    ['zero unit amount', params(0), 'line_items[0][price_data][unit_amount]'],
    ['fractional unit amount', params(50.5), 'line_items[0][price_data][unit_amount]'],
    ['no success_url', { ...params(5000), success_url: undefined }, 'success_url'],
    ['a bad cancel_url', params(5000, 'usd', { cancel_url: 'not a url' }), 'cancel_url'],
    ['no line items', params(5000, 'usd', { line_items: [] }), 'line_items'],
    ['no quantity', params(5000, 'usd', { line_items: [{ price_data: { currency: 'usd', unit_amount: 500, product_data: { name: 'x' } } }] }), 'line_items[0][quantity]'],
    ['no product name', params(5000, 'usd', { line_items: [{ price_data: { currency: 'usd', unit_amount: 500, product_data: { name: '' } }, quantity: 1 }] }), 'line_items[0][price_data][product_data][name]'],
    ['mixed currencies', params(5000, 'usd', {
      line_items: [
        { price_data: { currency: 'usd', unit_amount: 500, product_data: { name: 'a' } }, quantity: 1 },
        { price_data: { currency: 'eur', unit_amount: 500, product_data: { name: 'b' } }, quantity: 1 },
      ],
    }), 'line_items[1][price_data][currency]'],
    ['expiry under 30 minutes', params(5000, 'usd', { expires_at: nowSec() + 60 }), 'expires_at'],
    ['expiry over 24 hours', params(5000, 'usd', { expires_at: nowSec() + 25 * 3600 }), 'expires_at'],
    ['a bad submit_type', params(5000, 'usd', { submit_type: 'gift' as Stripe.Checkout.SessionCreateParams.SubmitType }), 'submit_type'],
    ['a bad email', params(5000, 'usd', { customer_email: 'nobody' }), 'customer_email'],
    ['subscription mode', { ...params(5000), mode: 'subscription' }, 'mode=subscription'],
  ];
  for (const [what, p, param] of cases) {
    const err = await stripeError(t, stripe.checkout.sessions.create(p));
    t.ok(err instanceof Stripe.errors.StripeInvalidRequestError, what);
    t.equal(err.param, param, `${what}: param`);
  }
  const unknown = await stripeError(
    t,
    stripe.rawRequest('POST', '/v1/checkout/sessions', { ...params(5000), sucess_url: 'https://lantern.test/typo' }),
  );
  t.equal(unknown.code, 'parameter_unknown', 'a misspelt parameter is refused, as Stripe does');
  t.equal(fake.sessions.size, 3, 'only the valid sessions exist');
});

t.test('requires a test secret key', async (t) => {
  const fake = await fakeFor(t);
  const live = await stripeError(t, fake.client('sk_live_abcdefghijklmnop').checkout.sessions.list());
  t.ok(live instanceof Stripe.errors.StripeAuthenticationError);
  t.equal(live.statusCode, 401);
  const bare = await fetch(`${fake.url}/v1/checkout/sessions`);
  t.equal(bare.status, 401);
  t.match(await bare.json(), { error: { type: 'invalid_request_error' } });
  const unknownRoute = await stripeError(t, fake.client().rawRequest('GET', '/v1/customers'));
  t.equal(unknownRoute.statusCode, 404);
});

t.test('expiring a session, through the API and as a timeout', async (t) => {
  const fake = await fakeFor(t);
  const stripe = fake.client();
  const a = await stripe.checkout.sessions.create(params(5000));
  const expired = await stripe.checkout.sessions.expire(a.id);
  t.equal(expired.status, 'expired');
  t.equal(expired.url, null);
  const twice = await stripeError(t, stripe.checkout.sessions.expire(a.id));
  t.ok(twice instanceof Stripe.errors.StripeInvalidRequestError, 'only an open session can be expired');
  t.throws(() => fake.pay(a.id), /not open/, 'an expired session cannot be paid');

  const b = await stripe.checkout.sessions.create(params(5000, 'usd', { metadata: { giftId: 'g_2' } }));
  const event = fake.expire(b.id);
  t.equal(event.type, 'checkout.session.expired');
  t.equal(event.data.object.id, b.id);
  t.equal(event.data.object.status, 'expired');
  t.same(event.data.object.metadata, { giftId: 'g_2' });
  t.equal((await stripe.checkout.sessions.retrieve(b.id)).status, 'expired');

  const c = await stripe.checkout.sessions.create(params(5000));
  fake.pay(c.id);
  const done = await stripeError(t, stripe.checkout.sessions.expire(c.id));
  t.equal(done.statusCode, 400, 'a complete session cannot be expired');
});

t.test('pay, then refund partially, fully, and too much', async (t) => {
  const fake = await fakeFor(t);
  const stripe = fake.client();
  const s = await stripe.checkout.sessions.create(
    params(5000, 'usd', { metadata: { giftId: 'g_3' }, payment_intent_data: { metadata: { giftId: 'g_3' } } }),
  );
  const event = fake.pay(s.id);
  t.match(event, {
    object: 'event',
    type: 'checkout.session.completed',
    livemode: false,
    pending_webhooks: 1,
    api_version: Stripe.API_VERSION,
    request: { id: null, idempotency_key: null },
  });
  t.match(event.id, /^evt_/);
  const paid = event.data.object;
  t.equal(paid.status, 'complete');
  t.equal(paid.payment_status, 'paid');
  t.equal(paid.url, null);
  t.match(paid.payment_intent, /^pi_/);
  t.same(paid.metadata, { giftId: 'g_3' });

  const retrieved = await stripe.checkout.sessions.retrieve(s.id, { expand: ['payment_intent'] });
  const pi = retrieved.payment_intent;
  if (!pi || typeof pi === 'string') throw new Error('payment_intent not expanded');
  t.equal(pi.status, 'succeeded');
  t.equal(pi.amount, 5000);
  t.same(pi.metadata, { giftId: 'g_3' }, 'copied from payment_intent_data.metadata');
  const chargeId = typeof pi.latest_charge === 'string' ? pi.latest_charge : '';
  const charge = fake.charges.get(chargeId);
  t.match(charge, { amount: 5000, currency: 'usd', payment_intent: pi.id, status: 'succeeded', amount_refunded: 0 });

  const partial = await stripe.refunds.create(
    { payment_intent: pi.id, amount: 2000, reason: 'requested_by_customer', metadata: { giftId: 'g_3' } },
    { idempotencyKey: 'refund-1' },
  );
  t.match(partial.id, /^re_/);
  t.match(partial, { object: 'refund', status: 'succeeded', amount: 2000, currency: 'usd', charge: chargeId, payment_intent: pi.id });
  t.same(partial.metadata, { giftId: 'g_3' });
  const replay = await stripe.refunds.create(
    { payment_intent: pi.id, amount: 2000, reason: 'requested_by_customer', metadata: { giftId: 'g_3' } },
    { idempotencyKey: 'refund-1' },
  );
  t.equal(replay.id, partial.id, 'a retried refund is not made twice');
  t.equal(fake.charges.get(chargeId)?.amount_refunded, 2000);
  t.equal(fake.charges.get(chargeId)?.refunded, false);

  const tooMuch = await stripeError(t, stripe.refunds.create({ charge: chargeId, amount: 3001 }));
  t.ok(tooMuch instanceof Stripe.errors.StripeInvalidRequestError);
  t.equal(tooMuch.param, 'amount');
  t.equal(tooMuch.code, 'amount_too_large');

  const rest = await stripe.refunds.create({ charge: chargeId });
  t.equal(rest.amount, 3000, 'without an amount, what is left');
  t.equal(fake.charges.get(chargeId)?.amount_refunded, 5000);
  t.equal(fake.charges.get(chargeId)?.refunded, true);
  const again = await stripeError(t, stripe.refunds.create({ payment_intent: pi.id, amount: 1 }));
  t.equal(again.code, 'charge_already_refunded');

  t.equal((await stripe.refunds.retrieve(partial.id)).amount, 2000);
  t.equal((await stripeError(t, stripe.refunds.retrieve('re_nope'))).statusCode, 404);
  t.equal((await stripeError(t, stripe.refunds.create({ payment_intent: 'pi_nope' }))).code, 'resource_missing');
  t.equal((await stripeError(t, stripe.refunds.create({}))).statusCode, 400);

  const refundedEvents = fake.events.filter((e) => e.type === 'charge.refunded');
  t.equal(refundedEvents.length, 2, 'API refunds also produce the events Stripe would send');
  t.equal(refundedEvents[0]?.request.idempotency_key, 'refund-1');

  const viaApi = await stripe.charges.retrieve(chargeId, { expand: ['refunds'] });
  t.equal(viaApi.refunds?.data.length, 2);
  t.equal((await stripe.paymentIntents.retrieve(pi.id)).latest_charge, chargeId);
});

t.test('an asynchronous payment settles later, or fails', async (t) => {
  const fake = await fakeFor(t);
  const stripe = fake.client();
  const s = await stripe.checkout.sessions.create(params(5000, 'eur'));
  const completed = fake.pay(s.id, { async: true });
  t.equal(completed.data.object.status, 'complete');
  t.equal(completed.data.object.payment_status, 'unpaid');
  const pending = fake.charges.get([...fake.charges.keys()][0] ?? '');
  t.equal(pending?.status, 'pending');
  t.equal((await stripeError(t, stripe.refunds.create({ charge: pending?.id ?? '' }))).code, 'charge_not_refundable');
  const settled = fake.settleAsync(s.id, true);
  t.equal(settled.type, 'checkout.session.async_payment_succeeded');
  t.equal(settled.data.object.payment_status, 'paid');
  t.equal(completed.data.object.payment_status, 'unpaid', 'an earlier event is a snapshot');
  t.throws(() => fake.settleAsync(s.id, true), /no pending/);

  const f = await stripe.checkout.sessions.create(params(5000, 'eur'));
  fake.pay(f.id, { async: true });
  const failed = fake.settleAsync(f.id, false);
  t.equal(failed.type, 'checkout.session.async_payment_failed');
  t.equal(failed.data.object.payment_status, 'unpaid');
  const pi = await stripe.paymentIntents.retrieve(String(failed.data.object.payment_intent));
  t.equal(pi.status, 'requires_payment_method');
});

t.test('a refund made in the Dashboard', async (t) => {
  const fake = await fakeFor(t);
  const stripe = fake.client();
  const s = await stripe.checkout.sessions.create(params(10000, 'krw'));
  const pi = fake.paymentIntents.get(String(fake.pay(s.id).data.object.payment_intent));
  const chargeId = pi?.latest_charge ?? '';
  const event = fake.refundInDashboard(chargeId, 4000);
  t.equal(event.type, 'charge.refunded');
  t.match(event.data.object, { id: chargeId, object: 'charge', amount: 10000, amount_refunded: 4000, refunded: false, currency: 'krw' });
  t.equal(event.data.object.refunds?.data.length, 1);
  t.equal(event.data.object.refunds?.data[0]?.amount, 4000);
  t.same(event.data.previous_attributes, { amount_refunded: 0, refunded: false });
  const full = fake.refundInDashboard(chargeId);
  t.equal(full.data.object.amount_refunded, 10000);
  t.equal(full.data.object.refunded, true);
  t.equal(full.data.object.refunds?.data.length, 2);
  t.throws(() => fake.refundInDashboard(chargeId, 1), /already been refunded/);
});

t.test('disputes open and close', async (t) => {
  const fake = await fakeFor(t);
  const stripe = fake.client();
  const s = await stripe.checkout.sessions.create(params(5000));
  const pi = fake.paymentIntents.get(String(fake.pay(s.id).data.object.payment_intent));
  const chargeId = pi?.latest_charge ?? '';
  const created = fake.dispute(chargeId);
  t.equal(created.type, 'charge.dispute.created');
  t.match(created.data.object, { object: 'dispute', charge: chargeId, payment_intent: pi?.id, amount: 5000, currency: 'usd', status: 'needs_response' });
  t.match(created.data.object.id, /^dp_/);
  t.equal(fake.charges.get(chargeId)?.disputed, true);
  t.equal((await stripeError(t, stripe.refunds.create({ charge: chargeId }))).code, 'charge_disputed');
  const lost = fake.closeDispute(created.data.object.id, false);
  t.equal(lost.type, 'charge.dispute.closed');
  t.equal(lost.data.object.status, 'lost');
  t.throws(() => fake.closeDispute(created.data.object.id, true), /already lost/);

  const s2 = await stripe.checkout.sessions.create(params(5000));
  const pi2 = fake.paymentIntents.get(String(fake.pay(s2.id).data.object.payment_intent));
  const won = fake.closeDispute(fake.dispute(pi2?.latest_charge ?? '').data.object.id, true);
  t.equal(won.data.object.status, 'won');

  const other = fake.event('customer.created', { id: 'cus_1', object: 'customer' });
  t.equal(other.type, 'customer.created');
  t.same(other.data.object, { id: 'cus_1', object: 'customer' });
  t.equal(fake.event('v2.core.something', { id: 'x' }).type, 'v2.core.something');
});

t.test('signed events verify with the SDK; tampered or stale ones do not', async (t) => {
  const fake = await fakeFor(t);
  const secret = 'whsec_test_secret';
  const s = await fake.client().checkout.sessions.create(params(5000));
  const event = fake.pay(s.id);

  const { payload, header } = fake.sign(event, secret);
  t.equal(payload, JSON.stringify(event));
  const verified = Stripe.webhooks.constructEvent(payload, header, secret);
  t.equal(verified.id, event.id);
  t.equal(verified.type, 'checkout.session.completed');

  const rejects = (payloadToCheck: string, headerToCheck: string, secretToCheck: string): unknown => {
    try {
      Stripe.webhooks.constructEvent(payloadToCheck, headerToCheck, secretToCheck);
    } catch (err) {
      return err;
    }
    return undefined;
  };
  const tampered = rejects(payload.replace('"paid"', '"unpaid"'), header, secret);
  t.ok(tampered instanceof Stripe.errors.StripeSignatureVerificationError, 'a tampered payload is rejected');
  t.ok(rejects(payload, header, 'whsec_other') instanceof Stripe.errors.StripeSignatureVerificationError, 'another secret is rejected');
  const stale = fake.sign(event, secret, { timestamp: nowSec() - 301 });
  const staleErr = rejects(stale.payload, stale.header, secret);
  t.ok(staleErr instanceof Stripe.errors.StripeSignatureVerificationError, 'older than 300 s is rejected');
  t.match(staleErr, { message: /tolerance/ });
  const recent = fake.sign(event, secret, { timestamp: nowSec() - 200 });
  t.equal(Stripe.webhooks.constructEvent(recent.payload, recent.header, secret).id, event.id, 'within tolerance');

  // A receiver that verifies the raw body, as the app's webhook route does.
  const receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        const e = Stripe.webhooks.constructEvent(Buffer.concat(chunks), String(req.headers['stripe-signature']), secret);
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end(`${e.type} ${String(req.headers['content-type'])}`);
      } catch {
        res.writeHead(400);
        res.end('bad signature');
      }
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => receiver.close(() => resolve())));
  const target = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks/stripe`;
  t.strictSame(await fake.deliver(target, event, secret), { status: 200, body: 'checkout.session.completed application/json' });
  t.equal((await fake.deliver(target, event, secret, { body: payload.replace('5000', '50') })).status, 400, 'tampered');
  t.equal((await fake.deliver(target, event, secret, { timestamp: nowSec() - 600 })).status, 400, 'stale');
  t.equal((await fake.deliver(target, event, 'whsec_wrong')).status, 400, 'wrong secret');
});

t.test("the fake's clock sets created and the expiry window", async (t) => {
  let clock = Date.parse('2030-01-01T00:00:00Z');
  const fake = await fakeFor(t, { now: () => clock });
  const stripe = fake.client();
  const s = await stripe.checkout.sessions.create(params(5000, 'usd', { expires_at: clock / 1000 + 1800 }));
  t.equal(s.created, clock / 1000);
  clock += 60_000;
  t.equal(fake.expire(s.id).created, clock / 1000);
});
