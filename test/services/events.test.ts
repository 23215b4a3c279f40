// The events service: creating events from local times, the campaign and
// currency rules, who may raise money for a campaign, edits that bump the
// calendar SEQUENCE (and only real edits), status changes, series, ticket
// types, and the seats each ticket type shows as sold, held and available.
import t, { type Test } from 'tap';
import { money } from '../../src/domain/money.ts';
import { readAuditLog } from '../../src/db/audit.ts';
import { openDatabase } from '../../src/db/connection.ts';
import { listEvents } from '../../src/db/events.ts';
import { setCampaignOrganizer } from '../../src/services/accounts.ts';
import { createCampaign } from '../../src/services/campaigns.ts';
import { createServices, type Actor, type Services } from '../../src/services/context.ts';
import {
  addTicketType,
  createEvent,
  createSeries,
  eventsOfSeries,
  eventView,
  getEvent,
  getPublicEvent,
  getSeries,
  listPublicEvents,
  patchEvent,
  patchTicketType,
  publishEvent,
  type EventInput,
} from '../../src/services/events.ts';
import { addRate } from '../../src/services/rates.ts';
import { createUser } from '../../src/services/users.ts';
import { insertSeatOrder, testActor, testConfig } from '../helper.ts';

const NOW = Date.UTC(2026, 10, 1, 12, 0, 0); // 1 Nov 2026, 12:00 UTC
const at = (iso: string) => Date.parse(iso);

async function setup(t: Test) {
  const db = openDatabase(':memory:');
  t.teardown(() => db.close());
  const clock = { now: NOW };
  const s: Services = createServices({ db, config: testConfig(), now: () => clock.now });
  await createCampaign(s, testActor, { slug: 'rescue-fund', title: 'Rescue Fund', currency: 'USD', goal: money(1_500_000, 'USD'), status: 'published' });
  await createCampaign(s, testActor, { slug: 'other', title: 'Other', currency: 'CAD', goal: money(100_000, 'CAD'), status: 'published' });
  const organizerRow = await createUser(s, testActor, { email: 'organizer@example.test', role: 'organizer' });
  await setCampaignOrganizer(s, testActor, 'rescue-fund', 'organizer@example.test', true);
  const organizer: Actor = { userId: organizerRow.id, label: organizerRow.email, role: 'organizer', ip: null };
  return { db, s, clock, organizer };
}

const venue = { name: 'Blue Pub', address: '12 Itaewon-ro', city: 'Seoul', country: 'KR' };

function seoulNight(overrides: Partial<EventInput> = {}): EventInput {
  return {
    slug: 'game-night',
    title: 'Two Truths and a Lie',
    kind: 'social',
    timezone: 'Asia/Seoul',
    startsAt: '2026-12-05T19:00',
    endsAt: '2026-12-05T22:00',
    venue,
    campaignSlug: 'rescue-fund',
    ...overrides,
  };
}

t.test('an event is created from local times, as a draft, in its campaign’s currency', async (t) => {
  const { s, db } = await setup(t);
  const e = await createEvent(s, testActor, seoulNight({ speakers: [{ name: 'Director Min', bio: 'Made the film' }], hosts: [{ name: 'Open Doors', url: 'https://opendoors.example' }] }));
  t.match(e, {
    slug: 'game-night',
    status: 'draft',
    timezone: 'Asia/Seoul',
    startsAt: at('2026-12-05T10:00:00Z'),
    endsAt: at('2026-12-05T13:00:00Z'),
    currency: 'USD',
    sequence: 0,
    venueCity: 'Seoul',
    createdAt: NOW,
    updatedAt: NOW,
  });
  t.same(JSON.parse(e.speakers), [{ name: 'Director Min', bio: 'Made the film' }]);
  t.same(JSON.parse(e.hosts), [{ name: 'Open Doors', url: 'https://opendoors.example' }]);
  t.strictSame(getEvent(s, 'game-night'), e);
  t.throws(() => getPublicEvent(s, 'game-night'), { code: 'not_found' }, 'a draft is not public');
  t.throws(() => getEvent(s, 'nope'), { code: 'not_found' });
  const [entry] = readAuditLog(db, { limit: 10, offset: 0, subjectType: 'event' });
  t.match(entry, { action: 'event.create', subjectId: e.id, before: null, actorLabel: 'test' });
  t.same(JSON.parse(entry?.after ?? 'null'), e);

  const published = await publishEvent(s, testActor, 'game-night');
  t.match(published, { status: 'published', sequence: 1 });
  t.equal(getPublicEvent(s, 'game-night').id, e.id);
  t.equal(await publishEvent(s, testActor, 'game-night').then((x) => x.sequence), 1, 'publishing again changes nothing');
  t.equal(readAuditLog(db, { limit: 10, offset: 0, action: 'event.publish' }).length, 1);
});

t.test('bad input is refused on its field and writes nothing', async (t) => {
  const { s, db } = await setup(t);
  const cases: [Partial<EventInput>, string, RegExp][] = [
    [{ slug: 'Game Night' }, 'slug', /lower-case/],
    [{ title: '  ' }, 'title', /Required/],
    [{ kind: 'party' as EventInput['kind'] }, 'kind', /screening/],
    [{ timezone: 'Mars/Olympus' }, 'timezone', /Unknown time zone/],
    [{ timezone: 'America/Vancouver', startsAt: '2026-03-08T02:30', endsAt: '2026-03-08T05:00' }, 'startsAt', /does not exist/],
    [{ startsAt: 'tomorrow' }, 'startsAt', /Use a date and time/],
    [{ endsAt: '2026-12-05T19:00' }, 'endsAt', /end after it starts/],
    [{ venue: null, onlineUrl: null }, 'venue', /venue or an online link/],
    [{ venue: null, onlineUrl: 'javascript:alert(1)' }, 'onlineUrl', /https/],
    [{ venue: { ...venue, city: ' ' } }, 'venue.city', /Required/],
    [{ capacity: 0 }, 'capacity', /at least 1/],
    [{ capacity: 2.5 }, 'capacity', /whole number/],
    [{ hosts: [{ name: 'X', url: 'ftp://x' }] }, 'hosts.0.url', /https/],
    [{ speakers: [{ name: '' }] }, 'speakers.0.name', /Required/],
    [{ status: 'cancelled' }, 'status', /draft or published/],
    [{ campaignSlug: 'no-such-fund' }, 'campaignSlug', /no campaign/],
    [{ seriesSlug: 'no-such-tour' }, 'seriesSlug', /no series/],
    [{ campaignSlug: null }, 'currency', /Give the currency/],
    [{ campaignSlug: null, currency: 'XXX' }, 'currency', /Unsupported/],
    [{ currency: 'KRW' }, 'currency', /No exchange rate from KRW to USD/],
  ];
  for (const [overrides, field, message] of cases) {
    await t.rejects(createEvent(s, testActor, seoulNight(overrides)), { code: 'validation', issues: [{ field, message }] }, `${field}: ${JSON.stringify(overrides)}`);
  }
  t.same(listEvents(db, { statuses: ['draft', 'published', 'cancelled'] }), [], 'nothing was written');
  t.same(readAuditLog(db, { limit: 10, offset: 0, subjectType: 'event' }), []);

  await createEvent(s, testActor, seoulNight());
  await t.rejects(createEvent(s, testActor, seoulNight({ title: 'Again' })), { code: 'conflict', issues: [{ field: 'slug' }] });
});

t.test('the currency: the campaign’s by default, another with a rate into it, required without a campaign', async (t) => {
  const { s } = await setup(t);
  await addRate(s, testActor, { base: 'KRW', quote: 'USD', rate: '0.00074' });
  const krw = await createEvent(s, testActor, seoulNight({ currency: 'KRW' }));
  t.equal(krw.currency, 'KRW', 'tickets in won for a dollar fund');
  const alone = await createEvent(s, testActor, seoulNight({ slug: 'run', kind: 'run', campaignSlug: null, currency: 'CAD' }));
  t.match(alone, { currency: 'CAD', campaignId: null });
  const online = await createEvent(s, testActor, seoulNight({ slug: 'webinar', venue: null, onlineUrl: 'https://meet.example/rescue' }));
  t.match(online, { venueName: null, onlineUrl: 'https://meet.example/rescue' });
});

t.test('an organizer raises money only for campaigns they run, and owns what they create', async (t) => {
  const { s, organizer } = await setup(t);
  await t.rejects(createEvent(s, organizer, seoulNight({ campaignSlug: 'other' })), { code: 'forbidden', issues: [{ field: 'campaignSlug' }] });
  const mine = await createEvent(s, organizer, seoulNight());
  t.equal(mine.createdBy, organizer.userId);
  const free = await createEvent(s, organizer, seoulNight({ slug: 'no-campaign', campaignSlug: null, currency: 'KRW' }));
  t.equal(free.createdBy, organizer.userId);
  await t.rejects(patchEvent(s, organizer, 'no-campaign', { campaignSlug: 'other' }), { code: 'forbidden' }, 'nor by moving an event there');
  const sponsor: Actor = { userId: null, label: 'someone', role: 'sponsor', ip: null };
  await t.rejects(createEvent(s, sponsor, seoulNight({ slug: 'x-1' })), { code: 'forbidden' });
});

t.test('every change bumps SEQUENCE and updatedAt and is audited; a patch that changes nothing does neither', async (t) => {
  const { s, db, clock } = await setup(t);
  const e = await createEvent(s, testActor, seoulNight({ status: 'published' }));
  clock.now += 60_000;
  const renamed = await patchEvent(s, testActor, 'game-night', { title: 'Two Truths and a Lie, again' });
  t.match(renamed, { title: 'Two Truths and a Lie, again', sequence: 1, updatedAt: NOW + 60_000, startsAt: e.startsAt });
  clock.now += 60_000;
  const same = await patchEvent(s, testActor, 'game-night', { title: 'Two Truths and a Lie, again', startsAt: '2026-12-05T19:00', venue });
  t.strictSame(same, renamed, 'no change, no new sequence');
  const moved = await patchEvent(s, testActor, 'game-night', { startsAt: '2026-12-05T20:00', endsAt: '2026-12-05T23:30' });
  t.match(moved, { sequence: 2, startsAt: at('2026-12-05T11:00:00Z'), endsAt: at('2026-12-05T14:30:00Z') });
  const entries = readAuditLog(db, { limit: 10, offset: 0, action: 'event.update' });
  t.equal(entries.length, 2);
  t.match(JSON.parse(entries[0]?.before ?? '{}'), { sequence: 1, startsAt: at('2026-12-05T10:00:00Z') });
  t.match(JSON.parse(entries[0]?.after ?? '{}'), { sequence: 2, startsAt: at('2026-12-05T11:00:00Z') });
  await t.rejects(patchEvent(s, testActor, 'game-night', { endsAt: '2026-12-05T19:00' }), { code: 'validation', issues: [{ field: 'endsAt' }] });
  await t.rejects(patchEvent(s, testActor, 'nope', { title: 'x' }), { code: 'not_found' });
  t.equal(getEvent(s, 'game-night').sequence, 2, 'refused patches changed nothing');
});

t.test('a new time zone keeps the wall times; a time given with it is read in it', async (t) => {
  const { s } = await setup(t);
  await createEvent(s, testActor, seoulNight({ slug: 'regina', timezone: 'America/Vancouver', startsAt: '2026-11-20T19:00', endsAt: '2026-11-20T21:00', venue: { ...venue, city: 'Regina', country: 'CA' } }));
  const fixed = await patchEvent(s, testActor, 'regina', { timezone: 'america/regina' });
  t.match(fixed, { timezone: 'America/Regina', startsAt: at('2026-11-21T01:00:00Z'), endsAt: at('2026-11-21T03:00:00Z'), sequence: 1 });
  const later = await patchEvent(s, testActor, 'regina', { timezone: 'America/Edmonton', endsAt: '2026-11-20T22:00' });
  t.match(later, { startsAt: at('2026-11-21T02:00:00Z'), endsAt: at('2026-11-21T05:00:00Z') });
  // The second 01:30 of 1 November, given by offset, survives edits of other fields.
  await createEvent(s, testActor, seoulNight({ slug: 'late', timezone: 'America/Vancouver', startsAt: '2026-10-31T22:00', endsAt: '2026-11-01T01:30-08:00', venue: { ...venue, city: 'Vancouver' } }));
  const late = await patchEvent(s, testActor, 'late', { title: 'Late night' });
  t.equal(late.endsAt, at('2026-11-01T09:30:00Z'));
});

async function order(s: Services, eventId: string, items: [string, number][], status: 'paid' | 'pending', expiresAt: number | null) {
  await insertSeatOrder(s.db, { eventId, items, status, expiresAt, at: s.now() });
}

t.test('sold, held and available per ticket type, bounded by the event’s capacity', async (t) => {
  const { s, clock } = await setup(t);
  const e = await createEvent(s, testActor, seoulNight({ status: 'published', capacity: 12 }));
  const general = await addTicketType(s, testActor, 'game-night', { name: 'General', price: money(2_000, 'USD'), quantity: 10 });
  const rsvp = await addTicketType(s, testActor, 'game-night', { name: 'Free RSVP', price: money(0, 'USD'), quantity: 5, maxPerOrder: 2 });
  t.match(general, { price: 2_000, minPerOrder: 1, maxPerOrder: 10, position: 0, salesStart: null, salesEnd: null });
  t.match(rsvp, { price: 0, position: 1 });

  await order(s, e.id, [[general.id, 3]], 'paid', null);
  await order(s, e.id, [[general.id, 2], [rsvp.id, 1]], 'pending', NOW + 15 * 60_000);
  await order(s, e.id, [[rsvp.id, 2]], 'pending', NOW - 1); // expired: holds nothing

  const v = eventView(s, getEvent(s, 'game-night'));
  t.match(v.ticketTypes, [
    { id: general.id, name: 'General', price: money(2_000, 'USD'), quantity: 10, sold: 3, held: 2, available: 5, salesOpen: true },
    // 12 seats - 6 taken = 6 left in the event; this type has 4 left.
    { id: rsvp.id, price: money(0, 'USD'), sold: 0, held: 1, available: 4 },
  ]);
  t.equal(v.available, 6, 'the whole event: min(5 + 4, 12 - 6)');
  t.match(v, { venue, hosts: [], speakers: [], series: null, campaign: { slug: 'rescue-fund' } });

  await patchEvent(s, testActor, 'game-night', { capacity: 7 });
  const tight = eventView(s, getEvent(s, 'game-night'));
  t.same(tight.ticketTypes.map((x) => x.available), [1, 1], 'capacity bounds every type');
  t.equal(tight.available, 1);
  await t.rejects(patchEvent(s, testActor, 'game-night', { capacity: 5 }), { code: 'validation', issues: [{ field: 'capacity', message: /6 seats/ }] });
  await t.rejects(patchTicketType(s, testActor, 'game-night', general.id, { quantity: 4 }), { code: 'validation', issues: [{ field: 'quantity', message: /5 of these/ }] });

  clock.now = NOW + 16 * 60_000; // the hold has lapsed
  const later = eventView(s, getEvent(s, 'game-night'));
  t.same(later.ticketTypes.map((x) => [x.sold, x.held, x.available]), [[3, 0, 4], [0, 0, 4]]);
  t.equal(later.available, 4);
});

t.test('sales windows in the event’s zone, and when sales are open', async (t) => {
  const { s, clock } = await setup(t);
  await createEvent(s, testActor, seoulNight({ status: 'published' }));
  const early = await addTicketType(s, testActor, 'game-night', {
    name: 'Early bird',
    price: money(1_500, 'USD'),
    minPrice: money(500, 'USD'),
    quantity: 20,
    salesStart: '2026-11-10T09:00',
    salesEnd: '2026-11-20T23:59+09:00',
  });
  t.match(early, { salesStart: at('2026-11-10T00:00:00Z'), salesEnd: at('2026-11-20T14:59:00Z'), minPrice: 500 });
  const door = await addTicketType(s, testActor, 'game-night', { name: 'Door', price: money(2_500, 'USD'), quantity: 20 });
  const open = () => eventView(s, getEvent(s, 'game-night')).ticketTypes.map((x) => x.salesOpen);
  t.same(open(), [false, true], 'before the window');
  clock.now = at('2026-11-10T00:00:00Z');
  t.same(open(), [true, true], 'from its first minute');
  clock.now = at('2026-11-20T14:59:00Z');
  t.same(open(), [false, true], 'until its end');
  clock.now = at('2026-12-05T13:00:00Z');
  t.same(open(), [false, false], 'nothing is sold once the event is over');
  t.equal(door.salesEnd, null);
});

t.test('ticket types: prices in the event currency, and limits that make sense', async (t) => {
  const { s } = await setup(t);
  await createEvent(s, testActor, seoulNight());
  const base = { name: 'General', price: money(2_000, 'USD'), quantity: 10 };
  const cases: [Record<string, unknown>, string, RegExp][] = [
    [{ name: ' ' }, 'name', /Required/],
    [{ price: money(2_000, 'KRW') }, 'price.currency', /in USD/],
    [{ price: money(-1, 'USD') }, 'price.amount', /negative/],
    [{ minPrice: money(2_001, 'USD') }, 'minPrice.amount', /more than the suggested/],
    [{ minPrice: money(5, 'CAD') }, 'minPrice.currency', /in USD/],
    [{ quantity: 0 }, 'quantity', /at least 1/],
    [{ minPerOrder: 0 }, 'minPerOrder', /at least 1/],
    [{ minPerOrder: 4, maxPerOrder: 2 }, 'maxPerOrder', /less than the minimum/],
    [{ quantity: 3, minPerOrder: 4 }, 'quantity', /nobody could buy/],
    [{ salesStart: '2026-11-20T10:00', salesEnd: '2026-11-20T10:00' }, 'salesEnd', /end after they start/],
    [{ salesStart: '2026-11-31T10:00' }, 'salesStart', /not a real date/],
  ];
  for (const [overrides, field, message] of cases) {
    await t.rejects(addTicketType(s, testActor, 'game-night', { ...base, ...overrides }), { code: 'validation', issues: [{ field, message }] }, field);
  }
  t.same(eventView(s, getEvent(s, 'game-night')).ticketTypes, [], 'nothing was added');
  await t.rejects(addTicketType(s, testActor, 'nope', base), { code: 'not_found' });

  const pwyw = await addTicketType(s, testActor, 'game-night', { ...base, name: 'Pay what you want', price: money(0, 'USD'), minPrice: money(0, 'USD'), minPerOrder: 12, quantity: 12 });
  t.match(pwyw, { price: 0, minPrice: 0, minPerOrder: 12, maxPerOrder: 12 });
  const changed = await patchTicketType(s, testActor, 'game-night', pwyw.id, { name: 'Sliding scale', price: money(1_000, 'USD'), minPrice: null, quantity: 30, salesEnd: '2026-12-05T18:00' });
  t.match(changed, { name: 'Sliding scale', price: 1_000, minPrice: null, quantity: 30, salesEnd: at('2026-12-05T09:00:00Z') });
  await t.rejects(patchTicketType(s, testActor, 'game-night', 'tt_unknown', { quantity: 3 }), { code: 'not_found' });
  await createEvent(s, testActor, seoulNight({ slug: 'other-night' }));
  await t.rejects(patchTicketType(s, testActor, 'other-night', pwyw.id, { quantity: 3 }), { code: 'not_found' }, 'a type of another event');
  await t.rejects(patchTicketType(s, testActor, 'game-night', pwyw.id, { price: money(5, 'USD'), minPrice: money(6, 'USD') }), { code: 'validation' });
});

t.test('status: publish, cancel while nothing is sold, never back from cancelled; campaign and currency fixed once money moved', async (t) => {
  const { s } = await setup(t);
  const e = await createEvent(s, testActor, seoulNight({ status: 'published' }));
  const type = await addTicketType(s, testActor, 'game-night', { name: 'General', price: money(2_000, 'USD'), quantity: 10 });
  await t.rejects(patchEvent(s, testActor, 'game-night', { currency: 'CAD', campaignSlug: null }), { code: 'validation', issues: [{ field: 'currency', message: /priced in USD/ }] });
  await order(s, e.id, [[type.id, 1]], 'pending', NOW + 60_000);
  await t.rejects(patchEvent(s, testActor, 'game-night', { status: 'cancelled' }), { code: 'invalid_state', issues: [{ field: 'status' }] });
  await t.rejects(patchEvent(s, testActor, 'game-night', { status: 'draft' }), { code: 'invalid_state' });
  await t.rejects(patchEvent(s, testActor, 'game-night', { campaignSlug: 'other' }), { code: 'validation', issues: [{ field: 'campaignSlug' }] });

  const quiet = await createEvent(s, testActor, seoulNight({ slug: 'quiet', status: 'published' }));
  const back = await patchEvent(s, testActor, 'quiet', { status: 'draft' });
  t.equal(back.status, 'draft', 'unpublished while nobody has ordered');
  const moved = await patchEvent(s, testActor, 'quiet', { campaignSlug: 'other' });
  t.match(moved, { campaignId: (await import('../../src/db/campaigns.ts')).findCampaignBySlug(s.db, 'other')?.id, currency: 'CAD' }, 'a new campaign brings its currency');
  const cancelled = await patchEvent(s, testActor, 'quiet', { status: 'cancelled' });
  t.match(cancelled, { status: 'cancelled', sequence: quiet.sequence + 3 });
  await t.rejects(patchEvent(s, testActor, 'quiet', { status: 'published' }), { code: 'invalid_state' });
  await t.rejects(publishEvent(s, testActor, 'quiet'), { code: 'invalid_state' });
  await t.rejects(addTicketType(s, testActor, 'quiet', { name: 'Late', price: money(0, 'CAD'), quantity: 1 }), { code: 'invalid_state' });
  t.equal(getPublicEvent(s, 'quiet').status, 'cancelled', 'a cancelled event stays visible');
});

t.test('public lists: upcoming soonest first, past latest first, by kind and city; drafts never', async (t) => {
  const { s, clock } = await setup(t);
  const mk = (slug: string, kind: EventInput['kind'], city: string, day: string, status: EventInput['status'] = 'published') =>
    createEvent(s, testActor, seoulNight({ slug, kind, status, startsAt: `${day}T19:00`, endsAt: `${day}T21:00`, venue: { ...venue, city } }));
  await mk('past-one', 'screening', 'Seoul', '2026-10-01');
  await mk('past-two', 'social', 'Busan', '2026-10-20');
  await mk('today', 'social', 'Seoul', '2026-11-01'); // 10:00–12:00 UTC: ended just now
  await mk('soon', 'seminar', 'Seoul', '2026-11-10');
  await mk('later', 'screening', 'seoul', '2026-12-01');
  await mk('secret', 'screening', 'Seoul', '2026-11-05', 'draft');
  await mk('called-off', 'social', 'Busan', '2026-11-07');
  await patchEvent(s, testActor, 'called-off', { status: 'cancelled' });
  const slugs = (q: Parameters<typeof listPublicEvents>[1]) => listPublicEvents(s, q).map((e) => e.slug);
  t.same(slugs({ when: 'upcoming' }), ['called-off', 'soon', 'later']);
  t.same(slugs({ when: 'past' }), ['today', 'past-two', 'past-one']);
  t.same(slugs({ when: 'upcoming', kind: 'screening' }), ['later']);
  t.same(slugs({ when: 'upcoming', city: 'SEOUL' }), ['soon', 'later'], 'cities without regard to case');
  t.same(slugs({ when: 'past', city: ' busan ', kind: 'social' }), ['past-two']);
  t.same(slugs({ when: 'upcoming', city: '' }), ['called-off', 'soon', 'later'], 'an empty city filters nothing');
  clock.now = at('2026-11-10T11:59:00Z'); // "soon" runs 10:00–12:00 UTC
  t.same(slugs({ when: 'upcoming' }), ['soon', 'later'], 'an event under way is still upcoming');
});

t.test('series: a tour of several dates under one slug', async (t) => {
  const { s } = await setup(t);
  const tour = await createSeries(s, testActor, { slug: 'prairie-tour', title: 'Seminar tour', description: 'Four cities' });
  t.match(tour, { slug: 'prairie-tour', title: 'Seminar tour', description: 'Four cities' });
  await t.rejects(createSeries(s, testActor, { slug: 'prairie-tour', title: 'Again' }), { code: 'conflict' });
  await t.rejects(createSeries(s, testActor, { slug: 'Bad Slug', title: 'x' }), { code: 'validation', issues: [{ field: 'slug' }] });
  await t.rejects(createSeries(s, testActor, { slug: 'empty', title: ' ' }), { code: 'validation', issues: [{ field: 'title' }] });
  const date = (slug: string, zone: string, city: string, day: string, status: EventInput['status'] = 'published') =>
    createEvent(s, testActor, seoulNight({ slug, seriesSlug: 'prairie-tour', kind: 'seminar', timezone: zone, startsAt: `${day}T19:00`, endsAt: `${day}T21:00`, venue: { ...venue, city, country: 'CA' }, currency: 'USD', status }));
  await date('regina', 'America/Regina', 'Regina', '2026-11-21');
  await date('vancouver', 'America/Vancouver', 'Vancouver', '2026-11-14');
  await date('edmonton', 'America/Edmonton', 'Edmonton', '2026-11-18', 'draft');
  t.same(eventsOfSeries(s, getSeries(s, 'prairie-tour')).map((e) => e.slug), ['vancouver', 'regina']);
  t.same(eventsOfSeries(s, tour, { drafts: true }).map((e) => e.slug), ['vancouver', 'edmonton', 'regina']);
  t.throws(() => getSeries(s, 'nope'), { code: 'not_found' });
  t.match(eventView(s, getEvent(s, 'regina')).series, { slug: 'prairie-tour' });
  const out = await patchEvent(s, testActor, 'regina', { seriesSlug: null });
  t.equal(out.seriesId, null);
  await t.rejects(patchEvent(s, testActor, 'regina', { seriesSlug: 'nope' }), { code: 'validation', issues: [{ field: 'seriesSlug' }] });
});
