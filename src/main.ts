// `npm start`: serve the configured database (migrating it first). On a
// database without an administrator, print a one-time link that creates one.
import { ConfigError, loadConfig } from './config.ts';
import { openDatabase } from './db/connection.ts';
import { firstAdminSetupLink } from './services/accounts.ts';
import { createServices } from './services/context.ts';
import { serve } from './server.ts';

try {
  const config = loadConfig();
  const db = openDatabase(config.databasePath);
  const s = createServices({ db, config });
  const setup = await firstAdminSetupLink(s);
  await s.mailer.close();
  db.close();
  await serve(config, (url) => {
    console.log(`Lantern is running at ${url}`);
    if (setup) {
      console.log(`
No administrator exists yet. Open this one-time link to create the first one
(it works once and expires in 24 hours; restart to get a new one):
  ${setup}
`);
    }
  });
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(err.message);
    process.exit(1);
  }
  throw err;
}
