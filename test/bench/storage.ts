/**
 * Storage benchmark: create throughput with 64 concurrent writers on LevelDB (synced, group
 * commit) and memory, against the floor of raw classic-level synced puts (one at a time and in
 * batches of 64) and raw memory-level batches measured in the same run; plus memory open time and the cost of the event-log
 * framing versus JSON with base64. Not a test. Runs standalone:
 * `node --import tsx test/bench/storage.ts` prints JSON.
 * Owns: storage measurements. Must not: assert anything.
 */

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ClassicLevel } from 'classic-level';
import { MemoryLevel } from 'memory-level';
import { createStorage } from '../../src/storage/index.js';
import { decodeEvent, encodeEvent } from '../../src/storage/kv-codec.js';
import type { Storage, StorageEvent } from '../../src/storage/types.js';

const WRITERS = 64;
const VALUE_SIZE = 1024;
const template = JSON.stringify({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'bench', namespace: 'default', resourceVersion: '' },
  data: { payload: 'x'.repeat(VALUE_SIZE - 120) },
});

/** A ~1 KiB object embedding its revision, as kubemu's values do. */
function encodeValue(revision: number): Uint8Array {
  return Buffer.from(template.replace('"resourceVersion":""', `"resourceVersion":"${revision}"`));
}

function round(n: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

function percentile(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]! : 0;
}

/** 64 writers creating keys for `ms` milliseconds. */
async function createLoad(storage: Storage, ms: number): Promise<Record<string, number>> {
  let batches = 0;
  const unsubscribe = storage.subscribe(() => batches++);
  const latencies: number[] = [];
  const start = performance.now();
  const deadline = start + ms;
  await Promise.all(
    Array.from({ length: WRITERS }, async (_, w) => {
      for (let i = 0; performance.now() < deadline; i++) {
        const t0 = performance.now();
        await storage.create(`/registry/configmaps/bench/w${w}-${i}`, encodeValue);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const elapsed = performance.now() - start;
  unsubscribe();
  latencies.sort((a, b) => a - b);
  return {
    writes: latencies.length,
    opsPerSec: round((latencies.length / elapsed) * 1000, 0),
    batches,
    meanBatch: round(latencies.length / Math.max(1, batches)),
    p50ms: round(percentile(latencies, 0.5), 2),
    p99ms: round(percentile(latencies, 0.99), 2),
  };
}

async function rawLevel(dir: string, ms: number, batchSize: number): Promise<Record<string, number>> {
  const db = new ClassicLevel<string, Uint8Array>(join(dir, `raw-${batchSize}`), { keyEncoding: 'utf8', valueEncoding: 'view' });
  await db.open();
  const value = encodeValue(1);
  let writes = 0;
  const start = performance.now();
  while (performance.now() - start < ms) {
    if (batchSize === 1) {
      await db.put(`k${writes}`, value, { sync: true });
    } else {
      const batch = db.batch();
      for (let i = 0; i < batchSize; i++) batch.put(`k${writes + i}`, value);
      await batch.write({ sync: true });
    }
    writes += batchSize;
  }
  const elapsed = performance.now() - start;
  await db.close();
  return { writes, opsPerSec: round((writes / elapsed) * 1000, 0) };
}

/** The memory floor: raw memory-level chained batches of 64 writes, each an object and an event put. */
async function rawMemoryBatch64(ms: number): Promise<Record<string, number>> {
  const db = new MemoryLevel<string, Uint8Array>({ keyEncoding: 'utf8', valueEncoding: 'view' });
  await db.open();
  const value = encodeValue(1);
  let writes = 0;
  const start = performance.now();
  while (performance.now() - start < ms) {
    const batch = db.batch();
    for (let i = 0; i < 64; i++, writes++) {
      batch.put(`o/registry/configmaps/bench/${writes}`, value);
      batch.put(`e${String(writes).padStart(16, '0')}`, value);
    }
    await batch.write();
  }
  const elapsed = performance.now() - start;
  await db.close();
  return { writes, opsPerSec: round((writes / elapsed) * 1000, 0) };
}

async function memoryOpenMs(): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < 5; i++) {
    const storage = createStorage({ kind: 'memory' });
    const t0 = performance.now();
    await storage.open();
    best = Math.min(best, performance.now() - t0);
    await storage.close();
  }
  return round(best, 3);
}

/** Event-log entry framing: binary (what storage uses) versus JSON with base64 values. */
function eventEncoding(): Record<string, number> {
  const value = encodeValue(7);
  const event: StorageEvent = { type: 'put', key: '/registry/configmaps/default/bench', revision: 7, value, prevValue: encodeValue(6), created: false };
  const binary = (): number => {
    const bytes = encodeEvent(event);
    return decodeEvent(7, bytes).value.byteLength + bytes.byteLength;
  };
  const json = (): number => {
    const text = JSON.stringify({
      t: event.type, k: event.key, c: event.created,
      v: Buffer.from(event.value).toString('base64'), p: Buffer.from(event.prevValue!).toString('base64'),
    });
    const bytes = Buffer.from(text);
    const back = JSON.parse(bytes.toString()) as { v: string };
    return Buffer.from(back.v, 'base64').byteLength + bytes.byteLength;
  };
  const time = (f: () => number): { us: number; bytes: number } => {
    for (let i = 0; i < 2000; i++) f(); // warm up
    const n = 20000;
    let bytes = 0;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) bytes = f();
    return { us: ((performance.now() - t0) * 1000) / n, bytes: bytes - value.byteLength };
  };
  const b = time(binary);
  const j = time(json);
  return { binaryRoundTripUs: round(b.us, 2), jsonBase64RoundTripUs: round(j.us, 2), binaryBytes: b.bytes, jsonBase64Bytes: j.bytes };
}

/** Runs every storage measurement (about 12 s) and returns the figures with floor ratios. */
export async function benchStorage(): Promise<Record<string, unknown>> {
  const dir = await mkdtemp(join(tmpdir(), 'kubemu-bench-'));
  try {
    const rawPutSync = await rawLevel(dir, 2000, 1);
    const rawBatch64Sync = await rawLevel(dir, 2000, 64);

    const level = createStorage({ kind: 'level', dataDir: join(dir, 'storage') });
    await level.open();
    const levelCreate = await createLoad(level, 3000);
    await level.close();

    const memory = createStorage({ kind: 'memory' });
    await memory.open();
    const memoryCreate = await createLoad(memory, 2000);
    await memory.close();

    const rawMemory = await rawMemoryBatch64(1500);

    return {
      writers: WRITERS,
      valueBytes: encodeValue(1).byteLength,
      levelCreate,
      memoryCreate,
      floor: { rawPutSync, rawBatch64Sync, rawMemoryBatch64: rawMemory },
      ratios: {
        levelVsRawPutSync: round(levelCreate.opsPerSec! / rawPutSync.opsPerSec!, 2),
        levelVsRawBatch64Sync: round(levelCreate.opsPerSec! / rawBatch64Sync.opsPerSec!, 2),
        memoryVsRawMemoryBatch64: round(memoryCreate.opsPerSec! / rawMemory.opsPerSec!, 2),
      },
      memoryOpenMs: await memoryOpenMs(),
      eventEncoding: eventEncoding(),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(JSON.stringify(await benchStorage(), null, 2));
}
