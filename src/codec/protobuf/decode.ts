/**
 * Table-driven protobuf → JSON decoding of one message, producing the JSON form Go's
 * encoding/json would give the struct that Go's generated Unmarshal fills:
 * - a field absent from the wire is absent from the JSON;
 * - a present zero scalar is dropped unless the Go field is a pointer (`replicas: 0` stays) or
 *   has no omitempty (`name: ""` stays), because Go writes every non-pointer field;
 * - messages become objects (`{}` when empty, as Go writes a non-pointer struct), embedded
 *   (`json:",inline"`) messages are merged into their parent, a repeated message field merges
 *   into the earlier one as Go's Unmarshal does;
 * - lists and maps (repeated key/value entries) become arrays and objects; bytes become base64;
 * - special messages (Time, IntOrString, Quantity, ...) become their scalar JSON (special.ts).
 * Fields the table does not know are skipped and their paths reported (`spec.#42`).
 * Recursion follows the tables, which have no cycles (a test holds this), so a body cannot nest
 * deeper than the schema does (13 levels for a Pod).
 * Owns: walking tables over bytes. Must not: know the Unknown envelope or HTTP errors (index.ts).
 */
import { isScalar, WIRE, wireTypeOf, type FieldSpec, type MessageRegistry, type MessageSpec, type ScalarKind } from './table.js';
import { specialJson, type SpecialValue } from './special.js';
import { ProtoError, readDelimited, readerOf, readScalar, readTag, skipField, type Reader, type ScalarValue } from './wire.js';

/** State shared by one decode. */
export interface DecodeContext {
  readonly registry: MessageRegistry;
  /** Paths of fields the tables do not know, appended to as they are met. */
  readonly unknownFields: string[];
  /** Bytes fields as Buffers rather than base64 strings (for the envelope and special messages). */
  readonly rawBytes: boolean;
}

type JsonObject = Record<string, unknown>;

const join = (path: string, segment: string): string => (path ? `${path}.${segment}` : segment);

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Buffer);

function render(value: ScalarValue, ctx: DecodeContext): unknown {
  return value instanceof Buffer && !ctx.rawBytes ? value.toString('base64') : value;
}

function isZero(value: unknown): boolean {
  if (value instanceof Buffer) return value.length === 0;
  return value === '' || value === 0 || value === false;
}

function zeroScalar(kind: ScalarKind): ScalarValue {
  if (kind === 'string') return '';
  if (kind === 'bytes') return Buffer.alloc(0);
  if (kind === 'bool') return false;
  return 0;
}

/** Decodes `bytes` as message `name` into `target` (a new object by default) and returns it. */
export function decodeMessage(bytes: Uint8Array, name: string, ctx: DecodeContext, path = '', target: JsonObject = {}): JsonObject {
  decodeInto(readerOf(bytes), ctx.registry.get(name), target, path, ctx);
  return target;
}

function decodeInto(reader: Reader, spec: MessageSpec, target: JsonObject, path: string, ctx: DecodeContext): void {
  while (reader.pos < reader.len) {
    const tag = readTag(reader, spec.goName);
    const field = spec.byNumber.get(tag.no);
    if (!field) {
      ctx.unknownFields.push(join(path, `#${tag.no}`));
      skipField(reader, tag.wireType);
      continue;
    }
    checkWireType(field, tag.wireType);
    if (field.card === 'map') readMapEntry(reader, field, target, path, ctx);
    else if (field.card === 'list') readListItems(reader, field, tag.wireType, target, path, ctx);
    else readSingle(reader, field, target, path, ctx);
  }
}

function checkWireType(field: FieldSpec, wireType: number): void {
  const expected = field.card === 'map' ? WIRE.BYTES : wireTypeOf(field.kind);
  if (wireType === expected) return;
  // A repeated numeric field may come packed (one length-delimited run of values).
  if (field.card === 'list' && wireType === WIRE.BYTES) return;
  throw new ProtoError(`proto: wrong wireType = ${wireType} for field ${field.goName}`);
}

/** The JSON value of a message-typed element (list item, map value or single field). */
function messageValue(bytes: Uint8Array, name: string, path: string, ctx: DecodeContext): SpecialValue {
  const spec = ctx.registry.get(name);
  if (!spec.json) return { value: decodeMessage(bytes, name, ctx, path), zero: false };
  const fields = decodeMessage(bytes, name, { ...ctx, rawBytes: true }, path);
  return specialJson(spec.json, fields, spec.goName, bytes.length === 0);
}

function readSingle(reader: Reader, field: FieldSpec, target: JsonObject, path: string, ctx: DecodeContext): void {
  const keepZero = field.pointer || field.keepZero;
  if (isScalar(field.kind)) {
    const value = render(readScalar(reader, field.kind), ctx);
    if (keepZero || !isZero(value)) target[field.json] = value;
    else delete target[field.json];
    return;
  }
  const bytes = readDelimited(reader);
  const spec = ctx.registry.get(field.kind);
  if (field.inline && !spec.json) {
    decodeInto(readerOf(bytes), spec, target, path, ctx);
    return;
  }
  if (!spec.json) {
    const existing = target[field.json];
    const object = isObject(existing) ? existing : {};
    decodeInto(readerOf(bytes), spec, object, join(path, field.json), ctx);
    target[field.json] = object;
    return;
  }
  const { value, zero } = messageValue(bytes, field.kind, join(path, field.json), ctx);
  if (value === undefined || (zero && !keepZero)) delete target[field.json];
  else target[field.json] = value;
}

function readListItems(reader: Reader, field: FieldSpec, wireType: number, target: JsonObject, path: string, ctx: DecodeContext): void {
  const existing = target[field.json];
  const list: unknown[] = Array.isArray(existing) ? existing : [];
  target[field.json] = list;
  if (!isScalar(field.kind)) {
    const { value } = messageValue(readDelimited(reader), field.kind, `${join(path, field.json)}[${list.length}]`, ctx);
    list.push(value ?? null);
  } else if (wireType === WIRE.BYTES && wireTypeOf(field.kind) !== WIRE.BYTES) {
    const packed = readerOf(readDelimited(reader));
    while (packed.pos < packed.len) list.push(readScalar(packed, field.kind));
  } else {
    list.push(render(readScalar(reader, field.kind), ctx));
  }
}

/** One map entry: a message with the key as field 1 and the value as field 2 (Go checks neither wire type). */
function readMapEntry(reader: Reader, field: FieldSpec, target: JsonObject, path: string, ctx: DecodeContext): void {
  const existing = target[field.json];
  const map: JsonObject = isObject(existing) ? existing : {};
  target[field.json] = map;
  const mapPath = join(path, field.json);
  const entry = readerOf(readDelimited(reader));
  const keyKind = field.key ?? 'string';
  let key: ScalarValue = zeroScalar(keyKind);
  let value: unknown;
  let valueBytes: Uint8Array | undefined;
  while (entry.pos < entry.len) {
    const tag = entry.uint32();
    const no = tag >>> 3;
    if (no === 1) key = readScalar(entry, keyKind);
    else if (no === 2 && isScalar(field.kind)) value = render(readScalar(entry, field.kind), ctx);
    else if (no === 2) valueBytes = readDelimited(entry);
    else skipField(entry, tag & 7);
  }
  const name = key instanceof Buffer ? key.toString('base64') : String(key);
  if (!isScalar(field.kind)) value = messageValue(valueBytes ?? new Uint8Array(0), field.kind, `${mapPath}[${name}]`, ctx).value ?? null;
  else if (value === undefined) value = render(zeroScalar(field.kind), ctx);
  map[name] = value;
}
