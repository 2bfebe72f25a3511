/**
 * The ReplicaSet controller of kube-controller-manager, declared for the Manager: it watches
 * ReplicaSets and pods (a pod maps to its controlling ReplicaSet; an orphan to every ReplicaSet
 * of its namespace whose selector matches, so it gets adopted), and keeps the expectations
 * (replicaset/expectations.ts) current from pod events. A pod appearing, going, being deleted or
 * changing owner or labels is reconciled at once; other pod changes (readiness, the bulk of a
 * rollout) only move the status and, for ReplicaSets of 64 pods or more, are coalesced (50 ms).
 * The pass itself is replicaset/reconciler.ts.
 * Owns: wiring. Must not: hold the reconcile logic.
 */
import { labelSelectorFromObject } from '../api/selectors.js';
import { RESOURCES } from '../client/types.js';
import { byControllerUid, byNamespace, byOrphanNamespace, keyOf, ownerKeys, type ControllerDefinition } from './runtime/index.js';
import { Expectations } from './replicaset/expectations.js';
import { controllerOf, isPodActive, type Pod, type ReplicaSet } from './replicaset/objects.js';
import { CONTROLLER_INDEX, NAMESPACE_INDEX, ORPHAN_INDEX, ownerReplicaSetKey, ReplicaSetReconciler } from './replicaset/reconciler.js';

/** The controller's name: field manager and event source (upstream's). */
export const REPLICASET_CONTROLLER = 'replicaset-controller';

/** How long status-only pod changes of a big ReplicaSet wait to be reconciled together. */
const POD_COALESCE_MS = 50;
/** From this many pods on, a ReplicaSet's status-only pod changes are coalesced. */
const COALESCE_FROM_PODS = 64;

/** The ReplicaSet controller's definition. */
export function replicaSetController(): ControllerDefinition {
  return {
    name: REPLICASET_CONTROLLER,
    workers: 4,
    setup(ctx) {
      const sets = ctx.informers.informer(RESOURCES.replicasets, { indexers: { [NAMESPACE_INDEX]: byNamespace } });
      const pods = ctx.informers.informer(RESOURCES.pods, { indexers: { [CONTROLLER_INDEX]: byControllerUid, [ORPHAN_INDEX]: byOrphanNamespace } });
      const expectations = new Expectations();
      const deleted = (obj: Pod): void => {
        const key = ownerReplicaSetKey(obj);
        if (key) expectations.deletionObserved(key, keyOf(obj));
      };
      pods.addEventHandler({
        add: (obj) => {
          const pod = obj as Pod;
          const key = ownerReplicaSetKey(pod);
          if (key && !pod.metadata.deletionTimestamp) expectations.creationObserved(key);
          else if (key) deleted(pod);
        },
        update: (_old, obj) => {
          if (obj.metadata.deletionTimestamp) deleted(obj as Pod);
        },
        delete: (obj) => deleted(obj as Pod),
      });
      const podKeys = (obj: Pod): string[] => {
        if (controllerOf(obj)) return [...ownerKeys('ReplicaSet', 'apps')(obj)];
        return (sets.byIndex(NAMESPACE_INDEX, obj.metadata.namespace ?? '') as ReplicaSet[])
          .filter((rs) => {
            try {
              return labelSelectorFromObject(rs.spec.selector).matches(obj.metadata.labels);
            } catch {
              return false;
            }
          })
          .map(keyOf);
      };
      // Same controller, labels and activity: the change cannot alter what the ReplicaSet owns or sizes.
      const sameActivity = (o: Pod, n: Pod): boolean =>
        isPodActive(o) === isPodActive(n) && controllerOf(o)?.uid === controllerOf(n)?.uid && JSON.stringify(o.metadata.labels) === JSON.stringify(n.metadata.labels);
      // A status-only change waits only when its ReplicaSet is big enough for a burst to matter.
      const coalesced = (n: Pod): boolean => {
        const uid = controllerOf(n)?.uid;
        return uid !== undefined && pods.countByIndex(CONTROLLER_INDEX, uid) >= COALESCE_FROM_PODS;
      };
      return {
        reconciler: new ReplicaSetReconciler({ client: ctx.client, recorder: ctx.recorder, sets, pods, expectations }),
        sources: [
          { informer: sets },
          // Pods appearing, going, or starting to go change what the ReplicaSet sizes: at once.
          {
            informer: pods,
            map: (obj) => podKeys(obj as Pod),
            mapUpdate: (o, n) => {
              if (!sameActivity(o as Pod, n as Pod)) return [...podKeys(o as Pod), ...podKeys(n as Pod)];
              return coalesced(n as Pod) ? [] : podKeys(n as Pod);
            },
          },
          // Other changes (readiness: a rollout's bulk) only change status: coalesced for big ReplicaSets.
          {
            informer: pods,
            map: () => [],
            mapUpdate: (o, n) => (sameActivity(o as Pod, n as Pod) && coalesced(n as Pod) ? podKeys(n as Pod) : []),
            coalesceMs: POD_COALESCE_MS,
          },
        ],
      };
    },
  };
}
