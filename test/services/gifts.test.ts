// A gift being entered must be worth at least one minor unit of the campaign
// currency; a refused gift leaves nothing behind.
import t from 'tap';
import { money } from '../../src/domain/money.ts';
import { openDatabase } from '../../src/db/connection.ts';
import { testProvider } from '../../src/payments/test-provider.ts';
import { campaignProgress, createCampaign, getCampaign } from '../../src/services/campaigns.ts';
import { createServices, type Services } from '../../src/services/context.ts';
import { listGifts, recordOfflineGift, startOnlineGift } from '../../src/services/gifts.ts';
import { addRate } from '../../src/services/rates.ts';
import { testActor, testConfig } from '../helper.ts';

t.test('a gift worth less than a cent is refused, offline and online', async (t) => {
  const db = openDatabase(':memory:');
  t.teardown(() => db.close());
  const s: Services = createServices({ db, config: testConfig(), now: () => Date.UTC(2026, 10, 1) });
  await createCampaign(s, testActor, { slug: 'fund', title: 'Fund', currency: 'USD', goal: money(100_000, 'USD'), status: 'published' });
  await addRate(s, testActor, { base: 'KRW', quote: 'USD', rate: '0.00074' });
  const tiny = money(6, 'KRW'); // 0.444 cents

  await t.rejects(recordOfflineGift(s, testActor, 'fund', { amount: tiny, donor: { name: 'A' }, anonymous: false, method: 'cash' }), {
    code: 'validation',
    issues: [{ field: 'amount', message: /too small/ }],
  });
  await t.rejects(
    startOnlineGift(s, testProvider(s.config.baseUrl), 'fund', { amount: tiny, donor: { name: 'A', email: 'a@example.org' }, anonymous: false }),
    { code: 'validation', issues: [{ field: 'amount', message: /too small/ }] },
  );
  t.same(await listGifts(s, 'fund', 10, 0), [], 'nothing was written');

  const seven = await recordOfflineGift(s, testActor, 'fund', { amount: money(7, 'KRW'), donor: { name: 'A' }, anonymous: false, method: 'cash' });
  t.same(seven.campaignAmount, money(1, 'USD'), '7 KRW is worth 0.518 cents, rounded to one');
  t.equal(campaignProgress(s, getCampaign(s, 'fund')).giftCount, 1);
});
