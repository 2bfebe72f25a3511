/**
 * Printers for pods and podtemplates (upstream printPod, printPodTemplate). The pod STATUS cell
 * follows printPod's order of precedence: phase, then status.reason, then a SchedulingGated
 * condition, then the first unfinished init container (`Init:x/y`, `Init:<reason>`,
 * `Init:ExitCode:n`), then app containers from last to first (waiting reason, terminated reason,
 * `ExitCode:n`/`Signal:n`), `Completed` turned back into `Running`/`NotReady` while a container
 * still runs, and finally `Terminating` (or `Unknown` for NodeLost) once deletion has begun.
 * Owns: the pod and podtemplate columns and cells. Must not: know HTTP, storage or other kinds.
 */
import type { KubeObject } from '../../../api/types.js';
import { AGE, column, columns, NAME, wide } from '../columns.js';
import { DOC } from '../descriptions.js';
import { age, formatLabels, humanDuration, layoutContainers, parseTime, type ContainerLike } from '../format.js';
import type { Printer, PrintContext, TableRowCondition } from '../types.js';

interface ContainerState {
  waiting?: { reason?: string };
  running?: { startedAt?: string };
  terminated?: { exitCode?: number; signal?: number; reason?: string; finishedAt?: string };
}

interface ContainerStatus {
  name?: string;
  ready?: boolean;
  started?: boolean;
  restartCount?: number;
  state?: ContainerState;
  lastState?: ContainerState;
}

interface Container extends ContainerLike {
  restartPolicy?: string;
}

interface Pod extends KubeObject {
  spec?: {
    containers?: Container[];
    initContainers?: Container[];
    nodeName?: string;
    readinessGates?: { conditionType?: string }[];
  };
  status?: {
    phase?: string;
    reason?: string;
    podIP?: string;
    podIPs?: { ip?: string }[];
    nominatedNodeName?: string;
    conditions?: { type?: string; status?: string; reason?: string }[];
    initContainerStatuses?: ContainerStatus[];
    containerStatuses?: ContainerStatus[];
  };
}

interface PodTemplate extends KubeObject {
  template?: { metadata?: { labels?: Record<string, string> }; spec?: { containers?: ContainerLike[] } };
}

/** podutil.IsRestartableInitContainer: an init container with restartPolicy Always (a sidecar). */
function isRestartable(container: Container | undefined): boolean {
  return container?.restartPolicy === 'Always';
}

/** isPodInitializedConditionTrue: the first Initialized condition has status True. */
function initialized(pod: Pod): boolean {
  return (pod.status?.conditions ?? []).find((c) => c.type === 'Initialized')?.status === 'True';
}

/** hasPodReadyCondition: some Ready condition has status True. */
function podReady(pod: Pod): boolean {
  return (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

/** Restart count and latest restart time, summed over a set of container statuses. */
class Restarts {
  count = 0;
  last: number | undefined;
  add(status: ContainerStatus): void {
    this.count += status.restartCount ?? 0;
    const finished = status.lastState?.terminated ? parseTime(status.lastState.terminated.finishedAt) : undefined;
    if (finished !== undefined && (this.last === undefined || finished > this.last)) this.last = finished;
  }
}

/** The STATUS, READY and RESTARTS parts of a pod row. */
function podState(pod: Pod): { reason: string; ready: number; total: number; restarts: Restarts } {
  const phase = pod.status?.phase ?? '';
  let reason = pod.status?.reason || phase;
  for (const c of pod.status?.conditions ?? []) {
    if (c.type === 'PodScheduled' && c.reason === 'SchedulingGated') reason = 'SchedulingGated';
  }
  const initSpecs = new Map((pod.spec?.initContainers ?? []).map((c) => [c.name ?? '', c]));
  const total = (pod.spec?.containers ?? []).length + (pod.spec?.initContainers ?? []).filter(isRestartable).length;
  let ready = 0;
  const all = new Restarts();
  const sidecars = new Restarts();
  let initializing = false;
  const initStatuses = pod.status?.initContainerStatuses ?? [];
  for (let i = 0; i < initStatuses.length; i++) {
    const status = initStatuses[i]!;
    const restartable = isRestartable(initSpecs.get(status.name ?? ''));
    all.add(status);
    if (restartable) sidecars.add(status);
    const terminated = status.state?.terminated;
    const waiting = status.state?.waiting;
    if (terminated && (terminated.exitCode ?? 0) === 0) continue;
    if (restartable && status.started === true) {
      if (status.ready) ready++;
      continue;
    }
    if (terminated) {
      if (terminated.reason) reason = `Init:${terminated.reason}`;
      else if (terminated.signal) reason = `Init:Signal:${terminated.signal}`;
      else reason = `Init:ExitCode:${terminated.exitCode ?? 0}`;
    } else if (waiting?.reason && waiting.reason !== 'PodInitializing') {
      reason = `Init:${waiting.reason}`;
    } else {
      reason = `Init:${i}/${(pod.spec?.initContainers ?? []).length}`;
    }
    initializing = true;
    break;
  }
  let restarts = all;
  if (!initializing || initialized(pod)) {
    restarts = sidecars;
    let hasRunning = false;
    const statuses = pod.status?.containerStatuses ?? [];
    for (let i = statuses.length - 1; i >= 0; i--) {
      const status = statuses[i]!;
      restarts.add(status);
      const { waiting, terminated, running } = status.state ?? {};
      if (waiting?.reason) reason = waiting.reason;
      else if (terminated?.reason) reason = terminated.reason;
      else if (terminated) reason = terminated.signal ? `Signal:${terminated.signal}` : `ExitCode:${terminated.exitCode ?? 0}`;
      else if (status.ready && running) {
        hasRunning = true;
        ready++;
      }
    }
    if (reason === 'Completed' && hasRunning) reason = podReady(pod) ? 'Running' : 'NotReady';
  }
  if (pod.metadata?.deletionTimestamp && pod.status?.reason === 'NodeLost') reason = 'Unknown';
  else if (pod.metadata?.deletionTimestamp && phase !== 'Succeeded' && phase !== 'Failed') reason = 'Terminating';
  return { reason, ready, total, restarts };
}

/** The RESTARTS cell: `N`, or `N (<age> ago)` when a restart time is known. */
function restartsCell(restarts: Restarts, now: number): string {
  if (restarts.count === 0 || restarts.last === undefined) return String(restarts.count);
  return `${restarts.count} (${humanDuration(now - restarts.last)} ago)`;
}

/** The wide READINESS GATES cell: `true/total` over spec.readinessGates, `<none>` without gates. */
function readinessGates(pod: Pod): string {
  const gates = pod.spec?.readinessGates ?? [];
  if (gates.length === 0) return '<none>';
  const conditions = pod.status?.conditions ?? [];
  const met = gates.filter((g) => conditions.find((c) => c.type === g.conditionType)?.status === 'True').length;
  return `${met}/${gates.length}`;
}

const SUCCEEDED: TableRowCondition[] = [
  { type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' },
];
const FAILED: TableRowCondition[] = [{ type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' }];

/** pods: Name, Ready, Status, Restarts, Age; wide IP, Node, Nominated Node, Readiness Gates. */
export const podPrinter: Printer = {
  columns: columns(
    NAME,
    column('Ready', 'The aggregate readiness state of this pod for accepting traffic.'),
    column('Status', 'The aggregate status of the containers in this pod.'),
    column(
      'Restarts',
      'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.',
    ),
    AGE,
    wide('IP', DOC.podIP),
    wide('Node', DOC.nodeName),
    wide('Nominated Node', DOC.nominatedNodeName),
    wide('Readiness Gates', DOC.readinessGates),
  ),
  cells(obj: KubeObject, { now }: PrintContext): unknown[] {
    const pod = obj as Pod;
    const { reason, ready, total, restarts } = podState(pod);
    const podIP = pod.status?.podIPs?.[0]?.ip ?? pod.status?.podIP ?? '';
    return [
      pod.metadata?.name ?? '',
      `${ready}/${total}`,
      reason,
      restartsCell(restarts, now),
      age(pod, now),
      podIP || '<none>',
      pod.spec?.nodeName || '<none>',
      pod.status?.nominatedNodeName || '<none>',
      readinessGates(pod),
    ];
  },
  conditions(obj: KubeObject): TableRowCondition[] | undefined {
    const phase = (obj as Pod).status?.phase;
    return phase === 'Succeeded' ? SUCCEEDED : phase === 'Failed' ? FAILED : undefined;
  },
};

/** podtemplates: Name, Containers, Images, Pod Labels (no Age upstream). */
export const podTemplatePrinter: Printer = {
  columns: columns(
    NAME,
    column('Containers', 'Names of each container in the template.'),
    column('Images', 'Images referenced by each container in the template.'),
    column('Pod Labels', 'The labels for the pod template.'),
  ),
  cells(obj: KubeObject): unknown[] {
    const t = obj as PodTemplate;
    const [names, images] = layoutContainers(t.template?.spec?.containers);
    return [t.metadata?.name ?? '', names, images, formatLabels(t.template?.metadata?.labels)];
  },
};
