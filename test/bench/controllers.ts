/**
 * Controller benchmark: how fast kubemu's built-in controllers (Deployment → ReplicaSet → Pods,
 * scheduler, simulated kubelet) take Deployments from create to every pod Running and every
 * Deployment Available (`status.availableReplicas == replicas`, condition Available True).
 * Scenarios: `controllers.1k` (one Deployment of 1,000 replicas, goal < 5 s) and
 * `controllers.10k` (100 Deployments × 100 replicas, goal < 30 s); goals are reported, never
 * asserted. Each runs in a fresh kubemu child process (this module forked as
 * `controllers.ts serve <nodes>`: memory storage, plain HTTP, `nodes` simulated nodes of 110
 * pods each) while this process observes through three watches (deployments, replicasets, pods)
 * and records the time of each milestone, while a probe GETs a namespace every 100 ms (client-side
 * latency) and the server samples its own event-loop delay. The floor, in the same run: the same pods written
 * straight over HTTP by 64 clients (create, `pods/binding`, status Running) against a server
 * with `nodes: 0`, i.e. the pod writes the pipeline cannot avoid, without controllers; both
 * servers use memory storage. The floor pays HTTP and JSON for every write, the controllers do
 * not (in-process client), but they also write events and ReplicaSet/Deployment status, and
 * serve the three observing watches. `KUBEMU_BENCH_SKIP=controllers.1k|controllers.10k|controllers.floor` leaves a part
 * out; `KUBEMU_BENCH_PROF=<dir>` writes `<dir>/controllers-<scenario>.cpuprofile`.
 * Runs standalone: `node --import tsx test/bench/controllers.ts`.
 * Owns: the controller workload and its milestones. Must not: assert anything.
 */

import { fork, type ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { httpJson, watchLines, type Endpoint } from './controllers-http.js';

const MODULE = fileURLToPath(import.meta.url);
const NS = 'bench';

/** One scenario: `deployments` Deployments of `replicas` each. */
export interface Scenario {
  name: '1k' | '10k';
  deployments: number;
  replicas: number;
  /** Goal for create → all Available, ms (reported only). */
  goalMs: number;
}

/** The scenarios of the issue. */
export const SCENARIOS: readonly Scenario[] = [
  { name: '1k', deployments: 1, replicas: 1000, goalMs: 5000 },
  { name: '10k', deployments: 100, replicas: 100, goalMs: 30000 },
];

/** Time from the first create to each milestone, ms (null: not reached before the deadline). */
export interface Milestones {
  rsCreated: number | null;
  podsCreated: number | null;
  podsScheduled: number | null;
  podsRunning: number | null;
  available: number | null;
}

/** What one scenario reports. */
export interface ScenarioResult {
  deployments: number;
  replicasPerDeployment: number;
  pods: number;
  nodes: number;
  wallMs: number | null;
  milestonesMs: Milestones;
  /** CPU of the server process (all threads) from first create to Available. */
  serverCpuMs: number;
  /** serverCpuMs / wallMs: 1.0 = one core busy all along. */
  serverCores: number | null;
  serverRssMB: number;
  watchEvents: number;
  /** Until the last Deployment POST was answered (null: not within the deadline). */
  createsAnsweredMs: number | null;
  /** Why a Deployment POST failed, if one did. */
  createError?: string;
  /** GET /api/v1/namespaces/default every 100 ms during the run: how long the API kept a client waiting (p50, p99, max). */
  apiProbe: { requests: number; maxMs: number; p50Ms: number; p99Ms: number };
  /** The server's event-loop delay during the run (perf_hooks, 10 ms resolution): what the controllers cost the API. */
  serverLoopDelayMs: LoopDelay;
  goal: string;
  met: boolean;
  /** The floor: the same pod writes over HTTP without controllers. */
  floor?: { writes: number; wallMs: number; serverCpuMs: number; errors: number };
  /** floor wallMs / wallMs and floor CPU / CPU (1.0 = as cheap as the bare writes). */
  vsFloor?: { wall: number; cpu: number };
}

/** What {@link benchControllers} returns. */
export type ControllersBenchResult = Partial<Record<Scenario['name'], ScenarioResult | { error: string }>>;

type Rec = Record<string, unknown>;
const rec = (v: unknown): Rec => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Rec) : {});
const round = (n: number): number => Math.round(n * 10) / 10;

/** Event-loop delay of the server since the previous stats, ms. */
interface LoopDelay { p50: number; p99: number; max: number }

interface Stats { memory: NodeJS.MemoryUsage; cpu: NodeJS.CpuUsage; loopDelay: LoopDelay }

/** Forks a server with `nodes` simulated nodes; resolves once it listens. */
async function startServer(nodes: number): Promise<{ child: ChildProcess; endpoint: Endpoint }> {
  const child = fork(MODULE, ['serve', String(nodes)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const endpoint = await nextMessage<Endpoint>(child, 'ready', 60_000);
  return { child, endpoint };
}

function nextMessage<T>(child: ChildProcess, key: string, timeoutMs = 30_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server sent no ${key} in ${timeoutMs} ms`)), timeoutMs);
    const onMessage = (message: unknown) => {
      if (key in rec(message)) {
        clearTimeout(timer);
        child.off('message', onMessage);
        resolve(rec(message)[key] as T);
      }
    };
    child.on('message', onMessage);
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
}

async function ask<T>(child: ChildProcess, key: string, message: unknown): Promise<T> {
  const reply = nextMessage<T>(child, key, 120_000);
  child.send(message as string);
  return reply;
}

async function stop(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.send('close');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
  if (child.exitCode === null) child.kill('SIGKILL');
}

/** Waits until `count` Nodes are Ready (the node controller creates them after start). */
async function nodesReady(endpoint: Endpoint, count: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const list = rec(await httpJson(endpoint, 'GET', '/api/v1/nodes'));
    const items = Array.isArray(list.items) ? list.items.map(rec) : [];
    const ready = items.filter((n) => (rec(n.status).conditions as Rec[] | undefined)?.some((c) => c.type === 'Ready' && c.status === 'True'));
    if (ready.length >= count) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${count} nodes not Ready within 60 s`);
}

function deployment(name: string, replicas: number): Rec {
  const labels = { app: name };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: NS },
    spec: { replicas, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'app', image: 'nginx:1.25' }] } } },
  };
}

/** Tracks milestones from watch events. */
class Observer {
  readonly at: Milestones = { rsCreated: null, podsCreated: null, podsScheduled: null, podsRunning: null, available: null };
  readonly #created = new Set<string>();
  readonly #scheduled = new Set<string>();
  readonly #running = new Set<string>();
  readonly #available = new Set<string>();
  events = 0;
  #done!: () => void;
  readonly done = new Promise<void>((resolve) => (this.#done = resolve));

  /** When the first create was sent (performance.now()). */
  t0 = performance.now();

  constructor(readonly pods: number, readonly deployments: number) {}

  #mark(name: keyof Milestones, reached: boolean): void {
    if (reached && this.at[name] === null) this.at[name] = round(performance.now() - this.t0);
  }

  onEvent(kind: string, line: Rec): void {
    this.events++;
    const obj = rec(line.object);
    const name = String(rec(obj.metadata).name);
    if (kind === 'replicasets') this.#mark('rsCreated', true);
    if (kind === 'pods' && line.type !== 'DELETED') {
      this.#created.add(name);
      if (rec(obj.spec).nodeName) this.#scheduled.add(name);
      if (rec(obj.status).phase === 'Running') this.#running.add(name);
      this.#mark('podsCreated', this.#created.size >= this.pods);
      this.#mark('podsScheduled', this.#scheduled.size >= this.pods);
      this.#mark('podsRunning', this.#running.size >= this.pods);
    }
    if (kind === 'deployments') {
      const status = rec(obj.status);
      const want = Number(rec(obj.spec).replicas);
      const available = (status.conditions as Rec[] | undefined)?.some((c) => c.type === 'Available' && c.status === 'True');
      if (status.availableReplicas === want && available) this.#available.add(name);
      else this.#available.delete(name);
      this.#mark('available', this.#available.size >= this.deployments);
    }
    if (this.at.available !== null && this.at.podsRunning !== null) this.#done();
  }
}

async function runScenario(scenario: Scenario, profDir: string | undefined, withFloor: boolean): Promise<ScenarioResult> {
  const pods = scenario.deployments * scenario.replicas;
  const nodes = Math.ceil(pods / 100);
  const { child, endpoint } = await startServer(nodes);
  try {
    await nodesReady(endpoint, nodes);
    await httpJson(endpoint, 'POST', '/api/v1/namespaces', { metadata: { name: NS } });
    const watches = [];
    const observer = new Observer(pods, scenario.deployments);
    for (const [kind, path] of [['deployments', `/apis/apps/v1/namespaces/${NS}/deployments`], ['replicasets', `/apis/apps/v1/namespaces/${NS}/replicasets`], ['pods', `/api/v1/namespaces/${NS}/pods`]] as const) {
      const rv = String(rec(rec(await httpJson(endpoint, 'GET', path)).metadata).resourceVersion);
      watches.push(watchLines(endpoint, `${path}?watch=true&resourceVersion=${rv}`, (line) => observer.onEvent(kind, line)));
    }
    if (profDir) await ask(child, 'profiling', { profile: 'start' });
    const cpu0 = (await ask<Stats>(child, 'stats', 'stats')).cpu;
    const start = performance.now();
    observer.t0 = start;
    const timeout = Math.max(60_000, scenario.goalMs * 6);
    const post = (i: number) => httpJson(endpoint, 'POST', `/apis/apps/v1/namespaces/${NS}/deployments`, deployment(`d-${i}`, scenario.replicas), timeout);
    let createsAnsweredMs: number | null = null;
    let createError: string | undefined;
    const creates = Promise.all(Array.from({ length: scenario.deployments }, (_, i) => post(i))).then(
      () => void (createsAnsweredMs = round(performance.now() - start)),
      (err: Error) => void (createError = err.message),
    );
    const deadline = new Promise((r) => setTimeout(r, timeout));
    const probe = probeApi(endpoint, Promise.race([observer.done, deadline]));
    await Promise.race([Promise.all([observer.done, creates]), deadline]);
    const apiProbe = await probe;
    const wall = performance.now() - start;
    const stats = await ask<Stats>(child, 'stats', 'stats');
    if (profDir) await ask(child, 'profiling', { profile: 'stop', file: join(profDir, `controllers-${scenario.name}.cpuprofile`) });
    for (const w of watches) w.close();
    const serverCpuMs = round((stats.cpu.user + stats.cpu.system - cpu0.user - cpu0.system) / 1000);
    const wallMs = observer.at.available !== null ? round(Math.max(observer.at.available, observer.at.podsRunning ?? 0)) : null;
    const result: ScenarioResult = {
      deployments: scenario.deployments,
      replicasPerDeployment: scenario.replicas,
      pods,
      nodes,
      wallMs,
      milestonesMs: observer.at,
      serverCpuMs,
      serverCores: wallMs ? round((serverCpuMs / wall) * 100) / 100 : null,
      serverRssMB: Math.round(stats.memory.rss / 2 ** 20),
      watchEvents: observer.events,
      createsAnsweredMs,
      ...(createError ? { createError } : {}),
      apiProbe,
      serverLoopDelayMs: stats.loopDelay,
      goal: `< ${scenario.goalMs} ms`,
      met: wallMs !== null && wallMs < scenario.goalMs,
    };
    if (withFloor) {
      const floor = await runFloor(pods);
      result.floor = floor;
      if (wallMs) result.vsFloor = { wall: round((floor.wallMs / wallMs) * 100) / 100, cpu: round((floor.serverCpuMs / serverCpuMs) * 100) / 100 };
    }
    return result;
  } finally {
    await stop(child);
  }
}

/** Sends one GET at a time, 100 ms apart, until `until` settles; latency of each. */
async function probeApi(endpoint: Endpoint, until: Promise<unknown>): Promise<ScenarioResult['apiProbe']> {
  let done = false;
  void until.then(() => (done = true));
  const latencies: number[] = [];
  while (!done) {
    const t = performance.now();
    await httpJson(endpoint, 'GET', '/api/v1/namespaces/default').catch(() => undefined);
    latencies.push(performance.now() - t);
    await new Promise((r) => setTimeout(r, 100));
  }
  latencies.sort((a, b) => a - b);
  const at = (q: number) => round(latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * q))] ?? 0);
  return { requests: latencies.length, maxMs: round(latencies.at(-1) ?? 0), p50Ms: at(0.5), p99Ms: at(0.99) };
}

/** The floor: `pods` pods created, bound, scheduled and run by plain HTTP writes, no controllers. */
async function runFloor(pods: number): Promise<{ writes: number; wallMs: number; serverCpuMs: number; errors: number }> {
  const { child, endpoint } = await startServer(0);
  try {
    await httpJson(endpoint, 'POST', '/api/v1/namespaces', { metadata: { name: NS } });
    const cpu0 = (await ask<Stats>(child, 'stats', 'stats')).cpu;
    const t0 = performance.now();
    let next = 0;
    let errors = 0;
    const base = `/api/v1/namespaces/${NS}/pods`;
    const at = new Date().toISOString().slice(0, 19) + 'Z';
    const worker = async () => {
      for (let i = next++; i < pods; i = next++) {
        const name = `p-${i}`;
        try {
          await httpJson(endpoint, 'POST', base, { metadata: { name, labels: { app: 'floor' } }, spec: { containers: [{ name: 'app', image: 'nginx:1.25' }] } });
          // As the scheduler binds: spec.nodeName and PodScheduled in one write.
          await httpJson(endpoint, 'POST', `${base}/${name}/binding`, { apiVersion: 'v1', kind: 'Binding', metadata: { name }, target: { kind: 'Node', name: 'floor-node' } });
          const ready = ['Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map((type) => ({ type, status: 'True', lastTransitionTime: at }));
          await httpJson(endpoint, 'PATCH', `${base}/${name}/status`, { status: { phase: 'Running', podIP: '10.0.0.1', startTime: at, conditions: ready } });
        } catch {
          errors++;
        }
      }
    };
    await Promise.all(Array.from({ length: 64 }, worker));
    const wallMs = round(performance.now() - t0);
    const stats = await ask<Stats>(child, 'stats', 'stats');
    return { writes: pods * 3, wallMs, serverCpuMs: round((stats.cpu.user + stats.cpu.system - cpu0.user - cpu0.system) / 1000), errors };
  } finally {
    await stop(child);
  }
}

/** Which parts `KUBEMU_BENCH_SKIP` leaves out (`controllers.1k`, `controllers.10k`, `controllers.floor`). */
export function controllersSkipFromEnv(): string[] {
  return (process.env.KUBEMU_BENCH_SKIP ?? '').split(',').map((s) => s.trim()).filter((s) => s.startsWith('controllers.')).map((s) => s.slice('controllers.'.length));
}

/** Runs every scenario not in `skip`, each in a fresh server process. */
export async function benchControllers(skip: string[] = []): Promise<ControllersBenchResult> {
  const profDir = process.env.KUBEMU_BENCH_PROF;
  if (profDir) await mkdir(profDir, { recursive: true });
  const result: ControllersBenchResult = {};
  for (const scenario of SCENARIOS) {
    if (skip.includes(scenario.name)) continue;
    process.stderr.write(`  controllers ${scenario.name}…\n`);
    try {
      result[scenario.name] = await runScenario(scenario, profDir, !skip.includes('floor'));
    } catch (err) {
      result[scenario.name] = { error: (err as Error).stack ?? String(err) };
    }
  }
  return result;
}

/** Child mode: kubemu with `nodes` simulated nodes, IPC as serve.ts (stats, profile, close). */
async function serve(nodes: number): Promise<void> {
  const { startKubemu } = await import('../../src/index.js');
  const { profileMessages } = await import('./profiler.js');
  const kubemu = await startKubemu({ storage: 'memory', tls: false, nodes });
  const { monitorEventLoopDelay } = await import('node:perf_hooks');
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const ms = (ns: number) => round(ns / 1e6);
  const onProfile = profileMessages();
  process.on('message', async (message: unknown) => {
    if (message === 'stats') {
      const loopDelay = { p50: ms(delay.percentile(50)), p99: ms(delay.percentile(99)), max: ms(delay.max) };
      delay.reset();
      process.send!({ stats: { memory: process.memoryUsage(), cpu: process.cpuUsage(), loopDelay } });
    }
    if (message === 'close') void kubemu.close().finally(() => process.exit(0));
    await onProfile(message);
  });
  process.on('disconnect', () => void kubemu.close().finally(() => process.exit(0)));
  process.send!({ ready: { url: kubemu.url, token: kubemu.token } });
}

if (process.argv[1] === MODULE && process.argv[2] === 'serve' && process.send) await serve(Number(process.argv[3]));
else if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const skip = controllersSkipFromEnv();
  console.log(JSON.stringify(await benchControllers(skip), null, 2));
  process.exit(0);
}
