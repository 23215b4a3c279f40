// The raffle draw that anyone can verify (docs/raffle-draw.md says it word for
// word): closing sales freezes the pool and commits to a secret seed by
// publishing its SHA-256; the draw reveals the seed, and the winners follow
// from it by HMAC-SHA256 with rejection sampling, so nobody (not even the
// organisers) can choose them, and everyone can recompute them.
import { createHash, createHmac } from 'node:crypto';

export const seedBytes = 32;

export interface DrawRules {
  /** The raffle's id as it appears in the API: part of every HMAC message. */
  readonly raffleId: string;
  /** The secret seed, 32 bytes. */
  readonly seed: Uint8Array;
  /** The ticket numbers in the pool, ascending, each once. */
  readonly pool: readonly number[];
  /** How many prizes, drawn in prize order. */
  readonly prizes: number;
  /** When true, a person who has won cannot win again (with any of their tickets). */
  readonly onePrizePerPerson: boolean;
  /** Who holds a ticket, for one prize per person; a ticket missing here is its own holder. */
  readonly holderOf?: ReadonlyMap<number, string>;
}

/** One prize given to one ticket by one attempt. */
export interface Draw {
  readonly prize: number;
  /** Null when no ticket in the pool could win it any more. */
  readonly ticketNumber: number | null;
  /** The attempt j that chose the ticket (or the last one tried). */
  readonly attempt: number;
}

const two64 = 1n << 64n;

/** Lowercase hex SHA-256 of the seed bytes: published when sales close, before the draw. */
export function commitmentOf(seed: Uint8Array): string {
  return createHash('sha256').update(seed).digest('hex');
}

/** x for prize i, attempt j: the first 8 bytes of HMAC-SHA256(seed, "<raffleId>:<i>:<j>"), big-endian. */
export function attemptValue(seed: Uint8Array, raffleId: string, prize: number, attempt: number): bigint {
  const h = createHmac('sha256', seed).update(`${raffleId}:${prize}:${attempt}`, 'ascii').digest();
  return h.readBigUInt64BE(0);
}

/** Values at or above this are rejected, so every ticket is equally likely (x mod n is unbiased below it). */
export function rejectionLimit(n: number): bigint {
  const size = BigInt(n);
  return two64 - (two64 % size);
}

/** The pool index x chooses among n tickets, or null when x is rejected. */
export function pickIndex(x: bigint, n: number): number | null {
  return x >= rejectionLimit(n) ? null : Number(x % BigInt(n));
}

/**
 * Runs the draw: every prize in order, then each redraw (a prize whose winner
 * did not claim it) in the order they happened, continuing that prize's
 * attempts after the last one used. A ticket that has won, forfeited or not,
 * never wins again; with one prize per person neither does any ticket of its
 * holder. Returns every draw in that order.
 */
export function runDraw(rules: DrawRules, redraws: readonly number[] = []): Draw[] {
  const n = rules.pool.length;
  if (rules.seed.length !== seedBytes) throw new Error(`the seed must be ${seedBytes} bytes`);
  for (let k = 1; k < n; k++) {
    if ((rules.pool[k] ?? 0) <= (rules.pool[k - 1] ?? 0)) throw new Error('the pool must be ascending, each ticket once');
  }
  const holder = (ticket: number) => rules.holderOf?.get(ticket) ?? `#${ticket}`;
  const wonTickets = new Set<number>();
  const wonHolders = new Set<string>();
  const lastAttempt = new Map<number, number>();
  const canWin = (ticket: number) => !wonTickets.has(ticket) && !(rules.onePrizePerPerson && wonHolders.has(holder(ticket)));

  const drawPrize = (prize: number, from: number): Draw => {
    // Without an eligible ticket the attempts would never end: the prize stays unawarded.
    if (!rules.pool.some(canWin)) {
      lastAttempt.set(prize, from - 1);
      return { prize, ticketNumber: null, attempt: from - 1 };
    }
    for (let j = from; ; j++) {
      const index = pickIndex(attemptValue(rules.seed, rules.raffleId, prize, j), n);
      if (index === null) continue;
      const ticket = rules.pool[index] as number;
      if (!canWin(ticket)) continue;
      wonTickets.add(ticket);
      wonHolders.add(holder(ticket));
      lastAttempt.set(prize, j);
      return { prize, ticketNumber: ticket, attempt: j };
    }
  };

  const draws: Draw[] = [];
  for (let i = 0; i < rules.prizes; i++) draws.push(drawPrize(i, 0));
  for (const prize of redraws) {
    if (!Number.isInteger(prize) || prize < 0 || prize >= rules.prizes) throw new Error(`there is no prize ${prize}`);
    draws.push(drawPrize(prize, (lastAttempt.get(prize) ?? -1) + 1));
  }
  return draws;
}

/** Ascending ticket numbers as [from, to] ranges: 1 2 3 5 → [[1, 3], [5, 5]]. */
export function toRanges(sorted: readonly number[]): [number, number][] {
  const ranges: [number, number][] = [];
  for (const n of sorted) {
    const last = ranges[ranges.length - 1];
    if (last && n === last[1] + 1) last[1] = n;
    else ranges.push([n, n]);
  }
  return ranges;
}

export function fromRanges(ranges: readonly (readonly [number, number])[]): number[] {
  const out: number[] = [];
  for (const [from, to] of ranges) for (let n = from; n <= to; n++) out.push(n);
  return out;
}

/** The current winner of each prize: its latest draw. */
export function currentWinners(draws: readonly Draw[]): Map<number, Draw> {
  const current = new Map<number, Draw>();
  for (const d of draws) current.set(d.prize, d);
  return current;
}
