// The card processor's fee a donor may choose to cover. The fee cover is
// charged with the gift but is not part of it: it never counts as raised and
// is never matched. The rate is whatever the installation configured (a
// percentage of each charge plus an optional fixed part per currency); it is
// an estimate of the processor's price list, not read from the processor.
//
// Rounding rule (the one rule of this module): the total charged is grossed
// up and rounded UP to the currency's minor unit, so that after the processor
// takes its percentage of the whole charge (fee cover included) and its fixed
// part, the organisation keeps at least the gift. The simpler "gift × rate +
// fixed" would leave it short, because the processor also takes its
// percentage of the fee cover itself.
import { ValidationError } from './errors.ts';
import { isCurrency, money, parseMoney, type Money } from './money.ts';

/** Millionths in a whole: 2.9 % is 29,000 millionths. */
const MILLION = 1_000_000n;
/** A percentage is written with at most this many decimals, so it is a whole number of millionths. */
const PERCENT_DECIMALS = 4;
/** No card processor charges more; a larger figure is a typo (29 for 2.9). */
export const MAX_FEE_PERCENT = 20;

export interface ProcessingFee {
  /** The processor's percentage of each charge, in millionths of the charge (2.9 % = 29,000); more than 0. */
  readonly millionths: number;
  /** Its fixed part per charge, in minor units by currency; a currency not listed has none. */
  readonly fixed: Readonly<Record<string, number>>;
}

const PERCENT_SHAPE = /^(\d{1,2})(?:\.(\d+))?$/;

/** "2.9" → 29,000 millionths, exactly (no float ever holds the rate). */
export function parsePercent(input: string, field = 'percent'): number {
  const fail = (message: string): never => {
    throw ValidationError.field(field, message);
  };
  const match = PERCENT_SHAPE.exec(input.trim());
  if (match === null) return fail(`Enter a percentage such as 2.9 (at most ${MAX_FEE_PERCENT})`);
  const fraction = (match[2] ?? '').replace(/0+$/, '');
  if (fraction.length > PERCENT_DECIMALS) fail(`A percentage allows at most ${PERCENT_DECIMALS} decimal places`);
  const millionths = Number(match[1]) * 10_000 + Number(fraction.padEnd(PERCENT_DECIMALS, '0'));
  if (millionths === 0) fail('The percentage must be more than zero');
  if (millionths > MAX_FEE_PERCENT * 10_000) fail(`The percentage must be at most ${MAX_FEE_PERCENT}`);
  return millionths;
}

/**
 * "0.30 USD, 0.30 CAD, 400 KRW" → fixed parts in minor units by currency.
 * A fixed fee is priced in one currency, so each currency gets its own.
 */
export function parseFixedFees(input: string, field = 'fixed'): Readonly<Record<string, number>> {
  const fixed: Record<string, number> = {};
  for (const item of input.split(',')) {
    const [amount = '', currency = '', ...rest] = item.trim().split(/\s+/);
    if (rest.length > 0 || !isCurrency(currency)) {
      throw ValidationError.field(field, `Write each fixed fee as an amount and a currency code, such as 0.30 USD (got "${item.trim().slice(0, 40)}")`);
    }
    if (Object.hasOwn(fixed, currency)) throw ValidationError.field(field, `${currency} is listed twice`);
    let parsed: Money;
    try {
      parsed = parseMoney(amount, currency, { allowZero: true });
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      throw ValidationError.field(field, `${currency}: ${err.message}`);
    }
    fixed[currency] = parsed.amount;
  }
  return Object.freeze(fixed);
}

/** 29,000 millionths → "2.9": the percentage as it was configured, for labels. */
export function formatPercent(millionths: number): string {
  const whole = Math.floor(millionths / 10_000);
  const fraction = String(millionths % 10_000).padStart(PERCENT_DECIMALS, '0').replace(/0+$/, '');
  return fraction === '' ? String(whole) : `${whole}.${fraction}`;
}

/** ⌈a / b⌉ for a ≥ 0, b > 0. */
function ceilDiv(a: bigint, b: bigint): bigint {
  return (a + b - 1n) / b;
}

/**
 * What the donor adds to `gift` so the organisation keeps at least the gift:
 * total = ⌈(gift + fixed) ÷ (1 − percentage)⌉, fee cover = total − gift.
 * With the processor rounding its own fee to the nearest minor unit, what is
 * left after it is never below the gift. At least one minor unit for any
 * gift, and never smaller for a larger gift in the same currency.
 */
export function feeCover(gift: Money, fee: ProcessingFee): Money {
  if (!Number.isSafeInteger(gift.amount) || gift.amount <= 0) throw new RangeError('feeCover needs a gift of more than zero');
  if (!Number.isSafeInteger(fee.millionths) || fee.millionths <= 0 || fee.millionths >= Number(MILLION)) {
    throw new RangeError(`feeCover needs a percentage between 0 and 100, got ${fee.millionths} millionths`);
  }
  const fixed = BigInt(fee.fixed[gift.currency] ?? 0);
  const total = ceilDiv((BigInt(gift.amount) + fixed) * MILLION, MILLION - BigInt(fee.millionths));
  return money(Number(total - BigInt(gift.amount)), gift.currency);
}
