// `stripe reconcile --since <date> [--fix]`: what Stripe says was paid against
// what the ledger holds (services/reconcile.ts).
import type { Config } from '../config.ts';
import { stripeClient } from '../payments/stripe-provider.ts';
import { reconcileStripe } from '../services/reconcile.ts';
import { withServices } from './services.ts';

const usage = 'Usage: npm run -s cli -- stripe reconcile --since <YYYY-MM-DD or ISO date-time> [--fix]';

export async function stripeReconcile(config: Config, args: string[]): Promise<number> {
  const at = args.indexOf('--since');
  const sinceText = at >= 0 ? args[at + 1] : undefined;
  const since = sinceText ? Date.parse(sinceText) : NaN;
  if (!sinceText || Number.isNaN(since)) {
    console.error(usage);
    return 2;
  }
  if (!config.stripe) {
    console.error('Stripe is not configured: set STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET.');
    return 2;
  }
  const fix = args.includes('--fix');
  const client = stripeClient(config.stripe);
  const report = await withServices(config, (s) => reconcileStripe(s, client, since, fix));
  console.log(`${report.sessions} Checkout Session(s) at Stripe since ${new Date(since).toISOString()}.`);
  for (const m of report.missing) {
    console.log(`${m.fixed ? 'FIXED  ' : 'MISSING'} paid at Stripe, not in the ledger: session ${m.session} → checkout ${m.checkout} (${m.amount} ${m.currency})`);
  }
  for (const u of report.unknownToStripe) {
    console.log(`UNKNOWN paid in the ledger, not paid at Stripe: checkout ${u.checkout} (${u.amount} ${u.currency}${u.session ? `, session ${u.session}` : ', no session'})`);
  }
  for (const f of report.foreign) console.log(`FOREIGN paid session ${f} names no checkout of Lantern's (ignored)`);
  const open = report.missing.filter((m) => !m.fixed).length + report.unknownToStripe.length;
  console.log(open === 0 ? 'OK: the ledger and Stripe agree.' : `${open} difference(s)${fix ? '' : '; run again with --fix to record payments Stripe has and the ledger lacks'}.`);
  return open === 0 ? 0 : 1;
}
