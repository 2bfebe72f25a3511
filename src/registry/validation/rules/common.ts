/**
 * Pieces shared by the rule modules: readers that tolerate any JSON shape (decoding has already
 * checked types), field paths as apimachinery's field.Path prints them, and the small upstream
 * validators every kind uses (non-negative fields, label selectors, int-or-percent values,
 * immutable fields).
 * Owns: those helpers. Must not: know a particular kind.
 */
import { field, type FieldError } from '../../../api/field-errors.js';
import { isQualifiedName, isValidLabelValue } from '../../../api/names.js';
import { labelSelectorFromObject, type LabelSelectorObject } from '../../../api/label-selector.js';
import { deepEqual } from '../../codec.js';
import { validateLabels } from '../../object-meta.js';
import { goField, goIntOrString, goLabelSelector } from './go-value.js';

/** A JSON object as the rules read it. */
export type Rec = Record<string, unknown>;

/** The value as an object, or an empty one. */
export function rec(value: unknown): Rec {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Rec) : {};
}

/** True for a JSON object. */
export function isRec(value: unknown): value is Rec {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value as an array, or an empty one. */
export function arr(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** The value as a string, '' when absent (Go's zero value). */
export function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** The value as a number, or undefined when absent. */
export function num(value: unknown): number | undefined {
  return typeof value === 'number' ? value : undefined;
}

/** `a.b` as field.Path.Child prints it. */
export function child(path: string, ...names: string[]): string {
  return [path, ...names].filter(Boolean).join('.');
}

/** `a[3]`, field.Path.Index. */
export function index(path: string, i: number): string {
  return `${path}[${i}]`;
}

/** `a[key]`, field.Path.Key (the key unquoted). */
export function key(path: string, k: string): string {
  return `${path}[${k}]`;
}

/** apimachinery's IsNegativeErrorMsg. */
export const IS_NEGATIVE = 'must be greater than or equal to 0';
/** apimachinery's FieldImmutableErrorMsg. */
export const IMMUTABLE = 'field is immutable';

/** ValidateNonnegativeField, for a value that may be absent. */
export function nonNegative(value: unknown, path: string): FieldError[] {
  return typeof value === 'number' && value < 0 ? [field.invalid(path, value, IS_NEGATIVE)] : [];
}

/** validation.InclusiveRangeError. */
export function inclusiveRange(lo: number, hi: number): string {
  return `must be between ${lo} and ${hi}, inclusive`;
}

/** unversionedvalidation.ValidateLabelSelector (strict label values in expressions). */
export function validateLabelSelector(selector: unknown, path: string): FieldError[] {
  if (!isRec(selector)) return [];
  const errs = validateLabels(selector.matchLabels as Record<string, string> | undefined, child(path, 'matchLabels'));
  arr(selector.matchExpressions).forEach((e, i) => {
    const expr = rec(e);
    const at = index(child(path, 'matchExpressions'), i);
    const values = arr(expr.values);
    switch (expr.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) errs.push(field.required(child(at, 'values'), "must be specified when `operator` is 'In' or 'NotIn'"));
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) errs.push(field.forbidden(child(at, 'values'), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
        break;
      default:
        errs.push(field.invalid(child(at, 'operator'), str(expr.operator), 'not a valid selector operator'));
    }
    for (const msg of isQualifiedName(str(expr.key))) errs.push(field.invalid(child(at, 'key'), str(expr.key), msg));
    values.forEach((v, j) => {
      for (const msg of isValidLabelValue(str(v))) errs.push(field.invalid(index(child(at, 'values'), j), str(v), msg));
    });
  });
  return errs;
}

/**
 * metav1.LabelSelectorAsSelector then Matches: true when the selector matches `labels`,
 * undefined when the selector cannot be converted (upstream skips the check then).
 */
export function selectorMatches(selector: unknown, labels: unknown): boolean | undefined {
  try {
    return labelSelectorFromObject(selector as LabelSelectorObject | undefined).matches(rec(labels) as Record<string, string>);
  } catch {
    return undefined;
  }
}

/** True when LabelSelectorAsSelector gives the empty (match-everything) selector. */
export function selectorIsEmpty(selector: unknown): boolean {
  const sel = rec(selector);
  return Object.keys(rec(sel.matchLabels)).length + arr(sel.matchExpressions).length === 0;
}

const PERCENT = /^[0-9]+%$/;
const PERCENT_MESSAGE =
  "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')";

/** The numeric value of an int-or-percent (percent strings by their number, other strings 0). */
export function intOrPercentValue(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && PERCENT.test(value)) return Number(value.slice(0, -1));
  return 0;
}

/** appsvalidation.ValidatePositiveIntOrPercent. */
export function validatePositiveIntOrPercent(value: unknown, path: string): FieldError[] {
  if (typeof value === 'string') {
    return PERCENT.test(value) ? [] : [goField.invalid(path, value, goIntOrString(value), PERCENT_MESSAGE)];
  }
  return nonNegative(value, path);
}

/** appsvalidation.IsNotMoreThan100Percent. */
export function isNotMoreThan100Percent(value: unknown, path: string): FieldError[] {
  if (typeof value !== 'string' || !PERCENT.test(value) || Number(value.slice(0, -1)) <= 100) return [];
  return [goField.invalid(path, value, goIntOrString(value), 'must not be greater than 100%')];
}

/** ValidateImmutableField for a label selector pointer (`spec.selector`). */
export function immutableSelector(next: unknown, old: unknown, path: string): FieldError[] {
  if (deepEqual(next ?? null, old ?? null)) return [];
  if (next === undefined || next === null) return [goField.invalid(path, null, '"null"', IMMUTABLE)];
  return [goField.invalid(path, next, goLabelSelector(next), IMMUTABLE)];
}

/** ValidateImmutableField for a scalar (a nil pointer prints as "null", as upstream). */
export function immutable(next: unknown, old: unknown, path: string): FieldError[] {
  return deepEqual(next ?? null, old ?? null) ? [] : [field.invalid(path, next ?? 'null', IMMUTABLE)];
}
