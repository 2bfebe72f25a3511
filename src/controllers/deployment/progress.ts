/**
 * Deployment status (kubernetes `deployment/sync.go` calculateStatus, syncDeploymentStatus;
 * `progress.go` syncRolloutStatus; `sync.go` checkPausedConditions): replica sums over the
 * ReplicaSets, `Available` (MinimumReplicasAvailable / MinimumReplicasUnavailable), `Progressing`
 * (ReplicaSetUpdated while making progress, NewReplicaSetAvailable when complete,
 * ProgressDeadlineExceeded past `progressDeadlineSeconds` without progress,
 * DeploymentPaused/DeploymentResumed with status Unknown), `ReplicaFailure` copied from a
 * ReplicaSet. Returns when to look again for the progress deadline.
 * Owns: status and conditions. Must not: scale ReplicaSets.
 */
import type { ReplicaSet } from '../replicaset/objects.js';
import type { SyncContext } from './context.js';
import {
  deploymentComplete, getCondition, hasProgressDeadline, maxUnavailable, newCondition, removeCondition, replicasOf, setCondition, specSum, statusSum,
  type Deployment, type DeploymentStatus,
} from './objects.js';

/** calculateStatus: the status the ReplicaSets imply (conditions but Available kept as they are). */
export function calculateStatus(d: Deployment, all: readonly (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined): DeploymentStatus {
  const available = statusSum(all, 'availableReplicas');
  const status: DeploymentStatus = {
    observedGeneration: d.metadata.generation ?? 0,
    replicas: statusSum(all, 'replicas'),
    updatedReplicas: statusSum([newRS], 'replicas'),
    readyReplicas: statusSum(all, 'readyReplicas'),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, specSum(all) - available),
  };
  if (d.status?.collisionCount !== undefined) status.collisionCount = d.status.collisionCount;
  status.conditions = [...(d.status?.conditions ?? [])];
  if (available >= replicasOf(d) - maxUnavailable(d)) {
    setCondition(status, newCondition('Available', 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.'));
  } else {
    setCondition(status, newCondition('Available', 'False', 'MinimumReplicasUnavailable', 'Deployment does not have minimum availability.'));
  }
  return status;
}

function equalStatus(a: DeploymentStatus | undefined, b: DeploymentStatus): boolean {
  const norm = (s: DeploymentStatus | undefined) =>
    JSON.stringify([s?.observedGeneration ?? 0, s?.replicas ?? 0, s?.updatedReplicas ?? 0, s?.readyReplicas ?? 0, s?.availableReplicas ?? 0, s?.unavailableReplicas ?? 0, s?.collisionCount, s?.conditions ?? []]);
  return norm(a) === norm(b);
}

async function write(ctx: SyncContext, status: DeploymentStatus): Promise<boolean> {
  if (equalStatus(ctx.d.status, status)) return false;
  ctx.d.status = status;
  await ctx.updateStatus();
  return true;
}

/** syncDeploymentStatus: writes calculateStatus when it differs. */
export async function syncDeploymentStatus(ctx: SyncContext, all: readonly (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined): Promise<void> {
  await write(ctx, calculateStatus(ctx.d, all, newRS));
}

function progressing(d: Deployment, next: DeploymentStatus): boolean {
  const old = d.status ?? {};
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newOld = (next.replicas ?? 0) - (next.updatedReplicas ?? 0);
  return (
    (next.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) ||
    newOld < oldOld ||
    (next.readyReplicas ?? 0) > (old.readyReplicas ?? 0) ||
    (next.availableReplicas ?? 0) > (old.availableReplicas ?? 0)
  );
}

function deadlineMs(d: Deployment): number {
  return (d.spec.progressDeadlineSeconds ?? 600) * 1000;
}

function timedOut(d: Deployment, next: DeploymentStatus): boolean {
  if (!hasProgressDeadline(d)) return false;
  const cond = getCondition(next, 'Progressing');
  if (!cond || cond.reason === 'NewReplicaSetAvailable') return false;
  if (cond.reason === 'ProgressDeadlineExceeded') return true;
  const from = Date.parse(cond.lastUpdateTime ?? '');
  return !Number.isNaN(from) && from + deadlineMs(d) < Date.now();
}

/** syncRolloutStatus; resolves with ms until the progress deadline should be checked again, if any. */
export async function syncRolloutStatus(ctx: SyncContext, all: readonly (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined): Promise<number | undefined> {
  const d = ctx.d;
  const next = calculateStatus(d, all, newRS);
  if (!hasProgressDeadline(d)) removeCondition(next, 'Progressing');
  const current = getCondition(d.status, 'Progressing');
  const complete = next.replicas === next.updatedReplicas && current?.reason === 'NewReplicaSetAvailable';
  if (hasProgressDeadline(d) && !complete) {
    const name = newRS ? `ReplicaSet "${newRS.metadata.name}"` : `Deployment "${d.metadata.name}"`;
    if (deploymentComplete(d, next)) {
      setCondition(next, newCondition('Progressing', 'True', 'NewReplicaSetAvailable', `${name} has successfully progressed.`));
    } else if (progressing(d, next)) {
      const cond = newCondition('Progressing', 'True', 'ReplicaSetUpdated', `${name} is progressing.`);
      if (current?.status === 'True' && current.lastTransitionTime) cond.lastTransitionTime = current.lastTransitionTime;
      removeCondition(next, 'Progressing');
      setCondition(next, cond);
    } else if (timedOut(d, next)) {
      setCondition(next, newCondition('Progressing', 'False', 'ProgressDeadlineExceeded', `${name} has timed out progressing.`));
    }
  }
  const failure = all.flatMap((rs) => rs?.status?.conditions?.filter((c) => c.type === 'ReplicaFailure' && c.status === 'True') ?? [])[0];
  if (failure) setCondition(next, newCondition('ReplicaFailure', failure.status, failure.reason ?? '', failure.message ?? ''));
  else removeCondition(next, 'ReplicaFailure');
  await write(ctx, next);
  return requeueStuck(ctx.d, next);
}

function requeueStuck(d: Deployment, next: DeploymentStatus): number | undefined {
  const cond = getCondition(next, 'Progressing');
  if (!hasProgressDeadline(d) || !cond) return undefined;
  if (cond.reason === 'NewReplicaSetAvailable' || cond.reason === 'ProgressDeadlineExceeded') return undefined;
  if (deploymentComplete(d, next)) return undefined;
  const from = Date.parse(cond.lastUpdateTime ?? '');
  if (Number.isNaN(from)) return undefined;
  return Math.max(1000, from + deadlineMs(d) - Date.now() + 1000);
}

/** checkPausedConditions: Progressing Unknown DeploymentPaused / DeploymentResumed. */
export async function checkPausedConditions(ctx: SyncContext): Promise<void> {
  const d = ctx.d;
  if (!hasProgressDeadline(d)) return;
  const cond = getCondition(d.status, 'Progressing');
  if (cond?.reason === 'ProgressDeadlineExceeded') return;
  const pausedCond = cond?.reason === 'DeploymentPaused';
  d.status ??= {};
  if (d.spec.paused && !pausedCond) {
    setCondition(d.status, newCondition('Progressing', 'Unknown', 'DeploymentPaused', 'Deployment is paused'));
  } else if (!d.spec.paused && pausedCond) {
    setCondition(d.status, newCondition('Progressing', 'Unknown', 'DeploymentResumed', 'Deployment is resumed'));
  } else {
    return;
  }
  await ctx.updateStatus();
}
