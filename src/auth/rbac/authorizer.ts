/**
 * The authorizers of `--authorization-mode`: RBAC (kube's `plugin/pkg/auth/authorizer/rbac` over
 * the rule resolver of `pkg/registry/rbac/validation`, behind the `system:masters` privileged-group
 * authorizer, as kube-apiserver composes them) and AlwaysAllow.
 *
 * A decision visits the ClusterRoleBindings, then the RoleBindings of the request's namespace,
 * that name the user (see PolicyIndex), and the rules of the roles they reference, stopping at
 * the first rule that allows. Its cost is the rules of the user's own bindings, never the number
 * of bindings in the cluster.
 * Owns: decisions, their reason texts, rule listing. Must not: know HTTP or write anything.
 */
import { MASTERS_GROUP, type UserInfo } from '../user.js';
import type { PolicyIndex, BindingRecord } from './policy-index.js';
import { subjectApplies } from './policy-index.js';
import { ruleAllows } from './rules.js';
import type { Attributes, Authorizer, AuthorizationMode, Decision, PolicyRule, RoleRef, RulesResult, Subject } from './types.js';

/** Called per rule (with a lazily built description of where it comes from) or per resolution error; false stops. */
export type RuleVisitor = (source: (() => string) | undefined, rule: PolicyRule | undefined, error: string | undefined) => boolean;

/** utilerrors.NewAggregate(errs).Error(): one as is, several deduplicated in brackets. */
export function aggregateErrors(errors: readonly string[]): string {
  const unique = [...new Set(errors)];
  return unique.length === 1 ? unique[0]! : `[${unique.join(', ')}]`;
}

function describeSubject(subject: Subject, bindingNamespace: string): string {
  if (subject.kind === 'ServiceAccount') return `${subject.kind} ${JSON.stringify(`${subject.name}/${subject.namespace || bindingNamespace}`)}`;
  return `${subject.kind} ${JSON.stringify(subject.name)}`;
}

/**
 * The allow reasons already written, by subject: a subject object belongs to one binding record,
 * which is replaced (never changed) when the binding changes, so an entry never goes stale.
 */
const allowReasons = new WeakMap<Subject, string>();

/** `RBAC: allowed by <binding>`, written once per binding subject (every allowed request needs it). */
function allowReason(binding: BindingRecord, subject: Subject): string {
  let reason = allowReasons.get(subject);
  if (reason === undefined) allowReasons.set(subject, (reason = `RBAC: allowed by ${describeBinding(binding, subject)}`));
  return reason;
}

const CLUSTER_SCOPE = [''] as const;

function describeBinding(binding: BindingRecord, subject: Subject): string {
  const { roleRef } = binding;
  const to = `${roleRef.kind} ${JSON.stringify(roleRef.name)} to ${describeSubject(subject, binding.namespace)}`;
  if (binding.kind === 'ClusterRoleBinding') return `ClusterRoleBinding ${JSON.stringify(binding.name)} of ${to}`;
  return `RoleBinding ${JSON.stringify(`${binding.name}/${binding.namespace}`)} of ${to}`;
}

/** appliesTo: the first subject of `binding` that names the user. */
function firstApplying(user: UserInfo, binding: BindingRecord, scope: string): Subject | undefined {
  for (const subject of binding.subjects) if (subjectApplies(user, subject, scope)) return subject;
  return undefined;
}

/** The RBAC authorizer over a PolicyIndex. */
export class RbacAuthorizer implements Authorizer {
  readonly index: PolicyIndex;

  constructor(index: PolicyIndex) {
    this.index = index;
  }

  /**
   * The rules a role reference grants, or the lister's error text
   * (`role.rbac.authorization.k8s.io "x" not found`, `unsupported role reference kind: "X"`).
   */
  roleReferenceRules(ref: RoleRef, bindingNamespace: string): { rules: readonly PolicyRule[] } | { error: string } {
    switch (ref.kind) {
      case 'Role': {
        const role = this.index.role(bindingNamespace, ref.name);
        return role ? { rules: role.rules } : { error: `role.rbac.authorization.k8s.io ${JSON.stringify(ref.name)} not found` };
      }
      case 'ClusterRole': {
        const role = this.index.clusterRole(ref.name);
        return role ? { rules: role.rules } : { error: `clusterrole.rbac.authorization.k8s.io ${JSON.stringify(ref.name)} not found` };
      }
      default:
        return { error: `unsupported role reference kind: ${JSON.stringify(ref.kind)}` };
    }
  }

  /** VisitRulesFor: the rules of the user's ClusterRoleBindings, then of its RoleBindings in `namespace`. */
  visitRulesFor(user: UserInfo, namespace: string, visit: RuleVisitor): void {
    for (const scope of namespace ? ['', namespace] : ['']) {
      for (const binding of this.index.bindingsFor(user, scope)) {
        const subject = firstApplying(user, binding, scope);
        if (!subject) continue;
        const resolved = this.roleReferenceRules(binding.roleRef, scope);
        if ('error' in resolved) {
          if (!visit(undefined, undefined, resolved.error)) return;
          continue;
        }
        const source = () => describeBinding(binding, subject);
        for (const rule of resolved.rules) if (!visit(source, rule, undefined)) return;
      }
    }
  }

  /**
   * Allow with `RBAC: allowed by <binding>` at the first allowing rule; else no opinion (reason:
   * resolution errors). The same walk as visitRulesFor, written as plain loops because it runs on
   * every request.
   */
  authorize(attributes: Attributes): Decision {
    const { user, namespace } = attributes;
    let errors: string[] | undefined;
    for (const scope of namespace ? ['', namespace] : CLUSTER_SCOPE) {
      for (const binding of this.index.bindingsFor(user, scope)) {
        const subject = firstApplying(user, binding, scope);
        if (!subject) continue;
        const resolved = this.roleReferenceRules(binding.roleRef, scope);
        if ('error' in resolved) {
          (errors ??= []).push(resolved.error);
          continue;
        }
        for (const rule of resolved.rules) {
          if (ruleAllows(attributes, rule)) return { decision: 'allow', reason: allowReason(binding, subject) };
        }
      }
    }
    return { decision: 'no-opinion', reason: errors ? `RBAC: ${aggregateErrors(errors)}` : '' };
  }

  /** Every rule the user holds in `namespace` (cluster-wide ones included), with resolution errors. */
  rulesFor(user: UserInfo, namespace: string): RulesResult {
    const result: RulesResult = { resourceRules: [], nonResourceRules: [], incomplete: false };
    const errors: string[] = [];
    for (const rule of this.policyRulesFor(user, namespace, errors)) {
      if (rule.resources?.length) result.resourceRules.push(rule);
      if (rule.nonResourceURLs?.length) result.nonResourceRules.push(rule);
    }
    if (errors.length) result.evaluationError = aggregateErrors(errors);
    return result;
  }

  /** RulesFor as PolicyRules (escalation checks compare these); resolution errors are pushed onto `errors`. */
  policyRulesFor(user: UserInfo, namespace: string, errors: string[] = []): PolicyRule[] {
    const rules: PolicyRule[] = [];
    this.visitRulesFor(user, namespace, (_source, rule, error) => {
      if (rule) rules.push(rule);
      if (error) errors.push(error);
      return true;
    });
    return rules;
  }
}

/** kube-apiserver's privileged-group authorizer: members of `system:masters` may do anything. */
export function isPrivileged(user: UserInfo): boolean {
  return user.groups.includes(MASTERS_GROUP);
}

/** RBAC behind the `system:masters` bypass, as kube-apiserver's union authorizer runs them. */
export class RbacModeAuthorizer implements Authorizer {
  readonly rbac: RbacAuthorizer;

  constructor(index: PolicyIndex) {
    this.rbac = new RbacAuthorizer(index);
  }

  authorize(attributes: Attributes): Decision {
    if (isPrivileged(attributes.user)) return { decision: 'allow', reason: '' };
    return this.rbac.authorize(attributes);
  }

  rulesFor(user: UserInfo, namespace: string): RulesResult {
    return this.rbac.rulesFor(user, namespace);
  }
}

/** AlwaysAllow: every request is allowed; every user holds `*` on everything. */
export const alwaysAllow: Authorizer = {
  authorize: () => ({ decision: 'allow', reason: '' }),
  rulesFor: () => ({
    resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }],
    nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }],
    incomplete: false,
  }),
};

/** The authorizer of a mode; RBAC reads `index` (which must follow the caches). */
export function authorizerFor(mode: AuthorizationMode, index: PolicyIndex): Authorizer {
  return mode === 'AlwaysAllow' ? alwaysAllow : new RbacModeAuthorizer(index);
}
