// What an event's seats look like right now: its ticket types, and for each
// what is paid or held, plus the whole event's capacity and seats taken. The
// one place orders, late payments, the waiting list and event views read it.
import type { EventSeats, TypeSeats } from '../domain/seats.ts';
import { findEventBySlug, ticketTypesOfEvent, type EventRow, type TicketTypeRow } from '../db/events.ts';
import { nextHoldExpiry, seatsTaken } from '../db/orders.ts';
import type { Services } from './context.ts';
import { maxCacheAgeMs, ReadCache } from './read-cache.ts';

export interface SeatPicture {
  types: Map<string, TicketTypeRow>;
  seats: Map<string, TypeSeats>;
  event: EventSeats;
}

/**
 * `limits: 'none'` drops the per-order minimum and maximum (door sales, a
 * payment that arrives after its hold): only what is left counts then.
 */
export function seatPicture(s: Services, event: EventRow, now: number, limits: 'order' | 'none' = 'order'): SeatPicture {
  const types = new Map(ticketTypesOfEvent(s.db, event.id).map((t) => [t.id, t]));
  const taken = seatsTaken(s.db, event.id, now);
  let total = 0;
  for (const n of taken.values()) total += n;
  const seats = new Map<string, TypeSeats>(
    [...types.values()].map((t) => [
      t.id,
      {
        quantity: t.quantity,
        taken: taken.get(t.id) ?? 0,
        minPerOrder: limits === 'order' ? t.minPerOrder : 1,
        maxPerOrder: limits === 'order' ? t.maxPerOrder : t.quantity,
      },
    ]),
  );
  return { types, seats, event: { capacity: event.capacity, taken: total } };
}

export interface EventSeatsNow {
  event: EventRow;
  picture: SeatPicture;
}

const caches = new WeakMap<Services, ReadCache<EventSeatsNow | null>>();

/**
 * The event and its seat picture, read again only when the database changes
 * (db.version(), which inside a write also moves with each changed row) or the
 * next hold runs out (a seat freed by the clock): exact, yet in a rush for the
 * last seats the hundreds of buyers turned away cost a map lookup each.
 */
export function cachedSeatPicture(s: Services, slug: string, now: number): EventSeatsNow | null {
  let cache = caches.get(s);
  if (!cache) {
    cache = new ReadCache<EventSeatsNow | null>();
    caches.set(s, cache);
  }
  const version = s.db.version();
  const hit = cache.get(slug, version, now);
  if (hit !== undefined) return hit;
  const event = findEventBySlug(s.db, slug);
  const value = event ? { event, picture: seatPicture(s, event, now) } : null;
  const nextExpiry = event ? nextHoldExpiry(s.db, event.id, now) : null;
  cache.set(slug, version, Math.min(nextExpiry ?? Infinity, now + maxCacheAgeMs), value);
  return value;
}
