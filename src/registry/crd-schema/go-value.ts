/**
 * Go-flavoured rendering of bad values in field errors, as kube-apiserver 1.31 prints them for
 * custom resources: scalars as `%v`/`%q`, maps and slices as Go's `%#v` of unstructured JSON
 * (`map[string]interface {}{"name":"a"}`), and the `<nil>` root path.
 * Owns: GoFieldError, goSyntax, path helpers. Must not: know schemas.
 */
import { FieldError, type FieldErrorType } from '../../api/field-errors.js';

/** Go's `%#v` of a decoded JSON value (interface{}). */
export function goSyntax(value: unknown): string {
  if (value === null || value === undefined) return 'interface {}(nil)';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (Array.isArray(value)) return `[]interface {}{${value.map(goSyntax).join(', ')}}`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).sort();
  return `map[string]interface {}{${keys.map((k) => `${JSON.stringify(k)}:${goSyntax(obj[k])}`).join(', ')}}`;
}

const TYPE_TEXT: Partial<Record<FieldErrorType, string>> = {
  FieldValueInvalid: 'Invalid value',
  FieldValueTypeInvalid: 'Invalid value',
  FieldValueDuplicate: 'Duplicate value',
  FieldValueNotSupported: 'Unsupported value',
};

/** A field error whose value renders like apimachinery 1.31's ErrorBody (composite values as `%#v`, nil as `"null"`). */
export class GoFieldError extends FieldError {
  override body(): string {
    const v = this.value;
    const text = TYPE_TEXT[this.type];
    if (text !== undefined && (v === null || typeof v === 'object')) {
      const rendered = v === null ? '"null"' : goSyntax(v);
      return `${text}: ${rendered}${this.detail ? `: ${this.detail}` : ''}`;
    }
    return super.body();
  }
}

/** field.Invalid with Go rendering. */
export function invalid(path: string, value: unknown, detail: string): FieldError {
  return new GoFieldError('FieldValueInvalid', path, value === undefined ? null : value, detail);
}
/** field.TypeInvalid with Go rendering. */
export function typeInvalid(path: string, value: unknown, detail: string): FieldError {
  return new GoFieldError('FieldValueTypeInvalid', path, value, detail);
}
/** field.Duplicate with Go rendering. */
export function duplicate(path: string, value: unknown): FieldError {
  return new GoFieldError('FieldValueDuplicate', path, value);
}
/** field.NotSupported with Go rendering; valid values already as strings. */
export function notSupported(path: string, value: unknown, valid: readonly string[]): FieldError {
  const detail = valid.length ? `supported values: ${valid.map((v) => JSON.stringify(v)).join(', ')}` : '';
  return new GoFieldError('FieldValueNotSupported', path, value === undefined ? null : value, detail);
}

/** `a.b` joining as kube-openapi builds names; '' is the root. */
export function child(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

/** The rendering of a nil field.Path. */
export const NIL_PATH = '<nil>';

/** A path for field.Error: the root (empty) is `<nil>`. */
export function fieldPath(path: string): string {
  return path || NIL_PATH;
}
