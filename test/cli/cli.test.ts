// The CLI as an operator runs it: a real process on a real database file.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Sqlite from 'better-sqlite3';
import t from 'tap';
import { openDatabase } from '../../src/db/connection.ts';
import { allRaffles } from '../../src/db/raffles.ts';
import { createServices } from '../../src/services/context.ts';
import { getRaffle, publicRaffle, type PublicRaffle } from '../../src/services/raffles.ts';
import { childEnv, nodeCommand } from '../child-env.ts';
import { testConfig } from '../helper.ts';

const run = promisify(execFile);
// Each command is a fresh Node process compiling TypeScript: slow on a busy machine.
t.setTimeout(120_000);
const root = new URL('../..', import.meta.url).pathname;

/** What GET /api/v1/raffles/:id answers for each raffle in the database. */
async function demoRaffleRecords(path: string): Promise<PublicRaffle[]> {
  const db = openDatabase(path, { migrate: false });
  try {
    const s = createServices({ db, config: testConfig() });
    return allRaffles(db).map((r) => publicRaffle(s, getRaffle(s, r.id)));
  } finally {
    db.close();
  }
}

async function cli(env: Record<string, string>, ...args: string[]) {
  try {
    const node = nodeCommand(['src/cli.ts', ...args]);
    const { stdout, stderr } = await run(node.command, node.args, {
      cwd: root,
      env: childEnv({ LOG_LEVEL: 'silent', ...env }),
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

t.test('demo, verify, users, tokens and backup on a database file', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'lantern-cli-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const env = { DATABASE_PATH: join(dir, 'lantern.db') };

  const migrate = await cli(env, 'migrate');
  t.equal(migrate.code, 0);
  t.match(migrate.stdout, 'is up to date');

  const demo = await cli(env, 'demo');
  t.equal(demo.code, 0, demo.stderr);
  t.match(demo.stdout, 'Demo data loaded');
  const again = await cli(env, 'demo');
  t.match(again.stdout, 'already there', 'loading the demo twice changes nothing');

  const verify = await cli(env, 'verify');
  t.equal(verify.code, 0, verify.stderr);
  t.match(verify.stdout, 'OK: 1 campaign(s)');

  // The demo's screening raffle was drawn (with a redraw): its public record verifies.
  const records = await demoRaffleRecords(env.DATABASE_PATH);
  t.equal(records.length, 2, 'the screening raffle and the game night’s free draw');
  for (const [k, record] of records.entries()) {
    t.equal(record.status, 'drawn');
    const file = join(dir, `raffle-${k}.json`);
    writeFileSync(file, JSON.stringify(record));
    const checked = await cli(env, 'raffle', 'verify', file);
    t.equal(checked.code, 0, checked.stdout + checked.stderr);
  }
  const noStripe = await cli(env, 'stripe', 'reconcile', '--since', '2026-01-01');
  t.equal(noStripe.code, 2);
  t.match(noStripe.stderr, 'Stripe is not configured');
  const noDate = await cli({ ...env, STRIPE_SECRET_KEY: 'sk_test_x1', STRIPE_WEBHOOK_SECRET: 'whsec_x1' }, 'stripe', 'reconcile');
  t.equal(noDate.code, 2);
  t.match(noDate.stderr, '--since');

  const tampered = { ...records[0], seed: 'ab'.repeat(32) };
  writeFileSync(join(dir, 'tampered.json'), JSON.stringify(tampered));
  t.equal((await cli(env, 'raffle', 'verify', join(dir, 'tampered.json'))).code, 1, 'a seed that does not match the commitment fails');

  const user = await cli(env, 'user', 'create', '--email', 'Ops@Example.org', '--role', 'organizer', '--password', 'a long enough password');
  t.equal(user.code, 0, user.stderr);
  t.match(user.stdout, 'Created organizer ops@example.org');
  const duplicate = await cli(env, 'user', 'create', '--email', 'ops@example.org', '--role', 'admin', '--password', 'another password');
  t.equal(duplicate.code, 1);
  t.match(duplicate.stderr, 'already exists');
  const badRole = await cli(env, 'user', 'create', '--email', 'x@example.org', '--role', 'king', '--password', 'a long enough password');
  t.equal(badRole.code, 1);
  t.match(badRole.stderr, 'role');

  const token = await cli(env, 'token', 'create', '--email', 'ops@example.org', '--name', 'laptop');
  t.equal(token.code, 0, token.stderr);
  t.match(token.stdout, /^lt_[A-Za-z0-9_-]{43}\n$/, 'only the token is printed');
  const db = new Sqlite(env.DATABASE_PATH, { readonly: true });
  const stored = db.prepare('select token_hash from api_tokens').all() as { token_hash: string }[];
  db.close();
  t.notOk(stored.some((r) => r.token_hash === token.stdout.trim()), 'the token itself is not stored');

  const link = await cli({ ...env, BASE_URL: 'https://give.example.org' }, 'user', 'reset-link', '--email', 'ops@example.org');
  t.equal(link.code, 0, link.stderr);
  t.match(link.stdout, /^https:\/\/give\.example\.org\/password-reset\/[\w-]{40,}\n$/, 'only the link is printed');
  const nobody = await cli(env, 'user', 'reset-link', '--email', 'nobody@example.org');
  t.equal(nobody.code, 1);
  t.match(nobody.stderr, 'There is no user');

  const target = join(dir, 'backup.db');
  const backup = await cli(env, 'backup', target);
  t.equal(backup.code, 0, backup.stderr);
  t.ok(existsSync(target));
  const fromBackup = await cli({ DATABASE_PATH: target }, 'verify');
  t.equal(fromBackup.code, 0, 'the backup verifies clean');
  const overwrite = await cli(env, 'backup', target);
  t.equal(overwrite.code, 1, 'a backup never overwrites a file');

  const tamper = new Sqlite(env.DATABASE_PATH);
  tamper.prepare('update campaign_totals set raised = raised + 1').run();
  tamper.close();
  const broken = await cli(env, 'verify');
  t.equal(broken.code, 1);
  t.match(broken.stderr, 'rescue-fund: raised: cached');
});

t.test('usage errors and bad configuration are clear', async (t) => {
  const unknown = await cli({ DATABASE_PATH: ':memory:' }, 'frobnicate');
  t.equal(unknown.code, 2);
  t.match(unknown.stderr, 'Unknown command');
  const missing = await cli({ DATABASE_PATH: ':memory:' }, 'token', 'create');
  t.equal(missing.code, 2);
  t.match(missing.stderr, 'Usage: token create');
  const badPort = await cli({ DATABASE_PATH: ':memory:', PORT: 'eighty' }, 'migrate');
  t.equal(badPort.code, 1);
  t.match(badPort.stderr, 'PORT');
});
