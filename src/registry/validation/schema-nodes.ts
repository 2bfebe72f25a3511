/**
 * Decode trees of built-in kinds, compiled lazily from the generated OpenAPI v3 documents: what
 * each JSON value of an object decodes into on a real kube-apiserver (a Go struct with known
 * fields, a map, a slice, a scalar, or one of the types with their own JSON decoding:
 * IntOrString, Quantity, Time, raw JSON). The decode checks of ./schema.ts walk these trees.
 *
 * Nothing happens at import. A group-version document is read from the active schema source
 * (src/openapi/source.ts: bundled or `--openapi`) on the first request for one of its kinds;
 * a struct's fields are compiled on the first visit of that field. Every compiled piece is
 * cached until the schema source changes.
 *
 * Worked example, apps/v1 Deployment:
 *
 *   root  struct Deployment (slot type v1.Deployment)
 *   ├─ spec      → struct DeploymentSpec       slot type v1.DeploymentSpec
 *   │  ├─ replicas → int 32                    slot type int32
 *   │  └─ template → struct PodTemplateSpec
 *   │     └─ spec → struct PodSpec
 *   │        └─ containers → slice             slot type []v1.Container
 *   │           └─ (element) struct Container  slot type v1.Container
 *   │              └─ ports[] struct ContainerPort
 *   │                 └─ protocol → string     slot type v1.Protocol (from ./go-types.ts)
 *   └─ metadata → struct ObjectMeta ─ labels → map, element string
 *
 * Owns: schema loading for validation, the node shapes, Go type names. Must not: know HTTP,
 * produce error messages, or scan the whole schema set.
 */
import { SCHEMA_REF_PREFIX, type Json, type JsonObject } from '../../openapi/json.js';
import { gvPathOf } from '../../openapi/paths.js';
import { onSchemaSourceChange, schemaSource } from '../../openapi/source.js';
import { GO_FIELD_TYPES } from './go-types.js';

/** A place a value decodes into: its Go type name (as reflect prints it) and its decoder. */
export interface Slot {
  readonly type: string;
  readonly node: Node;
}

/** A Go struct: fields by JSON name, compiled on first use. */
export interface StructNode {
  readonly kind: 'struct';
  /** The Go struct name, `DeploymentSpec`: the `Struct` of Go's UnmarshalTypeError. */
  readonly name: string;
  /** True when unknown fields are kept (x-kubernetes-preserve-unknown-fields). */
  readonly open: boolean;
  /** The slot of a known field; undefined for an unknown one. */
  field(name: string): Slot | undefined;
}

/** A Go map keyed by strings. */
export interface MapNode {
  readonly kind: 'map';
  readonly elem: Slot;
}

/** A Go slice. */
export interface SliceNode {
  readonly kind: 'slice';
  readonly elem: Slot;
}

/** Scalars decoded by encoding/json itself; `bytes` is []byte (base64 text). */
export interface ScalarNode {
  readonly kind: 'int' | 'float' | 'bool' | 'string' | 'bytes';
  /** Bit size of an int (32 or 64). */
  readonly bits?: number;
}

/** Types with their own UnmarshalJSON; `raw` accepts any JSON (RawExtension, FieldsV1, JSON). */
export interface SpecialNode {
  readonly kind: 'intstr' | 'quantity' | 'time' | 'microtime' | 'raw';
}

/** What a JSON value decodes into. */
export type Node = StructNode | MapNode | SliceNode | ScalarNode | SpecialNode;

const SPECIAL_REFS: Readonly<Record<string, { type: string; node: SpecialNode }>> = {
  'io.k8s.apimachinery.pkg.util.intstr.IntOrString': { type: 'intstr.IntOrString', node: { kind: 'intstr' } },
  'io.k8s.apimachinery.pkg.api.resource.Quantity': { type: 'resource.Quantity', node: { kind: 'quantity' } },
  'io.k8s.apimachinery.pkg.apis.meta.v1.Time': { type: 'v1.Time', node: { kind: 'time' } },
  'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime': { type: 'v1.MicroTime', node: { kind: 'microtime' } },
};

const RAW: SpecialNode = { kind: 'raw' };

/** One parsed group-version document with its compiled structs. */
class DocumentNodes {
  readonly #schemas: JsonObject;
  readonly #structs = new Map<string, Node>();
  #kinds?: Map<string, string>;

  constructor(schemas: JsonObject) {
    this.#schemas = schemas;
  }

  /** The slot of a kind's root object, or undefined when the document has no such kind. */
  root(group: string, version: string, kind: string): Slot | undefined {
    this.#kinds ??= this.#indexKinds();
    const name = this.#kinds.get(`${group}/${version}/${kind}`);
    return name ? this.#refSlot(name) : undefined;
  }

  #indexKinds(): Map<string, string> {
    const out = new Map<string, string>();
    for (const [name, schema] of Object.entries(this.#schemas)) {
      const gvks = isJsonObject(schema) ? schema['x-kubernetes-group-version-kind'] : undefined;
      if (!Array.isArray(gvks)) continue;
      for (const gvk of gvks) {
        if (isJsonObject(gvk)) out.set(`${String(gvk.group ?? '')}/${String(gvk.version)}/${String(gvk.kind)}`, name);
      }
    }
    return out;
  }

  /** The slot of a `$ref` target. */
  #refSlot(name: string, typeOverride?: string): Slot {
    const special = SPECIAL_REFS[name];
    if (special) return special;
    return { type: typeOverride ?? goTypeOfRef(name), node: this.#struct(name) };
  }

  #struct(name: string): Node {
    const cached = this.#structs.get(name);
    if (cached) return cached;
    const schema = this.#schemas[name];
    const node = isJsonObject(schema) ? this.#compileNamed(name, schema) : RAW;
    this.#structs.set(name, node);
    return node;
  }

  #compileNamed(name: string, schema: JsonObject): Node {
    const properties = schema.properties;
    if (!isJsonObject(properties)) return this.#compile(schema, '').node;
    const overlay = GO_FIELD_TYPES[shortName(name)] ?? {};
    const fields = new Map<string, Slot | null>();
    const compile = (field: string): Slot | undefined => {
      const cached = fields.get(field);
      if (cached !== undefined) return cached ?? undefined;
      const prop = Object.hasOwn(properties, field) ? properties[field] : undefined;
      const slot = isJsonObject(prop) ? this.#compile(prop, overlay[field]) : undefined;
      fields.set(field, slot ?? null);
      return slot;
    };
    return {
      kind: 'struct',
      name: name.slice(name.lastIndexOf('.') + 1),
      open: schema['x-kubernetes-preserve-unknown-fields'] === true,
      field: compile,
    };
  }

  /** The slot of an inline schema; `typeOverride` is the Go type the overlay knows, if any. */
  #compile(schema: JsonObject, typeOverride: string | undefined): Slot {
    // kube-apiserver's v3 wraps a $ref that has siblings (description, patch strategy) in allOf.
    const wrapped = Array.isArray(schema.allOf) && schema.allOf.length === 1 && isJsonObject(schema.allOf[0]) ? schema.allOf[0].$ref : undefined;
    const ref = schema.$ref ?? wrapped;
    if (typeof ref === 'string' && ref.startsWith(SCHEMA_REF_PREFIX)) return this.#refSlot(ref.slice(SCHEMA_REF_PREFIX.length), typeOverride);
    const type = schema.type;
    const format = schema.format;
    switch (type) {
      case 'integer':
        return { type: typeOverride ?? (format === 'int64' ? 'int64' : 'int32'), node: { kind: 'int', bits: format === 'int64' ? 64 : 32 } };
      case 'number':
        return { type: typeOverride ?? 'float64', node: { kind: 'float' } };
      case 'boolean':
        return { type: typeOverride ?? 'bool', node: { kind: 'bool' } };
      case 'string':
        if (format === 'byte') return { type: '[]uint8', node: { kind: 'bytes' } };
        if (format === 'date-time') return { type: 'v1.Time', node: { kind: 'time' } };
        return { type: typeOverride ?? 'string', node: { kind: 'string' } };
      case 'array': {
        const items = isJsonObject(schema.items) ? schema.items : {};
        const elem = this.#compile(items, typeOverride?.startsWith('[]') ? typeOverride.slice(2) : undefined);
        return { type: typeOverride ?? `[]${elem.type}`, node: { kind: 'slice', elem } };
      }
      case 'object': {
        const additional = schema.additionalProperties;
        if (isJsonObject(additional) && schema['x-kubernetes-preserve-unknown-fields'] !== true) {
          const elem = this.#compile(additional, typeOverride ? mapElemType(typeOverride) : undefined);
          return { type: typeOverride ?? `map[string]${elem.type}`, node: { kind: 'map', elem } };
        }
        return { type: typeOverride ?? 'map[string]interface {}', node: RAW };
      }
      default:
        return { type: typeOverride ?? 'interface {}', node: RAW };
    }
  }
}

function isJsonObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `io.k8s.api.core.v1.PodSpec` → `core.v1.PodSpec` (the key of GO_FIELD_TYPES). */
function shortName(name: string): string {
  return name.replace(/^io\.k8s\.api\./, '').replace(/^io\.k8s\.apimachinery\.pkg\.apis\./, '');
}

/** reflect's name of a struct type: its package's last element and its name, `v1.PodSpec`. */
function goTypeOfRef(name: string): string {
  const parts = name.split('.');
  return parts.length >= 2 ? `${parts[parts.length - 2]}.${parts[parts.length - 1]}` : name;
}

/** The element type of `map[K]V` (brackets balanced), or undefined for a named map type. */
function mapElemType(type: string): string | undefined {
  if (!type.startsWith('map[')) return undefined;
  let depth = 0;
  for (let i = 3; i < type.length; i++) {
    if (type[i] === '[') depth++;
    else if (type[i] === ']' && --depth === 0) return type.slice(i + 1);
  }
  return undefined;
}

const documents = new Map<string, DocumentNodes | null>();
onSchemaSourceChange(() => documents.clear());

function documentOf(group: string, version: string): DocumentNodes | undefined {
  const gvPath = gvPathOf(group, version);
  let doc = documents.get(gvPath);
  if (doc === undefined) {
    const parsed = schemaSource().document(gvPath);
    const components = parsed?.components;
    const schemas = isJsonObject(components) && isJsonObject(components.schemas) ? components.schemas : undefined;
    doc = schemas ? new DocumentNodes(schemas) : null;
    documents.set(gvPath, doc);
  }
  return doc ?? undefined;
}

/**
 * The decode slot of a built-in kind (`apps`, `v1`, `Deployment`), compiled lazily from the
 * group-version's generated document; undefined for kinds the documents do not describe
 * (custom resources, unknown group-versions).
 */
export function kindSlot(group: string, version: string, kind: string): Slot | undefined {
  return documentOf(group, version)?.root(group, version, kind);
}
