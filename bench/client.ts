// The load generator, run as a child process (forked by bench/load.ts) so that
// autocannon's own work never shares the server's event loop. It receives one
// load spec at a time over IPC and answers with a summary of the run.
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

export type ClientRequest = { id: number; spec: LoadSpec };
export type ClientReply = { id: number; summary: LoadSummary } | { id: number; error: string };

function isClientRequest(m: unknown): m is ClientRequest {
  if (typeof m !== 'object' || m === null) return false;
  const r = m as { id?: unknown; spec?: unknown };
  return typeof r.id === 'number' && typeof r.spec === 'object' && r.spec !== null;
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

process.on('message', (m: unknown) => {
  if (!isClientRequest(m)) return;
  run(m.spec).then(
    (summary) => process.send?.({ id: m.id, summary } satisfies ClientReply),
    (err: unknown) => process.send?.({ id: m.id, error: err instanceof Error ? err.message : String(err) } satisfies ClientReply),
  );
});
process.on('disconnect', () => process.exit(0));
process.send?.({ ready: true });
