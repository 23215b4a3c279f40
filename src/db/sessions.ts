// Browser sessions and one-time e-mailed links (invitations, resets, setup).
import { and, eq, isNull, ne, sql } from 'drizzle-orm';
import type { Database } from './connection.ts';
import { prepared } from './prepared.ts';
import { authLinks, sessions, users } from './schema.ts';
import type { UserRow } from './users.ts';

export type SessionRow = typeof sessions.$inferSelect;
export type AuthLinkRow = typeof authLinks.$inferSelect;
export type AuthLinkKind = AuthLinkRow['kind'];

export function insertSession(db: Database, row: SessionRow): void {
  db.orm.insert(sessions).values(row).run();
}

const byTokenHash = prepared((db) =>
  db.orm
    .select({ session: sessions, user: users })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(eq(sessions.tokenHash, sql.placeholder('tokenHash')))
    .prepare(),
);

/** The session with this token hash and its user, whatever their state (the caller checks). */
export function findSessionByTokenHash(db: Database, tokenHash: string): { session: SessionRow; user: UserRow } | undefined {
  return byTokenHash(db).get({ tokenHash });
}

export function touchSession(db: Database, tokenHash: string, lastSeenAt: number, expiresAt: number): void {
  db.orm.update(sessions).set({ lastSeenAt, expiresAt }).where(eq(sessions.tokenHash, tokenHash)).run();
}

export function revokeSession(db: Database, tokenHash: string, at: number): void {
  db.orm
    .update(sessions)
    .set({ revokedAt: at })
    .where(and(eq(sessions.tokenHash, tokenHash), isNull(sessions.revokedAt)))
    .run();
}

export function revokeSessionById(db: Database, userId: string, id: string, at: number): number {
  return db.orm
    .update(sessions)
    .set({ revokedAt: at })
    .where(and(eq(sessions.id, id), eq(sessions.userId, userId), isNull(sessions.revokedAt)))
    .run().changes;
}

/** Revokes every live session of a user (but the one kept, if any); returns how many ended. */
export function revokeSessionsOfUser(db: Database, userId: string, at: number, keepTokenHash?: string): number {
  return db.orm
    .update(sessions)
    .set({ revokedAt: at })
    .where(
      and(
        eq(sessions.userId, userId),
        isNull(sessions.revokedAt),
        ...(keepTokenHash === undefined ? [] : [ne(sessions.tokenHash, keepTokenHash)]),
      ),
    )
    .run().changes;
}

export function liveSessionsOfUser(db: Database, userId: string, now: number): SessionRow[] {
  return db.orm
    .select()
    .from(sessions)
    .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt), sql`${sessions.expiresAt} > ${now}`))
    .orderBy(sql`${sessions.lastSeenAt} desc`)
    .all();
}

export function insertAuthLink(db: Database, row: AuthLinkRow): void {
  db.orm.insert(authLinks).values(row).run();
}

export function findAuthLink(db: Database, tokenHash: string): AuthLinkRow | undefined {
  return db.orm.select().from(authLinks).where(eq(authLinks.tokenHash, tokenHash)).get();
}

export function markAuthLinkUsed(db: Database, tokenHash: string, at: number): void {
  db.orm.update(authLinks).set({ usedAt: at }).where(eq(authLinks.tokenHash, tokenHash)).run();
}

/** Revokes the unused links of a kind (for one e-mail, or all of that kind). */
export function revokeOpenLinks(db: Database, kind: AuthLinkKind, at: number, email?: string): void {
  db.orm
    .update(authLinks)
    .set({ revokedAt: at })
    .where(
      and(
        eq(authLinks.kind, kind),
        isNull(authLinks.usedAt),
        isNull(authLinks.revokedAt),
        ...(email === undefined ? [] : [eq(authLinks.email, email)]),
      ),
    )
    .run();
}

export function revokeAuthLinkById(db: Database, id: string, kind: AuthLinkKind, at: number): number {
  return db.orm
    .update(authLinks)
    .set({ revokedAt: at })
    .where(and(eq(authLinks.id, id), eq(authLinks.kind, kind), isNull(authLinks.usedAt), isNull(authLinks.revokedAt)))
    .run().changes;
}

/** Withdraws the open invitations a user sent (when they are disabled or stop being an admin). */
export function revokeInvitationsBy(db: Database, userId: string, at: number): number {
  return db.orm
    .update(authLinks)
    .set({ revokedAt: at })
    .where(and(eq(authLinks.kind, 'invitation'), eq(authLinks.createdBy, userId), isNull(authLinks.usedAt), isNull(authLinks.revokedAt)))
    .run().changes;
}

/** Invitations not yet used or revoked, newest first (expired ones included, marked by the caller). */
export function openInvitations(db: Database): AuthLinkRow[] {
  return db.orm
    .select()
    .from(authLinks)
    .where(and(eq(authLinks.kind, 'invitation'), isNull(authLinks.usedAt), isNull(authLinks.revokedAt)))
    .orderBy(sql`${authLinks.createdAt} desc`)
    .all();
}
