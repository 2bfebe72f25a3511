/**
 * Errors of strategic merge patch, worded as apimachinery's `pkg/util/mergepatch/errors.go` and
 * `pkg/util/strategicpatch` word them (Go's `%v` printing of maps and lists included, so
 * messages match kube-apiserver byte for byte), and the HTTP answer kube-apiserver gives each
 * (`interpretStrategicMergePatchError` in apiserver `pkg/endpoints/handlers/patch.go`):
 * the four bad-format errors and unsupported format → 400 BadRequest; lists of lists and
 * retainKeys content mismatch → 422 with the generic message; anything else → 500 with the
 * error text and no reason (`ErrorToAPIStatus` of a plain Go error).
 * Owns: error kinds, wording and their Status. Must not: merge anything.
 */
import { badRequest, StatusError } from '../api/errors.js';

/** Which upstream error a StrategicMergePatchError is. */
export type StrategicMergePatchErrorKind =
  /** `mergepatch.ErrBadJSONDoc`: the patch is not a JSON object (400). */
  | 'BadJSONDoc'
  /** `ErrBadPatchFormatForPrimitiveList`: malformed `$deleteFromPrimitiveList/...` key (400). */
  | 'BadPatchFormatForPrimitiveList'
  /** `ErrBadPatchFormatForRetainKeys`: `$retainKeys` not a list, or patch keys outside it (400). */
  | 'BadPatchFormatForRetainKeys'
  /** `ErrBadPatchFormatForSetElementOrderList`: malformed `$setElementOrder/...` (400). */
  | 'BadPatchFormatForSetElementOrderList'
  /** `ErrUnsupportedStrategicMergePatchFormat`: custom resources (400; kubemu answers 415 before). */
  | 'UnsupportedStrategicMergePatchFormat'
  /** `ErrNoListOfLists` (422). */
  | 'NoListOfLists'
  /** `ErrPatchContentNotMatchRetainKeys` (422; declared upstream, not raised when applying). */
  | 'PatchContentNotMatchRetainKeys'
  /** `ErrNoMergeKey`: `map: map[...] does not contain declared merge key: name` (500). */
  | 'NoMergeKey'
  /** `ErrBadArgType`: `expected a []interface {}, but received a string` (500). */
  | 'BadArgType'
  /** `ErrBadPatchType`: `unknown patch type: x in map: map[...]` (500). */
  | 'BadPatchType'
  /** Field lookup: `unable to find api field in struct PodSpec for the json field "x"` (500). */
  | 'FieldNotFound'
  /** Any other upstream error (set order mismatch, mixed list element types, ...) (500). */
  | 'Other';

const BAD_REQUEST: ReadonlySet<StrategicMergePatchErrorKind> = new Set([
  'BadJSONDoc',
  'BadPatchFormatForPrimitiveList',
  'BadPatchFormatForRetainKeys',
  'BadPatchFormatForSetElementOrderList',
  'UnsupportedStrategicMergePatchFormat',
]);
const UNPROCESSABLE: ReadonlySet<StrategicMergePatchErrorKind> = new Set(['NoListOfLists', 'PatchContentNotMatchRetainKeys']);

/** A failed strategic merge patch; `kind` says which upstream error, `message` is its text. */
export class StrategicMergePatchError extends Error {
  readonly kind: StrategicMergePatchErrorKind;

  constructor(kind: StrategicMergePatchErrorKind, message: string) {
    super(message);
    this.name = 'StrategicMergePatchError';
    this.kind = kind;
  }

  /** The HTTP status kube-apiserver answers with: 400, 422 or 500. */
  get httpCode(): 400 | 422 | 500 {
    if (BAD_REQUEST.has(this.kind)) return 400;
    if (UNPROCESSABLE.has(this.kind)) return 422;
    return 500;
  }

  /** The Status kube-apiserver answers with (see the module header). */
  toStatusError(): StatusError {
    const code = this.httpCode;
    if (code === 400) return badRequest(this.message);
    if (code === 422) {
      const err = new StatusError(422, 'Invalid', 'the server rejected our request due to an error in our request', {});
      err.cause = this.message;
      return err;
    }
    const err = new StatusError(500, '', this.message);
    delete err.status.reason;
    return err;
  }
}

/** The fixed-text errors of `mergepatch/errors.go`. */
const MESSAGES = {
  BadJSONDoc: 'invalid JSON document',
  NoListOfLists: 'lists of lists are not supported',
  BadPatchFormatForPrimitiveList: 'invalid patch format of primitive list',
  BadPatchFormatForRetainKeys: 'invalid patch format of retainKeys',
  BadPatchFormatForSetElementOrderList: 'invalid patch format of setElementOrder list',
  PatchContentNotMatchRetainKeys: "patch content doesn't match retainKeys list",
  UnsupportedStrategicMergePatchFormat: 'strategic merge patch format is not supported',
} as const;

/** One of the fixed-text errors. */
export function fixedError(kind: keyof typeof MESSAGES): StrategicMergePatchError {
  return new StrategicMergePatchError(kind, MESSAGES[kind]);
}

/** `mergepatch.ErrNoMergeKey`. */
export function noMergeKey(map: unknown, key: string): StrategicMergePatchError {
  return new StrategicMergePatchError('NoMergeKey', `map: ${goValue(map)} does not contain declared merge key: ${key}`);
}

/** `mergepatch.ErrBadArgType` for an expected Go type name (`map[string]interface {}`, `[]interface {}`). */
export function badArgType(expected: string, actual: unknown): StrategicMergePatchError {
  return new StrategicMergePatchError('BadArgType', `expected a ${expected}, but received a ${goTypeName(actual)}`);
}

/** `mergepatch.ErrBadPatchType`. */
export function badPatchType(directive: unknown, map: unknown): StrategicMergePatchError {
  return new StrategicMergePatchError('BadPatchType', `unknown patch type: ${goString(directive)} in map: ${goValue(map)}`);
}

/** The lookup error of a field a struct does not have (third_party/forked/golang/json). */
export function fieldNotFound(structName: string, field: string): StrategicMergePatchError {
  return new StrategicMergePatchError('FieldNotFound', `unable to find api field in struct ${structName} for the json field ${JSON.stringify(field)}`);
}

/** Any other upstream error, text as given. */
export function otherError(message: string): StrategicMergePatchError {
  return new StrategicMergePatchError('Other', message);
}

/** Go's reflect kind of a decoded JSON value (int64 for integers, float64 otherwise). */
export type GoKind = 'nil' | 'map' | 'slice' | 'string' | 'bool' | 'int64' | 'float64';

/** The Go kind `value` would decode to. */
export function goKind(value: unknown): GoKind {
  if (value === null || value === undefined) return 'nil';
  if (Array.isArray(value)) return 'slice';
  switch (typeof value) {
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
    case 'number':
      return Number.isInteger(value) ? 'int64' : 'float64';
    default:
      return 'map';
  }
}

/** Go's reflect type name of each kind, as `%s` of reflect.TypeOf prints it (nil prints as below). */
const GO_TYPE_NAMES: Record<GoKind, string> = {
  nil: '%!s(<nil>)',
  map: 'map[string]interface {}',
  slice: '[]interface {}',
  string: 'string',
  bool: 'bool',
  int64: 'int64',
  float64: 'float64',
};

/** Go's reflect type name of a decoded JSON value. */
function goTypeName(value: unknown): string {
  return GO_TYPE_NAMES[goKind(value)];
}

/** Go's `%v` of a float64: strconv 'g' with the shortest digits, exponent form below 1e-4 and from 1e6. */
function goFloat(n: number): string {
  if (!Number.isFinite(n)) return n > 0 ? '+Inf' : n < 0 ? '-Inf' : 'NaN';
  const [mantissa, exp] = n.toExponential().split('e') as [string, string];
  const e = Number(exp);
  if (e < -4 || e >= 6) return `${mantissa}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  return String(n);
}

/**
 * Go's `%v` of a decoded JSON value: `map[a:1 b:map[c:x]]` with sorted keys, `[x y]`, `<nil>`,
 * strings unquoted. Integers print as int64, other numbers as float64.
 */
export function goValue(value: unknown): string {
  if (value === null || value === undefined) return '<nil>';
  if (Array.isArray(value)) return `[${value.map(goValue).join(' ')}]`;
  switch (typeof value) {
    case 'string':
      return value;
    case 'boolean':
      return String(value);
    case 'number':
      return Number.isInteger(value) ? String(value) : goFloat(value);
    default: {
      const map = value as Record<string, unknown>;
      return `map[${Object.keys(map)
        .sort()
        .map((k) => `${k}:${goValue(map[k])}`)
        .join(' ')}]`;
    }
  }
}

/** Go's `%s` of a decoded JSON value (`%!s(int64=1)` for non-strings). */
function goString(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '%!s(<nil>)';
  if (typeof value === 'number' || typeof value === 'boolean') return `%!s(${goTypeName(value)}=${goValue(value)})`;
  return goValue(value);
}
