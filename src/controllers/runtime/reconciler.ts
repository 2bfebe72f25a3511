/**
 * The reconciler contract (controller-runtime's `reconcile.Reconciler`, with one way to requeue):
 * `reconcile(key)` reads the current state of the object named by `key` (`namespace/name`, or
 * `name` for cluster-scoped objects) and of whatever it owns — from informers, never from the
 * event that queued the key — and makes the world match it. It must be idempotent: it runs again
 * after restarts, resyncs and missed events, and must converge from whatever it finds.
 *
 * - resolves with nothing: done until the next change of a watched object;
 * - resolves with `{ requeueAfter: ms }`: done, look again after `ms` milliseconds (waiting for
 *   time to pass, e.g. minReadySeconds) — the only way to ask for another pass;
 * - throws: failed; the key is retried with per-key exponential backoff, reset by the next
 *   success. The key of an object that is gone must resolve, not throw.
 *
 * Owns: the contract. Must not: hold behaviour.
 */

/** What a reconcile asks for. */
export interface Result {
  /** Reconcile the key again after this many milliseconds. */
  requeueAfter?: number;
}

/** Reconciles one key; see the module comment for the contract. */
export interface Reconciler {
  reconcile(key: string): Promise<Result | void>;
}
