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
   * Runs one business operation atomically and resolves once it is durable.
   * fn must be synchronous (better-sqlite3 commits when it returns; an `await`
   * inside would let the rest run outside the transaction). Operations queued
   * in the same turn of the event loop share one IMMEDIATE transaction and,
   * with synchronous=FULL, one fsync (group commit); when one of them fails,
   * each is run again alone, so a failure rolls back only its own operation.
   * fn may therefore run twice: it must only touch the database.
   */
  write<T>(fn: () => T): Promise<T>;
  /** Changes whenever this or any other connection commits: a key for read caches. */
  version(): string;
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

  // data_version changes when another connection (a CLI, a second instance)
  // commits; `commits` counts this connection's own.
  const dataVersion = sqlite.prepare('PRAGMA data_version').pluck();
  let commits = 0;

  interface Queued {
    fn: () => unknown;
    resolve: (value: unknown) => void;
    reject: (err: unknown) => void;
  }
  let queue: Queued[] = [];
  let flushing = false;

  const begin = sqlite.prepare('BEGIN IMMEDIATE');
  const commit = sqlite.prepare('COMMIT');
  const rollback = sqlite.prepare('ROLLBACK');
  const savepoint = sqlite.prepare('SAVEPOINT operation');
  const release = sqlite.prepare('RELEASE operation');
  const rollbackTo = sqlite.prepare('ROLLBACK TO operation');

  type Attempt = { ok: true; values: unknown[] } | { ok: false; error: unknown };

  /**
   * Runs fns in one transaction. Never throws: a failing fn, BEGIN or COMMIT
   * rolls everything back and is reported, so nothing is ever acknowledged
   * that was not committed.
   */
  function attempt(fns: readonly (() => unknown)[]): Attempt {
    try {
      begin.run();
      const values = fns.map((fn) => fn());
      commit.run();
      commits++;
      return { ok: true, values };
    } catch (error) {
      if (sqlite.inTransaction) rollback.run();
      return { ok: false, error: mapDriverError(error) };
    }
  }

  /**
   * Runs fns in one transaction, each under its own savepoint: a failing fn
   * is rolled back alone and reported, the others commit together. Null when
   * the transaction itself fails (BEGIN, COMMIT, a savepoint that cannot be
   * undone): the caller then runs each fn alone.
   */
  function attemptEach(fns: readonly (() => unknown)[]): Attempt[] | null {
    try {
      begin.run();
      const outcomes = fns.map((fn): Attempt => {
        savepoint.run();
        try {
          const value = fn();
          release.run();
          return { ok: true, values: [value] };
        } catch (error) {
          rollbackTo.run();
          release.run();
          return { ok: false, error: mapDriverError(error) };
        }
      });
      commit.run();
      commits++;
      return outcomes;
    } catch {
      if (sqlite.inTransaction) rollback.run();
      return null;
    }
  }

  function flush(): void {
    const batch = queue;
    queue = [];
    flushing = true;
    let outcomes: Attempt[];
    try {
      // Savepoints per operation would cost ~40 % of a gift's write, and most
      // batches succeed: run the batch optimistically. When one fails (a
      // sold-out rush fails many), run it again with a savepoint each, still
      // one commit; only if that transaction fails, run each alone.
      const together = attempt(batch.map((item) => item.fn));
      outcomes =
        together.ok || batch.length === 1
          ? batch.map((_, i) => (together.ok ? { ok: true, values: [together.values[i]] } : together))
          : (attemptEach(batch.map((item) => item.fn)) ?? batch.map((item) => attempt([item.fn])));
    } finally {
      flushing = false;
    }
    batch.forEach((item, i) => {
      const o = outcomes[i];
      if (o?.ok) item.resolve(o.values[0]);
      else item.reject(o?.error);
    });
  }

  const select1 = sqlite.prepare('select 1 as ok');

  return {
    sqlite,
    orm,
    path,
    write<T>(fn: () => T): Promise<T> {
      if (flushing) throw new Error('db.write() called inside another write: compose the operations in one fn');
      return new Promise<T>((resolve, reject) => {
        queue.push({ fn, resolve: resolve as (value: unknown) => void, reject });
        if (queue.length === 1) setImmediate(flush);
      });
    },
    version() {
      return `${commits}:${String(dataVersion.get())}`;
    },
    ping() {
      try {
        return select1.get() !== undefined;
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
