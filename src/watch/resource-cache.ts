/**
 * The watch cache of one resource (kube-apiserver's cacher + watchCache): the current objects
 * in key order with a label index, a bounded window of recent events, and the watchers fed from
 * it. Every LIST, GET and WATCH of the resource is answered from here; storage is only read when
 * the cache starts.
 *
 * Old states are rebuilt from the window by undoing newer events, which is what makes a
 * paginated list consistent with its first page and `resourceVersionMatch=Exact` possible:
 *
 *   current {a@9, b@12}   window [10: ADDED c, 11: DELETED c, 12: MODIFIED b (prev b@5)]
 *   state at 10 = undo 12, 11 → {a@9, b@5, c@10}
 *
 * Owns: one resource's objects, indexes, event window and watcher fan-out.
 * Must not: read storage, know HTTP or formats other than the stored JSON bytes.
 */
import { resourceExpired } from '../api/errors.js';
import type { CacheEntry, Selectable } from './entry.js';
import { SortedKeys } from './sorted-keys.js';

/** Event types of the watch protocol that carry objects. */
export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** One change in the window: for DELETED, `entry` is the tombstone (the last state at the delete's revision). */
export interface CacheEvent {
  type: EventType;
  revision: number;
  entry: CacheEntry;
  prev?: CacheEntry;
}

/** Where a watcher's events go. */
export interface WatchSink {
  /** Delivers one event; returns false when the client is too far behind to keep. */
  send(type: EventType, entry: CacheEntry, event: CacheEvent | undefined): boolean;
}

/** A registered watcher. */
export interface Watcher {
  readonly filter: (s: Selectable) => boolean;
  readonly sink: WatchSink;
  /** Called when the cache drops the watcher (too slow): answer with 410 and close. */
  readonly onExpired: (message: string) => void;
}

/** What a list selects: a key prefix (namespace), an optional label-index hint, a predicate. */
export interface ListQuery {
  prefix: string;
  /** Exact label requirements usable with the index (`key` → `value`). */
  exactLabels?: ReadonlyMap<string, string>;
  filter: (s: Selectable) => boolean;
  /** Only keys after this one (continue). */
  after?: string;
  /** At most this many entries (0/undefined: all). */
  limit?: number;
  /** List the state at this revision instead of the current one. */
  atRevision?: number;
}

/** A list answer. */
export interface ListAnswer {
  entries: CacheEntry[];
  /** Revision the list is consistent with. */
  revision: number;
  /** Set when entries remain after the last one returned. */
  more: boolean;
  /** How many entries remain after the last one returned (when known). */
  remaining?: number;
}

const labelKey = (k: string, v: string) => `${k}\u0000${v}`;

/** The cache of one resource. */
export class ResourceCache {
  readonly prefix: string;
  readonly #capacity: number;
  readonly #currentRevision: () => number;
  readonly #entries = new Map<string, CacheEntry>();
  readonly #keys = new SortedKeys();
  readonly #byLabel = new Map<string, Set<string>>();
  #window: CacheEvent[] = [];
  /** Events with revision > this are all in the window. */
  #windowStart = 0;
  readonly #watchers = new Set<Watcher>();

  constructor(options: { prefix: string; capacity: number; currentRevision: () => number }) {
    this.prefix = options.prefix;
    this.#capacity = options.capacity;
    this.#currentRevision = options.currentRevision;
  }

  /** Loads the state read from storage at `revision`. */
  load(entries: Iterable<CacheEntry>, revision: number): void {
    for (const entry of entries) {
      this.#entries.set(entry.key, entry);
      this.#indexLabels(entry, true);
    }
    this.#keys.reset(this.#entries.keys());
    this.#windowStart = revision;
  }

  /** The oldest revision events can be replayed after. */
  get oldestRevision(): number {
    return this.#windowStart;
  }

  get size(): number {
    return this.#entries.size;
  }

  get watcherCount(): number {
    return this.#watchers.size;
  }

  /** The current entry of a key. */
  get(key: string): CacheEntry | undefined {
    return this.#entries.get(key);
  }

  /** Applies a put (entry) or delete (tombstone) at `revision` and tells the watchers. */
  apply(kind: 'put' | 'delete', entry: CacheEntry, revision: number): void {
    const prev = this.#entries.get(entry.key);
    let event: CacheEvent;
    if (kind === 'delete') {
      if (!prev) return;
      this.#entries.delete(entry.key);
      this.#keys.delete(entry.key);
      this.#indexLabels(prev, false);
      event = { type: 'DELETED', revision, entry, prev };
    } else {
      this.#entries.set(entry.key, entry);
      if (prev) this.#indexLabels(prev, false);
      else this.#keys.add(entry.key);
      this.#indexLabels(entry, true);
      event = prev ? { type: 'MODIFIED', revision, entry, prev } : { type: 'ADDED', revision, entry };
    }
    this.#window.push(event);
    if (this.#window.length > this.#capacity * 1.1) {
      const dropped = this.#window.length - this.#capacity;
      this.#windowStart = this.#window[dropped - 1]!.revision;
      this.#window = this.#window.slice(dropped);
    }
    for (const watcher of this.#watchers) this.#deliver(watcher, event);
  }

  /** Lists entries in key order, from the current state or an older one. */
  list(query: ListQuery): ListAnswer {
    const current = this.#currentRevision();
    const revision = query.atRevision ?? current;
    const state = revision === current ? undefined : this.#stateAt(revision);
    const lookup = (key: string) => (state ? state.get(key) : this.#entries.get(key));
    const entries: CacheEntry[] = [];
    let more = false;
    let remaining = 0;
    for (const key of this.#candidates(query, state)) {
      const entry = lookup(key);
      if (!entry || !query.filter(entry)) continue;
      if (query.limit && entries.length >= query.limit) {
        more = true;
        remaining++;
        continue;
      }
      entries.push(entry);
    }
    const answer: ListAnswer = { entries, revision, more };
    if (more) answer.remaining = remaining;
    return answer;
  }

  /** Candidate keys in order: a label-index set when it is smaller, else the prefix range. */
  *#candidates(query: ListQuery, state: Map<string, CacheEntry> | undefined): Generator<string> {
    if (state) {
      const keys = [...state.keys()].filter((k) => k.startsWith(query.prefix) && (query.after === undefined || k > query.after)).sort();
      yield* keys;
      return;
    }
    let smallest: Set<string> | undefined;
    for (const [k, v] of query.exactLabels ?? []) {
      const set = this.#byLabel.get(labelKey(k, v));
      if (!set) return;
      if (!smallest || set.size < smallest.size) smallest = set;
    }
    if (smallest && smallest.size < this.#entries.size / 4) {
      const keys = [...smallest].filter((k) => k.startsWith(query.prefix) && (query.after === undefined || k > query.after)).sort();
      yield* keys;
      return;
    }
    yield* this.#keys.range(query.prefix, query.after);
  }

  /** The state at `revision`, rebuilt by undoing newer events; 410 when they left the window. */
  #stateAt(revision: number): Map<string, CacheEntry> {
    if (revision < this.#windowStart) throw tooOld(revision, this.#windowStart);
    const state = new Map(this.#entries);
    for (let i = this.#window.length - 1; i >= 0 && this.#window[i]!.revision > revision; i--) {
      const event = this.#window[i]!;
      if (event.prev) state.set(event.entry.key, event.prev);
      else state.delete(event.entry.key);
    }
    return state;
  }

  /**
   * Starts a watcher. With `fromRevision`, replays the window's events after it (410 when it is
   * older than the window); without, first sends ADDED for every current matching object.
   */
  watch(watcher: Watcher, fromRevision: number | undefined): () => void {
    if (fromRevision === undefined) {
      for (const entry of this.#entries.values()) {
        if (watcher.filter(entry) && !watcher.sink.send('ADDED', entry, undefined)) return this.#drop(watcher);
      }
    } else {
      if (fromRevision < this.#windowStart) throw tooOld(fromRevision, this.#windowStart);
      for (const event of this.#window) {
        if (event.revision > fromRevision && !this.#deliver(watcher, event)) return () => {};
      }
    }
    this.#watchers.add(watcher);
    return () => this.#watchers.delete(watcher);
  }

  /** Decides what `event` means to one watcher (selectors may turn it into ADDED or DELETED). */
  #deliver(watcher: Watcher, event: CacheEvent): boolean {
    const now = event.type !== 'DELETED' && watcher.filter(event.entry);
    const before = event.prev !== undefined && watcher.filter(event.prev);
    let type: EventType | undefined;
    if (event.type === 'DELETED') type = before ? 'DELETED' : undefined;
    else if (now) type = before ? 'MODIFIED' : 'ADDED';
    else if (before) type = 'DELETED';
    if (!type) return true;
    if (watcher.sink.send(type, event.entry, event)) return true;
    this.#drop(watcher);
    return false;
  }

  /**
   * Ends every watcher (the resource stopped being served: its CRD went): each is told as a
   * watcher that fell behind is, so clients re-list and find the resource gone.
   */
  closeWatchers(message: string): void {
    const watchers = [...this.#watchers];
    this.#watchers.clear();
    for (const watcher of watchers) watcher.onExpired(message);
  }

  #drop(watcher: Watcher): () => void {
    this.#watchers.delete(watcher);
    watcher.onExpired('the watch fell too far behind and was closed; list and watch again');
    return () => {};
  }

  #indexLabels(entry: CacheEntry, add: boolean): void {
    for (const [k, v] of Object.entries(entry.labels ?? {})) {
      const key = labelKey(k, v);
      let set = this.#byLabel.get(key);
      if (add) {
        if (!set) this.#byLabel.set(key, (set = new Set()));
        set.add(entry.key);
      } else if (set) {
        set.delete(entry.key);
        if (!set.size) this.#byLabel.delete(key);
      }
    }
  }
}

/** 410 Expired `too old resource version: <rv> (<oldest>)`. */
export function tooOld(revision: number, oldest: number) {
  return resourceExpired(`too old resource version: ${revision} (${oldest})`);
}
