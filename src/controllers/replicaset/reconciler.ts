/**
 * The ReplicaSet reconciler (kubernetes `pkg/controller/replicaset/replica_set.go` syncReplicaSet):
 * claim the active pods the selector matches (adopt orphans, release pods that stopped matching),
 * then — only when no earlier create/delete is still in flight (expectations) — create the
 * missing pods from `spec.template` in slow-start batches (at most 500 per pass) or delete the
 * surplus in ranking order, recording `SuccessfulCreate`/`FailedCreate`/`SuccessfulDelete`/
 * `FailedDelete` events; finally write the status and, when pods are ready but not yet available,
 * look again after `minReadySeconds`.
 * Owns: one pass over one ReplicaSet. Must not: know Deployments.
 */
import { labelSelectorFromObject } from '../../api/selectors.js';
import { StatusError } from '../../api/errors.js';
import { RESOURCES, type Client } from '../../client/types.js';
import { keyOf, yieldToEventLoop, type EventRecorder, type Informer, type Reconciler, type Result } from '../runtime/index.js';
import { claim } from './claim.js';
import type { Expectations } from './expectations.js';
import { controllerOf, controllerRef, isPodActive, specReplicas, type Pod, type ReplicaSet } from './objects.js';
import { podsToDelete } from './ranking.js';
import { slowStartBatch } from './slow-start.js';
import { calculateStatus, statusChanged } from './status.js';

/** At most this many creates or deletes per pass (upstream's burstReplicas). */
export const BURST_REPLICAS = 500;

/** Index of pods and ReplicaSets by namespace. */
export const NAMESPACE_INDEX = 'namespace';
/** Index of pods by the uid of their controller owner. */
export const CONTROLLER_INDEX = 'controller-uid';
/** Index of pods no controller owns, by namespace. */
export const ORPHAN_INDEX = 'orphan-namespace';

/** What the reconciler works with. */
export interface ReplicaSetReconcilerOptions {
  client: Client;
  recorder: EventRecorder;
  sets: Informer;
  /** Pods, with the {@link CONTROLLER_INDEX} and {@link ORPHAN_INDEX} indexes. */
  pods: Informer;
  expectations: Expectations;
}

function isNotFound(err: unknown): boolean {
  return err instanceof StatusError && err.status.code === 404;
}

/** Reconciles one ReplicaSet; see the module comment. */
export class ReplicaSetReconciler implements Reconciler {
  readonly #o: ReplicaSetReconcilerOptions;

  constructor(options: ReplicaSetReconcilerOptions) {
    this.#o = options;
  }

  async reconcile(key: string): Promise<Result | void> {
    const { sets, pods, expectations } = this.#o;
    const rs = sets.get(key) as ReplicaSet | undefined;
    if (!rs) {
      expectations.delete(key);
      return;
    }
    const needsSync = expectations.satisfied(key) && !rs.metadata.deletionTimestamp;
    const selector = labelSelectorFromObject(rs.spec.selector);
    const namespace = rs.metadata.namespace!;
    // Only pods it controls or nobody controls can be claimed: the indexes give exactly those.
    const candidates = [...pods.byIndex(CONTROLLER_INDEX, rs.metadata.uid), ...pods.byIndex(ORPHAN_INDEX, namespace)].filter(isPodActive) as Pod[];
    let active = await claim({ client: this.#o.client, owner: rs, ownerResource: RESOURCES.replicasets, resource: RESOURCES.pods, selector, candidates });
    let failure: { error: Error; creating: boolean } | undefined;
    if (needsSync) failure = await this.#manage(key, rs, active);
    // Pods created or deleted just now show up through the informer; count what the cache holds.
    active = active.filter((p) => pods.get(keyOf(p)) !== undefined);
    const now = Date.now();
    const status = calculateStatus({ rs, pods: active, now, ...(failure ? { failure } : {}) });
    if (statusChanged(rs, status)) {
      // The client copies what it sends: a shallow copy of the frozen cache object is enough.
      const next = { ...rs, status };
      await this.#o.client.updateStatus(RESOURCES.replicasets, next, { namespace });
    }
    const want = specReplicas(rs);
    const minReady = rs.spec.minReadySeconds ?? 0;
    if (!failure && minReady > 0 && status.readyReplicas === want && status.availableReplicas !== want) return { requeueAfter: minReady * 1000 };
    if (!expectations.satisfied(key)) return { requeueAfter: 2000 };
    if (failure) throw failure.error;
  }

  /** Creates or deletes pods towards `spec.replicas`; returns the error of the pass, if any. */
  async #manage(key: string, rs: ReplicaSet, active: readonly Pod[]): Promise<{ error: Error; creating: boolean } | undefined> {
    const { client, recorder, expectations } = this.#o;
    const namespace = rs.metadata.namespace!;
    const diff = active.length - specReplicas(rs);
    if (diff < 0) {
      const count = Math.min(-diff, BURST_REPLICAS);
      expectations.expectCreations(key, count);
      const template = rs.spec.template ?? {};
      const { successes, error } = await slowStartBatch(count, 1, async () => {
        // A batch's creates run as microtasks: let the API serve requests between them.
        await yieldToEventLoop();
        const pod = {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: {
            generateName: `${rs.metadata.name}-`,
            namespace,
            labels: { ...(template.metadata?.labels ?? {}) },
            ...(template.metadata?.annotations ? { annotations: { ...template.metadata.annotations } } : {}),
            ownerReferences: [controllerRef(rs)],
          },
          // Shared, frozen: the client copies the body before it is stored.
          spec: template.spec ?? {},
        };
        try {
          const created = await client.create(RESOURCES.pods, pod, { namespace });
          recorder.event(rs, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`);
        } catch (err) {
          recorder.event(rs, 'Warning', 'FailedCreate', `Error creating: ${err instanceof Error ? err.message : String(err)}`);
          throw err;
        }
      });
      for (let skipped = count - successes; skipped > 0; skipped--) expectations.creationObserved(key);
      return error ? { error, creating: true } : undefined;
    }
    if (diff > 0) {
      const count = Math.min(diff, BURST_REPLICAS);
      const doomed = podsToDelete(active, this.#related(rs, active), count);
      expectations.expectDeletions(key, doomed.map(keyOf));
      const errors: Error[] = [];
      await Promise.all(
        doomed.map(async (pod) => {
          try {
            await client.delete(RESOURCES.pods, pod.metadata.name, { namespace });
            recorder.event(rs, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`);
          } catch (err) {
            expectations.deletionObserved(key, keyOf(pod));
            if (isNotFound(err)) return;
            recorder.event(rs, 'Warning', 'FailedDelete', `Error deleting: ${err instanceof Error ? err.message : String(err)}`);
            errors.push(err instanceof Error ? err : new Error(String(err)));
          }
        }),
      );
      return errors.length ? { error: errors[0]!, creating: false } : undefined;
    }
    return undefined;
  }

  /** The active pods of `rs` and of its sibling ReplicaSets (same controller owner), for ranking. */
  #related(rs: ReplicaSet, own: readonly Pod[]): Pod[] {
    const owner = controllerOf(rs);
    if (!owner) return [...own];
    const siblings = (this.#o.sets.byIndex(NAMESPACE_INDEX, rs.metadata.namespace!) as ReplicaSet[]).filter((s) => controllerOf(s)?.uid === owner.uid);
    return siblings.flatMap((s) => this.#o.pods.byIndex(CONTROLLER_INDEX, s.metadata.uid) as Pod[]).filter(isPodActive);
  }
}

/** The ReplicaSet key a pod's controller reference names, if it is a ReplicaSet. */
export function ownerReplicaSetKey(pod: Pod): string | undefined {
  const ref = controllerOf(pod);
  if (!ref || ref.kind !== 'ReplicaSet' || !ref.apiVersion.startsWith('apps/')) return undefined;
  return keyOf({ metadata: { namespace: pod.metadata.namespace ?? '', name: ref.name } });
}
