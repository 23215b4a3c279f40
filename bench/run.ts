// `npm run bench`: the real app on a temp-file SQLite database (WAL,
// synchronous=FULL), loaded through the real services, measured with
// autocannon over loopback from a separate process. Every figure is a ratio to
// a trivial route on the same app measured in the same run, because absolute
// numbers on shared machines swing by ±30 %: each phase measures the trivial
// route before and after its scenarios, and each scenario is divided by the
// mean of the trivial runs just before and just after it.
// Phase 3 adds the events: the calendar feed `/events.ics`, and a flash sale
// (bench/flash-sale.ts) of 100 seats to 500 buyers at once, whose latency is
// compared with bursts of as many trivial GETs sent the same way.
//
// Options (environment): BENCH_SECONDS (measured seconds per run, default 5),
// BENCH_WARMUP_SECONDS (2), BENCH_CONNECTIONS (10), BENCH_GIFTS (the large
// campaign, default 100000), BENCH_SEED_BATCH (gifts per commit while growing,
// default 500). Flag `--profile`: CPU-profile the server during each measured
// run (writes bench/results/*.cpuprofile; the figures are then slowed and the
// targets are not meaningful).
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
import { printChecks, runFlashSale } from './flash-sale.ts';
import { LoadClient } from './load.ts';
import { CpuProfiler, type ProfileSummary } from './profile.ts';
import { addGifts, assertConsistent, seedAdminToken, seedCampaign, seedFeedEvents, slug, type GrowResult } from './seed.ts';

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
  seconds: envInt('BENCH_SECONDS', 5, 1),
  warmupSeconds: envInt('BENCH_WARMUP_SECONDS', 2, 0),
  connections: envInt('BENCH_CONNECTIONS', 10, 1),
  smallGifts: 100,
  largeGifts: envInt('BENCH_GIFTS', 100_000, 200),
  seedBatch: envInt('BENCH_SEED_BATCH', 500, 1),
  profile: process.argv.includes('--profile'),
};

/** A read with many gifts must keep at least this share of its ratio with 100 gifts. */
const keepShare = 0.8;

interface Target {
  /** Minimum requests/s as a fraction of the baseline's. */
  minRatio: number;
  /** p99 latency must stay under this multiple of the baseline's p99 (none for writes). */
  maxP99Ratio: number | null;
  /** Every response must be 2xx. */
  all2xx?: boolean;
  /** Key of a run whose ratio this one must keep at least `keepShare` of. */
  notWorseThan?: string;
}

interface Run {
  key: string;
  name: string;
  phase: string;
  gifts: number;
  summary: LoadSummary;
  target: Target | null;
  /** Filled by evaluate(): against the mean of the phase's trivial runs. */
  baseline: { rps: number; p99Ms: number } | null;
  ratio: number | null;
  p99Ratio: number | null;
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
  if (t.all2xx) parts.push('all 201');
  if (t.notWorseThan) parts.push(`≥ ${keepShare}× the 100-gift ratio`);
  return parts.join(', ');
}

function printTable(runs: readonly Run[]): void {
  const rows = runs.map((r) => [
    r.name,
    fmt(r.gifts),
    fmt(r.summary.rps),
    fmt(r.summary.p99Ms),
    r.ratio === null ? '—' : r.ratio.toFixed(2),
    r.p99Ratio === null ? '—' : `${r.p99Ratio.toFixed(1)}×`,
    fmt(r.summary.non2xx + r.summary.errors + r.summary.timeouts),
    targetText(r.target),
    r.target ? (r.failures.length === 0 ? 'PASS' : 'FAIL') : '',
  ]);
  const head = ['scenario', 'gifts', 'req/s', 'p99 ms', 'ratio', 'p99/base', 'non-2xx', 'target', 'result'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i === 0 || i === 7 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ').trimEnd();
  log('');
  log(line(head));
  log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) log(line(r));
  log('ratio = req/s ÷ the mean req/s of the trivial route measured just before and just after; p99 in whole ms as autocannon reports it.');
  for (const r of runs) for (const f of r.failures) log(`FAIL ${r.name} (${fmt(r.gifts)} gifts): ${f}`);
}

class Bench {
  readonly runs: Run[] = [];
  private profileIndex = 0;

  constructor(
    private readonly client: LoadClient,
    private readonly base: string,
  ) {}

  spec(path: string, extra: Partial<LoadSpec> = {}): LoadSpec {
    return { url: `${this.base}${path}`, method: 'GET', connections: settings.connections, durationSeconds: settings.seconds, ...extra };
  }

  async warmUp(label: string, spec: LoadSpec, seconds = settings.warmupSeconds): Promise<LoadSummary | null> {
    if (seconds === 0) return null;
    const s = await this.client.run({ ...spec, durationSeconds: seconds });
    log(`  warm-up ${label}: ${fmt(s.rps)} req/s`);
    return s;
  }

  async measure(phase: string, key: string, name: string, gifts: number, spec: LoadSpec, target: Target | null): Promise<Run> {
    const profiler = settings.profile ? new CpuProfiler() : null;
    await profiler?.start();
    const summary = await this.client.run(spec);
    const file = join(resultsDir, `${String(++this.profileIndex).padStart(2, '0')}-${key}.cpuprofile`);
    const profile = profiler ? await profiler.stop(file) : undefined;
    const run: Run = { key, name, phase, gifts, summary, target, baseline: null, ratio: null, p99Ratio: null, failures: [], ...(profile && { profile }) };
    this.runs.push(run);
    log(`  ${name}: ${fmt(summary.rps)} req/s, p99 ${summary.p99Ms} ms${summary.non2xx ? `, ${summary.non2xx} non-2xx` : ''}`);
    if (profile) {
      log(`    profile ${profile.file}`);
      for (const h of profile.inclusive.slice(0, 8)) log(`      ${String(h.percent).padStart(5)}%  ${h.fn}`);
    }
    return run;
  }

  /**
   * Ratios against the trivial runs just before and just after each run in
   * its phase (a baseline against the phase's other baselines), then the
   * targets. Only the neighbours: a trivial run right after the gift POST's
   * burst of writes is slower, and would lower the baseline of the reads.
   */
  evaluate(): void {
    this.runs.forEach((r, i) => {
      const isBase = (b: Run) => b.phase === r.phase && b.target === null && b !== r;
      const before = this.runs.slice(0, i).reverse().find(isBase);
      const after = this.runs.slice(i + 1).find(isBase);
      const bases = r.target === null ? this.runs.filter(isBase) : [before, after].filter((b): b is Run => b !== undefined);
      if (bases.length === 0) throw new Error(`phase ${r.phase} has no baseline run`);
      const rps = bases.reduce((n, b) => n + b.summary.rps, 0) / bases.length;
      const p99Ms = bases.reduce((n, b) => n + b.summary.p99Ms, 0) / bases.length;
      r.baseline = { rps, p99Ms };
      r.ratio = r.summary.rps / rps;
      // autocannon reports whole milliseconds: a 0 ms p99 counts as 1 ms.
      r.p99Ratio = r.summary.p99Ms / Math.max(p99Ms, 1);
      const s = r.summary;
      const t = r.target;
      if (!t) {
        if (s.non2xx > 0 || s.errors > 0 || s.timeouts > 0) r.failures.push(`baseline had ${s.non2xx} non-2xx, ${s.errors} errors`);
        return;
      }
      if (r.ratio < t.minRatio) r.failures.push(`req/s ratio ${r.ratio.toFixed(3)} < ${t.minRatio}`);
      if (t.maxP99Ratio !== null && r.p99Ratio >= t.maxP99Ratio) {
        r.failures.push(`p99 ${s.p99Ms} ms is ${r.p99Ratio.toFixed(1)}× the baseline's ${p99Ms.toFixed(1)} ms (limit ${t.maxP99Ratio}×)`);
      }
      if (t.notWorseThan) {
        const earlier = this.runs.find((e) => e.key === t.notWorseThan);
        if (earlier?.ratio != null && r.ratio < earlier.ratio * keepShare) {
          r.failures.push(`ratio ${r.ratio.toFixed(3)} is below ${keepShare} × ${earlier.ratio.toFixed(3)} measured with ${fmt(earlier.gifts)} gifts`);
        }
      }
      if (s.non2xx > 0 || s.errors > 0 || s.timeouts > 0) {
        r.failures.push(`${s.non2xx} non-2xx, ${s.errors} errors, ${s.timeouts} timeouts ${JSON.stringify(s.statusCodes)}`);
      }
    });
  }
}

function giftCount(s: Services): number {
  return campaignProgress(s, getCampaign(s, slug)).giftCount;
}

/** "A. Sponsor: active, Harbour Foundation: active" — what the pages show about matching. */
function pledgeStates(s: Services): string {
  return campaignProgress(s, getCampaign(s, slug))
    .matches.map((m) => `${m.anonymous ? 'anonymous' : m.sponsor} ${m.status}`)
    .join(', ');
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
  // An interrupted run still removes its database.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      rmSync(dir, { recursive: true, force: true });
      process.exit(130);
    });
  }
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
      // 500 buyers from one address would otherwise meet the per-address limit.
      RATE_LIMITS: 'off',
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
    // Each route answers as expected before any load (the gift POST's probe comes just before its run).
    await expectStatus(base, '/bench/trivial', {}, 200);
    await expectStatus(base, `/api/v1/campaigns/${slug}`, {}, 200, `"giftCount":${settings.smallGifts}`);
    await expectStatus(base, `/campaigns/${slug}`, {}, 200, 'Rescue Fund');

    client = await LoadClient.start();
    const bench = new Bench(client, base);
    const trivial = bench.spec('/bench/trivial');
    const json = bench.spec(`/api/v1/campaigns/${slug}`);
    const page = bench.spec(`/campaigns/${slug}`);
    const post = bench.spec(giftPath, { method: 'POST', headers: giftHeaders, body: giftBody('donor-{n}@bench.test'), uniqueMarker: '{n}' });

    // Phase 1: 100 gifts.
    const small = giftCount(s);
    const pledgesSmall = pledgeStates(s);
    log(`\nphase 1: reads with ${fmt(small)} gifts (pledges: ${pledgesSmall}), then the gift POST`);
    await bench.warmUp('trivial', trivial);
    await bench.warmUp('campaign JSON', json);
    await bench.warmUp('campaign page', page);
    await bench.measure('small', 'trivial-1', 'trivial route (baseline)', small, trivial, null);
    await bench.measure('small', 'json-small', 'campaign JSON', small, json, { minRatio: 0.6, maxP99Ratio: 5 });
    await bench.measure('small', 'page-small', 'campaign page HTML', small, page, { minRatio: 0.4, maxP99Ratio: 5 });
    await bench.measure('small', 'trivial-1b', 'trivial route (baseline)', small, trivial, null);

    await expectStatus(base, giftPath, { method: 'POST', headers: giftHeaders, body: giftBody('probe@bench.test') }, 201);
    const beforePost = giftCount(s);
    const warmPost = await bench.warmUp('gift POST', post);
    const postRun = await bench.measure('small', 'gift-post', 'gift POST (API, FULL)', beforePost, post, { minRatio: 0.1, maxP99Ratio: null, all2xx: true });
    await bench.measure('small', 'trivial-2', 'trivial route (baseline)', giftCount(s), trivial, null);
    const afterPost = giftCount(s);
    // autocannon stops counting at the deadline, but the requests still in flight
    // then (at most one per connection per run) are recorded by the server.
    const counted = beforePost + (warmPost?.ok2xx ?? 0) + postRun.summary.ok2xx;
    const inFlight = settings.connections * (warmPost ? 2 : 1);
    const postCheck = afterPost < counted || afterPost > counted + inFlight ? `the campaign counts ${afterPost} gifts; ${counted} to ${counted + inFlight} expected (one per 201)` : null;
    await assertConsistent(s);
    log(`  ${fmt(afterPost - beforePost)} gifts recorded over HTTP; verify clean`);

    // Growth, through the services.
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
    log(`  ${fmt(large)} gifts${grow ? ` at ${fmt(grow.perSecond)} gifts/s` : ''}; verify clean in ${fmt(performance.now() - verifyStart)} ms`);
    db.sqlite.pragma('wal_checkpoint(TRUNCATE)');

    // Phase 2: the large campaign.
    const pledgesLarge = pledgeStates(s);
    log(`\nphase 2: reads with ${fmt(large)} gifts (pledges: ${pledgesLarge})`);
    // The code is hot by now: a short warm-up refills caches after the growth.
    const rewarm = Math.min(settings.warmupSeconds, 1);
    await bench.warmUp('trivial', trivial, rewarm);
    await bench.warmUp('campaign JSON', json, rewarm);
    await bench.warmUp('campaign page', page, rewarm);
    await bench.measure('large', 'trivial-3', 'trivial route (baseline)', large, trivial, null);
    await bench.measure('large', 'json-large', 'campaign JSON', large, json, { minRatio: 0.6, maxP99Ratio: 5, notWorseThan: 'json-small' });
    await bench.measure('large', 'page-large', 'campaign page HTML', large, page, { minRatio: 0.4, maxP99Ratio: 5, notWorseThan: 'page-small' });
    await bench.measure('large', 'trivial-4', 'trivial route (baseline)', large, trivial, null);

    // Phase 3: events.
    const feedEvents = await seedFeedEvents(s);
    log(`\nphase 3: the calendar feed with ${feedEvents} published events, then the flash sale`);
    await expectStatus(base, '/events.ics', {}, 200, 'BEGIN:VEVENT');
    const ics = bench.spec('/events.ics');
    await bench.warmUp('trivial', trivial, rewarm);
    await bench.warmUp('calendar feed', ics);
    await bench.measure('events', 'trivial-5', 'trivial route (baseline)', large, trivial, null);
    await bench.measure('events', 'ics', 'calendar feed /events.ics', large, ics, { minRatio: 0.4, maxP99Ratio: 5 });
    await bench.measure('events', 'trivial-6', 'trivial route (baseline)', large, trivial, null);
    const flashSale = await runFlashSale(client, base, s, log, settings.profile ? join(resultsDir, 'flash-sale.cpuprofile') : null);

    bench.evaluate();
    if (postCheck) postRun.failures.push(postCheck);
    printTable(bench.runs);
    printChecks(`flash sale: ${flashSale.seats} seats, ${flashSale.buyers} buyers at once over HTTP (one seat each)`, flashSale.checks, log);
    const ratioOf = (key: string) => bench.runs.find((r) => r.key === key)?.ratio ?? NaN;
    log(`\ncampaign JSON ratio with ${fmt(small)} gifts: ${ratioOf('json-small').toFixed(2)}; with ${fmt(large)} gifts: ${ratioOf('json-large').toFixed(2)}`);
    log(`campaign page ratio with ${fmt(small)} gifts: ${ratioOf('page-small').toFixed(2)}; with ${fmt(large)} gifts: ${ratioOf('page-large').toFixed(2)}`);
    log(`calendar feed ratio: ${ratioOf('ics').toFixed(2)}`);
    const failed = [...bench.runs.filter((r) => r.failures.length > 0), ...flashSale.checks.filter((c) => !c.pass)];
    const totalSeconds = (performance.now() - started) / 1000;
    log(`${failed.length === 0 ? 'all targets met' : `${failed.length} scenario(s) or check(s) failed`} in ${fmt(totalSeconds, 1)} s`);
    if (settings.profile) log('(profiled run: the profiler slowed the server; the targets are not meaningful)');

    const out = join(resultsDir, 'latest.json');
    const report = {
      date: new Date().toISOString(),
      node: process.version,
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? null,
      settings,
      database: { journalMode: pragmas.journalMode, synchronous: 'FULL' },
      templateCache: config.templateCache,
      seeding: { smallGifts: small, largeGifts: large, giftsAfterPost: afterPost, grow, pledgesSmall, pledgesLarge },
      runs: bench.runs,
      flashSale,
      pass: failed.length === 0,
      seconds: totalSeconds,
    };
    writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
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
