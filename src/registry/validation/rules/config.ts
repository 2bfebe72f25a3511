/**
 * core/v1 ConfigMap and Secret rules, after ValidateConfigMap(Update) and ValidateSecret(Update)
 * in `pkg/apis/core/validation/validation.go`: config keys, the 1 MiB size limit, duplicate
 * data/binaryData keys, the keys each Secret type needs, and immutability (`immutable: true`,
 * Secret `type`). This is the one place these rules live.
 * Owns: ConfigMap and Secret rules. Must not: fold stringData (the strategy does).
 */
import { field, type FieldError } from '../../../api/field-errors.js';
import { goJsonSyntaxError } from '../../../api/go-json-error.js';
import { deepEqual } from '../../codec.js';
import { child, IMMUTABLE, isRec, key, rec, str, type Rec } from './common.js';
import { configMapKeyErrors } from './env.js';

const MAX_SIZE = 1024 * 1024;
const IMMUTABLE_WHEN_SET = 'field is immutable when `immutable` is set';

function keyErrors(map: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const k of Object.keys(rec(map))) for (const m of configMapKeyErrors(k)) errs.push(field.invalid(key(path, k), k, m));
  return errs;
}

/** Decoded length of a base64 value (what Go's []byte holds). */
function bytesOf(value: unknown): Buffer {
  return Buffer.from(str(value), 'base64');
}

function validateConfigMap(cm: Rec): FieldError[] {
  const errs: FieldError[] = [];
  const data = rec(cm.data);
  const binary = rec(cm.binaryData);
  let size = 0;
  for (const [k, v] of Object.entries(data)) {
    for (const m of configMapKeyErrors(k)) errs.push(field.invalid(key('data', k), k, m));
    if (Object.hasOwn(binary, k)) errs.push(field.invalid(key('data', k), k, 'duplicate of key present in binaryData'));
    size += Buffer.byteLength(str(v));
  }
  errs.push(...keyErrors(binary, 'binaryData'));
  for (const v of Object.values(binary)) size += bytesOf(v).length;
  if (size > MAX_SIZE) errs.push(field.tooLong('', '', MAX_SIZE));
  return errs;
}

function immutableData(obj: Rec, old: Rec, keys: readonly string[]): FieldError[] {
  if (old.immutable !== true) return [];
  const errs: FieldError[] = [];
  if (obj.immutable !== true) errs.push(field.forbidden('immutable', IMMUTABLE_WHEN_SET));
  for (const k of keys) if (!deepEqual(obj[k] ?? null, old[k] ?? null)) errs.push(field.forbidden(k, IMMUTABLE_WHEN_SET));
  return errs;
}

/** ConfigMap create and update rules. */
export const configMapRules = {
  validate: validateConfigMap,
  validateUpdate: (obj: Rec, old: Rec): FieldError[] => [...immutableData(obj, old, ['data', 'binaryData']), ...validateConfigMap(obj)],
};

/** encoding/json's error for a Secret's docker config bytes, or undefined when they are a JSON object. */
function dockerConfigError(bytes: Buffer): string | undefined {
  const syntax = goJsonSyntaxError(bytes);
  if (syntax) return syntax;
  const value: unknown = JSON.parse(bytes.toString('utf8'));
  if (value === null || isRec(value)) return undefined;
  const kind = Array.isArray(value) ? 'array' : typeof value === 'boolean' ? 'bool' : typeof value;
  return `json: cannot unmarshal ${kind} into Go value of type map[string]interface {}`;
}

function validateSecret(secret: Rec): FieldError[] {
  const errs: FieldError[] = [];
  const data = rec(secret.data);
  let size = 0;
  for (const [k, v] of Object.entries(data)) {
    for (const m of configMapKeyErrors(k)) errs.push(field.invalid(key('data', k), k, m));
    size += bytesOf(v).length;
  }
  if (size > MAX_SIZE) errs.push(field.tooLong('data', '', MAX_SIZE));
  const has = (k: string): boolean => Object.hasOwn(data, k);
  const required = (k: string): FieldError => field.required(key('data', k));
  switch (str(secret.type)) {
    case 'kubernetes.io/service-account-token':
      if (!str(rec(rec(secret.metadata).annotations)['kubernetes.io/service-account.name']))
        errs.push(field.required(key(child('metadata', 'annotations'), 'kubernetes.io/service-account.name')));
      break;
    case 'kubernetes.io/dockercfg':
    case 'kubernetes.io/dockerconfigjson': {
      const k = secret.type === 'kubernetes.io/dockercfg' ? '.dockercfg' : '.dockerconfigjson';
      if (!has(k)) errs.push(required(k));
      else {
        const err = dockerConfigError(bytesOf(data[k]));
        if (err) errs.push(field.invalid(key('data', k), '<secret contents redacted>', err));
      }
      break;
    }
    case 'kubernetes.io/basic-auth':
      if (!has('username') && !has('password')) errs.push(required('username'), required('password'));
      break;
    case 'kubernetes.io/ssh-auth':
      if (bytesOf(data['ssh-privatekey']).length === 0) errs.push(required('ssh-privatekey'));
      break;
    case 'kubernetes.io/tls':
      if (!has('tls.crt')) errs.push(required('tls.crt'));
      if (!has('tls.key')) errs.push(required('tls.key'));
      break;
  }
  return errs;
}

/** Secret create and update rules. */
export const secretRules = {
  validate: validateSecret,
  validateUpdate(obj: Rec, old: Rec): FieldError[] {
    const errs: FieldError[] = [];
    if (str(obj.type) !== str(old.type)) errs.push(field.invalid('type', str(obj.type), IMMUTABLE));
    return [...errs, ...immutableData(obj, old, ['data']), ...validateSecret(obj)];
  },
};
