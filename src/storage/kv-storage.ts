/**
 * The one `Storage` implementation over an abstract-level database: LevelDB on disk
 * (classic-level) or memory (memory-level). etcd-style global revision, group commit, a bounded
 * event log.
 * Owns: revision assignment, preconditions, the write pipeline, read consistency, compaction.
 * Must not: know kinds or HTTP, or which abstract-level driver it runs on.
 *
 * Write pipeline. A write is admitted synchronously, in call order: its precondition is checked
 * against the in-memory index (key → createRevision, modRevision, covering pending writes too),
 * it takes the next revision, its Encode runs, the index is updated and the write joins the
 * collecting batch. One flush runs at a time; it takes the whole collecting batch, reads the
 * previous values the events need (one getMany), and writes objects, events, the revision
 * counter and any compaction mark in ONE atomic batch (abstract-level's chained form, about
 * twice as fast as the array form; `sync` on disk). Writes arriving during a
 * flush collect into the next one. After the batch is durable: `revision` advances, subscribers
 * get the batch's events in revision order, then the writes' promises resolve.
 *
 *   create a ─┐                    ┌─ batch 1: [a@5 b@6 c@7] ─ sync ─ notify ─ resolve
 *   create b ─┼─ collecting ─ flush┤
 *   update c ─┘                    └─ (d@8 e@9 arrive during the sync) ─ batch 2 ─ …
 *
 * Reads. `get` of a key with a write still pending waits for that write's batch, then reads the
 * database, so a compare-and-swap retry always sees the write that made it conflict. `list` and
 * `count` read a durable snapshot; `list` reports the revision counter of that same snapshot.
 * `eventsSince` returns only events already handed to subscribers (revision ≤ `revision`).
 * Nothing ever reads a value that is not durable.
 *
 * Failure. If a batch (or its read of previous values) fails, every write of that batch and of
 * the batch collected behind it rejects with StorageError('Unavailable'); the index is rolled
 * back, newest first, to the durable state and the revision counter back to the last durable
 * revision. The store stays open: later writes try again (LevelDB itself refuses writes after
 * an I/O error until reopened, so they keep failing with Unavailable in that case).
 *
 * Compaction. A batch whose last revision is more than `eventWindow` plus a slack of a tenth
 * past the compacted revision also moves the compacted mark (in the same atomic batch) to keep
 * the last `eventWindow` events; `compact(rev)` asks the next batch to do so explicitly. The
 * compacted entries are then deleted by a background range clear; entries at or below the mark
 * are never read, so a clear lost to a crash is harmless and redone at the next open.
 */

import { StorageError } from './types.js';
import type { Encode, Entry, ListOptions, ListResult, Storage, StorageEvent, Subscriber } from './types.js';
import { decodeObject, eventKey, objectKey } from './kv-codec.js';
import { loadDatabase, openError } from './kv-open.js';
import type { IndexEntry, KvDatabase, WriteOptions } from './kv-open.js';
import { Batch, assembleBatch } from './kv-batch.js';
import type { AssembledBatch, DeletedEntry, Write } from './kv-batch.js';
import { countKeys, readEvents, readList } from './kv-reads.js';
import { checkAbsent, checkEventsSinceRevision, checkExisting, checkReadable, compactedError, EncodeGuard, EventWindow, Lifecycle, readError, Subscribers } from './storage-rules.js';

export { DataDirError } from './kv-open.js';
export type { KvDatabase } from './kv-open.js';
export type { DeletedEntry } from './kv-batch.js';

/** Options of `KvStorage`. */
export interface KvStorageOptions {
  /** Creates the database (may load its driver lazily); called by `open()`, which opens it. */
  createDatabase: () => KvDatabase | Promise<KvDatabase>;
  /** Where the data lives, for error messages: the data dir, or 'memory'. */
  location: string;
  /** fsync each batch before acknowledging its writes (LevelDB on disk). Default true. */
  sync?: boolean;
  /** How many recent events the log keeps; older ones are compacted automatically. Default 10000. */
  eventWindow?: number;
}

/** `Storage` over an abstract-level database (see the module header for the design). */
export class KvStorage implements Storage {
  readonly #options: Required<KvStorageOptions>;
  readonly #window: EventWindow;
  readonly #writeOptions: WriteOptions;
  #db: KvDatabase | undefined;
  readonly #life = new Lifecycle();
  /** Every key's revisions, pending writes included. */
  #index = new Map<string, IndexEntry>();
  /** Last revision handed out (durable or pending). */
  #assigned = 0;
  /** Last durable revision. */
  #revision = 0;
  #compacted = 0;
  #collecting = new Batch();
  /** Keys with a pending write → the batch of their newest write. */
  readonly #dirty = new Map<string, Batch>();
  #flushing: Promise<void> | null = null;
  #clearing: Promise<void> | null = null;
  /** Event entries at or below this revision are deleted from the database. */
  #clearedTo = 0;
  readonly #encoder = new EncodeGuard();
  readonly #subscribers = new Subscribers();

  /** Creates a closed store; call `open()`. */
  constructor(options: KvStorageOptions) {
    this.#window = new EventWindow(options.eventWindow);
    this.#options = { sync: true, ...options, eventWindow: this.#window.size };
    this.#writeOptions = { sync: this.#options.sync };
  }

  get revision(): number {
    return this.#revision;
  }

  get compactedRevision(): number {
    return this.#compacted;
  }

  open(): Promise<void> {
    return this.#life.open(() => this.#open());
  }

  async #open(): Promise<void> {
    this.#life.state = 'opening';
    const { location, sync } = this.#options;
    let db: KvDatabase | undefined;
    try {
      db = await this.#options.createDatabase();
      await db.open();
      const loaded = await loadDatabase(db, location, sync);
      this.#index = loaded.index;
      this.#assigned = this.#revision = loaded.revision;
      this.#compacted = loaded.compactedRevision;
    } catch (err) {
      this.#life.state = 'new';
      if (db && db.status === 'open') await db.close().catch(() => undefined);
      throw openError(location, err);
    }
    this.#db = db;
    this.#life.state = 'open';
    this.#startClear();
  }

  close(): Promise<void> {
    // Waits for an open under way, so that the database (and its lock) is released on return.
    return this.#life.close(async (wasOpen) => {
      if (wasOpen) {
        while (this.#flushing) await this.#flushing;
        while (this.#clearing) await this.#clearing;
        await this.#db?.close();
      }
      this.#subscribers.clear();
    });
  }

  // ---- reads ----

  async get(key: string): Promise<Entry | undefined> {
    const db = this.#readable(key);
    const pending = this.#dirty.get(key);
    if (pending) await pending.done;
    let record: Uint8Array | undefined;
    try {
      record = await db.get(objectKey(key));
    } catch (err) {
      throw this.#readError(key, err);
    }
    if (record === undefined) return undefined;
    const { createRevision, modRevision, value } = decodeObject(record);
    return { key, value, createRevision, modRevision };
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListResult> {
    const db = this.#readable(prefix, true);
    try {
      return await readList(db, prefix, options);
    } catch (err) {
      throw this.#readError(prefix, err);
    }
  }

  async count(prefix: string): Promise<number> {
    const db = this.#readable(prefix, true);
    try {
      return await countKeys(db, prefix);
    } catch (err) {
      throw this.#readError(prefix, err);
    }
  }

  async eventsSince(fromRevision: number): Promise<StorageEvent[]> {
    const db = this.#readable('', true);
    checkEventsSinceRevision(fromRevision);
    if (fromRevision < this.#compacted) throw this.#compactedError(fromRevision);
    // Only events subscribers have already seen: a batch is published after it is durable.
    const upTo = this.#revision;
    if (fromRevision >= upTo) return [];
    let events: StorageEvent[] | undefined;
    try {
      events = await readEvents(db, fromRevision, upTo);
    } catch (err) {
      throw this.#readError('', err);
    }
    if (!events) throw this.#compactedError(fromRevision);
    return events;
  }

  subscribe(subscriber: Subscriber): () => void {
    this.#readable('', true);
    return this.#subscribers.add(subscriber);
  }

  async compact(revision: number): Promise<void> {
    this.#readable('', true);
    const target = Math.min(Math.floor(revision), this.#revision);
    if (!(target > this.#compacted)) return;
    const batch = this.#collecting;
    batch.compactTo = Math.max(batch.compactTo, target);
    batch.requested = true;
    this.#schedule();
    await batch.done;
    if (batch.failed) throw new StorageError('Unavailable', '', `compaction to revision ${target} failed`);
  }

  // ---- writes: admitted synchronously, in call order ----

  create(key: string, encode: Encode): Promise<Entry> {
    try {
      this.#writable(key);
      const before = this.#index.get(key);
      checkAbsent(key, before);
      const revision = this.#assigned + 1;
      const value = this.#encoder.run(encode, revision, key);
      const entry = { createRevision: revision, modRevision: revision };
      return this.#admit<Entry>(key, revision, entry, (resolve, reject) => ({
        kind: 'create', key, revision, createRevision: revision, before, value, resolve, reject,
      }));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  update(key: string, expectedRevision: number | undefined, encode: Encode): Promise<Entry> {
    try {
      this.#writable(key);
      const before = this.#existing(key, expectedRevision);
      const revision = this.#assigned + 1;
      const value = this.#encoder.run(encode, revision, key);
      const { createRevision } = before;
      return this.#admit<Entry>(key, revision, { createRevision, modRevision: revision }, (resolve, reject) => ({
        kind: 'update', key, revision, createRevision, before, value, resolve, reject,
      }));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  delete(key: string, expectedRevision?: number, tombstone?: Encode): Promise<DeletedEntry> {
    try {
      this.#writable(key);
      const before = this.#existing(key, expectedRevision);
      const revision = this.#assigned + 1;
      const bytes = tombstone ? this.#encoder.run(tombstone, revision, key) : undefined;
      const { createRevision, modRevision } = before;
      return this.#admit<DeletedEntry>(key, revision, undefined, (resolve, reject) => ({
        kind: 'delete', key, revision, createRevision, modRevision, before, tombstone: bytes, resolve, reject,
      }));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  #existing(key: string, expectedRevision: number | undefined): IndexEntry {
    return checkExisting(key, this.#index.get(key), expectedRevision);
  }

  /** Takes the revision, sets the key's index entry (undefined: deleted) and queues the write. */
  #admit<R>(
    key: string,
    revision: number,
    entry: IndexEntry | undefined,
    make: (resolve: (result: R) => void, reject: (err: unknown) => void) => Write,
  ): Promise<R> {
    const batch = this.#collecting;
    const promise = new Promise<R>((resolve, reject) => batch.writes.push(make(resolve, reject)));
    this.#assigned = revision;
    if (entry) this.#index.set(key, entry);
    else this.#index.delete(key);
    this.#dirty.set(key, batch);
    batch.requested = true;
    this.#schedule();
    return promise;
  }

  // ---- flush: one batch at a time ----

  #schedule(): void {
    this.#flushing ??= this.#flushLoop();
  }

  async #flushLoop(): Promise<void> {
    // Let the writes of the current synchronous burst join the first batch.
    await undefined;
    try {
      while (this.#collecting.requested) {
        const batch = this.#collecting;
        this.#collecting = new Batch();
        await this.#commit(batch);
      }
    } finally {
      this.#flushing = null;
    }
  }

  /** Writes one batch atomically, then publishes and acknowledges it. Never throws. */
  async #commit(batch: Batch): Promise<void> {
    const { writes } = batch;
    const db = this.#db!;
    const last = writes.length > 0 ? writes[writes.length - 1]!.revision : this.#revision;
    const compactTo = this.#compactionTarget(batch, last);
    let assembled: AssembledBatch | undefined;
    let chained: ReturnType<KvDatabase['batch']> | undefined;
    try {
      assembled = await assembleBatch(db, writes, compactTo > this.#compacted ? compactTo : undefined, () => (chained = db.batch()));
      await chained!.write(this.#writeOptions);
    } catch (err) {
      await chained?.close().catch(() => undefined);
      this.#fail(batch, err);
      return;
    }
    this.#revision = last;
    for (const write of writes) if (this.#dirty.get(write.key) === batch) this.#dirty.delete(write.key);
    if (compactTo > this.#compacted) {
      this.#compacted = compactTo;
      this.#startClear();
    }
    batch.settle();
    if (assembled.events.length > 0) this.#subscribers.notify(assembled.events);
    for (const acknowledge of assembled.acknowledge) acknowledge();
  }

  #compactionTarget(batch: Batch, last: number): number {
    return this.#window.target(batch.compactTo, last, this.#compacted);
  }

  /** Rejects the batch and everything collected behind it; rolls the index back to durable state. */
  #fail(batch: Batch, cause: unknown): void {
    const behind = this.#collecting;
    this.#collecting = new Batch();
    const writes = [...batch.writes, ...behind.writes];
    for (let i = writes.length - 1; i >= 0; i--) {
      const { key, before } = writes[i]!;
      if (before) this.#index.set(key, before);
      else this.#index.delete(key);
    }
    this.#assigned = this.#revision;
    this.#dirty.clear();
    const reason = cause instanceof Error ? cause.message : String(cause);
    for (const b of [batch, behind]) {
      b.failed = true;
      b.settle();
    }
    for (const write of writes) {
      write.reject(new StorageError('Unavailable', write.key, `storage write failed: ${reason}`));
    }
  }

  /** Deletes compacted event entries in the background, one range clear at a time. */
  #startClear(): void {
    if (this.#clearing || this.#clearedTo >= this.#compacted || this.#life.state !== 'open') return;
    const db = this.#db!;
    this.#clearing = (async () => {
      try {
        while (this.#clearedTo < this.#compacted) {
          const to = this.#compacted;
          await db.clear({ gt: eventKey(this.#clearedTo), lte: eventKey(to) });
          this.#clearedTo = to;
        }
      } catch {
        // Entries at or below the compacted mark are never read; the next open clears them.
      } finally {
        this.#clearing = null;
      }
    })();
  }

  // ---- helpers ----

  #readable(key: string, allowEmpty = false): KvDatabase {
    checkReadable(this.#life.state, key, allowEmpty);
    return this.#db!;
  }

  #writable(key: string): void {
    this.#encoder.checkOutside();
    this.#readable(key);
  }

  #readError(key: string, err: unknown): StorageError {
    return readError(this.#life.state, key, err, (cause) => new StorageError('Unavailable', key, `storage read failed: ${cause instanceof Error ? cause.message : String(cause)}`));
  }

  #compactedError(fromRevision: number): StorageError {
    return compactedError(fromRevision, this.#compacted);
  }
}
