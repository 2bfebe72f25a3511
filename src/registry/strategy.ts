/**
 * The per-resource hooks of the generic store (kube-apiserver's RESTCreateStrategy and friends).
 * A resource is data (ResourceInfo) plus, optionally, one of these; anything left out takes the
 * default below. Hooks mutate the object they are given (a fresh copy owned by the request).
 * Owns: the Strategy shape and its defaults. Must not: do I/O or know HTTP.
 */
import type { FieldError } from '../api/field-errors.js';
import { nameRules, type NameRule } from '../api/names.js';
import type { KubeObject, StoredObject } from '../api/types.js';

/** Hooks that differ between resources. */
export interface Strategy {
  /** Rule for metadata.name and generateName (default: DNS-1123 subdomain). */
  nameRule: NameRule;
  /** metadata.generation is kept and bumped on spec changes (workloads, CRDs). */
  tracksGeneration: boolean;
  /** PUT of a missing object creates it (Endpoints, Leases, ...). */
  allowCreateOnUpdate: boolean;
  /** DELETE answers with the deleted object instead of a Success Status. */
  returnDeletedObject: boolean;
  /** Called on create after metadata is filled in: reset status, apply defaults. */
  prepareForCreate(obj: KubeObject): void;
  /** Called on update of the main resource (status already carried over when there is a status subresource). */
  prepareForUpdate(obj: KubeObject, old: KubeObject): void;
  /** Kind-specific rules on create; return field errors. */
  validate(obj: KubeObject): FieldError[];
  /** Kind-specific rules on update. */
  validateUpdate(obj: KubeObject, old: KubeObject): FieldError[];
  /**
   * Graceful deletion (kube-apiserver's CheckGracefulDelete), opt-in: the seconds `obj` stays
   * with `deletionTimestamp` (now + grace) and `deletionGracePeriodSeconds` until whoever runs it
   * confirms with a grace-0 delete; `undefined` deletes at once. `requested` is the
   * DeleteOptions' gracePeriodSeconds. Absent: every delete is immediate (finalizers aside).
   */
  gracefulDelete?(obj: StoredObject, requested: number | undefined): number | undefined;
  /** Propagation of a DELETE that names none (upstream `DefaultGarbageCollectionPolicy`; Orphan for core/v1 RCs, batch/v1 Jobs). */
  defaultGarbageCollectionPolicy: 'Orphan' | 'Background';
  /** True while a deleted object must stay (default: `metadata.finalizers` not empty; namespaces add `spec.finalizers`). */
  finalizersPending(obj: KubeObject): boolean;
  /** Called once when a DELETE marks the object with deletionTimestamp (namespaces: phase Terminating). */
  prepareForDelete(obj: KubeObject): void;
  /** Warnings for the client after a create or update (upstream WarningsOnCreate/WarningsOnUpdate); optional. */
  warningsOnWrite?(obj: KubeObject): string[];
}

/** The defaults every resource starts from. */
export const defaultStrategy: Strategy = {
  nameRule: nameRules.dnsSubdomain,
  tracksGeneration: false,
  allowCreateOnUpdate: false,
  returnDeletedObject: false,
  prepareForCreate() {},
  prepareForUpdate() {},
  validate: () => [],
  validateUpdate: () => [],
  defaultGarbageCollectionPolicy: 'Background',
  finalizersPending: (obj) => (obj.metadata?.finalizers?.length ?? 0) > 0,
  prepareForDelete() {},
};

/** A strategy with some hooks overridden. */
export function strategy(overrides: Partial<Strategy>): Strategy {
  return { ...defaultStrategy, ...overrides };
}
