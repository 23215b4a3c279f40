// Statements on hot paths are built once per database and reused: building a
// drizzle query costs ~100 µs, far more than running it.
import { getTableColumns, sql, type Placeholder, type Table } from 'drizzle-orm';
import type { Database } from './connection.ts';

/** Wraps a statement builder so each database builds it once. */
export function prepared<T>(build: (db: Database) => T): (db: Database) => T {
  const cache = new WeakMap<Database, T>();
  return (db) => {
    let stmt = cache.get(db);
    if (stmt === undefined) {
      stmt = build(db);
      cache.set(db, stmt);
    }
    return stmt;
  };
}

/** `{ column: sql.placeholder('column') }` for every column, for a prepared insert of whole rows. */
export function rowPlaceholders<T extends Table>(table: T): Record<keyof T['_']['columns'], Placeholder> {
  return Object.fromEntries(Object.keys(getTableColumns(table)).map((k) => [k, sql.placeholder(k)])) as Record<
    keyof T['_']['columns'],
    Placeholder
  >;
}
