import type { Config } from '../config.ts';
import { openDatabase } from '../db/connection.ts';

/** Opening the database applies pending migrations. */
export async function migrateCommand(config: Config): Promise<number> {
  openDatabase(config.databasePath).close();
  console.log(`Database ${config.databasePath} is up to date.`);
  return 0;
}
