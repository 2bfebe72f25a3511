/**
 * The label selector model: requirements and their validation (NewRequirement), matching,
 * canonical printing, and the `matchLabels`/`matchExpressions` object of workload specs, with
 * apimachinery's semantics and error wording (`pkg/labels/selector.go`,
 * `pkg/apis/meta/v1/helpers.go`). The string grammar lives in label-selector-parser.ts.
 * Owns: requirements, matching, printing, the object form. Must not: know kinds, HTTP or storage.
 */
import { badRequest } from './errors.js';
import { aggregateMessage, field, type FieldError } from './field-errors.js';
import { isQualifiedName, isValidLabelValue } from './names.js';

/** selection.Operator values a label requirement can carry. */
export type LabelOperator = 'in' | 'notin' | '=' | '==' | '!=' | 'exists' | '!' | 'gt' | 'lt';

/** One clause of a label selector: a key, an operator and its values (sorted by the parser). */
export interface LabelRequirement {
  readonly key: string;
  readonly operator: LabelOperator;
  readonly values: readonly string[];
}

/** The `matchLabels`/`matchExpressions` object of a workload spec (metav1.LabelSelector). */
export interface LabelSelectorObject {
  matchLabels?: Record<string, string> | null;
  matchExpressions?: readonly { key: string; operator: string; values?: readonly string[] | null }[] | null;
}

/** The operators the string grammar accepts after a key, in upstream's order (for its messages). */
export const BINARY_OPERATORS: readonly string[] = ['in', 'notin', '=', '==', '!=', 'gt', 'lt'];

/**
 * Byte-order string comparison (Go's `<` on UTF-8 strings): code-point order, which differs from
 * JS's UTF-16 order only for surrogates against U+E000..U+FFFF.
 */
export function compareGoStrings(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800) x += x < 0xe000 ? 0x2000 : -0x800;
    if (y >= 0xd800) y += y < 0xe000 ? 0x2000 : -0x800;
    return x - y;
  }
  return a.length - b.length;
}

const INT64 = /^[+-]?[0-9]+$/;
function parseInt64(text: string): bigint | undefined {
  if (!INT64.test(text)) return undefined;
  const n = BigInt(text);
  return n >= -(2n ** 63n) && n < 2n ** 63n ? n : undefined;
}

/** labels.NewRequirement: validates and returns the requirement, or the aggregated field errors. */
export function newRequirement(key: string, operator: string, values: readonly string[]): LabelRequirement | string {
  const errs: FieldError[] = [];
  const keyErrs = isQualifiedName(key);
  if (keyErrs.length) errs.push(field.invalid('key', key, keyErrs.join('; ')));
  // Go prints a nil []string as `null`: the object form passes one when `values` is empty.
  const shown = values.length ? values : null;
  switch (operator) {
    case 'in':
    case 'notin':
      if (!values.length) errs.push(field.invalid('values', shown, "for 'in', 'notin' operators, values set can't be empty"));
      break;
    case '=':
    case '==':
    case '!=':
      if (values.length !== 1) errs.push(field.invalid('values', shown, 'exact-match compatibility requires one single value'));
      break;
    case 'exists':
    case '!':
      if (values.length) errs.push(field.invalid('values', shown, 'values set must be empty for exists and does not exist'));
      break;
    case 'gt':
    case 'lt':
      if (values.length !== 1) errs.push(field.invalid('values', shown, "for 'Gt', 'Lt' operators, exactly one value is required"));
      values.forEach((v, i) => {
        if (parseInt64(v) === undefined) errs.push(field.invalid(`values[${i}]`, v, "for 'Gt', 'Lt' operators, the value must be an integer"));
      });
      break;
    default:
      errs.push(field.notSupported('operator', operator, [...BINARY_OPERATORS, 'exists', '!']));
  }
  values.forEach((v, i) => {
    const valueErrs = isValidLabelValue(v);
    if (valueErrs.length) errs.push(field.invalid(`values[${i}][${key}]`, v, valueErrs.join('; ')));
  });
  if (errs.length) return aggregateMessage(errs);
  return { key, operator: operator as LabelOperator, values: [...values] };
}

function requirementMatches(r: LabelRequirement, labels: Record<string, string> | undefined): boolean {
  const has = labels !== undefined && Object.prototype.hasOwnProperty.call(labels, r.key);
  const value = has ? labels[r.key]! : '';
  switch (r.operator) {
    case 'in':
    case '=':
    case '==':
      return has && r.values.includes(value);
    case 'notin':
    case '!=':
      return !has || !r.values.includes(value);
    case 'exists':
      return has;
    case '!':
      return !has;
    case 'gt':
    case 'lt': {
      const have = has ? parseInt64(value) : undefined;
      const want = r.values.length === 1 ? parseInt64(r.values[0]!) : undefined;
      if (have === undefined || want === undefined) return false;
      return r.operator === 'gt' ? have > want : have < want;
    }
  }
}

/** Requirement.String(): `!k`, `k`, `k=v`, `k in (a,b)` with several values sorted. */
export function requirementToString(r: LabelRequirement): string {
  if (r.operator === '!') return `!${r.key}`;
  if (r.operator === 'exists') return r.key;
  const values = r.values.length > 1 ? [...r.values].sort(compareGoStrings).join(',') : (r.values[0] ?? '');
  switch (r.operator) {
    case 'in':
      return `${r.key} in (${values})`;
    case 'notin':
      return `${r.key} notin (${values})`;
    case 'gt':
      return `${r.key}>${values}`;
    case 'lt':
      return `${r.key}<${values}`;
    default:
      return `${r.key}${r.operator}${values}`;
  }
}

/**
 * A parsed label selector: an AND of requirements sorted by key. Immutable.
 * `LabelSelector.nothing` matches no object (a nil metav1.LabelSelector); an empty one matches all.
 */
export class LabelSelector {
  /** The selector that matches nothing (labels.Nothing()). */
  static readonly nothing = new LabelSelector([], true);
  /** The selector that matches everything (labels.Everything()). */
  static readonly everything = new LabelSelector([], false);

  readonly requirements: readonly LabelRequirement[];
  readonly #nothing: boolean;

  /** Requirements are sorted by key (stably) as upstream's Add does. */
  constructor(requirements: readonly LabelRequirement[], nothing = false) {
    this.requirements = Object.freeze([...requirements].sort((a, b) => compareGoStrings(a.key, b.key)));
    this.#nothing = nothing;
  }

  /** True when the selector does not restrict anything (Nothing is not empty). */
  get empty(): boolean {
    return !this.#nothing && this.requirements.length === 0;
  }

  /** True for the selector that matches no object. */
  get matchesNothing(): boolean {
    return this.#nothing;
  }

  /** True when every requirement holds for the labels (absent labels = none). */
  matches(labels: Record<string, string> | undefined): boolean {
    if (this.#nothing) return false;
    return this.requirements.every((r) => requirementMatches(r, labels));
  }

  /**
   * The value `key` must have, as RequiresExactMatch: the first requirement on `key` decides,
   * and only `=`, `==` or a one-value `in` yields a value.
   */
  requiresExactMatch(key: string): string | undefined {
    const r = this.requirements.find((x) => x.key === key);
    if (!r || !['=', '==', 'in'].includes(r.operator) || r.values.length !== 1) return undefined;
    return r.values[0];
  }

  /** Every key with a required exact value (see requiresExactMatch), for index lookups. */
  exactMatches(): Map<string, string> {
    const out = new Map<string, string>();
    for (const { key } of this.requirements) {
      const value = this.requiresExactMatch(key);
      if (value !== undefined) out.set(key, value);
    }
    return out;
  }

  /** Canonical form: requirements joined by `,` (empty for Everything and Nothing). */
  toString(): string {
    return this.requirements.map(requirementToString).join(',');
  }
}

/** metav1.LabelSelectorOperator → selection.Operator. */
const OBJECT_OPERATORS: Readonly<Record<string, LabelOperator>> = { In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!' };

/**
 * metav1.LabelSelectorAsSelector: null/undefined → nothing, no clauses → everything; operators
 * In, NotIn, Exists, DoesNotExist. Throws a 400 StatusError with upstream's message when invalid.
 */
export function labelSelectorFromObject(sel: LabelSelectorObject | null | undefined): LabelSelector {
  if (sel === null || sel === undefined) return LabelSelector.nothing;
  const labels = Object.entries(sel.matchLabels ?? {});
  const expressions = sel.matchExpressions ?? [];
  if (labels.length + expressions.length === 0) return LabelSelector.everything;
  const reqs: LabelRequirement[] = [];
  const add = (r: LabelRequirement | string): void => {
    if (typeof r === 'string') throw badRequest(r);
    reqs.push(r);
  };
  for (const [k, v] of labels) add(newRequirement(k, '=', [v]));
  for (const e of expressions) {
    const op = Object.hasOwn(OBJECT_OPERATORS, e.operator) ? OBJECT_OPERATORS[e.operator] : undefined;
    if (!op) throw badRequest(`${JSON.stringify(e.operator)} is not a valid label selector operator`);
    add(newRequirement(e.key, op, e.values ?? []));
  }
  return new LabelSelector(reqs);
}


/** metav1.FormatLabelSelector: the canonical string, `<none>` when empty, `<error>` when invalid. */
export function labelSelectorToString(sel: LabelSelectorObject | null | undefined): string {
  let text: string;
  try {
    text = labelSelectorFromObject(sel).toString();
  } catch {
    return '<error>';
  }
  return text || '<none>';
}
