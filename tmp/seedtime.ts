import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config.ts';
import { openDatabase } from '../src/db/connection.ts';
import { addGifts, assertConsistent, seedCampaign } from '../bench/seed.ts';
const dir = mkdtempSync(join(tmpdir(), 'lb-'));
const config = loadConfig({ DATABASE_PATH: join(dir, 'b.db'), LOG_LEVEL: 'silent' });
const db = openDatabase(config.databasePath);
const s = { db, config, now: Date.now };
await seedCampaign(s);

console.log('batch500', await addGifts(s, 2000, 12000, 500));
console.log('batch500', await addGifts(s, 12000, 14000, 500));
let t = performance.now(); await assertConsistent(s); console.log('verify ms', performance.now() - t);
db.close(); rmSync(dir, { recursive: true });
