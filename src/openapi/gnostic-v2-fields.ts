/**
 * The vocabulary of the gnostic `openapi.v2` field tables (src/openapi/gnostic-v2-table.ts):
 * how one protobuf message and its fields are described, and how a Swagger 2.0 JSON value is
 * laid onto the message. Field names and numbers are facts of gnostic's OpenAPIv2.proto; the
 * description format is kubemu's own.
 *
 * How JSON maps onto a message, by `shape`:
 * - `object`: a JSON object. A field with `json` takes that key's value (an array for a
 *   repeated field). A field with `pattern` takes every key matching it, each as a
 *   `Named<Type>` entry `{name: key, value}`, in the object's order — vendor extensions
 *   (`^x-`), paths (`^/`), response codes, and the entries of map messages (`Definitions`,
 *   `Properties`, ...; pattern `''` matches every key).
 * - `oneof`: one alternative field receives the whole value: the first whose `when` holds, else
 *   the one without `when` (`Parameter`: body when `in` is `body`).
 * - `list`: the single repeated field receives the value, or each element of an array value
 *   (`TypeItem` for `type: string | string[]`, `ItemsItem` for `items`).
 * - `any`: the `yaml` field receives the value rendered as YAML (see src/openapi/go-yaml.ts).
 *
 * Worked example: `{"type": "object", "x-kubernetes-map-type": "atomic"}` as `Schema` →
 *   field 22 `type` (TypeItem, list) ← "object" → TypeItem.value (1) = ["object"];
 *   field 31 `vendor_extension` (pattern ^x-) ← NamedAny {name: "x-kubernetes-map-type",
 *   value: Any {yaml: "atomic\n"}}.
 * Owns: the table types and the helpers that build table rows. Must not: encode anything.
 */

/** Protobuf scalar types used by OpenAPIv2.proto. */
export type GnosticScalar = 'string' | 'bool' | 'double' | 'int64';

/** Protobuf wire types: 0 varint, 1 fixed 64-bit, 2 length-delimited. */
export type WireType = 0 | 1 | 2;

/** A condition on the JSON value choosing a oneof alternative. */
export interface GnosticWhen {
  /** The value is a JSON object / a boolean. */
  jsonType?: 'object' | 'boolean';
  /** The value is an object with this key. */
  has?: string;
  /** The value is an object whose keys hold exactly these strings. */
  equals?: Readonly<Record<string, string>>;
}

/** One field of a gnostic message. */
export interface GnosticField {
  /** Field number. */
  no: number;
  /** Field name as OpenAPIv2.proto spells it (snake_case). */
  name: string;
  /** A scalar type or the name of a message of the table. */
  type: GnosticScalar | string;
  wire: WireType;
  repeated: boolean;
  /** Key of the Swagger JSON object this field takes (shape `object`). */
  json?: string;
  /** Keys matching this regular expression become `Named*` entries of this field (shape `object`). */
  pattern?: string;
  /** The oneof the field belongs to (gnostic names them all `oneof`). */
  oneof?: string;
  /** When this oneof alternative is chosen; none on the default alternative. */
  when?: GnosticWhen;
}

/** How a JSON value maps onto a message; see the module comment. */
export type GnosticShape = 'object' | 'oneof' | 'list' | 'any';

/** One gnostic message. */
export interface GnosticMessage {
  shape: GnosticShape;
  /** In field-number order, which is also the order they are encoded in. */
  fields: readonly GnosticField[];
}

/** Options of a table row beyond number, name and type. */
export interface FieldOptions {
  /** JSON key; defaults to the camelCase of the field name. */
  json?: string;
  repeated?: boolean;
  pattern?: string;
  oneof?: string;
  when?: GnosticWhen;
}

const SCALAR_WIRE: Readonly<Record<GnosticScalar, WireType>> = { string: 2, bool: 0, double: 1, int64: 0 };

/** The wire type of a field of `type`: scalars by type, messages length-delimited. */
export function wireOf(type: GnosticScalar | string): WireType {
  return (SCALAR_WIRE as Record<string, WireType>)[type] ?? 2;
}

/** `base_path` → `basePath`. */
function camelCase(name: string): string {
  return name.replace(/_([a-z])/g, (_m, letter: string) => letter.toUpperCase());
}

/** A field keyed by its JSON name (camelCase of `name` unless `options.json` says otherwise). */
export function field(no: number, name: string, type: GnosticScalar | string, options: FieldOptions = {}): GnosticField {
  const wire = wireOf(type);
  const row: GnosticField = { no, name, type, wire, repeated: options.repeated ?? false };
  if (options.pattern !== undefined) row.pattern = options.pattern;
  else if (options.oneof === undefined) row.json = options.json ?? camelCase(name);
  if (options.oneof !== undefined) row.oneof = options.oneof;
  if (options.when !== undefined) row.when = options.when;
  return row;
}

/** A repeated field keyed by its JSON name. */
export function repeated(no: number, name: string, type: GnosticScalar | string, json?: string): GnosticField {
  return field(no, name, type, json === undefined ? { repeated: true } : { repeated: true, json });
}

/** The `vendor_extension` field: every `x-` key as a NamedAny. */
export function vendorExtension(no: number): GnosticField {
  return field(no, 'vendor_extension', 'NamedAny', { repeated: true, pattern: '^x-' });
}

/** A map field: every key matching `pattern` ('' for all) as a `type` (Named*) entry. */
export function namedEntries(no: number, name: string, type: string, pattern = ''): GnosticField {
  return field(no, name, type, { repeated: true, pattern });
}

/** An alternative of the message's oneof, chosen by `when` (the default alternative has none). */
export function alternative(no: number, name: string, type: GnosticScalar | string, when?: GnosticWhen): GnosticField {
  return field(no, name, type, when === undefined ? { oneof: 'oneof' } : { oneof: 'oneof', when });
}

/** A message of shape `object`. */
export function object(...fields: GnosticField[]): GnosticMessage {
  return { shape: 'object', fields };
}

/** A message of shape `oneof`. */
export function oneof(...fields: GnosticField[]): GnosticMessage {
  return { shape: 'oneof', fields };
}

/** A message of shape `list` whose single field is repeated `type`. */
export function list(name: string, type: GnosticScalar | string): GnosticMessage {
  return { shape: 'list', fields: [{ no: 1, name, type, wire: wireOf(type), repeated: true }] };
}

/** A `Named<Type>`: `{name, value}`. */
export function named(valueType: GnosticScalar | string): GnosticMessage {
  return object(field(1, 'name', 'string'), field(2, 'value', valueType));
}

/** A map message: all keys of the JSON object as `additional_properties` entries of `entryType`. */
export function map(entryType: string): GnosticMessage {
  return object(namedEntries(1, 'additional_properties', entryType));
}
