// JSON API v1, events: GET /api/v1/events, GET/PATCH /api/v1/events/:slug,
// POST /api/v1/events and POST /api/v1/events/:slug/ticket-types, through
// app.inject. Success with exact shapes, every kind of bad input (400 problem
// details naming the field, nothing changed), 401/403/404/409.
import t, { type Test } from 'tap';
import { getEvent } from '../../src/services/events.ts';
import { buildTestApp, createRescueFund, insertSeatOrder, type TestApp } from '../helper.ts';
import { addRate, expectProblem, usd, type Role } from './api-helpers.ts';

interface TicketTypeJson {
  id: string;
  name: string;
  price: { amount: number; currency: string };
  quantity: number;
  sold: number;
  held: number;
  available: number;
  [key: string]: unknown;
}
interface EventJson {
  slug: string;
  status: string;
  startsAt: string;
  endsAt: string;
  ticketTypes?: TicketTypeJson[];
  [key: string]: unknown;
}

const venue = { name: 'Blue Pub', address: '12 Itaewon-ro', city: 'Seoul', country: 'KR' };
const gameNight = {
  slug: 'game-night',
  title: 'Two Truths and a Lie',
  kind: 'social',
  timezone: 'Asia/Seoul',
  startsAt: '2026-12-05T19:00',
  endsAt: '2026-12-05T22:00',
  venue,
  campaignSlug: 'rescue-fund',
  capacity: 40,
  status: 'published',
};

function post(ta: TestApp, url: string, payload: unknown, headers: Record<string, string>) {
  return ta.app.inject({ method: 'POST', url, headers, payload: payload as Record<string, unknown> });
}

function patch(ta: TestApp, slug: string, payload: unknown, headers: Record<string, string>) {
  return ta.app.inject({ method: 'PATCH', url: `/api/v1/events/${slug}`, headers, payload: payload as Record<string, unknown> });
}

async function create(ta: TestApp, body: Record<string, unknown> = {}, role: Role = 'admin'): Promise<EventJson> {
  const res = await post(ta, '/api/v1/events', { ...gameNight, ...body }, ta.auth(role));
  if (res.statusCode !== 201) throw new Error(`create event: ${res.statusCode} ${res.body}`);
  return res.json<EventJson>();
}

async function addType(ta: TestApp, slug: string, body: Record<string, unknown>, role: Role = 'admin'): Promise<TicketTypeJson> {
  const res = await post(ta, `/api/v1/events/${slug}/ticket-types`, body, ta.auth(role));
  if (res.statusCode !== 201) throw new Error(`ticket type: ${res.statusCode} ${res.body}`);
  return res.json<TicketTypeJson>();
}

async function setup(t: Test) {
  const ta = await buildTestApp(t);
  await createRescueFund(ta);
  const other = await post(ta, '/api/v1/campaigns', { slug: 'other', title: 'Other', currency: 'CAD', goal: { amount: 100_000, currency: 'CAD' }, status: 'published' }, ta.auth('admin'));
  if (other.statusCode !== 201) throw new Error(other.body);
  return ta;
}

t.test('POST /api/v1/events creates an event; GET answers it with its ticket types and seats', async (t) => {
  const ta = await setup(t);
  const created = await create(ta, { speakers: [{ name: 'Director Min', bio: 'Made the film' }], hosts: [{ name: 'Open Doors', url: 'https://opendoors.example' }] });
  const expected = {
    slug: 'game-night',
    title: 'Two Truths and a Lie',
    description: '',
    kind: 'social',
    status: 'published',
    timezone: 'Asia/Seoul',
    startsAt: '2026-12-05T19:00:00+09:00',
    endsAt: '2026-12-05T22:00:00+09:00',
    venue,
    onlineUrl: null,
    series: null,
    campaign: { slug: 'rescue-fund', title: 'Rescue Fund' },
    currency: 'USD',
    capacity: 40,
    available: 0,
    hosts: [{ name: 'Open Doors', url: 'https://opendoors.example' }],
    speakers: [{ name: 'Director Min', bio: 'Made the film' }],
    url: 'http://lantern.test/events/game-night',
    calendarUrl: 'http://lantern.test/events/game-night.ics',
    ticketTypes: [],
  };
  t.strictSame(created, expected);

  const general = await addType(ta, 'game-night', { name: 'General', price: usd(2_000), quantity: 30, maxPerOrder: 6 });
  t.strictSame(general, {
    id: general.id,
    name: 'General',
    description: null,
    price: usd(2_000),
    minPrice: null,
    quantity: 30,
    sold: 0,
    held: 0,
    available: 30,
    salesStart: null,
    salesEnd: null,
    salesOpen: true,
    minPerOrder: 1,
    maxPerOrder: 6,
  });
  const rsvp = await addType(ta, 'game-night', {
    name: 'Pay what you can',
    description: 'Suggested 10 USD',
    price: usd(1_000),
    minPrice: usd(0),
    quantity: 20,
    salesStart: '2026-11-20T09:00',
    salesEnd: '2026-12-05T18:00:00+09:00',
  });
  t.match(rsvp, { price: usd(1_000), minPrice: usd(0), salesStart: '2026-11-20T09:00:00+09:00', salesEnd: '2026-12-05T18:00:00+09:00', salesOpen: false });

  // Seats: 5 paid and 3 held of General, 2 held of the other; an expired hold counts for nothing.
  const eventId = getEvent(ta.services, 'game-night').id;
  const now = ta.clock.now;
  const order = (status: 'paid' | 'pending', expiresAt: number | null, items: [string, number][]) => insertSeatOrder(ta.db, { eventId, items, status, expiresAt, at: now });
  await order('paid', null, [[general.id, 5]]);
  await order('pending', now + 600_000, [[general.id, 3], [rsvp.id, 2]]);
  await order('pending', now - 1, [[rsvp.id, 9]]);

  const res = await ta.app.inject({ method: 'GET', url: '/api/v1/events/game-night' });
  t.equal(res.statusCode, 200);
  const { ticketTypes, ...got } = res.json<EventJson>();
  t.strictSame({ ...got, ticketTypes: [] }, { ...expected, available: 30 }, '40 seats - 10 taken = 30 left; the types leave 22 + 18');
  t.match(ticketTypes, [
    { id: general.id, quantity: 30, sold: 5, held: 3, available: 22 },
    { id: rsvp.id, quantity: 20, sold: 0, held: 2, available: 18 },
  ]);
  t.notMatch(res.body, /createdBy|sequence|buyer/, 'no internal fields');

  const capped = await patch(ta, 'game-night', { capacity: 12 }, ta.auth('admin'));
  t.equal(capped.statusCode, 200);
  t.same(capped.json<EventJson>().ticketTypes?.map((x) => x.available), [2, 2], 'the event’s capacity bounds each type');
});

t.test('GET /api/v1/events lists upcoming or past published events, by kind and city', async (t) => {
  const ta = await setup(t);
  await create(ta);
  await create(ta, { slug: 'screening', kind: 'screening', startsAt: '2026-11-20T19:00', endsAt: '2026-11-20T21:30', venue: { ...venue, city: 'Busan' } });
  await create(ta, { slug: 'draft-night', status: 'draft' });
  await create(ta, { slug: 'last-month', startsAt: '2026-10-05T19:00', endsAt: '2026-10-05T22:00' });
  const list = async (query = '') => {
    const res = await ta.app.inject({ method: 'GET', url: `/api/v1/events${query}` });
    t.equal(res.statusCode, 200, query);
    return res.json<{ events: EventJson[] }>().events;
  };
  const upcoming = await list();
  t.same(upcoming.map((e) => e.slug), ['screening', 'game-night'], 'soonest first; drafts never');
  t.notOk('ticketTypes' in (upcoming[0] ?? {}), 'the list leaves ticket types to the detail');
  t.same((await list('?when=past')).map((e) => e.slug), ['last-month']);
  t.same((await list('?kind=screening')).map((e) => e.slug), ['screening']);
  t.same((await list('?city=busan')).map((e) => e.slug), ['screening']);
  t.same((await list('?city=Seoul&kind=run')).map((e) => e.slug), []);

  expectProblem(t, await ta.app.inject({ method: 'GET', url: '/api/v1/events?when=someday' }), 400, ['when']);
  expectProblem(t, await ta.app.inject({ method: 'GET', url: '/api/v1/events?kind=party' }), 400, ['kind']);
  expectProblem(t, await ta.app.inject({ method: 'GET', url: '/api/v1/events?colour=red' }), 400, ['colour']);
});

t.test('GET /api/v1/events/:slug: drafts and unknown events are 404, bad slugs 400', async (t) => {
  const ta = await setup(t);
  await create(ta, { status: 'draft' });
  expectProblem(t, await ta.app.inject({ method: 'GET', url: '/api/v1/events/game-night' }), 404);
  expectProblem(t, await ta.app.inject({ method: 'GET', url: '/api/v1/events/game-night', headers: ta.auth('admin') }), 404, []);
  expectProblem(t, await ta.app.inject({ method: 'GET', url: '/api/v1/events/no-such-event' }), 404);
  expectProblem(t, await ta.app.inject({ method: 'GET', url: '/api/v1/events/Not_A_Slug' }), 400, ['slug']);
  await patch(ta, 'game-night', { status: 'cancelled' }, ta.auth('admin'));
  const cancelled = await ta.app.inject({ method: 'GET', url: '/api/v1/events/game-night' });
  t.equal(cancelled.json<EventJson>().status, 'cancelled', 'a cancelled event is shown as cancelled');
});

t.test('POST /api/v1/events: bad fields are 400 problems naming each field, and change nothing', async (t) => {
  const ta = await setup(t);
  const bad = async (body: Record<string, unknown>, fields: string[]) => {
    const res = await post(ta, '/api/v1/events', { ...gameNight, ...body }, ta.auth('admin'));
    expectProblem(t, res, 400, fields);
  };
  await bad({ slug: 'Game Night', title: '', kind: 'party', startsAt: 'soon', capacity: 0, extra: true }, ['slug', 'title', 'kind', 'startsAt', 'capacity', 'extra']);
  await bad({ venue: { name: 'Pub' } }, ['venue.address', 'venue.city', 'venue.country']);
  await bad({ onlineUrl: 'ftp://files.example', hosts: [{ name: 'X', url: 'nope' }], speakers: [{}] }, ['onlineUrl', 'hosts.0.url', 'speakers.0.name']);
  await bad({ status: 'cancelled', currency: 'usd' }, ['status', 'currency']);
  // Rules the service checks.
  await bad({ timezone: 'Mars/Olympus' }, ['timezone']);
  await bad({ timezone: 'America/Vancouver', startsAt: '2026-03-08T02:30', endsAt: '2026-03-08T04:00' }, ['startsAt']);
  await bad({ endsAt: '2026-12-05T18:00' }, ['endsAt']);
  await bad({ venue: undefined }, ['venue']);
  await bad({ campaignSlug: 'no-such-fund' }, ['campaignSlug']);
  await bad({ campaignSlug: undefined }, ['currency']);
  await bad({ currency: 'KRW' }, ['currency']);
  await bad({ seriesSlug: 'no-such-tour' }, ['seriesSlug']);
  const list = await ta.app.inject({ method: 'GET', url: '/api/v1/events' });
  t.same(list.json(), { events: [] }, 'nothing was created');

  await addRate(ta, 'KRW', '0.00074');
  const krw = await create(ta, { slug: 'krw-night', currency: 'KRW', startsAt: '2026-12-05T19:00+09:00', endsAt: '2026-12-05T13:00:00Z' });
  t.match(krw, { currency: 'KRW', startsAt: '2026-12-05T19:00:00+09:00', endsAt: '2026-12-05T22:00:00+09:00' }, 'offsets are instants');
});

t.test('POST /api/v1/events: 401 without a valid token, 403 for a sponsor or a campaign not run, 409 for a taken slug', async (t) => {
  const ta = await setup(t);
  expectProblem(t, await post(ta, '/api/v1/events', gameNight, {}), 401);
  expectProblem(t, await post(ta, '/api/v1/events', gameNight, { authorization: 'Bearer not-a-token' }), 401);
  expectProblem(t, await post(ta, '/api/v1/events', gameNight, ta.auth('sponsor')), 403);
  const p = expectProblem(t, await post(ta, '/api/v1/events', { ...gameNight, campaignSlug: 'other' }, ta.auth('organizer')), 403, ['campaignSlug']);
  t.match(p.detail, /not assigned to the campaign "other"/);
  const mine = await create(ta, {}, 'organizer');
  t.equal(mine.slug, 'game-night', 'an organizer creates events for the campaign they run');
  const taken = expectProblem(t, await post(ta, '/api/v1/events', { ...gameNight, title: 'Another' }, ta.auth('admin')), 409, ['slug']);
  t.match(taken.detail, /already exists/);
});

t.test('PATCH /api/v1/events/:slug changes an event; each change raises its SEQUENCE', async (t) => {
  const ta = await setup(t);
  await create(ta, { status: 'draft' });
  const res = await patch(ta, 'game-night', { title: 'Game night', timezone: 'Asia/Tokyo', status: 'published', onlineUrl: 'https://stream.example/live' }, ta.auth('organizer'));
  t.equal(res.statusCode, 200);
  t.match(res.json(), { title: 'Game night', timezone: 'Asia/Tokyo', startsAt: '2026-12-05T19:00:00+09:00', status: 'published', onlineUrl: 'https://stream.example/live', venue });
  t.equal(getEvent(ta.services, 'game-night').sequence, 1);
  const unchanged = await patch(ta, 'game-night', {}, ta.auth('admin'));
  t.equal(unchanged.statusCode, 200);
  t.equal(getEvent(ta.services, 'game-night').sequence, 1, 'an empty patch changes nothing');
  const cleared = await patch(ta, 'game-night', { venue: null, capacity: null, startsAt: '2026-12-05T18:30' }, ta.auth('admin'));
  t.match(cleared.json(), { venue: null, capacity: null, startsAt: '2026-12-05T18:30:00+09:00' });
  t.equal(getEvent(ta.services, 'game-night').sequence, 2);

  expectProblem(t, await patch(ta, 'game-night', { title: '', kind: 'party', extra: 1 }, ta.auth('admin')), 400, ['title', 'kind', 'extra']);
  expectProblem(t, await patch(ta, 'game-night', { onlineUrl: null }, ta.auth('admin')), 400, ['venue']);
  expectProblem(t, await patch(ta, 'game-night', { endsAt: '2026-12-05T18:00' }, ta.auth('admin')), 400, ['endsAt']);
  expectProblem(t, await patch(ta, 'game-night', { timezone: 'Nowhere/Land' }, ta.auth('admin')), 400, ['timezone']);
  t.equal(getEvent(ta.services, 'game-night').sequence, 2, 'refused patches changed nothing');

  expectProblem(t, await patch(ta, 'game-night', { title: 'x' }, {}), 401);
  expectProblem(t, await patch(ta, 'game-night', { title: 'x' }, ta.auth('sponsor')), 403);
  expectProblem(t, await patch(ta, 'no-such-event', { title: 'x' }, ta.auth('admin')), 404);
  expectProblem(t, await patch(ta, 'no-such-event', { title: 'x' }, ta.auth('organizer')), 404);

  await create(ta, { slug: 'other-night', campaignSlug: 'other' });
  const refused = expectProblem(t, await patch(ta, 'other-night', { title: 'Mine now' }, ta.auth('organizer')), 403);
  t.match(refused.detail, /did not create this event/);

  const cancelled = await patch(ta, 'other-night', { status: 'cancelled' }, ta.auth('admin'));
  t.equal(cancelled.json<EventJson>().status, 'cancelled');
  expectProblem(t, await patch(ta, 'other-night', { status: 'published' }, ta.auth('admin')), 409, ['status']);
});

t.test('POST /api/v1/events/:slug/ticket-types: validation, 401/403/404/409', async (t) => {
  const ta = await setup(t);
  await create(ta, { status: 'draft' });
  const url = '/api/v1/events/game-night/ticket-types';
  const general = { name: 'General', price: usd(2_000), quantity: 30 };
  expectProblem(t, await post(ta, url, { name: '', price: { amount: -1, currency: 'USD' }, quantity: 0, maxPerOrder: 0, extra: 1 }, ta.auth('admin')), 400, ['name', 'price.amount', 'quantity', 'maxPerOrder', 'extra']);
  expectProblem(t, await post(ta, url, { ...general, price: { amount: 2_000, currency: 'KRW' } }, ta.auth('admin')), 400, ['price.currency']);
  expectProblem(t, await post(ta, url, { ...general, price: usd(100_000_000_001) }, ta.auth('admin')), 400, ['price.amount']);
  expectProblem(t, await post(ta, url, { ...general, price: { amount: 100, currency: 'XYZ' } }, ta.auth('admin')), 400, ['price.currency']);
  expectProblem(t, await post(ta, url, { ...general, minPrice: usd(2_500) }, ta.auth('admin')), 400, ['minPrice.amount']);
  expectProblem(t, await post(ta, url, { ...general, salesStart: '2026-11-20T10:00', salesEnd: '2026-11-19T10:00' }, ta.auth('admin')), 400, ['salesEnd']);
  expectProblem(t, await post(ta, url, { ...general, salesStart: 'next week' }, ta.auth('admin')), 400, ['salesStart']);
  expectProblem(t, await post(ta, url, { ...general, minPerOrder: 5, maxPerOrder: 2 }, ta.auth('admin')), 400, ['maxPerOrder']);
  const detail = await ta.app.inject({ method: 'GET', url: '/api/v1/events/game-night' });
  t.equal(detail.statusCode, 404, 'still a draft');
  t.same(getEvent(ta.services, 'game-night').sequence, 0);

  expectProblem(t, await post(ta, url, general, {}), 401);
  expectProblem(t, await post(ta, url, general, ta.auth('sponsor')), 403);
  expectProblem(t, await post(ta, '/api/v1/events/no-such-event/ticket-types', general, ta.auth('admin')), 404);
  const added = await addType(ta, 'game-night', general, 'organizer');
  t.match(added, { name: 'General', available: 30 });
  t.match(added.id, /^tt_/);
  const free = await addType(ta, 'game-night', { name: 'Free RSVP', price: usd(0), quantity: 10 });
  t.match(free, { price: usd(0), available: 10 });

  await create(ta, { slug: 'other-night', campaignSlug: 'other' });
  expectProblem(t, await post(ta, '/api/v1/events/other-night/ticket-types', general, ta.auth('organizer')), 403);
  await patch(ta, 'other-night', { status: 'cancelled' }, ta.auth('admin'));
  expectProblem(t, await post(ta, '/api/v1/events/other-night/ticket-types', { ...general, price: { amount: 2_000, currency: 'CAD' } }, ta.auth('admin')), 409);
});
