/**
 * Which surplus pods a ReplicaSet deletes first: kubernetes `controller.ActivePodsWithRanks`
 * (controller_utils.go), whose Less puts first
 *   1. unscheduled before scheduled,
 *   2. Pending < Unknown < Running,
 *   3. not ready before ready,
 *   4. pods sharing their node with more related pods (higher rank),
 *   5. of two ready pods, the more recently ready,
 *   6. more container restarts,
 *   7. newer creation.
 * Owns: the order. Must not: do I/O.
 */
import { isPodReady, readyCondition, type Pod } from './objects.js';

const PHASE_ORDER: Readonly<Record<string, number>> = { Pending: 0, Unknown: 1, Running: 2 };

function restarts(pod: Pod): number {
  return Math.max(0, ...(pod.status?.containerStatuses ?? []).map((c) => c.restartCount ?? 0));
}

function time(value: string | undefined): number {
  const ms = value ? Date.parse(value) : NaN;
  return Number.isNaN(ms) ? 0 : ms;
}

/** Negative when `a` should be deleted before `b` (ranks: related pods on the same node). */
export function compareForDeletion(a: Pod, b: Pod, rankA = 0, rankB = 0): number {
  const nodeA = a.spec?.nodeName ?? '';
  const nodeB = b.spec?.nodeName ?? '';
  if ((nodeA === '') !== (nodeB === '')) return nodeA === '' ? -1 : 1;
  const phaseA = PHASE_ORDER[a.status?.phase ?? 'Pending'] ?? 0;
  const phaseB = PHASE_ORDER[b.status?.phase ?? 'Pending'] ?? 0;
  if (phaseA !== phaseB) return phaseA - phaseB;
  const readyA = isPodReady(a);
  const readyB = isPodReady(b);
  if (readyA !== readyB) return readyA ? 1 : -1;
  if (rankA !== rankB) return rankB - rankA;
  if (readyA && readyB) {
    const sinceA = time(readyCondition(a)?.lastTransitionTime);
    const sinceB = time(readyCondition(b)?.lastTransitionTime);
    if (sinceA !== sinceB) return sinceB - sinceA;
  }
  const restartsA = restarts(a);
  const restartsB = restarts(b);
  if (restartsA !== restartsB) return restartsB - restartsA;
  const createdA = time(a.metadata.creationTimestamp);
  const createdB = time(b.metadata.creationTimestamp);
  if (createdA !== createdB) return createdB - createdA;
  // creationTimestamp has second precision: the later generated name is not newer, so fall back to
  // the uid for a stable order.
  return a.metadata.uid < b.metadata.uid ? -1 : a.metadata.uid > b.metadata.uid ? 1 : 0;
}

/**
 * The `count` pods to delete out of `pods`, ranked against `related` pods (the pods of sibling
 * ReplicaSets too): a pod's rank is how many related pods share its node.
 */
export function podsToDelete(pods: readonly Pod[], related: readonly Pod[], count: number): Pod[] {
  if (count >= pods.length) return [...pods];
  const perNode = new Map<string, number>();
  for (const p of related) {
    const node = p.spec?.nodeName;
    if (node) perNode.set(node, (perNode.get(node) ?? 0) + 1);
  }
  const rank = (p: Pod): number => (p.spec?.nodeName ? perNode.get(p.spec.nodeName) ?? 0 : 0);
  return [...pods].sort((a, b) => compareForDeletion(a, b, rank(a), rank(b))).slice(0, count);
}
