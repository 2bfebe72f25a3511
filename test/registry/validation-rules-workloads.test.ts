import t from 'tap';
import { invalid } from '../../src/api/errors.js';
import type { KubeObject } from '../../src/api/types.js';
import { rulesFor } from '../../src/registry/validation/rules/index.js';

type Obj = Record<string, unknown>;

/** The 422 message kube-apiserver answers for `obj`, or 'valid'. */
function check(kind: string, group: string, plural: string, obj: Obj, old?: Obj): string {
  const rules = rulesFor(group, plural);
  const errs = old ? rules.validateUpdate(obj as KubeObject, old as KubeObject) : rules.validate(obj as KubeObject);
  const name = String((obj.metadata as Obj | undefined)?.name ?? '');
  return errs.length ? invalid({ group, name: kind }, name, errs).message : 'valid';
}

const template = (labels: Obj | undefined, spec: Obj = {}): Obj => ({
  metadata: labels ? { labels } : {},
  spec: { containers: [{ name: 'web', image: 'nginx' }], ...spec },
});
const deployment = (spec: Obj): Obj => ({
  metadata: { name: 'web' },
  spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: template({ app: 'web' }), ...spec },
});

t.test('Deployment rules', async (t) => {
  const cases: [string, Obj, string][] = [
    ['a valid deployment', deployment({}), 'valid'],
    ['selector does not match template labels', deployment({ template: template({ app: 'x' }) }),
      'Deployment.apps "web" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{"app":"x"}: `selector` does not match template `labels`'],
    ['selector required (and then nothing matches)', deployment({ selector: undefined }),
      'Deployment.apps "web" is invalid: [spec.selector: Required value, spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`]'],
    ['template without labels', deployment({ template: template(undefined) }),
      'Deployment.apps "web" is invalid: spec.template.metadata.labels: Invalid value: map[string]string(nil): `selector` does not match template `labels`'],
    ['empty selector', deployment({ selector: {} }),
      'Deployment.apps "web" is invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment'],
    ['bad selector operator', deployment({ selector: { matchExpressions: [{ key: 'app', operator: 'Equals', values: ['web'] }] } }),
      'Deployment.apps "web" is invalid: [spec.selector.matchExpressions[0].operator: Invalid value: "Equals": not a valid selector operator, spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement{v1.LabelSelectorRequirement{Key:"app", Operator:"Equals", Values:[]string{"web"}}}}: invalid label selector]'],
    ['negative replicas', deployment({ replicas: -1 }), 'Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0'],
    ['template restartPolicy must be Always', deployment({ template: template({ app: 'web' }, { restartPolicy: 'OnFailure' }) }),
      'Deployment.apps "web" is invalid: spec.template.spec.restartPolicy: Unsupported value: "OnFailure": supported values: "Always"'],
    ['activeDeadlineSeconds not supported', deployment({ template: template({ app: 'web' }, { activeDeadlineSeconds: 5 }) }),
      'Deployment.apps "web" is invalid: spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in ReplicaSet is not Supported'],
    ['pod template errors have template paths', deployment({ template: template({ app: 'web' }, { containers: [{ name: 'web' }] }) }),
      'Deployment.apps "web" is invalid: spec.template.spec.containers[0].image: Required value'],
    ['strategy type', deployment({ strategy: { type: 'BlueGreen' } }),
      'Deployment.apps "web" is invalid: spec.strategy: Unsupported value: apps.DeploymentStrategy{Type:"BlueGreen", RollingUpdate:(*apps.RollingUpdateDeployment)(nil)}: supported values: "Recreate", "RollingUpdate"'],
    ['rollingUpdate with Recreate', deployment({ strategy: { type: 'Recreate', rollingUpdate: {} } }),
      "Deployment.apps \"web\" is invalid: spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'"],
    ['maxSurge and maxUnavailable both 0', deployment({ strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 0 } } }),
      'Deployment.apps "web" is invalid: spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:0, IntVal:0, StrVal:""}: may not be 0 when `maxSurge` is 0'],
    ['percent syntax', deployment({ strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25' } } }),
      "Deployment.apps \"web\" is invalid: spec.strategy.rollingUpdate.maxSurge: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:\"25\"}: a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')"],
    ['maxUnavailable above 100%', deployment({ strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '120%' } } }),
      'Deployment.apps "web" is invalid: spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"120%"}: must not be greater than 100%'],
    ['revisionHistoryLimit', deployment({ revisionHistoryLimit: -2 }),
      'Deployment.apps "web" is invalid: spec.revisionHistoryLimit: Invalid value: -2: must be greater than or equal to 0'],
    ['progressDeadlineSeconds > minReadySeconds', deployment({ minReadySeconds: 30, progressDeadlineSeconds: 30 }),
      'Deployment.apps "web" is invalid: spec.progressDeadlineSeconds: Invalid value: 30: must be greater than minReadySeconds'],
  ];
  for (const [name, obj, want] of cases) t.equal(check('Deployment', 'apps', 'deployments', obj, undefined), want, name);
});

t.test('Deployment update: spec.selector is immutable', async (t) => {
  const old = deployment({});
  t.equal(check('Deployment', 'apps', 'deployments', deployment({ replicas: 3 }), old), 'valid');
  t.equal(
    check('Deployment', 'apps', 'deployments', deployment({ selector: { matchLabels: { app: 'web', tier: 'fe' } }, template: template({ app: 'web', tier: 'fe' }) }), old),
    'Deployment.apps "web" is invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"web", "tier":"fe"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
  );
});

t.test('ReplicaSet, DaemonSet, StatefulSet, ReplicationController rules', async (t) => {
  const rs = { metadata: { name: 'rs' }, spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: template({ app: 'web' }) } };
  t.equal(check('ReplicaSet', 'apps', 'replicasets', rs), 'valid');
  t.equal(
    check('ReplicaSet', 'apps', 'replicasets', { ...rs, spec: { ...rs.spec, selector: { matchLabels: {} } } }),
    'ReplicaSet.apps "rs" is invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment',
  );
  const ds = { metadata: { name: 'ds' }, spec: { selector: { matchLabels: { app: 'web' } }, template: template({ app: 'web' }) } };
  t.equal(check('DaemonSet', 'apps', 'daemonsets', ds), 'valid');
  t.equal(
    check('DaemonSet', 'apps', 'daemonsets', { ...ds, spec: { ...ds.spec, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 0 } } } }),
    'DaemonSet.apps "ds" is invalid: spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: cannot be 0 when maxSurge is 0',
  );
  t.equal(
    check('DaemonSet', 'apps', 'daemonsets', { ...ds, spec: { ...ds.spec, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 1 } } } }),
    'DaemonSet.apps "ds" is invalid: spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: intstr.IntOrString{Type:0, IntVal:1, StrVal:""}: may not be set when maxUnavailable is non-zero',
  );
  t.equal(
    check('DaemonSet', 'apps', 'daemonsets', { ...ds, spec: { ...ds.spec, updateStrategy: { type: 'Always' } } }),
    'DaemonSet.apps "ds" is invalid: spec.updateStrategy: Unsupported value: apps.DaemonSetUpdateStrategy{Type:"Always", RollingUpdate:(*apps.RollingUpdateDaemonSet)(nil)}: supported values: "RollingUpdate", "OnDelete"',
  );
  const sts = { metadata: { name: 'db' }, spec: { serviceName: 'db', selector: { matchLabels: { app: 'db' } }, template: template({ app: 'db' }) } };
  t.equal(check('StatefulSet', 'apps', 'statefulsets', sts), 'valid');
  t.equal(
    check('StatefulSet', 'apps', 'statefulsets', { ...sts, spec: { ...sts.spec, podManagementPolicy: 'Random' } }),
    "StatefulSet.apps \"db\" is invalid: spec.podManagementPolicy: Invalid value: \"Random\": must be 'OrderedReady' or 'Parallel'",
  );
  t.equal(
    check('StatefulSet', 'apps', 'statefulsets', { ...sts, spec: { ...sts.spec, serviceName: 'other' } }, sts),
    "StatefulSet.apps \"db\" is invalid: spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
  );
  t.equal(check('StatefulSet', 'apps', 'statefulsets', { ...sts, spec: { ...sts.spec, replicas: 5 } }, sts), 'valid');
  const rc = { metadata: { name: 'rc' }, spec: { replicas: 1, template: template({ app: 'web' }) } };
  t.equal(check('ReplicationController', '', 'replicationcontrollers', rc), 'valid', 'selector defaults from template labels');
  t.equal(
    check('ReplicationController', '', 'replicationcontrollers', { ...rc, spec: { ...rc.spec, selector: { app: 'x' } } }),
    'ReplicationController "rc" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`',
  );
});

const job = (spec: Obj, name = 'pi'): Obj => ({ metadata: { name }, spec: { template: template(undefined, { restartPolicy: 'Never' }), ...spec } });

t.test('Job rules', async (t) => {
  const cases: [string, Obj, string][] = [
    ['a valid job', job({}), 'valid'],
    ['restartPolicy Always', job({ template: template(undefined, { restartPolicy: 'Always' }) }),
      'Job.batch "pi" is invalid: spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"'],
    ['restartPolicy unset', job({ template: template(undefined) }),
      'Job.batch "pi" is invalid: spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"'],
    ['negative counts', job({ completions: -1, parallelism: -2, backoffLimit: -3 }),
      'Job.batch "pi" is invalid: [spec.parallelism: Invalid value: -2: must be greater than or equal to 0, spec.completions: Invalid value: -1: must be greater than or equal to 0, spec.backoffLimit: Invalid value: -3: must be greater than or equal to 0]'],
    ['completionMode', job({ completionMode: 'Sequential' }),
      'Job.batch "pi" is invalid: spec.completionMode: Unsupported value: "Sequential": supported values: "NonIndexed", "Indexed"'],
    ['manual selector required', job({ manualSelector: true }), 'Job.batch "pi" is invalid: spec.selector: Required value'],
    ['selector must match', job({ manualSelector: true, selector: { matchLabels: { a: 'b' } } }),
      'Job.batch "pi" is invalid: spec.template.metadata.labels: Invalid value: map[string]string(nil): `selector` does not match template `labels`'],
    ['podFailurePolicy needs Never', job({ podFailurePolicy: { rules: [] }, template: template(undefined, { restartPolicy: 'OnFailure' }) }),
      'Job.batch "pi" is invalid: spec.template.spec.restartPolicy: Invalid value: "OnFailure": only "Never" is supported when podFailurePolicy is specified'],
  ];
  for (const [name, obj, want] of cases) t.equal(check('Job', 'batch', 'jobs', obj), want, name);
});

t.test('Job update: template, selector, completions are immutable', async (t) => {
  const old = job({ completions: 1, selector: { matchLabels: { 'controller-uid': 'u' } }, template: template({ 'controller-uid': 'u' }, { restartPolicy: 'Never' }) });
  const spec = old.spec as Obj;
  t.equal(check('Job', 'batch', 'jobs', job({ ...spec, parallelism: 3 }), old), 'valid');
  t.equal(check('Job', 'batch', 'jobs', job({ ...spec, completions: 2 }), old), 'Job.batch "pi" is invalid: spec.completions: Invalid value: 2: field is immutable');
  t.equal(
    check('Job', 'batch', 'jobs', job({ ...spec, template: template({ 'controller-uid': 'u' }, { restartPolicy: 'OnFailure' }) }), old),
    'Job.batch "pi" is invalid: spec.template: Invalid value: core.PodTemplateSpec{...}: field is immutable',
  );
});

const cron = (spec: Obj, name = 'tick'): Obj => ({
  metadata: { name },
  spec: { schedule: '*/5 * * * *', jobTemplate: { spec: { template: template(undefined, { restartPolicy: 'OnFailure' }) } }, ...spec },
});

t.test('CronJob rules', async (t) => {
  const cases: [string, Obj, string][] = [
    ['a valid cronjob', cron({}), 'valid'],
    ['descriptors', cron({ schedule: '@hourly' }), 'valid'],
    ['schedule required', cron({ schedule: '' }), 'CronJob.batch "tick" is invalid: spec.schedule: Required value'],
    ['field count', cron({ schedule: '* * * *' }), 'CronJob.batch "tick" is invalid: spec.schedule: Invalid value: "* * * *": expected exactly 5 fields, found 4: [* * * *]'],
    ['range', cron({ schedule: '0 25 * * *' }), 'CronJob.batch "tick" is invalid: spec.schedule: Invalid value: "0 25 * * *": end of range (25) above maximum (23): 25'],
    ['minimum', cron({ schedule: '0 0 0 * *' }), 'CronJob.batch "tick" is invalid: spec.schedule: Invalid value: "0 0 0 * *": beginning of range (0) below minimum (1): 0'],
    ['not a number', cron({ schedule: 'x * * * *' }),
      'CronJob.batch "tick" is invalid: spec.schedule: Invalid value: "x * * * *": failed to parse int from x: strconv.Atoi: parsing "x": invalid syntax'],
    ['descriptor', cron({ schedule: '@fortnightly' }), 'CronJob.batch "tick" is invalid: spec.schedule: Invalid value: "@fortnightly": unrecognized descriptor: @fortnightly'],
    ['@every', cron({ schedule: '@every 5x' }),
      'CronJob.batch "tick" is invalid: spec.schedule: Invalid value: "@every 5x": failed to parse duration @every 5x: time: unknown unit "x" in duration "5x"'],
    ['time zone', cron({ timeZone: 'Mars/Olympus' }), 'CronJob.batch "tick" is invalid: spec.timeZone: Invalid value: "Mars/Olympus": unknown time zone Mars/Olympus'],
    ['concurrencyPolicy', cron({ concurrencyPolicy: 'Never' }),
      'CronJob.batch "tick" is invalid: spec.concurrencyPolicy: Unsupported value: "Never": supported values: "Allow", "Forbid", "Replace"'],
    ['job template restartPolicy', cron({ jobTemplate: { spec: { template: template(undefined, { restartPolicy: 'Always' }) } } }),
      'CronJob.batch "tick" is invalid: spec.jobTemplate.spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"'],
    ['job template selector', cron({ jobTemplate: { spec: { selector: { matchLabels: { a: 'b' } }, template: template(undefined, { restartPolicy: 'Never' }) } } }),
      'CronJob.batch "tick" is invalid: spec.jobTemplate.spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"a":"b"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: `selector` will be auto-generated'],
    ['name length', cron({}, 'a'.repeat(53)), `CronJob.batch "${'a'.repeat(53)}" is invalid: metadata.name: Invalid value: "${'a'.repeat(53)}": must be no more than 52 characters`],
  ];
  for (const [name, obj, want] of cases) t.equal(check('CronJob', 'batch', 'cronjobs', obj), want, name);
});
