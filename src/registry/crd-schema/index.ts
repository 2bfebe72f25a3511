/**
 * Schema semantics of CustomResourceDefinitions: validation of custom resources against a
 * version's openAPIV3Schema (with the Kubernetes extensions and CEL x-kubernetes-validations),
 * pruning of unknown fields, structural defaulting, and the structural-schema rules of the CRD
 * itself, all worded as a real kube-apiserver (1.31).
 * Owns: the pure schema algorithms. Must not: do I/O, know HTTP, storage or the CRD registry.
 */
import { field, type FieldError } from '../../api/field-errors.js';
import { CelRules } from './cel-walk.js';
import { Correlated } from './correlation.js';
import { applyDefaults as defaultTree } from './default.js';
import { invalid } from './go-value.js';
import { validateListSetsAndMaps } from './list-type.js';
import { buildNode, isObj, type SchemaNode } from './node.js';
import { pruneObject } from './prune.js';
import { structuralErrors } from './structural.js';
import { validateValue } from './validate.js';

/** A CRD version's openAPIV3Schema (JSONSchemaProps). */
export interface JSONSchemaProps {
  [k: string]: unknown;
}

/** Options of CompiledSchema.validate. */
export interface ValidateOptions {
  /** Validation ratcheting on update; default true (the feature gate is on by default since 1.30). */
  ratcheting?: boolean;
  /** Receives warnings (ratcheted CEL failures) to return to the client. */
  warnings?: string[];
}

/** One schema compiled for repeated use. */
export interface CompiledSchema {
  /**
   * Schema + k8s extension validation, then CEL x-kubernetes-validations (oldObj for transition rules). Paths like `spec.replicas`.
   * On update (oldObj given) validation ratchets as 1.30+ (CRDValidationRatcheting): errors of unchanged fields are dropped,
   * failing rules without oldSelf on unchanged nodes become `options.warnings` (pass `ratcheting: false` to turn it off).
   */
  validate(obj: unknown, oldObj?: unknown, options?: ValidateOptions): FieldError[];
  /** Removes fields the schema does not know (honouring x-kubernetes-preserve-unknown-fields, embedded resources, metadata handling as upstream); returns the pruned paths for fieldValidation Warn/Strict. */
  prune(obj: Record<string, unknown>): string[];
  /** Applies `default`s in place (on write and on read), as upstream structural defaulting. */
  applyDefaults(obj: Record<string, unknown>): void;
  /** Warnings to return when the CRD is created (e.g. CEL rules that could not be compiled). */
  warnings: string[];
}

const BLOCKING = new Set(['FieldValueNotSupported', 'FieldValueRequired', 'FieldValueTooLong', 'FieldValueTooMany', 'FieldValueTypeInvalid']);
const DNS1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/** Compiles a version's openAPIV3Schema; the node tree and CEL programs are built on first use. */
export function compileSchema(schema: JSONSchemaProps, _options?: { kind?: string; apiVersion?: string }): CompiledSchema {
  let root: SchemaNode | undefined;
  let cel: CelRules | undefined;
  const node = (): SchemaNode => (root ??= buildNode(schema));
  const rules = (): CelRules => (cel ??= new CelRules(node(), 'openAPIV3Schema'));
  return {
    validate(obj, oldObj, options) {
      const s = node();
      const update = oldObj !== undefined && oldObj !== null;
      const ratchet = update && options?.ratcheting !== false;
      const errs = validateValue(s, obj, '', ratchet ? new Correlated(obj, oldObj, s) : undefined);
      if (isObj(obj)) {
        errs.push(...embeddedErrors(s, obj, ''));
        const oldOk = oldObj === undefined || !isObj(oldObj) || validateListSetsAndMaps(s, oldObj).length === 0;
        if (oldOk) errs.push(...validateListSetsAndMaps(s, obj));
      }
      const r = rules();
      if (!r.empty) {
        if (errs.some((e) => BLOCKING.has(e.type))) {
          errs.push(invalid('<nil>', null, 'some validation rules were not checked because the object was invalid; correct the existing errors to complete validation'));
        } else {
          errs.push(...r.validate(s, obj, oldObj, update, ratchet ? { warnings: options?.warnings ?? [] } : undefined));
        }
      }
      return errs;
    },
    prune(obj) {
      return pruneObject(obj, node());
    },
    applyDefaults(obj) {
      defaultTree(obj, node());
    },
    get warnings() {
      return rules().warnings;
    },
  };
}

/** apiVersion/kind of x-kubernetes-embedded-resource objects (objectmeta/validation.go). */
function embeddedErrors(s: SchemaNode | undefined, x: unknown, path: string): FieldError[] {
  if (!s) return [];
  const errs: FieldError[] = [];
  const at = (k: string): string => (path ? `${path}.${k}` : k);
  if (Array.isArray(x)) {
    x.forEach((v, i) => errs.push(...embeddedErrors(s.items, v, `${path}[${i}]`)));
  } else if (isObj(x)) {
    if (s.embedded && path !== '') {
      if (!('apiVersion' in x)) errs.push(field.required(at('apiVersion'), 'must not be empty'));
      if (!('kind' in x)) errs.push(field.required(at('kind'), 'must not be empty'));
      if ('apiVersion' in x) {
        const v = x.apiVersion;
        if (typeof v !== 'string') errs.push(invalid(at('apiVersion'), v, 'must be a string'));
        else if (v === '') errs.push(invalid(at('apiVersion'), v, 'must not be empty'));
        else if (v.split('/').length > 2) errs.push(invalid(at('apiVersion'), v, `unexpected GroupVersion string: ${v}`));
      }
      if ('kind' in x) {
        const v = x.kind;
        if (typeof v !== 'string') errs.push(invalid(at('kind'), v, 'must be a string'));
        else if (v === '') errs.push(invalid(at('kind'), v, 'must not be empty'));
        else if (!DNS1035.test(v.toLowerCase()) || v.length > 63) {
          errs.push(invalid(at('kind'), v, "may have mixed case, but should otherwise match: a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"));
        }
      }
    }
    for (const [k, v] of Object.entries(x)) {
      const p = s.properties?.get(k);
      if (p) errs.push(...embeddedErrors(p, v, at(k)));
      else if (typeof s.additionalProperties === 'object') errs.push(...embeddedErrors(s.additionalProperties, v, `${path}[${k}]`));
    }
  }
  return errs;
}

/** Structural-schema and CRD-schema validation errors with upstream messages; basePath e.g. `spec.versions[0].schema.openAPIV3Schema`. */
export function validateStructuralSchema(schema: JSONSchemaProps, basePath: string): FieldError[] {
  return structuralErrors(schema, basePath);
}
