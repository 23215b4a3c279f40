// Raffles through the JSON API: setup at the Seoul game night (refused until
// the Korean requirements are met), bundles sold for cash with a token and
// online through the test checkout, close (pool and commitment), draw (seed
// and winners that follow from it), redraw, the public record, bad input, and
// the campaign's breakdown.
import { createHash } from 'node:crypto';
import t, { type Test } from 'tap';
import { runDraw } from '../../src/domain/raffle-draw.ts';
import { verifyAll } from '../../src/services/verify.ts';
import { buildTestApp, createRescueFund, testCheckout, type TestApp } from '../helper.ts';
import { addKrwRate, createSeoulEvent, type ProblemJson } from './api-helpers.ts';

t.setTimeout(60_000);

const krw = (amount: number) => ({ amount, currency: 'KRW' });

interface RaffleJson {
  id: string;
  status: string;
  commitment: string | null;
  pool: [number, number][] | null;
  seed: string | null;
  draws: { prize: number; ticketNumber: number | null; attempt: number; status: string }[] | null;
  redraws: number[] | null;
  winners: { prize: number; prizeName: string; ticketNumber: number | null; name: string | null }[] | null;
  bundles: { quantity: number; price: { amount: number } }[];
}

async function setup(t: Test) {
  const ta = await buildTestApp(t);
  await createRescueFund(ta);
  await addKrwRate(t, ta);
  await createSeoulEvent(t, ta, { venue: { name: 'The Pub', address: '12 Itaewon-ro', city: 'Seoul', country: 'KR' } });
  return ta;
}

const raffleBody = (extra: Record<string, unknown> = {}) => ({
  title: 'Game night raffle',
  price: krw(5_000),
  bundles: [{ quantity: 3, price: krw(10_000) }],
  prizes: [{ name: 'Board game bundle', donor: 'Dice Café', value: krw(80_000) }, { name: 'Film poster' }],
  onePrizePerPerson: false,
  ...extra,
});

function post(ta: TestApp, url: string, payload: unknown, role?: 'admin' | 'organizer' | 'sponsor') {
  return ta.app.inject({ method: 'POST', url, payload: payload as Record<string, unknown>, ...(role && { headers: ta.auth(role) }) });
}

t.test('the game-night raffle end to end', async (t) => {
  const ta = await setup(t);
  const refused = await post(ta, '/api/v1/events/game-night/raffles', raffleBody(), 'organizer');
  t.equal(refused.statusCode, 422, 'Korea: no paid sales without a licence');
  const problem = refused.json() as ProblemJson;
  t.same(
    problem.errors?.map((e) => e.field),
    ['licence', 'authority', 'ageLimit'],
  );
  const none = await ta.app.inject({ method: 'GET', url: '/api/v1/events/game-night' });
  t.equal(none.statusCode, 200);

  const created = await post(ta, '/api/v1/events/game-night/raffles', raffleBody({ licence: 'SEOUL-2026-118', authority: 'Mapo-gu Office', ageLimit: 19 }), 'organizer');
  t.equal(created.statusCode, 201, created.body);
  const raffle = created.json() as RaffleJson;
  t.equal(raffle.status, 'open');
  t.same(
    raffle.bundles.map((b) => [b.quantity, b.price.amount]),
    [
      [1, 5_000],
      [3, 10_000],
    ],
  );
  const base = `/api/v1/raffles/${raffle.id}`;

  const cash = await post(ta, `${base}/entries`, { buyer: { name: 'Min-ji Kim', email: 'minji@example.org' }, quantity: 3, method: 'cash', publicName: true }, 'organizer');
  t.equal(cash.statusCode, 201, cash.body);
  t.same(cash.json(), { id: (cash.json() as { id: string }).id, raffle: raffle.id, status: 'paid', quantity: 3, amount: krw(10_000), ticketNumbers: [1, 2, 3] });
  const guestCash = await post(ta, `${base}/entries`, { buyer: { name: 'X' }, quantity: 1, method: 'cash' });
  t.equal(guestCash.statusCode, 401, 'cash needs a staff token');
  const sponsorCash = await post(ta, `${base}/entries`, { buyer: { name: 'X' }, quantity: 1, method: 'cash' }, 'sponsor');
  t.equal(sponsorCash.statusCode, 403);

  const badBundle = await post(ta, `${base}/entries`, { buyer: { name: 'Ann', email: 'ann@example.org' }, quantity: 2, confirmed: true });
  t.equal(badBundle.statusCode, 400);
  t.match((badBundle.json() as ProblemJson).errors, [{ field: 'quantity' }]);
  const unconfirmed = await post(ta, `${base}/entries`, { buyer: { name: 'Ann', email: 'ann@example.org' }, quantity: 1 });
  t.equal(unconfirmed.statusCode, 400, 'the age limit must be confirmed');

  const online = await post(ta, `${base}/entries`, { buyer: { name: 'Ann Lee', email: 'ann@example.org' }, quantity: 1, confirmed: true });
  t.equal(online.statusCode, 201, online.body);
  const pending = online.json() as { id: string; status: string; checkoutUrl: string; ticketNumbers: number[] };
  t.equal(pending.status, 'pending');
  t.same(pending.ticketNumbers, []);
  const paid = await testCheckout(ta, new URL(pending.checkoutUrl).pathname);
  t.equal(paid.statusCode, 303);
  t.equal(paid.headers.location, `/raffle-entries/${pending.id}`);

  const campaign = await ta.app.inject({ method: 'GET', url: '/api/v1/campaigns/rescue-fund' });
  t.match(campaign.json(), { breakdown: { raffles: { amount: 750 + 375, currency: 'USD' } } }, 'proceeds count as raffles, apart from gifts');

  const early = await post(ta, `${base}/draw`, {}, 'organizer');
  t.equal(early.statusCode, 409, 'no draw before close');
  const before = (await ta.app.inject({ method: 'GET', url: base })).json() as RaffleJson;
  t.equal(before.commitment, null);

  const closed = await post(ta, `${base}/close`, {}, 'organizer');
  t.equal(closed.statusCode, 200, closed.body);
  const { commitment, pool } = closed.json() as { commitment: string; pool: [number, number][] };
  t.match(commitment, /^[0-9a-f]{64}$/);
  t.same(pool, [[1, 4]]);
  const publicClosed = (await ta.app.inject({ method: 'GET', url: base })).json() as RaffleJson;
  t.equal(publicClosed.commitment, commitment, 'the commitment is published before the draw');
  t.equal(publicClosed.seed, null);
  const late = await post(ta, `${base}/entries`, { buyer: { name: 'Late', email: 'late@example.org' }, quantity: 1, confirmed: true });
  t.equal(late.statusCode, 422, 'no sales after close');

  const drawn = await post(ta, `${base}/draw`, {}, 'organizer');
  t.equal(drawn.statusCode, 200, drawn.body);
  const result = drawn.json() as { seed: string; commitment: string; winners: { prize: number; prizeName: string; ticketNumber: number }[] };
  t.equal(createHash('sha256').update(Buffer.from(result.seed, 'hex')).digest('hex'), commitment, 'the revealed seed matches the commitment');
  const expected = runDraw({ raffleId: raffle.id, seed: Buffer.from(result.seed, 'hex'), pool: [1, 2, 3, 4], prizes: 2, onePrizePerPerson: false });
  t.same(
    result.winners.map((w) => w.ticketNumber),
    expected.map((d) => d.ticketNumber),
  );
  t.equal(result.winners[0]?.prizeName, 'Board game bundle');
  t.equal((await post(ta, `${base}/draw`, {}, 'organizer')).statusCode, 409, 'a draw runs once');

  const redraw = await post(ta, `${base}/prizes/1/redraw`, {}, 'organizer');
  t.equal(redraw.statusCode, 200, redraw.body);
  const record = (await ta.app.inject({ method: 'GET', url: base })).json() as RaffleJson;
  t.equal(record.seed, result.seed);
  t.same(record.redraws, [1]);
  t.equal(record.draws?.length, 3);
  t.notMatch(JSON.stringify(record), /@/, 'no e-mail in the public record');
  t.equal((await post(ta, `${base}/prizes/7/redraw`, {}, 'organizer')).statusCode, 404);
  t.same((await verifyAll(ta.services)).differences, []);
});

t.test('bad input changes nothing', async (t) => {
  const ta = await setup(t);
  const noPrizes = await post(ta, '/api/v1/events/game-night/raffles', raffleBody({ prizes: [], licence: 'L', authority: 'A', ageLimit: 19 }), 'organizer');
  t.equal(noPrizes.statusCode, 400);
  const wrongCurrency = await post(ta, '/api/v1/events/game-night/raffles', raffleBody({ price: { amount: 5, currency: 'USD' }, licence: 'L', authority: 'A', ageLimit: 19 }), 'organizer');
  t.equal(wrongCurrency.statusCode, 400);
  t.match((wrongCurrency.json() as ProblemJson).errors, [{ field: 'price.currency' }]);
  const unknown = await ta.app.inject({ method: 'GET', url: '/api/v1/raffles/raf_nope' });
  t.equal(unknown.statusCode, 404);
  const noToken = await post(ta, '/api/v1/events/game-night/raffles', raffleBody());
  t.equal(noToken.statusCode, 401);

  const created = await post(ta, '/api/v1/events/game-night/raffles', raffleBody({ jurisdiction: 'other', ageLimit: 18 }), 'organizer');
  t.equal(created.statusCode, 201, created.body);
  const id = (created.json() as RaffleJson).id;
  const empty = await post(ta, `/api/v1/raffles/${id}/close`, {}, 'organizer');
  t.equal(empty.statusCode, 422, 'an empty pool cannot be closed');
  const still = (await ta.app.inject({ method: 'GET', url: `/api/v1/raffles/${id}` })).json() as RaffleJson;
  t.equal(still.status, 'open');
  t.equal(still.commitment, null);
});

t.test('a free sign-up draw needs no licence', async (t) => {
  const ta = await setup(t);
  const created = await post(ta, '/api/v1/events/game-night/raffles', { title: 'Free draw', entry: 'signup', prizes: [{ name: 'Poster' }], onePrizePerPerson: true }, 'organizer');
  t.equal(created.statusCode, 201, created.body);
  const id = (created.json() as RaffleJson).id;
  const entry = await post(ta, `/api/v1/raffles/${id}/entries`, { buyer: { name: 'Sun', email: 'sun@example.org' }, quantity: 1 });
  t.equal(entry.statusCode, 201, entry.body);
  t.match(entry.json(), { status: 'paid', ticketNumbers: [1], amount: { amount: 0 } });
  t.equal((await post(ta, `/api/v1/raffles/${id}/close`, {}, 'organizer')).statusCode, 200);
  const drawn = await post(ta, `/api/v1/raffles/${id}/draw`, {}, 'organizer');
  t.match(drawn.json(), { winners: [{ ticketNumber: 1 }] });
});

t.test('a raffle for a campaign directly, without an event', async (t) => {
  const ta = await setup(t);
  const created = await post(ta, '/api/v1/campaigns/rescue-fund/raffles', raffleBody({ price: { amount: 500, currency: 'USD' }, bundles: [{ quantity: 5, price: { amount: 2_000, currency: 'USD' } }], prizes: [{ name: 'Quilt' }], jurisdiction: 'CA-BC', licence: 'BC-GAMING-1234', authority: 'BC Gaming Policy and Enforcement Branch', ageLimit: 19, drawPlace: 'Office open day, Vancouver' }), 'organizer');
  t.equal(created.statusCode, 201, created.body);
  const raffle = created.json() as RaffleJson & { event: string | null; campaign: string };
  t.equal(raffle.event, null);
  t.equal(raffle.campaign, 'rescue-fund');
  t.equal(raffle.status, 'open');
  const sale = await post(ta, `/api/v1/raffles/${raffle.id}/entries`, { buyer: { name: 'Joan' }, quantity: 5, method: 'cash' }, 'organizer');
  t.equal(sale.statusCode, 201, sale.body);
  t.match(sale.json(), { ticketNumbers: [1, 2, 3, 4, 5] });
  const sponsor = await post(ta, '/api/v1/campaigns/rescue-fund/raffles', raffleBody(), 'sponsor');
  t.equal(sponsor.statusCode, 403);
  const missing = await post(ta, '/api/v1/campaigns/no-such-fund/raffles', raffleBody({ jurisdiction: 'other', ageLimit: 18 }), 'admin');
  t.equal(missing.statusCode, 404);
  t.same((await verifyAll(ta.services)).differences, []);
});
