/**
 * Test helper: a Client that forwards to another and lets a test interfere — count lists and
 * watches, fail lists, end the current watches, hold new watches until released, and drop
 * watch events (a controller that misses events). Not a test file.
 */
import type { KubeObject, Status, StoredObject } from '../../../src/api/types.js';
import type {
  Client,
  DeleteOptions,
  ListOptions,
  ObjectList,
  Patch,
  PatchOptions,
  Resource,
  Scoped,
  Watch,
  WatchEvent,
  WatchOptions,
  WriteOptions,
} from '../../../src/client/types.js';
import { WatchStream } from '../../../src/client/watch-stream.js';

/** The knobs of a ProxyClient, shared by the clients withFieldManager makes. */
export class Interference {
  lists = 0;
  watches = 0;
  /** Resource versions the watches started from. */
  watchedFrom: (string | undefined)[] = [];
  /** Lists to fail with a plain Error before succeeding again. */
  failLists = 0;
  /** Events for which this returns true are not delivered. */
  drop: (event: WatchEvent) => boolean = () => false;
  #gate?: Promise<void>;
  #open?: () => void;
  readonly #live = new Set<Watch>();

  /** Ends every running watch normally (as a server timeout does). */
  endWatches(): void {
    for (const watch of this.#live) watch.stop();
  }

  /** New watches wait until release() (the informer sits between its watches). */
  hold(): void {
    this.#gate = new Promise((resolve) => (this.#open = resolve));
  }

  release(): void {
    this.#open?.();
    this.#gate = undefined;
  }

  /** @internal */
  get gate(): Promise<void> | undefined {
    return this.#gate;
  }

  /** @internal */
  track(watch: Watch): () => void {
    this.#live.add(watch);
    return () => this.#live.delete(watch);
  }
}

/** A Client over `inner` with interference. */
export class ProxyClient implements Client {
  readonly #inner: Client;
  readonly interference: Interference;

  constructor(inner: Client, interference = new Interference()) {
    this.#inner = inner;
    this.interference = interference;
  }

  get fieldManager(): string {
    return this.#inner.fieldManager;
  }

  withFieldManager(fieldManager: string): ProxyClient {
    return new ProxyClient(this.#inner.withFieldManager(fieldManager), this.interference);
  }

  get(resource: Resource, name: string, options?: Scoped): Promise<StoredObject> {
    return this.#inner.get(resource, name, options);
  }

  async list(resource: Resource, options?: ListOptions): Promise<ObjectList> {
    this.interference.lists++;
    if (this.interference.failLists > 0) {
      this.interference.failLists--;
      throw new Error('injected list failure');
    }
    return this.#inner.list(resource, options);
  }

  watch(resource: Resource, options: WatchOptions = {}): Watch {
    const knobs = this.interference;
    knobs.watches++;
    knobs.watchedFrom.push(options.resourceVersion);
    let inner: Watch | undefined;
    const outer = new WatchStream({ onStop: () => inner?.stop() });
    const untrack = knobs.track(outer);
    const gate = knobs.gate ?? Promise.resolve();
    void gate.then(async () => {
      if (outer.closed) return untrack();
      inner = this.#inner.watch(resource, options);
      try {
        for await (const event of inner) if (!knobs.drop(event)) outer.push(event);
        outer.end();
      } catch (err) {
        outer.fail(err);
      } finally {
        untrack();
      }
    });
    return outer;
  }

  create(resource: Resource, object: KubeObject, options?: WriteOptions): Promise<StoredObject> {
    return this.#inner.create(resource, object, options);
  }

  update(resource: Resource, object: KubeObject, options?: WriteOptions): Promise<StoredObject> {
    return this.#inner.update(resource, object, options);
  }

  updateStatus(resource: Resource, object: KubeObject, options?: WriteOptions): Promise<StoredObject> {
    return this.#inner.updateStatus(resource, object, options);
  }

  patch(resource: Resource, name: string, patch: Patch, options?: PatchOptions): Promise<StoredObject> {
    return this.#inner.patch(resource, name, patch, options);
  }

  delete(resource: Resource, name: string, options?: DeleteOptions): Promise<StoredObject | Status> {
    return this.#inner.delete(resource, name, options);
  }
}
