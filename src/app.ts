// buildApp(options): plugins, then routes. Tests build exactly the same app
// and drive it with app.inject.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import formbody from '@fastify/formbody';
import helmet from '@fastify/helmet';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { Config } from './config.ts';
import type { Database } from './db/connection.ts';
import type { PaymentProvider } from './payments/provider.ts';
import { stripeProvider } from './payments/stripe-provider.ts';
import { testProvider } from './payments/test-provider.ts';
import { initSetting } from './db/settings.ts';
import { newSecret } from './db/ids.ts';
import { createServices, type Services } from './services/context.ts';
import admin from './web/admin/index.ts';
import apiV1 from './web/api/v1/index.ts';
import health from './web/health.ts';
import accessPlugin from './web/plugins/access.ts';
import authPlugin from './web/plugins/auth.ts';
import csrfPlugin from './web/plugins/csrf.ts';
import errorsPlugin from './web/plugins/errors.ts';
import limitsPlugin from './web/plugins/limits.ts';
import viewsPlugin from './web/plugins/views.ts';
import accountPages from './web/public/account.ts';
import orderChoices from './web/public/order-choices.ts';
import waitlistPages from './web/public/waitlist.ts';
import publicCampaigns from './web/public/campaigns.ts';
import calendarFeeds from './web/public/calendar.ts';
import publicEvents from './web/public/events.ts';
import publicRaffles from './web/public/raffles.ts';
import testCheckout from './web/public/test-checkout.ts';
import stripeWebhooks from './web/webhooks/stripe.ts';
import sponsor from './web/sponsor/index.ts';

declare module 'fastify' {
  interface FastifyInstance {
    services: Services;
    payments: PaymentProvider;
  }
}

export interface AppOptions {
  config: Config;
  db: Database;
  /** A clock for tests; the real one otherwise. */
  now?: () => number;
  provider?: PaymentProvider;
  logger?: boolean;
}

const here = dirname(fileURLToPath(import.meta.url));

/** Believes X-Forwarded-For from the nearest `hops` proxies. */
function trustHops(hops: number) {
  return (_address: string, hop: number) => hop < hops;
}

/** Stripe when configured (and not overridden), else the built-in test provider. */
function defaultProvider(config: Config): PaymentProvider {
  return config.paymentProvider === 'stripe' && config.stripe ? stripeProvider(config.stripe, config.baseUrl) : testProvider(config.baseUrl);
}

export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    // Requests are logged without the client's address: donors to this cause
    // may be watched, and a log is one more place that could give them away.
    logger:
      opts.logger === false
        ? false
        : { level: opts.config.logLevel, serializers: { req: (req: { method: string; url: string }) => ({ method: req.method, url: req.url }) } },
    trustProxy: typeof opts.config.trustProxy === 'number' ? trustHops(opts.config.trustProxy) : opts.config.trustProxy,
    bodyLimit: 64 * 1024,
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  const services: Services = createServices({ db: opts.db, config: opts.config, now: opts.now ?? Date.now });
  const payments = opts.provider ?? defaultProvider(opts.config);
  await app.register(
    fp(
      async (a) => {
        a.decorate('services', services);
        a.decorate('payments', payments);
        a.addHook('onClose', async () => {
          await services.mailer.close();
        });
      },
      { name: 'services' },
    ),
  );

  await app.register(helmet, {
    // Everything comes from Lantern itself: the policy makes the browser hold us to it.
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        baseUri: ["'self'"],
        // A payment form redirects to the provider's page (Stripe Checkout).
        formAction: ["'self'", ...payments.pageOrigins],
        frameAncestors: ["'none'"],
        imgSrc: ["'self'", 'data:'],
        objectSrc: ["'none'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        fontSrc: ["'self'"],
      },
    },
  });
  await app.register(limitsPlugin, { config: opts.config });
  await app.register(formbody);
  await app.register(viewsPlugin, { cache: opts.config.templateCache });
  await app.register(errorsPlugin);
  // Shared by every instance on this database, so a cookie signed by one is valid on all.
  const cookieSecret = await opts.db.write(() => initSetting(opts.db, 'cookie_secret', newSecret(32)));
  await app.register(authPlugin, { cookieSecret, secureCookies: opts.config.secureCookies });
  await app.register(csrfPlugin, { secureCookies: opts.config.secureCookies });
  await app.register(accessPlugin);
  await app.register(fastifyStatic, { root: resolve(here, 'web/assets'), prefix: '/assets/' });
  await app.register(fastifyStatic, {
    root: resolve(here, '../node_modules/@picocss/pico/css'),
    prefix: '/assets/pico/',
    decorateReply: false,
  });
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Lantern API',
        version: '1',
        description: 'Campaigns, gifts, exchange rates and matching pledges. Money is an object {"amount": 1500000, "currency": "USD"} whose amount counts the currency’s minor units (cents; KRW and JPY have none).',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, {
    routePrefix: '/api/docs',
    // Swagger UI needs its own inline script and style hashes; keep them, but
    // drop the outside sources its default policy allows.
    staticCSP: true,
    transformStaticCSP: (header: string) =>
      header.replace(/ https:/g, '').replace(' validator.swagger.io', '').replace(/ ?upgrade-insecure-requests;/, ''),
    uiConfig: { validatorUrl: null },
  });

  await app.register(health);
  await app.register(apiV1, { prefix: '/api/v1' });
  await app.register(publicCampaigns);
  await app.register(calendarFeeds);
  await app.register(publicEvents);
  await app.register(publicRaffles);
  await app.register(testCheckout);
  await app.register(stripeWebhooks);
  await app.register(accountPages);
  await app.register(orderChoices);
  await app.register(waitlistPages);
  await app.register(admin);
  await app.register(sponsor);
  return app;
}
