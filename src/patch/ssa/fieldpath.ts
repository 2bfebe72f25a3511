/**
 * Field paths and field sets, as structured-merge-diff's `fieldpath` package defines them, and
 * their FieldsV1 encoding (the `fieldsV1` of a managedFields entry).
 *
 * A path is a list of elements, each selecting a child of the node before it:
 *   - `f:<name>`  a field of a struct or a key of a map          → `.spec`
 *   - `k:<json>`  the item of a list-map whose key fields match   → `[name="nginx"]`
 *                 (key fields in sorted order: `k:{"containerPort":80,"protocol":"TCP"}`)
 *   - `v:<json>`  the item of a set with this value                → `[="example.com/x"]`
 *   - `i:<n>`     an item by index (only in paths of atomic lists)  → `[0]`
 * A set holds paths; holding a path says nothing about its parents. FieldsV1 nests the paths
 * as a tree of JSON objects: a leaf member is `{}`, and a node that is both a member and the
 * parent of members carries `".": {}` among its children.
 *
 * Worked example: the set
 *   .metadata.labels            (member: the labels map itself)
 *   .metadata.labels.app
 *   .spec.replicas
 *   .spec.template.spec.containers[name="nginx"]
 *   .spec.template.spec.containers[name="nginx"].image
 * encodes as (keys sorted: fields, then keys, then values, then indexes; each group sorted)
 *   {"f:metadata":{"f:labels":{".":{},"f:app":{}}},
 *    "f:spec":{"f:replicas":{},"f:template":{"f:spec":{"f:containers":
 *      {"k:{\"name\":\"nginx\"}":{".":{},"f:image":{}}}}}}}
 * `.spec` is not a member (no "." under "f:spec"); `.spec.replicas` is a leaf member.
 *
 * Owns: path elements, their order and renderings, set algebra, FieldsV1 encode/decode.
 * Must not: know schemas (see typed.ts) or managedFields entries (see managers.ts).
 */
import { compareStrings, compareValues, goJson, goJsonString, isMap, type JsonValue, valuesEqual, valueString } from './value.js';

/** One key field of a list-map item: [name, value]. */
export type KeyField = readonly [name: string, value: JsonValue];

/** One step of a path; exactly one property is set. Key fields are sorted by name. */
export type PathElement =
  | { readonly field: string }
  | { readonly key: readonly KeyField[] }
  | { readonly value: JsonValue }
  | { readonly index: number };

/** A path from the root of an object. */
export type Path = readonly PathElement[];

/** The FieldsV1 tree: every value is an object (`{}` for a leaf). */
export interface FieldsV1 {
  [key: string]: FieldsV1;
}

/** A field element `f:<name>`. */
export function fieldElement(name: string): PathElement {
  return { field: name };
}

/** A list-map key element; the key fields are sorted by name. */
export function keyElement(fields: Readonly<Record<string, JsonValue>>): PathElement {
  const key = Object.entries(fields).sort((a, b) => compareStrings(a[0], b[0]));
  return { key };
}

/** A set-member element `v:<json>`. */
export function valueElement(value: JsonValue): PathElement {
  return { value };
}

/** Builds a path: strings are field names, numbers indexes, objects elements as given. */
export function makePath(...parts: ReadonlyArray<string | number | PathElement>): Path {
  return parts.map((p) => (typeof p === 'string' ? { field: p } : typeof p === 'number' ? { index: p } : p));
}

function typeRank(e: PathElement): number {
  if ('field' in e) return 0;
  if ('key' in e) return 1;
  if ('value' in e) return 2;
  return 3;
}

function compareKeys(a: readonly KeyField[], b: readonly KeyField[]): number {
  for (let i = 0; ; i++) {
    if (i >= a.length && i >= b.length) return 0;
    if (i >= a.length) return -1;
    if (i >= b.length) return 1;
    const [an, av] = a[i] as KeyField;
    const [bn, bv] = b[i] as KeyField;
    const c = compareStrings(an, bn) || compareValues(av, bv);
    if (c !== 0) return c;
  }
}

/** PathElement.Compare: fields < keys < values < indexes, then by content. */
export function compareElements(a: PathElement, b: PathElement): number {
  const ra = typeRank(a);
  const rb = typeRank(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  if ('field' in a) return compareStrings(a.field, (b as { field: string }).field);
  if ('key' in a) return compareKeys(a.key, (b as { key: readonly KeyField[] }).key);
  if ('value' in a) return compareValues(a.value, (b as { value: JsonValue }).value);
  const bi = (b as { index: number }).index;
  return a.index < bi ? -1 : a.index > bi ? 1 : 0;
}

/** True when two elements select the same child. */
export function elementsEqual(a: PathElement, b: PathElement): boolean {
  if ('field' in a) return 'field' in b && a.field === b.field;
  if ('key' in a) {
    if (!('key' in b) || a.key.length !== b.key.length) return false;
    return a.key.every(([n, v], i) => n === (b.key[i] as KeyField)[0] && valuesEqual(v, (b.key[i] as KeyField)[1]));
  }
  if ('value' in a) return 'value' in b && valuesEqual(a.value, b.value);
  return 'index' in b && a.index === b.index;
}

/** The FieldsV1 key of an element: `f:name`, `k:{"name":"x"}`, `v:"x"`, `i:0`. */
export function serializeElement(e: PathElement): string {
  if ('field' in e) return `f:${e.field}`;
  if ('key' in e) return `k:{${e.key.map(([n, v]) => `${goJsonString(n)}:${goJson(v)}`).join(',')}}`;
  if ('value' in e) return `v:${goJson(e.value)}`;
  return `i:${e.index}`;
}

/**
 * Parses a FieldsV1 key; undefined for an unknown element type (dropped, as upstream does);
 * throws Error on a malformed key.
 */
export function deserializeElement(s: string): PathElement | undefined {
  if (s.length < 2) throw new Error('key must be 2 characters long:');
  if (s[1] !== ':') throw new Error(`missing colon: ${s}`);
  const body = s.slice(2);
  switch (s[0]) {
    case 'f':
      return { field: body };
    case 'v':
      return { value: JSON.parse(body) as JsonValue };
    case 'k': {
      const parsed: unknown = JSON.parse(body);
      if (!isMap(parsed)) throw new Error(`key element is not an object: ${s}`);
      return keyElement(parsed);
    }
    case 'i':
      if (!/^[+-]?\d+$/.test(body)) throw new Error(`strconv.Atoi: parsing ${JSON.stringify(body)}: invalid syntax`);
      return { index: Number(body) };
    default:
      return undefined;
  }
}

/** PathElement.String: `.name`, `[name="x",port=80]`, `[="x"]`, `[0]`. */
export function elementString(e: PathElement): string {
  if ('field' in e) return `.${e.field}`;
  if ('key' in e) return `[${e.key.map(([n, v]) => `${n}=${valueString(v)}`).join(',')}]`;
  if ('value' in e) return `[=${valueString(e.value)}]`;
  return `[${e.index}]`;
}

/** Path.String: `.spec.template.spec.containers[name="nginx"].image`. */
export function pathString(path: Path): string {
  return path.map(elementString).join('');
}

interface Child {
  readonly element: PathElement;
  readonly set: FieldSet;
}

const byElement = (a: { element: PathElement }, b: { element: PathElement }): number => compareElements(a.element, b.element);

/**
 * A set of field paths (fieldpath.Set): members of this level plus subsets below children.
 * `insert` mutates (for building); every other operation returns a new set. Empty child sets
 * are never kept, so a FieldSet round-trips through FieldsV1 unchanged.
 */
export class FieldSet {
  readonly #members = new Map<string, PathElement>();
  readonly #children = new Map<string, Child>();

  /** A set holding the given paths. */
  static of(...paths: Path[]): FieldSet {
    const set = new FieldSet();
    for (const p of paths) set.insert(p);
    return set;
  }

  /** Builds a level from its parts; empty child sets are dropped. */
  static fromParts(members: Iterable<PathElement>, children: Iterable<readonly [PathElement, FieldSet]>): FieldSet {
    const set = new FieldSet();
    for (const m of members) set.#members.set(serializeElement(m), m);
    for (const [element, child] of children) set.#putChild(element, child);
    return set;
  }

  #putChild(element: PathElement, child: FieldSet): void {
    if (!child.empty()) this.#children.set(serializeElement(element), { element, set: child });
  }

  /** Adds a path (not its parents); the empty path is ignored. Returns this set. */
  insert(path: Path): this {
    if (path.length === 0) return this;
    let level: FieldSet = this;
    for (let i = 0; i < path.length - 1; i++) {
      const element = path[i] as PathElement;
      const k = serializeElement(element);
      let child = level.#children.get(k);
      if (!child) {
        child = { element, set: new FieldSet() };
        level.#children.set(k, child);
      }
      level = child.set;
    }
    const last = path[path.length - 1] as PathElement;
    level.#members.set(serializeElement(last), last);
    return this;
  }

  /** True when `path` is a member. */
  has(path: Path): boolean {
    if (path.length === 0) return false;
    let level: FieldSet | undefined = this;
    for (let i = 0; i < path.length - 1 && level; i++) level = level.#children.get(serializeElement(path[i] as PathElement))?.set;
    return level !== undefined && level.#members.has(serializeElement(path[path.length - 1] as PathElement));
  }

  /** True when `element` is a member of this level. */
  hasMember(element: PathElement): boolean {
    return this.#members.has(serializeElement(element));
  }

  /** The subset below `element` (paths without the prefix); empty when none. */
  withPrefix(element: PathElement): FieldSet {
    return this.#children.get(serializeElement(element))?.set ?? new FieldSet();
  }

  /** True when no path is a member. */
  empty(): boolean {
    return this.#members.size === 0 && this.#children.size === 0;
  }

  /** The number of member paths. */
  get size(): number {
    let n = this.#members.size;
    for (const c of this.#children.values()) n += c.set.size;
    return n;
  }

  /** Members of this level, sorted. */
  members(): PathElement[] {
    return [...this.#members.values()].sort(compareElements);
  }

  /** Children of this level with their subsets, sorted. */
  children(): Array<[PathElement, FieldSet]> {
    return [...this.#children.values()].sort(byElement).map((c) => [c.element, c.set]);
  }

  /** Paths in either set. */
  union(other: FieldSet): FieldSet {
    const out = FieldSet.fromParts([...this.#members.values(), ...other.#members.values()], []);
    for (const [k, c] of this.#children) {
      const o = other.#children.get(k);
      out.#putChild(c.element, o ? c.set.union(o.set) : c.set);
    }
    for (const [k, o] of other.#children) if (!this.#children.has(k)) out.#putChild(o.element, o.set);
    return out;
  }

  /** Paths in both sets. */
  intersection(other: FieldSet): FieldSet {
    const out = FieldSet.fromParts([...this.#members].filter(([k]) => other.#members.has(k)).map(([, m]) => m), []);
    for (const [k, c] of this.#children) {
      const o = other.#children.get(k);
      if (o) out.#putChild(c.element, c.set.intersection(o.set));
    }
    return out;
  }

  /** Paths of this set not in `other`; a member of `other` does not remove paths below it. */
  difference(other: FieldSet): FieldSet {
    const out = FieldSet.fromParts([...this.#members].filter(([k]) => !other.#members.has(k)).map(([, m]) => m), []);
    for (const [k, c] of this.#children) {
      const o = other.#children.get(k);
      out.#putChild(c.element, o ? c.set.difference(o.set) : c.set);
    }
    return out;
  }

  /** Like difference, but a member of `other` also removes every path below it. */
  recursiveDifference(other: FieldSet): FieldSet {
    const out = FieldSet.fromParts([...this.#members].filter(([k]) => !other.#members.has(k)).map(([, m]) => m), []);
    for (const [k, c] of this.#children) {
      if (other.#members.has(k)) continue;
      const o = other.#children.get(k);
      out.#putChild(c.element, o ? c.set.recursiveDifference(o.set) : c.set);
    }
    return out;
  }

  /** Only the members that have no member below them. */
  leaves(): FieldSet {
    const out = FieldSet.fromParts([...this.#members].filter(([k]) => !this.#children.has(k)).map(([, m]) => m), []);
    for (const c of this.#children.values()) out.#putChild(c.element, c.set.leaves());
    return out;
  }

  /** True when both sets hold the same paths. */
  equals(other: FieldSet): boolean {
    if (this.#members.size !== other.#members.size || this.#children.size !== other.#children.size) return false;
    for (const k of this.#members.keys()) if (!other.#members.has(k)) return false;
    for (const [k, c] of this.#children) {
      const o = other.#children.get(k);
      if (!o || !c.set.equals(o.set)) return false;
    }
    return true;
  }

  /** Member paths in upstream's order: this level's members (sorted), then each child's paths. */
  *paths(prefix: Path = []): Generator<Path> {
    for (const m of this.members()) yield [...prefix, m];
    for (const [element, set] of this.children()) yield* set.paths([...prefix, element]);
  }

  /** One path per line, as fieldpath.Set.String. */
  toString(): string {
    return [...this.paths()].map(pathString).join('\n');
  }

  /** The FieldsV1 tree, keys in upstream's order (JSON.stringify of it is kube's encoding). */
  toFieldsV1(): FieldsV1 {
    return this.#emit(false);
  }

  #emit(includeSelf: boolean): FieldsV1 {
    const out: FieldsV1 = {};
    if (includeSelf && !this.empty()) out['.'] = {};
    const keys = new Map<string, PathElement>(this.#members);
    for (const [k, c] of this.#children) keys.set(k, c.element);
    const sorted = [...keys].sort((a, b) => compareElements(a[1], b[1]));
    for (const [k] of sorted) {
      const child = this.#children.get(k);
      out[k] = child ? child.set.#emit(this.#members.has(k)) : {};
    }
    return out;
  }

  /** Decodes a FieldsV1 tree (already JSON-parsed); unknown element types are dropped; throws Error when malformed. */
  static fromFieldsV1(fields: unknown): FieldSet {
    if (fields === null || fields === undefined) return new FieldSet();
    if (!isMap(fields)) throw new Error(`FieldsV1 must be a JSON object, got ${JSON.stringify(fields)}`);
    return FieldSet.#read(fields).children ?? new FieldSet();
  }

  /** readIterV1: a level's subset (undefined when it holds nothing) and whether its node is a member of the parent. */
  static #read(fields: Record<string, unknown>): { children: FieldSet | undefined; isMember: boolean } {
    let children: FieldSet | undefined;
    let isMember = false;
    for (const [key, value] of Object.entries(fields)) {
      if (key === '.') {
        isMember = true;
        continue;
      }
      const element = deserializeElement(key);
      if (!element) continue;
      if (value !== null && !isMap(value)) throw new Error(`parsing key as path element: ${key}: expected an object`);
      const below = value === null ? { children: undefined, isMember: true } : FieldSet.#read(value);
      if (below.isMember) (children ??= new FieldSet()).insert([element]);
      if (below.children) {
        children ??= new FieldSet();
        const k = serializeElement(element);
        const existing = children.#children.get(k);
        children.#putChild(element, existing ? existing.set.union(below.children) : below.children);
      }
    }
    if (!children) isMember = true;
    return { children, isMember };
  }
}
