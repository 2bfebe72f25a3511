/**
 * The ReplicaSet controller of kube-controller-manager, declared for the Manager: it watches
 * ReplicaSets and pods (a pod maps to its controlling ReplicaSet; an orphan to every ReplicaSet
 * of its namespace whose selector matches, so it gets adopted), and keeps the expectations
 * (replicaset/expectations.ts) current from pod events. The pass itself is
 * replicaset/reconciler.ts.
 * Owns: wiring. Must not: hold the reconcile logic.
 */
import { labelSelectorFromObject } from '../api/selectors.js';
import { RESOURCES } from '../client/types.js';
import { byNamespace, keyOf, ownerKeys, type ControllerDefinition } from './runtime/index.js';
import { Expectations } from './replicaset/expectations.js';
import { controllerOf, type Pod, type ReplicaSet } from './replicaset/objects.js';
import { NAMESPACE_INDEX, ownerReplicaSetKey, ReplicaSetReconciler } from './replicaset/reconciler.js';

/** The controller's name: field manager and event source (upstream's). */
export const REPLICASET_CONTROLLER = 'replicaset-controller';

/** The ReplicaSet controller's definition. */
export function replicaSetController(): ControllerDefinition {
  return {
    name: REPLICASET_CONTROLLER,
    workers: 4,
    setup(ctx) {
      const sets = ctx.informers.informer(RESOURCES.replicasets, { indexers: { [NAMESPACE_INDEX]: byNamespace } });
      const pods = ctx.informers.informer(RESOURCES.pods, { indexers: { [NAMESPACE_INDEX]: byNamespace } });
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
      return {
        reconciler: new ReplicaSetReconciler({ client: ctx.client, recorder: ctx.recorder, sets, pods, expectations }),
        sources: [{ informer: sets }, { informer: pods, map: (obj) => podKeys(obj as Pod) }],
      };
    },
  };
}
