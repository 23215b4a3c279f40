// The organizer console under /admin: one module per area. Every route
// declares its access rule (see plugins/access.ts); pages use the console layout.
import type { FastifyInstance } from 'fastify';
import adminCampaigns from './campaigns.ts';
import adminDashboard from './dashboard.ts';
import adminExports from './exports.ts';
import adminGifts from './gifts.ts';
import adminAudit from './audit.ts';
import adminOutbox from './outbox.ts';
import adminPeople from './people.ts';
import adminPledges from './pledges.ts';
import adminRates from './rates.ts';
import adminTokens from './tokens.ts';

export default async function admin(app: FastifyInstance) {
  await app.register(adminDashboard);
  await app.register(adminCampaigns);
  await app.register(adminGifts);
  await app.register(adminExports);
  await app.register(adminPledges);
  await app.register(adminRates);
  await app.register(adminPeople);
  await app.register(adminTokens);
  await app.register(adminAudit);
  await app.register(adminOutbox);
  await app.register(import('./events.ts'));
  await app.register(import('./raffles.ts'));
  await app.register(import('./vendor-assets.ts'));
}
