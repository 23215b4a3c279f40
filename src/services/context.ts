// What every service call needs: the database, a clock (tests move it), and
// who is acting (for the audit log).
import type { Config } from '../config.ts';
import type { Database } from '../db/connection.ts';
import type { Role } from '../db/users.ts';
import { createMailer, type Mailer } from '../mail/mailer.ts';

export interface Services {
  readonly db: Database;
  readonly config: Config;
  /** Sends queued mail after a commit (a no-op without SMTP). */
  readonly mailer: Mailer;
  now(): number;
}

export interface Actor {
  readonly userId: string | null;
  /** Human label for the audit log: an e-mail, "cli", "system", "guest". */
  readonly label: string;
  readonly role: Role | null;
  readonly ip: string | null;
}

export interface ServicesOptions {
  db: Database;
  config: Config;
  now?: () => number;
  log?: { warn(obj: object, msg: string): void };
}

export function createServices(o: ServicesOptions): Services {
  const now = o.now ?? Date.now;
  const log = o.log ?? { warn: (obj: object, msg: string) => console.error(msg, obj) };
  return { db: o.db, config: o.config, now, mailer: createMailer(o.db, o.config, now, log) };
}
