/**
 * RBAC benchmark: what authorization costs a non-admin user. Two kubemu processes in turn (this
 * module forked as `rbac.ts serve RBAC|AlwaysAllow`: memory storage, plain HTTP, no controllers,
 * a `--token-auth-file` holding one user, `bench-user` in group `bench-group`), each loaded with
 * the same policy: 1,000 RoleBindings over 10 namespaces (900 of a namespaced Role, 100 of a
 * ClusterRole), their 900 Roles and 100 ClusterRoles, subjects mixing users, groups and service
 * accounts. bench-user's rights (get, list, create configmaps) come from one of those
 * RoleBindings only, so every request of the user walks the real decision path (system:masters
 * would short-circuit RBAC and measure nothing). AlwaysAllow is the floor: the same cluster, the
 * same user, no decision. Per mode and operation, 32 keep-alive clients as bench-user:
 *
 *   get    — GET one of 20 ConfigMaps of namespace bench-0 by name;
 *   list   — LIST of those 20 ConfigMaps;
 *   create — POST of a new ConfigMap (~200 bytes) in bench-0.
 *
 * Each mode runs three times, alternating (RBAC, AlwaysAllow, RBAC, …), and the best run of each
 * operation is kept, so that one neighbour's burst on the shared machine does not decide the
 * ratio; then each server times its own authorizer on bench-user's request attributes
 * (`decisionNs`). Prints JSON: per mode and operation rps, p50/p99 and server CPU per request;
 * `cost.<op>` = 1 − RBAC rps / AlwaysAllow rps, the same by CPU per request, and by decision time
 * (the steady one on a loaded machine); the goal is a cost under 10 %. Never asserts.
 *
 * Runs standalone: `node --import tsx test/bench/rbac.ts`. `KUBEMU_BENCH_PROF=<dir>` writes a CPU
 * profile of the server per measured phase (`<dir>/rbac-<mode>-<run>-<op>.cpuprofile`; node:inspector
 * in the server process, so set-up and warm-up are left out).
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
/** Runs per mode; on a shared machine a neighbour's burst hits one run, rarely all. */
const ROUNDS = 3;
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

/** One operation of one run. */
export interface OpResult extends LoadResult {
  serverCpuUsPerRequest: number;
}

/** What `benchRbac` prints. */
export interface RbacBenchResult {
  setup: { namespaces: number; roleBindings: number; roles: number; clusterRoles: number; userBinding: string; setupSeconds: Record<Mode, number> };
  /** The best (highest rps) of the runs of each mode, per operation. */
  runs: Record<Mode, Record<Op, OpResult>>;
  /** CPU time of one authorization decision of bench-user's request (the server's authorizer called in a loop), ns; best of the runs. */
  decisionNs: Record<Mode, Record<Op, number>>;
  /**
   * What RBAC costs, three ways: `rps` = 1 − RBAC rps / AlwaysAllow rps; `cpu` = 1 − AlwaysAllow /
   * RBAC server CPU per request (both move by ±20 % on a loaded shared machine); `decision` = the
   * extra decision time over AlwaysAllow's CPU per request plus it (steady: single-threaded CPU).
   * Goal < 0.10.
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

/** One mode in a fresh server process: policy, warm-up, then each operation measured. */
async function runMode(mode: Mode, round_: number, profDir: string | undefined): Promise<{ setupSeconds: number; ops: Record<Op, OpResult>; decisionNs: Record<Op, number> }> {
  const child = fork(MODULE, ['serve', mode], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    const endpoint = await nextMessage<Endpoint>(child, 'ready');
    const setupSeconds = await installPolicy(endpoint);
    // The list selects the 20 fixture ConfigMaps: creates of this run would otherwise grow it.
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
    const measured = specs(endpoint, 'run');
    const ops = {} as Record<Op, OpResult>;
    for (const op of Object.keys(OPS) as Op[]) {
      if (profDir) await ask(child, 'profiling', { profile: 'start' });
      const before = (await stats(child)).cpu;
      const result = await load(measured[op], `${mode} ${op}`);
      const after = (await stats(child)).cpu;
      if (profDir) await ask(child, 'profiling', { profile: 'stop', file: join(profDir, `rbac-${mode}-${round_}-${op}.cpuprofile`) });
      const cpuUs = after.user + after.system - before.user - before.system;
      ops[op] = { ...result, serverCpuUsPerRequest: round(cpuUs / result.requests, 1) };
    }
    const decisionNs = await ask<Record<Op, number>>(child, 'decisionNs', 'decide');
    return { setupSeconds, ops, decisionNs };
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    if (child.connected) child.send('close');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}

/** Runs RBAC and AlwaysAllow ROUNDS times each, alternating, and compares the best runs. */
export async function benchRbac(): Promise<RbacBenchResult> {
  const profDir = process.env.KUBEMU_BENCH_PROF;
  if (profDir) await mkdir(profDir, { recursive: true });
  const best = {} as Record<Mode, Record<Op, OpResult>>;
  const decisionNs = {} as Record<Mode, Record<Op, number>>;
  const setupSeconds = {} as Record<Mode, number>;
  for (let round_ = 1; round_ <= ROUNDS; round_++) {
    for (const mode of MODES) {
      process.stderr.write(`  rbac ${mode} run ${round_}…\n`);
      const run = await runMode(mode, round_, profDir);
      setupSeconds[mode] = run.setupSeconds;
      const kept = (best[mode] ??= run.ops);
      const fastest = (decisionNs[mode] ??= run.decisionNs);
      for (const op of Object.keys(OPS) as Op[]) {
        if (run.ops[op].rps > kept[op].rps) kept[op] = run.ops[op];
        fastest[op] = Math.min(fastest[op], run.decisionNs[op]);
      }
    }
  }
  const cost = {} as RbacBenchResult['cost'];
  for (const op of Object.keys(OPS) as Op[]) {
    const rbac = best.RBAC[op];
    const allow = best.AlwaysAllow[op];
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
      setupSeconds,
    },
    runs: best,
    decisionNs,
    cost,
    goal: { cost: '< 0.10', met: Object.values(cost).every((c) => c.rps < 0.1), metByDecision: Object.values(cost).every((c) => c.decision < 0.1) },
  };
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
  const { Session } = await import('node:inspector/promises');
  let session: InstanceType<typeof Session> | undefined;
  process.on('message', async (message: unknown) => {
    if (message === 'stats') process.send!({ stats: { memory: process.memoryUsage(), cpu: process.cpuUsage() } });
    if (message === 'close') close();
    if (message === 'decide') process.send!({ decisionNs: decide() });
    const profile = rec(message).profile;
    if (profile === 'start') {
      session = new Session();
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.setSamplingInterval', { interval: 200 });
      await session.post('Profiler.start');
      process.send!({ profiling: 'started' });
    }
    if (profile === 'stop' && session) {
      const { profile: data } = await session.post('Profiler.stop');
      session.disconnect();
      session = undefined;
      await writeFile(String(rec(message).file), JSON.stringify(data));
      process.send!({ profiling: rec(message).file });
    }
  });
  process.on('disconnect', close);
  process.send!({ ready: { url, token: server.adminToken } });
}

if (process.argv[1] === MODULE && process.argv[2] === 'serve' && process.send) await serve(process.argv[3] as Mode);
else if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(JSON.stringify(await benchRbac(), null, 2));
  process.exit(0);
}
