/**
 * The built-in resources kubemu serves, as one data list. Adding a kind is adding its plural
 * to the line of its group-version (the generated table, schemas/resources.json, must know it).
 * Everything else about a resource (kind, scope, verbs, schema) comes from that table, its
 * names from src/registry/builtin-names.ts.
 * Owns: the served set. Must not: do I/O.
 */

/** apiVersion → plural names served there. Group-versions are listed in kube-apiserver's order elsewhere. */
export const SERVED_RESOURCES: Readonly<Record<string, readonly string[]>> = {
  v1: [
    'configmaps', 'endpoints', 'events', 'limitranges', 'namespaces', 'nodes', 'persistentvolumeclaims',
    'persistentvolumes', 'pods', 'podtemplates', 'replicationcontrollers', 'resourcequotas', 'secrets',
    'serviceaccounts', 'services',
  ],
  'apps/v1': ['controllerrevisions', 'daemonsets', 'deployments', 'replicasets', 'statefulsets'],
  'batch/v1': ['cronjobs', 'jobs'],
  'autoscaling/v1': ['horizontalpodautoscalers'],
  'autoscaling/v2': ['horizontalpodautoscalers'],
  'coordination.k8s.io/v1': ['leases'],
  'events.k8s.io/v1': ['events'],
  'networking.k8s.io/v1': ['ingressclasses', 'ingresses', 'networkpolicies'],
  'policy/v1': ['poddisruptionbudgets'],
  'rbac.authorization.k8s.io/v1': ['clusterrolebindings', 'clusterroles', 'rolebindings', 'roles'],
  'scheduling.k8s.io/v1': ['priorityclasses'],
  'storage.k8s.io/v1': ['storageclasses'],
  'discovery.k8s.io/v1': ['endpointslices'],
  'apiextensions.k8s.io/v1': ['customresourcedefinitions'],
};

/**
 * Subresources kubemu serves, wherever a served resource has them upstream: `status`, `scale`
 * (deployments, replicasets, statefulsets, replicationcontrollers), `token`
 * (serviceaccounts: TokenRequest), `finalize` (namespaces: PUT of spec.finalizers), and the pod
 * I/O of src/http/pod-io (`log`, `exec`, `attach`, `portforward`), and `binding` (pods: POST of a
 * Binding, src/registry/builtin/pod-binding.ts). The others (proxy, eviction,
 * ephemeralcontainers, approval) stay in the table for later.
 */
export const SERVED_SUBRESOURCES: readonly string[] = ['status', 'scale', 'token', 'finalize', 'log', 'exec', 'attach', 'portforward', 'binding'];
