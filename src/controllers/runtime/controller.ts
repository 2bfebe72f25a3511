/**
 * Controller: informers → work queue → N workers → reconcile. Every change an informer reports
 * (and every resync) becomes keys, through each source's mapper: by default the object's own key;
 * `ownerKeys(kind)` maps an owned object to its controller owner (a Pod to its ReplicaSet). An
 * update enqueues the keys of both states, so a change of owner or selector reaches both sides,
 * unless the source maps updates (and deletes) itself, to skip changes it does not care about.
 * Workers take keys off the queue (never one key in two workers) and apply the reconciler's
 * answer: success → forget the backoff (and requeue after `requeueAfter` if asked); a throw →
 * requeue with the key's exponential backoff. Before each key a worker yields to the event loop
 * once the turn's time slice is spent (yield.ts), so the API keeps answering.
 * Owns: the loop of one controller. Must not: know what it reconciles.
 */
import type { StoredObject } from '../../api/types.js';
import type { Informer } from './informer.js';
import { errorFields, silentLogger, type Logger } from './log.js';
import { WorkQueue, type BackoffOptions } from './queue.js';
import type { Reconciler } from './reconciler.js';
import { keyOf } from './store.js';
import { yieldToEventLoop } from './yield.js';

/** Maps an object an informer reports to the keys to reconcile. */
export type KeyMapper = (obj: StoredObject) => readonly string[];

/** Where a controller's keys come from. */
export interface Source {
  informer: Informer;
  /** Default: the object's own key. */
  map?: KeyMapper;
  /** Keys of an update (default: `map` of both states), for a source that only cares about some changes. */
  mapUpdate?: (oldObj: StoredObject, newObj: StoredObject) => readonly string[];
  /** Keys of a delete (default: `map`). */
  mapDelete?: KeyMapper;
  /**
   * Queue this source's keys this long after the change, so a burst of changes (a thousand pods
   * of one ReplicaSet turning Ready) costs one reconcile rather than one each (default 0).
   */
  coalesceMs?: number;
}

/** Maps an object to the key of its controller owner of `kind` (and `group`, when given). */
export function ownerKeys(kind: string, group?: string): KeyMapper {
  return (obj) => {
    const owner = (obj.metadata.ownerReferences ?? []).find((o) => o.controller && o.kind === kind);
    if (!owner) return [];
    if (group !== undefined) {
      const ownerGroup = owner.apiVersion.includes('/') ? owner.apiVersion.slice(0, owner.apiVersion.indexOf('/')) : '';
      if (ownerGroup !== group) return [];
    }
    return [obj.metadata.namespace ? `${obj.metadata.namespace}/${owner.name}` : owner.name];
  };
}

/** Options of a Controller. */
export interface ControllerOptions {
  /** Names the controller in logs (and, through the Manager, its field manager and event source). */
  name: string;
  reconciler: Reconciler;
  sources: readonly Source[];
  /** Keys reconciled at the same time (default 1). */
  workers?: number;
  backoff?: BackoffOptions;
  /** Every object of every source is enqueued again this often (default: never). */
  resyncPeriodMs?: number;
  log?: Logger;
}

/** One controller. Handlers are registered at construction, so the informers' first lists fill the queue. */
export class Controller {
  readonly name: string;
  readonly queue: WorkQueue;
  readonly #reconciler: Reconciler;
  readonly #workers: number;
  readonly #log: Logger;
  readonly #removers: (() => void)[] = [];
  readonly #resyncPeriodMs: number | undefined;
  #running: Promise<void>[] = [];

  constructor(options: ControllerOptions) {
    this.name = options.name;
    this.queue = new WorkQueue(options.backoff);
    this.#reconciler = options.reconciler;
    this.#workers = Math.max(1, options.workers ?? 1);
    this.#log = options.log ?? silentLogger;
    this.#resyncPeriodMs = options.resyncPeriodMs;
    for (const source of options.sources) this.addSource(source);
  }

  /**
   * Adds a source after construction (a resource that appeared at run time, e.g. a custom
   * resource); returns a function that detaches it again. A stopped controller ignores it.
   */
  addSource(source: Source): () => void {
    if (this.queue.shuttingDown) return () => {};
    const map = source.map ?? ((obj: StoredObject) => [keyOf(obj)]);
    const delay = source.coalesceMs ?? 0;
    const add = (keys: readonly string[]) => {
      for (const key of keys) this.queue.addAfter(key, delay);
    };
    const { mapUpdate, mapDelete } = source;
    const handler = {
      add: (obj: StoredObject) => add(map(obj)),
      update: (oldObj: StoredObject, newObj: StoredObject) => {
        if (mapUpdate) return add(mapUpdate(oldObj, newObj));
        add(map(oldObj));
        add(map(newObj));
      },
      delete: (obj: StoredObject) => add((mapDelete ?? map)(obj)),
    };
    const resync = this.#resyncPeriodMs === undefined ? {} : { resyncPeriodMs: this.#resyncPeriodMs };
    const remove = source.informer.addEventHandler(handler, resync);
    this.#removers.push(remove);
    return () => {
      remove();
      const at = this.#removers.indexOf(remove);
      if (at >= 0) this.#removers.splice(at, 1);
    };
  }

  /** Queues `key` for reconciliation. */
  enqueue(key: string): void {
    this.queue.add(key);
  }

  /** Starts the workers (idempotent). */
  start(): void {
    if (this.#running.length || this.queue.shuttingDown) return;
    for (let n = 0; n < this.#workers; n++) this.#running.push(this.#work());
  }

  /** Stops taking keys, waits for the reconciles in flight, and detaches from the informers. */
  async stop(): Promise<void> {
    this.#removers.splice(0).forEach((remove) => remove());
    await this.queue.shutDown();
    await Promise.all(this.#running);
  }

  async #work(): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      // A key can be handed out from inside another controller's write (microtasks): wait for
      // the event loop's next turn when this one has run long enough.
      const turn = yieldToEventLoop();
      if (turn) await turn;
      const started = Date.now();
      try {
        const result = await this.#reconciler.reconcile(key);
        this.queue.forget(key);
        const after = result?.requeueAfter;
        if (after !== undefined && after > 0) this.queue.addAfter(key, after);
        this.#log.debug({ controller: this.name, key, ms: Date.now() - started, requeueAfter: after }, 'reconciled');
      } catch (err) {
        const retries = this.queue.numRequeues(key);
        this.#log.error({ controller: this.name, key, retries, ...errorFields(err) }, 'reconcile failed');
        this.queue.addRateLimited(key);
      } finally {
        this.queue.done(key);
      }
    }
  }
}
