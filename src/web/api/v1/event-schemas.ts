// zod schemas of the events API. Times are ISO 8601 date-times: without an
// offset they are wall times in the event's time zone ("2026-12-05T19:00"),
// with one they are instants; answers give both at once, as wall times with
// the zone's offset ("2026-12-05T19:00:00+09:00").
import { z } from 'zod';
import { exponentOf, isCurrency, MAX_MAJOR_UNITS } from '../../../domain/money.ts';
import { eventKinds, eventStatuses } from '../../../db/schema.ts';
import { currencySchema, moneyOut, slugSchema } from './schemas.ts';

const text = (max: number) => z.string().trim().min(1, 'Required').max(max, `At most ${max} characters`);
const webUrl = z.url({ protocol: /^https?$/, message: 'Use a web address starting with https://' }).max(500);

const localDateTime = z
  .string()
  .regex(
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}(:?\d{2})?)?$/i,
    'Use a date and time such as 2026-12-05T19:00 (local time), or one with an offset such as 2026-12-05T19:00+09:00',
  );

/** Money that may be zero: a free RSVP, a pay-what-you-want minimum of nothing. */
export const priceSchema = z
  .strictObject({
    amount: z.number().int('The amount must be a whole number of minor units').min(0, 'The amount cannot be negative'),
    currency: currencySchema,
  })
  .superRefine((m, ctx) => {
    if (!isCurrency(m.currency)) return;
    if (m.amount > MAX_MAJOR_UNITS * 10 ** exponentOf(m.currency)) {
      ctx.addIssue({ code: 'custom', path: ['amount'], message: `The amount must be at most ${MAX_MAJOR_UNITS} ${m.currency}` });
    }
  })
  .meta({ description: 'Money as an integer count of the currency’s minor units; zero allowed' });

const venue = z.strictObject({ name: text(200), address: text(300), city: text(100), country: text(100) });
const host = z.strictObject({ name: text(200), url: webUrl.optional() });
const speaker = z.strictObject({ name: text(200), bio: z.string().trim().max(1000).optional() });
const count = (max: number) => z.number().int('A whole number').min(1, 'At least 1').max(max, `At most ${max}`);

const eventFields = {
  title: text(200),
  description: z.string().max(20_000).optional(),
  kind: z.enum(eventKinds),
  timezone: text(64).meta({ description: 'IANA time zone, e.g. Asia/Seoul or America/Regina' }),
  startsAt: localDateTime,
  endsAt: localDateTime,
  venue: venue.optional(),
  onlineUrl: webUrl.optional(),
  seriesSlug: slugSchema.optional(),
  campaignSlug: slugSchema.optional(),
  currency: currencySchema.optional().meta({ description: 'Ticket prices’ currency; defaults to the campaign’s' }),
  capacity: count(1_000_000).optional(),
  hosts: z.array(host).max(20).optional(),
  speakers: z.array(speaker).max(50).optional(),
};

export const eventCreate = z.strictObject({
  slug: slugSchema,
  ...eventFields,
  status: z.enum(['draft', 'published']).default('draft'),
});

export const eventPatch = z.strictObject({
  title: eventFields.title.optional(),
  description: eventFields.description,
  kind: eventFields.kind.optional(),
  timezone: eventFields.timezone.optional(),
  startsAt: localDateTime.optional(),
  endsAt: localDateTime.optional(),
  venue: venue.nullable().optional(),
  onlineUrl: webUrl.nullable().optional(),
  seriesSlug: slugSchema.nullable().optional(),
  campaignSlug: slugSchema.nullable().optional(),
  currency: eventFields.currency,
  capacity: count(1_000_000).nullable().optional(),
  hosts: eventFields.hosts,
  speakers: eventFields.speakers,
  status: z.enum(eventStatuses).optional(),
});

export const ticketTypeCreate = z.strictObject({
  name: text(200),
  description: z.string().trim().max(2000).optional(),
  price: priceSchema,
  minPrice: priceSchema.optional().meta({ description: 'Pay what you want, at least this much; price is then the suggestion' }),
  quantity: count(1_000_000),
  salesStart: localDateTime.optional(),
  salesEnd: localDateTime.optional(),
  minPerOrder: count(1000).optional(),
  maxPerOrder: count(1000).optional(),
});

export const eventQuery = z.strictObject({
  when: z.enum(['upcoming', 'past']).default('upcoming'),
  kind: z.enum(eventKinds).optional(),
  city: z.string().trim().max(100).optional(),
});

export const ticketTypeOut = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  price: moneyOut,
  minPrice: moneyOut.nullable(),
  quantity: z.number().int(),
  sold: z.number().int(),
  held: z.number().int(),
  available: z.number().int(),
  salesStart: z.string().nullable(),
  salesEnd: z.string().nullable(),
  salesOpen: z.boolean(),
  minPerOrder: z.number().int(),
  maxPerOrder: z.number().int(),
});

export const eventOut = z.object({
  slug: z.string(),
  title: z.string(),
  description: z.string(),
  kind: z.string(),
  status: z.string(),
  timezone: z.string(),
  startsAt: z.string(),
  endsAt: z.string(),
  venue: z.object({ name: z.string(), address: z.string(), city: z.string(), country: z.string() }).nullable(),
  onlineUrl: z.string().nullable(),
  series: z.object({ slug: z.string(), title: z.string() }).nullable(),
  campaign: z.object({ slug: z.string(), title: z.string() }).nullable(),
  currency: z.string(),
  capacity: z.number().int().nullable(),
  available: z.number().int(),
  hosts: z.array(z.object({ name: z.string(), url: z.string().optional() })),
  speakers: z.array(z.object({ name: z.string(), bio: z.string().optional() })),
  url: z.string(),
  calendarUrl: z.string(),
});

export const eventDetailOut = eventOut.extend({ ticketTypes: z.array(ticketTypeOut) });
