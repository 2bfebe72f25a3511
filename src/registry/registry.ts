/**
 * The Registry: one GenericStore per served resource, looked up by group, version and plural
 * (or short name), over one Storage and one admission chain. Built-in resources are loaded from
 * the schema-derived table; custom resources will register here at runtime.
 * Owns: the resource → store map. Must not: import fastify.
 */
import type { ResourceInfo } from '../api/resource.js';
import type { Storage } from '../storage/types.js';
import { admissionChain } from '../admission/chain.js';
import { namespaceLifecycle } from '../admission/namespace-lifecycle.js';
import { builtinStrategy } from './builtin/index.js';
import { GenericStore } from './generic-store.js';
import { resourcePrefix } from './keys.js';
import { NamespaceCache } from './namespace-cache.js';

/** The stores of every served resource. */
export class Registry {
  readonly storage: Storage;
  readonly #stores = new Map<string, GenericStore>();
  readonly #resources: ResourceInfo[] = [];
  readonly #namespaces: NamespaceCache;

  constructor(storage: Storage, resources: readonly ResourceInfo[]) {
    this.storage = storage;
    const namespaceInfo = resources.find((r) => !r.group && r.plural === 'namespaces');
    if (!namespaceInfo) throw new TypeError('the resource table has no namespaces');
    this.#namespaces = new NamespaceCache(storage, resourcePrefix(namespaceInfo));
    const admit = admissionChain(namespaceLifecycle(async (name) => this.#namespaces.get(name)));
    for (const info of resources) {
      const store = new GenericStore({ info, strategy: builtinStrategy(info.group, info.plural), storage, admit });
      this.#stores.set(storeKey(info.group, info.version, info.plural), store);
      this.#resources.push(info);
    }
  }

  /** Loads what the registry keeps in memory; call once before serving. */
  async start(): Promise<void> {
    await this.#namespaces.start();
  }

  /** Stops following storage. */
  stop(): void {
    this.#namespaces.stop();
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
}

function storeKey(group: string, version: string, plural: string): string {
  return `${group}/${version}/${plural}`;
}
