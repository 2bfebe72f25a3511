/**
 * RBAC escalation prevention, as the `policybased` storages of kube's `pkg/registry/rbac`: a
 * user may create or update a Role/ClusterRole only with `escalate` on it or while already
 * holding every permission it grants (an aggregationRule needs cluster-admin's), and a
 * RoleBinding or ClusterRoleBinding only with `bind` on the referenced role or while holding all
 * its permissions.
 * Members of `system:masters` and kubemu's own writes (no user) are exempt; an update that only
 * touches ownerReferences or finalizers (the garbage collector's) is never checked.
 *
 *   403 roles.rbac.authorization.k8s.io "r" is forbidden: user "bob" (groups=["system:authenticated"])
 *       is attempting to grant RBAC permissions not currently held:
 *       {APIGroups:[""], Resources:["secrets"], Verbs:["get"]}
 *
 * Owns: those rules. Must not: resolve rules itself (it asks the RBAC authorizer).
 */
import { internalError, notFound } from '../api/errors.js';
import type { KubeObject } from '../api/types.js';
import { isPrivileged, aggregateErrors, type RbacAuthorizer } from '../auth/rbac/authorizer.js';
import { escalationMessage, FULL_AUTHORITY } from '../auth/rbac/covers.js';
import { forbiddenStatus } from '../auth/rbac/forbidden.js';
import { normalizeRules } from '../auth/rbac/rules.js';
import { resourceAttributes, type Authorizer, type PolicyRule, type RoleRef } from '../auth/rbac/types.js';
import type { UserInfo } from '../auth/user.js';
import { deepEqual } from '../registry/codec.js';
import type { AdmissionRequest } from '../registry/generic-store.js';

const RBAC_GROUP = 'rbac.authorization.k8s.io';

/** What the plugin consults: the request authorizer (for `escalate` and `bind`) and the RBAC rule resolver. */
export interface EscalationPolicy {
  authorizer: Authorizer;
  rbac: RbacAuthorizer;
}

/** True when `next` differs from `old` only in ownerReferences, finalizers or managedFields (IsOnlyMutatingGCFields). */
function onlyGCFields(next: KubeObject, old: KubeObject): boolean {
  const copy = { ...next, metadata: { ...next.metadata } } as KubeObject;
  const meta = copy.metadata!;
  for (const key of ['ownerReferences', 'finalizers', 'managedFields'] as const) {
    const value = old.metadata?.[key];
    if (value === undefined) delete meta[key];
    else (meta as Record<string, unknown>)[key] = value;
  }
  return deepEqual(copy, old);
}

function hasAggregationRule(obj: KubeObject | undefined): boolean {
  const selectors = (obj?.aggregationRule as { clusterRoleSelectors?: unknown } | undefined)?.clusterRoleSelectors;
  return Array.isArray(selectors) && selectors.length > 0;
}

/** ConfirmNoEscalation: a 403 on `plural "name"` unless the user holds `rules` in `namespace`. */
function confirmNoEscalation(policy: EscalationPolicy, user: UserInfo, namespace: string, plural: string, name: string, rules: readonly PolicyRule[]): void {
  const errors: string[] = [];
  const owner = policy.rbac.policyRulesFor(user, namespace, errors);
  const message = escalationMessage(user, owner, rules, errors.length ? aggregateErrors(errors) : undefined);
  if (message) throw forbiddenStatus(RBAC_GROUP, plural, name, message);
}

function allowed(policy: EscalationPolicy, user: UserInfo, fields: Parameters<typeof resourceAttributes>[1]): boolean {
  return policy.authorizer.authorize(resourceAttributes(user, fields)).decision === 'allow';
}

/** The rules a binding's roleRef grants, with the registry's 404 when the role is missing (GetRoleReferenceRules). */
function referencedRules(policy: EscalationPolicy, ref: RoleRef, namespace: string): readonly PolicyRule[] {
  if (ref.kind === 'Role') {
    const role = policy.rbac.index.role(namespace, ref.name);
    if (!role) throw notFound({ group: RBAC_GROUP, name: 'roles' }, ref.name);
    return role.rules;
  }
  if (ref.kind === 'ClusterRole') {
    const role = policy.rbac.index.clusterRole(ref.name);
    if (!role) throw notFound({ group: RBAC_GROUP, name: 'clusterroles' }, ref.name);
    return role.rules;
  }
  throw internalError(new Error(`unsupported role reference kind: ${JSON.stringify(ref.kind)}`));
}

function checkRole(policy: EscalationPolicy, req: AdmissionRequest, user: UserInfo): void {
  const plural = req.info.plural;
  const namespace = req.namespace ?? '';
  const requestName = req.operation === 'CREATE' ? '' : req.name;
  if (allowed(policy, user, { verb: 'escalate', apiGroup: RBAC_GROUP, resource: plural, name: requestName, namespace })) return;
  confirmNoEscalation(policy, user, namespace, plural, req.name, normalizeRules(req.object?.rules));
  if (plural === 'clusterroles' && (hasAggregationRule(req.object) || hasAggregationRule(req.oldObject))) {
    const errors: string[] = [];
    const owner = policy.rbac.policyRulesFor(user, namespace, errors);
    if (escalationMessage(user, owner, FULL_AUTHORITY)) {
      throw forbiddenStatus(RBAC_GROUP, plural, req.name, 'must have cluster-admin privileges to use the aggregationRule');
    }
  }
}

function checkBinding(policy: EscalationPolicy, req: AdmissionRequest, user: UserInfo): void {
  const namespace = req.info.plural === 'rolebindings' ? (req.namespace ?? '') : '';
  const raw = (req.object?.roleRef ?? {}) as Partial<RoleRef>;
  const ref: RoleRef = { apiGroup: raw.apiGroup ?? '', kind: raw.kind ?? '', name: raw.name ?? '' };
  const resource = ref.kind === 'ClusterRole' ? 'clusterroles' : ref.kind === 'Role' ? 'roles' : undefined;
  if (resource && allowed(policy, user, { verb: 'bind', apiGroup: ref.apiGroup, resource, name: ref.name, namespace })) return;
  confirmNoEscalation(policy, user, namespace, req.info.plural, req.name, referencedRules(policy, ref, namespace));
}

/**
 * The admission plugin; `policy()` is undefined until authorization is set up (writes before
 * that — bootstrap — are kubemu's own and pass).
 */
export function rbacEscalation(policy: () => EscalationPolicy | undefined) {
  return async (req: AdmissionRequest): Promise<void> => {
    if (req.info.group !== RBAC_GROUP || req.operation === 'DELETE' || !req.object) return;
    const user = req.user;
    const current = policy();
    if (!user || !current || isPrivileged(user)) return;
    if (req.operation === 'UPDATE' && req.oldObject && onlyGCFields(req.object, req.oldObject)) return;
    switch (req.info.plural) {
      case 'roles':
      case 'clusterroles':
        return checkRole(current, req, user);
      case 'rolebindings':
      case 'clusterrolebindings':
        return checkBinding(current, req, user);
    }
  };
}
