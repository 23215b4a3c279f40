// The built-in test provider: a local checkout page clearly marked TEST MODE,
// where the donor pays or declines. The default when no real provider is
// configured, so a fresh install works end to end without any account.
import type { CheckoutRequest, PaymentProvider, RefundRequest } from './provider.ts';

export function testProvider(baseUrl: string): PaymentProvider {
  return {
    name: 'test',
    // The test checkout is one of our own pages.
    pageOrigins: [],
    minimumCharge: () => 1,
    async createCheckout(req: CheckoutRequest) {
      return { url: `${baseUrl}/test-checkout/${encodeURIComponent(req.checkoutId)}` };
    },
    // Test payments move no money, so there is nothing to give back.
    async refund(req: RefundRequest) {
      return { refundId: `test_${req.idempotencyKey}` };
    },
  };
}
