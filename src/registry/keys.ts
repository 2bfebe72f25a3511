/**
 * Storage key layout of objects: `/registry/<group>/<plural>/<namespace>/<name>`, with `core`
 * for the core group and no namespace segment for cluster-scoped resources.
 * Owns: key strings. Must not: know object contents.
 */
import type { ResourceInfo } from '../api/resource.js';

/** Prefix of every key of one resource, in every namespace. */
export function resourcePrefix(info: ResourceInfo): string {
  return `/registry/${info.group || 'core'}/${info.plural}/`;
}

/** Prefix of a resource's keys in one namespace (or all of them when namespace is empty). */
export function listPrefix(info: ResourceInfo, namespace?: string): string {
  return info.namespaced && namespace ? `${resourcePrefix(info)}${namespace}/` : resourcePrefix(info);
}

/** The key of one object. */
export function objectKey(info: ResourceInfo, namespace: string | undefined, name: string): string {
  return info.namespaced ? `${resourcePrefix(info)}${namespace}/${name}` : `${resourcePrefix(info)}${name}`;
}
