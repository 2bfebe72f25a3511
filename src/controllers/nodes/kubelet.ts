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
  /** Pod key → the stage it waits in and since when (one record per live pod: dropped when it is gone). */
  readonly #waiting = new Map<string, { uid: string; stage: string; since: number }>();
  /** Pod key → IP handed out and not yet seen in the informer (dropped when the pod is gone). */
  readonly #ips = new Map<string, { uid: string; node: string; ip: string }>();
  /** Node → keys of its pods in {@link #ips}. */
  readonly #ipsByNode = new Map<string, Set<string>>();

  constructor(client: Client, pods: Informer, nodes: Informer, stages: readonly Stage[]) {
    this.#client = client;
    this.#pods = pods;
    this.#nodes = nodes;
    this.#stages = stages;
  }

  async reconcile(key: string): Promise<Result | void> {
    const pod = this.#pods.get(key);
    const nodeName = pod ? byNodeName(pod)[0] : undefined;
    const node = nodeName ? this.#nodes.get(nodeName) : undefined;
    const stage = pod && node && isSimulated(node) ? matchStage(this.#stages, pod) : undefined;
    if (!pod || !stage) {
      // Gone, moved off a simulated node, or in no stage: nothing to wait for, no IP to hold.
      this.#waiting.delete(key);
      if (!pod || this.#ips.get(key)?.uid !== pod.metadata.uid) this.#release(key);
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
        this.#release(key);
        await this.#client.delete(RESOURCES.pods, name, { namespace, gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } });
        return;
      }
      const index = nodeIndex(nodeName!) ?? 0;
      const status = podStatus(pod, stage.next.phase!, { hostIP: nodeIP(index), podIP: this.#podIP(key, pod, nodeName!, index), at: now() });
      await this.#client.patch(RESOURCES.pods, name, { type: 'merge', patch: { status } }, { namespace, subresource: 'status' });
    } catch (err) {
      if (err instanceof StatusError && (err.code === 404 || err.code === 409)) return;
      throw err;
    }
  }

  #podIP(key: string, pod: StoredObject, node: string, index: number): string {
    const held = this.#ips.get(key);
    const own = (pod.status as { podIP?: string } | undefined)?.podIP ?? (held?.uid === pod.metadata.uid ? held.ip : undefined);
    if (own) return own;
    const taken = new Set<string>();
    for (const other of this.#pods.byIndex('nodeName', node)) {
      const ip = (other.status as { podIP?: string } | undefined)?.podIP;
      if (ip) taken.add(ip);
    }
    for (const heldKey of [...(this.#ipsByNode.get(node) ?? [])]) {
      const h = this.#ips.get(heldKey)!;
      const seen = this.#pods.get(heldKey);
      // Released once the informer shows the pod with its IP, or the pod is gone (or another one).
      if (!seen || seen.metadata.uid !== h.uid || (seen.status as { podIP?: string } | undefined)?.podIP) this.#release(heldKey);
      else taken.add(h.ip);
    }
    for (let host = 2; host < 255; host++) {
      const ip = `10.244.${index % 256}.${host}`;
      if (!taken.has(ip)) {
        this.#release(key);
        this.#ips.set(key, { uid: pod.metadata.uid, node, ip });
        let keys = this.#ipsByNode.get(node);
        if (!keys) this.#ipsByNode.set(node, (keys = new Set()));
        keys.add(key);
        return ip;
      }
    }
    throw new Error(`node ${node}: no free pod IP in 10.244.${index % 256}.0/24`);
  }

  /** Forgets the IP held for the pod at `key`. */
  #release(key: string): void {
    const held = this.#ips.get(key);
    if (!held) return;
    this.#ips.delete(key);
    const keys = this.#ipsByNode.get(held.node);
    keys?.delete(key);
    if (keys && !keys.size) this.#ipsByNode.delete(held.node);
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
      return { reconciler: new KubeletReconciler(ctx.client, pods, nodes, stages), sources: [{ informer: pods }, { informer: nodes, map: onNode }] };
    },
  };
}
