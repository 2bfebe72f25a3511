/**
 * Strategies of workload kinds (apps/v1, batch/v1, autoscaling, policy, networking): they track
 * metadata.generation, and get the defaults a real cluster fills in (replicas, rollout
 * strategy, history limits, pod-template defaults).
 * Owns: those kinds' create/update hooks. Must not: do I/O.
 */
import { strategy, type Strategy } from '../strategy.js';
import { defaultTemplate, isObject, specOf } from './pod-defaults.js';
import type { KubeObject } from '../../api/types.js';

function defaultDeployment(obj: KubeObject): void {
  const spec = specOf(obj);
  spec.replicas ??= 1;
  if (!isObject(spec.strategy)) spec.strategy = {};
  const rollout = spec.strategy as Record<string, unknown>;
  rollout.type ??= 'RollingUpdate';
  if (rollout.type === 'RollingUpdate') {
    const rolling = isObject(rollout.rollingUpdate) ? rollout.rollingUpdate : (rollout.rollingUpdate = {});
    rolling.maxSurge ??= '25%';
    rolling.maxUnavailable ??= '25%';
  }
  spec.revisionHistoryLimit ??= 10;
  spec.progressDeadlineSeconds ??= 600;
  defaultTemplate(spec);
}

function defaultStatefulSet(obj: KubeObject): void {
  const spec = specOf(obj);
  spec.replicas ??= 1;
  spec.podManagementPolicy ??= 'OrderedReady';
  spec.revisionHistoryLimit ??= 10;
  if (!isObject(spec.updateStrategy)) spec.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { partition: 0 } };
  spec.persistentVolumeClaimRetentionPolicy ??= { whenDeleted: 'Retain', whenScaled: 'Retain' };
  defaultTemplate(spec);
}

function defaultDaemonSet(obj: KubeObject): void {
  const spec = specOf(obj);
  spec.revisionHistoryLimit ??= 10;
  if (!isObject(spec.updateStrategy))
    spec.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } };
  defaultTemplate(spec);
}

function defaultReplicaSet(obj: KubeObject): void {
  specOf(obj).replicas ??= 1;
  defaultTemplate(obj.spec);
}

function defaultJob(obj: KubeObject): void {
  const spec = specOf(obj);
  spec.parallelism ??= 1;
  spec.completions ??= 1;
  spec.backoffLimit ??= 6;
  spec.completionMode ??= 'NonIndexed';
  spec.suspend ??= false;
  if (isObject(spec.template) && isObject(spec.template.spec)) spec.template.spec.restartPolicy ??= 'Never';
  defaultTemplate(spec);
}

function defaultCronJob(obj: KubeObject): void {
  const spec = specOf(obj);
  spec.concurrencyPolicy ??= 'Allow';
  spec.suspend ??= false;
  spec.successfulJobsHistoryLimit ??= 3;
  spec.failedJobsHistoryLimit ??= 1;
  if (isObject(spec.jobTemplate)) {
    const jobSpec = isObject(spec.jobTemplate.spec) ? spec.jobTemplate.spec : {};
    jobSpec.backoffLimit ??= 6;
    jobSpec.completionMode ??= 'NonIndexed';
    defaultTemplate(jobSpec);
  }
}

/** A generation-tracking strategy whose defaults run on create and update. */
function workload(defaults: (obj: KubeObject) => void = () => {}): Strategy {
  return strategy({ tracksGeneration: true, prepareForCreate: defaults, prepareForUpdate: defaults });
}

/** Strategies of workload kinds by `group/plural`. */
export const workloadStrategies: Record<string, Strategy> = {
  'apps/deployments': workload(defaultDeployment),
  'apps/replicasets': workload(defaultReplicaSet),
  'apps/statefulsets': workload(defaultStatefulSet),
  'apps/daemonsets': workload(defaultDaemonSet),
  // batch/v1 Jobs orphan their pods unless the DELETE asks otherwise (upstream, for compatibility).
  'batch/jobs': { ...workload(defaultJob), defaultGarbageCollectionPolicy: 'Orphan' },
  'batch/cronjobs': workload(defaultCronJob),
  'autoscaling/horizontalpodautoscalers': workload(),
  'policy/poddisruptionbudgets': workload(),
  'networking.k8s.io/networkpolicies': workload(),
  'networking.k8s.io/ingresses': workload(),
  'apiextensions.k8s.io/customresourcedefinitions': workload(),
};
