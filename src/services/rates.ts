// Exchange rates: entered by an admin with an effective date, never fetched.
import { DomainError, ValidationError } from '../domain/errors.ts';
import { assertCurrency, convert, formatRate, parseRate, type Money } from '../domain/money.ts';
import { newId } from '../db/ids.ts';
import { basesWithRateInto, insertRate, listRates, rateInEffect, ratePairs, type RateListRow, type RateRow } from '../db/rates.ts';
import { audit } from './audit.ts';
import type { Actor, Services } from './context.ts';

export interface RateInput {
  base: string;
  quote: string;
  rate: string;
  effectiveAt?: number;
}

export async function addRate(s: Services, actor: Actor, input: RateInput): Promise<RateRow> {
  const base = assertCurrency(input.base, 'base');
  const quote = assertCurrency(input.quote, 'quote');
  if (base === quote) throw ValidationError.field('quote', 'The two currencies must differ');
  const rate = formatRate(parseRate(input.rate, 'rate'));
  const now = s.now();
  const row: RateRow = {
    id: newId('rate'),
    base,
    quote,
    rate,
    effectiveAt: input.effectiveAt ?? now,
    createdBy: actor.userId,
    createdAt: now,
  };
  await s.db.write(() => {
    insertRate(s.db, row);
    audit(s, actor, 'exchange_rate.create', { type: 'exchange_rate', id: row.id }, null, row);
  });
  return row;
}

export interface RateBoard {
  /** Per pair, the rate in effect now (null when every rate of the pair starts later). */
  current: { base: string; quote: string; rate: RateRow | null }[];
  /** Newest effective first; rates that start later are included. */
  history: (RateListRow & { scheduled: boolean })[];
}

/** What the console shows: the rates in effect and the history of entries. */
export function rateBoard(s: Services, historyLimit: number): RateBoard {
  const now = s.now();
  return {
    current: ratePairs(s.db).map((p) => ({ ...p, rate: rateInEffect(s.db, p.base, p.quote, now) ?? null })),
    history: listRates(s.db, historyLimit).map((r) => ({ ...r, scheduled: r.effectiveAt > now })),
  };
}

export interface Conversion {
  value: Money;
  /** The rate used, as stored; null when no conversion was needed. */
  rate: string | null;
}

/** Converts into the campaign currency at the rate in effect at `at`. */
export function convertAt(s: Services, amount: Money, into: string, at: number): Conversion {
  if (amount.currency === into) return { value: amount, rate: null };
  const row = rateInEffect(s.db, amount.currency, into, at);
  if (!row) {
    throw new DomainError('missing_rate', `Gifts in ${amount.currency} cannot be accepted yet: no exchange rate to ${into}.`, [
      { field: 'amount.currency', message: `No exchange rate from ${amount.currency} to ${into}` },
    ]);
  }
  return { value: convert(amount, parseRate(row.rate), into), rate: row.rate };
}

/** The currencies a donor may choose for a campaign: its own and those with a rate into it. */
export function acceptedCurrencies(s: Services, campaignCurrency: string): string[] {
  return [campaignCurrency, ...basesWithRateInto(s.db, campaignCurrency, s.now()).filter((c) => c !== campaignCurrency)];
}

