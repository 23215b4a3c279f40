// Environment → typed, validated configuration. A bad value stops start-up with
// a message naming the variable, before anything listens or touches the database.
import { z } from 'zod';
import { ValidationError } from './domain/errors.ts';
import { parseFixedFees, parsePercent, type ProcessingFee } from './domain/fees.ts';
import { isCurrency, parseMoney, type Money } from './domain/money.ts';

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_PATH: z.string().min(1).default('./data/lantern.db'),
  BASE_URL: z.url({ protocol: /^https?$/ }).optional(),
  LOG_LEVEL: z.enum(logLevels).default('info'),
  PENDING_GIFT_MINUTES: z.coerce.number().int().min(1).max(7 * 24 * 60).default(60),
  ORDER_HOLD_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(15),
  WAITLIST_CLAIM_HOURS: z.coerce.number().int().min(1).max(14 * 24).default(24),
  TEMPLATE_CACHE: z.enum(['on', 'off']).default('on'),
  RATE_LIMITS: z.enum(['on', 'off']).default('on'),
  RATE_LIMIT_MONEY: z.coerce.number().int().min(1).max(100_000).default(20),
  RATE_LIMIT_LOGIN: z.coerce.number().int().min(1).max(100_000).default(10),
  RATE_LIMIT_RESET: z.coerce.number().int().min(1).max(100_000).default(5),
  RATE_LIMIT_INVITE: z.coerce.number().int().min(1).max(100_000).default(30),
  RATE_LIMIT_MONEY_EMAIL: z.coerce.number().int().min(1).max(100_000).default(10),
  PAYMENT_FAILURE_LIMIT: z.coerce.number().int().min(1).max(1000).default(5),
  PAYMENT_FAILURE_WINDOW_MINUTES: z.coerce.number().int().min(1).max(7 * 24 * 60).default(60),
  PAYMENT_PAUSE_MINUTES: z.coerce.number().int().min(1).max(7 * 24 * 60).default(30),
  MIN_ONLINE_GIFT: z
    .string()
    .regex(/^\s*\d[\d,]*(\.\d+)?\s+[A-Z]{3}\s*$/, 'Use an amount and a currency code, such as 5 USD')
    .refine((v) => isCurrency(v.trim().split(/\s+/)[1] ?? ''), 'Unknown currency code')
    .optional(),
  LOGIN_LOCKOUT_ATTEMPTS: z.coerce.number().int().min(1).max(1000).default(5),
  LOGIN_LOCKOUT_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(15),
  SESSION_DAYS: z.coerce.number().int().min(1).max(365).default(14),
  SMTP_URL: z.url({ protocol: /^smtps?$/ }).optional(),
  TRUST_PROXY: z
    .string()
    .regex(/^(off|on|\d{1,2}|[\d.:/a-fA-F]+(,[\d.:/a-fA-F]+)*)$/, 'Use off, on, a number of proxy hops, or a comma-separated list of proxy addresses')
    .default('off'),
  MAIL_FROM: z.string().min(3).optional(),
  STRIPE_SECRET_KEY: z.string().regex(/^(sk|rk)_(test|live)_\w+$/, 'Use a Stripe secret key (sk_test_… or sk_live_…)').optional(),
  STRIPE_WEBHOOK_SECRET: z.string().regex(/^whsec_\w+$/, 'Use the signing secret of the webhook endpoint (whsec_…)').optional(),
  STRIPE_API_BASE: z.url({ protocol: /^https?$/ }).optional(),
  PAYMENT_PROVIDER: z.enum(['test', 'stripe']).optional(),
  PROCESSING_FEE_PERCENT: z.string().trim().min(1).optional(),
  PROCESSING_FEE_FIXED: z.string().trim().min(1).optional(),
});

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly databasePath: string;
  readonly baseUrl: string;
  readonly logLevel: (typeof logLevels)[number];
  /** How long a pending online gift waits for its payment before it expires. */
  readonly pendingGiftMinutes: number;
  /** How long a pending ticket order holds its seats while the buyer pays. */
  readonly orderHoldMinutes: number;
  /** How long a seat offered to the waiting list stays held for the person it is offered to. */
  readonly waitlistClaimHours: number;
  /** Eta template cache; off only while editing views. */
  readonly templateCache: boolean;
  /** Per-address limits on public endpoints; off only for load tests on loopback. */
  readonly rateLimits: {
    readonly enabled: boolean;
    readonly moneyPerMinute: number;
    /** Login attempts per address per 15 minutes. */
    readonly loginPer15Minutes: number;
    /** Password-reset requests per address per hour. */
    readonly resetPerHour: number;
    /** Invitations sent per address per hour. */
    readonly invitePerHour: number;
    /** Payment starts per e-mail address per hour (the address limit is `moneyPerMinute`). */
    readonly moneyPerEmailPerHour: number;
  };
  /**
   * Card testing: `limit` declined or expired checkouts from one address or
   * e-mail within `windowMinutes` refuse new payment starts from it for
   * `pauseMinutes`. Off with the other limits (RATE_LIMITS=off).
   */
  readonly paymentFailures: { readonly limit: number; readonly windowMinutes: number; readonly pauseMinutes: number };
  /** The smallest online gift, compared in its currency (converted when the gift is in another); null for none. */
  readonly minOnlineGift: Money | null;
  /** Failed passwords in a row that lock an account, and for how long. */
  readonly lockout: { readonly attempts: number; readonly minutes: number };
  /** How long a browser session lasts without being used. */
  readonly sessionDays: number;
  /** Without an SMTP URL, mail waits in the outbox for an admin to read in the console. */
  readonly smtpUrl: string | null;
  readonly mailFrom: string;
  /**
   * Whom to believe about the client's address (X-Forwarded-For): nobody
   * (false), the nearest N proxies, or these proxy addresses. Per-address
   * limits and the audit log need the real address behind a TLS proxy.
   */
  readonly trustProxy: boolean | number | string;
  /** Cookies get the Secure flag when the site is served over https. */
  readonly secureCookies: boolean;
  /** Stripe, when its keys are set. */
  readonly stripe: { readonly secretKey: string; readonly webhookSecret: string; readonly apiBase: string | null } | null;
  /** Who takes payments: Stripe when configured, else the built-in test provider (PAYMENT_PROVIDER=test keeps it on). */
  readonly paymentProvider: 'test' | 'stripe';
  /**
   * The card processor's fee, for donors who choose to cover it on the donate
   * form; null (the option is not offered) unless PROCESSING_FEE_PERCENT is set.
   */
  readonly processingFee: ProcessingFee | null;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** "5 USD" → 500 USD minor units; a bad amount stops start-up with the variable's name. */
function minimumGift(text: string): Money {
  const [amount = '', currency = ''] = text.trim().split(/\s+/);
  try {
    return parseMoney(amount, currency);
  } catch (err) {
    throw new ConfigError(`Invalid configuration:\n  MIN_ONLINE_GIFT: ${(err as Error).message}`);
  }
}

/** PROCESSING_FEE_PERCENT and PROCESSING_FEE_FIXED, parsed exactly; a bad value stops start-up with the variable's name. */
function processingFee(percent: string | undefined, fixed: string | undefined): ProcessingFee | null {
  if (percent === undefined) {
    if (fixed !== undefined) throw new ConfigError('Invalid configuration:\n  PROCESSING_FEE_FIXED: set PROCESSING_FEE_PERCENT too (the fixed part alone is not offered)');
    return null;
  }
  const parse = <T>(name: string, run: () => T): T => {
    try {
      return run();
    } catch (err) {
      if (err instanceof ValidationError) throw new ConfigError(`Invalid configuration:\n  ${name}: ${err.message}`);
      throw err;
    }
  };
  return {
    millionths: parse('PROCESSING_FEE_PERCENT', () => parsePercent(percent)),
    fixed: fixed === undefined ? {} : parse('PROCESSING_FEE_FIXED', () => parseFixedFees(fixed)),
  };
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  if ((e.STRIPE_SECRET_KEY === undefined) !== (e.STRIPE_WEBHOOK_SECRET === undefined)) {
    throw new ConfigError('Invalid configuration:\n  STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET: set both (the webhook endpoint must be verified) or neither');
  }
  const stripe = e.STRIPE_SECRET_KEY && e.STRIPE_WEBHOOK_SECRET ? { secretKey: e.STRIPE_SECRET_KEY, webhookSecret: e.STRIPE_WEBHOOK_SECRET, apiBase: e.STRIPE_API_BASE ?? null } : null;
  if (e.PAYMENT_PROVIDER === 'stripe' && !stripe) {
    throw new ConfigError('Invalid configuration:\n  PAYMENT_PROVIDER: stripe needs STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET');
  }
  const baseUrl = (e.BASE_URL ?? `http://${e.HOST === '0.0.0.0' ? 'localhost' : e.HOST}:${e.PORT}`).replace(/\/$/, '');
  return {
    port: e.PORT,
    host: e.HOST,
    databasePath: e.DATABASE_PATH,
    baseUrl,
    logLevel: e.LOG_LEVEL,
    pendingGiftMinutes: e.PENDING_GIFT_MINUTES,
    orderHoldMinutes: e.ORDER_HOLD_MINUTES,
    waitlistClaimHours: e.WAITLIST_CLAIM_HOURS,
    templateCache: e.TEMPLATE_CACHE === 'on',
    rateLimits: {
      enabled: e.RATE_LIMITS === 'on',
      moneyPerMinute: e.RATE_LIMIT_MONEY,
      loginPer15Minutes: e.RATE_LIMIT_LOGIN,
      resetPerHour: e.RATE_LIMIT_RESET,
      invitePerHour: e.RATE_LIMIT_INVITE,
      moneyPerEmailPerHour: e.RATE_LIMIT_MONEY_EMAIL,
    },
    paymentFailures: { limit: e.PAYMENT_FAILURE_LIMIT, windowMinutes: e.PAYMENT_FAILURE_WINDOW_MINUTES, pauseMinutes: e.PAYMENT_PAUSE_MINUTES },
    minOnlineGift: e.MIN_ONLINE_GIFT === undefined ? null : minimumGift(e.MIN_ONLINE_GIFT),
    lockout: { attempts: e.LOGIN_LOCKOUT_ATTEMPTS, minutes: e.LOGIN_LOCKOUT_MINUTES },
    sessionDays: e.SESSION_DAYS,
    smtpUrl: e.SMTP_URL ?? null,
    mailFrom: e.MAIL_FROM ?? `Lantern <lantern@${new URL(baseUrl).hostname}>`,
    secureCookies: baseUrl.startsWith('https:'),
    stripe,
    paymentProvider: e.PAYMENT_PROVIDER ?? (stripe ? 'stripe' : 'test'),
    processingFee: processingFee(e.PROCESSING_FEE_PERCENT, e.PROCESSING_FEE_FIXED),
    trustProxy: e.TRUST_PROXY === 'off' ? false : e.TRUST_PROXY === 'on' ? true : /^\d+$/.test(e.TRUST_PROXY) ? Number(e.TRUST_PROXY) : e.TRUST_PROXY,
  };
}
