/**
 * A sorted array of keys with binary-search insert, remove and prefix ranges. Keys of one
 * namespace share a prefix (`/registry/core/pods/<ns>/`), so a namespace is one contiguous
 * range and a namespaced list costs what it returns:
 *
 *   [".../pods/a/x", ".../pods/b/p", ".../pods/b/q", ".../pods/c/z"]
 *                    └── range(".../pods/b/") ──┘
 *
 * Owns: ordered keys. Must not: know values.
 */

/** Index of the first element >= `key`. */
function lowerBound(keys: readonly string[], key: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Keys in ascending (code unit) order. */
export class SortedKeys {
  #keys: string[] = [];

  /** Replaces the content with `keys` (any order). */
  reset(keys: Iterable<string>): void {
    this.#keys = [...keys].sort();
  }

  get size(): number {
    return this.#keys.length;
  }

  /** Inserts `key` if absent. */
  add(key: string): void {
    const i = lowerBound(this.#keys, key);
    if (this.#keys[i] !== key) this.#keys.splice(i, 0, key);
  }

  /** Removes `key` if present. */
  delete(key: string): void {
    const i = lowerBound(this.#keys, key);
    if (this.#keys[i] === key) this.#keys.splice(i, 1);
  }

  /** Keys starting with `prefix` and greater than `after` (when given), in order. */
  *range(prefix: string, after?: string): Generator<string> {
    let i = lowerBound(this.#keys, after !== undefined && after >= prefix ? after : prefix);
    if (after !== undefined && this.#keys[i] === after) i++;
    for (; i < this.#keys.length; i++) {
      const key = this.#keys[i]!;
      if (!key.startsWith(prefix)) return;
      yield key;
    }
  }
}
