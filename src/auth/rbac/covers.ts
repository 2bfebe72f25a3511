/**
 * Escalation arithmetic, as k8s.io/component-helpers `auth/rbac/validation` (Covers,
 * BreakdownRule) and kube's `pkg/registry/rbac/validation` (CompactRules, ConfirmNoEscalation's
 * message): does what a user holds cover what a role would grant, and if not, which atoms are
 * missing, worded as kube-apiserver words them.
 *
 *   servant {verbs:[get,list], apiGroups:[""], resources:[pods]}
 *   → atoms {get ""/pods} {list ""/pods}; each atom is covered by one owner rule or missing;
 *   missing atoms of one group/resource fold back into one rule for the message.
 *
 * Owns: Covers, BreakdownRule, CompactRules and the "not currently held" text. Must not: resolve rules.
 */
import type { UserInfo } from '../user.js';
import { compactString, goQuotedList } from './rules.js';
import type { PolicyRule } from './types.js';

const ALL = '*';

/** BreakdownRule: one rule per (group, resource, verb[, name]) and per (url, verb). */
export function breakdownRule(rule: PolicyRule): PolicyRule[] {
  const out: PolicyRule[] = [];
  for (const group of rule.apiGroups ?? []) {
    for (const resource of rule.resources ?? []) {
      for (const verb of rule.verbs) {
        const names = rule.resourceNames ?? [];
        if (names.length) for (const name of names) out.push({ apiGroups: [group], resources: [resource], verbs: [verb], resourceNames: [name] });
        else out.push({ apiGroups: [group], resources: [resource], verbs: [verb] });
      }
    }
  }
  for (const url of rule.nonResourceURLs ?? []) for (const verb of rule.verbs) out.push({ nonResourceURLs: [url], verbs: [verb] });
  return out;
}

function hasAll(set: readonly string[] | undefined, wanted: readonly string[] | undefined): boolean {
  const have = new Set(set ?? []);
  return (wanted ?? []).every((w) => have.has(w));
}

function resourceCoversAll(owner: readonly string[] | undefined, wanted: readonly string[] | undefined): boolean {
  const have = owner ?? [];
  if (have.includes(ALL) || hasAll(have, wanted)) return true;
  for (const path of wanted ?? []) {
    if (have.includes(path)) continue;
    const slash = path.indexOf('/');
    if (slash < 0 || !have.includes(`*/${path.slice(slash + 1)}`)) return false;
  }
  return true;
}

function urlCovers(owner: string, path: string): boolean {
  return owner === path || (owner.endsWith('*') && path.startsWith(owner.replace(/\*+$/, '')));
}

/** ruleCovers: whether one owner rule covers one atom of BreakdownRule. */
function ruleCovers(owner: PolicyRule, atom: PolicyRule): boolean {
  const verbs = owner.verbs.includes(ALL) || hasAll(owner.verbs, atom.verbs);
  const groups = (owner.apiGroups ?? []).includes(ALL) || hasAll(owner.apiGroups, atom.apiGroups);
  const resources = resourceCoversAll(owner.resources, atom.resources);
  const urls = (atom.nonResourceURLs ?? []).every((p) => (owner.nonResourceURLs ?? []).some((o) => urlCovers(o, p)));
  const ownerNames = owner.resourceNames ?? [];
  const names = atom.resourceNames?.length ? ownerNames.length === 0 || hasAll(ownerNames, atom.resourceNames) : ownerNames.length === 0;
  return verbs && groups && resources && names && urls;
}

/** Covers: the atoms of `servant` no rule of `owner` covers (empty when covered). */
export function uncovered(owner: readonly PolicyRule[], servant: readonly PolicyRule[]): PolicyRule[] {
  return servant.flatMap(breakdownRule).filter((atom) => !owner.some((o) => ruleCovers(o, atom)));
}

/** CompactRules: atoms of one group and resource without names or URLs fold into one rule with all their verbs. */
export function compactRules(rules: readonly PolicyRule[]): PolicyRule[] {
  const out: PolicyRule[] = [];
  const simple = new Map<string, PolicyRule & { verbs: string[] }>();
  for (const rule of rules) {
    const isSimple =
      !rule.resourceNames?.length && !rule.nonResourceURLs?.length && rule.apiGroups?.length === 1 && rule.resources?.length === 1;
    if (!isSimple) {
      out.push(rule);
      continue;
    }
    const key = `${rule.apiGroups![0]}\u0000${rule.resources![0]}`;
    const existing = simple.get(key);
    if (existing) existing.verbs.push(...rule.verbs);
    else simple.set(key, { apiGroups: rule.apiGroups, resources: rule.resources, verbs: [...rule.verbs] });
  }
  return [...out, ...simple.values()];
}

/**
 * ConfirmNoEscalation's refusal text, or undefined when `owner` covers `servant`:
 * `user "<u>" (groups=["a" "b"]) is attempting to grant RBAC permissions not currently held:\n<rules>`
 * with one compact rule per line, sorted, and `; resolution errors: [<err>]` when resolving the
 * user's own rules failed somewhere.
 */
export function escalationMessage(user: UserInfo, owner: readonly PolicyRule[], servant: readonly PolicyRule[], resolutionError?: string): string | undefined {
  const missing = uncovered(owner, servant);
  if (missing.length === 0) return undefined;
  const lines = [...new Set(compactRules(missing).map(compactString))].sort();
  let message = `user ${JSON.stringify(user.name)} (groups=${goQuotedList(user.groups)}) is attempting to grant RBAC permissions not currently held:\n${lines.join('\n')}`;
  if (resolutionError) message += `; resolution errors: [${resolutionError}]`;
  return message;
}

/** The rules of cluster-admin: what a user must hold to set an aggregationRule. */
export const FULL_AUTHORITY: readonly PolicyRule[] = [
  { verbs: [ALL], apiGroups: [ALL], resources: [ALL] },
  { verbs: [ALL], nonResourceURLs: [ALL] },
];
