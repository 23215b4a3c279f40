// Installation settings shared by every app instance on one database.
import { eq } from 'drizzle-orm';
import type { Database } from './connection.ts';
import { settings } from './schema.ts';

export function readSetting(db: Database, key: string): string | undefined {
  return db.orm.select().from(settings).where(eq(settings.key, key)).get()?.value;
}

/** Stores the value unless the key is already set; returns what is stored (first writer wins). */
export function initSetting(db: Database, key: string, value: string): string {
  db.orm.insert(settings).values({ key, value }).onConflictDoNothing().run();
  return readSetting(db, key) ?? value;
}
