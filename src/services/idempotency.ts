// Idempotent money POSTs: the first answer to a key is stored and replayed for
// every repeat, so a double-click or a client retry never creates a second
// gift. The key is claimed in its own transaction before the work starts, so
// a concurrent repeat sees "in progress" rather than doing the work twice.
import { createHash } from 'node:crypto';
import { DomainError } from '../domain/errors.ts';
import { completeIdempotencyKey, findIdempotencyKey, insertIdempotencyKey, releaseIdempotencyKey } from '../db/idempotency.ts';
import type { Services } from './context.ts';
import { withProps } from '../objects.ts';

export interface StoredResponse {
  statusCode: number;
  body: unknown;
}

const inProgress = 0;

export function fingerprint(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex');
}

/** Whether a request with this key was already made (done, or in progress). */
export function keyUsed(s: Services, scope: string, key: string): boolean {
  return findIdempotencyKey(s.db, scope, key) !== undefined;
}

/**
 * Runs `work` once per (scope, key). A repeat with the same request gets the
 * stored response; with a different request, a conflict. A failure frees the
 * key, so a corrected request may use it again.
 */
export async function once(
  s: Services,
  scope: string,
  key: string,
  request: unknown,
  work: () => Promise<StoredResponse>,
): Promise<StoredResponse & { replayed: boolean }> {
  const requestHash = fingerprint(request);
  const existing = await s.db.write(() => {
    const row = findIdempotencyKey(s.db, scope, key);
    if (!row) {
      insertIdempotencyKey(s.db, { scope, key, requestHash, statusCode: inProgress, body: '', createdAt: s.now() });
    }
    return row;
  });
  if (existing) {
    if (existing.requestHash !== requestHash) {
      throw new DomainError('conflict', 'This idempotency key was already used for a different request.', [
        { field: 'Idempotency-Key', message: 'Use a new key for a new request' },
      ]);
    }
    if (existing.statusCode === inProgress) {
      throw new DomainError('conflict', 'The first request with this idempotency key is still in progress; retry shortly.');
    }
    return { statusCode: existing.statusCode, body: JSON.parse(existing.body) as unknown, replayed: true };
  }
  try {
    const res = await work();
    await s.db.write(() => completeIdempotencyKey(s.db, scope, key, res.statusCode, JSON.stringify(res.body)));
    return withProps(res, { replayed: false });
  } catch (err) {
    await s.db.write(() => releaseIdempotencyKey(s.db, scope, key));
    throw err;
  }
}
