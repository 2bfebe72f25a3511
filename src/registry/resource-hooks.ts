/**
 * What a resource served from a CustomResourceDefinition adds to the generic flow, as data and
 * small functions the HTTP layer and the store consult when present (built-in resources have
 * none): pruning of decoded bodies, the per-version view of stored objects (apiVersion rewritten,
 * defaults applied on read), the scale mapping, field labels, printer columns, deprecation
 * warnings and the schema server-side apply merges with.
 * Owns: the hook shape. Must not: do I/O or know HTTP.
 */
import type { KubeObject, StoredObject } from '../api/types.js';
import type { Printer } from '../codec/table/types.js';
import type { SchemaNode } from '../openapi/patch-meta.js';
import type { CacheEntry } from '../watch/entry.js';

/** The scale subresource of a custom resource (autoscaling/v1 Scale over JSON paths). */
export interface ScaleMapping {
  toScale(obj: StoredObject): KubeObject;
  fromScale(current: StoredObject, scale: KubeObject): KubeObject;
}

/** Optional per-resource behaviour beyond the Strategy. */
export interface ResourceHooks {
  /** Drops fields the schema does not know from a decoded body; returns their paths (`spec.foo`). */
  prune(obj: KubeObject): string[];
  /**
   * The stored entry as this version serves it (apiVersion of the version, defaults applied);
   * returns `entry` itself when nothing changes. Absent: entries are served as stored.
   */
  view?(entry: CacheEntry): CacheEntry;
  /** The same for a parsed object (write responses); returns a new object or `obj`. */
  viewObject?(obj: KubeObject): KubeObject;
  /** The scale subresource mapping, when the resource has one. */
  scale?: ScaleMapping;
  /** Accepted field-selector labels (`metadata.name`, selectableFields...). */
  fieldLabels: readonly string[];
  /** Warnings every request to this version carries (deprecation). */
  warnings: readonly string[];
  /** Table printer (additionalPrinterColumns). */
  printer?: Printer;
  /** The schema server-side apply merges with (list types, map types). */
  schema?: SchemaNode;
}
