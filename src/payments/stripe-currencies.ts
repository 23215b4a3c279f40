// What Stripe expects of amounts, per currency. Stripe takes amounts in the
// currency's smallest unit; for every currency Lantern accepts that unit is
// our minor unit (KRW and JPY are zero-decimal in both), which a test checks
// against this table rather than against Intl. Stripe also refuses charges
// below a minimum per currency: checked before a session is created, so the
// donor gets a clear message instead of a failed checkout.
import { CURRENCIES } from '../domain/money.ts';

/** Stripe's zero-decimal currencies (docs: "Zero-decimal currencies"). */
export const stripeZeroDecimal: ReadonlySet<string> = new Set(['BIF', 'CLP', 'DJF', 'GNF', 'JPY', 'KMF', 'KRW', 'MGA', 'PYG', 'RWF', 'UGX', 'VND', 'VUV', 'XAF', 'XOF', 'XPF']);

/**
 * Minimum charge in the currency's smallest unit (Stripe's table of minimum
 * charge amounts). KRW and TWD are not in that table: the limit then follows
 * the account's settlement currency, so about 0.50 USD is used.
 */
export const stripeMinimum: Readonly<Record<string, number>> = Object.freeze({
  USD: 50,
  CAD: 50,
  EUR: 50,
  GBP: 30,
  AUD: 50,
  CHF: 50,
  NZD: 50,
  SGD: 50,
  DKK: 250,
  NOK: 300,
  SEK: 300,
  HKD: 400,
  MXN: 1000,
  JPY: 50,
  KRW: 700,
  TWD: 1500,
});

/** Our minor units → Stripe's smallest unit (the same number for every currency we accept). */
export function toStripeAmount(currency: string, amount: number): number {
  const exponent = CURRENCIES[currency]?.exponent;
  if (exponent === undefined) throw new Error(`Stripe amounts: unsupported currency ${currency}`);
  const stripeExponent = stripeZeroDecimal.has(currency) ? 0 : 2;
  if (exponent !== stripeExponent) throw new Error(`Stripe amounts: ${currency} has ${exponent} decimals here but ${stripeExponent} at Stripe`);
  return amount;
}
