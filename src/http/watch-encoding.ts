/**
 * Watch event encodings. JSON events are encoded once per event and type and shared by every
 * watcher (`{"type":"MODIFIED","object":<stored bytes>}` + newline); Table events are built per
 * watcher, the first carrying the column definitions as kube-apiserver sends them.
 * Owns: event → bytes. Must not: decide which events a watcher gets.
 */
import type { Status } from '../api/types.js';
import type { CacheEntry } from '../watch/entry.js';
import type { CacheEvent, EventType } from '../watch/resource-cache.js';

/** Turns watch events into wire bytes for one watcher. */
export interface EventEncoder {
  event(type: EventType, entry: CacheEntry, event: CacheEvent | undefined): Buffer;
  bookmark(revision: number, initialEventsEnd: boolean): Buffer;
  error(status: Status): Buffer;
}

const NEWLINE = Buffer.from('}\n');
const byEvent = new WeakMap<CacheEvent, Partial<Record<EventType, Buffer>>>();
const addedByEntry = new WeakMap<CacheEntry, Buffer>();

function jsonLine(type: EventType, entry: CacheEntry): Buffer {
  const bytes = Buffer.from(entry.bytes.buffer, entry.bytes.byteOffset, entry.bytes.byteLength);
  return Buffer.concat([Buffer.from(`{"type":"${type}","object":`), bytes, NEWLINE]);
}

/** The JSON event encoder (shared encodings). `kind`/`apiVersion` name the bookmark objects. */
export function jsonEncoder(kind: string, apiVersion: string): EventEncoder {
  return {
    event(type, entry, event) {
      if (!event) {
        if (type !== 'ADDED') return jsonLine(type, entry);
        let line = addedByEntry.get(entry);
        if (!line) addedByEntry.set(entry, (line = jsonLine(type, entry)));
        return line;
      }
      let lines = byEvent.get(event);
      if (!lines) byEvent.set(event, (lines = {}));
      return (lines[type] ??= jsonLine(type, entry));
    },
    bookmark: (revision, initialEventsEnd) => Buffer.from(`${JSON.stringify({ type: 'BOOKMARK', object: bookmarkObject(kind, apiVersion, revision, initialEventsEnd) })}\n`),
    error: (status) => Buffer.from(`${JSON.stringify({ type: 'ERROR', object: status })}\n`),
  };
}

/** The object of a BOOKMARK event: the kind with only its resourceVersion (and the initial-events marker). */
export function bookmarkObject(kind: string, apiVersion: string, revision: number, initialEventsEnd: boolean): Record<string, unknown> {
  const metadata: Record<string, unknown> = { resourceVersion: String(revision) };
  if (initialEventsEnd) metadata.annotations = { 'k8s.io/initial-events-end': 'true' };
  return { kind, apiVersion, metadata };
}
