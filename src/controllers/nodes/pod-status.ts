/**
 * The status a kubelet would post for a pod in each phase a stage names: Running (all
 * containers running and ready, init containers completed, conditions PodReadyToStartContainers,
 * Initialized, Ready, ContainersReady, PodScheduled True), Succeeded and Failed (containers
 * terminated with the exit code of `kubemu.dev/exit`). IDs are stable hashes, so a re-run
 * writes the same status.
 * Owns: status templates. Must not: decide when a pod changes phase.
 */
import { createHash } from 'node:crypto';
import type { StoredObject } from '../../api/types.js';
import { EXIT_ANNOTATION } from './default-stages.js';

type Rec = Record<string, unknown>;
const rec = (v: unknown): Rec => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Rec) : {});
const arr = (v: unknown): Rec[] => (Array.isArray(v) ? v.map(rec) : []);

const hash = (text: string) => createHash('sha256').update(text).digest('hex');

/** Where the pod runs. */
export interface Placement {
  hostIP: string;
  podIP: string;
  at: string;
}

function condition(type: string, status: string, at: string, reason?: string): Rec {
  return { type, status, lastProbeTime: null, lastTransitionTime: at, ...(reason ? { reason } : {}) };
}

function imageID(image: string): string {
  const repo = image.includes('/') ? image : `docker.io/library/${image}`;
  return `${repo.replace(/:[^/:@]*$/, '')}@sha256:${hash(image)}`;
}

function containerStatus(pod: StoredObject, c: Rec, state: Rec, ready: boolean): Rec {
  const name = String(c.name ?? '');
  const image = String(c.image ?? '');
  return {
    name,
    image,
    imageID: imageID(image),
    containerID: `kubemu://${hash(`${pod.metadata.uid}/${name}`)}`,
    ready,
    started: 'running' in state,
    restartCount: 0,
    state,
    lastState: {},
  };
}

/** The status of `pod` in `phase`, placed by `where` (startTime kept if already set). */
export function podStatus(pod: StoredObject, phase: 'Running' | 'Succeeded' | 'Failed', where: Placement): Rec {
  const spec = rec(pod.spec);
  const old = rec(pod.status);
  const startTime = typeof old.startTime === 'string' ? old.startTime : where.at;
  const running = phase === 'Running';
  const exitCode = phase === 'Succeeded' ? 0 : Number(pod.metadata.annotations?.[EXIT_ANNOTATION] ?? 1) || 1;
  const state: Rec = running
    ? { running: { startedAt: startTime } }
    : { terminated: { exitCode, reason: exitCode === 0 ? 'Completed' : 'Error', startedAt: startTime, finishedAt: where.at, containerID: '' } };
  const notReady = phase === 'Succeeded' ? 'PodCompleted' : 'PodFailed';
  const readyStatus = running ? 'True' : 'False';
  const scheduled = arr(old.conditions).find((c) => c.type === 'PodScheduled') ?? condition('PodScheduled', 'True', startTime);
  const containerStatuses = arr(spec.containers).map((c) => {
    const status = containerStatus(pod, c, state, running);
    const terminated = rec(rec(status.state).terminated);
    if ('exitCode' in terminated) terminated.containerID = status.containerID;
    return status;
  });
  const initContainerStatuses = arr(spec.initContainers).map((c) => {
    const status = containerStatus(pod, c, {}, true);
    status.state = { terminated: { exitCode: 0, reason: 'Completed', startedAt: startTime, finishedAt: startTime, containerID: status.containerID } };
    return status;
  });
  return {
    phase,
    conditions: [
      condition('PodReadyToStartContainers', running ? 'True' : 'False', startTime),
      condition('Initialized', 'True', startTime),
      condition('Ready', readyStatus, where.at, running ? undefined : notReady),
      condition('ContainersReady', readyStatus, where.at, running ? undefined : notReady),
      scheduled,
    ],
    hostIP: where.hostIP,
    hostIPs: [{ ip: where.hostIP }],
    podIP: where.podIP,
    podIPs: [{ ip: where.podIP }],
    startTime,
    ...(initContainerStatuses.length ? { initContainerStatuses } : {}),
    containerStatuses,
    qosClass: old.qosClass ?? 'BestEffort',
  };
}
