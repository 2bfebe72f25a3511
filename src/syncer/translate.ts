/**
 * Name, label and marker translation between a virtual cluster (kubemu) and its host namespace,
 * following vcluster's single-namespace rules byte for byte so tooling that derives host names
 * keeps working:
 *
 *   virtual  default/web-0            →  host  <hostNamespace>/web-0-x-default-x-<vcluster>
 *   a name longer than 63 characters  →  its first 52 characters + "-" + 10 hex of sha256(full),
 *                                        then every ".-" collapsed to "-"
 *   label key "release" (reserved)    →  vcluster.loft.sh/label-<vcluster>-x-<sha256(key)[:10]>
 *
 * Every host object carries the marker label `vcluster.loft.sh/managed-by=<vcluster>`, the
 * virtual namespace label, and the object-name/-namespace/-uid/-kind/-host-name/-host-namespace
 * annotations; `isManaged` is the strict "is this host object mine" test (foreign objects in the
 * namespace are never touched).
 *
 * Owns: pure translation functions. Must not: do I/O or know about clients.
 */
import { createHash } from 'node:crypto';
import type { KubeObject, ObjectMeta } from '../api/types.js';

/** Annotation and label keys vcluster puts on host objects. */
export const MARKERS = {
  managedBy: 'vcluster.loft.sh/managed-by',
  namespaceLabel: 'vcluster.loft.sh/namespace',
  controlledBy: 'vcluster.loft.sh/controlled-by',
  releaseLabel: 'release',
  labelPrefix: 'vcluster.loft.sh/label',
  nsLabelPrefix: 'vcluster.loft.sh/ns-label',
  objectName: 'vcluster.loft.sh/object-name',
  objectNamespace: 'vcluster.loft.sh/object-namespace',
  objectUid: 'vcluster.loft.sh/object-uid',
  objectKind: 'vcluster.loft.sh/object-kind',
  objectHostName: 'vcluster.loft.sh/object-host-name',
  objectHostNamespace: 'vcluster.loft.sh/object-host-namespace',
  managedAnnotations: 'vcluster.loft.sh/managed-annotations',
  managedLabels: 'vcluster.loft.sh/managed-labels',
  // pods only
  podName: 'vcluster.loft.sh/name',
  podNamespace: 'vcluster.loft.sh/namespace',
  podUid: 'vcluster.loft.sh/uid',
  podServiceAccount: 'vcluster.loft.sh/service-account-name',
  podLabels: 'vcluster.loft.sh/labels',
  podOwnerReferences: 'vcluster.loft.sh/owner-references',
  safeToEvict: 'cluster-autoscaler.kubernetes.io/safe-to-evict',
} as const;

/** The label keys vcluster reserves and renames on host objects. */
const RESERVED_LABELS = new Set<string>([MARKERS.releaseLabel, MARKERS.namespaceLabel, MARKERS.managedBy, MARKERS.controlledBy]);

function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * Joins parts with "-"; past 63 characters the result is the first 52 characters, "-", and the
 * first 10 hex digits of sha256 of the full join, with ".-" collapsed to "-" (vcluster
 * `SafeConcatName`).
 */
export function safeConcatName(...parts: string[]): string {
  const full = parts.join('-');
  if (full.length <= 63) return full;
  return `${full.slice(0, 52)}-${sha256Hex(full).slice(0, 10)}`.replaceAll('.-', '-');
}

/** The host name of a namespaced virtual object: `<name>-x-<namespace>-x-<vcluster>` (63-char rule). */
export function hostName(name: string, namespace: string, vcluster: string): string {
  return name === '' ? '' : safeConcatName(name, 'x', namespace, 'x', vcluster);
}

/** A virtual object's identity, as the syncer addresses it. */
export interface NamespacedName {
  namespace: string;
  name: string;
}

/** What the translator needs to know about this virtual cluster. */
export interface TranslateContext {
  /** The virtual cluster's name (`--name`), the `<vcluster>` part of host names. */
  vcluster: string;
  /** The one host namespace every synced object lands in (`--host-namespace`). */
  hostNamespace: string;
}

/**
 * The host namespace and name of a virtual pod (or any namespaced object):
 * `{ namespace: hostNamespace, name: "<name>-x-<namespace>-x-<vcluster>" }`.
 * This is the function the log/exec/attach/port-forward relay uses.
 */
export function hostPodName(ctx: TranslateContext, virtual: NamespacedName): NamespacedName {
  return { namespace: ctx.hostNamespace, name: hostName(virtual.name, virtual.namespace, ctx.vcluster) };
}

/** The host name of a cluster-scoped object synced to the host: `vcluster-<name>-x-<hostNs>-x-<vc>`. */
export function hostClusterName(ctx: TranslateContext, name: string): string {
  return safeConcatName('vcluster', name, 'x', ctx.hostNamespace, 'x', ctx.vcluster);
}

/** `vcluster.loft.sh/label-<vc>-x-<sha256(key)[:10]>` (or the ns-label prefix). */
function convertLabelKey(prefix: string, key: string, vcluster: string): string {
  return safeConcatName(prefix, vcluster, 'x', sha256Hex(key).slice(0, 10));
}

/** A virtual label key as it appears on the host: reserved keys renamed, others unchanged. */
export function hostLabelKey(key: string, vcluster: string): string {
  return RESERVED_LABELS.has(key) ? convertLabelKey(MARKERS.labelPrefix, key, vcluster) : key;
}

/** The host label key of a virtual namespace label (stamped onto host pods). */
export function hostNamespaceLabelKey(key: string, vcluster: string): string {
  return convertLabelKey(MARKERS.nsLabelPrefix, key, vcluster);
}

/** The virtual key of a host label key, or undefined for marker/namespace-label keys. */
export function virtualLabelKey(key: string, vcluster: string): string | undefined {
  if (RESERVED_LABELS.has(key) || key.startsWith(MARKERS.nsLabelPrefix)) return undefined;
  for (const reserved of RESERVED_LABELS) if (convertLabelKey(MARKERS.labelPrefix, reserved, vcluster) === key) return reserved;
  return key;
}

/** The host labels of a virtual object: keys translated, plus the marker and namespace labels. */
export function hostLabels(
  virtualLabels: Record<string, string> | undefined,
  vcluster: string,
  virtualNamespace: string,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(virtualLabels ?? {})) out[hostLabelKey(k, vcluster)] = v;
  out[MARKERS.managedBy] = vcluster;
  if (virtualNamespace) out[MARKERS.namespaceLabel] = virtualNamespace;
  return out;
}

/** A virtual label selector (`matchLabels` map) as it selects host objects of this vcluster. */
export function hostSelector(
  selector: Record<string, string> | undefined,
  vcluster: string,
  virtualNamespace: string,
): Record<string, string> | undefined {
  if (!selector) return undefined;
  return hostLabels(selector, vcluster, virtualNamespace);
}

/** `<group>/<version>, Kind=<Kind>` as Go's GroupVersionKind.String() prints it (core: `/v1, Kind=Pod`). */
export function gvkString(apiVersion: string, kind: string): string {
  const slash = apiVersion.indexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
  return `${group}/${version}, Kind=${kind}`;
}

/**
 * Host metadata of a virtual namespaced object: translated name, host namespace, translated
 * labels with markers, the virtual annotations plus vcluster's object-* annotations. UID,
 * resourceVersion, ownerReferences, finalizers and managedFields are dropped.
 */
export function hostMetadata(ctx: TranslateContext, virtual: KubeObject): ObjectMeta & { name: string; namespace: string } {
  const meta = virtual.metadata ?? {};
  const vName = meta.name ?? '';
  const vNamespace = meta.namespace ?? '';
  const name = hostName(vName, vNamespace, ctx.vcluster);
  const annotations: Record<string, string> = {};
  for (const [k, v] of Object.entries(meta.annotations ?? {})) {
    if (!k.startsWith('vcluster.loft.sh/object-') && k !== 'kubectl.kubernetes.io/last-applied-configuration') annotations[k] = v;
  }
  const managedAnnotations = Object.keys(annotations).sort();
  Object.assign(annotations, {
    [MARKERS.objectName]: vName,
    [MARKERS.objectNamespace]: vNamespace,
    [MARKERS.objectUid]: meta.uid ?? '',
    [MARKERS.objectKind]: gvkString(virtual.apiVersion ?? 'v1', virtual.kind ?? ''),
    [MARKERS.objectHostName]: name,
    [MARKERS.objectHostNamespace]: ctx.hostNamespace,
  });
  if (managedAnnotations.length > 0) annotations[MARKERS.managedAnnotations] = managedAnnotations.join('\n');
  const labels = hostLabels(meta.labels, ctx.vcluster, vNamespace);
  const managedLabels = Object.keys(meta.labels ?? {}).map((k) => hostLabelKey(k, ctx.vcluster)).sort();
  if (managedLabels.length > 0) annotations[MARKERS.managedLabels] = managedLabels.join('\n');
  return { name, namespace: ctx.hostNamespace, labels, annotations };
}

/**
 * True when a host object was made by this virtual cluster: in the host namespace, marked
 * `managed-by=<vcluster>`, and its object-name/-namespace annotations translate to its own name
 * (vcluster `IsManaged`). Anything else in the namespace is foreign and never touched.
 */
export function isManaged(ctx: TranslateContext, host: KubeObject, kind?: string): boolean {
  const meta = host.metadata ?? {};
  if (meta.namespace !== ctx.hostNamespace) return false;
  if (meta.labels?.[MARKERS.managedBy] !== ctx.vcluster) return false;
  const a = meta.annotations ?? {};
  const vName = a[MARKERS.objectName];
  if (!vName) return false;
  if (hostName(vName, a[MARKERS.objectNamespace] ?? '', ctx.vcluster) !== meta.name) return false;
  if (kind && a[MARKERS.objectKind] && !a[MARKERS.objectKind].endsWith(`, Kind=${kind}`)) return false;
  if (a[MARKERS.objectHostName] && a[MARKERS.objectHostName] !== meta.name) return false;
  if (a[MARKERS.objectHostNamespace] && a[MARKERS.objectHostNamespace] !== meta.namespace) return false;
  return true;
}

/** The virtual identity a managed host object records in its annotations, if any. */
export function virtualNameOf(host: KubeObject): NamespacedName | undefined {
  const a = host.metadata?.annotations ?? {};
  const name = a[MARKERS.objectName];
  const namespace = a[MARKERS.objectNamespace];
  return name && namespace !== undefined ? { name, namespace } : undefined;
}
