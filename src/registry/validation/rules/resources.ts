/**
 * Container resource rules, after ValidateResourceRequirements and validateContainerResourceName
 * in `pkg/apis/core/validation/validation.go`: resource names, non-negative quantities, and
 * requests not above limits (equal for resources that cannot be overcommitted), with quantities
 * printed in their canonical form as upstream's Quantity.String().
 * Owns: resource requirement rules. Must not: know the rest of a container.
 */
import { field, type FieldError } from '../../../api/field-errors.js';
import { isQualifiedName } from '../../../api/names.js';
import { compareQuantities, formatQuantity, parseQuantity, signOf, type Quantity } from '../quantity.js';
import { child, IS_NEGATIVE, key, rec, str } from './common.js';

const CONTAINER_RESOURCES = ['cpu', 'memory', 'ephemeral-storage'];
const STANDARD_RESOURCES = new Set([
  ...CONTAINER_RESOURCES, 'requests.cpu', 'requests.memory', 'requests.ephemeral-storage', 'limits.cpu', 'limits.memory',
  'limits.ephemeral-storage', 'pods', 'services', 'replicationcontrollers', 'resourcequotas', 'secrets', 'configmaps',
  'persistentvolumeclaims', 'storage', 'requests.storage', 'services.nodeports', 'services.loadbalancers',
]);

/** validateContainerResourceName (with validateResourceName before it). */
function resourceNameErrors(name: string, path: string): FieldError[] {
  const errs = isQualifiedName(name).map((m) => field.invalid(path, name, m));
  const hugePages = name.startsWith('hugepages-');
  if (!name.includes('/')) {
    if (!errs.length && !STANDARD_RESOURCES.has(name) && !hugePages)
      errs.push(field.invalid(path, name, 'must be a standard resource type or fully qualified'));
    if (!CONTAINER_RESOURCES.includes(name) && !hugePages) errs.push(field.invalid(path, name, 'must be a standard resource for containers'));
  } else if (!name.includes('kubernetes.io/')) {
    const extended = !name.startsWith('requests.') && isQualifiedName(`requests.${name}`).length === 0;
    if (!extended) errs.push(field.invalid(path, name, "doesn't follow extended resource name standard"));
  }
  return errs;
}

/** Native resources (no `/`, or `kubernetes.io/`) other than huge pages may be overcommitted. */
function overcommitAllowed(name: string): boolean {
  return (!name.includes('/') || name.includes('kubernetes.io/')) && !name.startsWith('hugepages-');
}

/** ValidateResourceRequirements (names, non-negative quantities, requests ≤ limits). */
export function validateResources(resources: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const res = rec(resources);
  const limPath = child(path, 'limits');
  const reqPath = child(path, 'requests');
  const limits = new Map<string, Quantity>();
  const check = (name: string, raw: unknown, at: string): Quantity | undefined => {
    errs.push(...resourceNameErrors(name, at));
    const q = parseQuantity(typeof raw === 'number' ? String(raw) : str(raw).trim());
    if (typeof q === 'string') return undefined;
    if (signOf(q) < 0) errs.push(field.invalid(at, formatQuantity(q), IS_NEGATIVE));
    return q;
  };
  for (const [name, raw] of Object.entries(rec(res.limits))) {
    const q = check(name, raw, key(limPath, name));
    if (q) limits.set(name, q);
  }
  for (const [name, raw] of Object.entries(rec(res.requests))) {
    const q = check(name, raw, key(reqPath, name));
    if (!q) continue;
    const limit = limits.get(name);
    if (limit) {
      const cmp = compareQuantities(q, limit);
      if (cmp !== 0 && !overcommitAllowed(name))
        errs.push(field.invalid(reqPath, formatQuantity(q), `must be equal to ${name} limit of ${formatQuantity(limit)}`));
      else if (cmp > 0)
        errs.push(field.invalid(reqPath, formatQuantity(q), `must be less than or equal to ${name} limit of ${formatQuantity(limit)}`));
    } else if (!overcommitAllowed(name)) {
      errs.push(field.required(limPath, 'Limit must be set for non overcommitable resources'));
    }
  }
  return errs;
}

