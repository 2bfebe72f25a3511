/**
 * The simulated kubelet: for every pod bound to a simulated node, applies the lifecycle stages
 * (stages.ts) — writes the status template of the matching stage through `pods/status`, or
 * confirms a graceful deletion with a grace-0 delete. Pod IPs come from the node's pod CIDR
 * (10.244.<i>.2 upwards), the lowest one no live pod of the node holds (pod-ips.ts).
 * Owns: the status of pods on simulated nodes. Must not: bind pods or touch other nodes' pods.
 */
import { StatusError } from '../../api/errors.js';
import type { StoredObject } from '../../api/types.js';
import { RESOURCES, type Client } from '../../client/types.js';
import type { ControllerDefinition, Informer, Reconciler, Result } from '../runtime/index.js';
import { keyOf } from '../runtime/index.js';
import { isSimulated, nodeIndex, nodeIP, now } from './node-objects.js';
import { PodIPs } from './pod-ips.js';
import { podStatus } from './pod-status.js';
import { byNodeName } from './scheduler.js';
import { matchStage, stageDelay, type Stage } from './stages.js';

/** Applies stages to pods; see the module comment. */
export class KubeletReconciler implements Reconciler {
  readonly #client: Client;
  readonly #pods: Informer;
  readonly #nodes: Informer;
  readonly #stages: readonly Stage[];
  /** Pod key → the stage it waits in and since when (one record per live pod: dropped when it is gone). */
  readonly #waiting = new Map<string, { uid: string; stage: string; since: number }>();
  /** Pod addresses per node (released when the pod is gone). */
  readonly #ips: PodIPs;

  constructor(client: Client, pods: Informer, nodes: Informer, stages: readonly Stage[]) {
    this.#client = client;
    this.#pods = pods;
    this.#nodes = nodes;
    this.#stages = stages;
    this.#ips = new PodIPs((node) => pods.byIndex('nodeName', node));
  }

  async reconcile(key: string): Promise<Result | void> {
    const pod = this.#pods.get(key);
    const nodeName = pod ? byNodeName(pod)[0] : undefined;
    const node = nodeName ? this.#nodes.get(nodeName) : undefined;
    const stage = pod && node && isSimulated(node) ? matchStage(this.#stages, pod) : undefined;
    if (!pod || !stage) {
      // Gone, moved off a simulated node, or in no stage: nothing to wait for, no IP to hold.
      this.#waiting.delete(key);
      if (!pod || this.#ips.holder(key) !== pod.metadata.uid) this.#ips.release(key);
      return;
    }
    const uid = pod.metadata.uid;
    let waiting = this.#waiting.get(key);
    if (!waiting || waiting.uid !== uid || waiting.stage !== stage.name) this.#waiting.set(key, (waiting = { uid, stage: stage.name, since: Date.now() }));
    const wait = waiting.since + stageDelay(stage, pod) - Date.now();
    if (wait > 0) return { requeueAfter: wait };
    this.#waiting.delete(key);
    const { namespace, name } = pod.metadata;
    try {
      if (stage.next.delete) {
        this.#ips.release(key);
        await this.#client.delete(RESOURCES.pods, name, { namespace, gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } });
        return;
      }
      const index = nodeIndex(nodeName!) ?? 0;
      const status = podStatus(pod, stage.next.phase!, { hostIP: nodeIP(index), podIP: this.#ips.ipFor(key, pod, nodeName!, index), at: now() });
      await this.#client.patch(RESOURCES.pods, name, { type: 'merge', patch: { status } }, { namespace, subresource: 'status' });
    } catch (err) {
      if (err instanceof StatusError && (err.code === 404 || err.code === 409)) return;
      throw err;
    }
  }
}

/** The simulated kubelet's controller definition. */
export function kubeletController(stages: readonly Stage[]): ControllerDefinition {
  return {
    name: 'kubemu-kubelet',
    // Each pod is its own key; writes of different pods overlap (their decisions are synchronous).
    workers: 8,
    setup(ctx) {
      const pods = ctx.informers.informer(RESOURCES.pods, { indexers: { nodeName: byNodeName } });
      const nodes = ctx.informers.informer(RESOURCES.nodes);
      const onNode = (node: StoredObject) => pods.byIndex('nodeName', node.metadata.name).map(keyOf);
      return {
        reconciler: new KubeletReconciler(ctx.client, pods, nodes, stages),
        sources: [
          { informer: pods },
          // A node's status heartbeats change nothing for its pods; its appearing, going or (not) being simulated does.
          { informer: nodes, map: onNode, mapUpdate: (o, n) => (isSimulated(o) === isSimulated(n) ? [] : onNode(n)) },
        ],
      };
    },
  };
}
