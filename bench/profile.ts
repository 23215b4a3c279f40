// Optional CPU profiling of the server process during a measured run
// (`npm run bench -- --profile`): writes a .cpuprofile per scenario (open it in
// Chrome DevTools) and summarises where the time went. Profiling slows the
// server, so a profiled run reports figures but its targets are not meaningful.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import type { Profiler } from 'node:inspector';

export interface HotSpot {
  fn: string;
  percent: number;
}

export interface ProfileSummary {
  file: string;
  /** Functions by time spent in them alone. */
  self: HotSpot[];
  /** The app's own functions (src/) by time including what they call. */
  inclusive: HotSpot[];
}

export class CpuProfiler {
  private readonly session = new Session();

  async start(): Promise<void> {
    this.session.connect();
    await this.session.post('Profiler.enable');
    await this.session.post('Profiler.setSamplingInterval', { interval: 200 });
    await this.session.post('Profiler.start');
  }

  async stop(file: string): Promise<ProfileSummary> {
    const { profile } = await this.session.post('Profiler.stop');
    await this.session.post('Profiler.disable');
    this.session.disconnect();
    writeFileSync(file, JSON.stringify(profile));
    return { file, ...summarise(profile) };
  }
}

function label(n: Profiler.ProfileNode): string {
  const f = n.callFrame;
  const where = f.url.replace(/^file:\/\//, '').replace(/^.*\/node_modules\//, '').replace(/^.*\/(src|bench)\//, '$1/');
  return `${f.functionName || '(anonymous)'} ${where}:${f.lineNumber + 1}`;
}

export function summarise(profile: Profiler.Profile, top = 15): Omit<ProfileSummary, 'file'> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const timeOf = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  samples.forEach((id, i) => timeOf.set(id, (timeOf.get(id) ?? 0) + (deltas[i] ?? 0)));

  let all = 0;
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  for (const [id, t] of timeOf) {
    const node = byId.get(id);
    if (!node) continue;
    all += t;
    const own = label(node);
    self.set(own, (self.get(own) ?? 0) + t);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const n = byId.get(cur);
      if (!n || !/\/src\/.*\.ts$/.test(n.callFrame.url)) continue;
      const k = label(n);
      if (seen.has(k)) continue;
      seen.add(k);
      inclusive.set(k, (inclusive.get(k) ?? 0) + t);
    }
  }
  const rank = (m: Map<string, number>): HotSpot[] =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([fn, t]) => ({ fn, percent: all > 0 ? Math.round((1000 * t) / all) / 10 : 0 }));
  return { self: rank(self), inclusive: rank(inclusive) };
}
