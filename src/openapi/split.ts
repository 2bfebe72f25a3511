/**
 * Splits one cleaned Kubernetes OpenAPI 3.0 document (every group-version in one, as the
 * generator's npm source or a converted `--openapi` swagger.json) into what kubemu loads:
 * - one document per group-version path, shaped like kube-apiserver's `/openapi/v3/<gv>`:
 *   that group-version's paths (discovery endpoint, resources, subresources, deprecated watch
 *   paths) and the `components.schemas` they reach transitively, both sorted by name;
 * - the resource table of those paths (./resources.ts), groups in kube-apiserver's order with
 *   their versions by preference (./priorities.ts).
 * One implementation for the generator (scripts/gen-schemas.ts) and run-time loading
 * (./swagger-file.ts).
 * Owns: the split and the ordering of the table. Must not: do I/O or decide what is served.
 */
import { collectSchemaRefs, isObject, objectAt, reachableSchemas, type JsonObject } from './json.js';
import { parseApiPath } from './paths.js';
import { compareGroups, compareVersions } from './priorities.js';
import { deriveResources } from './resources.js';
import type { ResourceTable, TableGroup } from './table.js';

/** The per-group-version documents of one source, and its resource table. */
export interface SplitDocument {
  /** gvPath (`api/v1`, `apis/apps/v1`) → its OpenAPI 3.0 document. */
  documents: Map<string, JsonObject>;
  /** Groups in kube-apiserver's order, versions by preference. */
  groups: TableGroup[];
  /** apiVersion → resources, in the order of `groups`. */
  resources: ResourceTable['resources'];
}

/** An object with the entries sorted by key (kube-apiserver writes paths and schemas sorted). */
export function sortedObject(entries: Iterable<[string, JsonObject]>): JsonObject {
  return Object.fromEntries([...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Splits `doc` into one document per group-version path; throws TypeError on a dangling reference. */
export function splitByGroupVersion(doc: JsonObject): Map<string, JsonObject> {
  const paths = doc['paths'];
  const components = objectAt(doc, 'components');
  const schemas = objectAt(components, 'schemas');
  if (!isObject(paths) || !components || !schemas) throw new TypeError('document without paths or schemas');
  const byGv = new Map<string, [string, JsonObject][]>();
  for (const [path, item] of Object.entries(paths)) {
    const parsed = parseApiPath(path);
    if (!parsed || !isObject(item)) continue; // /api/, /apis/, /apis/<group>/, /version/, /logs/, ...
    const list = byGv.get(parsed.gvPath) ?? byGv.set(parsed.gvPath, []).get(parsed.gvPath)!;
    list.push([path, item]);
  }
  const docs = new Map<string, JsonObject>();
  for (const [gvPath, items] of byGv) {
    const roots = new Set<string>();
    for (const [, item] of items) collectSchemaRefs(item, roots);
    const { names, missing } = reachableSchemas(roots, schemas);
    if (missing.size > 0) throw new TypeError(`${gvPath}: unresolved schemas ${[...missing].join(', ')}`);
    const gvComponents: JsonObject = { schemas: sortedObject([...names].map((n) => [n, schemas[n] as JsonObject])) };
    if (isObject(components['securitySchemes'])) gvComponents['securitySchemes'] = components['securitySchemes'];
    docs.set(gvPath, { openapi: '3.0.0', info: doc['info'] ?? {}, paths: sortedObject(items), components: gvComponents });
  }
  return docs;
}

/** Groups in kube-apiserver's order, each with its versions by preference, from apiVersions (`v1`, `apps/v1`). */
export function orderGroups(apiVersions: Iterable<string>): TableGroup[] {
  const versions = new Map<string, string[]>();
  for (const apiVersion of apiVersions) {
    const slash = apiVersion.lastIndexOf('/');
    const group = slash < 0 ? '' : apiVersion.slice(0, slash);
    const version = apiVersion.slice(slash + 1);
    (versions.get(group) ?? versions.set(group, []).get(group)!).push(version);
  }
  return [...versions.keys()].sort(compareGroups).map((name) => {
    const sorted = (versions.get(name) ?? []).sort(compareVersions);
    return { name, versions: sorted, preferredVersion: sorted[0] as string };
  });
}

/** `resources` keyed in the order of `groups` (the order resources.json keeps). */
export function orderResources(groups: readonly TableGroup[], resources: ReadonlyMap<string, ResourceTable['resources'][string]>): ResourceTable['resources'] {
  const ordered: ResourceTable['resources'] = {};
  for (const group of groups) {
    for (const version of group.versions) {
      const apiVersion = group.name ? `${group.name}/${version}` : version;
      ordered[apiVersion] = resources.get(apiVersion) ?? [];
    }
  }
  return ordered;
}

/** The documents and resource table of a cleaned document (see the module header). */
export function splitDocument(doc: JsonObject): SplitDocument {
  const derived = deriveResources(doc);
  const documents = splitByGroupVersion(doc);
  const groups = orderGroups(derived.keys());
  return { documents, groups, resources: orderResources(groups, derived) };
}
