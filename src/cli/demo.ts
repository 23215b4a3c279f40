import type { Config } from '../config.ts';
import { loadDemo } from '../services/demo.ts';
import { withServices } from './services.ts';

export async function demo(config: Config): Promise<number> {
  const result = await withServices(config, loadDemo);
  console.log(result.loaded ? `Demo data loaded into ${config.databasePath}.` : `Demo data was already there; nothing changed.`);
  return 0;
}
