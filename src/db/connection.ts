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
   * while others keep arriving share one IMMEDIATE transaction and, with
   * synchronous=FULL, one fsync (group commit): the batch is written at the
   * first turn of the event loop that brought no new operation, or after
   * maxBatchTurns turns. An operation that
   * throws before changing a row (a refusal: sold out, a closed window) simply
   * fails alone; one that throws after changing rows makes the batch run
   * again with a savepoint each, so a failure rolls back only its own
   * operation. fn may therefore run twice: beyond the database it may only
   * do what is harmless to repeat (fill caches keyed on version(), release a
   * seat claim).
   */
  write<T>(fn: () => T): Promise<T>;
  /**
   * A key for read caches: changes whenever this connection commits a
   * change or rolls one back, and inside a write also whenever the
   * operation changes a row. The commit itself does not move it (its
   * changes were already seen inside the write), so what the batch's last
   * operation read and cached stays valid after it. A commit by another
   * connection (a CLI, a second instance), or a change this connection
   * makes around write(), shows within changesElsewhereShowWithinMs, and
   * inside a write at once. A value read under one version is therefore
   * exact for as long as the version stays, even in the middle of a batch
   * of writes, up to those milliseconds for changes made elsewhere.
   */
  version(): string;
  /** True when the database answers a trivial query. */
  ping(): boolean;
  close(): void;
}

/**
 * How soon a commit by another connection (a CLI, a second instance) shows in
 * version() outside a write: imperceptible on a page, and the seat checks
 * inside a write see it at once.
 */
export const changesElsewhereShowWithinMs = 10;

/**
 * The most turns of the event loop a batch of writes waits for more to join
 * it. In a rush the requests of one burst are read over a few turns: a batch
 * written at the first turn's end held only the one or two orders read by
 * then, and cost a commit (an fsync) of its own. Waiting for a quiet turn put
 * a flash sale's 100 orders in 1.1 commits rather than 2.5, and its p99 fell
 * by ~0.1× the trivial burst's. A lone write waits one turn, microseconds
 * when the server is idle.
 */
export const maxBatchTurns = 4;

export const migrationsFolder = resolve(dirname(fileURLToPath(import.meta.url)), '../../migrations');

export interface OpenOptions {
  /** Apply pending migrations (the default); `false` for read-only tools. */
  readonly migrate?: boolean;
}

/**
 * Applies pending migrations with foreign keys off, then checks every
 * reference. SQLite changes a table's CHECK only by rebuilding it (new table,
 * copy, drop, rename), and the drop fails while other tables' rows point at
 * it; drizzle runs the migrations in one transaction, where a migration's own
 * `PRAGMA foreign_keys=OFF` is ignored. So it is switched off here, outside
 * any transaction, and a database left with a broken reference is refused.
 */
export function migrateChecked(sqlite: Sqlite.Database, run: () => void): void {
  sqlite.pragma('foreign_keys = OFF');
  try {
    run();
  } finally {
    sqlite.pragma('foreign_keys = ON');
  }
  const broken = sqlite.pragma('foreign_key_check') as { table: string; rowid: number; parent: string }[];
  if (broken.length > 0) {
    const first = broken[0];
    throw new Error(`after migrating, ${broken.length} row(s) point at rows that do not exist (first: ${first?.table} row ${first?.rowid} → ${first?.parent})`);
  }
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
  if (options.migrate !== false) migrateChecked(sqlite, () => migrate(orm, { migrationsFolder }));

  // data_version changes when another connection (a CLI, a second instance)
  // commits; total_changes when this connection changes rows, and
  // `rollbacks` counts the changes it undid (total_changes never goes back,
  // so it alone would not tell). This connection's own commits need no
  // counter: a commit makes lasting what its transaction already showed,
  // and total_changes moved as the rows changed.
  const dataVersion = sqlite.prepare('PRAGMA data_version').pluck();
  // Counts rows changed by this connection (triggers included): an operation
  // that threw with it unchanged left nothing to undo.
  const totalChanges = sqlite.prepare('SELECT total_changes()').pluck();
  let rollbacks = 0;
  // Outside a transaction data_version opens a read transaction (locks on
  // the WAL index): ~18 µs under load, more than the rest of a sold-out
  // answer in a rush. So there it is read at most once per
  // changesElsewhereShowWithinMs: read once a millisecond it took ~2 % of the
  // server's time in a rush. A batch of writes reads it once, as its
  // IMMEDIATE transaction begins: while it holds the write lock no other
  // connection can commit.
  //
  // Outside a write total_changes is read with it, and as each batch ends:
  // this connection changes rows only through write(), whose changes are
  // read as it ends, and a change made around write() (a script on the
  // same connection) shows as another connection's commit does. Inside a
  // write it is read on every call: it moves with each operation of the
  // batch. Reading it on every call outside too cost ~2 µs of each sold-out
  // answer in a rush.
  let otherCommits = '';
  let changesOutside = '';
  let otherCommitsReadAt = -Infinity;
  function readOtherCommits(at: number): void {
    otherCommits = String(dataVersion.get());
    otherCommitsReadAt = at;
  }

  interface Queued {
    fn: () => unknown;
    resolve: (value: unknown) => void;
    reject: (err: unknown) => void;
  }
  let queue: Queued[] = [];
  let flushing = false;
  // How many operations the batch had at the end of the last turn, and how
  // many turns it has waited.
  let queuedLastTurn = 0;
  let turnsWaited = 0;

  const begin = sqlite.prepare('BEGIN IMMEDIATE');
  const commit = sqlite.prepare('COMMIT');
  const rollback = sqlite.prepare('ROLLBACK');
  const savepoint = sqlite.prepare('SAVEPOINT operation');
  const release = sqlite.prepare('RELEASE operation');
  const rollbackTo = sqlite.prepare('ROLLBACK TO operation');

  /** Opens a batch's transaction; other connections' commits are read as it begins (see version()). */
  function beginBatch(): void {
    begin.run();
    readOtherCommits(performance.now());
  }

  type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };
  type Attempt = { ok: true; outcomes: Outcome[] } | { ok: false; error: unknown };

  /**
   * Runs fns in one transaction, without savepoints: a fn that throws before
   * changing a row is reported and the others go on (in a sold-out rush most
   * operations are such refusals). Never throws: a fn that fails after
   * changing rows, or a failing BEGIN or COMMIT, rolls everything back and is
   * reported, so nothing is ever acknowledged that was not committed.
   */
  function attempt(fns: readonly (() => unknown)[]): Attempt {
    try {
      beginBatch();
      const outcomes = fns.map((fn): Outcome => {
        const before = totalChanges.get();
        try {
          return { ok: true, value: fn() };
        } catch (error) {
          // A RAISE(ROLLBACK) would have ended the transaction itself.
          if (totalChanges.get() !== before || !sqlite.inTransaction) throw error;
          return { ok: false, error: mapDriverError(error) };
        }
      });
      commit.run();
      return { ok: true, outcomes };
    } catch (error) {
      if (sqlite.inTransaction) rollback.run();
      rollbacks++;
      return { ok: false, error: mapDriverError(error) };
    }
  }

  function attemptEach(fns: readonly (() => unknown)[]): Outcome[] | null {
    try {
      beginBatch();
      const outcomes = fns.map((fn): Outcome => {
        savepoint.run();
        try {
          const value = fn();
          release.run();
          return { ok: true, value };
        } catch (error) {
          rollbacks++;
          rollbackTo.run();
          release.run();
          return { ok: false, error: mapDriverError(error) };
        }
      });
      commit.run();
      return outcomes;
    } catch {
      if (sqlite.inTransaction) rollback.run();
      rollbacks++;
      return null;
    }
  }

  /** At the end of each turn while a batch waits: write it once a turn brought nothing new. */
  function endOfTurn(): void {
    if (queue.length > queuedLastTurn && turnsWaited < maxBatchTurns) {
      queuedLastTurn = queue.length;
      turnsWaited++;
      setImmediate(endOfTurn);
      return;
    }
    queuedLastTurn = 0;
    turnsWaited = 0;
    flush();
  }

  function flush(): void {
    const batch = queue;
    queue = [];
    flushing = true;
    let outcomes: Outcome[];
    try {
      // Savepoints per operation would cost ~40 % of a gift's write, and most
      // batches succeed or fail only by refusals: run the batch optimistically.
      // When an operation fails after writing, run the batch again with a
      // savepoint each, still one commit; only if that transaction fails, run
      // each alone.
      const together = attempt(batch.map((item) => item.fn));
      outcomes = together.ok
        ? together.outcomes
        : batch.length === 1
          ? [together]
          : (attemptEach(batch.map((item) => item.fn)) ?? batch.map((item): Outcome => {
              const alone = attempt([item.fn]);
              return alone.ok ? (alone.outcomes[0] as Outcome) : alone;
            }));
    } finally {
      flushing = false;
      // The batch's own changes, so the version after it is the same string
      // whether read now or after the next read of data_version.
      if (sqlite.open) changesOutside = String(totalChanges.get());
    }
    batch.forEach((item, i) => {
      const o = outcomes[i];
      if (o?.ok) item.resolve(o.value);
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
        if (queue.length === 1) setImmediate(endOfTurn);
      });
    },
    version() {
      if (flushing) return `${otherCommits}:${rollbacks}:${String(totalChanges.get())}`;
      const at = performance.now();
      if (sqlite.inTransaction || at - otherCommitsReadAt >= changesElsewhereShowWithinMs) {
        readOtherCommits(at);
        changesOutside = String(totalChanges.get());
      }
      return `${otherCommits}:${rollbacks}:${changesOutside}`;
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
