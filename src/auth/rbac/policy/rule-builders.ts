/**
 * Shorthands for writing bootstrap policy as data, in the spirit of kube's rbacv1helpers
 * (`NewRule(verbs...).Groups(...).Resources(...).Names(...)`), and the record shapes of that data.
 * Owns: the data format of the bootstrap policy. Must not: hold policy.
 */
import type { PolicyRule, Subject } from '../types.js';

/** The core API group. */
export const CORE = '';
/** Read verbs. */
export const READ = ['get', 'list', 'watch'] as const;
/** Write verbs (without get/list/watch). */
export const WRITE = ['create', 'delete', 'deletecollection', 'patch', 'update'] as const;
/** Every verb of a resource. */
export const READ_WRITE = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'] as const;

/** A resource rule: `verbs` on `resources` of `groups`, optionally only the named objects. */
export function rule(verbs: readonly string[], groups: readonly string[], resources: readonly string[], names?: readonly string[]): PolicyRule {
  const out: PolicyRule = { verbs: [...verbs], apiGroups: [...groups], resources: [...resources] };
  if (names) out.resourceNames = [...names];
  return out;
}

/** A non-resource rule: `verbs` on `urls`. */
export function urls(verbs: readonly string[], paths: readonly string[]): PolicyRule {
  return { verbs: [...verbs], nonResourceURLs: [...paths] };
}

/** A ClusterRole or Role of the bootstrap policy. */
export interface RoleData {
  name: string;
  /** Namespace of a Role; absent for ClusterRoles. */
  namespace?: string;
  /** Labels besides `kubernetes.io/bootstrapping`. */
  labels?: Readonly<Record<string, string>>;
  /** Label selectors (`matchLabels`) of an aggregated ClusterRole; its rules are then filled by aggregation. */
  aggregateFrom?: ReadonlyArray<Readonly<Record<string, string>>>;
  rules: readonly PolicyRule[];
}

/** A ClusterRoleBinding or RoleBinding of the bootstrap policy; the role is a ClusterRole unless `role` says Role. */
export interface BindingData {
  name: string;
  namespace?: string;
  role: { kind: 'ClusterRole' | 'Role'; name: string };
  subjects: readonly Subject[];
}

const RBAC_GROUP = 'rbac.authorization.k8s.io';

/** Group subjects. */
export function groups(...names: string[]): Subject[] {
  return names.map((name) => ({ apiGroup: RBAC_GROUP, kind: 'Group', name }));
}

/** User subjects. */
export function users(...names: string[]): Subject[] {
  return names.map((name) => ({ apiGroup: RBAC_GROUP, kind: 'User', name }));
}

/** A ServiceAccount subject. */
export function serviceAccount(namespace: string, name: string): Subject {
  return { kind: 'ServiceAccount', name, namespace };
}

/** A binding of the ClusterRole of the same name. */
export function clusterBinding(name: string, subjects: readonly Subject[]): BindingData {
  return { name, role: { kind: 'ClusterRole', name }, subjects };
}
