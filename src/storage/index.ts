/**
 * Storage factories: the one place that picks a database driver for the key-value storage.
 * Owns: driver choice and its options. Must not: know kinds, or hold storage logic.
 */

import { join } from 'node:path';
import { KvStorage } from './kv-storage.js';
import { StorageError, type Storage } from './types.js';
import type { EtcdStorageOptions } from './etcd/etcd-storage.js';
import type { EtcdConnectionOptions } from './etcd/etcd-client.js';

export { KvStorage, DataDirError } from './kv-storage.js';
export type { DeletedEntry, KvDatabase, KvStorageOptions } from './kv-storage.js';
export * from './types.js';
export type { EtcdStorageOptions } from './etcd/etcd-storage.js';

/** Options of `createStorage`. */
export interface CreateStorageOptions {
  /**
   * 'level': LevelDB under `<dataDir>/db`, every write fsynced; 'memory': nothing on disk;
   * 'etcd': an etcd cluster (`etcd` options), which several kubemu replicas can share.
   */
  kind: 'level' | 'memory' | 'etcd';
  /** Required for 'level'. Created if missing. */
  dataDir?: string;
  /** How many recent events the log keeps (default 10000). */
  eventWindow?: number;
  /** Required for 'etcd': endpoints, key prefix, TLS files. */
  etcd?: EtcdConnectionOptions;
}

/** Creates a closed etcd store; the client library loads only when etcd is used. */
async function createEtcdStorage(options: EtcdStorageOptions): Promise<Storage> {
  const { EtcdStorage } = await import('./etcd/etcd-storage.js');
  return new EtcdStorage(options);
}

/** A closed `Storage` that builds its real implementation on `open()` (lazy driver loading). */
class LazyStorage implements Storage {
  #inner: Storage | undefined;
  readonly #make: () => Promise<Storage>;
  constructor(make: () => Promise<Storage>) {
    this.#make = make;
  }
  /** The implementation, once open. */
  get inner(): Storage | undefined {
    return this.#inner;
  }
  get revision(): number {
    return this.#inner?.revision ?? 0;
  }
  get compactedRevision(): number {
    return this.#inner?.compactedRevision ?? 0;
  }
  async open(): Promise<void> {
    this.#inner ??= await this.#make();
    await this.#inner.open();
  }
  async close(): Promise<void> {
    await this.#inner?.close();
  }
  #open(): Storage {
    if (!this.#inner) throw new StorageError('Closed', '', 'storage is not open');
    return this.#inner;
  }
  get: Storage['get'] = (key) => this.#open().get(key);
  list: Storage['list'] = (prefix, options) => this.#open().list(prefix, options);
  count: Storage['count'] = (prefix) => this.#open().count(prefix);
  create: Storage['create'] = (key, encode) => this.#open().create(key, encode);
  update: Storage['update'] = (key, expected, encode) => this.#open().update(key, expected, encode);
  delete: Storage['delete'] = (key, expected, tombstone) => this.#open().delete(key, expected, tombstone);
  eventsSince: Storage['eventsSince'] = (from) => this.#open().eventsSince(from);
  subscribe: Storage['subscribe'] = (subscriber) => this.#open().subscribe(subscriber);
  compact: Storage['compact'] = (revision) => this.#open().compact(revision);
}

/**
 * Resolves when the storage's backend answers (etcd: a read within `timeoutMs`); resolves at
 * once for stores without a remote backend. Rejects with StorageError('Unavailable').
 */
export async function storageHealth(storage: Storage, timeoutMs = 2000): Promise<void> {
  const target = storage instanceof LazyStorage ? storage.inner : storage;
  const health = (target as { health?: (timeoutMs: number) => Promise<void> } | undefined)?.health;
  if (typeof health === 'function') await health.call(target, timeoutMs);
}

/**
 * The revision a consistent read must see: for etcd, the current revision read from etcd (other
 * replicas may have written past this one's watch cache); for stores without a remote backend,
 * their own revision. Rejects with StorageError('Unavailable') when etcd does not answer.
 */
export async function consistentRevision(storage: Storage, timeoutMs = 5000): Promise<number> {
  const target = storage instanceof LazyStorage ? storage.inner : storage;
  const read = (target as { currentRevision?: (timeoutMs: number) => Promise<number> } | undefined)?.currentRevision;
  return typeof read === 'function' ? read.call(target, timeoutMs) : storage.revision;
}

/** Creates a closed store of the given kind; call `open()` before use. */
export function createStorage(options: CreateStorageOptions): Storage {
  const { kind, dataDir, eventWindow } = options;
  if (kind === 'etcd') {
    if (!options.etcd || options.etcd.endpoints.length === 0) throw new TypeError("storage kind 'etcd' needs etcd endpoints");
    const etcd = { ...options.etcd, ...(eventWindow === undefined ? {} : { eventWindow }) };
    return new LazyStorage(() => createEtcdStorage(etcd));
  }
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
