/**
 * Running totals of what the pods bound to each node request (kube-scheduler's cache of
 * NodeInfo.Requested), kept from pod events instead of summed per scheduling decision:
 *
 *   observe(p1 bound to n1, cpu 100m)   n1: pods 1, cpu 0.1
 *   assume(p2, n1) (bound, not seen)    n1: pods 2, cpu 0.1 + p2's
 *   observe(p2 still unbound)           n1: unchanged (the assumption holds until the bind shows)
 *   observe(p2 bound to n1)             n1: unchanged (p2's record is now the informer's)
 *   forget(p1) / observe(p1 Succeeded)  n1: pods 1
 *
 * Each pod's contribution is recorded under its key with its uid, so a change or removal takes
 * back exactly what was added. Terminal pods (Succeeded, Failed) hold nothing.
 * Owns: the per-node totals. Must not: do I/O or decide fits.
 */
import type { StoredObject } from '../../api/types.js';
import { podRequests } from './fit.js';

interface Contribution {
  uid: string;
  node: string;
  requests: Map<string, number>;
  /** Bound by this scheduler, not yet seen bound through the informer. */
  assumed: boolean;
}

type Rec = Record<string, unknown>;
const rec = (v: unknown): Rec => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Rec) : {});

function boundNode(pod: StoredObject): string | undefined {
  if (isTerminal(pod)) return undefined;
  const node = rec(pod.spec).nodeName;
  return typeof node === 'string' && node ? node : undefined;
}

/** Requested resources per node (`pods` counted), from pod events and assumptions. */
export class NodeUsage {
  readonly #pods = new Map<string, Contribution>();
  readonly #nodes = new Map<string, Map<string, number>>();

  /** What the pods on `node` request (`pods`: how many); empty when none. Do not modify. */
  used(node: string): ReadonlyMap<string, number> {
    return this.#nodes.get(node) ?? EMPTY;
  }

  /** True when `key` is a pod of `uid` bound here and not yet seen bound. */
  isAssumed(key: string, uid: string): boolean {
    const c = this.#pods.get(key);
    return c !== undefined && c.assumed && c.uid === uid;
  }

  /** The informer's current state of the pod at `key` (added or updated). */
  observe(key: string, pod: StoredObject): void {
    const node = boundNode(pod);
    const current = this.#pods.get(key);
    if (!node) {
      // An event from before our bind shows it unbound: the assumption stands.
      if (current?.assumed && current.uid === pod.metadata.uid && !isTerminal(pod)) return;
      this.forget(key);
      return;
    }
    // Requests may change in place (pod resize): always take back the old contribution.
    this.forget(key);
    this.#add(key, { uid: pod.metadata.uid, node, requests: podRequests(pod), assumed: false });
  }

  /** Counts `pod` on `node` at once (it was just bound), until the informer shows it. */
  assume(key: string, pod: StoredObject, node: string): void {
    this.forget(key);
    this.#add(key, { uid: pod.metadata.uid, node, requests: podRequests(pod), assumed: true });
  }

  /** Takes back what the pod at `key` counted (deleted). */
  forget(key: string): void {
    const c = this.#pods.get(key);
    if (!c) return;
    this.#pods.delete(key);
    const totals = this.#nodes.get(c.node)!;
    totals.set('pods', totals.get('pods')! - 1);
    for (const [name, v] of c.requests) totals.set(name, (totals.get(name) ?? 0) - v);
    if (totals.get('pods') === 0) this.#nodes.delete(c.node);
  }

  #add(key: string, c: Contribution): void {
    this.#pods.set(key, c);
    let totals = this.#nodes.get(c.node);
    if (!totals) this.#nodes.set(c.node, (totals = new Map([['pods', 0]])));
    totals.set('pods', totals.get('pods')! + 1);
    for (const [name, v] of c.requests) totals.set(name, (totals.get(name) ?? 0) + v);
  }
}

const EMPTY: ReadonlyMap<string, number> = new Map([['pods', 0]]);

/** True when the pod has finished (phase Succeeded or Failed): it holds no node resources. */
export function isTerminal(pod: StoredObject): boolean {
  const phase = rec(pod.status).phase;
  return phase === 'Succeeded' || phase === 'Failed';
}
