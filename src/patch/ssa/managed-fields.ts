/**
 * The field manager of kube-apiserver (apimachinery `pkg/util/managedfields/internal`): the two
 * operations the registry runs on writes, with the layers upstream stacks around
 * structured-merge-diff, outermost first:
 *   version check → last-applied update/migration (manager `kubectl` only) → skip untracked
 *   objects / `before-first-apply` → cap at 10 Update managers → manager identifiers →
 *   timestamps (Update via the `current-operation` placeholder) → strip metadata fields
 *   (apiVersion, kind, metadata.{name,namespace,uid,...}) → merge.ts.
 *
 * Worked example: `kubectl apply --server-side` of a Deployment with replicas 3 and container
 * nginx, then `kubectl scale --replicas=5` (an Update by `kubectl-scale`), then the apply again
 * with replicas 3: the second apply conflicts on `.spec.replicas`, owned by
 *   {"manager":"kubectl-scale","operation":"Update","apiVersion":"apps/v1"}
 * and fails with 409 `Apply failed with 1 conflict: conflict with "kubectl-scale" using apps/v1:
 * .spec.replicas`; with force it succeeds and `kubectl-scale` loses the field (and its entry,
 * when that was all it owned).
 * Wiring (the registry's GenericStore): every create, update, non-apply patch and subresource
 * write calls updateOperation once the new object is built and defaulted (upstream defaults
 * while decoding, so defaulted fields belong to the writer), before validation and admission,
 * with the manager `managerOrUserAgent(fieldManager, User-Agent)`; an apply patch calls
 * applyOperation on the stored object (undefined: create-on-apply) instead, then defaults and
 * validates the result like any update. Both take the strategy's reset fields.
 * Owns: applyOperation, updateOperation, the conflict error. Must not: read HTTP requests,
 * store objects or run strategies.
 */
import { badRequest, StatusError } from '../../api/errors.js';
import type { KubeObject } from '../../api/types.js';
import { FieldSet, makePath, pathString } from './fieldpath.js';
import { KUBECTL_MANAGER, allowedConflictsFromLastApplied, buildLastApplied, hasLastApplied, setLastApplied } from './last-applied.js';
import {
  BEFORE_FIRST_APPLY,
  capUpdateManagers,
  decodeManagedFields,
  emptyManaged,
  encodeManagedFields,
  formatTime,
  isResetManagedFields,
  type Managed,
  type ManagedFieldsEntry,
  managerIdentifier,
  parseIdentifier,
} from './managers.js';
import { ApplyConflicts, applyMerge, type Conflict, updateManagers } from './merge.js';
import { SmdType, type SsaSchema } from './schema.js';
import { TypedError, validate } from './typed.js';
import { goQuote, isMap } from './value.js';

/** Fields never recorded in managedFields (stripmeta.go). */
const STRIPPED = FieldSet.of(
  makePath('apiVersion'),
  makePath('kind'),
  makePath('metadata'),
  ...['name', 'namespace', 'creationTimestamp', 'selfLink', 'uid', 'clusterName', 'generation', 'managedFields', 'resourceVersion'].map(
    (f) => makePath('metadata', f),
  ),
);

/** The placeholder manager an Update runs as before its fields go to the real manager. */
const CURRENT_OPERATION = 'current-operation';

/** Inputs shared by both operations. */
interface OperationBase {
  /** group/version of the endpoint (`apps/v1`, `v1`). */
  apiVersion: string;
  /** The kind's schema (schemaNodeFor, a CRD's); undefined means untyped (deduced). */
  schema: SsaSchema | undefined;
  /** The time of the write. */
  now: Date;
  /** `status`, `scale`, ... when written through a subresource. */
  subresource?: string | undefined;
  /** Fields whose ownership is not tracked: the strategy's reset fields (e.g. `.status` on the main resource). */
  resetFields?: FieldSet | undefined;
  /**
   * The object a create starts from (upstream: the zero value of the Go type, whose non-pointer
   * structs exist already, so e.g. `.spec` is not recorded as added). Default `{}`.
   */
  emptyObject?: KubeObject | undefined;
}

/** Options of applyOperation. */
export interface ApplyOptions extends OperationBase {
  /** The stored object; undefined when the apply creates it. */
  live: KubeObject | undefined;
  /** The applied configuration (the decoded apply-patch body). */
  applied: KubeObject;
  /** The `fieldManager` (required for apply; the caller rejects an empty one). */
  manager: string;
  /** Kind of the endpoint; the configuration must name the same group/version/kind. */
  kind: string;
  /** `force=true`: take conflicting fields instead of failing. */
  force?: boolean | undefined;
}

/** Options of updateOperation. */
export interface UpdateOptions extends OperationBase {
  /** The stored object; undefined on create. */
  old: KubeObject | undefined;
  /** The object about to be stored (its managedFields as the client sent them). */
  new: KubeObject;
  /** The manager name (managerOrUserAgent of the request). */
  manager: string;
}

function gvkString(obj: KubeObject | undefined): string {
  const apiVersion = typeof obj?.apiVersion === 'string' ? obj.apiVersion : '';
  const slash = apiVersion.indexOf('/');
  const [group, version] = slash < 0 ? ['', apiVersion] : [apiVersion.slice(0, slash), apiVersion.slice(slash + 1)];
  return `${group}/${version}, Kind=${typeof obj?.kind === 'string' ? obj.kind : ''}`;
}

/** objectGVKNN: `namespace/name; group/version, Kind=Kind`. */
function describeObject(obj: KubeObject | undefined): string {
  return `${obj?.metadata?.namespace ?? ''}/${obj?.metadata?.name ?? ''}; ${gvkString(obj)}`;
}

/** A 500 with reason unset, as kube-apiserver answers errors that are not Status errors. */
function internal(message: string): StatusError {
  const err = new StatusError(500, '', message);
  delete err.status.reason;
  return err;
}

/** The object without metadata.managedFields (which never takes part in merges). */
function withoutManagedFields(obj: KubeObject | undefined): KubeObject | undefined {
  if (!obj?.metadata || !('managedFields' in obj.metadata)) return obj;
  const { managedFields: _dropped, ...metadata } = obj.metadata;
  return { ...obj, metadata };
}

/** stripMetaManager: drops the metadata fields from one manager's set. */
function strip(managed: Managed, id: string): void {
  const owned = managed.sets.get(id);
  if (!owned) return;
  const set = owned.set.difference(STRIPPED);
  if (set.empty()) managed.sets.delete(id);
  else managed.sets.set(id, { ...owned, set });
}

/** The Update layers below the cap: timestamps, strip, merge. Mutates `managed`; returns false when the objects cannot be typed. */
function recordUpdate(old: KubeObject | undefined, next: KubeObject, managed: Managed, id: string, opts: OperationBase): boolean {
  const type = SmdType.of(opts.schema);
  const before = withoutManagedFields(old ?? opts.emptyObject ?? {});
  const after = withoutManagedFields(next);
  if (validate(after, type, { allowDuplicates: true }).length > 0 || validate(before, type, { allowDuplicates: true }).length > 0) return false;
  managed.sets = updateManagers(before, after, {
    type,
    managers: managed.sets,
    manager: CURRENT_OPERATION,
    apiVersion: opts.apiVersion,
    ignore: opts.resetFields,
  });
  strip(managed, CURRENT_OPERATION);
  const current = managed.sets.get(CURRENT_OPERATION);
  if (current) {
    managed.sets.delete(CURRENT_OPERATION);
    const previous = managed.sets.get(id);
    managed.sets.set(id, { ...current, set: previous ? current.set.union(previous.set) : current.set });
    managed.times.set(id, formatTime(opts.now));
  }
  capUpdateManagers(managed);
  return true;
}

function updateIdentifier(manager: string, opts: OperationBase): string {
  return managerIdentifier({ manager: manager || 'unknown', operation: 'Update', apiVersion: opts.apiVersion, subresource: opts.subresource });
}

/** decodeLiveOrNew: the managedFields an Update starts from. */
function startingManaged(opts: UpdateOptions): Managed {
  const fromOld = (): Managed => {
    try {
      return decodeManagedFields(opts.old?.metadata?.managedFields);
    } catch {
      return emptyManaged();
    }
  };
  if (opts.subresource) return fromOld();
  const sent = opts.new.metadata?.managedFields;
  if (isResetManagedFields(sent)) return emptyManaged();
  try {
    const managed = decodeManagedFields(sent);
    return managed.sets.size > 0 ? managed : fromOld();
  } catch {
    return fromOld();
  }
}

/**
 * The managedFields to store after a create, update or non-apply patch (FieldManager.UpdateNoErrors):
 * the fields that changed go to `manager` (operation Update, this apiVersion and subresource),
 * leave every other manager, and removed fields leave every set; empty entries are dropped and
 * at most 10 Update entries remain. The client's own managedFields are kept when valid, cleared
 * by `[]` or `[{}]`; an existing object without managedFields stays untracked (until its first
 * apply). Returns undefined when the object should carry no managedFields.
 */
export function updateOperation(opts: UpdateOptions): ManagedFieldsEntry[] | undefined {
  const managed = startingManaged(opts);
  const exists = typeof opts.old?.metadata?.uid === 'string' && opts.old.metadata.uid !== '';
  if (managed.sets.size === 0 && exists) return undefined;
  if (!recordUpdate(exists ? opts.old : undefined, opts.new, managed, updateIdentifier(opts.manager, opts), opts)) {
    return opts.old?.metadata?.managedFields as ManagedFieldsEntry[] | undefined;
  }
  return encodeManagedFields(managed);
}

/** printManager: `"name"`, `"name" with subresource "status"`, plus ` using v1` for Update managers. */
function printManager(id: string): string {
  const info = parseIdentifier(id);
  let text = goQuote(info.manager);
  if (info.subresource) text += ` with subresource ${goQuote(info.subresource)}`;
  if (info.operation === 'Update') text += ` using ${info.apiVersion ?? ''}`;
  return text;
}

/** NewConflictError: 409 worded as apimachinery's conflict.go, one cause per conflicting field. */
export function applyConflictError(conflicts: readonly Conflict[]): StatusError {
  const causes = conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with ${printManager(c.manager)}`, field: pathString(c.path) }));
  let message: string;
  if (conflicts.length === 1) {
    const only = conflicts[0] as Conflict;
    message = `Apply failed with 1 conflict: conflict with ${printManager(only.manager)}: ${pathString(only.path)}`;
  } else {
    const byManager = new Map<string, string[]>();
    for (const c of conflicts) byManager.set(c.manager, [...(byManager.get(c.manager) ?? []), pathString(c.path)]);
    const lines: string[] = [];
    for (const manager of [...byManager.keys()].sort()) {
      lines.push(`conflicts with ${printManager(manager)}:`);
      for (const path of byManager.get(manager) ?? []) lines.push(`- ${path}`);
    }
    message = `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
  }
  return new StatusError(409, 'Conflict', message, { causes });
}

/** The result of applyOperation. */
export interface ApplyResult {
  /** The object to store: the merge result, or the live object when nothing changed; managedFields set. */
  object: KubeObject;
  /** Its managedFields (undefined: none). */
  managedFields: ManagedFieldsEntry[] | undefined;
  /** False when the merge left the object as it was (ownership, and the last-applied annotation, may still have changed). */
  changed: boolean;
}

/** The apply layers from skip-non-applied inwards. */
function applyCore(opts: ApplyOptions, start: Managed, force: boolean): { object: KubeObject; managed: Managed; changed: boolean } {
  const managed: Managed = { sets: new Map(start.sets), times: new Map(start.times) };
  const live = withoutManagedFields(opts.live) ?? {};
  if (managed.sets.size === 0) recordUpdate(opts.emptyObject ?? {}, live, managed, updateIdentifier(BEFORE_FIRST_APPLY, opts), opts);
  const id = managerIdentifier({ manager: opts.manager, operation: 'Apply', subresource: opts.subresource });
  if (Array.isArray(opts.applied.metadata?.managedFields)) throw badRequest('metadata.managedFields must be nil');
  const type = SmdType.of(opts.schema);
  const patchErrors = validate(opts.applied, type);
  if (patchErrors.length > 0) throw internal(`failed to create typed patch object (${describeObject(opts.applied)}): ${new TypedError(patchErrors).message}`);
  const liveErrors = validate(live, type, { allowDuplicates: true });
  if (liveErrors.length > 0) throw internal(`failed to create typed live object (${describeObject(live)}): ${new TypedError(liveErrors).message}`);
  const result = applyMerge(live, opts.applied, {
    type,
    managers: managed.sets,
    manager: id,
    apiVersion: opts.apiVersion,
    ignore: opts.resetFields,
    force,
  });
  managed.sets = result.managers;
  strip(managed, id);
  if (result.object === undefined) return { object: structuredClone(live), managed, changed: false };
  managed.times.set(id, formatTime(opts.now));
  return { object: result.object as KubeObject, managed, changed: true };
}

/**
 * Server-side apply (FieldManager.Apply): merges `applied` into `live` (or creates from it),
 * prunes fields this manager applied before and omits now unless another manager owns them,
 * and records the manager's Apply entry. Throws StatusError: 409 Conflict (worded as upstream,
 * causes per field) when other managers own fields the apply changes and `force` is not set;
 * 400 `invalid object type: <gvk>` when the configuration is of another group/version/kind;
 * 400 `metadata.managedFields must be nil`; 500 when the configuration or the live object does
 * not fit the schema (`failed to create typed patch object (...): .spec.x: field not declared in schema`)
 * or the live managedFields do not decode.
 */
export function applyOperation(opts: ApplyOptions): ApplyResult {
  let start: Managed;
  try {
    start = decodeManagedFields(opts.live?.metadata?.managedFields);
  } catch (err) {
    throw internal(`failed to decode managed fields: ${(err as Error).message}`);
  }
  if (opts.applied.apiVersion !== opts.apiVersion || opts.applied.kind !== opts.kind)
    throw badRequest(`invalid object type: ${gvkString(opts.applied)}`);
  let outcome: ReturnType<typeof applyCore>;
  try {
    outcome = applyCore(opts, start, opts.force === true);
  } catch (err) {
    if (!(err instanceof ApplyConflicts)) throw err;
    const allowed =
      opts.manager === KUBECTL_MANAGER && opts.live
        ? allowedConflictsFromLastApplied(opts.live, opts.apiVersion, SmdType.of(opts.schema))
        : undefined;
    if (!allowed) throw applyConflictError(err.conflicts);
    const remaining = err.conflicts.filter((c) => !allowed.has(c.path));
    if (remaining.length > 0) throw applyConflictError(remaining);
    outcome = applyCore(opts, start, true);
  }
  const object = outcome.object;
  if (opts.manager === KUBECTL_MANAGER && hasLastApplied(object)) setLastApplied(object, buildLastApplied(opts.applied));
  const managedFields = encodeManagedFields(outcome.managed);
  object.metadata = { ...(isMap(object.metadata) ? object.metadata : {}) };
  if (managedFields) object.metadata.managedFields = managedFields;
  else delete object.metadata.managedFields;
  return { object, managedFields, changed: outcome.changed };
}
