// Disputes of card payments for ticket orders and raffle entries, as staff
// see them. Each dispute event Stripe reports is written to the audit log once
// (services/stripe-events.ts), on the order or entry it concerns; that record
// is the dispute's state, so no table needs to mirror Stripe's.
import { readAuditLog } from '../db/audit.ts';
import { money, type Money } from '../domain/money.ts';
import type { Services } from './context.ts';

export interface PaymentDispute {
  /** The provider's id of the dispute. */
  id: string;
  /** open while the bank decides, then won or lost (or Stripe's other closing status). */
  status: string;
  reason: string | null;
  amount: Money;
}

/**
 * The newest dispute of an order's or entry's payment: open until a closing
 * event for the same dispute is recorded, whatever order the events arrived
 * in. Stripe's amounts are our minor units, in the currency that was charged.
 */
export function disputeOf(s: Services, subject: { type: 'order' | 'raffle_entry'; id: string }, currency: string): PaymentDispute | null {
  const rows = readAuditLog(s.db, { limit: 50, offset: 0, action: 'payment.dispute', subjectType: subject.type, subjectId: subject.id });
  const events = rows.map((r) => ({ action: r.action, ...(JSON.parse(r.after ?? '{}') as { dispute?: string; status?: string; amount?: number; reason?: string | null }) }));
  const newest = events[0];
  if (!newest?.dispute) return null;
  const closed = events.find((e) => e.dispute === newest.dispute && e.action === 'payment.dispute_closed');
  return {
    id: newest.dispute,
    status: closed ? (closed.status ?? 'closed') : 'open',
    reason: newest.reason ?? null,
    amount: money(newest.amount ?? 0, currency),
  };
}

/**
 * Whether Stripe's closing of this dispute was already applied: its
 * `created` event may arrive after it (Stripe does not promise the order),
 * and must not then mark the payment disputed for good.
 */
export function disputeClosedBefore(s: Services, subject: { type: string; id: string }, disputeId: string): boolean {
  const rows = readAuditLog(s.db, { limit: 50, offset: 0, action: 'payment.dispute_closed', subjectType: subject.type, subjectId: subject.id });
  return rows.some((r) => (JSON.parse(r.after ?? '{}') as { dispute?: string }).dispute === disputeId);
}
