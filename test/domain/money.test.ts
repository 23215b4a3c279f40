// Money is where exactness matters most, so besides examples these tests check
// parsing, formatting, conversion and splitting against independent BigInt
// reference computations over random inputs.

import t from 'tap';
import type { Test } from 'tap';
import fc from 'fast-check';
import { DomainError, ValidationError } from '../../src/domain/errors.ts';
import {
  CURRENCIES,
  MAX_MAJOR_UNITS,
  add,
  allocate,
  assertCurrency,
  compare,
  convert,
  exponentOf,
  formatMajor,
  formatMoney,
  formatRate,
  isCurrency,
  minMoney,
  money,
  mulDivFloor,
  negate,
  parseMoney,
  parseRate,
  roundDiv,
  split,
  subtract,
  sumMoney,
  toJSON,
  zero,
} from '../../src/domain/money.ts';
import type { Money, Rate } from '../../src/domain/money.ts';

const codes = Object.keys(CURRENCIES);

function fieldError(t: Test, fn: () => unknown, field: string, message: string): void {
  try {
    fn();
    t.fail(`expected ValidationError on ${field}: ${message}`);
  } catch (error) {
    t.ok(error instanceof ValidationError, 'is a ValidationError');
    if (error instanceof ValidationError) {
      t.equal(error.code, 'validation');
      t.equal(error.message, message);
      t.same(error.issues, [{ field, message }]);
    }
  }
}

function holds<Ts extends unknown[]>(t: Test, name: string, property: fc.IProperty<Ts>): void {
  t.doesNotThrow(() => fc.assert(property), name);
}

function capOf(currency: string): number {
  return MAX_MAJOR_UNITS * 10 ** exponentOf(currency);
}

// Independent of roundDiv: pick the nearer of the two neighbouring integers by
// comparing distances, the even one on a tie.
function refHalfEven(n: bigint, d: bigint): bigint {
  const lo = n >= 0n || n % d === 0n ? n / d : n / d - 1n;
  const hi = lo + 1n;
  const toLo = n - lo * d;
  const toHi = hi * d - n;
  if (toLo < toHi) return lo;
  if (toHi < toLo) return hi;
  return lo % 2n === 0n ? lo : hi;
}

function refConvert(m: Money, rate: Rate, to: string): bigint {
  const n = BigInt(m.amount) * rate.numerator * 10n ** BigInt(exponentOf(to));
  const d = 10n ** BigInt(exponentOf(m.currency)) * 10n ** BigInt(rate.scale);
  return refHalfEven(n, d);
}

function normalised(rate: Rate): Rate {
  let { numerator, scale } = rate;
  while (scale > 0 && numerator % 10n === 0n) {
    numerator /= 10n;
    scale -= 1;
  }
  return { numerator, scale };
}

const currencyArb = fc.constantFrom(...codes);
const positiveMoneyArb = currencyArb.chain((currency) =>
  fc.integer({ min: 1, max: capOf(currency) }).map((amount) => money(amount, currency)),
);
const rateArb = fc
  .record({ numerator: fc.bigInt({ min: 1n, max: 10n ** 18n - 1n }), scale: fc.integer({ min: 0, max: 12 }) })
  .map(normalised);
const safeMoneyArb = currencyArb.chain((currency) =>
  fc.maxSafeInteger().map((amount) => money(amount, currency)),
);

t.test('currencies', async (t) => {
  for (const [code, exponent] of [['USD', 2], ['CAD', 2], ['KRW', 0], ['EUR', 2], ['GBP', 2], ['JPY', 0], ['AUD', 2], ['TWD', 2]] as const) {
    t.equal(exponentOf(code), exponent, code);
  }
  t.equal(codes.length, 16);
  t.ok(isCurrency('USD'));
  for (const bad of ['usd', 'Usd', 'XYZ', 'USDX', '', 'constructor', 'toString']) {
    t.notOk(isCurrency(bad), `rejects ${JSON.stringify(bad)}`);
  }
  t.equal(assertCurrency('KRW'), 'KRW');
  fieldError(t, () => assertCurrency('usd'), 'currency', 'Unsupported currency "usd"');
  fieldError(t, () => assertCurrency('XYZ', 'to'), 'to', 'Unsupported currency "XYZ"');
  fieldError(t, () => exponentOf('ABC'), 'currency', 'Unsupported currency "ABC"');
  t.ok(Object.isFrozen(CURRENCIES));
});

t.test('money and arithmetic', async (t) => {
  t.same(money(1500, 'USD'), { amount: 1500, currency: 'USD' });
  t.ok(Object.is(money(-0, 'USD').amount, 0), '-0 becomes 0');
  t.same(zero('KRW'), { amount: 0, currency: 'KRW' });
  for (const bad of [1.5, Number.NaN, Infinity, 2 ** 53]) {
    fieldError(t, () => money(bad, 'USD'), 'amount', 'The amount must be a whole number of minor units');
  }
  fieldError(t, () => money(1, 'XXX'), 'currency', 'Unsupported currency "XXX"');

  const a = money(1050, 'USD');
  const b = money(250, 'USD');
  t.same(add(a, b), money(1300, 'USD'));
  t.same(subtract(b, a), money(-800, 'USD'));
  t.same(negate(a), money(-1050, 'USD'));
  t.ok(Object.is(negate(zero('USD')).amount, 0), 'negating zero gives 0, not -0');
  t.equal(compare(a, b), 1);
  t.equal(compare(b, a), -1);
  t.equal(compare(a, money(1050, 'USD')), 0);
  t.equal(minMoney(a, b), b);
  t.equal(minMoney(b, a), b);
  t.same(sumMoney([a, b, b], 'USD'), money(1550, 'USD'));
  t.same(sumMoney([], 'JPY'), zero('JPY'));
  t.same(toJSON(a), { amount: 1050, currency: 'USD' });
  t.equal(JSON.stringify(toJSON(a)), '{"amount":1050,"currency":"USD"}');

  const krw = money(5000, 'KRW');
  for (const [name, fn] of [
    ['add', () => add(a, krw)],
    ['subtract', () => subtract(a, krw)],
    ['compare', () => compare(a, krw)],
    ['minMoney', () => minMoney(a, krw)],
    ['sumMoney', () => sumMoney([a, krw], 'USD')],
  ] as const) {
    t.throws(fn, DomainError, name);
    try {
      fn();
    } catch (error) {
      t.equal((error as DomainError).code, 'currency_mismatch', `${name} code`);
    }
  }
  const max = money(Number.MAX_SAFE_INTEGER, 'USD');
  t.throws(() => add(max, money(1, 'USD')), RangeError, 'overflow is caught');
  t.throws(() => subtract(negate(max), money(2, 'USD')), RangeError);

  holds(
    t,
    'add and subtract are inverse while safe',
    fc.property(fc.integer({ min: -(2 ** 50), max: 2 ** 50 }), fc.integer({ min: -(2 ** 50), max: 2 ** 50 }), (x, y) => {
      const mx = money(x, 'EUR');
      const my = money(y, 'EUR');
      return subtract(add(mx, my), my).amount === x && compare(mx, my) === Math.sign(x - y);
    }),
  );
});

t.test('parseMoney accepts what people type', async (t) => {
  const cases: [string, string, number][] = [
    ['5000', 'KRW', 5000],
    ['15000.50', 'USD', 1500050],
    ['₩5,000', 'KRW', 5000],
    ['$15,000.50', 'USD', 1500050],
    ['CA$12', 'CAD', 1200],
    ['USD 12.00', 'USD', 1200],
    ['12 €', 'EUR', 1200],
    ['12\u00a0€', 'EUR', 1200],
    ['€\u202f12.5', 'EUR', 1250],
    ['5,000원', 'KRW', 5000],
    ['５，０００', 'KRW', 5000],
    ['￦5,000', 'KRW', 5000],
    ['  1,234,567.89  ', 'USD', 123456789],
    ['5000.00', 'KRW', 5000],
    ['12.340', 'USD', 1234],
    ['0.01', 'USD', 1],
    ['007', 'JPY', 7],
    ['CHF 1,234.50', 'CHF', 123450],
    ['1,000,000,000', 'USD', 100_000_000_000],
    ['1,000,000,000.00', 'KRW', 1_000_000_000],
  ];
  for (const [input, currency, amount] of cases) {
    t.same(parseMoney(input, currency), money(amount, currency), `${JSON.stringify(input)} ${currency}`);
  }
  t.same(parseMoney('0', 'USD', { allowZero: true }), zero('USD'));
  t.same(parseMoney('$0.00', 'USD', { allowZero: true }), zero('USD'));
});

t.test('parseMoney errors name the field and say what to do', async (t) => {
  const notANumber = 'Enter an amount such as 25 or 1,500.00';
  for (const input of ['', '   ', 'abc', '$', '1e5', '0x10', '1,2,3', '12..5', '12,50', '1,0000', ',100', '1 000', '12.', '.5', '+5', '(5', '5)', '(-5)', '1'.repeat(101)]) {
    fieldError(t, () => parseMoney(input, 'USD'), 'amount', notANumber);
  }
  for (const input of ['-5', '(5)', '-$5', '$-5', '($5.00)', '\u22125', 'USD -12', '-0']) {
    fieldError(t, () => parseMoney(input, 'USD'), 'amount', 'The amount must be positive');
  }
  fieldError(t, () => parseMoney('0', 'USD'), 'amount', 'The amount must be more than zero');
  fieldError(t, () => parseMoney('$0.00', 'USD'), 'amount', 'The amount must be more than zero');
  fieldError(t, () => parseMoney('5000.5', 'KRW'), 'amount', 'KRW has no decimal places');
  fieldError(t, () => parseMoney('12.345', 'USD'), 'amount', 'USD allows at most 2 decimal places');
  fieldError(t, () => parseMoney('1,000,000,000.01', 'USD'), 'amount', 'The amount must be at most 1,000,000,000 USD');
  fieldError(t, () => parseMoney('1000000001', 'KRW'), 'amount', 'The amount must be at most 1,000,000,000 KRW');
  fieldError(t, () => parseMoney('99999999999999999999', 'JPY'), 'amount', 'The amount must be at most 1,000,000,000 JPY');
  fieldError(t, () => parseMoney('abc', 'USD', { field: 'goal' }), 'goal', notANumber);
  fieldError(t, () => parseMoney('5', 'XYZ'), 'currency', 'Unsupported currency "XYZ"');
});

t.test('formatting', async (t) => {
  t.equal(formatMoney(money(150050, 'USD')), '$1,500.50');
  t.equal(formatMoney(money(5000, 'KRW')), '₩5,000');
  t.equal(formatMoney(money(5000, 'KRW'), 'ko'), '₩5,000');
  t.equal(formatMoney(money(-1230, 'USD')), '-$12.30');
  t.equal(formatMoney(money(1200, 'CAD')), 'CA$12.00');
  t.equal(formatMoney(money(5, 'USD')), '$0.05');
  t.equal(formatMoney(money(1200, 'TWD')), 'NT$12.00', 'ISO exponent, not Intl cash digits');
  t.equal(formatMoney(money(Number.MAX_SAFE_INTEGER, 'USD')), '$90,071,992,547,409.91', 'exact beyond float cents');
  t.match(formatMoney(money(123456, 'EUR'), 'de'), /^1\.234,56\s€$/);

  t.equal(formatMajor(money(150050, 'USD')), '1500.50');
  t.equal(formatMajor(money(5000, 'KRW')), '5000');
  t.equal(formatMajor(money(-1230, 'USD')), '-12.30');
  t.equal(formatMajor(money(-5, 'USD')), '-0.05');
  t.equal(formatMajor(zero('USD')), '0.00');
  t.equal(formatMajor(money(-7, 'JPY')), '-7');
  t.equal(formatMajor(money(Number.MAX_SAFE_INTEGER, 'GBP')), '90071992547409.91');

  const original = Intl.NumberFormat;
  let constructed = 0;
  const counting = function (...args: ConstructorParameters<typeof Intl.NumberFormat>) {
    constructed += 1;
    return new original(...args);
  };
  Intl.NumberFormat = counting as unknown as typeof Intl.NumberFormat;
  try {
    for (let i = 0; i < 5; i++) formatMoney(money(i, 'SEK'), 'sv');
  } finally {
    Intl.NumberFormat = original;
  }
  t.equal(constructed, 1, 'one formatter per locale and currency');

  const locales = ['en', 'ko', 'de', 'fr', 'ja', 'es', 'it', 'nl', 'sv', 'da', 'nb', 'pt', 'pl', 'zh', 'he', 'ru', 'tr'];
  for (const locale of locales) for (const code of codes) formatMoney(money(100, code), locale);
  t.equal(formatMoney(money(150050, 'USD')), '$1,500.50', 'still right after the cache bound is hit');

  holds(
    t,
    'parseMoney reads back formatMoney (en) and formatMajor',
    fc.property(positiveMoneyArb, (m) => {
      const fromFormatted = parseMoney(formatMoney(m, 'en'), m.currency);
      const fromMajor = parseMoney(formatMajor(m), m.currency);
      return fromFormatted.amount === m.amount && fromMajor.amount === m.amount && fromMajor.currency === m.currency;
    }),
  );
  holds(
    t,
    'parseMoney reads back formatMoney (ko)',
    fc.property(positiveMoneyArb, (m) => parseMoney(formatMoney(m, 'ko'), m.currency).amount === m.amount),
  );
});

t.test('rates', async (t) => {
  t.same(parseRate('0.00074'), { numerator: 74n, scale: 5 });
  t.same(parseRate('1.35'), { numerator: 135n, scale: 2 });
  t.same(parseRate('1350'), { numerator: 1350n, scale: 0 });
  t.same(parseRate(' 1.50 '), { numerator: 15n, scale: 1 });
  t.same(parseRate('1.000'), { numerator: 1n, scale: 0 });
  t.same(parseRate('0.000000000001'), { numerator: 1n, scale: 12 });
  t.same(parseRate('0.0000000000010000'), { numerator: 1n, scale: 12 }, 'trailing zeros do not count');
  t.same(parseRate('123456789012345678'), { numerator: 123456789012345678n, scale: 0 });

  const shape = 'Enter a rate such as 1.35 or 0.00074';
  for (const input of ['', 'abc', '1e5', '1,350', '.5', '1.', '0x10', '+1', '1 350', '--1', '1'.repeat(101)]) {
    fieldError(t, () => parseRate(input), 'rate', shape);
  }
  fieldError(t, () => parseRate('-1.2'), 'rate', 'The rate must be positive');
  fieldError(t, () => parseRate('0'), 'rate', 'The rate must be more than zero');
  fieldError(t, () => parseRate('0.000'), 'rate', 'The rate must be more than zero');
  fieldError(t, () => parseRate('0.0000000000001'), 'rate', 'A rate allows at most 12 decimal places');
  fieldError(t, () => parseRate('1234567890123456789'), 'rate', 'A rate allows at most 18 significant digits');
  fieldError(t, () => parseRate('1234567.123456789012'), 'rate', 'A rate allows at most 18 significant digits');
  fieldError(t, () => parseRate('abc', 'rates.0.value'), 'rates.0.value', shape);

  t.equal(formatRate({ numerator: 74n, scale: 5 }), '0.00074');
  t.equal(formatRate({ numerator: 1500n, scale: 3 }), '1.5');
  t.equal(formatRate({ numerator: 100n, scale: 2 }), '1');
  t.equal(formatRate({ numerator: 1350n, scale: 0 }), '1350');
  t.throws(() => formatRate({ numerator: 0n, scale: 0 }), RangeError);
  t.throws(() => formatRate({ numerator: 1n, scale: -1 }), RangeError);
  t.throws(() => formatRate({ numerator: 1n, scale: 1.5 }), RangeError);

  holds(
    t,
    'parseRate reads back formatRate, normalised',
    fc.property(
      fc.record({ numerator: fc.bigInt({ min: 1n, max: 10n ** 18n - 1n }), scale: fc.integer({ min: 0, max: 12 }) }),
      (rate) => {
        const back = parseRate(formatRate(rate));
        const want = normalised(rate);
        return back.numerator === want.numerator && back.scale === want.scale;
      },
    ),
  );
});

t.test('roundDiv is half to even', async (t) => {
  t.equal(roundDiv(5n, 2n), 2n, '2.5 -> 2');
  t.equal(roundDiv(7n, 2n), 4n, '3.5 -> 4');
  t.equal(roundDiv(-5n, 2n), -2n, '-2.5 -> -2');
  t.equal(roundDiv(-7n, 2n), -4n, '-3.5 -> -4');
  t.equal(roundDiv(1n, 2n), 0n, '0.5 -> 0');
  t.equal(roundDiv(-1n, 2n), 0n, '-0.5 -> 0');
  t.equal(roundDiv(14n, 10n), 1n);
  t.equal(roundDiv(16n, 10n), 2n);
  t.equal(roundDiv(-14n, 10n), -1n);
  t.equal(roundDiv(-16n, 10n), -2n);
  t.equal(roundDiv(9n, 3n), 3n);
  t.equal(roundDiv(-9n, 3n), -3n);
  t.throws(() => roundDiv(1n, 0n), RangeError);
  t.throws(() => roundDiv(1n, -2n), RangeError);

  const big = fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n });
  holds(
    t,
    'matches the reference',
    fc.property(big, fc.bigInt({ min: 1n, max: 10n ** 20n }), (n, d) => roundDiv(n, d) === refHalfEven(n, d)),
  );
  holds(
    t,
    'exact halves go to the even neighbour',
    fc.property(fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }), (k) => {
      const rounded = roundDiv(2n * k + 1n, 2n);
      return rounded % 2n === 0n && (rounded === k || rounded === k + 1n);
    }),
  );
});

t.test('convert', async (t) => {
  t.same(convert(money(1000, 'USD'), parseRate('1350'), 'KRW'), money(13500, 'KRW'));
  t.same(convert(money(5000, 'KRW'), parseRate('0.00074'), 'USD'), money(370, 'USD'));
  t.same(convert(money(2000, 'USD'), parseRate('1.35'), 'CAD'), money(2700, 'CAD'));
  // 0.125 USD at 1 is 12.5 cents: halves go to even.
  t.same(convert(money(125, 'JPY'), parseRate('0.001'), 'USD'), money(12, 'USD'), '12.5 -> 12');
  t.same(convert(money(135, 'JPY'), parseRate('0.001'), 'USD'), money(14, 'USD'), '13.5 -> 14');
  t.same(convert(money(-125, 'JPY'), parseRate('0.001'), 'USD'), money(-12, 'USD'), '-12.5 -> -12');
  t.same(convert(money(1, 'USD'), parseRate('1'), 'KRW'), money(0, 'KRW'), 'one cent is 0.01 won -> 0');
  t.same(convert(money(50, 'USD'), parseRate('1'), 'KRW'), money(0, 'KRW'), 'half a won -> 0 (even)');
  t.same(convert(money(150, 'USD'), parseRate('1'), 'KRW'), money(2, 'KRW'), '1.5 won -> 2 (even)');
  t.same(
    convert(money(Number.MAX_SAFE_INTEGER, 'USD'), parseRate('0.000000000001'), 'EUR'),
    money(9007, 'EUR'),
    'large amount and tiny rate stay exact',
  );
  t.throws(() => convert(money(Number.MAX_SAFE_INTEGER, 'USD'), parseRate('1350'), 'KRW'), RangeError);
  t.throws(() => convert(money(1, 'USD'), { numerator: -1n, scale: 0 }, 'EUR'), RangeError);
  fieldError(t, () => convert(money(1, 'USD'), parseRate('1'), 'XYZ'), 'currency', 'Unsupported currency "XYZ"');

  holds(
    t,
    'exact against a BigInt rational reference, or refuses to overflow',
    fc.property(safeMoneyArb, rateArb, currencyArb, (m, rate, to) => {
      const want = refConvert(m, rate, to);
      if (want > BigInt(Number.MAX_SAFE_INTEGER) || want < -BigInt(Number.MAX_SAFE_INTEGER)) {
        try {
          convert(m, rate, to);
          return false;
        } catch (error) {
          return error instanceof RangeError;
        }
      }
      const got = convert(m, rate, to);
      return BigInt(got.amount) === want && got.currency === to;
    }),
  );
  holds(
    t,
    'rate 1 between currencies of the same exponent is identity',
    fc.property(safeMoneyArb, currencyArb, fc.integer({ min: 0, max: 12 }), (m, to, zeros) => {
      fc.pre(exponentOf(to) === exponentOf(m.currency));
      const one = parseRate(zeros === 0 ? '1' : `1.${'0'.repeat(zeros)}`);
      const got = convert(m, one, to);
      return got.amount === m.amount && got.currency === to;
    }),
  );
  holds(
    t,
    'monotone in amount and symmetric under negation',
    fc.property(
      currencyArb,
      currencyArb,
      rateArb,
      fc.integer({ min: -(10 ** 11), max: 10 ** 11 }),
      fc.integer({ min: -(10 ** 11), max: 10 ** 11 }),
      (from, to, rate, x, y) => {
        const [lo, hi] = x <= y ? [x, y] : [y, x];
        let a: Money;
        let b: Money;
        try {
          a = convert(money(lo, from), rate, to);
          b = convert(money(hi, from), rate, to);
        } catch (error) {
          return error instanceof RangeError;
        }
        const negated = convert(money(-hi, from), rate, to);
        return a.amount <= b.amount && negated.amount === -b.amount;
      },
    ),
  );
});

t.test('mulDivFloor rounds toward the sponsor', async (t) => {
  t.equal(mulDivFloor(999, 1n, 2n), 499);
  t.equal(mulDivFloor(1000, 3n, 2n), 1500);
  t.equal(mulDivFloor(0, 5n, 7n), 0);
  t.equal(mulDivFloor(Number.MAX_SAFE_INTEGER, 2n, 3n), 6004799503160660);
  t.throws(() => mulDivFloor(-1, 1n, 1n), RangeError);
  t.throws(() => mulDivFloor(1.5, 1n, 1n), RangeError);
  t.throws(() => mulDivFloor(1, -1n, 1n), RangeError);
  t.throws(() => mulDivFloor(1, 1n, 0n), RangeError);
  t.throws(() => mulDivFloor(Number.MAX_SAFE_INTEGER, 2n, 1n), RangeError);
  holds(
    t,
    'result is the floor of the exact quotient',
    fc.property(
      fc.integer({ min: 0, max: 10 ** 12 }),
      fc.bigInt({ min: 0n, max: 1000n }),
      fc.bigInt({ min: 1n, max: 1000n }),
      (amount, num, den) => {
        const r = BigInt(mulDivFloor(amount, num, den));
        const exact = BigInt(amount) * num;
        return r * den <= exact && exact < (r + 1n) * den;
      },
    ),
  );
});

t.test('split and allocate', async (t) => {
  t.same(split(money(1000, 'USD'), 3).map((m) => m.amount), [334, 333, 333]);
  t.same(split(money(-1000, 'USD'), 3).map((m) => m.amount), [-333, -333, -334]);
  t.same(split(money(5, 'KRW'), 1).map((m) => m.amount), [5]);
  t.same(split(money(2, 'KRW'), 4).map((m) => m.amount), [1, 1, 0, 0]);
  t.same(split(money(Number.MAX_SAFE_INTEGER, 'USD'), 3).map((m) => m.amount), [3002399751580331, 3002399751580330, 3002399751580330]);
  t.ok(split(money(7, 'USD'), 2).every((m) => m.currency === 'USD'));
  for (const bad of [0, -1, 1.5, Number.NaN]) t.throws(() => split(money(1, 'USD'), bad), RangeError);

  t.same(allocate(money(100, 'USD'), [1, 1, 1]).map((m) => m.amount), [34, 33, 33]);
  t.same(allocate(money(100, 'USD'), [1, 2]).map((m) => m.amount), [33, 67]);
  t.same(allocate(money(10, 'USD'), [0, 3, 0, 7]).map((m) => m.amount), [0, 3, 0, 7]);
  t.same(allocate(money(5, 'USD'), [2, 3, 5]).map((m) => m.amount), [1, 2, 2], 'remainders .0 .5 .5: tie goes to the lower index');
  t.same(allocate(money(-100, 'USD'), [1, 2]).map((m) => m.amount), [-33, -67]);
  t.throws(() => allocate(money(1, 'USD'), []), RangeError);
  t.throws(() => allocate(money(1, 'USD'), [0, 0]), RangeError);
  t.throws(() => allocate(money(1, 'USD'), [1, -1]), RangeError);
  t.throws(() => allocate(money(1, 'USD'), [1.5]), RangeError);

  const amountArb = fc.integer({ min: -(10 ** 13), max: 10 ** 13 });
  holds(
    t,
    'split: right count, exact sum, at most one unit apart, larger first',
    fc.property(amountArb, fc.integer({ min: 1, max: 50 }), (amount, parts) => {
      const out = split(money(amount, 'USD'), parts).map((m) => m.amount);
      const sum = out.reduce((s, x) => s + x, 0);
      const sorted = out.every((x, i) => i === 0 || (out[i - 1] ?? x) >= x);
      return out.length === parts && sum === amount && Math.max(...out) - Math.min(...out) <= 1 && sorted;
    }),
  );
  holds(
    t,
    'allocate: right count, exact sum, each share the floor or ceiling of its exact share',
    fc.property(
      fc.integer({ min: -(10 ** 12), max: 10 ** 12 }),
      fc.array(fc.integer({ min: 0, max: 10 ** 6 }), { minLength: 1, maxLength: 20 }).filter((w) => w.some((x) => x > 0)),
      (amount, weights) => {
        const out = allocate(money(amount, 'EUR'), weights);
        const total = BigInt(weights.reduce((s, w) => s + w, 0));
        const fair = out.every((m, i) => {
          const exact = BigInt(amount) * BigInt(weights[i] ?? 0);
          const got = BigInt(m.amount);
          // floor(exact/total) <= got <= ceil(exact/total)
          return got * total <= exact + total - 1n && got * total >= exact - total + 1n;
        });
        const zeroStaysZero = out.every((m, i) => weights[i] !== 0 || m.amount === 0);
        return (
          out.length === weights.length &&
          out.reduce((s, m) => s + m.amount, 0) === amount &&
          fair &&
          zeroStaysZero &&
          out.every((m) => m.currency === 'EUR')
        );
      },
    ),
  );
  holds(
    t,
    'allocate with equal weights is split',
    fc.property(amountArb, fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 1000 }), (amount, n, w) => {
      const m = money(amount, 'USD');
      const a = allocate(m, Array.from({ length: n }, () => w)).map((x) => x.amount);
      const s = split(m, n).map((x) => x.amount);
      return a.every((x, i) => x === s[i]);
    }),
  );
});
