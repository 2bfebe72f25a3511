/**
 * Strategic merge patch (`application/strategic-merge-patch+json`) for built-in kinds, with the
 * semantics of apimachinery `pkg/util/strategicpatch/patch.go` as kube-apiserver applies it
 * (StrategicMergeMapPatch: parallel lists merged, unmatched nulls ignored):
 * - maps merge recursively; `null` deletes a key; a value whose JSON type differs replaces;
 * - lists whose field has `x-kubernetes-patch-strategy: merge` merge: maps by their
 *   `x-kubernetes-patch-merge-key`, scalars as sets (src/patch/strategic-lists.ts); other
 *   lists, and maps of fields with the `replace` strategy, are replaced;
 * - directives: `$patch: replace|delete` on a map (`merge` is rejected there, as upstream
 *   does), `$patch: delete|replace` on list items (`merge` rejected), `$retainKeys` (keys not
 *   listed are cleared), `$setElementOrder/<list>` (order of the merged list),
 *   `$deleteFromPrimitiveList/<list>` (remove scalars);
 * - a field the schema does not declare is an error only where upstream's struct lookup runs
 *   (both sides hold a map or list there): `unable to find api field in struct X ...`.
 * Metadata comes from a SchemaNode (src/openapi/patch-meta.ts). Where the schema says nothing
 * (preserve-unknown-fields, free-form JSON) maps merge and lists replace, without errors.
 * Map values of `additionalProperties` maps are merged with the value schema (upstream's
 * struct lookup fails there with "data type is not struct"; kubemu merges instead).
 *
 * Inputs are never modified: maps on the patched path are copied, the rest is shared.
 * Owns: the map half of the merge and directives. Must not: load schemas or know HTTP.
 */
import type { SchemaNode } from '../openapi/patch-meta.js';
import { badArgType, badPatchType, fieldNotFound, fixedError, goKind, goValue, noMergeKey, otherError, StrategicMergePatchError } from './strategic-errors.js';
import {
  DIRECTIVE,
  isMap,
  mergeSlice,
  normalizeElementOrder,
  partitionMaps,
  partitionPrimitives,
  sliceElementType,
  withoutDeleteItems,
  GO_MAP,
  type JsonMap,
  type MergedList,
} from './strategic-lists.js';

export { StrategicMergePatchError, type StrategicMergePatchErrorKind } from './strategic-errors.js';

const RETAIN_KEYS = '$retainKeys';
const DELETE_FROM_PRIMITIVE_LIST = '$deleteFromPrimitiveList';
const SET_ELEMENT_ORDER = '$setElementOrder';
const GO_SLICE = '[]interface {}';

/** Patch metadata of one field: its schema (items schema for lists) and strategy. */
interface FieldMeta {
  schema: SchemaNode | undefined;
  /** `merge`, `replace` or '' (retainKeys split off). */
  strategy: string;
  mergeKey: string;
}

const NO_META: FieldMeta = { schema: undefined, strategy: '', mergeKey: '' };

/** Go type name of the struct a schema describes (`io.k8s.api.core.v1.PodSpec` → `PodSpec`). */
function structName(schema: SchemaNode): string {
  const name = schema.name ?? '';
  return name.slice(name.lastIndexOf('.') + 1);
}

/** Upstream extractRetainKeysPatchStrategy: the strategy other than retainKeys. */
function strategyOf(patchStrategy: string | undefined): string {
  const strategies = (patchStrategy ?? '').split(',');
  if (strategies.length === 1) return strategies[0] === 'retainKeys' ? '' : (strategies[0] as string);
  if (strategies.length === 2) {
    if (strategies[0] === 'retainKeys') return strategies[1] as string;
    if (strategies[1] === 'retainKeys') return strategies[0] as string;
  }
  throw otherError(`unexpected patch strategy: ${goValue(strategies)}`);
}

/**
 * Metadata of field `key` of `parent` (upstream LookupPatchMetadataForStruct / ForSlice over
 * the Go struct): exact name first, then a case-insensitive match as encoding/json does.
 */
function lookup(parent: SchemaNode | undefined, key: string, slice: boolean): FieldMeta {
  if (!parent) return NO_META;
  if (!parent.hasFields) {
    const values = parent.additional();
    if (values) return { schema: slice ? values.items() : values, strategy: '', mergeKey: '' };
    if (parent.type === 'object' && !parent.preserveUnknownFields) throw fieldNotFound(structName(parent), key);
    return NO_META;
  }
  let field = parent.field(key);
  if (!field) {
    const folded = key.toLowerCase();
    const match = parent.fieldNames().find((name) => name.toLowerCase() === folded);
    field = match === undefined ? undefined : parent.field(match);
  }
  if (!field) throw fieldNotFound(structName(parent), key);
  return { schema: slice ? field.items() : field, strategy: strategyOf(field.patchStrategy), mergeKey: field.patchMergeKey ?? '' };
}

/** `$patch` on a map: replace → the patch without the marker; delete → empty; anything else fails. */
function mapDirective(patch: JsonMap): JsonMap {
  const directive = patch[DIRECTIVE];
  if (directive === 'replace') {
    const replaced = { ...patch };
    delete replaced[DIRECTIVE];
    return replaced;
  }
  if (directive === 'delete') return {};
  throw badPatchType(directive, patch);
}

/** Upstream removeDirectives: drops every map carrying `$patch` (and its key or list slot). */
function removeDirectives(value: unknown): { value: unknown; keep: boolean } {
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const item of value) {
      const cleaned = removeDirectives(item);
      if (cleaned.keep) out.push(cleaned.value);
    }
    return { value: out, keep: true };
  }
  if (!isMap(value)) return { value, keep: true };
  if (Object.hasOwn(value, DIRECTIVE)) return { value: undefined, keep: false };
  const out: JsonMap = {};
  for (const [key, child] of Object.entries(value)) {
    const cleaned = removeDirectives(child);
    if (cleaned.keep) out[key] = cleaned.value;
  }
  return { value: out, keep: true };
}

/** Upstream discardNullValuesFromPatch: drops null-valued map keys at any depth. */
function discardNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(discardNulls);
  if (!isMap(value)) return value;
  const out: JsonMap = {};
  for (const [key, child] of Object.entries(value)) if (child !== null) out[key] = discardNulls(child);
  return out;
}

/** Sets `result[key]` to a patch value taken as a whole (nulls and directives stripped). */
function takePatchValue(result: JsonMap, key: string, patchValue: unknown): void {
  const cleaned = removeDirectives(discardNulls(patchValue));
  if (cleaned.keep) result[key] = cleaned.value;
  else delete result[key];
}

/** The list name after a directive prefix (`$setElementOrder/containers` → `containers`). */
function extractKey(key: string, prefix: typeof DELETE_FROM_PRIMITIVE_LIST | typeof SET_ELEMENT_ORDER): string {
  const slash = key.indexOf('/');
  if (slash < 0 || key.slice(0, slash) !== prefix) {
    throw fixedError(prefix === SET_ELEMENT_ORDER ? 'BadPatchFormatForSetElementOrderList' : 'BadPatchFormatForPrimitiveList');
  }
  return key.slice(slash + 1);
}

/** `$retainKeys`: checks the patch only sets listed keys, then clears unlisted keys of `result`. */
function applyRetainKeys(result: JsonMap, patch: JsonMap): void {
  const listed = patch[RETAIN_KEYS];
  if (!Array.isArray(listed)) throw fixedError('BadPatchFormatForRetainKeys');
  const keep = new Set<unknown>(listed);
  for (const [key, value] of Object.entries(patch)) {
    if (key === RETAIN_KEYS || value === null || key.startsWith(DELETE_FROM_PRIMITIVE_LIST) || key.startsWith(SET_ELEMENT_ORDER)) continue;
    if (!keep.has(key)) throw fixedError('BadPatchFormatForRetainKeys');
  }
  for (const key of Object.keys(result)) if (!keep.has(key)) delete result[key];
}

/** Upstream mergeKeyValueEqual: equal merge key values (or equal values without a merge key). */
function mergeKeyValueEqual(left: unknown, right: unknown, mergeKey: string): boolean {
  if (!mergeKey) return left === right;
  if (!isMap(left)) throw badArgType(GO_MAP, left);
  if (!isMap(right)) throw badArgType(GO_MAP, right);
  if (!Object.hasOwn(left, mergeKey)) throw noMergeKey(left, mergeKey);
  if (!Object.hasOwn(right, mergeKey)) throw noMergeKey(right, mergeKey);
  return left[mergeKey] === right[mergeKey];
}

/** Upstream validatePatchWithSetOrderList: the patch list must follow the `$setElementOrder` order. */
function validateSetOrder(patchList: readonly unknown[], order: readonly unknown[], mergeKey: string): void {
  if (order.length === 0 || patchList.length === 0) return;
  const items = mergeKey ? withoutDeleteItems(patchList) : patchList;
  let p = 0;
  let s = 0;
  while (p < items.length && s < order.length) {
    const item = items[p];
    if (isMap(item) && Object.hasOwn(item, DIRECTIVE)) {
      p++;
      continue;
    }
    if (mergeKeyValueEqual(item, order[s], mergeKey)) p++;
    s++;
  }
  if (p < items.length && s >= order.length) {
    throw otherError(`The order in patch list:\n${goValue(patchList)}\n doesn't match ${SET_ELEMENT_ORDER} list:\n${goValue(order)}\n`);
  }
}

/**
 * Each `$setElementOrder/<list>` of `patch`: merges `<list>` of the patch into `result` (if
 * both have it) and orders the outcome; records the keys it consumed in `done`
 * (upstream mergePatchIntoOriginal).
 */
function applySetElementOrders(result: JsonMap, patch: JsonMap, schema: SchemaNode | undefined, done: Set<string>): void {
  for (const [key, order] of Object.entries(patch)) {
    if (!key.startsWith(SET_ELEMENT_ORDER)) continue;
    done.add(key);
    if (!Array.isArray(order)) throw badArgType(GO_SLICE, order);
    const listKey = extractKey(key, SET_ELEMENT_ORDER);
    const inOriginal = Object.hasOwn(result, listKey);
    const inPatch = Object.hasOwn(patch, listKey);
    const originalList = inOriginal ? result[listKey] : [];
    const patchList = inPatch ? patch[listKey] : [];
    if (!Array.isArray(originalList)) throw badArgType(GO_SLICE, originalList);
    if (!Array.isArray(patchList)) throw badArgType(GO_SLICE, patchList);
    const meta = lookup(schema, listKey, true);
    validateSetOrder(patchList, order, meta.mergeKey);

    let merged: MergedList;
    if (inOriginal && !inPatch) merged = { list: originalList, originalView: originalList };
    else if (!inOriginal && inPatch) merged = { list: removeDirectives(patchList).value as unknown[], originalView: originalList };
    else if (inOriginal && inPatch) merged = mergeListField(originalList, patchList, meta, false);
    else continue;

    const [patchItems, serverOnly] = meta.mergeKey ? partitionMaps(merged.list, order, meta.mergeKey) : partitionPrimitives(merged.list, order);
    const kind = sliceElementType([originalList, patchList]);
    result[listKey] = normalizeElementOrder(patchItems, serverOnly, order, merged.originalView, meta.mergeKey, kind);
    done.add(listKey);
  }
}

/** Upstream mergeSliceHandler: merge-strategy (or deletion) lists merge, others are replaced. */
function mergeListField(original: readonly unknown[], patch: readonly unknown[], meta: FieldMeta, isDeleteList: boolean): MergedList {
  if (meta.strategy !== 'merge' && !isDeleteList) return { list: patch, originalView: original };
  return mergeSlice(original, patch, meta.mergeKey, isDeleteList, (o, p) => mergeMap(o, p, meta.schema));
}

/** Upstream mergeMap: merges `patch` into a copy of `original` under `schema`. */
function mergeMap(original: JsonMap | undefined, patch: JsonMap, schema: SchemaNode | undefined): JsonMap {
  if (Object.hasOwn(patch, DIRECTIVE)) return mapDirective(patch);
  const result: JsonMap = original ? { ...original } : {};
  const done = new Set<string>([RETAIN_KEYS]);
  if (Object.hasOwn(patch, RETAIN_KEYS)) applyRetainKeys(result, patch);
  applySetElementOrders(result, patch, schema, done);

  for (const [patchKey, patchValue] of Object.entries(patch)) {
    if (done.has(patchKey)) continue;
    const isDeleteList = patchKey.startsWith(DELETE_FROM_PRIMITIVE_LIST);
    const key = isDeleteList ? extractKey(patchKey, DELETE_FROM_PRIMITIVE_LIST) : patchKey;
    if (patchValue === null) {
      delete result[key];
      continue;
    }
    const originalValue = result[key];
    if (!Object.hasOwn(result, key) || goKind(originalValue) !== goKind(patchValue)) {
      if (!isDeleteList) takePatchValue(result, key, patchValue);
      continue;
    }
    if (isMap(originalValue)) {
      const meta = lookup(schema, key, false);
      result[key] = meta.strategy === 'replace' ? patchValue : mergeMap(originalValue, patchValue as JsonMap, meta.schema);
    } else if (Array.isArray(originalValue)) {
      result[key] = mergeListField(originalValue, patchValue as unknown[], lookup(schema, key, true), isDeleteList).list;
    } else {
      result[key] = patchValue;
    }
  }
  return result;
}

/** Go's encoding/json wording for a patch body that is not an object. */
function notAnObject(patch: unknown): StrategicMergePatchError {
  const kind = Array.isArray(patch) ? 'array' : typeof patch === 'boolean' ? 'bool' : typeof patch;
  return new StrategicMergePatchError('BadJSONDoc', `json: cannot unmarshal ${kind} into Go value of type map[string]interface {}`);
}

/**
 * Applies a strategic merge patch to `original` (a decoded object) under the kind's schema
 * (`schemaNodeFor`) and returns the patched object; neither input is modified. A JSON `null`
 * patch changes nothing. Throws StrategicMergePatchError, worded as upstream, for malformed
 * patches (its `toStatusError()` is kube-apiserver's answer); TypeError when `original` is not
 * an object.
 *
 * The result is the merged JSON map as upstream's is before its conversion to the typed
 * object: list items appended from the patch, lists of non-merge fields and maps of
 * `$patch: replace` are taken verbatim, so they can still hold `null`s.
 */
export function strategicMergePatch(original: unknown, patch: unknown, schema: SchemaNode): unknown {
  if (!isMap(original)) throw new TypeError('strategicMergePatch: original must be a JSON object');
  if (patch === null) return original;
  if (!isMap(patch)) throw notAnObject(patch);
  return mergeMap(original, patch, schema);
}
