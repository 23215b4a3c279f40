// Per-address rate limits on public endpoints that start a payment: they slow
// card testing and scripted abuse without any third-party CAPTCHA, and without
// blocking Tor or VPN users as a class (a limit per address, not a ban list).
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, RouteShorthandOptions } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../../config.ts';

/** Route options that apply the public-money limit (none when limits are off). */
export function moneyLimit(config: Config): Pick<RouteShorthandOptions, 'config'> {
  if (!config.rateLimits.enabled) return {};
  return { config: { rateLimit: { max: config.rateLimits.moneyPerMinute, timeWindow: 60_000 } } };
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
