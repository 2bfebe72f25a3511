/**
 * The apiextensions.k8s.io/v1 CustomResourceDefinition as kubemu reads it (the subset of fields
 * the CRD strategy, controller and custom-resource serving use; unknown keys are kept), and
 * small accessors over it.
 * Owns: the CRD shape and its constants. Must not: do I/O or validate.
 */
import type { KubeObject } from '../../api/types.js';
import type { JSONSchemaProps } from '../crd-schema/index.js';

/** spec.names / status.acceptedNames. */
export interface CrdNames {
  plural?: string;
  singular?: string;
  kind?: string;
  listKind?: string;
  shortNames?: string[];
  categories?: string[];
}

/** One additionalPrinterColumns entry. */
export interface CrdColumn {
  name?: string;
  type?: string;
  format?: string;
  description?: string;
  priority?: number;
  jsonPath?: string;
}

/** spec.versions[].subresources. */
export interface CrdSubresources {
  status?: Record<string, unknown>;
  scale?: { specReplicasPath?: string; statusReplicasPath?: string; labelSelectorPath?: string };
}

/** One entry of spec.versions. */
export interface CrdVersion {
  name?: string;
  served?: boolean;
  storage?: boolean;
  deprecated?: boolean;
  deprecationWarning?: string;
  schema?: { openAPIV3Schema?: JSONSchemaProps };
  subresources?: CrdSubresources;
  additionalPrinterColumns?: CrdColumn[];
  selectableFields?: Array<{ jsonPath?: string }>;
}

/** One status condition. */
export interface CrdCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

/** spec of a CRD. */
export interface CrdSpec {
  group?: string;
  names?: CrdNames;
  scope?: string;
  versions?: CrdVersion[];
  conversion?: {
    strategy?: string;
    webhook?: { clientConfig?: { url?: string; service?: Record<string, unknown>; caBundle?: string }; conversionReviewVersions?: string[] };
  };
  preserveUnknownFields?: boolean;
}

/** status of a CRD. */
export interface CrdStatus {
  conditions?: CrdCondition[];
  acceptedNames?: CrdNames;
  storedVersions?: string[];
}

/** A CustomResourceDefinition object. */
export interface Crd extends KubeObject {
  spec?: CrdSpec;
  status?: CrdStatus;
}

/** The finalizer that holds a deleted CRD until its custom resources are gone. */
export const CLEANUP_FINALIZER = 'customresourcecleanup.apiextensions.k8s.io';

/** The condition of `type`, if present. */
export function conditionOf(crd: Crd, type: string): CrdCondition | undefined {
  return crd.status?.conditions?.find((c) => c.type === type);
}

/** True when condition `type` is True. */
export function isConditionTrue(crd: Crd, type: string): boolean {
  return conditionOf(crd, type)?.status === 'True';
}

/**
 * Sets a condition as apiextensions' SetCRDCondition: lastTransitionTime changes only when the
 * status does; reason and message are replaced.
 */
export function setCondition(crd: Crd, condition: CrdCondition, now: string): void {
  const status = (crd.status ??= {});
  const list = (status.conditions ??= []);
  const existing = list.find((c) => c.type === condition.type);
  if (!existing) {
    list.push({ ...condition, lastTransitionTime: condition.lastTransitionTime ?? now });
    return;
  }
  if (existing.status !== condition.status) existing.lastTransitionTime = condition.lastTransitionTime ?? now;
  existing.status = condition.status;
  existing.reason = condition.reason ?? '';
  existing.message = condition.message ?? '';
  if (!existing.reason) delete existing.reason;
  if (!existing.message) delete existing.message;
}

/** The storage version's name, if exactly one is marked. */
export function storageVersionOf(crd: Crd): string | undefined {
  const storage = (crd.spec?.versions ?? []).filter((v) => v.storage);
  return storage.length === 1 ? storage[0]!.name : undefined;
}
