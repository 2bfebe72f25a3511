/**
 * The schema view of server-side apply: an OpenAPI node turned into structured-merge-diff's
 * "atom" (scalar, list, map), with the rules kube-openapi's `schemaconv` uses to derive it:
 *   - lists: `x-kubernetes-list-type` first (`atomic`; `set`; `map` keyed by
 *     `x-kubernetes-list-map-keys`); otherwise `x-kubernetes-patch-strategy` `merge` or
 *     `merge,retainKeys` makes a list-map keyed by `x-kubernetes-patch-merge-key`, or a set when
 *     no merge key is given; everything else is atomic;
 *   - maps: granular unless `x-kubernetes-map-type: atomic`; declared properties are struct
 *     fields; other keys take `additionalProperties`, or an untyped ("deduced") type when the
 *     node has no properties or preserves unknown fields (inherited by nested schemas), or are
 *     not allowed at all;
 *   - a node without `type` may be any of the three (IntOrString, free-form values);
 *   - the deduced type: granular maps of deduced values, atomic lists, scalars; RawExtension is
 *     atomic as a whole; Quantity is a scalar.
 * An absent schema (a kind kubemu has none for) is the deduced type.
 * Owns: the schema-to-atom derivation. Must not: walk values (typed.ts) or load schemas.
 */
import type { JsonValue } from './value.js';

/**
 * What apply reads of a schema node: a structural subset of src/openapi/patch-meta.ts
 * `SchemaNode` (which satisfies it), plus an optional field default for list-map keys.
 */
export interface SsaSchema {
  readonly name?: string | undefined;
  readonly type: string | undefined;
  readonly patchStrategy: string | undefined;
  readonly patchMergeKey: string | undefined;
  readonly listType: 'atomic' | 'set' | 'map' | undefined;
  readonly listMapKeys: readonly string[] | undefined;
  readonly mapType: 'granular' | 'atomic' | undefined;
  readonly preserveUnknownFields: boolean;
  readonly hasFields: boolean;
  /** IntOrString (`format: int-or-string`): an untyped scalar. */
  readonly isIntOrString?: boolean;
  /** The schema's `default`, when the navigator exposes it (used for absent list-map key fields). */
  readonly defaultValue?: JsonValue | undefined;
  field(name: string): SsaSchema | undefined;
  items(): SsaSchema | undefined;
  additional(): SsaSchema | undefined;
}

/** The scalar kinds of structured-merge-diff. */
export type ScalarKind = 'string' | 'numeric' | 'boolean' | 'untyped';

/** A list: atomic, or associative with key fields (a list-map) or without (a set). */
export interface ListAtom {
  readonly atomic: boolean;
  /** Key field names of a list-map; empty for a set (and for atomic lists). */
  readonly keys: readonly string[];
  element(): SmdType;
  /** The default of key field `name` of the element type, if any. */
  keyDefault(name: string): JsonValue | undefined;
}

/** A map or struct: granular or atomic; struct fields by name, other keys by element type. */
export interface MapAtom {
  readonly atomic: boolean;
  /** The type of declared field `name`, undefined when not a struct field. */
  field(name: string): SmdType | undefined;
  /** The type of keys that are not struct fields; undefined when such keys are not allowed. */
  element(): SmdType | undefined;
}

const RAW_EXTENSION = 'io.k8s.apimachinery.pkg.runtime.RawExtension';
const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';

/**
 * Upstream declares `+default="TCP"` on the `protocol` key of ContainerPort and ServicePort;
 * the served documents lost those defaults, so list-map keys named `protocol` default to TCP
 * unless the schema says otherwise.
 */
const KEY_DEFAULTS: Readonly<Record<string, JsonValue>> = { protocol: 'TCP' };

/** One type of structured-merge-diff: which atoms a value of it may take. */
export class SmdType {
  /** The scalar kind a value may take, or undefined when the type has no scalar form. */
  readonly scalar: ScalarKind | undefined;
  readonly list: ListAtom | undefined;
  readonly map: MapAtom | undefined;

  private constructor(scalar: ScalarKind | undefined, list: ListAtom | undefined, map: MapAtom | undefined) {
    this.scalar = scalar;
    this.list = list;
    this.map = map;
  }

  /** Scalar, atomic list or atomic map of anything (`__untyped_atomic_`). */
  static readonly untypedAtomic: SmdType = (() => {
    const self: SmdType = new SmdType(
      'untyped',
      { atomic: true, keys: [], element: () => self, keyDefault: () => undefined },
      { atomic: true, field: () => undefined, element: () => self },
    );
    return self;
  })();

  /** Scalar, atomic list, or granular map of deduced values (`__untyped_deduced_`). */
  static readonly deduced: SmdType = (() => {
    const self: SmdType = new SmdType(
      'untyped',
      { atomic: true, keys: [], element: () => SmdType.untypedAtomic, keyDefault: () => undefined },
      { atomic: false, field: () => undefined, element: () => self },
    );
    return self;
  })();

  static readonly #cache = new WeakMap<SsaSchema, SmdType>();
  static readonly #preservingCache = new WeakMap<SsaSchema, SmdType>();

  /** The type of a schema node; `preserve` says an enclosing schema preserves unknown fields. */
  static of(schema: SsaSchema | undefined, preserve = false): SmdType {
    if (!schema) return SmdType.deduced;
    const cache = preserve ? SmdType.#preservingCache : SmdType.#cache;
    let type = cache.get(schema);
    if (!type) {
      type = SmdType.#build(schema, preserve || schema.preserveUnknownFields);
      cache.set(schema, type);
    }
    return type;
  }

  static #build(schema: SsaSchema, preserve: boolean): SmdType {
    if (schema.name === RAW_EXTENSION) return SmdType.untypedAtomic;
    if (schema.name === QUANTITY) return new SmdType('untyped', undefined, undefined);
    switch (schema.type) {
      case 'object':
        return new SmdType(undefined, undefined, mapAtom(schema, preserve));
      case 'array':
        return new SmdType(undefined, listAtom(schema, preserve), undefined);
      case 'string':
        return new SmdType(schema.isIntOrString ? 'untyped' : 'string', undefined, undefined);
      case 'integer':
      case 'number':
        return new SmdType('numeric', undefined, undefined);
      case 'boolean':
        return new SmdType('boolean', undefined, undefined);
      default:
        return new SmdType('untyped', listAtom(schema, preserve), mapAtom(schema, preserve));
    }
  }
}

function listAtom(schema: SsaSchema, preserve: boolean): ListAtom {
  let atomic = true;
  let keys: readonly string[] = [];
  if (schema.listType !== undefined) {
    atomic = schema.listType === 'atomic';
    if (schema.listType === 'map') keys = schema.listMapKeys ?? [];
  } else if (schema.patchStrategy === 'merge' || schema.patchStrategy === 'merge,retainKeys') {
    atomic = false;
    if (schema.patchMergeKey !== undefined) keys = [schema.patchMergeKey];
  }
  let element: SmdType | undefined;
  return {
    atomic,
    keys,
    element: () => (element ??= schema.items() ? SmdType.of(schema.items(), preserve) : SmdType.untypedAtomic),
    keyDefault: (name) => {
      const declared = schema.items()?.field(name)?.defaultValue;
      if (declared !== undefined) return declared;
      return keys.includes(name) ? KEY_DEFAULTS[name] : undefined;
    },
  };
}

function mapAtom(schema: SsaSchema, preserve: boolean): MapAtom {
  const fields = new Map<string, SmdType | undefined>();
  let element: SmdType | undefined | null = null;
  return {
    atomic: schema.mapType === 'atomic',
    field: (name) => {
      if (!fields.has(name)) {
        const child = schema.field(name);
        fields.set(name, child ? SmdType.of(child, preserve) : undefined);
      }
      return fields.get(name);
    },
    element: () => {
      if (element === null) {
        const additional = schema.additional();
        if (additional) element = SmdType.of(additional, preserve);
        else element = preserve || !schema.hasFields ? SmdType.deduced : undefined;
      }
      return element;
    },
  };
}
