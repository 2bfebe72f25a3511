/**
 * The garbage collector's reconciler (kube-controller-manager's attemptToDeleteItem and
 * orphanDependents, level-based over informers instead of a separate graph). A key names one
 * object of one watched resource; the dependency graph is the informers' `owner` index (owner
 * uid → dependents). One pass over an object:
 *
 *   being deleted, `orphan` finalizer        → strip its uid from every dependent's ownerReferences,
 *                                              then remove `orphan`
 *   being deleted, `foregroundDeletion`      → no dependent left that blocks (blockOwnerDeletion)?
 *                                              remove `foregroundDeletion`; else look again later
 *   not deleted, with owners                 → classify each owner: solid (exists), dangling (absent
 *                                              or another uid, confirmed by a live GET) or waiting
 *                                              (being deleted in the foreground):
 *       some solid        → drop the references to dangling and waiting owners, keep the object
 *       waiting, and the object has dependents itself → unblock those references (cycles), delete Foreground
 *       otherwise         → delete (policy from its own finalizers, else Background)
 *
 * The set of watched resources changes at run time (custom resources come and go with their
 * CRDs: ./custom-resources.ts): `watch` and `unwatch`. A kind no longer watched is remembered,
 * so owner references to it still resolve (by a live GET, which answers 404 once it is gone).
 *
 * Owns: those decisions and writes. Must not: import registry or storage.
 */
import { StatusError } from '../../api/errors.js';
import type { OwnerReference, StoredObject } from '../../api/types.js';
import type { Client, DeleteOptions } from '../../client/types.js';
import type { Informer, Reconciler, Result } from '../runtime/index.js';
import { keyOf, splitKey } from '../runtime/index.js';
import { groupOf, type ServedResource } from '../resources.js';

/** The index of dependents by owner uid every watched informer carries. */
export const OWNER_INDEX = 'gc-owner';

const ORPHAN = 'orphan';
const FOREGROUND = 'foregroundDeletion';
/** How often a foreground owner whose dependents remain is looked at again, beyond events. */
const FOREGROUND_RECHECK_MS = 2000;

/** One watched resource and its informer. */
export interface Watched {
  resource: ServedResource;
  informer: Informer;
}

/** The queue key of `obj` in `resource`: `<group>/<resource>|<namespace>/<name>`. */
export function gcKey(resource: ServedResource, obj: StoredObject): string {
  return `${resource.group}/${resource.resource}|${keyOf(obj)}`;
}

type OwnerState = 'solid' | 'dangling' | 'waiting';

/** The garbage collector's reconciler over a set of watched resources. */
export class GarbageCollectorReconciler implements Reconciler {
  readonly #client: Client;
  /** `group/resource` → watched. */
  readonly #byId = new Map<string, Watched>();
  /** `group/Kind` → watched. */
  readonly #byKind = new Map<string, Watched>();
  /** `group/Kind` → resource, for kinds once watched and no longer (a deleted CRD). */
  readonly #retired = new Map<string, ServedResource>();

  constructor(client: Client, watched: readonly Watched[]) {
    this.#client = client;
    for (const w of watched) this.watch(w);
  }

  /** Starts using `w` (replacing a previous informer of the same group and resource). */
  watch(w: Watched): void {
    const kind = `${w.resource.group}/${w.resource.kind}`;
    this.#byId.set(`${w.resource.group}/${w.resource.resource}`, w);
    this.#byKind.set(kind, w);
    this.#retired.delete(kind);
  }

  /** Stops using the informer of `resource`'s group and resource; its kind stays resolvable. */
  unwatch(resource: ServedResource): void {
    const id = `${resource.group}/${resource.resource}`;
    const w = this.#byId.get(id);
    if (!w) return;
    this.#byId.delete(id);
    const kind = `${w.resource.group}/${w.resource.kind}`;
    if (this.#byKind.get(kind) === w) {
      this.#byKind.delete(kind);
      this.#retired.set(kind, w.resource);
    }
  }

  /** The watched resource of `group/resource`, if any. */
  watched(group: string, resource: string): Watched | undefined {
    return this.#byId.get(`${group}/${resource}`);
  }

  /** The watched resource an owner reference names, if kubemu watches it. */
  ownerResource(ref: OwnerReference): Watched | undefined {
    return this.#byKind.get(`${groupOf(ref.apiVersion)}/${ref.kind}`);
  }

  /** Every object, in any watched resource, that names `uid` as an owner. */
  dependents(uid: string): { watched: Watched; obj: StoredObject }[] {
    return [...this.#byId.values()].flatMap((watched) => watched.informer.byIndex(OWNER_INDEX, uid).map((obj) => ({ watched, obj })));
  }

  /** Queue keys of every watched object with an owner reference to `group`/`kind` (a kind just watched). */
  referencingKind(group: string, kind: string): string[] {
    const keys: string[] = [];
    for (const watched of this.#byId.values()) {
      for (const obj of watched.informer.list()) {
        if (obj.metadata.ownerReferences?.some((r) => r.kind === kind && groupOf(r.apiVersion) === group)) keys.push(gcKey(watched.resource, obj));
      }
    }
    return keys;
  }

  async reconcile(key: string): Promise<Result | void> {
    const bar = key.indexOf('|');
    const watched = this.#byId.get(key.slice(0, bar));
    const obj = watched?.informer.get(key.slice(bar + 1));
    if (!watched || !obj) return;
    if (obj.metadata.deletionTimestamp) {
      const finalizers = obj.metadata.finalizers ?? [];
      if (finalizers.includes(ORPHAN)) return this.#orphanDependents(watched, obj);
      if (finalizers.includes(FOREGROUND)) return this.#finishForeground(watched, obj);
      return;
    }
    if (obj.metadata.ownerReferences?.length) return this.#checkOwners(watched, obj);
  }

  async #orphanDependents(watched: Watched, owner: StoredObject): Promise<void> {
    for (const dep of this.dependents(owner.metadata.uid)) {
      await this.#patchOwners(dep.watched, dep.obj, (refs) => refs.filter((r) => r.uid !== owner.metadata.uid));
    }
    await this.#removeFinalizer(watched, owner, ORPHAN);
  }

  async #finishForeground(watched: Watched, owner: StoredObject): Promise<Result | void> {
    const blocking = this.dependents(owner.metadata.uid).filter(({ obj }) =>
      (obj.metadata.ownerReferences ?? []).some((r) => r.uid === owner.metadata.uid && r.blockOwnerDeletion === true),
    );
    if (blocking.length) return { requeueAfter: FOREGROUND_RECHECK_MS };
    await this.#removeFinalizer(watched, owner, FOREGROUND);
  }

  async #checkOwners(watched: Watched, obj: StoredObject): Promise<void> {
    const refs = obj.metadata.ownerReferences ?? [];
    const states = await Promise.all(refs.map((ref) => this.#ownerState(obj, ref)));
    const gone = new Set(refs.filter((_, n) => states[n] !== 'solid').map((r) => r.uid));
    const waiting = new Set(refs.filter((_, n) => states[n] === 'waiting').map((r) => r.uid));
    if (states.includes('solid')) {
      if (gone.size) await this.#patchOwners(watched, obj, (list) => list.filter((r) => !gone.has(r.uid)));
      return;
    }
    let policy: DeleteOptions['propagationPolicy'];
    if (waiting.size && this.dependents(obj.metadata.uid).length) {
      // Unblock our references to owners that wait for us, so a cycle of foreground deletions cannot deadlock.
      await this.#patchOwners(watched, obj, (list) => list.map((r) => (waiting.has(r.uid) ? { ...r, blockOwnerDeletion: false } : r)));
      policy = 'Foreground';
    } else {
      const finalizers = obj.metadata.finalizers ?? [];
      policy = finalizers.includes(ORPHAN) ? 'Orphan' : finalizers.includes(FOREGROUND) ? 'Foreground' : 'Background';
    }
    await this.#ignoreNotFound(
      this.#client.delete(watched.resource, obj.metadata.name, { ...scope(obj), propagationPolicy: policy, preconditions: { uid: obj.metadata.uid } }),
    );
  }

  /** Solid, dangling or waiting; an owner kubemu does not watch counts as solid (never delete on doubt). */
  async #ownerState(dependent: StoredObject, ref: OwnerReference): Promise<OwnerState> {
    const owner = this.ownerResource(ref);
    const resource = owner?.resource ?? this.#retired.get(`${groupOf(ref.apiVersion)}/${ref.kind}`);
    if (!resource) return 'solid';
    const namespace = resource.namespaced ? dependent.metadata.namespace : undefined;
    let found: StoredObject | undefined = owner?.informer.get(namespace ? `${namespace}/${ref.name}` : ref.name);
    if (found?.metadata.uid !== ref.uid) {
      // The cache may lag (an owner created just now): ask the server before calling it gone.
      try {
        found = await this.#client.get(resource, ref.name, namespace ? { namespace } : {});
      } catch (err) {
        if (err instanceof StatusError && err.code === 404) return 'dangling';
        throw err;
      }
      if (found.metadata.uid !== ref.uid) return 'dangling';
    }
    return found.metadata.deletionTimestamp && found.metadata.finalizers?.includes(FOREGROUND) ? 'waiting' : 'solid';
  }

  /** Rewrites `obj`'s ownerReferences (conditional on its resourceVersion; a 409 retries the key). */
  async #patchOwners(watched: Watched, obj: StoredObject, change: (refs: OwnerReference[]) => OwnerReference[]): Promise<void> {
    const refs = change([...(obj.metadata.ownerReferences ?? [])]);
    const patch = { metadata: { resourceVersion: obj.metadata.resourceVersion, ownerReferences: refs.length ? refs : null } };
    await this.#ignoreNotFound(this.#client.patch(watched.resource, obj.metadata.name, { type: 'merge', patch }, scope(obj)));
  }

  async #removeFinalizer(watched: Watched, obj: StoredObject, finalizer: string): Promise<void> {
    const finalizers = (obj.metadata.finalizers ?? []).filter((f) => f !== finalizer);
    const patch = { metadata: { resourceVersion: obj.metadata.resourceVersion, finalizers: finalizers.length ? finalizers : null } };
    await this.#ignoreNotFound(this.#client.patch(watched.resource, obj.metadata.name, { type: 'merge', patch }, scope(obj)));
  }

  async #ignoreNotFound(write: Promise<unknown>): Promise<void> {
    try {
      await write;
    } catch (err) {
      if (!(err instanceof StatusError && err.code === 404)) throw err;
    }
  }
}

function scope(obj: StoredObject): { namespace?: string } {
  return obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {};
}

/** The keys of `obj`'s owners that kubemu watches. */
function ownerKeysOf(gc: GarbageCollectorReconciler, obj: StoredObject): string[] {
  const keys: string[] = [];
  for (const ref of obj.metadata.ownerReferences ?? []) {
    const owner = gc.ownerResource(ref);
    if (!owner) continue;
    const { namespace } = splitKey(keyOf(obj));
    const ownerKey = owner.resource.namespaced && namespace ? `${namespace}/${ref.name}` : ref.name;
    keys.push(`${owner.resource.group}/${owner.resource.resource}|${ownerKey}`);
  }
  return keys;
}

function dependentKeys(gc: GarbageCollectorReconciler, obj: StoredObject): string[] {
  return gc.dependents(obj.metadata.uid).map((dep) => gcKey(dep.watched.resource, dep.obj));
}

/** An object appears (first list, create): look at it when it has owners or is being deleted. */
export function addedKeys(watched: Watched, obj: StoredObject): string[] {
  return obj.metadata.ownerReferences?.length || obj.metadata.deletionTimestamp ? [gcKey(watched.resource, obj)] : [];
}

/**
 * An object changed. Only three changes matter (upstream's graph builder ignores the rest, e.g.
 * every status write): its owner references (itself, and the owners it no longer blocks), its
 * deletion starting or its finalizers changing while deleted (itself and its dependents, which
 * may now be dangling or waiting on a foreground owner, and its owners, waiting on it).
 */
export function updatedKeys(gc: GarbageCollectorReconciler, watched: Watched, oldObj: StoredObject, obj: StoredObject): string[] {
  const refsChanged = JSON.stringify(oldObj.metadata.ownerReferences ?? []) !== JSON.stringify(obj.metadata.ownerReferences ?? []);
  const deleting = Boolean(obj.metadata.deletionTimestamp);
  const deletionChanged =
    deleting && (!oldObj.metadata.deletionTimestamp || JSON.stringify(oldObj.metadata.finalizers ?? []) !== JSON.stringify(obj.metadata.finalizers ?? []));
  if (!refsChanged && !deletionChanged) return [];
  const keys = [gcKey(watched.resource, obj), ...ownerKeysOf(gc, oldObj), ...(refsChanged ? ownerKeysOf(gc, obj) : [])];
  if (deletionChanged) keys.push(...dependentKeys(gc, obj));
  return keys;
}

/** An object is gone: its dependents (now dangling) and its owners (a foreground owner waits for it). */
export function deletedKeys(gc: GarbageCollectorReconciler, obj: StoredObject): string[] {
  return [...ownerKeysOf(gc, obj), ...dependentKeys(gc, obj)];
}
