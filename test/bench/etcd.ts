/**
 * etcd storage benchmark: create throughput with 64 concurrent writers on the etcd storage,
 * on the LevelDB storage, and the floor of raw etcd transactions (64 concurrent writers, each
 * a one-put transaction, no counter; and one writer sending 60-put transactions, the shape of the
 * storage's group commit) against the same one-member etcd, in the same run; ~1 KiB
 * values. Also updates of one key per writer (64 writers, and one writer: the latency of a
 * controller's chain of writes) on both storages. Then the API level users feel: ConfigMap creates
 * over plain HTTP (load.ts, 64 keep-alive clients, the same duration each) against a
 * `kubemu serve --no-tls --storage etcd` and a `kubemu serve --no-tls --storage level`, each in its
 * own process (test/helpers/spawn.ts, the real CLI with its default controllers; one after the
 * other, after a 500-create warm-up): `api.etcd`, `api.level` (perSecond, p50Ms, p99Ms, server CPU
 * per create from /proc) and `api.etcdVsLevel`. Not a test. Runs standalone:
 * `node --import tsx test/bench/etcd.ts` prints JSON; skipped (a note) when no `etcd` binary is on PATH.
 * Owns: etcd storage measurements. Must not: assert anything.
 */

import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Etcd3 } from 'etcd3';
import { createStorage } from '../../src/storage/index.js';
import type { Storage } from '../../src/storage/types.js';
import { haveEtcd, startEtcd, type EtcdCluster } from '../helpers/etcd.js';
import { startKubemuProcess, type Child } from '../helpers/spawn.js';
import { round, runLoad } from './load.js';

const WRITERS = 64;
const template = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'bench', resourceVersion: '' }, data: { payload: 'x'.repeat(900) } });
const encodeValue = (revision: number) => Buffer.from(template.replace('"resourceVersion":""', `"resourceVersion":"${revision}"`));

async function load(ms: number, write: (w: number, i: number) => Promise<unknown>, writers = WRITERS): Promise<{ creates: number; perSecond: number; p50Ms: number; p99Ms: number }> {
  const latencies: number[] = [];
  const start = performance.now();
  const deadline = start + ms;
  await Promise.all(Array.from({ length: writers }, async (_, w) => {
    for (let i = 0; performance.now() < deadline; i++) {
      const t0 = performance.now();
      await write(w, i);
      latencies.push(performance.now() - t0);
    }
  }));
  const elapsed = performance.now() - start;
  latencies.sort((a, b) => a - b);
  const at = (p: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))]! * 10) / 10;
  return { creates: latencies.length, perSecond: Math.round((latencies.length / elapsed) * 1000), p50Ms: at(0.5), p99Ms: at(0.99) };
}

const storageLoad = (storage: Storage, ms: number) => load(ms, (w, i) => storage.create(`/registry/configmaps/bench/w${w}-${i}`, encodeValue));

/** Updates of one key per writer (the shape of controllers' status writes); `writers` 1 = one write at a time. */
async function updateLoad(storage: Storage, ms: number, writers: number) {
  for (let w = 0; w < writers; w++) await storage.create(`/registry/configmaps/bench/u${writers}-${w}`, encodeValue);
  const { creates, ...rest } = await load(ms, (w) => storage.update(`/registry/configmaps/bench/u${writers}-${w}`, undefined, encodeValue), writers);
  return { updates: creates, ...rest };
}

const API_NAMESPACES = 5;
const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/** A ~400-byte ConfigMap, as in api.ts. */
function configMap(name: string): Buffer {
  const data: Record<string, string> = {};
  for (let k = 0; k < 8; k++) data[`key-${k}`] = `value-${k}-${'x'.repeat(24)}`;
  return Buffer.from(JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels: { app: 'bench' } }, data }));
}

/** CPU time (user + system, all threads) of process `pid` so far, microseconds; from /proc, so 0 where there is none. */
async function processCpuUs(pid: number): Promise<number> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS) * 1e6;
  } catch {
    return 0;
  }
}

/** `ms` of ConfigMap creates `<prefix>-<i>` with 64 keep-alive clients against `child`. */
function createConfigMaps(child: Child, prefix: string, ms: number, requests = 10_000_000) {
  return runLoad({
    url: child.url,
    method: 'POST',
    path: (i) => `/api/v1/namespaces/bench-${i % API_NAMESPACES}/configmaps`,
    body: (i) => configMap(`${prefix}-${i}`),
    headers: { authorization: `Bearer ${child.token}` },
    requests,
    concurrency: WRITERS,
    maxSeconds: ms / 1000,
  });
}

/** Starts `kubemu serve --no-tls <args>`, creates the namespaces, warms up, then measures `ms` of creates; stops the process. */
async function apiLoad(args: string[], ms: number) {
  const dataDir = await mkdtemp(join(tmpdir(), 'kubemu-bench-etcd-api-'));
  const child = await startKubemuProcess(['--no-tls', '--port', '0', '--data-dir', dataDir, ...args]);
  const orphanGuard = () => child.proc.kill('SIGKILL');
  process.once('exit', orphanGuard);
  try {
    if (!child.token) throw new Error('kubemu serve --no-tls wrote no bearer token');
    for (let n = 0; n < API_NAMESPACES; n++) {
      const body = Buffer.from(JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: `bench-${n}` } }));
      const r = await runLoad({ url: child.url, method: 'POST', path: () => '/api/v1/namespaces', body: () => body, headers: { authorization: `Bearer ${child.token}` }, requests: 1, concurrency: 1 });
      if (r.errors) throw new Error(`creating namespace bench-${n}: ${r.firstError}`);
    }
    const warm = await createConfigMaps(child, 'warm', 30_000, 500);
    if (warm.errors) throw new Error(`warm-up: ${warm.firstError}`);
    const cpuBefore = await processCpuUs(child.proc.pid!);
    const r = await createConfigMaps(child, 'c', ms);
    const cpuUs = (await processCpuUs(child.proc.pid!)) - cpuBefore;
    return {
      creates: r.requests,
      perSecond: r.rps,
      p50Ms: round(r.p50Ms, 1),
      p99Ms: round(r.p99Ms, 1),
      errors: r.errors,
      ...(r.firstError ? { firstError: r.firstError } : {}),
      serverCpuUsPerCreate: Math.round(cpuUs / Math.max(1, r.requests)),
    };
  } finally {
    const exited = child.exited;
    child.proc.kill('SIGTERM');
    const timer = setTimeout(() => child.proc.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
    process.removeListener('exit', orphanGuard);
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** Creates over HTTP against `kubemu serve` on etcd (prefix /bench-api) and on LevelDB, `ms` each. */
async function benchApi(etcd: EtcdCluster, ms: number) {
  const onEtcd = await apiLoad(['--storage', 'etcd', '--etcd-endpoints', etcd.endpoints.join(','), '--etcd-prefix', '/bench-api'], ms);
  const onLevel = await apiLoad(['--storage', 'level'], ms);
  return { clients: WRITERS, seconds: ms / 1000, etcd: onEtcd, level: onLevel, etcdVsLevel: Math.round((onEtcd.perSecond / onLevel.perSecond) * 100) / 100 };
}

/** Runs the benchmark; `ms` per measurement. */
export async function benchEtcd(ms = 3000): Promise<Record<string, unknown>> {
  if (!haveEtcd) return { skipped: 'no etcd binary on PATH' };
  const etcd = await startEtcd();
  const dir = await mkdtemp(join(tmpdir(), 'kubemu-bench-etcd-'));
  try {
    const raw = new Etcd3({ hosts: etcd.endpoints });
    const floor = await load(ms, (w, i) => raw.kv.txn({ compare: [], success: [{ request_put: { key: Buffer.from(`/raw/w${w}-${i}`), value: encodeValue(i) } }], failure: [] }));
    // A floor shaped like the storage's group commit: one writer, transactions of 60 puts.
    let batched = 0;
    const batchStart = performance.now();
    while (performance.now() < batchStart + ms) {
      const ops = Array.from({ length: 60 }, (_, i) => ({ request_put: { key: Buffer.from(`/rawb/${batched + i}`), value: encodeValue(i) } }));
      await raw.kv.txn({ compare: [], success: ops, failure: [] });
      batched += 60;
    }
    const rawBatched = { creates: batched, perSecond: Math.round((batched / (performance.now() - batchStart)) * 1000) };
    raw.close();
    const onEtcd = createStorage({ kind: 'etcd', etcd: { endpoints: etcd.endpoints, prefix: '/bench' } });
    await onEtcd.open();
    const etcdStorage = await storageLoad(onEtcd, ms);
    const etcdUpdates = await updateLoad(onEtcd, ms, WRITERS);
    const etcdSequentialUpdates = await updateLoad(onEtcd, ms, 1);
    await onEtcd.close();
    const level = createStorage({ kind: 'level', dataDir: dir });
    await level.open();
    const levelStorage = await storageLoad(level, ms);
    const levelUpdates = await updateLoad(level, ms, WRITERS);
    const levelSequentialUpdates = await updateLoad(level, ms, 1);
    await level.close();
    const api = await benchApi(etcd, ms);
    return {
      writers: WRITERS,
      valueBytes: encodeValue(1).byteLength,
      etcdDataDir: etcd.members[0]!.dataDir.startsWith('/dev/shm') ? 'tmpfs (/dev/shm)' : 'disk',
      rawEtcdTxn: floor,
      rawEtcdTxn60Puts: rawBatched,
      etcdStorage,
      levelStorage,
      etcdUpdates,
      levelUpdates,
      etcdSequentialUpdates,
      levelSequentialUpdates,
      etcdStorageVsRawTxn: Math.round((etcdStorage.perSecond / floor.perSecond) * 100) / 100,
      etcdUpdatesVsLevel: Math.round((etcdUpdates.perSecond / levelUpdates.perSecond) * 100) / 100,
      etcdStorageVsLevel: Math.round((etcdStorage.perSecond / levelStorage.perSecond) * 100) / 100,
      api,
    };
  } finally {
    await etcd.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(JSON.stringify(await benchEtcd(), null, 2));
}
