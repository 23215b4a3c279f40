// Opens the SQLite database with the pragmas money needs, applies migrations,
// and offers the one write path: `write(fn)` runs fn in a BEGIN IMMEDIATE
// transaction. Only src/db imports drizzle or better-sqlite3.
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Sqlite from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { DomainError } from '../domain/errors.ts';
import * as schema from './schema.ts';

export type Orm = BetterSQLite3Database<typeof schema>;

export interface Database {
  readonly sqlite: Sqlite.Database;
  readonly orm: Orm;
  readonly path: string;
  /**
   * Runs one business operation in one IMMEDIATE transaction. fn must be
   * synchronous: better-sqlite3 commits when it returns, so an `await` inside
   * would let the rest run outside the transaction.
   */
  write<T>(fn: () => T): T;
  /** True when the database answers a trivial query. */
  ping(): boolean;
  close(): void;
}

export const migrationsFolder = resolve(dirname(fileURLToPath(import.meta.url)), '../../migrations');

export interface OpenOptions {
  /** Apply pending migrations (the default); `false` for read-only tools. */
  readonly migrate?: boolean;
}

export function openDatabase(path: string, options: OpenOptions = {}): Database {
  if (path !== ':memory:') mkdirSync(dirname(resolve(path)), { recursive: true });
  const sqlite = new Sqlite(path);
  sqlite.pragma('journal_mode = WAL');
  // FULL: a gift acknowledged to a client survives a power cut.
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const orm = drizzle(sqlite, { schema });
  if (options.migrate !== false) migrate(orm, { migrationsFolder });
  return {
    sqlite,
    orm,
    path,
    write<T>(fn: () => T): T {
      try {
        return sqlite.transaction(fn).immediate();
      } catch (err) {
        throw mapDriverError(err);
      }
    },
    ping() {
      try {
        return sqlite.prepare('select 1 as ok').get() !== undefined;
      } catch {
        return false;
      }
    },
    close() {
      if (sqlite.open) sqlite.close();
    },
  };
}

/** Driver errors become domain errors here, so services never see SQLite codes. */
export function mapDriverError(err: unknown): unknown {
  if (err instanceof DomainError) return err;
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    return new DomainError('conflict', 'That already exists.');
  }
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_BUSY_SNAPSHOT') {
    return new DomainError('conflict', 'The database is busy; please try again.');
  }
  return err;
}
