// Exchange rates entered by an admin; looked up by pair and effective time.
import { and, desc, eq, lte } from 'drizzle-orm';
import type { Database } from './connection.ts';
import { exchangeRates } from './schema.ts';

export type RateRow = typeof exchangeRates.$inferSelect;

export function insertRate(db: Database, row: typeof exchangeRates.$inferInsert): void {
  db.orm.insert(exchangeRates).values(row).run();
}

/** The rate in effect at `at`: the newest one whose effective time is not after it. */
export function rateInEffect(db: Database, base: string, quote: string, at: number): RateRow | undefined {
  return db.orm
    .select()
    .from(exchangeRates)
    .where(and(eq(exchangeRates.base, base), eq(exchangeRates.quote, quote), lte(exchangeRates.effectiveAt, at)))
    .orderBy(desc(exchangeRates.effectiveAt), desc(exchangeRates.createdAt))
    .limit(1)
    .get();
}

/** Currencies that can be converted into `quote` at `at`. */
export function basesWithRateInto(db: Database, quote: string, at: number): string[] {
  return db.orm
    .selectDistinct({ base: exchangeRates.base })
    .from(exchangeRates)
    .where(and(eq(exchangeRates.quote, quote), lte(exchangeRates.effectiveAt, at)))
    .orderBy(exchangeRates.base)
    .all()
    .map((r) => r.base);
}

export function listRates(db: Database): RateRow[] {
  return db.orm.select().from(exchangeRates).orderBy(desc(exchangeRates.effectiveAt)).all();
}
