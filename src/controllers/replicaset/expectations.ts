/**
 * Expectations (kubernetes `controller.UIDTrackingControllerExpectations`): the creates and
 * deletes a controller has issued but its informer has not shown yet. While a key has any in
 * flight, the controller must not size its pods again, or a lagging cache makes it over-create.
 *
 *   expectCreations(k, 3)          k: add 3                 satisfied(k) = false
 *   creationObserved(k) ×3         k: add 0                 satisfied(k) = true
 *   expectDeletions(k, [p1, p2])   k: del {p1, p2}          satisfied(k) = false
 *   deletionObserved(k, p1|p2)     k: del {}                satisfied(k) = true
 *
 * Records older than `ttlMs` (5 minutes, upstream's) count as satisfied, so a lost event
 * cannot wedge a key forever.
 * Owns: the counts. Must not: do I/O.
 */

interface Record_ {
  add: number;
  del: Set<string>;
  at: number;
}

/** In-flight creates (counted) and deletes (by pod key) per controller key. */
export class Expectations {
  readonly #records = new Map<string, Record_>();
  readonly #ttlMs: number;

  constructor(ttlMs = 5 * 60 * 1000) {
    this.#ttlMs = ttlMs;
  }

  /** True when nothing is in flight for `key` (or its record expired). */
  satisfied(key: string): boolean {
    const r = this.#records.get(key);
    if (!r) return true;
    return (r.add <= 0 && r.del.size === 0) || Date.now() - r.at > this.#ttlMs;
  }

  /** Records `count` creates about to be issued (replacing any old record). */
  expectCreations(key: string, count: number): void {
    this.#records.set(key, { add: count, del: new Set(), at: Date.now() });
  }

  /** Records deletes of the pods with these keys (replacing any old record). */
  expectDeletions(key: string, podKeys: readonly string[]): void {
    this.#records.set(key, { add: 0, del: new Set(podKeys), at: Date.now() });
  }

  /** One create was seen (or will never be: it failed or was skipped). True when that satisfied `key` just now. */
  creationObserved(key: string): boolean {
    const r = this.#records.get(key);
    if (!r) return false;
    r.add--;
    return r.add === 0 && r.del.size === 0;
  }

  /** The delete of `podKey` was seen (or failed). True when that satisfied `key` just now. */
  deletionObserved(key: string, podKey: string): boolean {
    const r = this.#records.get(key);
    if (!r?.del.delete(podKey)) return false;
    return r.add <= 0 && r.del.size === 0;
  }

  /** Forgets `key` (its object is gone). */
  delete(key: string): void {
    this.#records.delete(key);
  }
}
