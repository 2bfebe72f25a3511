/**
 * What a container on a simulated node has printed: the `log` of each stage the pod has been
 * through (stages.ts StageLog), stamped from the container's start (Running stage) or finish
 * (Succeeded/Failed stage), cut at the container's finish. Line i of a stage appears at
 * `start + i × interval`, so a followed log grows while the pod runs.
 *
 *   annotations: { kubemu.dev/log: "hello\nworld", kubemu.dev/log-interval-ms: "1000" }
 *   started 12:00:00 → 12:00:00 hello, 12:00:01 world
 *
 * Owns: the log model of simulated containers. Must not: do I/O or know HTTP.
 */
import type { StoredObject } from '../../api/types.js';
import type { Stage, StageLog } from './stages.js';
import { selectorMatches } from './stages.js';

/** One printed line: when (epoch ms) and what (without the newline). */
export interface LogLine {
  at: number;
  text: string;
}

/** A container's state as its status tells it. */
export interface ContainerLog {
  state: 'waiting' | 'running' | 'terminated';
  /** Why it waits (`ContainerCreating`). */
  reason?: string;
  /** Every line the container prints over its life, in time order (some maybe in the future). */
  lines: LogLine[];
  /** When it stopped, for terminated containers. */
  finishedAt?: number;
}

type Rec = Record<string, unknown>;
const rec = (v: unknown): Rec => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Rec) : {});

function statusOf(pod: StoredObject, container: string): Rec | undefined {
  const status = rec(pod.status);
  for (const key of ['containerStatuses', 'initContainerStatuses', 'ephemeralContainerStatuses']) {
    const found = (Array.isArray(status[key]) ? (status[key] as Rec[]) : []).find((s) => s.name === container);
    if (found) return found;
  }
  return undefined;
}

function linesOf(log: StageLog, pod: StoredObject, container: string): string[] {
  const annotations = pod.metadata.annotations ?? {};
  let lines = log.lines ?? [];
  if (log.fromAnnotation) {
    const text = annotations[`${log.fromAnnotation}.${container}`] ?? annotations[log.fromAnnotation];
    if (text === undefined) return [];
    lines = text.split('\n');
    if (lines.at(-1) === '') lines.pop();
  }
  const fill = (line: string) =>
    line.replaceAll('{{pod}}', pod.metadata.name).replaceAll('{{namespace}}', pod.metadata.namespace ?? '').replaceAll('{{container}}', container);
  return lines.map(fill);
}

function intervalOf(log: StageLog, pod: StoredObject): number {
  const fromAnnotation = log.intervalFromAnnotation ? pod.metadata.annotations?.[log.intervalFromAnnotation] : undefined;
  if (fromAnnotation !== undefined && /^\d+$/.test(fromAnnotation)) return Number(fromAnnotation);
  return log.intervalMs ?? 0;
}

/** Phases a pod in `phase` has passed through. */
function reached(phase: string): Set<string> {
  if (phase === 'Running') return new Set(['Running']);
  if (phase === 'Succeeded' || phase === 'Failed') return new Set(['Running', phase]);
  return new Set();
}

/** The log of `container` of `pod` under `stages`. */
export function containerLog(stages: readonly Stage[], pod: StoredObject, container: string): ContainerLog {
  const status = statusOf(pod, container);
  const state = rec(status?.state);
  const running = rec(state.running);
  const terminated = rec(state.terminated);
  if (!status || (!('startedAt' in running) && !('exitCode' in terminated))) {
    const reason = String(rec(state.waiting).reason ?? 'ContainerCreating');
    return { state: 'waiting', reason, lines: [] };
  }
  const startedAt = Date.parse(String(running.startedAt ?? terminated.startedAt ?? '')) || Date.now();
  const finishedAt = 'exitCode' in terminated ? Date.parse(String(terminated.finishedAt ?? '')) || startedAt : undefined;
  const phases = reached(String(rec(pod.status).phase ?? 'Pending'));
  const lines: LogLine[] = [];
  for (const stage of stages) {
    const phase = stage.next.phase;
    if (!stage.log || !phase || !phases.has(phase)) continue;
    // Which stage brought the pod here is decided by the stage's own conditions, not by its phase filter.
    if (!selectorMatches({ ...stage.selector, phases: undefined, deleting: undefined }, pod)) continue;
    const from = phase === 'Running' ? startedAt : (finishedAt ?? startedAt);
    const interval = intervalOf(stage.log, pod);
    linesOf(stage.log, pod, container).forEach((text, i) => lines.push({ at: from + i * interval, text }));
  }
  lines.sort((a, b) => a.at - b.at);
  const kept = finishedAt === undefined ? lines : lines.filter((l) => l.at <= Math.max(finishedAt, startedAt));
  return finishedAt === undefined ? { state: 'running', lines: kept } : { state: 'terminated', lines: kept, finishedAt };
}

/** `2026-11-26T20:28:19.000000000Z`: the kubelet's fixed-width RFC 3339 timestamp. */
export function logTimestamp(at: number): string {
  const iso = new Date(at).toISOString(); // ...SS.mmmZ
  return `${iso.slice(0, 23)}000000Z`;
}
