// `npm start`: serve the configured database (migrating it first).
import { ConfigError, loadConfig } from './config.ts';
import { serve } from './server.ts';

try {
  const config = loadConfig();
  await serve(config, (url) => console.log(`Lantern is running at ${url}`));
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(err.message);
    process.exit(1);
  }
  throw err;
}
