// Stored first answers to money POSTs, keyed by scope and client key.
import { and, eq, sql } from 'drizzle-orm';
import type { Database } from './connection.ts';
import { prepared, preparedInsert } from './prepared.ts';
import { idempotencyKeys } from './schema.ts';

export type IdempotencyRow = typeof idempotencyKeys.$inferSelect;

const byKey = prepared((db) =>
  db.orm
    .select()
    .from(idempotencyKeys)
    .where(and(eq(idempotencyKeys.scope, sql.placeholder('scope')), eq(idempotencyKeys.key, sql.placeholder('key'))))
    .prepare(),
);

/** Prepared: every keyed money POST, and every order form a sold-out event turns away, looks one up. */
export function findIdempotencyKey(db: Database, scope: string, key: string): IdempotencyRow | undefined {
  return byKey(db).get({ scope, key });
}

const insertRow = preparedInsert(idempotencyKeys);

export function insertIdempotencyKey(db: Database, row: IdempotencyRow): void {
  insertRow(db).run(row);
}

export function completeIdempotencyKey(db: Database, scope: string, key: string, statusCode: number, body: string): void {
  db.orm
    .update(idempotencyKeys)
    .set({ statusCode, body })
    .where(and(eq(idempotencyKeys.scope, scope), eq(idempotencyKeys.key, key)))
    .run();
}

export function releaseIdempotencyKey(db: Database, scope: string, key: string): void {
  db.orm
    .delete(idempotencyKeys)
    .where(and(eq(idempotencyKeys.scope, scope), eq(idempotencyKeys.key, key)))
    .run();
}
