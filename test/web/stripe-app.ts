// A test app whose payments go to the fake Stripe API (test/fakes/stripe.ts),
// listening on loopback so the fake's signed webhooks reach it over HTTP.
import type { Test } from 'tap';
import { startFakeStripe, type FakeStripe } from '../fakes/stripe.ts';
import { buildTestApp, type TestApp } from '../helper.ts';

/** The webhook endpoint's signing secret the app is configured with. */
export const webhookSecret = 'whsec_lantern_test_secret';

export interface StripeApp {
  ta: TestApp;
  fake: FakeStripe;
  /** The listening app, e.g. http://127.0.0.1:PORT */
  base: string;
  /** Where the fake delivers its events. */
  hook: string;
}

export async function buildStripeApp(t: Test, opts: { env?: Record<string, string>; passwords?: boolean } = {}): Promise<StripeApp> {
  const fake = await startFakeStripe();
  t.teardown(() => fake.close());
  const ta = await buildTestApp(t, {
    ...(opts.passwords && { passwords: true }),
    env: { STRIPE_SECRET_KEY: 'sk_test_lantern', STRIPE_WEBHOOK_SECRET: webhookSecret, STRIPE_API_BASE: fake.url, ...opts.env },
  });
  await ta.app.listen({ port: 0, host: '127.0.0.1' });
  const address = ta.app.server.address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return { ta, fake, base, hook: `${base}/webhooks/stripe` };
}
