/**
 * The garbage collector controller (kube-controller-manager's `garbage-collector-controller`):
 * one informer per resource that can own or be owned, each indexed by owner uid, and one
 * reconciler (./reconciler.ts). Only changes that matter to it queue work (reconciler.ts:
 * addedKeys, updatedKeys, deletedKeys): an owner deleted or being deleted reaches its
 * dependents, a dependent going away or dropping a reference reaches its owners, and a status
 * write reaches nothing. The first lists queue every object with owners, so owners deleted while
 * the collector was not running (a restart) are found too. Custom resources are watched as their
 * CustomResourceDefinitions come and go (./custom-resources.ts): the CRD informer is one more
 * source, whose events start and stop monitors instead of queueing keys of their own.
 * Owns: the definition and its sources. Must not: import registry or storage.
 */
import type { StoredObject } from '../../api/types.js';
import { byOwnerUid, type ControllerDefinition, type Source } from '../runtime/index.js';
import { CLUSTER_RESOURCES, CRDS, NAMESPACED_RESOURCES, type ServedResource } from '../resources.js';
import { CustomResourceMonitors } from './custom-resources.js';
import { addedKeys, deletedKeys, GarbageCollectorReconciler, OWNER_INDEX, updatedKeys, type Watched } from './reconciler.js';

export { GarbageCollectorReconciler } from './reconciler.js';
export { CustomResourceMonitors } from './custom-resources.js';

/** Resources the collector watches (upstream: every resource supporting list, watch and delete). */
const GC_RESOURCES: readonly string[] = [
  'pods', 'replicationcontrollers', 'services', 'endpoints', 'configmaps', 'secrets', 'serviceaccounts', 'persistentvolumeclaims',
  'podtemplates', 'controllerrevisions', 'daemonsets', 'deployments', 'replicasets', 'statefulsets', 'cronjobs', 'jobs', 'endpointslices',
  'leases', 'roles', 'rolebindings', 'namespaces', 'nodes', 'persistentvolumes', 'clusterroles', 'clusterrolebindings',
];

/** The resources the garbage collector watches. */
export function gcResources(): ServedResource[] {
  return [...NAMESPACED_RESOURCES, ...CLUSTER_RESOURCES].filter((r) => GC_RESOURCES.includes(r.resource));
}

/** The garbage collector, declared for the Manager. */
export function garbageCollector(options: { workers?: number } = {}): ControllerDefinition {
  return {
    name: 'garbage-collector-controller',
    workers: options.workers ?? 4,
    setup(ctx) {
      const watched: Watched[] = gcResources().map((resource) => ({
        resource,
        informer: ctx.informers.informer(resource, { indexers: { [OWNER_INDEX]: byOwnerUid } }),
      }));
      const reconciler = new GarbageCollectorReconciler(ctx.client, watched);
      const sources: Source[] = watched.map((w) => ({
        informer: w.informer,
        map: (obj: StoredObject) => addedKeys(w, obj),
        mapUpdate: (oldObj: StoredObject, obj: StoredObject) => updatedKeys(reconciler, w, oldObj, obj),
        mapDelete: (obj: StoredObject) => deletedKeys(reconciler, obj),
      }));
      const custom = new CustomResourceMonitors(ctx, reconciler);
      sources.push({
        informer: ctx.informers.informer(CRDS),
        map: (crd: StoredObject) => custom.sync(crd),
        mapUpdate: (_old: StoredObject, crd: StoredObject) => custom.sync(crd),
        mapDelete: (crd: StoredObject) => {
          custom.remove(crd);
          return [];
        },
      });
      return { reconciler, sources };
    },
  };
}
