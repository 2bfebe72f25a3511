/**
 * `pods/binding` (kube-apiserver `pkg/registry/core/pod/storage` BindingREST): POST a v1
 * Binding named as the pod to assign it to `target.name`. In one write the pod gets
 * `spec.nodeName`, the Binding's annotations, condition PodScheduled True, and loses
 * `status.nominatedNodeName`; the answer is a success Status (201). Refused:
 *
 *   Binding name ≠ URL name             400 `name in URL does not match name in Binding object`
 *   target.kind not Node, no target.name 422 (upstream: `target.kind: Unsupported value`, `target.name: Required value`)
 *   pod being deleted                    409 `... pods/binding "p": pod p is being deleted, cannot be assigned to a host`
 *   pod bound already                    409 `... pods/binding "p": pod p is already assigned to node "n"`
 *   scheduling gates left                409 `... pods/binding "p": pod p has non-empty .spec.schedulingGates`
 *   metadata.uid / resourceVersion given and not the pod's: 409 `... pods "p": Precondition failed: ...`
 *
 * The write bypasses the pod update rules (spec.nodeName is immutable to updates) and leaves
 * managedFields as they are, as upstream's direct storage update does.
 * Owns: the binding semantics. Must not: import fastify.
 */
import { badRequest, conflict, invalid } from '../../api/errors.js';
import { field, type FieldError } from '../../api/field-errors.js';
import type { KubeObject, Status, StoredObject } from '../../api/types.js';
import { nowTimestamp } from '../codec.js';
import type { GenericStore } from '../generic-store.js';

type Rec = Record<string, unknown>;
const rec = (v: unknown): Rec => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Rec) : {});
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

const BINDING = { group: '', name: 'pods/binding' };
const PODS = { group: '', name: 'pods' };

/** What a binding write needs besides the Binding. */
export interface BindOptions {
  dryRun?: boolean;
}

function validateBinding(binding: KubeObject): FieldError[] {
  const target = rec((binding as Rec).target);
  const errs: FieldError[] = [];
  const kind = str(target.kind);
  if (kind && kind !== 'Node') errs.push(field.notSupported('target.kind', kind, ['Node', '<empty>']));
  if (!str(target.name)) errs.push(field.required('target.name'));
  return errs;
}

/** Binds pod `name` of `namespace` as `binding` says; see the module comment. */
export async function bindPod(store: GenericStore, namespace: string | undefined, name: string, binding: KubeObject, options: BindOptions = {}): Promise<Status> {
  if (str(binding.metadata?.name) !== name) throw badRequest('name in URL does not match name in Binding object');
  const errs = validateBinding(binding);
  if (errs.length) throw invalid({ group: '', name: 'Binding' }, name, errs);
  const node = str(rec((binding as Rec).target).name);
  const annotations = binding.metadata?.annotations ?? {};
  const { uid, resourceVersion } = binding.metadata ?? {};
  const assign = (current: StoredObject): KubeObject => {
    // A uid or resourceVersion in the Binding is a precondition on the pod (upstream's storage wording).
    if (uid && uid !== current.metadata.uid)
      throw conflict(PODS, name, `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${current.metadata.uid}`);
    if (resourceVersion && resourceVersion !== current.metadata.resourceVersion)
      throw conflict(PODS, name, `Precondition failed: ResourceVersion in precondition: ${resourceVersion}, ResourceVersion in object meta: ${current.metadata.resourceVersion}`);
    const spec = rec(current.spec);
    if (current.metadata.deletionTimestamp) throw conflict(BINDING, name, `pod ${name} is being deleted, cannot be assigned to a host`);
    if (str(spec.nodeName)) throw conflict(BINDING, name, `pod ${name} is already assigned to node ${JSON.stringify(spec.nodeName)}`);
    if (Array.isArray(spec.schedulingGates) && spec.schedulingGates.length)
      throw conflict(BINDING, name, `pod ${name} has non-empty .spec.schedulingGates`);
    const next = current as KubeObject;
    next.spec = { ...spec, nodeName: node };
    if (Object.keys(annotations).length) next.metadata = { ...next.metadata, annotations: { ...(current.metadata.annotations ?? {}), ...annotations } };
    const status = { ...rec(current.status) };
    delete status.nominatedNodeName;
    const conditions = Array.isArray(status.conditions) ? status.conditions.map(rec) : [];
    const at = conditions.findIndex((c) => c.type === 'PodScheduled');
    if (at < 0) conditions.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: nowTimestamp() });
    else if (conditions[at]!.status !== 'True') {
      const { reason: _r, message: _m, ...kept } = conditions[at]!;
      conditions[at] = { ...kept, status: 'True', lastTransitionTime: nowTimestamp() };
    }
    status.conditions = conditions;
    next.status = status;
    return next;
  };
  await store.update(namespace, name, assign, { subresource: 'binding', managedFieldsSet: true, dryRun: options.dryRun === true });
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 };
}
