/**
 * Loads the Swagger 2.0 document of a chosen Kubernetes release (`--openapi swagger.json`, what
 * a kube-apiserver serves at `/openapi/v2`) as a schema source: converted to OpenAPI 3.0
 * (./v3-convert.ts) and split per group-version with its resource table (./split.ts), the same
 * code and shapes the generator uses for the bundled `schemas/`.
 *
 * Scope, verbs and subresources come from the file's paths. A served kind (./served.ts) the
 * file lacks (an older release without autoscaling/v2, say) keeps its bundled entry: its table
 * entry, its paths and the schemas they reach are taken from the bundled source (schemas the
 * file has win), with a warning. The generator's overlay is not applied: the file is the
 * release the user targets.
 * Owns: that loading and the fallback. Must not: choose the active source (./source.ts does).
 */
import { readFileSync } from 'node:fs';
import { collectSchemaRefs, isObject, objectAt, reachableSchemas, type JsonObject } from './json.js';
import { gvPathOf, parseApiPath } from './paths.js';
import { SERVED_RESOURCES } from './served.js';
import type { SchemaSource } from './source.js';
import { orderGroups, orderResources, sortedObject, splitDocument } from './split.js';
import type { ResourceTable, TableResource } from './table.js';
import { swaggerToOpenAPIV3 } from './v3-convert.js';

/** What loading needs besides the file. */
export interface SwaggerFileOptions {
  /** The bundled source, for served kinds the file lacks. */
  bundled: SchemaSource;
  /** Receives one message per group-version with missing served kinds. */
  warn(message: string): void;
}

/** A source held in memory. */
class LoadedSource implements SchemaSource {
  readonly label: string;
  readonly #table: ResourceTable;
  readonly #documents: ReadonlyMap<string, JsonObject>;

  constructor(label: string, table: ResourceTable, documents: ReadonlyMap<string, JsonObject>) {
    this.label = label;
    this.#table = table;
    this.#documents = documents;
  }

  table(): ResourceTable {
    return this.#table;
  }

  document(gvPath: string): JsonObject | undefined {
    return this.#documents.get(gvPath);
  }
}

function parseFile(path: string): JsonObject {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new TypeError((err as Error).message);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new TypeError(`invalid JSON: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new TypeError('not a JSON object');
  return parsed as JsonObject;
}

/**
 * Adds to `doc` (created when undefined) the paths of `plural` in `bundledDoc` and the schemas
 * they reach that `doc` lacks; returns the document, paths and schemas sorted by name.
 */
function mergeBundled(doc: JsonObject | undefined, bundledDoc: JsonObject, plural: string): JsonObject {
  const target = doc ?? { openapi: '3.0.0', info: bundledDoc['info'] ?? {}, paths: {}, components: { ...objectAt(bundledDoc, 'components'), schemas: {} } };
  const paths = objectAt(target, 'paths') ?? {};
  const schemas = objectAt(objectAt(target, 'components'), 'schemas') ?? {};
  const roots = new Set<string>();
  for (const [path, item] of Object.entries(objectAt(bundledDoc, 'paths') ?? {})) {
    const parsed = parseApiPath(path);
    const ours = parsed?.target ? parsed.target.plural === plural : doc === undefined; // the discovery path of a new document
    if (!ours || paths[path] !== undefined || !isObject(item)) continue;
    paths[path] = item;
    collectSchemaRefs(item, roots);
  }
  const bundledSchemas = objectAt(objectAt(bundledDoc, 'components'), 'schemas') ?? {};
  const { names } = reachableSchemas(roots, { ...bundledSchemas, ...schemas });
  for (const name of names) if (schemas[name] === undefined) schemas[name] = bundledSchemas[name] as JsonObject;
  target['paths'] = sortedObject(Object.entries(paths) as [string, JsonObject][]);
  (target['components'] as JsonObject)['schemas'] = sortedObject(Object.entries(schemas) as [string, JsonObject][]);
  return target;
}

/** Fills in served kinds the file lacks from the bundled source; returns the warnings. */
function keepBundledKinds(resources: Map<string, TableResource[]>, documents: Map<string, JsonObject>, bundled: SchemaSource, file: string): string[] {
  const warnings: string[] = [];
  const bundledTable = bundled.table();
  for (const [apiVersion, plurals] of Object.entries(SERVED_RESOURCES)) {
    const present = resources.get(apiVersion) ?? [];
    const missing = plurals.filter((plural) => !present.some((r) => r.name === plural && r.listKind !== undefined));
    if (missing.length === 0) continue;
    const slash = apiVersion.lastIndexOf('/');
    const gvPath = gvPathOf(slash < 0 ? '' : apiVersion.slice(0, slash), apiVersion.slice(slash + 1));
    const bundledDoc = bundled.document(gvPath);
    const entries = bundledTable.resources[apiVersion] ?? [];
    const kept = present.filter((r) => !missing.includes(r.name));
    for (const plural of missing) {
      const entry = entries.find((r) => r.name === plural);
      if (!entry || !bundledDoc) continue; // the served-set check of ./schemas.ts reports it
      kept.push(entry);
      documents.set(gvPath, mergeBundled(documents.get(gvPath), bundledDoc, plural));
    }
    resources.set(apiVersion, kept.sort((a, b) => (a.name < b.name ? -1 : 1)));
    warnings.push(`--openapi ${file} has no ${apiVersion} ${missing.join(', ')}; serving the bundled schemas for them`);
  }
  return warnings;
}

/**
 * The schema source of the Swagger 2.0 file at `path` (see the module header). Throws an Error
 * `cannot load --openapi <path>: <reason>` when the file cannot be read, is not JSON, is not a
 * Swagger 2.0 document, or describes no served Kubernetes resource.
 */
export function loadSwaggerFile(path: string, options: SwaggerFileOptions): SchemaSource {
  let source: SchemaSource;
  let warnings: string[];
  try {
    const v3 = swaggerToOpenAPIV3(parseFile(path));
    const split = splitDocument(v3);
    const resources = new Map(Object.entries(split.resources));
    if (!Object.keys(SERVED_RESOURCES).some((apiVersion) => (resources.get(apiVersion) ?? []).length > 0)) {
      throw new TypeError('the document describes none of the Kubernetes group-versions kubemu serves');
    }
    warnings = keepBundledKinds(resources, split.documents, options.bundled, path);
    const groups = orderGroups(resources.keys());
    const info = objectAt(v3, 'info');
    const table: ResourceTable = {
      source: { package: '', packageVersion: '', file: path, infoVersion: String(info?.['version'] ?? '') },
      overlay: [],
      groups,
      resources: orderResources(groups, resources),
    };
    source = new LoadedSource(`--openapi ${path}`, table, split.documents);
  } catch (err) {
    throw new Error(`cannot load --openapi ${path}: ${(err as Error).message}`, { cause: err });
  }
  for (const warning of warnings) options.warn(warning);
  return source;
}
