/**
 * The node controller of simulated nodes: keeps Nodes `kubemu-node-0..N-1` present (recreated
 * if deleted) with a healthy kubelet's status, renews each node's Lease in `kube-node-lease`
 * every `heartbeatMs`, re-posts the node status (condition heartbeats) every `statusMs`, and
 * deletes simulated nodes past N (a restart with fewer `--nodes`). Nodes without the simulated
 * label are never touched.
 * Owns: simulated Node objects and their Leases. Must not: touch pods.
 */
import { StatusError } from '../../api/errors.js';
import type { StoredObject } from '../../api/types.js';
import { RESOURCES, type Client } from '../../client/types.js';
import type { ControllerDefinition, Informer, Reconciler, Result } from '../runtime/index.js';
import {
  isSimulated,
  LEASES,
  leaseObject,
  NODE_LEASE_NAMESPACE,
  NODE_PREFIX,
  nodeIndex,
  nodeObject,
  nodeStatus,
  now,
} from './node-objects.js';

/** Settings of the node controller. */
export interface NodeControllerSettings {
  nodes: number;
  kubeletVersion: string;
  /** Lease renewal interval (default 10 s). */
  heartbeatMs?: number;
  /** Node status re-post interval (default 60 s). */
  statusMs?: number;
}

const microTime = () => new Date().toISOString().replace(/Z$/, '000Z');

function ignoreStatus(...codes: number[]) {
  return (err: unknown) => {
    if (!(err instanceof StatusError && codes.includes(err.code))) throw err;
  };
}

/** Reconciles one simulated node by name. */
export class NodeReconciler implements Reconciler {
  readonly #client: Client;
  readonly #nodes: Informer;
  readonly #leases: Informer;
  readonly #settings: Required<NodeControllerSettings>;

  constructor(client: Client, nodes: Informer, leases: Informer, settings: NodeControllerSettings) {
    this.#client = client;
    this.#nodes = nodes;
    this.#leases = leases;
    this.#settings = { heartbeatMs: 10_000, statusMs: 60_000, ...settings };
  }

  async reconcile(name: string): Promise<Result | void> {
    const index = nodeIndex(name);
    if (index === undefined) return;
    let node = this.#nodes.get(name);
    if (node && !isSimulated(node)) return;
    if (index >= this.#settings.nodes) {
      if (node) await this.#client.delete(RESOURCES.nodes, name).catch(ignoreStatus(404));
      return;
    }
    if (!node) {
      node = await this.#client.create(RESOURCES.nodes, nodeObject(index)).catch(async (err: unknown) => {
        ignoreStatus(409)(err);
        return this.#client.get(RESOURCES.nodes, name);
      });
    }
    await this.#postStatus(node, index);
    await this.#renewLease(node);
    return { requeueAfter: this.#settings.heartbeatMs };
  }

  async #postStatus(node: StoredObject, index: number): Promise<void> {
    const conditions = ((node.status as { conditions?: { type: string; lastHeartbeatTime?: string; lastTransitionTime?: string }[] })?.conditions) ?? [];
    const ready = conditions.find((c) => c.type === 'Ready');
    const last = ready?.lastHeartbeatTime ? Date.parse(ready.lastHeartbeatTime) : 0;
    if (ready && Date.now() - last < this.#settings.statusMs) return;
    const at = now();
    const status = nodeStatus(index, this.#settings.kubeletVersion, at, ready?.lastTransitionTime ?? at);
    await this.#client.patch(RESOURCES.nodes, node.metadata.name, { type: 'merge', patch: { status } }, { subresource: 'status' });
  }

  async #renewLease(node: StoredObject): Promise<void> {
    const name = node.metadata.name;
    const lease = this.#leases.get(`${NODE_LEASE_NAMESPACE}/${name}`);
    const duration = Math.max(1, Math.round((this.#settings.heartbeatMs * 4) / 1000));
    if (!lease) {
      await this.#client.create(LEASES, leaseObject(node, duration, microTime()), { namespace: NODE_LEASE_NAMESPACE }).catch(ignoreStatus(409));
      return;
    }
    const patch = { spec: { holderIdentity: name, leaseDurationSeconds: duration, renewTime: microTime() } };
    await this.#client.patch(LEASES, name, { type: 'merge', patch }, { namespace: NODE_LEASE_NAMESPACE }).catch(ignoreStatus(404));
  }
}

/** The node controller's definition. */
export function nodeController(settings: NodeControllerSettings): ControllerDefinition {
  return {
    name: 'kubemu-node-controller',
    setup(ctx) {
      const nodes = ctx.informers.informer(RESOURCES.nodes);
      const leases = ctx.informers.informer(LEASES, { namespace: NODE_LEASE_NAMESPACE });
      const namespaces = ctx.informers.informer(RESOURCES.namespaces);
      const wanted = () => Array.from({ length: settings.nodes }, (_, i) => `${NODE_PREFIX}${i}`);
      const all = () => [...new Set([...wanted(), ...nodes.list().filter(isSimulated).map((n) => n.metadata.name)])];
      const reconciler = new NodeReconciler(ctx.client, nodes, leases, settings);
      return {
        reconciler,
        sources: [
          { informer: nodes, map: (n) => (isSimulated(n) || nodeIndex(n.metadata.name) !== undefined ? [n.metadata.name] : []) },
          { informer: leases, map: () => [] },
          // The lease namespace appearing (at start) is the moment to create every node.
          { informer: namespaces, map: (ns) => (ns.metadata.name === NODE_LEASE_NAMESPACE ? all() : []) },
        ],
      };
    },
  };
}
