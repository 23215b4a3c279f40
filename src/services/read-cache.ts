// Caches what public reads produce (a campaign's JSON, its page) until the
// database changes or the clock passes a moment that changes the answer (a
// pledge window opening, say). Reads then cost a map lookup instead of a
// handful of queries and a template render.
export class ReadCache<V> {
  private readonly entries = new Map<string, { version: string; validUntil: number; value: V }>();

  constructor(private readonly maxEntries = 500) {}

  get(key: string, version: string, now: number): V | undefined {
    const e = this.entries.get(key);
    return e && e.version === version && now < e.validUntil ? e.value : undefined;
  }

  /** Until when the entry for key is valid, if there is one under this version. */
  validUntil(key: string, version: string): number | undefined {
    const e = this.entries.get(key);
    return e && e.version === version ? e.validUntil : undefined;
  }

  set(key: string, version: string, validUntil: number, value: V): void {
    if (this.entries.size >= this.maxEntries && !this.entries.has(key)) this.entries.clear();
    this.entries.set(key, { version, validUntil, value });
  }
}

/**
 * Cached answers are recomputed at least this often, so anything that depends
 * on the clock in a way no boundary names (an exchange rate taking effect)
 * shows within a minute.
 */
export const maxCacheAgeMs = 60_000;
