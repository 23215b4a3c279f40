// What an event's seats look like right now: its ticket types, and for each
// what is paid or held, plus the whole event's capacity and seats taken. The
// one place orders, late payments, the waiting list and event views read it.
import { withTaken, type EventSeats, type TypeSeats } from '../domain/seats.ts';
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

const caches = new WeakMap<Services, ReadCache<EventSeatsNow>>();

/**
 * The event and its seat picture, read again only when the database changes
 * (db.version(), which inside a write also moves with each changed row) or the
 * next hold runs out (a seat freed by the clock): exact (another process's
 * commits show within changesElsewhereShowWithinMs), yet in a rush for the
 * last seats the hundreds of buyers turned away cost a map lookup each. An
 * unknown slug is not cached: anyone can send those, and enough of them would
 * empty the cache.
 */
export function cachedSeatPicture(s: Services, slug: string, now: number): EventSeatsNow | null {
  return readSeats(s, slug, now).current;
}

/** The same, with the db.version() it was read under (for noteSeatsTaken). */
export function readSeats(s: Services, slug: string, now: number): { version: string; current: EventSeatsNow | null } {
  let cache = caches.get(s);
  if (!cache) {
    cache = new ReadCache<EventSeatsNow>();
    caches.set(s, cache);
  }
  const version = s.db.version();
  const hit = cache.get(slug, version, now);
  if (hit !== undefined) return { version, current: hit };
  const event = findEventBySlug(s.db, slug);
  if (!event) return { version, current: null };
  const current = { event, picture: seatPicture(s, event, now) };
  const nextExpiry = nextHoldExpiry(s.db, event.id, now);
  cache.set(slug, version, Math.min(nextExpiry ?? Infinity, now + maxCacheAgeMs), current);
  return { version, current };
}

/**
 * Called at the end of a write fn that took `taken` seats (a new order, held
 * until `holdUntil`), with the picture and version it read at the start of
 * that fn: caches the picture with those seats taken, under the version the
 * database has now. Only the fn's own writes lie between the two, so the
 * picture is exact, and the next order of the same batch reads no seat
 * counts again (re-counting per order made a rush quadratic). The commit
 * keeps the version, so the buyers turned away after the batch read the
 * last order's picture too; a rollback moves it, and the entry is then
 * simply not used.
 */
export function noteSeatsTaken(s: Services, slug: string, read: { version: string; current: EventSeatsNow }, taken: ReadonlyMap<string, number>, holdUntil: number | null): void {
  const cache = caches.get(s);
  const validUntil = cache?.validUntil(slug, read.version);
  if (!cache || validUntil === undefined) return;
  const { picture, event } = read.current;
  cache.set(slug, s.db.version(), Math.min(validUntil, holdUntil ?? Infinity), { event, picture: pictureWith(picture, taken) });
}

/** The picture with `extra` more seats taken per ticket type. */
function pictureWith(picture: SeatPicture, extra: ReadonlyMap<string, number>): SeatPicture {
  return { types: picture.types, ...withTaken(picture.seats, picture.event, extra) };
}

/**
 * Seats of orders that passed the early check and wait for their write, per
 * event slug and ticket type. Checks made before the write count them as
 * taken: in a rush, once the queued orders cover the last seats, the buyers
 * behind them are turned away at once instead of each queuing a write that
 * could only refuse them. A claim lasts until the order's write fn starts
 * (or the order fails before it): from then the transaction counts the seats
 * itself, and it counts only the database.
 */
interface Claims {
  bySlug: Map<string, Map<string, number>>;
  /** Moves with every claim and release: pictures with the claims are kept for as long as it stays. */
  changes: number;
}

const claims = new WeakMap<Services, Claims>();

function claimsOf(s: Services): Claims {
  let c = claims.get(s);
  if (!c) {
    c = { bySlug: new Map(), changes: 0 };
    claims.set(s, c);
  }
  return c;
}

/** Claims the seats; call the returned function as the order's write fn starts, or when the order fails before it. */
export function claimSeats(s: Services, slug: string, seats: ReadonlyMap<string, number>): () => void {
  const c = claimsOf(s);
  const held = c.bySlug.get(slug) ?? new Map<string, number>();
  c.bySlug.set(slug, held);
  for (const [id, n] of seats) held.set(id, (held.get(id) ?? 0) + n);
  c.changes++;
  let released = false;
  return () => {
    if (released) return;
    released = true;
    for (const [id, n] of seats) {
      const left = (held.get(id) ?? 0) - n;
      if (left > 0) held.set(id, left);
      else held.delete(id);
    }
    if (held.size === 0 && c.bySlug.get(slug) === held) c.bySlug.delete(slug);
    c.changes++;
  };
}

/** Seats claimed by orders on their way to the write, per ticket type (empty when none). */
export function claimedSeats(s: Services, slug: string): ReadonlyMap<string, number> {
  return claims.get(s)?.bySlug.get(slug) ?? noClaims;
}

const noClaims: ReadonlyMap<string, number> = new Map();

/** Pictures with the claims counted, by the picture they were made from. */
const withClaimsMade = new WeakMap<SeatPicture, { changes: number; picture: SeatPicture }>();

/**
 * The picture with the seats claimed by queued orders counted as taken: the
 * same object for as long as neither the picture nor the claims change, so
 * an answer worked out from it (a refusal) can be kept with it.
 */
export function withClaims(s: Services, slug: string, picture: SeatPicture): SeatPicture {
  const claimed = claimedSeats(s, slug);
  if (claimed.size === 0) return picture;
  const changes = claimsOf(s).changes;
  const made = withClaimsMade.get(picture);
  if (made?.changes === changes) return made.picture;
  const result = pictureWith(picture, claimed);
  withClaimsMade.set(picture, { changes, picture: result });
  return result;
}
