/**
 * Environment rules of containers, after ValidateEnv, validateEnvVarValueFrom and
 * ValidateEnvFrom in `pkg/apis/core/validation/validation.go`, and the key format of
 * ConfigMaps and Secrets (validation.IsConfigMapKey) that key selectors share.
 * Owns: env and config-key rules. Must not: know containers beyond their env lists.
 */
import { field, type FieldError } from '../../../api/field-errors.js';
import { isDNS1123Subdomain, isQualifiedName } from '../../../api/names.js';
import { arr, child, index, isRec, rec, str, type Rec } from './common.js';

/** validation.IsEnvVarName. */
function envVarNameErrors(name: string): string[] {
  const errs: string[] = [];
  if (!/^[-._a-zA-Z][-._a-zA-Z0-9]*$/.test(name))
    errs.push(
      "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')",
    );
  if (name === '.') errs.push("must not be '.'");
  else if (name === '..') errs.push("must not be '..'");
  else if (name.startsWith('..')) errs.push("must not start with '..'");
  return errs;
}

/** validation.IsConfigMapKey. */
export function configMapKeyErrors(k: string): string[] {
  const errs: string[] = [];
  if (k.length > 253) errs.push('must be no more than 253 characters');
  if (!/^[-._a-zA-Z0-9]+$/.test(k))
    errs.push(
      "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
    );
  if (k === '.') errs.push("must not be '.'");
  else if (k === '..') errs.push("must not be '..'");
  else if (k.startsWith('..')) errs.push("must not start with '..'");
  return errs;
}

const ENV_FIELD_PATHS = [
  'metadata.name', 'metadata.namespace', 'metadata.uid', 'spec.nodeName', 'spec.serviceAccountName',
  'status.hostIP', 'status.hostIPs', 'status.podIP', 'status.podIPs',
];

function keySelector(sel: Rec, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const name = str(sel.name);
  for (const m of isDNS1123Subdomain(name)) errs.push(field.invalid(child(path, 'name'), name, m));
  const k = str(sel.key);
  if (!k) errs.push(field.required(child(path, 'key')));
  else for (const m of configMapKeyErrors(k)) errs.push(field.invalid(child(path, 'key'), k, m));
  return errs;
}

/** ValidateEnv with validateEnvVarValueFrom. */
export function validateEnv(env: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  arr(env).forEach((e, i) => {
    const ev = rec(e);
    const at = index(path, i);
    const name = str(ev.name);
    if (!name) errs.push(field.required(child(at, 'name')));
    else for (const m of envVarNameErrors(name)) errs.push(field.invalid(child(at, 'name'), name, m));
    if (!isRec(ev.valueFrom)) return;
    const from = ev.valueFrom;
    const fromPath = child(at, 'valueFrom');
    let sources = 0;
    if (isRec(from.fieldRef)) {
      sources++;
      const fieldPath = str(from.fieldRef.fieldPath);
      const refPath = child(fromPath, 'fieldRef');
      if (!fieldPath) errs.push(field.required(child(refPath, 'fieldPath')));
      else if (/^metadata\.(labels|annotations)\['.*'\]$/.test(fieldPath)) {
        const sub = fieldPath.slice(fieldPath.indexOf("['") + 2, -2);
        const subject = fieldPath.startsWith('metadata.annotations') ? sub.toLowerCase() : sub;
        for (const m of isQualifiedName(subject)) errs.push(field.invalid(refPath, subject, m));
      } else if (!ENV_FIELD_PATHS.includes(fieldPath)) {
        errs.push(field.notSupported(child(refPath, 'fieldPath'), fieldPath, ENV_FIELD_PATHS));
      }
    }
    if (isRec(from.resourceFieldRef)) sources++;
    if (isRec(from.configMapKeyRef)) {
      sources++;
      errs.push(...keySelector(from.configMapKeyRef, child(fromPath, 'configMapKeyRef')));
    }
    if (isRec(from.secretKeyRef)) {
      sources++;
      errs.push(...keySelector(from.secretKeyRef, child(fromPath, 'secretKeyRef')));
    }
    if (sources === 0)
      errs.push(field.invalid(fromPath, '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'));
    else if (str(ev.value)) errs.push(field.invalid(fromPath, '', 'may not be specified when `value` is not empty'));
    else if (sources > 1) errs.push(field.invalid(fromPath, '', 'may not have more than one field specified at a time'));
  });
  return errs;
}

/** ValidateEnvFrom. */
export function validateEnvFrom(envFrom: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  arr(envFrom).forEach((e, i) => {
    const ev = rec(e);
    const at = index(path, i);
    const prefix = str(ev.prefix);
    if (prefix) for (const m of envVarNameErrors(prefix)) errs.push(field.invalid(child(at, 'prefix'), prefix, m));
    let sources = 0;
    for (const ref of ['configMapRef', 'secretRef'] as const) {
      if (!isRec(ev[ref])) continue;
      sources++;
      const name = str(rec(ev[ref]).name);
      const refPath = child(at, ref);
      if (!name) errs.push(field.required(child(refPath, 'name')));
      else for (const m of isDNS1123Subdomain(name)) errs.push(field.invalid(child(refPath, 'name'), name, m));
    }
    if (sources === 0) errs.push(field.invalid(path, '', 'must specify one of: `configMapRef` or `secretRef`'));
    else if (sources > 1) errs.push(field.invalid(path, '', 'may not have more than one field specified at a time'));
  });
  return errs;
}

