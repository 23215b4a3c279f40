// The organizer console under /admin: one module per area. Every route
// declares its access rule (see plugins/access.ts); pages use the console layout.
import type { FastifyInstance } from 'fastify';
import adminCampaigns from './campaigns.ts';
import adminDashboard from './dashboard.ts';
import adminExports from './exports.ts';
import adminGifts from './gifts.ts';

export default async function admin(app: FastifyInstance) {
  await app.register(adminDashboard);
  await app.register(adminCampaigns);
  await app.register(adminGifts);
  await app.register(adminExports);
}
