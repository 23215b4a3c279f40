// Applies a provider's report of a payment to our records, exactly once per
// event id. This is the path the test checkout and Stripe webhooks share.
import { DomainError } from '../domain/errors.ts';
import { claimPaymentEvent, findCheckout, updateCheckout, type CheckoutRow } from '../db/checkouts.ts';
import { findCampaignById } from '../db/campaigns.ts';
import { findGift, updateGift, type GiftRow } from '../db/gifts.ts';
import type { PaymentEvent } from '../payments/provider.ts';
import type { Services } from './context.ts';
import { succeedGift } from './gifts.ts';

export interface AppliedEvent {
  /** False when the event had been applied before (a redelivery). */
  applied: boolean;
  checkout: CheckoutRow;
  gift: GiftRow;
}

export async function applyPaymentEvent(s: Services, event: PaymentEvent): Promise<AppliedEvent> {
  const now = s.now();
  return s.db.write(() => {
    const checkout = findCheckout(s.db, event.checkoutId);
    if (!checkout || checkout.provider !== event.provider) {
      throw new DomainError('not_found', 'There is no such checkout.');
    }
    const applied = claimPaymentEvent(s.db, event.provider, event.eventId, event.outcome, now);
    if (applied) applyOutcome(s, checkout, event, now);
    const gift = checkout.giftId === null ? undefined : findGift(s.db, checkout.giftId);
    const after = findCheckout(s.db, checkout.id);
    if (!gift || !after) throw new Error('checkout lost its gift');
    return { applied, checkout: after, gift };
  });
}

function applyOutcome(s: Services, checkout: CheckoutRow, event: PaymentEvent, now: number): void {
  const gift = checkout.giftId === null ? undefined : findGift(s.db, checkout.giftId);
  if (!gift) throw new Error(`checkout ${checkout.id} has no gift`);
  switch (event.outcome) {
    case 'completed':
      if (checkout.status === 'paid') return;
      updateCheckout(s.db, checkout.id, { status: 'paid', completedAt: now });
      // Money that arrives after the hold expired is still the donor's gift.
      if (gift.status === 'pending' || gift.status === 'expired' || gift.status === 'failed') {
        const campaign = findCampaignById(s.db, gift.campaignId);
        if (!campaign) throw new Error(`gift ${gift.id} has no campaign`);
        succeedGift(s, gift, now, { campaign, isNew: false });
      }
      return;
    case 'declined':
      if (checkout.status !== 'open') return;
      updateCheckout(s.db, checkout.id, { status: 'declined', completedAt: now });
      if (gift.status === 'pending') updateGift(s.db, gift.id, { status: 'failed' });
      return;
    case 'expired':
      if (checkout.status !== 'open') return;
      updateCheckout(s.db, checkout.id, { status: 'expired', completedAt: now });
      if (gift.status === 'pending') updateGift(s.db, gift.id, { status: 'expired' });
      return;
  }
}

export interface CheckoutView {
  checkout: CheckoutRow;
  gift: GiftRow;
  campaign: { slug: string; title: string };
  /** True once the time to pay has run out (whatever the stored status says yet). */
  expired: boolean;
}

export function getCheckout(s: Services, id: string): CheckoutView {
  const checkout = findCheckout(s.db, id);
  const gift = checkout?.giftId ? findGift(s.db, checkout.giftId) : undefined;
  const campaign = gift && findCampaignById(s.db, gift.campaignId);
  if (!checkout || !gift || !campaign) throw new DomainError('not_found', 'There is no such checkout.');
  return {
    checkout,
    gift,
    campaign: { slug: campaign.slug, title: campaign.title },
    expired: checkout.status === 'expired' || (checkout.status === 'open' && s.now() >= checkout.expiresAt),
  };
}
