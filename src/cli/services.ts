// Opens the configured database as the services the CLI commands use.
import type { Config } from '../config.ts';
import { openDatabase } from '../db/connection.ts';
import { createServices, type Actor, type Services } from '../services/context.ts';

export const cliActor: Actor = { userId: null, label: 'cli', role: 'admin', ip: null };

export async function withServices<T>(config: Config, fn: (s: Services) => Promise<T>): Promise<T> {
  const db = openDatabase(config.databasePath);
  const s = createServices({ db, config });
  try {
    const result = await fn(s);
    // Mail a command queued (an invitation) goes out before the process ends.
    await s.mailer.flush();
    return result;
  } finally {
    await s.mailer.close();
    db.close();
  }
}
