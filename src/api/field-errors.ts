/**
 * Field-level validation errors, worded as apimachinery's `field.Error` so that 422 messages and
 * `details.causes` read exactly as a real kube-apiserver's.
 * Owns: the error types, their rendering, aggregation. Must not: know kinds or HTTP.
 */

/** The cause reasons of apimachinery's field.ErrorType. */
export type FieldErrorType =
  | 'FieldValueNotFound'
  | 'FieldValueRequired'
  | 'FieldValueDuplicate'
  | 'FieldValueInvalid'
  | 'FieldValueNotSupported'
  | 'FieldValueForbidden'
  | 'FieldValueTooLong'
  | 'FieldValueTooMany'
  | 'InternalError'
  | 'FieldValueTypeInvalid';

const TYPE_TEXT: Record<FieldErrorType, string> = {
  FieldValueNotFound: 'Not found',
  FieldValueRequired: 'Required value',
  FieldValueDuplicate: 'Duplicate value',
  FieldValueInvalid: 'Invalid value',
  FieldValueNotSupported: 'Unsupported value',
  FieldValueForbidden: 'Forbidden',
  FieldValueTooLong: 'Too long',
  FieldValueTooMany: 'Too many',
  InternalError: 'Internal error',
  FieldValueTypeInvalid: 'Invalid value',
};

/** Types rendered without their bad value (apimachinery ErrorBody). */
const VALUELESS = new Set<FieldErrorType>(['FieldValueRequired', 'FieldValueForbidden', 'FieldValueTooLong', 'InternalError']);

/** Marker for "do not print the value" (apimachinery's OmitValueType). */
export const OMIT_VALUE: unique symbol = Symbol('omit-value');

/** One field error: a path such as `metadata.labels`, a type, the bad value and a detail. */
export class FieldError {
  constructor(
    readonly type: FieldErrorType,
    readonly field: string,
    readonly value: unknown,
    readonly detail = '',
  ) {}

  /** The message without the field path, e.g. `Invalid value: "A": a lowercase ...`. */
  body(): string {
    let text = TYPE_TEXT[this.type];
    if (!VALUELESS.has(this.type) && this.value !== OMIT_VALUE) text += `: ${renderValue(this.value)}`;
    if (this.detail) text += `: ${this.detail}`;
    return text;
  }

  /** `field: body`, as Go's `(*field.Error).Error()`. */
  toString(): string {
    return `${this.field}: ${this.body()}`;
  }
}

function renderValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === undefined) return 'null';
  return JSON.stringify(value);
}

/** Aggregates errors as apimachinery's ErrorList.ToAggregate().Error(): one as is, several deduplicated in brackets. */
export function aggregateMessage(errors: readonly FieldError[]): string {
  const unique = [...new Set(errors.map((e) => e.toString()))];
  return unique.length === 1 ? unique[0]! : `[${unique.join(', ')}]`;
}

/** Constructors named as apimachinery's field package. */
export const field = {
  required: (path: string, detail = '') => new FieldError('FieldValueRequired', path, '', detail),
  invalid: (path: string, value: unknown, detail = '') => new FieldError('FieldValueInvalid', path, value, detail),
  forbidden: (path: string, detail = '') => new FieldError('FieldValueForbidden', path, '', detail),
  duplicate: (path: string, value: unknown) => new FieldError('FieldValueDuplicate', path, value),
  notFound: (path: string, value: unknown) => new FieldError('FieldValueNotFound', path, value),
  tooLong: (path: string, value: unknown, max: number) =>
    new FieldError('FieldValueTooLong', path, value, `may not be more than ${max} bytes`),
  tooMany: (path: string, actual: number, max: number) =>
    new FieldError('FieldValueTooMany', path, actual, `must have at most ${max} items`),
  notSupported: (path: string, value: unknown, valid: readonly string[]) =>
    new FieldError(
      'FieldValueNotSupported',
      path,
      value,
      valid.length ? `supported values: ${valid.map((v) => JSON.stringify(v)).join(', ')}` : '',
    ),
  typeInvalid: (path: string, value: unknown, detail: string) => new FieldError('FieldValueTypeInvalid', path, value, detail),
};
