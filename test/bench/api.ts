/**
 * API benchmark: create, get and list throughput of ConfigMaps with 64 concurrent keep-alive
 * clients against kubemu (memory storage, level storage with durable writes, memory over TLS)
 * and, in the same run, against the fastify floors of `floor.ts` (in memory; durable with one
 * synced LevelDB put per create). Each server runs in its own process (`serve.ts`) so the load
 * generator does not share its event loop. Prints per operation the rps of every server and the
 * ratios kubemu/floor, in throughput and in server CPU per request. Environment:
 * `KUBEMU_BENCH_TARGETS=a,b` runs only those servers; `KUBEMU_BENCH_PROF=<dir>` writes a CPU
 * profile of each server per operation (see profile-summary.ts). Not a test. Runs standalone: `node --import tsx test/bench/api.ts`.
 * Owns: the API workload and its ratios. Must not: assert anything.
 */

import { fork, type ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { getOnce, runLoad, round, type LoadResult, type LoadSpec } from './load.js';
import { SERVE_MODULE, TARGETS, type Endpoint, type ProfileMessage, type ServerStats, type Target } from './serve.js';

/** Sizes of one API benchmark run (and which servers it runs against). */
export interface ApiBenchOptions {
  creates: number;
  gets: number;
  lists: number;
  /** Objects per namespace, i.e. items per list. */
  itemsPerList: number;
  concurrency: number;
  targets: readonly Target[];
}

/** The default sizes: about 25–35 s on two cores. */
export const DEFAULT_API_OPTIONS: ApiBenchOptions = {
  creates: 5000,
  gets: 10000,
  lists: 200,
  itemsPerList: 1000,
  concurrency: 64,
  targets: ['ceiling', 'floor-memory', 'floor-level', 'kubemu-memory', 'kubemu-level', 'kubemu-memory-tls'],
};

/** The measured operations. */
export type Operation = 'create' | 'get' | 'list';
/** A load result plus the server process's CPU time per request during the run. */
export type PhaseResult = LoadResult & { serverCpuUsPerRequest: number };
/** Everything measured against one target. */
export type TargetRun = Record<Operation, PhaseResult> & { itemsPerList: number; serverRssMB: number; serverHeapUsedMB: number };

interface ChildMessage {
  ready?: Endpoint;
  stats?: ServerStats;
  profiling?: string;
}

/** A ~400-byte ConfigMap, as small application configs are. */
function configMap(name: string): Buffer {
  const data: Record<string, string> = {};
  for (let k = 0; k < 8; k++) data[`key-${k}`] = `value-${k}-${'x'.repeat(24)}`;
  return Buffer.from(JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels: { app: 'bench' } }, data }));
}

function namespaceBody(name: string): Buffer {
  return Buffer.from(JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }));
}

/** Waits for the next IPC message carrying `key`. */
function nextMessage<K extends keyof ChildMessage>(child: ChildProcess, key: K): Promise<NonNullable<ChildMessage[K]>> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: ChildMessage) => {
      if (message[key] === undefined) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(message[key]!);
    };
    const onExit = (code: number | null) => reject(new Error(`server process exited (${code}) before sending ${key}`));
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

/** Asks the server process for its memory and CPU figures. */
function serverStats(child: ChildProcess): Promise<ServerStats> {
  const reply = nextMessage(child, 'stats');
  child.send('stats');
  return reply;
}

/** Sends `message` and waits for the `profiling` answer. */
function profiling(child: ChildProcess, message: ProfileMessage): Promise<string> {
  const reply = nextMessage(child, 'profiling');
  child.send(message);
  return reply;
}

/**
 * Runs one measured load and charges the server's CPU time to its requests. With
 * `KUBEMU_BENCH_PROF=<dir>` the server also writes `<dir>/<name>.cpuprofile` for this phase.
 */
async function phase(child: ChildProcess, name: string, spec: LoadSpec): Promise<PhaseResult> {
  const profileDir = process.env.KUBEMU_BENCH_PROF;
  if (profileDir) await profiling(child, { profile: 'start' });
  const before = await serverStats(child);
  const result = await runLoad(spec);
  const after = await serverStats(child);
  if (profileDir) {
    await mkdir(profileDir, { recursive: true });
    const file = join(profileDir, `${name}.cpuprofile`);
    await profiling(child, { profile: 'stop', file });
    process.stderr.write(`profile written to ${file}\n`);
  }
  const cpuUs = after.cpu.user - before.cpu.user + after.cpu.system - before.cpu.system;
  return { ...result, serverCpuUsPerRequest: round(cpuUs / Math.max(1, result.requests), 0) };
}

/** Runs the whole workload against one target in a fresh server process. */
async function benchTarget(target: Target, o: ApiBenchOptions): Promise<TargetRun> {
  const child = fork(SERVE_MODULE, [target], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    const endpoint = await nextMessage(child, 'ready');
    const base = { url: endpoint.url, headers: { authorization: `Bearer ${endpoint.token}` }, concurrency: o.concurrency, ...(endpoint.caCert ? { ca: endpoint.caCert } : {}) };
    const namespaces = Math.max(1, Math.ceil(o.creates / o.itemsPerList));
    const ns = (i: number) => `bench-${i % namespaces}`;
    const nsNames = ['warmup', ...Array.from({ length: namespaces }, (_, i) => `bench-${i}`)];
    await runLoad({ ...base, method: 'POST', path: () => '/api/v1/namespaces', body: (i) => namespaceBody(nsNames[i]!), requests: nsNames.length, concurrency: 1 });

    // Warm-up (not measured): the JIT sees every route before the clock starts.
    await runLoad({ ...base, method: 'POST', path: () => '/api/v1/namespaces/warmup/configmaps', body: (i) => configMap(`w-${i}`), requests: 500 });
    await runLoad({ ...base, method: 'GET', path: (i) => `/api/v1/namespaces/warmup/configmaps/w-${i % 500}`, requests: 1000 });
    await runLoad({ ...base, method: 'GET', path: () => '/api/v1/namespaces/warmup/configmaps', requests: 20 });

    const create = await phase(child, `${target}-create`, { ...base, method: 'POST', path: (i) => `/api/v1/namespaces/${ns(i)}/configmaps`, body: (i) => configMap(`cm-${i}`), requests: o.creates });
    const get = await phase(child, `${target}-get`, { ...base, method: 'GET', path: (i) => `/api/v1/namespaces/${ns(i % o.creates)}/configmaps/cm-${i % o.creates}`, requests: o.gets });
    const sample = await getOnce({ ...base, path: `/api/v1/namespaces/${ns(0)}/configmaps` });
    const itemsPerList = sample.status === 200 ? (JSON.parse(sample.body.toString()) as { items: unknown[] }).items.length : -sample.status;
    const list = await phase(child, `${target}-list`, { ...base, method: 'GET', path: (i) => `/api/v1/namespaces/${ns(i)}/configmaps`, requests: o.lists });

    const { memory } = await serverStats(child);
    return { create, get, list, itemsPerList, serverRssMB: round(memory.rss / 2 ** 20), serverHeapUsedMB: round(memory.heapUsed / 2 ** 20) };
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    if (child.connected) child.send('close');
    const timer = setTimeout(() => child.kill(), 10_000);
    await exited;
    clearTimeout(timer);
  }
}

function ratio(a: number | undefined, b: number | undefined): number | null {
  return a && b ? round(a / b, 2) : null;
}

/** Per operation: figures by target, ratios by pair (null when a target did not run). */
export type OperationSummary = {
  rps: Record<string, number | undefined>;
  serverCpuUsPerRequest: Record<string, number | undefined>;
  rpsRatio: Record<string, number | null>;
  cpuRatio: Record<string, number | null>;
};

/** What {@link benchApi} returns. */
export type ApiBenchResult = Omit<ApiBenchOptions, 'targets'> & {
  summary: Record<Operation, OperationSummary>;
  runs: Partial<Record<Target, TargetRun>>;
};

/** kubemu/floor pairs: [name, kubemu target, the target it is compared with]. */
const PAIRS: readonly [string, Target, Target][] = [
  ['memoryVsFloorMemory', 'kubemu-memory', 'floor-memory'],
  ['levelVsFloorLevel', 'kubemu-level', 'floor-level'],
  ['levelVsFloorMemory', 'kubemu-level', 'floor-memory'],
  ['tlsVsPlain', 'kubemu-memory-tls', 'kubemu-memory'],
];

/**
 * Per operation: rps and server CPU µs per request of every target, and for each pair
 * `rpsRatio` = kubemu rps / floor rps and `cpuRatio` = floor CPU / kubemu CPU per request (both
 * read "kubemu reaches this fraction of the floor"; the CPU one is immune to a client-bound run).
 */
function summarize(runs: Partial<Record<Target, TargetRun>>): Record<Operation, OperationSummary> {
  const summary = {} as Record<Operation, OperationSummary>;
  for (const op of ['create', 'get', 'list'] as const) {
    const present = Object.keys(runs) as Target[];
    const rps = (t: Target) => runs[t]?.[op].rps;
    const cpu = (t: Target) => runs[t]?.[op].serverCpuUsPerRequest;
    summary[op] = {
      rps: Object.fromEntries(present.map((t) => [t, rps(t)])),
      serverCpuUsPerRequest: Object.fromEntries(present.map((t) => [t, cpu(t)])),
      rpsRatio: Object.fromEntries(PAIRS.map(([name, k, f]) => [name, ratio(rps(k), rps(f))])),
      cpuRatio: Object.fromEntries(PAIRS.map(([name, k, f]) => [name, ratio(cpu(f), cpu(k))])),
    };
  }
  return summary;
}

/** Runs the API benchmark against every target in turn; progress goes to stderr. */
export async function benchApi(options: Partial<ApiBenchOptions> = {}): Promise<ApiBenchResult> {
  const o = { ...DEFAULT_API_OPTIONS, ...options };
  const runs: Partial<Record<Target, TargetRun>> = {};
  for (const target of o.targets) {
    const t0 = performance.now();
    runs[target] = await benchTarget(target, o);
    const r = runs[target]!;
    process.stderr.write(`api ${target}: create ${r.create.rps}/s get ${r.get.rps}/s list ${r.list.rps}/s (${round((performance.now() - t0) / 1000)} s)\n`);
  }
  const { targets: _targets, ...sizes } = o;
  return { ...sizes, summary: summarize(runs), runs };
}

/** Targets named in `KUBEMU_BENCH_TARGETS` (comma-separated), or all by default. */
export function targetsFromEnv(): Partial<ApiBenchOptions> {
  const names = process.env.KUBEMU_BENCH_TARGETS?.split(',').map((t) => t.trim()).filter(Boolean);
  if (!names?.length) return {};
  const unknown = names.filter((t) => !TARGETS.includes(t as Target));
  if (unknown.length) throw new TypeError(`unknown targets ${unknown.join(', ')}; known: ${TARGETS.join(', ')}`);
  return { targets: names as Target[] };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(JSON.stringify(await benchApi(targetsFromEnv()), null, 2));
}
