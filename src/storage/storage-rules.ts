/**
 * The rules every `Storage` implementation shares (KvStorage over LevelDB/memory, EtcdStorage):
 * the preconditions of writes and their errors, the Encode guard (no writes from inside an
 * Encode, bytes out), the checks of reads and of `eventsSince`, the Compacted error, the event
 * window's compaction policy, the open-once/close-once life cycle, and the subscriber set with
 * its delivery.
 * Owns: those rules and their wording. Must not: know a backend, its records or its batches.
 */
import { StorageError } from './types.js';
import type { Encode, StorageEvent, Subscriber } from './types.js';

/** Life cycle of a store. */
export type StorageState = 'new' | 'opening' | 'open' | 'closing' | 'closed';

/** Throws KeyExists when a create finds the key present (`before` set). */
export function checkAbsent(key: string, before: unknown): void {
  if (before) throw new StorageError('KeyExists', key, `key ${key} already exists`);
}

/**
 * The revisions of the key an update or delete replaces: KeyNotFound when absent, Conflict when
 * `expectedRevision` is given and is not its modRevision.
 */
export function checkExisting<T extends { modRevision: number }>(key: string, before: T | undefined, expectedRevision: number | undefined): T {
  if (!before) throw new StorageError('KeyNotFound', key, `key ${key} not found`);
  if (expectedRevision !== undefined && before.modRevision !== expectedRevision) {
    throw new StorageError('Conflict', key, `key ${key} is at revision ${before.modRevision}, not ${expectedRevision}`);
  }
  return before;
}

/** Throws unless the store is open and `key` is a non-empty string ('' allowed with `allowEmpty`). */
export function checkReadable(state: StorageState, key: string, allowEmpty = false): void {
  if (state !== 'open') {
    throw new StorageError('Closed', key, `storage is ${state === 'new' ? 'not open' : state}`);
  }
  if (typeof key !== 'string' || (key === '' && !allowEmpty)) throw new TypeError('storage key must be a non-empty string');
}

/** A failed read as a StorageError: kept when it is one, Closed when the store is no longer open, else `unavailable(err)`. */
export function readError(state: StorageState, key: string, err: unknown, unavailable: (err: unknown) => StorageError): StorageError {
  if (err instanceof StorageError) return err;
  if (state !== 'open') return new StorageError('Closed', key, `storage is ${state}`);
  return unavailable(err);
}

/** Throws TypeError unless `fromRevision` (of `eventsSince`) is a non-negative safe integer. */
export function checkEventsSinceRevision(fromRevision: number): void {
  if (!Number.isSafeInteger(fromRevision) || fromRevision < 0) {
    throw new TypeError(`eventsSince: revision must be a non-negative integer, got ${fromRevision}`);
  }
}

/** The Compacted error of `eventsSince(fromRevision)` when events are kept after `compacted` only. */
export function compactedError(fromRevision: number, compacted: number): StorageError {
  return new StorageError('Compacted', '', `revision ${fromRevision} is compacted; events are kept after revision ${compacted}`, compacted);
}

/**
 * A store's event window: how many recent events it keeps (default 10000), and the slack (a
 * tenth, at least 1) of events allowed to pile up past it before a batch compacts them.
 */
export class EventWindow {
  readonly size: number;
  readonly slack: number;

  /** Throws TypeError unless `size` is a positive integer. */
  constructor(size = 10000) {
    if (!Number.isSafeInteger(size) || size < 1) throw new TypeError(`eventWindow must be a positive integer, got ${size}`);
    this.size = size;
    this.slack = Math.max(1, Math.ceil(size / 10));
  }

  /**
   * The revision a batch whose last revision is `last` compacts to: an explicit request
   * (`requested`, up to `last`), or the window's edge once the slack is used up; never below
   * `compacted`.
   */
  target(requested: number, last: number, compacted: number): number {
    let target = Math.min(requested, last);
    if (last - compacted >= this.size + this.slack) target = Math.max(target, last - this.size);
    return Math.max(target, compacted);
  }
}

/** Runs Encode callbacks, refusing writes made from inside one. */
export class EncodeGuard {
  #inEncode = false;

  /** Throws TypeError when called from inside an Encode callback. */
  checkOutside(): void {
    if (this.#inEncode) throw new TypeError('storage writes are not allowed inside an Encode callback');
  }

  /** Runs `encode(revision)` for `key`; throws TypeError unless it returns a Uint8Array. */
  run(encode: Encode, revision: number, key: string): Uint8Array {
    this.#inEncode = true;
    let value: unknown;
    try {
      value = encode(revision);
    } finally {
      this.#inEncode = false;
    }
    if (!(value instanceof Uint8Array)) throw new TypeError(`Encode for ${key} returned ${typeof value}, not a Uint8Array`);
    return value;
  }
}

/** A store's subscribers and the delivery of event batches to them. */
export class Subscribers {
  readonly #set = new Set<Subscriber>();

  /** Adds `subscriber`; returns the function that removes it. */
  add(subscriber: Subscriber): () => void {
    this.#set.add(subscriber);
    return () => {
      this.#set.delete(subscriber);
    };
  }

  /** Removes every subscriber. */
  clear(): void {
    this.#set.clear();
  }

  /** Hands `events` to every subscriber; a subscriber that throws is reported in a microtask, not to the caller. */
  notify(events: readonly StorageEvent[]): void {
    for (const subscriber of this.#set) {
      try {
        subscriber(events);
      } catch (err) {
        // A subscriber's bug must not break the write path; surface it as EventEmitter would.
        queueMicrotask(() => {
          throw err;
        });
      }
    }
  }
}

/**
 * A store's life cycle: `open` runs the store's opening once (a call while it runs joins it; a
 * store that failed to open, back at 'new', may be opened again), `close` runs its closing once,
 * after an opening under way. `state` is the store's to set while opening ('opening', then
 * 'open', or 'new' on failure); `close` sets 'closing' and then 'closed'.
 */
export class Lifecycle {
  state: StorageState = 'new';
  #opening: Promise<void> | undefined;
  #closing: Promise<void> | undefined;

  /** Opens with `run` unless open or under way; rejects with Closed once closing or closed. */
  open(run: () => Promise<void>): Promise<void> {
    if (this.state === 'new') {
      this.#opening = run().finally(() => {
        this.#opening = undefined;
      });
    }
    if (this.#opening) return this.#opening;
    if (this.state === 'open') return Promise.resolve();
    return Promise.reject(new StorageError('Closed', '', `storage is ${this.state}`));
  }

  /** Closes once: waits for an opening under way, then runs `run(wasOpen)` in state 'closing'. */
  close(run: (wasOpen: boolean) => Promise<void>): Promise<void> {
    this.#closing ??= this.#close(run);
    return this.#closing;
  }

  async #close(run: (wasOpen: boolean) => Promise<void>): Promise<void> {
    // A close during open waits for it, so that what the opening acquired is released on return.
    if (this.#opening) await this.#opening.catch(() => undefined);
    const wasOpen = this.state === 'open';
    this.state = 'closing';
    await run(wasOpen);
    this.state = 'closed';
  }
}
