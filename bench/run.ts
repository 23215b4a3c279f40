// `npm run bench`: the real app on a temp-file SQLite database (WAL,
// synchronous=FULL), loaded through the real services, measured with
// autocannon over loopback from a separate process. Every figure is a ratio to
// a trivial route on the same app measured in the same run, because absolute
// numbers on shared machines swing by ±30 %.
//
// Options (environment): BENCH_SECONDS (measured seconds per run, default 6),
// BENCH_WARMUP_SECONDS (2), BENCH_CONNECTIONS (10), BENCH_GIFTS (the large
// campaign, default 100000), BENCH_SEED_BATCH (gifts per commit while growing,
// default 500). Flag `--profile`: CPU-profile the server during each measured
// run (writes bench/results/*.cpuprofile; figures are then slowed).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { openDatabase, type Database } from '../src/db/connection.ts';
import { campaignProgress, getCampaign } from '../src/services/campaigns.ts';
import type { Services } from '../src/services/context.ts';
import type { LoadSpec, LoadSummary } from './client.ts';
import { LoadClient } from './load.ts';
import { CpuProfiler, type ProfileSummary } from './profile.ts';
import { addGifts, assertConsistent, seedAdminToken, seedCampaign, slug, type GrowResult } from './seed.ts';

const here = dirname(fileURLToPath(import.meta.url));
const resultsDir = resolve(here, 'results');

function envInt(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer ≥ ${min}, got "${raw}"`);
  return n;
}

const settings = {
  seconds: envInt('BENCH_SECONDS', 6, 1),
  warmupSeconds: envInt('BENCH_WARMUP_SECONDS', 2, 0),
  connections: envInt('BENCH_CONNECTIONS', 10, 1),
  smallGifts: 100,
  largeGifts: envInt('BENCH_GIFTS', 100_000, 200),
  seedBatch: envInt('BENCH_SEED_BATCH', 500, 1),
  profile: process.argv.includes('--profile'),
};

/** How much a read may lose between 100 and the large number of gifts before it counts as growing with them. */
const maxDegradation = 0.8;

interface Target {
  /** Minimum requests/s as a fraction of the baseline's. */
  minRatio: number;
  /** p99 latency must stay under this multiple of the baseline's p99 (none for writes). */
  maxP99Ratio: number | null;
  /** Every response must be 2xx. */
  all2xx?: boolean;
  /** Key of a run whose ratio this one must keep at least `maxDegradation` of. */
  notWorseThan?: string;
}

interface Run {
  key: string;
  name: string;
  gifts: number;
  baseline: string | null;
  summary: LoadSummary;
  ratio: number | null;
  p99Ratio: number | null;
  target: Target | null;
  failures: string[];
  profile?: ProfileSummary;
}

function log(msg: string): void {
  process.stdout.write(`${msg}\n`);
}

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

function targetText(t: Target | null): string {
  if (!t) return 'baseline';
  const parts = [`≥ ${t.minRatio.toFixed(2)}`];
  if (t.maxP99Ratio !== null) parts.push(`p99 < ${t.maxP99Ratio}×`);
  if (t.all2xx) parts.push('all 2xx');
  if (t.notWorseThan) parts.push(`≥ ${maxDegradation}× of ${t.notWorseThan}`);
  return parts.join(', ');
}

function printTable(runs: readonly Run[]): void {
  const rows = runs.map((r) => [
    r.name,
    fmt(r.gifts),
    fmt(r.summary.rps),
    fmt(r.summary.p99Ms, 2),
    r.ratio === null ? '1.00' : r.ratio.toFixed(2),
    r.p99Ratio === null ? '1.0×' : `${r.p99Ratio.toFixed(1)}×`,
    fmt(r.summary.non2xx + r.summary.errors + r.summary.timeouts),
    targetText(r.target),
    r.target ? (r.failures.length === 0 ? 'PASS' : 'FAIL') : '—',
  ]);
  const head = ['scenario', 'gifts', 'req/s', 'p99 ms', 'ratio', 'p99 vs base', 'non-2xx/err', 'target', 'result'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i === 0 || i === 7 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  log('');
  log(line(head));
  log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) log(line(r));
  for (const r of runs) for (const f of r.failures) log(`FAIL ${r.name}: ${f}`);
}

class Bench {
  readonly runs: Run[] = [];
  private profileIndex = 0;

  constructor(
    private readonly client: LoadClient,
    private readonly base: string,
  ) {}

  spec(path: string, extra: Partial<LoadSpec> = {}, seconds = settings.seconds): LoadSpec {
    return { url: `${this.base}${path}`, method: 'GET', connections: settings.connections, durationSeconds: seconds, ...extra };
  }

  async warmUp(label: string, spec: LoadSpec): Promise<LoadSummary | null> {
    if (settings.warmupSeconds === 0) return null;
    const s = await this.client.run({ ...spec, durationSeconds: settings.warmupSeconds });
    log(`  warm-up ${label}: ${fmt(s.rps)} req/s`);
    return s;
  }

  async measure(key: string, name: string, gifts: number, spec: LoadSpec, baseline: string | null, target: Target | null): Promise<Run> {
    const profiler = settings.profile ? new CpuProfiler() : null;
    await profiler?.start();
    const summary = await this.client.run(spec);
    const profile = profiler ? await profiler.stop(join(resultsDir, `${String(++this.profileIndex).padStart(2, '0')}-${key}.cpuprofile`)) : undefined;

    const base = baseline === null ? undefined : this.runs.find((r) => r.key === baseline);
    if (baseline !== null && !base) throw new Error(`no baseline run "${baseline}"`);
    const ratio = base ? summary.rps / base.summary.rps : null;
    // Sub-millisecond p99s are floored at 1 ms so the p99 multiple stays meaningful.
    const p99Ratio = base ? summary.p99Ms / Math.max(base.summary.p99Ms, 1) : null;
    const failures: string[] = [];
    if (target && ratio !== null) {
      if (ratio < target.minRatio) failures.push(`req/s ratio ${ratio.toFixed(3)} < ${target.minRatio}`);
      if (target.maxP99Ratio !== null && p99Ratio !== null && p99Ratio >= target.maxP99Ratio) {
        failures.push(`p99 ${summary.p99Ms} ms is ${p99Ratio.toFixed(1)}× the baseline's (limit ${target.maxP99Ratio}×)`);
      }
      if (target.notWorseThan) {
        const earlier = this.runs.find((r) => r.key === target.notWorseThan);
        if (earlier?.ratio != null && ratio < earlier.ratio * maxDegradation) {
          failures.push(`ratio ${ratio.toFixed(3)} fell below ${maxDegradation} × ${earlier.ratio.toFixed(3)} (${earlier.name})`);
        }
      }
    }
    if (target?.all2xx && (summary.non2xx > 0 || summary.errors > 0 || summary.timeouts > 0)) {
      failures.push(`${summary.non2xx} non-2xx, ${summary.errors} errors, ${summary.timeouts} timeouts (${JSON.stringify(summary.statusCodes)})`);
    } else if (summary.errors > 0 || summary.timeouts > 0 || summary.non2xx > 0) {
      failures.push(`${summary.non2xx} non-2xx, ${summary.errors} errors, ${summary.timeouts} timeouts`);
    }
    const run: Run = { key, name, gifts, baseline, summary, ratio, p99Ratio, target, failures, ...(profile && { profile }) };
    this.runs.push(run);
    log(
      `  ${name}: ${fmt(summary.rps)} req/s, p99 ${summary.p99Ms} ms` +
        (ratio !== null ? `, ratio ${ratio.toFixed(2)}` : '') +
        (summary.non2xx ? `, ${summary.non2xx} non-2xx` : ''),
    );
    if (profile) {
      log(`    profile ${profile.file}`);
      for (const h of profile.inclusive.slice(0, 8)) log(`      ${String(h.percent).padStart(5)}%  ${h.fn}`);
    }
    return run;
  }
}

function giftCount(s: Services): number {
  return campaignProgress(s, getCampaign(s, slug)).giftCount;
}

async function expectStatus(base: string, path: string, init: RequestInit, status: number, contains?: string): Promise<void> {
  const res = await fetch(`${base}${path}`, init);
  const body = await res.text();
  if (res.status !== status) throw new Error(`${init.method ?? 'GET'} ${path}: expected ${status}, got ${res.status}: ${body.slice(0, 300)}`);
  if (contains && !body.includes(contains)) throw new Error(`${path}: the response does not contain "${contains}"`);
}

async function main(): Promise<number> {
  const started = performance.now();
  mkdirSync(resultsDir, { recursive: true });
  const dir = mkdtempSync(join(tmpdir(), 'lantern-bench-'));
  let db: Database | undefined;
  let app: FastifyInstance | undefined;
  let client: LoadClient | undefined;
  try {
    const config = loadConfig({
      DATABASE_PATH: join(dir, 'bench.db'),
      HOST: '127.0.0.1',
      PORT: '0',
      BASE_URL: 'http://lantern.bench',
      LOG_LEVEL: 'silent',
      TEMPLATE_CACHE: 'on',
    });
    db = openDatabase(config.databasePath);
    const pragmas = {
      journalMode: String(db.sqlite.pragma('journal_mode', { simple: true })),
      synchronous: Number(db.sqlite.pragma('synchronous', { simple: true })),
    };
    if (pragmas.journalMode !== 'wal' || pragmas.synchronous !== 2) {
      throw new Error(`expected WAL and synchronous=FULL (2), got ${JSON.stringify(pragmas)}`);
    }
    app = await buildApp({ config, db, logger: false });
    app.get('/bench/trivial', async () => ({ ok: true }));
    const s = app.services;

    log(`Lantern bench: node ${process.version}, ${cpus().length} cpus, ${settings.connections} connections, ${settings.seconds} s per run`);
    log(`database ${config.databasePath} (journal_mode=${pragmas.journalMode}, synchronous=FULL), template cache ${config.templateCache ? 'on' : 'off'}`);

    const seedStart = performance.now();
    await seedCampaign(s);
    const token = await seedAdminToken(s);
    await addGifts(s, 0, settings.smallGifts, 1);
    await assertConsistent(s);
    log(`seeded the Rescue Fund with ${giftCount(s)} gifts through the services in ${fmt(performance.now() - seedStart)} ms; verify clean`);

    await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.server.address() as AddressInfo;
    const base = `http://127.0.0.1:${port}`;

    const giftPath = `/api/v1/campaigns/${slug}/gifts`;
    const giftHeaders = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
    const giftBody = (email: string) =>
      JSON.stringify({
        amount: { amount: 2500, currency: 'USD' },
        donor: { name: 'Bench Donor', email },
        anonymous: false,
        method: 'cash',
        comment: 'Loopback gift',
      });
    // One request of each kind before any load: they answer as expected.
    await expectStatus(base, '/bench/trivial', {}, 200);
    await expectStatus(base, `/api/v1/campaigns/${slug}`, {}, 200, '"giftCount":100');
    await expectStatus(base, `/campaigns/${slug}`, {}, 200, 'Rescue Fund');
    await expectStatus(base, giftPath, { method: 'POST', headers: giftHeaders, body: giftBody('probe@bench.test') }, 201);

    client = await LoadClient.start();
    const bench = new Bench(client, base);
    const trivial = bench.spec('/bench/trivial');
    const json = bench.spec(`/api/v1/campaigns/${slug}`);
    const page = bench.spec(`/campaigns/${slug}`);
    const post = bench.spec(giftPath, { method: 'POST', headers: giftHeaders, body: giftBody('donor-[<id>]@bench.test'), idReplacement: true });

    const small = giftCount(s);
    log(`\nreads with ${fmt(small)} gifts`);
    await bench.warmUp('trivial', trivial);
    await bench.warmUp('campaign JSON', json);
    await bench.warmUp('campaign page', page);
    await bench.measure('trivial', 'trivial route (baseline)', small, trivial, null, null);
    await bench.measure('json-small', 'campaign JSON', small, json, 'trivial', { minRatio: 0.6, maxP99Ratio: 5 });
    await bench.measure('page-small', 'campaign page HTML', small, page, 'trivial', { minRatio: 0.4, maxP99Ratio: 5 });

    log('\noffline gift POST (admin token, synchronous=FULL)');
    const beforePost = giftCount(s);
    const warmPost = await bench.warmUp('gift POST', post);
    const postRun = await bench.measure('gift-post', 'gift POST (API)', beforePost, post, 'trivial', { minRatio: 0.1, maxP99Ratio: null, all2xx: true });
    const afterPost = giftCount(s);
    const expected = beforePost + (warmPost?.ok2xx ?? 0) + postRun.summary.ok2xx;
    if (afterPost !== expected) postRun.failures.push(`the campaign counts ${afterPost} gifts, expected ${expected} (one per 201)`);
    await assertConsistent(s);
    log(`  ${fmt(afterPost - beforePost)} gifts recorded over HTTP; verify clean`);

    log(`\ngrowing the campaign to ${fmt(settings.largeGifts)} gifts through recordOfflineGift (${settings.seedBatch} per commit)`);
    let grow: GrowResult | null = null;
    const have = giftCount(s);
    if (have < settings.largeGifts) {
      const step = 10_000;
      const growStart = performance.now();
      for (let from = have; from < settings.largeGifts; from += step) {
        const to = Math.min(settings.largeGifts, from + step);
        await addGifts(s, from, to, settings.seedBatch);
        log(`  ${fmt(to)} gifts (${fmt((performance.now() - growStart) / 1000, 1)} s)`);
      }
      const ms = performance.now() - growStart;
      grow = { added: settings.largeGifts - have, ms, perSecond: ((settings.largeGifts - have) * 1000) / ms };
    }
    const verifyStart = performance.now();
    await assertConsistent(s);
    const large = giftCount(s);
    log(`  ${fmt(large)} gifts; ${grow ? `${fmt(grow.perSecond)} gifts/s; ` : ''}verify clean in ${fmt(performance.now() - verifyStart)} ms`);
    db.sqlite.pragma('wal_checkpoint(TRUNCATE)');

    log(`\nreads with ${fmt(large)} gifts`);
    await bench.warmUp('trivial', trivial);
    await bench.warmUp('campaign JSON', json);
    await bench.warmUp('campaign page', page);
    await bench.measure('trivial-large', 'trivial route (baseline, again)', large, trivial, null, null);
    await bench.measure('json-large', 'campaign JSON', large, json, 'trivial-large', { minRatio: 0.6, maxP99Ratio: 5, notWorseThan: 'json-small' });
    await bench.measure('page-large', 'campaign page HTML', large, page, 'trivial-large', { minRatio: 0.4, maxP99Ratio: 5, notWorseThan: 'page-small' });

    printTable(bench.runs);
    const jsonSmall = bench.runs.find((r) => r.key === 'json-small');
    const jsonLarge = bench.runs.find((r) => r.key === 'json-large');
    if (jsonSmall?.ratio != null && jsonLarge?.ratio != null) {
      log(`\ncampaign JSON ratio: ${jsonSmall.ratio.toFixed(2)} with ${fmt(jsonSmall.gifts)} gifts, ${jsonLarge.ratio.toFixed(2)} with ${fmt(jsonLarge.gifts)} gifts`);
    }
    const failed = bench.runs.filter((r) => r.failures.length > 0);
    const totalSeconds = (performance.now() - started) / 1000;
    log(`${failed.length === 0 ? 'all targets met' : `${failed.length} scenario(s) failed`} in ${fmt(totalSeconds, 1)} s`);
    if (settings.profile) log('(profiled run: the server was slowed by the profiler; do not read the targets)');

    const out = join(resultsDir, 'latest.json');
    writeFileSync(
      out,
      `${JSON.stringify(
        {
          date: new Date().toISOString(),
          node: process.version,
          cpus: cpus().length,
          cpuModel: cpus()[0]?.model ?? null,
          settings,
          database: { ...pragmas, synchronous: 'FULL' },
          templateCache: config.templateCache,
          seeding: { smallGifts: small, largeGifts: large, grow },
          runs: bench.runs,
          pass: failed.length === 0,
          seconds: totalSeconds,
        },
        null,
        2,
      )}\n`,
    );
    log(`results written to ${out}`);
    return failed.length === 0 ? 0 : 1;
  } finally {
    await client?.close();
    await app?.close();
    db?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    process.exitCode = 2;
  },
);
