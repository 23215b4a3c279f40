// Throws random workloads at the real services on a real database and checks
// after every step that nothing was lost or counted twice: `verify` finds no
// difference between caches, ledger and a replay, and no pledge passes its cap.
import t from 'tap';
import fc from 'fast-check';
import { money } from '../../src/domain/money.ts';
import { openDatabase } from '../../src/db/connection.ts';
import { findCampaignBySlug, readTotals } from '../../src/db/campaigns.ts';
import { pledgesOfCampaign } from '../../src/db/pledges.ts';
import { createServices, type Services } from '../../src/services/context.ts';
import { createCampaign } from '../../src/services/campaigns.ts';
import { recordOfflineGift, refundGift, startOnlineGift } from '../../src/services/gifts.ts';
import { applyPaymentEvent } from '../../src/services/payments.ts';
import { createPledge, decidePledge } from '../../src/services/pledges.ts';
import { addRate } from '../../src/services/rates.ts';
import { verifyAll } from '../../src/services/verify.ts';
import { testProvider } from '../../src/payments/test-provider.ts';
import { testActor, testConfig } from '../helper.ts';

type Op =
  | { kind: 'offline'; amount: number; currency: 'USD' | 'KRW'; donor: number }
  | { kind: 'online'; amount: number; donor: number; outcome: 'completed' | 'declined' | 'expired' }
  | { kind: 'refund'; pick: number; part: number }
  | { kind: 'pledge'; ratio: string; cap: number; maxPerGift: number | null; minGift: number | null; stacking: boolean; priority: number; unlock: number | null; offlineOnly: boolean }
  | { kind: 'close'; pick: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('offline' as const), amount: fc.integer({ min: 1, max: 50_000 }), currency: fc.constantFrom('USD' as const, 'KRW' as const), donor: fc.integer({ min: 0, max: 6 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('online' as const), amount: fc.integer({ min: 100, max: 40_000 }), donor: fc.integer({ min: 0, max: 6 }), outcome: fc.constantFrom('completed' as const, 'completed' as const, 'declined' as const, 'expired' as const) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('refund' as const), pick: fc.nat(), part: fc.integer({ min: 1, max: 4 }) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('pledge' as const),
      ratio: fc.constantFrom('1:1', '2:1', '1:2', '3:2'),
      cap: fc.integer({ min: 1, max: 80_000 }),
      maxPerGift: fc.option(fc.integer({ min: 1, max: 10_000 }), { nil: null }),
      minGift: fc.option(fc.integer({ min: 1, max: 5_000 }), { nil: null }),
      stacking: fc.boolean(),
      priority: fc.integer({ min: 0, max: 3 }),
      unlock: fc.option(fc.integer({ min: 1, max: 60_000 }), { nil: null }),
      offlineOnly: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('close' as const), pick: fc.nat() }) },
);

/** What the workloads exercised, so the property cannot pass by doing nothing. */
const seen = { matched: 0, refunds: 0, replays: 0 };

async function run(ops: Op[]): Promise<string[]> {
  const config = testConfig();
  const db = openDatabase(':memory:');
  let clock = Date.UTC(2026, 9, 1);
  const s: Services = createServices({ db, config, now: () => (clock += 60_000) });
  const provider = testProvider(config.baseUrl);
  try {
    await addRate(s, testActor, { base: 'KRW', quote: 'USD', rate: '0.00074' });
    await createCampaign(s, testActor, { slug: 'fund', title: 'Fund', currency: 'USD', goal: money(1_500_000, 'USD'), status: 'published' });
    const gifts: string[] = [];
    const pledges: string[] = [];
    for (const o of ops) {
      switch (o.kind) {
        case 'offline': {
          // KRW amounts are scaled so they convert to at least one cent.
          const amount = o.currency === 'KRW' ? o.amount * 20 : o.amount;
          const g = await recordOfflineGift(s, testActor, 'fund', {
            amount: money(amount, o.currency),
            donor: { name: `Donor ${o.donor}`, email: o.donor === 0 ? null : `d${o.donor}@example.test` },
            anonymous: o.donor % 2 === 0,
            method: 'cash',
          });
          gifts.push(g.id);
          break;
        }
        case 'online': {
          const started = await startOnlineGift(s, provider, 'fund', {
            amount: money(o.amount, 'USD'),
            donor: { name: `Donor ${o.donor}`, email: `d${o.donor}@example.test` },
            anonymous: false,
          });
          const checkoutId = new URL(started.checkoutUrl).pathname.split('/').pop() ?? '';
          // Delivered twice: the second delivery must change nothing.
          for (let i = 0; i < 2; i++) {
            await applyPaymentEvent(s, { provider: 'test', eventId: `${checkoutId}:x`, outcome: o.outcome, checkoutId });
          }
          if (o.outcome === 'completed') gifts.push(started.gift.id);
          break;
        }
        case 'refund': {
          const id = gifts[o.pick % Math.max(1, gifts.length)];
          if (!id) break;
          const row = db.orm.query.gifts.findFirst({ where: (g, { eq }) => eq(g.id, id) }).sync();
          if (!row || (row.status !== 'succeeded' && row.status !== 'partially_refunded')) break;
          const remaining = row.amount - row.refundedAmount;
          const part = o.part === 4 ? remaining : Math.max(1, Math.floor(remaining / (o.part + 1)));
          await refundGift(s, testActor, id, { amount: money(part, row.currency) });
          seen.refunds++;
          break;
        }
        case 'pledge': {
          const p = await createPledge(
            s,
            testActor,
            'fund',
            {
              sponsor: { name: 'Sponsor' },
              anonymous: true,
              ratio: o.ratio,
              cap: money(o.cap, 'USD'),
              startsAt: Date.UTC(2026, 0, 1),
              maxPerGift: o.maxPerGift === null ? null : money(o.maxPerGift, 'USD'),
              minGift: o.minGift === null ? null : money(o.minGift, 'USD'),
              stacking: o.stacking,
              priority: o.priority,
              unlock: o.unlock === null ? null : { kind: 'raised', threshold: money(o.unlock, 'USD') },
              sources: o.offlineOnly ? ['offline'] : null,
            },
            'active',
          );
          pledges.push(p.id);
          break;
        }
        case 'close': {
          const id = pledges[o.pick % Math.max(1, pledges.length)];
          const p = id ? pledgesOfCampaign(db, findCampaignBySlug(db, 'fund')?.id ?? '').find((x) => x.id === id) : undefined;
          if (p && p.status === 'active') await decidePledge(s, testActor, p.id, 'close');
          break;
        }
      }
      const report = await verifyAll(s);
      if (report.differences.length > 0) return report.differences;
    }
    const c = findCampaignBySlug(db, 'fund');
    const totals = c ? readTotals(db, c.id) : undefined;
    for (const p of c ? pledgesOfCampaign(db, c.id) : []) {
      if (p.allocated > p.cap) return [`pledge over cap ${p.allocated} > ${p.cap}`];
    }
    if (totals && (totals.raised < 0 || totals.matched < 0)) return ['negative totals'];
    seen.matched += totals?.matched ?? 0;
    seen.replays++;
    return [];
  } finally {
    db.close();
  }
}

t.test('verify stays clean after any random workload', async (t) => {
  await fc.assert(
    fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 25 }), async (ops) => {
      const differences = await run(ops);
      return differences.length === 0 || (t.fail(differences.join('\n')), false);
    }),
    { numRuns: 100 },
  );
  t.equal(seen.replays, 100, 'every workload ran to the end');
  t.ok(seen.matched > 0, 'workloads matched gifts');
  t.ok(seen.refunds > 0, 'workloads refunded gifts');
});

t.test('the ledger and the audit log refuse updates and deletes', async (t) => {
  const db = openDatabase(':memory:');
  t.teardown(() => db.close());
  const s: Services = createServices({ db, config: testConfig(), now: () => Date.UTC(2026, 9, 1) });
  await createCampaign(s, testActor, { slug: 'fund', title: 'Fund', currency: 'USD', goal: money(100_000, 'USD'), status: 'published' });
  await recordOfflineGift(s, testActor, 'fund', { amount: money(500, 'USD'), donor: { name: 'A' }, anonymous: false, method: 'cash' });
  t.throws(() => db.sqlite.prepare('update ledger_entries set amount = amount + 1').run(), /append-only/);
  t.throws(() => db.sqlite.prepare('delete from ledger_entries').run(), /append-only/);
  t.throws(() => db.sqlite.prepare('delete from audit_log').run(), /append-only/);
  t.equal((await verifyAll(s)).differences.length, 0);
});

t.test('verify names every difference it finds', async (t) => {
  const db = openDatabase(':memory:');
  t.teardown(() => db.close());
  const s: Services = createServices({ db, config: testConfig(), now: () => Date.UTC(2026, 9, 1) });
  await createCampaign(s, testActor, { slug: 'fund', title: 'Fund', currency: 'USD', goal: money(100_000, 'USD'), status: 'published' });
  await createPledge(s, testActor, 'fund', { sponsor: { name: 'S' }, anonymous: false, ratio: '1:1', cap: money(10_000, 'USD'), startsAt: 0 }, 'active');
  await recordOfflineGift(s, testActor, 'fund', { amount: money(500, 'USD'), donor: { name: 'A' }, anonymous: false, method: 'cash' });
  // Tamper with the caches behind the services' back.
  db.sqlite.prepare('update campaign_totals set raised = raised + 7, matched = matched - 1').run();
  db.sqlite.prepare('update match_allocations set amount = amount - 1').run();
  const report = await verifyAll(s);
  t.ok(report.differences.some((d) => d.startsWith('fund: raised:')), 'raised differs');
  t.ok(report.differences.some((d) => d.startsWith('fund: matched:')), 'matched differs');
  t.ok(report.differences.some((d) => d.includes('vs replay')), 'allocation differs from a replay');
});
