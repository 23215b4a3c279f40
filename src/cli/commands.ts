// The CLI's command table: each entry takes the config and its own arguments
// and returns an exit code.
import type { Config } from '../config.ts';
import { backup } from './backup.ts';
import { demo } from './demo.ts';
import { migrateCommand } from './migrate.ts';
import { raffleVerify } from './raffle-verify.ts';
import { stripeReconcile } from './stripe-reconcile.ts';
import { tokenCreate } from './token-create.ts';
import { userCreate } from './user-create.ts';
import { userResetLink } from './user-reset-link.ts';
import { verify } from './verify.ts';

export type Command = (config: Config, args: string[]) => Promise<number>;

export const commands: Record<string, Command> = {
  migrate: migrateCommand,
  demo,
  'user create': userCreate,
  'user reset-link': userResetLink,
  'token create': tokenCreate,
  'raffle verify': raffleVerify,
  'stripe reconcile': stripeReconcile,
  verify,
  backup,
};
