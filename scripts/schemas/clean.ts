/**
 * Turns the APIs.guru conversion of the Kubernetes OpenAPI document back into what
 * kube-apiserver itself serves as OpenAPI v3:
 * - drops what APIs.guru added: top-level `servers` and `security`, the `x-*` keys of `info`,
 *   and the `servers` it put on every operation;
 * - inlines the shared `components.requestBodies` it introduced (kube-apiserver writes each
 *   operation's requestBody in place) and removes that section;
 * - restores the v3 spelling of the two types whose v2 and v3 schemas differ: IntOrString
 *   (`oneOf` integer|string, format int-or-string) and Quantity (`oneOf` string|number), with
 *   the same code that converts `--openapi` files (src/openapi/v3-convert.ts).
 * Owns: those rewrites. Must not: know which resources kubemu serves.
 */
import { isObject, type Json, type JsonObject } from '../../src/openapi/json.js';
import { respellTwoTypeSchemas } from '../../src/openapi/v3-convert.js';

const REQUEST_BODY_PREFIX = '#/components/requestBodies/';
const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

/** Cleans `doc` in place (see the module header) and returns it. */
export function cleanDocument(doc: JsonObject): JsonObject {
  delete doc['servers'];
  delete doc['security'];
  const info = isObject(doc['info']) ? doc['info'] : {};
  doc['info'] = { title: typeof info['title'] === 'string' ? info['title'] : 'Kubernetes', version: info['version'] ?? 'unversioned' };

  const components = doc['components'];
  if (!isObject(components)) throw new TypeError('source document has no components');
  const bodies = isObject(components['requestBodies']) ? components['requestBodies'] : {};
  delete components['requestBodies'];

  const paths = doc['paths'];
  if (!isObject(paths)) throw new TypeError('source document has no paths');
  for (const item of Object.values(paths)) {
    if (!isObject(item)) continue;
    for (const [method, op] of Object.entries(item)) {
      if (!HTTP_METHODS.has(method) || !isObject(op)) continue;
      delete op['servers'];
      const body = op['requestBody'];
      if (isObject(body) && typeof body['$ref'] === 'string' && body['$ref'].startsWith(REQUEST_BODY_PREFIX)) {
        const shared = bodies[body['$ref'].slice(REQUEST_BODY_PREFIX.length)];
        if (!isObject(shared)) throw new TypeError(`unresolved request body ${body['$ref']}`);
        op['requestBody'] = structuredClone(shared);
      }
    }
  }

  const schemas = components['schemas'];
  if (!isObject(schemas)) throw new TypeError('source document has no schemas');
  respellTwoTypeSchemas(schemas);
  return doc;
}

/** Fails when any `$ref` still points outside `#/components/schemas/`. */
export function assertOnlySchemaRefs(value: Json, where = '#'): void {
  if (Array.isArray(value)) {
    value.forEach((item, i) => assertOnlySchemaRefs(item, `${where}/${i}`));
    return;
  }
  if (!isObject(value)) return;
  for (const [key, child] of Object.entries(value)) {
    if (key === '$ref' && typeof child === 'string') {
      if (!child.startsWith('#/components/schemas/')) throw new TypeError(`unexpected $ref ${child} at ${where}`);
    } else {
      assertOnlySchemaRefs(child, `${where}/${key}`);
    }
  }
}
