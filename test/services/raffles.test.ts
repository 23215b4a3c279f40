// Raffles through the services, on a real database: setup against the
// jurisdiction's requirements, bundles at the door and online, numbering,
// refunds before close, close/draw/redraw, free prize draws, and the ledger.
import { createHash } from 'node:crypto';
import t, { type Test } from 'tap';
import { money } from '../../src/domain/money.ts';
import { runDraw } from '../../src/domain/raffle-draw.ts';
import { openDatabase } from '../../src/db/connection.ts';
import { readTotals } from '../../src/db/campaigns.ts';
import { listMail } from '../../src/db/mail.ts';
import { testProvider } from '../../src/payments/test-provider.ts';
import { createCampaign } from '../../src/services/campaigns.ts';
import { createServices, type Services } from '../../src/services/context.ts';
import { addTicketType, createEvent } from '../../src/services/events.ts';
import { checkIn, recordDoorSale } from '../../src/services/orders.ts';
import { applyPaymentEvent } from '../../src/services/payments.ts';
import {
  buyRaffleTickets,
  closeRaffle,
  createRaffle,
  drawRaffle,
  expirePendingRaffleEntries,
  getRaffle,
  markPrizeClaimed,
  openRaffle,
  publicRaffle,
  redrawPrize,
  refundRaffleEntry,
  sellRaffleTicketsAtDoor,
  signUpForDraw,
  updateRaffleSetup,
  type RaffleInput,
} from '../../src/services/raffles.ts';
import { addRate } from '../../src/services/rates.ts';
import { verifyAll } from '../../src/services/verify.ts';
import { testActor, testConfig } from '../helper.ts';

const krw = (n: number) => money(n, 'KRW');

async function setup(t: Test) {
  const db = openDatabase(':memory:');
  t.teardown(() => db.close());
  const clock = { now: Date.UTC(2026, 10, 20, 3) };
  const s: Services = createServices({ db, config: testConfig({ ORDER_HOLD_MINUTES: '15' }), now: () => clock.now });
  const provider = testProvider(s.config.baseUrl);
  await createCampaign(s, testActor, { slug: 'rescue-fund', title: 'Rescue Fund', currency: 'USD', goal: money(1_500_000, 'USD'), status: 'published' });
  await addRate(s, testActor, { base: 'KRW', quote: 'USD', rate: '0.00075' });
  await createEvent(s, testActor, {
    slug: 'game-night',
    title: 'Game night',
    kind: 'social',
    timezone: 'Asia/Seoul',
    startsAt: '2026-12-05T19:00',
    endsAt: '2026-12-05T22:00',
    venue: { name: 'Blue Pub', address: '12 Itaewon-ro', city: 'Seoul', country: 'KR' },
    campaignSlug: 'rescue-fund',
    currency: 'KRW',
    status: 'published',
  });
  return { db, s, clock, provider };
}

function gameNightRaffle(overrides: Partial<RaffleInput> = {}): RaffleInput {
  return {
    title: 'Game night raffle',
    eventSlug: 'game-night',
    rules: 'One draw at 21:30 at the bar. Prizes must be collected within 30 days.',
    price: krw(5_000),
    bundles: [{ quantity: 3, price: krw(10_000) }],
    onePrizePerPerson: false,
    prizes: [{ name: 'Board game bundle', donor: 'Dice Café', value: krw(80_000) }, { name: 'Film poster' }, { name: 'Coffee voucher', value: krw(10_000) }],
    ...overrides,
  };
}

const checkoutOf = (url: string) => new URL(url).pathname.split('/').pop() ?? '';

t.test('paid sales open only when the jurisdiction’s requirements are met', async (t) => {
  const { s } = await setup(t);
  const r = await createRaffle(s, testActor, gameNightRaffle());
  t.equal(r.raffle.status, 'draft');
  t.equal(r.raffle.jurisdiction, 'KR', 'the venue’s country by default');
  t.same(r.bundles, [{ quantity: 1, price: 5_000 }, { quantity: 3, price: 10_000 }]);
  await t.rejects(openRaffle(s, testActor, r.raffle.id), { code: 'unprocessable', issues: [{ field: 'licence' }, { field: 'authority' }, { field: 'ageLimit' }] });
  t.equal(getRaffle(s, r.raffle.id).raffle.status, 'draft', 'nothing changed');
  await updateRaffleSetup(s, testActor, r.raffle.id, { licence: 'SEOUL-2026-118', authority: 'Mapo-gu Office', ageLimit: 18 });
  await t.rejects(openRaffle(s, testActor, r.raffle.id), { code: 'unprocessable', issues: [{ field: 'ageLimit', message: /at least 19/ }] });
  await updateRaffleSetup(s, testActor, r.raffle.id, { ageLimit: 19 });
  t.equal((await openRaffle(s, testActor, r.raffle.id)).raffle.status, 'open');

  await t.rejects(createRaffle(s, testActor, gameNightRaffle({ bundles: [{ quantity: 1, price: krw(4_000) }] })), { code: 'validation', issues: [{ field: 'bundles.0.quantity' }] });
  await t.rejects(createRaffle(s, testActor, gameNightRaffle({ price: money(5, 'USD') })), { code: 'validation', issues: [{ field: 'price.currency' }] });
  await t.rejects(createRaffle(s, testActor, gameNightRaffle({ prizes: [] })), { code: 'validation', issues: [{ field: 'prizes' }] });
  const elsewhere = await createRaffle(s, testActor, gameNightRaffle({ jurisdiction: 'other', ageLimit: 18, open: true }));
  t.equal(elsewhere.raffle.status, 'open', 'elsewhere an age limit and the place of the draw are enough');
});

t.test('bundles at the door and online, numbered in the order paid; refunds leave the pool; the draw follows the seed', async (t) => {
  const { s, provider, db } = await setup(t);
  const { raffle } = await createRaffle(s, testActor, gameNightRaffle({ licence: 'SEOUL-2026-118', authority: 'Mapo-gu Office', ageLimit: 19, open: true }));
  const id = raffle.id;

  const door = await sellRaffleTicketsAtDoor(s, testActor, id, { buyer: { name: 'Min-ji Kim', email: 'minji@example.org' }, quantity: 3, publicName: true });
  t.same(door.ticketNumbers, [1, 2, 3]);
  t.equal(door.entry.status, 'paid');

  await t.rejects(buyRaffleTickets(s, provider, id, { buyer: { name: 'Ann', email: 'ann@example.org' }, quantity: 2, confirmed: true }), { code: 'validation', issues: [{ field: 'quantity', message: /1, 3/ }] });
  await t.rejects(buyRaffleTickets(s, provider, id, { buyer: { name: 'Ann', email: 'ann@example.org' }, quantity: 1 }), { code: 'validation', issues: [{ field: 'confirmed', message: /19 or older/ }] });
  const online = await buyRaffleTickets(s, provider, id, { buyer: { name: 'Ann Lee', email: 'Ann@Example.org' }, quantity: 1, confirmed: true });
  t.equal(online.view.entry.status, 'pending');
  t.ok(online.checkoutUrl);
  const cash = await sellRaffleTicketsAtDoor(s, testActor, id, { buyer: { name: 'Cash buyer' }, quantity: 1 });
  t.same(cash.ticketNumbers, [4], 'numbers follow payment, not purchase');
  await applyPaymentEvent(s, { provider: 'test', eventId: 'e1', outcome: 'completed', checkoutId: checkoutOf(online.checkoutUrl ?? '') });
  await applyPaymentEvent(s, { provider: 'test', eventId: 'e1', outcome: 'completed', checkoutId: checkoutOf(online.checkoutUrl ?? '') });
  const ann = getRaffle(s, id);
  t.equal(ann.taken, 5);
  const sixth = await sellRaffleTicketsAtDoor(s, testActor, id, { buyer: { name: 'Joon', email: 'joon@example.org' }, quantity: 1 });
  t.same(sixth.ticketNumbers, [6]);

  // 10,000 + 5,000 + 5,000 + 5,000 KRW at 0.00075 → 7.50 + 3.75 × 3 USD.
  t.equal(readTotals(db, ann.campaign?.id ?? '').raffles, 750 + 375 * 3);
  const refunded = await refundRaffleEntry(s, testActor, sixth.entry.id, 'changed mind');
  t.equal(refunded.entry.status, 'refunded');
  t.equal(readTotals(db, ann.campaign?.id ?? '').raffles, 750 + 375 * 2, 'the refund reverses the proceeds');
  t.same((await verifyAll(s)).differences, []);
  t.ok(
    listMail(db, 50, 0).some((m) => m.toAddress === 'ann@example.org' && m.kind === 'raffle' && m.text.includes('Your ticket number: 5')),
    'the buyer receives the ticket number',
  );

  await t.rejects(drawRaffle(s, testActor, id), { code: 'invalid_state' }, 'no draw before close');
  const before = publicRaffle(s, getRaffle(s, id));
  t.equal(before.commitment, null);
  t.equal(before.seed, null);

  const closed = await closeRaffle(s, testActor, id);
  t.same(closed.pool, [[1, 5]], 'the refunded ticket 6 left the pool');
  const afterClose = publicRaffle(s, getRaffle(s, id));
  t.equal(afterClose.commitment, closed.commitment, 'the commitment is public from closing on');
  t.equal(afterClose.seed, null, 'the seed stays secret until the draw');
  await t.rejects(sellRaffleTicketsAtDoor(s, testActor, id, { buyer: { name: 'Late' }, quantity: 1 }), { code: 'unprocessable' }, 'no sales after close');
  await t.rejects(refundRaffleEntry(s, testActor, cash.entry.id, null), { code: 'invalid_state' }, 'the pool is frozen');
  await t.rejects(closeRaffle(s, testActor, id), { code: 'invalid_state' });

  const drawn = await drawRaffle(s, testActor, id);
  t.equal(createHash('sha256').update(Buffer.from(drawn.seed, 'hex')).digest('hex'), drawn.commitment, 'the seed matches the commitment');
  const expected = runDraw({ raffleId: id, seed: Buffer.from(drawn.seed, 'hex'), pool: [1, 2, 3, 4, 5], prizes: 3, onePrizePerPerson: false });
  t.same(
    drawn.winners.map((w) => w.ticketNumber),
    expected.map((d) => d.ticketNumber),
    'the winners follow from the seed',
  );
  await t.rejects(drawRaffle(s, testActor, id), { code: 'invalid_state' }, 'a draw runs once');

  const pub = publicRaffle(s, getRaffle(s, id));
  t.equal(pub.seed, drawn.seed);
  t.notMatch(JSON.stringify(pub), /@/, 'no e-mail address in the public record');
  for (const w of pub.winners ?? []) {
    const byMinji = w.ticketNumber !== null && w.ticketNumber <= 3;
    t.equal(w.name, byMinji ? 'Min-ji K.' : 'Anonymous', `ticket ${w.ticketNumber}: named only with consent`);
  }

  await markPrizeClaimed(s, testActor, id, 0);
  await t.rejects(redrawPrize(s, testActor, id, 0), { code: 'invalid_state' }, 'a claimed prize stays');
  const again = await redrawPrize(s, testActor, id, 1);
  const replay = runDraw({ raffleId: id, seed: Buffer.from(drawn.seed, 'hex'), pool: [1, 2, 3, 4, 5], prizes: 3, onePrizePerPerson: false }, [1]);
  t.equal(again.winners[1]?.ticketNumber, replay[3]?.ticketNumber, 'the redraw continues the prize’s attempts');
  const record = publicRaffle(s, getRaffle(s, id));
  t.same(record.redraws, [1]);
  t.equal(record.draws?.[1]?.status, 'forfeited');
  t.ok(listMail(db, 50, 0).some((m) => m.subject.startsWith('You won a prize')), 'winners are told');
  t.same((await verifyAll(s)).differences, []);
});

t.test('an empty pool cannot be closed; pending purchases expire', async (t) => {
  const { s, provider, clock } = await setup(t);
  const { raffle } = await createRaffle(s, testActor, gameNightRaffle({ jurisdiction: 'other', ageLimit: 18, open: true, maxTickets: 4 }));
  const pending = await buyRaffleTickets(s, provider, raffle.id, { buyer: { name: 'A', email: 'a@example.org' }, quantity: 3, confirmed: true });
  await t.rejects(buyRaffleTickets(s, provider, raffle.id, { buyer: { name: 'B', email: 'b@example.org' }, quantity: 3, confirmed: true }), { code: 'sold_out' });
  await t.rejects(closeRaffle(s, testActor, raffle.id), { code: 'unprocessable', message: /nothing to draw/ });
  t.equal(getRaffle(s, raffle.id).raffle.status, 'open', 'closing an empty pool changes nothing');
  clock.now += 16 * 60_000;
  t.equal(await expirePendingRaffleEntries(s), 1);
  t.equal(getRaffle(s, raffle.id).taken, 0, 'the hold ran out');
  await applyPaymentEvent(s, { provider: 'test', eventId: 'late', outcome: 'expired', checkoutId: checkoutOf(pending.checkoutUrl ?? '') });
});

t.test('one prize per person: a holder of several tickets wins once', async (t) => {
  const { s } = await setup(t);
  const { raffle } = await createRaffle(s, testActor, gameNightRaffle({ jurisdiction: 'other', ageLimit: 18, open: true, onePrizePerPerson: true }));
  await sellRaffleTicketsAtDoor(s, testActor, raffle.id, { buyer: { name: 'A', email: 'a@example.org' }, quantity: 3 });
  await sellRaffleTicketsAtDoor(s, testActor, raffle.id, { buyer: { name: 'A again', email: 'A@example.org' }, quantity: 3 });
  await sellRaffleTicketsAtDoor(s, testActor, raffle.id, { buyer: { name: 'B', email: 'b@example.org' }, quantity: 1 });
  const closed = await closeRaffle(s, testActor, raffle.id);
  t.same(closed.pool, [[1, 7]]);
  t.same(publicRaffle(s, getRaffle(s, raffle.id)).sameHolder, [[1, 2, 3, 4, 5, 6]], 'the same address is the same person');
  const drawn = await drawRaffle(s, testActor, raffle.id);
  const won = drawn.winners.map((w) => w.ticketNumber);
  t.equal(won.filter((n) => n !== null && n <= 6).length, 1, 'A wins once');
  t.ok(won.includes(7), 'B wins too');
  t.equal(won.filter((n) => n === null).length, 1, 'with two people, the third prize stays unawarded');
});

t.test('free prize draws: sign-ups, or every checked-in guest', async (t) => {
  const { s } = await setup(t);
  const signup = await createRaffle(s, testActor, { title: 'Free draw', eventSlug: 'game-night', entry: 'signup', onePrizePerPerson: true, prizes: [{ name: 'Poster' }], open: true });
  t.equal(signup.raffle.status, 'open', 'a free draw needs no licence');
  const me = await signUpForDraw(s, signup.raffle.id, { buyer: { name: 'Sun', email: 'sun@example.org' }, quantity: 1, confirmed: true });
  t.same(me.ticketNumbers, [1]);
  await t.rejects(signUpForDraw(s, signup.raffle.id, { buyer: { name: 'Sun', email: 'SUN@example.org' }, quantity: 1, confirmed: true }), { code: 'conflict' });
  await t.rejects(createRaffle(s, testActor, { title: 'x', eventSlug: 'game-night', entry: 'signup', price: krw(1_000), onePrizePerPerson: true, prizes: [{ name: 'P' }] }), { code: 'validation' });

  const guests = await createRaffle(s, testActor, { title: 'Door prize', eventSlug: 'game-night', entry: 'checked_in', onePrizePerPerson: true, prizes: [{ name: 'Mug' }], open: true });
  await t.rejects(closeRaffle(s, testActor, guests.raffle.id), { code: 'unprocessable', message: /checked in/ });
  const type = await addTicketType(s, testActor, 'game-night', { name: 'Entry', price: krw(0), quantity: 50 });
  const order = await recordDoorSale(s, testActor, 'game-night', { items: [{ ticketTypeId: type.id, quantity: 2 }], buyer: { name: 'Guest', email: 'g@example.org' }, method: 'cash' });
  for (const ticket of order.tickets) await checkIn(s, testActor, 'game-night', ticket.code);
  const closed = await closeRaffle(s, testActor, guests.raffle.id);
  t.same(closed.pool, [[1, 2]], 'each checked-in ticket is in the draw');
  const drawn = await drawRaffle(s, testActor, guests.raffle.id);
  t.ok(drawn.winners[0]?.ticketNumber);
  t.same((await verifyAll(s)).differences, []);
});

t.test('raffle proceeds are matched only by a pledge whose sources name raffles', async (t) => {
  const { s, db } = await setup(t);
  const { createPledge } = await import('../../src/services/pledges.ts');
  const { recordOfflineGift } = await import('../../src/services/gifts.ts');
  const everyGift = await createPledge(s, testActor, 'rescue-fund', { sponsor: { name: 'All gifts' }, anonymous: false, ratio: '1:1', cap: money(100_000, 'USD') }, 'active');
  const rafflesToo = await createPledge(s, testActor, 'rescue-fund', { sponsor: { name: 'Raffle fan' }, anonymous: false, ratio: '1:1', cap: money(5_000, 'USD'), sources: ['raffle'] }, 'active');
  const campaignId = getRaffle(s, (await createRaffle(s, testActor, gameNightRaffle({ jurisdiction: 'other', ageLimit: 18, open: true }))).raffle.id).campaign?.id ?? '';
  const raffleId = (await createRaffle(s, testActor, gameNightRaffle({ title: 'Second', jurisdiction: 'other', ageLimit: 18, open: true }))).raffle.id;

  const bundle = await sellRaffleTicketsAtDoor(s, testActor, raffleId, { buyer: { name: 'A', email: 'a@example.org' }, quantity: 3 });
  const gift = await recordOfflineGift(s, testActor, 'rescue-fund', { amount: money(2_000, 'USD'), donor: { name: 'B', email: 'b@example.org' }, anonymous: false, method: 'cash' });
  const single = await sellRaffleTicketsAtDoor(s, testActor, raffleId, { buyer: { name: 'C' }, quantity: 1 });
  const allocated = (id: string) => Number(db.sqlite.prepare('select allocated from match_pledges where id = ?').pluck().get(id));
  // 10,000 KRW = 7.50 USD and 5,000 KRW = 3.75 USD, matched 1:1 by the raffle pledge only.
  t.equal(allocated(rafflesToo.id), 750 + 375, 'the pledge naming raffles matches both raffle sales');
  t.equal(allocated(everyGift.id), 2_000, 'a pledge for every kind of gift matches the gift and no raffle ticket');
  t.equal(readTotals(db, campaignId).matched, 2_000 + 1_125);
  t.equal(readTotals(db, campaignId).raffles, 1_125, 'raffle proceeds stay apart from gifts');

  await refundRaffleEntry(s, testActor, bundle.entry.id, 'sold twice by mistake');
  t.equal(allocated(rafflesToo.id), 375, 'a refund takes its match back');
  t.equal(readTotals(db, campaignId).matched, 2_000 + 375);
  t.same(db.sqlite.prepare('select pledge_id from match_allocations where gift_id = ?').pluck().all(gift.id), [everyGift.id], 'the gift is matched by the pledge for gifts only');
  t.same(db.sqlite.prepare('select pledge_id from raffle_match_allocations where entry_id = ?').pluck().all(single.entry.id), [rafflesToo.id], 'the raffle sale by the pledge naming raffles only');
  t.same((await verifyAll(s)).differences, [], 'ledger, caches and a replay from scratch agree');
});
