/**
 * Derives the built-in resource table from the paths of a (cleaned) Kubernetes OpenAPI
 * document: for each group-version its resources with kind, list kind, scope, verbs, schema
 * name and subresources, the way kube-apiserver's discovery describes them.
 *
 * Verbs come from each operation's `x-kubernetes-action`: get, list, post → create,
 * put → update, patch, delete, deletecollection, watch/watchlist → watch (the deprecated
 * `/watch/` paths only contribute the verb, never a resource of their own). `connect`
 * operations (exec, attach, portforward, proxy) map their HTTP method: GET → get,
 * POST → create, PUT → update, PATCH → patch, DELETE → delete; HEAD and OPTIONS add nothing.
 * Shared by the schema generator (scripts/gen-schemas.ts) and the loader of `--openapi` files
 * (./swagger-file.ts), so both derive the table the same way.
 * Owns: that derivation. Must not: do I/O, decide what kubemu serves or how groups are ordered.
 */
import type { Verb } from '../api/resource.js';
import { isObject, objectAt, SCHEMA_REF_PREFIX, type Json, type JsonObject } from './json.js';
import { parseApiPath, type PathTarget } from './paths.js';
import type { TableResource, TableSubresource } from './table.js';

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch'] as const;

const ACTION_VERBS: Readonly<Record<string, Verb>> = {
  get: 'get',
  list: 'list',
  post: 'create',
  put: 'update',
  patch: 'patch',
  delete: 'delete',
  deletecollection: 'deletecollection',
  watch: 'watch',
  watchlist: 'watch',
};

const CONNECT_VERBS: Readonly<Record<string, Verb>> = { get: 'get', post: 'create', put: 'update', patch: 'patch', delete: 'delete' };

interface Gvk {
  group: string;
  version: string;
  kind: string;
}

/** What the operations of one (resource, subresource) say, gathered over all its paths. */
interface Accumulator {
  verbs: Set<Verb>;
  gvk?: Gvk;
  listKind?: string;
  namespaced: boolean;
}

function gvkOf(value: Json | undefined): Gvk | undefined {
  if (!isObject(value)) return undefined;
  const { group, version, kind } = value;
  if (typeof group !== 'string' || typeof version !== 'string' || typeof kind !== 'string') return undefined;
  return { group, version, kind };
}

/** Maps `group/version/kind` to the schema that declares it in `x-kubernetes-group-version-kind`. */
function schemaIndex(schemas: JsonObject): Map<string, string> {
  const index = new Map<string, string>();
  for (const [name, schema] of Object.entries(schemas)) {
    const gvks = isObject(schema) ? schema['x-kubernetes-group-version-kind'] : undefined;
    if (!Array.isArray(gvks) || gvks.length !== 1) continue; // meta kinds (Status, DeleteOptions) claim many
    const gvk = gvkOf(gvks[0]);
    if (gvk) index.set(`${gvk.group}/${gvk.version}/${gvk.kind}`, name);
  }
  return index;
}

/** The kind of the schema an operation's 200 response refers to. */
function responseKind(op: JsonObject, schemas: JsonObject): string | undefined {
  const content = objectAt(objectAt(op['responses'], '200'), 'content');
  const schema = objectAt(objectAt(content, 'application/json'), 'schema');
  const ref = schema?.['$ref'];
  if (typeof ref !== 'string' || !ref.startsWith(SCHEMA_REF_PREFIX)) return undefined;
  const gvks = objectAt(schemas, ref.slice(SCHEMA_REF_PREFIX.length))?.['x-kubernetes-group-version-kind'];
  return Array.isArray(gvks) ? gvkOf(gvks[0])?.kind : undefined;
}

function accumulate(acc: Accumulator, target: PathTarget, method: string, op: JsonObject, schemas: JsonObject): void {
  const action = op['x-kubernetes-action'];
  if (typeof action !== 'string') return;
  const verb = action === 'connect' ? CONNECT_VERBS[method] : ACTION_VERBS[action];
  if (verb) acc.verbs.add(verb);
  if (target.namespaced) acc.namespaced = true;
  if (!acc.gvk && !target.watch) acc.gvk = gvkOf(op['x-kubernetes-group-version-kind']);
  if (action === 'list' && !target.subresource) acc.listKind ??= responseKind(op, schemas);
}

/**
 * The resource table of `doc`: apiVersion (`v1`, `apps/v1`) → resources sorted by name, each
 * with its subresources sorted by name.
 */
export function deriveResources(doc: JsonObject): Map<string, TableResource[]> {
  const paths = doc['paths'];
  const schemas = objectAt(doc['components'], 'schemas');
  if (!isObject(paths) || !schemas) throw new TypeError('document without paths or schemas');
  const index = schemaIndex(schemas);

  // apiVersion → plural → subresource ('' for the resource itself) → accumulator
  const found = new Map<string, Map<string, Map<string, Accumulator>>>();
  for (const [path, item] of Object.entries(paths)) {
    const parsed = parseApiPath(path);
    if (!parsed?.target || !isObject(item)) continue;
    const { target } = parsed;
    const apiVersion = parsed.group ? `${parsed.group}/${parsed.version}` : parsed.version;
    const byPlural = found.get(apiVersion) ?? found.set(apiVersion, new Map()).get(apiVersion)!;
    const bySub = byPlural.get(target.plural) ?? byPlural.set(target.plural, new Map()).get(target.plural)!;
    const key = target.subresource ?? '';
    const acc = bySub.get(key) ?? bySub.set(key, { verbs: new Set(), namespaced: false }).get(key)!;
    for (const method of HTTP_METHODS) {
      const op = item[method];
      if (isObject(op)) accumulate(acc, target, method, op, schemas);
    }
  }

  const table = new Map<string, TableResource[]>();
  for (const [apiVersion, byPlural] of found) {
    const resources: TableResource[] = [];
    for (const [plural, bySub] of byPlural) {
      const main = bySub.get('');
      if (!main?.gvk) continue; // only subresource paths, or only deprecated watch paths
      const resource: TableResource = {
        name: plural,
        kind: main.gvk.kind,
        namespaced: main.namespaced,
        verbs: [...main.verbs].sort(),
        subresources: [],
      };
      if (main.listKind) resource.listKind = main.listKind;
      const schemaName = index.get(`${main.gvk.group}/${main.gvk.version}/${main.gvk.kind}`);
      if (schemaName) resource.schemaName = schemaName;
      for (const [name, sub] of bySub) {
        if (name === '' || !sub.gvk) continue;
        const subresource: TableSubresource = { name, ...sub.gvk, verbs: [...sub.verbs].sort() };
        resource.subresources.push(subresource);
      }
      resource.subresources.sort((a, b) => (a.name < b.name ? -1 : 1));
      resources.push(resource);
    }
    resources.sort((a, b) => (a.name < b.name ? -1 : 1));
    table.set(apiVersion, resources);
  }
  return table;
}
