// Starts a configured server: open (and migrate) the database, build the app,
// listen, expire pending gifts and retry mail in the background, shut down gracefully.
import { buildApp } from './app.ts';
import type { Config } from './config.ts';
import { openDatabase } from './db/connection.ts';
import { expirePendingGifts } from './services/gifts.ts';
import { settleCancellationOffers } from './services/event-cancellation.ts';
import { expirePendingOrders } from './services/orders.ts';
import { expirePendingPledgePayments } from './services/pledge-payments.ts';
import { settleProviderRefunds } from './services/provider-refunds.ts';
import { expirePendingRaffleEntries } from './services/raffles.ts';

export async function serve(config: Config, announce: (url: string) => void): Promise<void> {
  const db = openDatabase(config.databasePath);
  const app = await buildApp({ config, db });
  const sweep = setInterval(() => {
    expirePendingGifts(app.services).catch((err: unknown) => app.log.error({ err }, 'expiring pending gifts failed'));
    expirePendingOrders(app.services).catch((err: unknown) => app.log.error({ err }, 'expiring ticket holds failed'));
    expirePendingRaffleEntries(app.services).catch((err: unknown) => app.log.error({ err }, 'expiring raffle ticket holds failed'));
    expirePendingPledgePayments(app.services).catch((err: unknown) => app.log.error({ err }, 'expiring sponsor payments failed'));
    // Refunds the ledger made that the payment provider has not yet been asked for.
    settleProviderRefunds(app.services, app.payments).catch((err: unknown) => app.log.error({ err }, 'refunding through the payment provider failed'));
    settleCancellationOffers(app.services).catch((err: unknown) => app.log.error({ err }, 'refunding after cancellation offers failed'));
    // Retries mail that failed, and sends what another process (the CLI) queued.
    app.services.mailer.kick();
  }, 60_000);
  sweep.unref();

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down');
    clearInterval(sweep);
    try {
      await app.close();
    } finally {
      db.close();
      process.exit(0);
    }
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));

  await app.listen({ port: config.port, host: config.host });
  announce(config.baseUrl);
}
