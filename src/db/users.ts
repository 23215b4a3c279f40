// People with accounts and their API tokens.
import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Database } from './connection.ts';
import { prepared } from './prepared.ts';
import { apiTokens, users } from './schema.ts';

export type UserRow = typeof users.$inferSelect;
export type Role = UserRow['role'];

export function insertUser(db: Database, row: typeof users.$inferInsert): void {
  db.orm.insert(users).values(row).run();
}

export function findUserByEmail(db: Database, email: string): UserRow | undefined {
  return db.orm.select().from(users).where(eq(users.email, email)).get();
}

export function insertToken(db: Database, row: typeof apiTokens.$inferInsert): void {
  db.orm.insert(apiTokens).values(row).run();
}

/** The live token with this hash, joined to its user. */
const byTokenHash = prepared((db) =>
  db.orm
    .select({ user: users })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .where(and(eq(apiTokens.tokenHash, sql.placeholder('tokenHash')), isNull(apiTokens.revokedAt)))
    .prepare(),
);

export function findUserByTokenHash(db: Database, tokenHash: string): UserRow | undefined {
  return byTokenHash(db).get({ tokenHash })?.user;
}
