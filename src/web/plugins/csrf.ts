// CSRF protection for every state-changing form, applied in one place: each
// non-GET route outside the JSON API gets the token check (the API uses
// Bearer tokens, which a foreign site cannot make a browser send). The token
// secret lives in a signed, HttpOnly, SameSite=Lax cookie.
import csrf from '@fastify/csrf-protection';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** `false` only for endpoints called by machines with their own proof (signed webhooks). */
    csrf?: boolean;
  }
}

const changes = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

async function csrfPlugin(app: FastifyInstance, opts: { secureCookies: boolean }) {
  await app.register(csrf, {
    sessionPlugin: '@fastify/cookie',
    cookieKey: opts.secureCookies ? '__Host-lantern_csrf' : 'lantern_csrf',
    cookieOpts: { path: '/', sameSite: 'lax', httpOnly: true, signed: true, secure: opts.secureCookies },
    getToken: (req) => {
      const body = req.body as Record<string, unknown> | undefined;
      const field = body?._csrf;
      return typeof field === 'string' ? field : (req.headers['x-csrf-token'] as string | undefined);
    },
  });
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (!methods.some((m) => changes.has(m)) || route.url.startsWith('/api/') || route.config?.csrf === false) return;
    const existing = route.preHandler ? (Array.isArray(route.preHandler) ? route.preHandler : [route.preHandler]) : [];
    route.preHandler = [app.csrfProtection, ...existing];
  });
}

export default fp(csrfPlugin, { name: 'csrf', dependencies: ['auth'] });
