// zod schemas of the JSON API: they validate requests, shape responses and
// feed the OpenAPI document. Unknown fields are refused (strict objects).
import { z } from 'zod';
import { exponentOf, isCurrency, MAX_MAJOR_UNITS } from '../../../domain/money.ts';
import { slugPattern } from '../../../services/campaigns.ts';

export const currencySchema = z
  .string()
  .regex(/^[A-Z]{3}$/, 'Use a three-letter ISO 4217 code such as USD')
  .refine(isCurrency, 'This currency is not supported');

/** Money in minor units: {"amount": 1500000, "currency": "USD"}. */
export const moneySchema = z
  .strictObject({
    amount: z.number().int('The amount must be a whole number of minor units').positive('The amount must be more than zero'),
    currency: currencySchema,
  })
  .superRefine((m, ctx) => {
    if (!isCurrency(m.currency)) return;
    if (m.amount > MAX_MAJOR_UNITS * 10 ** exponentOf(m.currency)) {
      ctx.addIssue({ code: 'custom', path: ['amount'], message: `The amount must be at most ${MAX_MAJOR_UNITS} ${m.currency}` });
    }
  })
  .meta({ description: 'Money as an integer count of the currency’s minor units' });

export const moneyOut = z.object({ amount: z.number().int(), currency: z.string() });

export const slugSchema = z
  .string()
  .min(3, 'At least 3 characters')
  .max(60, 'At most 60 characters')
  .regex(slugPattern, 'Use lower-case letters, digits and single hyphens, e.g. rescue-fund');

export const dateTimeSchema = z.iso
  .datetime({ offset: true, message: 'Use an ISO 8601 date-time such as 2026-12-31T23:59:59Z' })
  .transform((s) => Date.parse(s));

const text = (max: number) => z.string().trim().min(1, 'Required').max(max, `At most ${max} characters`);
const email = z.email('Enter a valid e-mail address').max(254).transform((e) => e.toLowerCase());

export const campaignCreate = z.strictObject({
  slug: slugSchema,
  title: text(200),
  story: z.string().max(50_000).optional(),
  currency: currencySchema,
  goal: moneySchema,
  impact: z.strictObject({ unit: text(60), unitCost: moneySchema }).optional(),
  startsAt: dateTimeSchema.optional(),
  endsAt: dateTimeSchema.optional(),
  status: z.enum(['draft', 'published', 'closed']).default('draft'),
});

export const campaignPatch = z.strictObject({
  title: text(200).optional(),
  story: z.string().max(50_000).optional(),
  goal: moneySchema.optional(),
  impact: z.strictObject({ unit: text(60), unitCost: moneySchema }).nullable().optional(),
  startsAt: dateTimeSchema.nullable().optional(),
  endsAt: dateTimeSchema.nullable().optional(),
  status: z.enum(['draft', 'published', 'closed']).optional(),
});

export const pledgeOut = z.object({
  id: z.string(),
  sponsor: z.string(),
  ratio: z.string(),
  cap: moneyOut,
  allocated: moneyOut,
  remaining: moneyOut,
  status: z.string(),
  message: z.string().nullable(),
  unlock: z.object({ kind: z.enum(['raised', 'donors']), threshold: z.number() }).nullable(),
  wouldAdd: moneyOut.nullable().meta({ description: 'For a locked challenge pledge: what it would match if it unlocked now' }),
});

export const campaignOut = z.object({
  slug: z.string(),
  title: z.string(),
  status: z.string(),
  currency: z.string(),
  goal: moneyOut,
  raised: moneyOut.describe('gifts + tickets + raffles, net of refunds'),
  breakdown: z.object({ gifts: moneyOut, tickets: moneyOut, raffles: moneyOut }),
  matched: moneyOut,
  total: moneyOut,
  donorCount: z.number().int(),
  giftCount: z.number().int(),
  impact: z.object({ unit: z.string(), unitCost: moneyOut, unitsFunded: z.number().int() }).optional(),
  startsAt: z.string().nullable(),
  endsAt: z.string().nullable(),
  matches: z.array(pledgeOut),
  url: z.string(),
});

export const donationCreate = z.strictObject({
  amount: moneySchema,
  donor: z.strictObject({ name: text(200), email }),
  anonymous: z.boolean().default(false),
  showAmount: z.boolean().default(true),
  comment: z.string().trim().max(1000).optional(),
  coverFee: z
    .boolean()
    .default(false)
    .meta({ description: 'Add the processing fee to the charge (not to the gift); refused with 422 where the installation does not offer it' }),
});

export const donationOut = z.object({
  id: z.string(),
  status: z.string(),
  amount: moneyOut,
  feeCover: moneyOut.meta({ description: 'What the donor adds for the processing fee: charged, but not part of the gift' }),
  charged: moneyOut.meta({ description: 'What the checkout charges: the amount and the fee cover' }),
  checkoutUrl: z.string(),
});

export const giftCreate = z.strictObject({
  amount: moneySchema,
  donor: z.strictObject({ name: text(200), email: email.optional() }),
  anonymous: z.boolean().default(false),
  showAmount: z.boolean().default(true),
  comment: z.string().trim().max(1000).optional(),
  method: z.enum(['cash', 'cheque', 'bank_transfer', 'other']),
  receivedAt: dateTimeSchema.optional(),
  eventId: z.string().trim().min(1).max(100).optional(),
  note: z.string().trim().max(1000).optional(),
  sendReceipt: z.boolean().optional().meta({ description: "E-mail the donor a receipt (needs donor.email); off by default, as imported gifts were thanked elsewhere" }),
});

export const giftOut = z.object({
  id: z.string(),
  status: z.string(),
  amount: moneyOut,
  campaignAmount: moneyOut.nullable(),
  rate: z.string().nullable(),
  matched: moneyOut,
  refunded: moneyOut,
  feeCover: moneyOut.meta({ description: 'Charged with the gift for the processing fee; not part of the gift, never matched' }),
  feeCoverRefunded: moneyOut,
});

export const giftAdminOut = giftOut.extend({
  donor: z.object({ name: z.string(), email: z.string().nullable() }),
  anonymous: z.boolean(),
  comment: z.string().nullable(),
  source: z.string(),
  method: z.string(),
  createdAt: z.string(),
  succeededAt: z.string().nullable(),
});

/** An empty body refunds everything that remains. */
export const refundCreate = z
  .strictObject({
    amount: moneySchema.optional(),
    reason: z.string().trim().max(500).optional(),
  })
  .default({});

export const rateCreate = z.strictObject({
  base: currencySchema,
  quote: currencySchema,
  rate: z.string().regex(/^\d+(\.\d+)?$/, 'Write the rate as a decimal such as 0.00074 or 1.35'),
  effectiveAt: dateTimeSchema.optional(),
});

export const rateOut = z.object({ id: z.string(), base: z.string(), quote: z.string(), rate: z.string(), effectiveAt: z.string() });

export const pledgeCreate = z
  .strictObject({
    sponsor: z.strictObject({ name: text(200), email: email.optional() }),
    anonymous: z.boolean().default(false),
    message: z.string().trim().max(500).optional(),
    ratio: z.string().regex(/^\s*\d+\s*:\s*\d+\s*$/, 'Write the ratio as sponsor:donor, e.g. 1:1 or 2:1'),
    cap: moneySchema.optional(),
    capUnits: z.number().int().positive().optional(),
    startsAt: dateTimeSchema.optional(),
    endsAt: dateTimeSchema.optional(),
    minGift: moneySchema.optional(),
    maxPerGift: moneySchema.optional(),
    maxPerDonor: moneySchema.optional(),
    /** Kinds of gifts matched (all when absent); "raffle" adds raffle proceeds, matched only when named. */
    sources: z.array(z.enum(['online', 'offline', 'event', 'raffle'])).min(1).optional(),
    priority: z.number().int().min(0).max(1_000_000).optional(),
    stacking: z.boolean().optional(),
    unlock: z
      .discriminatedUnion('kind', [
        z.strictObject({ kind: z.literal('raised'), threshold: moneySchema }),
        z.strictObject({ kind: z.literal('donors'), threshold: z.number().int().positive() }),
      ])
      .optional(),
  })
  .refine((p) => (p.cap === undefined) !== (p.capUnits === undefined), {
    message: 'Give either cap (money) or capUnits (impact units)',
    path: ['cap'],
  });

export const statementOut = z.object({
  pledge: pledgeOut,
  campaign: z.object({ slug: z.string(), title: z.string() }),
  matched: moneyOut,
  remaining: moneyOut,
  owed: moneyOut,
  wouldAdd: moneyOut,
  gifts: z.array(z.object({ donor: z.string(), gift: moneyOut, value: moneyOut, matched: moneyOut, at: z.string().nullable() })),
});

export const slugParams = z.strictObject({ slug: slugSchema });
export const idParams = z.strictObject({ id: z.string().min(1).max(100) });
export const idempotencyHeaders = z.object({
  'idempotency-key': z.string().min(8, 'Use at least 8 characters').max(200).optional(),
});
export const pageQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});
