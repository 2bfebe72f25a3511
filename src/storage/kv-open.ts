/**
 * Opening a key-value storage database: turns abstract-level open failures into messages a
 * person can act on, checks the format marker, and loads the revision counter, the compacted
 * revision and the key index from disk.
 * Owns: start-up checks and the initial index. Must not: write objects or events, know kinds.
 */

import type { AbstractBatchOptions, AbstractChainedBatchWriteOptions, AbstractLevel } from 'abstract-level';
import {
  EVENT_PREFIX,
  FORMAT_MARKER,
  META_COMPACTED,
  META_FORMAT,
  META_REVISION,
  OBJECT_PREFIX,
  decodeNumber,
  decodeObject,
  encodeNumber,
  revisionOfEventKey,
} from './kv-codec.js';

/**
 * The database the key-value storage runs on: utf8 string keys, byte values. Create it with
 * `{ keyEncoding: 'utf8', valueEncoding: 'view' }` (or 'buffer').
 */
export type KvDatabase = AbstractLevel<string | Buffer | Uint8Array, string, Uint8Array>;

/** Batch options; `sync` (fsync before resolving) is a classic-level option that other drivers ignore. */
export type WriteOptions = AbstractBatchOptions<string, Uint8Array> & AbstractChainedBatchWriteOptions & { sync: boolean };

/** Revisions of a key, as kept in the in-memory index. Never mutated: replaced on each write. */
export interface IndexEntry {
  readonly createRevision: number;
  readonly modRevision: number;
}

/** What `loadDatabase` finds on disk. */
export interface LoadedState {
  revision: number;
  compactedRevision: number;
  index: Map<string, IndexEntry>;
}

interface CodedError {
  code?: unknown;
  message?: unknown;
  cause?: unknown;
}

function describe(err: unknown): { code: string; message: string } {
  let inner: unknown = err;
  // abstract-level wraps the driver's error: LEVEL_DATABASE_NOT_OPEN with the real one as cause.
  while (inner && typeof inner === 'object' && (inner as CodedError).code === 'LEVEL_DATABASE_NOT_OPEN' && (inner as CodedError).cause) {
    inner = (inner as CodedError).cause;
  }
  const coded = (inner && typeof inner === 'object' ? inner : {}) as CodedError;
  return {
    code: typeof coded.code === 'string' ? coded.code : '',
    message: typeof coded.message === 'string' ? coded.message : String(inner),
  };
}

/** A data dir that cannot be used; the message says why in words a person can act on. */
export class DataDirError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DataDirError';
  }
}

function notKubemu(location: string, reason: string, cause?: unknown): DataDirError {
  return new DataDirError(`${location} is not a kubemu data dir or is corrupt: ${reason}`, { cause });
}

/** Translates a failure to open or read the database at `location` into a DataDirError. */
export function openError(location: string, err: unknown): DataDirError {
  if (err instanceof DataDirError) return err;
  const { code, message } = describe(err);
  if (code === 'LEVEL_LOCKED') {
    return new DataDirError(`cannot open data dir ${location}: it is locked by another kubemu process (${message})`, { cause: err });
  }
  if (code === 'LEVEL_CORRUPTION') return notKubemu(location, message, err);
  return new DataDirError(`cannot open data dir ${location}: ${message}`, { cause: err });
}

/**
 * Checks the format marker (writing it into an empty database), then reads the revision counter,
 * the compacted revision and every object's revisions. Throws a DataDirError when the database
 * is foreign, inconsistent or unreadable.
 */
export async function loadDatabase(db: KvDatabase, location: string, sync: boolean): Promise<LoadedState> {
  try {
    return await load(db, location, sync);
  } catch (err) {
    throw openError(location, err);
  }
}

async function load(db: KvDatabase, location: string, sync: boolean): Promise<LoadedState> {
  const [format, revisionBytes, compactedBytes] = await db.getMany([META_FORMAT, META_REVISION, META_COMPACTED]);
  if (format === undefined) {
    const writeOptions: WriteOptions = { sync };
    const anyKey = await db.keys({ limit: 1 }).all();
    if (anyKey.length > 0) throw notKubemu(location, 'it holds data without the kubemu format marker');
    await db.batch(
      [
        { type: 'put', key: META_FORMAT, value: Buffer.from(FORMAT_MARKER) },
        { type: 'put', key: META_REVISION, value: encodeNumber(0) },
        { type: 'put', key: META_COMPACTED, value: encodeNumber(0) },
      ],
      writeOptions,
    );
    return { revision: 0, compactedRevision: 0, index: new Map() };
  }
  const marker = Buffer.from(format.buffer, format.byteOffset, format.byteLength).toString('utf8');
  if (marker !== FORMAT_MARKER) throw notKubemu(location, `unknown format marker ${JSON.stringify(marker)}`);

  let revision: number;
  let compactedRevision: number;
  try {
    revision = decodeNumber(revisionBytes);
    compactedRevision = decodeNumber(compactedBytes);
  } catch (err) {
    throw notKubemu(location, `bad meta record: ${(err as Error).message}`, err);
  }
  if (compactedRevision > revision) {
    throw notKubemu(location, `compacted revision ${compactedRevision} is past revision ${revision}`);
  }

  const index = await loadIndex(db, location, revision);

  // Every write puts its event in the same batch as the counter, so the newest event is the counter.
  const [last] = await db.keys({ gt: EVENT_PREFIX, lt: 'f', reverse: true, limit: 1 }).all();
  const lastEvent = last === undefined ? 0 : revisionOfEventKey(last);
  if (revision > compactedRevision ? lastEvent !== revision : lastEvent > revision) {
    throw notKubemu(location, `event log ends at revision ${lastEvent} but the counter is ${revision}`);
  }
  return { revision, compactedRevision, index };
}

async function loadIndex(db: KvDatabase, location: string, revision: number): Promise<Map<string, IndexEntry>> {
  const index = new Map<string, IndexEntry>();
  // Object keys are 'o' + key: every one of them sorts between 'o' and 'p'.
  const iterator = db.iterator({ gte: OBJECT_PREFIX, lt: 'p' });
  try {
    for (;;) {
      const items = await iterator.nextv(1024);
      if (items.length === 0) break;
      for (const [dbKey, record] of items) {
        const key = dbKey.slice(OBJECT_PREFIX.length);
        let entry: IndexEntry;
        try {
          const { createRevision, modRevision } = decodeObject(record);
          entry = { createRevision, modRevision };
        } catch (err) {
          throw notKubemu(location, `bad record for key ${key}: ${(err as Error).message}`, err);
        }
        if (entry.modRevision > revision || entry.createRevision > entry.modRevision) {
          throw notKubemu(location, `key ${key} has revisions ${entry.createRevision}/${entry.modRevision} past the counter ${revision}`);
        }
        index.set(key, entry);
      }
    }
  } finally {
    await iterator.close();
  }
  return index;
}
