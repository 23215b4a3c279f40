// Raffles: set up at an event (or for a campaign), tickets sold in bundles
// online or at the door (or entered free), numbered from 1 in the order paid;
// closing freezes the pool and commits to a secret seed, the draw reveals it
// and the winners follow from it (domain/raffle-draw.ts). Proceeds enter the
// campaign's ledger as "raffle": they are not gifts (no receipt), and only a
// match pledge whose sources name raffles matches them.
import { randomBytes } from 'node:crypto';
import { DomainError, ValidationError, type FieldIssue } from '../domain/errors.ts';
import { assertCurrency, formatMoney, money, type Money } from '../domain/money.ts';
import { commitmentOf, runDraw, seedBytes, toRanges, type Draw } from '../domain/raffle-draw.ts';
import { firstNameAndInitial, jurisdictionOfCountry, missingForPaidSales, rulesFor } from '../domain/raffle-rules.ts';
import { addToTotals, findCampaignById, findCampaignBySlug, type CampaignRow } from '../db/campaigns.ts';
import { insertCheckout, openCheckoutsOfRaffleEntry, providerRefundKnown, recordProviderRefund, refundedAtProvider, updateCheckout, type CheckoutRow } from '../db/checkouts.ts';
import { findEventById, findEventBySlug, type EventRow } from '../db/events.ts';
import { newId } from '../db/ids.ts';
import { appendLedger } from '../db/ledger.ts';
import { checkedInTicketsOfEvent } from '../db/orders.ts';
import {
  drawsOf,
  entriesOf,
  entryOfTicket,
  findEntry,
  findRaffle,
  insertDraws,
  insertEntry,
  insertRaffle,
  insertRaffleTickets,
  nextTicketNumber,
  pendingEntriesExpiredBy,
  prizesOf,
  rafflesOfCampaigns,
  rafflesOfEvent,
  replacePrizes,
  ticketNumbersOfEntry,
  ticketsTaken,
  updateDraw,
  updateEntry,
  updateRaffle,
  validTickets,
  voidTicketsOfEntry,
  type DrawRow,
  type EntryRow,
  type PrizeRow,
  type RaffleRow,
} from '../db/raffles.ts';
import type { PaymentProvider } from '../payments/provider.ts';
import { formatDate } from '../format.ts';
import { nextSuccessSeq } from '../db/gifts.ts';
import { audit } from './audit.ts';
import { assertChargeable, startCheckout } from './checkout.ts';
import { matchesRaffles, replayCampaign } from './matching.ts';
import type { Actor, Services } from './context.ts';
import { queueMail } from './mail.ts';
import { convertAt } from './rates.ts';
import { normaliseEmail } from './users.ts';

export type RaffleEntryMode = RaffleRow['entry'];

export interface BundleInput {
  quantity: number;
  price: Money;
}

export interface PrizeInput {
  name: string;
  description?: string | null;
  donor?: string | null;
  value?: Money | null;
}

export interface RaffleInput {
  title: string;
  rules?: string;
  /** The event it is held at; or null with a campaign. */
  eventSlug?: string | null;
  campaignSlug?: string | null;
  /** KR, CA-BC, US-WA, other …; by default the event venue's country. */
  jurisdiction?: string | null;
  licence?: string | null;
  authority?: string | null;
  ageLimit?: number | null;
  drawAt?: number | null;
  drawPlace?: string | null;
  claimDays?: number;
  entry?: RaffleEntryMode;
  /** The price of one ticket (the bundle of 1). */
  price?: Money | null;
  /** Further bundles, e.g. 3 for 10,000 KRW. */
  bundles?: readonly BundleInput[];
  maxTickets?: number | null;
  salesStart?: number | null;
  salesEnd?: number | null;
  onePrizePerPerson: boolean;
  prizes: readonly PrizeInput[];
  /** Open at once (checked against the jurisdiction), or stay a draft. */
  open?: boolean;
}

export interface Bundle {
  quantity: number;
  price: number;
}

export interface RaffleView {
  raffle: RaffleRow;
  event: EventRow | null;
  campaign: CampaignRow | null;
  prizes: PrizeRow[];
  bundles: Bundle[];
  /** Tickets paid or held now, against the maximum. */
  taken: number;
  draws: DrawRow[];
}

const maxPrizes = 50;
const maxBundle = 1_000;

function text(v: string | null | undefined): string | null {
  const t = v?.trim();
  return t ? t : null;
}

function bundlesOf(r: RaffleRow): Bundle[] {
  return JSON.parse(r.bundles) as Bundle[];
}

function checkBundles(input: RaffleInput, currency: string): Bundle[] {
  const all: BundleInput[] = [...(input.price ? [{ quantity: 1, price: input.price }] : []), ...(input.bundles ?? [])];
  const issues: FieldIssue[] = [];
  const seen = new Set<number>();
  const out: Bundle[] = [];
  all.forEach((b, i) => {
    const field = input.price && i === 0 ? 'price' : `bundles.${input.price ? i - 1 : i}`;
    if (!Number.isSafeInteger(b.quantity) || b.quantity < 1 || b.quantity > maxBundle) {
      issues.push({ field: `${field}.quantity`, message: `A bundle holds 1 to ${maxBundle} tickets` });
      return;
    }
    if (b.price.currency !== currency) issues.push({ field: `${field}.currency`, message: `Prices are in ${currency}` });
    if (!Number.isSafeInteger(b.price.amount) || b.price.amount < 1) issues.push({ field: `${field}.amount`, message: 'A price is more than zero' });
    if (seen.has(b.quantity)) issues.push({ field: `${field}.quantity`, message: `There is already a bundle of ${b.quantity}` });
    seen.add(b.quantity);
    out.push({ quantity: b.quantity, price: b.price.amount });
  });
  if (issues.length > 0) throw new ValidationError('Some bundles are not right.', issues);
  return out.sort((a, b) => a.quantity - b.quantity);
}

function checkPrizes(prizes: readonly PrizeInput[], currency: string): Omit<PrizeRow, 'raffleId'>[] {
  if (prizes.length === 0) throw ValidationError.field('prizes', 'Add at least one prize');
  if (prizes.length > maxPrizes) throw ValidationError.field('prizes', `At most ${maxPrizes} prizes`);
  const issues: FieldIssue[] = [];
  const rows = prizes.map((p, position) => {
    const name = p.name.trim();
    if (!name) issues.push({ field: `prizes.${position}.name`, message: 'Name the prize' });
    if (p.value && (p.value.currency !== currency || !Number.isSafeInteger(p.value.amount) || p.value.amount < 0)) {
      issues.push({ field: `prizes.${position}.value`, message: `A value in ${currency}, zero or more` });
    }
    return { position, name, description: p.description?.trim() ?? '', donor: text(p.donor), value: p.value ? p.value.amount : null };
  });
  if (issues.length > 0) throw new ValidationError('Some prizes are not right.', issues);
  return rows;
}

function assertOpenable(r: Pick<RaffleRow, 'entry' | 'jurisdiction' | 'licence' | 'authority' | 'ageLimit' | 'drawPlace' | 'bundles' | 'campaignId'>): void {
  if (r.entry !== 'paid') return;
  const missing: FieldIssue[] = missingForPaidSales(r.jurisdiction, r);
  if ((JSON.parse(r.bundles) as Bundle[]).length === 0) missing.push({ field: 'price', message: 'Set the price of a ticket' });
  if (missing.length > 0) {
    throw new DomainError('unprocessable', `Paid ticket sales cannot open yet in ${rulesFor(r.jurisdiction).name}: ${missing.map((m) => m.message.toLowerCase()).join('; ')}.`, missing);
  }
}

/** Sets up a raffle (a draft, or open when asked and allowed). */
export async function createRaffle(s: Services, actor: Actor, input: RaffleInput): Promise<RaffleView> {
  const title = input.title.trim();
  if (!title) throw ValidationError.field('title', 'Required');
  const entry = input.entry ?? 'paid';
  if (!['paid', 'checked_in', 'signup'].includes(entry)) throw ValidationError.field('entry', 'paid, checked_in or signup');
  if (input.ageLimit != null && (!Number.isInteger(input.ageLimit) || input.ageLimit < 1 || input.ageLimit > 99)) throw ValidationError.field('ageLimit', 'An age from 1 to 99');
  if (input.maxTickets != null && (!Number.isSafeInteger(input.maxTickets) || input.maxTickets < 1)) throw ValidationError.field('maxTickets', 'A whole number of at least 1');
  const claimDays = input.claimDays ?? 30;
  if (!Number.isInteger(claimDays) || claimDays < 1 || claimDays > 365) throw ValidationError.field('claimDays', 'From 1 to 365 days');
  if (input.salesStart != null && input.salesEnd != null && input.salesEnd <= input.salesStart) throw ValidationError.field('salesEnd', 'Sales end after they start');
  const id = newId('raf');
  const now = s.now();
  await s.db.write(() => {
    const event = input.eventSlug ? findEventBySlug(s.db, input.eventSlug) : undefined;
    if (input.eventSlug && !event) throw new DomainError('not_found', `There is no event "${input.eventSlug}".`);
    if (entry === 'checked_in' && !event) throw ValidationError.field('entry', 'A draw among checked-in guests belongs to an event');
    const campaign = event ? (event.campaignId ? findCampaignById(s.db, event.campaignId) : undefined) : input.campaignSlug ? findCampaignBySlug(s.db, input.campaignSlug) : undefined;
    if (!event && input.campaignSlug && !campaign) throw new DomainError('not_found', `There is no campaign "${input.campaignSlug}".`);
    if (!event && !campaign) throw ValidationError.field('eventSlug', 'A raffle belongs to an event or a campaign');
    if (entry === 'paid' && !campaign) throw ValidationError.field('entry', 'Raffle proceeds go to a campaign: this event raises money for none');
    const currency = assertCurrency(event?.currency ?? campaign?.currency ?? '');
    const bundles = entry === 'paid' ? checkBundles(input, currency) : [];
    if (entry === 'paid' && bundles.length === 0) throw ValidationError.field('price', 'Set the price of a ticket');
    if (entry !== 'paid' && (input.price || (input.bundles?.length ?? 0) > 0)) throw ValidationError.field('price', 'A free prize draw has no price');
    const prizes = checkPrizes(input.prizes, currency);
    const row: RaffleRow = {
      id,
      eventId: event?.id ?? null,
      campaignId: campaign?.id ?? null,
      title,
      rules: input.rules?.trim() ?? '',
      jurisdiction: text(input.jurisdiction)?.toUpperCase().replace('OTHER', 'other') ?? jurisdictionOfCountry(event?.venueCountry),
      licence: text(input.licence),
      authority: text(input.authority),
      ageLimit: input.ageLimit ?? null,
      drawAt: input.drawAt ?? null,
      drawPlace: text(input.drawPlace) ?? (event?.venueName ? [event.venueName, event.venueCity].filter(Boolean).join(', ') : null),
      claimDays,
      entry,
      currency,
      bundles: JSON.stringify(bundles),
      maxTickets: input.maxTickets ?? null,
      salesStart: input.salesStart ?? null,
      salesEnd: input.salesEnd ?? null,
      onePrizePerPerson: input.onePrizePerPerson,
      status: 'draft',
      commitment: null,
      seed: null,
      pool: null,
      sameHolder: null,
      closedAt: null,
      drawnAt: null,
      createdBy: actor.userId,
      createdAt: now,
      updatedAt: now,
    };
    if (input.open) {
      assertOpenable(row);
      row.status = 'open';
    }
    insertRaffle(s.db, row);
    replacePrizes(s.db, id, prizes);
    audit(s, actor, 'raffle.create', { type: 'raffle', id }, null, { title, entry, status: row.status, jurisdiction: row.jurisdiction, bundles, prizes: prizes.map((p) => p.name) });
  });
  return getRaffle(s, id);
}

export type RafflePatch = Partial<Omit<RaffleInput, 'open' | 'eventSlug' | 'campaignSlug' | 'entry'>>;

/** Edits a raffle's setup: anything before sales open; wording, dates and prizes until it closes. */
export async function updateRaffleSetup(s: Services, actor: Actor, id: string, patch: RafflePatch): Promise<RaffleView> {
  const now = s.now();
  await s.db.write(() => {
    const r = raffleOrThrow(s, id);
    if (r.status !== 'draft' && r.status !== 'open') throw new DomainError('invalid_state', 'A closed raffle cannot change: its pool and prizes are what the draw uses.');
    const open = r.status === 'open';
    const sold = entriesOf(s.db, id).some((e) => e.status === 'paid' || e.status === 'pending');
    if (sold && (patch.price !== undefined || patch.bundles !== undefined || patch.onePrizePerPerson !== undefined)) {
      throw new DomainError('invalid_state', 'Tickets are sold: prices, bundles and the one-prize rule stay as they were sold.');
    }
    const next: RaffleRow = {
      ...r,
      ...(patch.title !== undefined && { title: patch.title.trim() }),
      ...(patch.rules !== undefined && { rules: patch.rules.trim() }),
      ...(patch.jurisdiction !== undefined && { jurisdiction: text(patch.jurisdiction)?.toUpperCase().replace('OTHER', 'other') ?? 'other' }),
      ...(patch.licence !== undefined && { licence: text(patch.licence) }),
      ...(patch.authority !== undefined && { authority: text(patch.authority) }),
      ...(patch.ageLimit !== undefined && { ageLimit: patch.ageLimit }),
      ...(patch.drawAt !== undefined && { drawAt: patch.drawAt }),
      ...(patch.drawPlace !== undefined && { drawPlace: text(patch.drawPlace) }),
      ...(patch.claimDays !== undefined && { claimDays: patch.claimDays }),
      ...(patch.maxTickets !== undefined && { maxTickets: patch.maxTickets }),
      ...(patch.salesStart !== undefined && { salesStart: patch.salesStart }),
      ...(patch.salesEnd !== undefined && { salesEnd: patch.salesEnd }),
      ...(patch.onePrizePerPerson !== undefined && { onePrizePerPerson: patch.onePrizePerPerson }),
      updatedAt: now,
    };
    if (!next.title) throw ValidationError.field('title', 'Required');
    if (patch.price !== undefined || patch.bundles !== undefined) {
      const current = bundlesOf(r);
      const single = current.find((b) => b.quantity === 1);
      next.bundles = JSON.stringify(
        checkBundles(
          {
            ...(patch as RaffleInput),
            price: patch.price !== undefined ? patch.price : single ? money(single.price, r.currency) : null,
            bundles: patch.bundles ?? current.filter((b) => b.quantity !== 1).map((b) => ({ quantity: b.quantity, price: money(b.price, r.currency) })),
          },
          r.currency,
        ),
      );
    }
    if (open) assertOpenable(next);
    updateRaffle(s.db, id, next);
    if (patch.prizes !== undefined) replacePrizes(s.db, id, checkPrizes(patch.prizes, r.currency));
    audit(s, actor, 'raffle.update', { type: 'raffle', id }, { title: r.title, licence: r.licence, bundles: r.bundles }, { ...patch });
  });
  return getRaffle(s, id);
}

/** Opens sales (or sign-ups): for paid tickets only once the jurisdiction's requirements are met. */
export async function openRaffle(s: Services, actor: Actor, id: string): Promise<RaffleView> {
  const now = s.now();
  await s.db.write(() => {
    const r = raffleOrThrow(s, id);
    if (r.status !== 'draft') throw new DomainError('invalid_state', `This raffle is ${r.status}.`);
    if (prizesOf(s.db, id).length === 0) throw ValidationError.field('prizes', 'Add at least one prize');
    assertOpenable(r);
    updateRaffle(s.db, id, { status: 'open', updatedAt: now });
    audit(s, actor, 'raffle.open', { type: 'raffle', id }, { status: 'draft' }, { status: 'open' });
  });
  return getRaffle(s, id);
}

function raffleOrThrow(s: Services, id: string): RaffleRow {
  const r = findRaffle(s.db, id);
  if (!r) throw new DomainError('not_found', 'There is no such raffle.');
  return r;
}

export function getRaffle(s: Services, id: string): RaffleView {
  const raffle = raffleOrThrow(s, id);
  const event = raffle.eventId ? (findEventById(s.db, raffle.eventId) ?? null) : null;
  const campaign = raffle.campaignId ? (findCampaignById(s.db, raffle.campaignId) ?? null) : null;
  return {
    raffle,
    event,
    campaign,
    prizes: prizesOf(s.db, id),
    bundles: bundlesOf(raffle),
    taken: ticketsTaken(s.db, id, s.now()),
    draws: drawsOf(s.db, id),
  };
}

export function rafflesAtEvent(s: Services, eventId: string): RaffleRow[] {
  return rafflesOfEvent(s.db, eventId);
}

/** The raffles a campaign holds itself (at an office fair, say), not at one of its events. */
export function rafflesOfCampaign(s: Services, campaignId: string): RaffleRow[] {
  return rafflesOfCampaigns(s.db, [campaignId]).filter((r) => r.eventId === null);
}

// ---- Sales -----------------------------------------------------------------

export interface EntryInput {
  buyer: { name: string; email?: string | null };
  /** The bundle bought: how many tickets (a bundle the raffle offers). */
  quantity: number;
  /** The buyer may be named (first name and initial) if a ticket wins. */
  publicName?: boolean;
  /** The buyer confirmed the age limit and accepted the rules. */
  confirmed?: boolean;
}

export interface EntryView {
  entry: EntryRow;
  raffle: RaffleRow;
  ticketNumbers: number[];
}

export interface StartedEntry {
  view: EntryView;
  /** Where to pay; null when the entry is already paid (door sales, free entries). */
  checkoutUrl: string | null;
}

function assertSelling(r: RaffleRow, now: number, door: boolean): void {
  if (r.status === 'draft') throw new DomainError('unprocessable', 'Sales for this raffle have not opened yet.');
  if (r.status !== 'open') throw new DomainError('unprocessable', 'Sales for this raffle are closed.', [{ field: 'quantity', message: 'Sales are closed' }]);
  if (!door && r.salesStart !== null && now < r.salesStart) throw new DomainError('unprocessable', 'Sales for this raffle have not started yet.');
  if (!door && r.salesEnd !== null && now >= r.salesEnd) throw new DomainError('unprocessable', 'Sales for this raffle have ended.', [{ field: 'quantity', message: 'Sales have ended' }]);
}

function bundleFor(r: RaffleRow, quantity: number): Bundle {
  const bundle = bundlesOf(r).find((b) => b.quantity === quantity);
  if (!bundle) {
    const offered = bundlesOf(r).map((b) => b.quantity);
    throw ValidationError.field('quantity', `Choose a bundle this raffle offers: ${offered.join(', ')} ticket${offered.length === 1 && offered[0] === 1 ? '' : 's'}`);
  }
  return bundle;
}

function assertRoom(s: Services, r: RaffleRow, quantity: number, now: number): void {
  if (r.maxTickets === null) return;
  const left = r.maxTickets - ticketsTaken(s.db, r.id, now);
  if (quantity > left) {
    throw new DomainError('sold_out', left <= 0 ? 'All raffle tickets are sold.' : `Only ${left} raffle ticket${left === 1 ? '' : 's'} left.`, [{ field: 'quantity', message: `${Math.max(0, left)} left` }]);
  }
}

function newEntry(r: RaffleRow, fields: Pick<EntryRow, 'id' | 'source' | 'method' | 'buyerName' | 'buyerEmail' | 'quantity' | 'amount' | 'status' | 'publicName' | 'confirmedAt' | 'expiresAt' | 'createdBy' | 'createdAt'> & Partial<EntryRow>): EntryRow {
  return {
    raffleId: r.id,
    holderKey: fields.buyerEmail ?? `entry:${fields.id}`,
    currency: r.currency,
    campaignAmount: null,
    rate: null,
    eventTicketId: null,
    matchSeq: null,
    paidAt: null,
    refundedAt: null,
    ...fields,
  };
}

/** A guest online gives a name and an address (where the numbers, or the news of a win, are sent). */
function guestOf(input: EntryInput, why: string): { name: string; email: string } {
  const name = input.buyer.name.trim();
  if (!name) throw ValidationError.field('buyer.name', 'Enter your name');
  if (!input.buyer.email) throw ValidationError.field('buyer.email', `Enter your e-mail address: ${why}`);
  return { name, email: normaliseEmail(input.buyer.email) };
}

/** Online, the buyer confirms the age limit and accepts the rules (at the door the volunteer checks). */
function assertConfirmed(r: RaffleRow, input: EntryInput): void {
  if (input.confirmed || (r.ageLimit === null && !r.rules)) return;
  throw ValidationError.field('confirmed', r.ageLimit !== null ? `Confirm that you are ${r.ageLimit} or older and accept the rules` : 'Accept the rules');
}

/** A guest buys a bundle online: held while they pay, numbered once paid. */
export async function buyRaffleTickets(s: Services, provider: PaymentProvider, id: string, input: EntryInput): Promise<StartedEntry> {
  const { name, email } = guestOf(input, 'your ticket numbers are sent there');
  const now = s.now();
  const placed = await s.db.write(() => {
    const r = raffleOrThrow(s, id);
    if (r.entry !== 'paid') throw new DomainError('unprocessable', 'This is a free prize draw: nothing is sold.');
    assertSelling(r, now, false);
    const bundle = bundleFor(r, input.quantity);
    assertConfirmed(r, input);
    assertRoom(s, r, bundle.quantity, now);
    assertChargeable(provider, money(bundle.price, r.currency), 'quantity');
    const entryId = newId('rfe');
    const expiresAt = now + s.config.orderHoldMinutes * 60_000;
    const entry = newEntry(r, {
      id: entryId,
      source: 'online',
      method: provider.name,
      buyerName: name,
      buyerEmail: email,
      quantity: bundle.quantity,
      amount: bundle.price,
      status: 'pending',
      publicName: input.publicName === true,
      confirmedAt: input.confirmed ? now : null,
      expiresAt,
      createdBy: null,
      createdAt: now,
    });
    insertEntry(s.db, entry);
    const checkoutId = newId('co');
    insertCheckout(s.db, { id: checkoutId, provider: provider.name, raffleEntryId: entryId, amount: bundle.price, currency: r.currency, status: 'open', expiresAt, createdAt: now });
    return { entry, raffle: r, checkoutId };
  });
  const url = await startCheckout(s, provider, {
    checkoutId: placed.checkoutId,
    reference: placed.entry.id,
    amount: money(placed.entry.amount, placed.entry.currency),
    description: `${placed.raffle.title}: ${placed.entry.quantity} raffle ticket${placed.entry.quantity === 1 ? '' : 's'}`,
    expiresAt: placed.entry.expiresAt ?? now,
    email: placed.entry.buyerEmail,
  });
  return { view: { entry: placed.entry, raffle: placed.raffle, ticketNumbers: [] }, checkoutUrl: url };
}

/** Tickets sold at the door for cash: paid and numbered at once. */
export async function sellRaffleTicketsAtDoor(s: Services, actor: Actor, id: string, input: EntryInput & { method?: 'cash' | 'card_terminal' | 'other' }): Promise<EntryView> {
  const name = input.buyer.name.trim() || 'Door sale';
  const email = input.buyer.email ? normaliseEmail(input.buyer.email) : null;
  const now = s.now();
  const entryId = await s.db.write(() => {
    const r = raffleOrThrow(s, id);
    if (r.entry !== 'paid') throw new DomainError('unprocessable', 'This is a free prize draw: nothing is sold.');
    assertSelling(r, now, true);
    const bundle = bundleFor(r, input.quantity);
    assertRoom(s, r, bundle.quantity, now);
    const entry = newEntry(r, {
      id: newId('rfe'),
      source: 'door',
      method: input.method ?? 'cash',
      buyerName: name,
      buyerEmail: email,
      quantity: bundle.quantity,
      amount: bundle.price,
      status: 'pending',
      publicName: input.publicName === true,
      // The volunteer selling at the door checks the age and shows the rules.
      confirmedAt: now,
      expiresAt: null,
      createdBy: actor.userId,
      createdAt: now,
    });
    insertEntry(s.db, entry);
    markEntryPaid(s, entry, r, now);
    audit(s, actor, 'raffle.entry.door', { type: 'raffle_entry', id: entry.id }, null, { raffle: r.id, quantity: bundle.quantity, amount: bundle.price, currency: r.currency, method: entry.method });
    return entry.id;
  });
  s.mailer.kick();
  return getEntry(s, entryId);
}

/** A free prize draw's sign-up: one ticket per person, numbered at once. */
export async function signUpForDraw(s: Services, id: string, input: EntryInput): Promise<EntryView> {
  const { name, email } = guestOf(input, 'you are told there if you win');
  const now = s.now();
  const entryId = await s.db.write(() => {
    const r = raffleOrThrow(s, id);
    if (r.entry !== 'signup') throw new DomainError('unprocessable', r.entry === 'paid' ? 'Tickets for this raffle are sold, not signed up for.' : 'Every checked-in guest of the event is in this draw: no sign-up needed.');
    assertSelling(r, now, false);
    assertConfirmed(r, input);
    if (entriesOf(s.db, id).some((e) => e.holderKey === email && e.status === 'paid')) {
      throw new DomainError('conflict', 'You are already in this draw (one entry per person).', [{ field: 'buyer.email', message: 'Already entered' }]);
    }
    assertRoom(s, r, 1, now);
    const entry = newEntry(r, {
      id: newId('rfe'),
      source: 'free',
      method: 'free',
      buyerName: name,
      buyerEmail: email,
      quantity: 1,
      amount: 0,
      status: 'pending',
      publicName: input.publicName === true,
      confirmedAt: now,
      expiresAt: null,
      createdBy: null,
      createdAt: now,
    });
    insertEntry(s.db, entry);
    markEntryPaid(s, entry, r, now);
    return entry.id;
  });
  s.mailer.kick();
  return getEntry(s, entryId);
}

/**
 * Numbers the entry's tickets after the last one issued, and puts paid
 * proceeds in the campaign's ledger as "raffle" (converted at today's rate).
 * Runs inside the write that records the payment.
 */
export function markEntryPaid(s: Services, entry: EntryRow, r: RaffleRow, now: number): void {
  const first = nextTicketNumber(s.db, r.id);
  const numbers = Array.from({ length: entry.quantity }, (_, i) => first + i);
  insertRaffleTickets(
    s.db,
    numbers.map((number) => ({ raffleId: r.id, number, entryId: entry.id, status: 'valid' as const })),
  );
  let campaignAmount: number | null = null;
  let rate: string | null = null;
  const campaign = r.campaignId ? findCampaignById(s.db, r.campaignId) : undefined;
  if (campaign && entry.amount > 0) {
    const converted = convertAt(s, money(entry.amount, entry.currency), campaign.currency, now);
    campaignAmount = converted.value.amount;
    rate = converted.rate;
    appendLedger(s.db, { campaignId: campaign.id, kind: 'raffle', amount: campaignAmount, raffleEntryId: entry.id, createdAt: now });
    addToTotals(s.db, campaign.id, { raffles: campaignAmount });
  }
  // Proceeds take a place in the campaign's matching order; only pledges that
  // name raffles as a source match them (then the campaign is replayed).
  const matchSeq = campaign && campaignAmount ? nextSuccessSeq(s.db) : null;
  updateEntry(s.db, entry.id, { status: 'paid', paidAt: now, campaignAmount, rate, expiresAt: null, matchSeq });
  if (campaign && campaignAmount && matchesRaffles(s, campaign.id)) replayCampaign(s, campaign.id);
  if (entry.buyerEmail) {
    queueMail(s, {
      to: entry.buyerEmail,
      kind: 'raffle',
      template: 'raffle-tickets',
      subject: `Your raffle ticket${numbers.length === 1 ? '' : 's'}: ${r.title}`,
      data: {
        name: entry.buyerName,
        title: r.title,
        numbers,
        amount: entry.amount === 0 ? null : formatMoney(money(entry.amount, entry.currency)),
        drawAt: r.drawAt === null ? null : formatDate(r.drawAt, { style: 'datetime' }),
        drawPlace: r.drawPlace,
        link: `${s.config.baseUrl}/raffles/${r.id}`,
      },
    });
  }
}

/** A provider's report on an online purchase (inside applyPaymentEvent's write). */
export function raffleEntryPaymentCompleted(s: Services, entry: EntryRow, now: number): void {
  if (entry.status === 'paid' || entry.status === 'refunded') return;
  const r = raffleOrThrow(s, entry.raffleId);
  if (r.status !== 'open') {
    // Money that arrives after the pool was frozen cannot buy a place in it.
    audit(s, { userId: null, label: 'system', role: null, ip: null }, 'raffle.entry.late_payment', { type: 'raffle_entry', id: entry.id }, { status: entry.status }, { raffle: r.id, amount: entry.amount, currency: entry.currency, action: 'refund due' });
    updateEntry(s.db, entry.id, { status: 'failed' });
    return;
  }
  markEntryPaid(s, entry, r, now);
}

export function raffleEntryPaymentFailed(s: Services, entry: EntryRow, outcome: 'declined' | 'expired'): void {
  if (entry.status === 'pending') updateEntry(s.db, entry.id, { status: outcome === 'declined' ? 'failed' : 'expired' });
}

export function getEntry(s: Services, id: string): EntryView {
  const entry = findEntry(s.db, id);
  const raffle = entry && findRaffle(s.db, entry.raffleId);
  if (!entry || !raffle) throw new DomainError('not_found', 'There is no such raffle entry.');
  return { entry, raffle, ticketNumbers: ticketNumbersOfEntry(s.db, id) };
}

export interface EntryWithNumbers {
  entry: EntryRow;
  numbers: number[];
}

/** Every entry of a raffle with its ticket numbers (for staff: the entries list). */
export function raffleEntries(s: Services, raffleId: string): EntryWithNumbers[] {
  return entriesOf(s.db, raffleId).map((entry) => ({ entry, numbers: ticketNumbersOfEntry(s.db, entry.id) }));
}

/** Who holds a ticket (for staff: whom to hand a prize). */
export function holderOfTicket(s: Services, raffleId: string, ticketNumber: number): EntryRow | undefined {
  return entryOfTicket(s.db, raffleId, ticketNumber);
}

/** The checkout a pending purchase can still be paid at, if any. */
export function openCheckoutOfEntry(s: Services, entryId: string): CheckoutRow | undefined {
  return openCheckoutsOfRaffleEntry(s.db, entryId)[0];
}

/** Refunds a paid entry before the draw's pool is frozen: its tickets leave the pool. */
export async function refundRaffleEntry(s: Services, actor: Actor, entryId: string, reason: string | null): Promise<EntryView> {
  const now = s.now();
  await s.db.write(() => {
    const entry = findEntry(s.db, entryId);
    if (!entry) throw new DomainError('not_found', 'There is no such raffle entry.');
    const r = raffleOrThrow(s, entry.raffleId);
    if (entry.status !== 'paid') throw new DomainError('invalid_state', `A ${entry.status} entry cannot be refunded.`);
    if (r.status !== 'open' && r.status !== 'draft') throw new DomainError('invalid_state', 'The pool is frozen: tickets cannot leave it after sales closed.');
    reverseEntry(s, entry, r, now, true);
    audit(s, actor, 'raffle.entry.refund', { type: 'raffle_entry', id: entry.id }, { status: 'paid' }, { status: 'refunded', amount: entry.amount, currency: entry.currency, reason });
  });
  return getEntry(s, entryId);
}

/**
 * A paid entry's proceeds leave the campaign's ledger and its matching; with
 * `voidTickets` its tickets leave the pool too. Inside a write.
 */
function reverseEntry(s: Services, entry: EntryRow, r: RaffleRow, now: number, voidTickets: boolean): void {
  if (r.campaignId && entry.campaignAmount) {
    appendLedger(s.db, { campaignId: r.campaignId, kind: 'raffle', amount: -entry.campaignAmount, raffleEntryId: entry.id, createdAt: now });
    addToTotals(s.db, r.campaignId, { raffles: -entry.campaignAmount });
  }
  if (voidTickets) voidTicketsOfEntry(s.db, entry.id);
  updateEntry(s.db, entry.id, { status: 'refunded', refundedAt: now });
  if (r.campaignId && entry.campaignAmount && matchesRaffles(s, r.campaignId)) replayCampaign(s, r.campaignId);
}

/**
 * A lost dispute of a raffle entry's card payment: the bank gave the money
 * back. While sales are open it is a refund (the tickets leave the pool).
 * Once the raffle is closed its pool is frozen and committed to, so the
 * tickets stay in it and the draw stays verifiable: only the money leaves the
 * ledger (the entry shows refunded; its tickets are still drawn, and whether
 * a winning one gets its prize is for a person to decide, from the audit log).
 * Recorded as the provider's refund under the dispute's id, so the loss
 * reported again, or after the entry was refunded, reverses nothing twice and
 * the refund sweep never asks Stripe for it. Inside a write.
 */
export function raffleEntryDisputeLost(s: Services, actor: Actor, checkout: CheckoutRow, disputeId: string, now: number): void {
  if (!checkout.raffleEntryId || providerRefundKnown(s.db, checkout.provider, disputeId)) return;
  const entry = findEntry(s.db, checkout.raffleEntryId);
  if (!entry) return;
  if (entry.status === 'paid') {
    const r = raffleOrThrow(s, entry.raffleId);
    const frozen = r.status !== 'open' && r.status !== 'draft';
    reverseEntry(s, entry, r, now, !frozen);
    audit(s, actor, 'raffle.entry.dispute_lost', { type: 'raffle_entry', id: entry.id }, { status: 'paid' }, {
      status: 'refunded',
      dispute: disputeId,
      amount: entry.amount,
      currency: entry.currency,
      campaignAmount: entry.campaignAmount,
      tickets: frozen ? 'kept in the frozen pool: the draw stays as committed' : 'left the pool',
    });
  }
  const left = checkout.amount - refundedAtProvider(s.db, checkout.id);
  recordProviderRefund(s.db, { provider: checkout.provider, refundId: disputeId, checkoutId: checkout.id, amount: Math.max(0, left), createdAt: now });
}

/** Pending purchases whose hold ran out free their tickets. */
export async function expirePendingRaffleEntries(s: Services): Promise<number> {
  const now = s.now();
  return s.db.write(() => {
    const due = pendingEntriesExpiredBy(s.db, now);
    for (const e of due) {
      updateEntry(s.db, e.id, { status: 'expired' });
      for (const c of openCheckoutsOfRaffleEntry(s.db, e.id)) updateCheckout(s.db, c.id, { status: 'expired' });
    }
    return due.length;
  });
}

// ---- Close, draw, redraw ---------------------------------------------------

export interface ClosedRaffle {
  commitment: string;
  pool: [number, number][];
}

/**
 * Closes sales: freezes the pool (every valid ticket of a paid entry) and
 * commits to a fresh secret seed. A draw among checked-in guests first enters
 * each checked-in ticket of the event, in check-in order. Cannot be undone.
 */
export async function closeRaffle(s: Services, actor: Actor, id: string): Promise<ClosedRaffle> {
  const now = s.now();
  const seed = randomBytes(seedBytes);
  const result = await s.db.write(() => {
    const r = raffleOrThrow(s, id);
    if (r.status === 'draft') throw new DomainError('invalid_state', 'Sales for this raffle never opened: there is nothing to close.');
    if (r.status !== 'open') throw new DomainError('invalid_state', `This raffle is already ${r.status}.`);
    if (r.entry === 'checked_in' && r.eventId) enterCheckedInGuests(s, r, now);
    const pool = validTickets(s.db, id);
    if (pool.length === 0) {
      throw new DomainError('unprocessable', r.entry === 'checked_in' ? 'Nobody has checked in yet: there is nothing to draw from.' : 'No ticket has been sold: there is nothing to draw from.');
    }
    // Purchases still being paid cannot join a frozen pool.
    for (const e of entriesOf(s.db, id)) {
      if (e.status !== 'pending') continue;
      updateEntry(s.db, e.id, { status: 'expired' });
      for (const c of openCheckoutsOfRaffleEntry(s.db, e.id)) updateCheckout(s.db, c.id, { status: 'expired' });
    }
    const numbers = pool.map((t) => t.number);
    const byHolder = new Map<string, number[]>();
    for (const t of pool) byHolder.set(t.holderKey, [...(byHolder.get(t.holderKey) ?? []), t.number]);
    const sameHolder = [...byHolder.values()].filter((g) => g.length > 1);
    const commitment = commitmentOf(seed);
    updateRaffle(s.db, id, {
      status: 'closed',
      pool: JSON.stringify(numbers),
      sameHolder: JSON.stringify(sameHolder),
      seed: seed.toString('hex'),
      commitment,
      closedAt: now,
      updatedAt: now,
    });
    audit(s, actor, 'raffle.close', { type: 'raffle', id }, { status: 'open' }, { status: 'closed', tickets: numbers.length, commitment });
    return { commitment, pool: toRanges(numbers) };
  });
  return result;
}

function enterCheckedInGuests(s: Services, r: RaffleRow, now: number): void {
  const entered = new Set(entriesOf(s.db, r.id).flatMap((e) => (e.eventTicketId ? [e.eventTicketId] : [])));
  for (const t of checkedInTicketsOfEvent(s.db, r.eventId ?? '')) {
    if (entered.has(t.ticketId)) continue;
    const entry = newEntry(r, {
      id: newId('rfe'),
      source: 'free',
      method: 'check_in',
      buyerName: t.buyerName,
      buyerEmail: t.buyerEmail,
      quantity: 1,
      amount: 0,
      status: 'pending',
      publicName: false,
      confirmedAt: t.checkedInAt,
      expiresAt: null,
      createdBy: null,
      createdAt: now,
      eventTicketId: t.ticketId,
    });
    // One holder per order: a buyer who brought friends is one person only if it is the same address.
    insertEntry(s.db, { ...entry, holderKey: t.buyerEmail ?? `order:${t.orderId}` });
    markEntryPaid(s, { ...entry, holderKey: t.buyerEmail ?? `order:${t.orderId}` }, r, now);
  }
}

function rulesOf(r: RaffleRow, prizes: number): Parameters<typeof runDraw>[0] {
  if (!r.seed || !r.pool) throw new Error(`raffle ${r.id} is not closed`);
  const holderOf = new Map<number, string>();
  (JSON.parse(r.sameHolder ?? '[]') as number[][]).forEach((group, g) => {
    for (const n of group) holderOf.set(n, `holder-${g}`);
  });
  return { raffleId: r.id, seed: Buffer.from(r.seed, 'hex'), pool: JSON.parse(r.pool) as number[], prizes, onePrizePerPerson: r.onePrizePerPerson, holderOf };
}

export interface DrawnRaffle {
  seed: string;
  commitment: string;
  winners: { prize: number; prizeName: string; ticketNumber: number | null }[];
}

/** Reveals the seed and draws every prize. Runs once. */
export async function drawRaffle(s: Services, actor: Actor, id: string): Promise<DrawnRaffle> {
  const now = s.now();
  await s.db.write(() => {
    const r = raffleOrThrow(s, id);
    if (r.status === 'drawn') throw new DomainError('invalid_state', 'This raffle has been drawn already: a draw runs once.');
    if (r.status !== 'closed') throw new DomainError('invalid_state', 'Close sales first: the draw needs the frozen pool and the published commitment.');
    const prizes = prizesOf(s.db, id);
    const draws = runDraw(rulesOf(r, prizes.length));
    insertDraws(s.db, draws.map((d, seq) => drawRow(r.id, seq, d, now)));
    updateRaffle(s.db, id, { status: 'drawn', drawnAt: now, updatedAt: now });
    for (const d of draws) notifyWinner(s, r, prizes, d, now);
    audit(s, actor, 'raffle.draw', { type: 'raffle', id }, { status: 'closed' }, { status: 'drawn', winners: draws.map((d) => d.ticketNumber) });
  });
  s.mailer.kick();
  return drawnOf(s, id);
}

function drawRow(raffleId: string, seq: number, d: Draw, now: number): DrawRow {
  return { raffleId, seq, prize: d.prize, ticketNumber: d.ticketNumber, attempt: d.attempt, status: d.ticketNumber === null ? 'unawarded' : 'won', claimedAt: null, createdAt: now };
}

function notifyWinner(s: Services, r: RaffleRow, prizes: readonly PrizeRow[], d: Draw, now: number): void {
  if (d.ticketNumber === null) return;
  const entry = entryOfTicket(s.db, r.id, d.ticketNumber);
  if (!entry?.buyerEmail) return;
  const deadline = now + r.claimDays * 86_400_000;
  queueMail(s, {
    to: entry.buyerEmail,
    kind: 'raffle',
    template: 'raffle-winner',
    subject: `You won a prize: ${r.title}`,
    data: {
      name: entry.buyerName,
      title: r.title,
      prize: prizes[d.prize]?.name ?? '',
      donor: prizes[d.prize]?.donor ?? null,
      ticketNumber: d.ticketNumber,
      deadline: formatDate(deadline, { style: 'date' }),
      link: `${s.config.baseUrl}/raffles/${r.id}`,
    },
  });
}

function drawnOf(s: Services, id: string): DrawnRaffle {
  const r = raffleOrThrow(s, id);
  const prizes = prizesOf(s.db, id);
  const current = new Map<number, DrawRow>();
  for (const d of drawsOf(s.db, id)) current.set(d.prize, d);
  return {
    seed: r.seed ?? '',
    commitment: r.commitment ?? '',
    winners: prizes.map((p) => ({ prize: p.position, prizeName: p.name, ticketNumber: current.get(p.position)?.ticketNumber ?? null })),
  };
}

/** The prize went unclaimed (or was declined): it is drawn again, continuing its attempts. */
export async function redrawPrize(s: Services, actor: Actor, id: string, prize: number): Promise<DrawnRaffle> {
  const now = s.now();
  await s.db.write(() => {
    const r = raffleOrThrow(s, id);
    if (r.status !== 'drawn') throw new DomainError('invalid_state', 'Only a drawn raffle has prizes to redraw.');
    const prizes = prizesOf(s.db, id);
    if (!Number.isInteger(prize) || prize < 0 || prize >= prizes.length) throw new DomainError('not_found', `There is no prize ${prize}.`);
    const draws = drawsOf(s.db, id);
    const current = [...draws].reverse().find((d) => d.prize === prize);
    if (!current || current.status === 'unawarded') throw new DomainError('invalid_state', 'No ticket is left that could win this prize.');
    if (current.status === 'claimed') throw new DomainError('invalid_state', 'This prize has been claimed.');
    const redraws = [...draws.slice(prizes.length).map((d) => d.prize), prize];
    const all = runDraw(rulesOf(r, prizes.length), redraws);
    const next = all[all.length - 1] as Draw;
    updateDraw(s.db, id, current.seq, { status: 'forfeited' });
    insertDraws(s.db, [drawRow(id, draws.length, next, now)]);
    notifyWinner(s, r, prizes, next, now);
    audit(s, actor, 'raffle.redraw', { type: 'raffle', id }, { prize, ticketNumber: current.ticketNumber }, { prize, ticketNumber: next.ticketNumber });
  });
  s.mailer.kick();
  return drawnOf(s, id);
}

/** A winner collected the prize. */
export async function markPrizeClaimed(s: Services, actor: Actor, id: string, prize: number): Promise<void> {
  const now = s.now();
  await s.db.write(() => {
    raffleOrThrow(s, id);
    const current = [...drawsOf(s.db, id)].reverse().find((d) => d.prize === prize);
    if (!current || current.status !== 'won') throw new DomainError('invalid_state', 'This prize has no winner waiting to claim it.');
    updateDraw(s.db, id, current.seq, { status: 'claimed', claimedAt: now });
    audit(s, actor, 'raffle.claim', { type: 'raffle', id }, { prize, status: 'won' }, { prize, status: 'claimed' });
  });
}

// ---- The public record -------------------------------------------------------

export interface PublicWinner {
  prize: number;
  prizeName: string;
  ticketNumber: number | null;
  /** First name and initial when the winner agreed, else "Anonymous". */
  name: string | null;
  status: DrawRow['status'];
}

export interface PublicRaffle {
  id: string;
  title: string;
  status: RaffleRow['status'];
  event: string | null;
  campaign: string | null;
  rules: string;
  jurisdiction: string;
  licence: string | null;
  authority: string | null;
  ageLimit: number | null;
  drawAt: string | null;
  drawPlace: string | null;
  claimDays: number;
  entry: RaffleEntryMode;
  bundles: { quantity: number; price: Money }[];
  maxTickets: number | null;
  ticketsLeft: number | null;
  salesStart: string | null;
  salesEnd: string | null;
  onePrizePerPerson: boolean;
  prizes: { name: string; description: string; donor: string | null; value: Money | null }[];
  commitment: string | null;
  pool: [number, number][] | null;
  sameHolder: number[][] | null;
  seed: string | null;
  draws: { prize: number; ticketNumber: number | null; attempt: number; status: DrawRow['status'] }[] | null;
  redraws: number[] | null;
  winners: PublicWinner[] | null;
  verification: string;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** Everything the public may see, and everything needed to verify the draw; never an e-mail. */
export function publicRaffle(s: Services, v: RaffleView): PublicRaffle {
  const r = v.raffle;
  const drawn = r.status === 'drawn';
  const pool = r.pool ? (JSON.parse(r.pool) as number[]) : null;
  const winners = drawn
    ? v.prizes.map((p): PublicWinner => {
        const d = [...v.draws].reverse().find((x) => x.prize === p.position);
        const entry = d?.ticketNumber ? entryOfTicket(s.db, r.id, d.ticketNumber) : undefined;
        return {
          prize: p.position,
          prizeName: p.name,
          ticketNumber: d?.ticketNumber ?? null,
          name: d?.ticketNumber ? (entry?.publicName ? firstNameAndInitial(entry.buyerName) : 'Anonymous') : null,
          status: d?.status ?? 'unawarded',
        };
      })
    : null;
  return {
    id: r.id,
    title: r.title,
    status: r.status,
    event: v.event?.slug ?? null,
    campaign: v.campaign?.slug ?? null,
    rules: r.rules,
    jurisdiction: r.jurisdiction,
    licence: r.licence,
    authority: r.authority,
    ageLimit: r.ageLimit,
    drawAt: iso(r.drawAt),
    drawPlace: r.drawPlace,
    claimDays: r.claimDays,
    entry: r.entry,
    bundles: v.bundles.map((b) => ({ quantity: b.quantity, price: money(b.price, r.currency) })),
    maxTickets: r.maxTickets,
    ticketsLeft: r.maxTickets === null ? null : Math.max(0, r.maxTickets - v.taken),
    salesStart: iso(r.salesStart),
    salesEnd: iso(r.salesEnd),
    onePrizePerPerson: r.onePrizePerPerson,
    prizes: v.prizes.map((p) => ({ name: p.name, description: p.description, donor: p.donor, value: p.value === null ? null : money(p.value, r.currency) })),
    commitment: r.commitment,
    pool: pool ? toRanges(pool) : null,
    sameHolder: r.sameHolder ? (JSON.parse(r.sameHolder) as number[][]) : null,
    // The seed stays secret until the draw; the commitment proves it was fixed before.
    seed: drawn ? r.seed : null,
    draws: drawn ? v.draws.map((d) => ({ prize: d.prize, ticketNumber: d.ticketNumber, attempt: d.attempt, status: d.status })) : null,
    redraws: drawn ? v.draws.slice(v.prizes.length).map((d) => d.prize) : null,
    winners,
    verification: '/docs/raffle-draw',
  };
}
