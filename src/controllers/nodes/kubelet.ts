/**
 * The simulated kubelet: for every pod bound to a simulated node, applies the lifecycle stages
 * (stages.ts) — writes the status template of the matching stage through `pods/status`, or
 * confirms a graceful deletion with a grace-0 delete. Pod IPs come from the node's pod CIDR
 * (10.244.<i>.2 upwards), the lowest one no live pod of the node holds.
 * Owns: the status of pods on simulated nodes. Must not: bind pods or touch other nodes' pods.
 */
import { StatusError } from '../../api/errors.js';
import type { StoredObject } from '../../api/types.js';
import { RESOURCES, type Client } from '../../client/types.js';
import type { ControllerDefinition, Informer, Reconciler, Result } from '../runtime/index.js';
import { keyOf } from '../runtime/index.js';
import { isSimulated, nodeIndex, nodeIP, now } from './node-objects.js';
import { podStatus } from './pod-status.js';
import { byNodeName } from './scheduler.js';
import { matchStage, stageDelay, type Stage } from './stages.js';

/** Applies stages to pods; see the module comment. */
export class KubeletReconciler implements Reconciler {
  readonly #client: Client;
  readonly #pods: Informer;
  readonly #nodes: Informer;
  readonly #stages: readonly Stage[];
  /** `uid/stage` → when the stage first matched (for delays). */
  readonly #matchedAt = new Map<string, number>();
  /** uid → IP handed out and not yet seen in the informer. */
  readonly #ips = new Map<string, { node: string; ip: string }>();

  constructor(client: Client, pods: Informer, nodes: Informer, stages: readonly Stage[]) {
    this.#client = client;
    this.#pods = pods;
    this.#nodes = nodes;
    this.#stages = stages;
  }

  async reconcile(key: string): Promise<Result | void> {
    const pod = this.#pods.get(key);
    if (!pod) return;
    const nodeName = byNodeName(pod)[0];
    const node = nodeName ? this.#nodes.get(nodeName) : undefined;
    if (!nodeName || !node || !isSimulated(node)) return;
    const stage = matchStage(this.#stages, pod);
    if (!stage) return;
    const mark = `${pod.metadata.uid}/${stage.name}`;
    const first = this.#matchedAt.get(mark) ?? Date.now();
    this.#matchedAt.set(mark, first);
    const wait = first + stageDelay(stage, pod) - Date.now();
    if (wait > 0) return { requeueAfter: wait };
    this.#matchedAt.delete(mark);
    const { namespace, name } = pod.metadata;
    try {
      if (stage.next.delete) {
        this.#ips.delete(pod.metadata.uid);
        await this.#client.delete(RESOURCES.pods, name, { namespace, gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } });
        return;
      }
      const index = nodeIndex(nodeName) ?? 0;
      const status = podStatus(pod, stage.next.phase!, { hostIP: nodeIP(index), podIP: this.#podIP(pod, nodeName, index), at: now() });
      await this.#client.patch(RESOURCES.pods, name, { type: 'merge', patch: { status } }, { namespace, subresource: 'status' });
    } catch (err) {
      if (err instanceof StatusError && (err.code === 404 || err.code === 409)) return;
      throw err;
    }
  }

  #podIP(pod: StoredObject, node: string, index: number): string {
    const own = (pod.status as { podIP?: string } | undefined)?.podIP ?? this.#ips.get(pod.metadata.uid)?.ip;
    if (own) return own;
    const taken = new Set<string>();
    for (const other of this.#pods.byIndex('nodeName', node)) {
      const ip = (other.status as { podIP?: string } | undefined)?.podIP;
      if (ip) taken.add(ip);
    }
    for (const [uid, held] of this.#ips) {
      const seen = [...this.#pods.byIndex('nodeName', held.node)].find((p) => p.metadata.uid === uid);
      if (seen && (seen.status as { podIP?: string } | undefined)?.podIP) this.#ips.delete(uid);
      else if (held.node === node) taken.add(held.ip);
    }
    for (let host = 2; host < 255; host++) {
      const ip = `10.244.${index % 256}.${host}`;
      if (!taken.has(ip)) {
        this.#ips.set(pod.metadata.uid, { node, ip });
        return ip;
      }
    }
    throw new Error(`node ${node}: no free pod IP in 10.244.${index % 256}.0/24`);
  }
}

/** The simulated kubelet's controller definition. */
export function kubeletController(stages: readonly Stage[]): ControllerDefinition {
  return {
    name: 'kubemu-kubelet',
    workers: 1,
    setup(ctx) {
      const pods = ctx.informers.informer(RESOURCES.pods, { indexers: { nodeName: byNodeName } });
      const nodes = ctx.informers.informer(RESOURCES.nodes);
      const onNode = (node: StoredObject) => pods.byIndex('nodeName', node.metadata.name).map(keyOf);
      return { reconciler: new KubeletReconciler(ctx.client, pods, nodes, stages), sources: [{ informer: pods }, { informer: nodes, map: onNode }] };
    },
  };
}
