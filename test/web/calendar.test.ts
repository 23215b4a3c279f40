// Calendar feeds, read back with an independent iCalendar parser (node-ical):
// the instants of events in Seoul, Vancouver (either side of the end of DST
// on 1 Nov 2026, and the hour that happens twice), Edmonton and Regina (no
// DST); TZIDs with their VTIMEZONEs; stable UIDs; SEQUENCE after edits;
// cancellations; URL, LOCATION, ORGANIZER; ETag and 304; drafts and past
// events left out; the .ics routes beside the HTML event page.
import Fastify from 'fastify';
import ical, { type CalendarResponse, type VEvent, type VTimeZone } from 'node-ical';
import t, { type Test } from 'tap';
import { googleCalendarUrl, vtimezone } from '../../src/services/calendar.ts';
import { createSeries, getEvent } from '../../src/services/events.ts';
import calendarFeeds from '../../src/web/public/calendar.ts';
import { buildTestApp, createRescueFund, testActor, type TestApp } from '../helper.ts';

const at = (iso: string) => Date.parse(iso);
const START = at('2026-10-01T12:00:00Z');

const halls = {
  seoul: { name: 'Blue Pub', address: '12 Itaewon-ro', city: 'Seoul', country: 'KR' },
  vancouver: { name: 'Rio Hall', address: '1660 E Broadway', city: 'Vancouver', country: 'Canada' },
  edmonton: { name: 'Stanley Library', address: '7 Sir Winston Churchill Sq', city: 'Edmonton', country: 'Canada' },
  regina: { name: 'Artesian', address: '2627 13th Ave', city: 'Regina', country: 'Canada' },
};

/** The tour and the Seoul nights, created through the API as an organizer would. */
async function seed(t: Test): Promise<TestApp> {
  const ta = await buildTestApp(t);
  ta.clock.now = START;
  await createRescueFund(ta);
  await createSeries(ta.services, testActor, { slug: 'prairie-tour', title: 'Seminar tour: Vancouver, Edmonton, Regina' });
  const make = async (body: Record<string, unknown>) => {
    const res = await ta.app.inject({
      method: 'POST',
      url: '/api/v1/events',
      headers: ta.auth('admin'),
      payload: { kind: 'seminar', campaignSlug: 'rescue-fund', status: 'published', ...body },
    });
    if (res.statusCode !== 201) throw new Error(res.body);
  };
  await make({ slug: 'seoul-screening', title: 'Screening and Q&A', kind: 'screening', timezone: 'Asia/Seoul', startsAt: '2026-12-05T19:00', endsAt: '2026-12-05T22:00', venue: halls.seoul, description: 'A film about crossing borders.\nQ&A with the director.', speakers: [{ name: 'Director Min', bio: 'Filmmaker' }] });
  await make({ slug: 'vancouver-before', title: 'Vancouver, in PDT', timezone: 'America/Vancouver', startsAt: '2026-10-31T19:00', endsAt: '2026-10-31T21:00', venue: halls.vancouver, seriesSlug: 'prairie-tour', hosts: [{ name: 'Partner Society', url: 'https://partner.example' }] });
  await make({ slug: 'vancouver-after', title: 'Vancouver, in PST', timezone: 'America/Vancouver', startsAt: '2026-11-02T19:00', endsAt: '2026-11-02T21:00', venue: halls.vancouver, seriesSlug: 'prairie-tour' });
  await make({ slug: 'vancouver-night', title: 'All night, across the change', timezone: 'America/Vancouver', startsAt: '2026-10-31T23:00', endsAt: '2026-11-01T03:00', onlineUrl: 'https://stream.example/night' });
  await make({ slug: 'edmonton', title: 'Edmonton', timezone: 'America/Edmonton', startsAt: '2026-11-18T19:00', endsAt: '2026-11-18T21:00', venue: halls.edmonton, seriesSlug: 'prairie-tour' });
  await make({ slug: 'regina', title: 'Regina', timezone: 'America/Regina', startsAt: '2026-11-21T19:00', endsAt: '2026-11-21T21:00', venue: halls.regina, seriesSlug: 'prairie-tour' });
  await make({ slug: 'regina-summer', title: 'Regina in summer', timezone: 'America/Regina', startsAt: '2027-07-10T19:00', endsAt: '2027-07-10T21:00', venue: halls.regina });
  await make({ slug: 'draft-night', title: 'Not yet', timezone: 'Asia/Seoul', startsAt: '2026-12-12T19:00', endsAt: '2026-12-12T22:00', venue: halls.seoul, status: 'draft', seriesSlug: 'prairie-tour' });
  await make({ slug: 'last-month', title: 'Last month', timezone: 'Asia/Seoul', startsAt: '2026-09-05T19:00', endsAt: '2026-09-05T22:00', venue: halls.seoul });
  return ta;
}

function text(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  return (v as { val?: string }).val;
}

function parse(ics: string) {
  const data: CalendarResponse = ical.sync.parseICS(ics);
  const events = new Map<string, VEvent>();
  const zones = new Map<string, VTimeZone>();
  for (const c of Object.values(data)) {
    if (c?.type === 'VEVENT') events.set(text(c.url) ?? '', c);
    if (c?.type === 'VTIMEZONE') zones.set(c.tzid, c);
  }
  return { events, zones, bySlug: (slug: string) => events.get(`http://lantern.test/events/${slug}`) };
}

async function feed(ta: TestApp, url = '/events.ics', headers: Record<string, string> = {}) {
  return ta.app.inject({ method: 'GET', url, headers });
}

t.test('/events.ics: every upcoming published event at its true instant, with its zone', async (t) => {
  const ta = await seed(t);
  const res = await feed(ta);
  t.equal(res.statusCode, 200);
  t.equal(res.headers['content-type'], 'text/calendar; charset=utf-8');
  t.equal(res.headers['cache-control'], 'public, max-age=300');
  t.match(res.headers.etag, /^"[\w-]{20,}"$/);
  t.match(res.body, /^BEGIN:VCALENDAR\r\n/);
  t.notMatch(res.body.replace(/\r\n/g, ''), /\n/, 'every line ends in CRLF');

  const { events, zones, bySlug } = parse(res.body);
  t.same(
    [...events.keys()].map((u) => u.replace('http://lantern.test/events/', '')).sort(),
    ['edmonton', 'regina', 'regina-summer', 'seoul-screening', 'vancouver-after', 'vancouver-before', 'vancouver-night'],
    'no drafts, nothing past',
  );
  const expect = (slug: string, tz: string, start: string, end: string) => {
    const e = bySlug(slug);
    t.equal(e?.start.toISOString(), new Date(start).toISOString(), `${slug} starts`);
    t.equal(e?.end?.toISOString(), new Date(end).toISOString(), `${slug} ends`);
    t.equal(e?.start.tz, tz, `${slug} in ${tz}`);
    t.match(res.body, new RegExp(`DTSTART;TZID=${tz}:\\d{8}T\\d{6}\\r\\n`), `a DTSTART with TZID=${tz}`);
  };
  expect('seoul-screening', 'Asia/Seoul', '2026-12-05T10:00:00Z', '2026-12-05T13:00:00Z');
  expect('vancouver-before', 'America/Vancouver', '2026-11-01T02:00:00Z', '2026-11-01T04:00:00Z'); // PDT, -07:00
  expect('vancouver-after', 'America/Vancouver', '2026-11-03T03:00:00Z', '2026-11-03T05:00:00Z'); // PST, -08:00
  expect('vancouver-night', 'America/Vancouver', '2026-11-01T06:00:00Z', '2026-11-01T11:00:00Z'); // 4 h of wall time, 5 h long
  expect('edmonton', 'America/Edmonton', '2026-11-19T02:00:00Z', '2026-11-19T04:00:00Z'); // MST, -07:00
  expect('regina', 'America/Regina', '2026-11-22T01:00:00Z', '2026-11-22T03:00:00Z'); // CST, -06:00
  expect('regina-summer', 'America/Regina', '2027-07-11T01:00:00Z', '2027-07-11T03:00:00Z'); // still -06:00
  t.match(res.body, /DTSTART;TZID=America\/Vancouver:20261031T190000\r\n/, 'wall times as the organizer typed them');
  t.match(res.body, /DTSTART;TZID=America\/Regina:20270710T190000\r\n/);
  t.same([...zones.keys()].sort(), ['America/Edmonton', 'America/Regina', 'America/Vancouver', 'Asia/Seoul'], 'one VTIMEZONE per zone used');
  t.notMatch(res.body, /TIMEZONE-ID|X-WR-TIMEZONE/, 'no calendar-wide zone');
  t.match(res.body, /DTSTAMP:\d{8}T\d{6}Z\r\n/, 'DTSTAMP in UTC');

  const e = bySlug('vancouver-before');
  t.equal(e?.uid, `${getEvent(ta.services, 'vancouver-before').id}@lantern.test`);
  t.equal(text(e?.location), 'Rio Hall, 1660 E Broadway, Vancouver, Canada');
  t.equal(text(bySlug('vancouver-night')?.location), 'https://stream.example/night', 'an online event is located at its link');
  t.match(e?.organizer, { params: { CN: 'Lantern' }, val: 'mailto:lantern@lantern.test' });
  t.equal(e?.status, 'CONFIRMED');
  t.equal(Number(e?.sequence), 0);
  t.equal(text(e?.summary), 'Vancouver, in PDT');
  t.equal(
    text(e?.description),
    'Co-hosted with: Partner Society (https://partner.example)\n\nProceeds go to Rescue Fund.\n\nhttp://lantern.test/events/vancouver-before',
  );
  t.equal(
    text(bySlug('seoul-screening')?.description),
    'A film about crossing borders.\nQ&A with the director.\n\nSpeakers: Director Min (Filmmaker)\n\nProceeds go to Rescue Fund.\n\nhttp://lantern.test/events/seoul-screening',
  );
});

t.test('UIDs stay, SEQUENCE grows with each edit, a cancellation is STATUS:CANCELLED; ETags follow', async (t) => {
  const ta = await seed(t);
  const first = await feed(ta);
  const etag = String(first.headers.etag);
  const before = parse(first.body).bySlug('regina');

  const again = await feed(ta, '/events.ics', { 'if-none-match': etag });
  t.equal(again.statusCode, 304, 'unchanged: 304');
  t.equal(again.body, '');
  t.equal(again.headers.etag, etag);
  t.equal(again.headers['cache-control'], 'public, max-age=300');
  t.equal((await feed(ta, '/events.ics', { 'if-none-match': `"other", W/${etag}` })).statusCode, 304, 'weak and listed tags match');
  t.equal((await feed(ta, '/events.ics', { 'if-none-match': '*' })).statusCode, 304);
  t.equal((await feed(ta, '/events.ics', { 'if-none-match': '"stale"' })).statusCode, 200);
  t.equal((await feed(ta)).body, first.body, 'the same bytes while nothing changes');

  const moved = await ta.app.inject({ method: 'PATCH', url: '/api/v1/events/regina', headers: ta.auth('admin'), payload: { startsAt: '2026-11-21T18:30', venue: { ...halls.regina, name: 'Artesian on 13th' } } });
  t.equal(moved.statusCode, 200);
  const changed = await feed(ta, '/events.ics', { 'if-none-match': etag });
  t.equal(changed.statusCode, 200, 'changed: the new feed');
  t.not(changed.headers.etag, etag);
  const after = parse(changed.body).bySlug('regina');
  t.equal(after?.uid, before?.uid, 'the UID is stable');
  t.equal(Number(after?.sequence), Number(before?.sequence) + 1, 'SEQUENCE grew');
  t.equal(after?.start.toISOString(), '2026-11-22T00:30:00.000Z');
  t.match(text(after?.location), /^Artesian on 13th/);

  const cancelled = await ta.app.inject({ method: 'PATCH', url: '/api/v1/events/regina', headers: ta.auth('admin'), payload: { status: 'cancelled' } });
  t.equal(cancelled.statusCode, 200);
  const gone = parse((await feed(ta)).body).bySlug('regina');
  t.equal(gone?.status, 'CANCELLED', 'still in the feed, so calendars learn of it');
  t.equal(gone?.uid, before?.uid);
  t.equal(Number(gone?.sequence), Number(before?.sequence) + 2);
  t.equal(text(gone?.summary), 'Cancelled: Regina');
  const one = await feed(ta, '/events/regina.ics');
  t.equal(parse(one.body).bySlug('regina')?.status, 'CANCELLED');
});

t.test('an event leaves /events.ics when it ends, with no change in the database', async (t) => {
  const ta = await seed(t);
  const slugs = async () => [...parse((await feed(ta)).body).events.keys()].length;
  t.equal(await slugs(), 7);
  ta.clock.now = at('2026-11-01T04:00:00Z'); // vancouver-before ends now
  t.equal(await slugs(), 6);
  ta.clock.now = at('2026-12-05T13:00:00Z'); // the last of this year's, in Seoul
  t.equal(await slugs(), 1, 'only next summer’s date is left');
});

t.test('/events/:slug.ics and /series/:slug.ics', async (t) => {
  const ta = await seed(t);
  const one = await feed(ta, '/events/seoul-screening.ics');
  t.equal(one.statusCode, 200);
  t.equal(one.headers['content-type'], 'text/calendar; charset=utf-8');
  t.match(one.headers['content-disposition'], /filename="seoul-screening\.ics"/);
  const parsed = parse(one.body);
  t.same([...parsed.events.keys()], ['http://lantern.test/events/seoul-screening']);
  t.same([...parsed.zones.keys()], ['Asia/Seoul']);
  t.match(one.body, /X-WR-CALNAME:Screening and Q&A\r\n/);
  t.equal((await feed(ta, '/events/seoul-screening.ics', { 'if-none-match': String(one.headers.etag) })).statusCode, 304);
  t.equal((await feed(ta, '/events/last-month.ics')).statusCode, 200, 'a past event keeps its file');
  t.equal((await feed(ta, '/events/draft-night.ics')).statusCode, 404, 'a draft has none');
  t.equal((await feed(ta, '/events/no-such-event.ics')).statusCode, 404);

  const tour = await feed(ta, '/series/prairie-tour.ics');
  t.equal(tour.statusCode, 200);
  const dates = parse(tour.body);
  t.same([...dates.events.keys()].map((u) => u.split('/').pop()), ['vancouver-before', 'vancouver-after', 'edmonton', 'regina'], 'the tour’s published dates in order');
  t.same([...dates.zones.keys()].sort(), ['America/Edmonton', 'America/Regina', 'America/Vancouver']);
  t.match(tour.body, /X-WR-CALNAME:Seminar tour: Vancouver\\, Edmonton\\, Regina\r\n/, 'the name escaped as TEXT');
  t.equal((await feed(ta, '/series/no-such-tour.ics')).statusCode, 404);
  await createSeries(ta.services, testActor, { slug: 'empty-tour', title: 'Nothing yet' });
  t.equal((await feed(ta, '/series/empty-tour.ics')).statusCode, 404, 'a series without public dates is not shown');
});

t.test('the .ics route lives beside an HTML /events/:slug route, whichever is registered first', async (t) => {
  const ta = await seed(t);
  for (const htmlFirst of [true, false]) {
    const app = Fastify();
    app.decorate('services', ta.services);
    const html = async () => app.get<{ Params: { slug: string } }>('/events/:slug', async (req) => `page of ${req.params.slug}`);
    if (htmlFirst) await html();
    await app.register(calendarFeeds);
    if (!htmlFirst) await html();
    const page = await app.inject({ method: 'GET', url: '/events/seoul-screening' });
    t.equal(page.body, 'page of seoul-screening', `the page (HTML route ${htmlFirst ? 'first' : 'last'})`);
    const file = await app.inject({ method: 'GET', url: '/events/seoul-screening.ics' });
    t.equal(file.headers['content-type'], 'text/calendar; charset=utf-8', 'the calendar');
    t.equal(parse(file.body).events.size, 1);
    await app.close();
  }
  const real = await feed(ta, '/events/seoul-screening');
  t.not(real.headers['content-type'], 'text/calendar; charset=utf-8', 'in the app, the page path is not the calendar');
});

t.test('the hour that happens twice: the second 01:30 is written in UTC, so no calendar misreads it', async (t) => {
  const ta = await seed(t);
  const res = await ta.app.inject({ method: 'POST', url: '/api/v1/events', headers: ta.auth('admin'), payload: { slug: 'second-pass', title: 'After the change', kind: 'other', timezone: 'America/Vancouver', startsAt: '2026-11-01T01:30-08:00', endsAt: '2026-11-01T02:30', venue: halls.vancouver, currency: 'CAD', status: 'published' } });
  t.equal(res.statusCode, 201);
  t.equal(res.json<{ startsAt: string }>().startsAt, '2026-11-01T01:30:00-08:00');
  const body = (await feed(ta, '/events/second-pass.ics')).body;
  const e = parse(body).bySlug('second-pass');
  t.equal(e?.start.toISOString(), '2026-11-01T09:30:00.000Z');
  t.equal(e?.end?.toISOString(), '2026-11-01T10:30:00.000Z');
  t.match(body, /DTSTART:20261101T093000Z\r\n/);
});

t.test('VTIMEZONEs: the packaged one when it is right, else one built from Node’s time zone database', async (t) => {
  const summer = at('2026-07-05T01:00:00Z');
  t.match(vtimezone('America/Vancouver', [summer]), /TZURL:http:\/\/tzurl\.org/, 'Vancouver: the package is current');
  // Mexico ended DST in 2022; the package (2018) still has it.
  const mexico = vtimezone('America/Mexico_City', [summer]);
  t.notMatch(mexico, /tzurl|DAYLIGHT/, 'built: no daylight time in 2026');
  t.match(mexico, /TZOFFSETTO:-0600/);
  t.match(vtimezone('Europe/Kyiv', [summer]), /^BEGIN:VTIMEZONE\r\nTZID:Europe\/Kyiv\r\n/, 'a zone the package lacks');

  const ta = await seed(t);
  const res = await ta.app.inject({ method: 'POST', url: '/api/v1/events', headers: ta.auth('admin'), payload: { slug: 'cdmx', title: 'Mexico City', kind: 'social', timezone: 'America/Mexico_City', startsAt: '2027-07-03T19:00', endsAt: '2027-07-03T21:00', venue: { name: 'Casa', address: 'Calle 1', city: 'Ciudad de México', country: 'MX' }, currency: 'USD', status: 'published' } });
  t.equal(res.statusCode, 201);
  const e = parse((await feed(ta, '/events/cdmx.ics')).body).bySlug('cdmx');
  t.equal(e?.start.toISOString(), '2027-07-04T01:00:00.000Z', '19:00 at -06:00, as Mexico keeps it now');
});

t.test('googleCalendarUrl: a plain link with UTC times and the zone', async (t) => {
  const ta = await seed(t);
  const url = new URL(googleCalendarUrl(getEvent(ta.services, 'seoul-screening'), 'http://lantern.test'));
  t.equal(url.origin + url.pathname, 'https://calendar.google.com/calendar/render');
  t.same(Object.fromEntries(url.searchParams), {
    action: 'TEMPLATE',
    text: 'Screening and Q&A',
    dates: '20261205T100000Z/20261205T130000Z',
    details: 'A film about crossing borders.\nQ&A with the director.\n\nhttp://lantern.test/events/seoul-screening',
    location: 'Blue Pub, 12 Itaewon-ro, Seoul, KR',
    ctz: 'Asia/Seoul',
  });
  const long = { ...getEvent(ta.services, 'regina'), description: 'x'.repeat(2000), status: 'cancelled' as const };
  const params = new URL(googleCalendarUrl(long, 'http://lantern.test')).searchParams;
  t.ok((params.get('details') ?? '').length < 900, 'a long description is cut');
  t.equal(params.get('text'), 'Cancelled: Regina');
});
