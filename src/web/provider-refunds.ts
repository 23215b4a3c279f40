// After a request that refunded money in the ledger in bulk (an event
// cancelled, a raffle entry refunded, a holder taking the refund), the
// provider is asked at once to give the money back; if it cannot be reached,
// the server's sweep asks again (services/provider-refunds.ts).
import type { FastifyInstance } from 'fastify';
import { settleProviderRefunds } from '../services/provider-refunds.ts';

export async function handOnRefunds(app: FastifyInstance): Promise<void> {
  try {
    await settleProviderRefunds(app.services, app.payments);
  } catch (err) {
    app.log.error({ err }, 'refunding through the payment provider failed; the sweep will try again');
  }
}
