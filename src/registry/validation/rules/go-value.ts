/**
 * Go's `%#v` rendering of the bad values upstream field errors print when the value is not a
 * plain string, number or bool (kube-apiserver up to 1.33 renders maps, slices and structs with
 * `%#v`), and a FieldError whose body prints such a rendering:
 *
 *   spec.template.metadata.labels: Invalid value: map[string]string{"app":"x"}: `selector` does not match template `labels`
 *   spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"y"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable
 *
 * Pointers inside structs print as `(*T)(nil)` or `(*T)(0xc000123400)`; the address is
 * arbitrary upstream, kubemu prints a fixed one.
 * Owns: those renderings. Must not: decide what is valid.
 */
import { field, FieldError, OMIT_VALUE, type FieldErrorType } from '../../../api/field-errors.js';
import { goQuote } from '../schema.js';

const ADDRESS = '0xc000123400';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Go's byte-wise string order (fmt sorts map keys so). */
function byGoOrder(a: string, b: string): number {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return Buffer.compare(x, y);
}

/** `%#v` of a map[string]string: nil when absent, `{}` when empty, keys sorted. */
export function goStringMap(value: unknown, type = 'map[string]string'): string {
  if (!isRecord(value)) return `${type}(nil)`;
  const entries = Object.keys(value)
    .sort(byGoOrder)
    .map((k) => `${goQuote(k)}:${goQuote(String(value[k]))}`);
  return `${type}{${entries.join(', ')}}`;
}

/** `%#v` of a []string. */
export function goStringSlice(value: unknown): string {
  if (!Array.isArray(value)) return '[]string(nil)';
  return `[]string{${value.map((v) => goQuote(String(v))).join(', ')}}`;
}

/** `%#v` of a pointer field: `(*T)(nil)` or an address. */
export function goPointer(type: string, value: unknown): string {
  return value === undefined || value === null ? `(*${type})(nil)` : `(*${type})(${ADDRESS})`;
}

/** `%#v` of a struct from already rendered fields. */
export function goStruct(type: string, fields: readonly (readonly [string, string])[]): string {
  return `${type}{${fields.map(([name, rendered]) => `${name}:${rendered}`).join(', ')}}`;
}

/** `%#v` of a string field value (named string types print the same). */
export function goString(value: unknown): string {
  return goQuote(typeof value === 'string' ? value : '');
}

/** `%#v` of an intstr.IntOrString: `intstr.IntOrString{Type:1, IntVal:0, StrVal:"25%"}`. */
export function goIntOrString(value: unknown): string {
  const isString = typeof value === 'string';
  return goStruct('intstr.IntOrString', [
    ['Type', isString ? '1' : '0'],
    ['IntVal', typeof value === 'number' ? String(value) : '0'],
    ['StrVal', goQuote(isString ? value : '')],
  ]);
}

/** `%#v` of a metav1.LabelSelector value (not the pointer). */
export function goLabelSelector(value: unknown): string {
  const sel = isRecord(value) ? value : {};
  const expressions = Array.isArray(sel.matchExpressions)
    ? `[]v1.LabelSelectorRequirement{${sel.matchExpressions
        .map((e) => {
          const r = isRecord(e) ? e : {};
          return goStruct('v1.LabelSelectorRequirement', [
            ['Key', goString(r.key)],
            ['Operator', goString(r.operator)],
            ['Values', goStringSlice(r.values)],
          ]);
        })
        .join(', ')}}`
    : '[]v1.LabelSelectorRequirement(nil)';
  return goStruct('v1.LabelSelector', [
    ['MatchLabels', goStringMap(sel.matchLabels)],
    ['MatchExpressions', expressions],
  ]);
}

/** A field error whose bad value prints as a Go rendering instead of JSON. */
export class GoValueError extends FieldError {
  readonly rendered: string;

  constructor(type: FieldErrorType, path: string, value: unknown, rendered: string, detail = '') {
    super(type, path, value, detail);
    this.rendered = rendered;
  }

  /** `Invalid value: <rendering>[: detail]`. */
  override body(): string {
    const head = new FieldError(this.type, this.field, OMIT_VALUE).body();
    return `${head}: ${this.rendered}${this.detail ? `: ${this.detail}` : ''}`;
  }
}

/** Constructors of Go-rendered field errors, named as apimachinery's field package. */
export const goField = {
  invalid: (path: string, value: unknown, rendered: string, detail: string) =>
    new GoValueError('FieldValueInvalid', path, value, rendered, detail),
  notSupported: (path: string, value: unknown, rendered: string, valid: readonly string[]) =>
    new GoValueError('FieldValueNotSupported', path, value, rendered, field.notSupported(path, value, valid).detail),
  duplicate: (path: string, value: unknown, rendered: string) => new GoValueError('FieldValueDuplicate', path, value, rendered),
};
