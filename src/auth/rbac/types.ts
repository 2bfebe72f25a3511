/**
 * The RBAC vocabulary: policy rules, subjects and role references as `rbac.authorization.k8s.io/v1`
 * spells them, the attributes of a request as authorizers see them (k8s.io/apiserver
 * `authorizer.Attributes`), and the Authorizer contract.
 * Owns: these shapes. Must not: do I/O or know HTTP.
 */
import type { UserInfo } from '../user.js';

/** One rule of a Role or ClusterRole (rbacv1.PolicyRule). */
export interface PolicyRule {
  verbs: readonly string[];
  apiGroups?: readonly string[];
  resources?: readonly string[];
  resourceNames?: readonly string[];
  nonResourceURLs?: readonly string[];
}

/** A subject of a binding (rbacv1.Subject); `kind` is User, Group or ServiceAccount. */
export interface Subject {
  kind: string;
  name: string;
  apiGroup?: string;
  namespace?: string;
}

/** What a binding grants (rbacv1.RoleRef); `kind` is Role or ClusterRole. */
export interface RoleRef {
  apiGroup: string;
  kind: string;
  name: string;
}

/** What is being asked (authorizer.AttributesRecord). Resource fields are empty for non-resource requests. */
export interface Attributes {
  user: UserInfo;
  verb: string;
  resourceRequest: boolean;
  namespace: string;
  apiGroup: string;
  apiVersion: string;
  resource: string;
  subresource: string;
  name: string;
  /** The URL path (non-resource requests). */
  path: string;
}

/** authorizer.Decision: allow, deny, or no opinion (the next authorizer decides; none left = forbidden). */
export type DecisionKind = 'allow' | 'deny' | 'no-opinion';

/** An authorizer's answer: the decision, the reason text (`RBAC: allowed by ...`), an evaluation error. */
export interface Decision {
  decision: DecisionKind;
  reason: string;
  evaluationError?: string;
}

/** The rules a user holds in a namespace (authorizer.RuleResolver), split as SelfSubjectRulesReview shows them. */
export interface RulesResult {
  resourceRules: PolicyRule[];
  nonResourceRules: PolicyRule[];
  /** True when the list may be missing rules another authorizer would grant. */
  incomplete: boolean;
  /** Resolution errors (a binding to a missing role), worded as upstream. */
  evaluationError?: string;
}

/** Decides requests and lists what a user may do. Both are answered from memory, synchronously. */
export interface Authorizer {
  authorize(attributes: Attributes): Decision;
  rulesFor(user: UserInfo, namespace: string): RulesResult;
}

/** The authorization modes of `--authorization-mode`. */
export type AuthorizationMode = 'RBAC' | 'AlwaysAllow';

/** Attributes of a resource request with the given fields; the rest empty. */
export function resourceAttributes(user: UserInfo, fields: Partial<Omit<Attributes, 'user' | 'resourceRequest' | 'path'>>): Attributes {
  return {
    user,
    verb: fields.verb ?? '',
    resourceRequest: true,
    namespace: fields.namespace ?? '',
    apiGroup: fields.apiGroup ?? '',
    apiVersion: fields.apiVersion ?? '*',
    resource: fields.resource ?? '',
    subresource: fields.subresource ?? '',
    name: fields.name ?? '',
    path: '',
  };
}

/** Attributes of a non-resource request (`verb` is the lower-case HTTP method). */
export function nonResourceAttributes(user: UserInfo, verb: string, path: string): Attributes {
  return { user, verb, resourceRequest: false, namespace: '', apiGroup: '', apiVersion: '', resource: '', subresource: '', name: '', path };
}
