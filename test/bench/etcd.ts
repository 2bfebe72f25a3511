/**
 * etcd storage benchmark: create throughput with 64 concurrent writers on the etcd storage,
 * on the LevelDB storage, and the floor of raw etcd transactions (64 concurrent writers, each
 * a one-put transaction, no counter; and one writer sending 60-put transactions, the shape of the
 * storage's group commit) against the same one-member etcd, in the same run; ~1 KiB
 * values. Also updates of one key per writer (64 writers, and one writer: the latency of a
 * controller's chain of writes) on both storages. Not a test. Runs standalone: `node --import tsx test/bench/etcd.ts` prints JSON;
 * skipped (a note) when no `etcd` binary is on PATH.
 * Owns: etcd storage measurements. Must not: assert anything.
 */

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Etcd3 } from 'etcd3';
import { createStorage } from '../../src/storage/index.js';
import type { Storage } from '../../src/storage/types.js';
import { haveEtcd, startEtcd } from '../helpers/etcd.js';

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
    };
  } finally {
    await etcd.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(JSON.stringify(await benchEtcd(), null, 2));
}
