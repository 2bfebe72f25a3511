/**
 * Validation of a custom resource against its compiled schema, following kube-openapi's
 * SchemaValidator (the order of its validators, its messages with `in body`) and
 * apiextensions-apiserver's translation of those results into field errors.
 * Owns: schema validation of values. Must not: prune, default, or evaluate CEL.
 */
import { FieldError, field } from '../../api/field-errors.js';
import { checkFormat } from './formats.js';
import { child, fieldPath, invalid, notSupported, typeInvalid } from './go-value.js';
import type { Correlated } from './correlation.js';
import type { SchemaNode } from './node.js';

/** One kube-openapi result: field errors plus its match count (used to pick anyOf/oneOf failures). */
interface Result {
  errors: FieldError[];
  matches: number;
}

/** JSON type name of a value as kube-openapi sees decoded JSON, and its Go format. */
function schemaType(v: unknown): [string, string] {
  if (typeof v === 'boolean') return ['boolean', ''];
  if (typeof v === 'string') return ['string', ''];
  if (typeof v === 'number') return Number.isInteger(v) ? ['integer', 'int64'] : ['number', 'float64'];
  if (typeof v === 'bigint') return ['integer', 'int64'];
  if (Array.isArray(v)) return ['array', ''];
  return ['object', ''];
}

/** Go's `%v` of a float64 or int64 bound. */
function goNumber(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return String(n);
  const s = String(n);
  return s.replace(/e\+?(-?)(\d)$/, 'e+$10$2').replace('e+-', 'e-');
}

/** `%s in body ...` message helpers (name = path as kube-openapi names it). */
const msg = {
  type: (name: string, type: string, value: unknown) =>
    typeof value === 'string' ? `${name} in body must be of type ${type}: ${JSON.stringify(value)}` : `${name} in body must be of type ${type}`,
};

/** Validates `data` at `path` against `s`; returns field errors in upstream order. */
export function validateValue(s: SchemaNode, data: unknown, path: string, old?: Correlated): FieldError[] {
  return run(s, data, path, old).errors;
}

/**
 * Runs one node; with a correlation (ratcheting on update), the node's errors — its own and its
 * subtree's — are dropped when the node is unchanged from its old value (ratcheting.go).
 */
function run(s: SchemaNode, data: unknown, path: string, corr?: Correlated): Result {
  const res = runNode(s, data, path, corr);
  if (corr && res.errors.length && corr.equal()) res.errors = [];
  return res;
}

function runNode(s: SchemaNode, data: unknown, path: string, corr: Correlated | undefined): Result {
  const res: Result = { errors: [], matches: 0 };
  if (data === null || data === undefined) {
    typeCheck(s, null, path, res);
    enumCheck(s, null, path, res);
    return res;
  }
  const [stype] = schemaType(data);
  if (s.types.length > 0 || s.format !== '') typeCheck(s, data, path, res), res.matches++;
  if (s.allOf.length || s.anyOf.length || s.oneOf.length || s.not) props(s, data, path, res, corr);
  res.matches++;
  if (stype === 'string') stringCheck(s, data as string, path, res), res.matches++;
  if (stype === 'string' && s.format !== '') {
    if (!checkFormat(s.format, data as string)) {
      res.errors.push(typeInvalid(fieldPath(path), data, msg.type(path, s.format, data)));
    }
    res.matches++;
  }
  if (stype === 'integer' || stype === 'number') numberCheck(s, data as number, path, res), res.matches++;
  if (stype === 'array') sliceCheck(s, data as unknown[], path, res, corr), res.matches++;
  enumCheck(s, data, path, res);
  res.matches++;
  if (stype === 'object') objectCheck(s, data as Record<string, unknown>, path, res, corr), res.matches++;
  res.matches++;
  return res;
}

function typeCheck(s: SchemaNode, data: unknown, path: string, res: Result): void {
  res.matches++;
  if (s.types.length === 0 && s.format === '') return;
  if (data === null) {
    if (s.types.length > 0 && !s.types.includes('null') && !s.nullable) {
      res.errors.push(typeInvalid(fieldPath(path), 'null', msg.type(path, s.types.join(','), 'null')));
    }
    return;
  }
  const [stype, format] = schemaType(data);
  const isIntFloat = stype === 'integer' && s.types.includes('number');
  const isString = stype === 'string' || stype === 'array';
  if (!isString && s.format !== '' && !(s.types.includes(stype) || format === s.format || isIntFloat)) {
    res.errors.push(typeInvalid(fieldPath(path), format, msg.type(path, s.format, format)));
    return;
  }
  if (!(s.types.includes('number') || s.types.includes('integer')) && s.format !== '' && isString) return;
  if (!(s.types.includes(stype) || isIntFloat)) {
    res.errors.push(typeInvalid(fieldPath(path), stype, msg.type(path, s.types.join(','), stype)));
  }
}

function stringCheck(s: SchemaNode, data: string, path: string, res: Result): void {
  if (s.maxLength !== undefined && [...data].length > s.maxLength) {
    // apimachinery 1.31 field.TooLongMaxLength
    const detail = s.maxLength >= 0 ? `may not be longer than ${s.maxLength}` : 'value is too long';
    res.errors.push(new FieldError('FieldValueTooLong', fieldPath(path), data, detail));
    return;
  }
  if (s.minLength !== undefined && [...data].length < s.minLength) {
    res.errors.push(invalid(fieldPath(path), data, `${path} in body should be at least ${s.minLength} chars long`));
    return;
  }
  if (s.regex !== undefined) {
    if (typeof s.regex === 'string') {
      res.errors.push(invalid(fieldPath(path), data, `${path} in body should match '${s.pattern}, but pattern is invalid: ${s.regex}'`));
    } else if (!s.regex.test(data)) {
      res.errors.push(invalid(fieldPath(path), data, `${path} in body should match '${s.pattern}'`));
    }
  }
}

function numberCheck(s: SchemaNode, data: number, path: string, res: Result): void {
  const fp = fieldPath(path);
  if (s.multipleOf !== undefined) {
    const f = s.multipleOf;
    if (f <= 0) res.errors.push(invalid(fp, f, `factor MultipleOf declared for ${path} must be positive: ${goNumber(f)}`));
    else {
      const mult = f < 1 ? (1 / f) * data : data / f;
      if (!Number.isInteger(mult)) res.errors.push(invalid(fp, data, `${path} in body should be a multiple of ${goNumber(f)}`));
    }
  }
  if (s.minimum !== undefined) {
    const m = s.minimum;
    if ((!s.exclusiveMinimum && data < m) || (s.exclusiveMinimum && data <= m)) {
      const rel = s.exclusiveMinimum ? 'greater than' : 'greater than or equal to';
      res.errors.push(invalid(fp, data, `${path} in body should be ${rel} ${goNumber(m)}`));
    }
  }
  if (s.maximum !== undefined) {
    const m = s.maximum;
    if ((!s.exclusiveMaximum && data > m) || (s.exclusiveMaximum && data >= m)) {
      const rel = s.exclusiveMaximum ? 'less than' : 'less than or equal to';
      res.errors.push(invalid(fp, data, `${path} in body should be ${rel} ${goNumber(m)}`));
    }
  }
}

function sliceCheck(s: SchemaNode, data: unknown[], path: string, res: Result, corr: Correlated | undefined): void {
  if (s.items) {
    for (let i = 0; i < data.length; i++) merge(res, run(s.items, data[i], `${path}[${i}]`, corr?.index(i)));
  }
  const fp = fieldPath(path);
  if (s.minItems !== undefined && data.length < s.minItems) {
    res.errors.push(invalid(fp, data.length, `${path} in body should have at least ${s.minItems} items`));
  }
  if (s.maxItems !== undefined && data.length > s.maxItems) {
    res.errors.push(field.tooMany(fp, data.length, s.maxItems));
  }
  if (s.uniqueItems) {
    const seen = new Set(data.map((v) => JSON.stringify(v)));
    if (seen.size !== data.length) res.errors.push(invalid(fp, '', `${path} in body shouldn't contain duplicates`));
  }
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((v, i) => deepEqual(v, bb[i]));
  }
  const ka = Object.keys(a);
  const bo = b as Record<string, unknown>;
  return ka.length === Object.keys(bo).length && ka.every((k) => k in bo && deepEqual((a as Record<string, unknown>)[k], bo[k]));
}

function enumCheck(s: SchemaNode, data: unknown, path: string, res: Result): void {
  if (!s.enum || s.enum.length === 0) return;
  for (const e of s.enum) if (deepEqual(data, e)) return;
  const values = s.enum.map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
  res.errors.push(notSupported(fieldPath(path), data, values));
}

function objectCheck(s: SchemaNode, data: Record<string, unknown>, path: string, res: Result, corr: Correlated | undefined): void {
  // apiVersion and kind of the root are never ratcheted (isTypeMetaField)
  const sub = (k: string): Correlated | undefined => (path === '' && (k === 'apiVersion' || k === 'kind') ? undefined : corr?.key(k));
  const keys = Object.keys(data);
  const fp = fieldPath(path);
  if (s.minProperties !== undefined && keys.length < s.minProperties) {
    res.errors.push(invalid(fp, keys.length, `${path} in body should have at least ${s.minProperties} properties`));
  }
  if (s.maxProperties !== undefined && keys.length > s.maxProperties) {
    res.errors.push(field.tooMany(fp, keys.length, s.maxProperties));
  }
  const ap = s.additionalProperties;
  if (ap === false) {
    for (const k of keys) {
      if (!s.properties?.has(k)) res.errors.push(invalid(fp, k, `${path}.${k} in body is a forbidden property`));
    }
  } else if (typeof ap === 'object') {
    for (const k of keys) {
      if (!s.properties?.has(k)) merge(res, run(ap, data[k], `${path}.${k}`, sub(k)));
    }
  }
  if (s.properties) {
    for (const [k, p] of s.properties) {
      if (k in data) merge(res, run(p, data[k], child(path, k), sub(k)));
    }
  }
  for (const k of s.required) {
    if (!(k in data)) res.errors.push(field.required(child(path, k)));
  }
}

function merge(into: Result, from: Result): void {
  if (from.errors.length) into.errors.push(...from.errors);
  into.matches += from.matches;
}

function props(s: SchemaNode, data: unknown, path: string, res: Result, corr: Correlated | undefined): void {
  const fp = fieldPath('');
  if (s.anyOf.length) {
    let best: Result | undefined;
    let ok = false;
    for (const sub of s.anyOf) {
      const r = run(sub, data, path, corr);
      if (r.errors.length === 0) {
        ok = true;
        best = undefined;
        merge(res, { errors: [], matches: r.matches });
        break;
      }
      if (!best || r.matches > best.matches) best = r;
    }
    if (!ok) res.errors.push(invalid(fp, '', `${JSON.stringify(path)} must validate at least one schema (anyOf)`));
    if (best) merge(res, best);
  }
  if (s.oneOf.length) {
    let best: Result | undefined;
    let validated = 0;
    for (const sub of s.oneOf) {
      const r = run(sub, data, path, corr);
      if (r.errors.length === 0) {
        validated++;
        best = undefined;
        continue;
      }
      if (validated === 0 && (!best || r.matches > best.matches)) best = r;
    }
    if (validated !== 1) {
      const extra = validated === 0 ? 'Found none valid' : `Found ${validated} valid alternatives`;
      res.errors.push(invalid(fp, '', `${JSON.stringify(path)} must validate one and only one schema (oneOf). ${extra}`));
      if (best) merge(res, best);
    }
  }
  if (s.allOf.length) {
    let validated = 0;
    for (const sub of s.allOf) {
      const r = run(sub, data, path, corr);
      if (r.errors.length === 0) validated++;
      merge(res, r);
    }
    if (validated !== s.allOf.length) {
      res.errors.push(invalid(fp, '', `${JSON.stringify(path)} must validate all the schemas (allOf)${validated === 0 ? '. None validated' : ''}`));
    }
  }
  if (s.not) {
    if (run(s.not, data, path).errors.length === 0) {
      res.errors.push(invalid(fp, '', `${JSON.stringify(path)} must not validate the schema (not)`));
    }
  }
}
