/**
 * Re-list of an etcd storage replica whose event feed fell behind compaction: the event records
 * after what it delivered are gone (another replica compacted them while this one was cut off or
 * slow), so it cannot replay them. As kube-apiserver's watch cache re-lists when its watch falls
 * behind etcd's compaction, the replica reads every object and the counter at one etcd revision
 * and turns the difference with what it delivered into events, so that its subscribers (the
 * watch cache, and through it watchers and informers) converge on the current state:
 *
 *   - a key new or changed since: a put at the object's modRevision (its stored bytes carry it);
 *   - a key gone: a delete carrying its last known value, at a revision of the gap that no
 *     surviving object holds (each delete took one revision of the gap, so there are enough).
 *
 * Intermediate states inside the gap are not replayed (they are gone), exactly as a re-list
 * cannot show them; a watcher sees each changed object once, at its current revision.
 * Owns: the snapshot read and the difference. Must not: deliver events or write.
 */

import type { Etcd3 } from 'etcd3';
import { decodeObject } from '../kv-codec.js';
import type { StorageEvent } from '../types.js';
import { EtcdKeys, decimal } from './etcd-client.js';
import type { IndexEntry } from './etcd-writes.js';

/** Every object of a prefix, the counter and the compacted mark, read at one etcd revision. */
export interface EtcdSnapshot {
  revision: number;
  compacted: number;
  etcdRevision: string;
  objects: Map<string, IndexEntry & { value: Uint8Array }>;
}

/** Reads a snapshot (first page with the counter in one transaction, later pages at its revision). */
export async function readSnapshot(client: Etcd3, keys: EtcdKeys): Promise<EtcdSnapshot> {
  const start = keys.object('');
  const end = EtcdKeys.endOf(start);
  const first = await client.kv.txn({
    compare: [],
    success: [{ request_range: { key: keys.revision } }, { request_range: { key: keys.compacted } }, { request_range: { key: start, range_end: end, limit: 1000 } }],
    failure: [],
  });
  const etcdRevision = first.header.revision;
  const objects = new Map<string, IndexEntry & { value: Uint8Array }>();
  let page = first.responses[2]!.response_range;
  for (;;) {
    for (const kv of page.kvs) {
      const { createRevision, modRevision, value } = decodeObject(kv.value);
      objects.set(keys.objectKeyOf(kv.key), { createRevision, modRevision, value });
    }
    if (!page.more || page.kvs.length === 0) break;
    const from = Buffer.concat([page.kvs[page.kvs.length - 1]!.key, Buffer.from([0])]);
    page = await client.kv.range({ key: from, range_end: end, limit: 1000, revision: etcdRevision });
  }
  return {
    revision: decimal(first.responses[0]?.response_range.kvs[0]?.value),
    compacted: decimal(first.responses[1]?.response_range.kvs[0]?.value),
    etcdRevision,
    objects,
  };
}

/**
 * The events that take a replica from what it delivered (`index`, `values` at `delivered`) to
 * `snapshot`, in revision order.
 */
export function differenceEvents(
  delivered: number,
  index: ReadonlyMap<string, IndexEntry>,
  values: ReadonlyMap<string, Uint8Array>,
  snapshot: EtcdSnapshot,
): StorageEvent[] {
  const events: StorageEvent[] = [];
  const used = new Set<number>();
  for (const [key, now] of snapshot.objects) {
    const before = index.get(key);
    if (before && before.modRevision === now.modRevision) continue;
    used.add(now.modRevision);
    const event: StorageEvent = { type: 'put', key, revision: now.modRevision, value: now.value, created: !before };
    const prevValue = values.get(key);
    if (before && prevValue) event.prevValue = prevValue;
    events.push(event);
  }
  let free = delivered;
  for (const [key] of index) {
    if (snapshot.objects.has(key)) continue;
    do free++;
    while (used.has(free) && free < snapshot.revision);
    const last = values.get(key) ?? new Uint8Array();
    events.push({ type: 'delete', key, revision: Math.min(free, snapshot.revision), value: last, prevValue: last, created: false });
  }
  return events.sort((a, b) => a.revision - b.revision);
}
