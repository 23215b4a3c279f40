// What an event's seats look like right now: its ticket types, and for each
// what is paid or held, plus the whole event's capacity and seats taken. The
// one place orders, late payments, the waiting list and event views read it.
import type { EventSeats, TypeSeats } from '../domain/seats.ts';
import { ticketTypesOfEvent, type EventRow, type TicketTypeRow } from '../db/events.ts';
import { seatsTaken } from '../db/orders.ts';
import type { Services } from './context.ts';

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
