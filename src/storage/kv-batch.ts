/**
 * One group-commit batch of the key-value storage: the admitted writes it carries, and how they
 * turn into database operations, events and acknowledgements.
 * Owns: the write records and batch assembly. Must not: assign revisions, check preconditions,
 * or write to the database.
 */

import type { Entry, StorageEvent } from './types.js';
import {
  META_COMPACTED,
  META_REVISION,
  decodeObject,
  encodeEvent,
  encodeNumber,
  encodeObject,
  eventKey,
  objectKey,
} from './kv-codec.js';
import type { IndexEntry, KvDatabase } from './kv-open.js';

/** The result of `delete`: the deleted entry and the revision of the delete. */
export type DeletedEntry = Entry & { revision: number };

interface WriteBase {
  key: string;
  revision: number;
  createRevision: number;
  /** The key's index entry before this write, restored on rollback. */
  before: IndexEntry | undefined;
  reject: (err: unknown) => void;
}

/** An admitted create or update. */
export interface PutWrite extends WriteBase {
  kind: 'create' | 'update';
  value: Uint8Array;
  resolve: (entry: Entry) => void;
}

/** An admitted delete. */
export interface DeleteWrite extends WriteBase {
  kind: 'delete';
  /** Bytes for the DELETED event; undefined: the last value. */
  tombstone: Uint8Array | undefined;
  /** The deleted key's modRevision. */
  modRevision: number;
  resolve: (entry: DeletedEntry) => void;
}

/** A write admitted with its revision, waiting for its batch. */
export type Write = PutWrite | DeleteWrite;

/** Writes flushed together, and a promise that settles (never rejects) once they are done. */
export class Batch {
  readonly writes: Write[] = [];
  /** Compact the log up to this revision in this batch (0: only if the window asks). */
  compactTo = 0;
  /** Something asked for this batch to be flushed. */
  requested = false;
  /** The batch was not written; its writes were rejected. */
  failed = false;
  /** Settles once the batch is written or has failed. */
  readonly done: Promise<void>;
  readonly settle: () => void;

  constructor() {
    let settle!: () => void;
    this.done = new Promise<void>((resolve) => (settle = resolve));
    this.settle = settle;
  }
}

/** Where assembled operations go: an abstract-level chained batch. */
export interface BatchSink {
  put(key: string, value: Uint8Array): unknown;
  del(key: string): unknown;
}

/** What to do once an assembled batch is durable. */
export interface AssembledBatch {
  events: StorageEvent[];
  /** Resolves each write's promise, in revision order. */
  acknowledge: (() => void)[];
}

/**
 * Reads the previous values the events of `writes` need (one getMany; values written earlier in
 * the same batch come from the batch itself), then opens a chained batch with `open` and puts
 * into it, in revision order, each write's object put or delete and its event entry, then the
 * revision counter, and the compaction mark when `compactTo` is given.
 */
export async function assembleBatch<S extends BatchSink>(
  db: KvDatabase,
  writes: readonly Write[],
  compactTo: number | undefined,
  open: () => S,
): Promise<AssembledBatch & { sink: S }> {
  const current = await previousValues(db, writes);
  const sink = open();
  const events: StorageEvent[] = [];
  const acknowledge: (() => void)[] = [];
  for (const write of writes) {
    const { key, revision, createRevision } = write;
    const prev = current.get(key);
    let event: StorageEvent;
    if (write.kind === 'delete') {
      if (prev === undefined) throw new TypeError(`index has ${key} but the database does not`);
      sink.del(objectKey(key));
      current.delete(key);
      event = { type: 'delete', key, revision, value: write.tombstone ?? prev, prevValue: prev, created: false };
      const deleted: DeletedEntry = { key, value: prev, createRevision, modRevision: write.modRevision, revision };
      acknowledge.push(() => write.resolve(deleted));
    } else {
      if (write.kind === 'update' && prev === undefined) throw new TypeError(`index has ${key} but the database does not`);
      sink.put(objectKey(key), encodeObject(createRevision, revision, write.value));
      current.set(key, write.value);
      event = { type: 'put', key, revision, value: write.value, created: write.kind === 'create' };
      if (prev !== undefined) event.prevValue = prev;
      const entry: Entry = { key, value: write.value, createRevision, modRevision: revision };
      acknowledge.push(() => write.resolve(entry));
    }
    sink.put(eventKey(revision), encodeEvent(event));
    events.push(event);
  }
  const last = writes[writes.length - 1];
  if (last) sink.put(META_REVISION, encodeNumber(last.revision));
  if (compactTo !== undefined) sink.put(META_COMPACTED, encodeNumber(compactTo));
  return { sink, events, acknowledge };
}

/** Values of the keys `writes` update or delete, as they are before the batch. */
async function previousValues(db: KvDatabase, writes: readonly Write[]): Promise<Map<string, Uint8Array>> {
  const seen = new Set<string>();
  const keys: string[] = [];
  for (const write of writes) {
    if (seen.has(write.key)) continue;
    seen.add(write.key);
    // A key whose first write in the batch is a create did not exist before it.
    if (write.kind !== 'create') keys.push(write.key);
  }
  const current = new Map<string, Uint8Array>();
  if (keys.length === 0) return current;
  const records = await db.getMany(keys.map(objectKey));
  for (let i = 0; i < keys.length; i++) {
    const record = records[i];
    if (record !== undefined) current.set(keys[i]!, decodeObject(record).value);
  }
  return current;
}
