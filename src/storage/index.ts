/**
 * Storage factories: the one place that picks a database driver for the key-value storage.
 * Owns: driver choice and its options. Must not: know kinds, or hold storage logic.
 */

import { join } from 'node:path';
import { KvStorage } from './kv-storage.js';
import type { Storage } from './types.js';

export { KvStorage, DataDirError } from './kv-storage.js';
export type { DeletedEntry, KvDatabase, KvStorageOptions } from './kv-storage.js';
export * from './types.js';

/** Options of `createStorage`. */
export interface CreateStorageOptions {
  /** 'level': LevelDB under `<dataDir>/db`, every write fsynced; 'memory': nothing on disk. */
  kind: 'level' | 'memory';
  /** Required for 'level'. Created if missing. */
  dataDir?: string;
  /** How many recent events the log keeps (default 10000). */
  eventWindow?: number;
}

/** Creates a closed store of the given kind; call `open()` before use. */
export function createStorage(options: CreateStorageOptions): Storage {
  const { kind, dataDir, eventWindow } = options;
  if (kind === 'memory') {
    return new KvStorage({
      location: 'memory',
      sync: false,
      // Drivers load on open, so a process pays only for the one it uses.
      createDatabase: async () => {
        const { MemoryLevel } = await import('memory-level');
        return new MemoryLevel<string, Uint8Array>({ keyEncoding: 'utf8', valueEncoding: 'view' });
      },
      ...(eventWindow === undefined ? {} : { eventWindow }),
    });
  }
  if (kind !== 'level') throw new TypeError(`unknown storage kind ${String(kind)}`);
  if (!dataDir) throw new TypeError("storage kind 'level' needs a dataDir");
  const location = join(dataDir, 'db');
  return new KvStorage({
    location: dataDir,
    sync: true,
    // classic-level creates the directory (recursively) when it opens.
    createDatabase: async () => {
      const { ClassicLevel } = await import('classic-level');
      return new ClassicLevel<string, Uint8Array>(location, { keyEncoding: 'utf8', valueEncoding: 'view' });
    },
    ...(eventWindow === undefined ? {} : { eventWindow }),
  });
}
