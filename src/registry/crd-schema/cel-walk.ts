/**
 * Walks a custom resource (and its old version) along the schema, evaluating each node's CEL
 * rules with `self`/`oldSelf` correlated as upstream (properties by name, granular maps by key,
 * list-type map items by their keys; other lists are not correlatable).
 * Owns: the traversal order of CEL validation. Must not: compile rules.
 */
import type { FieldError } from '../../api/field-errors.js';
import { compileRules, evalRules, type Sink } from './cel.js';
import { Correlated, indexByKeys, mapKey } from './correlation.js';
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
      const c = compileRules(s.validations, where, this.warnings, s);
      if (c.length) this.#byNode.set(s, c);
    }
    if (s.properties) for (const [k, p] of s.properties) this.#collect(p, `${where}.properties[${k}]`);
    if (typeof s.additionalProperties === 'object') this.#collect(s.additionalProperties, `${where}.additionalProperties`);
    if (s.items) this.#collect(s.items, `${where}.items`);
    s.allOf.forEach((a, i) => this.#collect(a, `${where}.allOf[${i}]`));
  }

  /**
   * Evaluates all rules over `obj` (with `old` for transition rules when given). With `ratchet`
   * (an update), failures of rules without oldSelf on unchanged nodes go to `warnings` instead.
   */
  validate(root: SchemaNode, obj: unknown, old: unknown, hasOld: boolean, ratchet?: { warnings: string[] }): FieldError[] {
    const errs: FieldError[] = [];
    const r: Ratchet | undefined = ratchet && hasOld ? { cur: new Correlated(obj, old, root), warnings: ratchet.warnings } : undefined;
    this.#walk(root, obj, old, hasOld, '', errs, r);
    return errs;
  }

  #walk(s: SchemaNode, x: unknown, old: unknown, hasOld: boolean, path: string, errs: FieldError[], r: Ratchet | undefined): void {
    if (x === null || x === undefined) return;
    const oldOk = hasOld && old !== null && old !== undefined;
    const rules = this.#byNode.get(s);
    const sink = (rt: Ratchet | undefined): Sink => ({ errs, warnings: rt?.warnings, ratchet: rt !== undefined && shouldRatchet(rt) });
    if (rules) evalRules(rules, s, x, old, oldOk, path, sink(r));
    for (const a of s.allOf) {
      const rs = this.#byNode.get(a);
      // allOf errors ratchet only through the nearest correlatable parent (as upstream)
      if (rs) evalRules(rs, a, x, old, oldOk, path, sink(r && { parent: r.parent, warnings: r.warnings }));
    }
    if (Array.isArray(x)) {
      if (!s.items) return;
      const oldList = oldOk && Array.isArray(old) ? old : undefined;
      const keyed = s.listType === 'map' && oldList ? indexByKeys(oldList, s.listMapKeys) : undefined;
      x.forEach((item, i) => {
        const key = keyed ? mapKey(item, s.listMapKeys) : undefined;
        const has = key !== undefined && keyed!.has(key);
        this.#walk(s.items!, item, has ? keyed!.get(key!) : undefined, has, `${path}[${i}]`, errs, r && step(r, r.cur?.index(i)));
      });
    } else if (isObj(x)) {
      const oldMap = oldOk && isObj(old) ? old : undefined;
      const ap = typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined;
      for (const [k, v] of Object.entries(x)) {
        const prop = s.properties?.get(k);
        const rk = r && (r.cur && !r.parent && (k === 'apiVersion' || k === 'kind') ? { warnings: r.warnings } : step(r, r.cur?.key(k)));
        if (prop) {
          this.#walk(prop, v, oldMap?.[k], oldMap !== undefined && k in oldMap, path ? `${path}.${k}` : k, errs, rk);
        } else if (ap) {
          const correlate = oldMap !== undefined && s.mapType !== 'atomic' && k in oldMap;
          this.#walk(ap, v, correlate ? oldMap[k] : undefined, correlate, `${path}[${k}]`, errs, rk);
        }
      }
    }
  }
}

/** ratchetingOptions: the current correlation and the nearest correlatable parent. */
interface Ratchet {
  cur?: Correlated;
  parent?: Correlated;
  warnings: string[];
}

function step(r: Ratchet, child: Correlated | undefined): Ratchet {
  return r.cur ? { cur: child, parent: r.cur, warnings: r.warnings } : r;
}

function shouldRatchet(r: Ratchet): boolean {
  return r.cur ? r.cur.equal() : r.parent?.equal() === true;
}
