/**
 * ClusterRole aggregation, as kube-controller-manager's clusterrole-aggregation controller: a
 * ClusterRole with `aggregationRule.clusterRoleSelectors` has as rules the union of the rules of
 * every other ClusterRole its selectors match (roles by name, rules in order, duplicates dropped).
 *
 *   edit {aggregationRule: aggregate-to-edit=true}   system:aggregate-to-edit {labels: aggregate-to-edit=true, rules R1}
 *   view {labels: aggregate-to-edit=true, rules R2}  → edit.rules = R1 ∪ R2 (by role name: system:aggregate-to-edit, view)
 *
 * It runs inside kubemu rather than as a client-side controller because RBAC decisions depend on
 * it from the first request on: the bootstrap `admin`/`edit`/`view` roles are empty until
 * aggregated. It is driven by ClusterRole storage events (through the PolicyIndex), coalesces a
 * burst into one pass, writes only roles whose rules differ, and repeats until nothing changes
 * (edit feeds admin). `aggregateRules` is the pure rule, for anyone who wants to reconcile elsewhere.
 * Owns: the aggregation rule and the updater. Must not: decide requests.
 */
import { labelSelectorFromObject, type LabelSelectorObject } from '../../api/label-selector.js';
import type { GenericStore } from '../../registry/generic-store.js';
import type { PolicyIndex, RoleRecord } from './policy-index.js';
import type { PolicyRule } from './types.js';

/** The field manager of the aggregator's writes (upstream's controller name). */
export const AGGREGATOR_MANAGER = 'clusterrole-aggregation-controller';

/** A rule with empty lists dropped, in a fixed field order: Go's Semantic.DeepEqual treats nil and empty alike. */
function ruleKey(rule: PolicyRule): string {
  const pick = (v: readonly string[] | undefined) => (v?.length ? v : undefined);
  return JSON.stringify([rule.verbs.length ? rule.verbs : undefined, pick(rule.apiGroups), pick(rule.resources), pick(rule.resourceNames), pick(rule.nonResourceURLs)]);
}

/** True when two rule lists are equal as upstream compares them (order matters). */
export function sameRules(a: readonly PolicyRule[], b: readonly PolicyRule[]): boolean {
  return a.length === b.length && a.every((rule, i) => ruleKey(rule) === ruleKey(b[i]!));
}

/**
 * The rules `role` aggregates from `roles` (all ClusterRoles): for each selector in order, the
 * matching roles other than itself sorted by name, their rules appended unless already present.
 * Throws a 400 StatusError for an invalid selector.
 */
export function aggregateRules(role: RoleRecord, roles: readonly RoleRecord[]): PolicyRule[] {
  const rules: PolicyRule[] = [];
  const seen = new Set<string>();
  const byName = [...roles].sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
  for (const raw of role.clusterRoleSelectors ?? []) {
    const selector = labelSelectorFromObject(raw as LabelSelectorObject);
    for (const other of byName) {
      if (other.name === role.name || !selector.matches(other.labels)) continue;
      for (const rule of other.rules) {
        const key = ruleKey(rule);
        if (seen.has(key)) continue;
        seen.add(key);
        rules.push(rule);
      }
    }
  }
  return rules;
}

/** A rule as written back to a ClusterRole (no empty lists). */
function ruleObject(rule: PolicyRule): Record<string, readonly string[]> {
  const out: Record<string, readonly string[]> = {};
  for (const key of ['verbs', 'apiGroups', 'resources', 'resourceNames', 'nonResourceURLs'] as const) {
    const value = rule[key];
    if (value?.length || key === 'verbs') out[key] = value ?? [];
  }
  return out;
}

/** Keeps aggregated ClusterRoles current; see the module comment. */
export class ClusterRoleAggregator {
  readonly #index: PolicyIndex;
  readonly #store: Pick<GenericStore, 'update'>;
  readonly #onError: (err: unknown) => void;
  #chain: Promise<void> = Promise.resolve();
  #scheduled = false;
  #stopped = false;
  #unsubscribe?: () => void;

  constructor(options: { index: PolicyIndex; clusterRoles: Pick<GenericStore, 'update'>; onError?: (err: unknown) => void }) {
    this.#index = options.index;
    this.#store = options.clusterRoles;
    this.#onError = options.onError ?? (() => {});
  }

  /** Starts following ClusterRole changes (and runs one pass now). */
  start(): void {
    this.#unsubscribe = this.#index.onClusterRoleChange(() => this.#schedule());
    this.#schedule();
  }

  /** Stops following changes; a pass in flight finishes. */
  stop(): void {
    this.#stopped = true;
    this.#unsubscribe?.();
  }

  /** Resolves once no pass is pending or running (every aggregated role is current). */
  async settled(): Promise<void> {
    for (;;) {
      const chain = this.#chain;
      await chain;
      if (chain === this.#chain && !this.#scheduled) return;
    }
  }

  #schedule(): void {
    if (this.#scheduled || this.#stopped) return;
    this.#scheduled = true;
    this.#chain = this.#chain.then(async () => {
      await new Promise((resolve) => setImmediate(resolve));
      this.#scheduled = false;
      if (!this.#stopped) await this.#pass().catch(this.#onError);
    });
  }

  async #pass(): Promise<void> {
    const roles = [...this.#index.clusterRoles()];
    for (const role of roles) {
      if (!role.clusterRoleSelectors) continue;
      let rules: PolicyRule[];
      try {
        rules = aggregateRules(role, roles);
      } catch (err) {
        this.#onError(err);
        continue;
      }
      if (sameRules(rules, role.rules)) continue;
      await this.#store
        .update(undefined, role.name, (current) => ({ ...current, rules: rules.map(ruleObject) }), { manager: AGGREGATOR_MANAGER })
        .catch(this.#onError);
    }
  }
}
