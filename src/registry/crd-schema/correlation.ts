/**
 * Old/new value correlation for validation ratcheting (CRDValidationRatcheting, on since 1.30),
 * as k8s.io/apiserver pkg/cel/common CorrelatedObject: object fields correlate by name when the
 * schema knows them (property or additionalProperties), list-type=map items by their keys; other
 * list items never correlate. A node is unchanged when it deep-equals its old value through that
 * correlation (cached).
 * Owns: correlation and the unchanged test. Must not: validate.
 */
import { isObj, type SchemaNode } from './node.js';

/** A new value paired with its correlated old value. */
export class Correlated {
  #equal: boolean | undefined;
  #children = new Map<string | number, Correlated | undefined>();
  #oldByKey: Map<string, unknown> | undefined;

  constructor(readonly value: unknown, readonly old: unknown, readonly schema: SchemaNode | undefined) {}

  /** The correlated child for field `k`, if any. */
  key(k: string): Correlated | undefined {
    if (this.#children.has(k)) return this.#children.get(k);
    let c: Correlated | undefined;
    if (isObj(this.value) && isObj(this.old) && k in this.value && k in this.old && this.schema) {
      const s = this.schema.properties?.get(k) ?? (typeof this.schema.additionalProperties === 'object' ? this.schema.additionalProperties : undefined);
      if (s) c = new Correlated(this.value[k], this.old[k], s);
    }
    this.#children.set(k, c);
    return c;
  }

  /** The correlated child for list index `i` (list-type=map only). */
  index(i: number): Correlated | undefined {
    if (this.#children.has(i)) return this.#children.get(i);
    let c: Correlated | undefined;
    const s = this.schema;
    if (Array.isArray(this.value) && Array.isArray(this.old) && i < this.value.length && s?.listType === 'map' && s.items) {
      this.#oldByKey ??= indexByKeys(this.old, s.listMapKeys);
      const k = mapKey(this.value[i], s.listMapKeys);
      if (k !== undefined && this.#oldByKey.has(k)) c = new Correlated(this.value[i], this.#oldByKey.get(k), s.items);
    }
    this.#children.set(i, c);
    return c;
  }

  /** CachedDeepEqual: unchanged from the old value. */
  equal(): boolean {
    return (this.#equal ??= this.#compare());
  }

  #compare(): boolean {
    const { value: v, old: o } = this;
    if (v == null && o == null) return true;
    if (v == null || o == null) return false;
    if (Array.isArray(v) !== Array.isArray(o) || isObj(v) !== isObj(o)) return false;
    if (Array.isArray(v) && Array.isArray(o)) {
      if (v.length !== o.length) return false;
      if (this.schema?.listType !== 'map') return deepEqual(v, o);
      return v.every((_, i) => this.index(i)?.equal() === true);
    }
    if (isObj(v) && isObj(o)) {
      const keys = Object.keys(v);
      return keys.length === Object.keys(o).length && keys.every((k) => this.key(k)?.equal() === true);
    }
    return v === o;
  }
}

/** reflect.DeepEqual over decoded JSON. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) return a.length === (b as unknown[]).length && a.every((x, i) => deepEqual(x, (b as unknown[])[i]));
  const ka = Object.keys(a);
  const bo = b as Record<string, unknown>;
  return ka.length === Object.keys(bo).length && ka.every((k) => k in bo && deepEqual((a as Record<string, unknown>)[k], bo[k]));
}

/** The identity of a list-type=map item (its key values). */
export function mapKey(item: unknown, keys: readonly string[]): string | undefined {
  if (!isObj(item)) return undefined;
  return JSON.stringify(keys.map((k) => item[k] ?? null));
}

/** Old items by key, the first of duplicates winning. */
export function indexByKeys(list: unknown[], keys: readonly string[]): Map<string, unknown> {
  const m = new Map<string, unknown>();
  for (const item of list) {
    const k = mapKey(item, keys);
    if (k !== undefined && !m.has(k)) m.set(k, item);
  }
  return m;
}
