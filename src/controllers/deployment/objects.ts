/**
 * The Deployment as the controller reads it, and the pure helpers of kubernetes
 * `pkg/controller/deployment/util/deployment_util.go`: annotation keys, maxSurge/maxUnavailable
 * (percentages: surge rounded up, unavailable down, never both 0), revisions, replica sums and
 * sort orders over ReplicaSets, and the condition setter.
 * Owns: pure helpers. Must not: do I/O.
 */
import type { LabelSelectorObject } from '../../api/selectors.js';
import type { StoredObject } from '../../api/types.js';
import type { Condition, PodTemplate, ReplicaSet } from '../replicaset/objects.js';

/** A Deployment (apps/v1). */
export interface Deployment extends StoredObject {
  spec: {
    replicas?: number;
    selector?: LabelSelectorObject;
    template?: PodTemplate;
    strategy?: { type?: string; rollingUpdate?: { maxSurge?: number | string; maxUnavailable?: number | string } };
    minReadySeconds?: number;
    revisionHistoryLimit?: number;
    paused?: boolean;
    progressDeadlineSeconds?: number;
  };
  status?: DeploymentStatus;
}

/** Deployment status. */
export interface DeploymentStatus {
  observedGeneration?: number;
  replicas?: number;
  updatedReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  unavailableReplicas?: number;
  collisionCount?: number;
  conditions?: Condition[];
}

export const REVISION = 'deployment.kubernetes.io/revision';
export const REVISION_HISTORY = 'deployment.kubernetes.io/revision-history';
export const DESIRED_REPLICAS = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS = 'deployment.kubernetes.io/max-replicas';
export const HASH_LABEL = 'pod-template-hash';
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
const ROLLBACK_TO = 'deprecated.deployment.rollback.to';

/** Deployment annotations never copied to ReplicaSets (upstream's annotationsToSkip). */
export const ANNOTATIONS_TO_SKIP: ReadonlySet<string> = new Set([LAST_APPLIED, REVISION, REVISION_HISTORY, DESIRED_REPLICAS, MAX_REPLICAS, ROLLBACK_TO]);

/** `spec.replicas` (default 1). */
export function replicasOf(obj: { spec?: { replicas?: number } } | undefined): number {
  return obj?.spec?.replicas ?? 1;
}

/** True for the RollingUpdate strategy (the default). */
export function isRollingUpdate(d: Deployment): boolean {
  return (d.spec.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
}

/** intstr.GetScaledValueFromIntOrPercent. */
export function scaledValue(value: number | string | undefined, fallback: string, total: number, roundUp: boolean): number {
  const v = value ?? fallback;
  if (typeof v === 'number') return v;
  const m = /^(\d+)%$/.exec(v);
  if (!m) return Number.parseInt(v, 10) || 0;
  const exact = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}

/** deploymentutil.ResolveFenceposts: [maxSurge, maxUnavailable] for `d`. */
export function fenceposts(d: Deployment): [number, number] {
  const desired = replicasOf(d);
  const ru = d.spec.strategy?.rollingUpdate;
  const surge = scaledValue(ru?.maxSurge, '25%', desired, true);
  let unavailable = scaledValue(ru?.maxUnavailable, '25%', desired, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return [surge, unavailable];
}

/** deploymentutil.MaxSurge. */
export function maxSurge(d: Deployment): number {
  return isRollingUpdate(d) ? fenceposts(d)[0] : 0;
}

/** deploymentutil.MaxUnavailable (capped at spec.replicas). */
export function maxUnavailable(d: Deployment): number {
  if (!isRollingUpdate(d) || replicasOf(d) === 0) return 0;
  return Math.min(fenceposts(d)[1], replicasOf(d));
}

/** The revision annotation of an object as a number (0 when absent or invalid). */
export function revisionOf(obj: StoredObject): number {
  const n = Number.parseInt(obj.metadata.annotations?.[REVISION] ?? '', 10);
  return Number.isNaN(n) ? 0 : n;
}

/** deploymentutil.MaxRevision. */
export function maxRevision(sets: readonly ReplicaSet[]): number {
  return Math.max(0, ...sets.map(revisionOf));
}

/** Sum of spec.replicas. */
export function specSum(sets: readonly (ReplicaSet | undefined)[]): number {
  return sets.reduce((n, rs) => n + (rs ? replicasOf(rs) : 0), 0);
}

/** Sum of one status field. */
export function statusSum(sets: readonly (ReplicaSet | undefined)[], field: 'replicas' | 'readyReplicas' | 'availableReplicas'): number {
  return sets.reduce((n, rs) => n + (rs?.status?.[field] ?? 0), 0);
}

/** ReplicaSets with spec.replicas > 0. */
export function active(sets: readonly (ReplicaSet | undefined)[]): ReplicaSet[] {
  return sets.filter((rs): rs is ReplicaSet => rs !== undefined && replicasOf(rs) > 0);
}

function created(rs: ReplicaSet): number {
  return Date.parse(rs.metadata.creationTimestamp) || 0;
}

/** controller.ReplicaSetsByCreationTimestamp: oldest first, then by name. */
export function byCreation(a: ReplicaSet, b: ReplicaSet): number {
  return created(a) - created(b) || (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0);
}

/** deploymentutil.ReplicaSetsByRevision: lowest revision first, then by creation. */
export function byRevision(a: ReplicaSet, b: ReplicaSet): number {
  return revisionOf(a) - revisionOf(b) || byCreation(a, b);
}

/** controller.ReplicaSetsBySizeNewer (`newer`) / BySizeOlder: larger first, ties by age. */
export function bySize(newer: boolean): (a: ReplicaSet, b: ReplicaSet) => number {
  return (a, b) => replicasOf(b) - replicasOf(a) || (newer ? byCreation(b, a) : byCreation(a, b));
}

/** The condition of `type`, if any. */
export function getCondition(status: DeploymentStatus | undefined, type: string): Condition | undefined {
  return status?.conditions?.find((c) => c.type === type);
}

/** metav1.Time now. */
export function nowTime(): string {
  return `${new Date().toISOString().slice(0, 19)}Z`;
}

/** deploymentutil.NewDeploymentCondition. */
export function newCondition(type: string, status: Condition['status'], reason: string, message: string): Condition {
  const at = nowTime();
  return { type, status, lastUpdateTime: at, lastTransitionTime: at, reason, message };
}

/**
 * deploymentutil.SetDeploymentCondition: no change when status and reason are the same; keeps
 * lastTransitionTime when only the reason changes.
 */
export function setCondition(status: DeploymentStatus, cond: Condition): void {
  const current = getCondition(status, cond.type);
  if (current && current.status === cond.status && current.reason === cond.reason) return;
  const next = { ...cond };
  if (current && current.status === cond.status && current.lastTransitionTime) next.lastTransitionTime = current.lastTransitionTime;
  status.conditions = [...(status.conditions ?? []).filter((c) => c.type !== cond.type), next];
}

/** deploymentutil.RemoveDeploymentCondition. */
export function removeCondition(status: DeploymentStatus, type: string): void {
  if (!status.conditions) return;
  status.conditions = status.conditions.filter((c) => c.type !== type);
}

/** deploymentutil.HasProgressDeadline (default 600 s; MaxInt32 means none). */
export function hasProgressDeadline(d: Deployment): boolean {
  const s = d.spec.progressDeadlineSeconds;
  return s === undefined || s !== 2147483647;
}

/** deploymentutil.DeploymentComplete. */
export function deploymentComplete(d: Deployment, s: DeploymentStatus): boolean {
  const want = replicasOf(d);
  return (s.updatedReplicas ?? 0) === want && (s.replicas ?? 0) === want && (s.availableReplicas ?? 0) === want && (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 0);
}

/** RS annotation as integer, or undefined. */
export function intAnnotation(rs: ReplicaSet, key: string): number | undefined {
  const v = rs.metadata.annotations?.[key];
  if (v === undefined) return undefined;
  const n = Number.parseInt(v, 10);
  return Number.isNaN(n) ? undefined : n;
}
