// Every currency Lantern accepts goes to Stripe in the unit Stripe expects
// (checked against Stripe's zero-decimal list, not against Intl), and has a
// minimum charge.
import t from 'tap';
import { CURRENCIES } from '../../src/domain/money.ts';
import { stripeMinimum, stripeZeroDecimal, toStripeAmount } from '../../src/payments/stripe-currencies.ts';

t.test('our minor units are Stripe’s smallest units for every accepted currency', async (t) => {
  for (const [code, { exponent }] of Object.entries(CURRENCIES)) {
    t.equal(exponent === 0, stripeZeroDecimal.has(code), `${code}: zero-decimal here exactly when zero-decimal at Stripe`);
    t.equal(toStripeAmount(code, 12_345), 12_345, `${code}: the amount goes as it is`);
    t.ok((stripeMinimum[code] ?? 0) > 0, `${code}: has a minimum charge`);
  }
  t.equal(toStripeAmount('KRW', 5_000), 5_000, '5,000 KRW is 5000, not 500000');
  t.throws(() => toStripeAmount('XYZ', 1), /unsupported/);
});
