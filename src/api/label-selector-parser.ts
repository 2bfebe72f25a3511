/**
 * The `?labelSelector=` grammar: apimachinery's lexer and recursive-descent parser
 * (`pkg/labels/selector.go` Lexer/Parser), reproduced token for token so that every accepted
 * string and every error message is the one kube-apiserver gives.
 * Owns: tokenizing and parsing selector strings. Must not: know kinds, HTTP or storage.
 */
import { badRequest } from './errors.js';
import { field } from './field-errors.js';
import {
  BINARY_OPERATORS,
  LabelSelector,
  compareGoStrings,
  newRequirement,
  type LabelOperator,
  type LabelRequirement,
} from './label-selector.js';
import { isQualifiedName } from './names.js';

/**
 * Tokens. Worked example: `x in (a,,b),!y` lexes to
 *   id"x" in "(" id"a" "," "," id"b" ")" "," "!" id"y" eos
 * Whitespace (space, tab, CR, LF) separates tokens and is dropped; a run of special characters
 * (`=!(),<>`) becomes the longest operator it starts with (`!=` then `=` for `!==`); anything
 * else runs until a special character or whitespace and is an identifier unless it is exactly
 * `in` or `notin`. Where a value is expected, `in`/`notin` are read as identifiers again.
 */
type Tok = 'error' | 'eos' | ')' | ',' | '!' | '==' | '=' | '>' | 'id' | 'in' | '<' | '!=' | 'notin' | '(';

interface Item {
  tok: Tok;
  lit: string;
}

const LITERALS = new Map<string, Tok>([
  [')', ')'],
  [',', ','],
  ['!', '!'],
  ['==', '=='],
  ['=', '='],
  ['>', '>'],
  ['in', 'in'],
  ['<', '<'],
  ['!=', '!='],
  ['notin', 'notin'],
  ['(', '('],
]);
const SPECIAL = new Set(['=', '!', '(', ')', ',', '>', '<']);
const WHITESPACE = new Set([' ', '\t', '\r', '\n']);

/** Splits the selector into items, ending with `eos`. Like upstream, a NUL character ends the scan. */
function lex(s: string): Item[] {
  let pos = 0;
  // Go's Lexer.read: the end of the string and a NUL byte both read as 0.
  const read = (): string => (pos < s.length ? s[pos++]! : '\0');
  const scanIdentifier = (): Item => {
    let buf = '';
    for (;;) {
      const ch = read();
      if (ch === '\0') break;
      if (SPECIAL.has(ch) || WHITESPACE.has(ch)) {
        pos--;
        break;
      }
      buf += ch;
    }
    return { tok: LITERALS.get(buf) ?? 'id', lit: buf };
  };
  const scanSpecial = (): Item => {
    let buf = '';
    let last: Item | undefined;
    for (;;) {
      const ch = read();
      if (ch === '\0') break;
      if (!SPECIAL.has(ch)) {
        pos--;
        break;
      }
      buf += ch;
      const tok = LITERALS.get(buf);
      if (tok) last = { tok, lit: buf };
      else if (last) {
        pos--;
        break;
      }
    }
    return last ?? { tok: 'error', lit: `error expected: keyword found '${buf}'` };
  };
  const items: Item[] = [];
  for (;;) {
    let ch = read();
    while (WHITESPACE.has(ch)) ch = read();
    if (ch === '\0') {
      items.push({ tok: 'eos', lit: '' });
      return items;
    }
    pos--;
    items.push(SPECIAL.has(ch) ? scanSpecial() : scanIdentifier());
  }
}

/** An error inside one requirement; the caller prefixes `unable to parse requirement: `. */
class RequirementError extends Error {}

const OPERATOR_TOKENS: Partial<Record<Tok, LabelOperator>> = {
  in: 'in',
  '=': '=',
  '==': '==',
  '>': 'gt',
  '<': 'lt',
  notin: 'notin',
  '!=': '!=',
};

/** Where the parser stands: reading a key and operator, or reading values (in/notin are identifiers). */
type Context = 'keyAndOperator' | 'values';

class Parser {
  readonly #items: Item[];
  #pos = 0;

  constructor(text: string) {
    this.#items = lex(text);
  }

  #lookahead(ctx: Context): Item {
    const item = this.#items[Math.min(this.#pos, this.#items.length - 1)]!;
    return ctx === 'values' && (item.tok === 'in' || item.tok === 'notin') ? { tok: 'id', lit: item.lit } : item;
  }

  #consume(ctx: Context): Item {
    const item = this.#lookahead(ctx);
    this.#pos++;
    return item;
  }

  parse(): LabelRequirement[] {
    const reqs: LabelRequirement[] = [];
    for (;;) {
      const { tok, lit } = this.#lookahead('values');
      if (tok === 'eos') return reqs;
      if (tok !== 'id' && tok !== '!') throw badRequest(`found '${lit}', expected: !, identifier, or 'end of string'`);
      try {
        reqs.push(this.#requirement());
      } catch (err) {
        if (err instanceof RequirementError) throw badRequest(`unable to parse requirement: ${err.message}`);
        throw err;
      }
      const next = this.#consume('values');
      if (next.tok === 'eos') return reqs;
      if (next.tok !== ',') throw badRequest(`found '${next.lit}', expected: ',' or 'end of string'`);
      const after = this.#lookahead('values');
      if (after.tok !== 'id' && after.tok !== '!') throw badRequest(`found '${after.lit}', expected: identifier after ','`);
    }
  }

  #requirement(): LabelRequirement {
    const [key, inferred] = this.#keyAndInferredOperator();
    let op = inferred;
    let values: string[] = [];
    if (op !== 'exists' && op !== '!') {
      op = this.#operator();
      values = op === 'in' || op === 'notin' ? this.#values() : this.#exactValue();
    }
    const req = newRequirement(key, op, values);
    if (typeof req === 'string') throw new RequirementError(req);
    return req;
  }

  #keyAndInferredOperator(): [string, LabelOperator | undefined] {
    let op: LabelOperator | undefined;
    let item = this.#consume('values');
    if (item.tok === '!') {
      op = '!';
      item = this.#consume('values');
    }
    if (item.tok !== 'id') throw new RequirementError(`found '${item.lit}', expected: identifier`);
    const errs = isQualifiedName(item.lit);
    // Upstream validates the key against a nil field path, which prints as `<nil>`.
    if (errs.length) throw new RequirementError(field.invalid('<nil>', item.lit, errs.join('; ')).toString());
    const next = this.#lookahead('values').tok;
    if ((next === 'eos' || next === ',') && op !== '!') op = 'exists';
    return [item.lit, op];
  }

  #operator(): LabelOperator {
    const { tok, lit } = this.#consume('keyAndOperator');
    const op = OPERATOR_TOKENS[tok];
    if (!op) throw new RequirementError(`found '${lit}', expected: ${BINARY_OPERATORS.join(', ')}`);
    return op;
  }

  #values(): string[] {
    const open = this.#consume('values');
    if (open.tok !== '(') throw new RequirementError(`found '${open.lit}' expected: '('`);
    const first = this.#lookahead('values');
    if (first.tok === ')') {
      this.#consume('values');
      return [''];
    }
    if (first.tok !== 'id' && first.tok !== ',') throw new RequirementError(`found '${first.lit}', expected: ',', ')' or identifier`);
    const set = this.#identifierList();
    // Upstream reports the first value's literal here, not the offending token.
    if (this.#consume('values').tok !== ')') throw new RequirementError(`found '${first.lit}', expected: ')'`);
    return [...set].sort(compareGoStrings);
  }

  /** A possibly empty, comma-separated list of possibly empty values: `a,,b` holds `""`. */
  #identifierList(): Set<string> {
    const set = new Set<string>();
    for (;;) {
      const item = this.#consume('values');
      if (item.tok === 'id') {
        set.add(item.lit);
        const next = this.#lookahead('values');
        if (next.tok === ')') return set;
        if (next.tok !== ',') throw new RequirementError(`found '${next.lit}', expected: ',' or ')'`);
      } else if (item.tok === ',') {
        if (set.size === 0) set.add('');
        const next = this.#lookahead('values').tok;
        if (next === ')') {
          set.add('');
          return set;
        }
        if (next === ',') set.add('');
      } else {
        throw new RequirementError(`found '${item.lit}', expected: ',', or identifier`);
      }
    }
  }

  #exactValue(): string[] {
    const next = this.#lookahead('values').tok;
    if (next === 'eos' || next === ',') return [''];
    const item = this.#consume('values');
    if (item.tok !== 'id') throw new RequirementError(`found '${item.lit}', expected: identifier`);
    return [item.lit];
  }
}

/**
 * Parses a `labelSelector` query value as labels.Parse does: `""` selects everything; clauses
 * are `k=v`, `k==v`, `k!=v`, `k in (a,b)`, `k notin (a,b)`, `k`, `!k`, `k>n`, `k<n`, joined by
 * commas (AND). Throws a 400 BadRequest StatusError worded exactly as kube-apiserver's.
 */
export function parseLabelSelector(text: string): LabelSelector {
  return new LabelSelector(new Parser(text).parse());
}
