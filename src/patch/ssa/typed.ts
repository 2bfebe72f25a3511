/**
 * Values walked by schema, as structured-merge-diff's `typed` package does: validation (the
 * errors of `AsTyped`), the field set a value sets (`ToFieldSet`), the comparison of two
 * values (`Compare`: added, modified, removed fields) and removal of a set of fields
 * (`RemoveItems`). Absent is `undefined`; `null` is a value.
 *
 * Worked example (Deployment schema): the applied configuration
 *   {spec: {replicas: 2, template: {spec: {containers: [{name: "nginx", image: "nginx:1"}]}}}}
 * sets
 *   .spec.replicas
 *   .spec.template.spec.containers[name="nginx"]          (list items own themselves)
 *   .spec.template.spec.containers[name="nginx"].image
 *   .spec.template.spec.containers[name="nginx"].name
 * but not `.spec` or `.spec.template`: struct fields holding non-empty values are not members,
 * while every key of a map (labels, or any untyped object) is, and so is an empty or null value.
 * Owns: schema-driven walks over JSON values. Must not: merge, or know managers.
 */
import { FieldSet, type PathElement, elementString, keyElement, serializeElement } from './fieldpath.js';
import { SmdType, type ListAtom } from './schema.js';
import { goQuote, isMap, isScalar, type JsonMap, type JsonValue, valuesEqual } from './value.js';

/** One error of a typed walk: the path (`.spec.replicas`) and the problem. */
export interface TypedErrorItem {
  path: string;
  message: string;
}

/** Errors of a typed walk, rendered as structured-merge-diff's ValidationErrors. */
export class TypedError extends Error {
  constructor(readonly errors: readonly TypedErrorItem[]) {
    super(renderErrors(errors));
    this.name = 'TypedError';
  }
}

function renderOne(e: TypedErrorItem): string {
  return e.path ? `${e.path}: ${e.message}` : e.message;
}

function renderErrors(errors: readonly TypedErrorItem[]): string {
  if (errors.length === 1) return renderOne(errors[0] as TypedErrorItem);
  return ['errors:', ...errors.map((e) => `  ${renderOne(e)}`)].join('\n');
}

type AtomKind = 'map' | 'scalar' | 'list';

/** deduceAtom + handleAtom: the form of `type` that `value` takes (map before scalar before list). */
export function atomOf(type: SmdType, value: unknown): AtomKind | undefined {
  if (isScalar(value) && type.scalar) return 'scalar';
  if (Array.isArray(value) && type.list) return 'list';
  if (isMap(value) && type.map) return 'map';
  if (type.map) return 'map';
  if (type.scalar) return 'scalar';
  if (type.list) return 'list';
  return undefined;
}

/** The type of map key `key`: its struct field, else the element type, else deduced (lenient). */
export function fieldType(type: SmdType, key: string): SmdType {
  return type.map?.field(key) ?? type.map?.element() ?? SmdType.deduced;
}

/** listItemToPathElement: the element naming a list item; throws Error with upstream's wording. */
export function itemElement(list: ListAtom, item: unknown): PathElement {
  if (list.atomic) throw new Error('invalid indexing of non-associative list');
  if (list.keys.length > 0) {
    if (item === null) throw new Error('associative list with keys may not have a null element');
    if (!isMap(item)) throw new Error('associative list with keys may not have non-map elements');
    const key: Record<string, JsonValue> = {};
    for (const name of list.keys) {
      if (item[name] !== undefined) key[name] = item[name] as JsonValue;
      else {
        const def = list.keyDefault(name);
        if (def !== undefined) key[name] = def;
      }
    }
    if (Object.keys(key).length === 0)
      throw new Error(
        `associative list with keys has an element that omits all key fields [${list.keys.map(goQuote).join(' ')}] (and doesn't have default values for any key fields)`,
      );
    return keyElement(key);
  }
  if (isMap(item)) throw new Error("associative list without keys has an element that's a map type");
  if (Array.isArray(item)) throw new Error('not supported: associative list with lists as elements');
  if (item === null) throw new Error("associative list without keys has an element that's an explicit null");
  return { value: item as JsonValue };
}

function describe(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

function scalarError(type: SmdType, value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  switch (type.scalar) {
    case 'numeric':
      return typeof value === 'number' ? undefined : `expected numeric (int or float), got ${Array.isArray(value) ? 'list' : typeof value}`;
    case 'string':
      return typeof value === 'string' ? undefined : `expected string, got ${describe(value)}`;
    case 'boolean':
      return typeof value === 'boolean' ? undefined : `expected boolean, got ${describe(value)}`;
    default:
      return isScalar(value) ? undefined : `expected any scalar, got ${describe(value)}`;
  }
}

/**
 * Validates a value against its type as `AsTyped` does: scalar kinds, map and list shapes,
 * list-map keys, duplicates (unless allowed) and undeclared fields. Returns the errors found.
 */
export function validate(value: unknown, type: SmdType, options: { allowDuplicates?: boolean } = {}): TypedErrorItem[] {
  const errors: TypedErrorItem[] = [];
  const walk = (v: unknown, t: SmdType, path: string): void => {
    const kind = atomOf(t, v);
    if (kind === 'scalar') {
      const problem = scalarError(t, v);
      if (problem) errors.push({ path, message: problem });
    } else if (kind === 'list') {
      if (v === null) return;
      if (!Array.isArray(v)) return void errors.push({ path, message: `expected list, got ${describe(v)}` });
      const list = t.list as ListAtom;
      const seen = new Set<string>();
      for (let i = 0; i < v.length; i++) {
        let pe: PathElement = { index: i };
        if (!list.atomic) {
          try {
            pe = itemElement(list, v[i]);
          } catch (err) {
            return void errors.push({ path, message: `element ${i}: ${(err as Error).message}` });
          }
          const k = serializeElement(pe);
          if (seen.has(k) && !options.allowDuplicates) errors.push({ path, message: `duplicate entries for key ${elementString(pe)}` });
          seen.add(k);
        }
        walk(v[i], list.element(), path + elementString(pe));
      }
    } else if (kind === 'map') {
      if (v === null) return;
      if (!isMap(v)) return void errors.push({ path, message: `expected map, got ${describe(v)}` });
      for (const [key, child] of Object.entries(v)) {
        const ft = t.map?.field(key) ?? t.map?.element();
        if (!ft) return void errors.push({ path: `${path}.${key}`, message: 'field not declared in schema' });
        walk(child, ft, `${path}.${key}`);
      }
    } else errors.push({ path, message: 'schema error: invalid atom: inlined' });
  };
  walk(value, type, '');
  return errors;
}

/** ToFieldSet: the fields a value sets (see the module header). Items that cannot be keyed are skipped. */
export function toFieldSet(value: unknown, type: SmdType): FieldSet {
  const set = new FieldSet();
  const walk = (v: unknown, t: SmdType, path: PathElement[]): void => {
    const kind = atomOf(t, v);
    if (kind === 'scalar') set.insert(path);
    else if (kind === 'list') {
      const list = t.list as ListAtom;
      if (list.atomic) return void set.insert(path);
      if (!Array.isArray(v)) return;
      const items = v.map((item) => {
        try {
          return itemElement(list, item);
        } catch {
          return undefined;
        }
      });
      const seen = new Set<string>();
      const duplicates = new Set<string>();
      for (const pe of items) {
        if (!pe) continue;
        const k = serializeElement(pe);
        if (seen.has(k)) {
          if (!duplicates.has(k)) set.insert([...path, pe]);
          duplicates.add(k);
        } else seen.add(k);
      }
      v.forEach((item, i) => {
        const pe = items[i];
        if (!pe || duplicates.has(serializeElement(pe))) return;
        walk(item, list.element(), [...path, pe]);
        set.insert([...path, pe]);
      });
    } else if (kind === 'map') {
      if (t.map?.atomic) return void set.insert(path);
      if (!isMap(v)) return;
      for (const [key, child] of Object.entries(v)) {
        const childPath = [...path, { field: key }];
        const declared = t.map?.field(key);
        walk(child, declared ?? fieldType(t, key), childPath);
        if (child === null || (isMap(child) && Object.keys(child).length === 0) || !declared) set.insert(childPath);
      }
    }
  };
  walk(value, type, []);
  return set;
}

/** The fields two values differ by: `added` (absent before), `modified`, `removed` (absent after). */
export interface Comparison {
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
}

/** Compare: the fields `rhs` adds to, modifies in and removes from `lhs` (either may be undefined). */
export function compare(lhs: unknown, rhs: unknown, type: SmdType): Comparison {
  const c: Comparison = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
  const node = (l: unknown, r: unknown, t: SmdType, path: PathElement[]): void => {
    const ctx = { inLeaf: false };
    const kl = atomOf(t, l);
    const kr = atomOf(t, r);
    if (r === undefined) handle(kl, l, r, t, path, ctx);
    else if (l === undefined || kl === kr) handle(kr, l, r, t, path, ctx);
    else {
      handle(kl, l, r, t, path, { inLeaf: false });
      handle(kr, l, r, t, path, ctx);
    }
    if (!ctx.inLeaf) {
      if (l === undefined) c.added.insert(path);
      else if (r === undefined) c.removed.insert(path);
    }
  };
  const leaf = (l: unknown, r: unknown, path: PathElement[], ctx: { inLeaf: boolean }): void => {
    if (ctx.inLeaf) return;
    ctx.inLeaf = true;
    if (l === undefined) c.added.insert(path);
    else if (r === undefined) c.removed.insert(path);
    else if (!valuesEqual(l, r)) c.modified.insert(path);
  };
  const handle = (kind: AtomKind | undefined, l: unknown, r: unknown, t: SmdType, path: PathElement[], ctx: { inLeaf: boolean }): void => {
    if (kind === 'scalar') {
      if (scalarError(t, l) && scalarError(t, r)) return;
      leaf(l, r, path, ctx);
    } else if (kind === 'list') {
      const ll = Array.isArray(l) ? l : undefined;
      const rl = Array.isArray(r) ? r : undefined;
      const list = t.list as ListAtom;
      if (list.atomic || (!ll?.length && !rl?.length)) return leaf(l, r, path, ctx);
      compareItems(list, ll ?? [], rl ?? [], path);
    } else if (kind === 'map') {
      const lm = isMap(l) ? l : undefined;
      const rm = isMap(r) ? r : undefined;
      const empty = (m: JsonMap | undefined): boolean => !m || Object.keys(m).length === 0;
      if (t.map?.atomic || (empty(lm) && empty(rm))) return leaf(l, r, path, ctx);
      for (const key of new Set([...Object.keys(lm ?? {}), ...Object.keys(rm ?? {})]))
        node(lm?.[key], rm?.[key], fieldType(t, key), [...path, { field: key }]);
    }
  };
  const compareItems = (list: ListAtom, ll: unknown[], rl: unknown[], path: PathElement[]): void => {
    const order: PathElement[] = [];
    const lv = new Map<string, unknown[]>();
    const rv = new Map<string, unknown[]>();
    const index = (items: unknown[], into: Map<string, unknown[]>, other?: Map<string, unknown[]>): void => {
      for (const item of items) {
        let pe: PathElement;
        try {
          pe = itemElement(list, item);
        } catch {
          continue;
        }
        const k = serializeElement(pe);
        const found = into.get(k);
        if (found) found.push(item);
        else {
          into.set(k, [item]);
          if (!other?.has(k)) order.push(pe);
        }
      }
    };
    index(ll, lv);
    index(rl, rv, lv);
    for (const pe of order) {
      const k = serializeElement(pe);
      const l = lv.get(k) ?? [];
      const r = rv.get(k) ?? [];
      const itemPath = [...path, pe];
      if (l.length <= 1 && r.length <= 1) node(l[0], r[0], list.element(), itemPath);
      else if (l.length >= 2 && r.length >= 2) {
        if (l.length !== r.length || !l.every((x, i) => valuesEqual(x, r[i]))) c.modified.insert(itemPath);
      } else if (l.length >= 2) {
        if (r.length) node(undefined, r[0], list.element(), itemPath);
        c.removed.insert(itemPath);
      } else {
        if (l.length) node(l[0], undefined, list.element(), itemPath);
        c.added.insert(itemPath);
      }
    }
  };
  node(lhs, rhs, type, []);
  return c;
}

/**
 * RemoveItems: `value` without the fields in `toRemove` (a member removes the whole field or
 * item; paths below a field remove inside it). Maps and lists left empty by the removal are
 * dropped (undefined), as kube-apiserver drops the nulls upstream leaves there.
 */
export function removeItems(value: unknown, toRemove: FieldSet, type: SmdType): unknown {
  const kind = atomOf(type, value);
  if (kind === 'scalar') return value;
  if (kind === 'list') {
    const list = type.list as ListAtom;
    if (!Array.isArray(value) || value.length === 0 || list.atomic) return undefined;
    const out: unknown[] = [];
    for (let item of value) {
      let pe: PathElement;
      try {
        pe = itemElement(list, item);
      } catch {
        out.push(item);
        continue;
      }
      if (toRemove.hasMember(pe)) continue;
      const below = toRemove.withPrefix(pe);
      if (!below.empty()) item = removeItems(item, below, list.element());
      if (item !== undefined) out.push(item);
    }
    return out.length > 0 ? out : undefined;
  }
  if (kind === 'map') {
    if (!isMap(value) || Object.keys(value).length === 0 || type.map?.atomic) return undefined;
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) {
      const pe = { field: key };
      if (toRemove.hasMember(pe)) continue;
      const below = toRemove.withPrefix(pe);
      const kept = below.empty() ? child : removeItems(child, below, fieldType(type, key));
      if (kept !== undefined) out[key] = kept;
    }
    return Object.keys(out).length > 0 ? out : undefined;
  }
  return value;
}

/** EnsureNamedFieldsAreMembers: `set` plus every struct field that has members below it. */
export function ensureNamedFieldsAreMembers(set: FieldSet, type: SmdType | undefined): FieldSet {
  const children = set.children();
  const members = [...set.members()];
  for (const [pe] of children) if ('field' in pe && type?.map?.field(pe.field)) members.push(pe);
  return FieldSet.fromParts(
    members,
    children.map(([pe, child]): [PathElement, FieldSet] => {
      let childType: SmdType | undefined;
      if ('field' in pe && type?.map) childType = fieldType(type, pe.field);
      else if ('key' in pe && type?.list) childType = type.list.element();
      return [pe, ensureNamedFieldsAreMembers(child, childType)];
    }),
  );
}
