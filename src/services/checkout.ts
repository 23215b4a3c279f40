// Starting a payment with the configured provider: the minimum it charges is
// checked before anything is written, and the provider's id for the checkout
// is kept once it answers (after the write that created our checkout).
import { ValidationError } from '../domain/errors.ts';
import { formatMoney, money, type Money } from '../domain/money.ts';
import { updateCheckout } from '../db/checkouts.ts';
import type { CheckoutRequest, PaymentProvider } from '../payments/provider.ts';
import type { Services } from './context.ts';

/**
 * Starts the provider's checkout for a checkout row already committed, and
 * keeps the provider's id for it. Called after the write: no network call
 * ever runs inside a transaction.
 */
export async function startCheckout(s: Services, provider: PaymentProvider, req: CheckoutRequest): Promise<string> {
  return (await startCheckoutUntil(s, provider, req)).url;
}

/** The same, answering also until when the provider's page takes payment. */
export async function startCheckoutUntil(s: Services, provider: PaymentProvider, req: CheckoutRequest): Promise<{ url: string; expiresAt: number }> {
  const started = await provider.createCheckout(req);
  if (started.providerRef) {
    const ref = started.providerRef;
    await s.db.write(() => updateCheckout(s.db, req.checkoutId, { providerRef: ref }));
  }
  return { url: started.url, expiresAt: Math.max(req.expiresAt, started.expiresAt ?? req.expiresAt) };
}

/** Refuses, before anything is written, an amount the provider would not charge. */
export function assertChargeable(provider: PaymentProvider, amount: Money, field: string): void {
  const minimum = provider.minimumCharge(amount.currency);
  if (amount.amount > 0 && amount.amount < minimum) {
    throw ValidationError.field(field, `Card payments in ${amount.currency} start at ${formatMoney(money(minimum, amount.currency))}`);
  }
}
