// Ticket orders: placing one holds its seats (checked against what is paid or
// held, in the same write transaction), paying it issues one ticket per seat
// and puts the revenue in the campaign's ledger, a hold that runs out frees
// the seats, a refund (of the whole order, or of chosen tickets and the
// donation) reverses their revenue, and check-in admits a ticket once.
import { createHash } from 'node:crypto';
import QRCode from 'qrcode';
import { DomainError, ValidationError, type FieldIssue } from '../domain/errors.ts';
import { formatMoney, money, type Money } from '../domain/money.ts';
import { refundedCampaignShare } from '../domain/order-refunds.ts';
import { checkRequest, nothingLeft } from '../domain/seats.ts';
import { addToTotals, findCampaignById, type CampaignRow } from '../db/campaigns.ts';
import {
  insertCheckout,
  leftAtProvider,
  openCheckoutsOfOrder,
  paidCheckoutOfOrder,
  providerRefundKnown,
  recordProviderRefund,
  updateCheckout,
  type CheckoutRow,
} from '../db/checkouts.ts';
import { findEventBySlug, findEventById, ticketTypesOfEvent, type EventRow, type TicketTypeRow } from '../db/events.ts';
import { findGift } from '../db/gifts.ts';
import { newId, newSecret } from '../db/ids.ts';
import { appendLedger } from '../db/ledger.ts';
import {
  addRefundedSeats,
  findOrder,
  findTicketByCode,
  findWaitlistByOrder,
  insertOrder,
  insertTickets,
  itemsOfOrder,
  pendingOrdersExpiredBy,
  ticketsOfOrder,
  unpaidOrder,
  updateOrder,
  updateTicket,
  updateWaitlistEntry,
  voidTickets,
  type OrderItemRow,
  type OrderRow,
  type TicketRow,
} from '../db/orders.ts';
import type { PaymentProvider } from '../payments/provider.ts';
import { formatTimeRange, zoneLabel } from '../format.ts';
import { audit } from './audit.ts';
import { assertChargeable, startCheckout } from './checkout.ts';
import { eventCalendar } from './calendar.ts';
import { disputeOf, type PaymentDispute } from './disputes.ts';
import type { Actor, Services } from './context.ts';
import { refundGiftInTx, succeedEventDonation } from './gifts.ts';
import { queueMail } from './mail.ts';
import { convertAt } from './rates.ts';
import { cachedSeatPicture, claimSeats, noteSeatsTaken, readSeats, seatPicture, withClaims, type EventSeatsNow, type SeatPicture } from './seats.ts';
import { oneAtATime } from './one-at-a-time.ts';
import { normaliseEmail } from './users.ts';
import { lapseOffer, offerFreedSeats } from './waitlist.ts';
import { withProps } from '../objects.ts';

export interface OrderItemInput {
  ticketTypeId: string;
  quantity: number;
  /** Pay what you want: the price per ticket chosen, at least the type's minimum. */
  price?: Money;
}

export interface OrderInput {
  items: readonly OrderItemInput[];
  buyer: { name: string; email: string };
  /** Added to the order; becomes a gift to the event's campaign when paid. */
  donation?: Money | null;
  /** Whether the donation may appear under the buyer's name on the campaign page. */
  donationPublic?: boolean;
}

export interface DoorSaleInput {
  items: readonly OrderItemInput[];
  buyer: { name: string; email?: string | null };
  method: 'cash' | 'card_terminal' | 'other';
}

export interface OrderView {
  order: OrderRow;
  event: EventRow;
  items: (OrderItemRow & { name: string })[];
  tickets: TicketRow[];
  total: Money;
  donation: Money;
}

/** Tickets' codes and their QR images, made before the write that issues them (image encoding is asynchronous). */
export interface PreparedTickets {
  codes: string[];
  png: Buffer[];
}

// Crockford's base32: no I, L, O or U, so a code read aloud or typed at the door survives.
const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** 80 random bits as XXXX-XXXX-XXXX-XXXX. */
export function newTicketCode(): string {
  const bytes = Buffer.from(newSecret(10), 'base64url');
  let bits = 0n;
  for (const b of bytes) bits = (bits << 8n) | BigInt(b);
  let out = '';
  for (let i = 0; i < 16; i++) {
    out = (alphabet[Number(bits & 31n)] ?? '0') + out;
    bits >>= 5n;
  }
  return `${out.slice(0, 4)}-${out.slice(4, 8)}-${out.slice(8, 12)}-${out.slice(12)}`;
}

/** What a volunteer typed or a camera read, in the stored form (case, spaces and look-alikes forgiven). */
export function normaliseTicketCode(input: string): string {
  const plain = input
    .toUpperCase()
    .replace(/[\s-]/g, '')
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1');
  return plain.length === 16 ? `${plain.slice(0, 4)}-${plain.slice(4, 8)}-${plain.slice(8, 12)}-${plain.slice(12)}` : plain;
}

export async function prepareTickets(count: number): Promise<PreparedTickets> {
  const codes = Array.from({ length: count }, newTicketCode);
  const png = await Promise.all(codes.map((c) => QRCode.toBuffer(c, { type: 'png', margin: 2, scale: 6, errorCorrectionLevel: 'M' })));
  return { codes, png };
}

function seatCount(items: readonly { quantity: number }[]): number {
  return items.reduce((n, i) => n + i.quantity, 0);
}

/** Priced items (one per ticket type) as the seats they take per type: what claims and the seat cache count. */
function seatsPerType(items: readonly { ticketTypeId: string; quantity: number }[]): Map<string, number> {
  return new Map(items.map((i) => [i.ticketTypeId, i.quantity]));
}

function eventForSale(s: Services, slug: string, now: number): EventRow {
  return forSale(findEventBySlug(s.db, slug), slug, now);
}

/**
 * The event on sale and its seats now, from the cache of seat pictures: exact
 * even inside a write (see db.version()), so in a rush only the orders that
 * change something read the database again.
 */
function onSale(s: Services, slug: string, now: number): { version: string; current: EventSeatsNow } {
  const read = readSeats(s, slug, now);
  forSale(read.current?.event, slug, now);
  return read as { version: string; current: EventSeatsNow };
}

/** A sold-out picture's refusal (with or without claims), made once: in a rush it is given hundreds of times. */
const refusals = new WeakMap<SeatPicture, DomainError>();

/**
 * Before an order is even read: its refusal when nothing is left to order
 * (every seat paid, held, or claimed by an order on its way to the write), or
 * null. In a sold-out rush this answers the buyers turned away for the price
 * of a cache lookup; anything else (an event not on sale, seats left) goes
 * the whole way, whose checks give the precise answer.
 */
export function soldOutRefusal(s: Services, slug: string, now: number): DomainError | null {
  const current = cachedSeatPicture(s, slug, now);
  if (!current || notOnSale(current.event, slug, now)) return null;
  const picture = withClaims(s, slug, current.picture);
  const known = refusals.get(picture);
  if (known) return known;
  if (!nothingLeft(picture.seats, picture.event)) return null;
  const only = picture.types.size === 1 ? [...picture.types.values()][0] : undefined;
  const refusal = new DomainError('sold_out', `${only ? `“${only.name}”` : 'This event'} is sold out.`, [{ field: 'items', message: '0 left' }]);
  refusals.set(picture, refusal);
  return refusal;
}

function forSale(event: EventRow | undefined, slug: string, now: number): EventRow {
  const refusal = notOnSale(event, slug, now);
  if (refusal) throw refusal;
  return event as EventRow;
}

/** Why the event takes no orders (unknown or draft, cancelled, over), or null when it is on sale. */
function notOnSale(event: EventRow | undefined, slug: string, now: number): DomainError | null {
  if (!event || event.status === 'draft') return new DomainError('not_found', `There is no event "${slug}".`);
  if (event.status === 'cancelled') return new DomainError('unprocessable', 'This event has been cancelled.');
  if (now >= event.endsAt) return new DomainError('unprocessable', 'This event is over.');
  return null;
}

interface PricedItems {
  /** In the event's order of ticket types. */
  items: Omit<OrderItemRow, 'refundedQuantity'>[];
  /** Ticket type names by id. */
  names: Map<string, string>;
  ticketsTotal: number;
}

/**
 * Checks the request against the event's ticket types, their sales windows
 * and limits, and what is paid or held right now; returns the priced items.
 * Runs inside the write transaction that inserts the order.
 */
function priceAndHold(s: Services, event: EventRow, orderId: string, input: readonly OrderItemInput[], now: number, door: boolean): PricedItems {
  return priceItems(seatPicture(s, event, now, door ? 'none' : 'order'), event, orderId, input, now, door);
}

/** The checks of priceAndHold against a given picture of the seats. */
function priceItems(picture: SeatPicture, event: EventRow, orderId: string, input: readonly OrderItemInput[], now: number, door: boolean): PricedItems {
  if (input.length === 0) throw ValidationError.field('items', 'Choose at least one ticket');
  const types = picture.types;
  const request = new Map<string, number>();
  const chosenPrice = new Map<string, Money>();
  const issues: FieldIssue[] = [];
  input.forEach((item, i) => {
    if (!Number.isSafeInteger(item.quantity) || item.quantity < 0) {
      issues.push({ field: `items.${i}.quantity`, message: 'Must be a whole number' });
      return;
    }
    if (item.quantity === 0) return;
    request.set(item.ticketTypeId, (request.get(item.ticketTypeId) ?? 0) + item.quantity);
    if (item.price) chosenPrice.set(item.ticketTypeId, item.price);
  });
  if (issues.length > 0) throw new ValidationError('Some tickets are not right.', issues);
  if (request.size === 0) throw ValidationError.field('items', 'Choose at least one ticket');

  for (const id of request.keys()) {
    const type = types.get(id);
    if (!type) continue;
    // The door sells until the event ends, whatever the online window says.
    if (!door && type.salesStart !== null && now < type.salesStart) {
      throw new DomainError('unprocessable', `Sales of “${type.name}” have not started yet.`, [{ field: 'items', message: 'Sales have not started' }]);
    }
    if (!door && type.salesEnd !== null && now >= type.salesEnd) {
      throw new DomainError('unprocessable', `Sales of “${type.name}” have ended.`, [{ field: 'items', message: 'Sales have ended' }]);
    }
  }

  const problems = checkRequest(request, picture.seats, picture.event);
  const soldOut = problems.filter((p) => p.kind === 'sold_out');
  const invalid = problems.filter((p) => p.kind !== 'sold_out');
  if (invalid.length > 0) {
    throw new ValidationError(
      'Some tickets are not right.',
      invalid.map((p) => {
        const name = types.get(p.ticketTypeId ?? '')?.name ?? '';
        if (p.kind === 'unknown_type') return { field: 'items', message: `There is no such ticket for this event (${p.ticketTypeId})` };
        if (p.kind === 'too_few') return { field: 'items', message: `“${name}”: at least ${p.limit} per order` };
        if (p.kind === 'too_many') return { field: 'items', message: `“${name}”: at most ${p.limit} per order` };
        return { field: 'items', message: 'Not available' };
      }),
    );
  }
  if (soldOut.length > 0) {
    const first = soldOut[0];
    const name = first?.ticketTypeId ? types.get(first.ticketTypeId)?.name : null;
    const left = first?.kind === 'sold_out' ? first.available : 0;
    throw new DomainError(
      'sold_out',
      left === 0 ? `${name ? `“${name}”` : 'This event'} is sold out.` : `Only ${left} ${name ? `“${name}” ` : ''}seat${left === 1 ? '' : 's'} left.`,
      soldOut.map((p) => ({ field: 'items', message: p.kind === 'sold_out' ? `${p.available} left` : 'Not available' })),
    );
  }

  let ticketsTotal = 0;
  const items: Omit<OrderItemRow, 'refundedQuantity'>[] = [];
  const names = new Map<string, string>();
  for (const type of types.values()) {
    const quantity = request.get(type.id);
    if (quantity === undefined) continue;
    const unitPrice = unitPriceOf(type, chosenPrice.get(type.id), event.currency);
    ticketsTotal += unitPrice * quantity;
    items.push({ orderId, ticketTypeId: type.id, quantity, unitPrice });
    names.set(type.id, type.name);
  }
  if (!Number.isSafeInteger(ticketsTotal)) throw ValidationError.field('items', 'The order is too large');
  return { items, names, ticketsTotal };
}

function unitPriceOf(type: TicketTypeRow, chosen: Money | undefined, currency: string): number {
  if (!chosen) return type.price;
  if (type.minPrice === null) {
    if (chosen.amount !== type.price || chosen.currency !== currency) {
      throw ValidationError.field('items', `“${type.name}” has a fixed price`);
    }
    return type.price;
  }
  if (chosen.currency !== currency) throw ValidationError.field('items', `Pay in ${currency}`);
  if (!Number.isSafeInteger(chosen.amount) || chosen.amount < type.minPrice) {
    throw ValidationError.field('items', `“${type.name}”: at least the minimum price`);
  }
  return chosen.amount;
}

function donationOf(input: Money | null | undefined, event: EventRow): number {
  if (!input) return 0;
  if (input.currency !== event.currency) throw ValidationError.field('donation.currency', `A donation with this order is in ${event.currency}`);
  if (!Number.isSafeInteger(input.amount) || input.amount < 0) throw ValidationError.field('donation.amount', 'Must be zero or more');
  if (input.amount > 0 && event.campaignId === null) throw ValidationError.field('donation', 'This event raises money for no campaign');
  return input.amount;
}

export interface PlacedOrder {
  view: OrderView;
  /** Where to pay; null when the order was free and is already paid. */
  checkoutUrl: string | null;
}

/** A guest's order: holds its seats while pending, or is paid at once when free. */
export async function placeOrder(s: Services, provider: PaymentProvider, slug: string, input: OrderInput): Promise<PlacedOrder> {
  const buyer = { name: input.buyer.name.trim(), email: normaliseEmail(input.buyer.email) };
  if (!buyer.name) throw ValidationError.field('buyer.name', 'Enter your name');
  const now = s.now();
  // In a rush for the last seats most buyers are turned away: when the seats
  // already refuse the order (sold out, sales closed), say so without queuing
  // for the write. The write checks again, on the seats as they are then.
  const early = onSale(s, slug, now).current;
  // Seats claimed by orders already queued for the write count as taken here.
  const priced = priceItems(withClaims(s, slug, early.picture), early.event, '', input.items, now, false);
  assertChargeable(provider, money(priced.ticketsTotal + donationOf(input.donation, early.event), early.event.currency), 'items');
  const release = claimSeats(s, slug, seatsPerType(priced.items));
  let placed: { view: OrderView; checkoutId: string | null };
  try {
    placed = await placeOrderWrite(s, provider, slug, buyer, input, early, now, release);
  } finally {
    release();
  }
  const { view, checkoutId } = placed;
  if (checkoutId === null) {
    s.mailer.kick();
    return { view, checkoutUrl: null };
  }
  const url = await startCheckout(s, provider, {
    checkoutId,
    reference: view.order.id,
    amount: view.total,
    description: view.event.title,
    expiresAt: view.order.expiresAt ?? now,
    // One line per ticket type, and the donation on its own.
    lines: [
      ...view.items.map((i) => ({ name: `${view.event.title}: ${i.name}`, amount: money(i.unitPrice, view.order.currency), quantity: i.quantity })),
      ...(view.order.donation > 0 ? [{ name: `Donation with the order (${view.event.title})`, amount: view.donation, quantity: 1 }] : []),
    ].filter((l) => l.amount.amount > 0),
    email: view.order.buyerEmail,
  });
  return { view, checkoutUrl: url };
}

/** The write of placeOrder: checks the seats again as they are in the transaction, then holds them (or issues a free order's tickets). */
async function placeOrderWrite(
  s: Services,
  provider: PaymentProvider,
  slug: string,
  buyer: { name: string; email: string },
  input: OrderInput,
  early: EventSeatsNow,
  now: number,
  releaseClaim: () => void,
): Promise<{ view: OrderView; checkoutId: string | null }> {
  // A free order is issued in the transaction that places it, so its codes and
  // QR images are made before it. Only then: images cost milliseconds each
  // (paid orders get theirs when the payment arrives).
  const mayBeFree = !input.donation?.amount && input.items.every((i) => i.quantity === 0 || (early.picture.types.get(i.ticketTypeId)?.price === 0 && !i.price?.amount));
  const seats = seatCount(input.items);
  const prepared = mayBeFree && seats > 0 && seats <= 100 ? await prepareTickets(seats) : { codes: [], png: [] };
  return s.db.write(() => {
    // From here the transaction counts the seats itself, and no early check
    // runs until the batch has committed: the claim must go now, or an order
    // resumed by the same batch's settling would count these seats twice.
    releaseClaim();
    const read = onSale(s, slug, now);
    const { event, picture } = read.current;
    const id = newId('ord');
    const { items, names, ticketsTotal } = priceItems(picture, event, id, input.items, now, false);
    const donation = donationOf(input.donation, event);
    const free = ticketsTotal + donation === 0;
    const order = unpaidOrder({
      id,
      eventId: event.id,
      source: 'online',
      method: free ? 'free' : provider.name,
      buyerName: buyer.name,
      buyerEmail: buyer.email,
      currency: event.currency,
      ticketsTotal,
      donation,
      donationPublic: input.donationPublic === true,
      expiresAt: free ? null : now + s.config.orderHoldMinutes * 60_000,
      createdBy: null,
      createdAt: now,
    });
    insertOrder(s.db, order, items);
    const taken = seatsPerType(items);
    if (free) {
      markOrderPaid(s, order, event, now, prepared);
      noteSeatsTaken(s, slug, read, taken, null);
      return { view: getOrder(s, id), checkoutId: null };
    }
    const checkoutId = newId('co');
    insertCheckout(s.db, {
      id: checkoutId,
      provider: provider.name,
      orderId: id,
      giftId: null,
      amount: ticketsTotal + donation,
      currency: event.currency,
      status: 'open',
      expiresAt: order.expiresAt ?? now,
      createdAt: now,
    });
    noteSeatsTaken(s, slug, read, taken, order.expiresAt);
    // Everything the answer needs is at hand: no reading it back.
    const view: OrderView = {
      order,
      event,
      items: items.map((item) => withProps(item, { refundedQuantity: 0, name: names.get(item.ticketTypeId) ?? '' })),
      tickets: [],
      total: money(ticketsTotal + donation, event.currency),
      donation: money(donation, event.currency),
    };
    return { view, checkoutId };
  });
}

/** Tickets sold at the door for cash: the order is paid at once. */
export async function recordDoorSale(s: Services, actor: Actor, slug: string, input: DoorSaleInput): Promise<OrderView> {
  const name = input.buyer.name.trim() || 'Door sale';
  const email = input.buyer.email ? normaliseEmail(input.buyer.email) : null;
  const seats = seatCount(input.items);
  const prepared = seats > 0 && seats <= 500 ? await prepareTickets(seats) : { codes: [], png: [] };
  const now = s.now();
  const id = await s.db.write(() => {
    const event = eventForSale(s, slug, now);
    const orderId = newId('ord');
    const { items, ticketsTotal } = priceAndHold(s, event, orderId, input.items, now, true);
    const order = unpaidOrder({
      id: orderId,
      eventId: event.id,
      source: 'door',
      method: input.method,
      buyerName: name,
      buyerEmail: email,
      currency: event.currency,
      ticketsTotal,
      donation: 0,
      donationPublic: false,
      expiresAt: null,
      createdBy: actor.userId,
      createdAt: now,
    });
    insertOrder(s.db, order, items);
    markOrderPaid(s, order, event, now, prepared);
    audit(s, actor, 'order.door_sale', { type: 'order', id: orderId }, null, { event: event.slug, seats: seatCount(items), total: ticketsTotal, currency: event.currency, method: input.method });
    return orderId;
  });
  if (email) s.mailer.kick();
  return getOrder(s, id);
}

/**
 * The one way an order becomes paid (free, door sale, or a provider's
 * payment): tickets issued, revenue and donation into the campaign's ledger,
 * confirmation queued. Must run inside a write transaction.
 */
export function markOrderPaid(s: Services, order: OrderRow, event: EventRow, now: number, prepared: PreparedTickets): void {
  const items = itemsOfOrder(s.db, order.id);
  const seats = seatCount(items);
  const codes = prepared.codes.length >= seats ? prepared.codes : [...prepared.codes, ...Array.from({ length: seats - prepared.codes.length }, newTicketCode)];
  const tickets: TicketRow[] = [];
  let n = 0;
  for (const item of items) {
    for (let i = 0; i < item.quantity; i++) {
      tickets.push({
        id: newId('tkt'),
        code: codes[n] ?? newTicketCode(),
        orderId: order.id,
        ticketTypeId: item.ticketTypeId,
        eventId: event.id,
        status: 'valid',
        checkedInAt: null,
        checkedInBy: null,
        createdAt: now,
      });
      n += 1;
    }
  }
  insertTickets(s.db, tickets);

  const campaign = event.campaignId === null ? undefined : findCampaignById(s.db, event.campaignId);
  let campaignAmount: number | null = null;
  let rate: string | null = null;
  if (campaign && order.ticketsTotal > 0) {
    const converted = convertAt(s, money(order.ticketsTotal, order.currency), campaign.currency, now);
    campaignAmount = converted.value.amount;
    rate = converted.rate;
    appendLedger(s.db, { campaignId: campaign.id, kind: 'ticket', amount: campaignAmount, orderId: order.id, createdAt: now });
    addToTotals(s.db, campaign.id, { tickets: campaignAmount });
  }
  let donationGiftId: string | null = null;
  if (campaign && order.donation > 0) {
    donationGiftId = succeedEventDonation(
      s,
      campaign,
      {
        amount: money(order.donation, order.currency),
        donor: { name: order.buyerName, email: order.buyerEmail },
        anonymous: !order.donationPublic,
        method: order.method,
        eventId: event.id,
      },
      now,
    ).id;
  }
  updateOrder(s.db, order.id, { status: 'paid', paidAt: now, campaignAmount, rate, donationGiftId });
  const offer = order.method === 'waitlist' ? findWaitlistByOrder(s.db, order.id) : undefined;
  if (offer) updateWaitlistEntry(s.db, offer.id, { status: 'claimed' });
  if (order.buyerEmail) queueConfirmation(s, withProps(order, { status: 'paid', paidAt: now }), event, tickets, prepared, campaign);
}

function queueConfirmation(s: Services, order: OrderRow, event: EventRow, tickets: readonly TicketRow[], prepared: PreparedTickets, campaign: CampaignRow | undefined): void {
  if (!order.buyerEmail) return;
  const byCode = new Map(prepared.codes.map((c, i) => [c, prepared.png[i]]));
  const types = new Map(ticketTypesOfEvent(s.db, event.id).map((t) => [t.id, t.name]));
  const shown = tickets.map((t, i) => ({ code: t.code, type: types.get(t.ticketTypeId) ?? '', cid: byCode.has(t.code) ? `ticket-${i}@lantern` : null }));
  const zone = zoneLabel(event.startsAt, event.timezone);
  const venue = [event.venueName, event.venueAddress, [event.venueCity, event.venueCountry].filter(Boolean).join(', ')].filter((line): line is string => !!line);
  // The calendar file of this one event, as /events/:slug.ics serves it (built synchronously, inside the payment's transaction).
  const ics = eventCalendar(s, event.slug).ics;
  queueMail(s, {
    to: order.buyerEmail,
    kind: 'order',
    template: 'order-confirmation',
    subject: `Your tickets: ${event.title}`,
    data: {
      name: order.buyerName,
      event,
      tickets: shown,
      link: `${s.config.baseUrl}/orders/${order.id}`,
      eventLink: `${s.config.baseUrl}/events/${event.slug}`,
      campaign: campaign?.title ?? null,
      when: `${formatTimeRange(event.startsAt, event.endsAt, { timeZone: event.timezone })} (${zone})`,
      whenUtc: formatTimeRange(event.startsAt, event.endsAt, { timeZone: 'UTC' }),
      venue,
      onlineUrl: event.onlineUrl,
    },
    attachments: [
      ...shown.flatMap((t) => {
        const png = byCode.get(t.code);
        return png && t.cid ? [{ filename: `ticket-${t.code}.png`, contentType: 'image/png', content: png.toString('base64'), cid: t.cid }] : [];
      }),
      { filename: 'event.ics', contentType: 'text/calendar; charset=utf-8; method=PUBLISH', content: Buffer.from(ics, 'utf8').toString('base64') },
    ],
  });
}

/** A provider's payment for an order (called from services/payments inside its transaction). */
export function orderPaymentCompleted(s: Services, order: OrderRow, now: number, prepared: PreparedTickets): void {
  if (order.status === 'paid' || order.status === 'partially_refunded' || order.status === 'refunded') return;
  const event = findEventById(s.db, order.eventId);
  if (!event) throw new Error(`order ${order.id} has no event`);
  if (order.status === 'expired' || order.status === 'failed' || order.status === 'cancelled') {
    // The hold ran out before the money arrived: the seats must still be free.
    const request = new Map(itemsOfOrder(s.db, order.id).map((i) => [i.ticketTypeId, i.quantity]));
    const picture = seatPicture(s, event, now, 'none');
    if (checkRequest(request, picture.seats, picture.event).length > 0) {
      updateOrder(s.db, order.id, { status: 'failed' });
      audit(s, { userId: null, label: 'system', role: null, ip: null }, 'order.late_payment_refused', { type: 'order', id: order.id }, { status: order.status }, { status: 'failed', reason: 'seats taken after the hold expired' });
      return;
    }
  }
  markOrderPaid(s, order, event, now, prepared);
}

export function orderPaymentFailed(s: Services, order: OrderRow, outcome: 'declined' | 'expired'): void {
  if (order.status !== 'pending') return;
  updateOrder(s.db, order.id, { status: outcome === 'declined' ? 'failed' : 'expired' });
  lapseOffer(s, order);
  offerFreedSeats(s, order.eventId, s.now());
}

/** A free order held for someone on the waiting list, claimed: paid at once. */
export async function payHeldFreeOrder(s: Services, orderId: string): Promise<void> {
  const order = findOrder(s.db, orderId);
  if (!order) throw new DomainError('not_found', 'There is no such order.');
  const prepared = await prepareTickets(itemsOfOrder(s.db, orderId).reduce((n, i) => n + i.quantity, 0));
  const now = s.now();
  await s.db.write(() => {
    const fresh = findOrder(s.db, orderId);
    const event = fresh && findEventById(s.db, fresh.eventId);
    if (!fresh || !event) throw new DomainError('not_found', 'There is no such order.');
    if (fresh.status !== 'pending' || fresh.ticketsTotal + fresh.donation !== 0) return;
    markOrderPaid(s, fresh, event, now, prepared);
  });
  s.mailer.kick();
}

/** Pending orders whose hold ran out become expired, freeing their seats. */
export async function expirePendingOrders(s: Services): Promise<number> {
  const now = s.now();
  return s.db.write(() => {
    const due = pendingOrdersExpiredBy(s.db, now);
    for (const o of due) {
      updateOrder(s.db, o.id, { status: 'expired' });
      for (const c of openCheckoutsOfOrder(s.db, o.id)) updateCheckout(s.db, c.id, { status: 'expired' });
      lapseOffer(s, o);
    }
    // Freed seats go to the waiting list, in order.
    for (const eventId of new Set(due.map((o) => o.eventId))) offerFreedSeats(s, eventId, now);
    return due.length;
  });
}

export function getOrder(s: Services, id: string): OrderView {
  const order = findOrder(s.db, id);
  const event = order && findEventById(s.db, order.eventId);
  if (!order || !event) throw new DomainError('not_found', 'There is no such order.');
  return {
    order,
    event,
    items: itemsOfOrder(s.db, id),
    tickets: ticketsOfOrder(s.db, id),
    total: money(order.ticketsTotal + order.donation, order.currency),
    donation: money(order.donation, order.currency),
  };
}

export interface OrderRefundInput {
  /**
   * Codes of the tickets to refund, as the order lists them (typed forms are
   * forgiven, as at the door). With `donation` also absent: everything left.
   */
  tickets?: readonly string[];
  /** Refund what is left of the donation added to the order. */
  donation?: boolean;
  reason?: string | null;
}

/** What one refund of an order takes back, checked against the order as it is. */
interface RefundPlan {
  order: OrderRow;
  event: EventRow;
  /** Our id for the refund: the provider's idempotency key is made from it. */
  id: string;
  tickets: TicketRow[];
  /** The chosen tickets' price, in the order's currency. */
  ticketsAmount: number;
  donationGiftId: string | null;
  donationAmount: number;
  /** Valid tickets and donation left once this refund is made: none of either means the order is refunded. */
  ticketsLeft: number;
  donationLeft: number;
}

function assertRefundable(order: OrderRow): void {
  if (order.status !== 'paid' && order.status !== 'partially_refunded') {
    throw new DomainError('invalid_state', `A ${order.status.replace('_', ' ')} order cannot be refunded.`);
  }
}

function donationLeftOf(s: Services, order: OrderRow): { giftId: string | null; left: number } {
  const gift = order.donationGiftId ? findGift(s.db, order.donationGiftId) : undefined;
  const left = gift && (gift.status === 'succeeded' || gift.status === 'partially_refunded') ? gift.amount - gift.refundedAmount : 0;
  return { giftId: gift?.id ?? null, left };
}

/**
 * Checks a refund against the order: every ticket named must be a valid
 * ticket of it, named once; the donation must be there and not refunded yet;
 * something must be chosen. The refund's id is derived from what it takes
 * back (the order's own id for everything left), so asking again for the same
 * tickets, say after a crash between the provider's answer and our write,
 * gets the provider's same refund rather than a second one.
 */
function planRefund(s: Services, order: OrderRow, input: Pick<OrderRefundInput, 'tickets' | 'donation'>): RefundPlan {
  assertRefundable(order);
  const event = findEventById(s.db, order.eventId);
  if (!event) throw new Error(`order ${order.id} has no event`);
  const all = ticketsOfOrder(s.db, order.id);
  const valid = all.filter((t) => t.status === 'valid');
  const price = new Map(itemsOfOrder(s.db, order.id).map((i) => [i.ticketTypeId, i.unitPrice]));
  const donation = donationLeftOf(s, order);
  const whole = input.tickets === undefined && input.donation === undefined;
  let chosen: TicketRow[];
  let donationAmount: number;
  if (whole) {
    chosen = valid;
    donationAmount = donation.left;
  } else {
    chosen = chooseTickets(all, input.tickets ?? []);
    donationAmount = 0;
    if (input.donation === true) {
      if (order.donation === 0 || donation.giftId === null) throw new DomainError('unprocessable', 'This order has no donation to refund.', [{ field: 'donation', message: 'No donation with this order' }]);
      if (donation.left === 0) throw new DomainError('invalid_state', 'The donation of this order was already refunded.', [{ field: 'donation', message: 'Already refunded' }]);
      donationAmount = donation.left;
    }
    if (chosen.length === 0 && donationAmount === 0) throw ValidationError.field('tickets', 'Choose the tickets to refund, or the donation');
  }
  // Everything left is all that is left of ticketsTotal, so a complete refund ends exactly there.
  const ticketsAmount = whole ? order.ticketsTotal - order.refundedAmount : chosen.reduce((n, t) => n + (price.get(t.ticketTypeId) ?? 0), 0);
  const picked = chosen
    .map((t) => t.id)
    .sort()
    .join(',');
  const id = whole ? order.id : `${order.id}-${createHash('sha256').update(`${picked}|donation:${donationAmount}`).digest('hex').slice(0, 16)}`;
  return {
    order,
    event,
    id,
    tickets: chosen,
    ticketsAmount,
    donationGiftId: donation.giftId,
    donationAmount,
    ticketsLeft: valid.length - chosen.length,
    donationLeft: donation.left - donationAmount,
  };
}

/** The order's tickets named by `codes`: unknown (422), listed twice (400) or already void (409) ones are refused, each under its field. */
function chooseTickets(all: readonly TicketRow[], codes: readonly string[]): TicketRow[] {
  const byCode = new Map(all.map((t) => [t.code, t]));
  const seen = new Set<string>();
  const twice: FieldIssue[] = [];
  const unknown: FieldIssue[] = [];
  const spent: FieldIssue[] = [];
  const chosen: TicketRow[] = [];
  codes.forEach((raw, i) => {
    const field = `tickets.${i}`;
    const ticket = byCode.get(normaliseTicketCode(raw));
    if (!ticket) {
      unknown.push({ field, message: `No ticket of this order has the code ${raw}` });
      return;
    }
    if (seen.has(ticket.id)) {
      twice.push({ field, message: `${ticket.code} is listed twice` });
      return;
    }
    seen.add(ticket.id);
    if (ticket.status !== 'valid') spent.push({ field, message: `${ticket.code} was already refunded or cancelled` });
    else chosen.push(ticket);
  });
  if (twice.length > 0) throw new ValidationError('A ticket is listed twice.', twice);
  if (unknown.length > 0) throw new DomainError('unprocessable', unknown.length === 1 ? 'That ticket is not one of this order’s.' : 'Those tickets are not this order’s.', unknown);
  if (spent.length > 0) throw new DomainError('invalid_state', spent.length === 1 ? 'That ticket was already refunded or cancelled.' : 'Those tickets were already refunded or cancelled.', spent);
  return chosen;
}

/**
 * Writes a planned refund: the chosen tickets are voided and their seats
 * freed (offered to the waiting list), their share of the revenue leaves the
 * campaign's ledger as a negative `ticket` entry (see refundedCampaignShare:
 * cumulative, so refunding every ticket reverses exactly what was counted),
 * and the donation's part is refunded as a gift refund. The order is
 * `refunded` once no valid ticket and no donation is left, else
 * `partially_refunded`. Must run inside a write transaction.
 */
function applyRefund(s: Services, actor: Actor, plan: RefundPlan, reason: string | null, now: number): void {
  const { order, event } = plan;
  const refundedAmount = order.refundedAmount + plan.ticketsAmount;
  const refundedCampaignAmount = order.campaignAmount === null ? order.refundedCampaignAmount : refundedCampaignShare(order.campaignAmount, refundedAmount, order.ticketsTotal);
  const back = refundedCampaignAmount - order.refundedCampaignAmount;
  if (event.campaignId && back > 0) {
    appendLedger(s.db, { campaignId: event.campaignId, kind: 'ticket', amount: -back, orderId: order.id, createdAt: now });
    addToTotals(s.db, event.campaignId, { tickets: -back });
  }
  voidTickets(s.db, order.id, plan.tickets.map((t) => t.id));
  const seatsByType = new Map<string, number>();
  for (const t of plan.tickets) seatsByType.set(t.ticketTypeId, (seatsByType.get(t.ticketTypeId) ?? 0) + 1);
  for (const [typeId, seats] of seatsByType) addRefundedSeats(s.db, order.id, typeId, seats);
  const status = plan.ticketsLeft === 0 && plan.donationLeft === 0 ? 'refunded' : 'partially_refunded';
  updateOrder(s.db, order.id, { status, refundedAmount, refundedCampaignAmount });
  if (plan.tickets.length > 0) offerFreedSeats(s, order.eventId, now);
  if (plan.donationGiftId && plan.donationAmount > 0) {
    refundGiftInTx(s, actor, plan.donationGiftId, { amount: money(plan.donationAmount, order.currency), reason: reason ?? 'order refunded' }, now);
  }
  audit(s, actor, 'order.refund', { type: 'order', id: order.id }, { status: order.status, refunded: order.refundedAmount }, {
    status,
    refund: plan.id,
    tickets: plan.tickets.map((t) => t.code),
    amount: plan.ticketsAmount,
    donation: plan.donationAmount,
    currency: order.currency,
    campaignAmount: back,
    reason,
  });
}

/**
 * Refunds a paid order in full (everything left): see refundOrderPart.
 */
export async function refundOrder(s: Services, actor: Actor, id: string, reason: string | null, provider?: PaymentProvider): Promise<OrderView> {
  return refundOrderPart(s, actor, id, { reason }, provider);
}

/**
 * An admin refunds some tickets of a paid order, its donation, or both — or,
 * with nothing chosen, everything left. An order paid through a provider
 * (Stripe) is refunded there first, for exactly that amount, and the ledger
 * reverses only once the provider has; its refund id is recorded, so the
 * provider's webhook for it is known and changes nothing. Cash goes back by
 * hand. The buyer is told by e-mail which tickets no longer work and what is
 * given back. A payment the cardholder disputes cannot be refunded until the
 * bank has decided.
 */
export async function refundOrderPart(s: Services, actor: Actor, id: string, input: OrderRefundInput, provider?: PaymentProvider): Promise<OrderView> {
  // Two refunds of one order (two admins, a retried request) run in turn, so
  // the second plans from what the first refunded before asking the provider.
  return oneAtATime(`order-refund:${id}`, () => refundOrderPartNow(s, actor, id, input, provider));
}

async function refundOrderPartNow(s: Services, actor: Actor, id: string, input: OrderRefundInput, provider?: PaymentProvider): Promise<OrderView> {
  const reason = input.reason?.trim() || null;
  const order = findOrder(s.db, id);
  if (!order) throw new DomainError('not_found', 'There is no such order.');
  const plan = planRefund(s, order, input);
  if (disputeOfOrder(s, id)?.status === 'open') {
    throw new DomainError('invalid_state', 'The cardholder disputes this payment: nothing can be refunded until the bank has decided.');
  }
  const paid = provider && provider.name !== 'test' ? paidCheckoutOfOrder(s.db, order.id) : undefined;
  const through = provider && paid && paid.provider === provider.name ? { provider, paid } : null;
  const amount = plan.ticketsAmount + plan.donationAmount;
  const refund =
    through && amount > 0
      ? await through.provider.refund({ checkoutId: through.paid.id, providerPayment: through.paid.providerPayment, amount: money(amount, order.currency), idempotencyKey: `lantern-order-refund-${plan.id}`, reason })
      : null;
  const now = s.now();
  const told = await s.db.write(() => {
    // The provider's webhook may have applied this refund already (a refund of everything left).
    if (through && refund && providerRefundKnown(s.db, through.provider.name, refund.refundId)) return false;
    const fresh = findOrder(s.db, id);
    if (!fresh) throw new DomainError('not_found', 'There is no such order.');
    if (!through || !refund) {
      const current = planRefund(s, fresh, input);
      applyRefund(s, actor, current, reason, now);
      return queueRefundMail(s, current, false);
    }
    const recorded = { provider: through.provider.name, refundId: refund.refundId, checkoutId: through.paid.id, amount, createdAt: now };
    const current = replan(s, fresh, input);
    if (current && current.ticketsAmount + current.donationAmount === amount) {
      applyRefund(s, actor, current, reason, now);
      recordProviderRefund(s.db, recorded);
      return queueRefundMail(s, current, true);
    }
    // The order changed while the provider refunded (another instance refunded
    // it, the event was cancelled): the money went back all the same. It is
    // recorded, so the webhook and the refund sweep count it, and the
    // difference is left in the audit log for a person.
    recordProviderRefund(s.db, recorded);
    audit(s, actor, 'order.refund_unapplied', { type: 'order', id }, { status: fresh.status, refunded: fresh.refundedAmount }, {
      refund: refund.refundId,
      amount,
      currency: fresh.currency,
      note: 'the provider refunded this amount but the order had changed meanwhile: check its tickets against what was given back',
    });
    return false;
  });
  if (told) s.mailer.kick();
  return getOrder(s, id);
}

/** The same refund planned again inside the write, or null when the order no longer allows it. */
function replan(s: Services, order: OrderRow, input: OrderRefundInput): RefundPlan | null {
  try {
    return planRefund(s, order, input);
  } catch (err) {
    if (err instanceof DomainError) return null;
    throw err;
  }
}

/** Tells the buyer which tickets were refunded and what goes back, and how. */
function queueRefundMail(s: Services, plan: RefundPlan, byProvider: boolean): boolean {
  const { order, event } = plan;
  if (!order.buyerEmail) return false;
  const types = new Map(ticketTypesOfEvent(s.db, event.id).map((t) => [t.id, t.name]));
  const amount = money(plan.ticketsAmount + plan.donationAmount, order.currency);
  queueMail(s, {
    to: order.buyerEmail,
    kind: 'order',
    template: 'order-refunded',
    subject: `Refunded: ${event.title}`,
    data: {
      name: order.buyerName,
      title: event.title,
      tickets: plan.tickets.map((t) => ({ code: t.code, type: types.get(t.ticketTypeId) ?? '' })),
      amount: formatMoney(amount),
      free: amount.amount === 0,
      donation: plan.donationAmount > 0 ? formatMoney(money(plan.donationAmount, order.currency)) : null,
      ticketsLeft: plan.ticketsLeft,
      byProvider,
      door: order.source === 'door',
      link: `${s.config.baseUrl}/orders/${order.id}`,
    },
  });
  return true;
}

export interface RefundChoices {
  /** The order's valid tickets, with the price each gives back. */
  tickets: { code: string; type: string; price: Money }[];
  /** What is left of the order's donation, when anything is. */
  donation: Money | null;
}

/** What an admin may still refund of an order, one by one (the console's refund form). */
export function refundChoicesOf(s: Services, view: OrderView): RefundChoices {
  const byType = new Map(view.items.map((i) => [i.ticketTypeId, i]));
  const left = donationLeftOf(s, view.order).left;
  return {
    tickets: view.tickets
      .filter((t) => t.status === 'valid')
      .map((t) => ({ code: t.code, type: byType.get(t.ticketTypeId)?.name ?? '', price: money(byType.get(t.ticketTypeId)?.unitPrice ?? 0, view.order.currency) })),
    donation: left > 0 ? money(left, view.order.currency) : null,
  };
}

/** What refunding an order in full gives back: the tickets not yet refunded and what is left of its donation. */
export function refundableOfOrder(s: Services, order: OrderRow): number {
  return order.ticketsTotal - order.refundedAmount + donationLeftOf(s, order).left;
}

/**
 * Refunds everything left of a paid order, for callers already inside a
 * write: an event cancelled, a refund of it all made in the Stripe Dashboard,
 * a lost dispute. The buyer is told by the caller, if at all.
 */
export function refundOrderInTx(s: Services, actor: Actor, id: string, reason: string | null, now: number): void {
  const order = findOrder(s.db, id);
  if (!order) throw new DomainError('not_found', 'There is no such order.');
  applyRefund(s, actor, planRefund(s, order, {}), reason, now);
}

/** The newest dispute of an order's card payment, if the cardholder disputed it. */
export function disputeOfOrder(s: Services, orderId: string): PaymentDispute | null {
  const order = findOrder(s.db, orderId);
  return order ? disputeOf(s, { type: 'order', id: order.id }, order.currency) : null;
}

/**
 * A lost dispute of an order's card payment: the bank gave the cardholder
 * the money back, so whatever of the order still counts goes as a full refund
 * would take it (tickets voided, seats freed, revenue and donation reversed).
 * It is recorded as the provider's refund under the dispute's id: the same
 * loss reported again, or after the order was refunded, reverses nothing
 * twice, and the refund sweep never asks Stripe for money the bank returned.
 * Must run inside a write transaction.
 */
export function orderDisputeLost(s: Services, actor: Actor, checkout: CheckoutRow, disputeId: string, now: number): void {
  if (!checkout.orderId || providerRefundKnown(s.db, checkout.provider, disputeId)) return;
  const order = findOrder(s.db, checkout.orderId);
  if (!order) return;
  if (order.status === 'paid' || order.status === 'partially_refunded') refundOrderInTx(s, actor, order.id, 'Dispute lost', now);
  const left = leftAtProvider(s.db, checkout);
  recordProviderRefund(s.db, { provider: checkout.provider, refundId: disputeId, checkoutId: checkout.id, amount: Math.max(0, left), createdAt: now });
}

export interface CheckInResult {
  ticket: TicketRow;
  typeName: string;
  /** True when this scan admitted the ticket; false for a repeat (see checkedInAt/By). */
  admitted: boolean;
}

/**
 * Admits a ticket once. A repeat says when and by whom it was first checked
 * in; a ticket of another event or a refunded one is refused.
 */
export async function checkIn(s: Services, actor: Actor, slug: string, rawCode: string): Promise<CheckInResult> {
  const code = normaliseTicketCode(rawCode);
  const now = s.now();
  return s.db.write(() => {
    const event = findEventBySlug(s.db, slug);
    if (!event) throw new DomainError('not_found', `There is no event "${slug}".`);
    const ticket = findTicketByCode(s.db, code);
    if (!ticket) throw new DomainError('not_found', 'No ticket has this code.', [{ field: 'code', message: 'Unknown code' }]);
    if (ticket.eventId !== event.id) {
      const other = findEventById(s.db, ticket.eventId);
      throw new DomainError('unprocessable', `This ticket is for another event${other ? `: ${other.title}` : ''}.`, [{ field: 'code', message: 'Another event' }]);
    }
    const typeName = ticketTypesOfEvent(s.db, event.id).find((t) => t.id === ticket.ticketTypeId)?.name ?? '';
    if (ticket.status === 'void') throw new DomainError('unprocessable', 'This ticket was refunded or cancelled.', [{ field: 'code', message: 'Void' }]);
    if (ticket.checkedInAt !== null) return { ticket, typeName, admitted: false };
    updateTicket(s.db, ticket.id, { checkedInAt: now, checkedInBy: actor.label });
    audit(s, actor, 'ticket.check_in', { type: 'ticket', id: ticket.id }, null, { event: event.slug });
    return { ticket: withProps(ticket, { checkedInAt: now, checkedInBy: actor.label }), typeName, admitted: true };
  });
}
