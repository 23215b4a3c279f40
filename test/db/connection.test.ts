// The write path: pragmas, group commit with one savepoint per operation, and
// the version that read caches key on.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Sqlite from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import t, { type Test } from 'tap';
import { changesElsewhereShowWithinMs, maxBatchTurns, migrateChecked, migrationsFolder, openDatabase } from '../../src/db/connection.ts';
import { DomainError } from '../../src/domain/errors.ts';

t.test('the database runs with WAL, FULL sync and foreign keys', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'lantern-db-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const db = openDatabase(join(dir, 'x.db'));
  t.teardown(() => db.close());
  t.equal(db.sqlite.pragma('journal_mode', { simple: true }), 'wal');
  t.equal(db.sqlite.pragma('synchronous', { simple: true }), 2, 'FULL');
  t.equal(db.sqlite.pragma('foreign_keys', { simple: true }), 1);
  t.ok(db.ping());
});

/**
 * A file database with a table x and a second connection to it: what the
 * second sees while an operation runs tells whether the operations before it
 * in the batch have committed yet.
 */
function withObserver(t: Test) {
  const dir = mkdtempSync(join(tmpdir(), 'lantern-db-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const db = openDatabase(join(dir, 'x.db'), { migrate: false });
  db.sqlite.exec('create table x (n integer primary key)');
  const observer = new Sqlite(join(dir, 'x.db'));
  t.teardown(() => {
    observer.close();
    db.close();
  });
  const committedRows = observer.prepare('select count(*) from x').pluck();
  return { db, insert: db.sqlite.prepare('insert into x (n) values (?)'), committed: () => committedRows.get() as number };
}

t.test('writes queued together commit together; a failing one rolls back only itself', async (t) => {
  const { db, insert, committed } = withObserver(t);
  const before = db.version();
  const seenByOthers: number[] = [];
  const results = await Promise.allSettled([
    db.write(() => insert.run(1).changes),
    db.write(() => {
      insert.run(2);
      throw new DomainError('invalid_state', 'no');
    }),
    db.write(() => insert.run(1)),
    db.write(() => {
      seenByOthers.push(committed());
      return insert.run(3).changes;
    }),
  ]);
  t.same(
    results.map((r) => r.status),
    ['fulfilled', 'rejected', 'rejected', 'fulfilled'],
  );
  const dup = results[2];
  t.ok(dup?.status === 'rejected' && dup.reason instanceof DomainError && dup.reason.code === 'conflict', 'a unique violation becomes a conflict');
  t.same(db.sqlite.prepare('select n from x order by n').pluck().all(), [1, 3], 'the failed operations left nothing behind');
  t.not(db.version(), before, 'the version moves on commit');
  t.same(seenByOthers, [0], 'the operations that succeeded still shared one commit (a savepoint each the second time): the last ran before the first was committed');
});

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Queues one write a turn (rows from, from + 1, …); each notes how many rows another connection saw committed as it ran. */
async function oneWriteATurn({ db, insert, committed }: ReturnType<typeof withObserver>, from: number, count: number): Promise<number[]> {
  const seen: number[] = [];
  const writes: Promise<unknown>[] = [];
  for (let n = from; n < from + count; n++) {
    writes.push(
      db.write(() => {
        seen.push(committed());
        return insert.run(n);
      }),
    );
    await nextTurn();
  }
  await Promise.all(writes);
  return seen;
}

t.test('writes that keep arriving turn after turn share a commit; a steady stream is still written every few turns', async (t) => {
  const observed = withObserver(t);
  const { db, insert, committed } = observed;
  // A rush read over three turns of the event loop: one commit.
  t.same(await oneWriteATurn(observed, 1, 3), [0, 0, 0], 'none of them was committed before the last ran');

  // A lone write is written at the next quiet turn.
  await db.write(() => insert.run(4));
  t.equal(committed(), 4);

  // One write a turn, for longer than a batch may wait: written in several commits, each shared.
  const turns = 4 * (maxBatchTurns + 1);
  const commits = new Set(await oneWriteATurn(observed, 5, turns)).size;
  t.ok(commits >= 3, `not held back while writes keep coming (${commits} commits for ${turns} writes)`);
  t.ok(commits < turns, 'yet they share commits');
});

t.test('a write inside a write is refused rather than silently detached', async (t) => {
  const db = openDatabase(':memory:');
  t.teardown(() => db.close());
  await t.rejects(db.write(() => db.write(() => 1)), /inside another write/);
});

t.test('a commit by another connection moves the version', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'lantern-db-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const a = openDatabase(join(dir, 'x.db'));
  const b = openDatabase(join(dir, 'x.db'));
  t.teardown(() => {
    a.close();
    b.close();
  });
  const before = a.version();
  await b.write(() => b.sqlite.exec("insert into exchange_rates (id, base, quote, rate, effective_at, created_at) values ('r', 'KRW', 'USD', '1', 0, 0)"));
  t.not(await a.write(() => a.version()), before, 'inside a write at once');
  const outside = a.version();
  await b.write(() => b.sqlite.exec("insert into exchange_rates (id, base, quote, rate, effective_at, created_at) values ('s', 'KRW', 'USD', '1', 1, 0)"));
  await new Promise((resolve) => setTimeout(resolve, changesElsewhereShowWithinMs + 2));
  t.not(a.version(), outside, 'outside a write within changesElsewhereShowWithinMs');
});


t.test('a change this connection makes around write() moves the version within changesElsewhereShowWithinMs', async (t) => {
  const db = openDatabase(':memory:');
  t.teardown(() => db.close());
  const before = db.version();
  db.sqlite.exec("insert into exchange_rates (id, base, quote, rate, effective_at, created_at) values ('r', 'KRW', 'USD', '1', 0, 0)");
  await new Promise((resolve) => setTimeout(resolve, changesElsewhereShowWithinMs + 2));
  const after = db.version();
  t.not(after, before, 'the change shows');
  t.equal(db.version(), after, 'and the version then stays');
  await db.write(() => {
    db.sqlite.exec("insert into exchange_rates (id, base, quote, rate, effective_at, created_at) values ('s', 'KRW', 'USD', '1', 1, 0)");
  });
  const written = db.version();
  t.not(written, after, 'a write moves it at once');
  await new Promise((resolve) => setTimeout(resolve, changesElsewhereShowWithinMs + 2));
  t.equal(db.version(), written, 'and the same data keeps the same version past the next read of data_version (no needless cache misses)');
});
t.test('a failure that only shows at COMMIT fails only its own operation', async (t) => {
  const db = openDatabase(':memory:');
  t.teardown(() => db.close());
  db.sqlite.exec('create table parent (id integer primary key); create table child (id integer primary key, parent integer not null references parent(id))');
  const results = await Promise.allSettled([
    db.write(() => db.sqlite.prepare('insert into parent (id) values (1)').run().changes),
    db.write(() => {
      // Deferred: the missing parent is only noticed when the transaction commits.
      db.sqlite.pragma('defer_foreign_keys = ON');
      return db.sqlite.prepare('insert into child (id, parent) values (1, 99)').run().changes;
    }),
    db.write(() => db.sqlite.prepare('insert into parent (id) values (2)').run().changes),
  ]);
  t.same(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
  t.same(db.sqlite.prepare('select id from parent order by id').pluck().all(), [1, 2]);
  t.same(db.sqlite.prepare('select count(*) from child').pluck().get(), 0);
  t.notOk(db.sqlite.inTransaction);
});

t.test('an operation refused before it writes fails alone: the others run once, in one commit', async (t) => {
  const { db, insert, committed } = withObserver(t);
  let runs = 0;
  let seenByOthers = -1;
  const results = await Promise.allSettled([
    db.write(() => {
      runs++;
      return insert.run(1).changes;
    }),
    db.write(() => {
      db.sqlite.prepare('select count(*) from x').get();
      throw new DomainError('sold_out', 'none left');
    }),
    db.write(() => {
      runs++;
      seenByOthers = committed();
      return insert.run(2).changes;
    }),
  ]);
  t.same(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
  const refused = results[1];
  t.ok(refused?.status === 'rejected' && refused.reason instanceof DomainError && refused.reason.code === 'sold_out', 'the refusal reaches its caller unchanged');
  t.equal(runs, 2, 'nothing had to be run again');
  t.same(db.sqlite.prepare('select n from x order by n').pluck().all(), [1, 2]);
  t.equal(seenByOthers, 0, 'one commit: the last ran before the first was committed');
  t.equal(committed(), 2);
});

t.test("a commit keeps the version its batch's last operation saw, so what that operation cached stays valid", async (t) => {
  const { db, insert } = withObserver(t);
  const seen: string[] = [];
  await Promise.all([
    db.write(() => {
      insert.run(1);
      seen.push(db.version());
    }),
    db.write(() => {
      insert.run(2);
      seen.push(db.version());
    }),
  ]);
  t.not(seen[0], seen[1], 'each operation that changes rows moves it inside the batch');
  t.equal(db.version(), seen[1], 'after the commit');
  await new Promise((resolve) => setTimeout(resolve, changesElsewhereShowWithinMs + 2));
  t.equal(db.version(), seen[1], 'and past the next read of data_version');
  await t.rejects(
    db.write(() => {
      insert.run(3);
      insert.run(3);
    }),
  );
  t.not(db.version(), seen[1], 'a rolled-back change moves it');
});

t.test('a batch of refusals alone leaves the version (and read caches) as they were', async (t) => {
  const db = openDatabase(':memory:');
  t.teardown(() => db.close());
  const before = db.version();
  const results = await Promise.allSettled([1, 2, 3].map(() => db.write(() => {
    throw new DomainError('sold_out', 'none left');
  })));
  t.same(results.map((r) => r.status), ['rejected', 'rejected', 'rejected']);
  t.equal(db.version(), before);
  t.notOk(db.sqlite.inTransaction);
});

t.test('an operation whose trigger rolls back the whole transaction cannot take the batch out of its transaction', async (t) => {
  const db = openDatabase(':memory:');
  t.teardown(() => db.close());
  db.sqlite.exec(`create table x (n integer primary key);
    create trigger no_sevens before insert on x when new.n = 7 begin select raise(rollback, 'no sevens'); end;`);
  const insert = db.sqlite.prepare('insert into x (n) values (?)');
  const results = await Promise.allSettled([db.write(() => insert.run(1).changes), db.write(() => insert.run(7).changes), db.write(() => insert.run(3).changes)]);
  t.same(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
  t.same(db.sqlite.prepare('select n from x order by n').pluck().all(), [1, 3]);
  t.notOk(db.sqlite.inTransaction);
});

t.test('an installation with payments migrates past a table rebuild; a broken reference stops it', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'lantern-upgrade-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  // The migrations as they were before 0012 rebuilt `checkouts`.
  const old = join(dir, 'migrations-0011');
  mkdirSync(join(old, 'meta'), { recursive: true });
  const journal = JSON.parse(readFileSync(join(migrationsFolder, 'meta/_journal.json'), 'utf8')) as { entries: { idx: number; tag: string }[] };
  const kept = journal.entries.filter((e) => e.idx <= 11);
  writeFileSync(join(old, 'meta/_journal.json'), JSON.stringify({ ...journal, entries: kept }));
  for (const e of kept) copyFileSync(join(migrationsFolder, `${e.tag}.sql`), join(old, `${e.tag}.sql`));
  const path = join(dir, 'lantern.db');
  const before = new Sqlite(path);
  before.pragma('foreign_keys = ON');
  migrate(drizzle(before), { migrationsFolder: old });
  // A card gift whose checkout a payment attempt and a provider refund point at.
  before.exec(`
    insert into campaigns (id, slug, title, currency, goal, status, created_at, updated_at) values ('cmp_1', 'fund', 'Fund', 'USD', 100000, 'published', 1, 1);
    insert into gifts (id, campaign_id, amount, currency, donor_name, donor_key, anonymous, source, method, status, created_at) values ('gift_1', 'cmp_1', 5000, 'USD', 'Ada', 'ada@example.org', 0, 'online', 'stripe', 'pending', 1);
    insert into checkouts (id, provider, gift_id, amount, currency, status, expires_at, created_at) values ('co_1', 'stripe', 'gift_1', 5000, 'USD', 'paid', 2, 1);
    insert into payment_attempts (id, ip_hash, kind, checkout_id, created_at) values ('pa_1', 'h', 'gift', 'co_1', 1);
    insert into provider_refunds (provider, refund_id, checkout_id, amount, created_at) values ('stripe', 're_1', 'co_1', 1000, 1);
  `);
  before.close();

  const db = openDatabase(path);
  t.equal(db.sqlite.pragma('foreign_keys', { simple: true }), 1, 'foreign keys are on again');
  t.same(db.sqlite.prepare('select id, gift_id, pledge_payment_id, status from checkouts').all(), [{ id: 'co_1', gift_id: 'gift_1', pledge_payment_id: null, status: 'paid' }], 'the checkout kept, its new column empty');
  t.equal(db.sqlite.prepare('select count(*) from payment_attempts where checkout_id = ?').pluck().get('co_1'), 1);
  t.same(db.sqlite.pragma('foreign_key_check'), []);
  db.close();

  // A reference left dangling by a migration is not started on.
  const broken = new Sqlite(':memory:');
  broken.pragma('foreign_keys = OFF');
  broken.exec('create table parent (id text primary key); create table child (parent_id text references parent(id)); insert into child values (\'nobody\')');
  t.throws(() => migrateChecked(broken, () => undefined), /1 row\(s\) point at rows that do not exist \(first: child/);
  t.equal(broken.pragma('foreign_keys', { simple: true }), 1);
  broken.close();
});
