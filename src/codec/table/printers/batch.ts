/**
 * Printers for jobs and cronjobs (upstream printJob, printCronJob): the job STATUS from its
 * conditions, COMPLETIONS as `succeeded/completions` (or `n/1 of p` for parallel work queues),
 * DURATION from start to completion (or to now), and the cronjob schedule columns.
 * Owns: these kinds' columns and cells. Must not: know HTTP, storage or other kinds.
 */
import { labelSelectorToString, type LabelSelectorObject } from '../../../api/label-selector.js';
import type { KubeObject } from '../../../api/types.js';
import { AGE, column, columns, CONTAINERS, IMAGES, integer, NAME, wide } from '../columns.js';
import { DOC } from '../descriptions.js';
import { age, humanDuration, layoutContainers, parseTime, printBool, since, type ContainerLike } from '../format.js';
import type { Printer, PrintContext } from '../types.js';

interface JobSpec {
  completions?: number;
  parallelism?: number;
  selector?: LabelSelectorObject;
  template?: { spec?: { containers?: ContainerLike[] } };
}

interface Job extends KubeObject {
  spec?: JobSpec;
  status?: {
    succeeded?: number;
    startTime?: string;
    completionTime?: string;
    conditions?: { type?: string; status?: string }[];
  };
}

interface CronJob extends KubeObject {
  spec?: { schedule?: string; timeZone?: string; suspend?: boolean; jobTemplate?: { spec?: JobSpec } };
  status?: { active?: unknown[]; lastScheduleTime?: string };
}

/** hasJobCondition: the first condition of that type decides. */
function hasCondition(job: Job, type: string): boolean {
  return (job.status?.conditions ?? []).find((c) => c.type === type)?.status === 'True';
}

/** The job STATUS cell, in upstream's order of precedence. */
function jobStatus(job: Job): string {
  if (hasCondition(job, 'Complete')) return 'Complete';
  if (hasCondition(job, 'Failed')) return 'Failed';
  if (job.metadata?.deletionTimestamp) return 'Terminating';
  if (hasCondition(job, 'Suspended')) return 'Suspended';
  if (hasCondition(job, 'FailureTarget')) return 'FailureTarget';
  return 'Running';
}

/** The COMPLETIONS cell. */
function completions(job: Job): string {
  const succeeded = job.status?.succeeded ?? 0;
  const want = job.spec?.completions;
  if (want !== undefined && want !== null) return `${succeeded}/${want}`;
  const parallelism = job.spec?.parallelism ?? 0;
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

/** The DURATION cell: empty before the job starts. */
function duration(job: Job, now: number): string {
  const start = parseTime(job.status?.startTime);
  if (start === undefined) return '';
  const end = parseTime(job.status?.completionTime);
  return end === undefined ? since(job.status?.startTime, now) : humanDuration(end - start);
}

/** jobs: Name, Status, Completions, Duration, Age; wide Containers, Images, Selector. */
export const jobPrinter: Printer = {
  columns: columns(
    NAME,
    column('Status', 'Status of the job.'),
    column('Completions', DOC.jobSucceeded),
    column('Duration', 'Time required to complete the job.'),
    AGE,
    CONTAINERS,
    IMAGES,
    wide('Selector', DOC.jobSelector),
  ),
  cells(obj: KubeObject, { now }: PrintContext): unknown[] {
    const job = obj as Job;
    const [names, images] = layoutContainers(job.spec?.template?.spec?.containers);
    return [
      job.metadata?.name ?? '',
      jobStatus(job),
      completions(job),
      duration(job, now),
      age(job, now),
      names,
      images,
      labelSelectorToString(job.spec?.selector),
    ];
  },
};

/**
 * cronjobs: Name, Schedule, Timezone, Suspend, Active, Last Schedule, Age; wide Containers,
 * Images, Selector. SUSPEND is a `True`/`False` string although the column says boolean, as
 * upstream; a missing spec.suspend reads as false (the defaulted value).
 */
export const cronJobPrinter: Printer = {
  columns: columns(
    NAME,
    column('Schedule', DOC.cronSchedule),
    column('Timezone', DOC.cronTimeZone),
    column('Suspend', DOC.cronSuspend, { type: 'boolean' }),
    integer('Active', DOC.cronActive),
    column('Last Schedule', DOC.cronLastSchedule),
    AGE,
    CONTAINERS,
    IMAGES,
    wide('Selector', DOC.jobSelector),
  ),
  cells(obj: KubeObject, { now }: PrintContext): unknown[] {
    const cj = obj as CronJob;
    const jobSpec = cj.spec?.jobTemplate?.spec;
    const [names, images] = layoutContainers(jobSpec?.template?.spec?.containers);
    const last = cj.status?.lastScheduleTime;
    return [
      cj.metadata?.name ?? '',
      cj.spec?.schedule ?? '',
      cj.spec?.timeZone ?? '<none>',
      printBool(cj.spec?.suspend ?? false),
      (cj.status?.active ?? []).length,
      last ? since(last, now) : '<none>',
      age(cj, now),
      names,
      images,
      labelSelectorToString(jobSpec?.selector),
    ];
  },
};
