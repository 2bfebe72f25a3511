/**
 * Server process of the API benchmark: started by `api.ts` with `child_process.fork`, it runs
 * one server (a floor or kubemu) on its own core so the load generator does not share its event
 * loop. Protocol over IPC: it sends `{ ready: { url, token, caCert? } }` once listening; on
 * `'stats'` it answers `{ stats: { memory: process.memoryUsage(), cpu: process.cpuUsage() } }`; on `'close'` it closes and exits; `{ profile: 'start' }` and `{ profile: 'stop', file }` take a
 * CPU profile (node:inspector) of what happens in between and answer `{ profiling }`.
 * Owns: hosting one benchmarked server. Must not: generate load or measure throughput.
 */

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startProfiler } from './profiler.js';

/** The servers the API benchmark compares. */
export const TARGETS = ['ceiling', 'floor-memory', 'floor-level', 'kubemu-memory', 'kubemu-level', 'kubemu-memory-tls'] as const;
/** One of {@link TARGETS}. */
export type Target = (typeof TARGETS)[number];

/** Where a started server answers. */
export interface Endpoint {
  url: string;
  token: string;
  caCert?: string;
}

/** What a server process reports on `'stats'`. */
export interface ServerStats {
  memory: NodeJS.MemoryUsage;
  /** CPU time of the whole process (all threads, LevelDB's included), microseconds. */
  cpu: NodeJS.CpuUsage;
}

/** Asks for a CPU profile of the following phase: `start`, then `stop` writing `file`. */
export interface ProfileMessage {
  profile: 'start' | 'stop';
  file?: string;
}

/** Path of this module, for `fork`. */
export const SERVE_MODULE = fileURLToPath(import.meta.url);

/** Starts `target`; imports are dynamic so that importing this module for its types stays cheap. */
async function start(target: Target): Promise<Endpoint & { close(): Promise<void> }> {
  if (target === 'ceiling') return (await import('./floor.js')).startCeiling();
  if (target === 'floor-memory' || target === 'floor-level') {
    const { startFloor } = await import('./floor.js');
    return startFloor({ durable: target === 'floor-level' });
  }
  const { startKubemu } = await import('../../src/index.js');
  const dataDir = target === 'kubemu-level' ? await mkdtemp(join(tmpdir(), 'kubemu-bench-')) : undefined;
  const kubemu = await startKubemu({
    storage: target === 'kubemu-level' ? 'level' : 'memory',
    tls: target === 'kubemu-memory-tls',
    ...(dataDir ? { dataDir } : {}),
  });
  return {
    url: kubemu.url,
    token: kubemu.token,
    ...(kubemu.caCert ? { caCert: kubemu.caCert } : {}),
    close: async () => {
      await kubemu.close();
      if (dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

async function main(target: Target): Promise<void> {
  const server = await start(target);
  let stopProfiler: ((file: string) => Promise<void>) | undefined;
  process.on('message', async (message: string | ProfileMessage) => {
    if (message === 'stats') process.send!({ stats: { memory: process.memoryUsage(), cpu: process.cpuUsage() } });
    if (message === 'close') void server.close().finally(() => process.exit(0));
    if (typeof message === 'object' && message.profile === 'start') {
      stopProfiler = await startProfiler();
      process.send!({ profiling: 'started' });
    }
    if (typeof message === 'object' && message.profile === 'stop' && stopProfiler) {
      await stopProfiler(message.file!);
      stopProfiler = undefined;
      process.send!({ profiling: message.file });
    }
  });
  process.on('disconnect', () => void server.close().finally(() => process.exit(0)));
  const { close: _close, ...endpoint } = server;
  process.send!({ ready: endpoint });
}

if (process.send && process.argv[1] === SERVE_MODULE) {
  const target = process.argv[2] as Target;
  if (!TARGETS.includes(target)) throw new TypeError(`unknown target ${target}`);
  await main(target);
}
