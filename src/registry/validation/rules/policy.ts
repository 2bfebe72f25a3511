/**
 * policy/v1 PodDisruptionBudget and autoscaling (v1, v2) HorizontalPodAutoscaler rules, after
 * `pkg/apis/policy/validation` and `pkg/apis/autoscaling/validation`: the basics users meet
 * (budget fields, selectors, replica bounds, scale target, metric sources).
 * Owns: those rules. Must not: know other kinds.
 */
import { field, type FieldError } from '../../../api/field-errors.js';
import { isPathSegmentName } from '../../../api/names.js';
import { goField, goPointer, goStruct } from './go-value.js';
import { arr, child, index, isNotMoreThan100Percent, isRec, num, rec, str, validateLabelSelector, validatePositiveIntOrPercent, type Rec } from './common.js';

const EVICTION_POLICIES = ['AlwaysAllow', 'IfHealthyBudget'];

function validatePdbSpec(spec: Rec): FieldError[] {
  const errs: FieldError[] = [];
  const has = (k: string): boolean => spec[k] !== undefined && spec[k] !== null;
  if (has('minAvailable') && has('maxUnavailable')) {
    const rendered = goStruct('policy.PodDisruptionBudgetSpec', [
      ['MinAvailable', goPointer('intstr.IntOrString', spec.minAvailable)],
      ['Selector', goPointer('v1.LabelSelector', spec.selector)],
      ['MaxUnavailable', goPointer('intstr.IntOrString', spec.maxUnavailable)],
      ['UnhealthyPodEvictionPolicy', goPointer('policy.UnhealthyPodEvictionPolicyType', spec.unhealthyPodEvictionPolicy)],
    ]);
    errs.push(goField.invalid('spec', spec, rendered, 'minAvailable and maxUnavailable cannot be both set'));
  }
  for (const k of ['minAvailable', 'maxUnavailable']) {
    if (!has(k)) continue;
    errs.push(...validatePositiveIntOrPercent(spec[k], `spec.${k}`), ...isNotMoreThan100Percent(spec[k], `spec.${k}`));
  }
  errs.push(...validateLabelSelector(spec.selector, 'spec.selector'));
  if (typeof spec.unhealthyPodEvictionPolicy === 'string' && !EVICTION_POLICIES.includes(spec.unhealthyPodEvictionPolicy))
    errs.push(field.notSupported('spec.unhealthyPodEvictionPolicy', spec.unhealthyPodEvictionPolicy, EVICTION_POLICIES));
  return errs;
}

/** PodDisruptionBudget create and update rules (the spec is mutable in policy/v1). */
export const podDisruptionBudgetRules = {
  validate: (obj: Rec): FieldError[] => validatePdbSpec(rec(obj.spec)),
  validateUpdate: (obj: Rec): FieldError[] => validatePdbSpec(rec(obj.spec)),
};

/** ValidateCrossVersionObjectReference. */
function objectReference(ref: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const r = rec(ref);
  for (const k of ['kind', 'name']) {
    const value = str(r[k]);
    if (!value) errs.push(field.required(child(path, k)));
    else for (const m of isPathSegmentName(value, false)) errs.push(field.invalid(child(path, k), value, m));
  }
  return errs;
}

const METRIC_TYPES = ['ContainerResource', 'External', 'Object', 'Pods', 'Resource'];
const METRIC_FIELDS: Readonly<Record<string, string>> = {
  Object: 'object',
  Pods: 'pods',
  Resource: 'resource',
  External: 'external',
  ContainerResource: 'containerResource',
};

/** validateMetricSpec: a known type whose source, and only that one, is set. */
function metricSpec(metric: Rec, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const type = str(metric.type);
  if (!type) errs.push(field.required(child(path, 'type'), 'must specify a metric source type'));
  if (!METRIC_TYPES.includes(type)) errs.push(field.notSupported(child(path, 'type'), type, METRIC_TYPES));
  const present = ['object', 'external', 'pods', 'resource', 'containerResource'].filter((k) => isRec(metric[k]));
  const expected = METRIC_FIELDS[type];
  if (expected) {
    if (!isRec(metric[expected])) errs.push(field.required(child(path, expected), 'must populate information for the given metric source'));
  } else errs.push(field.notSupported(child(path, 'type'), type, METRIC_TYPES));
  if (present.length !== 1)
    for (const k of present) if (k !== expected) errs.push(field.forbidden(child(path, k), 'must populate the given metric source only'));
  return errs;
}

function validateHpaSpec(spec: Rec, minReplicasLowerBound: number): FieldError[] {
  const errs: FieldError[] = [];
  const min = num(spec.minReplicas);
  const max = num(spec.maxReplicas) ?? 0;
  if (min !== undefined && min < minReplicasLowerBound)
    errs.push(field.invalid('spec.minReplicas', min, `must be greater than or equal to ${minReplicasLowerBound}`));
  if (max < 1) errs.push(field.invalid('spec.maxReplicas', max, 'must be greater than 0'));
  if (min !== undefined && max < min) errs.push(field.invalid('spec.maxReplicas', max, 'must be greater than or equal to `minReplicas`'));
  errs.push(...objectReference(spec.scaleTargetRef, 'spec.scaleTargetRef'));
  arr(spec.metrics).forEach((m, i) => errs.push(...metricSpec(rec(m), index('spec.metrics', i))));
  // autoscaling/v1's target becomes the first (Resource cpu) metric of the internal object.
  const cpu = num(spec.targetCPUUtilizationPercentage);
  if (cpu !== undefined && cpu < 1) errs.push(field.invalid('spec.metrics[0].resource.target.averageUtilization', cpu, 'must be greater than 0'));
  return errs;
}

/** HorizontalPodAutoscaler create and update rules (autoscaling/v1 and v2 shapes). */
export const horizontalPodAutoscalerRules = {
  validate: (obj: Rec): FieldError[] => validateHpaSpec(rec(obj.spec), 1),
  validateUpdate: (obj: Rec, old: Rec): FieldError[] => validateHpaSpec(rec(obj.spec), num(rec(old.spec).minReplicas) === 0 ? 0 : 1),
};
