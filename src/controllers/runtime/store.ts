/**
 * The informer's in-memory store (client-go's thread-safe store with indexers): objects by key
 * (`namespace/name`, or `name` for cluster-scoped objects) and any number of named indexes from
 * an index value to the keys whose object yields it.
 *
 *   indexers { owner: byOwnerUid }
 *   put ns/rs-a-x1 (ownerReferences [{uid: U1}])     owner: { U1 → {ns/rs-a-x1} }
 *   put ns/rs-a-x2 (ownerReferences [{uid: U1}])     owner: { U1 → {ns/rs-a-x1, ns/rs-a-x2} }
 *   put ns/rs-a-x1 (no owner)                         owner: { U1 → {ns/rs-a-x2} }
 *   byIndex('owner', U1) → [rs-a-x2]
 *
 * Objects are deep-frozen: every reader shares them; clone before changing one.
 * Owns: keys, objects and indexes. Must not: talk to a client.
 */
import type { StoredObject } from '../../api/types.js';

/** Computes the index values of one object (none: not indexed). */
export type IndexFunc = (obj: StoredObject) => readonly string[];

/** `namespace/name`, or `name` for a cluster-scoped object (client-go MetaNamespaceKeyFunc). */
export function keyOf(obj: { metadata?: { namespace?: string; name?: string } }): string {
  const { namespace, name = '' } = obj.metadata ?? {};
  return namespace ? `${namespace}/${name}` : name;
}

/** The namespace (undefined for cluster-scoped keys) and name of a key. */
export function splitKey(key: string): { namespace?: string; name: string } {
  const slash = key.indexOf('/');
  return slash < 0 ? { name: key } : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

/** Index values: the uid of every owner reference. */
export const byOwnerUid: IndexFunc = (obj) => (obj.metadata.ownerReferences ?? []).map((o) => o.uid);

/** Index values: the uid of the controlling owner reference, if any. */
export const byControllerUid: IndexFunc = (obj) => {
  const owner = (obj.metadata.ownerReferences ?? []).find((o) => o.controller);
  return owner ? [owner.uid] : [];
};

/** Index values: the namespace of an object no controller owns (the orphans a controller may adopt). */
export const byOrphanNamespace: IndexFunc = (obj) =>
  (obj.metadata.ownerReferences ?? []).some((o) => o.controller) ? [] : [obj.metadata.namespace ?? ''];

/** Index values: the namespace. */
export const byNamespace: IndexFunc = (obj) => (obj.metadata.namespace ? [obj.metadata.namespace] : []);

/** An IndexFunc yielding the value of label `key`. */
export function byLabel(key: string): IndexFunc {
  return (obj) => {
    const value = obj.metadata.labels?.[key];
    return value === undefined ? [] : [value];
  };
}

/** Freezes `value` and everything it holds. */
export function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  Object.freeze(value);
  // Every watched object passes here: indexed loops, and no call for strings and numbers.
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) freezeChild(value[i]);
  } else {
    const keys = Object.keys(value);
    for (let i = 0; i < keys.length; i++) freezeChild((value as Record<string, unknown>)[keys[i]!]);
  }
  return value;
}

function freezeChild(child: unknown): void {
  if (typeof child === 'object' && child !== null) deepFreeze(child);
}

/** Objects by key with named indexes. */
export class IndexedStore {
  readonly #objects = new Map<string, StoredObject>();
  readonly #indexers = new Map<string, IndexFunc>();
  /** index name → value → keys. */
  readonly #indexes = new Map<string, Map<string, Set<string>>>();

  get size(): number {
    return this.#objects.size;
  }

  hasIndexer(name: string): boolean {
    return this.#indexers.has(name);
  }

  /** Adds an index; existing objects are indexed at once. Throws a TypeError if the name is taken. */
  addIndexer(name: string, fn: IndexFunc): void {
    if (this.#indexers.has(name)) throw new TypeError(`indexer ${JSON.stringify(name)} already exists`);
    this.#indexers.set(name, fn);
    this.#indexes.set(name, new Map());
    for (const [key, obj] of this.#objects) this.#index(name, fn, key, obj, true);
  }

  get(key: string): StoredObject | undefined {
    return this.#objects.get(key);
  }

  /** Every object, or those of one namespace. */
  list(namespace?: string): StoredObject[] {
    const all = [...this.#objects.values()];
    return namespace === undefined ? all : all.filter((o) => o.metadata.namespace === namespace);
  }

  keys(): string[] {
    return [...this.#objects.keys()];
  }

  /** The objects whose index `name` yields `value`. Throws a TypeError for an unknown index. */
  byIndex(name: string, value: string): StoredObject[] {
    const index = this.#indexes.get(name);
    if (!index) throw new TypeError(`no indexer ${JSON.stringify(name)}`);
    return [...(index.get(value) ?? [])].map((key) => this.#objects.get(key)!);
  }

  /** How many objects index `name` maps `value` to (without building the list). */
  countByIndex(name: string, value: string): number {
    const index = this.#indexes.get(name);
    if (!index) throw new TypeError(`no indexer ${JSON.stringify(name)}`);
    return index.get(value)?.size ?? 0;
  }

  /** Stores (a frozen) `obj`; returns the previous object of its key. */
  put(obj: StoredObject): StoredObject | undefined {
    const key = keyOf(obj);
    const prev = this.#objects.get(key);
    if (prev) this.#reindex(key, prev, false);
    this.#objects.set(key, deepFreeze(obj));
    this.#reindex(key, obj, true);
    return prev;
  }

  /** Removes the object of `key`; returns it. */
  delete(key: string): StoredObject | undefined {
    const prev = this.#objects.get(key);
    if (!prev) return undefined;
    this.#reindex(key, prev, false);
    this.#objects.delete(key);
    return prev;
  }

  #reindex(key: string, obj: StoredObject, add: boolean): void {
    for (const [name, fn] of this.#indexers) this.#index(name, fn, key, obj, add);
  }

  #index(name: string, fn: IndexFunc, key: string, obj: StoredObject, add: boolean): void {
    const index = this.#indexes.get(name)!;
    for (const value of fn(obj)) {
      let keys = index.get(value);
      if (add) {
        if (!keys) index.set(value, (keys = new Set()));
        keys.add(key);
      } else if (keys) {
        keys.delete(key);
        if (!keys.size) index.delete(value);
      }
    }
  }
}
