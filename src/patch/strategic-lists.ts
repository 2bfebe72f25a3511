/**
 * The list half of strategic merge patch, after apimachinery `pkg/util/strategicpatch/patch.go`
 * (mergeSlice, mergeSliceWithSpecialElements, normalizeElementOrder, mergeSortedSlice and
 * helpers): lists of maps merge by their merge key, lists of scalars merge as sets or lose the
 * items of a `$deleteFromPrimitiveList`, and the result is ordered as upstream orders it.
 *
 * Ordering, worked example (upstream "preserve the order from the patch in a merging list 2"):
 *   original [1, 2{value b}, 3]   patch [3{value c}, 1{value a}]   (items named by merge key)
 *   merged        [1a, 2b, 3c]     patch items [1a, 3c] → sorted by patch order   [3c, 1a]
 *   server-only   [2b]             → sorted by original order                    [2b]
 *   mergeSortedSlice inserts each server-only item before the first patch item that the
 *   original list places after it: 2 comes before 3 in the original → [2b, 3c, 1a].
 *
 * Values are decoded JSON; Go's reflect kinds are mimicked where upstream depends on them
 * (integers are int64, other numbers float64, so `[1, 1.5]` has mixed element types as in Go).
 * Inputs are never modified; merged items come from the `mergeItem` callback.
 * Owns: list merging and ordering. Must not: walk schemas or handle map directives.
 */
import { badArgType, badPatchType, fixedError, goKind, goValue, noMergeKey, otherError, type GoKind } from './strategic-errors.js';

/** A decoded JSON object. */
export type JsonMap = Record<string, unknown>;

/** The `$patch` directive marker. */
export const DIRECTIVE = '$patch';

/** Go type name of a decoded JSON map, as upstream errors print it. */
export const GO_MAP = 'map[string]interface {}';

/** True for a JSON object (not an array, not null). */
export function isMap(value: unknown): value is JsonMap {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Go's `==` on interface values holding decoded JSON (a missing map key reads as nil). */
function goEqual(a: unknown, b: unknown): boolean {
  if ((a === null || a === undefined) && (b === null || b === undefined)) return true;
  return a === b && goKind(a) === goKind(b);
}

/** The common element kind of `lists`; throws as upstream's sliceElementType does. */
export function sliceElementType(lists: readonly (readonly unknown[])[]): GoKind {
  let kind: GoKind | undefined;
  for (const list of lists) {
    for (const item of list) {
      const current = goKind(item);
      if (kind === undefined) {
        kind = current;
        if (kind === 'slice') throw fixedError('NoListOfLists');
      } else if (current !== kind) {
        throw otherError(`list element types are not identical: ${goValue(lists)}`);
      }
    }
  }
  if (kind === undefined) throw otherError('no elements in any of the given slices');
  return kind;
}

/** The merge key value of a map item, or nil (undefined) for anything else: upstream's getValFn. */
function keyOf(item: unknown, mergeKey: string, kind: GoKind): unknown {
  if (kind !== 'map') return item;
  return isMap(item) ? item[mergeKey] : undefined;
}

/** Index of `value` in `list`, comparing merge key values for maps and values otherwise; -1 if absent. */
function indexIn(list: readonly unknown[], value: unknown, mergeKey: string, kind: GoKind): number {
  const wanted = keyOf(value, mergeKey, kind);
  return list.findIndex((item) => goEqual(wanted, keyOf(item, mergeKey, kind)));
}

/** Index of the first map in `list` whose `key` equals `value`; throws on a non-map item. */
function findByKey(list: readonly unknown[], key: string, value: unknown): number {
  for (let i = 0; i < list.length; i++) {
    const item = list[i];
    if (!isMap(item)) throw otherError(`value for key ${i} is not a map`);
    if (Object.hasOwn(item, key) && goEqual(item[key], value)) return i;
  }
  return -1;
}

/** Throws unless every item of every list is a map carrying `mergeKey`. */
function validateMergeKeyInLists(mergeKey: string, lists: readonly (readonly unknown[])[]): void {
  for (const list of lists) {
    for (const item of list) {
      if (!isMap(item)) throw badArgType(GO_MAP, item);
      if (!Object.hasOwn(item, mergeKey)) throw noMergeKey(item, mergeKey);
    }
  }
}

/** True for a map item carrying `$patch: delete`; throws on a non-map. */
function isDeleteItem(item: unknown): boolean {
  if (!isMap(item)) throw badArgType(GO_MAP, item);
  return item[DIRECTIVE] === 'delete';
}

/** Items without `$patch: delete` (upstream extractToDeleteItems, first half). */
export function withoutDeleteItems(list: readonly unknown[]): unknown[] {
  return list.filter((item) => !isDeleteItem(item));
}

/**
 * `toSort` ordered by the positions of its items in `order` (stable; items `order` lacks keep
 * their place — upstream's comparator is not a strict order there, this one is); for maps,
 * `$patch: delete` items go last.
 */
function normalizeSliceOrder(toSort: readonly unknown[], order: readonly unknown[], mergeKey: string, kind: GoKind): unknown[] {
  let items = toSort;
  let deleted: unknown[] = [];
  if (kind === 'map') {
    validateMergeKeyInLists(mergeKey, [toSort, order]);
    items = toSort.filter((item) => !isDeleteItem(item));
    deleted = toSort.filter((item) => isDeleteItem(item));
  }
  const positions = items.map((item, i) => ({ item, i, at: indexIn(order, item, mergeKey, kind) }));
  positions.sort((a, b) => (a.at >= 0 && b.at >= 0 ? a.at - b.at : 0) || a.i - b.i);
  return [...positions.map((p) => p.item), ...deleted];
}

/**
 * Interleaves `left` (server-only items) into `right` (patch items), both already sorted:
 * a left item goes before the current right item when `serverOrder` has both and puts the
 * left one first (upstream mergeSortedSlice).
 */
function mergeSortedSlice(left: readonly unknown[], right: readonly unknown[], serverOrder: readonly unknown[], mergeKey: string, kind: GoKind): unknown[] {
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (i >= left.length) out.push(right[j++]);
    else if (j >= right.length) out.push(left[i++]);
    else {
      const li = indexIn(serverOrder, left[i], mergeKey, kind);
      const ri = indexIn(serverOrder, right[j], mergeKey, kind);
      if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]);
      else out.push(right[j++]);
    }
  }
  return out;
}

/**
 * Orders a merged list: patch items by `patchOrder`, server-only items by `serverOrder`, then
 * interleaved (upstream normalizeElementOrder).
 */
export function normalizeElementOrder(
  patchItems: readonly unknown[],
  serverOnly: readonly unknown[],
  patchOrder: readonly unknown[],
  serverOrder: readonly unknown[],
  mergeKey: string,
  kind: GoKind,
): unknown[] {
  const patchSorted = normalizeSliceOrder(patchItems, patchOrder, mergeKey, kind);
  const serverSorted = normalizeSliceOrder(serverOnly, serverOrder, mergeKey, kind);
  return mergeSortedSlice(serverSorted, patchSorted, serverOrder, mergeKey, kind);
}

/** Splits scalars into [present in `by`, absent from `by`]. */
export function partitionPrimitives(list: readonly unknown[], by: readonly unknown[]): [unknown[], unknown[]] {
  const present = new Set(by);
  return [list.filter((v) => present.has(v)), list.filter((v) => !present.has(v))];
}

/** Splits maps into [merge key present in `by`, absent]; every item needs the merge key. */
export function partitionMaps(list: readonly unknown[], by: readonly unknown[], mergeKey: string): [unknown[], unknown[]] {
  const present: unknown[] = [];
  const absent: unknown[] = [];
  for (const item of list) {
    if (!isMap(item)) throw badArgType(GO_MAP, item);
    if (!Object.hasOwn(item, mergeKey)) throw noMergeKey(item, mergeKey);
    (findByKey(by, mergeKey, item[mergeKey]) >= 0 ? present : absent).push(item);
  }
  return [present, absent];
}

/**
 * What a Go caller still holding the original list sees after upstream mergeSlice ran: the
 * same backing array, with deletions shifted in place and appended patch items written into
 * the slots they freed. Upstream's `$setElementOrder` handling orders server-only items by this
 * view, so kubemu keeps it to order as kube-apiserver does. Worked example (upstream
 * "add map and delete map from merging list", three-way): original [1, 2, 4], patch
 * [3, {name 1, $patch delete}] → after the delete the array is [2, 4, 4] (length 2), the
 * append of 3 writes slot 2 → view [2, 4, 3], so 4 sorts before 3.
 */
class AliasedView {
  readonly #slots: unknown[];
  #length: number;

  constructor(original: readonly unknown[]) {
    this.#slots = [...original];
    this.#length = original.length;
  }

  /** Removes slot `at` of the live prefix as `append(s[:at], s[at+1:]...)` does. */
  remove(at: number): void {
    this.#slots.copyWithin(at, at + 1, this.#length);
    this.#length--;
  }

  /** An append to the live prefix: visible while it fills a freed slot. */
  append(item: unknown): void {
    if (this.#length < this.#slots.length) this.#slots[this.#length++] = item;
  }

  /** The original-length view. */
  get view(): readonly unknown[] {
    return this.#slots;
  }
}

/** Applies `$patch` items of a list of maps: deletions from `original`, `replace`; rejects `merge`. */
function applySpecialElements(
  original: readonly unknown[],
  patch: readonly unknown[],
  mergeKey: string,
  alias: AliasedView,
): { original: unknown[]; patch: unknown[]; replaced: boolean } {
  const plain: unknown[] = [];
  const current = [...original];
  let replace = false;
  for (const item of patch) {
    const map = item as JsonMap;
    if (!Object.hasOwn(map, DIRECTIVE)) {
      plain.push(item);
      continue;
    }
    const directive = map[DIRECTIVE];
    if (directive === 'delete') {
      if (!Object.hasOwn(map, mergeKey)) throw noMergeKey(map, mergeKey);
      for (let at = findByKey(current, mergeKey, map[mergeKey]); at >= 0; at = findByKey(current, mergeKey, map[mergeKey])) {
        current.splice(at, 1);
        alias.remove(at);
      }
    } else if (directive === 'replace') {
      replace = true;
    } else if (directive === 'merge') {
      throw otherError('merging lists cannot yet be specified in the patch');
    } else {
      throw badPatchType(directive, map);
    }
  }
  return replace ? { original: plain, patch: [], replaced: true } : { original: current, patch: plain, replaced: false };
}

/** Merges each patch map into the original item with the same merge key, or appends it. */
function mergeByKey(original: readonly unknown[], patch: readonly unknown[], mergeKey: string, mergeItem: MergeItem, alias: AliasedView | undefined): unknown[] {
  const out = [...original];
  for (const item of patch) {
    const map = item as JsonMap;
    if (!Object.hasOwn(map, mergeKey)) throw noMergeKey(map, mergeKey);
    const at = findByKey(out, mergeKey, map[mergeKey]);
    if (at >= 0) {
      out[at] = mergeItem(out[at] as JsonMap, map);
    } else {
      out.push(item);
      alias?.append(item);
    }
  }
  return out;
}

/** Merges one patch map into one original map (the map half of the algorithm). */
export type MergeItem = (original: JsonMap, patch: JsonMap) => JsonMap;

/** A merged list and the view of the original list upstream's caller is left with (see AliasedView). */
export interface MergedList {
  list: readonly unknown[];
  originalView: readonly unknown[];
}

/**
 * Merges a patch list into an original list whose field has the merge strategy (or is the
 * target of `$deleteFromPrimitiveList`): upstream mergeSlice. `mergeKey` is the field's
 * `patchMergeKey` ('' for scalars).
 */
export function mergeSlice(
  original: readonly unknown[],
  patch: readonly unknown[],
  mergeKey: string,
  isDeleteList: boolean,
  mergeItem: MergeItem,
): MergedList {
  if (original.length === 0 && patch.length === 0) return { list: original, originalView: original };
  const kind = sliceElementType([original, patch]);
  let server = original;
  let patchList = patch;
  let merged: unknown[];
  let originalView = original;
  if (kind !== 'map') {
    if (isDeleteList) {
      const doomed = new Set(patch);
      return { list: original.filter((v) => !doomed.has(v)), originalView };
    }
    merged = [...new Set([...original, ...patch])];
  } else {
    if (!mergeKey) throw otherError('cannot merge lists without merge key for struct');
    const alias = new AliasedView(original);
    const special = applySpecialElements(original, patch, mergeKey, alias);
    ({ original: server, patch: patchList } = special);
    merged = mergeByKey(server, patchList, mergeKey, mergeItem, special.replaced ? undefined : alias);
    originalView = alias.view;
  }
  const [patchItems, serverOnly] = mergeKey ? partitionMaps(merged, patchList, mergeKey) : partitionPrimitives(merged, patchList);
  return { list: normalizeElementOrder(patchItems, serverOnly, patchList, server, mergeKey, kind), originalView };
}
