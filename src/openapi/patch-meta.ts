/**
 * A navigator over OpenAPI v3 schemas for merge semantics: strategic merge patch today,
 * server-side apply later. `schemaNodeFor(group, version, kind)` finds the kind's schema in the
 * served document of its group-version (src/openapi/schemas.ts) and wraps it in a SchemaNode
 * that walks fields, items and additionalProperties, resolving `$ref` and `allOf` wrappers,
 * and exposes the `x-kubernetes-*` extensions that drive merging.
 *
 * Everything is lazy: a group-version document is parsed on the first kind asked of it, a node
 * is built when first reached and cached in its parent, and the nodes of named schemas are
 * shared, so recursive types (JSONSchemaProps) cost nothing until walked. A change of the
 * schema source (./source.ts) drops them.
 *
 * A field node is layered: the property schema (which carries field-level extensions such as
 * the patch strategy), then what its `allOf[0]` / `$ref` resolve to (which carries type-level
 * ones such as `x-kubernetes-map-type: atomic` on LabelSelector). The first layer that says
 * something wins. Worked example, PodSpec.volumes:
 *
 *   layer 0  {type: array, items: {$ref: Volume}, x-kubernetes-patch-strategy: "merge,retainKeys",
 *             x-kubernetes-patch-merge-key: name}
 *   node     type "array", patchStrategy "merge,retainKeys", patchMergeKey "name"
 *   items()  layer 0 {$ref: Volume} → layer 1 = components.schemas["io.k8s.api.core.v1.Volume"]
 *            → name "io.k8s.api.core.v1.Volume", field("configMap") → ConfigMapVolumeSource
 *
 * Field-level extensions of `$ref` fields (DeploymentSpec.strategy `retainKeys`) come in
 * kube-apiserver's v3 shape, `{allOf: [{$ref}], x-kubernetes-...}`: the generator's overlay
 * writes them for the bundled schemas, and `--openapi` files carry them.
 * Owns: schema navigation and patch metadata. Must not: merge anything or know HTTP.
 */
import { isObject, SCHEMA_REF_PREFIX, type Json, type JsonObject } from './json.js';
import { gvPathOf } from './paths.js';
import { groupVersions as servedGroupVersions, openapiV3Document } from './schemas.js';
import { onSchemaSourceChange } from './source.js';

/** One node of a schema tree, as merge code sees it. */
export interface SchemaNode {
  /** components.schemas name of the type the node resolves to (`io.k8s.api.core.v1.PodSpec`), if any. */
  readonly name: string | undefined;
  /** `object`, `array`, `string`, `integer`, `number`, `boolean`; undefined when the schema does not say. */
  readonly type: string | undefined;
  /** `x-kubernetes-patch-strategy` as written: `merge`, `retainKeys`, `merge,retainKeys`, `replace`. */
  readonly patchStrategy: string | undefined;
  /** `x-kubernetes-patch-merge-key` (`name`, `containerPort`, `mountPath`, `type`, `uid`, ...). */
  readonly patchMergeKey: string | undefined;
  /** `x-kubernetes-list-type`. */
  readonly listType: 'atomic' | 'set' | 'map' | undefined;
  /** `x-kubernetes-list-map-keys` (only with listType `map`). */
  readonly listMapKeys: readonly string[] | undefined;
  /** `x-kubernetes-map-type`. */
  readonly mapType: 'granular' | 'atomic' | undefined;
  /** `x-kubernetes-int-or-string: true` or `format: int-or-string` (IntOrString). */
  readonly isIntOrString: boolean;
  /** `x-kubernetes-preserve-unknown-fields: true`. */
  readonly preserveUnknownFields: boolean;
  /** `x-kubernetes-embedded-resource: true`. */
  readonly embeddedResource: boolean;
  /** The schema's `default`, if it declares one. */
  readonly defaultValue: Json | undefined;
  /** True when the schema declares `properties` (a struct, in Go terms). */
  readonly hasFields: boolean;
  /** Names of the declared properties, in schema order. */
  fieldNames(): readonly string[];
  /** The schema of property `name`, or undefined when not declared. */
  field(name: string): SchemaNode | undefined;
  /** The schema of the items of an array. */
  items(): SchemaNode | undefined;
  /** The schema of map values (`additionalProperties` when it is a schema). */
  additional(): SchemaNode | undefined;
}

/** Longest `allOf`/`$ref` chain followed before giving up (guards against reference cycles). */
const MAX_RESOLVE_DEPTH = 16;

/** The component schemas of one document, with the nodes of named schemas built so far. */
class SchemaSet {
  readonly #schemas: JsonObject;
  readonly #named = new Map<string, Node>();

  constructor(schemas: JsonObject) {
    this.#schemas = schemas;
  }

  /** The shared node of a named schema; undefined when the name is not in the document. */
  named(name: string): Node | undefined {
    let node = this.#named.get(name);
    if (node) return node;
    const schema = this.#schemas[name];
    if (!isObject(schema)) return undefined;
    node = new Node(this, this.#resolve([schema], name));
    this.#named.set(name, node);
    return node;
  }

  /** A node for an inline schema: the shared named node when it is a bare `$ref`. */
  inline(schema: JsonObject): Node {
    const ref = bareRef(schema);
    if (ref !== undefined) {
      const named = this.named(ref);
      if (named) return named;
    }
    return new Node(this, this.#resolve([schema], undefined));
  }

  /** Follows `allOf[0]` and `$ref` from the last layer; returns layers and the last resolved name. */
  #resolve(layers: JsonObject[], name: string | undefined): Layers {
    let current = layers[layers.length - 1] as JsonObject;
    for (let depth = 0; depth < MAX_RESOLVE_DEPTH; depth++) {
      const allOf = current['allOf'];
      const ref = current['$ref'];
      let next: Json | undefined;
      if (Array.isArray(allOf) && allOf.length > 0) {
        next = allOf[0];
      } else if (typeof ref === 'string' && ref.startsWith(SCHEMA_REF_PREFIX)) {
        name = ref.slice(SCHEMA_REF_PREFIX.length);
        next = this.#schemas[name];
      }
      if (!isObject(next)) break;
      layers.push(next);
      current = next;
    }
    return { layers, name };
  }
}

interface Layers {
  layers: JsonObject[];
  name: string | undefined;
}

/** The target name of a schema that is nothing but `{$ref}`. */
function bareRef(schema: JsonObject): string | undefined {
  const ref = schema['$ref'];
  if (typeof ref !== 'string' || !ref.startsWith(SCHEMA_REF_PREFIX)) return undefined;
  for (const key in schema) if (key !== '$ref' && key !== 'description') return undefined;
  return ref.slice(SCHEMA_REF_PREFIX.length);
}

/** First value of `key` across layers. */
function first(layers: readonly JsonObject[], key: string): Json | undefined {
  for (const layer of layers) {
    const value = layer[key];
    if (value !== undefined) return value;
  }
  return undefined;
}

function oneOf<T extends string>(value: Json | undefined, allowed: readonly T[]): T | undefined {
  return typeof value === 'string' && (allowed as readonly string[]).includes(value) ? (value as T) : undefined;
}

class Node implements SchemaNode {
  readonly name: string | undefined;
  readonly type: string | undefined;
  readonly patchStrategy: string | undefined;
  readonly patchMergeKey: string | undefined;
  readonly listType: 'atomic' | 'set' | 'map' | undefined;
  readonly listMapKeys: readonly string[] | undefined;
  readonly mapType: 'granular' | 'atomic' | undefined;
  readonly isIntOrString: boolean;
  readonly preserveUnknownFields: boolean;
  readonly embeddedResource: boolean;
  readonly defaultValue: Json | undefined;
  readonly hasFields: boolean;
  readonly #set: SchemaSet;
  readonly #properties: JsonObject | undefined;
  readonly #itemsSchema: JsonObject | undefined;
  readonly #additionalSchema: JsonObject | undefined;
  #fields: Map<string, Node | undefined> | undefined;
  #items: Node | undefined;
  #additional: Node | undefined;

  constructor(set: SchemaSet, { layers, name }: Layers) {
    this.#set = set;
    this.name = name;
    const type = first(layers, 'type');
    this.type = typeof type === 'string' ? type : undefined;
    const strategy = first(layers, 'x-kubernetes-patch-strategy');
    this.patchStrategy = typeof strategy === 'string' ? strategy : undefined;
    const mergeKey = first(layers, 'x-kubernetes-patch-merge-key');
    this.patchMergeKey = typeof mergeKey === 'string' ? mergeKey : undefined;
    this.listType = oneOf(first(layers, 'x-kubernetes-list-type'), ['atomic', 'set', 'map'] as const);
    const keys = first(layers, 'x-kubernetes-list-map-keys');
    this.listMapKeys = Array.isArray(keys) ? keys.filter((k): k is string => typeof k === 'string') : undefined;
    this.mapType = oneOf(first(layers, 'x-kubernetes-map-type'), ['granular', 'atomic'] as const);
    this.isIntOrString = first(layers, 'x-kubernetes-int-or-string') === true || first(layers, 'format') === 'int-or-string';
    this.preserveUnknownFields = first(layers, 'x-kubernetes-preserve-unknown-fields') === true;
    this.embeddedResource = first(layers, 'x-kubernetes-embedded-resource') === true;
    this.defaultValue = first(layers, 'default');
    const properties = first(layers, 'properties');
    this.#properties = isObject(properties) ? properties : undefined;
    this.hasFields = this.#properties !== undefined;
    const items = first(layers, 'items');
    this.#itemsSchema = isObject(items) ? items : undefined;
    const additional = first(layers, 'additionalProperties');
    this.#additionalSchema = isObject(additional) ? additional : undefined;
  }

  fieldNames(): readonly string[] {
    return this.#properties ? Object.keys(this.#properties) : [];
  }

  field(name: string): SchemaNode | undefined {
    if (!this.#properties || !Object.hasOwn(this.#properties, name)) return undefined;
    this.#fields ??= new Map();
    if (this.#fields.has(name)) return this.#fields.get(name);
    const schema = this.#properties[name];
    const node = isObject(schema) ? this.#set.inline(schema) : undefined;
    this.#fields.set(name, node);
    return node;
  }

  items(): SchemaNode | undefined {
    if (!this.#itemsSchema) return undefined;
    this.#items ??= this.#set.inline(this.#itemsSchema);
    return this.#items;
  }

  additional(): SchemaNode | undefined {
    if (!this.#additionalSchema) return undefined;
    this.#additional ??= this.#set.inline(this.#additionalSchema);
    return this.#additional;
  }
}

/** One parsed group-version document: its schemas and group/version/kind → schema name. */
interface GroupVersionSchemas {
  set: SchemaSet;
  kinds: Map<string, string>;
}

const groupVersions = new Map<string, GroupVersionSchemas | null>();
const kindNodes = new Map<string, SchemaNode | null>();

onSchemaSourceChange(() => {
  groupVersions.clear();
  kindNodes.clear();
});

function gvkKey(group: string, version: string, kind: string): string {
  return `${group}/${version}/${kind}`;
}

/** Parses the served document of a group-version once; null when kubemu does not serve it. */
function loadGroupVersion(group: string, version: string): GroupVersionSchemas | null {
  const gvPath = gvPathOf(group, version);
  const cached = groupVersions.get(gvPath);
  if (cached !== undefined) return cached;
  const document = openapiV3Document(gvPath);
  let loaded: GroupVersionSchemas | null = null;
  if (document) {
    const parsed = JSON.parse(document.body.toString('utf8')) as JsonObject;
    const components = parsed['components'];
    const schemas = isObject(components) && isObject(components['schemas']) ? components['schemas'] : {};
    const kinds = new Map<string, string>();
    for (const [name, schema] of Object.entries(schemas)) {
      const gvks = isObject(schema) ? schema['x-kubernetes-group-version-kind'] : undefined;
      if (!Array.isArray(gvks)) continue;
      for (const gvk of gvks) {
        if (!isObject(gvk)) continue;
        const { group: g, version: v, kind: k } = gvk;
        if (typeof g === 'string' && typeof v === 'string' && typeof k === 'string') kinds.set(gvkKey(g, v, k), name);
      }
    }
    loaded = { set: new SchemaSet(schemas), kinds };
  }
  groupVersions.set(gvPath, loaded);
  return loaded;
}

/** The node of a kind declared in the document of group-version `group`/`version`, or null. */
function findIn(group: string, version: string, key: string): SchemaNode | null {
  const gv = loadGroupVersion(group, version);
  const name = gv?.kinds.get(key);
  return (name !== undefined && gv?.set.named(name)) || null;
}

/**
 * The schema of a built-in kind (`apps`, `v1`, `Deployment`; `` for the core group), from the
 * OpenAPI v3 documents kubemu serves: its own group-version's first, then (for kinds only
 * other documents carry, such as autoscaling/v1 Scale of the `scale` subresources) the other
 * served documents. Undefined when no served document declares that group/version/kind.
 * Built on first use, cached.
 */
export function schemaNodeFor(group: string, version: string, kind: string): SchemaNode | undefined {
  const key = gvkKey(group, version, kind);
  const cached = kindNodes.get(key);
  if (cached !== undefined) return cached ?? undefined;
  let node = findIn(group, version, key);
  if (!node) {
    const others = servedGroupVersions().flatMap((g) => g.versions.map((v) => [g.name, v] as const));
    for (const [g, v] of others) if ((node = findIn(g, v, key))) break;
  }
  kindNodes.set(key, node);
  return node ?? undefined;
}

/**
 * A SchemaNode over any OpenAPI v3 schema: `root` is the schema itself and `components` the
 * `components.schemas` its `$ref`s point into (CRD schemas, test fixtures). Nodes are built
 * lazily and not cached beyond the returned tree.
 */
export function schemaNodeOf(root: JsonObject, components: JsonObject = {}): SchemaNode {
  return new SchemaSet(components).inline(root);
}
