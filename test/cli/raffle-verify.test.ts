// The raffle verifier: records built with the domain's own draw from a fixed
// seed pass, and every kind of tampering (a winner, the seed, the shape) fails
// with a line saying what differs; records are read from files and URLs.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { loadConfig } from '../../src/config.ts';
import { raffleVerify, readRaffleRecord, verifyRaffleRecord } from '../../src/cli/raffle-verify.ts';
import { commitmentOf, currentWinners, runDraw, toRanges } from '../../src/domain/raffle-draw.ts';

const seed = Uint8Array.from({ length: 32 }, (_, i) => i);
const seedHex = Buffer.from(seed).toString('hex');
const prizes = [{ name: 'Bicycle' }, { name: 'Dinner for two' }, { name: 'Book' }];

interface Options {
  pool?: number[];
  redraws?: number[];
  onePrizePerPerson?: boolean;
  sameHolder?: number[][] | null;
}

/** The public JSON of a drawn raffle, as publicRaffle builds it. */
function drawnRecord({ pool = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], redraws = [], onePrizePerPerson = false, sameHolder = null }: Options = {}) {
  const holderOf = new Map<number, string>();
  (sameHolder ?? []).forEach((group, g) => group.forEach((ticket) => holderOf.set(ticket, `h${g}`)));
  const draws = runDraw({ raffleId: 'raf_example', seed, pool, prizes: prizes.length, onePrizePerPerson, holderOf }, redraws);
  const current = currentWinners(draws);
  return {
    id: 'raf_example',
    title: 'Spring raffle',
    status: 'drawn',
    commitment: commitmentOf(seed),
    pool: toRanges(pool),
    prizes: prizes.map((p) => ({ ...p, description: '', donor: null, value: null })),
    onePrizePerPerson,
    sameHolder,
    seed: seedHex,
    draws: draws.map((d, k) => ({ ...d, status: k < prizes.length && redraws.includes(d.prize) ? 'forfeited' : 'won' })),
    redraws,
    winners: prizes.map((p, i) => ({ prize: i, prizeName: p.name, ticketNumber: current.get(i)?.ticketNumber ?? null, name: 'Anonymous', status: 'won' })),
    verification: '/docs/raffle-draw',
  };
}

const text = (lines: string[]) => lines.join('\n');

t.test('a correct record passes, with the published vectors as its winners', async (t) => {
  const { ok, lines } = verifyRaffleRecord(drawnRecord({ redraws: [1] }));
  t.ok(ok, text(lines));
  t.notMatch(text(lines), '✗');
  t.match(text(lines), '✓ SHA-256 of the seed equals the commitment');
  t.match(text(lines), '✓ the pool is ascending, each ticket once: 10 ticket(s)');
  t.match(text(lines), '✓ all 4 draw(s) match the recomputation');
  t.match(text(lines), 'prize 0 "Bicycle": ticket 2');
  t.match(text(lines), 'prize 1 "Dinner for two": ticket 10 (redrawn; earlier: ticket 9)');
  t.match(text(lines), 'prize 2 "Book": ticket 3');
  t.match(lines[lines.length - 1], /^OK/);
});

t.test('a tampered winner fails and says which draw differs', async (t) => {
  const record = drawnRecord();
  record.draws[1] = { ...record.draws[1]!, ticketNumber: 7 };
  const { ok, lines } = verifyRaffleRecord(record);
  t.notOk(ok);
  t.match(text(lines), '✗ draw 1 (prize 1): published ticket 7 at attempt 0, recomputed ticket 9 at attempt 0');
  t.match(lines[lines.length - 1], /^FAILED/);

  const listed = drawnRecord();
  listed.winners[2] = { ...listed.winners[2]!, ticketNumber: 5 };
  const winners = verifyRaffleRecord(listed);
  t.notOk(winners.ok, 'the winners list people read is checked too');
  t.match(text(winners.lines), '✗ the winners list gives prize 2 to ticket 5, the draw to ticket 3');

  const extra = drawnRecord();
  extra.draws.push({ prize: 0, ticketNumber: 4, attempt: 1, status: 'won' });
  const more = verifyRaffleRecord(extra);
  t.notOk(more.ok, 'a draw the redraws do not explain');
  t.match(text(more.lines), '✗ 4 draw(s) are published, but the seed gives 3');
});

t.test('a seed that does not match the commitment fails', async (t) => {
  const record = { ...drawnRecord(), seed: 'ff'.repeat(32) };
  const { ok, lines } = verifyRaffleRecord(record);
  t.notOk(ok);
  t.match(text(lines), /✗ SHA-256 of the seed is [0-9a-f]{64}, not the commitment/);

  const upper = verifyRaffleRecord({ ...drawnRecord(), seed: seedHex.toUpperCase() });
  t.notOk(upper.ok);
  t.match(text(upper.lines), '✗ the seed is 64 lowercase hex characters');
});

t.test('before the draw only the commitment and the pool are shown, and that passes', async (t) => {
  const record = { ...drawnRecord({ pool: [1, 2, 3, 5, 6] }), status: 'closed', seed: null, draws: null, redraws: null, winners: null };
  const { ok, lines } = verifyRaffleRecord(record);
  t.ok(ok, text(lines));
  t.match(text(lines), `✓ the commitment is 64 lowercase hex characters: ${commitmentOf(seed)}`);
  t.match(text(lines), 'Pool: 1–3, 5–6');
  t.match(text(lines), 'Not drawn yet: only the commitment and the pool can be shown');

  const open = verifyRaffleRecord({ ...record, status: 'open', commitment: null, pool: null });
  t.notOk(open.ok, 'a raffle still on sale has nothing to verify');
  t.match(text(open.lines), '✗ no commitment is published');

  const noPool = verifyRaffleRecord({ ...record, pool: null });
  t.notOk(noPool.ok);
  t.match(text(noPool.lines), '✗ no pool is published alongside the commitment');

  const bad = verifyRaffleRecord({ ...record, commitment: 'abc' });
  t.notOk(bad.ok);
  t.match(text(bad.lines), '✗ the commitment is 64 lowercase hex characters: abc');

  const noSeed = verifyRaffleRecord({ ...record, status: 'drawn' });
  t.notOk(noSeed.ok);
  t.match(text(noSeed.lines), '✗ the raffle says it is drawn, but no seed is published');
});

t.test('a pool that is not ascending, each ticket once, fails before anything is recomputed', async (t) => {
  for (const pool of [
    [
      [1, 5],
      [5, 8],
    ],
    [
      [6, 8],
      [1, 3],
    ],
    [[4, 2]],
    [[0, 3]],
  ]) {
    const { ok, lines } = verifyRaffleRecord({ ...drawnRecord(), pool });
    t.notOk(ok, JSON.stringify(pool));
    t.match(text(lines), '✗ the pool is not ascending with each ticket once');
    t.match(text(lines), '✗ the draw cannot be recomputed without a valid pool');
  }
  const huge = verifyRaffleRecord({ ...drawnRecord(), pool: [[1, 1e12]] });
  t.notOk(huge.ok);
  t.match(text(huge.lines), '✗ the pool claims 1000000000000 tickets');
});

t.test('malformed records fail clearly', async (t) => {
  for (const json of [null, 'raffle', [], { id: 'raf_example' }, { ...drawnRecord(), pool: 'all' }, { ...drawnRecord(), draws: [{ prize: 0, ticketNumber: '2', attempt: 0 }] }]) {
    const { ok, lines } = verifyRaffleRecord(json);
    t.notOk(ok, JSON.stringify(json));
    t.match(lines[0], '✗ This is not a raffle record');
    t.ok(lines.length > 1, 'the problems are listed');
  }
  const missing = verifyRaffleRecord({ ...drawnRecord(), draws: null });
  t.notOk(missing.ok);
  t.match(text(missing.lines), '✗ the seed is published but the draws or redraws are missing');

  const unknownPrize = verifyRaffleRecord({ ...drawnRecord(), redraws: [7] });
  t.notOk(unknownPrize.ok);
  t.match(text(unknownPrize.lines), '✗ the draw cannot be recomputed: there is no prize 7');
});

t.test('one prize per person with sameHolder groups passes, and ignoring the groups would not', async (t) => {
  const sameHolder = [
    [1, 2, 3],
    [4, 5],
  ];
  const record = drawnRecord({ pool: [1, 2, 3, 4, 5, 6], onePrizePerPerson: true, sameHolder });
  t.same(
    record.draws.map((d) => [d.ticketNumber, d.attempt]),
    [
      [2, 0],
      [5, 0],
      [6, 10],
    ],
    'the vector published in docs/raffle-draw.md',
  );
  const { ok, lines } = verifyRaffleRecord(record);
  t.ok(ok, text(lines));
  t.match(text(lines), 'prize 2 "Book": ticket 6');

  const hidden = verifyRaffleRecord({ ...record, sameHolder: null });
  t.notOk(hidden.ok, 'without the groups the draw comes out differently');
  t.match(text(hidden.lines), '✗ draw 2 (prize 2)');

  const twice = verifyRaffleRecord({ ...record, sameHolder: [[1, 2, 3], [3, 4, 5]] });
  t.notOk(twice.ok);
  t.match(text(twice.lines), '✗ ticket 3 is in more than one sameHolder group');
});

t.test('the command reads a file, and reports unreadable or non-JSON files', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'lantern-raffle-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const good = join(dir, 'raffle.json');
  writeFileSync(good, JSON.stringify(drawnRecord()));
  t.same(await readRaffleRecord(good), drawnRecord());

  const config = loadConfig({});
  const logs = t.capture(console, 'log');
  const errors = t.capture(console, 'error');
  t.equal(await raffleVerify(config, [good]), 0);
  t.match(logs().map((c) => c.args.join(' ')).join('\n'), '✓ all 3 draw(s) match the recomputation');

  const tampered = join(dir, 'tampered.json');
  writeFileSync(tampered, JSON.stringify({ ...drawnRecord(), seed: 'ab'.repeat(32) }));
  t.equal(await raffleVerify(config, [tampered]), 1);

  const broken = join(dir, 'broken.json');
  writeFileSync(broken, '{"id": "raf_example",');
  await t.rejects(readRaffleRecord(broken), { message: `${broken} is not valid JSON` });
  t.equal(await raffleVerify(config, [broken]), 1);
  await t.rejects(readRaffleRecord(join(dir, 'missing.json')), { message: `Could not read ${join(dir, 'missing.json')}: ENOENT` });

  t.equal(await raffleVerify(config, []), 2, 'no argument is a usage error');
  t.equal(await raffleVerify(config, [good, good]), 2, 'one record at a time');
  t.match(errors().map((c) => c.args.join(' ')).join('\n'), 'Usage: npm run -s cli -- raffle verify');
});

t.test('the command fetches a URL, and reports a refused or failed request', async (t) => {
  const record = drawnRecord({ redraws: [1] });
  const server = createServer((req, res) => {
    if (req.url === '/api/v1/raffles/raf_example') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(record));
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  t.same(await readRaffleRecord(`${base}/api/v1/raffles/raf_example`), record);
  const logs = t.capture(console, 'log');
  t.equal(await raffleVerify(loadConfig({}), [`${base}/api/v1/raffles/raf_example`]), 0);
  t.match(logs().map((c) => c.args.join(' ')).join('\n'), 'prize 1 "Dinner for two": ticket 10');
  await t.rejects(readRaffleRecord(`${base}/api/v1/raffles/raf_missing`), { message: `Could not fetch ${base}/api/v1/raffles/raf_missing: the server answered 404 Not Found` });

  await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));

  // A port nothing listens on any more, never connected to: fetch has no pooled socket to reuse.
  const gone = createServer();
  await new Promise<void>((resolve) => gone.listen(0, '127.0.0.1', resolve));
  const goneUrl = `http://127.0.0.1:${(gone.address() as AddressInfo).port}/api/v1/raffles/raf_example`;
  await new Promise<void>((resolve, reject) => gone.close((err) => (err ? reject(err) : resolve())));
  await t.rejects(readRaffleRecord(goneUrl), { message: `Could not fetch ${goneUrl}: connect ECONNREFUSED` });
  const errors = t.capture(console, 'error');
  t.equal(await raffleVerify(loadConfig({}), [goneUrl]), 1);
  t.match(errors()[0]?.args[0], `Could not fetch ${goneUrl}`);
});
