import { parseArgs } from 'node:util';
import type { Config } from '../config.ts';
import { resetLinkFor } from '../services/accounts.ts';
import { cliActor, withServices } from './services.ts';

/** Prints a one-time password-reset link (valid one hour), for installs without a mail server. */
export async function userResetLink(config: Config, args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { email: { type: 'string' } } });
  if (!values.email) {
    console.error('Usage: user reset-link --email E');
    return 2;
  }
  const email = values.email;
  const link = await withServices(config, (s) => resetLinkFor(s, cliActor, email));
  process.stdout.write(`${link}\n`);
  return 0;
}
