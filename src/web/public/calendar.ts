// Calendar feeds: /events.ics (every upcoming event, for subscribing),
// /events/:slug.ics (one event) and /series/:slug.ics (a tour). Each file is
// built once per database change and served from memory with an ETag, so a
// calendar app polling the feed costs a map lookup, or a 304.
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { eventCalendar, seriesCalendar, upcomingEventsCalendar, type CalendarFile } from '../../services/calendar.ts';
import { maxCacheAgeMs, ReadCache } from '../../services/read-cache.ts';

interface Cached {
  ics: string;
  etag: string;
}

function matches(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  if (header.trim() === '*') return true;
  // Weak comparison (RFC 9110 §13.1.2): W/"x" matches "x".
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}

export default async function calendarFeeds(app: FastifyInstance) {
  const svc = app.services;
  const cache = new ReadCache<Cached>();

  function send(req: FastifyRequest, reply: FastifyReply, key: string, filename: string, build: () => CalendarFile) {
    const now = svc.now();
    const version = svc.db.version();
    let file = cache.get(key, version, now);
    if (file === undefined) {
      const built = build();
      file = { ics: built.ics, etag: `"${createHash('sha256').update(built.ics).digest('base64url').slice(0, 32)}"` };
      cache.set(key, version, Math.min(built.changesAt, now + maxCacheAgeMs), file);
    }
    reply
      .header('cache-control', 'public, max-age=300')
      .header('etag', file.etag)
      .header('content-disposition', `inline; filename="${filename}"`);
    if (matches(req.headers['if-none-match'], file.etag)) return reply.code(304).send();
    return reply.type('text/calendar; charset=utf-8').send(file.ics);
  }

  app.get('/events.ics', { schema: { hide: true } }, async (req, reply) => send(req, reply, 'upcoming', 'events.ics', () => upcomingEventsCalendar(svc)));

  // Registered with its suffix, so it lives beside the event page /events/:slug.
  app.get<{ Params: { slug: string } }>('/events/:slug.ics', { schema: { hide: true } }, async (req, reply) =>
    send(req, reply, `event:${req.params.slug}`, `${req.params.slug}.ics`, () => eventCalendar(svc, req.params.slug)),
  );

  app.get<{ Params: { slug: string } }>('/series/:slug.ics', { schema: { hide: true } }, async (req, reply) =>
    send(req, reply, `series:${req.params.slug}`, `${req.params.slug}.ics`, () => seriesCalendar(svc, req.params.slug)),
  );
}
