// Demo data that tells the NGO's story: the Rescue Fund with an anonymous 1:1
// sponsor, gifts in USD, CAD and KRW, online and offline, one refunded; and its
// events: a game night and a film screening in Seoul that already happened
// (tickets sold online and at the door, guests checked in), a seminar tour
// through four Canadian cities in three time zones with a partner organisation,
// and a charity run with a running club, all selling tickets. Every person is
// invented. Loading runs through the same services as real use, on a clock
// that walks through the past weeks, and is safe to run twice.
import { localDateTime } from '../domain/local-time.ts';
import { money, parseMoney } from '../domain/money.ts';
import { findCampaignBySlug } from '../db/campaigns.ts';
import type { TicketTypeRow } from '../db/events.ts';
import { findUserByEmail } from '../db/users.ts';
import type { PaymentProvider } from '../payments/provider.ts';
import { testProvider } from '../payments/test-provider.ts';
import { createCampaign } from './campaigns.ts';
import type { Actor, Services } from './context.ts';
import { addTicketType, createEvent, createSeries, type EventInput, type TicketTypeInput, type Venue } from './events.ts';
import { recordOfflineGift, refundGift, startOnlineGift, type OfflineMethod } from './gifts.ts';
import { checkIn, getOrder, placeOrder, recordDoorSale, type OrderItemInput } from './orders.ts';
import { applyPaymentEvent } from './payments.ts';
import { closeRaffle, createRaffle, drawRaffle, markPrizeClaimed, redrawPrize, sellRaffleTicketsAtDoor, type RaffleInput } from './raffles.ts';
import { setCampaignOrganizer } from './accounts.ts';
import { findPledge } from '../db/pledges.ts';
import { pledgeAccount, recordPledgePayment } from './pledge-payments.ts';
import { createPledge, decidePledge } from './pledges.ts';
import { addRate } from './rates.ts';
import { createUser, roles } from './users.ts';
import type { Role } from '../db/users.ts';

export const demoPassword = 'lantern-demo-2026';
const slug = 'rescue-fund';
const minute = 60_000;
const hour = 3_600_000;
const day = 86_400_000;

interface DemoGift {
  name: string;
  email?: string;
  amount: string;
  currency: 'USD' | 'CAD' | 'KRW';
  online: boolean;
  anonymous?: boolean;
  comment?: string;
  method?: OfflineMethod;
  hideAmount?: boolean;
}

// Amounts in major units as a person would type them.
const demoGifts: DemoGift[] = [
  { name: 'Mina Park', email: 'mina.park@example.org', amount: '100', currency: 'USD', online: true, comment: 'For the next family on the road.' },
  { name: 'Daniel Reyes', email: 'd.reyes@example.net', amount: '50', currency: 'USD', online: true },
  { name: 'Hye-jin Cho', email: 'hyejin@example.kr', amount: '100000', currency: 'KRW', online: true, anonymous: true },
  { name: 'Colin MacLeod', email: 'colin.macleod@example.ca', amount: '75', currency: 'CAD', online: true, comment: 'From Edmonton with love' },
  { name: 'Priya Natarajan', email: 'priya.n@example.com', amount: '300', currency: 'USD', online: true, comment: 'One whole rescue!' },
  { name: 'Anonymous supporter', amount: '40', currency: 'USD', online: false, method: 'cash', anonymous: true },
  { name: 'Seo-yeon Lim', email: 'seoyeon.lim@example.kr', amount: '50000', currency: 'KRW', online: true },
  { name: 'Tomasz Nowak', email: 'tnowak@example.eu', amount: '25', currency: 'USD', online: true },
  { name: 'Grace Okafor', email: 'grace.okafor@example.org', amount: '150', currency: 'USD', online: true, hideAmount: true },
  { name: 'Jae-won Bae', email: 'jaewon.bae@example.kr', amount: '30000', currency: 'KRW', online: false, method: 'cash', comment: 'Two Truths and a Lie night' },
  { name: 'Ha-eun Seo', amount: '20000', currency: 'KRW', online: false, method: 'cash' },
  { name: 'Marguerite Tremblay', email: 'm.tremblay@example.ca', amount: '200', currency: 'CAD', online: false, method: 'cheque' },
  { name: 'Owen Fitzgerald', email: 'owen.fitz@example.com', amount: '60', currency: 'USD', online: true, anonymous: true, comment: 'Keep going.' },
  { name: 'Ji-ho Kang', email: 'jiho.kang@example.kr', amount: '70000', currency: 'KRW', online: true },
  { name: 'Lucia Ferraro', email: 'lucia.ferraro@example.it', amount: '120', currency: 'USD', online: true },
  { name: 'Ben Adeyemi', email: 'ben.adeyemi@example.org', amount: '35', currency: 'USD', online: true },
  { name: 'Sun-hee Yoon', amount: '50000', currency: 'KRW', online: false, method: 'cash', comment: 'Screening night raffle table' },
  { name: 'Ruth Halvorsen', email: 'ruth.h@example.no', amount: '500', currency: 'USD', online: false, method: 'bank_transfer' },
  { name: 'Kofi Mensah', email: 'kofi.mensah@example.com', amount: '45', currency: 'CAD', online: true },
  { name: 'Mina Park', email: 'mina.park@example.org', amount: '50', currency: 'USD', online: true, comment: 'Again, because it matters.' },
  { name: 'Eun-ji Han', email: 'eunji.han@example.kr', amount: '40000', currency: 'KRW', online: true, anonymous: true },
  { name: 'Samuel Osei', email: 'sam.osei@example.org', amount: '80', currency: 'USD', online: true },
  { name: 'Ines Carvalho', email: 'ines.c@example.pt', amount: '250', currency: 'USD', online: true, comment: 'In memory of my grandmother, a refugee herself.' },
  { name: 'Aiden Walsh', email: 'aiden.walsh@example.ie', amount: '30', currency: 'USD', online: true },
  { name: 'Min-jun Choi', amount: '100000', currency: 'KRW', online: false, method: 'cash', anonymous: true },
  { name: 'Harriet Quist', email: 'harriet.q@example.ca', amount: '100', currency: 'CAD', online: true },
  { name: 'Yusuf Demir', email: 'yusuf.demir@example.com', amount: '20', currency: 'USD', online: true },
  { name: 'Nora Lindqvist', email: 'nora.l@example.se', amount: '90', currency: 'USD', online: true },
];

interface DemoBuyer {
  name: string;
  email: string;
  seats: number;
  /** Index of the ticket type in the event's list; the first when absent. */
  type?: number;
  /** Bought a ticket but did not come (past events). */
  noShow?: boolean;
}

interface DemoEvent {
  input: Omit<EventInput, 'startsAt' | 'endsAt' | 'campaignSlug' | 'status'>;
  /** Days from the demo's today: negative for an event that already happened. */
  day: number;
  /** Local wall times on that day in the event's zone. */
  starts: string;
  ends: string;
  ticketTypes: TicketTypeInput[];
  online: DemoBuyer[];
  /** Cash at the door, on the night (past events only). */
  door?: { name: string; seats: number }[];
  /** A raffle on the night (past events only): sold at the door, or a free draw among the guests who came. */
  raffle?: DemoRaffle;
}

interface DemoRaffle {
  input: Omit<RaffleInput, 'eventSlug' | 'open'>;
  /** Bundles sold at the door during the evening. */
  sales?: { name: string; email?: string; quantity: number; publicName?: boolean }[];
  /** A prize whose winner had already gone home, drawn again on the night. */
  redraw?: number;
}

const krw = (major: string) => parseMoney(major, 'KRW');
const cad = (major: string) => parseMoney(major, 'CAD');
const seoul = (name: string, address: string): Venue => ({ name, address, city: 'Seoul', country: 'South Korea' });
const canada = (name: string, address: string, city: string): Venue => ({ name, address, city, country: 'Canada' });

const tourSlug = 'rescue-in-practice';
const tourHosts = [{ name: 'Northern Lights Refugee Alliance', url: 'https://example.org/northern-lights-alliance' }];
const tourSpeakers = [
  { name: 'Dr. Helena Varga', bio: 'Rescue coordinator: eight years on the road through third countries' },
  { name: 'Joon-young Seo', bio: 'Resettlement caseworker, who made the journey himself' },
];
const tourTickets: TicketTypeInput[] = [
  { name: 'General admission', price: cad('25'), quantity: 80, maxPerOrder: 6 },
  { name: 'Student or low income', price: cad('10'), quantity: 20, maxPerOrder: 2 },
];

function tourStop(city: string, timezone: string, venue: Venue, dayFromNow: number, online: DemoBuyer[]): DemoEvent {
  return {
    input: {
      slug: `${tourSlug}-${city.toLowerCase()}`,
      title: `Rescue in practice: ${city}`,
      description:
        'How a rescue is planned, what it costs and where it can go wrong, told by the people who do the work. ' +
        'Then: what a community in Canada can do for the families who reach safety. Questions welcome; light refreshments.',
      kind: 'seminar',
      timezone,
      venue,
      seriesSlug: tourSlug,
      currency: 'CAD',
      capacity: 100,
      hosts: tourHosts,
      speakers: tourSpeakers,
    },
    day: dayFromNow,
    starts: '19:00',
    ends: '21:00',
    ticketTypes: tourTickets,
    online,
  };
}

/** Ticket revenue of the two Seoul nights: 300,000 + 340,000 KRW. */
const demoEvents: DemoEvent[] = [
  {
    input: {
      slug: 'two-truths-and-a-lie',
      title: 'Two Truths and a Lie: a propaganda game night',
      description: [
        'Teams of up to four hear three claims taken from state propaganda broadcasts. Two are true, one is a lie: spot it.',
        '',
        'A light-hearted evening about a serious subject, in English and Korean. Every ticket helps fund a rescue; one drink is included.',
      ].join('\n'),
      kind: 'social',
      timezone: 'Asia/Seoul',
      venue: seoul('Blue Door Pub', '2F, 27 Itaewon-ro 27-gil, Yongsan-gu'),
      currency: 'KRW',
      capacity: 40,
      speakers: [{ name: 'Yoon Da-hye', bio: 'Quiz master and former radio journalist' }],
    },
    day: -9,
    starts: '19:30',
    ends: '22:30',
    ticketTypes: [{ name: 'Player (one drink included)', price: krw('15000'), quantity: 36, maxPerOrder: 4 }],
    online: [
      { name: 'Jae-won Bae', email: 'jaewon.bae@example.kr', seats: 2 },
      { name: 'Soo-ah Kwon', email: 'sooah.kwon@example.kr', seats: 1 },
      { name: 'Hyun-woo Jang', email: 'hw.jang@example.kr', seats: 3 },
      { name: 'Da-eun Moon', email: 'daeun.moon@example.kr', seats: 2, noShow: true },
      { name: 'Tae-yang Shin', email: 'taeyang.shin@example.kr', seats: 1 },
      { name: 'Ye-rin Oh', email: 'yerin.oh@example.kr', seats: 2 },
      { name: 'Marcus Lindgren', email: 'marcus.lindgren@example.se', seats: 1 },
      { name: 'Chloé Dubois', email: 'chloe.dubois@example.fr', seats: 2 },
    ],
    door: [
      { name: 'Walk-in team', seats: 4 },
      { name: 'Min-seo Ahn', seats: 1 },
      { name: '', seats: 1 },
    ],
    // Selling raffle tickets needs a permit in Korea: the game night ran a free prize draw among its players instead.
    raffle: {
      input: {
        title: 'Door prize draw for players',
        rules: 'Every player checked in at the door is in the draw, free. One prize per person.',
        entry: 'checked_in',
        jurisdiction: 'KR',
        onePrizePerPerson: true,
        prizes: [{ name: 'Team trophy mugs', donor: 'Blue Door Pub' }, { name: 'Korean–English board game', donor: 'Yoon Da-hye' }],
      },
    },
  },
  {
    input: {
      slug: 'the-long-crossing-screening',
      title: 'The Long Crossing: screening and Q&A with the director',
      description: [
        'A documentary that follows one family for eleven months, from a border river to a new life in Seoul.',
        '',
        'After the film, the director answers your questions. Korean with English subtitles; running time 94 minutes.',
      ].join('\n'),
      kind: 'screening',
      timezone: 'Asia/Seoul',
      venue: seoul('Yeonnam Small Cinema', 'B1, 15 Donggyo-ro 38-gil, Mapo-gu'),
      currency: 'KRW',
      capacity: 60,
      speakers: [
        { name: 'Baek Seo-jin', bio: 'Director of The Long Crossing' },
        { name: 'Hannah Okonkwo', bio: 'Moderator; refugee-rights lawyer' },
      ],
    },
    day: -4,
    starts: '19:00',
    ends: '21:45',
    ticketTypes: [
      { name: 'Screening and Q&A', price: krw('20000'), quantity: 50, maxPerOrder: 6 },
      {
        name: 'Community seat (free RSVP)',
        description: 'For newcomers to Korea and their families: no charge, just tell us you are coming.',
        price: money(0, 'KRW'),
        quantity: 10,
        maxPerOrder: 2,
      },
    ],
    online: [
      { name: 'Ji-ho Kang', email: 'jiho.kang@example.kr', seats: 2 },
      { name: 'So-yeon Park', email: 'soyeon.park@example.kr', seats: 1 },
      { name: 'Kwang-ho Ri', email: 'kwangho.ri@example.kr', seats: 2, type: 1 },
      { name: 'Gun-woo Lee', email: 'gunwoo.lee@example.kr', seats: 2 },
      { name: 'Ayesha Rahman', email: 'ayesha.rahman@example.org', seats: 1 },
      { name: 'Jun-seo Hwang', email: 'junseo.hwang@example.kr', seats: 3 },
      { name: 'Su-bin Jo', email: 'subin.jo@example.kr', seats: 2, type: 1, noShow: true },
      { name: 'Mi-rae Song', email: 'mirae.song@example.kr', seats: 2, noShow: true },
      { name: 'Isabel Moreno', email: 'isabel.moreno@example.es', seats: 2 },
    ],
    door: [
      { name: '', seats: 2 },
      { name: 'Yeon-woo Nam', seats: 2 },
    ],
    // 150,000 KRW in raffle tickets: with the tickets, almost 800,000 KRW for the fund.
    raffle: {
      input: {
        title: 'Screening raffle',
        rules: 'Tickets 5,000 KRW, or 3 for 10,000 KRW, sold in the lobby until the Q&A. The draw is on stage after the Q&A; anyone may watch. Prizes not claimed within 14 days are drawn again. Adults (19+) only.',
        price: krw('5000'),
        bundles: [{ quantity: 3, price: krw('10000') }],
        jurisdiction: 'KR',
        licence: 'DEMO-MAPO-2026-041 (invented for the demo)',
        authority: 'Mapo-gu Office (invented for the demo)',
        ageLimit: 19,
        claimDays: 14,
        onePrizePerPerson: true,
        prizes: [
          { name: 'Signed poster of The Long Crossing', description: 'Signed by the director on the night', donor: 'The director' },
          { name: 'Dinner for two', donor: 'Table 9, Mangwon-dong', value: krw('80000') },
          { name: 'Book bundle: five memoirs of the crossing', donor: 'Open Shelf Books', value: krw('60000') },
        ],
      },
      sales: [
        { name: 'Ji-ho Park', email: 'jiho.park@example.kr', quantity: 3, publicName: true },
        { name: '', quantity: 3 },
        { name: 'Eun-ji Seo', email: 'eunji.seo@example.kr', quantity: 1 },
        { name: 'Isabel Moreno', email: 'isabel.moreno@example.es', quantity: 3, publicName: true },
        { name: '', quantity: 1 },
        { name: 'Gun-woo Lee', email: 'gunwoo.lee@example.kr', quantity: 3 },
        { name: '', quantity: 3 },
        { name: 'Ayesha Rahman', email: 'ayesha.rahman@example.org', quantity: 1, publicName: true },
        { name: '', quantity: 3 },
        { name: 'Yeon-woo Nam', quantity: 3 },
        { name: '', quantity: 1 },
        { name: 'Jun-seo Hwang', email: 'junseo.hwang@example.kr', quantity: 3 },
        { name: '', quantity: 1 },
        { name: '', quantity: 3 },
        { name: 'Kwang-ho Ri', email: 'kwangho.ri@example.kr', quantity: 1 },
        { name: '', quantity: 3 },
        { name: '', quantity: 1 },
        { name: '', quantity: 3 },
        { name: '', quantity: 1 },
      ],
      redraw: 1,
    },
  },
  tourStop('Vancouver', 'America/Vancouver', canada('Harbourview Community Hall', '1200 Commercial Dr', 'Vancouver'), 10, [
    { name: 'Harriet Quist', email: 'harriet.q@example.ca', seats: 2 },
    { name: 'Liam O’Connell', email: 'liam.oconnell@example.ca', seats: 1, type: 1 },
    { name: 'Wen Zhao', email: 'wen.zhao@example.ca', seats: 3 },
  ]),
  tourStop('Edmonton', 'America/Edmonton', canada('Riverbend Library, Room 2', '10330 82 Ave NW', 'Edmonton'), 12, [
    { name: 'Colin MacLeod', email: 'colin.macleod@example.ca', seats: 2 },
    { name: 'Amira Haddad', email: 'amira.haddad@example.ca', seats: 1 },
  ]),
  tourStop('Calgary', 'America/Edmonton', canada('Bow River Forum', '820 9 Ave SW', 'Calgary'), 13, [
    { name: 'Brett Kowalchuk', email: 'brett.k@example.ca', seats: 2 },
    { name: 'Sofia Reyes', email: 'sofia.reyes@example.ca', seats: 1, type: 1 },
  ]),
  tourStop('Regina', 'America/Regina', canada('Prairie Lights Hall', '2150 Broad St', 'Regina'), 15, [
    { name: 'Marguerite Tremblay', email: 'm.tremblay@example.ca', seats: 2 },
  ]),
  {
    input: {
      slug: 'run-for-rescue-5k',
      title: 'Run for Rescue 5K',
      description: [
        'Five kilometres along the Han River with the Han River Striders. Run, jog or walk: every runner’s ticket funds part of a rescue.',
        '',
        'Not running? Come and cheer at the finish line: it is free, just let us know.',
      ].join('\n'),
      kind: 'run',
      timezone: 'Asia/Seoul',
      venue: seoul('Yeouido Hangang Park, Mulbit Plaza', '330 Yeouidong-ro, Yeongdeungpo-gu'),
      currency: 'KRW',
      capacity: 200,
      hosts: [{ name: 'Han River Striders Running Club', url: 'https://example.org/han-river-striders' }],
    },
    day: 24,
    starts: '09:00',
    ends: '12:00',
    ticketTypes: [
      { name: 'Runner (bib and T-shirt)', price: krw('30000'), quantity: 150, maxPerOrder: 4 },
      { name: 'Cheer squad (free RSVP)', price: money(0, 'KRW'), quantity: 50, maxPerOrder: 4 },
    ],
    online: [
      { name: 'Seo-yeon Lim', email: 'seoyeon.lim@example.kr', seats: 1 },
      { name: 'Do-hyun Yang', email: 'dohyun.yang@example.kr', seats: 2 },
      { name: 'Eun-ji Han', email: 'eunji.han@example.kr', seats: 2, type: 1 },
      { name: 'Grace Okafor', email: 'grace.okafor@example.org', seats: 1 },
      { name: 'Ha-eun Seo', email: 'haeun.seo@example.kr', seats: 1, type: 1 },
    ],
  },
];

/** A guest's order online, paid at the test checkout at once (a free one needs no payment); its ticket codes. */
async function buyOnline(s: Services, provider: PaymentProvider, eventSlug: string, items: OrderItemInput[], buyer: DemoBuyer): Promise<string[]> {
  const placed = await placeOrder(s, provider, eventSlug, { items, buyer: { name: buyer.name, email: buyer.email } });
  if (placed.checkoutUrl !== null) {
    const checkoutId = new URL(placed.checkoutUrl).pathname.split('/').pop() ?? '';
    await applyPaymentEvent(s, { provider: 'test', eventId: `${checkoutId}:pay`, outcome: 'completed', checkoutId });
  }
  return getOrder(s, placed.view.order.id).tickets.map((t) => t.code);
}

interface Step {
  at: number;
  run: () => Promise<unknown>;
}

/**
 * Creates the events as the organizer, then plays their sales and nights in
 * time order: online sales spread from the announcement to a few hours
 * before each past event (and to yesterday for upcoming ones), then at a past
 * event's door the cash sales and the check-ins. `walkTo` moves the demo
 * clock forward (never back).
 */
async function loadEvents(s: Services, staff: Actor, provider: PaymentProvider, realNow: number, walkTo: (t: number) => void): Promise<void> {
  await createSeries(s, staff, {
    slug: tourSlug,
    title: 'Seminar tour: Rescue in practice',
    description: 'Four evenings in Vancouver, Edmonton, Calgary and Regina, co-hosted with the Northern Lights Refugee Alliance.',
  });
  const announced = s.now();
  const steps: Step[] = [];
  for (const [k, e] of demoEvents.entries()) {
    const date = localDateTime(realNow + e.day * day, e.input.timezone).slice(0, 10);
    const event = await createEvent(s, staff, {
      ...e.input,
      startsAt: `${date}T${e.starts}`,
      endsAt: `${date}T${e.ends}`,
      campaignSlug: slug,
      status: 'published',
    });
    const types: TicketTypeRow[] = [];
    for (const t of e.ticketTypes) types.push(await addTicketType(s, staff, event.slug, t));
    const itemsOf = (type: number | undefined, seats: number): OrderItemInput[] => [{ ticketTypeId: types[type ?? 0]?.id ?? '', quantity: seats }];

    const past = event.endsAt < realNow;
    // Upcoming events sell until yesterday; each event a little apart from the others.
    const salesEnd = past ? event.startsAt - 3 * hour : realNow - 2 * day + k * hour;
    const admitted: string[] = [];
    e.online.forEach((buyer, i) => {
      steps.push({
        at: announced + Math.round(((salesEnd - announced) * (i + 1)) / (e.online.length + 1)),
        run: async () => {
          const codes = await buyOnline(s, provider, event.slug, itemsOf(buyer.type, buyer.seats), buyer);
          if (!buyer.noShow) admitted.push(...codes);
        },
      });
    });
    if (!past) continue;
    // Doors open half an hour before the start: cash sales, then everyone who came is checked in.
    steps.push({
      at: event.startsAt - 30 * minute,
      run: async () => {
        for (const sale of e.door ?? []) {
          walkTo(s.now() + 3 * minute);
          const order = await recordDoorSale(s, staff, event.slug, { items: itemsOf(0, sale.seats), buyer: { name: sale.name }, method: 'cash' });
          admitted.push(...order.tickets.map((t) => t.code));
        }
        for (const code of admitted) {
          walkTo(s.now() + 40_000);
          await checkIn(s, staff, event.slug, code);
        }
      },
    });
    const raffle = e.raffle;
    if (!raffle) continue;
    let raffleId = '';
    steps.push({
      at: event.startsAt - 2 * day,
      run: async () => {
        raffleId = (await createRaffle(s, staff, { ...raffle.input, eventSlug: event.slug, open: true })).raffle.id;
      },
    });
    // Sold in the lobby during the evening, then closed and drawn on stage.
    steps.push({
      at: event.startsAt + 20 * minute,
      run: async () => {
        for (const sale of raffle.sales ?? []) {
          walkTo(s.now() + 2 * minute);
          await sellRaffleTicketsAtDoor(s, staff, raffleId, { buyer: { name: sale.name, email: sale.email ?? null }, quantity: sale.quantity, publicName: sale.publicName ?? false });
        }
      },
    });
    steps.push({
      at: event.endsAt - 20 * minute,
      run: async () => {
        await closeRaffle(s, staff, raffleId);
        walkTo(s.now() + 5 * minute);
        await drawRaffle(s, staff, raffleId);
        if (raffle.redraw !== undefined) {
          await markPrizeClaimed(s, staff, raffleId, 0);
          walkTo(s.now() + 10 * minute);
          await redrawPrize(s, staff, raffleId, raffle.redraw);
        }
      },
    });
  }
  for (const step of steps.sort((a, b) => a.at - b.at)) {
    walkTo(step.at);
    await step.run();
  }
}

export interface DemoResult {
  campaignSlug: string;
  password: string;
  users: { email: string; role: Role }[];
  loaded: boolean;
}

export async function loadDemo(base: Services): Promise<DemoResult> {
  const users = roles.map((role) => ({ email: `${role}@demo.lantern.test`, role }));
  const result = { campaignSlug: slug, password: demoPassword, users };
  if (findCampaignBySlug(base.db, slug)) return { ...result, loaded: false };

  const cli: Actor = { userId: null, label: 'demo', role: 'admin', ip: null };
  for (const u of users) {
    if (!findUserByEmail(base.db, u.email)) {
      await createUser(base, cli, { email: u.email, role: u.role, name: `Demo ${u.role}`, password: demoPassword });
    }
  }

  // A clock that walks forward through the last seven weeks.
  const realNow = base.now();
  let clock = realNow - 50 * day;
  const s: Services = { ...base, now: () => clock };
  const year = new Date(realNow).getUTCFullYear();

  await addRate(s, cli, { base: 'KRW', quote: 'USD', rate: '0.00074' });
  await addRate(s, cli, { base: 'CAD', quote: 'USD', rate: '0.73' });
  await createCampaign(s, cli, {
    slug,
    title: 'Rescue Fund',
    story: [
      'Every year, people escaping persecution are caught on the long road through third countries.',
      'A rescue — safe transport, shelter and documents until they reach safety — costs about **300 USD**.',
      '',
      'This year we want to fund **50 rescues** by 31 December. An anonymous sponsor doubles every gift, up to the cost of 50 rescues.',
      '',
      'You may give anonymously: for some of our supporters that is a matter of safety, and we take it seriously.',
    ].join('\n'),
    currency: 'USD',
    goal: money(1_500_000, 'USD'),
    impact: { unit: 'rescue', unitCost: money(30_000, 'USD') },
    startsAt: realNow - 60 * day,
    endsAt: Date.UTC(year, 11, 31, 23, 59, 59),
    status: 'published',
  });
  // The demo organizer runs the fund; the demo sponsor is the foundation that
  // proposed the 1:1 match, approved by the admin before the first gift.
  const organizer = findUserByEmail(base.db, 'organizer@demo.lantern.test');
  if (organizer) await setCampaignOrganizer(s, cli, slug, organizer.email, true);
  const staff: Actor = organizer ? { userId: organizer.id, label: organizer.email, role: 'organizer', ip: null } : cli;
  const sponsorUser = findUserByEmail(base.db, 'sponsor@demo.lantern.test');
  const sponsor: Actor = sponsorUser ? { userId: sponsorUser.id, label: sponsorUser.email, role: 'sponsor', ip: null } : cli;
  const match = await createPledge(
    s,
    sponsor,
    slug,
    {
      sponsor: { name: 'Harbour Light Foundation', email: 'sponsor@demo.lantern.test' },
      anonymous: true,
      message: 'Every rescue you fund, we fund another.',
      ratio: '1:1',
      capUnits: 50,
      startsAt: clock,
    },
    'proposed',
  );
  await decidePledge(s, cli, match.id, 'approve');

  const provider = testProvider(base.config.baseUrl);
  const ids: string[] = [];
  for (const g of demoGifts) {
    clock += day + ((g.name.length * 7919) % 17) * 3_600_000;
    const common = {
      amount: parseMoney(g.amount, g.currency),
      anonymous: g.anonymous ?? false,
      showAmount: !g.hideAmount,
      comment: g.comment ?? null,
    };
    if (g.online && g.email) {
      const started = await startOnlineGift(s, provider, slug, { ...common, donor: { name: g.name, email: g.email } });
      const checkoutId = new URL(started.checkoutUrl).pathname.split('/').pop() ?? '';
      await applyPaymentEvent(s, { provider: 'test', eventId: `${checkoutId}:pay`, outcome: 'completed', checkoutId });
      ids.push(started.gift.id);
    } else {
      const gift = await recordOfflineGift(s, cli, slug, {
        ...common,
        donor: { name: g.name, email: g.email ?? null },
        method: g.method ?? 'cash',
      });
      ids.push(gift.id);
    }
  }
  // One donor asked for their money back (a duplicate card charge).
  clock += day;
  const refunded = ids[7];
  if (refunded) await refundGift(s, cli, refunded, { reason: 'Duplicate charge reported by the donor' });
  // The foundation paid the first half of what it had matched by bank transfer,
  // recorded by the admin; the rest is outstanding on its statement.
  clock += day;
  const matchNow = findPledge(base.db, match.id) ?? match;
  const firstHalf = Math.floor(pledgeAccount(s, matchNow, 'USD').outstanding.amount / 2 / 100) * 100;
  if (firstHalf > 0) await recordPledgePayment(s, cli, match.id, { amount: money(firstHalf, 'USD'), method: 'transfer', note: 'Wire from Harbour Light Foundation' });
  // The organizer announces the events, and tickets sell through the weeks since.
  clock += 3 * hour;
  await loadEvents(s, staff, provider, realNow, (t) => {
    clock = Math.max(clock, t);
  });
  // A second offer from the same sponsor waits for the admin: the console's "needs attention".
  clock = realNow - day;
  await createPledge(
    s,
    sponsor,
    slug,
    {
      sponsor: { name: 'Harbour Light Foundation', email: 'sponsor@demo.lantern.test' },
      anonymous: false,
      message: 'For the last month of the year: every gift matched again at half its size.',
      ratio: '1:2',
      cap: money(200_000, 'USD'),
      startsAt: Date.UTC(year, 11, 1),
      stacking: true,
    },
    'proposed',
  );
  return { ...result, loaded: true };
}
