/**
 * Write-path benchmark: throughput of server-side apply (creating objects, and changing one field
 * of existing ones), strategic-merge patch and JSON merge patch, each against plain create of the
 * same kind in the same run — ConfigMaps (the small case) and Deployments (a PodSpec: the schema
 * walks, list merges and defaulting that `kubectl apply` and `kubectl set image` cost). One
 * kubemu process (memory storage, plain HTTP: `serve.ts kubemu-memory`) and 64 concurrent
 * keep-alive clients in this process. Prints rps, latency, server CPU per request and the ratios
 * `vsCreate` (op / create; 1.0 = as cheap as create). Every phase is checked on one object (the
 * field it changed). `KUBEMU_BENCH_SKIP=writes.deployments|writes.configmaps` leaves a kind out;
 * `KUBEMU_BENCH_PROF=<dir>` writes `<dir>/writes-<kind>-<op>.cpuprofile` per phase. Not a test.
 * Runs standalone: `node --import tsx test/bench/writes.ts`.
 * Owns: the write workload and its ratios. Must not: assert anything.
 */

import { fork, type ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { getOnce, round, runLoad, type LoadResult } from './load.js';
import { SERVE_MODULE, type Endpoint, type ProfileMessage, type ServerStats } from './serve.js';

/** The kinds the benchmark writes. */
export type Kind = 'configmaps' | 'deployments';
/** The measured operations, in the order they run. */
export const OPERATIONS = ['create', 'applyCreate', 'applyUpdate', 'strategicPatch', 'mergePatch'] as const;
/** One of {@link OPERATIONS}. */
export type Operation = (typeof OPERATIONS)[number];

/** Sizes of a run. */
export interface WritesBenchOptions {
  /** Objects per kind and operation (each phase writes each object once). */
  objects: Record<Kind, number>;
  concurrency: number;
  /** Kinds to leave out. */
  skip: Kind[];
}

/** The default sizes: about 30–40 s on two cores. */
export const DEFAULT_WRITES_OPTIONS: WritesBenchOptions = { objects: { configmaps: 5000, deployments: 2000 }, concurrency: 64, skip: [] };

/** A load result plus the server's CPU per request and whether the phase's sample object shows its write. */
export type PhaseResult = LoadResult & { serverCpuUsPerRequest: number; verified: boolean };

/** Per kind: every operation's run and its ratios to create. */
export interface KindResult {
  objects: number;
  runs: Record<Operation, PhaseResult>;
  /** rps = op rps / create rps; cpu = create CPU per request / op CPU per request (both: 1.0 = as cheap as create). */
  vsCreate: Record<Exclude<Operation, 'create'>, { rps: number | null; cpu: number | null }>;
}

/** What {@link benchWrites} returns. */
export interface WritesBenchResult {
  server: string;
  concurrency: number;
  kinds: Partial<Record<Kind, KindResult>>;
  serverRssMB: number;
  serverHeapUsedMB: number;
}

const CONTENT_TYPE: Record<Operation, string> = {
  create: 'application/json',
  applyCreate: 'application/apply-patch+yaml',
  applyUpdate: 'application/apply-patch+yaml',
  strategicPatch: 'application/strategic-merge-patch+json',
  mergePatch: 'application/merge-patch+json',
};

/** What one phase writes: the object path of request `i`, its body, and the check of one object afterwards. */
interface Workload {
  collection(ns: string): string;
  /** The full object named `name` (create and apply bodies), with `round` in the changing field. */
  object(name: string, round: number): Record<string, unknown>;
  /** The strategic-merge patch of request `i`, and the merge patch; each changes one field. */
  strategic(i: number): Record<string, unknown>;
  merge(i: number): Record<string, unknown>;
  /** Reads the field an operation changed from a GET of object `i`. */
  changed(object: Record<string, unknown>, op: Operation): unknown;
  /** What `changed` must read after `op` wrote object `i`. */
  expected(op: Operation, i: number): unknown;
}

/** A ~400-byte ConfigMap as in api.ts; the ops change data.key-0 (apply), key-1 (strategic), key-2 (merge). */
const configMaps: Workload = {
  collection: (ns) => `/api/v1/namespaces/${ns}/configmaps`,
  object(name, n) {
    const data: Record<string, string> = {};
    for (let k = 0; k < 8; k++) data[`key-${k}`] = `value-${k}-${'x'.repeat(24)}`;
    data['key-0'] = `round-${n}`;
    return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels: { app: 'bench' } }, data };
  },
  strategic: (i) => ({ data: { 'key-1': `strategic-${i}` } }),
  merge: (i) => ({ data: { 'key-2': `merge-${i}` } }),
  changed(object, op) {
    const data = (object.data ?? {}) as Record<string, string>;
    return data[op === 'strategicPatch' ? 'key-1' : op === 'mergePatch' ? 'key-2' : 'key-0'];
  },
  expected: (op, i) => ({ create: 'round-0', applyCreate: 'round-0', applyUpdate: 'round-1', strategicPatch: `strategic-${i}`, mergePatch: `merge-${i}` })[op],
};

/** A Deployment of two containers with env, ports and resources; apply and strategic change one image, merge the replicas. */
const deployments: Workload = {
  collection: (ns) => `/apis/apps/v1/namespaces/${ns}/deployments`,
  object(name, n) {
    const container = (c: string, image: string) => ({
      name: c,
      image,
      ports: [{ containerPort: 8080, name: 'http' }],
      env: [{ name: 'MODE', value: 'bench' }, { name: 'LEVEL', value: 'info' }],
      resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { memory: '128Mi' } },
    });
    return {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, labels: { app: 'bench' } },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: name } },
        template: { metadata: { labels: { app: name } }, spec: { containers: [container('main', `nginx:1.${n}`), container('sidecar', 'busybox:1.36')] } },
      },
    };
  },
  strategic: (i) => ({ spec: { template: { spec: { containers: [{ name: 'sidecar', image: `busybox:s${i}` }] } } } }),
  merge: (i) => ({ spec: { replicas: 2 + (i % 5) } }),
  changed(object, op) {
    const spec = object.spec as { replicas: number; template: { spec: { containers: { image: string }[] } } };
    if (op === 'mergePatch') return spec.replicas;
    return spec.template.spec.containers[op === 'strategicPatch' ? 1 : 0]!.image;
  },
  expected: (op, i) => ({ create: 'nginx:1.0', applyCreate: 'nginx:1.0', applyUpdate: 'nginx:1.1', strategicPatch: `busybox:s${i}`, mergePatch: 2 + (i % 5) })[op],
};

const WORKLOADS: Record<Kind, Workload> = { configmaps: configMaps, deployments };

/** One request of a phase: method, path and body. */
interface WriteRequest {
  method: 'POST' | 'PATCH';
  path: string;
  body: Buffer;
}

/** Runs `requests` writes with `concurrency` keep-alive clients (one socket each), through load.ts. */
function runWrites(endpoint: Endpoint, contentType: string, request: (i: number) => WriteRequest, requests: number, concurrency: number): Promise<LoadResult> {
  if (new URL(endpoint.url).protocol !== 'http:') throw new TypeError('the write benchmark runs over plain HTTP');
  // load.ts asks for the path and the body of one request separately: build each request once.
  let last = -1;
  let current = request(0);
  const at = (i: number) => (i === last ? current : ((last = i), (current = request(i))));
  return runLoad({
    url: endpoint.url,
    method: current.method,
    path: (i) => at(i).path,
    body: (i) => at(i).body,
    contentType,
    headers: { authorization: `Bearer ${endpoint.token}` },
    requests,
    concurrency,
    maxSeconds: 60,
  });
}

/** The next IPC message of the server process carrying `key`. */
function nextMessage<T>(child: ChildProcess, key: 'ready' | 'stats' | 'profiling'): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: Record<string, unknown>) => {
      if (message[key] === undefined) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(message[key] as T);
    };
    const onExit = (code: number | null) => reject(new Error(`server process exited (${code}) before sending ${key}`));
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

function ask<T>(child: ChildProcess, key: 'stats' | 'profiling', message: string | ProfileMessage): Promise<T> {
  const reply = nextMessage<T>(child, key);
  child.send(message);
  return reply;
}

function buffer(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}

/** The request of `op` number `i` for `kind` (objects spread over `namespaces`). */
function requestFor(kind: Kind, op: Operation, i: number, namespaces: number): WriteRequest {
  const w = WORKLOADS[kind];
  const collection = w.collection(`bench-${i % namespaces}`);
  const query = '?fieldManager=bench';
  switch (op) {
    case 'create':
      return { method: 'POST', path: `${collection}${query}`, body: buffer(w.object(`c-${i}`, 0)) };
    case 'applyCreate':
      return { method: 'PATCH', path: `${collection}/a-${i}${query}`, body: buffer(w.object(`a-${i}`, 0)) };
    case 'applyUpdate':
      return { method: 'PATCH', path: `${collection}/a-${i}${query}`, body: buffer(w.object(`a-${i}`, 1)) };
    case 'strategicPatch':
      return { method: 'PATCH', path: `${collection}/c-${i}${query}`, body: buffer(w.strategic(i)) };
    case 'mergePatch':
      return { method: 'PATCH', path: `${collection}/c-${i}${query}`, body: buffer(w.merge(i)) };
  }
}

/** Runs one kind's phases in order (each op writes each object once) and checks the last object of each phase. */
async function benchKind(child: ChildProcess, endpoint: Endpoint, kind: Kind, objects: number, concurrency: number): Promise<KindResult> {
  const namespaces = 5;
  const profileDir = process.env.KUBEMU_BENCH_PROF;
  // Warm-up, not measured: every route and code path of this kind once in a while.
  for (const op of OPERATIONS) {
    const r = await runWrites(endpoint, CONTENT_TYPE[op], (i) => requestFor(kind, op, objects + i, namespaces), 200, concurrency);
    if (r.errors) throw new Error(`warm-up ${kind} ${op}: ${r.firstError}`);
  }
  const runs = {} as Record<Operation, PhaseResult>;
  for (const op of OPERATIONS) {
    if (profileDir) await ask(child, 'profiling', { profile: 'start' });
    const before = await ask<ServerStats>(child, 'stats', 'stats');
    const result = await runWrites(endpoint, CONTENT_TYPE[op], (i) => requestFor(kind, op, i, namespaces), objects, concurrency);
    const after = await ask<ServerStats>(child, 'stats', 'stats');
    if (profileDir) {
      await mkdir(profileDir, { recursive: true });
      const file = join(profileDir, `writes-${kind}-${op}.cpuprofile`);
      await ask(child, 'profiling', { profile: 'stop', file });
      process.stderr.write(`profile written to ${file}\n`);
    }
    const cpuUs = after.cpu.user - before.cpu.user + after.cpu.system - before.cpu.system;
    const sample = objects - 1;
    const name = op === 'applyCreate' || op === 'applyUpdate' ? `a-${sample}` : `c-${sample}`;
    const got = await getOnce({ url: endpoint.url, path: `${WORKLOADS[kind].collection(`bench-${sample % namespaces}`)}/${name}`, headers: { authorization: `Bearer ${endpoint.token}` } });
    const verified = got.status === 200 && JSON.stringify(WORKLOADS[kind].changed(JSON.parse(got.body.toString()) as Record<string, unknown>, op)) === JSON.stringify(WORKLOADS[kind].expected(op, sample));
    runs[op] = { ...result, serverCpuUsPerRequest: round(cpuUs / Math.max(1, result.requests), 0), verified };
    process.stderr.write(`writes ${kind} ${op}: ${result.rps}/s p99 ${result.p99Ms} ms, ${runs[op].serverCpuUsPerRequest} µs CPU/request${result.errors ? `, ${result.errors} errors (${result.firstError})` : ''}${verified ? '' : ', NOT VERIFIED'}\n`);
  }
  const ratio = (a: number, b: number) => (a && b ? round(a / b, 2) : null);
  const vsCreate = Object.fromEntries(
    OPERATIONS.filter((op) => op !== 'create').map((op) => [op, { rps: ratio(runs[op].rps, runs.create.rps), cpu: ratio(runs.create.serverCpuUsPerRequest, runs[op].serverCpuUsPerRequest) }]),
  ) as KindResult['vsCreate'];
  return { objects, runs, vsCreate };
}

/** Runs the write benchmark against a fresh kubemu-memory process; progress goes to stderr. */
export async function benchWrites(options: Partial<WritesBenchOptions> = {}): Promise<WritesBenchResult> {
  const o = { ...DEFAULT_WRITES_OPTIONS, ...options };
  const child = fork(SERVE_MODULE, ['kubemu-memory'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    const endpoint = await nextMessage<Endpoint>(child, 'ready');
    const names = Array.from({ length: 5 }, (_, i) => `bench-${i}`);
    const ns = await runWrites(endpoint, 'application/json', (i) => ({ method: 'POST', path: '/api/v1/namespaces', body: buffer({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: names[i] } }) }), names.length, 1);
    if (ns.errors) throw new Error(`creating namespaces: ${ns.firstError}`);
    const kinds: Partial<Record<Kind, KindResult>> = {};
    for (const kind of (['configmaps', 'deployments'] as const).filter((k) => !o.skip.includes(k))) {
      kinds[kind] = await benchKind(child, endpoint, kind, o.objects[kind], o.concurrency);
    }
    const { memory } = await ask<ServerStats>(child, 'stats', 'stats');
    return { server: 'kubemu-memory (plain HTTP)', concurrency: o.concurrency, kinds, serverRssMB: round(memory.rss / 2 ** 20), serverHeapUsedMB: round(memory.heapUsed / 2 ** 20) };
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    if (child.connected) child.send('close');
    const timer = setTimeout(() => child.kill(), 10_000);
    await exited;
    clearTimeout(timer);
  }
}

/** Kinds left out by `KUBEMU_BENCH_SKIP=writes.configmaps|writes.deployments`. */
export function writesSkipFromEnv(): Partial<WritesBenchOptions> {
  const names = (process.env.KUBEMU_BENCH_SKIP ?? '').split(',').map((s) => s.trim()).filter((n) => n.startsWith('writes.'));
  const skip = names.map((n) => n.slice('writes.'.length));
  const unknown = skip.filter((s) => s !== 'configmaps' && s !== 'deployments');
  if (unknown.length) throw new TypeError(`unknown writes sections ${unknown.join(', ')}; known: configmaps, deployments`);
  return skip.length ? { skip: skip as Kind[] } : {};
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(JSON.stringify(await benchWrites(writesSkipFromEnv()), null, 2));
}
