// Parent side of the load generator: forks bench/client.ts once (inheriting
// tsx's loader from process.execArgv) and sends it one job (a run or a burst) at a time.
import { fork, type ChildProcess } from 'node:child_process';
import type { BurstSpec, BurstSummary, ClientReply, LoadSpec, LoadSummary } from './client.ts';

function isReply(m: unknown): m is ClientReply {
  return typeof m === 'object' && m !== null && typeof (m as { id?: unknown }).id === 'number';
}

function isReady(m: unknown): boolean {
  return typeof m === 'object' && m !== null && (m as { ready?: unknown }).ready === true;
}

export class LoadClient {
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (m: ClientReply) => void; reject: (e: Error) => void }>();

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (m: unknown) => {
      if (!isReply(m)) return;
      const w = this.waiting.get(m.id);
      if (!w) return;
      this.waiting.delete(m.id);
      if ('error' in m) w.reject(new Error(`load client: ${m.error}`));
      else w.resolve(m);
    });
    child.on('exit', (code) => {
      for (const w of this.waiting.values()) w.reject(new Error(`load client exited with code ${code}`));
      this.waiting.clear();
    });
  }

  static async start(): Promise<LoadClient> {
    const child = fork(new URL('./client.ts', import.meta.url), { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    await new Promise<void>((resolve, reject) => {
      const onMessage = (m: unknown) => {
        if (!isReady(m)) return;
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve();
      };
      const onExit = (code: number | null) => reject(new Error(`load client exited early with code ${code}`));
      child.on('message', onMessage);
      child.on('exit', onExit);
    });
    return new LoadClient(child);
  }

  private ask(job: { spec: LoadSpec } | { burst: BurstSpec }): Promise<ClientReply> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.child.send({ id, ...job });
    });
  }

  /** A timed run through autocannon. */
  async run(spec: LoadSpec): Promise<LoadSummary> {
    const reply = await this.ask({ spec });
    if (!('summary' in reply)) throw new Error('load client: a run was answered with something else');
    return reply.summary;
  }

  /** Every request at once, each on its own connection, timed one by one. */
  async burst(spec: BurstSpec): Promise<BurstSummary> {
    const reply = await this.ask({ burst: spec });
    if (!('burst' in reply)) throw new Error('load client: a burst was answered with something else');
    return reply.burst;
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    if (this.child.connected) this.child.disconnect();
    const timer = setTimeout(() => this.child.kill('SIGTERM'), 2000);
    await exited;
    clearTimeout(timer);
  }
}
