// API authentication and authorization in one place: a Bearer token resolves
// to its user; `requireRole` is the only gate routes use.
import type { FastifyInstance, FastifyRequest, onRequestHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import { DomainError } from '../../domain/errors.ts';
import type { Role, UserRow } from '../../db/users.ts';
import type { Actor } from '../../services/context.ts';
import { userForToken } from '../../services/users.ts';

declare module 'fastify' {
  interface FastifyRequest {
    user: UserRow | null;
  }
}

export function actorOf(req: FastifyRequest): Actor {
  const u = req.user;
  return { userId: u?.id ?? null, label: u?.email ?? 'guest', role: u?.role ?? null, ip: req.ip };
}

/** Runs as an onRequest hook: who may call a route is settled before its body is even parsed. */
export function requireRole(...roles: Role[]): onRequestHookHandler {
  return async (req) => {
    if (!req.user) {
      throw new DomainError('unauthorized', 'Send a valid API token: Authorization: Bearer <token>.');
    }
    if (!roles.includes(req.user.role)) {
      throw new DomainError('forbidden', `This needs the role ${roles.join(' or ')}; your token's user is ${req.user.role}.`);
    }
  };
}

async function authPlugin(app: FastifyInstance) {
  app.decorateRequest('user', null);
  app.addHook('onRequest', async (req) => {
    const header = req.headers.authorization;
    if (!header) return;
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    const user = m?.[1] ? userForToken(app.services, m[1]) : undefined;
    if (!user) throw new DomainError('unauthorized', 'The API token is not valid or has been revoked.');
    req.user = user;
  });
}

export default fp(authPlugin, { name: 'auth', dependencies: ['services'] });
