// Exchange rates entered by an admin; looked up by pair and effective time.
import { and, desc, eq, lte, sql } from 'drizzle-orm';
import type { Database } from './connection.ts';
import { prepared } from './prepared.ts';
import { exchangeRates, users } from './schema.ts';

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

/** Every pair that has a rate, in a stable order. */
export function ratePairs(db: Database): { base: string; quote: string }[] {
  return db.orm
    .selectDistinct({ base: exchangeRates.base, quote: exchangeRates.quote })
    .from(exchangeRates)
    .orderBy(exchangeRates.base, exchangeRates.quote)
    .all();
}

export type RateListRow = RateRow & { createdByEmail: string | null };

/** The newest `limit` rates by effective time, with who entered each. */
export function listRates(db: Database, limit: number): RateListRow[] {
  return db.orm
    .select({ rate: exchangeRates, email: users.email })
    .from(exchangeRates)
    .leftJoin(users, eq(users.id, exchangeRates.createdBy))
    .orderBy(desc(exchangeRates.effectiveAt), desc(exchangeRates.createdAt))
    .limit(limit)
    .all()
    .map((r) => ({ ...r.rate, createdByEmail: r.email }));
}
