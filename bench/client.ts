// The load generator, run as a child process (forked by bench/load.ts) so that
// its own work never shares the server's event loop. It receives one job at a
// time over IPC and answers with a summary: a timed run through autocannon,
// or a burst (every request sent at once, each on its own connection, timed
// one by one: a flash sale).
import { Agent, request } from 'node:http';
import type { Socket } from 'node:net';
import autocannon from 'autocannon';

export interface LoadSpec {
  url: string;
  method: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  /**
   * Replace this marker in the body with a fresh value per request (unique
   * donors). autocannon's own `idReplacement` is not used: its Content-Length
   * assumes a 27-character id, which the hyperid it ships no longer produces,
   * so the server waits for bytes that never come.
   */
  uniqueMarker?: string;
  connections: number;
  durationSeconds: number;
}

export interface LoadSummary {
  /** Mean of the per-second request counts (autocannon's "Req/Sec avg"). */
  rps: number;
  rpsStddev: number;
  requests: number;
  latencyMeanMs: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  ok2xx: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  durationSeconds: number;
}

export interface BurstSpec {
  url: string;
  method: 'GET' | 'POST';
  headers?: Record<string, string>;
  /** With `uniqueMarker` replaced by the request's number (0 … count-1). */
  body?: string;
  uniqueMarker?: string;
  /** Requests in flight at once, each on its own connection. */
  count: number;
  /** Time the n-th response with this status (the last seat sold). */
  until?: { status: number; nth: number };
  /** Statuses that are no surprise; the bodies of others are sampled for the report. */
  expected: readonly number[];
}

export interface BurstSummary {
  count: number;
  statusCodes: Record<string, number>;
  /** Requests that got no response (connection errors, timeouts). */
  errors: number;
  /** Each request from its sending to the end of its response, in fractional ms. */
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** From the first request sent to the last response. */
  wallMs: number;
  /** From the first request sent to the `until` response; null when fewer came. */
  untilMs: number | null;
  /** Connections opened by this burst: 0 once a warm-up left them open. */
  newConnections: number;
  /** The first few bodies of unexpected responses, for the error message. */
  samples: string[];
}

export type ClientRequest = { id: number; spec: LoadSpec } | { id: number; burst: BurstSpec };
export type ClientReply = { id: number; summary: LoadSummary } | { id: number; burst: BurstSummary } | { id: number; error: string };

function isClientRequest(m: unknown): m is ClientRequest {
  if (typeof m !== 'object' || m === null) return false;
  const r = m as { id?: unknown; spec?: unknown; burst?: unknown };
  const job = r.spec ?? r.burst;
  return typeof r.id === 'number' && typeof job === 'object' && job !== null;
}

let sequence = 0;

async function run(spec: LoadSpec): Promise<LoadSummary> {
  const { body, uniqueMarker } = spec;
  const unique =
    body !== undefined && uniqueMarker
      ? [{ setupRequest: (req: autocannon.Request): autocannon.Request => ({ ...req, body: body.replaceAll(uniqueMarker, `${process.pid}-${++sequence}`) }) }]
      : undefined;
  const result = await autocannon({
    url: spec.url,
    method: spec.method,
    connections: spec.connections,
    duration: spec.durationSeconds,
    pipelining: 1,
    timeout: 10,
    ...(spec.headers && { headers: spec.headers }),
    ...(body !== undefined && { body }),
    ...(unique && { requests: unique }),
  });
  const statusCodes: Record<string, number> = {};
  for (const [code, stat] of Object.entries(result.statusCodeStats ?? {})) statusCodes[code] = stat.count ?? 0;
  return {
    rps: result.requests.average,
    rpsStddev: result.requests.stddev,
    requests: result.requests.total,
    latencyMeanMs: result.latency.mean,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    maxMs: result.latency.max,
    ok2xx: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes,
    durationSeconds: result.duration,
  };
}

// One keep-alive agent for every burst, allowed as many idle connections as a
// burst opens: a warm-up burst connects, the measured ones reuse them, so
// what is timed is the server's work and not the TCP handshakes.
const agent = new Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: 10_000 });
const knownSockets = new WeakSet<Socket>();

/** The nearest-rank percentile of sorted values. */
function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
}

async function burst(spec: BurstSpec): Promise<BurstSummary> {
  const url = new URL(spec.url);
  const statusCodes: Record<string, number> = {};
  const latencies: number[] = [];
  const samples: string[] = [];
  let errors = 0;
  let newConnections = 0;
  let untilMs: number | null = null;
  let untilCount = 0;
  const bodies = Array.from({ length: spec.count }, (_, i) =>
    spec.body === undefined ? undefined : spec.uniqueMarker ? spec.body.replaceAll(spec.uniqueMarker, String(i)) : spec.body,
  );
  const started = performance.now();
  let last = started;
  const one = (body: string | undefined) =>
    new Promise<void>((resolve) => {
      const sent = performance.now();
      const headers: Record<string, string | number> = { ...spec.headers };
      if (body !== undefined) headers['content-length'] = Buffer.byteLength(body);
      const req = request(url, { method: spec.method, agent, headers, timeout: 30_000 }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const done = performance.now();
          last = Math.max(last, done);
          latencies.push(done - sent);
          const status = res.statusCode ?? 0;
          statusCodes[status] = (statusCodes[status] ?? 0) + 1;
          if (spec.until && status === spec.until.status && ++untilCount === spec.until.nth) untilMs = done - started;
          if (!spec.expected.includes(status) && samples.length < 3) samples.push(`${status} ${Buffer.concat(chunks).toString('utf8').slice(0, 300)}`);
          resolve();
        });
      });
      req.on('socket', (socket: Socket) => {
        if (knownSockets.has(socket)) return;
        knownSockets.add(socket);
        newConnections += 1;
      });
      req.on('timeout', () => req.destroy(new Error('timed out')));
      req.on('error', (err) => {
        errors += 1;
        if (samples.length < 3) samples.push(err.message);
        resolve();
      });
      req.end(body);
    });
  await Promise.all(bodies.map(one));
  latencies.sort((a, b) => a - b);
  return {
    count: spec.count,
    statusCodes,
    errors,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    maxMs: latencies[latencies.length - 1] ?? 0,
    wallMs: last - started,
    untilMs,
    newConnections,
    samples,
  };
}

process.on('message', (m: unknown) => {
  if (!isClientRequest(m)) return;
  const fail = (err: unknown) => process.send?.({ id: m.id, error: err instanceof Error ? err.message : String(err) } satisfies ClientReply);
  if ('burst' in m) burst(m.burst).then((summary) => process.send?.({ id: m.id, burst: summary } satisfies ClientReply), fail);
  else run(m.spec).then((summary) => process.send?.({ id: m.id, summary } satisfies ClientReply), fail);
});
process.on('disconnect', () => process.exit(0));
process.send?.({ ready: true });
