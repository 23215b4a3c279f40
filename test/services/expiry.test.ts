// Pending online gifts expire when their checkout time runs out; money that
// still arrives afterwards is the donor's gift all the same.
import t from 'tap';
import { money } from '../../src/domain/money.ts';
import { openDatabase } from '../../src/db/connection.ts';
import { findCheckout } from '../../src/db/checkouts.ts';
import { findGift } from '../../src/db/gifts.ts';
import { testProvider } from '../../src/payments/test-provider.ts';
import { campaignProgress, createCampaign, getCampaign } from '../../src/services/campaigns.ts';
import { createServices, type Services } from '../../src/services/context.ts';
import { expirePendingGifts, startOnlineGift } from '../../src/services/gifts.ts';
import { applyPaymentEvent } from '../../src/services/payments.ts';
import { verifyAll } from '../../src/services/verify.ts';
import { testActor, testConfig } from '../helper.ts';

t.test('expiry, and a payment that completes after it', async (t) => {
  const db = openDatabase(':memory:');
  t.teardown(() => db.close());
  const clock = { now: Date.UTC(2026, 10, 1) };
  const s: Services = createServices({ db, config: testConfig({ PENDING_GIFT_MINUTES: '15' }), now: () => clock.now });
  const provider = testProvider(s.config.baseUrl);
  await createCampaign(s, testActor, { slug: 'fund', title: 'Fund', currency: 'USD', goal: money(100_000, 'USD'), status: 'published' });
  const start = () =>
    startOnlineGift(s, provider, 'fund', { amount: money(2_500, 'USD'), donor: { name: 'A', email: 'a@example.org' }, anonymous: false });
  const late = await start();
  const onTime = await start();
  const checkoutOf = (url: string) => new URL(url).pathname.split('/').pop() ?? '';

  clock.now += 14 * 60_000;
  t.equal(await expirePendingGifts(s), 0, 'nothing expires before its time');
  await applyPaymentEvent(s, { provider: 'test', eventId: 'e1', outcome: 'completed', checkoutId: checkoutOf(onTime.checkoutUrl) });

  clock.now += 2 * 60_000;
  t.equal(await expirePendingGifts(s), 1, 'the unpaid gift expires');
  t.equal(findGift(db, late.gift.id)?.status, 'expired');
  t.equal(findCheckout(db, checkoutOf(late.checkoutUrl))?.status, 'expired');
  t.equal(findGift(db, onTime.gift.id)?.status, 'succeeded', 'a paid gift never expires');

  const applied = await applyPaymentEvent(s, { provider: 'test', eventId: 'e2', outcome: 'completed', checkoutId: checkoutOf(late.checkoutUrl) });
  t.equal(applied.gift?.status, 'succeeded', 'money that arrives late still counts');
  const again = await applyPaymentEvent(s, { provider: 'test', eventId: 'e2', outcome: 'completed', checkoutId: checkoutOf(late.checkoutUrl) });
  t.equal(again.applied, false, 'a redelivered event changes nothing');
  t.equal(campaignProgress(s, getCampaign(s, 'fund')).raised.amount, 5_000);
  t.same((await verifyAll(s)).differences, []);

  await t.rejects(applyPaymentEvent(s, { provider: 'stripe', eventId: 'x', outcome: 'completed', checkoutId: checkoutOf(late.checkoutUrl) }), {
    code: 'not_found',
  });
});

t.test('the same payment event delivered ten times at once counts once', async (t) => {
  const db = openDatabase(':memory:');
  t.teardown(() => db.close());
  const s: Services = createServices({ db, config: testConfig(), now: () => Date.UTC(2026, 10, 1) });
  await createCampaign(s, testActor, { slug: 'fund', title: 'Fund', currency: 'USD', goal: money(100_000, 'USD'), status: 'published' });
  const started = await startOnlineGift(s, testProvider(s.config.baseUrl), 'fund', {
    amount: money(4_000, 'USD'),
    donor: { name: 'B', email: 'b@example.org' },
    anonymous: false,
  });
  const checkoutId = new URL(started.checkoutUrl).pathname.split('/').pop() ?? '';
  const results = await Promise.all(
    Array.from({ length: 10 }, () => applyPaymentEvent(s, { provider: 'test', eventId: 'evt_1', outcome: 'completed', checkoutId })),
  );
  t.equal(results.filter((r) => r.applied).length, 1, 'applied exactly once');
  t.ok(results.every((r) => r.gift?.status === 'succeeded'));
  const progress = campaignProgress(s, getCampaign(s, 'fund'));
  t.equal(progress.raised.amount, 4_000);
  t.equal(progress.giftCount, 1);
  t.same((await verifyAll(s)).differences, []);
});
