/**
 * `Storage` over an etcd cluster, for several kubemu replicas serving one cluster.
 * Owns: revision assignment across replicas, the write pipeline, reads, compaction.
 * Must not: know kinds or HTTP.
 *
 * Which revision. The Storage contract hands `Encode` the revision of a write BEFORE the write,
 * so that stored bytes embed their own resourceVersion, and watch and list serve those bytes
 * as they are ("encode once"). etcd assigns its revision at commit, and kube-apiserver copes by
 * setting resourceVersion on every decode (option "b"); that would need a contract change and
 * re-encoding on every read, and the etcd revision of a write cannot be predicted while other
 * writers (other kubemu clusters under other prefixes) share the etcd. So the revision here is
 * kubemu's own, kept in etcd: a counter key P/m/revision (option "a", made exact):
 *
 *   - a write is admitted synchronously, in call order: its precondition is checked against an
 *     index (key → createRevision, modRevision) kept from the event feed plus this replica's
 *     pending writes; it takes the next revision and its Encode runs, as in the LevelDB store;
 *   - one flush at a time sends the collected writes as ONE etcd transaction (group commit):
 *     `if P/m/revision == <revision before the batch> then put objects, put one event record
 *     per write, put the counter, [compaction]`. The compare makes the local index exact: when
 *     it holds, nothing was written since this replica's view, so every precondition checked
 *     locally holds in etcd too;
 *   - when the compare fails another replica wrote first: the feed catches up to the counter,
 *     and the batch's writes (and those collected behind it) are admitted again, in order,
 *     against the new state — some now fail their precondition, the rest take new revisions and
 *     Encode runs again. A compare that fails because a retried transaction had already
 *     committed is recognised by reading back the batch's last event record;
 *   - a write resolves only once the feed delivered its event to subscribers, so each replica's
 *     watch cache (fed by subscribe) holds a write before its client hears of it.
 *
 * Revisions are consecutive per prefix (etcd's own revision counts every prefix), every
 * replica agrees on them, and the shared storage suite runs unchanged. The cost: writes of all
 * replicas serialise on the counter (one transaction in flight per replica; a lost race costs a
 * retry), and an event record repeats the value (and prevValue) of each write, so an object's
 * size limit is about a third of etcd's --max-request-bytes. etcd's own MVCC history is not
 * read: after each kubemu compaction the etcd history is compacted one compaction behind.
 *
 * Reads go to etcd (linearizable): `get` of a key with a pending write waits for it; `list`
 * reads the counter and the first page in one transaction, later pages at the same etcd
 * revision; `eventsSince` ranges over the event records. See etcd-feed.ts for events.
 */

import type { Etcd3, IRequestOp, ITxnResponse } from 'etcd3';
import { decodeEvent, decodeObject, encodeEvent, encodeObject } from '../kv-codec.js';
import { StorageError } from '../types.js';
import type { Encode, Entry, ListOptions, ListResult, Storage, StorageEvent, Subscriber } from '../types.js';
import { checkAbsent, checkEventsSinceRevision, checkExisting, checkReadable, compactedError, EncodeGuard, EventWindow, Lifecycle, readError, Subscribers } from '../storage-rules.js';
import { DEFAULT_PREFIX, ETCD_FORMAT_MARKER, EtcdKeys, connectEtcd, decimal, tlsHint, unavailable } from './etcd-client.js';
import type { EtcdConnectionOptions } from './etcd-client.js';
import { EtcdFeed } from './etcd-feed.js';
import { differenceEvents, readSnapshot } from './etcd-resync.js';
import { chunkWrites, type IndexEntry, type PendingWrite } from './etcd-writes.js';

/** Options of `EtcdStorage`. */
export interface EtcdStorageOptions extends EtcdConnectionOptions {
  /** How many recent events the log keeps; older ones are compacted automatically. Default 10000. */
  eventWindow?: number;
  /** etcd's --max-txn-ops (a batch never exceeds it). Default 128, etcd's default. */
  maxTxnOps?: number;
}

type Outcome = 'ok' | 'conflict';

/** `Storage` in etcd (see the module header for the design). */
export class EtcdStorage implements Storage {
  readonly #options: EtcdStorageOptions & { eventWindow: number; endpoints: string[] };
  readonly #keys: EtcdKeys;
  readonly #window: EventWindow;
  #client: Etcd3 | undefined;
  #feed: EtcdFeed | undefined;
  readonly #life = new Lifecycle();
  /** Every key's revisions as delivered by the feed. */
  readonly #durable = new Map<string, IndexEntry>();
  /**
   * Every key's value as delivered by the feed: the prevValue of the next write's event. The
   * same bytes the subscribers (the watch cache) keep, so it costs references, not copies.
   */
  readonly #values = new Map<string, Uint8Array>();
  /** Keys with a pending write → the newest one. */
  readonly #pending = new Map<string, PendingWrite>();
  #assigned = 0;
  #compacted = 0;
  /** An explicit compaction asked for by `compact`. */
  #compactTo = 0;
  #collecting: PendingWrite[] = [];
  #flushing: Promise<void> | undefined;
  readonly #encoder = new EncodeGuard();
  #lastCompactionEtcdRevision: string | undefined;
  readonly #subscribers = new Subscribers();

  /** Creates a closed store; call `open()`. */
  constructor(options: EtcdStorageOptions) {
    this.#window = new EventWindow(options.eventWindow);
    this.#options = { ...options, eventWindow: this.#window.size, endpoints: [...options.endpoints] };
    this.#keys = new EtcdKeys(options.prefix ?? DEFAULT_PREFIX);
  }

  get revision(): number {
    return this.#feed?.delivered ?? 0;
  }

  get compactedRevision(): number {
    return this.#compacted;
  }

  open(): Promise<void> {
    return this.#life.open(() => this.#open());
  }

  async #open(): Promise<void> {
    this.#life.state = 'opening';
    const client = connectEtcd(this.#options);
    const keys = this.#keys;
    try {
      const init = await client.kv.txn({
        compare: [{ key: keys.format, target: 'Version', result: 'Equal', version: 0 }],
        success: [
          { request_put: { key: keys.format, value: Buffer.from(ETCD_FORMAT_MARKER) } },
          { request_put: { key: keys.revision, value: Buffer.from('0') } },
          { request_put: { key: keys.compacted, value: Buffer.from('0') } },
        ],
        failure: [{ request_range: { key: keys.format } }],
      });
      const marker = init.succeeded ? ETCD_FORMAT_MARKER : init.responses[0]?.response_range.kvs[0]?.value.toString();
      if (marker !== ETCD_FORMAT_MARKER) throw new Error(`prefix ${keys.prefix} holds ${JSON.stringify(marker)}, not kubemu's format marker`);
      // One snapshot: the counter, the compacted mark and every object at one etcd revision.
      const snapshot = await readSnapshot(client, keys);
      const { revision, etcdRevision: at } = snapshot;
      this.#compacted = snapshot.compacted;
      for (const [key, { createRevision, modRevision, value }] of snapshot.objects) {
        this.#durable.set(key, { createRevision, modRevision });
        this.#values.set(key, value);
      }
      this.#assigned = revision;
      const feed = new EtcdFeed({
        client, keys, endpoints: this.#options.endpoints, delivered: revision, etcdRevision: at,
        deliver: (events) => this.#onEvents(events),
        compacted: (mark) => (this.#compacted = Math.max(this.#compacted, mark)),
        resync: (delivered) => this.#resync(client, delivered),
      });
      await feed.start();
      this.#feed = feed;
    } catch (err) {
      this.#life.state = 'new';
      client.close();
      const reason = (err instanceof Error ? err.message : String(err)).replace(/\s*Resolution note:\s*$/, '');
      const hint = tlsHint(reason, this.#options);
      throw new Error(`cannot use etcd ${this.#options.endpoints.join(',')} (prefix ${keys.prefix}): ${hint ? `${hint} (${reason})` : reason}`);
    }
    this.#client = client;
    this.#life.state = 'open';
  }

  close(): Promise<void> {
    return this.#life.close(async (wasOpen) => {
      if (wasOpen) {
        while (this.#flushing) await this.#flushing;
        await this.#feed?.stop();
        this.#client?.close();
      }
      this.#subscribers.clear();
    });
  }

  /** Resolves when etcd answers a read within `timeoutMs`; rejects with StorageError('Unavailable') otherwise. */
  async health(timeoutMs = 2000): Promise<void> {
    const client = this.#readable('', true);
    try {
      await client.kv.range({ key: this.#keys.format, keys_only: true }, { deadline: Date.now() + timeoutMs });
    } catch (err) {
      throw unavailable('', err, this.#options.endpoints);
    }
  }

  /**
   * etcd's current kubemu revision (the counter), read within `timeoutMs`: what a consistent
   * read must wait for before it is served from a watch cache (kube-apiserver's consistent reads
   * from cache). Rejects with StorageError('Unavailable') when etcd does not answer.
   */
  async currentRevision(timeoutMs = 5000): Promise<number> {
    const client = this.#readable('', true);
    try {
      const res = await client.kv.range({ key: this.#keys.revision }, { deadline: Date.now() + timeoutMs });
      return decimal(res.kvs[0]?.value);
    } catch (err) {
      throw this.#readError('', err);
    }
  }

  // ---- reads ----

  async get(key: string): Promise<Entry | undefined> {
    const client = this.#readable(key);
    const pending = this.#pending.get(key);
    if (pending) await pending.done;
    try {
      const res = await client.kv.range({ key: this.#keys.object(key) });
      const kv = res.kvs[0];
      if (!kv) return undefined;
      const { createRevision, modRevision, value } = decodeObject(kv.value);
      return { key, value, createRevision, modRevision };
    } catch (err) {
      throw this.#readError(key, err);
    }
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListResult> {
    const client = this.#readable(prefix, true);
    const limit = options.limit && options.limit > 0 ? options.limit : 0;
    const start = this.#keys.object(prefix);
    const end = EtcdKeys.endOf(start);
    let from = start;
    if (options.after !== undefined) {
      const after = this.#keys.object(options.after);
      if (Buffer.compare(after, end) >= 0) return { entries: [], revision: this.revision, more: false };
      if (Buffer.compare(after, start) >= 0) from = Buffer.concat([after, Buffer.from([0])]);
    }
    const entries: Entry[] = [];
    try {
      const first = await client.kv.txn({
        compare: [],
        success: [
          { request_range: { key: this.#keys.revision } },
          { request_range: { key: from, range_end: end, limit: limit || 1000 } },
        ],
        failure: [],
      });
      const revision = decimal(first.responses[0]?.response_range.kvs[0]?.value);
      let page = first.responses[1]!.response_range;
      for (;;) {
        for (const kv of page.kvs) {
          const { createRevision, modRevision, value } = decodeObject(kv.value);
          entries.push({ key: this.#keys.objectKeyOf(kv.key), value, createRevision, modRevision });
        }
        if (limit || !page.more || page.kvs.length === 0) return { entries, revision, more: Boolean(limit && page.more) };
        // Later pages at the etcd revision of the first: one consistent snapshot.
        from = Buffer.concat([page.kvs[page.kvs.length - 1]!.key, Buffer.from([0])]);
        page = await client.kv.range({ key: from, range_end: end, limit: 1000, revision: first.header.revision });
      }
    } catch (err) {
      throw this.#readError(prefix, err);
    }
  }

  async count(prefix: string): Promise<number> {
    const client = this.#readable(prefix, true);
    const start = this.#keys.object(prefix);
    try {
      const res = await client.kv.range({ key: start, range_end: EtcdKeys.endOf(start), count_only: true });
      return Number(res.count);
    } catch (err) {
      throw this.#readError(prefix, err);
    }
  }

  async eventsSince(fromRevision: number): Promise<StorageEvent[]> {
    const client = this.#readable('', true);
    checkEventsSinceRevision(fromRevision);
    if (fromRevision < this.#compacted) throw this.#compactedError(fromRevision);
    const upTo = this.revision;
    if (fromRevision >= upTo) return [];
    const events: StorageEvent[] = [];
    let next = fromRevision + 1;
    try {
      while (next <= upTo) {
        const res = await client.kv.range({ key: this.#keys.event(next), range_end: this.#keys.event(upTo + 1), limit: 1000 });
        for (const kv of res.kvs) {
          const revision = this.#keys.revisionOfEvent(kv.key)!;
          if (revision !== next) throw this.#compactedError(fromRevision);
          events.push(decodeEvent(revision, kv.value));
          next++;
        }
        if (res.kvs.length === 0) break;
      }
    } catch (err) {
      throw this.#readError('', err);
    }
    if (next <= upTo) throw this.#compactedError(fromRevision);
    return events;
  }

  subscribe(subscriber: Subscriber): () => void {
    this.#readable('', true);
    return this.#subscribers.add(subscriber);
  }

  async compact(revision: number): Promise<void> {
    this.#readable('', true);
    const target = Math.min(Math.floor(revision), this.revision);
    if (!(target > this.#compacted)) return;
    this.#compactTo = Math.max(this.#compactTo, target);
    this.#schedule();
    while (this.#flushing) await this.#flushing;
    if (this.#compacted < target) throw new StorageError('Unavailable', '', `compaction to revision ${target} failed`);
  }

  // ---- writes: admitted synchronously, in call order ----

  create(key: string, encode: Encode): Promise<Entry> {
    return this.#write({ kind: 'create', key, encode }) as Promise<Entry>;
  }

  update(key: string, expectedRevision: number | undefined, encode: Encode): Promise<Entry> {
    return this.#write({ kind: 'update', key, expected: expectedRevision, encode }) as Promise<Entry>;
  }

  delete(key: string, expectedRevision?: number, tombstone?: Encode): Promise<Entry & { revision: number }> {
    return this.#write({ kind: 'delete', key, expected: expectedRevision, encode: tombstone }) as Promise<Entry & { revision: number }>;
  }

  #write(request: Pick<PendingWrite, 'kind' | 'key' | 'expected' | 'encode'>): Promise<Entry> {
    try {
      this.#encoder.checkOutside();
      this.#readable(request.key);
      let resolve!: (entry: Entry) => void;
      let reject!: (err: unknown) => void;
      let settle!: () => void;
      const done = new Promise<void>((r) => (settle = r));
      const promise = new Promise<Entry>((res, rej) => {
        resolve = (entry) => (settle(), res(entry));
        reject = (err) => (settle(), rej(err));
      });
      const write: PendingWrite = { ...request, revision: 0, createRevision: 0, resolve, reject, done };
      try {
        this.#admit(write);
      } catch (err) {
        if (!(err instanceof StorageError)) throw err;
        // Refused by this replica's view, which may lag another replica's writes: look again.
        void this.#recheck(write, err);
        return promise;
      }
      this.#collecting.push(write);
      this.#schedule();
      return promise;
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * A write refused by a precondition: if etcd's counter is past what the feed delivered, waits
   * for the feed and admits the write again; otherwise (or if refused again) rejects it.
   */
  async #recheck(write: PendingWrite, refusal: StorageError): Promise<void> {
    const seen = this.#feed!.delivered;
    try {
      const res = await this.#client!.kv.range({ key: this.#keys.revision });
      const counter = decimal(res.kvs[0]?.value);
      if (counter <= seen) throw refusal;
      await this.#feed!.waitFor(counter);
      if (this.#assigned < this.#feed!.delivered && this.#collecting.length === 0 && !this.#flushing) this.#assigned = this.#feed!.delivered;
      this.#readable(write.key);
      this.#admit(write);
      this.#collecting.push(write);
      this.#schedule();
    } catch (err) {
      write.reject(err instanceof StorageError || err instanceof TypeError ? err : unavailable(write.key, err, this.#options.endpoints));
    }
  }

  /** The key's revisions as this replica sees them, pending writes included. */
  #lookup(key: string): IndexEntry | undefined {
    const pending = this.#pending.get(key);
    if (pending) return pending.kind === 'delete' ? undefined : { createRevision: pending.createRevision, modRevision: pending.revision };
    return this.#durable.get(key);
  }

  /** Checks the precondition, takes the next revision and runs Encode; throws when refused. */
  #admit(write: PendingWrite): void {
    const { key } = write;
    const before = this.#lookup(key);
    if (write.kind === 'create') checkAbsent(key, before);
    else checkExisting(key, before, write.expected);
    const revision = this.#assigned + 1;
    const bytes = write.encode ? this.#encoder.run(write.encode, revision, key) : undefined;
    write.revision = revision;
    write.createRevision = before?.createRevision ?? revision;
    write.before = before;
    if (write.kind === 'delete') write.tombstone = bytes;
    else write.value = bytes;
    this.#assigned = revision;
    this.#pending.set(key, write);
  }

  // ---- flush: one batch at a time ----

  #schedule(): void {
    this.#flushing ??= this.#flushLoop();
  }

  async #flushLoop(): Promise<void> {
    try {
      // Let the writes of the current synchronous burst join the first batch.
      await undefined;
      while (this.#collecting.length > 0 || this.#compactTo > this.#compacted) {
        const writes = this.#collecting;
        this.#collecting = [];
        await this.#commitAll(writes);
      }
    } finally {
      // In the same synchronous step as the last check of `#collecting`: a write collected
      // after it must start a new loop. (Clearing in a `.finally()` callback left a gap of a
      // few microtasks in which a write joined a loop that had already ended, and hung.)
      this.#flushing = undefined;
    }
  }

  async #commitAll(initial: PendingWrite[]): Promise<void> {
    let writes = initial;
    let i = 0;
    while (i < writes.length || (writes.length === 0 && this.#compactTo > this.#compacted)) {
      const chunk = chunkWrites(writes, i, this.#options.maxTxnOps ?? 128);
      let outcome: Outcome;
      try {
        outcome = await this.#commitChunk(chunk);
      } catch (err) {
        this.#fail([...writes.slice(i), ...this.#collecting.splice(0)], err);
        this.#compactTo = Math.min(this.#compactTo, this.#compacted);
        return;
      }
      if (outcome === 'ok') {
        i += chunk.length;
        if (writes.length === 0) return;
        continue;
      }
      // Another replica wrote first: admit the rest again over the state the feed caught up to.
      writes = this.#readmit([...writes.slice(i), ...this.#collecting.splice(0)]);
      i = 0;
      if (writes.length === 0 && !(this.#compactTo > this.#compacted)) return;
    }
  }

  /** Writes one chunk in one transaction conditioned on the counter. */
  async #commitChunk(chunk: PendingWrite[]): Promise<Outcome> {
    const client = this.#client!;
    const keys = this.#keys;
    const feed = this.#feed!;
    const base = chunk.length > 0 ? chunk[0]!.revision - 1 : feed.delivered;
    const last = chunk.length > 0 ? chunk[chunk.length - 1]!.revision : base;
    const counterIs = { key: keys.revision, target: 'Value' as const, result: 'Equal' as const, value: Buffer.from(String(base)) };
    const readCounter: IRequestOp = { request_range: { key: keys.revision } };

    // Previous values the events need: read under the same compare (one round trip).
    const values = new Map<string, Uint8Array | undefined>();
    const first = new Map<string, PendingWrite>();
    for (const write of chunk) if (!first.has(write.key)) first.set(write.key, write);
    const toRead = [...first.values()].filter((w) => w.kind !== 'create').map((w) => w.key);
    if (base === feed.delivered) {
      // The index holds every write up to `base`, and the compare below holds only if etcd is
      // still at `base`: the delivered values are exactly what etcd has (no read round trip).
      for (const key of toRead) values.set(key, this.#values.get(key));
    } else if (toRead.length > 0) {
      const read = await client.kv.txn({
        compare: [counterIs],
        success: toRead.map((key) => ({ request_range: { key: keys.object(key) } })),
        failure: [readCounter],
      });
      if (!read.succeeded) return this.#conflict(read, chunk, last);
      toRead.forEach((key, n) => {
        const kv = read.responses[n]?.response_range.kvs[0];
        values.set(key, kv ? decodeObject(kv.value).value : undefined);
      });
    }

    const ops: IRequestOp[] = [];
    const newest = new Map<string, PendingWrite>();
    for (const write of chunk) {
      const prevValue = values.get(write.key);
      let event: Omit<StorageEvent, 'revision'>;
      if (write.kind === 'delete') {
        write.deleted = prevValue ?? new Uint8Array();
        event = { type: 'delete', key: write.key, value: write.tombstone ?? write.deleted, created: false, prevValue: write.deleted };
        values.set(write.key, undefined);
      } else {
        event = { type: 'put', key: write.key, value: write.value!, created: write.kind === 'create' };
        if (prevValue !== undefined) event.prevValue = prevValue;
        values.set(write.key, write.value);
      }
      write.record = encodeEvent(event);
      ops.push({ request_put: { key: keys.event(write.revision), value: write.record } });
      newest.set(write.key, write);
    }
    for (const [key, write] of newest) {
      ops.push(write.kind === 'delete'
        ? { request_delete_range: { key: keys.object(key) } }
        : { request_put: { key: keys.object(key), value: encodeObject(write.createRevision, write.revision, write.value!) } });
    }
    if (chunk.length > 0) ops.push({ request_put: { key: keys.revision, value: Buffer.from(String(last)) } });
    const compactTo = this.#compactionTarget(last);
    if (compactTo > this.#compacted) {
      ops.push({ request_put: { key: keys.compacted, value: Buffer.from(String(compactTo)) } });
      ops.push({ request_delete_range: { key: keys.feedStart, range_end: keys.event(Math.min(compactTo, base) + 1) } });
    }
    const res = await client.kv.txn({ compare: [counterIs], success: ops, failure: [readCounter] });
    if (!res.succeeded) return this.#conflict(res, chunk, last);
    if (compactTo > this.#compacted) this.#compacted = compactTo;
    if (compactTo >= this.#compactTo) this.#compactTo = 0;
    if (compactTo > 0 && res.header.revision) this.#compactEtcd(res.header.revision, compactTo);
    // Committed: etcd holds exactly these records after `base`, so they are delivered at once.
    this.#feed!.deliverOwn(chunk.map((write) => decodeEvent(write.revision, write.record!)));
    await this.#acknowledge(chunk, last);
    return 'ok';
  }

  /** Waits until the feed delivered the chunk, then resolves its writes. */
  async #acknowledge(chunk: PendingWrite[], last: number): Promise<void> {
    await this.#feed!.waitFor(last);
    for (const write of chunk) {
      const { key, createRevision, revision } = write;
      if (write.kind === 'delete') {
        const before = write.before!;
        write.resolve({ key, value: write.deleted!, createRevision: before.createRevision, modRevision: before.modRevision, revision } as Entry);
      } else {
        write.resolve({ key, value: write.value!, createRevision, modRevision: revision });
      }
    }
  }

  /** A failed compare: our own retried transaction, or another replica's write. */
  async #conflict(res: ITxnResponse, chunk: PendingWrite[], last: number): Promise<Outcome> {
    const counter = decimal(res.responses[0]?.response_range.kvs[0]?.value);
    const lastWrite = chunk[chunk.length - 1];
    if (lastWrite?.record && counter >= last) {
      // A transaction retried by the client after a lost answer fails its compare; it committed if our record is there.
      const mine = await this.#client!.kv.range({ key: this.#keys.event(last) });
      const stored = mine.kvs[0]?.value;
      if (stored && Buffer.compare(stored, lastWrite.record) === 0) {
        await this.#acknowledge(chunk, last);
        return 'ok';
      }
    }
    await this.#feed!.waitFor(counter);
    return 'conflict';
  }

  /** Admits writes again, in call order, over the current state; refused ones reject. */
  #readmit(writes: PendingWrite[]): PendingWrite[] {
    this.#forget(writes);
    const admitted: PendingWrite[] = [];
    for (const write of writes) {
      try {
        write.record = undefined;
        this.#admit(write);
        admitted.push(write);
      } catch (err) {
        write.reject(err);
      }
    }
    return admitted;
  }

  /** Rejects writes after an etcd failure and forgets their pending state. */
  #fail(writes: PendingWrite[], cause: unknown): void {
    this.#forget(writes);
    const error = unavailable('', cause, this.#options.endpoints);
    for (const write of writes) write.reject(new StorageError('Unavailable', write.key, error.message));
  }

  /** Forgets the pending state of `writes` and hands out revisions after the delivered one again. */
  #forget(writes: readonly PendingWrite[]): void {
    for (const write of writes) {
      const pending = this.#pending.get(write.key);
      if (pending && writes.includes(pending)) this.#pending.delete(write.key);
    }
    this.#assigned = this.#feed!.delivered;
  }

  #compactionTarget(last: number): number {
    return this.#window.target(this.#compactTo, last, this.#compacted);
  }

  /** Compacts etcd's own history one kubemu compaction behind (nothing here reads it; watches resume). */
  #compactEtcd(etcdRevision: string, _mark: number): void {
    const previous = this.#lastCompactionEtcdRevision;
    this.#lastCompactionEtcdRevision = etcdRevision;
    if (previous) void this.#client!.kv.compact({ revision: previous }).catch(() => undefined);
  }

  /**
   * The feed fell behind compaction: re-lists (etcd-resync.ts) and returns the events that bring
   * subscribers to the snapshot; once the feed delivered them, the index takes the snapshot's
   * exact revisions (a key deleted and created again in the gap has a new createRevision).
   */
  async #resync(client: Etcd3, delivered: number): Promise<{ events: StorageEvent[]; revision: number; delivered: () => void }> {
    const snapshot = await readSnapshot(client, this.#keys);
    const events = differenceEvents(delivered, this.#durable, this.#values, snapshot);
    this.#compacted = Math.max(this.#compacted, snapshot.compacted);
    return {
      events,
      revision: snapshot.revision,
      delivered: () => {
        for (const [key, entry] of snapshot.objects) {
          const known = this.#durable.get(key);
          if (known && known.modRevision === entry.modRevision) this.#durable.set(key, { createRevision: entry.createRevision, modRevision: entry.modRevision });
        }
        if (this.#collecting.length === 0 && !this.#flushing) this.#assigned = Math.max(this.#assigned, snapshot.revision);
      },
    };
  }

  /** Applies delivered events to the index, forgets pending writes they cover, notifies subscribers. */
  #onEvents(events: StorageEvent[]): void {
    for (const event of events) {
      if (event.type === 'delete') {
        this.#durable.delete(event.key);
        this.#values.delete(event.key);
      } else {
        const createRevision = event.created ? event.revision : (this.#durable.get(event.key)?.createRevision ?? event.revision);
        this.#durable.set(event.key, { createRevision, modRevision: event.revision });
        this.#values.set(event.key, event.value);
      }
      const pending = this.#pending.get(event.key);
      if (pending && pending.revision <= event.revision) this.#pending.delete(event.key);
    }
    const delivered = events[events.length - 1]!.revision;
    if (this.#assigned < delivered && this.#collecting.length === 0 && !this.#flushing) this.#assigned = delivered;
    this.#subscribers.notify(events);
  }

  // ---- helpers ----

  #readable(key: string, allowEmpty = false): Etcd3 {
    checkReadable(this.#life.state, key, allowEmpty);
    return this.#client!;
  }

  #readError(key: string, err: unknown): StorageError {
    return readError(this.#life.state, key, err, (cause) => unavailable(key, cause, this.#options.endpoints));
  }

  #compactedError(fromRevision: number): StorageError {
    return compactedError(fromRevision, this.#compacted);
  }
}
