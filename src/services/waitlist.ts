// The waiting list of a sold-out ticket type. When seats come free (a hold
// runs out, an order is refunded) they are offered in order of joining: the
// seats are held for the person offered, who gets an e-mail with a link that
// works until the claim window ends; unclaimed, the seats go to the next.
import { DomainError, ValidationError, type FieldIssue } from '../domain/errors.ts';
import { money } from '../domain/money.ts';
import { available } from '../domain/seats.ts';
import { insertCheckout, openCheckoutsOfOrder } from '../db/checkouts.ts';
import { findEventById, findEventBySlug, ticketTypesOfEvent, type EventRow, type TicketTypeRow } from '../db/events.ts';
import { newId, newSecret } from '../db/ids.ts';
import {
  findOrder,
  findWaitlistByOfferHash,
  insertOrder,
  insertWaitlistEntry,
  unpaidOrder,
  updateWaitlistEntry,
  waitlistOfEvent,
  type OrderRow,
  type WaitlistRow,
} from '../db/orders.ts';
import type { PaymentProvider } from '../payments/provider.ts';
import { audit } from './audit.ts';
import { startCheckout } from './checkout.ts';
import type { Services } from './context.ts';
import { queueMail } from './mail.ts';
import { seatPicture } from './seats.ts';
import { hashToken, normaliseEmail } from './users.ts';

export interface JoinInput {
  ticketTypeId: string;
  quantity: number;
  name: string;
  email: string;
}

function typeSeatsLeft(s: Services, event: EventRow, type: TicketTypeRow, now: number): number {
  const picture = seatPicture(s, event, now);
  const seats = picture.seats.get(type.id);
  return seats ? available(seats, picture.event) : 0;
}

/** Puts someone on the list; only for a ticket type that cannot sell them the seats now. */
export async function joinWaitlist(s: Services, slug: string, input: JoinInput): Promise<{ entry: WaitlistRow; position: number }> {
  // Every problem at once, so the form shows them together.
  const issues: FieldIssue[] = [];
  const name = input.name.trim();
  if (!name) issues.push({ field: 'name', message: 'Enter your name' });
  let email = '';
  try {
    email = normaliseEmail(input.email);
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    issues.push(...err.issues);
  }
  if (!Number.isSafeInteger(input.quantity) || input.quantity < 1 || input.quantity > 10) {
    issues.push({ field: 'quantity', message: 'From 1 to 10 seats' });
  }
  if (issues.length > 0) throw new ValidationError('Some fields are not right.', issues);
  const now = s.now();
  const result = await s.db.write(() => {
    const event = findEventBySlug(s.db, slug);
    if (!event || event.status !== 'published') throw new DomainError('not_found', `There is no event "${slug}".`);
    if (now >= event.endsAt) throw new DomainError('unprocessable', 'This event is over.');
    const type = ticketTypesOfEvent(s.db, event.id).find((t) => t.id === input.ticketTypeId);
    if (!type) throw ValidationError.field('ticketTypeId', 'There is no such ticket for this event');
    if (input.quantity > type.maxPerOrder) throw ValidationError.field('quantity', `At most ${type.maxPerOrder} per order`);
    if (typeSeatsLeft(s, event, type, now) >= input.quantity) {
      throw new DomainError('conflict', 'There are seats left: you can buy them now.', [{ field: 'quantity', message: 'Seats are available' }]);
    }
    const waiting = waitlistOfEvent(s.db, event.id, ['waiting', 'offered']);
    if (waiting.some((w) => w.email === email && w.ticketTypeId === type.id)) {
      throw new DomainError('conflict', 'You are already on the waiting list for these tickets.', [{ field: 'email', message: 'Already on the list' }]);
    }
    const entry: WaitlistRow = {
      id: newId('wait'),
      eventId: event.id,
      ticketTypeId: type.id,
      name,
      email,
      quantity: input.quantity,
      status: 'waiting',
      offerTokenHash: null,
      offerExpiresAt: null,
      orderId: null,
      createdAt: now,
    };
    insertWaitlistEntry(s.db, entry);
    const position = waiting.filter((w) => w.ticketTypeId === type.id && w.status === 'waiting').length + 1;
    queueMail(s, {
      to: email,
      kind: 'waitlist',
      template: 'waitlist-joined',
      subject: `Waiting list: ${event.title}`,
      data: { name, event, type: type.name, quantity: input.quantity, position, hours: s.config.waitlistClaimHours },
    });
    return { entry, position };
  });
  s.mailer.kick();
  return result;
}

/**
 * Offers freed seats to the list, first come first: each offer holds the
 * seats in a pending order for the claim window and e-mails a claim link.
 * Stops at the first entry the seats cannot serve, so nobody is skipped for
 * someone who asked later. Runs inside the write that freed the seats.
 */
export function offerFreedSeats(s: Services, eventId: string, now: number): number {
  const event = findEventById(s.db, eventId);
  if (!event || event.status !== 'published' || now >= event.endsAt) return 0;
  const types = new Map(ticketTypesOfEvent(s.db, event.id).map((t) => [t.id, t]));
  let offered = 0;
  for (const entry of waitlistOfEvent(s.db, event.id, ['waiting'])) {
    const type = entry.ticketTypeId ? types.get(entry.ticketTypeId) : undefined;
    if (!type) continue;
    if (typeSeatsLeft(s, event, type, now) < entry.quantity) break;
    const orderId = newId('ord');
    const expiresAt = now + s.config.waitlistClaimHours * 3_600_000;
    const order = unpaidOrder({
      id: orderId,
      eventId: event.id,
      source: 'online',
      method: 'waitlist',
      buyerName: entry.name,
      buyerEmail: entry.email,
      currency: event.currency,
      ticketsTotal: type.price * entry.quantity,
      donation: 0,
      donationPublic: false,
      expiresAt,
      createdBy: null,
      createdAt: now,
    });
    insertOrder(s.db, order, [{ orderId, ticketTypeId: type.id, quantity: entry.quantity, unitPrice: type.price }]);
    const token = newSecret(24);
    updateWaitlistEntry(s.db, entry.id, { status: 'offered', offerTokenHash: hashToken(token), offerExpiresAt: expiresAt, orderId });
    queueMail(s, {
      to: entry.email,
      kind: 'waitlist',
      template: 'waitlist-offer',
      subject: `Seats for you: ${event.title}`,
      data: {
        name: entry.name,
        event,
        type: type.name,
        quantity: entry.quantity,
        total: money(order.ticketsTotal, order.currency),
        until: new Date(expiresAt).toISOString().replace('T', ' ').slice(0, 16) + ' UTC',
        link: `${s.config.baseUrl}/waitlist/${token}`,
      },
    });
    audit(s, { userId: null, label: 'system', role: null, ip: null }, 'waitlist.offer', { type: 'waitlist', id: entry.id }, null, { order: orderId, until: expiresAt });
    offered += 1;
  }
  return offered;
}

/** Offers whose hold ran out lapse (their orders have expired): the seats go on to the next. */
export function lapseOffer(s: Services, order: OrderRow): void {
  if (order.method !== 'waitlist') return;
  const entry = waitlistOfEvent(s.db, order.eventId, ['offered']).find((w) => w.orderId === order.id);
  if (entry) updateWaitlistEntry(s.db, entry.id, { status: 'lapsed' });
}

export interface OfferView {
  entry: WaitlistRow;
  order: OrderRow;
  event: EventRow;
  /** False once the claim window has ended or the offer was taken. */
  open: boolean;
}

export function getOffer(s: Services, token: string): OfferView {
  const entry = findWaitlistByOfferHash(s.db, hashToken(token));
  const order = entry?.orderId ? findOrder(s.db, entry.orderId) : undefined;
  const event = order && findEventById(s.db, order.eventId);
  if (!entry || !order || !event) throw new DomainError('not_found', 'This offer link is not valid.');
  const open = entry.status === 'offered' && order.status === 'pending' && (order.expiresAt ?? 0) > s.now();
  return { entry, order, event, open };
}

/**
 * Claims an offer: a free order is paid at once (through the caller, which
 * issues the tickets); a priced one gets a checkout for the held seats.
 */
export async function checkoutForOffer(s: Services, provider: PaymentProvider, token: string): Promise<{ orderId: string; checkoutUrl: string | null }> {
  const now = s.now();
  const started = await s.db.write(() => {
    const offer = getOffer(s, token);
    if (!offer.open) throw new DomainError('invalid_state', 'This offer has ended; the seats went to the next person on the list.');
    if (offer.order.ticketsTotal === 0) return { orderId: offer.order.id, checkoutId: null, offer };
    const existing = openCheckoutsOfOrder(s.db, offer.order.id)[0];
    if (existing) return { orderId: offer.order.id, checkoutId: existing.id, offer };
    const checkoutId = newId('co');
    insertCheckout(s.db, {
      id: checkoutId,
      provider: provider.name,
      orderId: offer.order.id,
      giftId: null,
      amount: offer.order.ticketsTotal,
      currency: offer.order.currency,
      status: 'open',
      expiresAt: offer.order.expiresAt ?? now,
      createdAt: now,
    });
    updateWaitlistEntry(s.db, offer.entry.id, { status: 'claimed' });
    return { orderId: offer.order.id, checkoutId, offer };
  });
  if (started.checkoutId === null) return { orderId: started.orderId, checkoutUrl: null };
  const url = await startCheckout(s, provider, {
    checkoutId: started.checkoutId,
    reference: started.orderId,
    amount: money(started.offer.order.ticketsTotal, started.offer.order.currency),
    description: started.offer.event.title,
    expiresAt: started.offer.order.expiresAt ?? now,
  });
  return { orderId: started.orderId, checkoutUrl: url };
}
