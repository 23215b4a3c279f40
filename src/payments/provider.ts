// The one interface every way of taking money goes through. A provider starts
// a checkout; its outcome comes back as a PaymentEvent (a Stripe webhook, the
// test checkout's buttons) and is applied by services/payments.ts.
import type { Money } from '../domain/money.ts';

export interface CheckoutRequest {
  /** Our checkout id: the provider must echo it back in its events. */
  readonly checkoutId: string;
  /** Our record it pays for: a gift's or an order's id. */
  readonly reference: string;
  readonly amount: Money;
  readonly description: string;
  readonly expiresAt: number;
}

export interface PaymentProvider {
  readonly name: 'test' | 'stripe';
  createCheckout(req: CheckoutRequest): Promise<{ url: string }>;
}

export type PaymentOutcome = 'completed' | 'declined' | 'expired';

export interface PaymentEvent {
  readonly provider: string;
  /** Unique per provider: a redelivered event carries the same id and counts once. */
  readonly eventId: string;
  readonly outcome: PaymentOutcome;
  readonly checkoutId: string;
}
