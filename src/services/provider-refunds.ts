// Refunds the ledger made in bulk (an event cancelled, a holder taking the
// refund, the offer's deadline) or for raffle tickets, handed on to the
// provider that took the money. The ledger goes first there, so this runs
// after the write and again from the server's sweep until the provider has
// answered: the idempotency key is the order's or entry's, so asking twice
// refunds once, and the refund is recorded so it is never asked again.
import { money } from '../domain/money.ts';
import { checkoutsAwaitingProviderRefund, leftAtProvider, recordProviderRefund, type CheckoutRow } from '../db/checkouts.ts';
import type { PaymentProvider } from '../payments/provider.ts';
import { audit } from './audit.ts';
import type { Services } from './context.ts';

const system = { userId: null, label: 'system', role: null, ip: null } as const;

/**
 * The idempotency key of the refund of what is left: the same while nothing
 * else was given back (a retry after a crash gets the same refund), another
 * once part of the payment went back (a different amount under one key is an
 * error at Stripe).
 */
function restKey(c: CheckoutRow, left: number): string {
  const base = c.orderId ? `lantern-order-refund-${c.orderId}` : `lantern-entry-refund-${c.raffleEntryId ?? c.id}`;
  return left === c.amount ? base : `${base}-rest-${left}`;
}

/**
 * Asks the provider for every refund the ledger made and the provider has
 * not; returns how many it made. One refund the provider refuses (a disputed
 * charge) does not hold up the others: the failures are reported together
 * after all were tried, and tried again by the next sweep.
 */
export async function settleProviderRefunds(s: Services, provider: PaymentProvider): Promise<number> {
  if (provider.name === 'test') return 0;
  let made = 0;
  const failed: string[] = [];
  for (const c of checkoutsAwaitingProviderRefund(s.db, provider.name)) {
    const amount = leftAtProvider(s.db, c);
    try {
      const refund =
        amount > 0
          ? await provider.refund({ checkoutId: c.id, providerPayment: c.providerPayment, amount: money(amount, c.currency), idempotencyKey: restKey(c, amount), reason: 'refunded in Lantern' })
          : { refundId: `none:${c.id}` };
      await s.db.write(() => {
        recordProviderRefund(s.db, { provider: provider.name, refundId: refund.refundId, checkoutId: c.id, amount, createdAt: s.now() });
        audit(s, system, 'payment.provider_refund', { type: 'checkout', id: c.id }, null, { refund: refund.refundId, amount, currency: c.currency });
      });
      made += 1;
    } catch (err) {
      failed.push(`${c.id}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  if (failed.length > 0) throw new Error(`${failed.length} refund(s) through ${provider.name} failed and will be tried again: ${failed.join('; ')}`);
  return made;
}
