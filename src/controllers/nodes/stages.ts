/**
 * Pod lifecycle stages as data (kwok's Stage, reduced): the simulated kubelet takes the FIRST
 * stage whose selector matches a pod on a simulated node, waits its delay, then applies `next`:
 * a status template (`Running`, `Succeeded`, `Failed`) or a grace-0 delete.
 *
 *   { "name": "pod-ready", "selector": { "phases": ["Pending"], "deleting": false }, "next": { "phase": "Running" } }
 *
 * Selector fields all must hold: `phases` (status.phase in), `deleting` (deletionTimestamp
 * set?), `restartPolicies`, `annotations` (matchExpressions: In / NotIn / Exists / DoesNotExist).
 * Delay: `delayMs`, or the integer milliseconds in annotation `delayFromAnnotation` when present.
 * Log: a stage that starts or ends containers may say what they print (`log`, see
 * {@link StageLog}); pod-logs.ts turns it into `pods/log` output.
 * The default stages are default-stages.ts (pinned by a golden file); a user's replace them via
 * {@link loadStages} (ControllerSettings.podStages).
 * Owns: the stage format, validation and matching. Must not: write objects.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { StoredObject } from '../../api/types.js';

/** A kwok-style matchExpression over annotations. */
export interface AnnotationExpression {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
}

/** Which pods a stage applies to. */
export interface StageSelector {
  phases?: string[];
  deleting?: boolean;
  restartPolicies?: string[];
  annotations?: AnnotationExpression[];
}

/** What a stage does. */
export interface StageNext {
  /** Status template to write. */
  phase?: 'Running' | 'Succeeded' | 'Failed';
  /** Delete the pod with grace 0 (the node confirms a graceful deletion). */
  delete?: boolean;
}

/**
 * What the containers print once the stage has applied: `lines`, or the text of annotation
 * `fromAnnotation` (one line per `\n`; `<fromAnnotation>.<container>` wins for that container).
 * Line i is stamped i × interval after the stage applied (container start for Running, finish
 * for Succeeded/Failed); the interval is `intervalMs`, or the integer milliseconds of annotation
 * `intervalFromAnnotation`. `{{pod}}`, `{{namespace}}` and `{{container}}` are replaced.
 */
export interface StageLog {
  lines?: string[];
  fromAnnotation?: string;
  intervalMs?: number;
  intervalFromAnnotation?: string;
}

/** One lifecycle stage. */
export interface Stage {
  name: string;
  selector: StageSelector;
  delayMs?: number;
  delayFromAnnotation?: string;
  next: StageNext;
  log?: StageLog;
}

const OPERATORS = new Set(['In', 'NotIn', 'Exists', 'DoesNotExist']);
const PHASES = new Set(['Running', 'Succeeded', 'Failed']);

/** Checks a parsed stage list; throws a TypeError naming the first mistake. */
export function validateStages(value: unknown): Stage[] {
  if (!Array.isArray(value)) throw new TypeError('pod stages: expected a list of stages');
  return value.map((raw, i) => {
    const stage = raw as Partial<Stage>;
    const at = `pod stages[${i}]`;
    if (typeof stage?.name !== 'string' || !stage.name) throw new TypeError(`${at}: name is required`);
    if (typeof stage.selector !== 'object' || stage.selector === null) throw new TypeError(`${at}: selector is required`);
    for (const expr of stage.selector.annotations ?? [])
      if (!OPERATORS.has(expr.operator)) throw new TypeError(`${at}: unknown operator ${String(expr.operator)}`);
    const next = stage.next;
    if (!next || (!next.delete && !(next.phase && PHASES.has(next.phase))))
      throw new TypeError(`${at}: next needs delete: true or phase Running|Succeeded|Failed`);
    if (stage.delayMs !== undefined && !(Number.isFinite(stage.delayMs) && stage.delayMs >= 0))
      throw new TypeError(`${at}: delayMs must be a non-negative number`);
    if (stage.log !== undefined) {
      const log = stage.log;
      if (typeof log !== 'object' || log === null) throw new TypeError(`${at}: log must be an object`);
      if (log.lines !== undefined && !(Array.isArray(log.lines) && log.lines.every((l) => typeof l === 'string')))
        throw new TypeError(`${at}: log.lines must be an array of strings`);
      if (log.intervalMs !== undefined && !(Number.isFinite(log.intervalMs) && log.intervalMs >= 0))
        throw new TypeError(`${at}: log.intervalMs must be a non-negative number`);
      if (!next.phase) throw new TypeError(`${at}: log needs a stage that sets a phase`);
    }
    return stage as Stage;
  });
}

/** Reads and checks a stage file: a YAML or JSON list of stages. Throws (a TypeError for a bad stage) naming the mistake. */
export function loadStages(path: string): Stage[] {
  // YAML 1.2 reads JSON too.
  return validateStages(parseYaml(readFileSync(path, 'utf8')));
}

function expressionHolds(expr: AnnotationExpression, annotations: Readonly<Record<string, string>>): boolean {
  const value = annotations[expr.key];
  const values = expr.values ?? [];
  switch (expr.operator) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
  }
}

/** True when `pod` matches every field of `selector`. */
export function selectorMatches(selector: StageSelector, pod: StoredObject): boolean {
  const status = (pod.status ?? {}) as { phase?: string };
  const spec = (pod.spec ?? {}) as { restartPolicy?: string };
  if (selector.phases && !selector.phases.includes(status.phase ?? 'Pending')) return false;
  if (selector.deleting !== undefined && selector.deleting !== Boolean(pod.metadata.deletionTimestamp)) return false;
  if (selector.restartPolicies && !selector.restartPolicies.includes(spec.restartPolicy ?? 'Always')) return false;
  const annotations = pod.metadata.annotations ?? {};
  return (selector.annotations ?? []).every((expr) => expressionHolds(expr, annotations));
}

/** The first stage matching `pod`, if any. */
export function matchStage(stages: readonly Stage[], pod: StoredObject): Stage | undefined {
  return stages.find((stage) => selectorMatches(stage.selector, pod));
}

/** The delay of `stage` for `pod` in milliseconds. */
export function stageDelay(stage: Stage, pod: StoredObject): number {
  const fromAnnotation = stage.delayFromAnnotation ? pod.metadata.annotations?.[stage.delayFromAnnotation] : undefined;
  if (fromAnnotation !== undefined && /^\d+$/.test(fromAnnotation)) return Number(fromAnnotation);
  return stage.delayMs ?? 0;
}
