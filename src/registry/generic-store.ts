/**
 * GenericStore: the one engine behind every resource (kube-apiserver's
 * `registry/generic/registry/store.go`). Each verb is implemented once, with a fixed flow:
 *
 *   create:  fill system metadata → generateName → strategy.prepareForCreate → validate
 *            (metadata, then strategy) → admission → one storage write
 *   update:  read → precondition (resourceVersion) → carry system metadata and status →
 *            strategy.prepareForUpdate → generation → validate → admission → CAS write, retried
 *            on a storage conflict when the caller gave no resourceVersion
 *   delete:  read → preconditions → propagation finalizers (orphan / foregroundDeletion) →
 *            finalizers pending? mark deletionTimestamp : remove
 *
 * PATCH and the status/scale subresources are updates with a different "compute the new
 * object" step. Stored bytes carry their resourceVersion, so reads return them as they are.
 * Owns: verb semantics and storage-error translation. Must not: import fastify or know formats
 * other than JSON objects.
 */
import { randomUUID } from 'node:crypto';
import {
  alreadyExists,
  badRequest,
  conflict,
  generateNameConflict,
  invalid,
  notFound,
  StatusError,
} from '../api/errors.js';
import type { FieldError } from '../api/field-errors.js';
import { apiVersionOf, groupKindOf, groupResourceOf, type ResourceInfo } from '../api/resource.js';
import type { KubeObject, Status, StoredObject } from '../api/types.js';
import { StorageError, type Entry, type Storage } from '../storage/types.js';
import { clone, decodeStored, deepEqual, encodeAtRevision, nowTimestamp, omitEmpty } from './codec.js';
import { generateName } from './generate-name.js';
import { listPrefix, objectKey } from './keys.js';
import { objectOf, type CacheEntry, type Selectable } from '../watch/entry.js';
import type { ListAnswer, ListQuery, ResourceCache } from '../watch/resource-cache.js';
import { validateObjectMetaCreate, validateObjectMetaUpdate } from './object-meta.js';
import type { Strategy } from './strategy.js';
import type { UserInfo } from '../auth/user.js';
import { FieldManager, SERVER_MANAGER } from './field-manager.js';
import { rulesFor, type Rules as KindRules } from './validation/rules/index.js';
import type { ResourceHooks } from './resource-hooks.js';

/** What admission sees of a write. */
export interface AdmissionRequest {
  operation: 'CREATE' | 'UPDATE' | 'DELETE';
  info: ResourceInfo;
  namespace?: string;
  name: string;
  object?: KubeObject;
  oldObject?: KubeObject;
  subresource?: string;
  /** Who asks (the authenticated, possibly impersonated, user); absent for kubemu's own writes. */
  user?: UserInfo;
  /** The write is a dry run: a plugin must not change anything outside it (upstream `dryRun`). */
  dryRun?: boolean;
}

/** Admission hook: throws a StatusError to refuse. */
export type Admit = (request: AdmissionRequest) => Promise<void>;

/** Options shared by writes. */
export interface WriteOptions {
  dryRun?: boolean;
  /** Who writes, for managedFields (managerOrUserAgent of the request; default kube-apiserver). */
  manager?: string;
  /** The requesting user, handed to admission; absent for kubemu's own writes. */
  user?: UserInfo;
}

/** DeleteOptions as kubemu reads them. */
export interface DeleteOptions extends WriteOptions {
  preconditions?: { uid?: string; resourceVersion?: string };
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  gracePeriodSeconds?: number;
}

/** The result of a write: the object as stored, its bytes, and whether it was created. */
export interface WriteResult {
  object: KubeObject;
  bytes?: Uint8Array;
  created: boolean;
}

/** Computes the desired object from the current one (PUT body, patched object, status view...). */
export type ComputeUpdate = (current: StoredObject) => KubeObject | Promise<KubeObject>;

/**
 * Which part of the object a write goes through: `status` changes status only; `scale` is
 * recorded as such; `finalize` (namespaces) changes `spec.finalizers` only; `binding` (pods,
 * builtin/pod-binding.ts) writes the computed object as is, past the kind's update rules and
 * the strategy, as upstream's direct storage update.
 */
export type Subresource = 'status' | 'scale' | 'finalize' | 'binding' | undefined;

/** Options of update. */
export interface UpdateOptions extends WriteOptions {
  subresource?: Subresource;
  createBody?: KubeObject;
  /** The computed object carries its managedFields already (server-side apply). */
  managedFieldsSet?: boolean;
}

const MAX_GENERATE_ATTEMPTS = 8;
const MAX_CONFLICT_RETRIES = 16;

/** The generic store of one resource. */
export class GenericStore {
  readonly info: ResourceInfo;
  readonly strategy: Strategy;
  /** What a custom resource adds (pruning, versioned view, scale, columns); undefined for built-ins. */
  readonly hooks: ResourceHooks | undefined;
  readonly #storage: Storage;
  readonly #admit: Admit;
  readonly #hasStatus: boolean;
  readonly #fields: FieldManager;
  readonly #rules: KindRules;
  #cache?: ResourceCache;

  constructor(options: { info: ResourceInfo; strategy: Strategy; storage: Storage; admit?: Admit; hooks?: ResourceHooks }) {
    this.info = options.info;
    this.strategy = options.strategy;
    this.hooks = options.hooks;
    this.#storage = options.storage;
    this.#admit = options.admit ?? (async () => {});
    this.#hasStatus = options.info.subresources.some((s) => s.name === 'status');
    this.#fields = new FieldManager(options.info, options.hooks?.schema);
    this.#rules = rulesFor(options.info.group, options.info.plural);
  }

  /** Serves reads from `cache` from now on (set once the registry has loaded it). */
  attachCache(cache: ResourceCache): void {
    this.#cache = cache;
  }

  /** The watch cache of this resource. */
  get cache(): ResourceCache {
    if (!this.#cache) throw new TypeError(`the cache of ${this.info.plural} is not loaded`);
    return this.#cache;
  }

  /** The cached entry of one object; NotFound if absent. */
  entry(namespace: string | undefined, name: string): CacheEntry {
    const entry = this.cache.get(objectKey(this.info, namespace, name));
    if (!entry) throw notFound(groupResourceOf(this.info), name);
    return entry;
  }

  /** Stored bytes of one object; NotFound if absent. */
  getBytes(namespace: string | undefined, name: string): Uint8Array {
    return this.entry(namespace, name).bytes;
  }

  /** One object, parsed (a copy the caller owns). */
  get(namespace: string | undefined, name: string): StoredObject {
    return objectOf(this.entry(namespace, name));
  }

  /** Objects of a namespace (or all namespaces) that `query` selects, in key order. */
  list(namespace: string | undefined, query: Omit<ListQuery, 'prefix'> = { filter: () => true }): ListAnswer {
    return this.cache.list({ ...query, prefix: listPrefix(this.info, namespace) });
  }

  /** Creates an object in `namespace` (ignored for cluster-scoped resources); takes ownership of `body`. */
  async create(namespace: string | undefined, body: KubeObject, options: WriteOptions & { managedFieldsSet?: boolean } = {}): Promise<WriteResult> {
    const obj = this.#prepareCreate(namespace, body);
    if (!options.managedFieldsSet) this.#fields.update(undefined, obj, options.manager ?? SERVER_MANAGER);
    const meta = obj.metadata!;
    const generated = !meta.name && !!meta.generateName;
    for (let attempt = 1; ; attempt++) {
      if (generated) meta.name = generateName(meta.generateName!);
      this.#validateCreate(obj);
      await this.#admit({ operation: 'CREATE', info: this.info, namespace: meta.namespace, name: meta.name!, object: obj, user: options.user, dryRun: options.dryRun === true });
      if (options.dryRun) return { object: obj, created: true };
      try {
        const entry = await this.#storage.create(objectKey(this.info, meta.namespace, meta.name!), encodeAtRevision(obj));
        return { object: obj, bytes: entry.value, created: true };
      } catch (err) {
        if (err instanceof StorageError && err.code === 'KeyExists') {
          if (generated && attempt < MAX_GENERATE_ATTEMPTS) continue;
          if (generated) throw generateNameConflict(groupResourceOf(this.info), meta.name!, 1);
          throw alreadyExists(groupResourceOf(this.info), meta.name!);
        }
        throw this.#translate(err, meta.name!);
      }
    }
  }

  /**
   * Replaces an object (PUT, PATCH, subresource writes): `compute` gives the desired object from
   * the current one. A resourceVersion in the desired object is a precondition. When the object
   * is missing and the strategy allows create-on-update, `createBody` is created instead.
   */
  async update(
    namespace: string | undefined,
    name: string,
    compute: ComputeUpdate,
    options: UpdateOptions = {},
  ): Promise<WriteResult> {
    const key = objectKey(this.info, namespace, name);
    for (let attempt = 1; ; attempt++) {
      const entry = await this.#storage.get(key);
      if (!entry) {
        if (options.createBody && this.strategy.allowCreateOnUpdate) {
          return this.create(namespace, options.createBody, options);
        }
        throw notFound(groupResourceOf(this.info), name);
      }
      const current = decodeStored(entry.value);
      const desired = clone(await compute(clone(current)));
      const next = this.#prepareUpdate(desired, current, name, options.subresource);
      if (options.managedFieldsSet) setOrDelete(next, desired.metadata?.managedFields);
      else this.#fields.update(current, next, options.manager ?? SERVER_MANAGER, options.subresource);
      if (sameContent(next, current)) return { object: current, bytes: entry.value, created: false };
      this.#validateUpdate(next, current, options.subresource);
      await this.#admit({
        operation: 'UPDATE',
        info: this.info,
        namespace: current.metadata.namespace,
        name,
        object: next,
        oldObject: current,
        subresource: options.subresource,
        user: options.user,
        dryRun: options.dryRun === true,
      });
      if (options.dryRun) return { object: next, created: false };
      try {
        if (next.metadata?.deletionTimestamp && !this.strategy.finalizersPending(next) && !current.metadata.deletionGracePeriodSeconds) {
          // The last finalizer of an object being deleted is gone: the update completes the delete.
          const gone = await this.#storage.delete(key, entry.modRevision, encodeAtRevision(next));
          return { object: next, bytes: gone.value, created: false };
        }
        const written = await this.#storage.update(key, entry.modRevision, encodeAtRevision(next));
        return { object: next, bytes: written.value, created: false };
      } catch (err) {
        if (err instanceof StorageError && err.code === 'Conflict' && attempt < MAX_CONFLICT_RETRIES) continue;
        throw this.#translate(err, name);
      }
    }
  }

  /**
   * Server-side apply: merges `applied` into the current object (or creates it, except through a
   * subresource), re-applying against the fresh object when a concurrent write wins.
   */
  async apply(
    namespace: string | undefined,
    name: string,
    applied: KubeObject,
    options: WriteOptions & { manager: string; force: boolean; subresource?: Subresource },
  ): Promise<WriteResult> {
    const request = { manager: options.manager, force: options.force, subresource: options.subresource };
    if (applied.metadata?.name !== undefined && applied.metadata.name !== name)
      throw badRequest(`the name of the object (${applied.metadata.name}) does not match the name on the URL (${name})`);
    const run = (live: KubeObject | undefined) => this.#fields.apply(live, clone(applied), request);
    const update = () => this.update(namespace, name, (current) => run(current), { ...options, managedFieldsSet: true });
    try {
      return await update();
    } catch (err) {
      if (!(err instanceof StatusError && err.code === 404) || options.subresource) throw err;
    }
    const created = run(undefined);
    (created.metadata ??= {}).name = name;
    try {
      return await this.create(namespace, created, { ...options, managedFieldsSet: true });
    } catch (err) {
      if (err instanceof StatusError && err.reason === 'AlreadyExists') return update();
      throw err;
    }
  }

  /** Deletes an object, or marks it for deletion while finalizers remain. */
  async delete(namespace: string | undefined, name: string, options: DeleteOptions = {}): Promise<KubeObject | Status> {
    const key = objectKey(this.info, namespace, name);
    for (let attempt = 1; ; attempt++) {
      const entry = await this.#read(namespace, name);
      const current = decodeStored(entry.value);
      checkPreconditions(this.info, current, options.preconditions);
      await this.#admit({ operation: 'DELETE', info: this.info, namespace: current.metadata.namespace, name, oldObject: current, user: options.user, dryRun: options.dryRun === true });
      try {
        const grace = this.strategy.gracefulDelete?.(current, options.gracePeriodSeconds);
        if (grace !== undefined) {
          // Graceful (pods on a node): mark, or shorten the grace; the node's grace-0 delete removes it.
          const pendingGrace = current.metadata.deletionGracePeriodSeconds;
          if (current.metadata.deletionTimestamp && pendingGrace !== undefined && pendingGrace <= grace) return current;
          const graceful = clone(current);
          graceful.metadata.deletionTimestamp = new Date(Date.now() + grace * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
          graceful.metadata.deletionGracePeriodSeconds = grace;
          if (options.dryRun) return graceful;
          await this.#storage.update(key, entry.modRevision, encodeAtRevision(graceful));
          return graceful;
        }
        const marked = clone(current);
        const policy = options.propagationPolicy;
        setFinalizers(marked, gcFinalizers(current.metadata.finalizers, policy, this.strategy.defaultGarbageCollectionPolicy));
        if (this.strategy.finalizersPending(marked)) {
          const sameFinalizers = deepEqual(marked.metadata.finalizers, current.metadata.finalizers);
          if (current.metadata.deletionTimestamp && sameFinalizers) return current;
          if (!current.metadata.deletionTimestamp) {
            marked.metadata.deletionTimestamp = nowTimestamp();
            marked.metadata.deletionGracePeriodSeconds = 0;
            if (this.strategy.tracksGeneration) marked.metadata.generation = (marked.metadata.generation ?? 0) + 1;
            this.strategy.prepareForDelete(marked);
          }
          if (options.dryRun) return marked;
          await this.#storage.update(key, entry.modRevision, encodeAtRevision(marked));
          return marked;
        }
        if (!options.dryRun) await this.#storage.delete(key, entry.modRevision, encodeAtRevision(clone(current)));
        return this.strategy.returnDeletedObject ? current : this.#successStatus(current);
      } catch (err) {
        if (err instanceof StorageError && err.code === 'Conflict' && attempt < MAX_CONFLICT_RETRIES) continue;
        throw this.#translate(err, name);
      }
    }
  }

  /** Deletes every object of a namespace (or all) that `matches`; returns the deleted or marked objects. */
  async deleteCollection(
    namespace: string | undefined,
    matches: (obj: Selectable) => boolean,
    options: DeleteOptions = {},
  ): Promise<KubeObject[]> {
    const { entries } = this.list(namespace, { filter: matches });
    const deleted: KubeObject[] = [];
    for (const entry of entries) {
      const obj = objectOf(entry);
      try {
        const result = await this.delete(obj.metadata.namespace, obj.metadata.name, options);
        deleted.push(result.kind === 'Status' ? obj : (result as KubeObject));
      } catch (err) {
        if (err instanceof StatusError && err.code === 404) continue;
        throw err;
      }
    }
    return deleted;
  }

  /** The current entry from storage (writes compare-and-swap against storage, not the cache). */
  async #read(namespace: string | undefined, name: string): Promise<Entry> {
    const entry = await this.#storage.get(objectKey(this.info, namespace, name));
    if (!entry) throw notFound(groupResourceOf(this.info), name);
    return entry;
  }

  /** Fills system metadata of a new object from the request (in place: the body is the store's now). */
  #prepareCreate(namespace: string | undefined, obj: KubeObject): KubeObject {
    const meta = (obj.metadata ??= {});
    if (meta.resourceVersion) throw badRequest('resourceVersion should not be set on objects to be created');
    obj.kind = this.info.kind;
    obj.apiVersion = apiVersionOf(this.info);
    if (this.info.namespaced) {
      if (meta.namespace && namespace && meta.namespace !== namespace)
        throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      if (namespace) meta.namespace = namespace;
    } else {
      delete meta.namespace;
    }
    meta.uid = randomUUID();
    meta.creationTimestamp = nowTimestamp();
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    if (this.strategy.tracksGeneration) meta.generation = 1;
    else delete meta.generation;
    if (this.#hasStatus) delete obj.status;
    this.strategy.prepareForCreate(obj);
    omitEmpty(obj);
    return obj;
  }

  /** Carries over what a write may not change and lets the strategy adjust the rest. */
  #prepareUpdate(desired: KubeObject, current: StoredObject, name: string, subresource: Subresource): KubeObject {
    const meta = (desired.metadata ??= {});
    if (meta.name !== name)
      throw badRequest(`the name of the object (${meta.name ?? ''}) does not match the name on the URL (${name})`);
    if (this.info.namespaced && meta.namespace && meta.namespace !== current.metadata.namespace)
      throw badRequest(
        `the namespace of the object (${meta.namespace}) does not match the namespace on the request (${current.metadata.namespace})`,
      );
    if (meta.resourceVersion && meta.resourceVersion !== current.metadata.resourceVersion)
      throw conflict(groupResourceOf(this.info), name);

    let next: KubeObject;
    if (subresource === 'status') {
      // The status endpoint changes only status (and managedFields); everything else is kept from the stored object.
      next = clone(current) as KubeObject;
      next.status = desired.status;
    } else if (subresource === 'finalize') {
      // namespaces/finalize changes only spec.finalizers.
      next = clone(current) as KubeObject;
      const finalizers = (desired.spec as { finalizers?: unknown } | undefined)?.finalizers;
      next.spec = { ...(next.spec as object | undefined), finalizers: Array.isArray(finalizers) ? finalizers : [] };
    } else {
      next = desired;
      next.kind = this.info.kind;
      next.apiVersion = apiVersionOf(this.info);
      if (this.#hasStatus && subresource !== 'binding') {
        if (current.status === undefined) delete next.status;
        else next.status = current.status;
      }
    }
    const nextMeta = (next.metadata ??= {});
    nextMeta.name = name;
    if (this.info.namespaced) nextMeta.namespace = current.metadata.namespace;
    else delete nextMeta.namespace;
    nextMeta.uid = current.metadata.uid;
    nextMeta.creationTimestamp = current.metadata.creationTimestamp;
    copyOrDelete(nextMeta, current.metadata, 'deletionTimestamp');
    copyOrDelete(nextMeta, current.metadata, 'deletionGracePeriodSeconds');
    if (subresource === 'status') setOrDelete(next, desired.metadata?.managedFields ?? current.metadata.managedFields);
    nextMeta.resourceVersion = current.metadata.resourceVersion;
    if (this.strategy.tracksGeneration) {
      nextMeta.generation = current.metadata.generation ?? 1;
      if (subresource !== 'status' && subresource !== 'binding' && specChanged(next, current)) nextMeta.generation += 1;
    } else {
      delete nextMeta.generation;
    }
    if (subresource !== 'status' && subresource !== 'finalize' && subresource !== 'binding') this.strategy.prepareForUpdate(next, current);
    omitEmpty(next);
    return next;
  }

  #validateCreate(obj: KubeObject): void {
    const errs: FieldError[] = [
      ...validateObjectMetaCreate(obj.metadata!, this.info.namespaced, this.strategy.nameRule),
      ...this.#rules.validate(obj),
      ...this.strategy.validate(obj),
    ];
    if (errs.length) throw invalid(groupKindOf(this.info), obj.metadata?.name ?? obj.metadata?.generateName ?? '', errs);
  }

  #validateUpdate(obj: KubeObject, old: StoredObject, subresource: Subresource): void {
    const errs: FieldError[] = [
      ...validateObjectMetaUpdate(obj.metadata!, old.metadata, this.info.namespaced),
      // The kind's rules judge spec changes; a status write changes status only.
      ...(subresource === 'status' || subresource === 'binding' ? [] : this.#rules.validateUpdate(obj, old)),
      ...(subresource === 'binding' ? [] : this.strategy.validateUpdate(obj, old)),
    ];
    if (errs.length) throw invalid(groupKindOf(this.info), old.metadata.name, errs);
  }

  #successStatus(obj: StoredObject): Status {
    const details: Status['details'] = { name: obj.metadata.name };
    if (this.info.group) details.group = this.info.group;
    details.kind = this.info.plural;
    details.uid = obj.metadata.uid;
    return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details, code: 200 };
  }

  #translate(err: unknown, name: string): unknown {
    if (!(err instanceof StorageError)) return err;
    switch (err.code) {
      case 'KeyNotFound':
        return notFound(groupResourceOf(this.info), name);
      case 'KeyExists':
        return alreadyExists(groupResourceOf(this.info), name);
      case 'Conflict':
        return conflict(groupResourceOf(this.info), name);
      default:
        return err;
    }
  }
}

function setOrDelete(obj: KubeObject, managedFields: unknown): void {
  const meta = (obj.metadata ??= {});
  if (Array.isArray(managedFields)) meta.managedFields = managedFields;
  else delete meta.managedFields;
}

function copyOrDelete<T extends object>(target: T, source: T, key: keyof T): void {
  if (source[key] === undefined) delete target[key];
  else target[key] = source[key];
}

/** True when anything but metadata and status differs (the generation rule of workloads). */
function specChanged(next: KubeObject, current: KubeObject): boolean {
  const strip = ({ metadata: _m, status: _s, ...rest }: KubeObject) => rest;
  return !deepEqual(strip(next), strip(current));
}

/** True when the update would change nothing, so no write (and no new revision) is needed. */
function sameContent(next: KubeObject, current: StoredObject): boolean {
  return deepEqual(next, current);
}

const ORPHAN = 'orphan';
const FOREGROUND = 'foregroundDeletion';

/**
 * The finalizers of an object being deleted with `policy` (apiserver's
 * deletionFinalizersForGarbageCollection): Orphan adds `orphan`, Foreground adds
 * `foregroundDeletion`, Background removes both; without a policy, a finalizer already there
 * stays, else the kind's default applies.
 */
function gcFinalizers(
  finalizers: readonly string[] | undefined,
  policy: DeleteOptions['propagationPolicy'],
  kindDefault: 'Orphan' | 'Background',
): string[] {
  const list = [...(finalizers ?? [])];
  const effective = policy ?? (list.includes(ORPHAN) ? 'Orphan' : list.includes(FOREGROUND) ? 'Foreground' : kindDefault);
  const wanted = effective === 'Orphan' ? ORPHAN : effective === 'Foreground' ? FOREGROUND : undefined;
  const kept = list.filter((f) => (f !== ORPHAN && f !== FOREGROUND) || f === wanted);
  if (wanted && !kept.includes(wanted)) kept.push(wanted);
  return kept;
}

function setFinalizers(obj: KubeObject, finalizers: string[]): void {
  const meta = (obj.metadata ??= {});
  if (finalizers.length) meta.finalizers = finalizers;
  else delete meta.finalizers;
}

function checkPreconditions(info: ResourceInfo, obj: StoredObject, pre: DeleteOptions['preconditions']): void {
  if (!pre) return;
  if (pre.uid && pre.uid !== obj.metadata.uid)
    throw conflict(
      groupResourceOf(info),
      obj.metadata.name,
      `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${obj.metadata.uid}`,
    );
  if (pre.resourceVersion && pre.resourceVersion !== obj.metadata.resourceVersion)
    throw conflict(
      groupResourceOf(info),
      obj.metadata.name,
      `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${obj.metadata.resourceVersion}`,
    );
}
