// Card-testing defences: a limit per e-mail, a pause for a source whose
// checkouts keep failing, a minimum online gift; hashes only, refusals audited.
import t from 'tap';
import type { Test } from 'tap';
import { money } from '../../src/domain/money.ts';
import { openDatabase } from '../../src/db/connection.ts';
import { readAuditLog } from '../../src/db/audit.ts';
import { paymentAttempts } from '../../src/db/schema.ts';
import { testProvider } from '../../src/payments/test-provider.ts';
import { guardPaymentStart, networkOf, notePaymentCheckout, type PaymentSource } from '../../src/services/card-testing.ts';
import { createCampaign } from '../../src/services/campaigns.ts';
import { createServices, type Services } from '../../src/services/context.ts';
import { expirePendingGifts, recordOfflineGift, startOnlineGift } from '../../src/services/gifts.ts';
import { applyPaymentEvent } from '../../src/services/payments.ts';
import { addRate } from '../../src/services/rates.ts';
import { testActor, testConfig } from '../helper.ts';

const MINUTE = 60_000;

async function setup(t: Test, env: Record<string, string> = {}) {
  const db = openDatabase(':memory:');
  t.teardown(() => db.close());
  const clock = { now: Date.UTC(2026, 10, 1, 12) };
  const s: Services = createServices({ db, config: testConfig({ RATE_LIMITS: 'on', ...env }), now: () => clock.now });
  await createCampaign(s, testActor, { slug: 'fund', title: 'Fund', currency: 'USD', goal: money(100_000, 'USD'), status: 'published' });
  return { db, s, clock };
}

const provider = testProvider('http://lantern.test');
let events = 0;

/** A guarded gift start whose checkout then ends as `outcome`. */
async function giftThatEnds(s: Services, source: PaymentSource, outcome: 'declined' | 'expired' | 'completed') {
  const attempt = await guardPaymentStart(s, source, s.now());
  const started = await startOnlineGift(s, provider, 'fund', { amount: money(500, 'USD'), donor: { name: 'A', email: source.email ?? '' }, anonymous: false });
  await notePaymentCheckout(s, attempt, { giftId: started.gift.id });
  const checkoutId = new URL(started.checkoutUrl).pathname.split('/').pop() ?? '';
  await applyPaymentEvent(s, { provider: 'test', eventId: `e${++events}`, outcome, checkoutId });
}

t.test('a limit per e-mail, whatever the address', async (t) => {
  const { s, clock } = await setup(t, { RATE_LIMIT_MONEY_EMAIL: '3' });
  for (const ip of ['192.0.2.1', '192.0.2.2', '192.0.2.3']) {
    await guardPaymentStart(s, { ip, email: 'Card@Example.org', kind: 'gift' }, clock.now);
    clock.now += MINUTE;
  }
  await t.rejects(guardPaymentStart(s, { ip: '192.0.2.4', email: ' card@example.org', kind: 'order' }, clock.now), {
    code: 'too_many',
    message: 'Too many payment attempts from this address or e-mail; please wait 57 minutes.',
  });
  await guardPaymentStart(s, { ip: '192.0.2.4', email: 'other@example.org', kind: 'gift' }, clock.now);
  clock.now += 57 * MINUTE;
  await guardPaymentStart(s, { ip: '192.0.2.4', email: 'card@example.org', kind: 'raffle' }, clock.now);
  t.pass('the oldest start leaves the hour and frees a place');
});

t.test('declined checkouts pause their source; the pause ends', async (t) => {
  const { db, s, clock } = await setup(t);
  const tester: PaymentSource = { ip: '198.51.100.7', email: 'tester@example.org', kind: 'gift' };
  for (let i = 0; i < 5; i++) {
    await giftThatEnds(s, { ...tester, email: `tester${i}@example.org` }, 'declined');
    clock.now += MINUTE;
  }
  await t.rejects(guardPaymentStart(s, { ...tester, email: 'fresh@example.org' }, clock.now), { code: 'too_many', message: /wait 29 minutes/ }, 'the address is paused');
  await guardPaymentStart(s, { ip: '203.0.113.9', email: 'donor@example.org', kind: 'gift' }, clock.now);
  t.pass('another donor from another address gives');

  const audit = readAuditLog(db, { limit: 10, offset: 0, action: 'payment.refused' });
  t.equal(audit.length, 1);
  t.match(audit[0], { actorLabel: 'guest', ip: null, subjectType: 'payment_source', subjectId: /^[0-9a-f]{12}$/ });
  t.same(JSON.parse(audit[0]?.after ?? ''), { reason: 'failed_payments', kind: 'gift' });
  const stored = JSON.stringify(db.orm.select().from(paymentAttempts).all());
  t.notMatch(stored, /198\.51|tester|example\.org/, 'attempts keep hashes only');

  clock.now += 28 * MINUTE;
  await t.rejects(guardPaymentStart(s, tester, clock.now), { message: /wait 1 minute\./ });
  clock.now += MINUTE;
  await guardPaymentStart(s, tester, clock.now);
  t.pass('the pause ends after PAYMENT_PAUSE_MINUTES');
});

t.test('failures of one e-mail from many addresses pause the e-mail; expiries count; successes do not', async (t) => {
  const { s, clock } = await setup(t, { PENDING_GIFT_MINUTES: '10' });
  for (let i = 0; i < 4; i++) await giftThatEnds(s, { ip: `192.0.2.${i + 10}`, email: 'stolen@example.org', kind: 'gift' }, 'completed');
  await guardPaymentStart(s, { ip: '192.0.2.50', email: 'stolen@example.org', kind: 'gift' }, clock.now);
  t.pass('paid checkouts are not failures');

  for (let i = 0; i < 4; i++) await giftThatEnds(s, { ip: `192.0.2.${i + 20}`, email: 'stolen@example.org', kind: 'gift' }, 'declined');
  const attempt = await guardPaymentStart(s, { ip: '192.0.2.30', email: 'stolen@example.org', kind: 'gift' }, clock.now);
  const unpaid = await startOnlineGift(s, provider, 'fund', { amount: money(500, 'USD'), donor: { name: 'A', email: 'stolen@example.org' }, anonymous: false });
  await notePaymentCheckout(s, attempt, { giftId: unpaid.gift.id });
  clock.now += 10 * MINUTE;
  await expirePendingGifts(s);
  await t.rejects(guardPaymentStart(s, { ip: '192.0.2.31', email: 'STOLEN@example.org', kind: 'gift' }, clock.now), { code: 'too_many' }, 'the fifth failure, an expiry, pauses the e-mail');
});

t.test('failures spread wider than the window do not pause', async (t) => {
  const { s, clock } = await setup(t, { PAYMENT_FAILURE_LIMIT: '2', PAYMENT_FAILURE_WINDOW_MINUTES: '10' });
  const source: PaymentSource = { ip: '2001:db8:1:2:aaaa::1', email: 'slow@example.org', kind: 'gift' };
  await giftThatEnds(s, source, 'declined');
  clock.now += 11 * MINUTE;
  await giftThatEnds(s, { ...source, ip: '2001:db8:1:2:bbbb::2' }, 'declined');
  await guardPaymentStart(s, { ...source, ip: '2001:db8:1:2::3', email: null }, clock.now);
  clock.now += MINUTE;
  await giftThatEnds(s, { ...source, email: 'other@example.org' }, 'declined');
  await t.rejects(guardPaymentStart(s, { ...source, ip: '2001:db8:1:2:ffff::9', email: 'new@example.org' }, clock.now), { code: 'too_many' }, 'one /64 is one source');
});

t.test('an IPv6 client is counted by its /64', async (t) => {
  t.equal(networkOf('2001:db8:1:2:aaaa::1'), '2001:db8:1:2::/64');
  t.equal(networkOf('2001:0db8:0001:0002:0:0:0:1'), '2001:db8:1:2::/64');
  t.equal(networkOf('::1'), '0:0:0:0::/64');
  t.equal(networkOf('::ffff:192.0.2.1'), '192.0.2.1');
  t.equal(networkOf('192.0.2.1'), '192.0.2.1');
});

t.test('with the limits off nothing is recorded or refused', async (t) => {
  const { db, s, clock } = await setup(t, { RATE_LIMITS: 'off', RATE_LIMIT_MONEY_EMAIL: '1' });
  for (let i = 0; i < 3; i++) t.same(await guardPaymentStart(s, { ip: '192.0.2.1', email: 'a@example.org', kind: 'gift' }, clock.now), { id: null });
  t.equal(db.orm.select().from(paymentAttempts).all().length, 0);
});

t.test('MIN_ONLINE_GIFT: online gifts only, compared by the campaign rates', async (t) => {
  const { s } = await setup(t, { MIN_ONLINE_GIFT: '5 USD' });
  const give = (amount: number, currency: string) =>
    startOnlineGift(s, provider, 'fund', { amount: money(amount, currency), donor: { name: 'A', email: 'a@example.org' }, anonymous: false });
  await t.rejects(give(499, 'USD'), { code: 'validation', issues: [{ field: 'amount', message: 'Online gifts start at 5 USD' }] });
  await give(500, 'USD');
  await addRate(s, testActor, { base: 'EUR', quote: 'USD', rate: '1.10', effectiveAt: s.now() - MINUTE });
  await t.rejects(give(450, 'EUR'), { code: 'validation' }, '4.50 EUR is 4.95 USD');
  await give(455, 'EUR');
  await recordOfflineGift(s, testActor, 'fund', { amount: money(100, 'USD'), donor: { name: 'B' }, method: 'cash', anonymous: false });
  t.pass('staff record smaller offline gifts');
});

t.test('MIN_ONLINE_GIFT is checked at start-up', async (t) => {
  t.throws(() => testConfig({ MIN_ONLINE_GIFT: '5' }), /MIN_ONLINE_GIFT/);
  t.throws(() => testConfig({ MIN_ONLINE_GIFT: '5 XYZ' }), /MIN_ONLINE_GIFT/);
  t.throws(() => testConfig({ MIN_ONLINE_GIFT: '5.001 USD' }), /MIN_ONLINE_GIFT/);
  t.same(testConfig({ MIN_ONLINE_GIFT: '2.50 USD' }).minOnlineGift, { amount: 250, currency: 'USD' });
});
