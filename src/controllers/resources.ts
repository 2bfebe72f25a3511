/**
 * The resources the garbage collector and the namespace controller walk: kubemu's built-in
 * served resources (kind and scope included, since owner references name kinds) plus the
 * resources CustomResourceDefinitions serve (customResourceOf; the namespace controller lists
 * the CRDs, the garbage collector watches them) — read through the Client, so it works
 * in-process and against a remote server alike.
 * Owns: that table and CRD-driven discovery. Must not: import registry or openapi.
 */
import type { KubeObject } from '../api/types.js';
import type { Client, Resource } from '../client/types.js';

/** A served resource with what owner references and namespace deletion need. */
export interface ServedResource extends Resource {
  kind: string;
  namespaced: boolean;
}

const row = (apiVersion: string, namespaced: boolean, entries: [resource: string, kind: string][]): ServedResource[] => {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') as [string, string] : ['', apiVersion];
  return entries.map(([resource, kind]) => ({ group, version, resource, kind, namespaced }));
};

/** Built-in namespaced resources (one version each; events.k8s.io events are the core events). */
export const NAMESPACED_RESOURCES: readonly ServedResource[] = [
  ...row('v1', true, [
    ['pods', 'Pod'], ['configmaps', 'ConfigMap'], ['endpoints', 'Endpoints'], ['events', 'Event'], ['limitranges', 'LimitRange'],
    ['persistentvolumeclaims', 'PersistentVolumeClaim'], ['podtemplates', 'PodTemplate'], ['replicationcontrollers', 'ReplicationController'],
    ['resourcequotas', 'ResourceQuota'], ['secrets', 'Secret'], ['serviceaccounts', 'ServiceAccount'], ['services', 'Service'],
  ]),
  ...row('apps/v1', true, [
    ['controllerrevisions', 'ControllerRevision'], ['daemonsets', 'DaemonSet'], ['deployments', 'Deployment'],
    ['replicasets', 'ReplicaSet'], ['statefulsets', 'StatefulSet'],
  ]),
  ...row('batch/v1', true, [['cronjobs', 'CronJob'], ['jobs', 'Job']]),
  ...row('autoscaling/v2', true, [['horizontalpodautoscalers', 'HorizontalPodAutoscaler']]),
  ...row('coordination.k8s.io/v1', true, [['leases', 'Lease']]),
  ...row('networking.k8s.io/v1', true, [['ingresses', 'Ingress'], ['networkpolicies', 'NetworkPolicy']]),
  ...row('policy/v1', true, [['poddisruptionbudgets', 'PodDisruptionBudget']]),
  ...row('rbac.authorization.k8s.io/v1', true, [['rolebindings', 'RoleBinding'], ['roles', 'Role']]),
  ...row('discovery.k8s.io/v1', true, [['endpointslices', 'EndpointSlice']]),
];

/** Built-in cluster-scoped resources that can own objects. */
export const CLUSTER_RESOURCES: readonly ServedResource[] = [
  ...row('v1', false, [['namespaces', 'Namespace'], ['nodes', 'Node'], ['persistentvolumes', 'PersistentVolume']]),
  ...row('rbac.authorization.k8s.io/v1', false, [['clusterroles', 'ClusterRole'], ['clusterrolebindings', 'ClusterRoleBinding']]),
  ...row('apiextensions.k8s.io/v1', false, [['customresourcedefinitions', 'CustomResourceDefinition']]),
];

/** CustomResourceDefinitions, as the Client addresses them. */
export const CRDS: Resource = { group: 'apiextensions.k8s.io', version: 'v1', resource: 'customresourcedefinitions' };

/** `group/resource` (core: `resource`), upstream's GroupResource string (`deployments.apps`). */
export function groupResource(resource: Resource): string {
  return resource.group ? `${resource.resource}.${resource.group}` : resource.resource;
}

/** The group of an `apiVersion` (`apps/v1` → `apps`, `v1` → ``). */
export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/**
 * The namespaced resources to empty a namespace of: the built-ins and the storage version of
 * every established namespaced CRD. Rejects when the CRDs cannot be listed (discovery failure).
 */
export async function discoverNamespaced(client: Client): Promise<ServedResource[]> {
  const { items } = await client.list(CRDS);
  const custom = items.flatMap((crd: KubeObject) => {
    const resource = customResourceOf(crd);
    return resource?.namespaced ? [resource] : [];
  });
  return [...NAMESPACED_RESOURCES, ...custom];
}

/** The parts of a CustomResourceDefinition that say what it serves. */
interface CrdShape {
  spec?: {
    group?: string;
    scope?: string;
    names?: { plural?: string; kind?: string };
    versions?: { name: string; served?: boolean; storage?: boolean }[];
  };
  status?: { conditions?: { type: string; status: string }[] };
}

/**
 * The resource a CustomResourceDefinition serves, at its storage version when that is served
 * (else its first served version); undefined when it serves none or is malformed.
 */
export function customResourceOf(crd: KubeObject): ServedResource | undefined {
  const { spec } = crd as CrdShape;
  if (!spec?.group || !spec.names?.plural) return undefined;
  const version = spec.versions?.find((v) => v.storage && v.served) ?? spec.versions?.find((v) => v.served);
  if (!version) return undefined;
  return { group: spec.group, version: version.name, resource: spec.names.plural, kind: spec.names.kind ?? '', namespaced: spec.scope === 'Namespaced' };
}

/** True when the CRD's `Established` condition is True (its resources are served). */
export function isEstablished(crd: KubeObject): boolean {
  return ((crd as CrdShape).status?.conditions ?? []).some((c) => c.type === 'Established' && c.status === 'True');
}
