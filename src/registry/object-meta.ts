/**
 * ObjectMeta validation on create and update, as apimachinery's `api/validation/objectmeta.go`:
 * name and generateName rules per kind, namespace, labels, annotations, finalizers, owner
 * references, and the fields an update may not change.
 * Owns: metadata rules. Must not: know HTTP or storage.
 */
import { field, type FieldError } from '../api/field-errors.js';
import { isDNS1123Label, isQualifiedName, isValidLabelValue, type NameRule } from '../api/names.js';
import type { ObjectMeta, OwnerReference } from '../api/types.js';

const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;
const FINALIZER_ORPHAN = 'orphan';
const FINALIZER_FOREGROUND = 'foregroundDeletion';

/** Metadata checks shared by create and update. */
function validateCommon(meta: ObjectMeta, namespaced: boolean): FieldError[] {
  const errs: FieldError[] = [];
  if (namespaced) {
    if (!meta.namespace) errs.push(field.required('metadata.namespace'));
    else for (const msg of isDNS1123Label(meta.namespace)) errs.push(field.invalid('metadata.namespace', meta.namespace, msg));
  } else if (meta.namespace) {
    errs.push(field.forbidden('metadata.namespace', 'not allowed on this type'));
  }
  if (typeof meta.generation === 'number' && meta.generation < 0)
    errs.push(field.invalid('metadata.generation', meta.generation, 'must be greater than or equal to 0'));
  errs.push(...validateLabels(meta.labels, 'metadata.labels'));
  errs.push(...validateAnnotations(meta.annotations, 'metadata.annotations'));
  errs.push(...validateOwnerReferences(meta.ownerReferences, 'metadata.ownerReferences'));
  errs.push(...validateFinalizers(meta.finalizers, 'metadata.finalizers'));
  return errs;
}

/** Validates the metadata of an object about to be created (name already generated). */
export function validateObjectMetaCreate(meta: ObjectMeta, namespaced: boolean, nameRule: NameRule): FieldError[] {
  const errs: FieldError[] = [];
  if (meta.generateName) {
    for (const msg of nameRule(meta.generateName, true)) errs.push(field.invalid('metadata.generateName', meta.generateName, msg));
  }
  if (!meta.name) errs.push(field.required('metadata.name', 'name or generateName is required'));
  else for (const msg of nameRule(meta.name, false)) errs.push(field.invalid('metadata.name', meta.name, msg));
  return [...errs, ...validateCommon(meta, namespaced)];
}

/** Validates the metadata of an update against the stored object's. */
export function validateObjectMetaUpdate(meta: ObjectMeta, old: ObjectMeta, namespaced: boolean): FieldError[] {
  const errs: FieldError[] = [];
  if (old.deletionTimestamp) {
    const added = (meta.finalizers ?? []).filter((f) => !(old.finalizers ?? []).includes(f));
    if (added.length)
      errs.push(
        field.forbidden(
          'metadata.finalizers',
          `no new finalizers can be added if the object is being deleted, found new finalizers []string{${[...new Set(added)]
            .sort()
            .map((f) => JSON.stringify(f))
            .join(', ')}}`,
        ),
      );
  }
  if ((meta.generation ?? 0) < (old.generation ?? 0))
    errs.push(field.invalid('metadata.generation', meta.generation, 'must not be decremented'));
  for (const key of ['name', 'namespace', 'uid', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds'] as const) {
    if (meta[key] !== old[key]) errs.push(field.invalid(`metadata.${key}`, meta[key] ?? null, 'field is immutable'));
  }
  errs.push(...validateLabels(meta.labels, 'metadata.labels'));
  errs.push(...validateAnnotations(meta.annotations, 'metadata.annotations'));
  errs.push(...validateOwnerReferences(meta.ownerReferences, 'metadata.ownerReferences'));
  errs.push(...validateFinalizers(meta.finalizers, 'metadata.finalizers'));
  if (namespaced && !meta.namespace) errs.push(field.required('metadata.namespace'));
  return errs;
}

/** Label keys must be qualified names, values valid label values. */
export function validateLabels(labels: Record<string, string> | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const [key, value] of Object.entries(labels ?? {})) {
    for (const msg of isQualifiedName(key)) errs.push(field.invalid(path, key, msg));
    if (typeof value !== 'string') errs.push(field.invalid(path, value, 'must be a string'));
    else for (const msg of isValidLabelValue(value)) errs.push(field.invalid(path, value, msg));
  }
  return errs;
}

/** Annotation keys must be qualified names (case-insensitive); total size at most 256 KiB. */
export function validateAnnotations(annotations: Record<string, string> | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  let total = 0;
  for (const [key, value] of Object.entries(annotations ?? {})) {
    for (const msg of isQualifiedName(key.toLowerCase())) errs.push(field.invalid(path, key, msg));
    total += Buffer.byteLength(key) + Buffer.byteLength(String(value));
  }
  if (total > TOTAL_ANNOTATION_SIZE_LIMIT) errs.push(field.tooLong(path, '', TOTAL_ANNOTATION_SIZE_LIMIT));
  return errs;
}

function validateOwnerReferences(refs: OwnerReference[] | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  let firstController = '';
  (refs ?? []).forEach((ref, i) => {
    const at = `${path}[${i}]`;
    if (!ref.apiVersion) errs.push(field.required(`${at}.apiVersion`, 'must not be empty'));
    else if (!/^([^/]+\/)?[^/]+$/.test(ref.apiVersion)) errs.push(field.invalid(`${at}.apiVersion`, ref.apiVersion, 'must be <group>/<version> or <version>'));
    if (!ref.kind) errs.push(field.required(`${at}.kind`, 'must not be empty'));
    if (!ref.name) errs.push(field.required(`${at}.name`, 'must not be empty'));
    if (!ref.uid) errs.push(field.required(`${at}.uid`, 'must not be empty'));
    if (ref.apiVersion === 'v1' && ref.kind === 'Event') errs.push(field.invalid(at, ref, '/v1, Kind=Event is disallowed from being an owner'));
    if (ref.controller === true) {
      const current = `${ref.kind}/${ref.name}`;
      if (firstController)
        errs.push(
          field.invalid(
            path,
            refs,
            `Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${current}`,
          ),
        );
      else firstController = current;
    }
  });
  return errs;
}

function validateFinalizers(finalizers: string[] | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const finalizer of finalizers ?? []) {
    for (const msg of isQualifiedName(finalizer)) errs.push(field.invalid(path, finalizer, msg));
  }
  if (finalizers?.includes(FINALIZER_ORPHAN) && finalizers.includes(FINALIZER_FOREGROUND))
    errs.push(field.invalid(path, finalizers, `finalizer ${FINALIZER_ORPHAN} and ${FINALIZER_FOREGROUND} cannot be both set`));
  return errs;
}
