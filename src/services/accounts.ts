// Invitations, password resets, the first admin's setup link, and what admins
// change about people: roles, disabling, API tokens, campaign assignments.
// Links are random tokens stored only as hashes, work once, and expire.
import argon2 from 'argon2';
import { DomainError, ValidationError } from '../domain/errors.ts';
import { assignOrganizer, findCampaignBySlug, unassignOrganizer } from '../db/campaigns.ts';
import { newId, newSecret } from '../db/ids.ts';
import {
  findAuthLink,
  insertAuthLink,
  markAuthLinkUsed,
  openInvitations,
  revokeAuthLinkById,
  revokeInvitationsBy,
  revokeOpenLinks,
  revokeSessionsOfUser,
  type AuthLinkKind,
  type AuthLinkRow,
} from '../db/sessions.ts';
import {
  countAdmins,
  findToken,
  findUserByEmail,
  findUserById,
  insertUser,
  revokeToken,
  revokeTokensOfUser,
  updateUser,
  type Role,
  type UserRow,
} from '../db/users.ts';
import { audit } from './audit.ts';
import type { Actor, Services } from './context.ts';
import { queueMail } from './mail.ts';
import { hashToken, normaliseEmail, roles } from './users.ts';

const hour = 60 * 60 * 1000;
export const linkLifetimes: Record<AuthLinkKind, number> = { invitation: 7 * 24 * hour, reset: hour, setup: 24 * hour };
export const minPasswordLength = 10;

function checkPassword(password: string): void {
  if (password.length < minPasswordLength) {
    throw ValidationError.field('password', `Choose a password of at least ${minPasswordLength} characters`);
  }
  if (password.length > 1000) throw ValidationError.field('password', 'At most 1,000 characters');
}

function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, { type: argon2.argon2id });
}

function formatExpiry(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
}

function newLink(s: Services, kind: AuthLinkKind, fields: Partial<AuthLinkRow>): { token: string; row: AuthLinkRow } {
  const token = newSecret(32);
  const now = s.now();
  const row: AuthLinkRow = {
    tokenHash: hashToken(token),
    id: newId('link'),
    kind,
    email: null,
    name: null,
    role: null,
    userId: null,
    createdBy: null,
    createdAt: now,
    expiresAt: now + linkLifetimes[kind],
    usedAt: null,
    revokedAt: null,
    ...fields,
  };
  insertAuthLink(s.db, row);
  return { token, row };
}

export function linkUrl(s: Services, kind: AuthLinkKind, token: string): string {
  const path = kind === 'invitation' ? 'invitations' : kind === 'reset' ? 'password-reset' : 'setup';
  return `${s.config.baseUrl}/${path}/${token}`;
}

/** A link that can still be used, or a clear error saying why not. Read-only. */
export function openLink(s: Services, kind: AuthLinkKind, token: string): AuthLinkRow {
  const link = findAuthLink(s.db, hashToken(token));
  const what = kind === 'invitation' ? 'invitation' : kind === 'reset' ? 'password-reset link' : 'setup link';
  if (!link || link.kind !== kind) throw new DomainError('not_found', `This ${what} is not valid. Check that the whole link was copied.`);
  if (link.usedAt !== null) {
    throw new DomainError('invalid_state', `This ${what} has already been used.${kind === 'invitation' ? ' Log in with the password you chose.' : ''}`);
  }
  if (link.revokedAt !== null) throw new DomainError('invalid_state', `This ${what} was withdrawn. Ask for a new one.`);
  if (link.expiresAt <= s.now()) throw new DomainError('invalid_state', `This ${what} has expired. Ask for a new one.`);
  return link;
}

export interface InvitationInput {
  email: string;
  name: string;
  role: Role;
}

export async function invite(s: Services, actor: Actor, input: InvitationInput): Promise<AuthLinkRow> {
  const email = normaliseEmail(input.email);
  const name = input.name.trim();
  if (!name) throw ValidationError.field('name', 'Enter the name of the person you invite');
  if (!roles.includes(input.role) || input.role === 'admin') {
    throw ValidationError.field('role', 'Invite an organizer or a sponsor');
  }
  const row = await s.db.write(() => {
    if (findUserByEmail(s.db, email)) throw ValidationError.field('email', 'Someone with this e-mail already has an account');
    // A new invitation replaces any earlier one to the same address.
    revokeOpenLinks(s.db, 'invitation', s.now(), email);
    const { token, row } = newLink(s, 'invitation', { email, name, role: input.role, createdBy: actor.userId });
    queueMail(s, {
      to: email,
      kind: 'invitation',
      template: 'invitation',
      subject: 'You are invited to Lantern',
      data: { name, inviter: actor.label, role: input.role, link: linkUrl(s, 'invitation', token), expires: formatExpiry(row.expiresAt) },
    });
    audit(s, actor, 'user.invite', { type: 'auth_link', id: row.id }, null, { email, role: input.role });
    return row;
  });
  s.mailer.kick();
  return row;
}

export async function withdrawInvitation(s: Services, actor: Actor, id: string): Promise<void> {
  await s.db.write(() => {
    if (revokeAuthLinkById(s.db, id, 'invitation', s.now()) === 0) throw new DomainError('not_found', 'This invitation is no longer open.');
    audit(s, actor, 'user.invite_withdraw', { type: 'auth_link', id }, null, null);
  });
}

export function listInvitations(s: Services): (AuthLinkRow & { expired: boolean })[] {
  const now = s.now();
  return openInvitations(s.db).map((l) => ({ ...l, expired: l.expiresAt <= now }));
}

/** Creates the account an invitation was for; the link then stops working. */
export async function acceptInvitation(s: Services, token: string, input: { name: string; password: string }, ip: string | null): Promise<UserRow> {
  const link = openLink(s, 'invitation', token);
  const name = input.name.trim();
  if (!name) throw ValidationError.field('name', 'Enter your name');
  checkPassword(input.password);
  const passwordHash = await hashPassword(input.password);
  return s.db.write(() => {
    // Checked again inside the transaction: two tabs may accept at once.
    const fresh = openLink(s, 'invitation', token);
    if (!fresh.email || !fresh.role) throw new Error('invitation without e-mail or role');
    if (findUserByEmail(s.db, fresh.email)) throw new DomainError('conflict', 'An account with this e-mail already exists. Log in instead.');
    const user: UserRow = {
      id: newId('user'),
      email: fresh.email,
      name,
      role: fresh.role,
      passwordHash,
      createdAt: s.now(),
      failedLogins: 0,
      lockedUntil: null,
      disabledAt: null,
    };
    insertUser(s.db, user);
    markAuthLinkUsed(s.db, link.tokenHash, s.now());
    audit(s, { userId: user.id, label: user.email, role: user.role, ip }, 'user.accept_invitation', { type: 'user', id: user.id }, null, {
      email: user.email,
      role: user.role,
      invitation: link.id,
    });
    return user;
  });
}

/**
 * Sends a reset link when the address has an account. The answer is the same
 * either way, so the form does not reveal who has an account.
 */
export async function requestPasswordReset(s: Services, email: string, ip: string | null): Promise<void> {
  const address = normaliseEmail(email);
  const queued = await s.db.write(() => {
    const user = findUserByEmail(s.db, address);
    const actor: Actor = { userId: user?.id ?? null, label: address, role: user?.role ?? null, ip };
    if (!user || user.disabledAt !== null) {
      audit(s, actor, 'password.reset_request', { type: 'login', id: address }, null, { sent: false });
      return false;
    }
    revokeOpenLinks(s.db, 'reset', s.now(), address);
    const { token, row } = newLink(s, 'reset', { email: address, userId: user.id });
    queueMail(s, {
      to: address,
      kind: 'reset',
      template: 'reset',
      subject: 'Reset your Lantern password',
      data: { name: user.name, email: address, link: linkUrl(s, 'reset', token), expires: formatExpiry(row.expiresAt) },
    });
    audit(s, actor, 'password.reset_request', { type: 'user', id: user.id }, null, { sent: true });
    return true;
  });
  if (queued) s.mailer.kick();
}

/**
 * A reset link for someone with access to the server (the CLI), for an
 * install without a mail server. Nothing is e-mailed; the link is returned.
 */
export async function resetLinkFor(s: Services, actor: Actor, email: string): Promise<string> {
  const address = normaliseEmail(email);
  return s.db.write(() => {
    const user = findUserByEmail(s.db, address);
    if (!user) throw new DomainError('not_found', `There is no user with the e-mail ${address}.`);
    if (user.disabledAt !== null) throw new DomainError('invalid_state', 'This account is disabled; enable it first.');
    revokeOpenLinks(s.db, 'reset', s.now(), address);
    const { token } = newLink(s, 'reset', { email: address, userId: user.id, createdBy: actor.userId });
    audit(s, actor, 'password.reset_link', { type: 'user', id: user.id }, null, { by: actor.label });
    return linkUrl(s, 'reset', token);
  });
}

/** Sets a new password from a reset link; every session of the account ends. */
export async function resetPassword(s: Services, token: string, password: string, ip: string | null): Promise<UserRow> {
  openLink(s, 'reset', token);
  checkPassword(password);
  const passwordHash = await hashPassword(password);
  return s.db.write(() => {
    const link = openLink(s, 'reset', token);
    const user = link.userId ? findUserById(s.db, link.userId) : undefined;
    if (!user || user.disabledAt !== null) throw new DomainError('invalid_state', 'This account can no longer be used.');
    updateUser(s.db, user.id, { passwordHash, failedLogins: 0, lockedUntil: null });
    markAuthLinkUsed(s.db, link.tokenHash, s.now());
    // A reset is how an account is taken back: nothing issued before it keeps working.
    const ended = revokeSessionsOfUser(s.db, user.id, s.now());
    const tokens = revokeTokensOfUser(s.db, user.id, s.now());
    revokeOpenLinks(s.db, 'reset', s.now(), user.email);
    audit(s, { userId: user.id, label: user.email, role: user.role, ip }, 'password.reset', { type: 'user', id: user.id }, null, {
      sessionsEnded: ended,
      tokensRevoked: tokens,
    });
    return user;
  });
}

/** Changes one's own password (the current one is checked); every other session ends. */
export async function changePassword(s: Services, actor: Actor, current: string, next: string, currentSessionToken: string): Promise<void> {
  const user = actor.userId ? findUserById(s.db, actor.userId) : undefined;
  if (!user) throw new DomainError('unauthorized', 'Log in first.');
  if (!user.passwordHash || !(await argon2.verify(user.passwordHash, current).catch(() => false))) {
    // A session in the wrong hands must not guess the password at leisure: it counts like a failed login.
    await s.db.write(() => {
      const fresh = findUserById(s.db, user.id) ?? user;
      const failed = fresh.failedLogins + 1;
      const lock = failed >= s.config.lockout.attempts;
      updateUser(s.db, user.id, lock ? { failedLogins: 0, lockedUntil: s.now() + s.config.lockout.minutes * 60_000 } : { failedLogins: failed });
      audit(s, actor, 'password.change_failure', { type: 'user', id: user.id }, null, { failedInARow: failed, locked: lock });
    });
    throw ValidationError.field('current', 'This is not your current password');
  }
  checkPassword(next);
  const passwordHash = await hashPassword(next);
  await s.db.write(() => {
    updateUser(s.db, user.id, { passwordHash });
    const ended = revokeSessionsOfUser(s.db, user.id, s.now(), hashToken(currentSessionToken));
    revokeOpenLinks(s.db, 'reset', s.now(), user.email);
    audit(s, actor, 'password.change', { type: 'user', id: user.id }, null, { sessionsEnded: ended });
  });
}

/**
 * On a database without an admin, a one-time setup link creates the first
 * one. Each call replaces any earlier link; returns null once an admin exists.
 */
export async function firstAdminSetupLink(s: Services): Promise<string | null> {
  return s.db.write(() => {
    if (countAdmins(s.db) > 0) return null;
    revokeOpenLinks(s.db, 'setup', s.now());
    const { token } = newLink(s, 'setup', {});
    return linkUrl(s, 'setup', token);
  });
}

export async function completeSetup(s: Services, token: string, input: { email: string; name: string; password: string }, ip: string | null): Promise<UserRow> {
  openLink(s, 'setup', token);
  const email = normaliseEmail(input.email);
  const name = input.name.trim();
  if (!name) throw ValidationError.field('name', 'Enter your name');
  checkPassword(input.password);
  const passwordHash = await hashPassword(input.password);
  return s.db.write(() => {
    const link = openLink(s, 'setup', token);
    if (countAdmins(s.db) > 0) throw new DomainError('invalid_state', 'An administrator already exists. Log in instead.');
    if (findUserByEmail(s.db, email)) throw ValidationError.field('email', 'Someone with this e-mail already has an account');
    const user: UserRow = { id: newId('user'), email, name, role: 'admin', passwordHash, createdAt: s.now(), failedLogins: 0, lockedUntil: null, disabledAt: null };
    insertUser(s.db, user);
    markAuthLinkUsed(s.db, link.tokenHash, s.now());
    audit(s, { userId: user.id, label: email, role: 'admin', ip }, 'user.setup_admin', { type: 'user', id: user.id }, null, { email });
    return user;
  });
}

export async function changeRole(s: Services, actor: Actor, userId: string, role: Role): Promise<UserRow> {
  if (!roles.includes(role)) throw ValidationError.field('role', `The role must be one of ${roles.join(', ')}`);
  return s.db.write(() => {
    const before = findUserById(s.db, userId);
    if (!before) throw new DomainError('not_found', 'There is no such user.');
    if (before.role === role) return before;
    if (before.role === 'admin' && before.disabledAt === null && countAdmins(s.db) <= 1) {
      throw new DomainError('invalid_state', 'This is the last administrator: make someone else an administrator first.');
    }
    updateUser(s.db, userId, { role });
    // Pages already open under the old role must not keep its powers, nor
    // invitations that a former admin sent.
    revokeSessionsOfUser(s.db, userId, s.now());
    if (before.role === 'admin') revokeInvitationsBy(s.db, userId, s.now());
    audit(s, actor, 'user.role', { type: 'user', id: userId }, { role: before.role }, { role });
    return { ...before, role };
  });
}

export async function setDisabled(s: Services, actor: Actor, userId: string, disabled: boolean): Promise<UserRow> {
  return s.db.write(() => {
    const before = findUserById(s.db, userId);
    if (!before) throw new DomainError('not_found', 'There is no such user.');
    if (disabled && before.id === actor.userId) throw new DomainError('invalid_state', 'You cannot disable your own account.');
    if (disabled && before.role === 'admin' && before.disabledAt === null && countAdmins(s.db) <= 1) {
      throw new DomainError('invalid_state', 'This is the last administrator.');
    }
    const disabledAt = disabled ? (before.disabledAt ?? s.now()) : null;
    updateUser(s.db, userId, { disabledAt, ...(!disabled && { failedLogins: 0, lockedUntil: null }) });
    if (disabled) {
      revokeSessionsOfUser(s.db, userId, s.now());
      revokeTokensOfUser(s.db, userId, s.now());
      revokeInvitationsBy(s.db, userId, s.now());
    }
    audit(s, actor, disabled ? 'user.disable' : 'user.enable', { type: 'user', id: userId }, { disabled: before.disabledAt !== null }, { disabled });
    return { ...before, disabledAt };
  });
}

/** Revokes an API token: its owner's, or anyone's for an admin. */
export async function revokeApiToken(s: Services, actor: Actor, tokenId: string): Promise<void> {
  await s.db.write(() => {
    const token = findToken(s.db, tokenId);
    if (!token || (actor.role !== 'admin' && token.userId !== actor.userId)) throw new DomainError('not_found', 'There is no such token.');
    if (revokeToken(s.db, tokenId, s.now()) === 0) throw new DomainError('invalid_state', 'This token was already revoked.');
    audit(s, actor, 'token.revoke', { type: 'api_token', id: tokenId }, null, { user: token.userId, name: token.name });
  });
}

export async function setCampaignOrganizer(s: Services, actor: Actor, slug: string, email: string, assigned: boolean): Promise<void> {
  await s.db.write(() => {
    const campaign = findCampaignBySlug(s.db, slug);
    if (!campaign) throw new DomainError('not_found', 'There is no such campaign.');
    const user = findUserByEmail(s.db, normaliseEmail(email));
    if (!user || user.role !== 'organizer') throw ValidationError.field('email', 'There is no organizer with this e-mail');
    if (assigned) assignOrganizer(s.db, campaign.id, user.id, s.now());
    else if (unassignOrganizer(s.db, campaign.id, user.id) === 0) throw new DomainError('not_found', 'This organizer was not assigned.');
    audit(s, actor, assigned ? 'campaign.assign' : 'campaign.unassign', { type: 'campaign', id: campaign.id }, null, { organizer: user.email });
  });
}
