/**
 * The semantic rules of built-in kinds by resource: what kube-apiserver's per-kind Validate and
 * ValidateUpdate add to metadata validation (which the generic store does itself). Each rule
 * returns upstream's field errors, worded and pathed as upstream; an empty list means valid.
 * Owns: the resource → rules table. Must not: validate metadata, default, or throw.
 */
import type { FieldError } from '../../../api/field-errors.js';
import type { KubeObject } from '../../../api/types.js';
import { cronJobRules, jobRules } from './batch.js';
import { configMapRules, secretRules } from './config.js';
import { validatePodCreate, validatePodTemplateSpec, validatePodUpdate } from './pod.js';
import { horizontalPodAutoscalerRules, podDisruptionBudgetRules } from './policy.js';
import { serviceRules } from './service.js';
import { daemonSetRules, deploymentRules, replicaSetRules, replicationControllerRules, statefulSetRules } from './workloads.js';
import type { Rec } from './common.js';

/** The rules of one resource. */
export interface Rules {
  /** Rules on create (after defaulting). */
  validate(obj: KubeObject): FieldError[];
  /** Rules on update of the main resource (after defaulting), given the stored object. */
  validateUpdate(obj: KubeObject, old: KubeObject): FieldError[];
}

interface PartialRules {
  validate(obj: Rec): FieldError[];
  validateUpdate?(obj: Rec, old: Rec): FieldError[];
}

const podTemplates: PartialRules = {
  validate: (obj) => validatePodTemplateSpec(obj.template, 'template'),
};

const TABLE: Readonly<Record<string, PartialRules>> = {
  pods: { validate: validatePodCreate, validateUpdate: validatePodUpdate },
  podtemplates: podTemplates,
  replicationcontrollers: replicationControllerRules,
  services: serviceRules,
  configmaps: configMapRules,
  secrets: secretRules,
  'apps/deployments': deploymentRules,
  'apps/replicasets': replicaSetRules,
  'apps/statefulsets': statefulSetRules,
  'apps/daemonsets': daemonSetRules,
  'batch/jobs': jobRules,
  'batch/cronjobs': cronJobRules,
  'policy/poddisruptionbudgets': podDisruptionBudgetRules,
  'autoscaling/horizontalpodautoscalers': horizontalPodAutoscalerRules,
};

const NONE: Rules = { validate: () => [], validateUpdate: () => [] };
const built = new Map<string, Rules>();

/**
 * The rules of a built-in resource by group (`` for core) and plural. Resources without rules
 * (namespaces, RBAC, CRDs, …) get rules that accept everything. Rules hold no state; the same
 * object is returned for the same resource.
 */
export function rulesFor(group: string, plural: string): Rules {
  const id = group ? `${group}/${plural}` : plural;
  const entry = TABLE[id];
  if (!entry) return NONE;
  let rules = built.get(id);
  if (!rules) {
    rules = {
      validate: (obj) => entry.validate(obj),
      validateUpdate: (obj, old) => (entry.validateUpdate ?? entry.validate)(obj, old),
    };
    built.set(id, rules);
  }
  return rules;
}
