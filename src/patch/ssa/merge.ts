/**
 * Server-side apply's merge and ownership engine, as structured-merge-diff's `merge.Updater`:
 *   - `mergeValues`: the applied configuration over the live object by schema — scalars,
 *     atomic lists and atomic maps are replaced; granular maps merge key by key; list-maps merge
 *     item by item on their keys and sets by value, keeping live items the configuration does
 *     not name, in SMD's order (see mergeItems);
 *   - `applyMerge`: merge, then prune what the applier owned before and omits now unless some
 *     manager still owns it, then hand ownership over: fields other managers own that the
 *     result changes are conflicts (an error unless forced, in which case they lose them);
 *   - `updateManagers`: after a non-apply write, the changed fields go to the writer and leave
 *     everyone else; removed fields leave every set.
 * Managers are opaque identifiers here (see managers.ts); all versions are treated as one, as
 * kubemu converts nothing.
 * Owns: merge, prune, conflict detection. Must not: know managedFields entries or HTTP.
 */
import { FieldSet, type Path, type PathElement, serializeElement } from './fieldpath.js';
import type { ListAtom, SmdType } from './schema.js';
import { atomOf, compare, type Comparison, ensureNamedFieldsAreMembers, fieldType, itemElement, removeItems, toFieldSet } from './typed.js';
import { isMap, valuesEqual } from './value.js';

/** What one manager owns: its fields, the version it wrote them in, and whether it applied them. */
export interface VersionedSet {
  readonly set: FieldSet;
  readonly apiVersion: string;
  readonly applied: boolean;
}

/** Manager identifier → what it owns. */
export type ManagerSets = Map<string, VersionedSet>;

/** One conflict: a field another manager owns that the apply would change. */
export interface Conflict {
  readonly manager: string;
  readonly path: Path;
}

/** Thrown by applyMerge when the apply changes fields owned by other managers and is not forced. */
export class ApplyConflicts extends Error {
  constructor(readonly conflicts: readonly Conflict[]) {
    super(`${conflicts.length} apply conflicts`);
    this.name = 'ApplyConflicts';
  }
}

interface LeafState {
  inLeaf: boolean;
  out: unknown;
}

/** Merges `rhs` (the configuration) over `lhs` (the live value); undefined when neither has anything. */
export function mergeValues(lhs: unknown, rhs: unknown, type: SmdType): unknown {
  const kl = atomOf(type, lhs);
  const kr = atomOf(type, rhs);
  const state: LeafState = { inLeaf: false, out: undefined };
  if (rhs === undefined) mergeAtom(kl, lhs, rhs, type, state);
  else if (lhs === undefined || kl === kr) mergeAtom(kr, lhs, rhs, type, state);
  else {
    mergeAtom(kl, lhs, rhs, type, { inLeaf: false, out: undefined });
    mergeAtom(kr, lhs, rhs, type, state);
  }
  return state.out;
}

function leaf(lhs: unknown, rhs: unknown, state: LeafState): void {
  if (state.inLeaf) return;
  state.inLeaf = true;
  state.out = rhs !== undefined ? rhs : lhs;
}

function mergeAtom(kind: 'map' | 'scalar' | 'list' | undefined, lhs: unknown, rhs: unknown, type: SmdType, state: LeafState): void {
  if (kind === 'scalar') return leaf(lhs, rhs, state);
  if (kind === 'list') {
    const list = type.list as ListAtom;
    const l = Array.isArray(lhs) ? lhs : undefined;
    const r = Array.isArray(rhs) ? rhs : undefined;
    if (list.atomic || (!l?.length && !r?.length)) return leaf(lhs, rhs, state);
    const out = mergeItems(list, l ?? [], r ?? []);
    if (out.length > 0) state.out = out;
    return;
  }
  if (kind === 'map') {
    const l = isMap(lhs) ? lhs : undefined;
    const r = isMap(rhs) ? rhs : undefined;
    const empty = (m: object | undefined): boolean => !m || Object.keys(m).length === 0;
    if (type.map?.atomic || (empty(l) && empty(r))) return leaf(lhs, rhs, state);
    const out: Record<string, unknown> = {};
    for (const key of new Set([...Object.keys(l ?? {}), ...Object.keys(r ?? {})])) {
      const merged = mergeValues(l?.[key], r?.[key], fieldType(type, key));
      if (merged !== undefined) out[key] = merged;
    }
    if (Object.keys(out).length > 0) state.out = out;
  }
}

/**
 * Merges the items of an associative list (mergingWalker.visitListItems). Items matched by key
 * merge; live items the configuration does not name keep their place; configuration items come
 * in configuration order, and a live item the configuration also names waits until the
 * configuration reaches it. Worked example, keys only: live [a, b, c], applied [c, d, a] →
 * [b, c, d, a] (b is live-only and comes first; c, d, a follow the applied order).
 */
function mergeItems(list: ListAtom, lhs: unknown[], rhs: unknown[]): unknown[] {
  const keyed = (items: unknown[]): Array<{ pe: PathElement; k: string; item: unknown }> =>
    items.map((item) => {
      const pe = itemElement(list, item);
      return { pe, k: serializeElement(pe), item };
    });
  const rItems = keyed(rhs);
  const lItems = keyed(lhs);
  const observedR = new Map<string, unknown>();
  for (const { k, item } of rItems) {
    if (observedR.has(k)) throw new TypeError(`duplicate entries for key ${k}`);
    observedR.set(k, item);
  }
  const observedL = new Map<string, unknown>();
  for (const { k, item } of lItems) observedL.set(k, observedL.has(k) ? null : item);

  const shared = rItems.filter(({ k }) => observedL.has(k)).map(({ k }) => k);
  let nextShared = shared.shift();
  const mergedR = new Set<string>();
  const out: unknown[] = [];
  const push = (value: unknown): void => {
    if (value !== undefined) out.push(value);
  };
  const element = list.element();
  let li = 0;
  let ri = 0;
  while (li < lItems.length || ri < rItems.length) {
    if (li < lItems.length && ri < rItems.length) {
      const l = lItems[li]!;
      if (l.k === rItems[ri]!.k) {
        mergedR.add(l.k);
        push(mergeValues(observedL.get(l.k), observedR.get(l.k), element));
        li++;
        ri++;
        nextShared = shared.shift();
        continue;
      }
      if (observedR.has(l.k) && nextShared !== undefined && nextShared !== l.k) {
        li++;
        continue;
      }
    }
    if (li < lItems.length) {
      const l = lItems[li]!;
      if (!observedR.has(l.k)) {
        push(mergeValues(l.item, undefined, element));
        li++;
        continue;
      } else if (mergedR.has(l.k)) li++;
    }
    if (ri < rItems.length) {
      const r = rItems[ri]!;
      mergedR.add(r.k);
      push(mergeValues(observedL.get(r.k), r.item, element));
      ri++;
      if (nextShared === r.k) nextShared = shared.shift();
    }
  }
  return out;
}

function filtered(set: FieldSet, ignore: FieldSet | undefined): FieldSet {
  return ignore ? set.recursiveDifference(ignore) : set;
}

/** Options shared by applyMerge and updateManagers. */
export interface MergeContext {
  /** The object's type. */
  type: SmdType;
  /** Current ownership (not modified; a new map is returned). */
  managers: ManagerSets;
  /** Identifier of the manager writing. */
  manager: string;
  /** Version of the write. */
  apiVersion: string;
  /** Fields whose ownership is not tracked (the strategy's reset fields, e.g. `.status`). */
  ignore?: FieldSet | undefined;
}

/** Updater.update: conflicts and removals against every other manager. Returns the new sets and the comparison. */
function takeOwnership(
  live: unknown,
  next: unknown,
  ctx: MergeContext,
  managers: ManagerSets,
  force: boolean,
): { managers: ManagerSets; comparison: Comparison } {
  const raw = compare(live, next, ctx.type);
  const comparison: Comparison = {
    added: filtered(raw.added, ctx.ignore),
    modified: filtered(raw.modified, ctx.ignore),
    removed: filtered(raw.removed, ctx.ignore),
  };
  const changed = comparison.modified.union(comparison.added);
  const conflicts = new Map<string, FieldSet>();
  for (const [manager, owned] of managers) {
    if (manager === ctx.manager) continue;
    const clash = owned.set.intersection(changed);
    if (!clash.empty()) conflicts.set(manager, clash);
  }
  if (!force && conflicts.size > 0) {
    const list: Conflict[] = [];
    for (const manager of [...conflicts.keys()].sort()) for (const path of conflicts.get(manager)!.paths()) list.push({ manager, path });
    throw new ApplyConflicts(list);
  }
  const out: ManagerSets = new Map();
  for (const [manager, owned] of managers) {
    let set = owned.set;
    if (manager !== ctx.manager) {
      const clash = conflicts.get(manager);
      if (clash) set = set.difference(clash);
      if (!comparison.removed.empty()) set = set.difference(comparison.removed);
    }
    if (!set.empty()) out.set(manager, { ...owned, set });
  }
  return { managers: out, comparison };
}

/** Updater.Update: ownership after a non-apply write from `live` (undefined on create) to `next`. */
export function updateManagers(live: unknown, next: unknown, ctx: MergeContext): ManagerSets {
  const { managers, comparison } = takeOwnership(live, next, ctx, ctx.managers, true);
  const previous = managers.get(ctx.manager)?.set ?? new FieldSet();
  const set = filtered(previous.difference(comparison.removed).union(comparison.modified).union(comparison.added), ctx.ignore);
  if (set.empty()) managers.delete(ctx.manager);
  else managers.set(ctx.manager, { set, apiVersion: ctx.apiVersion, applied: false });
  return managers;
}

/**
 * Updater.Apply: merges `config` into `live`, prunes, and moves ownership to `ctx.manager`.
 * Returns the new object (undefined when it equals `live`) and the new sets; throws
 * ApplyConflicts when other managers own changed fields and `force` is false.
 */
export function applyMerge(live: unknown, config: unknown, ctx: MergeContext & { force: boolean }): { object: unknown; managers: ManagerSets } {
  const merged = mergeValues(live, config, ctx.type) ?? {};
  const last = ctx.managers.get(ctx.manager);
  const managers: ManagerSets = new Map(ctx.managers);
  managers.set(ctx.manager, { set: filtered(toFieldSet(config, ctx.type), ctx.ignore), apiVersion: ctx.apiVersion, applied: true });
  const pruned = last ? prune(merged, managers, last.set, ctx.type) : merged;
  const result = takeOwnership(live, pruned, ctx, managers, ctx.force);
  return { object: valuesEqual(live, pruned) ? undefined : pruned, managers: result.managers };
}

/**
 * Updater.prune: removes fields `last` (what the applier owned before) holds unless a manager
 * (the applier's new set included) owns them, keeping unowned fields the applier never owned.
 */
function prune(merged: unknown, managers: ManagerSets, last: FieldSet, type: SmdType): unknown {
  if (last.empty()) return merged;
  const named = (s: FieldSet): FieldSet => ensureNamedFieldsAreMembers(s, type);
  const fields = (v: unknown): FieldSet => (v === undefined ? new FieldSet() : toFieldSet(v, type));
  const lastNamed = named(last);
  let owned = new FieldSet();
  for (const { set } of managers.values()) owned = owned.union(set);
  const mergedSet = named(fields(merged));
  // Remove everything the applier owned, then add back what anyone owns (addBackOwnedItems).
  const stripped = removeItems(merged, lastNamed, type);
  const ownedBack = removeItems(merged, mergedSet.difference(named(fields(stripped)).union(named(owned))), type);
  // Only what the applier owned may go: add back the rest (addBackDanglingItems).
  const toRemove = mergedSet.difference(named(fields(ownedBack))).intersection(lastNamed);
  return removeItems(merged, toRemove, type) ?? {};
}
