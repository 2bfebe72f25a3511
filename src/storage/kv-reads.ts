/**
 * Range reads of the key-value storage: object lists and counts by key prefix, and event-log
 * replay. Functions over an open database; no state.
 * Owns: iteration, key ranges, snapshot use. Must not: check preconditions, write, know kinds.
 */

import type { Entry, ListOptions, ListResult, StorageEvent } from './types.js';
import {
  META_REVISION,
  OBJECT_PREFIX,
  decodeEvent,
  decodeNumber,
  decodeObject,
  eventKey,
  prefixRange,
  revisionOfEventKey,
} from './kv-codec.js';
import type { KvDatabase } from './kv-open.js';

/** Byte bounds of the object keys under `prefix`, strictly after `after` when given. */
function objectRange(prefix: string, after: string | undefined): { gte?: Buffer; gt?: Buffer; lt: Buffer } {
  const { gte, lt } = prefixRange(OBJECT_PREFIX + prefix);
  if (after === undefined) return { gte, lt };
  const gt = Buffer.from(OBJECT_PREFIX + after, 'utf8');
  return Buffer.compare(gt, gte) >= 0 ? { gt, lt } : { gte, lt };
}

/**
 * Entries under `prefix` in key (byte) order, read from one snapshot together with the revision
 * counter of that snapshot, so `revision` is exactly the state the entries show.
 */
export async function readList(db: KvDatabase, prefix: string, options: ListOptions): Promise<ListResult> {
  const limit = options.limit && options.limit > 0 ? options.limit : Infinity;
  const snapshot = db.snapshot();
  try {
    const revision = decodeNumber(await db.get(META_REVISION, { snapshot }));
    const iterator = db.iterator<Buffer, Uint8Array>({
      ...objectRange(prefix, options.after),
      keyEncoding: 'buffer',
      snapshot,
      // One more than asked tells whether more remain.
      limit: limit === Infinity ? -1 : limit + 1,
    });
    const entries: Entry[] = [];
    let more = false;
    try {
      read: for (;;) {
        const items = await iterator.nextv(Math.min(1024, limit + 1));
        if (items.length === 0) break;
        for (const [dbKey, record] of items) {
          if (entries.length === limit) {
            more = true;
            break read;
          }
          const { createRevision, modRevision, value } = decodeObject(record);
          entries.push({ key: dbKey.toString('utf8', OBJECT_PREFIX.length), value, createRevision, modRevision });
        }
      }
    } finally {
      await iterator.close();
    }
    return { entries, revision, more };
  } finally {
    await snapshot.close();
  }
}

/** Number of object keys under `prefix`. */
export async function countKeys(db: KvDatabase, prefix: string): Promise<number> {
  const iterator = db.keys<Buffer>({ ...objectRange(prefix, undefined), keyEncoding: 'buffer' });
  let n = 0;
  try {
    for (;;) {
      const keys = await iterator.nextv(4096);
      if (keys.length === 0) return n;
      n += keys.length;
    }
  } finally {
    await iterator.close();
  }
}

/**
 * Events with fromRevision < revision ≤ upTo, in order; undefined when some are missing (the log
 * was compacted under the read: revisions are contiguous, so a short read can only mean that).
 */
export async function readEvents(db: KvDatabase, fromRevision: number, upTo: number): Promise<StorageEvent[] | undefined> {
  const items = await db.iterator({ gt: eventKey(fromRevision), lte: eventKey(upTo) }).all();
  if (items.length !== upTo - fromRevision) return undefined;
  return items.map(([dbKey, entry]) => decodeEvent(revisionOfEventKey(dbKey), entry));
}
