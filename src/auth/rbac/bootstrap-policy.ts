/**
 * The bootstrap RBAC policy as objects (kube-apiserver's `bootstrappolicy`), built from the data
 * in ./policy/ with the `kubernetes.io/bootstrapping: rbac-defaults` label and the
 * `rbac.authorization.kubernetes.io/autoupdate: "true"` annotation, and created at start when
 * missing (existing objects are left as they are, so a user's edits survive restarts).
 * Owns: data → objects, and ensuring them. Must not: decide requests.
 */
import { StatusError } from '../../api/errors.js';
import type { KubeObject } from '../../api/types.js';
import type { Registry } from '../../registry/registry.js';
import { objectKey } from '../../registry/keys.js';
import { CLUSTER_ROLE_BINDINGS, NAMESPACE_ROLE_BINDINGS, NAMESPACE_ROLES } from './policy/bindings.js';
import { CLUSTER_ROLES } from './policy/cluster-roles.js';
import type { BindingData, RoleData } from './policy/rule-builders.js';
import type { PolicyRule } from './types.js';

const RBAC_GROUP = 'rbac.authorization.k8s.io';
const API_VERSION = `${RBAC_GROUP}/v1`;
const LABELS = { 'kubernetes.io/bootstrapping': 'rbac-defaults' };
const ANNOTATIONS = { 'rbac.authorization.kubernetes.io/autoupdate': 'true' };

/** The bootstrap policy, one list per resource, each in name order (namespaced ones by namespace first). */
export interface BootstrapPolicy {
  clusterroles: KubeObject[];
  clusterrolebindings: KubeObject[];
  roles: KubeObject[];
  rolebindings: KubeObject[];
}

function metadata(name: string, namespace: string | undefined, labels: Readonly<Record<string, string>> = {}): KubeObject['metadata'] {
  const meta: NonNullable<KubeObject['metadata']> = { annotations: { ...ANNOTATIONS }, labels: { ...LABELS, ...labels }, name };
  if (namespace) meta.namespace = namespace;
  return meta;
}

function ruleObject(rule: PolicyRule): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (rule.apiGroups) out.apiGroups = [...rule.apiGroups];
  if (rule.nonResourceURLs) out.nonResourceURLs = [...rule.nonResourceURLs];
  if (rule.resourceNames) out.resourceNames = [...rule.resourceNames];
  if (rule.resources) out.resources = [...rule.resources];
  out.verbs = [...rule.verbs];
  return out;
}

function roleObject(kind: 'ClusterRole' | 'Role', data: RoleData): KubeObject {
  const obj: KubeObject = {};
  if (data.aggregateFrom) obj.aggregationRule = { clusterRoleSelectors: data.aggregateFrom.map((matchLabels) => ({ matchLabels: { ...matchLabels } })) };
  Object.assign(obj, { apiVersion: API_VERSION, kind, metadata: metadata(data.name, data.namespace, data.labels) });
  if (!data.aggregateFrom) obj.rules = data.rules.map(ruleObject);
  return obj;
}

function bindingObject(kind: 'ClusterRoleBinding' | 'RoleBinding', data: BindingData): KubeObject {
  const obj: KubeObject = {
    apiVersion: API_VERSION,
    kind,
    metadata: metadata(data.name, data.namespace),
    roleRef: { apiGroup: RBAC_GROUP, kind: data.role.kind, name: data.role.name },
  };
  if (data.subjects.length) obj.subjects = data.subjects.map((s) => ({ ...s }));
  return obj;
}

/** The bootstrap policy as fresh objects (the caller may keep or change them). */
export function bootstrapPolicy(): BootstrapPolicy {
  return {
    clusterroles: CLUSTER_ROLES.map((r) => roleObject('ClusterRole', r)),
    clusterrolebindings: CLUSTER_ROLE_BINDINGS.map((b) => bindingObject('ClusterRoleBinding', b)),
    roles: NAMESPACE_ROLES.map((r) => roleObject('Role', r)),
    rolebindings: NAMESPACE_ROLE_BINDINGS.map((b) => bindingObject('RoleBinding', b)),
  };
}

/**
 * Creates every bootstrap policy object that does not exist yet (after the system namespaces).
 * Objects already in the watch cache are skipped without a write, so a restart does no work.
 */
export async function ensureBootstrapPolicy(registry: Registry): Promise<void> {
  const policy = bootstrapPolicy();
  const writes: Promise<unknown>[] = [];
  for (const plural of ['clusterroles', 'roles', 'clusterrolebindings', 'rolebindings'] as const) {
    const store = registry.storeFor(RBAC_GROUP, plural);
    for (const obj of policy[plural]) {
      const { name, namespace } = obj.metadata as { name: string; namespace?: string };
      if (store.cache.get(objectKey(store.info, namespace, name))) continue;
      writes.push(
        store.create(namespace, obj).catch((err: unknown) => {
          if (!(err instanceof StatusError && err.reason === 'AlreadyExists')) throw err;
        }),
      );
    }
  }
  await Promise.all(writes);
}
