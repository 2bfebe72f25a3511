/**
 * Typed views of the workload objects the ReplicaSet and Deployment controllers read (pods,
 * ReplicaSets) and the pod predicates of kubernetes `pkg/api/v1/pod` and `controller_utils.go`:
 * active, ready, available.
 * Owns: shapes and pure predicates. Must not: do I/O.
 */
import type { OwnerReference, StoredObject } from '../../api/types.js';
import type { LabelSelectorObject } from '../../api/selectors.js';

/** A condition as pods, ReplicaSets and Deployments store them. */
export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  lastUpdateTime?: string;
}

/** A pod template (`spec.template`). */
export interface PodTemplate {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string>; [key: string]: unknown };
  spec?: Record<string, unknown>;
}

/** A Pod, as far as the controllers read it. */
export interface Pod extends StoredObject {
  spec?: { nodeName?: string; [key: string]: unknown };
  status?: {
    phase?: string;
    conditions?: Condition[];
    containerStatuses?: { restartCount?: number; ready?: boolean }[];
    [key: string]: unknown;
  };
}

/** A ReplicaSet (apps/v1). */
export interface ReplicaSet extends StoredObject {
  spec: { replicas?: number; minReadySeconds?: number; selector?: LabelSelectorObject; template?: PodTemplate };
  status?: {
    replicas?: number;
    fullyLabeledReplicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    observedGeneration?: number;
    conditions?: Condition[];
  };
}

/** The controller owner reference of `obj`, if any. */
export function controllerOf(obj: StoredObject): OwnerReference | undefined {
  return (obj.metadata.ownerReferences ?? []).find((o) => o.controller);
}

/** The owner reference a controller puts on what it controls (`controller`, `blockOwnerDeletion`). */
export function controllerRef(owner: StoredObject): OwnerReference {
  return { apiVersion: owner.apiVersion, kind: owner.kind, name: owner.metadata.name, uid: owner.metadata.uid, controller: true, blockOwnerDeletion: true };
}

/** `spec.replicas` (default 1 when absent, as the API defaults it). */
export function specReplicas(obj: { spec?: { replicas?: number } }): number {
  return obj.spec?.replicas ?? 1;
}

/** controller.IsPodActive: not Succeeded, not Failed, not being deleted. */
export function isPodActive(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && !pod.metadata.deletionTimestamp;
}

/** The pod's Ready condition, if any. */
export function readyCondition(pod: Pod): Condition | undefined {
  return pod.status?.conditions?.find((c) => c.type === 'Ready');
}

/** podutil.IsPodReady: condition Ready is True. */
export function isPodReady(pod: Pod): boolean {
  return readyCondition(pod)?.status === 'True';
}

/**
 * podutil.IsPodAvailable: ready, and ready since at least `minReadySeconds` before `now`
 * (by the Ready condition's lastTransitionTime).
 */
export function isPodAvailable(pod: Pod, minReadySeconds: number, now: number): boolean {
  const ready = readyCondition(pod);
  if (ready?.status !== 'True') return false;
  if (!minReadySeconds) return true;
  const since = ready.lastTransitionTime ? Date.parse(ready.lastTransitionTime) : NaN;
  return !Number.isNaN(since) && since + minReadySeconds * 1000 < now;
}

/** A deep, mutable copy of a (frozen) informer object. */
export function mutableCopy<T>(obj: T): T {
  return structuredClone(obj);
}
