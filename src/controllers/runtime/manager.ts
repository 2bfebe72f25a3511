/**
 * Manager: runs a set of controllers over one client and one InformerFactory, so controllers
 * that read the same resource share one informer. Each controller is declared by a
 * ControllerDefinition and built at start with its own context: the client writing as the
 * controller's name (field manager), an event recorder with that name as source, the shared
 * informers, and a logger.
 *
 *   manager.add({ name: 'replicaset-controller', workers: 2, setup: (ctx) => {
 *     const sets = ctx.informers.informer(RESOURCES.replicasets);
 *     const pods = ctx.informers.informer(RESOURCES.pods, { indexers: { owner: byControllerUid } });
 *     return { reconciler: new ReplicaSetReconciler(ctx, sets, pods),
 *              sources: [{ informer: sets }, { informer: pods, map: ownerKeys('ReplicaSet', 'apps') }] };
 *   } });
 *   await manager.start();   // informers listed and synced, then workers run
 *   await manager.stop();    // workers finish their key, watches end, events flushed
 *
 * Owns: the life cycle of controllers and their shared informers. Must not: know any controller.
 */
import type { Client } from '../../client/types.js';
import { Controller, type Source } from './controller.js';
import { EventRecorder } from './events.js';
import { InformerFactory } from './informer-factory.js';
import type { InformerOptions } from './informer.js';
import { silentLogger, type Logger } from './log.js';
import type { BackoffOptions } from './queue.js';
import type { Reconciler } from './reconciler.js';

/** What a controller gets to build itself. */
export interface ControllerContext {
  name: string;
  /** Writes as `name` (its field manager). */
  client: Client;
  /** The shared informers. */
  informers: InformerFactory;
  /** Events with `name` as source component. */
  recorder: EventRecorder;
  log: Logger;
  /**
   * Attaches a source to this controller once it runs (resources discovered at run time);
   * returns a function that detaches it. Only after setup() has returned.
   */
  addSource(source: Source): () => void;
}

/** A controller, declared. */
export interface ControllerDefinition {
  /** Unique: field manager, event source and log name. */
  name: string;
  /** Keys reconciled at the same time (default 1). */
  workers?: number;
  /** Every object of every source is enqueued again this often (default: never). */
  resyncPeriodMs?: number;
  backoff?: BackoffOptions;
  /** Builds the reconciler and names its sources. Runs once, at start. */
  setup(ctx: ControllerContext): { reconciler: Reconciler; sources: readonly Source[] };
}

/** Options of a Manager. */
export interface ManagerOptions {
  client: Client;
  log?: Logger;
  /** How long start() waits for the informers' first lists (default 30 s). */
  syncTimeoutMs?: number;
  /** Settings of every informer (watch timeout, backoff). */
  informers?: Pick<InformerOptions, 'watchTimeoutSeconds' | 'backoff'>;
  /** `source.host` of events. */
  host?: string;
}

/** Starts and stops a set of controllers. */
export class Manager {
  readonly informers: InformerFactory;
  readonly #options: ManagerOptions;
  readonly #log: Logger;
  readonly #definitions: ControllerDefinition[] = [];
  readonly #controllers = new Map<string, Controller>();
  readonly #recorders: EventRecorder[] = [];
  #state: 'new' | 'started' | 'stopped' = 'new';

  constructor(options: ManagerOptions) {
    this.#options = options;
    this.#log = options.log ?? silentLogger;
    this.informers = new InformerFactory(options.client, { ...options.informers, log: this.#log });
  }

  /** Declares a controller; only before start(). Throws a TypeError for a duplicate name or after start. */
  add(definition: ControllerDefinition): void {
    if (this.#state !== 'new') throw new TypeError(`manager: add ${definition.name} before start()`);
    if (this.#definitions.some((d) => d.name === definition.name)) throw new TypeError(`manager: controller ${definition.name} added twice`);
    this.#definitions.push(definition);
  }

  /** The running controller of that name. */
  controller(name: string): Controller | undefined {
    return this.#controllers.get(name);
  }

  /**
   * Builds every controller, starts the informers, waits until they have synced, then starts
   * the workers. Rejects (after stopping what it started) when an informer did not sync in time.
   */
  async start(): Promise<void> {
    if (this.#state !== 'new') throw new TypeError('manager: start() once');
    this.#state = 'started';
    for (const definition of this.#definitions) this.#build(definition);
    this.informers.start();
    const unsynced = await this.informers.waitForSync(this.#options.syncTimeoutMs ?? 30_000);
    if (this.#state !== 'started') return;
    if (unsynced.length) {
      await this.stop();
      throw new Error(`manager: informers did not sync within ${this.#options.syncTimeoutMs ?? 30_000} ms: ${unsynced.join(', ')}`);
    }
    for (const controller of this.#controllers.values()) controller.start();
    this.#log.info({ controllers: [...this.#controllers.keys()] }, 'controllers started');
  }

  /** Stops the controllers (in-flight reconciles finish), then the informers; flushes events. Idempotent. */
  async stop(): Promise<void> {
    if (this.#state === 'stopped') return;
    this.#state = 'stopped';
    await Promise.all([...this.#controllers.values()].map((c) => c.stop()));
    await this.informers.stop();
    await Promise.all(this.#recorders.map((r) => r.flush()));
  }

  #build(definition: ControllerDefinition): void {
    const { name } = definition;
    const client = this.#options.client.withFieldManager(name);
    const log = this.#log;
    const recorder = new EventRecorder({ client, component: name, log, ...(this.#options.host ? { host: this.#options.host } : {}) });
    this.#recorders.push(recorder);
    let controller: Controller | undefined;
    const addSource = (source: Source): (() => void) => {
      if (!controller) throw new TypeError(`manager: ${name} added a source during setup(); return it from setup() instead`);
      return controller.addSource(source);
    };
    const { reconciler, sources } = definition.setup({ name, client, informers: this.informers, recorder, log, addSource });
    controller = new Controller({
      name,
      reconciler,
      sources,
      log,
      ...(definition.workers !== undefined ? { workers: definition.workers } : {}),
      ...(definition.resyncPeriodMs !== undefined ? { resyncPeriodMs: definition.resyncPeriodMs } : {}),
      ...(definition.backoff ? { backoff: definition.backoff } : {}),
    });
    this.#controllers.set(name, controller);
  }
}
