/**
 * Read-path benchmark: watch fan-out, big LISTs, label-selected LISTs over 100,000 objects, and
 * memory at that size, each against a floor in the same run. Servers run in child processes
 * forked from this module (`reads.ts serve <role>`), so the client side (1,000 watchers, the
 * writer, the list requests) and the server each get a core:
 *
 * - `floor`: a plain node:http server that broadcasts every POSTed event as one JSON line to
 *   every open chunked response (the watch floor; `/watch?preframed` watchers instead get one
 *   chunk framed once per event, written to their sockets), and a plain fastify server answering
 *   GETs with bodies built in advance (the list floor: the very bytes kubemu answered).
 * - `kubemu-memory` / `kubemu-level`: kubemu (`buildServer` + `listen`, plain HTTP, so no
 *   credentials are needed). Bulk objects are loaded inside the server process through the
 *   registry (`GenericStore.create`: defaulting, validation, admission, storage, watch cache —
 *   everything a POST does except HTTP and JSON parsing of the body), about 10k objects/s, before
 *   the measured requests; loading 100,000 through HTTP from this process would take 20 s+.
 *
 * Sections (skip with `KUBEMU_BENCH_SKIP=reads.watch,reads.pods,reads.100k`, or `reads` for all):
 * - `watch`: 1,000 HTTP watches (`?watch=true&resourceVersion=<list RV>`) of one namespace's
 *   configmaps; a writer creates 200 configmaps at 100/s (after 20 not measured), then 100 at
 *   25/s on the same watches; per event and watcher, the time from the writer's request start to
 *   the watcher's receipt of the line; completeness and order. Floor: the broadcast server, same
 *   clients.
 * - `pods`: LIST of 10,000 pods in one namespace as JSON and as a Table, p50/p99 over 20
 *   sequential requests and server CPU per list. Floor: the same bytes from fastify.
 * - `100k`: 100,000 configmaps (100 namespaces × 1,000; label `app=app-<i % 100>`, so each value
 *   selects 1,000 = 1 %) on LevelDB storage: server RSS/heap empty, after the load, and with 1,000
 *   idle watchers; the fan-out again on those watchers; then a cluster-wide label-selected LIST
 *   (1,000 items), the same selection in one namespace (10), an unselected namespace LIST (1,000).
 *
 * `KUBEMU_BENCH_PROF=<dir>` writes a CPU profile of the server per measured phase
 * (`<dir>/reads-<server>-<phase>.cpuprofile`). Not a test: nothing is asserted.
 * Runs standalone: `node --import tsx test/bench/reads.ts`.
 * Owns: the read workload, its floors and its figures. Must not: assert anything.
 */

import { fork, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { getOnce, percentile, round, runLoad } from './load.js';
import { startProfiler } from './profiler.js';

/** Sizes of the read benchmark. */
export interface ReadsBenchOptions {
  watchers: number;
  /** Measured events per fan-out run. */
  events: number;
  /** Events sent (and awaited) before the measured ones. */
  warmupEvents: number;
  eventsPerSecond: number;
  /**
   * A second, lighter run on the same watchers (`lowRateEvents` at `lowRate`/s): 1,000 watchers
   * at 100 events/s saturate a core on each side even for the floor on a 2-core machine, so the
   * goal-rate latencies are mostly queueing; this run shows delivery latency below saturation.
   */
  lowRate: number;
  lowRateEvents: number;
  pods: number;
  /** Requests per measured LIST of 10,000 pods (sequential, after 3 not measured). */
  listRequests: number;
  /** Requests per measured LIST at 100k objects (they take milliseconds: enough for a p99). */
  smallListRequests: number;
  namespaces100k: number;
  perNamespace100k: number;
  /** Distinct `app` label values over the 100k objects: each selects 1/labelValues of them. */
  labelValues: number;
  /** Sections to skip (`watch`, `pods`, `100k`). */
  skip: readonly Section[];
}

/** The sections of the read benchmark. */
export type Section = 'watch' | 'pods' | '100k';

export const DEFAULT_READS_OPTIONS: ReadsBenchOptions = {
  watchers: 1000,
  events: 200,
  warmupEvents: 20,
  eventsPerSecond: 100,
  lowRate: 25,
  lowRateEvents: 100,
  pods: 10_000,
  listRequests: 20,
  smallListRequests: 200,
  namespaces100k: 100,
  perNamespace100k: 1000,
  labelValues: 100,
  skip: [],
};

const SELF = fileURLToPath(import.meta.url);
const CRLF = Buffer.from('\r\n');
const RV_FIELD = '"resourceVersion":"';
const TABLE_ACCEPT = 'application/json;as=Table;v=v1;g=meta.k8s.io';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const mb = (bytes: number) => round(bytes / 2 ** 20, 1);

// ---------------------------------------------------------------------------------------------
// Server processes
// ---------------------------------------------------------------------------------------------

type Role = 'floor' | 'kubemu-memory' | 'kubemu-level';

interface Ready {
  url: string;
  /** The floor's fastify server for prebuilt lists. */
  listUrl?: string;
}

interface Stats {
  rssMB: number;
  heapUsedMB: number;
  externalMB: number;
  arrayBuffersMB: number;
  /** CPU time of the process, all threads, µs. */
  cpuUs: number;
}

interface Loaded {
  count: number;
  ms: number;
  /** Sum of the stored JSON of the loaded objects. */
  storedBytes: number;
}

type Handler = (args: Record<string, unknown>) => Promise<unknown>;

/** Handlers every server process has: stats (after a full GC when asked) and CPU profiles. */
function commonHandlers(): Record<string, Handler> {
  let stop: ((file: string) => Promise<void>) | undefined;
  return {
    stats: async ({ gc }) => {
      const collect = (globalThis as { gc?: () => void }).gc;
      if (gc && collect) {
        collect();
        await sleep(20);
        collect();
      }
      const m = process.memoryUsage();
      const c = process.cpuUsage();
      return { rssMB: mb(m.rss), heapUsedMB: mb(m.heapUsed), externalMB: mb(m.external), arrayBuffersMB: mb(m.arrayBuffers), cpuUs: c.user + c.system } satisfies Stats;
    },
    profileStart: async () => {
      stop = await startProfiler();
      return true;
    },
    profileStop: async ({ file }) => {
      await stop?.(file as string);
      stop = undefined;
      return file;
    },
  };
}

/** The floor process: a broadcast server (watch floor) and a fastify server of prebuilt bodies (list floor). */
async function startFloorServers(): Promise<{ ready: Ready; handlers: Record<string, Handler>; close(): Promise<void> }> {
  /** Watchers written with `response.write(line)`, as kubemu writes. */
  const watchers = new Set<http.ServerResponse>();
  /** Watchers whose socket gets one chunk framed once per event (`<hex length>\r\n<line>\r\n`). */
  const preframed = new Set<http.ServerResponse>();
  let revision = 0;
  const broadcast = http.createServer((request, response) => {
    if (request.method === 'GET' && request.url?.startsWith('/watch')) {
      response.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
      response.flushHeaders();
      response.socket?.setNoDelay(true);
      const set = request.url.includes('preframed') ? preframed : watchers;
      set.add(response);
      response.on('close', () => set.delete(response));
      return;
    }
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      // The least a watch server does per event: parse, stamp, encode once, write to everyone.
      const object = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { metadata: Record<string, unknown> };
      object.metadata = { ...object.metadata, namespace: 'floor', resourceVersion: String(++revision), creationTimestamp: new Date().toISOString() };
      const json = JSON.stringify(object);
      const line = Buffer.from(`{"type":"ADDED","object":${json}}\n`);
      for (const watcher of watchers) watcher.write(line);
      if (preframed.size) {
        const framed = Buffer.concat([Buffer.from(`${line.byteLength.toString(16)}\r\n`), line, CRLF]);
        for (const watcher of preframed) watcher.socket?.write(framed);
      }
      response.writeHead(201, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) });
      response.end(json);
    });
  });
  await new Promise<void>((resolve) => broadcast.listen(0, '127.0.0.1', resolve));

  const { default: fastify } = await import('fastify');
  const app = fastify({ logger: false });
  const prebuilt = new Map<string, Buffer>();
  app.get<{ Params: { name: string } }>('/prebuilt/:name', async (request, reply) => {
    const body = prebuilt.get(request.params.name);
    return body ? reply.type('application/json').send(body) : reply.code(404).send({ kind: 'Status', code: 404 });
  });
  await app.listen({ host: '127.0.0.1', port: 0 });

  const portOf = (address: ReturnType<http.Server['address']>) => (typeof address === 'object' && address ? address.port : 0);
  return {
    ready: { url: `http://127.0.0.1:${portOf(broadcast.address())}`, listUrl: `http://127.0.0.1:${portOf(app.server.address())}` },
    handlers: {
      prebuilt: async ({ name, file }) => {
        prebuilt.set(name as string, await readFile(file as string));
        return true;
      },
    },
    close: async () => {
      for (const watcher of [...watchers, ...preframed]) watcher.destroy();
      broadcast.closeAllConnections();
      await new Promise<void>((resolve) => broadcast.close(() => resolve()));
      await app.close();
    },
  };
}

/** Runs `create` for `count` items, `concurrency` at a time; returns the bytes stored. */
async function createMany(count: number, concurrency: number, create: (i: number) => Promise<{ bytes?: Uint8Array }>): Promise<number> {
  let next = 0;
  let storedBytes = 0;
  const worker = async () => {
    while (next < count) {
      const result = await create(next++);
      storedBytes += result.bytes?.byteLength ?? 0;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return storedBytes;
}

/** A kubemu process: plain HTTP, storage as the role says; bulk loads through the registry. */
async function startKubemuServer(storage: 'memory' | 'level'): Promise<{ ready: Ready; handlers: Record<string, Handler>; close(): Promise<void> }> {
  const [{ buildServer }, { listen }, { withDefaults }] = await Promise.all([
    import('../../src/server.js'),
    import('../../src/cli/listen.js'),
    import('../../src/cli/config.js'),
  ]);
  const dataDir = await mkdtemp(join(tmpdir(), 'kubemu-bench-reads-'));
  const config = withDefaults({ storage, tls: false, port: 0, host: '127.0.0.1', dataDir });
  const server = await buildServer(config);
  const listening = await listen(server, config, null);
  const namespaces = server.registry.storeFor('', 'namespaces');
  const ensureNamespace = async (name: string) => {
    if (!namespaces.cache.get(`/registry/core/namespaces/${name}`)) await namespaces.create(undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  };
  return {
    ready: { url: listening.url },
    handlers: {
      /** `namespaces` × `perNamespace` small configmaps, `app=app-<i % labelValues>`, names `cm-<i>`. */
      loadConfigMaps: async (args) => {
        const { namespaces: nsCount, perNamespace, labelValues } = args as { namespaces: number; perNamespace: number; labelValues: number };
        const t0 = performance.now();
        for (let n = 0; n < nsCount; n++) await ensureNamespace(`big-${n}`);
        const store = server.registry.storeFor('', 'configmaps');
        const count = nsCount * perNamespace;
        const storedBytes = await createMany(count, 256, (i) =>
          store.create(`big-${Math.floor(i / perNamespace)}`, {
            apiVersion: 'v1',
            kind: 'ConfigMap',
            metadata: { name: `cm-${i}`, labels: { app: `app-${i % labelValues}`, tier: i % 2 ? 'web' : 'db' } },
            data: { index: String(i), greeting: 'hello' },
          }),
        );
        return { count, ms: round(performance.now() - t0, 0), storedBytes } satisfies Loaded;
      },
      /** `count` pods (one container each) in `namespace`. */
      loadPods: async (args) => {
        const { namespace, count } = args as { namespace: string; count: number };
        const t0 = performance.now();
        await ensureNamespace(namespace);
        const store = server.registry.storeFor('', 'pods');
        const storedBytes = await createMany(count, 256, (i) =>
          store.create(namespace, {
            apiVersion: 'v1',
            kind: 'Pod',
            metadata: { name: `pod-${i}`, labels: { app: `app-${i % 10}`, 'pod-template-hash': '5d8f7c9b6' } },
            spec: { containers: [{ name: 'app', image: 'registry.example/app:1.27', ports: [{ containerPort: 8080 }], resources: { requests: { cpu: '100m', memory: '64Mi' } } }] },
          }),
        );
        return { count, ms: round(performance.now() - t0, 0), storedBytes } satisfies Loaded;
      },
    },
    close: async () => {
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

interface Rpc {
  id: number;
  op: string;
  args?: Record<string, unknown>;
}

/** Entry of a server process: starts `role`, answers RPCs over IPC, exits on `close` or disconnect. */
async function serveChild(role: Role): Promise<void> {
  const server = role === 'floor' ? await startFloorServers() : await startKubemuServer(role === 'kubemu-level' ? 'level' : 'memory');
  const handlers = { ...commonHandlers(), ...server.handlers };
  const exit = () => void server.close().finally(() => process.exit(0));
  process.on('message', async (message: Rpc | 'close') => {
    if (message === 'close') return exit();
    const handler = handlers[message.op];
    try {
      if (!handler) throw new TypeError(`unknown op ${message.op}`);
      process.send!({ id: message.id, result: await handler(message.args ?? {}) });
    } catch (err) {
      process.send!({ id: message.id, error: (err as Error).stack ?? String(err) });
    }
  });
  process.on('disconnect', exit);
  process.send!({ ready: server.ready });
}

/** A server process seen from the bench process. */
class Child {
  readonly role: Role;
  readonly process: ChildProcess;
  #nextId = 1;

  private constructor(role: Role, child: ChildProcess) {
    this.role = role;
    this.process = child;
  }

  /** Forks a server process (with `--expose-gc`, for memory figures after a full GC). */
  static async start(role: Role): Promise<{ child: Child; ready: Ready }> {
    const proc = fork(SELF, ['serve', role], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [...process.execArgv, '--expose-gc'] });
    const ready = await new Promise<Ready>((resolve, reject) => {
      const onMessage = (message: { ready?: Ready }) => {
        if (!message.ready) return;
        proc.off('exit', onExit);
        proc.off('message', onMessage);
        resolve(message.ready);
      };
      const onExit = (code: number | null) => reject(new Error(`${role} server exited (${code}) before it was ready`));
      proc.on('message', onMessage);
      proc.once('exit', onExit);
    });
    return { child: new Child(role, proc), ready };
  }

  call<T>(op: string, args: Record<string, unknown> = {}): Promise<T> {
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      const onMessage = (message: { id?: number; result?: unknown; error?: string }) => {
        if (message.id !== id) return;
        this.process.off('message', onMessage);
        this.process.off('exit', onExit);
        if (message.error) reject(new Error(`${this.role} ${op}: ${message.error}`));
        else resolve(message.result as T);
      };
      const onExit = (code: number | null) => reject(new Error(`${this.role} server exited (${code}) during ${op}`));
      this.process.on('message', onMessage);
      this.process.once('exit', onExit);
      this.process.send({ id, op, args });
    });
  }

  stats(gc = false): Promise<Stats> {
    return this.call<Stats>('stats', { gc });
  }

  /**
   * Runs `fn` and returns its result with the server's CPU time during it; with
   * `KUBEMU_BENCH_PROF=<dir>`, the server writes `<dir>/reads-<role>-<name>.cpuprofile` of it.
   */
  async measure<T>(name: string, fn: () => Promise<T>): Promise<{ result: T; serverCpuMs: number }> {
    const profileDir = process.env.KUBEMU_BENCH_PROF;
    if (profileDir) await this.call('profileStart');
    const before = await this.stats();
    const result = await fn();
    const after = await this.stats();
    if (profileDir) {
      await mkdir(profileDir, { recursive: true });
      const file = join(profileDir, `reads-${this.role}-${name}.cpuprofile`);
      await this.call('profileStop', { file });
      process.stderr.write(`profile written to ${file}\n`);
    }
    return { result, serverCpuMs: round((after.cpuUs - before.cpuUs) / 1000, 1) };
  }

  async close(): Promise<void> {
    const exited = new Promise((resolve) => this.process.once('exit', resolve));
    if (this.process.exitCode !== null || this.process.signalCode !== null) return;
    if (this.process.connected) this.process.send('close');
    const timer = setTimeout(() => this.process.kill(), 10_000);
    await exited;
    clearTimeout(timer);
  }
}

// ---------------------------------------------------------------------------------------------
// Watch clients and the writer
// ---------------------------------------------------------------------------------------------

/** One watch connection: the sequence numbers and resourceVersions of the events it received, and when. */
interface WatchStream {
  seqs: number[];
  rvs: number[];
  at: number[];
  partial: string;
  /** Reads of the socket since the run started (node:http hands over each chunk separately). */
  reads: number;
  status: number;
  /** The stream ended or failed before it was closed on purpose. */
  broken?: string;
}

/** `count` open watch connections over one keep-alive agent. */
interface Fleet {
  streams: WatchStream[];
  /** Sets the marker that names this run's events (`"name":"<marker>-<seq>"`). */
  marker(prefix: string): void;
  connectMs: number;
  close(): void;
}

/**
 * Opens `count` HTTP watches of `path` (node:http, one keep-alive agent allowing `count` sockets),
 * at most 100 connecting at once; resolves when every one has its response headers. Each line
 * whose object is named `<marker>-<seq>` is recorded with the time its chunk arrived.
 */
async function openFleet(url: string, path: string, count: number): Promise<Fleet> {
  const base = new URL(url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: count, maxTotalSockets: count });
  const streams: WatchStream[] = [];
  let marker = '"name":"none-';
  const requests: http.ClientRequest[] = [];
  const open = (stream: WatchStream) =>
    new Promise<void>((resolve) => {
      const req = http.get({ agent, host: base.hostname, port: base.port, path }, (res) => {
        stream.status = res.statusCode ?? 0;
        res.setEncoding('latin1');
        res.socket.on('data', () => stream.reads++);
        res.on('data', (chunk: string) => {
          const now = performance.now();
          const text = stream.partial + chunk;
          let start = 0;
          for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
            const m = text.indexOf(marker, start);
            if (m >= 0 && m < nl) {
              stream.seqs.push(parseInt(text.slice(m + marker.length, m + marker.length + 12), 10));
              const r = text.indexOf(RV_FIELD, m);
              stream.rvs.push(r >= 0 && r < nl ? parseInt(text.slice(r + RV_FIELD.length, r + RV_FIELD.length + 20), 10) : NaN);
              stream.at.push(now);
            }
            start = nl + 1;
          }
          stream.partial = start < text.length ? text.slice(start) : '';
        });
        res.on('end', () => (stream.broken ??= 'ended'));
        res.on('error', (err) => (stream.broken ??= err.message));
        resolve();
      });
      req.on('error', (err) => {
        stream.broken ??= err.message;
        resolve();
      });
      requests.push(req);
    });
  const t0 = performance.now();
  let next = 0;
  for (let i = 0; i < count; i++) streams.push({ seqs: [], rvs: [], at: [], partial: '', reads: 0, status: 0 });
  await Promise.all(
    Array.from({ length: Math.min(100, count) }, async () => {
      while (next < count) await open(streams[next++]!);
    }),
  );
  return {
    streams,
    connectMs: round(performance.now() - t0, 0),
    marker: (prefix) => {
      marker = `"name":"${prefix}-`;
    },
    close: () => {
      for (const stream of streams) stream.broken ??= 'closed';
      for (const req of requests) req.destroy();
      agent.destroy();
    },
  };
}

/** A ~350-byte ConfigMap named `<prefix>-<seq>`. */
function eventBody(prefix: string, seq: number): Buffer {
  return Buffer.from(
    JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${prefix}-${seq}`, labels: { app: 'fan-out' } }, data: { seq: String(seq), payload: 'x'.repeat(200) } }),
  );
}

/** When the writer sent each event and how its request went. */
interface Sent {
  sentAt: number[];
  ackMs: number[];
  errors: number;
  firstError?: string;
  seconds: number;
}

/**
 * Sends `count` POSTs at `rate`/s on an open-loop schedule (event i at t0 + i/rate, whether or not
 * earlier ones were answered), recording each request's start; resolves when all are answered.
 */
async function writeEvents(url: string, path: string, prefix: string, first: number, count: number, rate: number): Promise<Sent> {
  const base = new URL(url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  const sentAt: number[] = [];
  const ackMs: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  const pending: Promise<void>[] = [];
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    const wait = t0 + (i * 1000) / rate - performance.now();
    if (wait > 0.5) await sleep(wait);
    const seq = first + i;
    const body = eventBody(prefix, seq);
    const start = performance.now();
    sentAt[seq] = start;
    pending.push(
      new Promise<void>((resolve) => {
        const req = http.request(
          { agent, host: base.hostname, port: base.port, method: 'POST', path, headers: { 'content-type': 'application/json', 'content-length': body.byteLength } },
          (res) => {
            res.on('data', () => {});
            res.on('end', () => {
              ackMs.push(performance.now() - start);
              if (res.statusCode !== 201) {
                errors++;
                firstError ??= `HTTP ${res.statusCode} for POST ${path}`;
              }
              resolve();
            });
          },
        );
        req.on('error', (err) => {
          errors++;
          firstError ??= err.message;
          resolve();
        });
        req.end(body);
      }),
    );
  }
  await Promise.all(pending);
  agent.destroy();
  return { sentAt, ackMs, errors, ...(firstError ? { firstError } : {}), seconds: (performance.now() - t0) / 1000 };
}

/** Waits until every open stream has `total` events, or `timeoutMs`. */
async function awaitDelivery(fleet: Fleet, total: number, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline && fleet.streams.some((s) => !s.broken && s.seqs.length < total)) await sleep(20);
}

/** The figures of one fan-out run. */
export interface FanOutResult {
  watchers: number;
  /** Watches answered 200 and still open when the run started. */
  watchersOpen: number;
  events: number;
  eventsPerSecondTarget: number;
  /** The writer runs on the watchers' event loop: when they saturate it, it falls behind. */
  eventsPerSecondSent: number;
  /**
   * Watchers that received every measured event exactly once, with resourceVersions strictly
   * increasing over the whole run (the server's commit order; the writer's 16 connections may
   * commit in another order than they were sent).
   */
  watchersComplete: number;
  deliveries: number;
  deliveriesExpected: number;
  /** Lines whose resourceVersion was not above the previous line's, or a measured event seen twice. */
  disorderOrDuplicates: number;
  /** Request start → line received, over every (event, watcher). */
  latencyMs: { p50: number; p99: number; max: number };
  /** Request start → the last watcher received it, per event. */
  lastWatcherMs: { p50: number; p99: number; max: number };
  /** The writer's own create latency (request start → response end). */
  writeMs: { p50: number; p99: number };
  writeErrors: number;
  firstWriteError?: string;
  serverCpuMs: number;
  serverCpuUsPerEvent: number;
  /** Server CPU per event and watcher, µs. */
  serverCpuUsPerDelivery: number;
  /** CPU of the bench process (the watch clients + the writer) during the run. */
  clientCpuMs: number;
  /**
   * Event lines per socket read on the clients (warm-up included): above 1 when the server wrote
   * several events to a socket at once (node:http corks a response for the rest of the tick, so
   * events delivered in one tick — a group-committed batch — share one writev) or TCP merged them.
   */
  linesPerSocketRead: number;
  /** Wall time of the measured run (writes plus the wait for the last delivery). */
  seconds: number;
}

/** One fan-out run's shape. */
interface FanOutSpec {
  /** Names the events `<prefix>-<seq>`; unique per run on one fleet. */
  prefix: string;
  events: number;
  rate: number;
  warmupEvents: number;
}

/**
 * One fan-out run over open watchers: `warmupEvents` (sent at `rate`, awaited, not measured), then
 * `events` measured ones at `rate`/s.
 */
async function fanOut(child: Child, phaseName: string, fleet: Fleet, writeUrl: string, writePath: string, spec: FanOutSpec): Promise<FanOutResult> {
  const { prefix, events, rate, warmupEvents } = spec;
  const open = fleet.streams.filter((s) => s.status === 200 && !s.broken);
  for (const stream of fleet.streams) {
    stream.seqs = [];
    stream.rvs = [];
    stream.at = [];
    stream.reads = 0;
  }
  fleet.marker(prefix);
  const warm = await writeEvents(writeUrl, writePath, prefix, 0, warmupEvents, rate);
  await awaitDelivery(fleet, warmupEvents, 10_000);
  await sleep(200);
  const total = warmupEvents + events;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const { result: sent, serverCpuMs } = await child.measure(phaseName, async () => {
    const sent = await writeEvents(writeUrl, writePath, prefix, warmupEvents, events, rate);
    await awaitDelivery(fleet, total, 15_000);
    return sent;
  });
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);

  const latencies = new Float64Array(open.length * events);
  const lastWatcher = new Float64Array(events);
  let deliveries = 0;
  let complete = 0;
  let disorder = 0;
  for (const stream of open) {
    const seen = new Uint8Array(events);
    let previousRv = -Infinity;
    let measured = 0;
    let ordered = true;
    stream.seqs.forEach((seq, i) => {
      const rv = stream.rvs[i]!;
      if (!(rv > previousRv)) {
        disorder++;
        ordered = false;
      }
      previousRv = rv;
      const k = seq - warmupEvents;
      if (!(k >= 0 && k < events)) return;
      if (seen[k]) {
        disorder++;
        ordered = false;
        return;
      }
      seen[k] = 1;
      const latency = stream.at[i]! - sent.sentAt[seq]!;
      latencies[deliveries++] = latency;
      measured++;
      if (latency > lastWatcher[k]!) lastWatcher[k] = latency;
    });
    if (ordered && measured === events) complete++;
  }
  const sorted = latencies.subarray(0, deliveries).sort();
  const lastSorted = Float64Array.from(lastWatcher).sort();
  const acks = Float64Array.from(sent.ackMs).sort();
  const q = (values: Float64Array, p: number) => round(percentile(values as unknown as readonly number[], p), 2);
  const max = (values: Float64Array) => round(values[values.length - 1] ?? 0, 2);
  const firstWriteError = sent.firstError ?? warm.firstError;
  return {
    watchers: fleet.streams.length,
    watchersOpen: open.length,
    events,
    eventsPerSecondTarget: rate,
    eventsPerSecondSent: round(events / sent.seconds, 1),
    watchersComplete: complete,
    deliveries,
    deliveriesExpected: fleet.streams.length * events,
    disorderOrDuplicates: disorder,
    latencyMs: { p50: q(sorted, 0.5), p99: q(sorted, 0.99), max: max(sorted) },
    lastWatcherMs: { p50: q(lastSorted, 0.5), p99: q(lastSorted, 0.99), max: max(lastSorted) },
    writeMs: { p50: q(acks, 0.5), p99: q(acks, 0.99) },
    writeErrors: sent.errors + warm.errors,
    ...(firstWriteError ? { firstWriteError } : {}),
    serverCpuMs,
    serverCpuUsPerEvent: round((serverCpuMs * 1000) / events, 0),
    serverCpuUsPerDelivery: round((serverCpuMs * 1000) / events / Math.max(1, open.length), 2),
    clientCpuMs: round((cpu.user + cpu.system) / 1000, 0),
    linesPerSocketRead: round(open.reduce((n, s) => n + s.seqs.length, 0) / Math.max(1, open.reduce((n, s) => n + s.reads, 0)), 2),
    seconds: round(seconds, 2),
  };
}

/** The list's resourceVersion, to watch from. */
async function listRevision(url: string, path: string): Promise<string> {
  const { status, body } = await getOnce({ url, path });
  if (status !== 200) throw new Error(`GET ${path}: HTTP ${status} ${body.toString().slice(0, 200)}`);
  return (JSON.parse(body.toString('utf8')) as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
}

async function createNamespace(url: string, name: string): Promise<void> {
  const result = await runLoad({
    url,
    method: 'POST',
    path: () => '/api/v1/namespaces',
    body: () => Buffer.from(JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } })),
    requests: 1,
    concurrency: 1,
  });
  if (result.errors) throw new Error(`create namespace ${name}: ${result.firstError}`);
}

// ---------------------------------------------------------------------------------------------
// Lists
// ---------------------------------------------------------------------------------------------

/** One measured LIST: sequential requests, latency, server CPU per request, the answer's size. */
export interface ListResult {
  path: string;
  accept?: string;
  items: number;
  bytes: number;
  requests: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  serverCpuMsPerList: number;
  errors: number;
  firstError?: string;
}

/**
 * `count` GETs of `path`, one at a time over one keep-alive connection, each timed from request
 * start to the end of its body (pushed to `times`).
 */
async function timedGets(url: string, path: string, accept: string | undefined, count: number, times: number[]): Promise<{ errors: number; firstError?: string }> {
  const base = new URL(url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  let errors = 0;
  let firstError: string | undefined;
  try {
    for (let i = 0; i < count; i++) {
      const t0 = performance.now();
      const status = await new Promise<number | string>((resolve) => {
        const req = http.get({ agent, host: base.hostname, port: base.port, path, headers: accept ? { accept } : {} }, (res) => {
          res.on('data', () => {});
          res.on('end', () => resolve(res.statusCode ?? 0));
          res.on('error', (err) => resolve(err.message));
        });
        req.setTimeout(30_000, () => req.destroy(new Error('timeout')));
        req.on('error', (err) => resolve(err.message));
      });
      times.push(performance.now() - t0);
      if (status !== 200) {
        errors++;
        firstError ??= typeof status === 'string' ? status : `HTTP ${status} for GET ${path}`;
      }
    }
  } finally {
    agent.destroy();
  }
  return { errors, ...(firstError ? { firstError } : {}) };
}

/** GETs `path` once (for its size and item count), 3 times unmeasured, then `requests` times measured, one at a time. */
async function measureList(child: Child, phaseName: string, url: string, path: string, requests: number, accept?: string): Promise<{ result: ListResult; body: Buffer }> {
  const headers = accept ? { accept } : undefined;
  const sample = await getOnce({ url, path, ...(headers ? { headers } : {}) });
  if (sample.status !== 200) throw new Error(`GET ${path}: HTTP ${sample.status} ${sample.body.toString().slice(0, 300)}`);
  const parsed = JSON.parse(sample.body.toString('utf8')) as { items?: unknown[]; rows?: unknown[] };
  const times: number[] = [];
  await timedGets(url, path, accept, 3, []);
  const { result, serverCpuMs } = await child.measure(phaseName, () => timedGets(url, path, accept, requests, times));
  times.sort((a, b) => a - b);
  return {
    body: sample.body,
    result: {
      path,
      ...(accept ? { accept } : {}),
      items: (parsed.items ?? parsed.rows ?? []).length,
      bytes: sample.body.byteLength,
      requests: times.length,
      p50Ms: round(percentile(times, 0.5), 2),
      p99Ms: round(percentile(times, 0.99), 2),
      maxMs: round(times[times.length - 1] ?? 0, 2),
      serverCpuMsPerList: round(serverCpuMs / Math.max(1, times.length), 2),
      errors: result.errors,
      ...(result.firstError ? { firstError: result.firstError } : {}),
    },
  };
}

/** Hands `body` to the floor as `/prebuilt/<name>` (through a temp file) and measures the same LIST there. */
async function floorList(floor: Child, listUrl: string, name: string, body: Buffer, requests: number): Promise<ListResult> {
  const dir = await mkdtemp(join(tmpdir(), 'kubemu-bench-prebuilt-'));
  try {
    const file = join(dir, `${name}.json`);
    await writeFile(file, body);
    await floor.call('prebuilt', { name, file });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return (await measureList(floor, `list-${name}`, listUrl, `/prebuilt/${name}`, requests)).result;
}

const ratio = (a: number | undefined, b: number | undefined) => (a && b ? round(a / b, 2) : null);

// ---------------------------------------------------------------------------------------------
// Sections
// ---------------------------------------------------------------------------------------------

/** kubemu / floor of two fan-out runs: latency (1.0 = as fast as the floor; higher is slower) and server CPU per event. */
function fanOutRatio(kubemu: FanOutResult, floor: FanOutResult) {
  return {
    p50Latency: ratio(kubemu.latencyMs.p50, floor.latencyMs.p50),
    p99Latency: ratio(kubemu.latencyMs.p99, floor.latencyMs.p99),
    serverCpuPerEvent: ratio(kubemu.serverCpuUsPerEvent, floor.serverCpuUsPerEvent),
  };
}

/**
 * Runs the goal-rate fan-out (and the low-rate one when `low`) on a fresh fleet of `o.watchers`
 * watches of `watchPath`; `name` labels progress and profiles (`<phase>-low` for the low rate).
 */
async function fanOutRuns(child: Child, name: string, phase: string, url: string, watchPath: string, writePath: string, o: ReadsBenchOptions, low: boolean) {
  const fleet = await openFleet(url, watchPath, o.watchers);
  try {
    const atGoalRate = await fanOut(child, phase, fleet, url, writePath, { prefix: 'fan', events: o.events, rate: o.eventsPerSecond, warmupEvents: o.warmupEvents });
    process.stderr.write(`reads ${name} fan-out at ${o.eventsPerSecond}/s: p50 ${atGoalRate.latencyMs.p50} ms p99 ${atGoalRate.latencyMs.p99} ms, ${atGoalRate.watchersComplete}/${o.watchers} complete\n`);
    if (!low) return { connectMs: fleet.connectMs, atGoalRate };
    const atLowRate = await fanOut(child, `${phase}-low`, fleet, url, writePath, { prefix: 'low', events: o.lowRateEvents, rate: o.lowRate, warmupEvents: 5 });
    process.stderr.write(`reads ${name} fan-out at ${o.lowRate}/s: p50 ${atLowRate.latencyMs.p50} ms p99 ${atLowRate.latencyMs.p99} ms, ${atLowRate.watchersComplete}/${o.watchers} complete\n`);
    return { connectMs: fleet.connectMs, atGoalRate, atLowRate };
  } finally {
    fleet.close();
    await sleep(300);
  }
}

/**
 * Fan-out through the broadcast floor (`response.write` per watcher, and one pre-framed chunk
 * written to each socket) and through kubemu on memory storage, with the same clients.
 */
async function watchSection(floor: Child, floorReady: Ready, kubemu: Child, kubemuReady: Ready, o: ReadsBenchOptions) {
  const floorRuns = await fanOutRuns(floor, 'floor', 'fanout', floorReady.url, '/watch', '/event', o, true);
  const preframed = await fanOutRuns(floor, 'floor-preframed', 'fanout-preframed', floorReady.url, '/watch?preframed', '/event', o, false);
  await createNamespace(kubemuReady.url, 'fan');
  const path = '/api/v1/namespaces/fan/configmaps';
  const rv = await listRevision(kubemuReady.url, path);
  const kubemuRuns = await fanOutRuns(kubemu, 'kubemu-memory', 'fanout', kubemuReady.url, `${path}?watch=true&resourceVersion=${rv}`, path, o, true);
  return {
    floor: floorRuns,
    floorPreframed: preframed,
    kubemuMemory: kubemuRuns,
    vsFloor: {
      atGoalRate: fanOutRatio(kubemuRuns.atGoalRate, floorRuns.atGoalRate),
      atLowRate: kubemuRuns.atLowRate && floorRuns.atLowRate ? fanOutRatio(kubemuRuns.atLowRate, floorRuns.atLowRate) : null,
      floorPreframedVsFloor: fanOutRatio(preframed.atGoalRate, floorRuns.atGoalRate),
    },
  };
}

/** LIST of `o.pods` pods in one namespace, JSON and Table, against the same bytes from fastify. */
async function podsSection(floor: Child, floorReady: Ready, kubemu: Child, kubemuReady: Ready, o: ReadsBenchOptions) {
  const loaded = await kubemu.call<Loaded>('loadPods', { namespace: 'pods', count: o.pods });
  process.stderr.write(`reads pods: loaded ${loaded.count} in ${loaded.ms} ms\n`);
  const path = '/api/v1/namespaces/pods/pods';
  const json = await measureList(kubemu, 'list-pods-json', kubemuReady.url, path, o.listRequests);
  const table = await measureList(kubemu, 'list-pods-table', kubemuReady.url, path, o.listRequests, TABLE_ACCEPT);
  const floorJson = await floorList(floor, floorReady.listUrl!, 'pods-json', json.body, o.listRequests);
  const floorTable = await floorList(floor, floorReady.listUrl!, 'pods-table', table.body, o.listRequests);
  const { rssMB, heapUsedMB } = await kubemu.stats(true);
  process.stderr.write(`reads pods: json p50 ${json.result.p50Ms} ms (floor ${floorJson.p50Ms}), table p50 ${table.result.p50Ms} ms (floor ${floorTable.p50Ms})\n`);
  return {
    pods: o.pods,
    load: { ...loaded, storedMB: mb(loaded.storedBytes), bytesPerObject: round(loaded.storedBytes / loaded.count, 0) },
    kubemu: { json: json.result, table: table.result },
    floor: { json: floorJson, table: floorTable },
    /** kubemu / floor: latency and server CPU per list (1.0 = as cheap as the floor; higher costs more). */
    vsFloor: {
      json: { p50Latency: ratio(json.result.p50Ms, floorJson.p50Ms), serverCpuPerList: ratio(json.result.serverCpuMsPerList, floorJson.serverCpuMsPerList) },
      table: { p50Latency: ratio(table.result.p50Ms, floorTable.p50Ms), serverCpuPerList: ratio(table.result.serverCpuMsPerList, floorTable.serverCpuMsPerList) },
    },
    serverAfter: { rssMB, heapUsedMB },
  };
}

/** 100,000 configmaps on LevelDB: memory, idle watchers, fan-out at that size, selected lists. */
async function bigSection(floor: Child, floorReady: Ready, o: ReadsBenchOptions) {
  const { child: kubemu, ready } = await Child.start('kubemu-level');
  try {
    const empty = await kubemu.stats(true);
    const loaded = await kubemu.call<Loaded>('loadConfigMaps', { namespaces: o.namespaces100k, perNamespace: o.perNamespace100k, labelValues: o.labelValues });
    process.stderr.write(`reads 100k: loaded ${loaded.count} in ${loaded.ms} ms\n`);
    const after = await kubemu.stats(true);

    // 1,000 idle watchers on one namespace (from the list's resourceVersion: no initial events).
    const nsPath = '/api/v1/namespaces/big-0/configmaps';
    const rv = await listRevision(ready.url, nsPath);
    const fleet = await openFleet(ready.url, `${nsPath}?watch=true&resourceVersion=${rv}`, o.watchers);
    const watcherCount = fleet.streams.filter((s) => s.status === 200 && !s.broken).length;
    let withWatchers: Stats;
    let fanOut100k: FanOutResult;
    try {
      await sleep(500);
      withWatchers = await kubemu.stats(true);
      fanOut100k = await fanOut(kubemu, 'fanout-100k', fleet, ready.url, nsPath, { prefix: 'fan', events: o.events, rate: o.eventsPerSecond, warmupEvents: o.warmupEvents });
    } finally {
      fleet.close();
    }
    process.stderr.write(`reads 100k fan-out: p50 ${fanOut100k.latencyMs.p50} ms p99 ${fanOut100k.latencyMs.p99} ms, ${fanOut100k.watchersComplete}/${o.watchers} complete\n`);
    await sleep(300);

    const app = `app-${Math.floor(o.labelValues / 2)}`;
    const selected = await measureList(kubemu, 'list-selected', ready.url, `/api/v1/configmaps?labelSelector=app%3D${app}`, o.smallListRequests);
    const selectedInNamespace = await measureList(kubemu, 'list-selected-namespace', ready.url, `${nsPath}?labelSelector=app%3D${app}`, o.smallListRequests);
    const namespaceAll = await measureList(kubemu, 'list-namespace', ready.url, `/api/v1/namespaces/big-1/configmaps`, o.smallListRequests);
    const floorSelected = await floorList(floor, floorReady.listUrl!, 'selected', selected.body, o.smallListRequests);
    process.stderr.write(`reads 100k: selected p50 ${selected.result.p50Ms} ms p99 ${selected.result.p99Ms} ms (floor ${floorSelected.p50Ms}), namespace p50 ${namespaceAll.result.p50Ms} ms\n`);

    return {
      storage: 'level',
      objects: loaded.count,
      load: { ...loaded, storedMB: mb(loaded.storedBytes), bytesPerObject: round(loaded.storedBytes / loaded.count, 0), how: 'in the server process through GenericStore.create (everything a POST does but HTTP), 256 at a time' },
      lists: {
        selectedClusterWide: selected.result,
        selectedInNamespace: selectedInNamespace.result,
        namespaceUnselected: namespaceAll.result,
        floorSameBytesAsSelected: floorSelected,
        selectedVsFloor: { p50Latency: ratio(selected.result.p50Ms, floorSelected.p50Ms), serverCpuPerList: ratio(selected.result.serverCpuMsPerList, floorSelected.serverCpuMsPerList) },
      },
      memory: {
        note: 'server process after a full GC; level storage (LevelDB keeps its own block cache outside the JS heap)',
        empty,
        after100k: after,
        with1000IdleWatchers: withWatchers,
        rssPerObjectBytes: round(((after.rssMB - empty.rssMB) * 2 ** 20) / loaded.count, 0),
        heapPerObjectBytes: round(((after.heapUsedMB - empty.heapUsedMB) * 2 ** 20) / loaded.count, 0),
        rssPerWatcherKB: round(((withWatchers.rssMB - after.rssMB) * 1024) / Math.max(1, watcherCount), 1),
        heapPerWatcherKB: round(((withWatchers.heapUsedMB - after.heapUsedMB) * 1024) / Math.max(1, watcherCount), 1),
      },
      fanOutAt100k: fanOut100k,
    };
  } finally {
    await kubemu.close();
  }
}

/** What {@link benchReads} returns. */
export type ReadsBenchResult = Record<string, unknown> & { goals: Record<string, unknown> };

/** Runs the read benchmark's sections not skipped; progress goes to stderr. */
export async function benchReads(options: Partial<ReadsBenchOptions> = {}): Promise<ReadsBenchResult> {
  const o = { ...DEFAULT_READS_OPTIONS, ...options };
  const { child: floor, ready: floorReady } = await Child.start('floor');
  const out: Record<string, unknown> = {};
  try {
    if (!o.skip.includes('watch') || !o.skip.includes('pods')) {
      const { child: kubemu, ready } = await Child.start('kubemu-memory');
      try {
        out.watch = o.skip.includes('watch') ? { skipped: 'KUBEMU_BENCH_SKIP' } : await section('watch', () => watchSection(floor, floorReady, kubemu, ready, o));
        out.pods = o.skip.includes('pods') ? { skipped: 'KUBEMU_BENCH_SKIP' } : await section('pods', () => podsSection(floor, floorReady, kubemu, ready, o));
      } finally {
        await kubemu.close();
      }
    } else out.watch = out.pods = { skipped: 'KUBEMU_BENCH_SKIP' };
    out['100k'] = o.skip.includes('100k') ? { skipped: 'KUBEMU_BENCH_SKIP' } : await section('100k', () => bigSection(floor, floorReady, o));
  } finally {
    await floor.close();
  }
  const { skip: _skip, ...sizes } = o;
  return { goals: readGoals(out as Parts), sizes, ...out };
}

async function section<T>(name: string, fn: () => Promise<T>): Promise<T | { error: string }> {
  const t0 = performance.now();
  try {
    return await fn();
  } catch (err) {
    return { error: (err as Error).stack ?? String(err) };
  } finally {
    process.stderr.write(`reads ${name} done in ${round((performance.now() - t0) / 1000)} s\n`);
  }
}

type Parts = {
  watch?: { kubemuMemory?: { atGoalRate: FanOutResult; atLowRate?: FanOutResult }; floor?: { atGoalRate: FanOutResult; atLowRate?: FanOutResult } };
  '100k'?: { lists?: { selectedClusterWide?: ListResult }; fanOutAt100k?: FanOutResult };
};

/** The goals next to the figures (reported, never asserted). */
function readGoals(parts: Parts): Record<string, unknown> {
  const fan = parts.watch?.kubemuMemory?.atGoalRate;
  const fan100k = parts['100k']?.fanOutAt100k;
  const selected = parts['100k']?.lists?.selectedClusterWide;
  const fanGoal = (run: FanOutResult | undefined) =>
    run
      ? {
          eventsPerSecond: run.eventsPerSecondTarget,
          watchersComplete: `${run.watchersComplete}/${run.watchers}`,
          p99Ms: run.latencyMs.p99,
          met: run.watchersComplete === run.watchers && run.latencyMs.p99 < 50,
        }
      : null;
  return {
    watchFanOut: { goal: '1,000 watchers receive all 200 events sent at 100/s; p99 delivery < 50 ms', memory: fanGoal(fan), floor: fanGoal(parts.watch?.floor?.atGoalRate), levelAt100k: fanGoal(fan100k), memoryAtLowRate: fanGoal(parts.watch?.kubemuMemory?.atLowRate) },
    selectedList: { goal: 'label-selected LIST of 1 % of 100,000 objects < 20 ms', p50Ms: selected?.p50Ms ?? null, p99Ms: selected?.p99Ms ?? null, met: selected ? selected.p99Ms < 20 : null },
  };
}

/** Sections named in `KUBEMU_BENCH_SKIP` (`reads.watch`, `reads.pods`, `reads.100k`). */
export function readsSkipFromEnv(): Partial<ReadsBenchOptions> {
  const names = (process.env.KUBEMU_BENCH_SKIP ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const skip = names.filter((n) => n.startsWith('reads.')).map((n) => n.slice('reads.'.length));
  const unknown = skip.filter((s) => !['watch', 'pods', '100k'].includes(s));
  if (unknown.length) throw new TypeError(`unknown reads sections ${unknown.join(', ')}; known: watch, pods, 100k`);
  return skip.length ? { skip: skip as Section[] } : {};
}

if (process.argv[1] === SELF && process.argv[2] === 'serve' && process.send) {
  const role = process.argv[3] as Role;
  if (!['floor', 'kubemu-memory', 'kubemu-level'].includes(role)) throw new TypeError(`unknown role ${role}`);
  await serveChild(role);
} else if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(JSON.stringify(await benchReads(readsSkipFromEnv()), null, 2));
}
