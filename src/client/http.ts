/**
 * HttpClient: the Client over HTTP(S), for controllers that run against a remote kubemu or a
 * real cluster. Built from a kubeconfig (`HttpClient.fromKubeconfig(text)`) or a Connection;
 * maps each call to the REST path and query kube-apiserver serves (`/api/v1/namespaces/<ns>/
 * <resource>/<name>[/status]`, `fieldManager`, `dryRun=All`, patch media types, DeleteOptions
 * bodies) and each failure to the StatusError the server sent. Clients made by
 * `withFieldManager` share one transport (one keep-alive agent); `close()` ends it.
 * Owns: Client ⇄ REST. Must not: know the server's internals.
 */
import type { KubeObject, Status, StoredObject } from '../api/types.js';
import { HttpTransport, type TransportOptions } from './http-transport.js';
import { connectionFromKubeconfig, type Connection, type KubeconfigReadOptions } from './kubeconfig.js';
import type {
  Client,
  CreateOptions,
  DeleteOptions,
  ListOptions,
  ObjectList,
  Patch,
  PatchOptions,
  Resource,
  Scoped,
  Watch,
  WatchOptions,
  UpdateOptions,
  WriteOptions,
} from './types.js';

/** Options of an HttpClient. */
export interface HttpClientOptions extends TransportOptions {
  /** Field manager of writes (default `kubemu-client`). */
  fieldManager?: string;
}

const PATCH_MEDIA_TYPES: Record<Patch['type'], string> = {
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  json: 'application/json-patch+json',
  apply: 'application/apply-patch+yaml',
};

/** `/api/v1[/namespaces/<ns>]/<resource>[/<name>[/<subresource>]]` or the `/apis/<group>/<version>` form. */
export function resourcePath(resource: Resource, namespace?: string, name?: string, subresource?: string): string {
  let path = resource.group ? `/apis/${resource.group}/${resource.version}` : `/api/${resource.version}`;
  if (namespace) path += `/namespaces/${encodeURIComponent(namespace)}`;
  path += `/${resource.resource}`;
  if (name !== undefined) path += `/${encodeURIComponent(name)}`;
  if (subresource) path += `/${subresource}`;
  return path;
}

/** The remote Client. */
export class HttpClient implements Client {
  readonly fieldManager: string;
  readonly #transport: HttpTransport;

  /** A client for `connection`; or pass an existing transport to share its connections. */
  constructor(connection: Connection | HttpTransport, options: HttpClientOptions = {}) {
    this.#transport = connection instanceof HttpTransport ? connection : new HttpTransport(connection, options);
    this.fieldManager = options.fieldManager ?? 'kubemu-client';
  }

  /** A client for the kubeconfig `text` (its current context unless `options.context`). */
  static fromKubeconfig(text: string, options: HttpClientOptions & KubeconfigReadOptions = {}): HttpClient {
    return new HttpClient(connectionFromKubeconfig(text, options), options);
  }

  withFieldManager(fieldManager: string): HttpClient {
    return new HttpClient(this.#transport, { fieldManager });
  }

  /** Closes the connections of this client and of every client sharing its transport. */
  close(): void {
    this.#transport.close();
  }

  async get(resource: Resource, name: string, options: Scoped = {}): Promise<StoredObject> {
    return (await this.#transport.request({ method: 'GET', path: resourcePath(resource, options.namespace, name) })) as StoredObject;
  }

  async list(resource: Resource, options: ListOptions = {}): Promise<ObjectList> {
    const query = selectorQuery(options);
    const list = (await this.#transport.request({ method: 'GET', path: resourcePath(resource, options.namespace), query })) as {
      items?: StoredObject[] | null;
      metadata?: { resourceVersion?: string };
    };
    return { items: list.items ?? [], resourceVersion: list.metadata?.resourceVersion ?? '' };
  }

  watch(resource: Resource, options: WatchOptions = {}): Watch {
    const query = selectorQuery(options);
    query.set('watch', 'true');
    if (options.resourceVersion) query.set('resourceVersion', options.resourceVersion);
    if (options.timeoutSeconds !== undefined) query.set('timeoutSeconds', String(options.timeoutSeconds));
    if (options.allowBookmarks) query.set('allowWatchBookmarks', 'true');
    return this.#transport.watch(resourcePath(resource, options.namespace), query);
  }

  async create(resource: Resource, object: KubeObject, options: CreateOptions = {}): Promise<StoredObject> {
    const namespace = options.namespace ?? object.metadata?.namespace;
    const path = options.subresource
      ? resourcePath(resource, namespace, object.metadata?.name, options.subresource)
      : resourcePath(resource, namespace);
    return (await this.#transport.request({ method: 'POST', path, query: this.#writeQuery(options), body: object })) as StoredObject;
  }

  async update(resource: Resource, object: KubeObject, options: UpdateOptions = {}): Promise<StoredObject> {
    return this.#put(resource, object, options, options.subresource);
  }

  async updateStatus(resource: Resource, object: KubeObject, options: WriteOptions = {}): Promise<StoredObject> {
    return this.#put(resource, object, options, 'status');
  }

  async patch(resource: Resource, name: string, patch: Patch, options: PatchOptions = {}): Promise<StoredObject> {
    const query = this.#writeQuery(options);
    if (patch.type === 'apply' && patch.force) query.set('force', 'true');
    return (await this.#transport.request({
      method: 'PATCH',
      path: resourcePath(resource, options.namespace, name, options.subresource),
      query,
      body: patch.patch,
      contentType: PATCH_MEDIA_TYPES[patch.type],
    })) as StoredObject;
  }

  async delete(resource: Resource, name: string, options: DeleteOptions = {}): Promise<StoredObject | Status> {
    const body: Record<string, unknown> = { kind: 'DeleteOptions', apiVersion: 'v1' };
    if (options.propagationPolicy) body.propagationPolicy = options.propagationPolicy;
    if (options.preconditions) body.preconditions = options.preconditions;
    if (options.gracePeriodSeconds !== undefined) body.gracePeriodSeconds = options.gracePeriodSeconds;
    if (options.dryRun) body.dryRun = ['All'];
    const path = resourcePath(resource, options.namespace, name);
    return (await this.#transport.request({ method: 'DELETE', path, body })) as StoredObject | Status;
  }

  async #put(resource: Resource, object: KubeObject, options: WriteOptions, subresource: 'status' | 'finalize' | undefined): Promise<StoredObject> {
    const name = object.metadata?.name;
    if (!name) throw new TypeError('update: the object needs metadata.name');
    const path = resourcePath(resource, options.namespace ?? object.metadata?.namespace, name, subresource);
    return (await this.#transport.request({ method: 'PUT', path, query: this.#writeQuery(options), body: object })) as StoredObject;
  }

  #writeQuery(options: WriteOptions): URLSearchParams {
    const query = new URLSearchParams({ fieldManager: options.fieldManager ?? this.fieldManager });
    if (options.dryRun) query.set('dryRun', 'All');
    return query;
  }
}

function selectorQuery(options: ListOptions): URLSearchParams {
  const query = new URLSearchParams();
  if (options.labelSelector) query.set('labelSelector', options.labelSelector);
  if (options.fieldSelector) query.set('fieldSelector', options.fieldSelector);
  return query;
}
