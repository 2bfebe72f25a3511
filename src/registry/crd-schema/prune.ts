/**
 * Pruning of unknown fields from custom resources, as kube-apiserver's unstructuredSchemaCoercer:
 * the root `metadata` reduced to ObjectMeta's fields, structural pruning (the root and embedded
 * resources keep apiVersion/kind/metadata; x-kubernetes-preserve-unknown-fields keeps unknown
 * fields but still prunes known ones below), dropping of non-nullable nulls without a default,
 * and ObjectMeta coercion of embedded resources. Returns the unknown field paths for
 * fieldValidation Warn/Strict.
 * Owns: pruning. Must not: validate or default.
 */
import { fieldSchema, isObj, type SchemaNode } from './node.js';

/** Top-level fields of metav1.ObjectMeta (JSON names). */
const OBJECT_META_FIELDS = new Set([
  'name', 'generateName', 'namespace', 'selfLink', 'uid', 'resourceVersion', 'generation', 'creationTimestamp',
  'deletionTimestamp', 'deletionGracePeriodSeconds', 'labels', 'annotations', 'ownerReferences', 'finalizers',
  'managedFields',
]);
const OWNER_REF_FIELDS = new Set(['apiVersion', 'kind', 'name', 'uid', 'controller', 'blockOwnerDeletion']);
const MANAGED_FIELDS_FIELDS = new Set(['manager', 'operation', 'apiVersion', 'time', 'fieldsType', 'fieldsV1', 'subresource']);
const META_FIELDS = new Set(['apiVersion', 'kind', 'metadata']);

/** Prunes `obj` (a whole custom resource) in place; returns unknown field paths. */
export function pruneObject(obj: Record<string, unknown>, root: SchemaNode | undefined): string[] {
  const metaPaths = pruneObjectMeta(obj, 'metadata');
  const paths: string[] = [];
  prune(obj, root, '', true, paths);
  paths.sort();
  pruneNulls(obj, root);
  const coerced: string[] = [];
  coerceEmbedded(obj, root, '', coerced, true);
  coerced.sort();
  return [...metaPaths, ...paths, ...coerced];
}

/** Drops unknown fields of the ObjectMeta at obj.metadata; returns their paths (prefix e.g. `metadata`). */
function pruneObjectMeta(obj: Record<string, unknown>, prefix: string): string[] {
  const meta = obj.metadata;
  if (!isObj(meta)) return [];
  const out: string[] = [];
  for (const k of Object.keys(meta)) {
    if (!OBJECT_META_FIELDS.has(k)) {
      out.push(`${prefix}.${k}`);
      delete meta[k];
    }
  }
  dropUnknownInList(meta.ownerReferences, OWNER_REF_FIELDS, `${prefix}.ownerReferences`, out);
  dropUnknownInList(meta.managedFields, MANAGED_FIELDS_FIELDS, `${prefix}.managedFields`, out);
  return out;
}

function dropUnknownInList(list: unknown, known: Set<string>, prefix: string, out: string[]): void {
  if (!Array.isArray(list)) return;
  list.forEach((item, i) => {
    if (!isObj(item)) return;
    for (const k of Object.keys(item)) {
      if (!known.has(k)) {
        out.push(`${prefix}[${i}].${k}`);
        delete item[k];
      }
    }
  });
}

/** Prunes a value (e.g. a default) under schema `s` as pruning.Prune(x, s, s.XEmbeddedResource); returns the pruned paths. */
export function pruneValue(x: unknown, s: SchemaNode): string[] {
  const out: string[] = [];
  prune(x, s, '', s.embedded, out);
  return out;
}

function join(path: string, k: string): string {
  return path ? `${path}.${k}` : k;
}

/** structural pruning (pruning/algorithm.go); `embedded` marks the resource root or an embedded resource. */
function prune(x: unknown, s: SchemaNode | undefined, path: string, isRoot: boolean, out: string[]): void {
  const embedded = isRoot || (s?.embedded ?? false);
  if (s?.preserveUnknown) {
    skipPrune(x, s, path, embedded, out);
    return;
  }
  if (Array.isArray(x)) {
    for (let i = 0; i < x.length; i++) prune(x[i], s?.items, `${path}[${i}]`, false, out);
    return;
  }
  if (!isObj(x)) return;
  if (!s) {
    for (const k of Object.keys(x)) {
      out.push(join(path, k));
      delete x[k];
    }
    return;
  }
  pruneFields(x, s, path, embedded, out, (k) => {
    if (!META_FIELDS.has(k) || path !== '') out.push(join(path, k));
    delete x[k];
  });
}

/**
 * Prunes below each field of object `x` that `s` declares (a property, or additionalProperties);
 * hands the keys it declares nothing for to `unknown`, in key order. The metadata fields of an
 * embedded resource are left alone.
 */
function pruneFields(x: Record<string, unknown>, s: SchemaNode, path: string, embedded: boolean, out: string[], unknown?: (k: string) => void): void {
  for (const k of Object.keys(x)) {
    if (embedded && META_FIELDS.has(k)) continue;
    const prop = s.properties?.get(k);
    if (prop) prune(x[k], prop, join(path, k), false, out);
    else if (s.additionalProperties !== undefined) {
      prune(x[k], typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined, join(path, k), false, out);
    } else unknown?.(k);
  }
}

function skipPrune(x: unknown, s: SchemaNode, path: string, embedded: boolean, out: string[]): void {
  if (Array.isArray(x)) {
    if (s.items) for (let i = 0; i < x.length; i++) skipPruneOrPrune(x[i], s.items, `${path}[${i}]`, out);
    return;
  }
  if (!isObj(x)) return;
  pruneFields(x, s, path, embedded, out);
}

function skipPruneOrPrune(x: unknown, s: SchemaNode, path: string, out: string[]): void {
  // upstream calls skipPrune for items of a preserve-unknown-fields array
  skipPrune(x, s, path, s.embedded, out);
}

/** Removes null values where the schema is not nullable and has no default (defaulting/prunenulls.go). */
export function pruneNulls(x: unknown, s: SchemaNode | undefined): void {
  if (Array.isArray(x)) {
    for (const v of x) pruneNulls(v, s?.items);
  } else if (isObj(x)) {
    for (const k of Object.keys(x)) {
      const sub = fieldSchema(s, k);
      if (x[k] === null && sub && !sub.nullable && !sub.hasDefault) delete x[k];
      else pruneNulls(x[k], sub);
    }
  }
}

/** ObjectMeta coercion of embedded resources (objectmeta/algorithm.go, not at the root). */
function coerceEmbedded(x: unknown, s: SchemaNode | undefined, path: string, out: string[], isRoot: boolean): void {
  if (!s) return;
  if (Array.isArray(x)) {
    for (let i = 0; i < x.length; i++) coerceEmbedded(x[i], s.items, `${path}[${i}]`, out, false);
    return;
  }
  if (!isObj(x)) return;
  if (s.embedded && !isRoot && isObj(x.metadata)) {
    out.push(...pruneObjectMeta(x, join(path, 'metadata')));
    if (isObj(x.metadata) && (x.metadata.creationTimestamp === null || x.metadata.creationTimestamp === undefined)) {
      delete x.metadata.creationTimestamp;
    }
  }
  for (const k of Object.keys(x)) {
    const prop = s.properties?.get(k);
    if (prop) coerceEmbedded(x[k], prop, join(path, k), out, false);
    else if (typeof s.additionalProperties === 'object') coerceEmbedded(x[k], s.additionalProperties, join(path, k), out, false);
  }
}
