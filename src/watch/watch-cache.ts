/**
 * WatchCache: one storage subscription feeding the ResourceCache of every served resource, so
 * that reads never touch storage after start. Storage events arrive after they are durable and
 * before the write that made them is acknowledged, so a client always reads its own writes.
 *
 * A cache registered while kubemu runs (a CRD's resource) loads from storage while the events
 * for its prefix are held back, then replays those newer than what it loaded.
 *
 * Owns: routing storage events to resource caches, the cache-wide revision.
 * Must not: know kinds (the registry supplies field extractors) or HTTP.
 */
import type { Storage, StorageEvent } from '../storage/types.js';
import { makeEntry, type FieldExtractor } from './entry.js';
import { ResourceCache } from './resource-cache.js';

interface Registered {
  cache: ResourceCache;
  fieldsOf: FieldExtractor;
  /** Events held back while the cache loads. */
  held?: StorageEvent[];
}

/** The prefix `/registry/<group>/<plural>/` of a key. */
function prefixOf(key: string): string {
  let slashes = 0;
  for (let i = 0; i < key.length; i++) {
    if (key.charCodeAt(i) === 0x2f && ++slashes === 4) return key.slice(0, i + 1);
  }
  return key;
}

/** The caches of every resource over one storage. */
export class WatchCache {
  readonly #storage: Storage;
  readonly #capacity: number;
  readonly #caches = new Map<string, Registered>();
  #revision = 0;
  #unsubscribe?: () => void;
  readonly #waiters = new Set<{ revision: number; resolve: () => void }>();

  constructor(storage: Storage, options: { capacity?: number } = {}) {
    this.#storage = storage;
    this.#capacity = options.capacity ?? 10000;
  }

  /** The revision every cache has caught up with. */
  get revision(): number {
    return this.#revision;
  }

  /**
   * Resolves once the caches have reached `revision` (a client read a resourceVersion newer than
   * what this process has seen); after `timeoutMs`, rejects with `tooLarge(revision, current)`.
   */
  waitFor(revision: number, tooLarge: (wanted: number, current: number) => Error, timeoutMs = 3000): Promise<void> {
    if (revision <= this.#revision) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter = { revision, resolve };
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(tooLarge(revision, this.#revision));
      }, timeoutMs);
      waiter.resolve = () => {
        clearTimeout(timer);
        resolve();
      };
      this.#waiters.add(waiter);
    });
  }

  /** Subscribes to storage; call before registering caches. */
  start(): void {
    this.#revision = this.#storage.revision;
    this.#unsubscribe = this.#storage.subscribe((events) => this.#onEvents(events));
  }

  /** Stops following storage. */
  stop(): void {
    this.#unsubscribe?.();
  }

  /** Registers and loads the cache of keys under `prefix` (`/registry/<group>/<plural>/`). */
  async register(prefix: string, fieldsOf: FieldExtractor): Promise<ResourceCache> {
    const existing = this.#caches.get(prefix);
    if (existing) return existing.cache;
    const cache = new ResourceCache({ prefix, capacity: this.#capacity, currentRevision: () => this.#revision });
    const registered: Registered = { cache, fieldsOf, held: [] };
    this.#caches.set(prefix, registered);
    const { entries, revision } = await this.#storage.list(prefix);
    cache.load(
      entries.map((e) => makeEntry(e.key, e.value, e.modRevision, fieldsOf)),
      revision,
    );
    const held = registered.held!;
    delete registered.held;
    for (const event of held) if (event.revision > revision) this.#apply(registered, event);
    return cache;
  }

  /** Drops the cache of a prefix (a CRD went away) and ends its watches. */
  unregister(prefix: string): void {
    const registered = this.#caches.get(prefix);
    this.#caches.delete(prefix);
    registered?.cache.closeWatchers('the resource is no longer served');
  }

  #onEvents(events: readonly StorageEvent[]): void {
    for (const event of events) {
      const registered = this.#caches.get(prefixOf(event.key));
      if (!registered) continue;
      if (registered.held) registered.held.push(event);
      else this.#apply(registered, event);
    }
    const last = events[events.length - 1];
    if (last && last.revision > this.#revision) this.#revision = last.revision;
    for (const waiter of this.#waiters) {
      if (waiter.revision > this.#revision) continue;
      this.#waiters.delete(waiter);
      waiter.resolve();
    }
  }

  #apply(registered: Registered, event: StorageEvent): void {
    const entry = makeEntry(event.key, event.value, event.revision, registered.fieldsOf, true);
    registered.cache.apply(event.type, entry, event.revision);
  }
}
