/**
 * The scheduler (kube-scheduler's default profile, reduced to its filters): binds each pending
 * pod of `schedulerName: default-scheduler` that has no `spec.nodeName` (and no scheduling
 * gates) to the least-loaded node that passes fit.ts (the bind sets condition PodScheduled True)
 * and records `Scheduled` (`Successfully assigned <ns>/<pod> to <node>`). A pod no node takes gets
 * PodScheduled False `Unschedulable` with upstream's FitError text and a `FailedScheduling`
 * Warning, and is tried again when nodes or bound pods change (and every 15 s).
 *
 * Binding: a v1 Binding POSTed to `pods/<name>/binding`, which sets `spec.nodeName` and
 * PodScheduled True in one write. What each node's pods request is a running total
 * (node-usage.ts) kept from pod events; pods bound here but not yet seen bound through the
 * informer are "assumed" (upstream's assume cache), so their requests count at once.
 * Owns: picking and binding nodes. Must not: change pod status beyond PodScheduled.
 */
import { StatusError } from '../../api/errors.js';
import type { StoredObject } from '../../api/types.js';
import { RESOURCES, type Client } from '../../client/types.js';
import type { ControllerContext, ControllerDefinition, EventRecorder, Informer, Reconciler, Result } from '../runtime/index.js';
import { keyOf } from '../runtime/index.js';
import { misfit, podRequests, unschedulableMessage, type Misfit } from './fit.js';
import { isTerminal, NodeUsage } from './node-usage.js';
import { now } from './node-objects.js';

const RETRY_MS = 15_000;

type Rec = Record<string, unknown>;
const rec = (v: unknown): Rec => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Rec) : {});

/** Index of pods by `spec.nodeName`. */
export const byNodeName = (obj: StoredObject): string[] => {
  const name = rec(obj.spec).nodeName;
  return typeof name === 'string' && name ? [name] : [];
};

function conditionOf(pod: StoredObject, type: string): Rec | undefined {
  const list = rec(pod.status).conditions;
  return Array.isArray(list) ? (list.map(rec).find((c) => c.type === type)) : undefined;
}

/** The merge patch of status setting condition `condition` (others kept). */
function withCondition(pod: StoredObject, condition: Rec): Rec {
  const list = Array.isArray(rec(pod.status).conditions) ? (rec(pod.status).conditions as unknown[]).map(rec) : [];
  return { status: { conditions: [...list.filter((c) => c.type !== condition.type), condition] } };
}

/** Schedules pods; see the module comment. */
export class SchedulerReconciler implements Reconciler {
  readonly #client: Client;
  readonly #recorder: EventRecorder;
  readonly #pods: Informer;
  readonly #nodes: Informer;
  /** What the pods of each node request, including the assumed ones. */
  readonly usage = new NodeUsage();
  /** Keys of pods that did not fit, retried when the cluster changes. */
  readonly unschedulable = new Set<string>();

  constructor(ctx: ControllerContext, pods: Informer, nodes: Informer) {
    this.#client = ctx.client;
    this.#recorder = ctx.recorder;
    this.#pods = pods;
    this.#nodes = nodes;
  }

  async reconcile(key: string): Promise<Result | void> {
    const pod = this.#pods.get(key);
    this.unschedulable.delete(key);
    if (!pod || byNodeName(pod).length || pod.metadata.deletionTimestamp || isTerminal(pod)) return;
    const spec = rec(pod.spec);
    if ((spec.schedulerName ?? 'default-scheduler') !== 'default-scheduler') return;
    if (Array.isArray(spec.schedulingGates) && spec.schedulingGates.length) return;
    if (this.usage.isAssumed(key, pod.metadata.uid)) return;
    const nodes = this.#nodes.list().filter((n) => !n.metadata.deletionTimestamp);
    const requests = podRequests(pod);
    const misfits: Misfit[] = [];
    let best: { node: StoredObject; load: number } | undefined;
    for (const node of nodes) {
      const used = this.usage.used(node.metadata.name);
      const why = misfit(pod, node, used, requests);
      if (why) misfits.push(why);
      else if (!best || (used.get('pods') ?? 0) < best.load) best = { node, load: used.get('pods') ?? 0 };
    }
    if (best) return this.#bind(key, pod, best.node.metadata.name);
    this.unschedulable.add(key);
    await this.#reportUnschedulable(pod, unschedulableMessage(nodes.length, misfits));
    return { requeueAfter: RETRY_MS };
  }

  async #bind(key: string, pod: StoredObject, node: string): Promise<void> {
    const { namespace, name } = pod.metadata;
    const binding = { apiVersion: 'v1', kind: 'Binding', metadata: { name, namespace }, target: { apiVersion: 'v1', kind: 'Node', name: node } };
    // Counted before the write, so a concurrent decision sees it; taken back if the bind fails.
    this.usage.assume(key, pod, node);
    try {
      await this.#client.create(RESOURCES.pods, binding, { namespace, subresource: 'binding' });
    } catch (err) {
      if (this.usage.isAssumed(key, pod.metadata.uid)) this.usage.forget(key);
      if (err instanceof StatusError && (err.code === 404 || err.code === 409)) return;
      throw err;
    }
    this.#recorder.event(pod, 'Normal', 'Scheduled', `Successfully assigned ${namespace}/${name} to ${node}`);
  }

  async #reportUnschedulable(pod: StoredObject, message: string): Promise<void> {
    const current = conditionOf(pod, 'PodScheduled');
    if (current?.status === 'False' && current.reason === 'Unschedulable' && current.message === message) return;
    const condition = { type: 'PodScheduled', status: 'False', lastProbeTime: null, lastTransitionTime: now(), reason: 'Unschedulable', message };
    const { namespace, name } = pod.metadata;
    try {
      await this.#client.patch(RESOURCES.pods, name, { type: 'merge', patch: withCondition(pod, condition) }, { namespace, subresource: 'status' });
    } catch (err) {
      if (err instanceof StatusError && err.code === 404) return;
      throw err;
    }
    this.#recorder.event(pod, 'Warning', 'FailedScheduling', message);
  }
}

/** The scheduler's controller definition. */
export function schedulerController(): ControllerDefinition {
  return {
    name: 'default-scheduler',
    // A decision and its assumption happen without an await between them, so binds may overlap.
    workers: 8,
    setup(ctx) {
      const pods = ctx.informers.informer(RESOURCES.pods);
      const nodes = ctx.informers.informer(RESOURCES.nodes);
      const reconciler = new SchedulerReconciler(ctx, pods, nodes);
      // Registered before the controller's own handler: totals are current when a key is reconciled.
      pods.addEventHandler({
        add: (pod) => reconciler.usage.observe(keyOf(pod), pod),
        update: (_old, pod) => reconciler.usage.observe(keyOf(pod), pod),
        delete: (pod) => reconciler.usage.forget(keyOf(pod)),
      });
      const retry = () => [...reconciler.unschedulable];
      const podKeys = (pod: StoredObject) => (byNodeName(pod).length ? retry() : [keyOf(pod)]);
      return { reconciler, sources: [{ informer: pods, map: podKeys }, { informer: nodes, map: retry }] };
    },
  };
}
