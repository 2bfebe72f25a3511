/**
 * Encodes a Swagger 2.0 JSON document as the gnostic `openapi.v2.Document` protobuf message,
 * the bytes kube-apiserver serves at `/openapi/v2` for
 * `Accept: application/com.github.proto-openapi.spec.v2@v1.0+protobuf`.
 *
 * The walk is driven by the message table (src/openapi/gnostic-v2-table.ts; the JSON-to-message
 * rules are in src/openapi/gnostic-v2-fields.ts) and writes with protobufjs's `Writer`, wire
 * format only. It produces what protobuf-go produces for the message gnostic's compiler builds
 * from the same JSON: fields in number order; proto3 defaults ('', false, 0) left out except in
 * oneofs and repeated fields; present JSON objects always written, even when empty; map
 * entries and vendor extensions in the JSON object's order; extension values as YAML text.
 * JSON keys the table does not know are skipped, as are values of the wrong JSON type.
 * Owns: the JSON → gnostic protobuf encoding. Must not: know Kubernetes or HTTP.
 */
import protobuf from 'protobufjs/minimal.js';
import { GNOSTIC_V2_MESSAGES } from './gnostic-v2-table.js';
import type { GnosticField, GnosticMessage, GnosticWhen } from './gnostic-v2-fields.js';
import { goYaml } from './go-yaml.js';
import { isObject, type Json, type JsonObject } from './json.js';

const { Writer } = protobuf;
type ProtoWriter = protobuf.Writer;

/** Compiled per message: the table row plus a key test per patterned field. */
interface CompiledMessage {
  spec: GnosticMessage;
  patterns: Map<GnosticField, (key: string) => boolean>;
}

/** A key test for `pattern`, with the common patterns (every key, `^x-`, `^/`) as plain string tests. */
function keyTest(pattern: string): (key: string) => boolean {
  if (pattern === '') return () => true;
  const prefix = /^\^([A-Za-z0-9/-]+)$/.exec(pattern)?.[1];
  if (prefix !== undefined) return (key) => key.startsWith(prefix);
  const regexp = new RegExp(pattern);
  return (key) => regexp.test(key);
}

const compiled = new Map<string, CompiledMessage>();

function messageOf(name: string): CompiledMessage {
  let entry = compiled.get(name);
  if (entry) return entry;
  const spec = GNOSTIC_V2_MESSAGES[name];
  if (!spec) throw new TypeError(`gnostic message ${name} is not in the table`);
  const patterns = new Map<GnosticField, (key: string) => boolean>();
  for (const f of spec.fields) if (f.pattern !== undefined) patterns.set(f, keyTest(f.pattern));
  entry = { spec, patterns };
  compiled.set(name, entry);
  return entry;
}

function holds(when: GnosticWhen, value: Json): boolean {
  if (when.jsonType === 'boolean') return typeof value === 'boolean';
  if (!isObject(value)) return false;
  if (when.has !== undefined && !(when.has in value)) return false;
  if (when.equals) for (const [key, expected] of Object.entries(when.equals)) if (value[key] !== expected) return false;
  return true;
}

/** The oneof alternative for `value`: the first whose `when` holds, else the default one. */
function chooseAlternative(spec: GnosticMessage, value: Json): GnosticField | undefined {
  return spec.fields.find((f) => f.when !== undefined && holds(f.when, value)) ?? spec.fields.find((f) => f.when === undefined);
}

/** True for proto3 default scalars, which a singular non-oneof field leaves out. */
function isDefault(value: Json): boolean {
  return value === '' || value === false || value === 0;
}

/** Writes one value of field `f` (tag included); skips a value of the wrong JSON type. */
function writeValue(w: ProtoWriter, f: GnosticField, value: Json, always: boolean): void {
  switch (f.type) {
    case 'string':
      if (typeof value !== 'string' || (!always && value === '')) return;
      w.uint32((f.no << 3) | 2).string(value);
      return;
    case 'bool':
      if (typeof value !== 'boolean' || (!always && !value)) return;
      w.uint32(f.no << 3).bool(value);
      return;
    case 'double':
      if (typeof value !== 'number' || (!always && isDefault(value))) return;
      w.uint32((f.no << 3) | 1).double(value);
      return;
    case 'int64':
      if (typeof value !== 'number' || !Number.isInteger(value) || (!always && value === 0)) return;
      w.uint32(f.no << 3).int64(value);
      return;
    default:
      w.uint32((f.no << 3) | 2).fork();
      writeMessage(w, f.type, value);
      w.ldelim();
  }
}

function writeObject(w: ProtoWriter, message: CompiledMessage, value: Json): void {
  if (!isObject(value)) return;
  for (const f of message.spec.fields) {
    const matches = message.patterns.get(f);
    if (matches) {
      for (const name in value) {
        if (matches(name)) writeValue(w, f, { name, value: value[name] as Json }, true);
      }
      continue;
    }
    if (f.json === undefined) continue;
    const child = value[f.json];
    if (child === undefined) continue;
    if (!f.repeated) writeValue(w, f, child, false);
    else if (Array.isArray(child)) for (const item of child) writeValue(w, f, item, true);
  }
}

/** Writes the fields of message `name` for JSON `value` (no tag, no length). */
function writeMessage(w: ProtoWriter, name: string, value: Json): void {
  const message = messageOf(name);
  const { spec } = message;
  switch (spec.shape) {
    case 'object':
      writeObject(w, message, value);
      return;
    case 'oneof': {
      const f = chooseAlternative(spec, value);
      if (f) writeValue(w, f, value, true);
      return;
    }
    case 'list': {
      const f = spec.fields[0] as GnosticField;
      for (const item of Array.isArray(value) ? value : [value]) writeValue(w, f, item, true);
      return;
    }
    case 'any': {
      const f = spec.fields.find((candidate) => candidate.name === 'yaml') as GnosticField;
      writeValue(w, f, goYaml(value), false);
      return;
    }
  }
}

/**
 * The protobuf encoding of `value` as gnostic message `type` (default `Document`).
 * Throws TypeError for a message name the table does not have.
 */
export function encodeGnosticV2(value: JsonObject, type = 'Document'): Uint8Array {
  const w = Writer.create();
  writeMessage(w, type, value);
  return w.finish();
}
