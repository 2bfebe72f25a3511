/**
 * The Deployment controller of kube-controller-manager, declared for the Manager: it watches
 * Deployments, ReplicaSets (mapped to their controlling Deployment; an orphan to every
 * Deployment of its namespace whose selector matches, for adoption) and pods (mapped through
 * their ReplicaSet to a Recreate Deployment, so it sees old pods go). The pass itself is
 * deployment/reconciler.ts.
 * Owns: wiring. Must not: hold the reconcile logic.
 */
import { labelSelectorFromObject } from '../api/selectors.js';
import type { StoredObject } from '../api/types.js';
import { RESOURCES } from '../client/types.js';
import { byControllerUid, byNamespace, keyOf, ownerKeys, type ControllerDefinition } from './runtime/index.js';
import type { Deployment } from './deployment/objects.js';
import { DeploymentReconciler, NAMESPACE_INDEX } from './deployment/reconciler.js';
import { controllerOf } from './replicaset/objects.js';
import { CONTROLLER_INDEX } from './replicaset/reconciler.js';

/** The controller's name: field manager and event source (upstream's). */
export const DEPLOYMENT_CONTROLLER = 'deployment-controller';

/** The Deployment controller's definition. */
export function deploymentController(): ControllerDefinition {
  return {
    name: DEPLOYMENT_CONTROLLER,
    workers: 4,
    setup(ctx) {
      const deployments = ctx.informers.informer(RESOURCES.deployments, { indexers: { [NAMESPACE_INDEX]: byNamespace } });
      const sets = ctx.informers.informer(RESOURCES.replicasets, { indexers: { [NAMESPACE_INDEX]: byNamespace } });
      const pods = ctx.informers.informer(RESOURCES.pods, { indexers: { [CONTROLLER_INDEX]: byControllerUid } });
      const toDeployment = ownerKeys('Deployment', 'apps');
      const setKeys = (rs: StoredObject): readonly string[] => {
        if (controllerOf(rs)) return toDeployment(rs);
        return (deployments.byIndex(NAMESPACE_INDEX, rs.metadata.namespace ?? '') as Deployment[])
          .filter((d) => {
            try {
              const selector = labelSelectorFromObject(d.spec.selector);
              return !selector.empty && selector.matches(rs.metadata.labels);
            } catch {
              return false;
            }
          })
          .map(keyOf);
      };
      const podKeys = (pod: StoredObject): readonly string[] => {
        const ref = controllerOf(pod);
        if (!ref || ref.kind !== 'ReplicaSet') return [];
        const rs = sets.get(keyOf({ metadata: { namespace: pod.metadata.namespace ?? '', name: ref.name } }));
        if (!rs || rs.metadata.uid !== ref.uid) return [];
        // Only Recreate waits for pods (to be gone); the rest reaches it through ReplicaSet status.
        return toDeployment(rs).filter((key) => (deployments.get(key) as Deployment | undefined)?.spec.strategy?.type === 'Recreate');
      };
      return {
        reconciler: new DeploymentReconciler({ client: ctx.client, recorder: ctx.recorder, deployments, sets, pods }),
        sources: [{ informer: deployments }, { informer: sets, map: setKeys }, { informer: pods, map: podKeys }],
      };
    },
  };
}
