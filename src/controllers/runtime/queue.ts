/**
 * WorkQueue: client-go's rate-limited delaying work queue, for object keys. A key waits in the
 * queue at most once however often it is added (dirty set); a key being processed is never
 * handed to a second worker — adding it meanwhile marks it dirty, and `done` puts it back:
 *
 *   add(a) add(b) add(a)   queue [a b]      dirty {a b}   processing {}
 *   get() → a              queue [b]        dirty {b}     processing {a}
 *   add(a)                 queue [b]        dirty {a b}   processing {a}   (not queued: a is busy)
 *   done(a)                queue [b a]      dirty {a b}   processing {}
 *
 * `addAfter(key, ms)` adds later (the earliest pending time per key wins; nothing when the key
 * waits in the queue already); `addRateLimited(key)`
 * adds after the key's exponential backoff (base · 2^failures, capped), which `forget(key)`
 * resets. `shutDown()` stops handing out keys (waiting `get`s resolve undefined), drops what is
 * queued or delayed, and resolves when every key being processed is done.
 * Owns: ordering, de-duplication, delays and backoff of keys. Must not: know objects or clients.
 */

/** Backoff of failing keys: base · 2^(failures-1), at most max (client-go: 5 ms … 1000 s). */
export interface BackoffOptions {
  baseMs?: number;
  maxMs?: number;
}

/** A de-duplicating, delaying, rate-limited queue of keys. */
export class WorkQueue {
  readonly #queue: string[] = [];
  readonly #dirty = new Set<string>();
  readonly #processing = new Set<string>();
  readonly #delayed = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  readonly #failures = new Map<string, number>();
  readonly #getters: ((key: string | undefined) => void)[] = [];
  readonly #baseMs: number;
  readonly #maxMs: number;
  #shuttingDown = false;
  #idle?: () => void;
  #drained?: Promise<void>;

  constructor(options: BackoffOptions = {}) {
    this.#baseMs = options.baseMs ?? 5;
    this.#maxMs = options.maxMs ?? 1_000_000;
  }

  /** Keys waiting to be handed out. */
  get length(): number {
    return this.#queue.length;
  }

  /** Keys handed out and not yet done. */
  get processingCount(): number {
    return this.#processing.size;
  }

  get shuttingDown(): boolean {
    return this.#shuttingDown;
  }

  /** Queues `key` unless it is queued already; a key being processed is queued again when done. */
  add(key: string): void {
    if (this.#shuttingDown || this.#dirty.has(key)) return;
    this.#dirty.add(key);
    if (this.#processing.has(key)) return;
    const getter = this.#getters.shift();
    if (getter) this.#handOut(key, getter);
    else this.#queue.push(key);
  }

  /** Adds `key` after `ms` (at once when ms ≤ 0); an earlier pending add of the key wins. */
  addAfter(key: string, ms: number): void {
    if (this.#shuttingDown) return;
    if (ms <= 0) return this.add(key);
    // Waiting in the queue already (not being processed): it will be handed out before then anyway.
    if (this.#dirty.has(key) && !this.#processing.has(key)) return;
    const at = Date.now() + ms;
    const pending = this.#delayed.get(key);
    if (pending && pending.at <= at) return;
    if (pending) clearTimeout(pending.timer);
    const timer = setTimeout(() => {
      this.#delayed.delete(key);
      this.add(key);
    }, ms).unref();
    this.#delayed.set(key, { at, timer });
  }

  /** Adds `key` after its next backoff delay and counts a failure. */
  addRateLimited(key: string): void {
    this.addAfter(key, this.when(key));
  }

  /** The next backoff delay of `key`, counting one more failure. */
  when(key: string): number {
    const failures = (this.#failures.get(key) ?? 0) + 1;
    this.#failures.set(key, failures);
    return Math.min(this.#baseMs * 2 ** (failures - 1), this.#maxMs);
  }

  /** Failures counted for `key` since it was last forgotten. */
  numRequeues(key: string): number {
    return this.#failures.get(key) ?? 0;
  }

  /** Resets the backoff of `key` (it succeeded). */
  forget(key: string): void {
    this.#failures.delete(key);
  }

  /** The next key, once there is one; undefined once the queue shuts down. */
  get(): Promise<string | undefined> {
    if (this.#shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const key = this.#queue.shift();
      if (key !== undefined) this.#handOut(key, resolve);
      else this.#getters.push(resolve);
    });
  }

  /** Marks `key` processed; queues it again if it was added meanwhile. */
  done(key: string): void {
    this.#processing.delete(key);
    if (this.#dirty.has(key) && !this.#shuttingDown) {
      const getter = this.#getters.shift();
      if (getter) this.#handOut(key, getter);
      else this.#queue.push(key);
    }
    if (this.#shuttingDown && this.#processing.size === 0) this.#idle?.();
  }

  /** Stops the queue; resolves when no key is being processed any more. */
  shutDown(): Promise<void> {
    if (this.#drained) return this.#drained;
    this.#shuttingDown = true;
    for (const { timer } of this.#delayed.values()) clearTimeout(timer);
    this.#delayed.clear();
    this.#queue.length = 0;
    this.#dirty.clear();
    for (const getter of this.#getters.splice(0)) getter(undefined);
    this.#drained = this.#processing.size === 0 ? Promise.resolve() : new Promise((resolve) => (this.#idle = resolve));
    return this.#drained;
  }

  #handOut(key: string, getter: (key: string) => void): void {
    this.#dirty.delete(key);
    this.#processing.add(key);
    getter(key);
  }
}
