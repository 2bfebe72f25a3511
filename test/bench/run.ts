/**
 * `npm run bench`: runs the start-up, API, storage, read-path and write-path benchmarks in that
 * order (start-up first, so the import of kubemu is cold) and prints ONE JSON document to stdout:
 * `{ machine, goals, startup, api, storage, reads, writes, controllers }`. Progress goes to stderr. The storage
 * benchmark is optional: when `storage.ts` is missing or fails to load, `storage` holds a note
 * instead. `KUBEMU_BENCH_SKIP=reads` skips the read benchmark (`reads.watch`, `reads.pods`,
 * `reads.100k` skip one of its sections); `KUBEMU_BENCH_SKIP=writes` skips the write benchmark
 * (`writes.configmaps`, `writes.deployments` skip one kind); `KUBEMU_BENCH_SKIP=controllers` skips
 * the controller benchmark (`controllers.1k`, `controllers.10k`, `controllers.floor` skip a part);
 * `KUBEMU_BENCH_SKIP=rbac` skips the RBAC-versus-AlwaysAllow benchmark (`rbac` in the document).
 * `KUBEMU_BENCH_SKIP=etcd` skips the etcd storage benchmark (`etcd`; a note when etcd is missing).
 * `KUBEMU_BENCH_SKIP=syncer` skips the syncer benchmark (`syncer`: virtual pods to Running vs host floor).
 * Owns: sequencing and the output document. Must not: measure anything itself or assert.
 */

import { cpus, totalmem } from 'node:os';
import { benchApi, type ApiBenchResult } from './api.js';
import { benchControllers, controllersSkipFromEnv, type ControllersBenchResult } from './controllers.js';
import { benchReads, readsSkipFromEnv, type ReadsBenchResult } from './reads.js';
import { benchStartup, type StartupResult } from './startup.js';
import { benchWrites, writesSkipFromEnv } from './writes.js';
import { benchRbac } from './rbac.js';
import { benchEtcd } from './etcd.js';
import { benchCrds } from './crds.js';
import { benchSyncer } from './syncer.js';

type Bench = () => Promise<Record<string, unknown>>;
type Failed = { error: string };

/** The storage benchmark if its module exists and exports `benchStorage`. */
async function loadStorageBench(): Promise<Bench | string> {
  try {
    const module = (await import('./storage.js')) as { benchStorage?: Bench };
    return typeof module.benchStorage === 'function' ? module.benchStorage : 'test/bench/storage.ts does not export benchStorage; skipped';
  } catch (err) {
    return `test/bench/storage.ts not loadable (${(err as Error).message.split('\n')[0]}); skipped`;
  }
}

async function timed<T>(name: string, bench: () => Promise<T>): Promise<T | Failed> {
  process.stderr.write(`bench ${name}…\n`);
  const t0 = performance.now();
  try {
    return await bench();
  } catch (err) {
    return { error: (err as Error).stack ?? String(err) };
  } finally {
    process.stderr.write(`bench ${name} done in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  }
}

/**
 * The project's goals next to the figures (reported, never asserted): durable creates at least
 * half the floor's throughput; startKubemu answering within 50 ms on memory storage; the read
 * path's (watch fan-out, selected LIST) as `reads.ts` reports them; Deployments Available within
 * 5 s (1,000 replicas) and 30 s (100 × 100) as `controllers.ts` reports them.
 */
function goals(
  startup: StartupResult | Failed,
  api: ApiBenchResult | Failed,
  reads: ReadsBenchResult | Failed | { skipped: string },
  controllers: ControllersBenchResult | Failed | { skipped: string },
): Record<string, unknown> {
  const create = 'summary' in api ? api.summary.create : undefined;
  const memory = 'memoryPlain' in startup ? startup.memoryPlain : undefined;
  return {
    durableCreatesVsFloor: {
      goal: '>= 0.5',
      levelVsFloorLevel: { rps: create?.rpsRatio.levelVsFloorLevel ?? null, cpu: create?.cpuRatio.levelVsFloorLevel ?? null },
      levelVsFloorMemory: { rps: create?.rpsRatio.levelVsFloorMemory ?? null, cpu: create?.cpuRatio.levelVsFloorMemory ?? null },
    },
    startMemoryMs: { goal: '< 50', median: memory?.medianMs ?? null, firstInProcess: memory?.firstMs ?? null },
    ...('goals' in reads ? reads.goals : {}),
    ...controllerGoals(controllers),
  };
}

/** The controller benchmark's goals (create → Available) next to its wall times. */
function controllerGoals(controllers: ControllersBenchResult | Failed | { skipped: string }): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, run] of Object.entries(controllers)) {
    if (typeof run === 'object' && run !== null && 'goal' in run) out[`controllers${name}AvailableMs`] = { goal: run.goal, wallMs: run.wallMs, met: run.met };
  }
  return out;
}

const t0 = performance.now();
const cpuList = cpus();
const machine = { cpus: cpuList.length, cpuModel: cpuList[0]?.model ?? 'unknown', memoryGB: Math.round(totalmem() / 2 ** 30), node: process.version, platform: process.platform };
const startup = await timed('startup', () => benchStartup());
const api = await timed('api', () => benchApi());
const storageBench = await loadStorageBench();
const storage = typeof storageBench === 'string' ? { skipped: storageBench } : await timed('storage', storageBench);
const skip = (process.env.KUBEMU_BENCH_SKIP ?? '').split(',').map((s) => s.trim());
const reads = skip.includes('reads') ? { skipped: 'KUBEMU_BENCH_SKIP=reads' } : await timed('reads', () => benchReads(readsSkipFromEnv()));
const writes = skip.includes('writes') ? { skipped: 'KUBEMU_BENCH_SKIP=writes' } : await timed('writes', () => benchWrites(writesSkipFromEnv()));
const controllers = skip.includes('controllers') ? { skipped: 'KUBEMU_BENCH_SKIP=controllers' } : await timed('controllers', () => benchControllers(controllersSkipFromEnv()));
// etcd storage vs LevelDB vs raw etcd transactions; a note when no etcd binary is on PATH.
const etcd = skip.includes('etcd') ? { skipped: 'KUBEMU_BENCH_SKIP=etcd' } : await timed('etcd', () => benchEtcd());
const rbac = skip.includes('rbac') ? { skipped: 'KUBEMU_BENCH_SKIP=rbac' } : await timed('rbac', () => benchRbac());
// 1,000 pods through a virtual kubemu's syncer to a host kubemu, against the same pods made on the host.
const syncer = skip.includes('syncer') ? { skipped: 'KUBEMU_BENCH_SKIP=syncer' } : await timed('syncer', () => benchSyncer());
// 40 generated CRDs of operator size: time to Established, to the first custom resource, memory.
const crds = skip.includes('crds') ? { skipped: 'KUBEMU_BENCH_SKIP=crds' } : await timed('crds', () => benchCrds());
process.stderr.write(`bench total ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
console.log(JSON.stringify({ machine, goals: goals(startup, api, reads, controllers), startup, api, storage, reads, writes, controllers, etcd, rbac, syncer, crds }, null, 2));
