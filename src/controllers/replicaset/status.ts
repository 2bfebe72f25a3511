/**
 * ReplicaSet status (kubernetes `replica_set_utils.go` calculateStatus): counts over the active
 * pods it controls — `replicas`, `fullyLabeledReplicas` (carrying every template label),
 * `readyReplicas`, `availableReplicas` (ready for `minReadySeconds`) — `observedGeneration`, and
 * the `ReplicaFailure` condition (set by a failed create or delete, removed by a clean pass).
 * Owns: computing the status and whether it changed. Must not: write it.
 */
import { isPodAvailable, isPodReady, type Condition, type Pod, type ReplicaSet } from './objects.js';

/** The status a ReplicaSet should have. */
export type ReplicaSetStatus = NonNullable<ReplicaSet['status']>;

/** Inputs of calculateStatus. */
export interface StatusInput {
  rs: ReplicaSet;
  pods: readonly Pod[];
  /** The error of this pass's creates/deletes, and which it was. */
  failure?: { error: Error; creating: boolean };
  now: number;
}

/** The new status of `rs` (observedGeneration included). */
export function calculateStatus({ rs, pods, failure, now }: StatusInput): ReplicaSetStatus {
  const templateLabels = Object.entries(rs.spec.template?.metadata?.labels ?? {});
  const minReady = rs.spec.minReadySeconds ?? 0;
  const status: ReplicaSetStatus = {
    replicas: pods.length,
    fullyLabeledReplicas: pods.filter((p) => templateLabels.every(([k, v]) => p.metadata.labels?.[k] === v)).length,
    readyReplicas: pods.filter(isPodReady).length,
    availableReplicas: pods.filter((p) => isPodAvailable(p, minReady, now)).length,
  };
  if (rs.metadata.generation !== undefined) status.observedGeneration = rs.metadata.generation;
  let conditions: Condition[] = [...(rs.status?.conditions ?? [])];
  const existing = conditions.find((c) => c.type === 'ReplicaFailure');
  if (failure && !existing) {
    conditions.push({
      type: 'ReplicaFailure',
      status: 'True',
      lastTransitionTime: `${new Date(now).toISOString().slice(0, 19)}Z`,
      reason: failure.creating ? 'FailedCreate' : 'FailedDelete',
      message: failure.error.message,
    });
  } else if (!failure && existing) {
    conditions = conditions.filter((c) => c !== existing);
  }
  if (conditions.length) status.conditions = conditions;
  return status;
}

/** True when `next` differs from the stored status in anything calculateStatus sets. */
export function statusChanged(rs: ReplicaSet, next: ReplicaSetStatus): boolean {
  const cur = rs.status ?? {};
  return (
    (cur.replicas ?? 0) !== next.replicas ||
    (cur.fullyLabeledReplicas ?? 0) !== next.fullyLabeledReplicas ||
    (cur.readyReplicas ?? 0) !== next.readyReplicas ||
    (cur.availableReplicas ?? 0) !== next.availableReplicas ||
    cur.observedGeneration !== next.observedGeneration ||
    JSON.stringify(cur.conditions ?? []) !== JSON.stringify(next.conditions ?? [])
  );
}
