// Card-testing defences over HTTP: a limit per e-mail and a pause after failed
// checkouts answer 429 problem details saying only "this address or e-mail";
// MIN_ONLINE_GIFT refuses smaller online gifts; refusals are audited by hash.
import t from 'tap';
import { readAuditLog } from '../../src/db/audit.ts';
import { buildTestApp, createRescueFund, testCheckout, type TestApp } from '../helper.ts';
import { FormClient } from './form-client.ts';

const MINUTE = 60_000;

function donate(ta: TestApp, email: string, remoteAddress: string, amount = 2_500) {
  return ta.app.inject({
    method: 'POST',
    url: '/api/v1/campaigns/rescue-fund/donations',
    remoteAddress,
    payload: { amount: { amount, currency: 'USD' }, donor: { name: 'A', email } },
  });
}

t.test('limits per e-mail and pauses after declines, with clear answers and hashed audit entries', async (t) => {
  const ta = await buildTestApp(t, {
    env: { RATE_LIMITS: 'on', RATE_LIMIT_MONEY: '100', RATE_LIMIT_MONEY_EMAIL: '3', MIN_ONLINE_GIFT: '5 USD' },
  });
  await createRescueFund(ta);

  for (const ip of ['10.1.0.1', '10.1.0.2', '10.1.0.3']) t.equal((await donate(ta, 'card@example.org', ip)).statusCode, 201);
  const limited = await donate(ta, 'card@example.org', '10.1.0.4');
  t.equal(limited.statusCode, 429, 'the fourth start with one e-mail, from a fourth address');
  t.match(limited.headers['content-type'], 'application/problem+json');
  t.match(limited.json(), {
    status: 429,
    title: 'Too many requests',
    type: 'urn:lantern:problem:too_many',
    detail: 'Too many payment attempts from this address or e-mail; please wait 60 minutes.',
  });

  const browser = new FormClient(ta.app);
  await browser.get('/campaigns/rescue-fund');
  const form = await browser.post('/campaigns/rescue-fund/donate', { amount: '25.00 USD', name: 'A', email: 'Card@example.org', form_token: 'bbbbbbbbbbbbbbbbbbbb' });
  t.equal(form.statusCode, 429, 'the donation form shares the allowance of the e-mail');
  t.match(form.body, 'Too many payment attempts from this address or e-mail');

  const tester = '10.66.0.1';
  for (let i = 0; i < 5; i++) {
    const res = await donate(ta, `tester${i}@example.org`, tester);
    t.equal(res.statusCode, 201);
    const path = new URL((res.json() as { checkoutUrl: string }).checkoutUrl).pathname;
    t.equal((await testCheckout(ta, path, 'decline')).statusCode, 303);
    ta.clock.now += MINUTE;
  }
  const paused = await donate(ta, 'fresh@example.org', tester);
  t.equal(paused.statusCode, 429, 'the sixth start from the address is refused');
  t.match(paused.json(), { detail: 'Too many payment attempts from this address or e-mail; please wait 29 minutes.' });
  t.equal((await donate(ta, 'donor@example.org', '10.2.0.1')).statusCode, 201, 'another e-mail from another address still gives');

  ta.clock.now += 29 * MINUTE;
  t.equal((await donate(ta, 'fresh@example.org', tester)).statusCode, 201, 'the pause ends after PAYMENT_PAUSE_MINUTES');

  const small = await donate(ta, 'small@example.org', '10.3.0.1', 499);
  t.equal(small.statusCode, 400);
  t.match(small.json(), { errors: [{ field: 'amount', message: 'Online gifts start at 5 USD' }] });

  const refusals = readAuditLog(ta.db, { limit: 10, offset: 0, action: 'payment.refused' });
  t.equal(refusals.length, 3, 'every refusal is in the audit log');
  for (const row of refusals) {
    t.match(row, { actorUserId: null, actorLabel: 'guest', ip: null, subjectType: 'payment_source', subjectId: /^[0-9a-f]{12}$/ });
    t.notMatch(JSON.stringify(row), /10\.\d+\.0\.\d|example\.org|127\.0\.0\.1/, 'no raw address or e-mail in the audit row');
  }
  t.same(
    refusals.map((r) => JSON.parse(r.after ?? '')),
    [
      { reason: 'failed_payments', kind: 'gift' },
      { reason: 'too_many_starts', kind: 'gift' },
      { reason: 'too_many_starts', kind: 'gift' },
    ],
  );
  const admin = await ta.app.inject({ url: '/api/v1/campaigns/rescue-fund/gifts', headers: ta.auth('admin') });
  t.equal((admin.json() as { gifts: unknown[] }).gifts.length, 3 + 5 + 2, 'refused starts created nothing');
});
