/**
 * The bootstrap ClusterRoles of kube-apiserver (plugin/pkg/auth/authorizer/rbac/bootstrappolicy,
 * as its `testdata/cluster-roles.yaml` pins them around v1.30/v1.31), without the
 * `system:controller:*` roles. `admin`, `edit` and `view` are aggregated: their rules come from the
 * `system:aggregate-to-*` roles (and from each other) through the `aggregate-to-*` labels.
 * Owns: that data. Must not: hold logic.
 */
import { CORE, READ, READ_WRITE, WRITE, rule, urls, type RoleData } from './rule-builders.js';

const AGG = 'rbac.authorization.k8s.io/aggregate-to-';
const to = (role: string) => ({ [`${AGG}${role}`]: 'true' });
const APPS = 'apps';
const EXT = 'extensions';
const NET = 'networking.k8s.io';
const STORAGE = 'storage.k8s.io';
const AUTHN = 'authentication.k8s.io';
const AUTHZ = 'authorization.k8s.io';
const CERTS = 'certificates.k8s.io';
const COORD = 'coordination.k8s.io';
const EVENTS = 'events.k8s.io';
const EVENT_WRITE = ['create', 'patch', 'update'];

const approver = (signer: string): RoleData => ({
  name: `system:certificates.k8s.io:${signer.replace('kubernetes.io/', '')}-approver`,
  rules: [rule(['approve'], [CERTS], ['signers'], [signer])],
});

/** Every bootstrap ClusterRole, by name. */
export const CLUSTER_ROLES: readonly RoleData[] = [
  { name: 'admin', aggregateFrom: [to('admin')], rules: [] },
  {
    name: 'cluster-admin',
    rules: [rule(['*'], ['*'], ['*']), urls(['*'], ['*'])],
  },
  { name: 'edit', labels: to('admin'), aggregateFrom: [to('edit')], rules: [] },
  {
    name: 'system:aggregate-to-admin',
    labels: to('admin'),
    rules: [
      rule(['create'], [AUTHZ], ['localsubjectaccessreviews']),
      rule(READ_WRITE, ['rbac.authorization.k8s.io'], ['rolebindings', 'roles']),
    ],
  },
  {
    name: 'system:aggregate-to-edit',
    labels: to('edit'),
    rules: [
      rule(READ, [CORE], ['pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy', 'secrets', 'services/proxy']),
      rule(['impersonate'], [CORE], ['serviceaccounts']),
      rule(WRITE, [CORE], ['pods', 'pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy']),
      rule(['create'], [CORE], ['pods/eviction']),
      rule(WRITE, [CORE], [
        'configmaps', 'events', 'persistentvolumeclaims', 'replicationcontrollers', 'replicationcontrollers/scale', 'secrets',
        'serviceaccounts', 'services', 'services/proxy',
      ]),
      rule(['create'], [CORE], ['serviceaccounts/token']),
      rule(WRITE, [APPS], [
        'daemonsets', 'deployments', 'deployments/rollback', 'deployments/scale', 'replicasets', 'replicasets/scale', 'statefulsets',
        'statefulsets/scale',
      ]),
      rule(WRITE, ['autoscaling'], ['horizontalpodautoscalers']),
      rule(WRITE, ['batch'], ['cronjobs', 'jobs']),
      rule(WRITE, [EXT], [
        'daemonsets', 'deployments', 'deployments/rollback', 'deployments/scale', 'ingresses', 'networkpolicies', 'replicasets',
        'replicasets/scale', 'replicationcontrollers/scale',
      ]),
      rule(WRITE, ['policy'], ['poddisruptionbudgets']),
      rule(WRITE, [NET], ['ingresses', 'networkpolicies']),
      rule(READ_WRITE, [COORD], ['leases']),
    ],
  },
  {
    name: 'system:aggregate-to-view',
    labels: to('view'),
    rules: [
      rule(READ, [CORE], [
        'configmaps', 'endpoints', 'persistentvolumeclaims', 'persistentvolumeclaims/status', 'pods', 'replicationcontrollers',
        'replicationcontrollers/scale', 'serviceaccounts', 'services', 'services/status',
      ]),
      rule(READ, [CORE], [
        'bindings', 'events', 'limitranges', 'namespaces/status', 'pods/log', 'pods/status', 'replicationcontrollers/status',
        'resourcequotas', 'resourcequotas/status',
      ]),
      rule(READ, [CORE], ['namespaces']),
      rule(READ, ['discovery.k8s.io'], ['endpointslices']),
      rule(READ, [APPS], [
        'controllerrevisions', 'daemonsets', 'daemonsets/status', 'deployments', 'deployments/scale', 'deployments/status', 'replicasets',
        'replicasets/scale', 'replicasets/status', 'statefulsets', 'statefulsets/scale', 'statefulsets/status',
      ]),
      rule(READ, ['autoscaling'], ['horizontalpodautoscalers', 'horizontalpodautoscalers/status']),
      rule(READ, ['batch'], ['cronjobs', 'cronjobs/status', 'jobs', 'jobs/status']),
      rule(READ, [EXT], [
        'daemonsets', 'daemonsets/status', 'deployments', 'deployments/scale', 'deployments/status', 'ingresses', 'ingresses/status',
        'networkpolicies', 'replicasets', 'replicasets/scale', 'replicasets/status', 'replicationcontrollers/scale',
      ]),
      rule(READ, ['policy'], ['poddisruptionbudgets', 'poddisruptionbudgets/status']),
      rule(READ, [NET], ['ingresses', 'ingresses/status', 'networkpolicies']),
    ],
  },
  {
    name: 'system:auth-delegator',
    rules: [rule(['create'], [AUTHN], ['tokenreviews']), rule(['create'], [AUTHZ], ['subjectaccessreviews'])],
  },
  {
    name: 'system:basic-user',
    rules: [
      rule(['create'], [AUTHZ], ['selfsubjectaccessreviews', 'selfsubjectrulesreviews']),
      rule(['create'], [AUTHN], ['selfsubjectreviews']),
    ],
  },
  {
    name: 'system:certificates.k8s.io:certificatesigningrequests:nodeclient',
    rules: [rule(['create'], [CERTS], ['certificatesigningrequests/nodeclient'])],
  },
  {
    name: 'system:certificates.k8s.io:certificatesigningrequests:selfnodeclient',
    rules: [rule(['create'], [CERTS], ['certificatesigningrequests/selfnodeclient'])],
  },
  approver('kubernetes.io/kube-apiserver-client'),
  approver('kubernetes.io/kube-apiserver-client-kubelet'),
  approver('kubernetes.io/kubelet-serving'),
  approver('kubernetes.io/legacy-unknown'),
  {
    name: 'system:discovery',
    rules: [urls(['get'], ['/api', '/api/*', '/apis', '/apis/*', '/healthz', '/livez', '/openapi', '/openapi/*', '/readyz', '/version', '/version/'])],
  },
  {
    name: 'system:heapster',
    rules: [rule(READ, [CORE], ['events', 'namespaces', 'nodes', 'pods']), rule(READ, [EXT], ['deployments'])],
  },
  {
    name: 'system:kube-aggregator',
    rules: [rule(READ, [CORE], ['endpoints', 'services'])],
  },
  {
    name: 'system:kube-controller-manager',
    rules: [
      rule(EVENT_WRITE, [CORE, EVENTS], ['events']),
      rule(['create'], [COORD], ['leases']),
      rule(['get', 'update'], [COORD], ['leases'], ['kube-controller-manager']),
      rule(['create'], [CORE], ['secrets', 'serviceaccounts']),
      rule(['delete'], [CORE], ['secrets']),
      rule(['get'], [CORE], ['configmaps', 'namespaces', 'secrets', 'serviceaccounts']),
      rule(['update'], [CORE], ['secrets', 'serviceaccounts']),
      rule(['create'], [AUTHN], ['tokenreviews']),
      rule(['create'], [AUTHZ], ['subjectaccessreviews']),
      rule(['list', 'watch'], ['*'], ['*']),
      rule(['create'], [CORE], ['serviceaccounts/token']),
    ],
  },
  {
    name: 'system:kube-dns',
    rules: [rule(['list', 'watch'], [CORE], ['endpoints', 'services'])],
  },
  {
    name: 'system:kube-scheduler',
    rules: [
      rule(EVENT_WRITE, [CORE, EVENTS], ['events']),
      rule(['create'], [COORD], ['leases']),
      rule(['get', 'update'], [COORD], ['leases'], ['kube-scheduler']),
      rule(READ, [CORE], ['nodes']),
      rule(['delete', 'get', 'list', 'watch'], [CORE], ['pods']),
      rule(['create'], [CORE], ['bindings', 'pods/binding']),
      rule(['patch', 'update'], [CORE], ['pods/status']),
      rule(READ, [CORE], ['replicationcontrollers', 'services']),
      rule(READ, [APPS, EXT], ['replicasets']),
      rule(READ, [APPS], ['statefulsets']),
      rule(READ, ['policy'], ['poddisruptionbudgets']),
      rule(READ, [CORE], ['persistentvolumeclaims', 'persistentvolumes']),
      rule(['create'], [AUTHN], ['tokenreviews']),
      rule(['create'], [AUTHZ], ['subjectaccessreviews']),
      rule(READ, [STORAGE], ['csinodes']),
      rule(READ, [CORE], ['namespaces']),
      rule(READ, [STORAGE], ['csidrivers']),
      rule(READ, [STORAGE], ['csistoragecapacities']),
    ],
  },
  {
    name: 'system:kubelet-api-admin',
    rules: [
      rule(READ, [CORE], ['nodes']),
      rule(['proxy'], [CORE], ['nodes']),
      rule(['*'], [CORE], ['nodes/log', 'nodes/metrics', 'nodes/proxy', 'nodes/stats']),
    ],
  },
  {
    name: 'system:monitoring',
    rules: [urls(['get'], ['/healthz', '/healthz/*', '/livez', '/livez/*', '/metrics', '/metrics/slis', '/readyz', '/readyz/*'])],
  },
  {
    name: 'system:node',
    rules: [
      rule(['create'], [AUTHN], ['tokenreviews']),
      rule(['create'], [AUTHZ], ['localsubjectaccessreviews', 'subjectaccessreviews']),
      rule(READ, [CORE], ['services']),
      rule(['create', 'get', 'list', 'watch'], [CORE], ['nodes']),
      rule(['patch', 'update'], [CORE], ['nodes/status']),
      rule(['patch', 'update'], [CORE], ['nodes']),
      rule(EVENT_WRITE, [CORE], ['events']),
      rule(READ, [CORE], ['pods']),
      rule(['create', 'delete'], [CORE], ['pods']),
      rule(['patch', 'update'], [CORE], ['pods/status']),
      rule(['create'], [CORE], ['pods/eviction']),
      rule(READ, [CORE], ['configmaps', 'secrets']),
      rule(['get'], [CORE], ['persistentvolumeclaims', 'persistentvolumes']),
      rule(['get'], [CORE], ['endpoints']),
      rule(['create', 'get', 'list', 'watch'], [CERTS], ['certificatesigningrequests']),
      rule(['create', 'delete', 'get', 'patch', 'update'], [COORD], ['leases']),
      rule(['get'], [STORAGE], ['volumeattachments']),
      rule(['create'], [CORE], ['serviceaccounts/token']),
      rule(['get', 'patch', 'update'], [CORE], ['persistentvolumeclaims/status']),
      rule(READ, [STORAGE], ['csidrivers']),
      rule(['create', 'delete', 'get', 'patch', 'update'], [STORAGE], ['csinodes']),
      rule(READ, ['node.k8s.io'], ['runtimeclasses']),
    ],
  },
  {
    name: 'system:node-bootstrapper',
    rules: [rule(['create', 'get', 'list', 'watch'], [CERTS], ['certificatesigningrequests'])],
  },
  {
    name: 'system:node-problem-detector',
    rules: [rule(['get'], [CORE], ['nodes']), rule(['patch'], [CORE], ['nodes/status']), rule(EVENT_WRITE, [CORE, EVENTS], ['events'])],
  },
  {
    name: 'system:node-proxier',
    rules: [
      rule(['list', 'watch'], [CORE], ['endpoints', 'services']),
      rule(READ, [CORE], ['nodes']),
      rule(EVENT_WRITE, [CORE, EVENTS], ['events']),
      rule(['list', 'watch'], ['discovery.k8s.io'], ['endpointslices']),
    ],
  },
  {
    name: 'system:persistent-volume-provisioner',
    rules: [
      rule(['create', 'delete', 'get', 'list', 'watch'], [CORE], ['persistentvolumes']),
      rule(['get', 'list', 'update', 'watch'], [CORE], ['persistentvolumeclaims']),
      rule(READ, [STORAGE], ['storageclasses']),
      rule(['watch'], [CORE], ['events']),
      rule(EVENT_WRITE, [CORE, EVENTS], ['events']),
    ],
  },
  {
    name: 'system:public-info-viewer',
    rules: [urls(['get'], ['/healthz', '/livez', '/readyz', '/version', '/version/'])],
  },
  {
    name: 'system:service-account-issuer-discovery',
    rules: [urls(['get'], ['/.well-known/openid-configuration', '/openid/v1/jwks'])],
  },
  {
    name: 'system:volume-scheduler',
    rules: [
      rule(['get', 'list', 'patch', 'update', 'watch'], [CORE], ['persistentvolumes']),
      rule(READ, [STORAGE], ['storageclasses']),
      rule(['get', 'list', 'patch', 'update', 'watch'], [CORE], ['persistentvolumeclaims']),
    ],
  },
  { name: 'view', labels: { ...to('edit') }, aggregateFrom: [to('view')], rules: [] },
];
