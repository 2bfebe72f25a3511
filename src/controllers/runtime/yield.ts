/**
 * Cooperative scheduling for controllers in the API server's process: workers call
 * {@link yieldToEventLoop} between keys (and the ReplicaSet controller between the creates of a
 * batch), and it gives the event loop a turn (I/O, timers: the
 * API's own requests) once the current turn has run controller code for longer than a budget.
 * In-process writes and watch events resolve as microtasks, so without this a big rollout would
 * run thousands of reconciles before the server reads its next request.
 *
 *   turn starts ─ item ─ item ─ … (budget spent) ─ await setImmediate ─ I/O served ─ next turn
 *
 * Owns: the time slice shared by every controller of the process. Must not: know controllers.
 */

/**
 * Controller work per event-loop turn before yielding, ms. The slice is wall time from the
 * turn's first check, so other work of the turn counts too: much smaller (8 ms was tried) and a
 * small rollout's last steps spill into later turns, tens of ms late; 20 ms keeps the API's p99
 * within a few slices during a 10,000-pod rollout.
 */
export const SLICE_MS = 20;

let sliceStart: number | undefined;

function endSlice(): void {
  sliceStart = undefined;
}

/** True when this turn's budget is spent; the first call of a turn starts its slice. */
function spent(): boolean {
  const now = performance.now();
  if (sliceStart === undefined) {
    sliceStart = now;
    setImmediate(endSlice);
    return false;
  }
  return now - sliceStart >= SLICE_MS;
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Undefined while the turn's budget lasts (go on at once); otherwise a promise that resolves in
 * a later turn with budget left, so waiters resume a slice's worth at a time, not all at once.
 */
export function yieldToEventLoop(): Promise<void> | undefined {

  if (!spent()) return undefined;
  return (async () => {
    do await nextTurn();
    while (spent());
  })();
}
