// Exchange rates entered by an admin; looked up by pair and effective time.
import { and, desc, eq, lte, sql } from 'drizzle-orm';
import type { Database } from './connection.ts';
import { prepared } from './prepared.ts';
import { exchangeRates } from './schema.ts';

export type RateRow = typeof exchangeRates.$inferSelect;

export function insertRate(db: Database, row: typeof exchangeRates.$inferInsert): void {
  db.orm.insert(exchangeRates).values(row).run();
}

/** The rate in effect at `at`: the newest one whose effective time is not after it. */
const inEffect = prepared((db) =>
  db.orm
    .select()
    .from(exchangeRates)
    .where(
      and(
        eq(exchangeRates.base, sql.placeholder('base')),
        eq(exchangeRates.quote, sql.placeholder('quote')),
        lte(exchangeRates.effectiveAt, sql.placeholder('at')),
      ),
    )
    .orderBy(desc(exchangeRates.effectiveAt), desc(exchangeRates.createdAt))
    .limit(1)
    .prepare(),
);

export function rateInEffect(db: Database, base: string, quote: string, at: number): RateRow | undefined {
  return inEffect(db).get({ base, quote, at });
}

/** Currencies that can be converted into `quote` at `at`. */
const basesInto = prepared((db) =>
  db.orm
    .selectDistinct({ base: exchangeRates.base })
    .from(exchangeRates)
    .where(and(eq(exchangeRates.quote, sql.placeholder('quote')), lte(exchangeRates.effectiveAt, sql.placeholder('at'))))
    .orderBy(exchangeRates.base)
    .prepare(),
);

export function basesWithRateInto(db: Database, quote: string, at: number): string[] {
  return basesInto(db)
    .all({ quote, at })
    .map((r) => r.base);
}
