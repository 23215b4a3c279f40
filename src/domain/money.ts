// Money for Lantern: an integer count of a currency's minor units plus an ISO
// 4217 code, and everything that computes with it — parsing what people type,
// formatting, exchange-rate conversion, matching ratios, splits. No floating
// point touches an amount: products that could exceed 2^53 go through BigInt,
// and every rounding is one of the two documented rules below (half to even
// for conversion, floor for sponsor ratios).

import { DomainError, ValidationError } from './errors.ts';

/** Supported currencies and the number of digits of their minor unit (ISO 4217). */
export const CURRENCIES: { readonly [code: string]: { readonly exponent: number } } = Object.freeze({
  USD: { exponent: 2 },
  CAD: { exponent: 2 },
  KRW: { exponent: 0 },
  EUR: { exponent: 2 },
  GBP: { exponent: 2 },
  JPY: { exponent: 0 },
  AUD: { exponent: 2 },
  CHF: { exponent: 2 },
  NZD: { exponent: 2 },
  SEK: { exponent: 2 },
  NOK: { exponent: 2 },
  DKK: { exponent: 2 },
  MXN: { exponent: 2 },
  HKD: { exponent: 2 },
  SGD: { exponent: 2 },
  // ISO 4217 gives TWD two decimals even though cash has none; amounts are
  // stored as ISO says so that card processors and exports agree with us.
  TWD: { exponent: 2 },
});

/** Always a code that `assertCurrency` accepted. */
export type Currency = string;

const CURRENCY_CODE = /^[A-Z]{3}$/;

export function isCurrency(code: string): boolean {
  // hasOwn, not `in`: "constructor" and friends must never pass as currencies.
  return CURRENCY_CODE.test(code) && Object.hasOwn(CURRENCIES, code);
}

function unsupported(code: string, field: string): ValidationError {
  // Cut short: the code may be whatever a client sent, and it is echoed back.
  return ValidationError.field(field, `Unsupported currency "${code.slice(0, 16)}"`);
}

export function assertCurrency(code: string, field = 'currency'): Currency {
  if (!isCurrency(code)) throw unsupported(code, field);
  return code;
}

export function exponentOf(currency: string): number {
  const entry = isCurrency(currency) ? CURRENCIES[currency] : undefined;
  if (entry === undefined) throw unsupported(currency, 'currency');
  return entry.exponent;
}

export interface Money {
  /** Integer count of minor units (cents, or whole won); always a safe integer. */
  readonly amount: number;
  readonly currency: Currency;
}

export function money(amount: number, currency: string): Money {
  assertCurrency(currency);
  if (!Number.isSafeInteger(amount)) {
    throw ValidationError.field('amount', 'The amount must be a whole number of minor units');
  }
  // -0 would survive JSON as 0 but compare unequal with Object.is in tests and caches.
  return { amount: amount === 0 ? 0 : amount, currency };
}

export function zero(currency: string): Money {
  return money(0, currency);
}

// Results of arithmetic on valid Money leave the safe range only through a bug
// or an absurd total, never through user input (parseMoney caps it), so this
// is an internal error rather than a validation message.
function checked(amount: number, currency: Currency): Money {
  if (!Number.isSafeInteger(amount)) {
    throw new RangeError(`Money overflow: ${amount} ${currency} is not a safe integer`);
  }
  return { amount: amount === 0 ? 0 : amount, currency };
}

function sameCurrency(a: Money, b: Money, action: string): void {
  if (a.currency !== b.currency) {
    throw new DomainError('currency_mismatch', `Cannot ${action} ${a.currency} and ${b.currency}`);
  }
}

export function add(a: Money, b: Money): Money {
  sameCurrency(a, b, 'add');
  return checked(a.amount + b.amount, a.currency);
}

export function subtract(a: Money, b: Money): Money {
  sameCurrency(a, b, 'subtract');
  return checked(a.amount - b.amount, a.currency);
}

export function negate(a: Money): Money {
  return checked(0 - a.amount, a.currency);
}

export function compare(a: Money, b: Money): -1 | 0 | 1 {
  sameCurrency(a, b, 'compare');
  return a.amount < b.amount ? -1 : a.amount > b.amount ? 1 : 0;
}

export function minMoney(a: Money, b: Money): Money {
  return compare(a, b) <= 0 ? a : b;
}

export function sumMoney(items: readonly Money[], currency: string): Money {
  let total = zero(currency);
  for (const item of items) total = add(total, item);
  return total;
}

/** The largest amount, in major units, anyone can enter in one form field. */
export const MAX_MAJOR_UNITS = 1_000_000_000;

export interface ParseOptions {
  allowZero?: boolean;
  /** Field named in the ValidationError; default `amount`. */
  field?: string;
}

// Anything a person may type around the number: symbols (₩, $, €), codes and
// prefixes (USD, CA$, "원"), and spaces of every kind.
const AFFIX_START = /^[\p{L}\p{Sc}\s]+/u;
const AFFIX_END = /[\p{L}\p{Sc}\s]+$/u;
// Comma groups thousands and dot separates decimals — the English and Korean
// convention, the two languages Lantern serves. A comma must sit exactly three
// digits from the next one, so "12,50" (a European 12.50) is refused rather
// than misread as 1250.
const DECIMAL_NUMBER = /^(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?$/;
// Far longer than any honest amount; keeps BigInt and regex work bounded.
const MAX_INPUT_LENGTH = 100;

const NOT_A_NUMBER = 'Enter an amount such as 25 or 1,500.00';
const CAP_TEXT = new Intl.NumberFormat('en').format(MAX_MAJOR_UNITS);

function stripAffixes(text: string): string {
  return text.replace(AFFIX_START, '').replace(AFFIX_END, '');
}

export function parseMoney(input: string, currency: string, options: ParseOptions = {}): Money {
  const field = options.field ?? 'amount';
  const exponent = exponentOf(currency);
  const fail = (message: string): never => {
    throw ValidationError.field(field, message);
  };

  // NFKC turns full-width digits and punctuation from East Asian input methods
  // ("５，０００") into ASCII, and no-break spaces into plain ones.
  let text = input.normalize('NFKC').trim();
  if (text.length > MAX_INPUT_LENGTH) fail(NOT_A_NUMBER);
  text = stripAffixes(text);
  let negative = false;
  if (text.startsWith('(') && text.endsWith(')')) {
    negative = true;
    text = text.slice(1, -1);
  } else if (text.startsWith('-') || text.startsWith('\u2212')) {
    negative = true;
    text = text.slice(1);
  }
  // A second pass catches the sign written outside the symbol: "-$12", "($12)".
  text = stripAffixes(text);

  const match = DECIMAL_NUMBER.exec(text);
  if (match === null) return fail(NOT_A_NUMBER);
  if (negative) fail('The amount must be positive');

  const whole = (match[1] ?? '').replaceAll(',', '');
  // Trailing zeros add no precision: "5000.00" is a fine KRW amount.
  const fraction = (match[2] ?? '').replace(/0+$/, '');
  if (fraction.length > exponent) {
    fail(
      exponent === 0
        ? `${currency} has no decimal places`
        : `${currency} allows at most ${exponent} decimal places`,
    );
  }
  const minor = BigInt(whole + fraction.padEnd(exponent, '0'));
  if (minor === 0n && options.allowZero !== true) fail('The amount must be more than zero');
  if (minor > BigInt(MAX_MAJOR_UNITS) * 10n ** BigInt(exponent)) {
    fail(`The amount must be at most ${CAP_TEXT} ${currency}`);
  }
  return money(Number(minor), currency);
}

// The exact decimal value of a Money in major units, e.g. -1230 USD -> "-12.30".
function toDecimal(m: Money): `${number}` {
  const exponent = exponentOf(m.currency);
  const digits = Math.abs(m.amount).toString().padStart(exponent + 1, '0');
  const cut = digits.length - exponent;
  const body = exponent === 0 ? digits : `${digits.slice(0, cut)}.${digits.slice(cut)}`;
  // The template type is what lets Intl.NumberFormat take the string as a number.
  return `${m.amount < 0 ? '-' : ''}${body}` as `${number}`;
}

// Building a NumberFormat costs far more than formatting with one, and pages
// format hundreds of amounts. The size bound keeps a stream of odd
// Accept-Language tags from growing the cache without limit.
const formatters = new Map<string, Intl.NumberFormat>();
const MAX_FORMATTERS = 256;

function formatterFor(locale: string, currency: Currency): Intl.NumberFormat {
  const key = `${locale}\u0000${currency}`;
  let formatter = formatters.get(key);
  if (formatter === undefined) {
    const exponent = exponentOf(currency);
    formatter = new Intl.NumberFormat(locale, {
      style: 'currency',
      currency,
      minimumFractionDigits: exponent,
      maximumFractionDigits: exponent,
    });
    if (formatters.size >= MAX_FORMATTERS) formatters.clear();
    formatters.set(key, formatter);
  }
  return formatter;
}

export function formatMoney(m: Money, locale = 'en'): string {
  // A decimal string, not amount / 10^exponent: the float would round amounts
  // above 2^53 / 100 and Intl formats strings exactly.
  return formatterFor(locale, m.currency).format(toDecimal(m));
}

/** Plain decimal for form values and CSV: 150050 USD -> "1500.50", 5000 KRW -> "5000". */
export function formatMajor(m: Money): string {
  return toDecimal(m);
}

/** An exchange rate: value = numerator / 10^scale, always > 0. */
export interface Rate {
  readonly numerator: bigint;
  readonly scale: number;
}

const RATE_SHAPE = /^(\d+)(?:\.(\d+))?$/;
const MAX_RATE_DECIMALS = 12;
// 18 digits keep every numerator below 10^18, inside a signed 64-bit column.
const MAX_RATE_DIGITS = 18;

export function parseRate(input: string, field = 'rate'): Rate {
  const fail = (message: string): never => {
    throw ValidationError.field(field, message);
  };
  const text = input.trim();
  if (text.length > MAX_INPUT_LENGTH) fail('Enter a rate such as 1.35 or 0.00074');
  if (text.startsWith('-') && RATE_SHAPE.test(text.slice(1))) fail('The rate must be positive');
  const match = RATE_SHAPE.exec(text);
  if (match === null) return fail('Enter a rate such as 1.35 or 0.00074');

  const fraction = (match[2] ?? '').replace(/0+$/, '');
  if (fraction.length > MAX_RATE_DECIMALS) {
    fail(`A rate allows at most ${MAX_RATE_DECIMALS} decimal places`);
  }
  const numerator = BigInt((match[1] ?? '') + fraction);
  if (numerator === 0n) fail('The rate must be more than zero');
  if (numerator.toString().length > MAX_RATE_DIGITS) {
    fail(`A rate allows at most ${MAX_RATE_DIGITS} significant digits`);
  }
  return { numerator, scale: fraction.length };
}

function assertRate(rate: Rate): void {
  if (rate.numerator <= 0n || !Number.isSafeInteger(rate.scale) || rate.scale < 0) {
    throw new RangeError(`Invalid rate ${rate.numerator}/10^${rate.scale}`);
  }
}

/** Canonical decimal without trailing zeros; parseRate(formatRate(r)) is r normalised. */
export function formatRate(rate: Rate): string {
  assertRate(rate);
  const digits = rate.numerator.toString().padStart(rate.scale + 1, '0');
  const cut = digits.length - rate.scale;
  const fraction = digits.slice(cut).replace(/0+$/, '');
  return fraction === '' ? digits.slice(0, cut) : `${digits.slice(0, cut)}.${fraction}`;
}

/**
 * Converts `m` at `rate`, where 1 major unit of m.currency is worth `rate`
 * major units of `to`. The product is exact (BigInt) and rounded once, at the
 * target's minor unit, half to even (banker's rounding): halves go to the even
 * neighbour, so no direction is favoured over many gifts and a refund converts
 * to exactly the negation of its gift.
 */
export function convert(m: Money, rate: Rate, to: string): Money {
  assertRate(rate);
  const fromExponent = exponentOf(m.currency);
  const toExponent = exponentOf(to);
  const numerator = BigInt(m.amount) * rate.numerator * 10n ** BigInt(toExponent);
  const denominator = 10n ** BigInt(fromExponent + rate.scale);
  return checked(Number(roundDiv(numerator, denominator)), to);
}

/** numerator / denominator rounded half to even; denominator > 0, numerator any sign. */
export function roundDiv(numerator: bigint, denominator: bigint): bigint {
  if (denominator <= 0n) throw new RangeError('roundDiv needs a positive denominator');
  let quotient = numerator / denominator;
  let remainder = numerator % denominator;
  // BigInt division truncates toward zero; move to floor so the remainder is
  // non-negative and one comparison decides for both signs.
  if (remainder < 0n) {
    quotient -= 1n;
    remainder += denominator;
  }
  const twice = remainder * 2n;
  if (twice > denominator || (twice === denominator && (quotient & 1n) === 1n)) quotient += 1n;
  return quotient;
}

/**
 * floor(amount * num / den) for amount >= 0. Matching rounds down: a sponsor
 * never pays a fraction of a minor unit they did not promise.
 */
export function mulDivFloor(amount: number, num: bigint, den: bigint): number {
  if (!Number.isSafeInteger(amount) || amount < 0) {
    throw new RangeError('mulDivFloor needs a non-negative safe integer amount');
  }
  if (num < 0n || den <= 0n) throw new RangeError('mulDivFloor needs num >= 0 and den > 0');
  const result = Number((BigInt(amount) * num) / den);
  if (!Number.isSafeInteger(result)) throw new RangeError('mulDivFloor result is not a safe integer');
  return result;
}

function assertCount(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${what} must be a positive integer`);
}

/** Equal parts differing by at most one minor unit, larger first, summing exactly to m. */
export function split(m: Money, parts: number): Money[] {
  assertCount(parts, 'parts');
  // % and exact division instead of Math.floor(amount / parts): the float
  // quotient of a large amount can round up to the next integer.
  let remainder = m.amount % parts;
  if (remainder < 0) remainder += parts;
  const base = (m.amount - remainder) / parts;
  return Array.from({ length: parts }, (_, i) => checked(i < remainder ? base + 1 : base, m.currency));
}

/**
 * Splits m in proportion to non-negative integer weights by the largest
 * remainder method: everyone gets the floor of their exact share, and the
 * minor units left over go one each to the largest fractional remainders,
 * the lower index first on ties. A zero weight always gets zero.
 */
export function allocate(m: Money, weights: readonly number[]): Money[] {
  assertCount(weights.length, 'weights.length');
  let total = 0n;
  for (const weight of weights) {
    if (!Number.isSafeInteger(weight) || weight < 0) {
      throw new RangeError('weights must be non-negative integers');
    }
    total += BigInt(weight);
  }
  if (total === 0n) throw new RangeError('weights must not all be zero');

  const amount = BigInt(m.amount);
  const shares = weights.map((weight, index) => {
    const product = amount * BigInt(weight);
    let floor = product / total;
    let remainder = product % total;
    if (remainder < 0n) {
      floor -= 1n;
      remainder += total;
    }
    return { index, floor, remainder };
  });
  let leftover = amount - shares.reduce((sum, share) => sum + share.floor, 0n);
  const byRemainder = [...shares].sort((a, b) =>
    a.remainder === b.remainder ? a.index - b.index : a.remainder > b.remainder ? -1 : 1,
  );
  for (const share of byRemainder) {
    if (leftover === 0n) break;
    share.floor += 1n;
    leftover -= 1n;
  }
  return shares.map((share) => checked(Number(share.floor), m.currency));
}

export function toJSON(m: Money): { amount: number; currency: string } {
  return { amount: m.amount, currency: m.currency };
}
