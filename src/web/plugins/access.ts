// Authorization in one place. Every route under /admin, /sponsor, /account and
// /api/v1 declares `config.access`: 'public', or the roles allowed plus an
// ownership rule (the campaign or event in `:slug`, or the pledge or gift in `:id`).
// This hook enforces it before the body is even parsed; a route that forgets
// to declare a rule stops the app from starting.
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import { DomainError } from '../../domain/errors.ts';
import type { Role } from '../../db/users.ts';
import { mayAccess, type Ownership } from '../../services/permissions.ts';
import { isApi } from './auth.ts';

export type Access = 'public' | { roles: readonly Role[]; owns?: Ownership };

export interface RouteAccess {
  method: string;
  url: string;
  access: Access | undefined;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyInstance {
    /** Every route with its access rule, for the authorization table test and audits. */
    accessTable: readonly RouteAccess[];
  }
}

const guarded = ['/admin', '/sponsor', '/account', '/api/v1'];

function needsRule(url: string): boolean {
  return guarded.some((p) => url === p || url.startsWith(`${p}/`));
}

const refusals: Record<Ownership, (role: Role) => string> = {
  campaign: (role) => `You (${role}) are not assigned to this campaign; an administrator can assign you.`,
  pledge: (role) => `This pledge is not yours: it belongs to another sponsor or campaign (you are ${role}).`,
  gift: (role) => `This gift belongs to a campaign you (${role}) are not assigned to.`,
  event: (role) => `You (${role}) did not create this event and are not assigned to its campaign.`,
  order: (role) => `This order is for an event you (${role}) do not run.`,
  raffle: (role) => `This raffle is at an event or for a campaign you (${role}) do not run.`,
};

function paramOf(req: FastifyRequest, owns: Ownership): string | undefined {
  const params = req.params as Record<string, string | undefined>;
  return owns === 'campaign' || owns === 'event' ? params.slug : params.id;
}

function gate(app: FastifyInstance, rule: Exclude<Access, 'public'>): onRequestHookHandler {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    const user = req.user;
    if (!user) {
      if (isApi(req)) throw new DomainError('unauthorized', 'Send a valid API token: Authorization: Bearer <token>.');
      if (req.method === 'GET' || req.method === 'HEAD') {
        return reply.redirect(`/login?next=${encodeURIComponent(req.url)}`, 303);
      }
      throw new DomainError('unauthorized', 'Your session has ended. Log in again, then repeat what you were doing.');
    }
    if (!rule.roles.includes(user.role)) {
      throw new DomainError(
        'forbidden',
        isApi(req)
          ? `This needs the role ${rule.roles.join(' or ')}; your token's user is ${user.role}.`
          : `This page is for ${rule.roles.join(' or ')} accounts; you are logged in as ${user.role}.`,
      );
    }
    if (rule.owns) {
      const key = paramOf(req, rule.owns);
      if (key !== undefined && !mayAccess(app.services, user, rule.owns, key)) {
        throw new DomainError('forbidden', refusals[rule.owns](user.role));
      }
    }
    return undefined;
  };
}

async function accessPlugin(app: FastifyInstance) {
  const table: RouteAccess[] = [];
  app.decorate('accessTable', table);
  app.addHook('onRoute', (route) => {
    const access = route.config?.access;
    for (const method of Array.isArray(route.method) ? route.method : [route.method]) {
      if (method !== 'HEAD') table.push({ method, url: route.url, access });
    }
    if (access === undefined) {
      if (needsRule(route.url)) throw new Error(`${String(route.method)} ${route.url} declares no access rule`);
      return;
    }
    if (access === 'public') return;
    const existing = route.onRequest ? (Array.isArray(route.onRequest) ? route.onRequest : [route.onRequest]) : [];
    route.onRequest = [gate(app, access), ...existing];
  });
}

export default fp(accessPlugin, { name: 'access', dependencies: ['auth'] });
