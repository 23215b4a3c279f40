// `npm run -s cli -- <command>`: one small module per command under src/cli/.
import { ConfigError, loadConfig } from './config.ts';
import { DomainError } from './domain/errors.ts';
import { commands } from './cli/commands.ts';

const usage = `Usage: npm run -s cli -- <command> [options]

Commands:
  migrate                                   apply pending database migrations
  demo                                      load the demo data (safe to run twice)
  user create --email E --role R --password P   create a user (admin, organizer or sponsor)
  token create --email E [--name N]         print a new API token for the user
  verify                                    prove cached totals and matching equal the ledger
  backup <file>                             online backup of the database (safe while serving)
  raffle verify <URL or file>               recompute a raffle draw from its public JSON and check it
  stripe reconcile --since DATE [--fix]     compare Stripe's paid Checkout Sessions with the ledger; --fix records missing ones

The database is DATABASE_PATH (default ./data/lantern.db).`;

async function main(argv: string[]): Promise<number> {
  const [first, second, ...rest] = argv;
  if (!first || first === 'help' || first === '--help') {
    console.log(usage);
    return first ? 0 : 1;
  }
  const twoWord = second !== undefined ? commands[`${first} ${second}`] : undefined;
  const command = twoWord ?? commands[first];
  if (!command) {
    console.error(`Unknown command "${argv.join(' ')}".\n\n${usage}`);
    return 2;
  }
  const args = twoWord ? rest : argv.slice(1);
  const config = loadConfig();
  return command(config, args);
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (err) {
  if (err instanceof ConfigError || err instanceof DomainError) {
    console.error(err.message);
    for (const issue of err instanceof DomainError ? err.issues : []) console.error(`  ${issue.field}: ${issue.message}`);
    // Most surprises here are the wrong database: say which one was used.
    if (err instanceof DomainError) console.error(`(database: ${loadConfig().databasePath})`);
    process.exitCode = 1;
  } else {
    throw err;
  }
}
