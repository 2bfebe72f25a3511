/**
 * Printers for the apps workloads and replicationcontrollers (upstream printReplicationController,
 * printReplicaSet, printDeployment, printStatefulSet, printDaemonSet, printControllerRevision).
 * Replica counts are integer cells; a missing spec.replicas reads as 1, the value upstream's
 * defaulting always stores.
 * Owns: these kinds' columns and cells. Must not: know HTTP, storage or other kinds.
 */
import { labelSelectorFromObject, labelSelectorToString, type LabelSelectorObject } from '../../../api/label-selector.js';
import type { KubeObject, OwnerReference } from '../../../api/types.js';
import { AGE, column, columns, CONTAINERS, IMAGES, integer, NAME, wide } from '../columns.js';
import { DOC } from '../descriptions.js';
import { age, formatLabels, layoutContainers, type ContainerLike } from '../format.js';
import type { Printer, PrintContext } from '../types.js';

interface PodTemplateSpec {
  spec?: { containers?: ContainerLike[]; nodeSelector?: Record<string, string> };
}

interface Workload extends KubeObject {
  spec?: {
    replicas?: number;
    /** A LabelSelector, or a plain label map for replicationcontrollers. */
    selector?: unknown;
    template?: PodTemplateSpec;
  };
  status?: {
    replicas?: number;
    readyReplicas?: number;
    updatedReplicas?: number;
    availableReplicas?: number;
    desiredNumberScheduled?: number;
    currentNumberScheduled?: number;
    numberReady?: number;
    updatedNumberScheduled?: number;
    numberAvailable?: number;
  };
}

interface ControllerRevision extends KubeObject {
  revision?: number;
}

const name = (w: KubeObject): string => w.metadata?.name ?? '';
const desired = (w: Workload): number => w.spec?.replicas ?? 1;

/** replicationcontrollers: Name, Desired, Current, Ready, Age; wide Containers, Images, Selector. */
export const replicationControllerPrinter: Printer = {
  columns: columns(
    NAME,
    integer('Desired', DOC.rcSpecReplicas),
    integer('Current', DOC.rcStatusReplicas),
    integer('Ready', DOC.rcStatusReadyReplicas),
    AGE,
    CONTAINERS,
    IMAGES,
    wide('Selector', DOC.rcSpecSelector),
  ),
  cells(obj: KubeObject, { now }: PrintContext): unknown[] {
    const rc = obj as Workload;
    const [names, images] = layoutContainers(rc.spec?.template?.spec?.containers);
    const selector = rc.spec?.selector as Record<string, string> | undefined;
    const st = rc.status ?? {};
    return [name(rc), desired(rc), st.replicas ?? 0, st.readyReplicas ?? 0, age(rc, now), names, images, formatLabels(selector)];
  },
};

/** replicasets: Name, Desired, Current, Ready, Age; wide Containers, Images, Selector. */
export const replicaSetPrinter: Printer = {
  columns: columns(
    NAME,
    integer('Desired', DOC.rsSpecReplicas),
    integer('Current', DOC.rsStatusReplicas),
    integer('Ready', DOC.rsStatusReadyReplicas),
    AGE,
    CONTAINERS,
    IMAGES,
    wide('Selector', DOC.rsSpecSelector),
  ),
  cells(obj: KubeObject, { now }: PrintContext): unknown[] {
    const rs = obj as Workload;
    const [names, images] = layoutContainers(rs.spec?.template?.spec?.containers);
    return [
      name(rs),
      desired(rs),
      rs.status?.replicas ?? 0,
      rs.status?.readyReplicas ?? 0,
      age(rs, now),
      names,
      images,
      labelSelectorToString(rs.spec?.selector as LabelSelectorObject | undefined),
    ];
  },
};

/** printDeployment's selector: the canonical string, empty when it selects everything. */
function deploymentSelector(selector: LabelSelectorObject | undefined): string {
  try {
    return labelSelectorFromObject(selector).toString();
  } catch {
    return '<invalid>';
  }
}

/** deployments: Name, Ready (`ready/desired`), Up-to-date, Available, Age; wide Containers, Images, Selector. */
export const deploymentPrinter: Printer = {
  columns: columns(
    NAME,
    column('Ready', 'Number of the pod with ready state'),
    column('Up-to-date', DOC.deployUpdated),
    column('Available', DOC.deployAvailable),
    AGE,
    CONTAINERS,
    IMAGES,
    wide('Selector', DOC.deploySelector),
  ),
  cells(obj: KubeObject, { now }: PrintContext): unknown[] {
    const d = obj as Workload;
    const [names, images] = layoutContainers(d.spec?.template?.spec?.containers);
    return [
      name(d),
      `${d.status?.readyReplicas ?? 0}/${desired(d)}`,
      d.status?.updatedReplicas ?? 0,
      d.status?.availableReplicas ?? 0,
      age(d, now),
      names,
      images,
      deploymentSelector(d.spec?.selector as LabelSelectorObject | undefined),
    ];
  },
};

/** statefulsets: Name, Ready (`ready/desired`), Age; wide Containers, Images. */
export const statefulSetPrinter: Printer = {
  columns: columns(NAME, column('Ready', 'Number of the pod with ready state'), AGE, CONTAINERS, IMAGES),
  cells(obj: KubeObject, { now }: PrintContext): unknown[] {
    const s = obj as Workload;
    const [names, images] = layoutContainers(s.spec?.template?.spec?.containers);
    return [name(s), `${s.status?.readyReplicas ?? 0}/${desired(s)}`, age(s, now), names, images];
  },
};

/** daemonsets: Name, Desired, Current, Ready, Up-to-date, Available, Node Selector, Age; wide Containers, Images, Selector. */
export const daemonSetPrinter: Printer = {
  columns: columns(
    NAME,
    integer('Desired', DOC.dsDesired),
    integer('Current', DOC.dsCurrent),
    integer('Ready', DOC.dsReady),
    integer('Up-to-date', DOC.dsUpdated),
    integer('Available', DOC.dsAvailable),
    column('Node Selector', DOC.nodeSelector),
    AGE,
    CONTAINERS,
    IMAGES,
    wide('Selector', DOC.dsSelector),
  ),
  cells(obj: KubeObject, { now }: PrintContext): unknown[] {
    const ds = obj as Workload;
    const st = ds.status ?? {};
    const [names, images] = layoutContainers(ds.spec?.template?.spec?.containers);
    return [
      name(ds),
      st.desiredNumberScheduled ?? 0,
      st.currentNumberScheduled ?? 0,
      st.numberReady ?? 0,
      st.updatedNumberScheduled ?? 0,
      st.numberAvailable ?? 0,
      formatLabels(ds.spec?.template?.spec?.nodeSelector),
      age(ds, now),
      names,
      images,
      labelSelectorToString(ds.spec?.selector as LabelSelectorObject | undefined),
    ];
  },
};

/** formatResourceName of the controlling owner: `statefulset.apps/web`, `<none>` without one. */
function controllerName(owners: readonly OwnerReference[] | undefined): string {
  const ref = (owners ?? []).find((o) => o.controller === true);
  if (!ref) return '<none>';
  const slash = (ref.apiVersion ?? '').indexOf('/');
  const group = slash < 0 ? '' : ref.apiVersion.slice(0, slash);
  const kind = ref.kind ?? '';
  if (group === '' && kind === '') return ref.name;
  return `${(group ? `${kind}.${group}` : kind).toLowerCase()}/${ref.name}`;
}

/** controllerrevisions: Name, Controller, Revision, Age. */
export const controllerRevisionPrinter: Printer = {
  columns: columns(NAME, column('Controller', 'Controller of the object'), column('Revision', DOC.crRevision), AGE),
  cells(obj: KubeObject, { now }: PrintContext): unknown[] {
    const cr = obj as ControllerRevision;
    return [name(cr), controllerName(cr.metadata?.ownerReferences), cr.revision ?? 0, age(cr, now)];
  },
};
