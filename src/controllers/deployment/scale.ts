/**
 * Scaling without rolling (kubernetes `deployment/sync.go` sync, scale, isScalingEvent,
 * cleanupDeployment): when `spec.replicas` changes — or while paused — ReplicaSets are resized,
 * not rolled. One active ReplicaSet takes the whole size; a saturated new one makes the old
 * ones 0; otherwise (RollingUpdate mid-rollout) the difference to replicas + maxSurge is spread
 * over the active ReplicaSets in proportion to their size (getProportion: each RS's share of its
 * `max-replicas` annotation, rounded), the leftover to the largest. Old ReplicaSets beyond
 * `revisionHistoryLimit` with no replicas are deleted, lowest revision first.
 * Owns: proportional scaling and history cleanup. Must not: roll.
 */
import { RESOURCES } from '../../client/types.js';
import type { ReplicaSet } from '../replicaset/objects.js';
import type { SyncContext } from './context.js';
import { active, byCreation, byRevision, bySize, DESIRED_REPLICAS, intAnnotation, isRollingUpdate, MAX_REPLICAS, maxSurge, replicasOf, specSum } from './objects.js';
import { syncDeploymentStatus } from './progress.js';
import { getAllReplicaSetsAndSyncRevision } from './replicasets.js';

/** deploymentutil.FindActiveOrLatest. */
function activeOrLatest(newRS: ReplicaSet | undefined, oldRSs: readonly ReplicaSet[]): ReplicaSet | undefined {
  if (!newRS && !oldRSs.length) return undefined;
  const olds = [...oldRSs].sort(byCreation).reverse();
  const all = active([...olds, newRS]);
  if (all.length === 0) return newRS ?? olds[0];
  return all.length === 1 ? all[0] : undefined;
}

function isSaturated(ctx: SyncContext, rs: ReplicaSet | undefined): boolean {
  if (!rs) return false;
  const want = replicasOf(ctx.d);
  return replicasOf(rs) === want && intAnnotation(rs, DESIRED_REPLICAS) === want && (rs.status?.availableReplicas ?? 0) === want;
}

function proportion(ctx: SyncContext, rs: ReplicaSet, toAdd: number, added: number): number {
  if (replicasOf(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
  let fraction: number;
  if (replicasOf(ctx.d) === 0) fraction = -replicasOf(rs);
  else {
    const deploymentReplicas = replicasOf(ctx.d) + maxSurge(ctx.d);
    const annotated = intAnnotation(rs, MAX_REPLICAS) ?? ctx.d.status?.replicas ?? 0;
    const size = annotated === 0 ? replicasOf(rs) : (replicasOf(rs) * deploymentReplicas) / annotated;
    fraction = Math.sign(size) * Math.round(Math.abs(size)) - replicasOf(rs);
  }
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

/** dc.scale: resize for a change of spec.replicas. */
export async function scale(ctx: SyncContext, newRS: ReplicaSet | undefined, oldRSs: readonly ReplicaSet[]): Promise<void> {
  const want = replicasOf(ctx.d);
  const only = activeOrLatest(newRS, oldRSs);
  if (only) {
    if (replicasOf(only) !== want) await ctx.scale(only, want);
    return;
  }
  if (isSaturated(ctx, newRS)) {
    for (const old of active(oldRSs)) await ctx.scale(old, 0);
    return;
  }
  if (!isRollingUpdate(ctx.d)) return;
  const all = active([...oldRSs, newRS]);
  const allowed = want > 0 ? want + maxSurge(ctx.d) : 0;
  const toAdd = allowed - specSum(all);
  let operation: 'up' | 'down' | undefined;
  if (toAdd > 0) {
    all.sort(bySize(true));
    operation = 'up';
  } else if (toAdd < 0) {
    all.sort(bySize(false));
    operation = 'down';
  }
  let added = 0;
  const sizes = new Map<string, number>();
  for (const rs of all) {
    const p = toAdd !== 0 ? proportion(ctx, rs, toAdd, added) : 0;
    sizes.set(rs.metadata.uid, replicasOf(rs) + p);
    added += p;
  }
  for (const [i, rs] of all.entries()) {
    let size = sizes.get(rs.metadata.uid)!;
    if (i === 0 && toAdd !== 0) size = Math.max(0, size + toAdd - added);
    await ctx.scale(rs, size, operation);
  }
}

/** isScalingEvent: an active ReplicaSet was sized for a different spec.replicas. */
export async function isScalingEvent(ctx: SyncContext): Promise<boolean> {
  const { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(ctx, false);
  return active([...oldRSs, newRS]).some((rs) => {
    const desired = intAnnotation(rs, DESIRED_REPLICAS);
    return desired !== undefined && desired !== replicasOf(ctx.d);
  });
}

/** sync: scale (and, while paused, clean up), then write the status. */
export async function sync(ctx: SyncContext): Promise<void> {
  const { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(ctx, false);
  await scale(ctx, newRS, oldRSs);
  const fresh = (rs: ReplicaSet) => ctx.sets.find((s) => s.metadata.uid === rs.metadata.uid);
  const olds = oldRSs.map(fresh).filter((rs): rs is ReplicaSet => rs !== undefined);
  if (ctx.d.spec.paused) await cleanupDeployment(ctx, olds);
  await syncDeploymentStatus(ctx, [...olds.filter((rs) => ctx.sets.includes(rs)), newRS && fresh(newRS)], newRS && fresh(newRS));
}

/** cleanupDeployment: deletes old, empty ReplicaSets beyond revisionHistoryLimit (default 10). */
export async function cleanupDeployment(ctx: SyncContext, oldRSs: readonly ReplicaSet[]): Promise<void> {
  const limit = ctx.d.spec.revisionHistoryLimit ?? 10;
  const alive = oldRSs.filter((rs) => !rs.metadata.deletionTimestamp);
  const diff = alive.length - limit;
  if (diff <= 0) return;
  const sorted = [...alive].sort(byRevision);
  for (const rs of sorted.slice(0, diff)) {
    if ((rs.status?.replicas ?? 0) !== 0 || replicasOf(rs) !== 0 || (rs.metadata.generation ?? 0) > (rs.status?.observedGeneration ?? 0)) continue;
    await ctx.client.delete(RESOURCES.replicasets, rs.metadata.name, { namespace: ctx.namespace, preconditions: { uid: rs.metadata.uid } }).catch(() => undefined);
    ctx.sets = ctx.sets.filter((s) => s.metadata.uid !== rs.metadata.uid);
  }
}
