// JSON API v1, events: the public list and detail (with seats sold, held and
// available per ticket type), and for admins and organizers creating and
// changing events and adding ticket types.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { DateTime } from 'luxon';
import { z } from 'zod';
import type { EventRow } from '../../../db/events.ts';
import {
  addTicketType,
  createEvent,
  eventView,
  getEvent,
  getPublicEvent,
  listPublicEvents,
  patchEvent,
  type EventView,
  type TicketTypeView,
} from '../../../services/events.ts';
import { actorOf } from '../../plugins/auth.ts';
import * as e from './event-schemas.ts';
import { slugParams } from './schemas.ts';
import { withProps } from '../../../objects.ts';

const bearer = [{ bearer: [] }];
const problem = z.object({ type: z.string(), title: z.string(), status: z.number(), detail: z.string() }).loose();

/** An instant as the event's wall time with its offset: "2026-12-05T19:00:00+09:00". */
function zoned(ms: number, zone: string): string {
  return DateTime.fromMillis(ms, { zone }).toISO({ suppressMilliseconds: true }) ?? new Date(ms).toISOString();
}

function ticketTypeJson(t: TicketTypeView, event: EventRow) {
  return {
    id: t.id,
    name: t.name,
    description: t.description,
    price: t.price,
    minPrice: t.minPrice,
    quantity: t.quantity,
    sold: t.sold,
    held: t.held,
    available: t.available,
    salesStart: t.salesStart === null ? null : zoned(t.salesStart, event.timezone),
    salesEnd: t.salesEnd === null ? null : zoned(t.salesEnd, event.timezone),
    salesOpen: t.salesOpen,
    minPerOrder: t.minPerOrder,
    maxPerOrder: t.maxPerOrder,
  };
}

function eventJson(v: EventView, baseUrl: string) {
  const ev = v.event;
  return {
    slug: ev.slug,
    title: ev.title,
    description: ev.description,
    kind: ev.kind,
    status: ev.status,
    timezone: ev.timezone,
    startsAt: zoned(ev.startsAt, ev.timezone),
    endsAt: zoned(ev.endsAt, ev.timezone),
    venue: v.venue,
    onlineUrl: ev.onlineUrl,
    series: v.series && { slug: v.series.slug, title: v.series.title },
    campaign: v.campaign && { slug: v.campaign.slug, title: v.campaign.title },
    currency: ev.currency,
    capacity: ev.capacity,
    available: v.available,
    hosts: v.hosts.map((h) => ({ name: h.name, ...(h.url && { url: h.url }) })),
    speakers: v.speakers.map((sp) => ({ name: sp.name, ...(sp.bio && { bio: sp.bio }) })),
    url: `${baseUrl}/events/${ev.slug}`,
    calendarUrl: `${baseUrl}/events/${ev.slug}.ics`,
  };
}

function eventDetailJson(v: EventView, baseUrl: string) {
  return withProps(eventJson(v, baseUrl), { ticketTypes: v.ticketTypes.map((t) => ticketTypeJson(t, v.event)) });
}

export default async function eventsApi(root: FastifyInstance) {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const svc = root.services;
  const base = svc.config.baseUrl;

  app.get(
    '/events',
    {
      config: { access: 'public' },
      schema: { tags: ['public'], summary: 'Published events, upcoming (soonest first) or past (latest first)', querystring: e.eventQuery, response: { 200: z.object({ events: z.array(e.eventOut) }), 400: problem } },
    },
    async (req) => {
      const q = req.query;
      const events = listPublicEvents(svc, { when: q.when, ...(q.kind && { kind: q.kind }), ...(q.city && { city: q.city }) });
      return { events: events.map((ev) => eventJson(eventView(svc, ev), base)) };
    },
  );

  app.get(
    '/events/:slug',
    {
      config: { access: 'public' },
      schema: { tags: ['public'], summary: 'One event with its ticket types and the seats sold, held and available', params: slugParams, response: { 200: e.eventDetailOut, 404: problem } },
    },
    async (req) => eventDetailJson(eventView(svc, getPublicEvent(svc, req.params.slug)), base),
  );

  // Admin and organizer routes below.
  app.post(
    '/events',
    {
      config: { access: { roles: ['admin', 'organizer'] } },
      schema: { tags: ['admin'], security: bearer, summary: 'Create an event', body: e.eventCreate, response: { 201: e.eventDetailOut, 400: problem, 401: problem, 403: problem, 409: problem } },
    },
    async (req, reply) => {
      const ev = await createEvent(svc, actorOf(req), req.body);
      return reply.code(201).send(eventDetailJson(eventView(svc, ev), base));
    },
  );

  app.patch(
    '/events/:slug',
    {
      config: { access: { roles: ['admin', 'organizer'], owns: 'event' } },
      schema: { tags: ['admin'], security: bearer, summary: 'Change an event; every change raises its calendar SEQUENCE', params: slugParams, body: e.eventPatch, response: { 200: e.eventDetailOut, 400: problem, 401: problem, 403: problem, 404: problem, 409: problem } },
    },
    async (req) => {
      const ev = await patchEvent(svc, actorOf(req), req.params.slug, req.body);
      return eventDetailJson(eventView(svc, ev), base);
    },
  );

  app.post(
    '/events/:slug/ticket-types',
    {
      config: { access: { roles: ['admin', 'organizer'], owns: 'event' } },
      schema: { tags: ['admin'], security: bearer, summary: 'Add a ticket type to an event', params: slugParams, body: e.ticketTypeCreate, response: { 201: e.ticketTypeOut, 400: problem, 401: problem, 403: problem, 404: problem, 409: problem } },
    },
    async (req, reply) => {
      const added = await addTicketType(svc, actorOf(req), req.params.slug, req.body);
      const view = eventView(svc, getEvent(svc, req.params.slug));
      const t = view.ticketTypes.find((x) => x.id === added.id);
      if (!t) throw new Error(`ticket type ${added.id} vanished`);
      return reply.code(201).send(ticketTypeJson(t, view.event));
    },
  );
}
