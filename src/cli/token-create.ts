import { parseArgs } from 'node:util';
import type { Config } from '../config.ts';
import { createToken } from '../services/users.ts';
import { cliActor, withServices } from './services.ts';

/** Prints only the token on stdout, so scripts can capture it. */
export async function tokenCreate(config: Config, args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { email: { type: 'string' }, name: { type: 'string' } } });
  if (!values.email) {
    console.error('Usage: token create --email E [--name N]');
    return 2;
  }
  const email = values.email;
  const token = await withServices(config, (s) => createToken(s, cliActor, email, values.name));
  process.stdout.write(`${token}\n`);
  return 0;
}
