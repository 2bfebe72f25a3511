/**
 * Virtual Nodes for the host nodes synced pods run on. `fake` (vcluster's default): a Node named
 * like the host node, labelled `vcluster.loft.sh/fake-node=true`, fixed capacity (16 CPU, 32Gi,
 * 110 pods) and Ready; `real`: the host Node's labels, capacity and status copied (needs read
 * access to host nodes). A virtual Node is made when a synced pod is bound to it and deleted when
 * no virtual pod is bound to it any more; Nodes without the syncer's label are never touched.
 * Owns: virtual Node objects of the syncer. Must not: touch pods.
 */
import type { StoredObject } from '../api/types.js';
import { RESOURCES } from '../client/types.js';
import { Controller, type Informer } from '../controllers/runtime/index.js';
import { ignoreCodes, type SyncContext } from './context.js';

/** The label on every Node the syncer made. */
export const SYNCED_NODE_LABEL = 'vcluster.loft.sh/fake-node';

/** Index of virtual pods by `spec.nodeName`. */
export const BY_NODE = 'syncer-node';

function fakeNode(name: string, version: string): Record<string, unknown> {
  const capacity = { cpu: '16', memory: '32Gi', 'ephemeral-storage': '100Gi', pods: '110' };
  const at = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { [SYNCED_NODE_LABEL]: 'true', 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64' } },
    status: {
      capacity,
      allocatable: capacity,
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: at, lastTransitionTime: at }],
      addresses: [{ type: 'Hostname', address: `${name}.nodes.vcluster.com` }],
      nodeInfo: { kubeletVersion: version, kubeProxyVersion: version, operatingSystem: 'linux', architecture: 'amd64', containerRuntimeVersion: 'kubemu://syncer', osImage: 'kubemu', kernelVersion: '', machineID: '', systemUUID: '', bootID: '' },
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
    },
  };
}

/** The pod's `spec.nodeName`, or undefined while unscheduled. */
export function nodeNameOf(pod: StoredObject): string | undefined {
  return (pod.spec as { nodeName?: string } | undefined)?.nodeName || undefined;
}

/** The pod's node name as index or queue keys: none while unscheduled. */
export function nodeKeysOf(pod: StoredObject): string[] {
  const node = nodeNameOf(pod);
  return node ? [node] : [];
}

/** Makes sure virtual Node `name` exists (created from the host node in `real` mode). */
export async function ensureVirtualNode(ctx: SyncContext, nodes: Informer, name: string): Promise<void> {
  if (nodes.get(name)) return;
  let node = fakeNode(name, 'v1.31.0');
  if (ctx.nodeMode === 'real') {
    const host = await ctx.host.get(RESOURCES.nodes, name);
    node = {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name, labels: { ...host.metadata.labels, [SYNCED_NODE_LABEL]: 'false' }, ...(host.metadata.annotations ? { annotations: host.metadata.annotations } : {}) },
      spec: { ...((host.spec as object) ?? {}), providerID: undefined },
      status: host.status,
    };
  }
  const created = await ctx.virtual.create(RESOURCES.nodes, node).catch(ignoreCodes(409));
  // Status is not taken on create by every server: post it once more.
  if (created) await ctx.virtual.updateStatus(RESOURCES.nodes, { ...node, metadata: { name } }).catch(ignoreCodes(404, 409));
}

/** The controller deleting synced virtual Nodes no virtual pod is bound to. */
export function nodeGarbageCollector(ctx: SyncContext, virtualPods: Informer, virtualNodes: Informer, hostPods: Informer): Controller {
  const reconcile = async (name: string) => {
    const node = virtualNodes.get(name);
    if (!node || node.metadata.labels?.[SYNCED_NODE_LABEL] === undefined) return;
    // Host pods count too: a virtual pod is bound only after its Node exists.
    if (virtualPods.byIndex(BY_NODE, name).length > 0 || hostPods.byIndex(BY_NODE, name).length > 0) return;
    await ctx.virtual.delete(RESOURCES.nodes, name, { preconditions: { uid: node.metadata.uid } }).catch(ignoreCodes(404, 409));
  };
  return new Controller({
    name: 'syncer-nodes',
    reconciler: { reconcile },
    log: ctx.log,
    sources: [{ informer: virtualNodes }, { informer: virtualPods, map: nodeKeysOf }, { informer: hostPods, map: nodeKeysOf }],
  });
}
