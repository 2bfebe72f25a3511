/**
 * A cache entry: one object as the watch cache keeps it — its stored bytes (served as they are),
 * its revision, and the few things selectors need (namespace, name, labels, selectable fields),
 * extracted once when the object arrives. The full object is parsed again only when asked for.
 * Owns: the entry shape and building it from stored bytes. Must not: know HTTP or storage.
 */
import type { StoredObject } from '../api/types.js';

/** What a selector can see of an object without parsing it again. */
export interface Selectable {
  namespace?: string;
  name: string;
  labels?: Readonly<Record<string, string>>;
  /** Field-selector values (`metadata.name`, `status.phase`, ...) as strings. */
  fields: Readonly<Record<string, string>>;
}

/** One cached object. */
export interface CacheEntry extends Selectable {
  key: string;
  /** The stored JSON bytes, resourceVersion included. */
  bytes: Uint8Array;
  /** Revision of the write that produced these bytes (the object's resourceVersion). */
  revision: number;
}

const decoder = new TextDecoder();

/** Extracts selectable fields of a parsed object (kind-specific; supplied by the registry). */
export type FieldExtractor = (obj: StoredObject) => Record<string, string>;

/**
 * Objects makeEntry parsed for a write, kept for the first objectOf of their entry (usually an
 * in-process watcher, an informer, moments later) so one write is parsed once, not twice. The
 * object is handed over once and shared with nothing, so objectOf still returns a fresh copy.
 * Bounded: the newest entries only; an entry no one asks for soon is simply parsed again later.
 */
const handoff = new Map<CacheEntry, StoredObject>();
const HANDOFF_LIMIT = 1024;

/** Builds an entry from stored bytes; `keep` (the watch cache, on writes) keeps the parsed object for objectOf. */
export function makeEntry(key: string, bytes: Uint8Array, revision: number, fieldsOf: FieldExtractor, keep = false): CacheEntry {
  const obj = JSON.parse(decoder.decode(bytes)) as StoredObject;
  const entry: CacheEntry = { key, bytes, revision, name: obj.metadata.name, fields: fieldsOf(obj) };
  if (obj.metadata.namespace) entry.namespace = obj.metadata.namespace;
  const labels = obj.metadata.labels;
  // A kept object must share nothing with the entry: the labels are copied then.
  if (labels) entry.labels = keep ? { ...labels } : labels;
  if (keep) {
    if (handoff.size >= HANDOFF_LIMIT) handoff.delete(handoff.keys().next().value!);
    handoff.set(entry, obj);
  }
  return entry;
}

/** The entry's object, parsed from its bytes (a fresh copy each call). */
export function objectOf(entry: CacheEntry): StoredObject {
  const kept = handoff.get(entry);
  if (kept) {
    handoff.delete(entry);
    return kept;
  }
  return JSON.parse(decoder.decode(entry.bytes)) as StoredObject;
}
