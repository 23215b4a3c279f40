// `npm run demo`: a separate demo database loaded with the Rescue Fund, the
// test payment provider, and a note of where to look.
import { ConfigError, loadConfig } from './config.ts';
import { openDatabase } from './db/connection.ts';
import { createServices } from './services/context.ts';
import { loadDemo } from './services/demo.ts';
import { serve } from './server.ts';

try {
  // Quiet by default: the banner below says where to look; LOG_LEVEL=info shows each request.
  // The donate form offers to cover a Stripe-like card fee, so the option can be seen.
  const config = loadConfig({ DATABASE_PATH: './data/demo.db', LOG_LEVEL: 'warn', PROCESSING_FEE_PERCENT: '2.9', PROCESSING_FEE_FIXED: '0.30 USD, 0.30 CAD, 400 KRW', ...process.env });
  const db = openDatabase(config.databasePath);
  const result = await loadDemo(createServices({ db, config }));
  db.close();
  await serve(config, (url) => {
    console.log(`
Lantern demo is running at ${url}
  Rescue Fund:   ${url}/campaigns/${result.campaignSlug}
  Events:        ${url}/events   (calendar feed: ${url}/events.ics)
  JSON API:      ${url}/api/v1/campaigns/${result.campaignSlug}
  API docs:      ${url}/api/docs
  Payments use the built-in TEST MODE provider: no real money moves.
  Demo users, one per role (password ${result.password}):
${result.users.map((u) => `    ${u.role.padEnd(10)} ${u.email}`).join('\n')}
  An API token for the admin:
    DATABASE_PATH=${config.databasePath} npm run -s cli -- token create --email ${result.users[0]?.email ?? ''}
`);
  });
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(err.message);
    process.exit(1);
  }
  throw err;
}
