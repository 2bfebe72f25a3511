/**
 * Plain JSON value types and the two walks every OpenAPI helper needs: type guards and the
 * collection of `#/components/schemas/...` references.
 * Owns: JSON shapes and reference walking. Must not: do I/O or know Kubernetes resources.
 */

/** Any JSON value. */
export type Json = null | boolean | number | string | Json[] | JsonObject;

/** A JSON object. */
export interface JsonObject {
  [key: string]: Json;
}

/** The prefix of every schema reference in an OpenAPI 3 document. */
export const SCHEMA_REF_PREFIX = '#/components/schemas/';

/** True for a JSON object (not an array, not null). */
export function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `value[key]` when it is an object, else undefined. */
export function objectAt(value: Json | undefined, key: string): JsonObject | undefined {
  if (!isObject(value)) return undefined;
  const child = value[key];
  return isObject(child) ? child : undefined;
}

/**
 * Adds to `into` the schema names that `value` references directly (not transitively).
 * Only string `$ref`s count: JSONSchemaProps has a *property* named `$ref`, whose value is a
 * schema object, not a reference.
 */
export function collectSchemaRefs(value: Json, into: Set<string>): void {
  if (Array.isArray(value)) {
    for (const item of value) collectSchemaRefs(item, into);
    return;
  }
  if (!isObject(value)) return;
  for (const [key, child] of Object.entries(value)) {
    if (key === '$ref' && typeof child === 'string') {
      if (child.startsWith(SCHEMA_REF_PREFIX)) into.add(child.slice(SCHEMA_REF_PREFIX.length));
    } else {
      collectSchemaRefs(child, into);
    }
  }
}

/**
 * The names of every schema reachable from `roots` through `schemas`, roots included when they
 * exist in `schemas`. Names referenced but absent are returned in `missing`.
 */
export function reachableSchemas(roots: Iterable<string>, schemas: JsonObject): { names: Set<string>; missing: Set<string> } {
  const names = new Set<string>();
  const missing = new Set<string>();
  const queue = [...roots];
  while (queue.length > 0) {
    const name = queue.pop() as string;
    if (names.has(name) || missing.has(name)) continue;
    const schema = schemas[name];
    if (schema === undefined) {
      missing.add(name);
      continue;
    }
    names.add(name);
    const refs = new Set<string>();
    collectSchemaRefs(schema, refs);
    for (const ref of refs) queue.push(ref);
  }
  return { names, missing };
}
