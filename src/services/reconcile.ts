// `stripe reconcile`: compares Stripe's Checkout Sessions with our checkouts
// since a date. A session Stripe says is paid that our records lack (a webhook
// that never arrived) is reported, and with `fix` recorded exactly as the
// webhook would have; a checkout we hold as paid that Stripe does not know as
// paid is reported for a person to look at (never changed automatically).
import type Stripe from 'stripe';
import { checkoutsOfProviderSince } from '../db/checkouts.ts';
import type { Services } from './context.ts';
import { applyPaymentEvent } from './payments.ts';
import { amountMatches, checkoutOfSession, idOf } from './stripe-events.ts';

export interface ReconcileReport {
  sessions: number;
  /** Paid at Stripe, not paid in Lantern (fixed when asked). */
  missing: { session: string; checkout: string; amount: number; currency: string; fixed: boolean }[];
  /** Paid in Lantern, not paid at Stripe. */
  unknownToStripe: { checkout: string; session: string | null; amount: number; currency: string }[];
  /** Paid sessions that name no checkout of ours (another integration on the same account). */
  foreign: string[];
}

export async function reconcileStripe(s: Services, client: Stripe, since: number, fix: boolean): Promise<ReconcileReport> {
  const report: ReconcileReport = { sessions: 0, missing: [], unknownToStripe: [], foreign: [] };
  const paidAtStripe = new Set<string>();
  for await (const session of client.checkout.sessions.list({ created: { gte: Math.floor(since / 1000) }, limit: 100 })) {
    report.sessions += 1;
    if (session.payment_status !== 'paid') continue;
    const checkout = checkoutOfSession(s, session);
    if (!checkout) {
      report.foreign.push(session.id);
      continue;
    }
    paidAtStripe.add(checkout.id);
    if (checkout.status === 'paid') continue;
    const entry = { session: session.id, checkout: checkout.id, amount: session.amount_total ?? 0, currency: (session.currency ?? '').toUpperCase(), fixed: false };
    if (fix && amountMatches(checkout, session)) {
      await applyPaymentEvent(s, { provider: 'stripe', eventId: `${session.id}:reconcile`, outcome: 'completed', checkoutId: checkout.id, providerPayment: idOf(session.payment_intent) });
      entry.fixed = true;
    }
    report.missing.push(entry);
  }
  for (const c of checkoutsOfProviderSince(s.db, 'stripe', since)) {
    if (c.status === 'paid' && !paidAtStripe.has(c.id)) report.unknownToStripe.push({ checkout: c.id, session: c.providerRef, amount: c.amount, currency: c.currency });
  }
  return report;
}
