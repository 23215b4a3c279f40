// Events, their series and ticket types.
import { and, asc, desc, eq, gt, inArray, lte, sql } from 'drizzle-orm';
import type { Database } from './connection.ts';
import { prepared } from './prepared.ts';
import { events, eventSeries, orders, ticketTypes } from './schema.ts';

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

const typesOfEvent = prepared((db) =>
  db.orm
    .select()
    .from(ticketTypes)
    .where(eq(ticketTypes.eventId, sql.placeholder('eventId')))
    .orderBy(asc(ticketTypes.position), asc(ticketTypes.createdAt))
    .prepare(),
);

/** Read on every order: a prepared statement. */
export function ticketTypesOfEvent(db: Database, eventId: string): TicketTypeRow[] {
  return typesOfEvent(db).all({ eventId });
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

export interface EventFilter {
  readonly statuses: readonly EventStatus[];
  /** Only events that end after this instant: upcoming or under way. */
  readonly endsAfter?: number;
  /** Only events over by this instant. */
  readonly endedBy?: number;
  readonly kind?: EventKind;
  /** Compared without regard to case. */
  readonly city?: string;
  readonly seriesId?: string;
  /** Soonest first (the default), or latest first for past events. */
  readonly order?: 'asc' | 'desc';
}

export function listEvents(db: Database, f: EventFilter): EventRow[] {
  const conditions = [
    inArray(events.status, [...f.statuses]),
    f.endsAfter !== undefined ? gt(events.endsAt, f.endsAfter) : undefined,
    f.endedBy !== undefined ? lte(events.endsAt, f.endedBy) : undefined,
    f.kind !== undefined ? eq(events.kind, f.kind) : undefined,
    f.city !== undefined ? sql`lower(${events.venueCity}) = lower(${f.city})` : undefined,
    f.seriesId !== undefined ? eq(events.seriesId, f.seriesId) : undefined,
  ];
  const by = f.order === 'desc' ? [desc(events.startsAt), desc(events.id)] : [asc(events.startsAt), asc(events.id)];
  return db.orm
    .select()
    .from(events)
    .where(and(...conditions))
    .orderBy(...by)
    .all();
}

/** The soonest end, after `after`, of an event in one of these statuses; null when none is to come. */
export function nextEventEnd(db: Database, statuses: readonly EventStatus[], after: number): number | null {
  const row = db.orm
    .select({ next: sql<number | null>`min(${events.endsAt})` })
    .from(events)
    .where(and(inArray(events.status, [...statuses]), gt(events.endsAt, after)))
    .get();
  return row?.next ?? null;
}

export function insertSeries(db: Database, row: typeof eventSeries.$inferInsert): void {
  db.orm.insert(eventSeries).values(row).run();
}

export function findSeriesBySlug(db: Database, slug: string): SeriesRow | undefined {
  return db.orm.select().from(eventSeries).where(eq(eventSeries.slug, slug)).get();
}

export function findSeriesById(db: Database, id: string): SeriesRow | undefined {
  return db.orm.select().from(eventSeries).where(eq(eventSeries.id, id)).get();
}

/** Whether any order, in any state, was ever placed for the event (its money history). */
export function eventHasOrders(db: Database, eventId: string): boolean {
  return db.orm.select({ id: orders.id }).from(orders).where(eq(orders.eventId, eventId)).limit(1).get() !== undefined;
}
