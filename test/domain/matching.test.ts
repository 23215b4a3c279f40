// Match pledge allocation: worked examples of each rule, then randomised
// workloads that check the incremental path against a replay from scratch,
// against an independent reference model, and against the invariants a
// sponsor's statement relies on.

import assert from 'node:assert/strict';
import t from 'tap';
import fc from 'fast-check';
import {
  emptyState,
  formatRatio,
  matchForGift,
  matchGift,
  needsReplay,
  parseRatio,
  replay,
  summarise,
  unlockedPledges,
} from '../../src/domain/matching.ts';
import type {
  Allocation,
  GiftForMatching,
  MatchingState,
  PledgeTerms,
} from '../../src/domain/matching.ts';

let nextPledgeSeq = 1;
function pledge(over: Partial<PledgeTerms> & { readonly id: string }): PledgeTerms {
  return {
    seq: nextPledgeSeq++,
    priority: 0,
    ratio: { sponsor: 1, donor: 1 },
    cap: 1_500_000,
    stacking: false,
    state: 'live',
    ...over,
  };
}

function gift(seq: number, value: number, over: Partial<GiftForMatching> = {}): GiftForMatching {
  return { id: `g${seq}`, seq, at: 1000 + seq, value, donorKey: `d${seq}`, source: 'online', ...over };
}

function amounts(allocations: readonly Allocation[]): [string, string, number][] {
  return allocations.map((a) => [a.giftId, a.pledgeId, a.amount]);
}

function allocatedBy(gifts: readonly GiftForMatching[], pledges: readonly PledgeTerms[]) {
  const r = replay(gifts, pledges);
  return Object.fromEntries(pledges.map((p) => [p.id, r.state.pledges.get(p.id)?.allocated ?? 0]));
}

/** Plain data for comparing states built different ways. */
function normalise(state: MatchingState) {
  return [...state.pledges]
    .map(([id, s]) => ({
      id,
      allocated: s.allocated,
      perDonor: [...s.perDonor].sort(([a], [b]) => a.localeCompare(b)),
    }))
    .sort((a, b) => a.id.localeCompare(b.id));
}

const isInvalidState = { name: 'DomainError', code: 'invalid_state' };

t.test('parseRatio and formatRatio', async (t) => {
  t.same(parseRatio('1:1'), { sponsor: 1, donor: 1 });
  t.same(parseRatio('2:1'), { sponsor: 2, donor: 1 });
  t.same(parseRatio('1:2'), { sponsor: 1, donor: 2 });
  t.same(parseRatio(' 3 : 2 '), { sponsor: 3, donor: 2 });
  t.same(parseRatio('1000:1'), { sponsor: 1000, donor: 1 });
  const invalid = ['', '2', '0:1', '1:0', '1001:1', '1:1001', '1.5:1', '-1:1', 'a:b', '1:1:1', '1/1', '１:1'];
  for (const bad of invalid) {
    t.throws(
      () => parseRatio(bad),
      {
        name: 'ValidationError',
        code: 'validation',
        issues: [{ field: 'ratio', message: 'Write the ratio as sponsor:donor, e.g. 1:1 or 2:1' }],
      },
      `rejects ${JSON.stringify(bad)}`,
    );
  }
  t.throws(
    () => parseRatio('x', 'pledge.ratio'),
    { name: 'ValidationError', issues: [{ field: 'pledge.ratio' }] },
    'names the given field',
  );
  t.equal(formatRatio({ sponsor: 2, donor: 1 }), '2:1');
  t.equal(formatRatio(parseRatio(' 1 : 2')), '1:2');
});

t.test('1:1 up to 15,000.00 doubles gifts until the cap, the last one in part', async (t) => {
  const sponsor = pledge({ id: 'anon', cap: 1_500_000 });
  const gifts = [gift(1, 600_000), gift(2, 600_000), gift(3, 600_000), gift(4, 10_000)];
  const r = replay(gifts, [sponsor]);
  t.same(amounts(r.allocations), [
    ['g1', 'anon', 600_000],
    ['g2', 'anon', 600_000],
    ['g3', 'anon', 300_000],
  ]);
  t.equal(matchForGift(r.allocations, 'g3'), 300_000);
  t.equal(matchForGift(r.allocations, 'g4'), 0);
  const [summary] = summarise(gifts, [sponsor]).pledges;
  t.same(summary, {
    id: 'anon',
    allocated: 1_500_000,
    remaining: 0,
    giftsMatched: 3,
    unlocked: true,
    wouldAdd: 0,
    exhausted: true,
  });
});

t.test('ratios round the match down to the minor unit', async (t) => {
  const matched = (value: number, sponsor: number, donor: number, cap = 1_500_000) => {
    const p = pledge({ id: 'p', cap, ratio: { sponsor, donor } });
    return matchForGift(replay([gift(1, value)], [p]).allocations, 'g1');
  };
  t.equal(matched(101, 2, 1), 202);
  t.equal(matched(101, 1, 2), 50);
  t.equal(matched(101, 3, 2), 151);
  const half = pledge({ id: 'p', ratio: { sponsor: 1, donor: 2 } });
  t.same(replay([gift(1, 1)], [half]).allocations, [], 'a zero match is no allocation');
  const huge = Number.MAX_SAFE_INTEGER;
  // In floating point this comes to …661, a unit the sponsor never promised.
  t.equal(matched(huge, 2, 3, huge), 6_004_799_503_160_660, 'products beyond 2^53 stay exact');
});

t.test('pledges apply in priority order, then creation order, each on what is left', async (t) => {
  const later = pledge({ id: 'later', priority: 2 });
  const first = pledge({ id: 'first', priority: 1, cap: 100 });
  const gifts = [gift(1, 300), gift(2, 50)];
  t.same(amounts(replay(gifts, [later, first]).allocations), [
    ['g1', 'first', 100],
    ['g1', 'later', 200],
    ['g2', 'later', 50],
  ], 'the first is capped mid-gift and the second picks up the rest');

  const a = pledge({ id: 'a', priority: 5 });
  const b = pledge({ id: 'b', priority: 5 });
  t.same(amounts(replay([gift(1, 10)], [b, a]).allocations), [['g1', 'a', 10]], 'equal priority: older first');

  const double = pledge({ id: 'double', ratio: { sponsor: 2, donor: 1 }, cap: 101, priority: 1 });
  t.same(amounts(replay([gift(1, 100)], [double, later]).allocations), [
    ['g1', 'double', 101],
    ['g1', 'later', 49],
  ], 'a capped 2:1 match of 101 covers 51 of the donor amount');

  const half = pledge({ id: 'half', ratio: { sponsor: 1, donor: 2 }, priority: 1 });
  t.same(
    amounts(replay([gift(1, 101)], [half, later]).allocations),
    [['g1', 'half', 50]],
    'an uncapped match covers the whole gift, though rounded down',
  );

  const limited = pledge({ id: 'limited', priority: 1, maxPerGift: 300 });
  t.same(amounts(replay([gift(1, 1000)], [limited, later]).allocations), [
    ['g1', 'limited', 300],
    ['g1', 'later', 700],
  ], 'maxPerGift leaves the rest to the next pledge');
});

t.test('a stacking pledge matches the full value on top, and covers nothing', async (t) => {
  const base = pledge({ id: 'base', priority: 1, cap: 150 });
  const next = pledge({ id: 'next', priority: 2 });
  const half = { sponsor: 1, donor: 2 };
  const stackFirst = pledge({ id: 'stack', priority: 0, stacking: true, ratio: half });
  t.same(amounts(replay([gift(1, 200)], [base, next, stackFirst]).allocations), [
    ['g1', 'stack', 100],
    ['g1', 'base', 150],
    ['g1', 'next', 50],
  ]);
  const stackLast = pledge({ id: 'stack', priority: 9, stacking: true, cap: 70 });
  t.same(amounts(replay([gift(1, 200)], [base, next, stackLast]).allocations), [
    ['g1', 'base', 150],
    ['g1', 'next', 50],
    ['g1', 'stack', 70],
  ]);
});

t.test('gift rules: minimum, per donor, sources', async (t) => {
  const covering = pledge({ id: 'covering', priority: 1, cap: 100 });
  const min = pledge({ id: 'min', priority: 2, minGift: 150 });
  t.same(amounts(replay([gift(1, 149), gift(2, 150)], [covering, min]).allocations), [
    ['g1', 'covering', 100],
    ['g2', 'min', 150],
  ], 'below the minimum nothing; the minimum applies to the full value');
  t.same(amounts(replay([gift(1, 160)], [covering, min]).allocations), [
    ['g1', 'covering', 100],
    ['g1', 'min', 60],
  ]);

  const perDonor = pledge({ id: 'pd', maxPerDonor: 250 });
  const a = { donorKey: 'a@example.org' };
  const b = { donorKey: 'b@example.org' };
  const r = replay([gift(1, 100, a), gift(2, 100, a), gift(3, 100, a), gift(4, 100, b)], [perDonor]);
  t.same(amounts(r.allocations), [
    ['g1', 'pd', 100],
    ['g2', 'pd', 100],
    ['g3', 'pd', 50],
    ['g4', 'pd', 100],
  ]);
  t.same(
    [...(r.state.pledges.get('pd')?.perDonor ?? [])],
    [
      ['a@example.org', 250],
      ['b@example.org', 100],
    ],
  );

  const online = pledge({ id: 'online', sources: ['online', 'event'] });
  const sourced = [gift(1, 10, { source: 'offline' }), gift(2, 20, { source: 'event' })];
  t.same(amounts(replay(sourced, [online]).allocations), [['g2', 'online', 20]]);
});

t.test('windows: start inclusive, end and stop exclusive', async (t) => {
  const gifts = [99, 100, 150, 200].map((at, i) => gift(i + 1, 2 ** i, { at }));
  const window = (over: Partial<PledgeTerms>) => allocatedBy(gifts, [pledge({ id: 'w', ...over })]).w;
  t.equal(window({ startsAt: 100, endsAt: 200 }), 2 + 4);
  t.equal(window({ endsAt: 200, stoppedAt: 150 }), 1 + 2, 'paused: keeps what it matched before');
  t.equal(window({ endsAt: 150, stoppedAt: 200 }), 1 + 2);
  t.equal(window({ startsAt: 150 }), 4 + 8);
  t.equal(window({ stoppedAt: 101 }), 1 + 2);
});

t.test('inactive pledges match nothing', async (t) => {
  const proposed = pledge({ id: 'proposed', state: 'inactive', priority: 0 });
  const active = pledge({ id: 'active', priority: 1 });
  const gifts = [gift(1, 100)];
  t.same(amounts(replay(gifts, [proposed, active]).allocations), [['g1', 'active', 100]]);
  t.same([...unlockedPledges([proposed, active], gifts)], ['active']);
  const [p] = summarise(gifts, [proposed]).pledges;
  t.same(p, {
    id: 'proposed',
    allocated: 0,
    remaining: 1_500_000,
    giftsMatched: 0,
    unlocked: false,
    wouldAdd: 0,
    exhausted: false,
  });
  t.same(
    matchGift(emptyState(), gifts[0]!, [proposed], new Set(['proposed'])).allocations,
    [],
    'even when a caller wrongly lists it as unlocked',
  );
});

t.test('a challenge pledge unlocks at its threshold and relocks after a refund', async (t) => {
  const challenge = pledge({
    id: 'challenge',
    priority: 0,
    endsAt: 10_000,
    unlock: { kind: 'raised', threshold: 1000 },
  });
  const standing = pledge({ id: 'standing', priority: 1 });
  const pledges = [challenge, standing];
  let gifts = [gift(1, 400), gift(2, 500)];

  let s = summarise(gifts, pledges);
  t.same(s.pledges.map((p) => [p.id, p.allocated, p.unlocked, p.wouldAdd]), [
    ['challenge', 0, false, 900],
    ['standing', 900, true, 0],
  ], 'locked: allocates nothing, covers nothing, reports what it would add');

  const before = s.replay.unlocked;
  const third = gift(3, 200);
  gifts = [...gifts, third];
  const after = unlockedPledges(pledges, gifts);
  t.ok(needsReplay(before, after), 'unlocking moves earlier matches, so the service replays');
  s = summarise(gifts, pledges);
  t.same(s.pledges.map((p) => [p.id, p.allocated, p.unlocked, p.wouldAdd]), [
    ['challenge', 1100, true, 0],
    ['standing', 0, true, 0],
  ], 'unlocked: matches the gifts that got it there too');

  gifts = gifts.map((g) => (g.id === 'g2' ? { ...g, value: 0 } : g));
  s = summarise(gifts, pledges);
  t.same(s.pledges.map((p) => [p.id, p.allocated, p.unlocked, p.wouldAdd]), [
    ['challenge', 0, false, 600],
    ['standing', 600, true, 0],
  ], 'a refund below the threshold relocks it');
  t.equal(matchForGift(s.replay.allocations, 'g2'), 0);

  const late = [gift(1, 500, { at: 1999 }), gift(2, 5000, { at: 10_000 })];
  t.notOk(unlockedPledges(pledges, late).has('challenge'), 'gifts after the end do not count');
  const paused = { ...challenge, stoppedAt: 2000 };
  const afterPause = [gift(1, 500, { at: 1999 }), gift(2, 5000, { at: 2000 })];
  t.notOk(unlockedPledges([paused], afterPause).has('challenge'), 'nor gifts after a pause');
  const open = { ...challenge, endsAt: undefined };
  t.ok(unlockedPledges([open], [gift(1, 5000, { at: 1e12 })]).has('challenge'));
});

t.test('a donors challenge counts distinct donors with money still in', async (t) => {
  const challenge = pledge({ id: 'c', unlock: { kind: 'donors', threshold: 3 } });
  const same = { donorKey: 'x@example.org' };
  const unlocks = (gifts: GiftForMatching[]) => unlockedPledges([challenge], gifts).has('c');
  t.notOk(unlocks([gift(1, 10, same), gift(2, 10, same), gift(3, 10)]), 'one e-mail is one donor');
  t.notOk(unlocks([gift(1, 10), gift(2, 10), gift(3, 0)]), 'a refunded donor does not count');
  t.ok(unlocks([gift(1, 10), gift(2, 10), gift(3, 10)]));
});

t.test('matchGift is the incremental path and leaves its input alone', async (t) => {
  const p = pledge({ id: 'p', cap: 150, maxPerDonor: 120 });
  const a = { donorKey: 'a' };
  const state0 = emptyState();
  const unlocked = unlockedPledges([p], []);
  const step1 = matchGift(state0, gift(1, 100, a), [p], unlocked);
  t.same(normalise(state0), [], 'input state untouched');
  const step2 = matchGift(step1.state, gift(2, 100, a), [p], unlocked);
  t.same(
    normalise(step1.state),
    [{ id: 'p', allocated: 100, perDonor: [['a', 100]] }],
    'previous state untouched',
  );
  t.same(amounts(step2.allocations), [['g2', 'p', 20]]);
  const step3 = matchGift(step2.state, gift(3, 100, a), [p], unlocked);
  t.same(step3.allocations, []);
  t.equal(step3.state, step2.state, 'nothing matched: the same state');
  t.same(normalise(step3.state), normalise(replay([gift(1, 100, a), gift(2, 100, a)], [p]).state));

  const lowerCap = [{ ...p, cap: 100 }];
  const lowerPerDonor = [{ ...p, maxPerDonor: 100 }];
  t.throws(
    () => matchGift(step2.state, gift(4, 10), lowerCap, unlocked),
    isInvalidState,
    'a state built under a higher cap',
  );
  t.throws(
    () => matchGift(step2.state, gift(4, 10, a), lowerPerDonor, unlocked),
    isInvalidState,
    'or a higher per-donor limit',
  );
});

t.test('needsReplay compares unlocked sets', async (t) => {
  t.notOk(needsReplay(new Set(['a', 'b']), new Set(['b', 'a'])));
  t.ok(needsReplay(new Set(['a']), new Set(['a', 'b'])));
  t.ok(needsReplay(new Set(['a', 'c']), new Set(['a', 'b'])));
  t.notOk(needsReplay(new Set(), new Set()));
});

t.test('programming errors are refused', async (t) => {
  const ok = pledge({ id: 'ok' });
  const bad: [string, PledgeTerms][] = [
    ['zero sponsor part', { ...ok, ratio: { sponsor: 0, donor: 1 } }],
    ['fractional donor part', { ...ok, ratio: { sponsor: 1, donor: 1.5 } }],
    ['zero cap', { ...ok, cap: 0 }],
    ['unsafe cap', { ...ok, cap: 2 ** 53 }],
    ['fractional seq', { ...ok, seq: 1.5 }],
    ['NaN priority', { ...ok, priority: Number.NaN }],
    ['negative minimum', { ...ok, minGift: -1 }],
    ['zero per gift', { ...ok, maxPerGift: 0 }],
    ['zero per donor', { ...ok, maxPerDonor: 0 }],
    ['zero threshold', { ...ok, unlock: { kind: 'raised', threshold: 0 } }],
  ];
  for (const [what, p] of bad) t.throws(() => replay([], [p]), isInvalidState, what);
  t.throws(() => replay([], [ok, { ...ok, seq: 999 }]), isInvalidState, 'duplicate pledge id');
  t.throws(() => replay([], [ok, { ...ok, id: 'other' }]), isInvalidState, 'duplicate pledge seq');
  const g1 = gift(1, 1);
  t.throws(() => replay([g1, { ...gift(2, 1), id: 'g1' }], [ok]), isInvalidState, 'duplicate gift id');
  t.throws(() => replay([g1, { ...gift(2, 1), seq: 1 }], [ok]), isInvalidState, 'duplicate gift seq');
  t.throws(() => replay([gift(1, -1)], [ok]), isInvalidState, 'negative value');
  const half = gift(1, 0.5);
  t.throws(() => matchGift(emptyState(), half, [ok], new Set(['ok'])), isInvalidState, 'fractional value');
  t.throws(() => unlockedPledges([ok], [gift(1.5, 1)]), isInvalidState, 'fractional gift seq');
  t.throws(() => unlockedPledges([ok], [gift(1, 1, { at: Number.NaN })]), isInvalidState, 'no time');
});

// ---------------------------------------------------------------------------
// Randomised workloads

const SOURCES = ['online', 'offline', 'event', 'tickets', 'raffles'] as const;
const DONORS = ['a', 'b', 'c', 'd', 'e'];

type TermsSpec = Omit<PledgeTerms, 'id' | 'seq'>;
type GiftSpec = Omit<GiftForMatching, 'id' | 'seq'>;
type Op =
  | { readonly kind: 'gift'; readonly spec: GiftSpec }
  | { readonly kind: 'refund'; readonly pick: number; readonly keepPermille: number }
  | { readonly kind: 'pledge'; readonly spec: TermsSpec };

/** Mostly absent, so that a pledge with several rules still matches something. */
function sometimes<T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> {
  return fc.oneof({ weight: 2, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: arb });
}

const termsArb: fc.Arbitrary<TermsSpec> = fc.record({
  priority: fc.integer({ min: 0, max: 3 }),
  ratio: fc.record({ sponsor: fc.integer({ min: 1, max: 4 }), donor: fc.integer({ min: 1, max: 4 }) }),
  cap: fc.integer({ min: 1, max: 6000 }),
  startsAt: sometimes(fc.integer({ min: 0, max: 40 })),
  endsAt: sometimes(fc.integer({ min: 50, max: 100 })),
  stoppedAt: sometimes(fc.integer({ min: 20, max: 100 })),
  minGift: sometimes(fc.integer({ min: 0, max: 300 })),
  maxPerGift: sometimes(fc.integer({ min: 1, max: 500 })),
  maxPerDonor: sometimes(fc.integer({ min: 1, max: 800 })),
  sources: sometimes(fc.subarray([...SOURCES], { minLength: 2 })),
  stacking: fc.boolean(),
  state: fc.constantFrom('live' as const, 'live' as const, 'live' as const, 'inactive' as const),
  unlock: sometimes(
    fc.oneof(
      fc.record({ kind: fc.constant('raised' as const), threshold: fc.integer({ min: 1, max: 3000 }) }),
      fc.record({ kind: fc.constant('donors' as const), threshold: fc.integer({ min: 1, max: 5 }) }),
    ),
  ),
});

const giftArb: fc.Arbitrary<GiftSpec> = fc.record({
  at: fc.integer({ min: 0, max: 100 }),
  value: fc.oneof(
    { weight: 9, arbitrary: fc.integer({ min: 1, max: 1000 }) },
    { weight: 1, arbitrary: fc.constant(0) },
  ),
  donorKey: fc.constantFrom(...DONORS),
  source: fc.constantFrom(...SOURCES),
});

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: giftArb.map((spec) => ({ kind: 'gift' as const, spec })) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('refund' as const),
      pick: fc.nat(),
      keepPermille: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 999 })),
    }),
  },
  { weight: 2, arbitrary: termsArb.map((spec) => ({ kind: 'pledge' as const, spec })) },
);

function until(p: PledgeTerms): number {
  return Math.min(p.endsAt ?? Infinity, p.stoppedAt ?? Infinity);
}

/** The unlock rule restated from the design, to check the module against. */
function isUnlocked(p: PledgeTerms, gifts: readonly GiftForMatching[]): boolean {
  if (p.state !== 'live') return false;
  if (!p.unlock) return true;
  const counted = gifts.filter((g) => g.at < until(p));
  const reached =
    p.unlock.kind === 'raised'
      ? counted.reduce((s, g) => s + g.value, 0)
      : new Set(counted.filter((g) => g.value > 0).map((g) => g.donorKey)).size;
  return reached >= p.unlock.threshold;
}

function isEligible(p: PledgeTerms, g: GiftForMatching, gifts: readonly GiftForMatching[]): boolean {
  return (
    isUnlocked(p, gifts) &&
    g.value > 0 &&
    g.at >= (p.startsAt ?? -Infinity) &&
    g.at < until(p) &&
    g.value >= (p.minGift ?? 0) &&
    (p.sources ?? SOURCES).includes(g.source)
  );
}

/**
 * An independent, deliberately naive statement of the allocation rule: every
 * limit is recomputed from the allocations made so far. Values stay small, so
 * plain numbers are exact here.
 */
function reference(gifts: readonly GiftForMatching[], pledges: readonly PledgeTerms[]): Allocation[] {
  const out: Allocation[] = [];
  const order = [...pledges].sort((a, b) => a.priority - b.priority || a.seq - b.seq);
  const sum = (keep: (a: Allocation) => boolean) =>
    out.filter(keep).reduce((s, a) => s + a.amount, 0);
  const donorOf = new Map(gifts.map((x) => [x.id, x.donorKey]));
  for (const g of [...gifts].sort((a, b) => a.seq - b.seq)) {
    let left = g.value;
    for (const p of order) {
      if (!isEligible(p, g, gifts)) continue;
      const { sponsor, donor } = p.ratio;
      const base = p.stacking ? g.value : left;
      const raw = Math.floor((base * sponsor) / donor);
      const mine = (a: Allocation) => a.pledgeId === p.id;
      const match = Math.min(
        raw,
        p.cap - sum(mine),
        p.maxPerGift ?? Infinity,
        (p.maxPerDonor ?? Infinity) - sum((a) => mine(a) && donorOf.get(a.giftId) === g.donorKey),
      );
      if (!p.stacking) left = match === raw ? 0 : left - Math.ceil((match * donor) / sponsor);
      if (match > 0) out.push({ giftId: g.id, pledgeId: p.id, amount: match });
    }
  }
  return out;
}

function checkInvariants(gifts: readonly GiftForMatching[], pledges: readonly PledgeTerms[]): void {
  const r = replay(gifts, pledges);
  const byGift = new Map(gifts.map((g) => [g.id, g]));
  const byPledge = new Map(pledges.map((p) => [p.id, p]));

  assert.deepEqual(r.allocations, reference(gifts, pledges), 'matches the reference model');
  assert.deepEqual(
    [...r.unlocked].sort(),
    pledges.filter((p) => isUnlocked(p, gifts)).map((p) => p.id).sort(),
    'unlocked set',
  );

  const seen = new Set<string>();
  const perPledge = new Map<string, number>();
  const perDonor = new Map<string, number>();
  const covered = new Map<string, number>();
  for (const a of r.allocations) {
    const g = byGift.get(a.giftId)!;
    const p = byPledge.get(a.pledgeId)!;
    assert.ok(Number.isSafeInteger(a.amount) && a.amount > 0, 'positive whole amounts');
    assert.ok(!seen.has(`${a.giftId}/${a.pledgeId}`), 'one allocation per gift and pledge');
    seen.add(`${a.giftId}/${a.pledgeId}`);
    assert.ok(isEligible(p, g, gifts), 'only eligible gifts, of unlocked pledges');
    assert.ok(a.amount <= (p.maxPerGift ?? Infinity), 'maxPerGift');
    const atRatio = Math.floor((g.value * p.ratio.sponsor) / p.ratio.donor);
    assert.ok(a.amount <= atRatio, 'never beyond the ratio');
    perPledge.set(p.id, (perPledge.get(p.id) ?? 0) + a.amount);
    const donorKey = `${p.id}/${g.donorKey}`;
    perDonor.set(donorKey, (perDonor.get(donorKey) ?? 0) + a.amount);
    assert.ok(perDonor.get(donorKey)! <= (p.maxPerDonor ?? Infinity), 'maxPerDonor');
    if (!p.stacking) {
      // The donor amount a match pays for, at least, is ceil(amount * donor / sponsor).
      const paidFor = Math.ceil((a.amount * p.ratio.donor) / p.ratio.sponsor);
      covered.set(g.id, (covered.get(g.id) ?? 0) + paidFor);
      assert.ok(covered.get(g.id)! <= g.value, 'a gift is matched at most once');
    }
  }

  const s = summarise(gifts, pledges);
  assert.deepEqual(s.replay, r);
  for (const p of s.pledges) {
    const terms = byPledge.get(p.id)!;
    const allocated = perPledge.get(p.id) ?? 0;
    assert.ok(allocated <= terms.cap, 'never beyond the cap');
    assert.equal(p.allocated, allocated);
    assert.equal(r.state.pledges.get(p.id)?.allocated ?? 0, allocated);
    assert.equal(p.remaining, terms.cap - allocated);
    assert.equal(p.exhausted, allocated === terms.cap);
    assert.equal(p.giftsMatched, r.allocations.filter((a) => a.pledgeId === p.id).length);
    if (p.unlocked || terms.state === 'inactive') {
      assert.equal(p.wouldAdd, 0);
    } else {
      const forced = pledges.map((x) => (x.id === p.id ? { ...x, unlock: undefined } : x));
      assert.equal(p.wouldAdd, allocatedBy(gifts, forced)[p.id], 'wouldAdd = allocated if unlocked');
    }
  }

  // Stacking pledges neither take from nor give to the others.
  const plain = pledges.filter((p) => !p.stacking);
  assert.deepEqual(
    replay(gifts, plain).allocations,
    r.allocations.filter((a) => !byPledge.get(a.pledgeId)!.stacking),
  );
}

interface Model {
  gifts: GiftForMatching[];
  pledges: PledgeTerms[];
  allocations: Allocation[];
  state: MatchingState;
  unlocked: Set<string>;
}

/** What the service does: the incremental path while the unlocked set holds, a replay otherwise. */
function apply(m: Model, op: Op): void {
  const replayAll = () => {
    const r = replay(m.gifts, m.pledges);
    m.allocations = r.allocations;
    m.state = r.state;
    m.unlocked = r.unlocked;
  };
  if (op.kind === 'gift') {
    const seq = m.gifts.length + 1;
    const g: GiftForMatching = { ...op.spec, id: `g${seq}`, seq };
    m.gifts.push(g);
    const unlocked = unlockedPledges(m.pledges, m.gifts);
    if (needsReplay(m.unlocked, unlocked)) return replayAll();
    const step = matchGift(m.state, g, m.pledges, unlocked);
    m.allocations = [...m.allocations, ...step.allocations];
    m.state = step.state;
  } else if (op.kind === 'refund') {
    if (m.gifts.length === 0) return;
    const i = op.pick % m.gifts.length;
    const g = m.gifts[i]!;
    m.gifts[i] = { ...g, value: Math.floor((g.value * op.keepPermille) / 1000) };
    replayAll();
  } else {
    const seq = m.pledges.length + 1;
    m.pledges.push({ ...op.spec, id: `p${seq}`, seq });
    replayAll();
  }
}

function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let x = seed >>> 0 || 1;
  for (let i = out.length - 1; i > 0; i--) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    const j = x % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

t.test('incremental matching equals a replay, and the invariants hold, after every step', async (t) => {
  const workload = fc.array(opArb, { minLength: 1, maxLength: 30, size: 'max' });
  fc.assert(
    fc.property(workload, fc.integer(), (ops, seed) => {
      const m: Model = {
        gifts: [],
        pledges: [],
        allocations: [],
        state: emptyState(),
        unlocked: new Set(),
      };
      for (const op of ops) {
        apply(m, op);
        const r = replay(m.gifts, m.pledges);
        assert.deepEqual(m.allocations, r.allocations, 'incremental allocations = replay');
        assert.deepEqual(normalise(m.state), normalise(r.state), 'incremental state = replay');
        assert.deepEqual([...m.unlocked].sort(), [...r.unlocked].sort());
        checkInvariants(m.gifts, m.pledges);
        const again = replay(shuffled(m.gifts, seed), shuffled(m.pledges, seed + 1));
        assert.deepEqual(again.allocations, r.allocations, 'replay does not depend on input order');
        assert.deepEqual(normalise(again.state), normalise(r.state));
      }
    }),
    { numRuns: 500 },
  );
  t.pass('all runs held');
});

t.test('raffle proceeds: matched only by a pledge naming raffles, never counted toward a challenge', async (t) => {
  const raffle = (seq: number, value: number) => gift(seq, value, { source: 'raffle', id: `r${seq}` });
  const everyGift = pledge({ id: 'every' });
  const rafflesToo = pledge({ id: 'raffles', sources: ['online', 'raffle'] });
  t.same(allocatedBy([raffle(1, 1_000), gift(2, 500)], [everyGift]), { every: 500 }, 'sources absent: every kind of gift, no raffle');
  t.same(allocatedBy([raffle(1, 1_000), gift(2, 500)], [rafflesToo]), { raffles: 1_500 });
  const challenge = pledge({ id: 'challenge', unlock: { kind: 'raised', threshold: 1_000 }, sources: ['raffle', 'online'] });
  t.notOk(unlockedPledges([challenge], [raffle(1, 5_000), gift(2, 500)]).has('challenge'), 'raffle money does not unlock a challenge');
  t.ok(unlockedPledges([challenge], [raffle(1, 5_000), gift(2, 1_000)]).has('challenge'));
  const donors = pledge({ id: 'donors', unlock: { kind: 'donors', threshold: 2 } });
  t.notOk(unlockedPledges([donors], [raffle(1, 100), gift(2, 100)]).has('donors'), 'raffle buyers are not donors');
});
