// Who is calling. The JSON API authenticates by Bearer token only; pages by
// the session cookie only (so a cookie can never drive the API across sites,
// and the API needs no CSRF token). What each caller may do is settled by
// the access plugin.
import cookie from '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { DomainError } from '../../domain/errors.ts';
import type { UserRow } from '../../db/users.ts';
import type { Actor } from '../../services/context.ts';
import { userForSession } from '../../services/sessions.ts';
import { userForToken } from '../../services/users.ts';

declare module 'fastify' {
  interface FastifyRequest {
    user: UserRow | null;
    /** The browser session's token, when the page was requested with one. */
    sessionToken: string | null;
  }
}

export function actorOf(req: FastifyRequest): Actor {
  const u = req.user;
  return { userId: u?.id ?? null, label: u?.email ?? 'guest', role: u?.role ?? null, ip: req.ip };
}

/**
 * Whether the request reached a JSON API route. Decided by the route that
 * matched, never by the raw URL: `/%61pi/v1/...` runs an API route too, and
 * must not be treated as a page (which would accept the session cookie).
 */
export function isApi(req: FastifyRequest): boolean {
  return (req.routeOptions.url ?? req.url).startsWith('/api/');
}

export interface AuthOptions {
  cookieSecret: string;
  secureCookies: boolean;
}

function sessionCookieName(secure: boolean): string {
  // The __Host- prefix (https only) stops a sibling subdomain from planting a session.
  return secure ? '__Host-lantern_session' : 'lantern_session';
}

declare module 'fastify' {
  interface FastifyReply {
    /** Starts a browser session with this token (after login). */
    setSessionCookie(token: string, maxAgeMs: number): FastifyReply;
    clearSessionCookie(): FastifyReply;
  }
}

async function authPlugin(app: FastifyInstance, opts: AuthOptions) {
  const name = sessionCookieName(opts.secureCookies);
  const cookieOptions = { path: '/', httpOnly: true, sameSite: 'lax' as const, secure: opts.secureCookies };
  await app.register(cookie, { secret: opts.cookieSecret });
  app.decorateRequest('user', null);
  app.decorateRequest('sessionToken', null);
  app.decorateReply('setSessionCookie', function (this: FastifyReply, token: string, maxAgeMs: number) {
    return this.setCookie(name, token, { ...cookieOptions, maxAge: Math.floor(maxAgeMs / 1000) });
  });
  app.decorateReply('clearSessionCookie', function (this: FastifyReply) {
    return this.clearCookie(name, cookieOptions);
  });

  app.addHook('onRequest', async (req, reply) => {
    if (isApi(req)) {
      const header = req.headers.authorization;
      if (!header) return;
      const m = /^Bearer\s+(\S+)$/i.exec(header);
      const user = m?.[1] ? userForToken(app.services, m[1]) : undefined;
      if (!user) throw new DomainError('unauthorized', 'The API token is not valid or has been revoked.');
      req.user = user;
      return;
    }
    const token = req.cookies[name];
    if (!token) return;
    const found = userForSession(app.services, token);
    if (found) {
      req.user = found.user;
      req.sessionToken = token;
      // The browser's copy expires when the database's does: extend both together.
      if (found.extendedUntil !== null) reply.setSessionCookie(token, found.extendedUntil - app.services.now());
    }
  });
}

export default fp(authPlugin, { name: 'auth', dependencies: ['services'] });
