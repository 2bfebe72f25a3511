/**
 * Which field labels each built-in kind accepts in a field selector, and the values an object
 * offers for them, as kube-apiserver's per-kind `AddFieldLabelConversionFunc` (k/k
 * `pkg/apis/<group>/v1/conversion.go`) and registry `ToSelectableFields` (k/k
 * `pkg/registry/<group>/<kind>/strategy.go`) define them.
 * Owns: the per-kind tables and the object → field-set extraction. Must not: parse selectors
 * (field-selector.ts does) or know HTTP and storage.
 */
import { parseFieldSelector, type FieldSelector } from './field-selector.js';
import type { KubeObject } from './types.js';

/**
 * Labels accepted per resource, keyed `group/plural` (core: `plural`), for the kinds that have
 * their own conversion function; every other kind accepts only `metadata.name` and
 * `metadata.namespace`. The lists are complete (not "extra" fields) because some kinds refuse
 * `metadata.namespace`: nodes, namespaces and certificatesigningrequests.
 * apps/v1 ReplicaSets are deliberately absent: upstream registers no conversion for them, so
 * `status.replicas` is refused there although ToSelectableFields offers it (kubernetes#135136).
 */
export const fieldSelectorFields: Readonly<Record<string, readonly string[]>> = {
  pods: [
    'metadata.name',
    'metadata.namespace',
    'spec.nodeName',
    'spec.restartPolicy',
    'spec.schedulerName',
    'spec.serviceAccountName',
    'spec.hostNetwork',
    'status.phase',
    'status.podIP',
    'status.podIPs',
    'status.nominatedNodeName',
    // Old v1 clients' name for spec.nodeName; parseFieldSelector rewrites it (FIELD_LABEL_ALIASES).
    'spec.host',
  ],
  nodes: ['metadata.name', 'spec.unschedulable'],
  replicationcontrollers: ['metadata.name', 'metadata.namespace', 'status.replicas'],
  events: [
    'involvedObject.kind',
    'involvedObject.namespace',
    'involvedObject.name',
    'involvedObject.uid',
    'involvedObject.apiVersion',
    'involvedObject.resourceVersion',
    'involvedObject.fieldPath',
    'reason',
    'reportingComponent',
    'source',
    'type',
    'metadata.namespace',
    'metadata.name',
  ],
  namespaces: ['status.phase', 'metadata.name'],
  secrets: ['type', 'metadata.namespace', 'metadata.name'],
  services: ['metadata.namespace', 'metadata.name', 'spec.clusterIP', 'spec.type'],
  'batch/jobs': ['metadata.name', 'metadata.namespace', 'status.successful'],
  'certificates.k8s.io/certificatesigningrequests': ['metadata.name', 'spec.signerName'],
};

/** Refusal wordings that differ from `field label not supported: <label>` (k/k pkg/apis/batch/v1/conversion.go). */
export const fieldSelectorRefusals: Readonly<Record<string, (label: string) => string>> = {
  'batch/jobs': (label) => `field label ${JSON.stringify(label)} not supported for batchv1.Job`,
};

/** parseFieldSelector with the table entries of a built-in resource (`group/plural`, core: `plural`). */
export function parseFieldSelectorFor(groupPlural: string, text: string): FieldSelector {
  const allowed = Object.hasOwn(fieldSelectorFields, groupPlural) ? fieldSelectorFields[groupPlural] : undefined;
  const notSupported = Object.hasOwn(fieldSelectorRefusals, groupPlural) ? fieldSelectorRefusals[groupPlural] : undefined;
  return parseFieldSelector(text, allowed, notSupported ? { notSupported } : {});
}

/**
 * The accepted labels of a custom resource (apiextensions crConverter.ConvertFieldLabel):
 * `metadata.name`, `metadata.namespace` unless cluster-scoped, and the CRD version's
 * `selectableFields` (their jsonPath without the leading dot). Refusals use the default wording.
 */
export function customResourceFieldLabels(namespaced: boolean, selectableFields: readonly { jsonPath: string }[] = []): string[] {
  const labels = namespaced ? ['metadata.name', 'metadata.namespace'] : ['metadata.name'];
  return [...labels, ...selectableFields.map((f) => f.jsonPath.replace(/^\./, ''))];
}

function at(obj: unknown, ...path: string[]): unknown {
  let cur = obj;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object' || !Object.hasOwn(cur, key)) return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
/** strconv.Itoa of an int32 field: absent reads as 0. */
const int = (v: unknown): string => (typeof v === 'number' && Number.isInteger(v) ? String(v) : '0');
/** strconv.FormatBool of a bool field: absent reads as false. */
const bool = (v: unknown): string => String(v === true);

type Extractor = (obj: KubeObject) => Record<string, string>;

const replicas: Extractor = (o) => ({ 'status.replicas': int(at(o, 'status', 'replicas')) });

const EXTRACTORS: Readonly<Record<string, Extractor>> = {
  pods: (o) => ({
    'spec.nodeName': str(at(o, 'spec', 'nodeName')),
    'spec.restartPolicy': str(at(o, 'spec', 'restartPolicy')),
    'spec.schedulerName': str(at(o, 'spec', 'schedulerName')),
    // v1 → internal conversion reads the deprecated serviceAccount when serviceAccountName is empty.
    'spec.serviceAccountName': str(at(o, 'spec', 'serviceAccountName')) || str(at(o, 'spec', 'serviceAccount')),
    'spec.hostNetwork': bool(at(o, 'spec', 'hostNetwork')),
    'status.phase': str(at(o, 'status', 'phase')),
    // Upstream reads the internal PodIPs[0]; v1's podIP is the same address when podIPs is unset.
    // `status.podIPs` is accepted but never offered upstream, so it always reads as "".
    'status.podIP': str(at(o, 'status', 'podIPs', '0', 'ip')) || str(at(o, 'status', 'podIP')),
    'status.nominatedNodeName': str(at(o, 'status', 'nominatedNodeName')),
  }),
  events: (o) => ({
    'involvedObject.kind': str(at(o, 'involvedObject', 'kind')),
    'involvedObject.namespace': str(at(o, 'involvedObject', 'namespace')),
    'involvedObject.name': str(at(o, 'involvedObject', 'name')),
    'involvedObject.uid': str(at(o, 'involvedObject', 'uid')),
    'involvedObject.apiVersion': str(at(o, 'involvedObject', 'apiVersion')),
    'involvedObject.resourceVersion': str(at(o, 'involvedObject', 'resourceVersion')),
    'involvedObject.fieldPath': str(at(o, 'involvedObject', 'fieldPath')),
    reason: str(at(o, 'reason')),
    reportingComponent: str(at(o, 'reportingComponent')),
    source: str(at(o, 'source', 'component')) || str(at(o, 'reportingComponent')),
    type: str(at(o, 'type')),
  }),
  namespaces: (o) => ({ 'status.phase': str(at(o, 'status', 'phase')) }),
  secrets: (o) => ({ type: str(at(o, 'type')) }),
  services: (o) => ({ 'spec.clusterIP': str(at(o, 'spec', 'clusterIP')), 'spec.type': str(at(o, 'spec', 'type')) }),
  nodes: (o) => ({ 'spec.unschedulable': bool(at(o, 'spec', 'unschedulable')) }),
  replicationcontrollers: replicas,
  'apps/replicasets': replicas,
  'batch/jobs': (o) => ({ 'status.successful': int(at(o, 'status', 'succeeded')) }),
  'certificates.k8s.io/certificatesigningrequests': (o) => ({ 'spec.signerName': str(at(o, 'spec', 'signerName')) }),
};

/**
 * The field set a field selector is matched against, as the kind's ToSelectableFields:
 * `metadata.name`, `metadata.namespace` ("" for cluster-scoped objects, which reads the same as
 * upstream's absent key) and the kind's extra fields as strings.
 */
export function fieldsOf(groupPlural: string, obj: KubeObject): Record<string, string> {
  const fields: Record<string, string> = {
    'metadata.name': str(obj.metadata?.name),
    'metadata.namespace': str(obj.metadata?.namespace),
  };
  return Object.hasOwn(EXTRACTORS, groupPlural) ? { ...fields, ...EXTRACTORS[groupPlural]!(obj) } : fields;
}
