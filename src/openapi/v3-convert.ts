/**
 * Turns kube-apiserver's Swagger 2.0 document (`/openapi/v2`, a release's `swagger.json`) into
 * ONE OpenAPI 3.0 document in the shape kubemu's generated documents have (what
 * kube-apiserver serves at `/openapi/v3/<gv>`, all group-versions together; ./split.ts splits
 * it):
 * - `definitions` → `components.schemas`, every `#/definitions/` ref → `#/components/schemas/`;
 * - a `$ref` with siblings (a field's description, default, `x-kubernetes-patch-strategy`,
 *   `x-kubernetes-map-type`, ...) → `{allOf: [{$ref}], ...siblings}`, as kube-openapi writes
 *   v3, so the siblings survive (a bare `$ref` stays bare);
 * - IntOrString and Quantity get their v3 spelling (`oneOf` of their two JSON types);
 * - shared `#/parameters/` are inlined; a `body` parameter → `requestBody` with one content
 *   entry per `consumes` media type; other parameters keep `description`, `in`, `name`,
 *   `required` and move their type keywords into `schema`;
 * - responses' `schema` → `content` with one entry per `produces` media type;
 * - `consumes`, `produces` and `schemes` dropped; every `x-kubernetes-*` extension kept;
 * - `securityDefinitions` → `components.securitySchemes`; top-level `security` dropped.
 * The inverse of ./v2-convert.ts for the documents kube-apiserver publishes. The input is not
 * modified. Throws TypeError when the input is not a Swagger 2.0 document.
 * Owns: the v2 → v3 conversion and the v3 spelling of two-type schemas. Must not: do I/O.
 */
import { isObject, objectAt, SCHEMA_REF_PREFIX, type Json, type JsonObject } from './json.js';

const DEFINITION_REF_PREFIX = '#/definitions/';
const PARAMETER_REF_PREFIX = '#/parameters/';
const OPERATION_METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch']);
/** Keywords of a non-body Swagger 2.0 parameter that belong to its schema in OpenAPI 3.0. */
const PARAMETER_SCHEMA_KEYS = new Set([
  'type', 'format', 'items', 'default', 'enum', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum',
  'multipleOf', 'minLength', 'maxLength', 'pattern', 'minItems', 'maxItems', 'uniqueItems',
]);

/** v3 shapes of the types whose JSON has two possible types (v2 spells both `type: string`). */
export const V3_ONE_OF: Readonly<Record<string, JsonObject>> = {
  'io.k8s.apimachinery.pkg.util.intstr.IntOrString': {
    format: 'int-or-string',
    oneOf: [{ type: 'integer' }, { type: 'string' }],
  },
  'io.k8s.apimachinery.pkg.api.resource.Quantity': {
    oneOf: [{ type: 'string' }, { type: 'number' }],
  },
};

/** Rewrites IntOrString and Quantity in `schemas` (in place) to their v3 shape, keeping the description. */
export function respellTwoTypeSchemas(schemas: JsonObject): void {
  for (const [name, shape] of Object.entries(V3_ONE_OF)) {
    const schema = schemas[name];
    if (!isObject(schema)) continue;
    const description = schema['description'];
    const replaced: JsonObject = description === undefined ? {} : { description };
    schemas[name] = Object.assign(replaced, structuredClone(shape));
  }
}

function convertRef(ref: string): string {
  return ref.startsWith(DEFINITION_REF_PREFIX) ? SCHEMA_REF_PREFIX + ref.slice(DEFINITION_REF_PREFIX.length) : ref;
}

/** A schema in OpenAPI 3.0 form (see the module header); `schema` is not modified. */
export function convertSchemaToV3(schema: Json): Json {
  if (!isObject(schema)) return schema;
  const ref = schema['$ref'];
  if (typeof ref === 'string') {
    const target: JsonObject = { $ref: convertRef(ref) };
    const siblings = Object.entries(schema).filter(([key]) => key !== '$ref');
    if (siblings.length === 0) return target;
    const out: JsonObject = { allOf: [target] };
    for (const [key, value] of siblings) out[key] = convertSchemaToV3Keyword(key, value);
    return out;
  }
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(schema)) out[key] = convertSchemaToV3Keyword(key, value);
  return out;
}

/** The value of one schema keyword, with the schemas it holds converted. */
function convertSchemaToV3Keyword(key: string, value: Json): Json {
  if (key === 'properties' && isObject(value)) {
    const properties: JsonObject = {};
    for (const [name, property] of Object.entries(value)) properties[name] = convertSchemaToV3(property);
    return properties;
  }
  if (key === 'items' || key === 'additionalProperties') return Array.isArray(value) ? value.map(convertSchemaToV3) : convertSchemaToV3(value);
  if ((key === 'allOf' || key === 'anyOf' || key === 'oneOf') && Array.isArray(value)) return value.map(convertSchemaToV3);
  return value;
}

/** Converts one document; the context holds what operations inherit. */
class Converter {
  readonly #parameters: JsonObject;
  readonly #consumes: Json | undefined;
  readonly #produces: Json | undefined;

  constructor(swagger: JsonObject) {
    this.#parameters = objectAt(swagger, 'parameters') ?? {};
    this.#consumes = swagger['consumes'];
    this.#produces = swagger['produces'];
  }

  /** A parameter with a shared `$ref` inlined. */
  #resolve(parameter: Json): Json {
    if (!isObject(parameter) || typeof parameter['$ref'] !== 'string') return parameter;
    const ref = parameter['$ref'];
    const shared = ref.startsWith(PARAMETER_REF_PREFIX) ? this.#parameters[ref.slice(PARAMETER_REF_PREFIX.length)] : undefined;
    if (!isObject(shared)) throw new TypeError(`unresolved parameter ${ref}`);
    return shared;
  }

  #parameter(parameter: JsonObject): JsonObject {
    const out: JsonObject = {};
    const schema: JsonObject = {};
    for (const [key, value] of Object.entries(parameter)) {
      if (PARAMETER_SCHEMA_KEYS.has(key)) schema[key] = key === 'items' ? convertSchemaToV3(value) : value;
      else if (key !== 'collectionFormat') out[key] = value;
    }
    if (Object.keys(schema).length > 0) out['schema'] = schema;
    return out;
  }

  #content(mediaTypes: Json | undefined, schema: Json): JsonObject {
    const types = Array.isArray(mediaTypes) && mediaTypes.length > 0 ? mediaTypes : ['*/*'];
    const content: JsonObject = {};
    for (const type of types) if (typeof type === 'string') content[type] = { schema: convertSchemaToV3(schema) };
    return content;
  }

  #requestBody(body: JsonObject, consumes: Json | undefined): JsonObject {
    const out: JsonObject = { content: this.#content(consumes, body['schema'] ?? {}) };
    if (typeof body['description'] === 'string') out['description'] = body['description'];
    if (body['required'] === true) out['required'] = true;
    return out;
  }

  #responses(responses: JsonObject, produces: Json | undefined): JsonObject {
    const out: JsonObject = {};
    for (const [code, response] of Object.entries(responses)) {
      if (!isObject(response)) continue;
      const converted: JsonObject = {};
      for (const [key, value] of Object.entries(response)) {
        if (key === 'schema') converted['content'] = this.#content(produces, value);
        else converted[key] = value;
      }
      out[code] = converted;
    }
    return out;
  }

  #operation(op: JsonObject): JsonObject {
    const consumes = op['consumes'] ?? this.#consumes;
    const produces = op['produces'] ?? this.#produces;
    const out: JsonObject = {};
    for (const [key, value] of Object.entries(op)) {
      if (key === 'consumes' || key === 'produces' || key === 'schemes') continue;
      if (key === 'parameters' && Array.isArray(value)) {
        const parameters: Json[] = [];
        let body: JsonObject | undefined;
        for (const entry of value) {
          const parameter = this.#resolve(entry);
          if (!isObject(parameter)) continue;
          if (parameter['in'] === 'body') body = parameter;
          else parameters.push(this.#parameter(parameter));
        }
        if (parameters.length > 0) out['parameters'] = parameters;
        if (body) out['requestBody'] = this.#requestBody(body, consumes);
      } else if (key === 'responses' && isObject(value)) {
        out['responses'] = this.#responses(value, produces);
      } else {
        out[key] = value;
      }
    }
    return out;
  }

  pathItem(item: JsonObject): JsonObject {
    const out: JsonObject = {};
    for (const [key, value] of Object.entries(item)) {
      if (OPERATION_METHODS.has(key) && isObject(value)) out[key] = this.#operation(value);
      else if (key === 'parameters' && Array.isArray(value)) out[key] = value.map((p) => this.#resolve(p)).filter(isObject).map((p) => this.#parameter(p));
      else out[key] = value;
    }
    return out;
  }
}

/** The OpenAPI 3.0 form of a kube-apiserver Swagger 2.0 document (see the module header). */
export function swaggerToOpenAPIV3(swagger: JsonObject): JsonObject {
  if (swagger['swagger'] !== '2.0') throw new TypeError(`not a Swagger 2.0 document (swagger: ${JSON.stringify(swagger['swagger'] ?? null)})`);
  const paths = objectAt(swagger, 'paths');
  const definitions = objectAt(swagger, 'definitions');
  if (!paths) throw new TypeError('Swagger 2.0 document without paths');
  if (!definitions) throw new TypeError('Swagger 2.0 document without definitions');

  const converter = new Converter(swagger);
  const convertedPaths: JsonObject = {};
  for (const [path, item] of Object.entries(paths)) if (isObject(item)) convertedPaths[path] = converter.pathItem(item);
  const schemas: JsonObject = {};
  for (const [name, schema] of Object.entries(definitions)) schemas[name] = convertSchemaToV3(schema);
  respellTwoTypeSchemas(schemas);

  const components: JsonObject = { schemas };
  const security = objectAt(swagger, 'securityDefinitions');
  if (security) components['securitySchemes'] = structuredClone(security);
  const info = objectAt(swagger, 'info') ?? {};
  return {
    openapi: '3.0.0',
    info: { title: typeof info['title'] === 'string' ? info['title'] : 'Kubernetes', version: info['version'] ?? 'unversioned' },
    paths: convertedPaths,
    components,
  };
}
