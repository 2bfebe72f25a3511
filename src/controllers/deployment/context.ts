/**
 * One pass over one Deployment: the Deployment (a mutable copy that follows every write), its
 * claimed ReplicaSets, and the writes every part of the pass shares — scale a ReplicaSet (with
 * the `ScalingReplicaSet` event), update the Deployment's annotations or status.
 * Owns: writes and keeping the local copies current. Must not: decide what to write.
 */
import type { KubeObject } from '../../api/types.js';
import { RESOURCES, type Client } from '../../client/types.js';
import type { EventRecorder, Informer } from '../runtime/index.js';
import { mutableCopy, type ReplicaSet } from '../replicaset/objects.js';
import { DESIRED_REPLICAS, MAX_REPLICAS, maxSurge, replicasOf, type Deployment } from './objects.js';

/** The state and writes of one pass. */
export class SyncContext {
  readonly client: Client;
  readonly recorder: EventRecorder;
  /** Pods, indexed by controller uid (for Recreate's "old pods still running"). */
  readonly pods: Informer;
  d: Deployment;
  /** The ReplicaSets this Deployment controls (mutable copies, replaced by each write's result). */
  sets: ReplicaSet[];

  constructor(options: { client: Client; recorder: EventRecorder; pods: Informer; deployment: Deployment; sets: ReplicaSet[] }) {
    this.client = options.client;
    this.recorder = options.recorder;
    this.pods = options.pods;
    this.d = mutableCopy(options.deployment);
    this.sets = options.sets.map(mutableCopy);
  }

  get namespace(): string {
    return this.d.metadata.namespace!;
  }

  /** Replaces `rs` (by uid) with its stored copy; returns the stored copy. */
  remember(rs: ReplicaSet): ReplicaSet {
    const copy = mutableCopy(rs);
    const at = this.sets.findIndex((s) => s.metadata.uid === copy.metadata.uid);
    if (at >= 0) this.sets[at] = copy;
    else this.sets.push(copy);
    return copy;
  }

  /** Updates `rs` (spec and metadata as given). */
  async updateReplicaSet(rs: ReplicaSet): Promise<ReplicaSet> {
    const stored = (await this.client.update(RESOURCES.replicasets, rs as KubeObject, { namespace: this.namespace })) as ReplicaSet;
    return this.remember(stored);
  }

  /**
   * scaleReplicaSetAndRecordEvent / scaleReplicaSet: sets spec.replicas and the desired/max
   * replicas annotations; records `Scaled up|down replica set <name> from <old> to <new>` when
   * the size changed. Returns whether it did, and the ReplicaSet as stored.
   */
  async scale(rs: ReplicaSet, newScale: number, operation?: 'up' | 'down'): Promise<[boolean, ReplicaSet]> {
    const old = replicasOf(rs);
    const desired = String(replicasOf(this.d));
    const max = String(replicasOf(this.d) + maxSurge(this.d));
    const annotations = rs.metadata.annotations ?? {};
    const sizeChanges = old !== newScale;
    if (!sizeChanges && annotations[DESIRED_REPLICAS] === desired && annotations[MAX_REPLICAS] === max) return [false, rs];
    const next = mutableCopy(rs);
    next.spec.replicas = newScale;
    next.metadata.annotations = { ...annotations, [DESIRED_REPLICAS]: desired, [MAX_REPLICAS]: max };
    const stored = await this.updateReplicaSet(next);
    if (sizeChanges) {
      const op = operation ?? (old < newScale ? 'up' : 'down');
      this.recorder.event(this.d, 'Normal', 'ScalingReplicaSet', `Scaled ${op} replica set ${rs.metadata.name} from ${old} to ${newScale}`);
    }
    return [sizeChanges, stored];
  }

  /** Sets the Deployment's revision annotation (a metadata patch); no-op when equal. */
  async setRevision(revision: string): Promise<void> {
    if (this.d.metadata.annotations?.['deployment.kubernetes.io/revision'] === revision) return;
    const patch = { metadata: { annotations: { 'deployment.kubernetes.io/revision': revision }, resourceVersion: this.d.metadata.resourceVersion } };
    const stored = await this.client.patch(RESOURCES.deployments, this.d.metadata.name, { type: 'merge', patch }, { namespace: this.namespace });
    this.d.metadata = mutableCopy(stored.metadata);
  }

  /** Writes `this.d.status` through /status. */
  async updateStatus(): Promise<void> {
    const stored = (await this.client.updateStatus(RESOURCES.deployments, this.d as KubeObject, { namespace: this.namespace })) as Deployment;
    this.d = mutableCopy(stored);
  }
}
