// Coverage of the served built-in schemas against the swagger.json of Kubernetes v1.35.0
// (../shared/k8s-reference, read at test time only): field paths, the patch metadata of every
// field both have (x-kubernetes-patch-strategy, -patch-merge-key, -list-type, -list-map-keys,
// -map-type, field-level over type-level as merge code reads them), and the descriptions of
// `$ref` fields (lost by the source's conversion). Gaps are printed, not failed: the numbers say
// how far the generated schemas (about v1.27 plus the overlay) are behind. A served kind whose
// schema is missing entirely fails.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { isObject, objectAt, reachableSchemas, type Json, type JsonObject } from '../../src/openapi/json.js';
import { gvPathOf } from '../../src/openapi/paths.js';
import { builtinResources, openapiV3Document } from '../../src/openapi/schemas.js';

const REPO_ROOT = new URL('../../', import.meta.url);
const REFERENCE = fileURLToPath(new URL('../shared/k8s-reference/swagger-v1.35.0.json', REPO_ROOT));

const PATCH_KEYS = [
  'x-kubernetes-patch-strategy',
  'x-kubernetes-patch-merge-key',
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-map-type',
] as const;

type Resolve = (ref: string) => Json | undefined;

/** The `$ref` of a field: bare (v2, or v3 without siblings) or wrapped in `allOf` (v3 with siblings). */
function refOf(schema: JsonObject): string | undefined {
  if (typeof schema['$ref'] === 'string') return schema['$ref'];
  const allOf = schema['allOf'];
  const first = Array.isArray(allOf) && allOf.length === 1 ? allOf[0] : undefined;
  return isObject(first) && typeof first['$ref'] === 'string' ? first['$ref'] : undefined;
}

/** The patch metadata merge code sees at a field: the field's own extensions over its type's. */
function patchMetaOf(schema: JsonObject, resolve: Resolve): JsonObject {
  const out: JsonObject = {};
  const ref = refOf(schema);
  const target = ref === undefined ? undefined : resolve(ref);
  for (const layer of [isObject(target) ? target : {}, schema]) {
    for (const key of PATCH_KEYS) if (layer[key] !== undefined) out[key] = layer[key];
  }
  return out;
}

/** What the walk records per field path. */
interface FieldInfo {
  /** `Schema.field`: the named schema declaring the field. */
  owner: string;
  /** Patch metadata at the field (patchMetaOf). */
  meta: JsonObject;
}

/**
 * Every field path under a schema with its patch metadata: `spec.template.spec.containers[].ports`,
 * with `[]` for array items and `{}` for map values. A reference already being expanded is not
 * expanded again (JSONSchemaProps is recursive).
 */
function fieldPaths(schema: Json | undefined, resolve: Resolve, prefix = '', stack: string[] = [], out = new Map<string, FieldInfo>()): Map<string, FieldInfo> {
  if (!isObject(schema)) return out;
  const ref = schema['$ref'];
  if (typeof ref === 'string') {
    if (stack.includes(ref)) return out;
    return fieldPaths(resolve(ref), resolve, prefix, [...stack, ref], out);
  }
  for (const key of ['allOf', 'oneOf', 'anyOf']) {
    const list = schema[key];
    if (Array.isArray(list)) for (const item of list) fieldPaths(item, resolve, prefix, stack, out);
  }
  const properties = objectAt(schema, 'properties');
  for (const [name, child] of Object.entries(properties ?? {})) {
    const path = prefix ? `${prefix}.${name}` : name;
    const owner = `${(stack[stack.length - 1] ?? '').replace(/^.*\//, '')}.${name}`;
    out.set(path, { owner, meta: isObject(child) ? patchMetaOf(child, resolve) : {} });
    fieldPaths(child, resolve, path, stack, out);
  }
  if (isObject(schema['items'])) fieldPaths(schema['items'], resolve, `${prefix}[]`, stack, out);
  if (isObject(schema['additionalProperties'])) fieldPaths(schema['additionalProperties'], resolve, `${prefix}{}`, stack, out);
  return out;
}

/**
 * The extensions of `want` that `have` lacks or spells differently, on fields both have: per
 * path (`path extension=value`) and per declaring schema (`Schema.field extension=value`).
 */
function missingPatchMeta(have: Map<string, FieldInfo>, want: Map<string, FieldInfo>): { paths: string[]; fields: string[] } {
  const paths: string[] = [];
  const fields: string[] = [];
  for (const [path, theirs] of want) {
    const ours = have.get(path);
    if (!ours) continue; // a missing field, counted as such
    for (const [key, value] of Object.entries(theirs.meta)) {
      if (JSON.stringify(ours.meta[key]) === JSON.stringify(value)) continue;
      paths.push(`${path} ${key}=${JSON.stringify(value)}`);
      fields.push(`${theirs.owner} ${key}=${JSON.stringify(value)}`);
    }
  }
  return { paths, fields };
}

/** `Schema.field` of the `$ref` fields reachable from `root` that v1.35 describes and `schemas` does not. */
function undescribedRefFields(root: string, schemas: JsonObject, definitions: JsonObject, into: Set<string>): void {
  const { names } = reachableSchemas([root], schemas);
  for (const name of names) {
    const theirs = objectAt(objectAt(definitions, name), 'properties');
    for (const [field, schema] of Object.entries(objectAt(objectAt(schemas, name), 'properties') ?? {})) {
      if (!isObject(schema) || refOf(schema) === undefined || schema['description'] !== undefined) continue;
      if (objectAt(theirs, field)?.['description'] !== undefined) into.add(`${name}.${field}`);
    }
  }
}

function byGvk(schemas: JsonObject, group: string, version: string, kind: string): string | undefined {
  return Object.keys(schemas).find((name) => {
    const gvks = objectAt(schemas, name)?.['x-kubernetes-group-version-kind'];
    return Array.isArray(gvks) && gvks.some((g) => isObject(g) && g['group'] === group && g['version'] === version && g['kind'] === kind);
  });
}

t.test('served schemas cover the fields of Kubernetes v1.35.0', async (t) => {
  if (!existsSync(REFERENCE)) {
    t.comment(`skipped: ${REFERENCE} is absent (reference data lives in ../shared/k8s-reference)`);
    t.pass('nothing to compare');
    return;
  }
  const swagger = JSON.parse(readFileSync(REFERENCE, 'utf8')) as JsonObject;
  const definitions = objectAt(swagger, 'definitions') ?? {};
  const resolveV2 = (ref: string): Json | undefined => definitions[ref.replace('#/definitions/', '')];

  let missingTotal = 0;
  let fieldTotal = 0;
  const metaMissing = new Set<string>();
  const metaKnown = new Set<string>();
  const undescribed = new Set<string>();
  for (const info of builtinResources()) {
    const label = `${info.group ? `${info.group}/` : ''}${info.version} ${info.kind}`;
    const encoded = openapiV3Document(gvPathOf(info.group, info.version));
    const doc = encoded ? (JSON.parse(encoded.body.toString('utf8')) as JsonObject) : {};
    const schemas = objectAt(objectAt(doc, 'components'), 'schemas') ?? {};
    const ours = byGvk(schemas, info.group, info.version, info.kind);
    if (!ours) {
      t.fail(`${label}: no schema in the served document`);
      continue;
    }
    const theirs = byGvk(definitions, info.group, info.version, info.kind);
    if (!theirs) {
      t.comment(`${label}: not in v1.35.0 (removed upstream)`);
      continue;
    }
    const resolveV3 = (ref: string): Json | undefined => schemas[ref.replace('#/components/schemas/', '')];
    const have = fieldPaths({ $ref: `#/components/schemas/${ours}` }, resolveV3);
    const want = fieldPaths({ $ref: `#/definitions/${theirs}` }, resolveV2);
    const missing = [...want.keys()].filter((p) => !have.has(p)).sort((a, b) => a.length - b.length || (a < b ? -1 : 1));
    const extra = [...have.keys()].filter((p) => !want.has(p));
    missingTotal += missing.length;
    fieldTotal += want.size;
    const sample = missing.length ? `; e.g. ${missing.slice(0, 6).join(', ')}` : '';
    const meta = missingPatchMeta(have, want);
    for (const entry of meta.fields) metaMissing.add(entry);
    for (const info of want.values()) for (const key of Object.keys(info.meta)) metaKnown.add(`${info.owner} ${key}`);
    const metaSample = meta.paths.length ? `; e.g. ${meta.paths.slice(0, 3).join(', ')}` : '';
    t.comment(`${label}: ${missing.length} of ${want.size} v1.35 fields missing, ${extra.length} extra${sample}; ${meta.paths.length} patch-metadata extensions missing${metaSample}`);
    undescribedRefFields(ours, schemas, definitions, undescribed);
    t.pass(`${label} schema present`);
  }
  t.comment(`total: ${missingTotal} of ${fieldTotal} v1.35 field paths missing from the served schemas`);
  const metaSample = metaMissing.size ? `; e.g. ${[...metaMissing].sort().slice(0, 6).join(', ')}` : '';
  t.comment(`total: ${metaMissing.size} of ${metaKnown.size} v1.35 patch-metadata extensions of schema fields both have missing or different${metaSample}`);
  const sample = [...undescribed].sort().slice(0, 4).join(', ');
  t.comment(`total: ${undescribed.size} $ref fields of served kinds without the description v1.35 gives them (the source's conversion dropped them); e.g. ${sample}`);
});
