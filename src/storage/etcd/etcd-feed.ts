/**
 * The event feed of the etcd storage: every kubemu event record written by any replica reaches
 * this replica's subscribers exactly once, in revision order, without gaps.
 *
 * Events arrive through one etcd watch over the event records and the compacted mark. Revisions
 * of records are consecutive, so a gap is visible: when the watch skips (it reconnected from a
 * later etcd revision, it was cancelled by an etcd compaction, or it is simply late), the feed
 * reads the missing records with ranges ("catch-up") while it holds back what the watch brings,
 * then goes on. While the watch is disconnected, the feed polls with catch-ups. A writer that
 * must not acknowledge before its events are delivered calls `waitFor(revision)`, which falls
 * back to a catch-up when the watch is slow.
 *
 * Owns: the watch, catch-up reads, ordering and de-duplication of event records.
 * Must not: know the write path or kinds.
 */

import type { Etcd3, IKeyValue, IWatchResponse, Watcher } from 'etcd3';
import { decodeEvent } from '../kv-codec.js';
import { StorageError, type StorageEvent } from '../types.js';
import { EtcdKeys, decimal, unavailable } from './etcd-client.js';

/** Options of `EtcdFeed`. */
export interface EtcdFeedOptions {
  client: Etcd3;
  keys: EtcdKeys;
  endpoints: readonly string[];
  /** The last revision already reflected by the caller (events after it are delivered). */
  delivered: number;
  /** The etcd revision the caller's snapshot was read at; the watch starts after it. */
  etcdRevision: string;
  /** Receives each contiguous run of events, in order. */
  deliver: (events: StorageEvent[]) => void;
  /** Receives a compacted mark written by any replica. */
  compacted: (revision: number) => void;
  /**
   * Called when records after the delivered revision were compacted before this replica read
   * them (`delivered` is the last revision delivered): re-lists and resolves with the events
   * that bring the caller to `revision` (see etcd-resync.ts); the feed delivers them, calls
   * `delivered()`, and goes on after `revision`.
   */
  resync: (delivered: number) => Promise<{ events: StorageEvent[]; revision: number; delivered: () => void }>;
}

/** The records one catch-up range reads at most. */
const PAGE = 500;

/** One replica's ordered view of the event log (see the module header). */
export class EtcdFeed {
  readonly #options: EtcdFeedOptions;
  #delivered: number;
  #watcher: Watcher | undefined;
  #catching: Promise<void> | undefined;
  /** Records the watch brought while a catch-up ran. */
  #held: IKeyValue[] = [];
  #poll: ReturnType<typeof setInterval> | undefined;
  #stopped = false;
  readonly #waiters = new Set<{ revision: number; resolve: () => void }>();

  constructor(options: EtcdFeedOptions) {
    this.#options = options;
    this.#delivered = options.delivered;
  }

  /** The last delivered revision. */
  get delivered(): number {
    return this.#delivered;
  }

  /** Creates the watch; resolves once etcd confirmed it. */
  async start(): Promise<void> {
    await this.#watch(this.#options.etcdRevision);
  }

  async #watch(etcdRevision: string): Promise<void> {
    const { client, keys } = this.#options;
    const watcher = await client
      .watch()
      .inRange({ start: keys.feedStart, end: keys.feedEnd })
      .only('put')
      .startRevision(String(BigInt(etcdRevision) + 1n))
      .create();
    if (this.#stopped) {
      await watcher.cancel().catch(() => undefined);
      return;
    }
    this.#watcher = watcher;
    watcher.on('data', (res: IWatchResponse) => this.#ingest(res.events.map((e) => e.kv)));
    watcher.on('disconnected', () => this.#startPolling());
    watcher.on('connected', () => this.#stopPolling());
    // Cancelled by etcd (its history was compacted past the watch): catch up, then watch anew.
    watcher.on('error', () => {
      if (this.#watcher !== watcher || this.#stopped) return;
      this.#watcher = undefined;
      this.#startPolling();
      void this.#rewatch();
    });
  }

  async #rewatch(): Promise<void> {
    while (!this.#stopped && !this.#watcher) {
      try {
        const etcdRevision = await this.catchUp();
        await this.#watch(etcdRevision);
        this.#stopPolling();
      } catch {
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  /** Resolves once `revision` is delivered; after `slowMs` without it, catches up by reading. */
  async waitFor(revision: number, slowMs = 500): Promise<void> {
    while (this.#delivered < revision) {
      if (this.#stopped) throw new StorageError('Closed', '', 'storage is closed');
      const reached = await new Promise<boolean>((resolve) => {
        const waiter = { revision, resolve: () => resolve(true) };
        const timer = setTimeout(() => {
          this.#waiters.delete(waiter);
          resolve(false);
        }, slowMs);
        waiter.resolve = () => {
          clearTimeout(timer);
          resolve(true);
        };
        this.#waiters.add(waiter);
      });
      if (!reached) await this.catchUp();
    }
  }

  /**
   * Reads and delivers every record after the delivered revision; resolves with the etcd revision
   * the last read was at. Concurrent calls share one catch-up.
   */
  catchUp(): Promise<string> {
    let etcdRevision = '0';
    const run = (this.#catching ??= (async () => {
      try {
        etcdRevision = await this.#readMissing();
      } finally {
        this.#catching = undefined;
        const held = this.#held;
        this.#held = [];
        if (held.length > 0) this.#ingest(held);
      }
    })());
    return run.then(() => etcdRevision);
  }

  async #readMissing(): Promise<string> {
    const { client, keys, endpoints } = this.#options;
    let last = '0';
    for (;;) {
      let res;
      try {
        res = await client.kv.range({
          key: keys.event(this.#delivered + 1),
          range_end: EtcdKeys.endOf(keys.feedStart),
          limit: PAGE,
        });
        const compacted = await client.kv.range({ key: keys.compacted });
        this.#options.compacted(decimal(compacted.kvs[0]?.value));
      } catch (err) {
        throw unavailable('', err, endpoints);
      }
      last = res.header.revision;
      if (this.#gapIn(res.kvs)) {
        let resync;
        try {
          resync = await this.#options.resync(this.#delivered);
        } catch (err) {
          throw unavailable('', err, endpoints);
        }
        process.emitWarning(`etcd storage: events ${this.#delivered + 1}..${resync.revision} were compacted before this replica saw them; re-listed`);
        const fresh = resync.events.filter((e) => e.revision > this.#delivered);
        if (fresh.length > 0) this.#publish(fresh);
        this.#advance(resync.revision);
        resync.delivered();
        continue;
      }
      this.#deliverRecords(res.kvs);
      if (!res.more) return last;
    }
  }

  /** Records from the watch: delivered now when contiguous, else held for a catch-up. */
  #ingest(kvs: IKeyValue[]): void {
    if (this.#catching) {
      this.#held.push(...kvs);
      return;
    }
    const { keys } = this.#options;
    let gap = false;
    for (const kv of kvs) {
      const revision = keys.revisionOfEvent(kv.key);
      if (revision === undefined) {
        if (kv.key.equals(keys.compacted)) this.#options.compacted(decimal(kv.value));
        continue;
      }
      if (revision > this.#delivered + 1) gap = true;
    }
    if (gap) {
      this.#held.push(...kvs);
      void this.catchUp().catch(() => this.#startPolling());
      return;
    }
    this.#deliverRecords(kvs);
  }

  /** True when range-read records skip a revision after the delivered one (records were compacted). */
  #gapIn(kvs: IKeyValue[]): boolean {
    let next = this.#delivered + 1;
    for (const kv of kvs) {
      const revision = this.#options.keys.revisionOfEvent(kv.key);
      if (revision === undefined || revision < next) continue;
      if (revision !== next) return true;
      next++;
    }
    return false;
  }

  /** Delivers contiguous event records in revision order, skipping what was delivered already. */
  #deliverRecords(kvs: IKeyValue[]): void {
    const { keys } = this.#options;
    const events: StorageEvent[] = [];
    for (const kv of kvs) {
      const revision = keys.revisionOfEvent(kv.key);
      if (revision === undefined || revision <= this.#delivered) continue;
      if (revision !== this.#delivered + 1 + events.length) break;
      events.push(decodeEvent(revision, kv.value));
    }
    if (events.length > 0) this.#publish(events);
  }

  /** Marks `revision` delivered after a re-list (revisions of the gap without an event). */
  #advance(revision: number): void {
    if (revision <= this.#delivered) return;
    this.#delivered = revision;
    this.#wake();
  }

  /**
   * Delivers the events of a transaction this replica just committed, without waiting for the
   * watch to echo them (the echo is then skipped as already delivered). Returns false, delivering
   * nothing, when they do not follow the delivered revision (the caller then waits for the feed).
   */
  deliverOwn(events: StorageEvent[]): boolean {
    if (this.#stopped) return false;
    const fresh = events.filter((e) => e.revision > this.#delivered);
    if (fresh.length === 0) return true;
    if (fresh[0]!.revision !== this.#delivered + 1) return false;
    this.#publish(fresh);
    return true;
  }

  #publish(events: StorageEvent[]): void {
    this.#delivered = events[events.length - 1]!.revision;
    this.#options.deliver(events);
    this.#wake();
  }

  /** Resolves the waiters of every revision delivered now. */
  #wake(): void {
    for (const waiter of this.#waiters) {
      if (waiter.revision > this.#delivered) continue;
      this.#waiters.delete(waiter);
      waiter.resolve();
    }
  }

  #startPolling(): void {
    if (this.#poll || this.#stopped) return;
    this.#poll = setInterval(() => void this.catchUp().catch(() => undefined), 500);
    this.#poll.unref();
  }

  #stopPolling(): void {
    clearInterval(this.#poll);
    this.#poll = undefined;
  }

  /** Cancels the watch and the polling; waiters reject with Closed. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#stopPolling();
    for (const waiter of this.#waiters) waiter.resolve();
    this.#waiters.clear();
    await this.#catching?.catch(() => undefined);
    await this.#watcher?.cancel().catch(() => undefined);
  }
}
