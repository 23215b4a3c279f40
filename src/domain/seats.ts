// Seat availability: the invariant that paid plus unexpired held seats never
// exceed a ticket type's quantity or the event's capacity. Pure: the caller
// counts what is taken inside the same write transaction that places the order.
import { withProps } from '../objects.ts';

export interface TypeSeats {
  readonly quantity: number;
  /** Seats of this type already paid or held. */
  readonly taken: number;
  readonly minPerOrder: number;
  readonly maxPerOrder: number;
}

export interface EventSeats {
  /** Seats for the whole event; null when only the types' quantities limit it. */
  readonly capacity: number | null;
  /** Seats of every type already paid or held. */
  readonly taken: number;
}

export type SeatProblem =
  | { readonly kind: 'unknown_type'; readonly ticketTypeId: string }
  | { readonly kind: 'too_few' | 'too_many'; readonly ticketTypeId: string; readonly limit: number }
  | { readonly kind: 'sold_out'; readonly ticketTypeId: string | null; readonly available: number };

/** What one more order may take of a type right now. */
export function available(type: TypeSeats, event: EventSeats): number {
  const ofType = type.quantity - type.taken;
  const ofEvent = event.capacity === null ? Infinity : event.capacity - event.taken;
  return Math.max(0, Math.min(ofType, ofEvent));
}

/**
 * Checks a request (seats per ticket type) against the limits and what is
 * left; returns every problem, or none when the order may hold its seats.
 */
export function checkRequest(request: ReadonlyMap<string, number>, types: ReadonlyMap<string, TypeSeats>, event: EventSeats): SeatProblem[] {
  const problems: SeatProblem[] = [];
  let total = 0;
  for (const [id, quantity] of request) {
    const type = types.get(id);
    if (!type) {
      problems.push({ kind: 'unknown_type', ticketTypeId: id });
      continue;
    }
    total += quantity;
    if (quantity < type.minPerOrder) problems.push({ kind: 'too_few', ticketTypeId: id, limit: type.minPerOrder });
    else if (quantity > type.maxPerOrder) problems.push({ kind: 'too_many', ticketTypeId: id, limit: type.maxPerOrder });
    else if (quantity > type.quantity - type.taken) problems.push({ kind: 'sold_out', ticketTypeId: id, available: Math.max(0, type.quantity - type.taken) });
  }
  if (event.capacity !== null && total > event.capacity - event.taken && !problems.some((p) => p.kind === 'sold_out')) {
    problems.push({ kind: 'sold_out', ticketTypeId: null, available: Math.max(0, event.capacity - event.taken) });
  }
  return problems;
}

/**
 * Whether no order at all could take a seat: the event's capacity is taken,
 * or every one of its ticket types (it has at least one) is. Then
 * checkRequest refuses every order, as sold out unless it also breaks a
 * per-order limit, so an order may be refused before it is even read.
 */
export function nothingLeft(types: ReadonlyMap<string, TypeSeats>, event: EventSeats): boolean {
  if (event.capacity !== null && event.taken >= event.capacity) return true;
  if (types.size === 0) return false;
  for (const type of types.values()) if (type.taken < type.quantity) return false;
  return true;
}

/** The seats with more taken: `extra` seats per ticket type (unknown types are ignored). */
export function withTaken(
  seats: ReadonlyMap<string, TypeSeats>,
  event: EventSeats,
  extra: ReadonlyMap<string, number>,
): { seats: Map<string, TypeSeats>; event: EventSeats } {
  const more = new Map(seats);
  let total = 0;
  for (const [id, n] of extra) {
    const type = more.get(id);
    if (!type || n === 0) continue;
    more.set(id, withProps(type, { taken: type.taken + n }));
    total += n;
  }
  return { seats: more, event: withProps(event, { taken: event.taken + total }) };
}
