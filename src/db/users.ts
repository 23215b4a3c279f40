// People with accounts and their API tokens.
import { and, desc, eq, isNull, sql } from 'drizzle-orm';
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

export function findUserById(db: Database, id: string): UserRow | undefined {
  return db.orm.select().from(users).where(eq(users.id, id)).get();
}

export function updateUser(db: Database, id: string, patch: Partial<typeof users.$inferInsert>): void {
  db.orm.update(users).set(patch).where(eq(users.id, id)).run();
}

export function listUsers(db: Database): UserRow[] {
  return db.orm.select().from(users).orderBy(users.role, users.email).all();
}

export function countAdmins(db: Database): number {
  return (
    db.orm
      .select({ n: sql<number>`count(*)` })
      .from(users)
      .where(and(eq(users.role, 'admin'), isNull(users.disabledAt)))
      .get()?.n ?? 0
  );
}

export type TokenRow = typeof apiTokens.$inferSelect;

export function tokensOfUser(db: Database, userId: string): TokenRow[] {
  return db.orm.select().from(apiTokens).where(eq(apiTokens.userId, userId)).orderBy(desc(apiTokens.createdAt)).all();
}

export function allTokens(db: Database): (TokenRow & { email: string })[] {
  return db.orm
    .select({ token: apiTokens, email: users.email })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .orderBy(desc(apiTokens.createdAt))
    .all()
    .map((r) => ({ ...r.token, email: r.email }));
}

export function findToken(db: Database, id: string): TokenRow | undefined {
  return db.orm.select().from(apiTokens).where(eq(apiTokens.id, id)).get();
}

export function revokeToken(db: Database, id: string, at: number): number {
  return db.orm
    .update(apiTokens)
    .set({ revokedAt: at })
    .where(and(eq(apiTokens.id, id), isNull(apiTokens.revokedAt)))
    .run().changes;
}

/** Revokes every live API token of a user; returns how many there were. */
export function revokeTokensOfUser(db: Database, userId: string, at: number): number {
  return db.orm
    .update(apiTokens)
    .set({ revokedAt: at })
    .where(and(eq(apiTokens.userId, userId), isNull(apiTokens.revokedAt)))
    .run().changes;
}
