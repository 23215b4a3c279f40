// Online backup through SQLite's backup API (not a file copy, which could
// catch a half-written WAL).
import { existsSync } from 'node:fs';
import Sqlite from 'better-sqlite3';
import { DomainError } from '../domain/errors.ts';

export async function backupDatabase(source: string, target: string): Promise<number> {
  if (!existsSync(source)) throw new DomainError('not_found', `There is no database at ${source}.`);
  const db = new Sqlite(source, { readonly: true, fileMustExist: true });
  try {
    const result = await db.backup(target);
    return result.totalPages;
  } finally {
    db.close();
  }
}
