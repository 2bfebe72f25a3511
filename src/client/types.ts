/**
 * The Client: the one way controllers and the syncer reach a Kubernetes API, in-process
 * (client/local.ts, over the Registry) or remote (client/http.ts, over HTTP(S) with a
 * kubeconfig). Calls are addressed by resource (`{group, version, resource}`) plus a namespace
 * in the options, take and return plain JSON objects, and fail with `StatusError`s worded and
 * coded as the API server answers (404 NotFound, 409 AlreadyExists/Conflict, 422 Invalid, 410
 * Expired...), whichever implementation runs. Every write names a field manager: the client's
 * own (`withFieldManager(controllerName)`) unless a call overrides it.
 *
 *   const pods = { group: '', version: 'v1', resource: 'pods' };
 *   const { items, resourceVersion } = await client.list(pods, { namespace: 'ns', labelSelector: 'app=web' });
 *   for await (const event of client.watch(pods, { namespace: 'ns', resourceVersion })) ...
 *
 * Owns: the Client contract and its option/event types. Must not: implement transport.
 */
import type { KubeObject, Status, StoredObject } from '../api/types.js';

/** A resource as the API addresses it: `/apis/<group>/<version>/.../<resource>`; core group is `''`. */
export interface Resource {
  group: string;
  version: string;
  /** The plural, lower-case resource name (`pods`, `deployments`). */
  resource: string;
}

/** The namespace a call goes to; omit for cluster-scoped resources and for all-namespace lists. */
export interface Scoped {
  namespace?: string;
}

/** Options of list. */
export interface ListOptions extends Scoped {
  /** A label selector in the string grammar (`app=web,tier!=db`). */
  labelSelector?: string;
  /** A field selector in the string grammar (`metadata.name=x`). */
  fieldSelector?: string;
}

/** A list answer: the items and the resourceVersion to watch from. */
export interface ObjectList {
  items: StoredObject[];
  resourceVersion: string;
}

/** Options of watch. */
export interface WatchOptions extends ListOptions {
  /**
   * Replay events after this resourceVersion (usually a list's). Absent or "0": the watch starts
   * with an ADDED event for every current object. Older than the server keeps: the watch ends
   * with a 410 Expired StatusError and the caller must list again.
   */
  resourceVersion?: string;
  /** The server ends the watch (normally) after this many seconds. */
  timeoutSeconds?: number;
  /** Ask for BOOKMARK events, which only advance the resourceVersion. */
  allowBookmarks?: boolean;
}

/** One watch event. `BOOKMARK` carries only the resourceVersion the watch has reached. */
export type WatchEvent =
  | { type: 'ADDED' | 'MODIFIED' | 'DELETED'; object: StoredObject }
  | { type: 'BOOKMARK'; resourceVersion: string };

/**
 * A running watch: iterate it for events. Iteration finishes normally when the server ends the
 * watch (timeout) or `stop()` is called, and throws a StatusError when the watch fails — 410
 * Expired when its resourceVersion is too old or the watcher fell too far behind (list again).
 */
export interface Watch extends AsyncIterable<WatchEvent> {
  /** Ends the watch; a pending iteration finishes normally. Idempotent. */
  stop(): void;
}

/** Options of create, update and updateStatus. */
export interface WriteOptions extends Scoped {
  /** Overrides the client's field manager for this write. */
  fieldManager?: string;
  /** Validate and admit, but do not persist (`dryRun=All`). */
  dryRun?: boolean;
}

/** Options of create. */
export interface CreateOptions extends WriteOptions {
  /**
   * `binding` (pods): POST the v1 Binding `object` (named as the pod) to `pods/<name>/binding`,
   * the scheduler's write; the answer is the server's success Status, not a pod.
   */
  subresource?: 'binding';
}

/** Options of update. */
export interface UpdateOptions extends WriteOptions {
  /** `finalize` (namespaces): PUT `/finalize`, which replaces `spec.finalizers` only. */
  subresource?: 'finalize';
}

/** One RFC 6902 operation. */
export interface JsonPatchOperation {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  path: string;
  value?: unknown;
  from?: string;
}

/**
 * A patch: JSON merge patch, strategic merge patch (built-in kinds only; 415 otherwise), JSON
 * patch (RFC 6902), or server-side apply of a (partial) object owned by the field manager;
 * `force` takes conflicting fields from other managers instead of failing with 409.
 */
export type Patch =
  | { type: 'merge'; patch: Record<string, unknown> }
  | { type: 'strategic'; patch: Record<string, unknown> }
  | { type: 'json'; patch: JsonPatchOperation[] }
  | { type: 'apply'; patch: KubeObject; force?: boolean };

/** Options of patch. */
export interface PatchOptions extends WriteOptions {
  /** Patch the status subresource instead of the object. */
  subresource?: 'status';
}

/** DeleteOptions. */
export interface DeleteOptions extends Scoped {
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  /** Delete only if the object still has this uid and/or resourceVersion (409 otherwise). */
  preconditions?: { uid?: string; resourceVersion?: string };
  gracePeriodSeconds?: number;
  dryRun?: boolean;
}

/**
 * A Kubernetes API client. Every method rejects with a StatusError for API failures; transport
 * failures (connection refused, TLS) of the HTTP client are plain Errors.
 */
export interface Client {
  /** The field manager of this client's writes. */
  readonly fieldManager: string;
  /** The same client, writing as `fieldManager` (a controller's name). */
  withFieldManager(fieldManager: string): Client;

  /** One object; 404 NotFound when absent. */
  get(resource: Resource, name: string, options?: Scoped): Promise<StoredObject>;
  /** The objects of a namespace (or all namespaces) that the selectors match. */
  list(resource: Resource, options?: ListOptions): Promise<ObjectList>;
  /** Follows changes; see {@link Watch}. Errors (bad selector, 410) surface from the iteration. */
  watch(resource: Resource, options?: WatchOptions): Watch;

  /** Creates `object` in `options.namespace` or its own `metadata.namespace`; 409 AlreadyExists if taken. */
  create(resource: Resource, object: KubeObject, options?: CreateOptions): Promise<StoredObject>;
  /** Replaces the object named by `object.metadata`; a `resourceVersion` in it must be current (409 Conflict). */
  update(resource: Resource, object: KubeObject, options?: UpdateOptions): Promise<StoredObject>;
  /** Replaces the status of the object named by `object.metadata` (`/status`); the rest is ignored. */
  updateStatus(resource: Resource, object: KubeObject, options?: WriteOptions): Promise<StoredObject>;
  /** Patches one object (or its status); see {@link Patch}. */
  patch(resource: Resource, name: string, patch: Patch, options?: PatchOptions): Promise<StoredObject>;
  /**
   * Deletes one object. Returns the object when the delete is pending (finalizers) or the kind
   * returns deleted objects, otherwise the server's success Status.
   */
  delete(resource: Resource, name: string, options?: DeleteOptions): Promise<StoredObject | Status>;
}

/** True for the Status a delete answers with (rather than an object). */
export function isStatus(value: StoredObject | Status): value is Status {
  return value.kind === 'Status' && (value as Status).apiVersion === 'v1' && 'status' in value;
}

/** `core/v1` and friends the runtime and early controllers use. */
export const RESOURCES = {
  configmaps: { group: '', version: 'v1', resource: 'configmaps' },
  events: { group: '', version: 'v1', resource: 'events' },
  namespaces: { group: '', version: 'v1', resource: 'namespaces' },
  pods: { group: '', version: 'v1', resource: 'pods' },
  secrets: { group: '', version: 'v1', resource: 'secrets' },
  serviceaccounts: { group: '', version: 'v1', resource: 'serviceaccounts' },
  services: { group: '', version: 'v1', resource: 'services' },
  nodes: { group: '', version: 'v1', resource: 'nodes' },
  deployments: { group: 'apps', version: 'v1', resource: 'deployments' },
  replicasets: { group: 'apps', version: 'v1', resource: 'replicasets' },
} as const satisfies Record<string, Resource>;

/** `resource.group` (core: `resource`), for logs and map keys. */
export function resourceName(resource: Resource): string {
  return resource.group ? `${resource.resource}.${resource.group}` : resource.resource;
}
