import { parseArgs } from 'node:util';
import type { Config } from '../config.ts';
import type { Role } from '../db/users.ts';
import { createUser } from '../services/users.ts';
import { cliActor, withServices } from './services.ts';

export async function userCreate(config: Config, args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { email: { type: 'string' }, role: { type: 'string' }, password: { type: 'string' }, name: { type: 'string' } },
  });
  if (!values.email || !values.role || !values.password) {
    console.error('Usage: user create --email E --role admin|organizer|sponsor --password P [--name N]');
    return 2;
  }
  const { email, role, password, name } = values;
  const user = await withServices(config, (s) =>
    createUser(s, cliActor, { email, role: role as Role, password, ...(name !== undefined && { name }) }),
  );
  console.log(`Created ${user.role} ${user.email}.`);
  return 0;
}
