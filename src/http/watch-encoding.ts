/**
 * Watch event encodings. JSON events are encoded once per event and type and shared by every
 * watcher (`{"type":"MODIFIED","object":<stored bytes>}` + newline); Table events are built per
 * watcher, the first carrying the column definitions as kube-apiserver sends them. An update that
 * makes an object leave a watcher's selection is shown to it as DELETED of the previous state,
 * stamped with the update's revision (cacheWatcher.convertToWatchEvent). Metadata informers
 * (`as=PartialObjectMetadata`) get every object reduced to PartialObjectMetadata.
 * Owns: event → bytes. Must not: decide which events a watcher gets.
 */
import type { Status } from '../api/types.js';
import { partialObjectMetadata, type MetaVersion } from '../codec/table/index.js';
import { objectOf, type CacheEntry } from '../watch/entry.js';
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
const leftByEvent = new WeakMap<CacheEvent, CacheEntry>();

/**
 * The entry a watcher is shown for `type`: for a DELETED that an update produced (the object no
 * longer matches), the previous state with the update's resourceVersion, built once per event;
 * otherwise `entry` itself.
 */
export function shownEntry(type: EventType, entry: CacheEntry, event: CacheEvent | undefined): CacheEntry {
  if (type !== 'DELETED' || !event || event.type === 'DELETED' || !event.prev) return entry;
  let shown = leftByEvent.get(event);
  if (!shown) {
    const obj = objectOf(event.prev);
    obj.metadata.resourceVersion = String(event.revision);
    shown = { ...event.prev, bytes: Buffer.from(JSON.stringify(obj)), revision: event.revision };
    leftByEvent.set(event, shown);
  }
  return shown;
}

function jsonLine(type: EventType, entry: CacheEntry): Buffer {
  const bytes = Buffer.from(entry.bytes.buffer, entry.bytes.byteOffset, entry.bytes.byteLength);
  return Buffer.concat([Buffer.from(`{"type":"${type}","object":`), bytes, NEWLINE]);
}

/**
 * The JSON event encoder (shared encodings). `kind`/`apiVersion` name the bookmark objects.
 * With `view` (a custom resource served at another version than stored), each event's entry is
 * shown through it and encoded for this watcher (the view memoizes its entries).
 */
export function jsonEncoder(kind: string, apiVersion: string, view?: (entry: CacheEntry) => CacheEntry): EventEncoder {
  return {
    event(type, entry, event) {
      if (view) return jsonLine(type, view(shownEntry(type, entry, event)));
      if (!event) {
        if (type !== 'ADDED') return jsonLine(type, entry);
        let line = addedByEntry.get(entry);
        if (!line) addedByEntry.set(entry, (line = jsonLine(type, entry)));
        return line;
      }
      let lines = byEvent.get(event);
      if (!lines) byEvent.set(event, (lines = {}));
      return (lines[type] ??= jsonLine(type, shownEntry(type, entry, event)));
    },
    bookmark: (revision, initialEventsEnd) => Buffer.from(`${JSON.stringify({ type: 'BOOKMARK', object: bookmarkObject(kind, apiVersion, revision, initialEventsEnd) })}\n`),
    error: (status) => Buffer.from(`${JSON.stringify({ type: 'ERROR', object: status })}\n`),
  };
}

/** The PartialObjectMetadata event encoder (metadata informers): objects and bookmarks as meta.k8s.io `version` PartialObjectMetadata. */
export function metadataEncoder(version: MetaVersion): EventEncoder {
  const line = (value: unknown) => Buffer.from(`${JSON.stringify(value)}\n`);
  return {
    event: (type, entry, event) => line({ type, object: partialObjectMetadata(objectOf(shownEntry(type, entry, event)), version) }),
    bookmark: (revision, initialEventsEnd) => {
      const { metadata } = bookmarkObject('', '', revision, initialEventsEnd);
      return line({ type: 'BOOKMARK', object: { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${version}`, metadata } });
    },
    error: (status) => line({ type: 'ERROR', object: status }),
  };
}

/** The object of a BOOKMARK event: the kind with only its resourceVersion (and the initial-events marker). */
export function bookmarkObject(kind: string, apiVersion: string, revision: number, initialEventsEnd: boolean): Record<string, unknown> {
  const metadata: Record<string, unknown> = { resourceVersion: String(revision) };
  if (initialEventsEnd) metadata.annotations = { 'k8s.io/initial-events-end': 'true' };
  return { kind, apiVersion, metadata };
}
