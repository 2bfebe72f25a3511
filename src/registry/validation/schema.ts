/**
 * Decode-time checks of built-in objects, as kube-apiserver's JSON decoding makes them (it runs
 * no OpenAPI validation for built-in kinds; the typed Go decoding is the check):
 *
 * - type mismatches: the first `json: cannot unmarshal string into Go struct field
 *   DeploymentSpec.spec.replicas of type int32` (encoding/json's UnmarshalTypeError, with
 *   sigs.k8s.io/json's field context), quantity, base64, IntOrString and timestamp errors;
 * - unknown fields (`fieldValidation=Strict|Warn`): paths as sigs.k8s.io/json's strict mode
 *   reports them, `spec.template.spec.containers[0].foo`, and their removal (a typed decode
 *   drops them, so kubemu must too).
 *
 * Duplicate keys need the raw body: see ./strict.ts.
 * Owns: those checks and their wording. Must not: know HTTP or build StatusErrors.
 */
import { goTimeParseError, RFC3339, RFC3339_MICRO } from './go-time.js';
import { quantityJsonError } from './quantity.js';
import { kindSlot, type Slot } from './schema-nodes.js';

type JsonRecord = Record<string, unknown>;

function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** How encoding/json names a JSON value in UnmarshalTypeError: string, number, bool, array, object. */
function jsonKind(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'object') return 'object';
  return typeof value;
}

const INT_RANGE: Readonly<Record<number, readonly [number, number]>> = {
  32: [-(2 ** 31), 2 ** 31 - 1],
  64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
};

/** Thrown to stop the walk: errors returned by an UnmarshalJSON end Go's decoding at once. */
class Abort {
  constructor(readonly message: string) {}
}

/** The state of one walk: Go's errorContext (innermost struct and JSON field stack) and the first saved error. */
class TypeWalk {
  saved?: string;
  struct?: string;
  readonly stack: string[] = [];

  /** An UnmarshalTypeError with the current context, as Go's addErrorContext words it. */
  message(value: string, type: string): string {
    if (this.struct === undefined && this.stack.length === 0) return `json: cannot unmarshal ${value} into Go value of type ${type}`;
    return `json: cannot unmarshal ${value} into Go struct field ${this.struct ?? ''}.${this.stack.join('.')} of type ${type}`;
  }

  /** Saves the first error; decoding goes on. */
  save(message: string): void {
    this.saved ??= message;
  }

  walk(value: unknown, slot: Slot): void {
    if (value === null || value === undefined) return;
    const node = slot.node;
    switch (node.kind) {
      case 'struct': {
        if (!isRecord(value)) return this.save(this.message(jsonKind(value), slot.type));
        for (const [key, child] of Object.entries(value)) {
          const field = node.field(key);
          if (!field) continue;
          const outer = this.struct;
          this.stack.push(key);
          this.struct = node.name;
          this.walk(child, field);
          this.stack.pop();
          this.struct = outer;
        }
        return;
      }
      case 'map':
        if (!isRecord(value)) return this.save(this.message(jsonKind(value), slot.type));
        for (const child of Object.values(value)) this.walk(child, node.elem);
        return;
      case 'slice':
        if (!Array.isArray(value)) return this.save(this.message(jsonKind(value), slot.type));
        for (const child of value) this.walk(child, node.elem);
        return;
      case 'bytes':
        return this.#bytes(value, slot.type);
      case 'int': {
        if (typeof value !== 'number') return this.save(this.message(jsonKind(value), slot.type));
        const [lo, hi] = INT_RANGE[node.bits ?? 64]!;
        if (!Number.isInteger(value) || value < lo || value > hi) this.save(this.message(`number ${String(value)}`, slot.type));
        return;
      }
      case 'float':
        if (typeof value !== 'number') this.save(this.message(jsonKind(value), slot.type));
        return;
      case 'bool':
        if (typeof value !== 'boolean') this.save(this.message(jsonKind(value), slot.type));
        return;
      case 'string':
        if (typeof value !== 'string') this.save(this.message(jsonKind(value), slot.type));
        return;
      case 'intstr':
        // IntOrString.UnmarshalJSON decodes anything but a string into an int32.
        if (typeof value === 'string') return;
        if (typeof value === 'number') {
          if (Number.isInteger(value) && value >= INT_RANGE[32]![0] && value <= INT_RANGE[32]![1]) return;
          throw new Abort(this.message(`number ${String(value)}`, 'int32'));
        }
        throw new Abort(this.message(jsonKind(value), 'int32'));
      case 'quantity': {
        const err = quantityJsonError(value);
        if (err) throw new Abort(err);
        return;
      }
      case 'time':
      case 'microtime': {
        if (typeof value !== 'string') throw new Abort(this.message(jsonKind(value), 'string'));
        const err = goTimeParseError(node.kind === 'time' ? RFC3339 : RFC3339_MICRO, value);
        if (err) throw new Abort(err);
        return;
      }
      case 'raw':
        return;
    }
  }

  /** []byte: base64 text (a bad one is a plain saved error) or an array of bytes. */
  #bytes(value: unknown, type: string): void {
    if (typeof value === 'string') {
      const at = base64ErrorAt(value);
      if (at !== undefined) this.save(`illegal base64 data at input byte ${at}`);
      return;
    }
    if (!Array.isArray(value)) return this.save(this.message(jsonKind(value), type));
    for (const item of value) {
      if (item === null) continue;
      if (typeof item !== 'number') this.save(this.message(jsonKind(item), 'uint8'));
      else if (!Number.isInteger(item) || item < 0 || item > 255) this.save(this.message(`number ${String(item)}`, 'uint8'));
    }
  }
}

const isBase64Byte = (c: number): boolean =>
  (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2f;
const isNewline = (c: number | undefined): boolean => c === 0x0a || c === 0x0d;

/**
 * The byte offset Go's base64.StdEncoding.Decode reports as CorruptInputError for `text`, or
 * undefined when it decodes (decodeQuantum, including its newline skipping and padding rules).
 */
export function base64ErrorAt(text: string): number | undefined {
  const src = Buffer.from(text, 'utf8');
  let si = 0;
  for (;;) {
    for (let j = 0; j < 4; j++) {
      if (si === src.length) return j === 0 ? undefined : si - j;
      const c = src[si++]!;
      if (isBase64Byte(c)) continue;
      if (isNewline(c)) {
        j--;
        continue;
      }
      if (c !== 0x3d || j < 2) return si - 1;
      if (j === 2) {
        while (si < src.length && isNewline(src[si])) si++;
        if (si === src.length) return src.length;
        if (src[si] !== 0x3d) return si - 1;
        si++;
      }
      while (si < src.length && isNewline(src[si])) si++;
      return si < src.length ? si : undefined;
    }
  }
}

/**
 * The first decode error kube-apiserver reports for `obj` as a `<group>/<version>` `<kind>`:
 * the text after `... cannot be handled as a <Kind>: ` (see cannotBeHandled), or undefined when
 * every value has the type the Go struct expects (or the kind has no built-in schema). Errors
 * returned by a type's own decoder (quantities, IntOrString, timestamps) win over the first
 * plain type mismatch, as they stop Go's decoding where they occur.
 */
export function decodeTypeErrors(group: string, version: string, kind: string, obj: unknown): string | undefined {
  const root = kindSlot(group, version, kind);
  if (!root) return undefined;
  const walk = new TypeWalk();
  try {
    walk.walk(obj, root);
  } catch (err) {
    if (err instanceof Abort) return err.message;
    throw err;
  }
  return walk.saved;
}

/** The 400 message of a body that fails to decode: `Deployment in version "v1" cannot be handled as a Deployment: <detail>`. */
export function cannotBeHandled(kind: string, version: string, detail: string): string {
  return `${kind} in version ${JSON.stringify(version)} cannot be handled as a ${kind}: ${detail}`;
}

/** Visits unknown fields of `value`; `drop` removes each from its parent after the visit. */
function visitUnknown(value: unknown, slot: Slot, path: string, found: string[], drop: boolean): void {
  if (value === null || value === undefined) return;
  const node = slot.node;
  if (node.kind === 'struct') {
    if (!isRecord(value) || node.open) return;
    for (const [key, child] of Object.entries(value)) {
      const at = path ? `${path}.${key}` : key;
      const field = node.field(key);
      if (!field) {
        found.push(at);
        if (drop) delete value[key];
      } else visitUnknown(child, field, at, found, drop);
    }
  } else if (node.kind === 'map' && isRecord(value)) {
    for (const [key, child] of Object.entries(value)) visitUnknown(child, node.elem, path ? `${path}.${key}` : key, found, drop);
  } else if (node.kind === 'slice' && Array.isArray(value)) {
    value.forEach((child, i) => visitUnknown(child, node.elem, `${path}[${i}]`, found, drop));
  }
}

/**
 * Paths of the fields of `obj` that its built-in schema does not know (maps and
 * `x-kubernetes-preserve-unknown-fields` objects take any key; values of types with their own
 * decoding are not looked into), in document order, formatted as sigs.k8s.io/json's strict
 * mode formats them: `spec.foo`, `spec.template.spec.containers[0].bar`. Empty for kinds without
 * a built-in schema.
 */
export function unknownFields(group: string, version: string, kind: string, obj: unknown): string[] {
  const root = kindSlot(group, version, kind);
  const found: string[] = [];
  if (root) visitUnknown(obj, root, '', found, false);
  return found;
}

/**
 * Removes from `obj` (in place) the fields unknownFields reports and returns their paths: what
 * a typed decode does to them on a real server (fieldValidation=Warn or Ignore).
 */
export function pruneUnknownFields(group: string, version: string, kind: string, obj: unknown): string[] {
  const root = kindSlot(group, version, kind);
  const found: string[] = [];
  if (root) visitUnknown(obj, root, '', found, true);
  return found;
}

/** `unknown field "spec.foo"`: one strict decoding error, as its Warning text too. */
export function unknownFieldMessage(path: string): string {
  return `unknown field ${goQuote(path)}`;
}

/** `duplicate field "spec.replicas"`. */
export function duplicateFieldMessage(path: string): string {
  return `duplicate field ${goQuote(path)}`;
}

/** runtime's strictDecodingError text: `strict decoding error: <e1>, <e2>`. */
export function strictDecodingMessage(errors: readonly string[]): string {
  return `strict decoding error: ${errors.join(', ')}`;
}

/** Go's strconv.Quote for the strings these messages carry. */
export function goQuote(text: string): string {
  let out = '"';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (code === 0x07) out += '\\a';
    else if (code === 0x08) out += '\\b';
    else if (code === 0x0c) out += '\\f';
    else if (code === 0x0a) out += '\\n';
    else if (code === 0x0d) out += '\\r';
    else if (code === 0x09) out += '\\t';
    else if (code === 0x0b) out += '\\v';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else if (code >= 0x80 && code < 0xa0) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

