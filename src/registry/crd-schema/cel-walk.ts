/**
 * Walks a custom resource (and its old version) along the schema, evaluating each node's CEL
 * rules with `self`/`oldSelf` correlated as upstream (properties by name, granular maps by key,
 * list-type map items by their keys; other lists are not correlatable).
 * Owns: the traversal order of CEL validation. Must not: compile rules.
 */
import type { FieldError } from '../../api/field-errors.js';
import { compileRules, evalRules } from './cel.js';
import { isObj, type SchemaNode } from './node.js';

type Compiled = ReturnType<typeof compileRules>;

/** Per-node compiled rules, built once. */
export class CelRules {
  #byNode = new Map<SchemaNode, Compiled>();
  readonly warnings: string[] = [];

  constructor(root: SchemaNode, where: string) {
    this.#collect(root, where);
  }

  /** Whether any rule is to be evaluated. */
  get empty(): boolean {
    return this.#byNode.size === 0;
  }

  #collect(s: SchemaNode, where: string): void {
    if (s.validations.length) {
      const c = compileRules(s.validations, where, this.warnings);
      if (c.length) this.#byNode.set(s, c);
    }
    if (s.properties) for (const [k, p] of s.properties) this.#collect(p, `${where}.properties[${k}]`);
    if (typeof s.additionalProperties === 'object') this.#collect(s.additionalProperties, `${where}.additionalProperties`);
    if (s.items) this.#collect(s.items, `${where}.items`);
    s.allOf.forEach((a, i) => this.#collect(a, `${where}.allOf[${i}]`));
  }

  /** Evaluates all rules over `obj` (with `old` for transition rules when given). */
  validate(root: SchemaNode, obj: unknown, old: unknown, hasOld: boolean): FieldError[] {
    const errs: FieldError[] = [];
    this.#walk(root, obj, old, hasOld, '', errs);
    return errs;
  }

  #walk(s: SchemaNode, x: unknown, old: unknown, hasOld: boolean, path: string, errs: FieldError[]): void {
    if (x === null || x === undefined) return;
    const oldOk = hasOld && old !== null && old !== undefined;
    const rules = this.#byNode.get(s);
    if (rules) evalRules(rules, s, x, old, oldOk, path, errs);
    for (const a of s.allOf) {
      const r = this.#byNode.get(a);
      if (r) evalRules(r, a, x, old, oldOk, path, errs);
    }
    if (Array.isArray(x)) {
      if (!s.items) return;
      const oldList = oldOk && Array.isArray(old) ? old : undefined;
      const keyed = s.listType === 'map' && oldList ? indexByKeys(oldList, s.listMapKeys) : undefined;
      x.forEach((item, i) => {
        const key = keyed ? mapKey(item, s.listMapKeys) : undefined;
        const has = key !== undefined && keyed!.has(key);
        this.#walk(s.items!, item, has ? keyed!.get(key!) : undefined, has, `${path}[${i}]`, errs);
      });
    } else if (isObj(x)) {
      const oldMap = oldOk && isObj(old) ? old : undefined;
      const ap = typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined;
      for (const [k, v] of Object.entries(x)) {
        const prop = s.properties?.get(k);
        if (prop) {
          this.#walk(prop, v, oldMap?.[k], oldMap !== undefined && k in oldMap, path ? `${path}.${k}` : k, errs);
        } else if (ap) {
          const correlate = oldMap !== undefined && s.mapType !== 'atomic' && k in oldMap;
          this.#walk(ap, v, correlate ? oldMap[k] : undefined, correlate, `${path}[${k}]`, errs);
        }
      }
    }
  }
}

function mapKey(item: unknown, keys: readonly string[]): string | undefined {
  if (!isObj(item)) return undefined;
  return JSON.stringify(keys.map((k) => item[k] ?? null));
}

function indexByKeys(list: unknown[], keys: readonly string[]): Map<string, unknown> {
  const m = new Map<string, unknown>();
  for (const item of list) {
    const k = mapKey(item, keys);
    if (k !== undefined && !m.has(k)) m.set(k, item);
  }
  return m;
}
