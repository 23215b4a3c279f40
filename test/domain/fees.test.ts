// The processing-fee cover: worked examples, exact parsing of the configured
// rate, and properties over random gifts checked against an independent
// BigInt account of what the processor takes.
import t from 'tap';
import type { Test } from 'tap';
import fc from 'fast-check';
import { ValidationError } from '../../src/domain/errors.ts';
import { feeCover, formatPercent, MAX_FEE_PERCENT, parseFixedFees, parsePercent, type ProcessingFee } from '../../src/domain/fees.ts';
import { CURRENCIES, exponentOf, MAX_MAJOR_UNITS, money } from '../../src/domain/money.ts';

const stripeUs: ProcessingFee = { millionths: 29_000, fixed: { USD: 30, KRW: 400 } };

function holds<Ts extends unknown[]>(t: Test, name: string, property: fc.IProperty<Ts>): void {
  t.doesNotThrow(() => fc.assert(property), name);
}

function refused(t: Test, fn: () => unknown, field: string, message: RegExp): void {
  try {
    fn();
    t.fail(`expected a ValidationError on ${field}`);
  } catch (err) {
    t.ok(err instanceof ValidationError, 'a ValidationError');
    if (err instanceof ValidationError) {
      t.equal(err.issues[0]?.field, field);
      t.match(err.message, message);
    }
  }
}

/**
 * What the organisation keeps of a charge of `total` when the processor takes
 * its percentage rounded half up to the minor unit, and its fixed part.
 */
function kept(total: bigint, fee: ProcessingFee, currency: string): bigint {
  const product = total * BigInt(fee.millionths);
  const percentage = (product * 2n + 1_000_000n) / 2_000_000n;
  return total - percentage - BigInt(fee.fixed[currency] ?? 0);
}

t.test('worked examples: grossed up, rounded up to the minor unit', async (t) => {
  // (10,000 + 30) ÷ 0.971 = 10,329.55… → 10,330: the donor adds 3.30.
  t.same(feeCover(money(10_000, 'USD'), stripeUs), money(330, 'USD'));
  // (2,500 + 30) ÷ 0.971 = 2,605.56… → 2,606.
  t.same(feeCover(money(2_500, 'USD'), stripeUs), money(106, 'USD'));
  // Zero-decimal currencies count whole won and yen.
  t.same(feeCover(money(50_000, 'KRW'), stripeUs), money(1_906, 'KRW'), '(50,000 + 400) ÷ 0.971 = 51,905.25… → 51,906');
  t.same(feeCover(money(1_000, 'JPY'), { millionths: 36_000, fixed: {} }), money(38, 'JPY'), '1,000 ÷ 0.964 = 1,037.34… → 1,038');
  // A currency without a fixed part gets the percentage alone.
  t.same(feeCover(money(10_000, 'CAD'), stripeUs), money(299, 'CAD'), '10,000 ÷ 0.971 = 10,298.66… → 10,299');
  // An exact quotient is not rounded further: 98 ÷ 0.98 = 100.
  t.same(feeCover(money(98, 'USD'), { millionths: 20_000, fixed: {} }), money(2, 'USD'));
  // The simple "gift × rate + fixed" would be 3.20 and leave the campaign short.
  t.ok(kept(10_000n + 320n, stripeUs, 'USD') < 10_000n, 'the simple formula falls short');
  t.equal(kept(10_000n + 330n, stripeUs, 'USD'), 10_000n, 'the grossed-up cover keeps exactly the gift here');
  // The smallest percentage on the smallest gift is still a whole minor unit.
  t.same(feeCover(money(1, 'USD'), { millionths: 1, fixed: {} }), money(1, 'USD'));
});

t.test('feeCover refuses what no gift is', async (t) => {
  t.throws(() => feeCover(money(0, 'USD'), stripeUs), RangeError);
  t.throws(() => feeCover(money(-100, 'USD'), stripeUs), RangeError);
  t.throws(() => feeCover(money(100, 'USD'), { millionths: 0, fixed: {} }), RangeError);
  t.throws(() => feeCover(money(100, 'USD'), { millionths: 1_000_000, fixed: {} }), RangeError);
});

t.test('parsePercent reads the configured percentage exactly, in millionths', async (t) => {
  t.equal(parsePercent('2.9'), 29_000);
  t.equal(parsePercent(' 2.90 '), 29_000);
  t.equal(parsePercent('3'), 30_000);
  t.equal(parsePercent('0.0001'), 1);
  t.equal(parsePercent('1.4'), 14_000);
  t.equal(parsePercent(String(MAX_FEE_PERCENT)), MAX_FEE_PERCENT * 10_000);
  refused(t, () => parsePercent('0'), 'percent', /more than zero/);
  refused(t, () => parsePercent('0.0000'), 'percent', /more than zero/);
  refused(t, () => parsePercent('20.5'), 'percent', /at most 20/);
  refused(t, () => parsePercent('29'), 'percent', /at most 20/);
  refused(t, () => parsePercent('2.90001'), 'percent', /at most 4 decimal places/);
  for (const bad of ['', '-1', '2,9', '2.9%', 'abc', '.5', '100', '1e1']) refused(t, () => parsePercent(bad, 'PCT'), 'PCT', /percentage such as 2.9/);
});

t.test('formatPercent gives back what was configured', async (t) => {
  t.equal(formatPercent(29_000), '2.9');
  t.equal(formatPercent(30_000), '3');
  t.equal(formatPercent(1), '0.0001');
  t.equal(formatPercent(14_250), '1.425');
  holds(
    t,
    'parsePercent(formatPercent(m)) = m',
    fc.property(fc.integer({ min: 1, max: MAX_FEE_PERCENT * 10_000 }), (m) => parsePercent(formatPercent(m)) === m),
  );
});

t.test('parseFixedFees: one fixed part per currency, in minor units', async (t) => {
  t.same(parseFixedFees('0.30 USD'), { USD: 30 });
  t.same(parseFixedFees('0.30 USD, 0.30 CAD,400 KRW'), { USD: 30, CAD: 30, KRW: 400 });
  t.same(parseFixedFees('0 EUR'), { EUR: 0 }, 'a currency may be listed as having none');
  refused(t, () => parseFixedFees('0.30'), 'fixed', /amount and a currency code/);
  refused(t, () => parseFixedFees('0.30 usd'), 'fixed', /amount and a currency code/);
  refused(t, () => parseFixedFees('0.30 XXX'), 'fixed', /amount and a currency code/);
  refused(t, () => parseFixedFees('0.30 USD 1'), 'fixed', /amount and a currency code/);
  refused(t, () => parseFixedFees('0.30 USD,'), 'fixed', /amount and a currency code/);
  refused(t, () => parseFixedFees('0.30 USD, 0.40 USD'), 'fixed', /USD is listed twice/);
  refused(t, () => parseFixedFees('0.301 USD'), 'fixed', /USD: .*decimal places/);
  refused(t, () => parseFixedFees('400.5 KRW'), 'fixed', /KRW: /);
  refused(t, () => parseFixedFees('-1 USD'), 'fixed', /USD: /);
});

const currencies = Object.keys(CURRENCIES);
const feeArb: fc.Arbitrary<ProcessingFee> = fc.record({
  millionths: fc.integer({ min: 1, max: MAX_FEE_PERCENT * 10_000 }),
  fixed: fc.dictionary(fc.constantFrom(...currencies), fc.integer({ min: 0, max: 100_000 })),
});
const giftArb = fc.constantFrom(...currencies).chain((currency) =>
  fc.integer({ min: 1, max: MAX_MAJOR_UNITS * 10 ** exponentOf(currency) }).map((amount) => money(amount, currency)),
);

t.test('properties over random gifts, rates and currencies', async (t) => {
  holds(
    t,
    'a whole number of minor units, at least one, in the gift currency',
    fc.property(giftArb, feeArb, (gift, fee) => {
      const cover = feeCover(gift, fee);
      return Number.isSafeInteger(cover.amount) && cover.amount >= 1 && cover.currency === gift.currency;
    }),
  );
  holds(
    t,
    'the campaign keeps at least the gift after the processor takes its share (rounded half up)',
    fc.property(giftArb, feeArb, (gift, fee) => {
      const total = BigInt(gift.amount + feeCover(gift, fee).amount);
      return kept(total, fee, gift.currency) >= BigInt(gift.amount);
    }),
  );
  holds(
    t,
    'the smallest such total: one minor unit less would not cover the exact fee',
    fc.property(giftArb, feeArb, (gift, fee) => {
      const total = BigInt(gift.amount + feeCover(gift, fee).amount);
      const fixed = BigInt(fee.fixed[gift.currency] ?? 0);
      return (total - 1n) * BigInt(1_000_000 - fee.millionths) < (BigInt(gift.amount) + fixed) * 1_000_000n;
    }),
  );
  holds(
    t,
    'monotone: a larger gift never has a smaller fee cover, and its total is larger',
    fc.property(giftArb, fc.integer({ min: 1, max: 1_000_000 }), feeArb, (gift, more, fee) => {
      const larger = money(gift.amount + more, gift.currency);
      const a = feeCover(gift, fee).amount;
      const b = feeCover(larger, fee).amount;
      return b >= a && larger.amount + b > gift.amount + a;
    }),
  );
  holds(
    t,
    'a higher percentage or fixed part never lowers the fee cover',
    fc.property(giftArb, feeArb, fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 0, max: 1_000 }), (gift, fee, extraRate, extraFixed) => {
      const higher: ProcessingFee = {
        millionths: Math.min(fee.millionths + extraRate, MAX_FEE_PERCENT * 10_000),
        fixed: { ...fee.fixed, [gift.currency]: (fee.fixed[gift.currency] ?? 0) + extraFixed },
      };
      return feeCover(gift, higher).amount >= feeCover(gift, fee).amount;
    }),
  );
});

t.test('zero-decimal currencies are computed in whole units, like every other', async (t) => {
  holds(
    t,
    'KRW and JPY: the same rule on whole won and yen',
    fc.property(fc.constantFrom('KRW', 'JPY'), fc.integer({ min: 1, max: 1_000_000_000 }), feeArb, (currency, amount, fee) => {
      const cover = feeCover(money(amount, currency), fee).amount;
      const fixed = BigInt(fee.fixed[currency] ?? 0);
      const keep = BigInt(1_000_000 - fee.millionths);
      // ⌈x / k⌉ computed a second way: the floor, plus one when something is left over.
      const scaled = (BigInt(amount) + fixed) * 1_000_000n;
      const total = scaled / keep + (scaled % keep === 0n ? 0n : 1n);
      return BigInt(cover) === total - BigInt(amount);
    }),
  );
});
