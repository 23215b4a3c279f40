// `raffle verify <URL or file>`: the stand-alone check of a raffle draw that
// docs/raffle-draw.md promises. It trusts nothing in the record but the
// algorithm: it hashes the revealed seed against the commitment, recomputes
// every draw from the seed and the pool, and says exactly what differs.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { Config } from '../config.ts';
import { currentWinners, fromRanges, runDraw, type Draw } from '../domain/raffle-draw.ts';

const usage = 'Usage: npm run -s cli -- raffle verify <raffle JSON URL or file>';

// Only the fields the check needs; the API's other fields pass through unread.
// Title, status and winners are for display and cross-checking, so a record
// from another implementation may leave them out.
const record = z.object({
  id: z.string().min(1),
  title: z.string().optional(),
  status: z.string().optional(),
  commitment: z.string().nullable(),
  pool: z.array(z.tuple([z.int(), z.int()])).nullable(),
  prizes: z.array(z.object({ name: z.string() })),
  onePrizePerPerson: z.boolean(),
  sameHolder: z.array(z.array(z.int())).nullable(),
  seed: z.string().nullable(),
  draws: z.array(z.object({ prize: z.int(), ticketNumber: z.int().nullable(), attempt: z.int() })).nullable(),
  redraws: z.array(z.int()).nullable(),
  winners: z.array(z.object({ prize: z.int(), ticketNumber: z.int().nullable() })).nullish(),
});
type RaffleRecord = z.infer<typeof record>;

const hex64 = /^[0-9a-f]{64}$/;
// Tickets are sold one by one, so no real pool comes near this; a record that
// claims more would only make the verifier exhaust its memory expanding it.
const maxPool = 10_000_000;

export interface Verification {
  ok: boolean;
  lines: string[];
}

/** Checks a parsed raffle record (the public JSON); never throws. */
export function verifyRaffleRecord(json: unknown): Verification {
  const parsed = record.safeParse(json);
  if (!parsed.success) {
    return { ok: false, lines: ['✗ This is not a raffle record as GET /api/v1/raffles/<id> publishes it:', ...z.prettifyError(parsed.error).split('\n').map((l) => `  ${l}`)] };
  }
  const r = parsed.data;
  const out = new Report();
  out.info(`Raffle ${r.id}${r.title ? ` "${r.title}"` : ''}${r.status ? ` (${r.status})` : ''}`);

  if (r.commitment === null) {
    out.fail('no commitment is published: ticket sales have not closed, so there is nothing to verify yet');
    return out.done();
  }
  out.check(hex64.test(r.commitment), `the commitment is 64 lowercase hex characters: ${r.commitment}`);
  const pool = checkPool(r.pool, out);

  if (r.seed === null) {
    if (r.status === 'drawn') out.fail('the raffle says it is drawn, but no seed is published');
    else out.info('Not drawn yet: only the commitment and the pool can be shown; run this again after the draw.');
    return out.done();
  }
  if (!out.check(hex64.test(r.seed), `the seed is 64 lowercase hex characters: ${r.seed}`)) return out.done();
  const seed = Buffer.from(r.seed, 'hex');
  const hash = createHash('sha256').update(seed).digest('hex');
  out.check(hash === r.commitment, hash === r.commitment ? 'SHA-256 of the seed equals the commitment' : `SHA-256 of the seed is ${hash}, not the commitment`);

  if (pool === null) {
    out.fail('the draw cannot be recomputed without a valid pool');
    return out.done();
  }
  if (r.draws === null || r.redraws === null) {
    out.fail('the seed is published but the draws or redraws are missing');
    return out.done();
  }
  const holderOf = holders(r.sameHolder, out);
  let recomputed: Draw[];
  try {
    recomputed = runDraw({ raffleId: r.id, seed, pool, prizes: r.prizes.length, onePrizePerPerson: r.onePrizePerPerson, holderOf }, r.redraws);
  } catch (err) {
    out.fail(`the draw cannot be recomputed: ${(err as Error).message}`);
    return out.done();
  }
  compareDraws(r, recomputed, out);
  compareWinners(r, recomputed, out);
  winnerLines(r, recomputed, out);
  return out.done();
}

/** Collects the printed lines and whether every check passed. */
class Report {
  private readonly lines: string[] = [];
  private ok = true;

  check(passed: boolean, text: string): boolean {
    this.lines.push(`${passed ? '✓' : '✗'} ${text}`);
    if (!passed) this.ok = false;
    return passed;
  }

  fail(text: string): void {
    this.check(false, text);
  }

  info(text: string): void {
    this.lines.push(text);
  }

  done(): Verification {
    this.lines.push(this.ok ? 'OK: everything published matches.' : 'FAILED: the record does not match (see ✗ above).');
    return { ok: this.ok, lines: this.lines };
  }
}

/** The expanded pool when its ranges are ascending without overlaps, else null. */
function checkPool(ranges: RaffleRecord['pool'], out: Report): number[] | null {
  if (ranges === null) {
    out.fail('no pool is published alongside the commitment');
    return null;
  }
  // Checked on the ranges, before expanding them, so a bad record cannot make us allocate a huge array.
  let size = 0;
  for (let k = 0; k < ranges.length; k++) {
    const [from, to] = ranges[k] as [number, number];
    const previous = ranges[k - 1];
    if (from < 1 || to < from || (previous && from <= previous[1])) {
      out.fail(`the pool is not ascending with each ticket once: range ${k} is [${from}, ${to}]${previous ? ` after [${previous[0]}, ${previous[1]}]` : ''}`);
      return null;
    }
    size += to - from + 1;
  }
  if (!out.check(size <= maxPool, size <= maxPool ? `the pool is ascending, each ticket once: ${size} ticket(s)` : `the pool claims ${size} tickets, more than any raffle sells`)) return null;
  out.info(`Pool: ${ranges.map(([from, to]) => (from === to ? `${from}` : `${from}–${to}`)).join(', ') || '(empty)'}`);
  return fromRanges(ranges);
}

/** One holder key per sameHolder group; runDraw makes every other ticket its own holder. */
function holders(groups: RaffleRecord['sameHolder'], out: Report): Map<number, string> {
  const holderOf = new Map<number, string>();
  (groups ?? []).forEach((group, g) => {
    for (const ticket of group) {
      if (holderOf.has(ticket) && holderOf.get(ticket) !== `group ${g}`) out.fail(`ticket ${ticket} is in more than one sameHolder group`);
      holderOf.set(ticket, `group ${g}`);
    }
  });
  return holderOf;
}

function drawText(d: { ticketNumber: number | null; attempt: number }): string {
  return d.ticketNumber === null ? `not awarded (attempt ${d.attempt})` : `ticket ${d.ticketNumber} at attempt ${d.attempt}`;
}

function compareDraws(r: RaffleRecord, recomputed: readonly Draw[], out: Report): void {
  const published = r.draws ?? [];
  let same = published.length === recomputed.length;
  if (!same) out.fail(`${published.length} draw(s) are published, but the seed gives ${recomputed.length} (${r.prizes.length} prize(s) and ${r.redraws?.length ?? 0} redraw(s))`);
  for (let k = 0; k < Math.min(published.length, recomputed.length); k++) {
    const p = published[k] as (typeof published)[number];
    const c = recomputed[k] as Draw;
    if (p.prize === c.prize && p.ticketNumber === c.ticketNumber && p.attempt === c.attempt) continue;
    same = false;
    const prize = p.prize === c.prize ? `prize ${c.prize}` : `published for prize ${p.prize}, recomputed for prize ${c.prize}`;
    out.fail(`draw ${k} (${prize}): published ${drawText(p)}, recomputed ${drawText(c)}`);
  }
  if (same) out.check(true, `all ${recomputed.length} draw(s) match the recomputation`);
}

/** The winners list is what people read, so it must agree with the draws too. */
function compareWinners(r: RaffleRecord, recomputed: readonly Draw[], out: Report): void {
  if (!r.winners) return;
  const current = currentWinners(recomputed);
  let same = true;
  for (const w of r.winners) {
    const expected = current.get(w.prize)?.ticketNumber ?? null;
    if (w.ticketNumber === expected) continue;
    same = false;
    out.fail(`the winners list gives prize ${w.prize} to ${w.ticketNumber === null ? 'nobody' : `ticket ${w.ticketNumber}`}, the draw to ${expected === null ? 'nobody' : `ticket ${expected}`}`);
  }
  if (same) out.check(true, 'the published winners list agrees with the draws');
}

function winnerLines(r: RaffleRecord, recomputed: readonly Draw[], out: Report): void {
  out.info('Winners (recomputed):');
  r.prizes.forEach((prize, i) => {
    const tickets = recomputed.filter((d) => d.prize === i).map((d) => d.ticketNumber);
    const last = tickets[tickets.length - 1] ?? null;
    const earlier = tickets.slice(0, -1).filter((t) => t !== null);
    const redrawn = earlier.length > 0 ? ` (redrawn; earlier: ticket ${earlier.join(', ')})` : '';
    out.info(`  prize ${i} "${prize.name}": ${last === null ? 'not awarded' : `ticket ${last}`}${redrawn}`);
  });
}

/** The record's JSON from an http(s) URL or a file; throws an Error with a message fit to print. */
export async function readRaffleRecord(source: string): Promise<unknown> {
  let text: string;
  if (/^https?:\/\//.test(source)) {
    let res: Response;
    try {
      // A stalled server must not hang the verifier forever.
      res = await fetch(source, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(30_000) });
    } catch (err) {
      const cause = (err as Error & { cause?: Error }).cause;
      throw new Error(`Could not fetch ${source}: ${cause?.message ?? (err as Error).message}`);
    }
    if (res.status !== 200) throw new Error(`Could not fetch ${source}: the server answered ${res.status} ${res.statusText}`);
    text = await res.text();
  } else {
    try {
      text = await readFile(source, 'utf8');
    } catch (err) {
      throw new Error(`Could not read ${source}: ${(err as Error).message}`);
    }
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new Error(`${source} is not valid JSON: ${(err as Error).message}`);
  }
}

export async function raffleVerify(_config: Config, args: string[]): Promise<number> {
  const [source, ...extra] = args;
  if (!source || extra.length > 0) {
    console.error(usage);
    return 2;
  }
  let json: unknown;
  try {
    json = await readRaffleRecord(source);
  } catch (err) {
    console.error((err as Error).message);
    return 1;
  }
  const { ok, lines } = verifyRaffleRecord(json);
  for (const line of lines) console.log(line);
  return ok ? 0 : 1;
}
