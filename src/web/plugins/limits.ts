// Per-address rate limits on public endpoints that start a payment: they slow
// card testing and scripted abuse without any third-party CAPTCHA, and without
// blocking Tor or VPN users as a class (a limit per address, not a ban list).
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../../config.ts';

/** Spread into a route's `config`: its rate limit, or nothing when limits are off. */
export interface RouteLimit {
  rateLimit?: { max: number; timeWindow: number };
}

/** The limit on public endpoints that start a payment. */
export function moneyLimit(config: Config): RouteLimit {
  if (!config.rateLimits.enabled) return {};
  return { rateLimit: { max: config.rateLimits.moneyPerMinute, timeWindow: 60_000 } };
}

/** Login attempts per address: slows password guessing (accounts also lock, see services/sessions). */
export function loginLimit(config: Config): RouteLimit {
  if (!config.rateLimits.enabled) return {};
  return { rateLimit: { max: config.rateLimits.loginPer15Minutes, timeWindow: 15 * 60_000 } };
}

/** Password-reset requests per address: each one sends an e-mail. */
export function resetLimit(config: Config): RouteLimit {
  if (!config.rateLimits.enabled) return {};
  return { rateLimit: { max: config.rateLimits.resetPerHour, timeWindow: 60 * 60_000 } };
}

/** Invitations per address: each one sends an e-mail. */
export function inviteLimit(config: Config): RouteLimit {
  if (!config.rateLimits.enabled) return {};
  return { rateLimit: { max: config.rateLimits.invitePerHour, timeWindow: 60 * 60_000 } };
}

async function limitsPlugin(app: FastifyInstance, opts: { config: Config }) {
  if (!opts.config.rateLimits.enabled) return;
  await app.register(rateLimit, {
    global: false,
    // Thrown to the error handler, which answers a problem (API) or a page.
    errorResponseBuilder: (_req, ctx) =>
      Object.assign(new Error(`Too many attempts from your address. Please wait ${ctx.after} and try again.`), {
        statusCode: 429,
      }),
  });
}

export default fp(limitsPlugin, { name: 'limits' });
