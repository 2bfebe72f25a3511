/**
 * Rules of the replicated workloads: apps/v1 Deployment, ReplicaSet, StatefulSet, DaemonSet and
 * core/v1 ReplicationController, after `pkg/apis/apps/validation/validation.go`,
 * `pkg/apis/core/validation` (ReplicationController) and the strategies' selector immutability,
 * with upstream's messages, paths and Go value renderings.
 *
 * Where upstream defaults a value before validating it and kubemu's strategies may not
 * (rollingUpdate of a DaemonSet, RC selector from template labels), the rule validates the
 * defaulted value.
 * Owns: workload spec rules. Must not: default or mutate objects.
 */
import { field, type FieldError } from '../../../api/field-errors.js';
import { labelSelectorFromObject, type LabelSelectorObject } from '../../../api/label-selector.js';
import { deepEqual } from '../../codec.js';
import { goField, goIntOrString, goLabelSelector, goPointer, goString, goStringMap, goStruct } from './go-value.js';
import {
  child,
  immutableSelector,
  intOrPercentValue,
  isNotMoreThan100Percent,
  isRec,
  nonNegative,
  num,
  rec,
  str,
  validateLabelSelector,
  validatePositiveIntOrPercent,
  type Rec,
} from './common.js';
import { validatePodTemplateSpec } from './pod.js';
import { validateAnnotations, validateLabels } from '../../object-meta.js';

type SelectorState = { kind: 'invalid' } | { kind: 'ok'; empty: boolean; matches: (labels: unknown) => boolean };

/** metav1.LabelSelectorAsSelector: nil → Nothing (not empty, matches nothing). */
function asSelector(selector: unknown): SelectorState {
  try {
    const sel = labelSelectorFromObject(isRec(selector) ? (selector as LabelSelectorObject) : undefined);
    return { kind: 'ok', empty: sel.empty, matches: (labels) => sel.matches(rec(labels) as Record<string, string>) };
  } catch {
    return { kind: 'invalid' };
  }
}

function templateLabels(spec: Rec): unknown {
  return rec(rec(spec.template).metadata).labels;
}

/** The selector-vs-template-labels check shared by every workload. */
function selectorMismatch(selector: SelectorState, spec: Rec, path: string): FieldError[] {
  if (selector.kind !== 'ok' || selector.empty || selector.matches(templateLabels(spec))) return [];
  const labels = templateLabels(spec);
  return [goField.invalid(child(path, 'template', 'metadata', 'labels'), labels, goStringMap(labels), '`selector` does not match template `labels`')];
}

/** spec.selector of apps/v1 kinds: required, valid, not empty. */
function requiredSelector(spec: Rec, path: string, kindName: string): FieldError[] {
  const at = child(path, 'selector');
  if (!isRec(spec.selector)) return [field.required(at)];
  const errs = validateLabelSelector(spec.selector, at);
  const sel = rec(spec.selector);
  if (Object.keys(rec(sel.matchLabels)).length + (Array.isArray(sel.matchExpressions) ? sel.matchExpressions.length : 0) === 0)
    errs.push(goField.invalid(at, spec.selector, goLabelSelector(spec.selector), `empty selector is invalid for ${kindName}`));
  return errs;
}

/** restartPolicy Always and no activeDeadlineSeconds in a replicated pod template. */
function alwaysRestart(spec: Rec, path: string, kindName: string): FieldError[] {
  const podSpec = rec(rec(spec.template).spec);
  const errs: FieldError[] = [];
  const restart = str(podSpec.restartPolicy) || 'Always'; // defaulted upstream
  if (restart !== 'Always') errs.push(field.notSupported(child(path, 'template', 'spec', 'restartPolicy'), restart, ['Always']));
  if (podSpec.activeDeadlineSeconds !== undefined && podSpec.activeDeadlineSeconds !== null)
    errs.push(field.forbidden(child(path, 'template', 'spec', 'activeDeadlineSeconds'), `activeDeadlineSeconds in ${kindName} is not Supported`));
  return errs;
}

/** ValidatePodTemplateSpecForReplicaSet (also used by Deployments; the template is a value, never missing). */
function templateForReplicaSet(spec: Rec, selector: SelectorState, path: string): FieldError[] {
  return [
    ...selectorMismatch(selector, spec, path),
    ...validatePodTemplateSpec(spec.template, child(path, 'template')),
    ...alwaysRestart(spec, path, 'ReplicaSet'),
  ];
}

/** ValidateReplicaSetSpec (and the selector part of ValidateDeploymentSpec). */
function replicaSetLike(spec: Rec, path: string): FieldError[] {
  const errs = [...requiredSelector(spec, path, 'deployment')];
  const selector = asSelector(spec.selector);
  if (selector.kind === 'invalid') errs.push(goField.invalid(child(path, 'selector'), spec.selector, goLabelSelector(spec.selector), 'invalid label selector'));
  else errs.push(...templateForReplicaSet(spec, selector, path));
  return errs;
}

function deploymentStrategy(strategy: unknown, path: string): FieldError[] {
  const s = rec(strategy);
  const type = str(s.type) || 'RollingUpdate'; // defaulted upstream, with rollingUpdate
  if (type === 'Recreate') {
    return isRec(s.rollingUpdate) ? [field.forbidden(child(path, 'rollingUpdate'), "may not be specified when strategy `type` is 'Recreate'")] : [];
  }
  if (type === 'RollingUpdate') {
    const rolling = rec(s.rollingUpdate);
    const at = child(path, 'rollingUpdate');
    const maxUnavailable = rolling.maxUnavailable ?? '25%';
    const maxSurge = rolling.maxSurge ?? '25%';
    const errs = [
      ...validatePositiveIntOrPercent(maxUnavailable, child(at, 'maxUnavailable')),
      ...validatePositiveIntOrPercent(maxSurge, child(at, 'maxSurge')),
    ];
    if (intOrPercentValue(maxUnavailable) === 0 && intOrPercentValue(maxSurge) === 0)
      errs.push(goField.invalid(child(at, 'maxUnavailable'), maxUnavailable, goIntOrString(maxUnavailable), 'may not be 0 when `maxSurge` is 0'));
    errs.push(...isNotMoreThan100Percent(maxUnavailable, child(at, 'maxUnavailable')));
    return errs;
  }
  const rendered = goStruct('apps.DeploymentStrategy', [['Type', goString(type)], ['RollingUpdate', goPointer('apps.RollingUpdateDeployment', s.rollingUpdate)]]);
  return [goField.notSupported(path, strategy, rendered, ['Recreate', 'RollingUpdate'])];
}

/** ValidateDeploymentSpec. */
function validateDeploymentSpec(spec: Rec): FieldError[] {
  const errs = [...nonNegative(spec.replicas, 'spec.replicas'), ...replicaSetLike(spec, 'spec')];
  errs.push(...deploymentStrategy(spec.strategy, 'spec.strategy'));
  errs.push(...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  errs.push(...nonNegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
  const pds = num(spec.progressDeadlineSeconds);
  if (pds !== undefined) {
    errs.push(...nonNegative(pds, 'spec.progressDeadlineSeconds'));
    if (pds <= (num(spec.minReadySeconds) ?? 0))
      errs.push(field.invalid('spec.progressDeadlineSeconds', pds, 'must be greater than minReadySeconds'));
  }
  return errs;
}

/** Deployment create and update rules. */
export const deploymentRules = {
  validate: (obj: Rec): FieldError[] => validateDeploymentSpec(rec(obj.spec)),
  validateUpdate: (obj: Rec, old: Rec): FieldError[] => [
    ...validateDeploymentSpec(rec(obj.spec)),
    ...immutableSelector(rec(obj.spec).selector, rec(old.spec).selector, 'spec.selector'),
  ],
};

function validateReplicaSetSpec(spec: Rec): FieldError[] {
  return [...nonNegative(spec.replicas, 'spec.replicas'), ...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds'), ...replicaSetLike(spec, 'spec')];
}

/** ReplicaSet create and update rules. */
export const replicaSetRules = {
  validate: (obj: Rec): FieldError[] => validateReplicaSetSpec(rec(obj.spec)),
  validateUpdate: (obj: Rec, old: Rec): FieldError[] => [
    ...validateReplicaSetSpec(rec(obj.spec)),
    ...immutableSelector(rec(obj.spec).selector, rec(old.spec).selector, 'spec.selector'),
  ],
};

function daemonSetStrategy(strategy: unknown, path: string): FieldError[] {
  const s = rec(strategy);
  const type = str(s.type) || 'RollingUpdate';
  if (type === 'OnDelete') return [];
  if (type !== 'RollingUpdate') {
    const rendered = goStruct('apps.DaemonSetUpdateStrategy', [['Type', goString(type)], ['RollingUpdate', goPointer('apps.RollingUpdateDaemonSet', s.rollingUpdate)]]);
    return [goField.notSupported(path, strategy, rendered, ['RollingUpdate', 'OnDelete'])];
  }
  const rolling = rec(s.rollingUpdate);
  const at = child(path, 'rollingUpdate');
  const maxUnavailable = rolling.maxUnavailable ?? 1;
  const maxSurge = rolling.maxSurge ?? 0;
  const errs = [
    ...validatePositiveIntOrPercent(maxUnavailable, child(at, 'maxUnavailable')),
    ...validatePositiveIntOrPercent(maxSurge, child(at, 'maxSurge')),
    ...isNotMoreThan100Percent(maxUnavailable, child(at, 'maxUnavailable')),
    ...isNotMoreThan100Percent(maxSurge, child(at, 'maxSurge')),
  ];
  const hasUnavailable = intOrPercentValue(maxUnavailable) !== 0;
  const hasSurge = intOrPercentValue(maxSurge) !== 0;
  if (hasUnavailable && hasSurge)
    errs.push(goField.invalid(child(at, 'maxSurge'), maxSurge, goIntOrString(maxSurge), 'may not be set when maxUnavailable is non-zero'));
  else if (!hasUnavailable && !hasSurge) errs.push(field.required(child(at, 'maxUnavailable'), 'cannot be 0 when maxSurge is 0'));
  return errs;
}

/** ValidateDaemonSetSpec. */
function validateDaemonSetSpec(spec: Rec): FieldError[] {
  const errs = validateLabelSelector(spec.selector, 'spec.selector');
  const selector = asSelector(spec.selector);
  if (selector.kind === 'ok' && !selector.matches(templateLabels(spec))) {
    const labels = templateLabels(spec);
    errs.push(goField.invalid('spec.template.metadata.labels', labels, goStringMap(labels), '`selector` does not match template `labels`'));
  }
  const sel = rec(spec.selector);
  if (isRec(spec.selector) && Object.keys(rec(sel.matchLabels)).length + (Array.isArray(sel.matchExpressions) ? sel.matchExpressions.length : 0) === 0)
    errs.push(goField.invalid('spec.selector', spec.selector, goLabelSelector(spec.selector), 'empty selector is invalid for daemonset'));
  errs.push(...validatePodTemplateSpec(spec.template, 'spec.template'));
  errs.push(...alwaysRestart(spec, 'spec', 'DaemonSet'));
  errs.push(...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  errs.push(...nonNegative(spec.templateGeneration, 'spec.templateGeneration'));
  errs.push(...daemonSetStrategy(spec.updateStrategy, 'spec.updateStrategy'));
  errs.push(...nonNegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
  return errs;
}

/** DaemonSet create and update rules. */
export const daemonSetRules = {
  validate: (obj: Rec): FieldError[] => validateDaemonSetSpec(rec(obj.spec)),
  validateUpdate: (obj: Rec, old: Rec): FieldError[] => [
    ...validateDaemonSetSpec(rec(obj.spec)),
    ...immutableSelector(rec(obj.spec).selector, rec(old.spec).selector, 'spec.selector'),
  ],
};

function statefulSetStrategy(strategy: unknown, path: string): FieldError[] {
  const s = rec(strategy);
  const type = str(s.type) || 'RollingUpdate'; // defaulted upstream
  const at = child(path, 'rollingUpdate');
  if (type === 'OnDelete') {
    if (!isRec(s.rollingUpdate)) return [];
    const rendered = goStruct('apps.RollingUpdateStatefulSetStrategy', [
      ['Partition', String(num(s.rollingUpdate.partition) ?? 0)],
      ['MaxUnavailable', goPointer('intstr.IntOrString', s.rollingUpdate.maxUnavailable)],
    ]);
    return [goField.invalid(at, s.rollingUpdate, rendered, "only allowed for updateStrategy 'RollingUpdate'")];
  }
  if (type !== 'RollingUpdate') {
    const rendered = goStruct('apps.StatefulSetUpdateStrategy', [
      ['Type', goString(type)],
      ['RollingUpdate', goPointer('apps.RollingUpdateStatefulSetStrategy', s.rollingUpdate)],
    ]);
    return [goField.invalid(path, strategy, rendered, "must be 'RollingUpdate' or 'OnDelete'")];
  }
  if (!isRec(s.rollingUpdate)) return [];
  const errs = nonNegative(s.rollingUpdate.partition, child(at, 'partition'));
  const maxUnavailable = s.rollingUpdate.maxUnavailable;
  if (maxUnavailable !== undefined && maxUnavailable !== null) {
    errs.push(...validatePositiveIntOrPercent(maxUnavailable, child(at, 'maxUnavailable')));
    if (intOrPercentValue(maxUnavailable) === 0) errs.push(goField.invalid(child(at, 'maxUnavailable'), maxUnavailable, goIntOrString(maxUnavailable), 'cannot be 0'));
    errs.push(...isNotMoreThan100Percent(maxUnavailable, child(at, 'maxUnavailable')));
  }
  return errs;
}

/** ValidateStatefulSetSpec (the pod template itself is checked only for labels, annotations and restart policy, as upstream). */
function validateStatefulSetSpec(spec: Rec): FieldError[] {
  const errs: FieldError[] = [];
  const policy = str(spec.podManagementPolicy) || 'OrderedReady'; // defaulted upstream
  if (policy !== 'OrderedReady' && policy !== 'Parallel')
    errs.push(field.invalid('spec.podManagementPolicy', policy, "must be 'OrderedReady' or 'Parallel'"));
  errs.push(...statefulSetStrategy(spec.updateStrategy, 'spec.updateStrategy'));
  const retention = rec(spec.persistentVolumeClaimRetentionPolicy);
  if (isRec(spec.persistentVolumeClaimRetentionPolicy))
    for (const when of ['whenDeleted', 'whenScaled']) {
      const value = str(retention[when]) || 'Retain';
      if (value !== 'Retain' && value !== 'Delete')
        errs.push(field.notSupported(`spec.persistentVolumeClaimRetentionPolicy.${when}`, value, ['Retain', 'Delete']));
    }
  errs.push(...nonNegative(spec.replicas, 'spec.replicas'), ...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  if (isRec(spec.ordinals)) errs.push(...nonNegative(spec.ordinals.start, 'spec.ordinals.start'));
  errs.push(...requiredSelector(spec, 'spec', 'statefulset'));
  const selector = asSelector(spec.selector);
  if (selector.kind === 'invalid') errs.push(goField.invalid('spec.selector', spec.selector, goLabelSelector(spec.selector), ''));
  else {
    errs.push(...selectorMismatch(selector, spec, 'spec'));
    const meta = rec(rec(spec.template).metadata);
    errs.push(...validateLabels(meta.labels as Record<string, string> | undefined, 'spec.template.labels'));
    errs.push(...validateAnnotations(meta.annotations as Record<string, string> | undefined, 'spec.template.annotations'));
  }
  errs.push(...alwaysRestart(spec, 'spec', 'StatefulSet'));
  return errs;
}

const STATEFULSET_MUTABLE = ['replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds'];

/** StatefulSet create and update rules. */
export const statefulSetRules = {
  validate: (obj: Rec): FieldError[] => validateStatefulSetSpec(rec(obj.spec)),
  validateUpdate: (obj: Rec, old: Rec): FieldError[] => {
    const spec = rec(obj.spec);
    const oldSpec = rec(old.spec);
    const errs = validateStatefulSetSpec(spec);
    const strip = (s: Rec): Rec => Object.fromEntries(Object.entries(s).filter(([k]) => !STATEFULSET_MUTABLE.includes(k)));
    if (!deepEqual(strip(spec), strip(oldSpec)))
      errs.push(
        field.forbidden(
          'spec',
          "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
        ),
      );
    return errs;
  },
};

/** ValidateReplicationControllerSpec (selector defaulted from template labels, as upstream's defaulting does). */
function validateReplicationControllerSpec(spec: Rec): FieldError[] {
  const errs = nonNegative(spec.minReadySeconds, 'spec.minReadySeconds');
  const selector = Object.keys(rec(spec.selector)).length ? rec(spec.selector) : rec(templateLabels(spec));
  if (Object.keys(selector).length === 0) errs.push(field.required('spec.selector'));
  errs.push(...nonNegative(spec.replicas, 'spec.replicas'));
  if (!isRec(spec.template)) return [...errs, field.required('spec.template')];
  const labels = rec(templateLabels(spec));
  if (Object.keys(selector).length && !Object.entries(selector).every(([k, v]) => labels[k] === v))
    errs.push(goField.invalid('spec.template.metadata.labels', templateLabels(spec), goStringMap(templateLabels(spec)), '`selector` does not match template `labels`'));
  errs.push(...validatePodTemplateSpec(spec.template, 'spec.template'));
  errs.push(...alwaysRestart(spec, 'spec', 'ReplicationController'));
  return errs;
}

/** ReplicationController create and update rules. */
export const replicationControllerRules = {
  validate: (obj: Rec): FieldError[] => validateReplicationControllerSpec(rec(obj.spec)),
  validateUpdate: (obj: Rec): FieldError[] => validateReplicationControllerSpec(rec(obj.spec)),
};
