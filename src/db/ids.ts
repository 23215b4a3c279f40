// Ids that appear in URLs, e-mails and the API: random and unguessable, so
// nobody can enumerate gifts, orders or tokens by counting.
import { randomBytes } from 'node:crypto';

export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(15).toString('base64url')}`;
}

export function newSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}
