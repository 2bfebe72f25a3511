/**
 * Field selectors: the `?fieldSelector=` syntax of apimachinery's `pkg/fields/selector.go`
 * (`=`, `==`, `!=`, comma = AND, backslash escapes in values) followed by the per-kind field
 * label check kube-apiserver applies (`ConvertFieldLabel`), with the exact error wording.
 * Owns: parsing, label checking, matching, canonical printing. Must not: know object shapes,
 * HTTP or storage (the per-kind tables live in selectable-fields.ts).
 */
import { badRequest } from './errors.js';
import { compareGoStrings } from './label-selector.js';

/** One term: `field=value` (also written `==`) or `field!=value`. */
export interface FieldRequirement {
  readonly field: string;
  readonly operator: '=' | '!=';
  readonly value: string;
}

/** Field labels accepted as another name (pods: `spec.host` is the v1 spelling of `spec.nodeName`). */
export const FIELD_LABEL_ALIASES: Readonly<Record<string, string>> = { 'spec.host': 'spec.nodeName' };

/** The refusal of a kind with its own conversion function: `field label not supported: <label>`. */
export function fieldLabelNotSupported(label: string): string {
  return `field label not supported: ${label}`;
}

/** The refusal of kinds without one (runtime.DefaultMetaV1FieldSelectorConversion). */
function notAKnownFieldSelector(label: string): string {
  return `${JSON.stringify(label)} is not a known field selector: only "metadata.name", "metadata.namespace"`;
}

/** EscapeValue: `\` → `\\`, `,` → `\,`, `=` → `\=`. */
export function escapeFieldValue(value: string): string {
  return value.replace(/[\\,=]/g, (c) => `\\${c}`);
}

/** UnescapeValue, throwing upstream's InvalidEscapeSequence / UnescapedRune messages. */
export function unescapeFieldValue(text: string): string {
  if (!/[\\,=]/.test(text)) return text;
  let out = '';
  let inSlash = false;
  for (const c of text) {
    if (inSlash) {
      if (c !== '\\' && c !== ',' && c !== '=') throw badRequest(`invalid field selector: invalid escape sequence: \\${c}`);
      out += c;
      inSlash = false;
    } else if (c === '\\') {
      inSlash = true;
    } else if (c === ',' || c === '=') {
      // Go prints the rune with %v, i.e. as its decimal code point.
      throw badRequest(`invalid field selector: unescaped character in value: ${c.codePointAt(0)}`);
    } else {
      out += c;
    }
  }
  if (inSlash) throw badRequest('invalid field selector: invalid escape sequence: \\');
  return out;
}

/** Splits on commas not preceded by an escaping backslash (splitTerms). */
function splitTerms(text: string): string[] {
  if (!text) return [];
  const terms: string[] = [];
  let start = 0;
  let inSlash = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inSlash) inSlash = false;
    else if (c === '\\') inSlash = true;
    else if (c === ',') {
      terms.push(text.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(text.slice(start));
  return terms;
}

/** The first `!=`, `==` or `=` in the term, in that order of preference at each position (splitTerm). */
function splitTerm(term: string): [string, string, string] | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of ['!=', '==', '=']) {
      if (term.startsWith(op, i)) return [term.slice(0, i), op, term.slice(i + op.length)];
    }
  }
  return undefined;
}

/** A parsed field selector: an AND of terms in sorted order. Immutable. */
export class FieldSelector {
  /** The selector that matches everything. */
  static readonly everything = new FieldSelector([]);

  readonly requirements: readonly FieldRequirement[];

  constructor(requirements: readonly FieldRequirement[]) {
    this.requirements = Object.freeze([...requirements]);
  }

  /** True when no term restricts the selection. */
  get empty(): boolean {
    return this.requirements.length === 0;
  }

  /** True when every term holds; a field missing from `fields` reads as `""`. */
  matches(fields: Readonly<Record<string, string>>): boolean {
    return this.requirements.every((r) => {
      const have = Object.prototype.hasOwnProperty.call(fields, r.field) ? fields[r.field] : '';
      return r.operator === '=' ? have === r.value : have !== r.value;
    });
  }

  /** The value the first `=` term on `field` requires (RequiresExactMatch), for index lookups. */
  exactValue(field: string): string | undefined {
    return this.requirements.find((r) => r.field === field && r.operator === '=')?.value;
  }

  /** Canonical form: `f=v` / `f!=v` with escaped values, joined by `,`. */
  toString(): string {
    return this.requirements.map((r) => `${r.field}${r.operator}${escapeFieldValue(r.value)}`).join(',');
  }
}

/** Options of parseFieldSelector beyond the list of accepted labels. */
export interface FieldSelectorOptions {
  /** The refusal message for a label outside `allowed`; default `field label not supported: <label>`. */
  notSupported?: (label: string) => string;
}

/**
 * Parses a `fieldSelector` query value as fields.ParseSelector, then checks each label as the
 * kind's ConvertFieldLabel does. `allowed` undefined means a kind without its own conversion:
 * only `metadata.name` and `metadata.namespace`, refused with `"<f>" is not a known field
 * selector: only "metadata.name", "metadata.namespace"`. With a list, other labels are refused
 * with `options.notSupported` (default `field label not supported: <f>`); an allowed alias from
 * FIELD_LABEL_ALIASES is rewritten to its target. Throws a 400 BadRequest StatusError.
 */
export function parseFieldSelector(
  text: string,
  allowed: readonly string[] | undefined,
  options: FieldSelectorOptions = {},
): FieldSelector {
  const parts = splitTerms(text).sort(compareGoStrings);
  const parsed: FieldRequirement[] = [];
  for (const part of parts) {
    if (!part) continue;
    const split = splitTerm(part);
    if (!split) throw badRequest(`invalid selector: '${text}'; can't understand '${part}'`);
    const [lhs, op, rhs] = split;
    parsed.push({ field: lhs, operator: op === '!=' ? '!=' : '=', value: unescapeFieldValue(rhs) });
  }
  return new FieldSelector(parsed.map((r) => ({ ...r, field: convertLabel(r.field, allowed, options) })));
}

function convertLabel(label: string, allowed: readonly string[] | undefined, options: FieldSelectorOptions): string {
  if (!allowed) {
    if (label === 'metadata.name' || label === 'metadata.namespace') return label;
    throw badRequest(notAKnownFieldSelector(label));
  }
  if (!allowed.includes(label)) throw badRequest((options.notSupported ?? fieldLabelNotSupported)(label));
  return Object.hasOwn(FIELD_LABEL_ALIASES, label) ? FIELD_LABEL_ALIASES[label]! : label;
}
