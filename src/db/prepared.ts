// Statements on hot paths are built once per database and reused: building a
// drizzle query costs ~100 µs, far more than running it.
import { Column, getTableColumns, getTableName, Param, Placeholder, sql, type Table } from 'drizzle-orm';
import type { SQLiteTable } from 'drizzle-orm/sqlite-core';
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

/**
 * `{ column: sql.placeholder('column') }` for every column of a table but
 * one SQLite numbers itself (an AUTOINCREMENT key).
 */
function rowPlaceholders<T extends Table>(table: T): Record<keyof T['_']['columns'], Placeholder> {
  const given = Object.entries(getTableColumns(table)).filter(([, column]) => (column as { autoIncrement?: boolean }).autoIncrement !== true);
  return Object.fromEntries(given.map(([k]) => [k, sql.placeholder(k)])) as Record<keyof T['_']['columns'], Placeholder>;
}

/**
 * A prepared insert of whole rows. drizzle's prepared insert works out on
 * every run which of its parameters are placeholders, each through a walk up
 * the prototype chain: ~5 µs for an order and its checkout, a tenth of their
 * write. Here that is worked out once, and a run only encodes the values
 * (each column's own mapToDriverValue, as drizzle does, skipped for the many
 * columns whose encoder hands the value on as it is).
 */
export function preparedInsert<T extends SQLiteTable>(table: T): (db: Database) => { run(row: T['$inferInsert']): void } {
  return prepared((db) => {
    const query = db.orm.insert(table).values(rowPlaceholders(table)).toSQL();
    const columns = query.params.map((p) => {
      if (!(p instanceof Param) || !(p.value instanceof Placeholder)) throw new Error(`insert into ${getTableName(table)}: a parameter is not a column's placeholder`);
      return { name: p.value.name, encoder: p.encoder.mapToDriverValue === passedOn ? null : p.encoder };
    });
    const stmt = db.sqlite.prepare(query.sql);
    return {
      run(row) {
        const fields = row as Record<string, unknown>;
        const values = new Array<unknown>(columns.length);
        for (let i = 0; i < columns.length; i++) {
          const { name, encoder } = columns[i] as (typeof columns)[number];
          const value = fields[name];
          // NULL is written as NULL, as drizzle's unprepared insert does (its
          // prepared one would hand null to a timestamp's encoder, which
          // throws); so is undefined, as the driver binds it. A column's
          // default is not applied: a row names every value. As drizzle: a
          // missing column is a bug, not a NULL.
          if (value === undefined) {
            if (!(name in fields)) throw new Error(`insert into ${getTableName(table)}: no value for ${name}`);
            values[i] = null;
          } else {
            values[i] = value === null || encoder === null ? value : encoder.mapToDriverValue(value);
          }
        }
        stmt.run(values);
      },
    };
  });
}

/** The encoder of a column that stores values as they are (text, plain integers). */
const passedOn = Column.prototype.mapToDriverValue;
