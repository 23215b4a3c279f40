// What every service call needs: the database, a clock (tests move it), and
// who is acting (for the audit log).
import type { Config } from '../config.ts';
import type { Database } from '../db/connection.ts';
import type { Role } from '../db/users.ts';

export interface Services {
  readonly db: Database;
  readonly config: Config;
  now(): number;
}

export interface Actor {
  readonly userId: string | null;
  /** Human label for the audit log: an e-mail, "cli", "system", "guest". */
  readonly label: string;
  readonly role: Role | null;
  readonly ip: string | null;
}
