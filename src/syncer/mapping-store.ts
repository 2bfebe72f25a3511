/**
 * The persisted virtual↔host mapping, kept in kubemu's own storage as ConfigMaps of the
 * kubemu-owned namespace `kubemu-syncer` (vcluster keeps the same records under
 * `/vcluster/mappings/` of its backing store). One record per synced virtual object:
 *
 *   ConfigMap kubemu-syncer/mappings-pods-3, data key "default.web-0" (namespace "." name:
 *   namespaces hold no dots, so the first dot splits) → JSON
 *   { "hostName": "web-0-x-default-x-vc", "hostNamespace": "vc-host", "virtualUid": "…",
 *     "hostUid": "…", "started": true }
 *
 * Records are sharded over SHARDS ConfigMaps per kind (a ConfigMap holds at most 1 MiB) and
 * written by a debounced flusher, so a burst of a thousand pods costs a few writes, not a
 * thousand. Writes are optimistic (resourceVersion); a conflict re-reads and re-applies only this
 * process's pending changes. What the store answers after a restart: which host objects this
 * virtual cluster created (so a host pod deleted while kubemu was down is told apart from one
 * never created) and their UIDs.
 *
 * Why ConfigMaps through the Client rather than raw storage: the syncer reaches kubemu only
 * through client/, the records are inspectable (`kubectl -n kubemu-syncer get cm -o yaml`),
 * and they ride along in kubemu's LevelDB (or etcd) with everything else.
 *
 * Owns: mapping records and their persistence. Must not: decide what to sync.
 */
import { createHash } from 'node:crypto';
import type { StoredObject } from '../api/types.js';
import { RESOURCES, type Client } from '../client/types.js';
import { isCode } from './context.js';

/** The namespace kubemu's syncer keeps its state in. */
export const SYNCER_NAMESPACE = 'kubemu-syncer';
const SHARDS = 8;

/** What is remembered of one synced object. */
export interface MappingRecord {
  hostName: string;
  hostNamespace: string;
  virtualUid: string;
  /** The UID of the host object this virtual cluster created. */
  hostUid?: string;
  /** Pods: the host pod had been scheduled/started (never recreated once gone). */
  started?: boolean;
}

type Shard = { records: Map<string, MappingRecord>; dirty: Map<string, MappingRecord | null> };

function shardOf(key: string): number {
  return createHash('sha1').update(key).digest()[0]! % SHARDS;
}

/** `namespace/name` → ConfigMap data key `namespace.name`. */
function dataKey(key: string): string {
  return key.replace('/', '.');
}

function fromDataKey(key: string): string {
  const dot = key.indexOf('.');
  return dot < 0 ? key : `${key.slice(0, dot)}/${key.slice(dot + 1)}`;
}

/** The mapping store over a (virtual cluster) client. */
export class MappingStore {
  readonly #client: Client;
  readonly #flushMs: number;
  readonly #shards = new Map<string, Shard>();
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> = Promise.resolve();
  #onError: (err: unknown) => void;

  constructor(client: Client, options: { flushMs?: number; onError?: (err: unknown) => void } = {}) {
    this.#client = client;
    this.#flushMs = options.flushMs ?? 100;
    this.#onError = options.onError ?? (() => {});
  }

  /** Creates the namespace if needed and loads every record of `kinds`. */
  async load(kinds: readonly string[]): Promise<void> {
    await this.#client
      .create(RESOURCES.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: SYNCER_NAMESPACE } })
      .catch((err: unknown) => {
        if (!isCode(err, 409)) throw err;
      });
    const { items } = await this.#client.list(RESOURCES.configmaps, { namespace: SYNCER_NAMESPACE });
    for (const kind of kinds)
      for (let n = 0; n < SHARDS; n++) this.#shards.set(`${kind}-${n}`, { records: new Map(), dirty: new Map() });
    for (const cm of items) {
      const shard = this.#shards.get(cm.metadata.name.replace(/^mappings-/, ''));
      if (!shard) continue;
      for (const [k, v] of Object.entries((cm.data as Record<string, string> | undefined) ?? {})) {
        try {
          shard.records.set(fromDataKey(k), JSON.parse(v) as MappingRecord);
        } catch {
          // a record edited by hand into nonsense is dropped; the resync rebuilds it
        }
      }
    }
  }

  #shard(kind: string, key: string): Shard {
    const shard = this.#shards.get(`${kind}-${shardOf(key)}`);
    if (!shard) throw new TypeError(`mapping store: kind ${kind} not loaded`);
    return shard;
  }

  /** The record of virtual `key` (`namespace/name`) of `kind`. */
  get(kind: string, key: string): MappingRecord | undefined {
    return this.#shard(kind, key).records.get(key);
  }

  /** Every record of `kind`, by virtual key. */
  entries(kind: string): [string, MappingRecord][] {
    const out: [string, MappingRecord][] = [];
    for (let n = 0; n < SHARDS; n++) out.push(...(this.#shards.get(`${kind}-${n}`)?.records ?? []));
    return out;
  }

  /** Sets (or with `undefined` removes) a record; persisted by the next flush. */
  set(kind: string, key: string, record: MappingRecord | undefined): void {
    const shard = this.#shard(kind, key);
    const old = shard.records.get(key);
    if (record === undefined) {
      if (!old) return;
      shard.records.delete(key);
    } else {
      if (old && JSON.stringify(old) === JSON.stringify(record)) return;
      shard.records.set(key, record);
    }
    shard.dirty.set(key, record ?? null);
    this.#schedule();
  }

  #schedule(): void {
    if (this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#flushing = this.#flushing.then(() => this.#flushAll()).catch(this.#onError);
    }, this.#flushMs);
  }

  /** Writes every pending change now; resolves when written. */
  async flush(): Promise<void> {
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    this.#flushing = this.#flushing.then(() => this.#flushAll());
    await this.#flushing;
  }

  async #flushAll(): Promise<void> {
    for (const [name, shard] of this.#shards) {
      if (shard.dirty.size === 0) continue;
      const dirty = new Map(shard.dirty);
      shard.dirty.clear();
      try {
        await this.#write(name, dirty);
      } catch (err) {
        for (const [k, v] of dirty) if (!shard.dirty.has(k)) shard.dirty.set(k, v);
        this.#schedule();
        throw err;
      }
    }
  }

  async #write(name: string, dirty: Map<string, MappingRecord | null>): Promise<void> {
    const cmName = `mappings-${name}`;
    for (let attempt = 0; ; attempt++) {
      let current: StoredObject | undefined;
      try {
        current = await this.#client.get(RESOURCES.configmaps, cmName, { namespace: SYNCER_NAMESPACE });
      } catch (err) {
        if (!isCode(err, 404)) throw err;
      }
      const data: Record<string, string> = { ...((current?.data as Record<string, string> | undefined) ?? {}) };
      for (const [k, v] of dirty) {
        if (v === null) delete data[dataKey(k)];
        else data[dataKey(k)] = JSON.stringify(v);
      }
      try {
        const body = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: cmName, namespace: SYNCER_NAMESPACE, ...(current ? { resourceVersion: current.metadata.resourceVersion } : {}) }, data };
        if (current) await this.#client.update(RESOURCES.configmaps, body, { namespace: SYNCER_NAMESPACE });
        else await this.#client.create(RESOURCES.configmaps, body, { namespace: SYNCER_NAMESPACE });
        return;
      } catch (err) {
        if (!isCode(err, 409) || attempt >= 5) throw err;
      }
    }
  }

  /** Stops the flusher after writing what is pending. */
  async close(): Promise<void> {
    await this.flush().catch(this.#onError);
  }
}
