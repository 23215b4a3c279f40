// Seeds the benchmark database through the real services only: the campaign,
// exchange rates, a matching pledge, an admin token, offline gifts, and the
// events of the calendar feed and the flash sale. No raw SQL touches the
// ledger or the totals; `verifyAll` proves them consistent.
import { localDateTime } from '../src/domain/local-time.ts';
import { money, parseMoney, type Money } from '../src/domain/money.ts';
import type { Actor, Services } from '../src/services/context.ts';
import { createCampaign } from '../src/services/campaigns.ts';
import { addTicketType, createEvent, createSeries, type EventInput, type Venue } from '../src/services/events.ts';
import { recordOfflineGift, type OfflineGiftInput, type OfflineMethod } from '../src/services/gifts.ts';
import { createPledge } from '../src/services/pledges.ts';
import { addRate } from '../src/services/rates.ts';
import { createToken, createUser } from '../src/services/users.ts';
import { verifyAll } from '../src/services/verify.ts';

export const benchActor: Actor = { userId: null, label: 'bench', role: 'admin', ip: null };
export const slug = 'rescue-fund';

const story = [
  'Every week families arrive at the border with nothing but what they carry.',
  '',
  'The **Rescue Fund** pays for one safe journey, a month of shelter and the first',
  'legal appointment: about 300 USD a family. Every gift is doubled by our sponsors.',
].join('\n');

/**
 * The Rescue Fund as the demo has it (15,000 USD, rescue = 300 USD, a 1:1
 * anonymous sponsor), with two pledges chosen so the pages compare like with
 * like and the write path is the real one:
 * - the anonymous 1:1 pledge (500 rescues) matches every gift of phase 1,
 *   including each gift POSTed during the benchmark, and runs out early while
 *   the campaign grows;
 * - a named 1:1 pledge for online gifts only (1,000 rescues) stays active, so
 *   the page shows a live match banner with 100 and with 100,000 gifts; the
 *   seeded gifts are offline, so it never runs out.
 */
export async function seedCampaign(s: Services): Promise<void> {
  await createCampaign(s, benchActor, {
    slug,
    title: 'Rescue Fund',
    story,
    currency: 'USD',
    goal: { amount: 1_500_000, currency: 'USD' },
    impact: { unit: 'rescue', unitCost: { amount: 30_000, currency: 'USD' } },
    status: 'published',
  });
  // Effective a minute ago, so a gift recorded in the same millisecond converts.
  const effectiveAt = s.now() - 60_000;
  await addRate(s, benchActor, { base: 'KRW', quote: 'USD', rate: '0.00074', effectiveAt });
  await addRate(s, benchActor, { base: 'CAD', quote: 'USD', rate: '0.73', effectiveAt });
  await createPledge(
    s,
    benchActor,
    slug,
    { sponsor: { name: 'A. Sponsor', email: 'sponsor@bench.test' }, anonymous: true, ratio: '1:1', capUnits: 500 },
    'active',
  );
  await createPledge(
    s,
    benchActor,
    slug,
    {
      sponsor: { name: 'Harbour Foundation', email: 'grants@harbour.bench.test' },
      anonymous: false,
      ratio: '1:1',
      capUnits: 1_000,
      sources: ['online'],
      priority: 200,
    },
    'active',
  );
}

/** An admin user and its API token, for the gift POST. */
export async function seedAdminToken(s: Services): Promise<string> {
  await createUser(s, benchActor, { email: 'admin@bench.test', role: 'admin' });
  return createToken(s, benchActor, 'admin@bench.test', 'bench');
}

const names = ['Mina Park', 'Daniel Reyes', 'Colin MacLeod', 'Priya Natarajan', 'Seo-yeon Lim', 'Grace Okafor', 'Ruth Halvorsen', 'Kofi Mensah'];
const methods: readonly OfflineMethod[] = ['cash', 'cheque', 'bank_transfer', 'other'];
const amounts: readonly [string, string][] = [
  ['25', 'USD'],
  ['50', 'USD'],
  ['100', 'USD'],
  ['75', 'CAD'],
  ['50000', 'KRW'],
  ['300', 'USD'],
  ['40', 'USD'],
  ['200', 'CAD'],
  ['100000', 'KRW'],
  ['20', 'USD'],
];

/** The i-th gift of the seed: deterministic, a mix of currencies, methods, anonymity and comments. */
export function giftInput(i: number): OfflineGiftInput {
  const [major, currency] = amounts[i % amounts.length] ?? ['10', 'USD'];
  const amount: Money = parseMoney(major, currency);
  const name = names[i % names.length] ?? 'Supporter';
  return {
    amount,
    // About one donor in three gives more than once.
    donor: { name: `${name} ${Math.floor(i / 3)}`, email: `donor${Math.floor(i / 3)}@bench.test` },
    anonymous: i % 7 === 0,
    showAmount: i % 11 !== 0,
    comment: i % 5 === 0 ? 'For the next family on the road.' : null,
    method: methods[i % methods.length] ?? 'cash',
  };
}

export interface GrowResult {
  added: number;
  ms: number;
  perSecond: number;
}

/**
 * Records gifts [from, to) through `recordOfflineGift`, `batch` at a time.
 * Calls started in one turn of the event loop share one transaction (the
 * database's group commit), so the services, the ledger and the totals run
 * exactly as in production and only the number of fsyncs changes.
 */
export async function addGifts(s: Services, from: number, to: number, batch: number): Promise<GrowResult> {
  const started = performance.now();
  for (let start = from; start < to; start += batch) {
    const end = Math.min(to, start + batch);
    const pending: Promise<unknown>[] = [];
    for (let i = start; i < end; i++) pending.push(recordOfflineGift(s, benchActor, slug, giftInput(i)));
    await Promise.all(pending);
  }
  const ms = performance.now() - started;
  return { added: to - from, ms, perSecond: ((to - from) * 1000) / ms };
}

/** Runs `verify`; throws naming the first differences when the caches disagree with the ledger. */
export async function assertConsistent(s: Services): Promise<void> {
  const report = await verifyAll(s);
  if (report.differences.length > 0) {
    const shown = report.differences.slice(0, 10).join('\n  ');
    throw new Error(`verify found ${report.differences.length} difference(s):\n  ${shown}`);
  }
}

const day = 86_400_000;

/** The calendar date `days` from now in `zone`, at a wall time: "2026-12-05T19:00". */
function wallTime(s: Services, days: number, zone: string, time: string): string {
  return `${localDateTime(s.now() + days * day, zone).slice(0, 10)}T${time}`;
}

interface FeedEvent {
  slug: string;
  title: string;
  kind: EventInput['kind'];
  timezone: string;
  days: number;
  venue: Venue;
  price: Money;
  series?: boolean;
}

const seoul = (name: string, address: string): Venue => ({ name, address, city: 'Seoul', country: 'South Korea' });
const canada = (name: string, address: string, city: string): Venue => ({ name, address, city, country: 'Canada' });

/** Upcoming events in three countries' worth of time zones, as the NGO's calendar has them. */
const feedEvents: readonly FeedEvent[] = [
  { slug: 'game-night', title: 'Two Truths and a Lie', kind: 'social', timezone: 'Asia/Seoul', days: 7, venue: seoul('Blue Door Pub', '12 Itaewon-ro'), price: parseMoney('15000', 'KRW') },
  { slug: 'screening', title: 'The Long Crossing: screening and Q&A', kind: 'screening', timezone: 'Asia/Seoul', days: 12, venue: seoul('Mapo Arts Cinema', '45 Yanghwa-ro'), price: parseMoney('20000', 'KRW') },
  { slug: 'seminar-vancouver', title: 'Rescue in practice: Vancouver', kind: 'seminar', timezone: 'America/Vancouver', days: 20, venue: canada('Rio Hall', '1660 E Broadway', 'Vancouver'), price: parseMoney('25', 'CAD'), series: true },
  { slug: 'seminar-edmonton', title: 'Rescue in practice: Edmonton', kind: 'seminar', timezone: 'America/Edmonton', days: 22, venue: canada('Stanley Library', '7 Sir Winston Churchill Sq', 'Edmonton'), price: parseMoney('25', 'CAD'), series: true },
  { slug: 'seminar-regina', title: 'Rescue in practice: Regina', kind: 'seminar', timezone: 'America/Regina', days: 25, venue: canada('Prairie Hall', '2311 12th Ave', 'Regina'), price: parseMoney('25', 'CAD'), series: true },
  { slug: 'charity-run', title: 'Run for Rescue 5K', kind: 'run', timezone: 'Asia/Seoul', days: 30, venue: seoul('Yeouido Hangang Park', '330 Yeouidong-ro'), price: parseMoney('30000', 'KRW') },
];

/** The published upcoming events of `/events.ics`, each with a ticket type; returns how many. */
export async function seedFeedEvents(s: Services): Promise<number> {
  await createSeries(s, benchActor, { slug: 'seminar-tour', title: 'Seminar tour: Rescue in practice' });
  for (const e of feedEvents) {
    await createEvent(s, benchActor, {
      slug: e.slug,
      title: e.title,
      description: `${e.title}: every ticket counts toward the Rescue Fund.`,
      kind: e.kind,
      timezone: e.timezone,
      startsAt: wallTime(s, e.days, e.timezone, e.kind === 'run' ? '09:00' : '19:00'),
      endsAt: wallTime(s, e.days, e.timezone, e.kind === 'run' ? '12:00' : '21:30'),
      venue: e.venue,
      seriesSlug: e.series ? 'seminar-tour' : null,
      campaignSlug: slug,
      currency: e.price.currency,
      capacity: 120,
      hosts: e.series ? [{ name: 'Prairie Welcome Network', url: 'https://example.org/prairie-welcome' }] : [],
      speakers: e.kind === 'seminar' ? [{ name: 'Dana Whitford', bio: 'Rescue coordinator' }] : [],
      status: 'published',
    });
    await addTicketType(s, benchActor, e.slug, { name: 'General admission', price: e.price, quantity: 120 });
  }
  return feedEvents.length;
}

export interface SaleEvent {
  slug: string;
  eventId: string;
  ticketTypeId: string;
}

/** A published event three weeks ahead with one priced ticket type of `seats` seats (and as many of capacity). */
export async function seedSaleEvent(s: Services, eventSlug: string, title: string, seats: number): Promise<SaleEvent> {
  const event = await createEvent(s, benchActor, {
    slug: eventSlug,
    title,
    kind: 'screening',
    timezone: 'Asia/Seoul',
    startsAt: wallTime(s, 21, 'Asia/Seoul', '19:00'),
    endsAt: wallTime(s, 21, 'Asia/Seoul', '21:30'),
    venue: seoul('Mapo Arts Cinema', '45 Yanghwa-ro'),
    campaignSlug: slug,
    capacity: seats,
    status: 'published',
  });
  const type = await addTicketType(s, benchActor, eventSlug, { name: 'Premiere seat', price: money(2_500, 'USD'), quantity: seats, maxPerOrder: 4 });
  return { slug: eventSlug, eventId: event.id, ticketTypeId: type.id };
}
