// Events, their series and ticket types.
import { and, asc, eq, sql } from 'drizzle-orm';
import type { Database } from './connection.ts';
import { prepared } from './prepared.ts';
import { events, eventSeries, ticketTypes } from './schema.ts';

export type EventRow = typeof events.$inferSelect;
export type EventInsert = typeof events.$inferInsert;
export type EventStatus = EventRow['status'];
export type EventKind = EventRow['kind'];
export type SeriesRow = typeof eventSeries.$inferSelect;
export type TicketTypeRow = typeof ticketTypes.$inferSelect;

const bySlug = prepared((db) =>
  db.orm
    .select()
    .from(events)
    .where(eq(events.slug, sql.placeholder('slug')))
    .prepare(),
);

export function findEventBySlug(db: Database, slug: string): EventRow | undefined {
  return bySlug(db).get({ slug });
}

export function findEventById(db: Database, id: string): EventRow | undefined {
  return db.orm.select().from(events).where(eq(events.id, id)).get();
}

export function insertEvent(db: Database, row: EventInsert): void {
  db.orm.insert(events).values(row).run();
}

export function updateEvent(db: Database, id: string, patch: Partial<EventInsert>): void {
  db.orm.update(events).set(patch).where(eq(events.id, id)).run();
}

export function ticketTypesOfEvent(db: Database, eventId: string): TicketTypeRow[] {
  return db.orm.select().from(ticketTypes).where(eq(ticketTypes.eventId, eventId)).orderBy(asc(ticketTypes.position), asc(ticketTypes.createdAt)).all();
}

export function findTicketType(db: Database, id: string): TicketTypeRow | undefined {
  return db.orm.select().from(ticketTypes).where(eq(ticketTypes.id, id)).get();
}

export function insertTicketType(db: Database, row: typeof ticketTypes.$inferInsert): void {
  db.orm.insert(ticketTypes).values(row).run();
}

export function updateTicketType(db: Database, id: string, eventId: string, patch: Partial<typeof ticketTypes.$inferInsert>): void {
  db.orm.update(ticketTypes).set(patch).where(and(eq(ticketTypes.id, id), eq(ticketTypes.eventId, eventId))).run();
}
