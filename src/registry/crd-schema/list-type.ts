/**
 * x-kubernetes-list-type `set` and `map` invariants of custom resources (apiextensions-apiserver
 * listtype/validation.go): duplicates reported at the index of their second occurrence.
 * Owns: list uniqueness. Must not: validate anything else.
 */
import type { FieldError } from '../../api/field-errors.js';
import { duplicate, invalid } from './go-value.js';
import { isObj, type SchemaNode } from './node.js';

/** Validates set/map lists below the object `obj` (field paths as field.Path renders them). */
export function validateListSetsAndMaps(s: SchemaNode | undefined, obj: Record<string, unknown>, path = ''): FieldError[] {
  const errs: FieldError[] = [];
  walkObject(s, obj, path, errs);
  return errs;
}

function walkObject(s: SchemaNode | undefined, obj: Record<string, unknown>, path: string, errs: FieldError[]): void {
  if (!s) return;
  const ap = typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined;
  for (const [k, v] of Object.entries(obj)) {
    const p = s.properties?.get(k);
    if (p) walk(p, v, path ? `${path}.${k}` : k, errs);
    else if (ap) walk(ap, v, `${path}[${k}]`, errs);
  }
}

function walk(s: SchemaNode, v: unknown, path: string, errs: FieldError[]): void {
  if (Array.isArray(v)) {
    if (s.listType === 'set') {
      for (const i of nonUnique(v)) errs.push(duplicate(`${path}[${i}]`, v[i]));
    } else if (s.listType === 'map') {
      errs.push(...listMap(s, v, path));
    }
    if (s.items) for (let i = 0; i < v.length; i++) walk(s.items, v[i], `${path}[${i}]`, errs);
  } else if (isObj(v)) {
    walkObject(s, v, path, errs);
  }
}

/** Indices of second occurrences (each duplicated value reported once), as upstream. */
function nonUnique(list: unknown[]): number[] {
  if (list.length <= 1) return [];
  const seen = new Map<string, number>();
  const out: number[] = [];
  for (let i = 0; i < list.length; i++) {
    const x = list[i];
    const key = typeof x === 'object' && x !== null ? `c${stableJSON(x)}` : `s${typeof x}:${String(x)}`;
    const times = seen.get(key);
    if (times === undefined) seen.set(key, 1);
    else {
      seen.set(key, times + 1);
      if (times === 1) out.push(i);
    }
  }
  return out;
}

/** JSON with sorted keys (Go's json.Marshal of a map sorts keys). */
function stableJSON(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJSON).join(',')}]`;
  if (isObj(v)) return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${stableJSON(v[k])}`).join(',')}}`;
  return JSON.stringify(v);
}

function listMap(s: SchemaNode, list: unknown[], path: string): FieldError[] {
  for (let i = 0; i < list.length; i++) {
    const x = list[i];
    if (x !== null && !isObj(x)) return [invalid(`${path}[${i}]`, x, 'must be an object for an array of list-type map')];
  }
  if (list.length <= 1) return [];
  const keys = list.map((x) => {
    const key: Record<string, unknown> = {};
    if (isObj(x)) for (const k of s.listMapKeys) if (k in x) key[k] = x[k];
    return key;
  });
  return nonUnique(keys).map((i) => duplicate(`${path}[${i}]`, keys[i]));
}
