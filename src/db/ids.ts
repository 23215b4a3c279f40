// Ids that appear in URLs, e-mails and the API: unguessable, so nobody can
// enumerate gifts, orders or tokens by counting (15 random bytes), and led by
// their creation time, so new rows' ids go to one place in every index on
// ids (its end, in a database that began with such ids) rather than to random
// places in it. With random ids, 100 orders placed together rewrote about 270
// scattered index pages (330 WAL frames, all to fsync); ids in time order
// touch a few pages.
import { randomBytes, randomFillSync } from 'node:crypto';

// Asking the system for 15 random bytes at a time showed up in profiles of the
// gift POST; ids take their bytes from a pool refilled a few KB at a time.
const pool = Buffer.alloc(4096);
let used = pool.length;

function take(bytes: number): Buffer {
  if (used + bytes > pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  const out = Buffer.from(pool.subarray(used, used + bytes));
  used += bytes;
  return out;
}

// 64 URL-safe characters in ASCII order: SQLite compares text bytewise, so
// ids compare as their times do.
const sortable = '-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz';

/** Milliseconds since 1970 in 8 sortable characters (48 bits: until the year 10889). */
export function timePrefix(ms: number): string {
  let rest = Math.floor(ms);
  let out = '';
  for (let i = 0; i < 8; i++) {
    out = sortable.charAt(rest % 64) + out;
    rest = Math.floor(rest / 64);
  }
  return out;
}

export function newId(prefix: string): string {
  return `${prefix}_${timePrefix(Date.now())}${take(15).toString('base64url')}`;
}

/**
 * An id without the time: for rows the public sees beside someone who may be
 * anonymous (matching pledges), whose creation time is shown to no one else.
 * Few such rows are made, so their place in the index does not matter.
 */
export function newUntimedId(prefix: string): string {
  return `${prefix}_${take(15).toString('base64url')}`;
}

/** Secrets (tokens, form tokens) come straight from the system, never from the pool. */
export function newSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}
