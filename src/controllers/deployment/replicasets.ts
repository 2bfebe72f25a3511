/**
 * Finding and creating the new ReplicaSet (kubernetes `deployment/sync.go`
 * getAllReplicaSetsAndSyncRevision / getNewReplicaSet, util SetNewReplicaSetAnnotations): the
 * new ReplicaSet is the oldest one whose template equals the Deployment's ignoring the hash
 * label; it gets revision max(old)+1 — an old ReplicaSet reused by `rollout undo` has its
 * previous revision appended to `revision-history` — plus the Deployment's annotations (bar
 * the skipped keys) and `minReadySeconds`. When none exists (and the caller allows), one is
 * created as `<deployment>-<hash>`, sized by NewRSNewReplicas; a name taken by a different
 * template bumps `status.collisionCount`. The Deployment gets the revision and a Progressing
 * condition (`NewReplicaSetCreated` / `FoundNewReplicaSet`).
 * Owns: the new ReplicaSet's identity and annotations. Must not: scale old ReplicaSets.
 */
import { StatusError } from '../../api/errors.js';
import type { KubeObject } from '../../api/types.js';
import { RESOURCES } from '../../client/types.js';
import { controllerRef, mutableCopy, type ReplicaSet } from '../replicaset/objects.js';
import type { SyncContext } from './context.js';
import { computeHash, equalIgnoreHash } from './hash.js';
import {
  ANNOTATIONS_TO_SKIP, DESIRED_REPLICAS, getCondition, hasProgressDeadline, HASH_LABEL, isRollingUpdate, MAX_REPLICAS, maxRevision, maxSurge,
  newCondition, replicasOf, REVISION, REVISION_HISTORY, setCondition, specSum, byCreation, type Deployment,
} from './objects.js';

const MAX_HISTORY_CHARS = 2000;

/** deploymentutil.FindNewReplicaSet: the oldest ReplicaSet with the Deployment's template. */
export function findNewReplicaSet(d: Deployment, sets: readonly ReplicaSet[]): ReplicaSet | undefined {
  return [...sets].sort(byCreation).find((rs) => equalIgnoreHash(rs.spec.template, d.spec.template));
}

/** deploymentutil.NewRSNewReplicas: how big the new ReplicaSet may be now. */
export function newRSNewReplicas(d: Deployment, all: readonly ReplicaSet[], newRS: ReplicaSet): number {
  if (!isRollingUpdate(d)) return replicasOf(d);
  const current = specSum(all);
  const maxTotal = replicasOf(d) + maxSurge(d);
  if (current >= maxTotal) return replicasOf(newRS);
  return replicasOf(newRS) + Math.min(maxTotal - current, replicasOf(d) - replicasOf(newRS));
}

/** SetNewReplicaSetAnnotations; returns whether anything changed. */
export function setNewReplicaSetAnnotations(d: Deployment, rs: ReplicaSet, newRevision: number, exists: boolean): boolean {
  const annotations = (rs.metadata.annotations ??= {});
  let changed = false;
  for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) {
    if (ANNOTATIONS_TO_SKIP.has(k) || annotations[k] === v) continue;
    annotations[k] = v;
    changed = true;
  }
  const oldText = annotations[REVISION];
  const oldRevision = oldText === undefined ? 0 : Number.parseInt(oldText, 10);
  if (Number.isNaN(oldRevision)) return false;
  if (oldRevision < newRevision) {
    annotations[REVISION] = String(newRevision);
    changed = true;
    if (oldText !== undefined) {
      const history = annotations[REVISION_HISTORY] ?? '';
      let parts = history ? history.split(',') : [];
      let total = history.length + oldText.length + 1;
      while (parts.length && total > MAX_HISTORY_CHARS) total -= parts.shift()!.length + 1;
      parts = [...parts, oldText];
      annotations[REVISION_HISTORY] = parts.join(',');
    }
  }
  if (!exists) {
    annotations[DESIRED_REPLICAS] = String(replicasOf(d));
    annotations[MAX_REPLICAS] = String(replicasOf(d) + maxSurge(d));
    changed = true;
  }
  return changed;
}

/** The new ReplicaSet (created when `create` and absent) and all the others. */
export async function getAllReplicaSetsAndSyncRevision(ctx: SyncContext, create: boolean): Promise<{ newRS: ReplicaSet | undefined; oldRSs: ReplicaSet[] }> {
  const existing = findNewReplicaSet(ctx.d, ctx.sets);
  const oldRSs = ctx.sets.filter((rs) => rs !== existing);
  const newRS = await getNewReplicaSet(ctx, existing, oldRSs, create);
  return { newRS, oldRSs: ctx.sets.filter((rs) => rs.metadata.uid !== newRS?.metadata.uid) };
}

async function getNewReplicaSet(ctx: SyncContext, existing: ReplicaSet | undefined, oldRSs: ReplicaSet[], create: boolean): Promise<ReplicaSet | undefined> {
  const d = ctx.d;
  const newRevision = maxRevision(oldRSs) + 1;
  if (existing) {
    const copy = mutableCopy(existing);
    const annotationsChanged = setNewReplicaSetAnnotations(d, copy, newRevision, true);
    const minReady = d.spec.minReadySeconds ?? 0;
    let rs = existing;
    if (annotationsChanged || (copy.spec.minReadySeconds ?? 0) !== minReady) {
      copy.spec.minReadySeconds = minReady;
      rs = await ctx.updateReplicaSet(copy);
    }
    await ctx.setRevision(rs.metadata.annotations?.[REVISION] ?? String(newRevision));
    if (hasProgressDeadline(d) && !getCondition(d.status, 'Progressing')) {
      ctx.d.status ??= {};
      setCondition(ctx.d.status, newCondition('Progressing', 'True', 'FoundNewReplicaSet', `Found new replica set "${rs.metadata.name}"`));
      await ctx.updateStatus();
    }
    return rs;
  }
  if (!create) return undefined;
  const template = mutableCopy(d.spec.template ?? {});
  const hash = computeHash(d.spec.template, d.status?.collisionCount);
  template.metadata = { ...(template.metadata ?? {}), labels: { ...(template.metadata?.labels ?? {}), [HASH_LABEL]: hash } };
  const selector = mutableCopy(d.spec.selector ?? {});
  selector.matchLabels = { ...(selector.matchLabels ?? {}), [HASH_LABEL]: hash };
  const newRS: ReplicaSet = {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: `${d.metadata.name}-${hash}`, namespace: ctx.namespace, ownerReferences: [controllerRef(d)], labels: { ...template.metadata.labels } } as ReplicaSet['metadata'],
    spec: { replicas: 0, minReadySeconds: d.spec.minReadySeconds ?? 0, selector, template },
  };
  newRS.spec.replicas = newRSNewReplicas(d, [...oldRSs, newRS], newRS);
  setNewReplicaSetAnnotations(d, newRS, newRevision, false);
  let created: ReplicaSet;
  let alreadyExists = false;
  try {
    created = ctx.remember((await ctx.client.create(RESOURCES.replicasets, newRS as KubeObject, { namespace: ctx.namespace })) as ReplicaSet);
  } catch (err) {
    if (!(err instanceof StatusError && err.status.code === 409)) {
      ctx.d.status ??= {};
      const message = `Failed to create new replica set "${newRS.metadata.name}": ${err instanceof Error ? err.message : String(err)}`;
      if (hasProgressDeadline(d)) {
        setCondition(ctx.d.status, newCondition('Progressing', 'False', 'ReplicaSetCreateError', message));
        await ctx.updateStatus().catch(() => undefined);
      }
      ctx.recorder.event(d, 'Warning', 'FailedCreate', message);
      throw err;
    }
    const other = (await ctx.client.get(RESOURCES.replicasets, newRS.metadata.name, { namespace: ctx.namespace })) as ReplicaSet;
    const owned = other.metadata.ownerReferences?.some((o) => o.controller && o.uid === d.metadata.uid);
    if (owned && equalIgnoreHash(other.spec.template, d.spec.template)) {
      created = ctx.remember(other);
      alreadyExists = true;
    } else {
      ctx.d.status ??= {};
      ctx.d.status.collisionCount = (ctx.d.status.collisionCount ?? 0) + 1;
      await ctx.updateStatus();
      throw new Error(`found a hash collision for deployment ${d.metadata.name}: bumping collisionCount`);
    }
  }
  if (!alreadyExists && replicasOf(created) > 0) {
    ctx.recorder.event(d, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${created.metadata.name} from 0 to ${replicasOf(created)}`);
  }
  await ctx.setRevision(String(newRevision));
  if (!alreadyExists && hasProgressDeadline(d)) {
    ctx.d.status ??= {};
    setCondition(ctx.d.status, newCondition('Progressing', 'True', 'NewReplicaSetCreated', `Created new replica set "${created.metadata.name}"`));
    await ctx.updateStatus();
  }
  return created;
}
