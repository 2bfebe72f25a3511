/**
 * The strategy table of built-in resources: `group/plural` (core group: plural alone) →
 * Strategy. Resources not listed use the default strategy.
 * Owns: the lookup. Must not: do I/O.
 */
import { nameRules } from '../../api/names.js';
import { defaultStrategy, strategy, type Strategy } from '../strategy.js';
import { coreStrategies } from './core.js';
import { workloadStrategies } from './workloads.js';
import { crdStrategy } from '../crd/strategy.js';

const rbacNames = strategy({ nameRule: nameRules.pathSegment });

const table: Record<string, Strategy> = {
  ...coreStrategies,
  ...workloadStrategies,
  'rbac.authorization.k8s.io/roles': rbacNames,
  'rbac.authorization.k8s.io/rolebindings': rbacNames,
  'rbac.authorization.k8s.io/clusterroles': rbacNames,
  'rbac.authorization.k8s.io/clusterrolebindings': rbacNames,
  'events.k8s.io/events': strategy({ allowCreateOnUpdate: true }),
  'apiextensions.k8s.io/customresourcedefinitions': crdStrategy,
};

/** The strategy of a built-in resource. */
export function builtinStrategy(group: string, plural: string): Strategy {
  return table[group ? `${group}/${plural}` : plural] ?? defaultStrategy;
}
