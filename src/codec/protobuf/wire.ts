/**
 * The protobuf wire format, as far as kubemu's decoder needs it: tags, scalar values, skipping
 * unknown fields, and the errors Go's generated Unmarshal code returns (gogo-style
 * `generated.pb.go` in k8s.io/api and apimachinery), worded the same.
 * Owns: bytes → tags and scalars, Go's decode error texts. Must not: know messages or JSON.
 */
import protobuf from 'protobufjs/minimal.js';
import { WIRE, type ScalarKind } from './table.js';

/** protobufjs's wire reader (only the reader is used; no reflection). */
export type Reader = protobuf.Reader;

/** A decode failure, with Go's error text (`proto: wrong wireType = 0 for field Data`, `unexpected EOF`). */
export class ProtoError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtoError';
  }
}

/** `io.ErrUnexpectedEOF`. */
export const UNEXPECTED_EOF = 'unexpected EOF';

/** A reader over `bytes` (a Buffer reader when given a Buffer). */
export function readerOf(bytes: Uint8Array): Reader {
  return protobuf.Reader.create(bytes);
}

/** Runs `read`, turning protobufjs's range and varint errors into Go's texts. */
export function guarded<T>(read: () => T): T {
  try {
    return read();
  } catch (err) {
    if (err instanceof ProtoError) throw err;
    if (err instanceof RangeError) throw new ProtoError(UNEXPECTED_EOF);
    if (err instanceof Error && /invalid varint/.test(err.message)) throw new ProtoError('proto: integer overflow');
    throw err;
  }
}

/** A 64-bit value from protobufjs (a number, or {low, high, unsigned} bits) as a number (exact to 2^53). */
function toNumber(value: number | { low: number; high: number; unsigned: boolean }): number {
  if (typeof value === 'number') return value;
  const high = value.unsigned ? value.high >>> 0 : value.high | 0;
  return high * 0x1_0000_0000 + (value.low >>> 0);
}

/** A scalar value as JSON has it; bytes as a Buffer (the caller decides how to render them). */
export type ScalarValue = string | number | boolean | Buffer;

/** Reads one value of a scalar kind. */
export function readScalar(reader: Reader, kind: ScalarKind): ScalarValue {
  switch (kind) {
    case 'string': return reader.string();
    case 'bytes': {
      const bytes = reader.bytes();
      return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
    }
    case 'bool': return reader.bool();
    case 'int32': return reader.int32();
    case 'uint32': return reader.uint32();
    case 'sint32': return reader.sint32();
    case 'int64': return toNumber(reader.int64());
    case 'uint64': return toNumber(reader.uint64());
    case 'sint64': return toNumber(reader.sint64());
    case 'fixed32': return reader.fixed32();
    case 'sfixed32': return reader.sfixed32();
    case 'fixed64': return toNumber(reader.fixed64());
    case 'sfixed64': return toNumber(reader.sfixed64());
    case 'float': return reader.float();
    case 'double': return reader.double();
  }
}

/** A field tag: number and wire type, plus the raw varint (Go prints it in "illegal tag"). */
export interface Tag {
  no: number;
  wireType: number;
  raw: number;
}

/** Reads a tag; Go's errors for a group end or a non-positive field number in message `goName`. */
export function readTag(reader: Reader, goName: string): Tag {
  const raw = reader.uint32();
  const wireType = raw & 7;
  const no = raw >>> 3;
  if (wireType === WIRE.END_GROUP) throw new ProtoError(`proto: ${goName}: wiretype end group for non-group`);
  if (no <= 0) throw new ProtoError(`proto: ${goName}: illegal tag ${no} (wire type ${raw})`);
  return { no, wireType, raw };
}

/** Reads a length prefix and returns the bytes it covers (bounded by the reader's end). */
export function readDelimited(reader: Reader): Uint8Array {
  const length = reader.uint32();
  const start = reader.pos;
  if (start + length > reader.len) throw new ProtoError(UNEXPECTED_EOF);
  reader.pos = start + length;
  return reader.buf.subarray(start, start + length);
}

/** Skips one field of `wireType` whose tag was just read, as Go's skipGenerated does. */
export function skipField(reader: Reader, wireType: number): void {
  let depth = 0;
  for (;;) {
    switch (wireType) {
      case WIRE.VARINT: reader.skip(); break;
      case WIRE.FIXED64: reader.skip(8); break;
      case WIRE.BYTES: readDelimited(reader); break;
      case WIRE.FIXED32: reader.skip(4); break;
      case WIRE.START_GROUP: depth++; break;
      case WIRE.END_GROUP:
        if (depth === 0) throw new ProtoError('proto: unexpected end of group');
        depth--;
        break;
      default:
        throw new ProtoError(`proto: illegal wireType ${wireType}`);
    }
    if (depth === 0) return;
    wireType = reader.uint32() & 7;
  }
}
