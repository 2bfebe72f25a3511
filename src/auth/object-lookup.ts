/**
 * Reading the objects service-account tokens refer to (ServiceAccounts, Secrets, Pods, Nodes)
 * from the registry's watch caches, as kube-apiserver's token getter reads its informers. A
 * parsed object is kept per cache entry, so authenticating the same token again does not parse
 * the ServiceAccount again.
 * Owns: object lookups for authentication. Must not: write, or know tokens.
 */
import type { StoredObject } from '../api/types.js';
import type { GenericStore } from '../registry/generic-store.js';
import type { Registry } from '../registry/registry.js';
import { objectKey } from '../registry/keys.js';
import { objectOf, type CacheEntry } from '../watch/entry.js';

/** The core resources tokens refer to. */
export type LookupResource = 'serviceaccounts' | 'secrets' | 'pods' | 'nodes';

/**
 * The current object, or undefined when it does not exist. The object is shared: callers must
 * not change it. `namespace` is ignored for nodes.
 */
export type ObjectLookup = (resource: LookupResource, namespace: string | undefined, name: string) => Readonly<StoredObject> | undefined;

/** An ObjectLookup over the watch caches of `registry` (usable once the registry has started). */
export function registryLookup(registry: Registry): ObjectLookup {
  const parsed = new WeakMap<CacheEntry, StoredObject>();
  const stores = new Map<LookupResource, GenericStore>();
  return (resource, namespace, name) => {
    let store = stores.get(resource);
    if (!store) stores.set(resource, (store = registry.storeFor('', resource)));
    const entry = store.cache.get(objectKey(store.info, store.info.namespaced ? namespace : undefined, name));
    if (!entry) return undefined;
    let obj = parsed.get(entry);
    if (!obj) parsed.set(entry, (obj = objectOf(entry)));
    return obj;
  };
}
