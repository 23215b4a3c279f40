// Accounts and API tokens. Passwords are hashed with argon2id; tokens are
// random, shown once, and stored only as a SHA-256 hash.
import { createHash } from 'node:crypto';
import argon2 from 'argon2';
import { DomainError, ValidationError } from '../domain/errors.ts';
import { newId, newSecret } from '../db/ids.ts';
import { findUserByEmail, findUserByTokenHash, insertToken, insertUser, type Role, type UserRow } from '../db/users.ts';
import { audit } from './audit.ts';
import type { Actor, Services } from './context.ts';

export const roles: readonly Role[] = ['admin', 'organizer', 'sponsor'];
const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function normaliseEmail(email: string): string {
  const e = email.trim().toLowerCase();
  if (!emailPattern.test(e) || e.length > 254) throw ValidationError.field('email', 'Enter a valid e-mail address');
  return e;
}

export interface UserInput {
  email: string;
  role: Role;
  name?: string;
  password?: string;
}

export async function createUser(s: Services, actor: Actor, input: UserInput): Promise<UserRow> {
  const email = normaliseEmail(input.email);
  if (!roles.includes(input.role)) throw ValidationError.field('role', `The role must be one of ${roles.join(', ')}`);
  if (input.password !== undefined && input.password.length < 10) {
    throw ValidationError.field('password', 'The password must be at least 10 characters');
  }
  // Hashing is slow on purpose: do it before the write transaction.
  const passwordHash = input.password === undefined ? null : await argon2.hash(input.password, { type: argon2.argon2id });
  const row: UserRow = {
    id: newId('user'),
    email,
    name: input.name?.trim() || email.split('@')[0] || email,
    role: input.role,
    passwordHash,
    createdAt: s.now(),
    failedLogins: 0,
    lockedUntil: null,
    disabledAt: null,
  };
  await s.db.write(() => {
    if (findUserByEmail(s.db, email)) throw new DomainError('conflict', `A user with the e-mail ${email} already exists.`);
    insertUser(s.db, row);
    audit(s, actor, 'user.create', { type: 'user', id: row.id }, null, { email, role: row.role });
  });
  return row;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Creates an API token for the user; returns the token itself, which is never stored. */
export async function createToken(s: Services, actor: Actor, email: string, name?: string): Promise<string> {
  const token = `lt_${newSecret(32)}`;
  await s.db.write(() => {
    const user = findUserByEmail(s.db, normaliseEmail(email));
    if (!user) throw new DomainError('not_found', `There is no user with the e-mail ${email}.`);
    const id = newId('tok');
    insertToken(s.db, { id, userId: user.id, name: name ?? 'API token', tokenHash: hashToken(token), createdAt: s.now() });
    audit(s, actor, 'token.create', { type: 'api_token', id }, null, { user: user.email, name: name ?? 'API token' });
  });
  return token;
}

/** The user behind a live API token; a disabled user's tokens stop working. */
export function userForToken(s: Services, token: string): UserRow | undefined {
  const user = findUserByTokenHash(s.db, hashToken(token));
  return user && user.disabledAt === null ? user : undefined;
}
