/**
 * The pending-write record of the etcd storage and how a flush cuts writes into transactions.
 * Owns: what a write carries between admission and acknowledgement, transaction size limits.
 * Must not: talk to etcd.
 */

import type { Encode, Entry } from '../types.js';

/** A key's revisions. */
export interface IndexEntry {
  readonly createRevision: number;
  readonly modRevision: number;
}

/** One admitted write, from admission to acknowledgement (admission may run again after a lost race). */
export interface PendingWrite {
  kind: 'create' | 'update' | 'delete';
  key: string;
  /** The modRevision the caller expects (update, delete). */
  expected?: number | undefined;
  /** Builds the value (create, update) or the tombstone (delete, optional). */
  encode?: Encode | undefined;
  /** Assigned at admission. */
  revision: number;
  createRevision: number;
  /** The key's revisions before this write (update, delete). */
  before?: IndexEntry | undefined;
  value?: Uint8Array | undefined;
  tombstone?: Uint8Array | undefined;
  /** The value a delete removed (known once the flush read it). */
  deleted?: Uint8Array | undefined;
  /** The event record as written, to recognise a retried transaction. */
  record?: Buffer | undefined;
  resolve: (entry: Entry) => void;
  reject: (err: unknown) => void;
  /** Settles when the write resolved or rejected. */
  done: Promise<void>;
}

/** Bytes of values one transaction carries at most (etcd's default --max-request-bytes is 1.5 MiB). */
const MAX_TXN_BYTES = 1024 * 1024;

/**
 * The writes from `from` on that fit one transaction: each takes up to two operations (event
 * record, object) and about three times its value in bytes (object, event value, prevValue);
 * the counter and a compaction take three more operations. Always at least one write.
 */
export function chunkWrites(writes: readonly PendingWrite[], from: number, maxTxnOps: number): PendingWrite[] {
  const maxWrites = Math.max(1, Math.floor((maxTxnOps - 3) / 2));
  let bytes = 0;
  let end = from;
  while (end < writes.length && end - from < maxWrites) {
    const write = writes[end]!;
    const size = 3 * ((write.value?.byteLength ?? 0) + (write.tombstone?.byteLength ?? 0)) + 64;
    if (end > from && bytes + size > MAX_TXN_BYTES) break;
    bytes += size;
    end++;
  }
  return writes.slice(from, end);
}
