/**
 * RBAC benchmark: what authorization costs a non-admin user. Two kubemu processes side by side
 * (this module forked as `rbac.ts serve RBAC|AlwaysAllow`: memory storage, plain HTTP, no
 * controllers, a `--token-auth-file` holding one user, `bench-user` in group `bench-group`), each
 * loaded with the same policy: 1,000 RoleBindings over 10 namespaces (900 of a namespaced Role,
 * 100 of a ClusterRole), their 900 Roles and 100 ClusterRoles, subjects mixing users, groups and
 * service accounts. bench-user's rights (get, list, create configmaps) come from one of those
 * RoleBindings only, so every request of the user walks the real decision path (system:masters
 * would short-circuit RBAC and measure nothing). AlwaysAllow is the floor: the same cluster, the
 * same user, no decision. Per operation, 32 keep-alive clients as bench-user:
 *
 *   get    — GET one of 20 ConfigMaps of namespace bench-0 by name (20,000 per mode);
 *   list   — LIST of those 20 ConfigMaps (8,000);
 *   create — POST of a new ConfigMap (~200 bytes) in bench-0 (8,000).
 *
 * Each operation runs in 10 batches per mode, alternating between the two servers, so that both
 * modes share whatever else the (shared) machine does meanwhile; then each server times its own
 * authorizer on bench-user's request attributes (`decisionNs`). Prints JSON: per mode and
 * operation rps (and the lowest and highest batch), p50/p99 and server CPU per request; `cost.<op>`
 * = 1 − RBAC rps / AlwaysAllow rps, the same by CPU per request, and by decision time (the steady
 * one on a loaded machine); the goal is a cost under 10 %. Never asserts.
 *
 * Runs standalone: `node --import tsx test/bench/rbac.ts`. `KUBEMU_BENCH_PROF=<dir>` writes a CPU
 * profile of each server per operation (`<dir>/rbac-<mode>-<op>.cpuprofile`; node:inspector in the
 * server process, so set-up and warm-up are left out).
 * Owns: the RBAC workload. Must not: assert anything.
 */

import { fork, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { round, runLoad, type LoadResult, type LoadSpec } from './load.js';

const MODULE = fileURLToPath(import.meta.url);
const MODES = ['RBAC', 'AlwaysAllow'] as const;
type Mode = (typeof MODES)[number];

const RBAC_API = '/apis/rbac.authorization.k8s.io/v1';
const NAMESPACES = 10;
const BINDINGS = 1000;
/** Every 10th binding references a ClusterRole, the others a Role of their namespace. */
const CLUSTER_ROLE_EVERY = 10;
/** The binding that grants bench-user its rights: a RoleBinding in bench-0 to ClusterRole bench-role-0. */
const USER_BINDING = 0;
const USER_TOKEN = 'bench-user-token';
const CONFIGMAPS = 20;
const CONCURRENCY = 32;
/** Batches per operation and mode, alternating between the modes: both share the machine's moods. */
const BATCHES = 10;
const OPS = { get: 20000, list: 8000, create: 8000 } as const;
type Op = keyof typeof OPS;

interface Endpoint {
  url: string;
  token: string;
}
interface Stats {
  memory: NodeJS.MemoryUsage;
  cpu: NodeJS.CpuUsage;
}

/** One operation in one mode, over all its batches. */
export interface OpResult {
  requests: number;
  seconds: number;
  /** Requests / seconds over all batches. */
  rps: number;
  /** Lowest and highest rps of a single batch: how much the machine moved under the run. */
  batchRps: { min: number; max: number };
  /** Median over the batches of their p50 and p99 latency. */
  p50Ms: number;
  p99Ms: number;
  errors: number;
  serverCpuUsPerRequest: number;
}

/** What `benchRbac` prints. */
export interface RbacBenchResult {
  setup: { namespaces: number; roleBindings: number; roles: number; clusterRoles: number; userBinding: string; setupSeconds: Record<Mode, number> };
  /** Both servers run at once; each operation runs BATCHES batches per mode, alternating between the modes. */
  runs: Record<Mode, Record<Op, OpResult>>;
  /** CPU time of one authorization decision of bench-user's request (the server's authorizer called in a loop), ns. */
  decisionNs: Record<Mode, Record<Op, number>>;
  /**
   * What RBAC costs: `rps` = 1 − RBAC rps / AlwaysAllow rps; `cpu` = 1 − AlwaysAllow / RBAC server
   * CPU per request; `decision` = the extra decision time over AlwaysAllow's CPU per request plus
   * it (single-threaded CPU in a loop: steady on a loaded machine). Goal < 0.10.
   */
  cost: Record<Op, { rps: number; cpu: number; decision: number }>;
  goal: { cost: '< 0.10'; met: boolean; metByDecision: boolean };
}

const rec = (value: unknown): Record<string, unknown> => (typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {});

function nextMessage<T>(child: ChildProcess, key: string, timeoutMs = 60_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server sent no ${key} in ${timeoutMs} ms`)), timeoutMs);
    const onExit = (code: number | null) => reject(new Error(`server exited with ${code}`));
    const onMessage = (message: unknown) => {
      if (!(key in rec(message))) return;
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(rec(message)[key] as T);
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

async function ask<T>(child: ChildProcess, key: string, message: 'stats' | 'decide' | { profile: 'start' | 'stop'; file?: string }): Promise<T> {
  const reply = nextMessage<T>(child, key);
  child.send(message);
  return reply;
}

const stats = (child: ChildProcess): Promise<Stats> => ask<Stats>(child, 'stats', 'stats');

/** Runs a load and fails loudly when any request failed (a wrong fixture would measure 403s). */
async function load(spec: LoadSpec, what: string): Promise<LoadResult> {
  const result = await runLoad(spec);
  if (result.errors) throw new Error(`${what}: ${result.errors} of ${result.requests} requests failed; first: ${result.firstError}`);
  return result;
}

const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));

/** Namespace of binding `i`, and whether it references a ClusterRole. */
function bindingShape(i: number): { ns: string; clusterRole: boolean } {
  return { ns: `bench-${i % NAMESPACES}`, clusterRole: i % CLUSTER_ROLE_EVERY === 0 };
}

/** Subjects of binding `i`: bench-user for USER_BINDING only; other users, groups and service accounts otherwise. */
function subjects(i: number): unknown[] {
  if (i === USER_BINDING) return [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'bench-user' }];
  const { ns } = bindingShape(i);
  return [
    { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: `user-${i}` },
    { kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: `group-${i % 50}` },
    { kind: 'ServiceAccount', name: `sa-${i}`, namespace: ns },
  ];
}

/** The rules of role `i`: the user's grants configmaps; the others a mix of resources and verbs. */
function rules(i: number): unknown[] {
  if (i === USER_BINDING) return [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'create'] }];
  return [
    { apiGroups: [''], resources: ['pods', 'pods/log'], verbs: ['get', 'list', 'watch'] },
    { apiGroups: ['apps'], resources: ['deployments', 'replicasets'], verbs: ['get', 'list', 'update', 'patch'] },
    { apiGroups: [''], resources: ['configmaps'], resourceNames: [`cm-${i}`], verbs: ['get'] },
  ];
}

/** Creates namespaces, roles, bindings and the ConfigMaps as the admin; returns seconds taken. */
async function installPolicy(endpoint: Endpoint): Promise<number> {
  const t0 = performance.now();
  const base = { url: endpoint.url, method: 'POST' as const, headers: { authorization: `Bearer ${endpoint.token}` }, concurrency: 16, maxSeconds: 120 };
  await load({ ...base, requests: NAMESPACES, path: () => '/api/v1/namespaces', body: (i) => json({ metadata: { name: `bench-${i}` } }) }, 'namespaces');
  const clusterRoleIds = Array.from({ length: BINDINGS }, (_, i) => i).filter((i) => bindingShape(i).clusterRole);
  const roleIds = Array.from({ length: BINDINGS }, (_, i) => i).filter((i) => !bindingShape(i).clusterRole);
  await load(
    { ...base, requests: clusterRoleIds.length, path: () => `${RBAC_API}/clusterroles`, body: (k) => json({ metadata: { name: `bench-role-${clusterRoleIds[k]}` }, rules: rules(clusterRoleIds[k]!) }) },
    'clusterroles',
  );
  await load(
    {
      ...base,
      requests: roleIds.length,
      path: (k) => `${RBAC_API}/namespaces/${bindingShape(roleIds[k]!).ns}/roles`,
      body: (k) => json({ metadata: { name: `bench-role-${roleIds[k]}` }, rules: rules(roleIds[k]!) }),
    },
    'roles',
  );
  await load(
    {
      ...base,
      requests: BINDINGS,
      path: (i) => `${RBAC_API}/namespaces/${bindingShape(i).ns}/rolebindings`,
      body: (i) =>
        json({
          metadata: { name: `bench-binding-${i}` },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: bindingShape(i).clusterRole ? 'ClusterRole' : 'Role', name: `bench-role-${i}` },
          subjects: subjects(i),
        }),
    },
    'rolebindings',
  );
  await load(
    { ...base, requests: CONFIGMAPS, path: () => '/api/v1/namespaces/bench-0/configmaps', body: (i) => json({ metadata: { name: `cm-${i}` }, data: { key: 'x'.repeat(100) } }) },
    'configmaps',
  );
  return round((performance.now() - t0) / 1000, 2);
}

/** The three operations as bench-user; `tag` keeps created names apart between phases. */
function specs(endpoint: Endpoint, tag: string): Record<Op, LoadSpec> {
  const base = { url: endpoint.url, headers: { authorization: `Bearer ${USER_TOKEN}` }, concurrency: CONCURRENCY, maxSeconds: 30 };
  return {
    get: { ...base, method: 'GET', requests: OPS.get, path: (i) => `/api/v1/namespaces/bench-0/configmaps/cm-${i % CONFIGMAPS}` },
    list: { ...base, method: 'GET', requests: OPS.list, path: () => '/api/v1/namespaces/bench-0/configmaps?labelSelector=app%3Dbench' },
    create: {
      ...base,
      method: 'POST',
      requests: OPS.create,
      path: () => '/api/v1/namespaces/bench-0/configmaps',
      body: (i) => json({ metadata: { name: `new-${tag}-${i}`, labels: { made: 'bench' } }, data: { key: 'x'.repeat(150) } }),
    },
  };
}

/** A server process of one mode, loaded with the policy and warmed up. */
interface Live {
  mode: Mode;
  child: ChildProcess;
  endpoint: Endpoint;
  setupSeconds: number;
}

async function start(mode: Mode): Promise<Live> {
  const child = fork(MODULE, ['serve', mode], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    const endpoint = await nextMessage<Endpoint>(child, 'ready');
    const setupSeconds = await installPolicy(endpoint);
    // The list selects the 20 fixture ConfigMaps: the creates of the run would otherwise grow it.
    for (let i = 0; i < CONFIGMAPS; i++) {
      const res = await fetch(`${endpoint.url}/api/v1/namespaces/bench-0/configmaps/cm-${i}`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${endpoint.token}`, 'content-type': 'application/merge-patch+json' },
        body: JSON.stringify({ metadata: { labels: { app: 'bench' } } }),
      });
      if (res.status !== 200) throw new Error(`label cm-${i}: ${res.status} ${await res.text()}`);
    }
    const warm = specs(endpoint, 'warm');
    for (const op of Object.keys(OPS) as Op[]) await load({ ...warm[op], requests: Math.min(1000, OPS[op]) }, `warm-up ${mode} ${op}`);
    return { mode, child, endpoint, setupSeconds };
  } catch (err) {
    await stop(child);
    throw err;
  }
}

async function stop(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  if (child.connected) child.send('close');
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
  if (child.exitCode === null) child.kill('SIGKILL');
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/**
 * Starts both servers, then runs each operation in BATCHES batches per mode, alternating
 * (RBAC, AlwaysAllow, AlwaysAllow, RBAC, …) so that both modes share whatever else the machine
 * does during the run; then asks each server for its decision time.
 */
export async function benchRbac(): Promise<RbacBenchResult> {
  const profDir = process.env.KUBEMU_BENCH_PROF;
  if (profDir) await mkdir(profDir, { recursive: true });
  const lives: Live[] = [];
  try {
    for (const mode of MODES) {
      process.stderr.write(`  rbac: starting the ${mode} server and loading its policy…\n`);
      lives.push(await start(mode));
    }
    const runs = {} as Record<Mode, Record<Op, OpResult>>;
    for (const op of Object.keys(OPS) as Op[]) {
      if (profDir) for (const live of lives) await ask(live.child, 'profiling', { profile: 'start' });
      const batches = new Map<Mode, { result: LoadResult; cpuUs: number }[]>(MODES.map((m) => [m, []]));
      for (let k = 0; k < BATCHES; k++) {
        for (const live of k % 2 === 0 ? lives : [...lives].reverse()) {
          const spec = specs(live.endpoint, `b${k}`)[op];
          const before = (await stats(live.child)).cpu;
          const result = await load({ ...spec, requests: Math.ceil(OPS[op] / BATCHES) }, `${live.mode} ${op}`);
          const after = (await stats(live.child)).cpu;
          batches.get(live.mode)!.push({ result, cpuUs: after.user + after.system - before.user - before.system });
        }
      }
      if (profDir) for (const live of lives) await ask(live.child, 'profiling', { profile: 'stop', file: join(profDir, `rbac-${live.mode}-${op}.cpuprofile`) });
      for (const mode of MODES) {
        const list = batches.get(mode)!;
        const requests = list.reduce((n, b) => n + b.result.requests, 0);
        const seconds = list.reduce((n, b) => n + b.result.seconds, 0);
        const errors = list.reduce((n, b) => n + b.result.errors, 0);
        const rpsList = list.map((b) => b.result.rps);
        (runs[mode] ??= {} as Record<Op, OpResult>)[op] = {
          requests,
          seconds: round(seconds, 2),
          rps: round((requests - errors) / seconds, 0),
          batchRps: { min: Math.min(...rpsList), max: Math.max(...rpsList) },
          p50Ms: median(list.map((b) => b.result.p50Ms)),
          p99Ms: median(list.map((b) => b.result.p99Ms)),
          errors,
          serverCpuUsPerRequest: round(list.reduce((n, b) => n + b.cpuUs, 0) / requests, 1),
        };
        process.stderr.write(`    ${mode} ${op}: ${runs[mode][op].rps} rps (batches ${rpsList.join(', ')}), ${runs[mode][op].serverCpuUsPerRequest} µs CPU per request\n`);
      }
    }
    const decisionNs = {} as Record<Mode, Record<Op, number>>;
    for (const live of lives) decisionNs[live.mode] = await ask<Record<Op, number>>(live.child, 'decisionNs', 'decide');
    const cost = {} as RbacBenchResult['cost'];
    for (const op of Object.keys(OPS) as Op[]) {
      const rbac = runs.RBAC[op];
      const allow = runs.AlwaysAllow[op];
      const decisionUs = (decisionNs.RBAC[op] - decisionNs.AlwaysAllow[op]) / 1000;
      cost[op] = {
        rps: round(1 - rbac.rps / allow.rps, 3),
        cpu: round(1 - allow.serverCpuUsPerRequest / rbac.serverCpuUsPerRequest, 3),
        decision: round(decisionUs / (allow.serverCpuUsPerRequest + decisionUs), 3),
      };
    }
    const clusterRoles = Math.ceil(BINDINGS / CLUSTER_ROLE_EVERY);
    return {
      setup: {
        namespaces: NAMESPACES,
        roleBindings: BINDINGS,
        roles: BINDINGS - clusterRoles,
        clusterRoles,
        userBinding: `RoleBinding bench-0/bench-binding-${USER_BINDING} of ClusterRole bench-role-${USER_BINDING} to User bench-user`,
        setupSeconds: Object.fromEntries(lives.map((l) => [l.mode, l.setupSeconds])) as Record<Mode, number>,
      },
      runs,
      decisionNs,
      cost,
      goal: { cost: '< 0.10', met: Object.values(cost).every((c) => c.rps < 0.1), metByDecision: Object.values(cost).every((c) => c.decision < 0.1) },
    };
  } finally {
    await Promise.all(lives.map((live) => stop(live.child)));
  }
}

/** The requests of each operation as bench-user sends them (method, URL), for the decision timing. */
const DECIDED: Record<Op, [method: string, url: string]> = {
  get: ['GET', '/api/v1/namespaces/bench-0/configmaps/cm-0'],
  list: ['GET', '/api/v1/namespaces/bench-0/configmaps?labelSelector=app%3Dbench'],
  create: ['POST', '/api/v1/namespaces/bench-0/configmaps'],
};
const DECISIONS = 200_000;

/**
 * Child mode: kubemu (`buildServer` + `listen`, as `startKubemu` composes them) with
 * `--authorization-mode mode` and a token file holding bench-user. Besides `stats`, `close` and
 * `profile`, it answers `decide` with the CPU time of one authorization decision per operation
 * (the server's own authorizer, DECISIONS calls on bench-user's attributes): on one thread with
 * nothing else running, so it holds on a loaded machine where throughput does not.
 */
async function serve(mode: Mode): Promise<void> {
  const { buildServer } = await import('../../src/server.js');
  const { listen } = await import('../../src/cli/listen.js');
  const { withDefaults } = await import('../../src/cli/config.js');
  const { requestAttributes } = await import('../../src/auth/rbac/attributes.js');
  const dir = await mkdtemp(join(tmpdir(), 'kubemu-bench-rbac-'));
  const tokenAuthFile = join(dir, 'tokens.csv');
  await writeFile(tokenAuthFile, `${USER_TOKEN},bench-user,bench-uid,"bench-group"\n`);
  const config = withDefaults({ storage: 'memory', port: 0, tls: false, controllers: false, authorizationMode: mode, tokenAuthFile });
  const server = await buildServer(config);
  const { url } = await listen(server, config, null);
  const user = { name: 'bench-user', uid: 'bench-uid', groups: ['bench-group', 'system:authenticated'] };
  const decide = (): Record<Op, number> => {
    const out = {} as Record<Op, number>;
    for (const op of Object.keys(DECIDED) as Op[]) {
      const attributes = requestAttributes(user, ...DECIDED[op]);
      const authorizer = server.authorization.authorizer;
      let allowed = 0;
      const t0 = process.cpuUsage();
      for (let i = 0; i < DECISIONS; i++) if (authorizer.authorize(attributes).decision === 'allow') allowed++;
      const cpu = process.cpuUsage(t0);
      if (allowed !== DECISIONS) throw new Error(`${mode}: ${op} of bench-user not allowed (${allowed} of ${DECISIONS})`);
      out[op] = round(((cpu.user + cpu.system) / DECISIONS) * 1000, 0);
    }
    return out;
  };
  const close = () => void server.close().finally(() => rm(dir, { recursive: true, force: true }).finally(() => process.exit(0)));
  const { profileMessages } = await import('./profiler.js');
  const onProfile = profileMessages();
  process.on('message', async (message: unknown) => {
    if (message === 'stats') process.send!({ stats: { memory: process.memoryUsage(), cpu: process.cpuUsage() } });
    if (message === 'close') close();
    if (message === 'decide') process.send!({ decisionNs: decide() });
    await onProfile(message);
  });
  process.on('disconnect', close);
  process.send!({ ready: { url, token: server.adminToken } });
}

if (process.argv[1] === MODULE && process.argv[2] === 'serve' && process.send) await serve(process.argv[3] as Mode);
else if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(JSON.stringify(await benchRbac(), null, 2));
  process.exit(0);
}
