/**
 * Printers for namespaces and nodes (upstream printNamespace, printNode). Node STATUS is
 * `Ready`/`NotReady` from the Ready condition (`Unknown` without one) plus `SchedulingDisabled`
 * when cordoned; ROLES come from `node-role.kubernetes.io/<role>` label keys and the
 * `kubernetes.io/role` label value, sorted, `<none>` without any.
 * Owns: these kinds' columns and cells. Must not: know HTTP, storage or other kinds.
 */
import type { KubeObject } from '../../../api/types.js';
import { AGE, column, columns, NAME, wide } from '../columns.js';
import { DOC } from '../descriptions.js';
import { age, sortedSet } from '../format.js';
import type { Printer, PrintContext } from '../types.js';

interface Namespace extends KubeObject {
  status?: { phase?: string };
}

interface Node extends KubeObject {
  spec?: { unschedulable?: boolean };
  status?: {
    conditions?: { type?: string; status?: string }[];
    addresses?: { type?: string; address?: string }[];
    nodeInfo?: { kubeletVersion?: string; osImage?: string; kernelVersion?: string; containerRuntimeVersion?: string };
  };
}

/** namespaces: Name, Status (phase; `Active` when unset, as defaulted), Age. */
export const namespacePrinter: Printer = {
  columns: columns(NAME, column('Status', 'The status of the namespace'), AGE),
  cells(obj: KubeObject, { now }: PrintContext): unknown[] {
    const ns = obj as Namespace;
    return [ns.metadata?.name ?? '', ns.status?.phase || 'Active', age(ns, now)];
  },
};

const ROLE_PREFIX = 'node-role.kubernetes.io/';
const ROLE_LABEL = 'kubernetes.io/role';

/** findNodeRoles, comma-joined. */
function nodeRoles(labels: Readonly<Record<string, string>> | undefined): string {
  const roles: string[] = [];
  for (const [k, v] of Object.entries(labels ?? {})) {
    if (k.startsWith(ROLE_PREFIX)) {
      const role = k.slice(ROLE_PREFIX.length);
      if (role) roles.push(role);
    } else if (k === ROLE_LABEL && v !== '') {
      roles.push(v);
    }
  }
  return sortedSet(roles).join(',') || '<none>';
}

/** The node STATUS cell. The last condition of a type wins, as in upstream's condition map. */
function nodeStatus(node: Node): string {
  let ready: string | undefined;
  for (const c of node.status?.conditions ?? []) if (c.type === 'Ready') ready = c.status ?? '';
  const parts = [ready === undefined ? 'Unknown' : ready === 'True' ? 'Ready' : 'NotReady'];
  if (node.spec?.unschedulable) parts.push('SchedulingDisabled');
  return parts.join(',');
}

/** The first address of a type, `<none>` without one. */
function address(node: Node, type: string): string {
  return (node.status?.addresses ?? []).find((a) => a.type === type)?.address ?? '<none>';
}

/**
 * nodes: Name, Status, Roles, Age, Version; wide Internal-IP, External-IP, OS-Image,
 * Kernel-Version, Container-Runtime (`<unknown>` when the node has not reported them).
 */
export const nodePrinter: Printer = {
  columns: columns(
    NAME,
    column('Status', 'The status of the node'),
    column('Roles', 'The roles of the node'),
    AGE,
    column('Version', DOC.kubeletVersion),
    wide('Internal-IP', DOC.nodeAddresses),
    wide('External-IP', DOC.nodeAddresses),
    wide('OS-Image', DOC.osImage),
    wide('Kernel-Version', DOC.kernelVersion),
    wide('Container-Runtime', DOC.containerRuntimeVersion),
  ),
  cells(obj: KubeObject, { now }: PrintContext): unknown[] {
    const node = obj as Node;
    const info = node.status?.nodeInfo ?? {};
    return [
      node.metadata?.name ?? '',
      nodeStatus(node),
      nodeRoles(node.metadata?.labels),
      age(node, now),
      info.kubeletVersion ?? '',
      address(node, 'InternalIP'),
      address(node, 'ExternalIP'),
      info.osImage || '<unknown>',
      info.kernelVersion || '<unknown>',
      info.containerRuntimeVersion || '<unknown>',
    ];
  },
};
