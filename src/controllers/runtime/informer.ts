/**
 * Informer: client-go's shared informer over one resource (optionally one namespace and
 * selectors), through the Client. It lists, then watches from the list's resourceVersion, keeps
 * the objects in an IndexedStore and tells its handlers what changed:
 *
 *   list → replace store (add / update if resourceVersion changed / delete if gone) → synced
 *   watch from rv → ADDED/MODIFIED → add or update, DELETED → delete, BOOKMARK → rv only
 *   watch ends normally (server timeout)      → watch again from the last rv
 *   watch or list fails with 410 Expired      → list again at once (the rv left the window)
 *   any other failure (network, 5xx, ...)     → list again after a backoff (800 ms doubling to 30 s)
 *
 * A handler may ask for a resync period: every period it gets `update(obj, obj)` for every object,
 * so level-based controllers revisit everything even without changes. A handler added after the
 * first sync first gets `add` for every object already there. Handlers run synchronously in the
 * informer's loop and must only enqueue; a throwing handler is logged, never fatal.
 * Owns: list/watch/re-list of one resource and its store. Must not: write objects.
 */
import { StatusError } from '../../api/errors.js';
import type { StoredObject } from '../../api/types.js';
import { resourceName, type Client, type ListOptions, type Resource, type WatchEvent } from '../../client/types.js';
import { errorFields, silentLogger, type Logger } from './log.js';
import { deepFreeze, IndexedStore, keyOf, type IndexFunc } from './store.js';

/** What an informer tells its handlers; objects are frozen and shared. */
export interface EventHandler {
  add?(obj: StoredObject): void;
  update?(oldObj: StoredObject, newObj: StoredObject): void;
  /** The last state known (from the DELETED event, or the store when a re-list found it gone). */
  delete?(obj: StoredObject): void;
}

/** Options of an Informer. */
export interface InformerOptions extends ListOptions {
  log?: Logger;
  /** Seconds each watch asks the server for; default a random 300-600 (client-go's). */
  watchTimeoutSeconds?: number;
  /** Backoff after failures other than 410: initial and maximum delay (default 800 ms, 30 s). */
  backoff?: { initialMs: number; maxMs: number };
}

interface Registration {
  handler: EventHandler;
  timer?: NodeJS.Timeout;
}

/** The informer of one resource. */
export class Informer {
  readonly resource: Resource;
  readonly #client: Client;
  readonly #options: InformerOptions;
  readonly #log: Logger;
  readonly #store = new IndexedStore();
  readonly #handlers = new Set<Registration>();
  readonly #syncWaiters = new Set<() => void>();
  #resourceVersion = '';
  #synced = false;
  #running?: Promise<void>;
  #stopped = false;
  #watch?: { stop(): void };
  #wake?: () => void;

  constructor(client: Client, resource: Resource, options: InformerOptions = {}) {
    this.#client = client;
    this.resource = resource;
    this.#options = options;
    this.#log = options.log ?? silentLogger;
  }

  /** True once the first list has been stored and handed to the handlers. */
  hasSynced(): boolean {
    return this.#synced;
  }

  /** The resourceVersion of the last list, event or bookmark seen. */
  get lastSyncResourceVersion(): string {
    return this.#resourceVersion;
  }

  /** Registers `handler`; returns a function that removes it. `resyncPeriodMs` > 0 adds periodic `update(o, o)`. */
  addEventHandler(handler: EventHandler, options: { resyncPeriodMs?: number } = {}): () => void {
    const registration: Registration = { handler };
    this.#handlers.add(registration);
    if (this.#synced) for (const obj of this.#store.list()) this.#call(registration, 'add', obj);
    const period = options.resyncPeriodMs ?? 0;
    if (period > 0) {
      const resync = () => {
        if (this.#synced && !this.#stopped) for (const obj of this.#store.list()) this.#call(registration, 'update', obj, obj);
        registration.timer = setTimeout(resync, period).unref();
      };
      registration.timer = setTimeout(resync, period).unref();
    }
    return () => {
      clearTimeout(registration.timer);
      this.#handlers.delete(registration);
    };
  }

  /** True when an index of that name exists. */
  hasIndexer(name: string): boolean {
    return this.#store.hasIndexer(name);
  }

  /** Adds an index over the store (see IndexedStore). */
  addIndexer(name: string, fn: IndexFunc): void {
    this.#store.addIndexer(name, fn);
  }

  /** The object of a key (`namespace/name` or `name`). */
  get(key: string): StoredObject | undefined {
    return this.#store.get(key);
  }

  /** Every object, or those of one namespace. */
  list(namespace?: string): StoredObject[] {
    return this.#store.list(namespace);
  }

  /** The objects an index maps `value` to. */
  byIndex(name: string, value: string): StoredObject[] {
    return this.#store.byIndex(name, value);
  }

  /** How many objects an index maps `value` to. */
  countByIndex(name: string, value: string): number {
    return this.#store.countByIndex(name, value);
  }

  /** Starts listing and watching (idempotent). */
  start(): void {
    if (this.#running || this.#stopped) return;
    this.#running = this.#run();
  }

  /** Resolves true once synced, false after `timeoutMs` or when stopped first. */
  waitForSync(timeoutMs: number): Promise<boolean> {
    if (this.#synced) return Promise.resolve(true);
    if (this.#stopped) return Promise.resolve(false);
    return new Promise((resolve) => {
      const done = (value: boolean) => {
        clearTimeout(timer);
        this.#syncWaiters.delete(onSync);
        resolve(value);
      };
      const onSync = () => done(this.#synced);
      const timer = setTimeout(() => done(false), timeoutMs);
      this.#syncWaiters.add(onSync);
    });
  }

  /** Stops the watch and the loop; resolves when the loop has ended. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const registration of this.#handlers) clearTimeout(registration.timer);
    this.#watch?.stop();
    this.#wake?.();
    for (const waiter of [...this.#syncWaiters]) waiter();
    await this.#running;
  }

  async #run(): Promise<void> {
    let relist = true;
    let failures = 0;
    let expiredInARow = 0;
    while (!this.#stopped) {
      let delay = 0;
      try {
        if (relist) {
          const list = await this.#client.list(this.resource, this.#listOptions());
          if (this.#stopped) break;
          this.#replace(list.items, list.resourceVersion);
          relist = false;
        }
        const started = Date.now();
        const events = await this.#watchOnce();
        if (events > 0) expiredInARow = 0;
        // A watch that ends at once without events counts as a failure (no hot loop).
        if (events > 0 || Date.now() - started >= 1000) failures = 0;
        else delay = this.#backoff(++failures);
      } catch (err) {
        if (this.#stopped) break;
        relist = true;
        failures++;
        // The first 410 in a row re-lists at once: the resourceVersion left the window, nothing is wrong.
        const expired = err instanceof StatusError && err.code === 410;
        expiredInARow = expired ? expiredInARow + 1 : 0;
        delay = expiredInARow === 1 ? 0 : this.#backoff(failures);
        const level = expired ? 'info' : 'warn';
        this.#log[level]({ resource: resourceName(this.resource), delayMs: delay, ...errorFields(err) }, 'informer: list again');
      }
      if (delay > 0 && !this.#stopped) await this.#sleep(delay);
    }
  }

  /** Waits `ms`, or less when stopped. */
  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#wake = done;
    });
  }

  /** One watch from the current resourceVersion; returns the number of events it brought. */
  async #watchOnce(): Promise<number> {
    const timeoutSeconds = this.#options.watchTimeoutSeconds ?? Math.floor(300 * (1 + Math.random()));
    const watch = this.#client.watch(this.resource, { ...this.#listOptions(), resourceVersion: this.#resourceVersion, timeoutSeconds, allowBookmarks: true });
    this.#watch = watch;
    let events = 0;
    try {
      if (this.#stopped) return events;
      for await (const event of watch) {
        if (this.#stopped) break;
        this.#apply(event);
        events++;
      }
    } finally {
      watch.stop();
      this.#watch = undefined;
    }
    return events;
  }

  #listOptions(): ListOptions {
    const { namespace, labelSelector, fieldSelector } = this.#options;
    const options: ListOptions = {};
    if (namespace !== undefined) options.namespace = namespace;
    if (labelSelector !== undefined) options.labelSelector = labelSelector;
    if (fieldSelector !== undefined) options.fieldSelector = fieldSelector;
    return options;
  }

  #backoff(failures: number): number {
    const { initialMs, maxMs } = this.#options.backoff ?? { initialMs: 800, maxMs: 30_000 };
    return Math.round(Math.min(initialMs * 2 ** (failures - 1), maxMs) * (1 + Math.random() / 2));
  }

  /** Makes the store equal a fresh list, telling handlers what differs. */
  #replace(items: StoredObject[], resourceVersion: string): void {
    const listed = new Set<string>();
    for (const item of items) {
      listed.add(keyOf(item));
      const prev = this.#store.put(item);
      if (!prev) this.#notify('add', item);
      else if (prev.metadata.resourceVersion !== item.metadata.resourceVersion) this.#notify('update', prev, item);
    }
    for (const key of this.#store.keys()) {
      if (listed.has(key)) continue;
      const gone = this.#store.delete(key);
      if (gone) this.#notify('delete', gone);
    }
    this.#resourceVersion = resourceVersion;
    if (!this.#synced) {
      this.#synced = true;
      for (const waiter of [...this.#syncWaiters]) waiter();
    }
  }

  #apply(event: WatchEvent): void {
    if (event.type === 'BOOKMARK') {
      if (event.resourceVersion) this.#resourceVersion = event.resourceVersion;
      return;
    }
    const obj = deepFreeze(event.object);
    if (event.type === 'DELETED') {
      this.#store.delete(keyOf(obj));
      this.#notify('delete', obj);
    } else {
      const prev = this.#store.put(obj);
      if (prev) this.#notify('update', prev, obj);
      else this.#notify('add', obj);
    }
    this.#resourceVersion = obj.metadata.resourceVersion;
  }

  #notify(kind: 'add' | 'delete', obj: StoredObject): void;
  #notify(kind: 'update', oldObj: StoredObject, newObj: StoredObject): void;
  #notify(kind: keyof EventHandler, a: StoredObject, b?: StoredObject): void {
    for (const registration of this.#handlers) this.#call(registration, kind, a, b);
  }

  #call(registration: Registration, kind: keyof EventHandler, a: StoredObject, b?: StoredObject): void {
    try {
      if (kind === 'update') registration.handler.update?.(a, b!);
      else registration.handler[kind]?.(a);
    } catch (err) {
      this.#log.error({ resource: resourceName(this.resource), handler: kind, ...errorFields(err) }, 'informer: event handler failed');
    }
  }
}
