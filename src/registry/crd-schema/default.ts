/**
 * Structural defaulting of custom resources (apiextensions-apiserver defaulting/algorithm.go):
 * missing properties, and nulls where the schema is not nullable, take a deep copy of `default`;
 * recursion into properties, additionalProperties and array items.
 * Owns: defaulting. Must not: prune or validate.
 */
import { isObj, type SchemaNode } from './node.js';

function copy<T>(v: T): T {
  return v === undefined ? v : (structuredClone(v) as T);
}

function nonNullableNull(v: unknown, s: SchemaNode | undefined): boolean {
  return v === null && s !== undefined && !s.nullable;
}

/** Applies defaults below `x` in place. */
export function applyDefaults(x: unknown, s: SchemaNode | undefined): void {
  if (!s) return;
  if (isObj(x)) {
    if (s.properties) {
      for (const [k, prop] of s.properties) {
        if (!prop.hasDefault) continue;
        if (!(k in x) || nonNullableNull(x[k], prop)) x[k] = copy(prop.default);
      }
    }
    const ap = typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined;
    for (const k of Object.keys(x)) {
      const prop = s.properties?.get(k);
      if (prop) applyDefaults(x[k], prop);
      else if (ap) {
        if (nonNullableNull(x[k], ap) && ap.hasDefault) x[k] = copy(ap.default);
        applyDefaults(x[k], ap);
      }
    }
  } else if (Array.isArray(x)) {
    for (let i = 0; i < x.length; i++) {
      if (nonNullableNull(x[i], s.items) && s.items?.hasDefault) x[i] = copy(s.items.default);
      applyDefaults(x[i], s.items);
    }
  }
}
