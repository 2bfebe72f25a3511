/**
 * The two rollout strategies (kubernetes `deployment/rolling.go`, `recreate.go`).
 * RollingUpdate: scale the new ReplicaSet up while the total stays within replicas + maxSurge;
 * then scale old ones down — first their unavailable pods (oldest ReplicaSet first), then
 * available ones while availability stays at replicas − maxUnavailable. Recreate: old
 * ReplicaSets to 0, wait until none of their pods runs, then the new one to full size.
 * Owns: one step of a rollout. Must not: write status except through progress.ts.
 */
import { isPodActive, type Pod, type ReplicaSet } from '../replicaset/objects.js';
import { CONTROLLER_INDEX } from '../replicaset/reconciler.js';
import type { SyncContext } from './context.js';
import { cleanupDeployment } from './scale.js';
import { active, byCreation, deploymentComplete, maxUnavailable, replicasOf, specSum, statusSum } from './objects.js';
import { syncRolloutStatus } from './progress.js';
import { getAllReplicaSetsAndSyncRevision, newRSNewReplicas } from './replicasets.js';

async function reconcileNewReplicaSet(ctx: SyncContext, all: ReplicaSet[], newRS: ReplicaSet): Promise<boolean> {
  const want = replicasOf(ctx.d);
  if (replicasOf(newRS) === want) return false;
  if (replicasOf(newRS) > want) return (await ctx.scale(newRS, want))[0];
  return (await ctx.scale(newRS, newRSNewReplicas(ctx.d, all, newRS)))[0];
}

async function reconcileOldReplicaSets(ctx: SyncContext, all: ReplicaSet[], oldRSs: ReplicaSet[], newRS: ReplicaSet): Promise<boolean> {
  const oldPods = specSum(oldRSs);
  if (oldPods === 0) return false;
  const minAvailable = replicasOf(ctx.d) - maxUnavailable(ctx.d);
  const newUnavailable = replicasOf(newRS) - (newRS.status?.availableReplicas ?? 0);
  const maxScaledDown = specSum(all) - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return false;
  // cleanupUnhealthyReplicas: unavailable old pods go first, oldest ReplicaSet first.
  let cleaned = 0;
  const olds = [...oldRSs].sort(byCreation);
  for (let i = 0; i < olds.length; i++) {
    if (cleaned >= maxScaledDown) break;
    const rs = olds[i]!;
    const unavailable = replicasOf(rs) - (rs.status?.availableReplicas ?? 0);
    if (replicasOf(rs) === 0 || unavailable <= 0) continue;
    const count = Math.min(maxScaledDown - cleaned, unavailable);
    olds[i] = (await ctx.scale(rs, replicasOf(rs) - count))[1];
    cleaned += count;
  }
  // scaleDownOldReplicaSetsForRollingUpdate: then available ones, keeping minAvailable.
  let scaled = 0;
  const available = statusSum([...olds, newRS], 'availableReplicas');
  if (available > minAvailable) {
    const total = available - minAvailable;
    for (const rs of olds) {
      if (scaled >= total) break;
      if (replicasOf(rs) === 0) continue;
      const count = Math.min(replicasOf(rs), total - scaled);
      await ctx.scale(rs, replicasOf(rs) - count);
      scaled += count;
    }
  }
  return cleaned + scaled > 0;
}

/** rolloutRolling: one step; resolves with a requeue delay (progress deadline), if any. */
export async function rolloutRolling(ctx: SyncContext): Promise<number | undefined> {
  const { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(ctx, true);
  const all = [...oldRSs, newRS!];
  if (await reconcileNewReplicaSet(ctx, all, newRS!)) return syncRolloutStatus(ctx, current(ctx, all), current(ctx, [newRS!])[0]);
  const fresh = current(ctx, all);
  const freshNew = current(ctx, [newRS!])[0]!;
  const freshOld = fresh.filter((rs) => rs.metadata.uid !== freshNew.metadata.uid);
  if (await reconcileOldReplicaSets(ctx, fresh, active(freshOld), freshNew)) return syncRolloutStatus(ctx, current(ctx, all), freshNew);
  if (deploymentComplete(ctx.d, ctx.d.status ?? {})) await cleanupDeployment(ctx, freshOld);
  return syncRolloutStatus(ctx, current(ctx, all), freshNew);
}

/** The context's current copies of `sets` (by uid; dropped if deleted). */
function current(ctx: SyncContext, sets: readonly ReplicaSet[]): ReplicaSet[] {
  return sets.flatMap((rs) => ctx.sets.filter((s) => s.metadata.uid === rs.metadata.uid));
}

function oldPodsRunning(ctx: SyncContext, newRS: ReplicaSet | undefined, oldRSs: readonly ReplicaSet[]): boolean {
  if (statusSum(oldRSs, 'replicas') > 0) return true;
  const olds = oldRSs.map((rs) => rs.metadata.uid).filter((uid) => uid !== newRS?.metadata.uid);
  return olds.flatMap((uid) => ctx.pods.byIndex(CONTROLLER_INDEX, uid)).some((obj) => {
    const pod = obj as Pod;
    const phase = pod.status?.phase;
    return phase !== 'Failed' && phase !== 'Succeeded' && (isPodActive(pod) || Boolean(pod.metadata.deletionTimestamp));
  });
}

/** rolloutRecreate: one step; resolves with a requeue delay, if any. */
export async function rolloutRecreate(ctx: SyncContext): Promise<number | undefined> {
  let { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(ctx, false);
  let scaledDown = false;
  for (const rs of active(oldRSs)) if ((await ctx.scale(rs, 0))[0]) scaledDown = true;
  const all = (): (ReplicaSet | undefined)[] => current(ctx, [...oldRSs, ...(newRS ? [newRS] : [])]);
  if (scaledDown) return syncRolloutStatus(ctx, all(), newRS && current(ctx, [newRS])[0]);
  if (oldPodsRunning(ctx, newRS, current(ctx, oldRSs))) return syncRolloutStatus(ctx, all(), newRS && current(ctx, [newRS])[0]);
  if (!newRS) ({ newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(ctx, true));
  const rs = current(ctx, [newRS!])[0]!;
  await ctx.scale(rs, replicasOf(ctx.d));
  if (deploymentComplete(ctx.d, ctx.d.status ?? {})) await cleanupDeployment(ctx, current(ctx, oldRSs));
  return syncRolloutStatus(ctx, all(), current(ctx, [newRS!])[0]);
}
