// Ticket orders, their items and tickets, seat counts, and the waiting list.
import { and, asc, eq, gt, inArray, lt, or, sql } from 'drizzle-orm';
import type { Database } from './connection.ts';
import { prepared, preparedInsert } from './prepared.ts';
import { ledgerEntries, orderItems, orders, tickets, ticketTypes, waitlist } from './schema.ts';
import { withProps } from '../objects.ts';

export type OrderRow = typeof orders.$inferSelect;
export type OrderInsert = typeof orders.$inferInsert;
export type OrderStatus = OrderRow['status'];
export type OrderItemRow = typeof orderItems.$inferSelect;
export type TicketRow = typeof tickets.$inferSelect;
export type WaitlistRow = typeof waitlist.$inferSelect;

/**
 * Orders whose seats count as taken: paid, or pending and still inside their
 * hold. A paid order's line counts its seats less those refunded on their own
 * (a partial refund), which are free again.
 */
const holding = (now: unknown) =>
  or(
    inArray(orders.status, ['paid', 'partially_refunded']),
    and(eq(orders.status, 'pending'), gt(orders.expiresAt, sql`${now}`)),
  );

const takenByType = prepared((db) =>
  db.orm
    .select({ ticketTypeId: orderItems.ticketTypeId, taken: sql<number>`sum(${orderItems.quantity} - ${orderItems.refundedQuantity})` })
    .from(orderItems)
    .innerJoin(orders, eq(orders.id, orderItems.orderId))
    .where(and(eq(orders.eventId, sql.placeholder('eventId')), holding(sql.placeholder('now'))))
    .groupBy(orderItems.ticketTypeId)
    .prepare(),
);

/** Seats taken per ticket type of an event at `now` (paid plus unexpired holds). */
export function seatsTaken(db: Database, eventId: string, now: number): Map<string, number> {
  return new Map(takenByType(db).all({ eventId, now }).map((r) => [r.ticketTypeId, Number(r.taken)]));
}

const nextExpiry = prepared((db) =>
  db.orm
    .select({ at: sql<number | null>`min(${orders.expiresAt})` })
    .from(orders)
    .where(and(eq(orders.eventId, sql.placeholder('eventId')), eq(orders.status, 'pending'), gt(orders.expiresAt, sql.placeholder('now'))))
    .prepare(),
);

/** When the first of an event's holds still running at `now` runs out, or null when none is. */
export function nextHoldExpiry(db: Database, eventId: string, now: number): number | null {
  const at = nextExpiry(db).get({ eventId, now })?.at;
  return at === null || at === undefined ? null : Number(at);
}

/** Sold seats per ticket type (paid orders only, less seats refunded on their own), for the public "sold" figure. */
export function seatsSold(db: Database, eventId: string): Map<string, number> {
  const rows = db.orm
    .select({ ticketTypeId: orderItems.ticketTypeId, sold: sql<number>`sum(${orderItems.quantity} - ${orderItems.refundedQuantity})` })
    .from(orderItems)
    .innerJoin(orders, eq(orders.id, orderItems.orderId))
    .where(and(eq(orders.eventId, eventId), inArray(orders.status, ['paid', 'partially_refunded'])))
    .groupBy(orderItems.ticketTypeId)
    .all();
  return new Map(rows.map((r) => [r.ticketTypeId, Number(r.sold)]));
}

const insertOrderRow = preparedInsert(orders);
const insertItemRow = preparedInsert(orderItems);

/** Prepared statements: in a rush for seats every order is inserted apart. */
export function insertOrder(db: Database, row: OrderRow, items: readonly Omit<OrderItemRow, 'refundedQuantity'>[]): void {
  insertOrderRow(db).run(row);
  for (const item of items) insertItemRow(db).run(withProps(item, { refundedQuantity: 0 }));
}

export function findOrder(db: Database, id: string): OrderRow | undefined {
  return db.orm.select().from(orders).where(eq(orders.id, id)).get();
}

export function updateOrder(db: Database, id: string, patch: Partial<OrderInsert>): void {
  db.orm.update(orders).set(patch).where(eq(orders.id, id)).run();
}

export function itemsOfOrder(db: Database, orderId: string): (OrderItemRow & { name: string })[] {
  return db.orm
    .select({ item: orderItems, name: ticketTypes.name })
    .from(orderItems)
    .innerJoin(ticketTypes, eq(ticketTypes.id, orderItems.ticketTypeId))
    .where(eq(orderItems.orderId, orderId))
    .orderBy(asc(ticketTypes.position), asc(ticketTypes.createdAt))
    .all()
    .map((r) => withProps(r.item, { name: r.name }));
}

export function pendingOrdersExpiredBy(db: Database, now: number): OrderRow[] {
  return db.orm
    .select()
    .from(orders)
    .where(and(eq(orders.status, 'pending'), lt(orders.expiresAt, now + 1)))
    .all();
}

const insertTicketRow = preparedInsert(tickets);

export function insertTickets(db: Database, rows: readonly TicketRow[]): void {
  for (const row of rows) insertTicketRow(db).run(row);
}

export function ticketsOfOrder(db: Database, orderId: string): TicketRow[] {
  return db.orm.select().from(tickets).where(eq(tickets.orderId, orderId)).orderBy(asc(tickets.createdAt), asc(tickets.id)).all();
}

export function findTicketByCode(db: Database, code: string): TicketRow | undefined {
  return db.orm.select().from(tickets).where(eq(tickets.code, code)).get();
}

export function updateTicket(db: Database, id: string, patch: Partial<TicketRow>): void {
  db.orm.update(tickets).set(patch).where(eq(tickets.id, id)).run();
}

export function voidTicketsOfOrder(db: Database, orderId: string): void {
  db.orm.update(tickets).set({ status: 'void' }).where(eq(tickets.orderId, orderId)).run();
}

/** Voids some tickets of an order (a partial refund). */
export function voidTickets(db: Database, orderId: string, ids: readonly string[]): void {
  if (ids.length === 0) return;
  db.orm
    .update(tickets)
    .set({ status: 'void' })
    .where(and(eq(tickets.orderId, orderId), inArray(tickets.id, [...ids])))
    .run();
}

/** `seats` more seats of an order's line were refunded: they stop counting as taken. */
export function addRefundedSeats(db: Database, orderId: string, ticketTypeId: string, seats: number): void {
  db.orm
    .update(orderItems)
    .set({ refundedQuantity: sql`${orderItems.refundedQuantity} + ${seats}` })
    .where(and(eq(orderItems.orderId, orderId), eq(orderItems.ticketTypeId, ticketTypeId)))
    .run();
}

/**
 * Ticket revenue net of refunds, recomputed from the orders whose revenue
 * entered this campaign's ledger (campaign currency).
 */
export function ticketRevenueOfCampaign(db: Database, campaignId: string): number {
  const row = db.orm
    .select({ total: sql<number>`coalesce(sum(${orders.campaignAmount} - ${orders.refundedCampaignAmount}), 0)` })
    .from(orders)
    .where(
      sql`${orders.id} in (select ${ledgerEntries.orderId} from ${ledgerEntries} where ${ledgerEntries.campaignId} = ${campaignId} and ${ledgerEntries.kind} = 'ticket')`,
    )
    .get();
  return Number(row?.total ?? 0);
}

/** An event's orders in these statuses, oldest first. */
export function ordersOfEvent(db: Database, eventId: string, statuses: readonly OrderStatus[]): OrderRow[] {
  return db.orm
    .select()
    .from(orders)
    .where(and(eq(orders.eventId, eventId), inArray(orders.status, [...statuses])))
    .orderBy(asc(orders.createdAt), asc(orders.id))
    .all();
}

/** One ticket of an event with what the attendee list shows: its type and its order's buyer and state. */
export interface AttendeeRow {
  ticketId: string;
  code: string;
  ticketStatus: TicketRow['status'];
  checkedInAt: number | null;
  checkedInBy: string | null;
  typeName: string;
  orderId: string;
  orderStatus: OrderStatus;
  source: OrderRow['source'];
  method: string;
  buyerName: string;
  buyerEmail: string | null;
  paidAt: number | null;
}

/** Every ticket issued for an event (void ones too), grouped by order, oldest order first. */
export function attendeesOfEvent(db: Database, eventId: string): AttendeeRow[] {
  return db.orm
    .select({
      ticketId: tickets.id,
      code: tickets.code,
      ticketStatus: tickets.status,
      checkedInAt: tickets.checkedInAt,
      checkedInBy: tickets.checkedInBy,
      typeName: ticketTypes.name,
      orderId: orders.id,
      orderStatus: orders.status,
      source: orders.source,
      method: orders.method,
      buyerName: orders.buyerName,
      buyerEmail: orders.buyerEmail,
      paidAt: orders.paidAt,
    })
    .from(tickets)
    .innerJoin(orders, eq(orders.id, tickets.orderId))
    .innerJoin(ticketTypes, eq(ticketTypes.id, tickets.ticketTypeId))
    .where(eq(tickets.eventId, eventId))
    .orderBy(asc(orders.createdAt), asc(orders.id), asc(ticketTypes.position), asc(tickets.createdAt), asc(tickets.id))
    .all();
}

/** Valid tickets of an event (seats sold) and how many of them are checked in: the door's live counts. */
export function ticketCountsOfEvent(db: Database, eventId: string): { valid: number; checkedIn: number } {
  const row = db.orm
    .select({
      valid: sql<number>`count(*)`,
      checkedIn: sql<number>`coalesce(sum(case when ${tickets.checkedInAt} is not null then 1 else 0 end), 0)`,
    })
    .from(tickets)
    .where(and(eq(tickets.eventId, eventId), eq(tickets.status, 'valid')))
    .get();
  return { valid: Number(row?.valid ?? 0), checkedIn: Number(row?.checkedIn ?? 0) };
}

export function insertWaitlistEntry(db: Database, row: WaitlistRow): void {
  db.orm.insert(waitlist).values(row).run();
}

/** An event's waiting list in these statuses, first come first. */
export function waitlistOfEvent(db: Database, eventId: string, statuses: readonly WaitlistRow['status'][]): WaitlistRow[] {
  return db.orm
    .select()
    .from(waitlist)
    .where(and(eq(waitlist.eventId, eventId), inArray(waitlist.status, [...statuses])))
    // rowid breaks ties in insertion order: people who join in the same millisecond keep their places.
    .orderBy(asc(waitlist.createdAt), sql`rowid`)
    .all();
}

export function findWaitlistByOfferHash(db: Database, hash: string): WaitlistRow | undefined {
  return db.orm.select().from(waitlist).where(eq(waitlist.offerTokenHash, hash)).get();
}

export function findWaitlistByOrder(db: Database, orderId: string): WaitlistRow | undefined {
  return db.orm.select().from(waitlist).where(eq(waitlist.orderId, orderId)).get();
}

export function updateWaitlistEntry(db: Database, id: string, patch: Partial<WaitlistRow>): void {
  db.orm.update(waitlist).set(patch).where(eq(waitlist.id, id)).run();
}

export type NewOrder = Pick<
  OrderRow,
  'id' | 'eventId' | 'source' | 'method' | 'buyerName' | 'buyerEmail' | 'currency' | 'ticketsTotal' | 'donation' | 'donationPublic' | 'expiresAt' | 'createdBy' | 'createdAt'
>;

/** An order as it starts: pending, nothing paid, converted or refunded yet. */
export function unpaidOrder(o: NewOrder): OrderRow {
  return withProps(o, {
    status: 'pending',
    donationGiftId: null,
    convertedGiftId: null,
    campaignAmount: null,
    rate: null,
    refundedAmount: 0,
    refundedCampaignAmount: 0,
    paidAt: null,
  });
}

export interface CheckedInTicket {
  ticketId: string;
  orderId: string;
  buyerName: string;
  buyerEmail: string | null;
  checkedInAt: number;
}

/** The event's valid tickets that were checked in, in check-in order (a free prize draw among guests). */
export function checkedInTicketsOfEvent(db: Database, eventId: string): CheckedInTicket[] {
  return db.orm
    .select({ ticketId: tickets.id, orderId: tickets.orderId, buyerName: orders.buyerName, buyerEmail: orders.buyerEmail, checkedInAt: sql<number>`${tickets.checkedInAt}` })
    .from(tickets)
    .innerJoin(orders, eq(orders.id, tickets.orderId))
    .where(and(eq(tickets.eventId, eventId), eq(tickets.status, 'valid'), sql`${tickets.checkedInAt} is not null`))
    .orderBy(asc(tickets.checkedInAt), asc(tickets.id))
    .all();
}

/** The order a gift was the donation of, if it was. */
export function orderOfDonationGift(db: Database, giftId: string): OrderRow | undefined {
  return db.orm.select().from(orders).where(eq(orders.donationGiftId, giftId)).get();
}
