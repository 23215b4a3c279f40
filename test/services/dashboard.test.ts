// The organizer dashboard over a few days of real activity entered through the
// API and the services: every figure is worked out by hand, and the chart's
// last point must equal the progress beside it (the ledger = the totals).
import t from 'tap';
import { money } from '../../src/domain/money.ts';
import { findUserByEmail } from '../../src/db/users.ts';
import { getCampaign } from '../../src/services/campaigns.ts';
import type { Actor } from '../../src/services/context.ts';
import { dashboard, EXPIRING_SOON_MS } from '../../src/services/dashboard.ts';
import { expirePendingGifts } from '../../src/services/gifts.ts';
import { createPledge } from '../../src/services/pledges.ts';
import { buildTestApp, createRescueFund, testCheckout, type TestApp } from '../helper.ts';
import { addPledge, checkoutPath, donate, offline, refund, usd, verifyClean } from '../web/api-helpers.ts';

const MINUTE = 60_000;
const at = (iso: string) => Date.parse(iso);

async function patchStatus(ta: TestApp, slug: string, status: string): Promise<void> {
  const res = await ta.app.inject({ method: 'PATCH', url: `/api/v1/campaigns/${slug}`, headers: ta.auth('admin'), payload: { status } });
  if (res.statusCode !== 200) throw new Error(`PATCH ${slug}: ${res.statusCode} ${res.body}`);
}

t.test('the dashboard of four campaigns after three days of gifts', async (t) => {
  const ta = await buildTestApp(t);
  const s = ta.services;
  const { clock } = ta;

  // Created oldest first: the dashboard lists published, then drafts, then closed, newest first in each.
  await createRescueFund(ta, { slug: 'old-fund', title: 'Old Fund' });
  clock.now += MINUTE;
  await createRescueFund(ta, { slug: 'closed-fund', title: 'Closed Fund' });
  await patchStatus(ta, 'closed-fund', 'closed');
  clock.now += MINUTE;
  await createRescueFund(ta, { slug: 'draft-fund', title: 'Draft Fund', status: 'draft' });
  clock.now += MINUTE;
  await createRescueFund(ta);
  clock.now += MINUTE;
  await addPledge(ta, { cap: usd(100_000) }); // Harbour Bank, 1:1 up to 1,000.00

  // 1 Nov: 100.00 in cash, matched; 30.00 in cash for the draft.
  const cash = await offline(ta, usd(10_000));
  await offline(ta, usd(3_000), { name: 'Bake sale' }, {}, 'draft-fund');

  // 2 Nov, 16:00 UTC (already 3 Nov in Seoul): 50.00 online, matched.
  clock.now = at('2026-11-02T16:00:00Z');
  const online = await donate(ta, usd(5_000));
  t.equal((await testCheckout(ta, checkoutPath(online))).statusCode, 303, 'paid');

  // 3 Nov: 40.00 of the cash gift refunded, so its match shrinks to 60.00.
  clock.now = at('2026-11-03T10:00:00Z');
  await refund(ta, cash.id, usd(4_000));
  const sponsorUser = findUserByEmail(ta.db, 'sponsor@example.test');
  const sponsor: Actor = { userId: sponsorUser?.id ?? null, label: 'sponsor@example.test', role: 'sponsor', ip: null };
  const proposed = await createPledge(
    s,
    sponsor,
    'rescue-fund',
    { sponsor: { name: 'Quiet Trust', email: 'give@quiet.test' }, anonymous: true, ratio: '2:1', cap: money(50_000, 'USD') },
    'proposed',
  );

  // Two checkouts left open: one expires at 11:05, the other at 11:55.
  clock.now = at('2026-11-03T10:05:00Z');
  const soon = await donate(ta, usd(2_500), { name: 'Slow Payer', email: 'slow@donor.test' });
  clock.now = at('2026-11-03T10:55:00Z');
  const later = await donate(ta, usd(7_500), { name: 'New Payer', email: 'new@donor.test' });
  t.ok(at('2026-11-03T11:55:00Z') - clock.now > EXPIRING_SOON_MS, 'the later checkout is not about to expire');

  const all = await dashboard(s, 'all');
  t.strictSame(
    all.map((d) => d.progress.campaign.slug),
    ['rescue-fund', 'old-fund', 'draft-fund', 'closed-fund'],
    'published, then drafts, then closed; newest first within each',
  );
  const [rescue, old, draft, closed] = all;
  if (!rescue || !old || !draft || !closed) throw new Error('four campaigns expected');

  t.match(
    rescue.progress,
    { raised: usd(11_000), matched: usd(11_000), total: usd(22_000), goal: usd(1_500_000), giftCount: 2, donorCount: 2 },
    'raised 60.00 + 50.00, each matched 1:1',
  );
  t.strictSame(rescue.timeline, {
    bucketDays: 1,
    points: [
      { firstDay: '2026-11-01', lastDay: '2026-11-01', raised: 10_000, matched: 10_000 },
      { firstDay: '2026-11-02', lastDay: '2026-11-02', raised: 15_000, matched: 15_000 },
      { firstDay: '2026-11-03', lastDay: '2026-11-03', raised: 11_000, matched: 11_000 },
    ],
  });
  const last = rescue.timeline.points.at(-1);
  t.equal(last?.raised, rescue.progress.raised.amount, 'the chart ends at the raised figure');
  t.equal(last?.matched, rescue.progress.matched.amount, 'and at the matched figure');

  t.strictSame(
    rescue.recentGifts.map((g) => [g.id, g.status, g.amount.amount, g.refunded.amount, g.matched.amount]),
    [
      [later.id, 'pending', 7_500, 0, 0],
      [soon.id, 'pending', 2_500, 0, 0],
      [online.id, 'succeeded', 5_000, 0, 5_000],
      [cash.id, 'partially_refunded', 10_000, 4_000, 6_000],
    ],
    'gifts of any status, newest first',
  );
  t.equal(rescue.recentGifts[2]?.donorEmail, 'guest@donor.test', 'the console sees who gave');

  t.match(rescue.pledges, [
    { sponsor: 'Harbour Bank', ratio: '1:1', status: 'active', cap: usd(100_000), allocated: usd(11_000), remaining: usd(89_000) },
    { id: proposed.id, sponsor: 'Anonymous', ratio: '2:1', status: 'proposed', cap: usd(50_000), allocated: usd(0), remaining: usd(50_000) },
  ]);
  t.equal(rescue.pledges.length, 2);

  t.strictSame(rescue.attention, [
    { kind: 'expiring_gift', giftId: soon.id, campaignSlug: 'rescue-fund', expiresAt: at('2026-11-03T11:05:00Z'), amount: usd(2_500) },
    {
      kind: 'proposed_pledge',
      pledgeId: proposed.id,
      campaignSlug: 'rescue-fund',
      sponsor: 'Quiet Trust',
      anonymous: true,
      ratio: '2:1',
      cap: usd(50_000),
      proposedAt: at('2026-11-03T10:00:00Z'),
    },
  ]);

  t.match(draft.progress, { raised: usd(3_000), matched: usd(0) });
  t.strictSame(draft.timeline.points.map((p) => [p.lastDay, p.raised, p.matched]), [
    ['2026-11-01', 3_000, 0],
    ['2026-11-02', 3_000, 0],
    ['2026-11-03', 3_000, 0],
  ]);
  t.equal(draft.recentGifts.length, 1);
  for (const d of [old, draft, closed]) {
    t.strictSame(d.attention, [], `${d.progress.campaign.slug}: nothing waits`);
    t.strictSame(d.pledges, []);
  }
  t.strictSame(closed.timeline.points.map((p) => [p.lastDay, p.raised]), [
    ['2026-11-01', 0],
    ['2026-11-02', 0],
    ['2026-11-03', 0],
  ]);
  t.strictSame(closed.recentGifts, []);

  // Days in another zone: the online gift falls on 3 Nov in Seoul.
  const rescueId = getCampaign(s, 'rescue-fund').id;
  const [seoul] = await dashboard(s, [rescueId], { timeZone: 'Asia/Seoul' });
  t.strictSame(seoul?.timeline.points.map((p) => [p.lastDay, p.raised, p.matched]), [
    ['2026-11-01', 10_000, 10_000],
    ['2026-11-02', 10_000, 10_000],
    ['2026-11-03', 11_000, 11_000],
  ]);

  // Only the campaigns asked for, and only their attention items.
  const draftId = getCampaign(s, 'draft-fund').id;
  const some = await dashboard(s, [draftId, 'cmp_no_such_campaign']);
  t.strictSame(some.map((d) => d.progress.campaign.slug), ['draft-fund'], 'unknown ids are skipped');
  t.strictSame(await dashboard(s, []), []);

  // Past its expiry a pending gift stays on the list until the sweep marks it expired.
  clock.now = at('2026-11-03T11:06:00Z');
  const [after] = await dashboard(s, [rescueId]);
  t.strictSame(after?.attention.map((a) => a.kind), ['expiring_gift', 'proposed_pledge'], 'still pending until the sweep runs');
  await expirePendingGifts(s);
  const [swept] = await dashboard(s, [rescueId]);
  t.strictSame(swept?.attention.map((a) => a.kind), ['proposed_pledge'], 'an expired gift needs nothing more');
  t.equal(swept?.recentGifts[1]?.status, 'expired');
  await verifyClean(t, ta);
});

t.test('a campaign that ended: the chart stops at its end, and late money extends it', async (t) => {
  const ta = await buildTestApp(t);
  const s = ta.services;
  await createRescueFund(ta, { endsAt: '2026-11-02T12:00:00.000Z' });
  await offline(ta, usd(2_000));

  ta.clock.now = at('2026-11-20T12:00:00Z');
  const [ended] = await dashboard(s, 'all');
  t.strictSame(ended?.timeline.points.map((p) => [p.lastDay, p.raised]), [
    ['2026-11-01', 2_000],
    ['2026-11-02', 2_000],
  ]);

  // A cheque entered weeks after the end still moves the ledger, so the chart reaches it.
  await offline(ta, usd(1_000), { name: 'Late cheque' });
  const [late] = await dashboard(s, 'all');
  t.equal(late?.timeline.points.length, 20, 'from 1 Nov to 20 Nov');
  t.strictSame(late?.timeline.points.at(-1), { firstDay: '2026-11-20', lastDay: '2026-11-20', raised: 3_000, matched: 0 });
  t.equal(late?.progress.raised.amount, 3_000);
  await verifyClean(t, ta);
});
