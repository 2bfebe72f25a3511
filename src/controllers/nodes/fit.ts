/**
 * The scheduler's filters, upstream's default Filter plugins in their order, each answering
 * why one node cannot take one pod (kube-scheduler's wording) or undefined when it can:
 *
 *   NodeUnschedulable → TaintToleration → NodeAffinity (nodeSelector + required terms) → NodeResourcesFit
 *
 *   node tainted dedicated=gpu:NoSchedule, pod without toleration
 *     → ['node(s) had untolerated taint {dedicated: gpu}']  (unresolvable: preemption cannot help)
 *   pod requests cpu 40 on a 32-cpu node → ['Insufficient cpu']  (resolvable, no victims here)
 *
 * {@link unschedulableMessage} turns the reasons of every node into the FailedScheduling text.
 * Owns: fit rules and their wording. Must not: do I/O.
 */
import type { StoredObject } from '../../api/types.js';
import { quantityValue } from './quantity.js';

type Rec = Record<string, unknown>;
const rec = (v: unknown): Rec => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Rec) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** Why a node does not fit: the reasons, and whether preemption could help. */
export interface Misfit {
  reasons: string[];
  /** UnschedulableAndUnresolvable in upstream terms (affinity, taints, cordon). */
  unresolvable: boolean;
}

/** Requests of a pod by resource: max(sum of containers, each init container) + overhead. */
export function podRequests(pod: StoredObject): Map<string, number> {
  const spec = rec(pod.spec);
  const total = new Map<string, number>();
  const add = (into: Map<string, number>, requests: unknown) => {
    for (const [name, q] of Object.entries(rec(requests))) into.set(name, (into.get(name) ?? 0) + quantityValue(name, q));
  };
  for (const c of arr(spec.containers)) add(total, rec(rec(c).resources).requests);
  for (const c of arr(spec.initContainers)) {
    const init = new Map<string, number>();
    add(init, rec(rec(c).resources).requests);
    for (const [name, v] of init) total.set(name, Math.max(total.get(name) ?? 0, v));
  }
  add(total, spec.overhead);
  return total;
}

function tolerates(tolerations: unknown[], taint: Rec): boolean {
  return tolerations.some((raw) => {
    const t = rec(raw);
    if (str(t.effect) && t.effect !== taint.effect) return false;
    if (t.operator === 'Exists') return !str(t.key) || t.key === taint.key;
    return t.key === taint.key && str(t.value) === str(taint.value);
  });
}

function expressionMatches(expr: Rec, value: string | undefined): boolean {
  const values = arr(expr.values).map(String);
  switch (expr.operator) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
    case 'Lt': {
      if (value === undefined || !/^-?\d+$/.test(value) || !/^-?\d+$/.test(values[0] ?? '')) return false;
      return expr.operator === 'Gt' ? Number(value) > Number(values[0]) : Number(value) < Number(values[0]);
    }
    default:
      return false;
  }
}

function termMatches(term: Rec, node: StoredObject): boolean {
  const labels = node.metadata.labels ?? {};
  const exprs = arr(term.matchExpressions).map(rec);
  const fields = arr(term.matchFields).map(rec);
  if (!exprs.length && !fields.length) return false;
  return (
    exprs.every((e) => expressionMatches(e, labels[str(e.key)])) &&
    fields.every((f) => f.key === 'metadata.name' && expressionMatches(f, node.metadata.name))
  );
}

/** True when the pod's nodeSelector and required node affinity accept `node`. */
export function affinityMatches(pod: StoredObject, node: StoredObject): boolean {
  const spec = rec(pod.spec);
  const labels = node.metadata.labels ?? {};
  for (const [k, v] of Object.entries(rec(spec.nodeSelector))) if (labels[k] !== v) return false;
  const required = rec(rec(rec(spec.affinity).nodeAffinity).requiredDuringSchedulingIgnoredDuringExecution);
  if (!Object.keys(required).length) return true;
  return arr(required.nodeSelectorTerms).some((t) => termMatches(rec(t), node));
}

/**
 * Why `node` cannot take `pod`, given what the pods already bound there request (`used`, with
 * `pods` counted); undefined when it fits. `requests`: the pod's, when the caller has them already.
 */
export function misfit(
  pod: StoredObject,
  node: StoredObject,
  used: ReadonlyMap<string, number>,
  requests: ReadonlyMap<string, number> = podRequests(pod),
): Misfit | undefined {
  const spec = rec(pod.spec);
  const nodeSpec = rec(node.spec);
  const tolerations = arr(spec.tolerations);
  if (nodeSpec.unschedulable === true && !tolerates(tolerations, { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }))
    return { reasons: ['node(s) were unschedulable'], unresolvable: true };
  for (const raw of arr(nodeSpec.taints)) {
    const taint = rec(raw);
    if (taint.effect !== 'NoSchedule' && taint.effect !== 'NoExecute') continue;
    if (!tolerates(tolerations, taint))
      return { reasons: [`node(s) had untolerated taint {${str(taint.key)}: ${str(taint.value)}}`], unresolvable: true };
  }
  if (!affinityMatches(pod, node)) return { reasons: ["node(s) didn't match Pod's node affinity/selector"], unresolvable: true };
  const allocatable = rec(rec(node.status).allocatable);
  const reasons: string[] = [];
  const podsAllowed = quantityValue('pods', allocatable.pods ?? '110');
  if ((used.get('pods') ?? 0) + 1 > podsAllowed) reasons.push('Too many pods');
  for (const [name, want] of requests) {
    if (want <= 0) continue;
    const have = quantityValue(name, allocatable[name]);
    if ((used.get(name) ?? 0) + want > have) reasons.push(`Insufficient ${name}`);
  }
  return reasons.length ? { reasons, unresolvable: false } : undefined;
}

/**
 * The FailedScheduling message of upstream's FitError, e.g.
 * `0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector. preemption: 0/1
 * nodes are available: 1 Preemption is not helpful for scheduling.`
 */
export function unschedulableMessage(nodeCount: number, misfits: readonly Misfit[]): string {
  if (nodeCount === 0) return 'no nodes available to schedule pods';
  const counts = (keys: string[]) => {
    const byKey = new Map<string, number>();
    for (const key of keys) byKey.set(key, (byKey.get(key) ?? 0) + 1);
    return [...byKey].map(([key, n]) => `${n} ${key}`).sort().join(', ');
  };
  const reasons = counts(misfits.flatMap((m) => m.reasons));
  const preemption = counts(
    misfits.map((m) => (m.unresolvable ? 'Preemption is not helpful for scheduling' : 'No preemption victims found for incoming pod')),
  );
  return `0/${nodeCount} nodes are available: ${reasons}. preemption: 0/${nodeCount} nodes are available: ${preemption}.`;
}
