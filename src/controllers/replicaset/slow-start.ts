/**
 * slowStartBatch (kubernetes `replica_set.go`): runs `count` calls in batches of 1, 2, 4, …
 * (each batch in parallel), stopping after the first batch with a failure, so a create that
 * keeps failing (quota, admission) costs one call rather than hundreds.
 * Owns: batching. Must not: know what the calls do.
 */

/** The number of successful calls, and the first error of the failing batch (if any). */
export async function slowStartBatch(count: number, initialBatch: number, call: () => Promise<void>): Promise<{ successes: number; error?: Error }> {
  let remaining = count;
  let successes = 0;
  for (let batch = Math.min(remaining, initialBatch); batch > 0; batch = Math.min(2 * batch, remaining)) {
    const results = await Promise.allSettled(Array.from({ length: batch }, () => call()));
    const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    successes += batch - failures.length;
    if (failures.length) {
      const reason: unknown = failures[0]!.reason;
      return { successes, error: reason instanceof Error ? reason : new Error(String(reason)) };
    }
    remaining -= batch;
  }
  return { successes };
}
