/**
 * InformerFactory: one shared Informer per resource and selection (namespace, label and field
 * selectors) for every controller of a Manager, so two controllers that read pods share one list,
 * one watch and one store. Indexers are added by name; a name already present is taken to be the
 * same index (the first definition wins). An informer can be released (stopped and forgotten)
 * when the resource it follows goes away.
 * Owns: sharing and starting informers. Must not: know controllers.
 */
import { resourceName, type Client, type ListOptions, type Resource } from '../../client/types.js';
import { Informer, type InformerOptions } from './informer.js';
import type { IndexFunc } from './store.js';

/** Options of informer(): the selection and the indexes a controller needs. */
export interface InformerRequest extends ListOptions {
  indexers?: Record<string, IndexFunc>;
}

/** Shared informers over one client. */
export class InformerFactory {
  readonly #client: Client;
  readonly #options: Omit<InformerOptions, keyof ListOptions>;
  readonly #informers = new Map<string, Informer>();
  #started = false;
  #stopped = false;

  constructor(client: Client, options: Omit<InformerOptions, keyof ListOptions> = {}) {
    this.#client = client;
    this.#options = options;
  }

  /** The shared informer of `resource` with `request`'s selection; started at once if the factory is. */
  informer(resource: Resource, request: InformerRequest = {}): Informer {
    const { indexers = {}, ...selection } = request;
    const key = informerKey(resource, selection);
    let informer = this.#informers.get(key);
    if (!informer) {
      informer = new Informer(this.#client, resource, { ...this.#options, ...selection });
      this.#informers.set(key, informer);
      if (this.#started && !this.#stopped) informer.start();
    }
    for (const [name, fn] of Object.entries(indexers)) if (!informer.hasIndexer(name)) informer.addIndexer(name, fn);
    return informer;
  }

  /**
   * Stops the informer of `resource` with that selection and forgets it (a custom resource whose
   * definition went). Only for an informer one owner holds: others sharing it would stop too.
   */
  async release(resource: Resource, selection: ListOptions = {}): Promise<void> {
    const key = informerKey(resource, selection);
    const informer = this.#informers.get(key);
    if (!informer) return;
    this.#informers.delete(key);
    await informer.stop();
  }

  /** Starts every informer, and those created from now on. */
  start(): void {
    this.#started = true;
    for (const informer of this.#informers.values()) informer.start();
  }

  /** Waits until every informer has synced; resolves with the names of those that did not within `timeoutMs`. */
  async waitForSync(timeoutMs: number): Promise<string[]> {
    const informers = [...this.#informers.values()];
    const synced = await Promise.all(informers.map((i) => i.waitForSync(timeoutMs)));
    return informers.filter((_, n) => !synced[n]).map((i) => resourceName(i.resource));
  }

  /** Stops every informer. */
  async stop(): Promise<void> {
    this.#stopped = true;
    await Promise.all([...this.#informers.values()].map((i) => i.stop()));
  }
}

function informerKey(resource: Resource, selection: ListOptions): string {
  return JSON.stringify([resource.group, resource.version, resource.resource, selection.namespace ?? '', selection.labelSelector ?? '', selection.fieldSelector ?? '']);
}
