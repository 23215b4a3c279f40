// Ids that appear in URLs, e-mails and the API: random and unguessable, so
// nobody can enumerate gifts, orders or tokens by counting.
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

export function newId(prefix: string): string {
  return `${prefix}_${take(15).toString('base64url')}`;
}

/** Secrets (tokens, form tokens) come straight from the system, never from the pool. */
export function newSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}
