/**
 * The `scale` subresource view (autoscaling/v1 Scale) of workloads: how a Scale is read from an
 * object and written back into it. Only spec.replicas moves across.
 * Owns: Scale ⇄ object. Must not: do I/O.
 */
import { badRequest, invalid } from '../api/errors.js';
import { field } from '../api/field-errors.js';
import type { KubeObject, StoredObject } from '../api/types.js';

type Json = Record<string, unknown>;
interface Requirement {
  key: string;
  operator: string;
  values?: string[];
}

function asRecord(value: unknown): Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : {};
}

/** A LabelSelector (matchLabels + matchExpressions) or an RC's plain map, as selector text. */
export function selectorString(selector: unknown): string {
  const sel = asRecord(selector);
  const parts: string[] = [];
  const isLabelSelector = 'matchLabels' in sel || 'matchExpressions' in sel;
  const labels = isLabelSelector ? asRecord(sel.matchLabels) : sel;
  for (const [k, v] of Object.entries(labels).sort(([a], [b]) => a.localeCompare(b))) parts.push(`${k}=${String(v)}`);
  const expressions = Array.isArray(sel.matchExpressions) ? (sel.matchExpressions as Requirement[]) : [];
  for (const req of expressions) {
    const values = [...(req.values ?? [])].sort().join(',');
    if (req.operator === 'In') parts.push(`${req.key} in (${values})`);
    else if (req.operator === 'NotIn') parts.push(`${req.key} notin (${values})`);
    else if (req.operator === 'Exists') parts.push(req.key);
    else if (req.operator === 'DoesNotExist') parts.push(`!${req.key}`);
  }
  return parts.join(',');
}

/** The Scale of a workload. */
export function toScale(obj: StoredObject): KubeObject {
  const spec = asRecord(obj.spec);
  const status = asRecord(obj.status);
  const { name, namespace, uid, resourceVersion, creationTimestamp } = obj.metadata;
  const scaleStatus: Json = { replicas: typeof status.replicas === 'number' ? status.replicas : 0 };
  const selector = selectorString(spec.selector);
  if (selector) scaleStatus.selector = selector;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name, namespace, uid, resourceVersion, creationTimestamp },
    spec: { replicas: typeof spec.replicas === 'number' ? spec.replicas : 0 },
    status: scaleStatus,
  };
}

/** The workload with the replicas of `scale` (its resourceVersion kept as a precondition). */
export function fromScale(current: StoredObject, scale: KubeObject): KubeObject {
  const replicas = asRecord(scale.spec).replicas;
  if (replicas !== undefined && (typeof replicas !== 'number' || !Number.isInteger(replicas)))
    throw badRequest(`Scale in version "v1" cannot be handled as a Scale: json: cannot unmarshal ${typeof replicas} into Go struct field ScaleSpec.spec.replicas of type int32`);
  if (typeof replicas === 'number' && replicas < 0)
    throw invalid({ group: 'autoscaling', name: 'Scale' }, current.metadata.name, [
      field.invalid('spec.replicas', replicas, 'must be greater than or equal to 0'),
    ]);
  const next = { ...current, spec: { ...asRecord(current.spec), replicas: replicas ?? 0 } } as KubeObject;
  next.metadata = { ...current.metadata, resourceVersion: scale.metadata?.resourceVersion || current.metadata.resourceVersion };
  if (scale.metadata?.name && scale.metadata.name !== current.metadata.name)
    throw badRequest(`the name of the object (${scale.metadata.name}) does not match the name on the URL (${current.metadata.name})`);
  return next;
}
