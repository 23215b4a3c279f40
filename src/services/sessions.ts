// Logging in and out. Sessions live in the database (revocable, shared by all
// app instances, surviving restarts); the browser holds only a random token.
// Repeated wrong passwords lock the account for a while, and every failure is
// in the audit log.
import argon2 from 'argon2';
import { DomainError } from '../domain/errors.ts';
import { newId, newSecret } from '../db/ids.ts';
import {
  findSessionByTokenHash,
  insertSession,
  liveSessionsOfUser,
  revokeSession,
  revokeSessionById,
  revokeSessionsOfUser,
  touchSession,
  type SessionRow,
} from '../db/sessions.ts';
import { findUserByEmail, revokeTokensOfUser, updateUser, type UserRow } from '../db/users.ts';
import { audit } from './audit.ts';
import type { Actor, Services } from './context.ts';
import { hashToken } from './users.ts';
import { withProps } from '../objects.ts';

const day = 24 * 60 * 60 * 1000;
/** A session in use is extended at most this often, so reading pages does not write on every request. */
const touchEveryMs = 5 * 60 * 1000;

// Verifying against a real hash when the e-mail is unknown keeps the answer's
// timing from telling which addresses have accounts.
let dummyHash: Promise<string> | null = null;
function timingDummy(): Promise<string> {
  dummyHash ??= argon2.hash(newSecret(16), { type: argon2.argon2id });
  return dummyHash;
}

export interface LoginMeta {
  ip: string | null;
  userAgent: string | null;
}

export interface LoggedIn {
  token: string;
  user: UserRow;
  maxAgeMs: number;
}

// One answer for an unknown address, a wrong password and a locked account,
// so the login form does not tell who has an account here.
function badCredentials(s: Services): string {
  const { attempts, minutes } = s.config.lockout;
  return `The e-mail address or the password is not right. After ${attempts} wrong passwords in a row an account is locked for ${minutes} minutes; resetting the password unlocks it.`;
}

export async function login(s: Services, email: string, password: string, meta: LoginMeta): Promise<LoggedIn> {
  // Whatever is typed ends up in the audit log: keep it to an address's length.
  const address = email.trim().toLowerCase().slice(0, 254);
  const user = address ? findUserByEmail(s.db, address) : undefined;
  const hash = user?.passwordHash ?? (await timingDummy());
  const ok = (await argon2.verify(hash, password).catch(() => false)) && user?.passwordHash != null;
  const now = s.now();
  const actor: Actor = { userId: user?.id ?? null, label: address || 'unknown', role: user?.role ?? null, ip: meta.ip };

  if (user && user.lockedUntil !== null && user.lockedUntil > now) {
    await s.db.write(() => audit(s, actor, 'login.failure', { type: 'user', id: user.id }, null, { reason: 'locked' }));
    throw new DomainError('unauthorized', badCredentials(s));
  }
  if (!user || !ok) {
    await s.db.write(() => {
      if (!user) {
        audit(s, actor, 'login.failure', { type: 'login', id: address || 'unknown' }, null, { reason: 'unknown e-mail' });
        return;
      }
      const fresh = findUserByEmail(s.db, address) ?? user;
      const failed = fresh.failedLogins + 1;
      const lock = failed >= s.config.lockout.attempts;
      updateUser(s.db, user.id, lock ? { failedLogins: 0, lockedUntil: now + s.config.lockout.minutes * 60_000 } : { failedLogins: failed });
      audit(s, actor, lock ? 'login.locked' : 'login.failure', { type: 'user', id: user.id }, null, {
        reason: user.passwordHash === null ? 'no password set' : 'wrong password',
        failedInARow: failed,
      });
    });
    throw new DomainError('unauthorized', badCredentials(s));
  }
  if (user.disabledAt !== null) {
    await s.db.write(() => audit(s, actor, 'login.failure', { type: 'user', id: user.id }, null, { reason: 'disabled' }));
    throw new DomainError('unauthorized', 'This account has been disabled. Ask an administrator.');
  }

  const token = newSecret(32);
  const maxAgeMs = s.config.sessionDays * day;
  await s.db.write(() => {
    insertSession(s.db, {
      tokenHash: hashToken(token),
      id: newId('sess'),
      userId: user.id,
      userAgent: meta.userAgent?.slice(0, 300) ?? null,
      createdAt: now,
      lastSeenAt: now,
      expiresAt: now + maxAgeMs,
      revokedAt: null,
    });
    if (user.failedLogins > 0 || user.lockedUntil !== null) updateUser(s.db, user.id, { failedLogins: 0, lockedUntil: null });
    audit(s, actor, 'login.success', { type: 'user', id: user.id }, null, null);
  });
  return { token, user, maxAgeMs };
}

/**
 * The user behind a session token, or undefined when it is unknown, revoked,
 * expired or its user is disabled. A session in use is extended (sliding expiry).
 */
export function userForSession(
  s: Services,
  token: string,
): { user: UserRow; session: SessionRow; extendedUntil: number | null } | undefined {
  const tokenHash = hashToken(token);
  const found = findSessionByTokenHash(s.db, tokenHash);
  const now = s.now();
  if (!found || found.session.revokedAt !== null || found.session.expiresAt <= now || found.user.disabledAt !== null) {
    return undefined;
  }
  if (now - found.session.lastSeenAt > touchEveryMs) {
    const expiresAt = now + s.config.sessionDays * day;
    // Best effort: a lost extension only means the session ends a little earlier.
    s.db.write(() => touchSession(s.db, tokenHash, now, expiresAt)).catch(() => undefined);
    return withProps(found, { extendedUntil: expiresAt });
  }
  return withProps(found, { extendedUntil: null });
}

export async function logout(s: Services, actor: Actor, token: string): Promise<void> {
  await s.db.write(() => {
    revokeSession(s.db, hashToken(token), s.now());
    if (actor.userId) audit(s, actor, 'logout', { type: 'user', id: actor.userId }, null, null);
  });
}

/**
 * Ends every session of the user (all browsers, all devices) and revokes
 * their API tokens: it is what someone does who fears their account is used
 * by someone else.
 */
export async function logoutEverywhere(s: Services, actor: Actor, userId: string): Promise<number> {
  return s.db.write(() => {
    const n = revokeSessionsOfUser(s.db, userId, s.now());
    const tokens = revokeTokensOfUser(s.db, userId, s.now());
    audit(s, actor, 'logout.everywhere', { type: 'user', id: userId }, null, { sessions: n, tokens });
    return n;
  });
}

export async function endSession(s: Services, actor: Actor, userId: string, sessionId: string): Promise<void> {
  await s.db.write(() => {
    if (revokeSessionById(s.db, userId, sessionId, s.now()) === 0) throw new DomainError('not_found', 'That session has already ended.');
    audit(s, actor, 'session.revoke', { type: 'session', id: sessionId }, null, null);
  });
}

export function sessionsOf(s: Services, userId: string): SessionRow[] {
  return liveSessionsOfUser(s.db, userId, s.now());
}
