/**
 * The objects of one simulated node, as data: the Node `kubemu-node-<i>` (labels, pod CIDR
 * 10.244.<i>.0/24, InternalIP 10.244.<i>.1, capacity/allocatable, nodeInfo, the Ready and
 * pressure conditions a healthy kubelet posts) and its heartbeat Lease in `kube-node-lease`.
 * Owns: what a simulated node looks like. Must not: write anything.
 */
import type { KubeObject } from '../../api/types.js';

/** Marks the Nodes the node controller owns (it never touches other Nodes). */
export const SIMULATED_LABEL = 'kubemu.dev/simulated-node';
/** Name prefix of simulated nodes. */
export const NODE_PREFIX = 'kubemu-node-';
/** coordination.k8s.io/v1 leases. */
export const LEASES = { group: 'coordination.k8s.io', version: 'v1', resource: 'leases' } as const;
/** The namespace of node heartbeat Leases. */
export const NODE_LEASE_NAMESPACE = 'kube-node-lease';

/** capacity = allocatable of every simulated node. */
export const NODE_CAPACITY: Readonly<Record<string, string>> = { cpu: '32', memory: '256Gi', pods: '110', 'ephemeral-storage': '1Ti' };

/** True for a Node the node controller created. */
export function isSimulated(node: KubeObject | undefined): boolean {
  return node?.metadata?.labels?.[SIMULATED_LABEL] === 'true';
}

/** The index of a simulated node's name (`kubemu-node-3` → 3), or undefined. */
export function nodeIndex(name: string): number | undefined {
  if (!name.startsWith(NODE_PREFIX)) return undefined;
  const n = Number(name.slice(NODE_PREFIX.length));
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}

/** The InternalIP of node `index` (also its pods' hostIP). */
export function nodeIP(index: number): string {
  return `10.244.${index % 256}.1`;
}

/** Go's GOARCH of this process. */
export function goArch(): string {
  return process.arch === 'x64' ? 'amd64' : process.arch === 'ia32' ? '386' : process.arch;
}

/** metav1.Time now. */
export function now(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The Node conditions of a healthy kubelet, heartbeat `at`, transitions at `since`. */
export function nodeConditions(at: string, since: string): Record<string, unknown>[] {
  const condition = (type: string, status: string, reason: string, message: string) => ({
    type, status, lastHeartbeatTime: at, lastTransitionTime: since, reason, message,
  });
  return [
    condition('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
    condition('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
    condition('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
    condition('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
  ];
}

/** The Node object of simulated node `index` (spec and metadata; status: {@link nodeStatus}). */
export function nodeObject(index: number): KubeObject {
  const name = `${NODE_PREFIX}${index}`;
  const arch = goArch();
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: {
        'beta.kubernetes.io/arch': arch,
        'beta.kubernetes.io/os': 'linux',
        'kubernetes.io/arch': arch,
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        [SIMULATED_LABEL]: 'true',
      },
      annotations: { 'node.alpha.kubernetes.io/ttl': '0', 'volumes.kubernetes.io/controller-managed-attach-detach': 'true' },
    },
    spec: { podCIDR: `10.244.${index % 256}.0/24`, podCIDRs: [`10.244.${index % 256}.0/24`] },
  };
}

/** The status of simulated node `index` as its kubelet would post it. */
export function nodeStatus(index: number, kubeletVersion: string, at: string, since: string): Record<string, unknown> {
  const name = `${NODE_PREFIX}${index}`;
  return {
    capacity: { ...NODE_CAPACITY },
    allocatable: { ...NODE_CAPACITY },
    conditions: nodeConditions(at, since),
    addresses: [
      { type: 'InternalIP', address: nodeIP(index) },
      { type: 'Hostname', address: name },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
    nodeInfo: {
      machineID: `kubemu-machine-${index}`,
      systemUUID: `kubemu-${index}`,
      bootID: `kubemu-boot-${index}`,
      kernelVersion: 'kubemu',
      osImage: 'kubemu simulated node',
      containerRuntimeVersion: `kubemu://${kubeletVersion.replace(/^v/, '')}`,
      kubeletVersion,
      kubeProxyVersion: kubeletVersion,
      operatingSystem: 'linux',
      architecture: goArch(),
    },
  };
}

/** The heartbeat Lease of node `name` (owned by its Node, as the kubelet's). */
export function leaseObject(node: { metadata: { name: string; uid: string } }, durationSeconds: number, renewTime: string): KubeObject {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      name: node.metadata.name,
      namespace: NODE_LEASE_NAMESPACE,
      ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: node.metadata.name, uid: node.metadata.uid }],
    },
    spec: { holderIdentity: node.metadata.name, leaseDurationSeconds: durationSeconds, renewTime },
  };
}
