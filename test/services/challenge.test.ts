// A challenge pledge shows, while locked, what it would add if it unlocked now.
import t from 'tap';
import { buildTestApp, createRescueFund } from '../helper.ts';

t.test('a locked challenge shows what it would add, then matches once unlocked', async (t) => {
  const ta = await buildTestApp(t);
  await createRescueFund(ta);
  const pledge = await ta.app.inject({
    method: 'POST',
    url: '/api/v1/campaigns/rescue-fund/match-pledges',
    headers: ta.auth('admin'),
    payload: { sponsor: { name: 'Lighthouse Trust' }, anonymous: false, ratio: '1:1', cap: { amount: 20_000, currency: 'USD' }, unlock: { kind: 'raised', threshold: { amount: 10_000, currency: 'USD' } } },
  });
  t.equal(pledge.statusCode, 201);
  const give = (amount: number) =>
    ta.app.inject({ method: 'POST', url: '/api/v1/campaigns/rescue-fund/gifts', headers: ta.auth('organizer'), payload: { amount: { amount, currency: 'USD' }, donor: { name: 'A' }, method: 'cash' } });
  await give(6_000);
  const locked = (await ta.app.inject('/api/v1/campaigns/rescue-fund')).json() as { matched: { amount: number }; matches: { status: string; wouldAdd: { amount: number } | null }[] };
  t.equal(locked.matches[0]?.status, 'locked');
  t.same(locked.matches[0]?.wouldAdd, { amount: 6_000, currency: 'USD' });
  t.equal(locked.matched.amount, 0, 'a locked challenge counts toward nothing');
  const page = await ta.app.inject('/campaigns/rescue-fund');
  t.match(page.body, 'unlocks when gifts (before matching) reach $100.00');
  t.match(page.body, 'and would then add $60.00 (up to $200.00)');

  await give(5_000);
  const open = (await ta.app.inject('/api/v1/campaigns/rescue-fund')).json() as { matched: { amount: number }; matches: { status: string; wouldAdd: unknown }[] };
  t.equal(open.matches[0]?.status, 'active');
  t.equal(open.matches[0]?.wouldAdd, null);
  t.equal(open.matched.amount, 11_000, 'once unlocked it matches every gift in its window');
});
