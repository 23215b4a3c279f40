// Opens the configured database as the services the CLI commands use.
import type { Config } from '../config.ts';
import { openDatabase } from '../db/connection.ts';
import type { Actor, Services } from '../services/context.ts';

export const cliActor: Actor = { userId: null, label: 'cli', role: 'admin', ip: null };

export async function withServices<T>(config: Config, fn: (s: Services) => Promise<T>): Promise<T> {
  const db = openDatabase(config.databasePath);
  try {
    return await fn({ db, config, now: Date.now });
  } finally {
    db.close();
  }
}
