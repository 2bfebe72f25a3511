/**
 * Conformance scenarios: `kubectl api-resources` lists every built-in kind kubemu serves, with its
 * upstream short names, preferred version and scope (a real 1.29–1.31 cluster prints the same rows,
 * among others). Must not: depend on kubemu specifics.
 */
import { expectEqual, expectSuccess, scenario } from '../harness.js';

/** One expected row: name, short names (comma-joined, "" for none), apiVersion, namespaced, kind. */
type Row = [name: string, shortNames: string, apiVersion: string, namespaced: boolean, kind: string];

const EXPECTED: Row[] = [
  ['namespaces', 'ns', 'v1', false, 'Namespace'],
  ['pods', 'po', 'v1', true, 'Pod'],
  ['services', 'svc', 'v1', true, 'Service'],
  ['endpoints', 'ep', 'v1', true, 'Endpoints'],
  ['configmaps', 'cm', 'v1', true, 'ConfigMap'],
  ['secrets', '', 'v1', true, 'Secret'],
  ['serviceaccounts', 'sa', 'v1', true, 'ServiceAccount'],
  ['events', 'ev', 'v1', true, 'Event'],
  ['nodes', 'no', 'v1', false, 'Node'],
  ['persistentvolumeclaims', 'pvc', 'v1', true, 'PersistentVolumeClaim'],
  ['persistentvolumes', 'pv', 'v1', false, 'PersistentVolume'],
  ['resourcequotas', 'quota', 'v1', true, 'ResourceQuota'],
  ['limitranges', 'limits', 'v1', true, 'LimitRange'],
  ['podtemplates', '', 'v1', true, 'PodTemplate'],
  ['replicationcontrollers', 'rc', 'v1', true, 'ReplicationController'],
  ['deployments', 'deploy', 'apps/v1', true, 'Deployment'],
  ['replicasets', 'rs', 'apps/v1', true, 'ReplicaSet'],
  ['statefulsets', 'sts', 'apps/v1', true, 'StatefulSet'],
  ['daemonsets', 'ds', 'apps/v1', true, 'DaemonSet'],
  ['controllerrevisions', '', 'apps/v1', true, 'ControllerRevision'],
  ['jobs', '', 'batch/v1', true, 'Job'],
  ['cronjobs', 'cj', 'batch/v1', true, 'CronJob'],
  ['horizontalpodautoscalers', 'hpa', 'autoscaling/v2', true, 'HorizontalPodAutoscaler'],
  ['leases', '', 'coordination.k8s.io/v1', true, 'Lease'],
  ['events', 'ev', 'events.k8s.io/v1', true, 'Event'],
  ['ingresses', 'ing', 'networking.k8s.io/v1', true, 'Ingress'],
  ['ingressclasses', '', 'networking.k8s.io/v1', false, 'IngressClass'],
  ['networkpolicies', 'netpol', 'networking.k8s.io/v1', true, 'NetworkPolicy'],
  ['poddisruptionbudgets', 'pdb', 'policy/v1', true, 'PodDisruptionBudget'],
  ['roles', '', 'rbac.authorization.k8s.io/v1', true, 'Role'],
  ['rolebindings', '', 'rbac.authorization.k8s.io/v1', true, 'RoleBinding'],
  ['clusterroles', '', 'rbac.authorization.k8s.io/v1', false, 'ClusterRole'],
  ['clusterrolebindings', '', 'rbac.authorization.k8s.io/v1', false, 'ClusterRoleBinding'],
  ['priorityclasses', 'pc', 'scheduling.k8s.io/v1', false, 'PriorityClass'],
  ['storageclasses', 'sc', 'storage.k8s.io/v1', false, 'StorageClass'],
  ['endpointslices', '', 'discovery.k8s.io/v1', true, 'EndpointSlice'],
  ['customresourcedefinitions', 'crd,crds', 'apiextensions.k8s.io/v1', false, 'CustomResourceDefinition'],
];

const COLUMNS = ['NAME', 'SHORTNAMES', 'APIVERSION', 'NAMESPACED', 'KIND'];

/** Splits kubectl's tab-aligned table into rows of cells, cutting at the header's column starts. */
function parseTable(out: string): string[][] {
  const [header = '', ...lines] = out.trimEnd().split('\n');
  const starts = COLUMNS.map((column) => new RegExp(`(^|\\s)${column}(\\s|$)`).exec(header)?.index ?? -1).map((i) => (i <= 0 ? i : i + 1));
  expectEqual(starts.every((s, n) => s >= 0 && (n === 0 || s > starts[n - 1]!)), true, `api-resources header ${JSON.stringify(header)}`);
  return lines.map((line) => starts.map((start, n) => line.slice(start, starts[n + 1]).trim()));
}

/** Every expected kind appears with its short names, version, scope and kind. */
export const apiResources = scenario({
  name: 'discovery/api-resources',
  async run(ctx) {
    const result = await ctx.kubectl(['api-resources']);
    const rows = parseTable(expectSuccess(result, 'kubectl api-resources'));
    expectEqual(result.stderr, '', 'api-resources stderr (discovery errors are printed there)');
    const found = (name: string, apiVersion: string) => rows.find((r) => r[0] === name && r[2] === apiVersion);
    for (const [name, shortNames, apiVersion, namespaced, kind] of EXPECTED) {
      const row = found(name, apiVersion);
      expectEqual(row, [name, shortNames, apiVersion, String(namespaced), kind], `api-resources row of ${name} (${apiVersion})`);
    }
  },
});

