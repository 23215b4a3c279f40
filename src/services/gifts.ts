// Gifts: offline entry, online donations through a payment provider, the
// success path every provider shares, expiry and refunds. Each operation is
// one write transaction that moves the ledger, the cached totals and the
// match allocations together. An online gift may carry a fee cover (what the
// donor added for the card processor's fee): charged with the gift and given
// back with a full refund, but never in the ledger, the totals or matching.
import { DomainError, ValidationError } from '../domain/errors.ts';
import { feeCover as computeFeeCover } from '../domain/fees.ts';
import { add, formatMajor, formatMoney, money, roundDiv, type Money } from '../domain/money.ts';
import { addToTotals, findCampaignById, type CampaignRow, type TotalsDelta } from '../db/campaigns.ts';
import { insertCheckout, openCheckoutsOfGift, paidCheckoutOfGift, paidCheckoutOfOrder, updateCheckout } from '../db/checkouts.ts';
import { orderOfDonationGift } from '../db/orders.ts';
import {
  donorHasOtherCountingGift,
  findGift,
  findRefundByProviderRef,
  insertGift,
  insertRefund,
  listCampaignGifts,
  markGiftSucceeded,
  nextSuccessSeq,
  pendingGiftsExpiredBy,
  updateGift,
  type GiftRow,
} from '../db/gifts.ts';
import { newId } from '../db/ids.ts';
import { appendLedger } from '../db/ledger.ts';
import { allocationsOfGift } from '../db/pledges.ts';
import { rateInEffect } from '../db/rates.ts';
import type { CheckoutLine, PaymentProvider } from '../payments/provider.ts';
import { audit } from './audit.ts';
import { assertChargeable, startCheckout } from './checkout.ts';
import { getCampaign } from './campaigns.ts';
import type { Actor, Services } from './context.ts';
import { formatDate } from '../format.ts';
import { queueMail } from './mail.ts';
import { matchNewGift, replayCampaign } from './matching.ts';
import { convertAt } from './rates.ts';
import { withProps } from '../objects.ts';

export const offlineMethods = ['cash', 'cheque', 'bank_transfer', 'other'] as const;
export type OfflineMethod = (typeof offlineMethods)[number];

export interface DonorInput {
  name: string;
  email?: string | null;
}

interface GiftCommon {
  amount: Money;
  donor: DonorInput;
  anonymous: boolean;
  /** Whether the amount may appear next to the donor's name in public. */
  showAmount?: boolean;
  comment?: string | null;
}

export interface OfflineGiftInput extends GiftCommon {
  method: OfflineMethod;
  receivedAt?: number;
  eventId?: string | null;
  note?: string | null;
  /**
   * E-mail the donor a receipt (needs their address). Off unless asked for:
   * gifts entered through the API are often imported from elsewhere, and
   * their donors were thanked there.
   */
  sendReceipt?: boolean;
}

export type OnlineGiftInput = GiftCommon & {
  donor: { name: string; email: string };
  /** The donor adds the processing fee (PROCESSING_FEE_PERCENT) to what is charged. */
  coverFee?: boolean;
};

export interface GiftView {
  id: string;
  campaignSlug: string;
  status: GiftRow['status'];
  amount: Money;
  campaignAmount: Money | null;
  rate: string | null;
  refunded: Money;
  matched: Money;
  /** Charged with the gift for the processor's fee, in the gift currency; not part of the gift. */
  feeCover: Money;
  /** How much of the fee cover went back to the donor. */
  feeCoverRefunded: Money;
  /** What the donor was charged: the gift and its fee cover. */
  charged: Money;
  donorName: string;
  /** Personal data: only admin-facing routes may show it. */
  donorEmail: string | null;
  anonymous: boolean;
  comment: string | null;
  source: GiftRow['source'];
  method: string;
  createdAt: number;
  succeededAt: number | null;
}

/** A new gift, not yet succeeded; the caller names how it came and when it lapses. */
function newGiftRow(
  campaign: CampaignRow,
  input: GiftCommon,
  how: Pick<GiftRow, 'source' | 'method' | 'eventId' | 'note' | 'receivedAt' | 'expiresAt' | 'createdBy' | 'createdAt'>,
): GiftRow {
  const id = newId('gift');
  const email = input.donor.email ?? null;
  return {
    id,
    campaignId: campaign.id,
    amount: input.amount.amount,
    currency: input.amount.currency,
    campaignAmount: null,
    rate: null,
    refundedAmount: 0,
    refundedCampaignAmount: 0,
    feeCover: 0,
    feeCoverRefunded: 0,
    donorName: input.donor.name,
    donorEmail: email,
    // Donors are counted by e-mail; a gift without one is its own donor.
    donorKey: email ? email.trim().toLowerCase() : `gift:${id}`,
    anonymous: input.anonymous,
    showAmount: input.showAmount ?? true,
    comment: input.comment ?? null,
    status: 'pending',
    successSeq: null,
    succeededAt: null,
    ...how,
  };
}

/** `matched` may be passed when the caller just computed it. */
export function giftView(s: Services, gift: GiftRow, campaign?: CampaignRow, matchedNow?: number): GiftView {
  const c = campaign ?? findCampaignById(s.db, gift.campaignId);
  if (!c) throw new Error(`gift ${gift.id} has no campaign`);
  const matched = matchedNow ?? allocationsOfGift(s.db, gift.id).reduce((sum, a) => sum + a.amount, 0);
  return {
    id: gift.id,
    campaignSlug: c.slug,
    status: gift.status,
    amount: money(gift.amount, gift.currency),
    campaignAmount: gift.campaignAmount === null ? null : money(gift.campaignAmount, c.currency),
    rate: gift.rate,
    refunded: money(gift.refundedAmount, gift.currency),
    matched: money(matched, c.currency),
    feeCover: money(gift.feeCover, gift.currency),
    feeCoverRefunded: money(gift.feeCoverRefunded, gift.currency),
    charged: money(gift.amount + gift.feeCover, gift.currency),
    donorName: gift.donorName,
    donorEmail: gift.donorEmail,
    anonymous: gift.anonymous,
    comment: gift.comment,
    source: gift.source,
    method: gift.method,
    createdAt: gift.createdAt,
    succeededAt: gift.succeededAt,
  };
}

/**
 * The one success path, shared by offline entry and every payment provider:
 * freeze the conversion, place the gift in the replay order, write the ledger
 * and totals, and match it. Must run inside a write transaction. A gift that
 * is new (offline entry) is inserted here already succeeded; a pending one is
 * updated.
 */
export function succeedGift(
  s: Services,
  gift: GiftRow,
  now: number,
  how: { campaign: CampaignRow; isNew: boolean },
): { gift: GiftRow; matched: number } {
  const { campaign } = how;
  const { value, rate } = convertAt(s, money(gift.amount, gift.currency), campaign.currency, now);
  // Money already taken counts whatever it converts to; a gift still being
  // entered must be worth something.
  if (how.isNew) refuseWorthless(value, campaign);
  const donorAlreadyCounted = donorHasOtherCountingGift(s.db, campaign.id, gift.donorKey, gift.id);
  const patch = { campaignAmount: value.amount, rate, successSeq: nextSuccessSeq(s.db), succeededAt: now };
  const done: GiftRow = Object.assign({}, gift, patch, { status: 'succeeded' as const });
  if (how.isNew) insertGift(s.db, done);
  else markGiftSucceeded(s.db, gift.id, patch);
  appendLedger(s.db, { campaignId: campaign.id, kind: 'gift', amount: value.amount, giftId: gift.id, createdAt: now });
  const counts = value.amount > 0;
  const totals: TotalsDelta = {
    raised: value.amount,
    giftCount: counts ? 1 : 0,
    donorCount: counts && !donorAlreadyCounted ? 1 : 0,
  };
  const matched = matchNewGift(s, campaign.id, done, totals);
  addToTotals(s.db, campaign.id, totals);
  return { gift: done, matched };
}

const methodNames: Readonly<Record<string, string>> = { test: 'card (test mode)', stripe: 'card', cash: 'cash', cheque: 'cheque', bank_transfer: 'bank transfer', other: 'other' };

/**
 * The donor's receipt, queued with the gift that succeeded: what was given,
 * when, how, its reference, and what the sponsors added. Sent to the donor's
 * own address only (an anonymous gift is anonymous in public, not to its
 * giver); a gift without an address gets none.
 */
export function queueGiftReceipt(s: Services, gift: GiftRow, campaign: CampaignRow, matched: number): void {
  if (!gift.donorEmail) return;
  const charged = gift.amount + gift.feeCover;
  queueMail(s, {
    to: gift.donorEmail,
    kind: 'gift_receipt',
    template: 'gift-receipt',
    subject: `Receipt for your gift to ${campaign.title}`,
    data: {
      name: gift.donorName,
      title: campaign.title,
      amount: formatMoney(money(gift.amount, gift.currency)),
      date: formatDate(gift.receivedAt ?? gift.succeededAt ?? s.now(), { style: 'date' }),
      method: methodNames[gift.method] ?? gift.method,
      reference: gift.id,
      matched: matched > 0 ? formatMoney(money(matched, campaign.currency)) : null,
      feeCover: gift.feeCover > 0 ? formatMoney(money(gift.feeCover, gift.currency)) : null,
      charged: formatMoney(money(charged, gift.currency)),
      anonymous: gift.anonymous,
      link: `${s.config.baseUrl}/campaigns/${campaign.slug}`,
    },
  });
}

function refuseWorthless(value: Money, campaign: CampaignRow): void {
  if (value.amount === 0) {
    throw ValidationError.field('amount', `The amount is too small: it is worth less than one minor unit of ${campaign.currency}`);
  }
}

function checkAmountAccepted(s: Services, campaign: CampaignRow, amount: Money, at: number): void {
  refuseWorthless(convertAt(s, amount, campaign.currency, at).value, campaign);
}

/**
 * MIN_ONLINE_GIFT: tiny online gifts are how stolen cards are tested. A gift in
 * another currency is compared in the campaign's currency, by the campaign's
 * rates; without a rate from the minimum's currency there is no minimum.
 */
function refuseBelowMinimum(s: Services, campaign: CampaignRow, amount: Money, at: number): void {
  const min = s.config.minOnlineGift;
  if (min === null) return;
  let below: boolean;
  if (amount.currency === min.currency) {
    below = amount.amount < min.amount;
  } else if (min.currency === campaign.currency || rateInEffect(s.db, min.currency, campaign.currency, at)) {
    below = convertAt(s, amount, campaign.currency, at).value.amount < convertAt(s, min, campaign.currency, at).value.amount;
  } else {
    return;
  }
  if (below) throw ValidationError.field('amount', `Online gifts start at ${formatMajor(min).replace(/\.0+$/, '')} ${min.currency}`);
}

export async function recordOfflineGift(s: Services, actor: Actor, slug: string, input: OfflineGiftInput): Promise<GiftView> {
  const now = s.now();
  if (input.receivedAt !== undefined && input.receivedAt > now + 60_000) {
    throw ValidationError.field('receivedAt', 'The date received cannot be in the future');
  }
  if (input.sendReceipt && !input.donor.email) throw ValidationError.field('donor.email', "Enter the donor's e-mail address to send a receipt");
  const view = await s.db.write(() => {
    const campaign = getCampaign(s, slug);
    if (campaign.status === 'closed') throw new DomainError('invalid_state', 'This campaign is closed.');
    const row = newGiftRow(campaign, input, {
      source: input.eventId ? 'event' : 'offline',
      method: input.method,
      eventId: input.eventId ?? null,
      note: input.note ?? null,
      receivedAt: input.receivedAt ?? now,
      expiresAt: null,
      createdBy: actor.userId,
      createdAt: now,
    });
    const { gift: done, matched } = succeedGift(s, row, now, { campaign, isNew: true });
    if (input.sendReceipt) queueGiftReceipt(s, done, campaign, matched);
    audit(s, actor, 'gift.offline', { type: 'gift', id: row.id }, null, {
      amount: input.amount,
      method: input.method,
      campaign: campaign.slug,
    });
    return giftView(s, done, campaign, matched);
  });
  if (input.sendReceipt) s.mailer.kick();
  return view;
}

export interface StartedGift {
  gift: GiftView;
  /** What the provider charges: the gift and its fee cover. */
  charged: Money;
  checkoutUrl: string;
}

/** The fee cover a donor would add to a gift of `amount`; null when this installation does not offer it. */
export function feeCoverFor(s: Services, amount: Money): Money | null {
  const fee = s.config.processingFee;
  return fee === null ? null : computeFeeCover(amount, fee);
}

function chosenFeeCover(s: Services, input: OnlineGiftInput): Money | null {
  if (!input.coverFee) return null;
  const fee = feeCoverFor(s, input.amount);
  if (fee === null) {
    const message = 'Covering the processing fee is not offered here';
    throw new DomainError('unprocessable', message, [{ field: 'coverFee', message }]);
  }
  return fee;
}

/** A guest's online gift: pending until the provider reports the payment. */
export async function startOnlineGift(
  s: Services,
  provider: PaymentProvider,
  slug: string,
  input: OnlineGiftInput,
): Promise<StartedGift> {
  const fee = chosenFeeCover(s, input);
  const charged = fee ? add(input.amount, fee) : input.amount;
  // The provider's minimum is about the charge, fee cover included.
  assertChargeable(provider, charged, 'amount');
  const now = s.now();
  const expiresAt = now + s.config.pendingGiftMinutes * 60_000;
  const { gift, checkoutId, campaign } = await s.db.write(() => {
    const campaign = getCampaign(s, slug);
    if (campaign.status !== 'published') throw new DomainError('invalid_state', 'This campaign is not taking gifts.');
    if (campaign.startsAt !== null && now < campaign.startsAt) {
      throw new DomainError('invalid_state', 'This campaign has not started yet.');
    }
    if (campaign.endsAt !== null && now >= campaign.endsAt) {
      throw new DomainError('invalid_state', 'This campaign has ended.');
    }
    checkAmountAccepted(s, campaign, input.amount, now);
    refuseBelowMinimum(s, campaign, input.amount, now);
    const gift: GiftRow = withProps(
      newGiftRow(campaign, input, {
        source: 'online',
        method: provider.name,
        eventId: null,
        note: null,
        receivedAt: null,
        expiresAt,
        createdBy: null,
        createdAt: now,
      }),
      { feeCover: fee?.amount ?? 0 },
    );
    insertGift(s.db, gift);
    const checkoutId = newId('co');
    insertCheckout(s.db, {
      id: checkoutId,
      provider: provider.name,
      giftId: gift.id,
      amount: charged.amount,
      currency: charged.currency,
      status: 'open',
      expiresAt,
      createdAt: now,
    });
    return { gift, checkoutId, campaign };
  });
  const description = `Gift to ${campaign.title}`;
  // The fee cover is its own line, so the donor sees what the gift is and what the fee is.
  const lines: CheckoutLine[] | undefined = fee ? [{ name: description, amount: input.amount, quantity: 1 }, { name: 'Processing fee cover', amount: fee, quantity: 1 }] : undefined;
  // The provider call happens after commit: no network inside a transaction.
  const url = await startCheckout(s, provider, {
    checkoutId,
    reference: gift.id,
    amount: charged,
    description,
    expiresAt,
    email: gift.donorEmail,
    ...(lines && { lines }),
  });
  return { gift: giftView(s, gift, campaign), charged, checkoutUrl: url };
}

export function getGift(s: Services, id: string): GiftView {
  const gift = findGift(s.db, id);
  if (!gift) throw new DomainError('not_found', 'There is no such gift.');
  return giftView(s, gift);
}

/** Pending gifts whose checkout time ran out become expired (and their checkouts too). */
export async function expirePendingGifts(s: Services): Promise<number> {
  const now = s.now();
  return s.db.write(() => {
    const due = pendingGiftsExpiredBy(s.db, now);
    for (const g of due) {
      updateGift(s.db, g.id, { status: 'expired' });
      for (const c of openCheckoutsOfGift(s.db, g.id)) updateCheckout(s.db, c.id, { status: 'expired' });
    }
    return due.length;
  });
}

export interface RefundInput {
  /** In the gift's own currency; the whole remaining amount when absent. */
  amount?: Money;
  reason?: string | null;
  /** Our id for the refund, when it was chosen before the provider was called. */
  id?: string;
  /** The provider's id of the refund that gave the money back. */
  providerRefund?: string | null;
  /**
   * How much of the fee cover went back with this refund, when the caller
   * knows what the provider refunded; by default all that is left of it when
   * the refund takes the rest of the gift, else none.
   */
  feeCover?: Money;
}

/**
 * A full or partial refund: a negative ledger entry in the campaign currency,
 * then a replay so the campaign's matching equals one without the refunded
 * money. The refund's campaign value keeps the frozen conversion exact: the
 * net value after it is the original value scaled by what remains (half to
 * even), so refunding everything reverses exactly what was counted.
 */
export async function refundGift(s: Services, actor: Actor, giftId: string, input: RefundInput, provider?: PaymentProvider): Promise<GiftView> {
  const gift = findGift(s.db, giftId);
  // A donation added to a ticket order was paid with the order.
  const order = gift && provider && gift.eventId ? orderOfDonationGift(s.db, gift.id) : undefined;
  const paid = gift && provider ? (paidCheckoutOfGift(s.db, gift.id) ?? (order ? paidCheckoutOfOrder(s.db, order.id) : undefined)) : undefined;
  if (gift && provider && paid && paid.provider === provider.name && provider.name !== 'test') {
    // Money that came through the provider goes back through it, first: the
    // ledger is only written once the provider has refunded. The refund's id
    // is chosen now, so a retried call (same idempotency key) refunds once.
    const amount = refundAmountOf(gift, input);
    // A full refund gives back the fee cover too, in the same provider refund.
    const feeCover = money(feeCoverBackWith(gift, amount), gift.currency);
    const id = newId('refund');
    const { refundId } = await provider.refund({ checkoutId: paid.id, providerPayment: paid.providerPayment, amount: add(amount, feeCover), idempotencyKey: `lantern-refund-${id}`, reason: input.reason ?? null });
    const now = s.now();
    return s.db.write(() => {
      // The provider's webhook may have recorded this refund already.
      if (findRefundByProviderRef(s.db, refundId)) return giftView(s, findGift(s.db, giftId) ?? gift);
      return giftView(s, refundGiftInTx(s, actor, giftId, { ...input, amount, feeCover, id, providerRefund: refundId }, now));
    });
  }
  const now = s.now();
  return s.db.write(() => giftView(s, refundGiftInTx(s, actor, giftId, input, now)));
}

/** The fee cover that goes back with a refund of `amount`: what is left of it when the refund takes the rest of the gift. */
function feeCoverBackWith(gift: GiftRow, amount: Money): number {
  return gift.refundedAmount + amount.amount === gift.amount ? gift.feeCover - gift.feeCoverRefunded : 0;
}

/**
 * What a refund the provider made (in the gift currency) gave back of a gift
 * and of its fee cover: everything left of both is a full refund; up to what
 * is left of the gift is a refund of the gift alone. Null for any other
 * amount, which no refund of Lantern's makes and a person must look at.
 */
export function partsOfProviderRefund(gift: GiftRow, amount: number): { gift: Money; feeCover: Money } | null {
  const left = gift.amount - gift.refundedAmount;
  const feeLeft = gift.feeCover - gift.feeCoverRefunded;
  if (left > 0 && amount === left + feeLeft) return { gift: money(left, gift.currency), feeCover: money(feeLeft, gift.currency) };
  if (amount > 0 && amount <= left) return { gift: money(amount, gift.currency), feeCover: money(0, gift.currency) };
  return null;
}

/** What a refund takes back, checked against what is left of the gift. */
function refundAmountOf(gift: GiftRow, input: RefundInput): Money {
  if (gift.status !== 'succeeded' && gift.status !== 'partially_refunded') {
    throw new DomainError('invalid_state', `A ${gift.status.replace('_', ' ')} gift cannot be refunded.`);
  }
  const remaining = gift.amount - gift.refundedAmount;
  const amount = input.amount ?? money(remaining, gift.currency);
  if (amount.currency !== gift.currency) {
    throw ValidationError.field('amount.currency', `Refund in the gift's currency, ${gift.currency}`);
  }
  if (amount.amount <= 0) throw ValidationError.field('amount', 'The amount must be more than zero');
  if (amount.amount > remaining) {
    throw ValidationError.field('amount', 'The refund is more than what remains of the gift');
  }
  return amount;
}

/** The refund itself, for callers already inside a write (an order refunded with its donation). */
export function refundGiftInTx(s: Services, actor: Actor, giftId: string, input: RefundInput, now: number): GiftRow {
  const gift = findGift(s.db, giftId);
  if (!gift) throw new DomainError('not_found', 'There is no such gift.');
  const amount = refundAmountOf(gift, input);
  const campaignValue = gift.campaignAmount ?? 0;
  const refundedAfter = gift.refundedAmount + amount.amount;
  const netAfter = Number(roundDiv(BigInt(campaignValue) * BigInt(gift.amount - refundedAfter), BigInt(gift.amount)));
  const campaignRefund = campaignValue - gift.refundedCampaignAmount - netAfter;
  const full = refundedAfter === gift.amount;
  const feeBack = input.feeCover?.amount ?? feeCoverBackWith(gift, amount);
  if (feeBack < 0 || feeBack > gift.feeCover - gift.feeCoverRefunded || (input.feeCover && input.feeCover.currency !== gift.currency)) {
    throw new Error(`gift ${giftId}: a refund cannot give back ${feeBack} of a fee cover with ${gift.feeCover - gift.feeCoverRefunded} left`);
  }
  const refundId = input.id ?? newId('refund');
  insertRefund(s.db, {
    id: refundId,
    giftId,
    amount: amount.amount,
    campaignAmount: campaignRefund,
    reason: input.reason ?? null,
    providerRefund: input.providerRefund ?? null,
    createdBy: actor.userId,
    createdAt: now,
  });
  updateGift(s.db, giftId, {
    refundedAmount: refundedAfter,
    refundedCampaignAmount: gift.refundedCampaignAmount + campaignRefund,
    feeCoverRefunded: gift.feeCoverRefunded + feeBack,
    status: full ? 'refunded' : 'partially_refunded',
  });
  appendLedger(s.db, { campaignId: gift.campaignId, kind: 'refund', amount: -campaignRefund, giftId, refundId, createdAt: now });
  // A gift stops counting once nothing of it is left in the campaign currency.
  const stopsCounting = campaignValue - gift.refundedCampaignAmount > 0 && netAfter === 0;
  const donorStillCounted = stopsCounting && donorHasOtherCountingGift(s.db, gift.campaignId, gift.donorKey, giftId);
  addToTotals(s.db, gift.campaignId, {
    raised: -campaignRefund,
    giftCount: stopsCounting ? -1 : 0,
    donorCount: stopsCounting && !donorStillCounted ? -1 : 0,
  });
  replayCampaign(s, gift.campaignId);
  const after = findGift(s.db, giftId);
  if (!after) throw new Error('gift vanished');
  // The fee cover is named only for gifts that have one.
  const covered = gift.feeCover > 0;
  audit(s, actor, 'gift.refund', { type: 'gift', id: giftId }, { status: gift.status, refunded: gift.refundedAmount, ...(covered && { feeCoverRefunded: gift.feeCoverRefunded }) }, {
    status: after.status,
    refunded: after.refundedAmount,
    ...(covered && { feeCoverRefunded: after.feeCoverRefunded }),
    amount: amount.amount,
    ...(covered && { feeCover: feeBack }),
    currency: amount.currency,
    reason: input.reason ?? null,
  });
  return after;
}

/**
 * A donation added to a ticket order: a gift from the buyer to the event's
 * campaign that succeeds with the order's payment (inside its transaction)
 * and is matched by the pledges whose sources include event gifts.
 */
export function succeedEventDonation(
  s: Services,
  campaign: CampaignRow,
  input: { amount: Money; donor: { name: string; email: string | null }; anonymous: boolean; method: string; eventId: string },
  now: number,
): GiftRow {
  const row = newGiftRow(
    campaign,
    { amount: input.amount, donor: input.donor, anonymous: input.anonymous, showAmount: false },
    {
      source: 'event',
      method: input.method,
      eventId: input.eventId,
      note: null,
      receivedAt: now,
      expiresAt: null,
      createdBy: null,
      createdAt: now,
    },
  );
  return succeedGift(s, row, now, { campaign, isNew: true }).gift;
}

export async function listGifts(s: Services, slug: string, limit: number, offset: number): Promise<GiftView[]> {
  const campaign = getCampaign(s, slug);
  return listCampaignGifts(s.db, campaign.id, limit, offset).map((g) => giftView(s, g, campaign));
}

