/**
 * Start-up benchmark: time from calling `startKubemu()` to the first successful
 * `GET /api/v1/namespaces/default` (fresh connection, node:http/https), in this process, each
 * instance closed before the next; memory storage with and without TLS, and level storage in a
 * fresh temp dir. Also the cold cost of importing kubemu, and RSS/heap before the first start,
 * with one instance running, and after all are closed (after a GC when one can be forced).
 * Not a test. Runs standalone: `node --import tsx test/bench/startup.ts` prints JSON.
 * Owns: start-up and footprint measurements. Must not: assert anything.
 */

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { StartOptions } from '../../src/index.js';
import { getOnce, percentile, round } from './load.js';

type StartKubemu = (typeof import('../../src/index.js'))['startKubemu'];

/** Timings of one configuration, in milliseconds. */
export type StartupFigures = {
  runs: number;
  /** The first run of this configuration in the process. */
  firstMs: number;
  medianMs: number;
  minMs: number;
  maxMs: number;
  /** Median time until `startKubemu` resolved (listening), before the first request. */
  medianListeningMs: number;
};

type Footprint = { rssMB: number; heapUsedMB: number };

/** What {@link benchStartup} returns. */
export type StartupResult = {
  importMs: number;
  memoryPlain: StartupFigures;
  memoryTls: StartupFigures;
  level: StartupFigures;
  memoryFootprint: { gcForced: boolean; beforeFirstStart: Footprint; oneInstanceRunning: Footprint; afterAllClosed: Footprint };
};

/** Forces a GC when possible (exposing it at run time); returns whether it did. */
function collectGarbage(): boolean {
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as (() => void) | undefined;
    gc?.();
    return gc !== undefined;
  } catch {
    return false;
  }
}

function memory(): Footprint {
  const m = process.memoryUsage();
  return { rssMB: round(m.rss / 2 ** 20), heapUsedMB: round(m.heapUsed / 2 ** 20) };
}

/** One start → first answered GET → close; returns [listening ms, answered ms]. */
async function startOnce(startKubemu: StartKubemu, options: StartOptions): Promise<[number, number]> {
  const dataDir = options.storage === 'level' ? await mkdtemp(join(tmpdir(), 'kubemu-startup-')) : undefined;
  const t0 = performance.now();
  const kubemu = await startKubemu({ ...options, ...(dataDir ? { dataDir } : {}) });
  const listening = performance.now() - t0;
  try {
    const headers = { authorization: `Bearer ${kubemu.token}` };
    for (;;) {
      const { status } = await getOnce({ url: kubemu.url, path: '/api/v1/namespaces/default', headers, ...(kubemu.caCert ? { ca: kubemu.caCert } : {}) });
      if (status === 200) break;
      if (performance.now() - t0 > 10_000) throw new Error(`no 200 within 10 s (last ${status})`);
    }
    return [listening, performance.now() - t0];
  } finally {
    await kubemu.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }
}

async function measure(startKubemu: StartKubemu, options: StartOptions, runs: number): Promise<StartupFigures> {
  const answered: number[] = [];
  const listening: number[] = [];
  for (let i = 0; i < runs; i++) {
    const [l, a] = await startOnce(startKubemu, options);
    listening.push(l);
    answered.push(a);
  }
  const firstMs = round(answered[0]!, 1);
  answered.sort((a, b) => a - b);
  listening.sort((a, b) => a - b);
  return {
    runs,
    firstMs,
    medianMs: round(percentile(answered, 0.5), 1),
    minMs: round(answered[0]!, 1),
    maxMs: round(answered[answered.length - 1]!, 1),
    medianListeningMs: round(percentile(listening, 0.5), 1),
  };
}

/** Runs the start-up measurements (a few seconds); progress goes to stderr. */
export async function benchStartup(runs = 10): Promise<StartupResult> {
  const t0 = performance.now();
  const { startKubemu } = await import('../../src/index.js');
  const importMs = round(performance.now() - t0, 1);
  const gcForced = collectGarbage();
  const before = memory();

  const memoryPlain = await measure(startKubemu, { storage: 'memory', tls: false }, runs);
  process.stderr.write(`startup memory (http): median ${memoryPlain.medianMs} ms\n`);
  const memoryTls = await measure(startKubemu, { storage: 'memory', tls: true }, runs);
  process.stderr.write(`startup memory (https): median ${memoryTls.medianMs} ms\n`);
  const level = await measure(startKubemu, { storage: 'level', tls: false }, Math.max(1, Math.ceil(runs / 2)));
  process.stderr.write(`startup level (http): median ${level.medianMs} ms\n`);

  const running = await startKubemu({ storage: 'memory', tls: false });
  collectGarbage();
  const oneRunning = memory();
  await running.close();
  collectGarbage();
  const after = memory();

  return {
    importMs,
    memoryPlain,
    memoryTls,
    level,
    memoryFootprint: { gcForced, beforeFirstStart: before, oneInstanceRunning: oneRunning, afterAllClosed: after },
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(JSON.stringify(await benchStartup(), null, 2));
}
