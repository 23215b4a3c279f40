import type { Config } from '../config.ts';
import { verifyAll } from '../services/verify.ts';
import { withServices } from './services.ts';

export async function verify(config: Config): Promise<number> {
  const report = await withServices(config, verifyAll);
  if (report.differences.length === 0) {
    console.log(`OK: ${report.campaigns} campaign(s); cached totals and match allocations equal the ledger and a replay.`);
    return 0;
  }
  console.error(`${report.differences.length} difference(s):`);
  for (const d of report.differences) console.error(`  ${d}`);
  return 1;
}
