/**
 * Load generator: runs N HTTP(S) requests with C concurrent clients over keep-alive sockets
 * (node:http / node:https Agent, one socket per client) against a loopback server, and
 * returns throughput and latency percentiles. Bounded in count and in time; refuses any
 * address that is not loopback.
 * Owns: issuing requests and timing them. Must not: know kubemu, or assert anything.
 */

import http from 'node:http';
import https from 'node:https';

/** What to send for request number `i` (0-based). */
export interface LoadSpec {
  /** Base URL of a loopback server, e.g. `http://127.0.0.1:41234`. */
  url: string;
  method: 'GET' | 'POST' | 'PATCH';
  /** Path (with query) of request `i`. */
  path: (i: number) => string;
  /** Body of request `i`; none when absent. */
  body?: (i: number) => Buffer;
  /** Content type of bodies (default `application/json`). */
  contentType?: string;
  /** Headers sent with every request (e.g. authorization). */
  headers?: Record<string, string>;
  /** How many requests to complete. */
  requests: number;
  /** How many clients run at once; each keeps one socket. */
  concurrency: number;
  /** Stop issuing requests after this long (default 20 s). */
  maxSeconds?: number;
  /** CA certificate (PEM) to trust for https URLs. */
  ca?: string;
}

/** The outcome of a load run. `rps` counts successful (2xx) requests only. */
export interface LoadResult {
  /** Requests completed (successful or not). */
  requests: number;
  seconds: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** Non-2xx answers, socket errors and timeouts. */
  errors: number;
  /** The first error seen, for diagnosis. */
  firstError?: string;
}

const LOOPBACK = new Set(['127.0.0.1', '[::1]', 'localhost']);
const REQUEST_TIMEOUT_MS = 10_000;

/** Rounds to `digits` decimals. */
export function round(n: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/** The value at quantile `p` of an ascending array (0 when empty). */
export function percentile(sorted: readonly number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]! : 0;
}

/** Throws unless `url` names a loopback host over http or https. */
export function assertLoopback(url: URL): void {
  if (!LOOPBACK.has(url.hostname)) throw new TypeError(`load generator only targets loopback, not ${url.hostname}`);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`unsupported protocol ${url.protocol}`);
}

/**
 * One request; resolves with the status code (0 on socket error) after the body is drained. A
 * failed answer's first 300 characters come back as `error`, for diagnosis.
 */
function send(transport: typeof http | typeof https, options: https.RequestOptions, body: Buffer | undefined): Promise<{ status: number; error?: string }> {
  return new Promise((resolve) => {
    const req = transport.request(options, (res) => {
      const status = res.statusCode ?? 0;
      const failed = status < 200 || status >= 300;
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => failed && chunks.push(chunk));
      res.on('end', () => resolve(failed ? { status, error: Buffer.concat(chunks).toString('utf8', 0, 300) } : { status }));
      res.on('error', (err) => resolve({ status: 0, error: err.message }));
    });
    req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error('timeout')));
    req.on('error', (err) => resolve({ status: 0, error: err.message }));
    req.end(body);
  });
}

/** One request outside a load run. */
export interface OnceSpec {
  url: string;
  path: string;
  headers?: Record<string, string>;
  ca?: string;
}

/** Sends one GET on a fresh connection and returns its status and body. */
export function getOnce(spec: OnceSpec): Promise<{ status: number; body: Buffer }> {
  const base = new URL(spec.url);
  assertLoopback(base);
  const transport = base.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = transport.request(
      { host: base.hostname.replace(/^\[|\]$/g, ''), port: base.port, path: spec.path, headers: spec.headers, agent: false, ...(spec.ca ? { ca: spec.ca } : {}) },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

/** Runs `spec.requests` requests, `spec.concurrency` at a time, and measures them. */
export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const base = new URL(spec.url);
  assertLoopback(base);
  const secure = base.protocol === 'https:';
  const transport = secure ? https : http;
  const agentOptions = { keepAlive: true, maxSockets: spec.concurrency, ...(secure && spec.ca ? { ca: spec.ca } : {}) };
  const agent = secure ? new https.Agent(agentOptions) : new http.Agent(agentOptions);
  const deadline = performance.now() + (spec.maxSeconds ?? 20) * 1000;
  const latencies: number[] = [];
  let next = 0;
  let errors = 0;
  let firstError: string | undefined;

  const client = async (): Promise<void> => {
    while (next < spec.requests && performance.now() < deadline) {
      const i = next++;
      const body = spec.body?.(i);
      const headers: Record<string, string | number> = { ...spec.headers };
      if (body) Object.assign(headers, { 'content-type': spec.contentType ?? 'application/json', 'content-length': body.byteLength });
      const t0 = performance.now();
      const { status, error } = await send(
        transport,
        { agent, host: base.hostname.replace(/^\[|\]$/g, ''), port: base.port, method: spec.method, path: spec.path(i), headers },
        body,
      );
      latencies.push(performance.now() - t0);
      if (status < 200 || status >= 300) {
        errors++;
        firstError ??= `HTTP ${status} for ${spec.method} ${spec.path(i)}${error ? `: ${error}` : ''}`;
      }
    }
  };

  const start = performance.now();
  try {
    await Promise.all(Array.from({ length: spec.concurrency }, client));
  } finally {
    agent.destroy();
  }
  const seconds = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    seconds: round(seconds, 2),
    rps: round((latencies.length - errors) / seconds, 0),
    p50Ms: round(percentile(latencies, 0.5), 2),
    p99Ms: round(percentile(latencies, 0.99), 2),
    errors,
    ...(firstError ? { firstError } : {}),
  };
}
