// Coverage of the served built-in schemas against the swagger.json of Kubernetes v1.35.0
// (../shared/k8s-reference, read at test time only). Gaps are printed, not failed: the number
// says how far the generated schemas (about v1.27 plus the overlay) are behind. A served kind
// whose schema is missing entirely fails.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { isObject, objectAt, type Json, type JsonObject } from '../../src/openapi/json.js';
import { gvPathOf } from '../../src/openapi/paths.js';
import { builtinResources, openapiV3Document } from '../../src/openapi/schemas.js';

const REPO_ROOT = new URL('../../', import.meta.url);
const REFERENCE = fileURLToPath(new URL('../shared/k8s-reference/swagger-v1.35.0.json', REPO_ROOT));

/**
 * Every field path under a schema: `spec.template.spec.containers[].restartPolicy`, with `[]`
 * for array items and `{}` for map values. A reference already being expanded is not expanded
 * again (JSONSchemaProps is recursive).
 */
function fieldPaths(schema: Json | undefined, resolve: (ref: string) => Json | undefined, prefix = '', stack: string[] = [], out = new Set<string>()): Set<string> {
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
    out.add(path);
    fieldPaths(child, resolve, path, stack, out);
  }
  if (isObject(schema['items'])) fieldPaths(schema['items'], resolve, `${prefix}[]`, stack, out);
  if (isObject(schema['additionalProperties'])) fieldPaths(schema['additionalProperties'], resolve, `${prefix}{}`, stack, out);
  return out;
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
    const have = fieldPaths(schemas[ours], resolveV3);
    const want = fieldPaths(definitions[theirs], resolveV2);
    const missing = [...want].filter((p) => !have.has(p)).sort((a, b) => a.length - b.length || (a < b ? -1 : 1));
    const extra = [...have].filter((p) => !want.has(p));
    missingTotal += missing.length;
    fieldTotal += want.size;
    const sample = missing.length ? `; e.g. ${missing.slice(0, 6).join(', ')}` : '';
    t.comment(`${label}: ${missing.length} of ${want.size} v1.35 fields missing, ${extra.length} extra${sample}`);
    t.pass(`${label} schema present`);
  }
  t.comment(`total: ${missingTotal} of ${fieldTotal} v1.35 field paths missing from the served schemas`);
});
