import { existsSync } from 'node:fs';
import type { Config } from '../config.ts';
import { backupDatabase } from '../db/backup.ts';

/** SQLite's online backup: consistent even while the server keeps writing. */
export async function backup(config: Config, args: string[]): Promise<number> {
  const target = args[0];
  if (!target) {
    console.error('Usage: backup <file>');
    return 2;
  }
  if (existsSync(target)) {
    console.error(`${target} already exists; choose a new file name.`);
    return 1;
  }
  const pages = await backupDatabase(config.databasePath, target);
  console.log(`Backed up ${config.databasePath} to ${target} (${pages} pages).`);
  return 0;
}
