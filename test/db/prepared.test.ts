// preparedInsert writes what drizzle's own insert writes: each column through
// its encoder, in the column's place, and refuses a row that lacks one.
import t from 'tap';
import { eq } from 'drizzle-orm';
import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { openDatabase } from '../../src/db/connection.ts';
import { preparedInsert } from '../../src/db/prepared.ts';

const things = sqliteTable('things', {
  id: text('id').primaryKey(),
  count: integer('count').notNull(),
  public: integer('public', { mode: 'boolean' }).notNull(),
  details: text('details', { mode: 'json' }).$type<{ seats: number }>(),
  note: text('note'),
  at: integer('at', { mode: 'timestamp_ms' }),
});
const insertThing = preparedInsert(things);

function setUp() {
  const db = openDatabase(':memory:', { migrate: false });
  db.sqlite.exec('create table things (id text primary key, count integer not null, public integer not null, details text, note text, at integer)');
  return db;
}

t.test('a row goes in as drizzle would write it, and reads back the same', async (t) => {
  const db = setUp();
  t.teardown(() => db.close());
  const row = { id: 'thg_1', count: 3, public: true, details: { seats: 2 }, note: null, at: new Date(1_795_000_000_000) };
  insertThing(db).run(row);
  t.same(db.sqlite.prepare('select * from things').get(), { id: 'thg_1', count: 3, public: 1, details: '{"seats":2}', note: null, at: 1_795_000_000_000 }, 'encoded per column');
  t.same(db.orm.select().from(things).where(eq(things.id, 'thg_1')).get(), row, 'decoded back by drizzle');
  db.orm.insert(things).values({ id: 'thg_2', count: 0, public: false, details: null, note: 'x', at: null }).run();
  insertThing(db).run({ id: 'thg_3', count: 0, public: false, details: null, note: 'x', at: null });
  const raw = db.sqlite.prepare('select count, public, details, note, at from things where id = ?');
  t.same(raw.get('thg_3'), raw.get('thg_2'), "the same bytes as drizzle's insert");
});

t.test('undefined is stored as NULL, as the driver binds it; no column default is applied', async (t) => {
  const db = setUp();
  t.teardown(() => db.close());
  insertThing(db).run({ id: 'thg_u', count: 1, public: false, details: undefined, note: undefined, at: undefined });
  t.same(db.sqlite.prepare('select details, note, at from things').get(), { details: null, note: null, at: null });
});

t.test('a row without one of the columns is refused, not stored with a NULL', async (t) => {
  const db = setUp();
  t.teardown(() => db.close());
  const partial = { id: 'thg_1', count: 1, public: false, details: null, at: null } as unknown as typeof things.$inferInsert;
  t.throws(() => insertThing(db).run(partial), /no value for note/);
  t.equal(db.sqlite.prepare('select count(*) from things').pluck().get(), 0);
});

t.test('each database prepares its own statement', async (t) => {
  const a = setUp();
  const b = setUp();
  t.teardown(() => {
    a.close();
    b.close();
  });
  insertThing(a).run({ id: 'thg_a', count: 1, public: true, details: null, note: null, at: null });
  insertThing(b).run({ id: 'thg_b', count: 2, public: false, details: null, note: null, at: null });
  t.same(a.sqlite.prepare('select id from things').pluck().all(), ['thg_a']);
  t.same(b.sqlite.prepare('select id from things').pluck().all(), ['thg_b']);
});

t.test('a key SQLite numbers itself (AUTOINCREMENT) is left to it', async (t) => {
  const notes = sqliteTable('notes', { id: integer('id').primaryKey({ autoIncrement: true }), body: text('body').notNull() });
  const insertNote = preparedInsert(notes);
  const db = openDatabase(':memory:', { migrate: false });
  t.teardown(() => db.close());
  db.sqlite.exec('create table notes (id integer primary key autoincrement, body text not null)');
  insertNote(db).run({ body: 'first' });
  insertNote(db).run({ body: 'second' });
  t.same(db.sqlite.prepare('select id, body from notes order by id').all(), [
    { id: 1, body: 'first' },
    { id: 2, body: 'second' },
  ]);
});
