/**
 * Schema semantics of CustomResourceDefinitions: validation of custom resources against a
 * version's openAPIV3Schema (with the Kubernetes extensions and CEL x-kubernetes-validations),
 * pruning of unknown fields, structural defaulting, and the structural-schema rules of the CRD
 * itself, all worded as a real kube-apiserver.
 * Owns: the pure schema algorithms. Must not: do I/O, know HTTP, storage or the CRD registry.
 */
import type { FieldError } from '../../api/field-errors.js';

/** A CRD version's openAPIV3Schema (JSONSchemaProps). */
export interface JSONSchemaProps {
  [k: string]: unknown;
}

/** One schema compiled for repeated use. */
export interface CompiledSchema {
  /** Schema + k8s extension validation, then CEL x-kubernetes-validations (oldObj for transition rules). Paths like `spec.replicas`. */
  validate(obj: unknown, oldObj?: unknown): FieldError[];
  /** Removes fields the schema does not know (honouring x-kubernetes-preserve-unknown-fields, embedded resources, metadata handling as upstream); returns the pruned paths for fieldValidation Warn/Strict. */
  prune(obj: Record<string, unknown>): string[];
  /** Applies `default`s in place (on write and on read), as upstream structural defaulting. */
  applyDefaults(obj: Record<string, unknown>): void;
  /** Warnings to return when the CRD is created (e.g. CEL rules that could not be compiled). */
  warnings: string[];
}

/** Compiles a version's openAPIV3Schema. */
export function compileSchema(_schema: JSONSchemaProps, _options?: { kind?: string; apiVersion?: string }): CompiledSchema {
  return {
    validate: () => [],
    prune: () => [],
    applyDefaults: () => {},
    warnings: [],
  };
}

/** Structural-schema and CRD-schema validation errors with upstream messages; basePath e.g. `spec.versions[0].schema.openAPIV3Schema`. */
export function validateStructuralSchema(_schema: JSONSchemaProps, _basePath: string): FieldError[] {
  return [];
}
