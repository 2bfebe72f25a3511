/**
 * batch/v1 Job and CronJob rules, after `pkg/apis/batch/validation/validation.go`: counts,
 * completion mode, the pod template with its OnFailure|Never restart policy, selectors,
 * immutable fields on update, and the CronJob schedule, time zone and job template.
 *
 * Upstream's Job strategy generates `spec.selector` (and template labels) unless
 * `manualSelector` is true, so a missing selector is only an error for manual selectors here;
 * a given selector must still match the template labels.
 * Owns: batch rules. Must not: default or mutate objects.
 */
import { field, type FieldError } from '../../../api/field-errors.js';
import { isDNS1123Label } from '../../../api/names.js';
import { deepEqual } from '../../codec.js';
import { goField, goLabelSelector, goStringMap } from './go-value.js';
import { child, IMMUTABLE, immutable, immutableSelector, isRec, nonNegative, num, rec, selectorMatches, str, validateLabelSelector, type Rec } from './common.js';
import { cronScheduleError, goTimeZoneError } from './cron.js';
import { validatePodTemplateSpec } from './pod.js';

const MAX_PARALLELISM_INDEXED = 100000;

/** validateJobSpec: the part shared by Jobs and CronJob job templates. */
function validateJobSpecCommon(spec: Rec, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const name of ['parallelism', 'completions', 'activeDeadlineSeconds', 'backoffLimit', 'ttlSecondsAfterFinished'])
    errs.push(...nonNegative(spec[name], child(path, name)));
  if (spec.completionMode !== undefined && spec.completionMode !== null) {
    const mode = str(spec.completionMode);
    if (mode !== 'NonIndexed' && mode !== 'Indexed') errs.push(field.notSupported(child(path, 'completionMode'), mode, ['NonIndexed', 'Indexed']));
    const parallelism = num(spec.parallelism);
    if (mode === 'Indexed' && parallelism !== undefined && parallelism > MAX_PARALLELISM_INDEXED)
      errs.push(field.invalid(child(path, 'parallelism'), parallelism, `must be less than or equal to ${MAX_PARALLELISM_INDEXED} when completion mode is Indexed`));
  }
  errs.push(...validatePodTemplateSpec(spec.template, child(path, 'template')));
  const restart = str(rec(rec(spec.template).spec).restartPolicy);
  const restartPath = child(path, 'template', 'spec', 'restartPolicy');
  if (restart === 'Always' || restart === '') errs.push(field.required(restartPath, 'valid values: "OnFailure", "Never"'));
  else if (restart !== 'OnFailure' && restart !== 'Never') errs.push(field.notSupported(restartPath, restart, ['OnFailure', 'Never']));
  else if (isRec(spec.podFailurePolicy) && restart !== 'Never')
    errs.push(field.invalid(restartPath, restart, 'only "Never" is supported when podFailurePolicy is specified'));
  return errs;
}

/** ValidateJobSpec: validateJobSpec plus the selector. */
function validateJobSpec(spec: Rec, path: string): FieldError[] {
  const errs = validateJobSpecCommon(spec, path);
  if (!isRec(spec.selector)) {
    if (spec.manualSelector === true) errs.push(field.required(child(path, 'selector')));
    return errs;
  }
  errs.push(...validateLabelSelector(spec.selector, child(path, 'selector')));
  const labels = rec(rec(spec.template).metadata).labels;
  if (selectorMatches(spec.selector, labels) === false)
    errs.push(goField.invalid(child(path, 'template', 'metadata', 'labels'), labels, goStringMap(labels), '`selector` does not match template `labels`'));
  return errs;
}

function validateJob(job: Rec): FieldError[] {
  const spec = rec(job.spec);
  const errs = validateJobSpec(spec, 'spec');
  const completions = num(spec.completions);
  const name = str(rec(job.metadata).name);
  if (spec.completionMode === 'Indexed' && completions !== undefined && completions > 0 && name) {
    const hostname = `${name}-${completions - 1}`;
    if (isDNS1123Label(hostname).length > 0)
      errs.push(field.invalid('metadata.name', name, `will not able to create pod with invalid DNS label: ${hostname}`));
  }
  return errs;
}

/** Template fields a suspended Job that never started may change (mutable scheduling directives). */
const SCHEDULING_DIRECTIVES = ['nodeSelector', 'tolerations', 'affinity', 'schedulingGates'];

function templateUpdate(job: Rec, old: Rec): FieldError[] {
  const template = rec(rec(job.spec).template);
  let oldTemplate = rec(rec(old.spec).template);
  if (rec(old.spec).suspend === true && rec(old.status).startTime === undefined) {
    const spec = { ...rec(oldTemplate.spec) };
    for (const name of SCHEDULING_DIRECTIVES) {
      if (rec(template.spec)[name] === undefined) delete spec[name];
      else spec[name] = rec(template.spec)[name];
    }
    const meta = { ...rec(oldTemplate.metadata), labels: rec(template.metadata).labels, annotations: rec(template.metadata).annotations };
    oldTemplate = { ...oldTemplate, metadata: meta, spec };
  }
  if (deepEqual(template, oldTemplate)) return [];
  // Upstream prints the whole core.PodTemplateSpec with %#v; kubemu prints its type only.
  return [goField.invalid('spec.template', template, 'core.PodTemplateSpec{...}', IMMUTABLE)];
}

function validateJobUpdate(job: Rec, old: Rec): FieldError[] {
  const spec = rec(job.spec);
  const oldSpec = rec(old.spec);
  const errs = validateJobSpec(spec, 'spec');
  const elastic = spec.completionMode === 'Indexed' && num(spec.completions) === num(spec.parallelism);
  if (!elastic) errs.push(...immutable(spec.completions, oldSpec.completions, 'spec.completions'));
  errs.push(...immutableSelector(spec.selector, oldSpec.selector, 'spec.selector'));
  errs.push(...templateUpdate(job, old));
  errs.push(...immutable(spec.completionMode, oldSpec.completionMode, 'spec.completionMode'));
  if (!deepEqual(spec.podFailurePolicy ?? null, oldSpec.podFailurePolicy ?? null))
    errs.push(goField.invalid('spec.podFailurePolicy', spec.podFailurePolicy, 'batch.PodFailurePolicy{...}', IMMUTABLE));
  return errs;
}

/** Job create and update rules. */
export const jobRules = {
  validate: validateJob,
  validateUpdate: validateJobUpdate,
};

const CONCURRENCY = ['Allow', 'Forbid', 'Replace'];

/** validateCronJobSpec; `oldSpec` only decides whether timeZone is re-validated. */
function validateCronJobSpec(spec: Rec, oldSpec: Rec | undefined): FieldError[] {
  const errs: FieldError[] = [];
  const schedule = str(spec.schedule);
  if (!schedule) errs.push(field.required('spec.schedule'));
  else {
    const err = cronScheduleError(schedule);
    if (err) errs.push(field.invalid('spec.schedule', schedule, err));
    if (schedule.includes('TZ') && typeof spec.timeZone === 'string')
      errs.push(field.invalid('spec.schedule', schedule, 'cannot use both timeZone field and TZ or CRON_TZ in schedule'));
  }
  errs.push(...nonNegative(spec.startingDeadlineSeconds, 'spec.startingDeadlineSeconds'));
  if (typeof spec.timeZone === 'string' && (!oldSpec || oldSpec.timeZone !== spec.timeZone)) {
    const tz = spec.timeZone;
    if (tz === '') errs.push(field.invalid('spec.timeZone', tz, 'timeZone must be nil or non-empty string'));
    else {
      if (tz.toLowerCase() === 'local')
        errs.push(field.invalid('spec.timeZone', tz, 'timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones'));
      const err = goTimeZoneError(tz);
      if (err) errs.push(field.invalid('spec.timeZone', tz, err));
    }
  }
  const concurrency = str(spec.concurrencyPolicy) || 'Allow'; // defaulted upstream
  if (!CONCURRENCY.includes(concurrency)) errs.push(field.notSupported('spec.concurrencyPolicy', concurrency, CONCURRENCY));
  const jobSpec = rec(rec(spec.jobTemplate).spec);
  errs.push(...validateJobSpecCommon(jobSpec, 'spec.jobTemplate.spec'));
  if (isRec(jobSpec.selector))
    errs.push(goField.invalid('spec.jobTemplate.spec.selector', jobSpec.selector, goLabelSelector(jobSpec.selector), '`selector` will be auto-generated'));
  if (jobSpec.manualSelector === true) errs.push(field.notSupported('spec.jobTemplate.spec.manualSelector', true, ['nil', 'false']));
  errs.push(...nonNegative(spec.successfulJobsHistoryLimit, 'spec.successfulJobsHistoryLimit'));
  errs.push(...nonNegative(spec.failedJobsHistoryLimit, 'spec.failedJobsHistoryLimit'));
  return errs;
}

/** CronJob create and update rules. */
export const cronJobRules = {
  validate(obj: Rec): FieldError[] {
    const errs = validateCronJobSpec(rec(obj.spec), undefined);
    const name = str(rec(obj.metadata).name);
    if (name.length > 52) errs.push(field.invalid('metadata.name', name, 'must be no more than 52 characters'));
    return errs;
  },
  validateUpdate: (obj: Rec, old: Rec): FieldError[] => validateCronJobSpec(rec(obj.spec), rec(old.spec)),
};
