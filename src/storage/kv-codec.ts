/**
 * Byte layout of the key-value storage inside one abstract-level database: key spaces, object
 * records and event-log entries. Pure functions, no I/O.
 * Owns: prefixes, framing, key ranges. Must not: know kinds, revisions policy or the database API.
 *
 * Key spaces (keys are utf8 strings; LevelDB orders them by bytes):
 *
 *   o<key>                 object record   e.g. "o/registry/pods/default/web-1"
 *   e<16-digit revision>   event entry     e.g. "e0000000000000042"
 *   m<name>                meta            "mformat", "mrevision", "mcompacted"
 *
 * Object record:  [createRevision u64 BE][modRevision u64 BE][value bytes…]
 * Event entry:    [flags u8][keyLength u32 BE][key utf8][valueLength u32 BE][value][prevValue…]
 *                 flags: 1 = delete (else put), 2 = created, 4 = has prevValue (the rest of the entry)
 * The event's revision is its key; the entry does not repeat it.
 */

import type { StorageEvent } from './types.js';

/** Prefix of the object key space. */
export const OBJECT_PREFIX = 'o';
/** Prefix of the event-log key space. */
export const EVENT_PREFIX = 'e';
/** Meta key holding the format marker. */
export const META_FORMAT = 'mformat';
/** Meta key holding the revision of the last durable write. */
export const META_REVISION = 'mrevision';
/** Meta key holding the compacted revision (events at or below it are gone). */
export const META_COMPACTED = 'mcompacted';
/** The format marker written into a fresh data dir; a dir without it is not ours. */
export const FORMAT_MARKER = 'kubemu-storage/1';

const OBJECT_HEADER = 16;
const TWO_32 = 2 ** 32;
const FLAG_DELETE = 1;
const FLAG_CREATED = 2;
const FLAG_PREV = 4;

/** The database key of an object key. */
export function objectKey(key: string): string {
  return OBJECT_PREFIX + key;
}

/** The database key of the event of `revision`: zero-padded so that byte order is revision order. */
export function eventKey(revision: number): string {
  return EVENT_PREFIX + String(revision).padStart(16, '0');
}

/** The revision encoded in an event key (the inverse of `eventKey`). */
export function revisionOfEventKey(dbKey: string): number {
  return Number(dbKey.slice(EVENT_PREFIX.length));
}

/**
 * The byte range of database keys that start with `dbPrefix`, as iterator bounds. No valid UTF-8
 * contains the byte 0xFF, so `prefix + 0xFF` bounds every key that starts with the prefix.
 */
export function prefixRange(dbPrefix: string): { gte: Buffer; lt: Buffer } {
  const gte = Buffer.from(dbPrefix, 'utf8');
  const lt = Buffer.allocUnsafeSlow(gte.length + 1);
  gte.copy(lt);
  lt[gte.length] = 0xff;
  return { gte, lt };
}

function writeU64(buf: Buffer, offset: number, n: number): void {
  buf.writeUInt32BE(Math.floor(n / TWO_32), offset);
  buf.writeUInt32BE(n >>> 0, offset + 4);
}

function readU64(buf: Uint8Array, offset: number): number {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  return view.getUint32(offset) * TWO_32 + view.getUint32(offset + 4);
}

/**
 * Frames an object's value with its revisions (one copy of the value). Records are unpooled
 * allocations: memory-level keeps the very buffer it is given, and a slice of Node's shared
 * pool would pin the whole pool slab for as long as the object lives.
 */
export function encodeObject(createRevision: number, modRevision: number, value: Uint8Array): Buffer {
  const buf = Buffer.allocUnsafeSlow(OBJECT_HEADER + value.byteLength);
  writeU64(buf, 0, createRevision);
  writeU64(buf, 8, modRevision);
  buf.set(value, OBJECT_HEADER);
  return buf;
}

/** A decoded object record; `value` is a view into the record, not a copy. */
export interface ObjectRecord {
  createRevision: number;
  modRevision: number;
  value: Uint8Array;
}

/** Decodes an object record; throws a TypeError when it is too short to be one. */
export function decodeObject(record: Uint8Array): ObjectRecord {
  if (record.byteLength < OBJECT_HEADER) throw new TypeError(`object record of ${record.byteLength} bytes is truncated`);
  return {
    createRevision: readU64(record, 0),
    modRevision: readU64(record, 8),
    value: record.subarray(OBJECT_HEADER),
  };
}

/** Encodes an event-log entry (the revision lives in the database key). */
export function encodeEvent(event: Omit<StorageEvent, 'revision'>): Buffer {
  const keyLength = Buffer.byteLength(event.key, 'utf8');
  const prev = event.prevValue;
  const size = 1 + 4 + keyLength + 4 + event.value.byteLength + (prev ? prev.byteLength : 0);
  const buf = Buffer.allocUnsafeSlow(size);
  buf[0] = (event.type === 'delete' ? FLAG_DELETE : 0) | (event.created ? FLAG_CREATED : 0) | (prev ? FLAG_PREV : 0);
  buf.writeUInt32BE(keyLength, 1);
  let offset = 5 + buf.write(event.key, 5, 'utf8');
  buf.writeUInt32BE(event.value.byteLength, offset);
  offset += 4;
  buf.set(event.value, offset);
  if (prev) buf.set(prev, offset + event.value.byteLength);
  return buf;
}

/** Decodes an event-log entry; values are views into `entry`. Throws a TypeError when malformed. */
export function decodeEvent(revision: number, entry: Uint8Array): StorageEvent {
  const buf = Buffer.from(entry.buffer, entry.byteOffset, entry.byteLength);
  if (buf.length < 9) throw new TypeError(`event entry ${revision} is truncated`);
  const flags = buf[0]!;
  const keyLength = buf.readUInt32BE(1);
  const valueAt = 5 + keyLength + 4;
  if (valueAt > buf.length) throw new TypeError(`event entry ${revision} is truncated`);
  const valueLength = buf.readUInt32BE(5 + keyLength);
  const valueEnd = valueAt + valueLength;
  if (valueEnd > buf.length) throw new TypeError(`event entry ${revision} is truncated`);
  const event: StorageEvent = {
    type: flags & FLAG_DELETE ? 'delete' : 'put',
    key: buf.toString('utf8', 5, 5 + keyLength),
    revision,
    value: entry.subarray(valueAt, valueEnd),
    created: (flags & FLAG_CREATED) !== 0,
  };
  if (flags & FLAG_PREV) event.prevValue = entry.subarray(valueEnd);
  return event;
}

/** Encodes a non-negative integer meta value (revision numbers). */
export function encodeNumber(n: number): Buffer {
  const buf = Buffer.allocUnsafeSlow(8);
  writeU64(buf, 0, n);
  return buf;
}

/** Decodes a meta number; absent means 0. Throws a TypeError when malformed. */
export function decodeNumber(bytes: Uint8Array | undefined): number {
  if (bytes === undefined) return 0;
  if (bytes.byteLength !== 8) throw new TypeError(`meta number of ${bytes.byteLength} bytes`);
  return readU64(bytes, 0);
}
