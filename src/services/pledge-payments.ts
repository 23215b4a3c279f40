// A sponsor paying what their pledge came to. What a pledge matched is already
// in the campaign's ledger (as `match`) the moment each gift succeeds; paying
// it keeps the promise and never changes a campaign's totals. The sponsor pays
// by card from the portal (through the payment provider), or an administrator
// records a transfer or cheque that arrived.
import { DomainError, ValidationError } from '../domain/errors.ts';
import { formatMoney, money, type Money } from '../domain/money.ts';
import { findCampaignById, type CampaignRow } from '../db/campaigns.ts';
import { insertCheckout, openCheckoutsOfPledgePayment, updateCheckout } from '../db/checkouts.ts';
import { newId } from '../db/ids.ts';
import { findPledge, type PledgeRow } from '../db/pledges.ts';
import {
  findPledgePayment,
  insertPledgePayment,
  paymentsOfPledge,
  pledgePaymentsExpiredBy,
  refundedOfPledgePayments,
  updatePledgePayment,
  type PledgePaymentRow,
} from '../db/pledge-payments.ts';
import { findUserById } from '../db/users.ts';
import type { PaymentProvider } from '../payments/provider.ts';
import { audit } from './audit.ts';
import { assertChargeable, startCheckoutUntil } from './checkout.ts';
import type { Actor, Services } from './context.ts';
import { queueMail } from './mail.ts';

export interface PledgeAccount {
  /** What the pledge has matched: what the sponsor owes in all. */
  owed: Money;
  /** Payments received, less what went back to the sponsor. */
  paid: Money;
  /** Card payments started and not yet decided (their checkout still open). */
  pending: Money;
  /** What is left to pay: owed less paid and pending, never below zero. */
  outstanding: Money;
  /** Paid beyond what the pledge came to (gifts refunded after the sponsor paid): an administrator may give it back. */
  overpaid: Money;
  payments: PledgePaymentRow[];
  /** Part of a payment given back (a partial refund in the Stripe Dashboard), by payment id. */
  refunded: ReadonlyMap<string, number>;
}

/** A pledge that matched nothing yet cannot be paid: proposed ones wait for approval, declined ones never match. */
function assertPayable(pledge: PledgeRow): void {
  if (pledge.status === 'proposed') throw new DomainError('invalid_state', 'This pledge is waiting for approval: nothing is owed yet.');
  if (pledge.status === 'declined') throw new DomainError('invalid_state', 'This pledge was declined: nothing is owed.');
}

function isPending(p: PledgePaymentRow, now: number): boolean {
  return p.status === 'pending' && (p.expiresAt === null || p.expiresAt > now);
}

/** What a pledge came to, what was paid, and what is left, at `now`. */
export function pledgeAccount(s: Services, pledge: PledgeRow, currency: string, now = s.now()): PledgeAccount {
  const payments = paymentsOfPledge(s.db, pledge.id);
  const refunded = refundedOfPledgePayments(s.db, pledge.id);
  const paid = payments.filter((p) => p.status === 'paid').reduce((n, p) => n + p.amount - Math.min(p.amount, refunded.get(p.id) ?? 0), 0);
  const pending = payments.filter((p) => isPending(p, now)).reduce((n, p) => n + p.amount, 0);
  return {
    owed: money(pledge.allocated, currency),
    paid: money(paid, currency),
    pending: money(pending, currency),
    outstanding: money(Math.max(0, pledge.allocated - paid - pending), currency),
    overpaid: money(Math.max(0, paid - pledge.allocated), currency),
    payments,
    refunded,
  };
}

function pledgeAndCampaign(s: Services, pledgeId: string): { pledge: PledgeRow; campaign: CampaignRow } {
  const pledge = findPledge(s.db, pledgeId);
  const campaign = pledge && findCampaignById(s.db, pledge.campaignId);
  if (!pledge || !campaign) throw new DomainError('not_found', 'There is no such pledge.');
  return { pledge, campaign };
}

/** The currency a pledge is paid in: its campaign's. */
export function pledgeCurrency(s: Services, pledgeId: string): string {
  return pledgeAndCampaign(s, pledgeId).campaign.currency;
}

export interface StartedPledgePayment {
  payment: PledgePaymentRow;
  checkoutUrl: string;
}

/**
 * The pledge's sponsor pays what is outstanding by card. The amount is worked
 * out here, never taken from the form: the sponsor pays exactly what the
 * pledge matched and has not been paid or started yet.
 */
export async function startPledgePayment(s: Services, provider: PaymentProvider, actor: Actor, pledgeId: string): Promise<StartedPledgePayment> {
  const now = s.now();
  const placed = await s.db.write(() => {
    const { pledge, campaign } = pledgeAndCampaign(s, pledgeId);
    if (actor.role !== 'sponsor' || actor.userId === null || pledge.sponsorUserId !== actor.userId) {
      throw new DomainError('forbidden', 'Only the sponsor who made this pledge pays it from the portal.');
    }
    assertPayable(pledge);
    const account = pledgeAccount(s, pledge, campaign.currency, now);
    if (account.outstanding.amount === 0) {
      throw new DomainError(
        'invalid_state',
        account.pending.amount > 0 ? 'A payment for this pledge is already under way: wait for it to finish or for its checkout to run out.' : 'Nothing is owed on this pledge now.',
      );
    }
    assertChargeable(provider, account.outstanding, 'amount');
    const expiresAt = now + s.config.pendingGiftMinutes * 60_000;
    const payment: PledgePaymentRow = {
      id: newId('ppay'),
      pledgeId: pledge.id,
      amount: account.outstanding.amount,
      currency: campaign.currency,
      method: 'card',
      status: 'pending',
      paidByUserId: actor.userId,
      expiresAt,
      paidAt: null,
      refundedAt: null,
      createdAt: now,
    };
    insertPledgePayment(s.db, payment);
    const checkoutId = newId('co');
    insertCheckout(s.db, { id: checkoutId, provider: provider.name, pledgePaymentId: payment.id, amount: payment.amount, currency: payment.currency, status: 'open', expiresAt, createdAt: now });
    audit(s, actor, 'pledge.payment.start', { type: 'pledge', id: pledge.id }, null, { payment: payment.id, amount: payment.amount, currency: payment.currency, provider: provider.name });
    const email = actor.userId === null ? null : (findUserById(s.db, actor.userId)?.email ?? null);
    return { payment, campaign, checkoutId, email };
  });
  const asked = placed.payment.expiresAt ?? now;
  let started: { url: string; expiresAt: number };
  try {
    started = await startCheckoutUntil(s, provider, {
      checkoutId: placed.checkoutId,
      reference: placed.payment.id,
      amount: money(placed.payment.amount, placed.payment.currency),
      description: `Match pledge on ${placed.campaign.title}`,
      expiresAt: asked,
      email: placed.email,
    });
  } catch (err) {
    // No page to pay on: the amount is not held for a payment that cannot happen.
    await s.db.write(() => {
      updatePledgePayment(s.db, placed.payment.id, { status: 'failed' });
      updateCheckout(s.db, placed.checkoutId, { status: 'declined' });
    });
    throw err;
  }
  // The provider's page may take payment longer than asked (Stripe: 30
  // minutes at least): the amount stays held as long, so no second payment
  // can start while the first can still be paid.
  if (started.expiresAt > asked) {
    await s.db.write(() => {
      updatePledgePayment(s.db, placed.payment.id, { expiresAt: started.expiresAt });
      updateCheckout(s.db, placed.checkoutId, { expiresAt: started.expiresAt });
    });
  }
  return { payment: { ...placed.payment, expiresAt: started.expiresAt }, checkoutUrl: started.url };
}

export interface OfflinePledgePayment {
  amount: Money;
  method: 'transfer' | 'cheque' | 'cash';
  note: string | null;
}

/** An administrator records a sponsor's transfer, cheque or cash that arrived: paid at once. */
export async function recordPledgePayment(s: Services, actor: Actor, pledgeId: string, input: OfflinePledgePayment): Promise<PledgePaymentRow> {
  if (actor.role !== 'admin') throw new DomainError('forbidden', 'Only an administrator records payments that arrived outside Lantern.');
  const now = s.now();
  const row = await s.db.write(() => {
    const { pledge, campaign } = pledgeAndCampaign(s, pledgeId);
    assertPayable(pledge);
    if (input.amount.currency !== campaign.currency) throw ValidationError.field('amount', `Enter the amount in ${campaign.currency}, the campaign's currency`);
    if (!Number.isSafeInteger(input.amount.amount) || input.amount.amount <= 0) throw ValidationError.field('amount', 'Enter an amount above zero');
    const account = pledgeAccount(s, pledge, campaign.currency, now);
    // More than is left would be money the pledge never came to: record it once the matches are there.
    if (input.amount.amount > account.outstanding.amount) {
      throw ValidationError.field('amount', `At most ${formatMoney(account.outstanding)} is outstanding on this pledge`);
    }
    const payment: PledgePaymentRow = {
      id: newId('ppay'),
      pledgeId: pledge.id,
      amount: input.amount.amount,
      currency: campaign.currency,
      method: input.method,
      status: 'paid',
      paidByUserId: null,
      expiresAt: null,
      paidAt: now,
      refundedAt: null,
      createdAt: now,
    };
    insertPledgePayment(s.db, payment);
    audit(s, actor, 'pledge.payment.record', { type: 'pledge', id: pledge.id }, null, { payment: payment.id, amount: payment.amount, currency: payment.currency, method: input.method, note: input.note });
    receipt(s, pledge, campaign, payment);
    return payment;
  });
  s.mailer.kick();
  return row;
}

/** The sponsor's receipt: what arrived and what is left. */
function receipt(s: Services, pledge: PledgeRow, campaign: CampaignRow, payment: PledgePaymentRow): void {
  const to = pledge.sponsorEmail ?? (pledge.sponsorUserId ? findUserById(s.db, pledge.sponsorUserId)?.email : undefined);
  if (!to) return;
  const account = pledgeAccount(s, pledge, campaign.currency);
  queueMail(s, {
    to,
    kind: 'pledge_payment',
    template: 'pledge-payment-received',
    subject: `Payment received for your match pledge on ${campaign.title}`,
    data: {
      name: pledge.sponsorName,
      title: campaign.title,
      amount: formatMoney(money(payment.amount, payment.currency)),
      method: payment.method,
      owed: formatMoney(account.owed),
      paid: formatMoney(account.paid),
      outstanding: formatMoney(account.outstanding),
      link: pledge.sponsorUserId ? `${s.config.baseUrl}/sponsor/pledges/${pledge.id}` : null,
    },
  });
}

/** A provider's payment for a pledge (called from services/payments inside its transaction). */
export function pledgePaymentCompleted(s: Services, payment: PledgePaymentRow, now: number): void {
  // Money that arrives after the checkout ran out still arrived: it is recorded.
  if (payment.status === 'paid' || payment.status === 'refunded') return;
  const { pledge, campaign } = pledgeAndCampaign(s, payment.pledgeId);
  updatePledgePayment(s.db, payment.id, { status: 'paid', paidAt: now });
  audit(s, { userId: null, label: 'system', role: null, ip: null }, 'pledge.payment.paid', { type: 'pledge', id: pledge.id }, { status: payment.status }, { payment: payment.id, amount: payment.amount, currency: payment.currency });
  receipt(s, pledge, campaign, { ...payment, status: 'paid', paidAt: now });
}

export function pledgePaymentFailed(s: Services, payment: PledgePaymentRow, outcome: 'declined' | 'expired'): void {
  if (payment.status !== 'pending') return;
  updatePledgePayment(s.db, payment.id, { status: outcome === 'declined' ? 'failed' : 'expired' });
}

/**
 * The provider gave a pledge payment back in full (refunds in the Stripe
 * Dashboard, or a dispute the organisation lost): the pledge is owed again.
 * Called inside the caller's transaction.
 */
export function pledgePaymentRefunded(s: Services, paymentId: string, why: string, now: number): void {
  const payment = findPledgePayment(s.db, paymentId);
  if (!payment || payment.status !== 'paid') return;
  updatePledgePayment(s.db, payment.id, { status: 'refunded', refundedAt: now });
  audit(s, { userId: null, label: 'stripe', role: null, ip: null }, 'pledge.payment.refunded', { type: 'pledge', id: payment.pledgeId }, { status: 'paid' }, { payment: payment.id, amount: payment.amount, currency: payment.currency, reason: why });
}

/** Pending card payments whose checkout ran out are marked expired (their amount is owed again). */
export async function expirePendingPledgePayments(s: Services): Promise<number> {
  const now = s.now();
  return s.db.write(() => {
    const due = pledgePaymentsExpiredBy(s.db, now);
    for (const p of due) {
      updatePledgePayment(s.db, p.id, { status: 'expired' });
      for (const c of openCheckoutsOfPledgePayment(s.db, p.id)) updateCheckout(s.db, c.id, { status: 'expired' });
    }
    return due.length;
  });
}
