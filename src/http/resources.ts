/**
 * Resource routes: every `/api/...` and `/apis/...` request that names a resource, collection
 * or subresource is mapped to a verb and handed to the resource's GenericStore. Bodies arrive
 * as raw bytes and are decoded here (JSON, YAML, patches), so every failure is a Status.
 * Owns: HTTP ⇄ registry for resources. Must not: hold resource-specific rules.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { methodNotSupported, pathNotFound, unsupportedMediaType } from '../api/errors.js';
import { apiVersionOf, type ResourceInfo } from '../api/resource.js';
import type { KubeObject, Status, StoredObject } from '../api/types.js';
import { decodeObject, mediaTypeOf, parseBody } from '../codec/decode.js';
import { schemaNodeFor } from '../openapi/patch-meta.js';
import { isApplyPatch, readApplyBody, readPatch } from './patch-body.js';
import type { GenericStore } from '../registry/generic-store.js';
import type { Registry } from '../registry/registry.js';
import { fromScale, toScale } from '../registry/scale.js';
import { deleteOptions, writeQuery, type Query, type WriteQuery } from './options.js';
import { addWarnings, checkBody, checkPatched } from './field-validation.js';
import { PROTOBUF_MEDIA_TYPE } from '../codec/protobuf/index.js';
import type { ResourcePath } from './request-info.js';
import { listBytes, sendObject, sendStatus } from './respond.js';
import { parseListOptions } from '../api/list-options.js';
import { listSelection } from './list-filter.js';
import { getObject, listObjects, type ReadSettings } from './reads.js';
import { checkCustomBody, checkCustomPatched, viewedResult } from './custom-bodies.js';


/** One resource request, resolved to its store. */
interface Target {
  store: GenericStore;
  info: ResourceInfo;
  namespace?: string;
  name?: string;
  subresource?: string;
}

/**
 * A subresource that only creates, with a body of its own kind (`serviceaccounts/token`,
 * `pods/binding`): it gets the URL's namespace and name and the decoded body, and returns the
 * object (or success Status) to answer 201 with. Keyed by `<plural>[.<group>]/<subresource>` in
 * {@link SubresourceCreates}.
 */
export type SubresourceCreate = (input: { namespace: string | undefined; name: string; body: KubeObject; dryRun: boolean }) =>
  KubeObject | Status | Promise<KubeObject | Status>;

/** Create-only subresources by `<plural>[.<group>]/<subresource>`, e.g. `serviceaccounts/token`. */
export type SubresourceCreates = ReadonlyMap<string, SubresourceCreate>;

/** Handles a resource request; answers 404 for names that are not served. */
export async function handleResource(
  registry: Registry,
  settings: ReadSettings,
  path: ResourcePath,
  request: FastifyRequest,
  reply: FastifyReply,
  creates?: SubresourceCreates,
): Promise<FastifyReply | void> {
  const target = resolve(registry, path);
  const query = request.query as Query;
  const method = request.method;
  const { info, store, namespace, name, subresource } = target;

  if (store.hooks?.warnings.length) addWarnings(reply, store.hooks.warnings);
  const create = subresource && creates?.get(`${info.group ? `${info.plural}.${info.group}` : info.plural}/${subresource}`);
  if (create) return handleSubresourceCreate(target, create, request, reply, query);
  if (subresource) return handleSubresource(target, request, reply, query);
  if (!name) {
    if (method === 'GET') return listObjects(store, settings, namespace, request, reply);
    if (method === 'POST') {
      if (info.namespaced && namespace === undefined) throw methodNotSupported({ group: info.group, name: info.plural }, 'create');
      const opts = writeQuery(query, 'CreateOptions', { userAgent: request.headers['user-agent'] });
      const body = decodeChecked(registry, store, request, reply, opts);
      const created = await store.create(namespace, body, { ...opts, user: request.user });
      addWarnings(reply, store.strategy.warningsOnWrite?.(created.object) ?? []);
      const result = viewedResult(store.hooks, created);
      return sendObject(request, reply, 201, result.object, result.bytes);
    }
    if (method === 'DELETE') {
      if (info.namespaced && namespace === undefined) throw methodNotSupported({ group: info.group, name: info.plural }, 'deletecollection');
      const opts = deleteOptions(query, parseOptionalJson(request));
      const labels = store.hooks ? { fieldLabels: store.hooks.fieldLabels } : {};
      const { filter } = listSelection(parseListOptions(query, info.group ? `${info.group}/${info.plural}` : info.plural, labels));
      const deleted = await store.deleteCollection(namespace, filter, { ...opts, user: request.user });
      const items = deleted.map((o) => Buffer.from(JSON.stringify(o)));
      return sendObject(request, reply, 200, undefined, listBytes(info.listKind, apiVersionOf(info), {}, items));
    }
    throw methodNotSupported({ group: info.group, name: info.plural }, verbName(method));
  }

  switch (method) {
    case 'GET':
      return getObject(store, settings, namespace, name, request, reply);
    case 'PUT': {
      const opts = writeQuery(query, 'UpdateOptions', { userAgent: request.headers['user-agent'] });
      const body = decodeChecked(registry, store, request, reply, opts);
      const written = await store.update(namespace, name, () => body, { ...opts, createBody: body, user: request.user });
      addWarnings(reply, store.strategy.warningsOnWrite?.(written.object) ?? []);
      const result = viewedResult(store.hooks, written);
      return sendObject(request, reply, written.created ? 201 : 200, result.object, result.bytes);
    }
    case 'PATCH': {
      const apply = isApplyPatch(request);
      const opts = writeQuery(query, 'PatchOptions', { userAgent: request.headers['user-agent'], apply });
      if (apply) {
        const applied = await store.apply(namespace, name, readApplyBody(bodyOf(request)), { ...opts, user: request.user });
        const result = viewedResult(store.hooks, applied);
        return sendObject(request, reply, applied.created ? 201 : 200, result.object, result.bytes);
      }
      const patch = checkedPatch(store, request, reply, opts, () => schemaNodeFor(info.group, info.version, info.kind));
      const result = viewedResult(store.hooks, await store.update(namespace, name, (current) => patch(current), { ...opts, user: request.user }));
      return sendObject(request, reply, 200, result.object, result.bytes);
    }
    case 'DELETE': {
      const opts = deleteOptions(query, parseOptionalJson(request));
      const result = await store.delete(namespace, name, { ...opts, user: request.user });
      if (result.kind === 'Status') return sendStatus(reply, result as never);
      return sendObject(request, reply, 200, result);
    }
    default:
      throw methodNotSupported({ group: info.group, name: info.plural }, verbName(method));
  }
}

/** status and scale: GET, PUT and PATCH of a view of the object. */
async function handleSubresource(target: Target, request: FastifyRequest, reply: FastifyReply, query: Query): Promise<FastifyReply> {
  const { store, namespace, name, subresource, info } = target;
  const isScale = subresource === 'scale';
  const scale = store.hooks?.scale ?? { toScale, fromScale };
  const shown = store.hooks?.viewObject;
  const view = (obj: StoredObject): KubeObject => (isScale ? scale.toScale(obj) : shown ? shown(obj) : obj);
  // namespaces/finalize is update-only: PUT a Namespace whose spec.finalizers replace the stored ones.
  if (subresource === 'finalize' && request.method !== 'PUT')
    throw methodNotSupported({ group: info.group, name: `${info.plural}/${subresource}` }, verbName(request.method));
  switch (request.method) {
    case 'GET':
      return sendObject(request, reply, 200, view(store.get(namespace, name!)));
    case 'PUT':
    case 'PATCH': {
      const apply = request.method === 'PATCH' && isApplyPatch(request);
      const kind = request.method === 'PUT' ? 'UpdateOptions' : 'PatchOptions';
      const opts = writeQuery(query, kind, { userAgent: request.headers['user-agent'], apply });
      if (apply) {
        if (isScale) throw unsupportedMediaType('application/apply-patch+yaml', ['application/json-patch+json', 'application/merge-patch+json']);
        const result = await store.apply(namespace, name!, readApplyBody(bodyOf(request)), { ...opts, subresource: 'status', user: request.user });
        return sendObject(request, reply, 200, result.object, result.bytes);
      }
      let compute: (current: StoredObject) => KubeObject;
      if (request.method === 'PUT') {
        const body = isScale
          ? decodeObject(bodyOf(request), request.headers['content-type'], { group: 'autoscaling', version: 'v1', kind: 'Scale' })
          : decodeChecked(undefined, store, request, reply, opts);
        compute = (current) => (isScale ? scale.fromScale(current, body) : body);
      } else {
        if (isScale) {
          const patch = readPatch(request, bodyOf(request), () => schemaNodeFor('autoscaling', 'v1', 'Scale'));
          compute = (current) => scale.fromScale(current, patch(view(current)) as KubeObject);
        } else {
          compute = checkedPatch(store, request, reply, opts, () => schemaNodeFor(info.group, info.version, info.kind));
        }
      }
      const written = isScale ? 'scale' : subresource === 'finalize' ? 'finalize' : 'status';
      const result = await store.update(namespace, name!, compute, { ...opts, subresource: written, user: request.user });
      if (!isScale && !shown) return sendObject(request, reply, 200, result.object, result.bytes);
      // The stored bytes carry the new resourceVersion; the view is built from them.
      const stored = (result.bytes ? JSON.parse(Buffer.from(result.bytes).toString('utf8')) : result.object) as StoredObject;
      return sendObject(request, reply, 200, view(stored));
    }
    default:
      throw methodNotSupported({ group: info.group, name: `${info.plural}/${subresource}` }, verbName(request.method));
  }
}

/** POST to a create-only subresource: decode the body as the subresource's kind, answer 201. */
async function handleSubresourceCreate(
  target: Target,
  create: SubresourceCreate,
  request: FastifyRequest,
  reply: FastifyReply,
  query: Query,
): Promise<FastifyReply> {
  const { info, namespace, name, subresource } = target;
  const sub = info.subresources.find((s) => s.name === subresource)!;
  if (request.method !== 'POST') throw methodNotSupported({ group: info.group, name: `${info.plural}/${subresource}` }, verbName(request.method));
  const opts = writeQuery(query, 'CreateOptions', { userAgent: request.headers['user-agent'] });
  const body = decodeObject(bodyOf(request), request.headers['content-type'], { group: sub.group, version: sub.version, kind: sub.kind });
  const result = await create({ namespace, name: name!, body, dryRun: opts.dryRun });
  return sendObject(request, reply, 201, result);
}

/** Finds the store for a path; 404 with upstream wording when nothing is served there. */
function resolve(registry: Registry, path: ResourcePath): Target {
  const store = registry.store(path.group, path.version, path.resource);
  if (!store) throw pathNotFound();
  const info = store.info;
  if (!info.namespaced && path.namespace !== undefined && !(path.resource === 'namespaces' && path.namespace === path.name))
    throw pathNotFound();
  if (path.subresource && !info.subresources.some((s) => s.name === path.subresource)) throw pathNotFound();
  if (path.subresource && !path.name) throw pathNotFound();
  if (info.namespaced && path.name !== undefined && path.namespace === undefined) throw pathNotFound();
  const target: Target = { store, info };
  if (info.namespaced && path.namespace !== undefined) target.namespace = path.namespace;
  if (path.name !== undefined) target.name = path.name;
  if (path.subresource !== undefined) target.subresource = path.subresource;
  return target;
}

function expectedKind(registry: Registry, info: ResourceInfo) {
  return {
    group: info.group,
    version: info.version,
    kind: info.kind,
    isKnownKind: (apiVersion: string, kind: string) => registry.resources.some((r) => apiVersionOf(r) === apiVersion && r.kind === kind),
  };
}

/** Decodes a create/update body and runs the decode checks of built-in kinds (warnings go on the reply). */
function decodeChecked(
  registry: Registry | undefined,
  store: GenericStore,
  request: FastifyRequest,
  reply: FastifyReply,
  opts: WriteQuery,
): KubeObject {
  const { info, hooks } = store;
  const contentType = request.headers['content-type'];
  const expected = registry ? expectedKind(registry, info) : { group: info.group, version: info.version, kind: info.kind };
  const body = decodeObject(bodyOf(request), contentType, expected);
  const mediaType = mediaTypeOf(contentType);
  // Upstream does not check protobuf bodies strictly: unknown fields there are dropped silently.
  const text = mediaType === 'application/json' || mediaType === '' ? bodyOf(request).toString('utf8') : undefined;
  const checks = mediaType === PROTOBUF_MEDIA_TYPE ? { ...opts, fieldValidation: 'Ignore' as const } : opts;
  addWarnings(reply, hooks ? checkCustomBody(info, hooks, body, text, checks) : checkBody(info, body, text, checks));
  return body;
}

/** A PATCH (not apply) whose patched object passes the decode checks (warnings go on the reply). */
function checkedPatch(
  store: GenericStore,
  request: FastifyRequest,
  reply: FastifyReply,
  opts: WriteQuery,
  schema: Parameters<typeof readPatch>[2],
): (current: StoredObject) => KubeObject {
  const body = bodyOf(request);
  const patch = readPatch(request, body, schema);
  const jsonPatch = mediaTypeOf(request.headers['content-type']) === 'application/json-patch+json';
  return (current) => {
    const patched = patch(current) as KubeObject;
    const text = body.toString('utf8');
    addWarnings(reply, store.hooks ? checkCustomPatched(store.hooks, patched, text, opts) : checkPatched(store.info, patched, text, opts, jsonPatch));
    return patched;
  };
}

/** The raw request body (empty when none was sent). */
function bodyOf(request: FastifyRequest): Buffer {
  return Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
}

function parseOptionalJson(request: FastifyRequest): unknown {
  const body = bodyOf(request);
  if (body.length === 0) return undefined;
  return parseBody(body, mediaTypeOf(request.headers['content-type']) || 'application/json', 'DeleteOptions');
}

function verbName(method: string): string {
  return { GET: 'get', POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete' }[method] ?? method.toLowerCase();
}
