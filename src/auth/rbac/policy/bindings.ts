/**
 * The bootstrap ClusterRoleBindings, and the Roles and RoleBindings kube-apiserver creates in
 * kube-system and kube-public (bootstrappolicy `testdata/cluster-role-bindings.yaml`,
 * `namespace-roles.yaml`, `namespace-role-bindings.yaml`).
 * Owns: that data. Must not: hold logic.
 */
import { CORE, READ, clusterBinding, groups, rule, serviceAccount, users, type BindingData, type RoleData } from './rule-builders.js';

const LEADER_LOCKING = ['create', 'get', 'list', 'update', 'watch'];
const EVENT_WRITE = ['create', 'patch', 'update'];
const COORD = 'coordination.k8s.io';

/** Every bootstrap ClusterRoleBinding, by name; each binds the ClusterRole of its name. */
export const CLUSTER_ROLE_BINDINGS: readonly BindingData[] = [
  clusterBinding('cluster-admin', groups('system:masters')),
  clusterBinding('system:basic-user', groups('system:authenticated')),
  clusterBinding('system:discovery', groups('system:authenticated')),
  clusterBinding('system:kube-controller-manager', users('system:kube-controller-manager')),
  clusterBinding('system:kube-dns', [serviceAccount('kube-system', 'kube-dns')]),
  clusterBinding('system:kube-scheduler', users('system:kube-scheduler')),
  clusterBinding('system:monitoring', groups('system:monitoring')),
  // Kept without subjects upstream since the Node authorizer took over (v1.8).
  clusterBinding('system:node', []),
  clusterBinding('system:node-proxier', users('system:kube-proxy')),
  clusterBinding('system:public-info-viewer', groups('system:authenticated', 'system:unauthenticated')),
  clusterBinding('system:service-account-issuer-discovery', groups('system:serviceaccounts')),
  clusterBinding('system:volume-scheduler', users('system:kube-scheduler')),
];

/** The bootstrap Roles, by namespace then name. */
export const NAMESPACE_ROLES: readonly RoleData[] = [
  {
    name: 'system:controller:bootstrap-signer',
    namespace: 'kube-public',
    rules: [
      rule(READ, [CORE], ['configmaps']),
      rule(['update'], [CORE], ['configmaps'], ['cluster-info']),
      rule(EVENT_WRITE, [CORE, 'events.k8s.io'], ['events']),
    ],
  },
  {
    name: 'extension-apiserver-authentication-reader',
    namespace: 'kube-system',
    rules: [rule(READ, [CORE], ['configmaps'], ['extension-apiserver-authentication'])],
  },
  {
    name: 'system::leader-locking-kube-controller-manager',
    namespace: 'kube-system',
    rules: [rule(LEADER_LOCKING, [COORD], ['leases']), rule(LEADER_LOCKING, [COORD], ['leasecandidates'])],
  },
  {
    name: 'system::leader-locking-kube-scheduler',
    namespace: 'kube-system',
    rules: [rule(LEADER_LOCKING, [COORD], ['leases']), rule(LEADER_LOCKING, [COORD], ['leasecandidates'])],
  },
  {
    name: 'system:controller:bootstrap-signer',
    namespace: 'kube-system',
    rules: [rule(READ, [CORE], ['secrets'])],
  },
  {
    name: 'system:controller:cloud-provider',
    namespace: 'kube-system',
    rules: [rule(['create', 'get', 'list', 'watch'], [CORE], ['configmaps'])],
  },
  {
    name: 'system:controller:token-cleaner',
    namespace: 'kube-system',
    rules: [rule(['delete', 'get', 'list', 'watch'], [CORE], ['secrets']), rule(EVENT_WRITE, [CORE, 'events.k8s.io'], ['events'])],
  },
];

const role = (name: string) => ({ kind: 'Role' as const, name });

/** The bootstrap RoleBindings, by namespace then name. */
export const NAMESPACE_ROLE_BINDINGS: readonly BindingData[] = [
  {
    name: 'system:controller:bootstrap-signer',
    namespace: 'kube-public',
    role: role('system:controller:bootstrap-signer'),
    subjects: [serviceAccount('kube-system', 'bootstrap-signer')],
  },
  {
    name: 'system::extension-apiserver-authentication-reader',
    namespace: 'kube-system',
    role: role('extension-apiserver-authentication-reader'),
    subjects: users('system:kube-controller-manager', 'system:kube-scheduler'),
  },
  {
    name: 'system::leader-locking-kube-controller-manager',
    namespace: 'kube-system',
    role: role('system::leader-locking-kube-controller-manager'),
    subjects: [
      ...users('system:kube-controller-manager'),
      serviceAccount('kube-system', 'kube-controller-manager'),
      serviceAccount('kube-system', 'leader-election-controller'),
    ],
  },
  {
    name: 'system::leader-locking-kube-scheduler',
    namespace: 'kube-system',
    role: role('system::leader-locking-kube-scheduler'),
    subjects: [...users('system:kube-scheduler'), serviceAccount('kube-system', 'kube-scheduler')],
  },
  {
    name: 'system:controller:bootstrap-signer',
    namespace: 'kube-system',
    role: role('system:controller:bootstrap-signer'),
    subjects: [serviceAccount('kube-system', 'bootstrap-signer')],
  },
  {
    name: 'system:controller:cloud-provider',
    namespace: 'kube-system',
    role: role('system:controller:cloud-provider'),
    subjects: [serviceAccount('kube-system', 'cloud-provider')],
  },
  {
    name: 'system:controller:token-cleaner',
    namespace: 'kube-system',
    role: role('system:controller:token-cleaner'),
    subjects: [serviceAccount('kube-system', 'token-cleaner')],
  },
];
