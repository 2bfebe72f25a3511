/**
 * The Registry: one GenericStore per served resource, looked up by group, version and plural,
 * over one Storage, one WatchCache and one admission chain. Built-in resources are loaded from
 * the schema-derived table; custom resources register here at runtime (addResource /
 * removeResource, called by the CRD controller in ./crd/), and listeners hear of every change.
 * Owns: the resource → store map and the caches behind them. Must not: import fastify.
 */
import type { ResourceInfo } from '../api/resource.js';
import type { KubeObject } from '../api/types.js';
import { fieldsOf } from '../api/selectors.js';
import type { Storage } from '../storage/types.js';
import { admissionChain } from '../admission/chain.js';
import type { Admit } from './generic-store.js';
import { namespaceLifecycle } from '../admission/namespace-lifecycle.js';
import { serviceAccountAdmission } from '../admission/service-account.js';
import { objectOf } from '../watch/entry.js';
import { WatchCache } from '../watch/watch-cache.js';
import { builtinStrategy } from './builtin/index.js';
import { GenericStore } from './generic-store.js';
import { objectKey, resourcePrefix } from './keys.js';
import type { ResourceHooks } from './resource-hooks.js';
import type { Strategy } from './strategy.js';
import type { CacheEntry, FieldExtractor } from '../watch/entry.js';

/** The stores of every served resource. */
export class Registry {
  readonly storage: Storage;
  readonly watchCache: WatchCache;
  readonly #stores = new Map<string, GenericStore>();
  readonly #resources: ResourceInfo[] = [];
  readonly #namespaces: GenericStore;
  readonly #admit: Admit;
  readonly #listeners = new Set<() => void>();
  readonly #parsedNamespaces = new WeakMap<CacheEntry, KubeObject>();

  /** `admission`: plugins run after the built-in ones (NamespaceLifecycle) on every write. */
  constructor(storage: Storage, resources: readonly ResourceInfo[], options: { eventWindow?: number; admission?: readonly Admit[] } = {}) {
    this.storage = storage;
    this.watchCache = new WatchCache(storage, { capacity: options.eventWindow ?? 10000 });
    const admit = (this.#admit = admissionChain(namespaceLifecycle(async (name) => this.#getNamespace(name)), serviceAccountAdmission(), ...(options.admission ?? [])));
    for (const info of resources) {
      const store = new GenericStore({ info, strategy: builtinStrategy(info.group, info.plural), storage, admit });
      this.#stores.set(storeKey(info.group, info.version, info.plural), store);
      this.#resources.push(info);
    }
    this.#namespaces = this.storeFor('', 'namespaces');
  }

  /** Loads every resource's watch cache; call once before serving. */
  async start(): Promise<void> {
    this.watchCache.start();
    for (const store of this.#stores.values()) {
      const { group, plural } = store.info;
      const groupPlural = group ? `${group}/${plural}` : plural;
      store.attachCache(await this.watchCache.register(resourcePrefix(store.info), (obj) => fieldsOf(groupPlural, obj)));
    }
  }

  /** Stops following storage. */
  stop(): void {
    this.watchCache.stop();
  }

  /** Every served resource, in discovery order. */
  get resources(): readonly ResourceInfo[] {
    return this.#resources;
  }

  /** The store of `group/version/plural`, or undefined. */
  store(group: string, version: string, plural: string): GenericStore | undefined {
    return this.#stores.get(storeKey(group, version, plural));
  }

  /** The store of a built-in resource by group and plural at its first served version. */
  storeFor(group: string, plural: string): GenericStore {
    const info = this.#resources.find((r) => r.group === group && r.plural === plural);
    const store = info && this.store(info.group, info.version, info.plural);
    if (!store) throw new TypeError(`no resource ${plural}.${group}`);
    return store;
  }

  /**
   * Serves a resource added at runtime (one served version of a CRD), replacing any store of the
   * same group/version/plural; versions of one resource share one watch cache (one key prefix).
   * Resolves once its cache is loaded; listeners are told.
   */
  async addResource(info: ResourceInfo, strategy: Strategy, options: { hooks?: ResourceHooks; fieldsOf?: FieldExtractor } = {}): Promise<GenericStore> {
    const store = new GenericStore({ info, strategy, storage: this.storage, admit: this.#admit, ...(options.hooks ? { hooks: options.hooks } : {}) });
    const key = storeKey(info.group, info.version, info.plural);
    const fieldsOf = options.fieldsOf ?? ((obj) => ({ 'metadata.name': obj.metadata.name, 'metadata.namespace': obj.metadata.namespace ?? '' }));
    store.attachCache(await this.watchCache.register(resourcePrefix(info), fieldsOf));
    const index = this.#resources.findIndex((r) => storeKey(r.group, r.version, r.plural) === key);
    if (index >= 0) this.#resources[index] = info;
    else this.#resources.push(info);
    this.#stores.set(key, store);
    this.#changed();
    return store;
  }

  /** Stops serving `group/version/plural`; drops its watch cache when no other version shares it. */
  removeResource(group: string, version: string, plural: string): void {
    const key = storeKey(group, version, plural);
    const store = this.#stores.get(key);
    if (!store) return;
    this.#stores.delete(key);
    const index = this.#resources.findIndex((r) => storeKey(r.group, r.version, r.plural) === key);
    if (index >= 0) this.#resources.splice(index, 1);
    if (!this.#resources.some((r) => r.group === group && r.plural === plural)) this.watchCache.unregister(resourcePrefix(store.info));
    this.#changed();
  }

  /** Calls `listener` after every change of the served set; returns the unsubscribe function. */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #changed(): void {
    for (const listener of this.#listeners) listener();
  }

  /**
   * The namespace as NamespaceLifecycle reads it, parsed once per cache entry (entries are
   * immutable; every create in a namespace would otherwise parse it again). Frozen: shared.
   */
  #getNamespace(name: string): KubeObject | undefined {
    const entry = this.#namespaces.cache.get(objectKey(this.#namespaces.info, undefined, name));
    if (!entry) return undefined;
    let ns = this.#parsedNamespaces.get(entry);
    if (!ns) this.#parsedNamespaces.set(entry, (ns = Object.freeze(objectOf(entry))));
    return ns;
  }
}

function storeKey(group: string, version: string, plural: string): string {
  return `${group}/${version}/${plural}`;
}
