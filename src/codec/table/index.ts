/**
 * Server-side printing: turns stored objects into meta.k8s.io/v1 Tables as kube-apiserver's
 * TableConvertors do, one printer per built-in kind (`printers/`), the default table for the
 * rest, and the PartialObjectMetadata forms a row (or a metadata-only list) carries.
 * Printers are looked up by group and plural; versions of one resource share a printer
 * (autoscaling/v1 and v2 HPAs, core and events.k8s.io events differ only in how they are read).
 * Owns: the lookup and the Table/row/PartialObjectMetadata assembly. Must not: know HTTP,
 * content negotiation, storage or list metadata (the caller fills Table.metadata); a custom
 * resource's printer (printers/custom.ts) comes with the request, not from this table.
 */
import type { KubeObject, StoredObject } from '../../api/types.js';
import { horizontalPodAutoscalerPrinter, podDisruptionBudgetPrinter } from './printers/autoscaling.js';
import { cronJobPrinter, jobPrinter } from './printers/batch.js';
import { namespacePrinter, nodePrinter } from './printers/cluster.js';
import {
  configMapPrinter,
  leasePrinter,
  priorityClassPrinter,
  resourceQuotaPrinter,
  secretPrinter,
  serviceAccountPrinter,
} from './printers/config.js';
import { defaultPrinter } from './printers/default.js';
import { eventPrinter } from './printers/events.js';
import {
  endpointSlicePrinter,
  endpointsPrinter,
  ingressClassPrinter,
  ingressPrinter,
  networkPolicyPrinter,
  servicePrinter,
} from './printers/network.js';
import { podPrinter, podTemplatePrinter } from './printers/pods.js';
import { clusterRoleBindingPrinter, roleBindingPrinter } from './printers/rbac.js';
import { persistentVolumeClaimPrinter, persistentVolumePrinter, storageClassPrinter } from './printers/storage.js';
import {
  controllerRevisionPrinter,
  daemonSetPrinter,
  deploymentPrinter,
  replicaSetPrinter,
  replicationControllerPrinter,
  statefulSetPrinter,
} from './printers/workloads.js';
import type {
  IncludeObject,
  PartialObjectMetadata,
  PartialObjectMetadataList,
  Printer,
  Table,
  TableColumnDefinition,
  TableListMeta,
  TableRow,
} from './types.js';

export type * from './types.js';
export { humanDuration } from './format.js';
export { customResourcePrinter, type PrinterColumnSpec } from './printers/custom.js';

/** `group/plural` → printer, for every built-in kind with a printer upstream. */
const PRINTERS: ReadonlyMap<string, Printer> = new Map<string, Printer>([
  ['/pods', podPrinter],
  ['/podtemplates', podTemplatePrinter],
  ['/replicationcontrollers', replicationControllerPrinter],
  ['/services', servicePrinter],
  ['/endpoints', endpointsPrinter],
  ['/namespaces', namespacePrinter],
  ['/nodes', nodePrinter],
  ['/events', eventPrinter],
  ['/configmaps', configMapPrinter],
  ['/secrets', secretPrinter],
  ['/serviceaccounts', serviceAccountPrinter],
  ['/persistentvolumes', persistentVolumePrinter],
  ['/persistentvolumeclaims', persistentVolumeClaimPrinter],
  ['/resourcequotas', resourceQuotaPrinter],
  ['apps/replicasets', replicaSetPrinter],
  ['apps/deployments', deploymentPrinter],
  ['apps/statefulsets', statefulSetPrinter],
  ['apps/daemonsets', daemonSetPrinter],
  ['apps/controllerrevisions', controllerRevisionPrinter],
  ['batch/jobs', jobPrinter],
  ['batch/cronjobs', cronJobPrinter],
  ['autoscaling/horizontalpodautoscalers', horizontalPodAutoscalerPrinter],
  ['policy/poddisruptionbudgets', podDisruptionBudgetPrinter],
  ['discovery.k8s.io/endpointslices', endpointSlicePrinter],
  ['networking.k8s.io/ingresses', ingressPrinter],
  ['networking.k8s.io/ingressclasses', ingressClassPrinter],
  ['networking.k8s.io/networkpolicies', networkPolicyPrinter],
  ['events.k8s.io/events', eventPrinter],
  ['storage.k8s.io/storageclasses', storageClassPrinter],
  ['coordination.k8s.io/leases', leasePrinter],
  ['scheduling.k8s.io/priorityclasses', priorityClassPrinter],
  ['rbac.authorization.k8s.io/rolebindings', roleBindingPrinter],
  ['rbac.authorization.k8s.io/clusterrolebindings', clusterRoleBindingPrinter],
]);

/** The printer of a resource, the default table's when upstream declares none. */
function printerFor(group: string, plural: string): Printer {
  return PRINTERS.get(`${group}/${plural}`) ?? defaultPrinter;
}

/** True when the resource has its own printer upstream (false: it gets the default table). */
export function hasPrinter(group: string, plural: string): boolean {
  return PRINTERS.has(`${group}/${plural}`);
}

/** Options of tableFor and rowFor. */
export interface TableOptions {
  /** What each row's `object` carries; kubectl asks for Metadata unless it sorts (Object). */
  includeObject: IncludeObject;
  /** The clock ages are measured against; defaults to the current time. */
  now?: Date;
  /** A printer given by the resource itself (a custom resource's printer columns); wins over the table. */
  printer?: Printer;
}

/**
 * The column definitions of a resource (`""` group for core), wide (priority 1) columns
 * included, in upstream order. The default Name/Created At pair for resources without a printer.
 */
export function columnsFor(group: string, plural: string, printer?: Printer): TableColumnDefinition[] {
  return [...(printer ?? printerFor(group, plural)).columns];
}

/** The meta.k8s.io versions that serve Table and PartialObjectMetadata. */
export type MetaVersion = 'v1' | 'v1beta1';

/**
 * PartialObjectMetadata of an object (meta.k8s.io/v1 unless asked otherwise): kind and apiVersion
 * replaced, metadata kept whole (managedFields included, as upstream's AsPartialObjectMetadata).
 */
export function partialObjectMetadata(obj: KubeObject, version: MetaVersion = 'v1'): PartialObjectMetadata {
  return { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${version}`, metadata: obj.metadata ?? {} };
}

/** PartialObjectMetadataList of objects with the given list metadata; every item names its own kind. */
export function partialObjectMetadataList(
  objs: readonly KubeObject[],
  listMeta: TableListMeta,
  version: MetaVersion = 'v1',
): PartialObjectMetadataList {
  return {
    kind: 'PartialObjectMetadataList',
    apiVersion: `meta.k8s.io/${version}`,
    metadata: listMeta,
    items: objs.map((obj) => partialObjectMetadata(obj, version)),
  };
}

/** One row from a printer: cells, conditions when reported, and the object per includeObject. */
function row(printer: Printer, obj: StoredObject, includeObject: IncludeObject, now: number): TableRow {
  const out: TableRow = { cells: printer.cells(obj, { now }) };
  const conditions = printer.conditions?.(obj);
  if (conditions) out.conditions = conditions.map((c) => ({ ...c }));
  out.object = includeObject === 'Object' ? obj : includeObject === 'Metadata' ? partialObjectMetadata(obj) : null;
  return out;
}

/**
 * The row of one object, as a watch stream sends it (one event, one single-row Table). Cells
 * match columnsFor(group, plural) one to one.
 */
export function rowFor(group: string, plural: string, obj: StoredObject, options: TableOptions): TableRow {
  return row(options.printer ?? printerFor(group, plural), obj, options.includeObject, (options.now ?? new Date()).getTime());
}

/**
 * The Table of a list (or of a single object, as a one-element list): columns with wide ones
 * included, one row per object in the given order. `metadata` is empty for the caller to fill
 * with the list's resourceVersion, continue and remainingItemCount.
 */
export function tableFor(group: string, plural: string, objects: readonly StoredObject[], options: TableOptions): Table {
  const printer = options.printer ?? printerFor(group, plural);
  const now = (options.now ?? new Date()).getTime();
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: {},
    columnDefinitions: [...printer.columns],
    rows: objects.map((obj) => row(printer, obj, options.includeObject, now)),
  };
}

