// The one interface every way of taking money goes through. A provider starts
// a checkout; its outcome comes back as a PaymentEvent (a Stripe webhook, the
// test checkout's buttons) and is applied by services/payments.ts.
import type { Money } from '../domain/money.ts';

/** One line of what is paid for, as the provider's page lists it. */
export interface CheckoutLine {
  readonly name: string;
  /** Per unit. */
  readonly amount: Money;
  readonly quantity: number;
}

export interface CheckoutRequest {
  /** Our checkout id: the provider must echo it back in its events. */
  readonly checkoutId: string;
  /** Our record it pays for: a gift's, an order's or a raffle entry's id. */
  readonly reference: string;
  readonly amount: Money;
  readonly description: string;
  readonly expiresAt: number;
  /** What is bought, line by line (their sum is `amount`); one line named `description` when absent. */
  readonly lines?: readonly CheckoutLine[];
  /** Pre-fills the payer's address on the provider's page. */
  readonly email?: string | null;
}

export interface StartedCheckout {
  /** Where the payer goes to pay. */
  readonly url: string;
  /** The provider's own id for the checkout, kept to find it again (reconcile, webhooks). */
  readonly providerRef?: string;
  /** When the provider's page stops taking payment, when it differs from what was asked (Stripe keeps a session open 30 minutes at least). */
  readonly expiresAt?: number;
}

export interface RefundRequest {
  readonly checkoutId: string;
  /** The provider's id of the payment refunded (a Stripe PaymentIntent). */
  readonly providerPayment: string | null;
  readonly amount: Money;
  /** The same key always means the same refund: a retried call refunds once. */
  readonly idempotencyKey: string;
  readonly reason: string | null;
}

export interface PaymentProvider {
  readonly name: 'test' | 'stripe';
  /**
   * Origins of the provider's payment pages, which our forms redirect to:
   * browsers hold a form's redirect to the page's CSP form-action.
   */
  readonly pageOrigins: readonly string[];
  /** The smallest amount (minor units) the provider charges in this currency. */
  minimumCharge(currency: string): number;
  createCheckout(req: CheckoutRequest): Promise<StartedCheckout>;
  /** Gives money back to the payer; answers the provider's id of the refund. */
  refund(req: RefundRequest): Promise<{ refundId: string }>;
}

export type PaymentOutcome = 'completed' | 'declined' | 'expired';

export interface PaymentEvent {
  readonly provider: string;
  /** Unique per provider: a redelivered event carries the same id and counts once. */
  readonly eventId: string;
  readonly outcome: PaymentOutcome;
  readonly checkoutId: string;
  /** The provider's id of the payment (a Stripe PaymentIntent), kept for refunds and disputes. */
  readonly providerPayment?: string | null;
}
