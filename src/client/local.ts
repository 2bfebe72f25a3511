/**
 * LocalClient: the Client over this process's Registry — GenericStore verbs and the watch
 * caches directly, no HTTP and no JSON round trip beyond the store's own. It answers as the
 * HTTP routes do (same scope checks, option parsing, decode checks, patch types, StatusErrors),
 * so a controller cannot tell it from the HTTP client except by speed. Watch events are decoded
 * when the consumer pulls them, never on the writer's path; a consumer that falls more than
 * `maxWatchEvents` behind is dropped with 410 Expired, as a slow HTTP watcher is.
 * Custom resources are shown at the requested version (apiVersion rewritten, read defaults) in
 * reads, watches and write answers, as the HTTP routes show them; fields a write drops (unknown
 * to the schema) are strict decoding problems under `fieldValidation` as over HTTP: warnings
 * (Warn, the default, handed to `onWarning` with the version's deprecation warning), a 400 / 422
 * (Strict), or silence (Ignore). The strategy's write warnings go to `onWarning` as well.
 * Owns: Client ⇄ Registry. Must not: import fastify or http/.
 */
import { badRequest, invalid, methodNotSupported, pathNotFound, resourceExpired, unsupportedMediaType } from '../api/errors.js';
import { field } from '../api/field-errors.js';
import { parseListOptions, parseResourceVersion, type QueryValues } from '../api/list-options.js';
import { apiVersionOf, type ResourceInfo } from '../api/resource.js';
import type { KubeObject, Status, StoredObject } from '../api/types.js';
import { decodeObject } from '../codec/decode.js';
import { schemaNodeFor } from '../openapi/patch-meta.js';
import { applyPatch } from '../patch/index.js';
import { bindPod } from '../registry/builtin/pod-binding.js';
import { clone, decodeStored } from '../registry/codec.js';
import type { GenericStore, WriteResult } from '../registry/generic-store.js';
import type { Registry } from '../registry/registry.js';
import type { ResourceHooks } from '../registry/resource-hooks.js';
import { cannotBeHandled, decodeTypeErrors, pruneUnknownFields, strictDecodingMessage, unknownFieldMessage } from '../registry/validation/schema.js';
import { objectOf, type CacheEntry, type Selectable } from '../watch/entry.js';
import type { CacheEvent, EventType } from '../watch/resource-cache.js';
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
  WatchEvent,
  WatchOptions,
  UpdateOptions,
  WriteOptions,
} from './types.js';
import { WatchStream } from './watch-stream.js';

/** Options of a LocalClient. */
export interface LocalClientOptions {
  /** Field manager of writes (default `kubemu`). */
  fieldManager?: string;
  /** Unpulled events after which a watch is dropped with 410 (default 100,000). */
  maxWatchEvents?: number;
  /** Interval of BOOKMARK events for watches that allow them (default 60 s, as the server's). */
  bookmarkIntervalMs?: number;
  /** What a write does with fields the schema does not know (default `Warn`, as the HTTP default). */
  fieldValidation?: 'Ignore' | 'Warn' | 'Strict';
  /** Receives the warnings the HTTP path sends as `Warning` headers (unknown fields, deprecation). */
  onWarning?: (warning: string) => void;
}

const PATCH_TYPES = ['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml'];

/** The in-process Client. */
export class LocalClient implements Client {
  readonly fieldManager: string;
  readonly #registry: Registry;
  readonly #options: LocalClientOptions;

  constructor(registry: Registry, options: LocalClientOptions = {}) {
    this.#registry = registry;
    this.#options = options;
    this.fieldManager = options.fieldManager ?? 'kubemu';
  }

  withFieldManager(fieldManager: string): LocalClient {
    return new LocalClient(this.#registry, { ...this.#options, fieldManager });
  }

  async get(resource: Resource, name: string, options: Scoped = {}): Promise<StoredObject> {
    const { store, namespace } = this.#target(resource, options.namespace, name);
    this.#deprecation(store);
    return shown(store.hooks, await store.get(namespace, name));
  }

  async list(resource: Resource, options: ListOptions = {}): Promise<ObjectList> {
    const { store, namespace } = this.#target(resource, options.namespace);
    const { filter, exactLabels } = selection(store.info, namespace, options, {});
    const answer = store.list(namespace, { filter, exactLabels });
    this.#deprecation(store);
    const view = store.hooks?.view;
    const items = answer.entries.map((e) => objectOf(view ? view(e) : e));
    return { items, resourceVersion: String(answer.revision) };
  }

  watch(resource: Resource, options: WatchOptions = {}): Watch {
    let stop = () => {};
    const stream = new WatchStream({ onStop: () => stop() });
    try {
      stop = this.#startWatch(stream, resource, options);
    } catch (err) {
      stream.fail(err);
    }
    return stream;
  }

  async create(resource: Resource, object: KubeObject, options: CreateOptions = {}): Promise<StoredObject> {
    if (options.subresource) return this.#createSubresource(resource, object, options);
    const { store, namespace } = this.#target(resource, options.namespace ?? object.metadata?.namespace);
    if (store.info.namespaced && namespace === undefined) throw methodNotSupported({ group: store.info.group, name: store.info.plural }, 'create');
    const body = this.#decoded(store, object);
    const created = await store.create(namespace, body, this.#write(options));
    this.#warn(store.strategy.warningsOnWrite?.(created.object) ?? []);
    return this.#stored(store, created);
  }

  async update(resource: Resource, object: KubeObject, options: UpdateOptions = {}): Promise<StoredObject> {
    const { store, namespace, name } = this.#named(resource, object, options);
    const body = this.#decoded(store, object);
    if (options.subresource) {
      this.#subresource(store, options.subresource);
      return this.#stored(store, await store.update(namespace, name, () => body, { ...this.#write(options), subresource: options.subresource }));
    }
    const written = await store.update(namespace, name, () => body, { ...this.#write(options), createBody: body });
    this.#warn(store.strategy.warningsOnWrite?.(written.object) ?? []);
    return this.#stored(store, written);
  }

  async updateStatus(resource: Resource, object: KubeObject, options: WriteOptions = {}): Promise<StoredObject> {
    const { store, namespace, name } = this.#named(resource, object, options);
    this.#subresource(store, 'status');
    const body = this.#decoded(store, object);
    return this.#stored(store, await store.update(namespace, name, () => body, { ...this.#write(options), subresource: 'status' }));
  }

  async patch(resource: Resource, name: string, patch: Patch, options: PatchOptions = {}): Promise<StoredObject> {
    const { store, namespace } = this.#target(resource, options.namespace, name);
    const { info } = store;
    const subresource = options.subresource;
    if (subresource) this.#subresource(store, subresource);
    const write = this.#write(options);
    if (patch.type === 'apply') {
      const result = await store.apply(namespace, name, clone(patch.patch), { ...write, force: patch.force === true, subresource });
      return this.#stored(store, result);
    }
    const schema = patch.type === 'strategic' ? schemaNodeFor(info.group, info.version, info.kind) : undefined;
    if (patch.type === 'strategic' && !schema) throw unsupportedMediaType('application/strategic-merge-patch+json', PATCH_TYPES);
    let problems: string[] = [];
    const compute = (current: StoredObject): KubeObject => {
      let patched = applyPatch(patch.type, current, patch.patch, schema) as KubeObject;
      if (patch.type === 'strategic') patched = dropNulls(patched) as KubeObject;
      problems = this.#checkPatched(store, patched);
      return patched;
    };
    const result = await store.update(namespace, name, compute, { ...write, subresource });
    this.#warn(problems);
    return this.#stored(store, result);
  }

  async delete(resource: Resource, name: string, options: DeleteOptions = {}): Promise<StoredObject | Status> {
    const { store, namespace } = this.#target(resource, options.namespace, name);
    const { namespace: _ns, ...deleteOptions } = options;
    return (await store.delete(namespace, name, deleteOptions)) as StoredObject | Status;
  }

  /** POST to a create-only subresource (`pods/binding`), as the HTTP route answers it. */
  async #createSubresource(resource: Resource, object: KubeObject, options: CreateOptions): Promise<StoredObject> {
    const name = object.metadata?.name ?? '';
    const { store, namespace } = this.#target(resource, options.namespace ?? object.metadata?.namespace, name);
    this.#subresource(store, options.subresource!);
    if (store.info.group !== '' || store.info.plural !== 'pods' || options.subresource !== 'binding') throw pathNotFound();
    const body = clone(object);
    // Only a mismatching kind needs the decoder, for its wording.
    if ((body.apiVersion && body.apiVersion !== 'v1') || (body.kind && body.kind !== 'Binding'))
      decodeObject(Buffer.from(JSON.stringify(body)), 'application/json', { group: '', version: 'v1', kind: 'Binding' });
    // The success Status stands where other creates return the object.
    return (await bindPod(store, namespace, name, body, { dryRun: options.dryRun === true })) as unknown as StoredObject;
  }

  /** Registers the watcher; returns how to unregister it. Throws what the HTTP route answers (400, 422, 410). */
  #startWatch(stream: WatchStream, resource: Resource, options: WatchOptions): () => void {
    const { store, namespace } = this.#target(resource, options.namespace);
    const query: QueryValues = { watch: 'true' };
    if (options.resourceVersion) query.resourceVersion = options.resourceVersion;
    const { filter } = selection(store.info, namespace, options, query);
    const rv = options.resourceVersion;
    const fromRevision = rv === undefined || rv === '' || rv === '0' ? undefined : parseResourceVersion(rv, 'watch');
    const cache = store.cache;
    const max = this.#options.maxWatchEvents ?? 100_000;
    const bookmark = (): WatchEvent => ({ type: 'BOOKMARK', resourceVersion: String(this.#registry.watchCache.revision) });
    let timeout: NodeJS.Timeout | undefined;
    let ticker: NodeJS.Timeout | undefined;
    let unsubscribe = () => {};
    const stop = () => {
      unsubscribe();
      clearTimeout(timeout);
      clearTimeout(ticker);
    };
    unsubscribe = cache.watch(
      {
        filter,
        sink: {
          send: (type, entry, event) => {
            if (stream.closed) return true;
            if (stream.buffered >= max) return false;
            stream.push(() => ({ type, object: shownObject(type, entry, event, store.hooks) }));
            return true;
          },
        },
        onExpired: (message) => {
          stop();
          stream.fail(resourceExpired(message));
        },
      },
      fromRevision,
    );
    if (stream.closed) return stop;
    if (options.allowBookmarks && fromRevision === undefined) stream.push(bookmark());
    if (options.timeoutSeconds !== undefined) {
      const end = () => {
        stop();
        if (options.allowBookmarks) stream.push(bookmark());
        stream.end();
      };
      timeout = setTimeout(end, Math.max(0, options.timeoutSeconds) * 1000).unref();
    }
    if (options.allowBookmarks) {
      const interval = this.#options.bookmarkIntervalMs ?? 60_000;
      const tick = () => {
        stream.push(bookmark());
        ticker = setTimeout(tick, interval).unref();
      };
      ticker = setTimeout(tick, interval).unref();
    }
    return stop;
  }

  /** The store and namespace of a call, with the HTTP routes' scope rules (404 where no path exists). */
  #target(resource: Resource, namespace: string | undefined, name?: string): { store: GenericStore; namespace: string | undefined } {
    const store = this.#registry.store(resource.group, resource.version, resource.resource);
    if (!store) throw pathNotFound();
    namespace ||= undefined;
    const { namespaced } = store.info;
    if (!namespaced && namespace !== undefined) throw pathNotFound();
    if (namespaced && name !== undefined && namespace === undefined) throw pathNotFound();
    return { store, namespace: namespaced ? namespace : undefined };
  }

  #named(resource: Resource, object: KubeObject, options: WriteOptions) {
    const name = object.metadata?.name;
    if (!name) throw new TypeError('update: the object needs metadata.name');
    return { ...this.#target(resource, options.namespace ?? object.metadata?.namespace, name), name };
  }

  #subresource(store: GenericStore, name: string): void {
    if (!store.info.subresources.some((s) => s.name === name)) throw pathNotFound();
  }

  #write(options: WriteOptions): { manager: string; dryRun: boolean } {
    return { manager: options.fieldManager ?? this.fieldManager, dryRun: options.dryRun === true };
  }

  /** The answer of a write, at the version written to; the version's deprecation warning. */
  #stored(store: GenericStore, result: WriteResult): StoredObject {
    this.#deprecation(store);
    return shown(store.hooks, stored(result));
  }

  #deprecation(store: GenericStore): void {
    if (store.hooks?.warnings.length) this.#warn(store.hooks.warnings);
  }

  #warn(warnings: readonly string[]): void {
    const sink = this.#options.onWarning;
    if (sink) for (const w of warnings) sink(w);
  }

  /** Unknown fields of a decoded body as the HTTP path treats them: returns the warnings (Warn), throws under Strict. */
  #unknownFields(pruned: readonly string[], strict: () => never): string[] {
    const mode = this.#options.fieldValidation ?? 'Warn';
    if (mode === 'Ignore' || pruned.length === 0) return [];
    if (mode === 'Strict') strict();
    return pruned.map(unknownFieldMessage);
  }

  /** The checks of a patched object, as the PATCH route: Go type errors and Strict unknown fields are a 422 `patch: Invalid value`. */
  #checkPatched(store: GenericStore, obj: KubeObject): string[] {
    const { group, version, kind } = store.info;
    const typeError = decodeTypeErrors(group, version, kind, obj);
    const refuse = (detail: string): never => {
      throw invalid({ group: '', name: '' }, '', [field.invalid('patch', JSON.stringify(obj), detail)]);
    };
    if (typeError) refuse(typeError);
    const pruned = store.hooks ? store.hooks.prune(obj) : pruneUnknownFields(group, version, kind, obj);
    return this.#unknownFields(pruned, () => refuse(strictDecodingMessage(pruned.map(unknownFieldMessage))));
  }

  /** A copy of `object` checked as a JSON body of the resource is (kind, Go types) with unknown fields pruned. */
  #decoded(store: GenericStore, object: KubeObject): KubeObject {
    const { info } = store;
    const body = clone(object);
    const expectedVersion = apiVersionOf(info);
    if ((body.apiVersion && body.apiVersion !== expectedVersion) || (body.kind && body.kind !== info.kind)) {
      // Only mismatches need the decoder, for its exact wording.
      const isKnownKind = (apiVersion: string, kind: string) =>
        this.#registry.resources.some((r) => apiVersionOf(r) === apiVersion && r.kind === kind);
      decodeObject(Buffer.from(JSON.stringify(body)), 'application/json', { group: info.group, version: info.version, kind: info.kind, isKnownKind });
    }
    body.apiVersion = expectedVersion;
    body.kind = info.kind;
    const typeError = decodeTypeErrors(info.group, info.version, info.kind, body);
    if (typeError) throw badRequest(cannotBeHandled(info.kind, info.version, typeError));
    const pruned = store.hooks ? store.hooks.prune(body) : pruneUnknownFields(info.group, info.version, info.kind, body);
    const strict = (): never => {
      throw badRequest(cannotBeHandled(info.kind, info.version, strictDecodingMessage(pruned.map(unknownFieldMessage))));
    };
    this.#warn(this.#unknownFields(pruned, strict));
    return body;
  }
}

/** The predicate (namespace and selectors) of a list or watch, parsed as the HTTP route parses them. */
function selection(info: ResourceInfo, namespace: string | undefined, options: ListOptions, query: QueryValues) {
  if (options.labelSelector) query.labelSelector = options.labelSelector;
  if (options.fieldSelector) query.fieldSelector = options.fieldSelector;
  const parsed = parseListOptions(query, info.group ? `${info.group}/${info.plural}` : info.plural);
  const { labelSelector: labels, fieldSelector: fields } = parsed;
  const matches = (s: Selectable) => labels.matches(s.labels) && (fields.empty || fields.matches(s.fields));
  const filter = namespace === undefined ? matches : (s: Selectable) => s.namespace === namespace && matches(s);
  return { filter, exactLabels: labels.exactMatches() };
}

/**
 * The object a watcher is shown: for a DELETED that an update produced (the object left the
 * selection), the previous state stamped with the update's resourceVersion, as the HTTP watch.
 */
function shownObject(type: EventType, entry: CacheEntry, event: CacheEvent | undefined, hooks: ResourceHooks | undefined): StoredObject {
  const view = (e: CacheEntry): CacheEntry => (hooks?.view ? hooks.view(e) : e);
  if (type !== 'DELETED' || !event || event.type === 'DELETED' || !event.prev) return objectOf(view(entry));
  const obj = objectOf(view(event.prev));
  obj.metadata.resourceVersion = String(event.revision);
  return obj;
}

/** The stored object of a write (parsed from the stored bytes, which carry the resourceVersion). */
function stored(result: WriteResult): StoredObject {
  return result.bytes ? decodeStored(result.bytes) : (clone(result.object) as StoredObject);
}

/** An object as the resource version shows it (custom resources: apiVersion, read defaults). */
function shown(hooks: ResourceHooks | undefined, obj: StoredObject): StoredObject {
  return hooks?.viewObject ? (hooks.viewObject(obj) as StoredObject) : obj;
}

/** Removes `null` values a strategic merge leaves (upstream drops them converting to the typed object). */
function dropNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropNulls);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== null) out[k] = dropNulls(v);
  return out;
}
