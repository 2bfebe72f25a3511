/**
 * Rule evaluation as kube-apiserver's `pkg/apis/rbac/v1/evaluation_helpers.go` and
 * `plugin/pkg/auth/authorizer/rbac` RuleAllows: verbs (`*` or exact), API groups (`*` or exact),
 * resources (`*`, `res`, `res/sub`, or `*` + `/sub` for any resource's subresource), resource names (empty =
 * any; otherwise the request must name one, so create/list/watch/deletecollection without a name
 * never match), non-resource URLs (`*`, exact, or a prefix ending in `*`).
 * Owns: "does this rule allow these attributes", and the compact rule text of escalation errors.
 * Must not: know where rules come from.
 */
import type { Attributes, PolicyRule } from './types.js';

const ALL = '*';

/** VerbMatches: the rule names the verb or `*`. */
export function verbMatches(rule: PolicyRule, verb: string): boolean {
  for (const v of rule.verbs) if (v === ALL || v === verb) return true;
  return false;
}

/** APIGroupMatches: the rule names the group or `*`. */
export function apiGroupMatches(rule: PolicyRule, group: string): boolean {
  for (const g of rule.apiGroups ?? []) if (g === ALL || g === group) return true;
  return false;
}

/**
 * ResourceMatches: `*`, the exact `resource[/subresource]`, or `*` + `/subresource` when the request
 * names a subresource.
 */
export function resourceMatches(rule: PolicyRule, combined: string, subresource: string): boolean {
  for (const r of rule.resources ?? []) {
    if (r === ALL || r === combined) return true;
    if (subresource && r.length === subresource.length + 2 && r.startsWith('*/') && r.endsWith(subresource)) return true;
  }
  return false;
}

/** ResourceNameMatches: no names in the rule, or the requested name among them. */
export function resourceNameMatches(rule: PolicyRule, name: string): boolean {
  const names = rule.resourceNames ?? [];
  return names.length === 0 || names.includes(name);
}

/** NonResourceURLMatches: `*`, the exact path, or a `prefix*` the path starts with. */
export function nonResourceURLMatches(rule: PolicyRule, path: string): boolean {
  for (const url of rule.nonResourceURLs ?? []) {
    if (url === ALL || url === path) return true;
    if (url.endsWith('*') && path.startsWith(url.replace(/\*+$/, ''))) return true;
  }
  return false;
}

/** RuleAllows: whether one rule grants the request. */
export function ruleAllows(attributes: Attributes, rule: PolicyRule): boolean {
  if (!verbMatches(rule, attributes.verb)) return false;
  if (!attributes.resourceRequest) return nonResourceURLMatches(rule, attributes.path);
  const combined = attributes.subresource ? `${attributes.resource}/${attributes.subresource}` : attributes.resource;
  return (
    apiGroupMatches(rule, attributes.apiGroup) &&
    resourceMatches(rule, combined, attributes.subresource) &&
    resourceNameMatches(rule, attributes.name)
  );
}

/** Go's `%q` of a []string: `["a" "b"]`. */
export function goQuotedList(values: readonly string[]): string {
  return `[${values.map((v) => JSON.stringify(v)).join(' ')}]`;
}

/**
 * rbacv1helpers.CompactString: `{APIGroups:["apps"], Resources:["deployments"], Verbs:["get"]}`,
 * naming only the non-empty fields, in that order (NonResourceURLs and ResourceNames between).
 */
export function compactString(rule: PolicyRule): string {
  const parts: string[] = [];
  const add = (label: string, values: readonly string[] | undefined) => {
    if (values?.length) parts.push(`${label}:${goQuotedList(values)}`);
  };
  add('APIGroups', rule.apiGroups);
  add('Resources', rule.resources);
  add('NonResourceURLs', rule.nonResourceURLs);
  add('ResourceNames', rule.resourceNames);
  add('Verbs', rule.verbs);
  return `{${parts.join(', ')}}`;
}

/** The rules of a stored Role/ClusterRole `rules` field, with missing lists as absent (never null). */
export function normalizeRules(value: unknown): PolicyRule[] {
  if (!Array.isArray(value)) return [];
  const list = (v: unknown): string[] | undefined => (Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : undefined);
  return value
    .filter((r): r is Record<string, unknown> => typeof r === 'object' && r !== null)
    .map((r) => {
      const rule: PolicyRule = { verbs: list(r.verbs) ?? [] };
      const apiGroups = list(r.apiGroups);
      const resources = list(r.resources);
      const resourceNames = list(r.resourceNames);
      const nonResourceURLs = list(r.nonResourceURLs);
      if (apiGroups) rule.apiGroups = apiGroups;
      if (resources) rule.resources = resources;
      if (resourceNames) rule.resourceNames = resourceNames;
      if (nonResourceURLs) rule.nonResourceURLs = nonResourceURLs;
      return rule;
    });
}
