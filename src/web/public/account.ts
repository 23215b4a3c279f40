// Account pages: log in and out, invitations, password resets, the first
// admin's setup, and one's own account (password, sessions). Plain forms,
// usable without JavaScript; every POST carries a CSRF token (plugins/csrf).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { DomainError } from '../../domain/errors.ts';
import type { Role } from '../../db/users.ts';
import { translator } from '../../i18n.ts';
import {
  acceptInvitation,
  changePassword,
  completeSetup,
  minPasswordLength,
  openLink,
  requestPasswordReset,
  resetPassword,
} from '../../services/accounts.ts';
import { endSession, login, logout, logoutEverywhere, sessionsOf } from '../../services/sessions.ts';
import { hashToken } from '../../services/users.ts';
import { actorOf } from '../plugins/auth.ts';
import { loginLimit, resetLimit } from '../plugins/limits.ts';
import { formValues, parseForm, safeNext, serviceErrors, type FieldErrors, type FormValues } from '../forms.ts';

const t = translator('en');

export function homeOf(role: Role): string {
  return role === 'sponsor' ? '/sponsor' : '/admin';
}

const password = z.string().min(minPasswordLength, t('Choose a password of at least {n} characters', { n: minPasswordLength })).max(1000);
const newPasswordForm = z
  .object({ password, password_again: z.string() })
  .refine((f) => f.password === f.password_again, { path: ['password_again'], message: t('The two passwords differ') });

const loginForm = z.object({
  email: z.string().trim().min(1, t('Enter your e-mail address')).max(254, t('At most 254 characters')),
  password: z.string().min(1, t('Enter your password')).max(1000),
  next: z.string().optional(),
});

export default async function accountPages(app: FastifyInstance) {
  const svc = app.services;
  const noStore = (reply: FastifyReply) => reply.header('cache-control', 'no-store');

  function loginPage(reply: FastifyReply, values: FormValues, errors: FieldErrors = {}, message?: string) {
    return noStore(reply).page('pages/account/login', { title: t('Log in'), values, errors, message });
  }

  app.get<{ Querystring: { next?: string } }>('/login', { schema: { hide: true } }, async (req, reply) => {
    if (req.user) return reply.redirect(safeNext(req.query.next, homeOf(req.user.role)), 303);
    return loginPage(reply, { next: safeNext(req.query.next, '') });
  });

  app.post('/login', { schema: { hide: true }, config: loginLimit(svc.config) }, async (req, reply) => {
    const values = formValues(req.body);
    const parsed = parseForm(loginForm, values);
    if (!parsed.ok) return loginPage(reply.code(400), values, parsed.errors);
    try {
      const done = await login(svc, parsed.data.email, parsed.data.password, { ip: req.ip, userAgent: req.headers['user-agent'] ?? null });
      // A fresh token on every login: a session planted before cannot be ridden.
      if (req.sessionToken) await logout(svc, actorOf(req), req.sessionToken);
      reply.setSessionCookie(done.token, done.maxAgeMs);
      return reply.redirect(safeNext(parsed.data.next, homeOf(done.user.role)), 303);
    } catch (err) {
      if (err instanceof DomainError && err.code === 'unauthorized') {
        return loginPage(reply.code(401), { email: values.email ?? '', next: values.next ?? '' }, {}, err.message);
      }
      throw err;
    }
  });

  app.post('/logout', { schema: { hide: true } }, async (req, reply) => {
    if (req.sessionToken) await logout(svc, actorOf(req), req.sessionToken);
    reply.clearSessionCookie();
    return reply.redirect('/login?out=1', 303);
  });

  // One's own account: password, sessions, log out everywhere.
  const accountAccess = { access: { roles: ['admin', 'organizer', 'sponsor'] as Role[] } };

  async function accountPage(req: FastifyRequest, reply: FastifyReply, errors: FieldErrors = {}, message?: string, notice?: string) {
    const user = req.user;
    if (!user) throw new DomainError('unauthorized', 'Log in first.');
    const current = req.sessionToken ? hashToken(req.sessionToken) : null;
    const list = sessionsOf(svc, user.id).map((s) => ({ ...s, current: s.tokenHash === current }));
    return noStore(reply).page('pages/account/account', { title: t('Your account'), sessions: list, errors, message, notice, home: homeOf(user.role) });
  }

  app.get<{ Querystring: { done?: string } }>('/account', { schema: { hide: true }, config: accountAccess }, async (req, reply) =>
    accountPage(req, reply, {}, undefined, req.query.done === 'password' ? t('Your password was changed; your other sessions have ended.') : undefined),
  );

  app.post('/account/password', { schema: { hide: true }, config: { ...accountAccess, ...loginLimit(svc.config) } }, async (req, reply) => {
    const values = formValues(req.body);
    const parsed = parseForm(newPasswordForm.and(z.object({ current: z.string().min(1, t('Enter your current password')) })), values);
    if (!parsed.ok) return accountPage(req, reply.code(400), parsed.errors);
    try {
      await changePassword(svc, actorOf(req), parsed.data.current, parsed.data.password, req.sessionToken ?? '');
    } catch (err) {
      const e = serviceErrors(err);
      return accountPage(req, reply.code(400), e.errors, e.message);
    }
    return reply.redirect('/account?done=password', 303);
  });

  app.post('/account/logout-everywhere', { schema: { hide: true }, config: accountAccess }, async (req, reply) => {
    const user = req.user;
    if (user) await logoutEverywhere(svc, actorOf(req), user.id);
    reply.clearSessionCookie();
    return reply.redirect('/login?out=all', 303);
  });

  app.post<{ Params: { id: string } }>('/account/sessions/:id/end', { schema: { hide: true }, config: accountAccess }, async (req, reply) => {
    const user = req.user;
    if (user) await endSession(svc, actorOf(req), user.id, req.params.id);
    return reply.redirect('/account', 303);
  });

  // Password reset: ask for a link, then choose a new password.
  app.get('/password-reset', { schema: { hide: true } }, async (_req, reply) =>
    noStore(reply).page('pages/account/reset-request', { title: t('Reset your password'), values: {}, errors: {} }),
  );

  app.post('/password-reset', { schema: { hide: true }, config: resetLimit(svc.config) }, async (req, reply) => {
    const values = formValues(req.body);
    try {
      await requestPasswordReset(svc, values.email ?? '', req.ip);
    } catch (err) {
      const e = serviceErrors(err);
      return noStore(reply.code(400)).page('pages/account/reset-request', { title: t('Reset your password'), values, errors: e.errors });
    }
    return noStore(reply).page('pages/account/reset-request', { title: t('Reset your password'), values, errors: {}, sent: true });
  });

  /** A page for a one-time link: the form when the link is good, a clear explanation when not. */
  function linkPage(reply: FastifyReply, view: string, title: string, data: Record<string, unknown>) {
    return noStore(reply).header('referrer-policy', 'no-referrer').page(view, { title, values: {}, errors: {}, ...data });
  }

  function brokenLink(reply: FastifyReply, title: string, err: unknown) {
    if (err instanceof DomainError && (err.code === 'not_found' || err.code === 'invalid_state')) {
      return noStore(reply.code(err.code === 'not_found' ? 404 : 410)).page('pages/account/link-problem', { title, message: err.message });
    }
    throw err;
  }

  app.get<{ Params: { token: string } }>('/password-reset/:token', { schema: { hide: true } }, async (req, reply) => {
    try {
      openLink(svc, 'reset', req.params.token);
    } catch (err) {
      return brokenLink(reply, t('Reset your password'), err);
    }
    return linkPage(reply, 'pages/account/reset', t('Choose a new password'), { token: req.params.token });
  });

  app.post<{ Params: { token: string } }>('/password-reset/:token', { schema: { hide: true }, config: resetLimit(svc.config) }, async (req, reply) => {
    try {
      openLink(svc, 'reset', req.params.token);
    } catch (err) {
      return brokenLink(reply, t('Reset your password'), err);
    }
    const values = formValues(req.body);
    const parsed = parseForm(newPasswordForm, values);
    if (!parsed.ok) return linkPage(reply.code(400), 'pages/account/reset', t('Choose a new password'), { token: req.params.token, errors: parsed.errors });
    try {
      await resetPassword(svc, req.params.token, parsed.data.password, req.ip);
    } catch (err) {
      if (err instanceof DomainError && err.code === 'validation') {
        return linkPage(reply.code(400), 'pages/account/reset', t('Choose a new password'), { token: req.params.token, errors: serviceErrors(err).errors });
      }
      return brokenLink(reply, t('Reset your password'), err);
    }
    return reply.redirect('/login?reset=1', 303);
  });

  // Invitations: the invited person names themself and chooses a password.
  app.get<{ Params: { token: string } }>('/invitations/:token', { schema: { hide: true } }, async (req, reply) => {
    try {
      const link = openLink(svc, 'invitation', req.params.token);
      return linkPage(reply, 'pages/account/invitation', t('Accept your invitation'), {
        token: req.params.token,
        link,
        values: { name: link.name ?? '' },
      });
    } catch (err) {
      return brokenLink(reply, t('Accept your invitation'), err);
    }
  });

  app.post<{ Params: { token: string } }>('/invitations/:token', { schema: { hide: true }, config: resetLimit(svc.config) }, async (req, reply) => {
    const values = formValues(req.body);
    let link;
    try {
      link = openLink(svc, 'invitation', req.params.token);
    } catch (err) {
      return brokenLink(reply, t('Accept your invitation'), err);
    }
    const parsed = parseForm(newPasswordForm.and(z.object({ name: z.string().trim().min(1, t('Enter your name')).max(200) })), values);
    const again = (errors: FieldErrors, message?: string) =>
      linkPage(reply.code(400), 'pages/account/invitation', t('Accept your invitation'), { token: req.params.token, link, values, errors, message });
    if (!parsed.ok) return again(parsed.errors);
    try {
      const user = await acceptInvitation(svc, req.params.token, { name: parsed.data.name, password: parsed.data.password }, req.ip);
      const done = await login(svc, user.email, parsed.data.password, { ip: req.ip, userAgent: req.headers['user-agent'] ?? null });
      reply.setSessionCookie(done.token, done.maxAgeMs);
      return reply.redirect(homeOf(user.role), 303);
    } catch (err) {
      if (err instanceof DomainError && err.code === 'validation') {
        const e = serviceErrors(err);
        return again(e.errors, e.message);
      }
      return brokenLink(reply, t('Accept your invitation'), err);
    }
  });

  // The first admin, from the one-time URL printed at start-up.
  app.get<{ Params: { token: string } }>('/setup/:token', { schema: { hide: true } }, async (req, reply) => {
    try {
      openLink(svc, 'setup', req.params.token);
    } catch (err) {
      return brokenLink(reply, t('Set up Lantern'), err);
    }
    return linkPage(reply, 'pages/account/setup', t('Set up Lantern'), { token: req.params.token });
  });

  app.post<{ Params: { token: string } }>('/setup/:token', { schema: { hide: true }, config: resetLimit(svc.config) }, async (req, reply) => {
    try {
      openLink(svc, 'setup', req.params.token);
    } catch (err) {
      return brokenLink(reply, t('Set up Lantern'), err);
    }
    const values = formValues(req.body);
    const parsed = parseForm(
      newPasswordForm.and(z.object({ name: z.string().trim().min(1, t('Enter your name')).max(200), email: z.string().trim().min(1, t('Enter your e-mail address')) })),
      values,
    );
    const again = (errors: FieldErrors, message?: string) =>
      linkPage(reply.code(400), 'pages/account/setup', t('Set up Lantern'), { token: req.params.token, values, errors, message });
    if (!parsed.ok) return again(parsed.errors);
    try {
      const user = await completeSetup(svc, req.params.token, parsed.data, req.ip);
      const done = await login(svc, user.email, parsed.data.password, { ip: req.ip, userAgent: req.headers['user-agent'] ?? null });
      reply.setSessionCookie(done.token, done.maxAgeMs);
      return reply.redirect('/admin', 303);
    } catch (err) {
      if (err instanceof DomainError && err.code === 'validation') {
        const e = serviceErrors(err);
        return again(e.errors, e.message);
      }
      return brokenLink(reply, t('Set up Lantern'), err);
    }
  });
}
