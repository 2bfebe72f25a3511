/**
 * Turns the per-group-version OpenAPI 3.0 documents kubemu serves into ONE Swagger 2.0
 * document, the shape kube-apiserver serves at `/openapi/v2`:
 * - `components.schemas` → `definitions`, every `#/components/schemas/` ref → `#/definitions/`;
 *   a schema present in several documents is the same schema, except that the lists of
 *   `x-kubernetes-group-version-kind` are joined (DeleteOptions, WatchEvent, Status);
 * - the v3-only schema shapes back to v2: `oneOf`/`anyOf` of primitive types (IntOrString,
 *   Quantity) → `type: string` (IntOrString keeps `format: int-or-string`; a field marked only
 *   `x-kubernetes-int-or-string` gets no type, as CRD schemas publish it); `allOf: [{$ref}]`
 *   with siblings → `$ref` with siblings; `nullable`, `not` and other `oneOf`/`anyOf` dropped;
 * - an operation's `requestBody` → a first parameter `{in: body, name: body, schema}` and
 *   `consumes` (its media types; `*\/*` without a body), responses' `content` → `schema` and
 *   `produces` (every media type, in order of appearance), `schemes: [https]`;
 * - non-body parameters carry their schema's keywords inline (`type`, `uniqueItems`, ...);
 * - every `x-kubernetes-*` extension is kept where it was (operations, schemas, properties);
 * - `securitySchemes` → `securityDefinitions`, plus `security: [{BearerToken: []}]`;
 * - paths and definitions sorted by name, as kube-apiserver lists them.
 * Input documents are not modified; converted values are new objects except leaves.
 * Owns: the v3 → v2 conversion. Must not: do I/O or know which resources are served.
 */
import { isObject, objectAt, SCHEMA_REF_PREFIX, type Json, type JsonObject } from './json.js';

/** The prefix of every schema reference in a Swagger 2.0 document. */
export const DEFINITION_REF_PREFIX = '#/definitions/';

const OPERATION_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch'];
const PRIMITIVE_TYPES = new Set(['string', 'integer', 'number', 'boolean']);
/** Schema keywords OpenAPI 3.0 has and Swagger 2.0 does not. */
const V3_ONLY_KEYWORDS = new Set(['nullable', 'not', 'oneOf', 'anyOf', 'writeOnly', 'deprecated']);
const GVK_EXTENSION = 'x-kubernetes-group-version-kind';

/** True for `oneOf`/`anyOf` alternatives that are bare primitive types: the IntOrString and Quantity shape. */
function isPrimitiveUnion(alternatives: Json | undefined): boolean {
  return (
    Array.isArray(alternatives) &&
    alternatives.length > 0 &&
    alternatives.every((a) => isObject(a) && Object.keys(a).length === 1 && typeof a.type === 'string' && PRIMITIVE_TYPES.has(a.type))
  );
}

/** A schema in Swagger 2.0 form; `schema` is not modified. */
export function convertSchema(schema: Json): Json {
  if (!isObject(schema)) return schema;
  const out: JsonObject = {};
  const union = isPrimitiveUnion(schema.oneOf) ? schema.oneOf : isPrimitiveUnion(schema.anyOf) ? schema.anyOf : undefined;
  const allOf = schema.allOf;
  const flattenAllOf = Array.isArray(allOf) && allOf.length === 1 && isObject(allOf[0]) && typeof allOf[0].$ref === 'string' && Object.keys(allOf[0]).length === 1;
  if (flattenAllOf) out.$ref = convertRef((allOf[0] as JsonObject).$ref as string);
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'oneOf' || key === 'anyOf') {
      // IntOrString and Quantity are strings in v2; a CRD's x-kubernetes-int-or-string field has no type there.
      const intOrString = schema['x-kubernetes-int-or-string'] === true && schema.format !== 'int-or-string';
      if (union !== undefined && value === union && schema.type === undefined && !intOrString) out.type = 'string';
      continue;
    }
    if (V3_ONLY_KEYWORDS.has(key)) continue;
    if (key === '$ref' && typeof value === 'string') out.$ref = convertRef(value);
    else if (key === 'allOf') {
      if (!flattenAllOf && Array.isArray(value)) out.allOf = value.map(convertSchema);
    } else if (key === 'properties' && isObject(value)) {
      const properties: JsonObject = {};
      for (const [name, property] of Object.entries(value)) properties[name] = convertSchema(property);
      out.properties = properties;
    } else if (key === 'items' || key === 'additionalProperties') {
      out[key] = Array.isArray(value) ? value.map(convertSchema) : convertSchema(value);
    } else {
      out[key] = value;
    }
  }
  return out;
}

function convertRef(ref: string): string {
  return ref.startsWith(SCHEMA_REF_PREFIX) ? DEFINITION_REF_PREFIX + ref.slice(SCHEMA_REF_PREFIX.length) : ref;
}

/** A non-body parameter with its schema's keywords inline, or a `$ref` parameter as is. */
function convertParameter(parameter: Json): Json {
  if (!isObject(parameter) || typeof parameter.$ref === 'string') return parameter;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(parameter)) {
    if (key === 'schema' && isObject(value)) Object.assign(out, convertSchema(value));
    else if (key !== 'style' && key !== 'explode' && key !== 'content') out[key] = value;
  }
  return out;
}

/** The schema of the first media type of a v3 `content` map. */
function contentSchema(content: JsonObject | undefined): Json | undefined {
  for (const media of Object.values(content ?? {})) {
    if (isObject(media) && media.schema !== undefined) return convertSchema(media.schema);
  }
  return undefined;
}

/** One operation in Swagger 2.0 form, keys in kube-apiserver's (sorted) order, extensions last. */
function convertOperation(operation: JsonObject): JsonObject {
  const requestBody = objectAt(operation, 'requestBody');
  const responses = objectAt(operation, 'responses') ?? {};
  const produces: string[] = [];
  const convertedResponses: JsonObject = {};
  for (const [code, response] of Object.entries(responses)) {
    if (!isObject(response)) continue;
    const content = objectAt(response, 'content');
    for (const mediaType of Object.keys(content ?? {})) if (!produces.includes(mediaType)) produces.push(mediaType);
    const converted: JsonObject = {};
    for (const [key, value] of Object.entries(response)) {
      if (key === 'content') {
        const schema = contentSchema(content);
        if (schema !== undefined) converted.schema = schema;
      } else {
        converted[key] = value;
      }
    }
    convertedResponses[code] = converted;
  }

  const parameters: Json[] = [];
  if (requestBody) {
    const body: JsonObject = { in: 'body', name: 'body' };
    if (typeof requestBody.description === 'string') body.description = requestBody.description;
    if (requestBody.required === true) body.required = true;
    const schema = contentSchema(objectAt(requestBody, 'content'));
    if (schema !== undefined) body.schema = schema;
    parameters.push(body);
  }
  for (const parameter of Array.isArray(operation.parameters) ? operation.parameters : []) parameters.push(convertParameter(parameter));

  const out: JsonObject = { consumes: requestBody ? Object.keys(objectAt(requestBody, 'content') ?? {}) : ['*/*'] };
  if (operation.description !== undefined) out.description = operation.description;
  if (operation.operationId !== undefined) out.operationId = operation.operationId;
  if (parameters.length > 0) out.parameters = parameters;
  if (produces.length > 0) out.produces = produces;
  out.responses = convertedResponses;
  out.schemes = ['https'];
  for (const [key, value] of Object.entries(operation)) {
    if (key in out || key === 'requestBody' || key === 'servers' || key === 'callbacks') continue;
    out[key] = value;
  }
  return out;
}

function convertPathItem(item: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(item)) {
    if (OPERATION_METHODS.includes(key) && isObject(value)) out[key] = convertOperation(value);
    else if (key === 'parameters' && Array.isArray(value)) out.parameters = value.map(convertParameter);
    else if (key !== 'servers' && key !== 'summary' && key !== 'description' && key !== 'trace') out[key] = value;
  }
  return out;
}

/** Joins two `x-kubernetes-group-version-kind` lists, keeping the first's order and adding new entries. */
function joinGroupVersionKinds(first: Json, second: Json): Json {
  if (!Array.isArray(first) || !Array.isArray(second)) return first;
  const seen = new Set(first.map((gvk) => JSON.stringify(gvk)));
  const joined = [...first];
  for (const gvk of second) if (!seen.has(JSON.stringify(gvk))) joined.push(gvk);
  return joined;
}

/** What goes into the v2 document besides the documents' contents. */
export interface SwaggerInfo {
  /** `info.version`: the version kube-apiserver reports, e.g. `v1.31.0`. */
  version: string;
}

function sortedObject(entries: Map<string, Json>): JsonObject {
  const out: JsonObject = {};
  for (const name of [...entries.keys()].sort()) out[name] = entries.get(name) as Json;
  return out;
}

/**
 * One Swagger 2.0 document holding the paths and schemas of `documents` (OpenAPI 3.0, one per
 * group-version, as `/openapi/v3/<gv>` serves them). A path present in several documents
 * keeps its first occurrence.
 */
export function toSwaggerV2(documents: readonly JsonObject[], info: SwaggerInfo): JsonObject {
  const paths = new Map<string, Json>();
  const definitions = new Map<string, Json>();
  const securityDefinitions: JsonObject = {};
  for (const doc of documents) {
    for (const [path, item] of Object.entries(objectAt(doc, 'paths') ?? {})) {
      if (!paths.has(path) && isObject(item)) paths.set(path, convertPathItem(item));
    }
    const components = objectAt(doc, 'components');
    for (const [name, schema] of Object.entries(objectAt(components, 'schemas') ?? {})) {
      const known = definitions.get(name);
      if (known === undefined) {
        definitions.set(name, convertSchema(schema));
      } else if (isObject(known) && isObject(schema) && schema[GVK_EXTENSION] !== undefined) {
        known[GVK_EXTENSION] = joinGroupVersionKinds(known[GVK_EXTENSION] ?? [], schema[GVK_EXTENSION]);
      }
    }
    for (const [name, scheme] of Object.entries(objectAt(components, 'securitySchemes') ?? {})) {
      if (!(name in securityDefinitions)) securityDefinitions[name] = scheme;
    }
  }
  return {
    definitions: sortedObject(definitions),
    info: { title: 'Kubernetes', version: info.version },
    paths: sortedObject(paths),
    security: Object.keys(securityDefinitions).map((name) => ({ [name]: [] })),
    securityDefinitions,
    swagger: '2.0',
  };
}
