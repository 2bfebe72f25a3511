/**
 * The garbage collector controller (kube-controller-manager's `garbage-collector-controller`):
 * one informer per resource that can own or be owned, each indexed by owner uid, and one
 * reconciler (./reconciler.ts). Every change of an object queues itself, its owners and its
 * dependents, so deleting an owner reaches its dependents and a dependent going away reaches a
 * foreground owner. The first lists queue every object, so owners deleted while the collector
 * was not running (a restart) are found too.
 * Owns: the definition and its sources. Must not: import registry or storage.
 */
import { byOwnerUid, type ControllerDefinition } from '../runtime/index.js';
import { CLUSTER_RESOURCES, NAMESPACED_RESOURCES, type ServedResource } from '../resources.js';
import { GarbageCollectorReconciler, OWNER_INDEX, relatedKeys, type Watched } from './reconciler.js';

export { GarbageCollectorReconciler } from './reconciler.js';

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
      const sources = watched.map((w) => ({ informer: w.informer, map: relatedKeys.bind(undefined, reconciler, w) }));
      return { reconciler, sources };
    },
  };
}
