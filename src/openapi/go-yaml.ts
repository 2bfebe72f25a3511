/**
 * Renders a JSON value as the YAML text gnostic stores in `Any.yaml`: gnostic parses the JSON
 * document into go-yaml v3 nodes, clears their styles and calls `yaml.Marshal` on the node of
 * each extension (and `default`, `example`, `enum` entry). So the text is go-yaml v3's block
 * style with its defaults: indent 4, no line wrapping, a trailing newline. Clients compare
 * nothing but the parsed value; the exact text matters for byte-identical documents.
 *
 * Worked example (an `x-kubernetes-unions` value, then a sequence inside a mapping):
 *   [{discriminator: 'type', 'fields-to-discriminateBy': {limited: 'Limited'}}]
 *     → "- discriminator: type\n  fields-to-discriminateBy:\n    limited: Limited\n"
 *   {keys: ['port', 'protocol'], group: ''}
 *     → "keys:\n    - port\n    - protocol\ngroup: \"\"\n"
 * Indentation follows go-yaml's emitter: a collection nested in a mapping indents to the next
 * multiple of 4; one nested in a sequence item sits 2 past the dash (compact `- key: v`).
 * Empty collections are flow (`{}`, `[]`). Strings are plain unless YAML would read them as
 * another type (`""`, `"true"`, `"12"`, `"2024-01-01"` → double quotes) or plain is not allowed
 * (indicators, leading/trailing spaces → single quotes; control characters → double quotes);
 * multi-line strings are literal blocks (`|-`).
 * Not covered (never produced from JSON extension values in practice): mapping keys longer than
 * 128 characters (go-yaml writes them as `? key`), and `|+` blocks at the document root (go-yaml
 * then appends `...`).
 * Owns: that rendering. Must not: know OpenAPI or protobuf.
 */
import type { Json, JsonObject } from './json.js';

const BEST_INDENT = 4;

/** Scalar styles of the emitter. */
type Style = 'plain' | 'single' | 'double' | 'literal';

/** Where a scalar is written: the value position or a simple mapping key. */
interface ScalarContext {
  key: boolean;
  /** The indent a literal block's lines get. */
  indent: number;
}

/** Plain spellings go-yaml resolves to null, bool, float or the merge key (resolve.go's map). */
const RESOLVED_WORDS = new Set([
  '', '~', 'null', 'Null', 'NULL', 'true', 'True', 'TRUE', 'false', 'False', 'FALSE',
  '.nan', '.NaN', '.NAN', '.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF', '-.inf', '-.Inf', '-.INF', '<<',
]);
const YAML_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const GO_INT = /^[-+]?(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/;
const DOT_FLOAT = /^\.[0-9]+([eE][-+]?[0-9]+)?$/;
/** go-yaml's timestamp layouts: `2006-1-2`, then `T15:4:5.999999999Z07:00` or ` 15:4:5.999999999`. */
const TIMESTAMP =
  /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt][0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(\.[0-9]+)?(Z|[-+][0-9]{2}:[0-9]{2})| [0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(\.[0-9]+)?)?$/;

/** True when go-yaml would read `s`, written plain, as something other than a string. */
function resolvesToNonString(s: string): boolean {
  if (RESOLVED_WORDS.has(s)) return true;
  const first = s.charAt(0);
  if (first === '.') return DOT_FLOAT.test(s);
  if ((first >= '0' && first <= '9') || first === '-' || first === '+') {
    if (first >= '0' && first <= '9' && TIMESTAMP.test(s)) return true;
    const plain = s.split('_').join('');
    return GO_INT.test(plain) || YAML_FLOAT.test(plain);
  }
  return false;
}

const isBreak = (c: number): boolean => c === 0x0a || c === 0x0d || c === 0x85 || c === 0x2028 || c === 0x2029;
const isBlankOrEnd = (c: number | undefined): boolean => c === undefined || c === 0x20 || c === 0x09 || isBreak(c);
/** libyaml's is_printable, on code points. */
function isPrintable(c: number): boolean {
  return (
    c === 0x0a ||
    (c >= 0x20 && c <= 0x7e) ||
    (c >= 0xa0 && c <= 0xd7ff) ||
    (c >= 0xe000 && c <= 0xfffd && c !== 0xfeff)
  );
}

/** What libyaml's analyze_scalar decides about a string. */
interface Analysis {
  multiline: boolean;
  blockPlainAllowed: boolean;
  singleQuotedAllowed: boolean;
  blockAllowed: boolean;
}

function analyze(value: string): Analysis {
  if (value.length === 0) return { multiline: false, blockPlainAllowed: true, singleQuotedAllowed: true, blockAllowed: false };
  const chars = Array.from(value, (ch) => ch.codePointAt(0) as number);
  let blockIndicators = value.startsWith('---') || value.startsWith('...');
  let leadingSpace = false, leadingBreak = false, trailingSpace = false, trailingBreak = false;
  let breakSpace = false, spaceBreak = false, previousSpace = false, previousBreak = false;
  let lineBreaks = false, special = false;
  let precededByWhitespace = true;
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i] as number;
    const followedByWhitespace = isBlankOrEnd(chars[i + 1]);
    const ch = String.fromCodePoint(c);
    if (i === 0) {
      if ('#,[]{}&*!|>\'"%@`'.includes(ch)) blockIndicators = true;
      if ((ch === '?' || ch === ':' || ch === '-') && followedByWhitespace) blockIndicators = true;
    } else if ((ch === ':' && followedByWhitespace) || (ch === '#' && precededByWhitespace)) {
      blockIndicators = true;
    }
    if (!isPrintable(c)) special = true;
    const last = i === chars.length - 1;
    if (c === 0x20) {
      if (i === 0) leadingSpace = true;
      if (last) trailingSpace = true;
      if (previousBreak) breakSpace = true;
      previousSpace = true;
      previousBreak = false;
    } else if (isBreak(c)) {
      lineBreaks = true;
      if (i === 0) leadingBreak = true;
      if (last) trailingBreak = true;
      if (previousSpace) spaceBreak = true;
      previousBreak = true;
      previousSpace = false;
    } else {
      previousSpace = false;
      previousBreak = false;
    }
    precededByWhitespace = isBlankOrEnd(c);
  }
  let blockPlainAllowed = !(leadingSpace || leadingBreak || trailingSpace || trailingBreak || breakSpace);
  let singleQuotedAllowed = !breakSpace;
  let blockAllowed = !trailingSpace;
  if (spaceBreak || special) blockPlainAllowed = singleQuotedAllowed = blockAllowed = false;
  if (lineBreaks || blockIndicators) blockPlainAllowed = false;
  // go-yaml writes single-quoted scalars with line breaks across lines; we never need that.
  if (lineBreaks) singleQuotedAllowed = false;
  return { multiline: lineBreaks, blockPlainAllowed, singleQuotedAllowed, blockAllowed };
}

/** The style go-yaml's node encoder, then the emitter's select_scalar_style, picks for a string. */
function selectStyle(value: string, context: ScalarContext): Style {
  const analysis = analyze(value);
  let style: Style = value.includes('\n') ? 'literal' : resolvesToNonString(value) ? 'double' : 'plain';
  if (context.key && analysis.multiline) style = 'double';
  if (style === 'plain' && (!analysis.blockPlainAllowed || (value.length === 0 && context.key))) style = 'single';
  if (style === 'single' && !analysis.singleQuotedAllowed) style = 'double';
  if (style === 'literal' && (!analysis.blockAllowed || context.key)) style = 'double';
  return style;
}

const ESCAPES: Readonly<Record<number, string>> = {
  0x00: '0', 0x07: 'a', 0x08: 'b', 0x09: 't', 0x0a: 'n', 0x0b: 'v', 0x0c: 'f', 0x0d: 'r', 0x1b: 'e',
  0x22: '"', 0x5c: '\\', 0x85: 'N', 0xa0: '_', 0x2028: 'L', 0x2029: 'P',
};

function doubleQuoted(value: string): string {
  let out = '"';
  for (const ch of value) {
    const c = ch.codePointAt(0) as number;
    if (!isPrintable(c) || c === 0xfeff || isBreak(c) || c === 0x22 || c === 0x5c) {
      const named = ESCAPES[c];
      if (named !== undefined) out += `\\${named}`;
      else if (c <= 0xff) out += `\\x${c.toString(16).toUpperCase().padStart(2, '0')}`;
      else if (c <= 0xffff) out += `\\u${c.toString(16).toUpperCase().padStart(4, '0')}`;
      else out += `\\U${c.toString(16).toUpperCase().padStart(8, '0')}`;
    } else {
      out += ch;
    }
  }
  return `${out}"`;
}

/** A literal block: header (indent and chomping hints), then each line at `indent`. */
function literal(value: string, indent: number): string {
  let header = '|';
  if (value.startsWith(' ') || isBreak(value.charCodeAt(0))) header += String(BEST_INDENT);
  const chars = Array.from(value);
  const last = chars[chars.length - 1] ?? '';
  const beforeLast = chars[chars.length - 2] ?? '';
  if (!isBreak(last.codePointAt(0) ?? 0)) header += '-';
  else if (chars.length === 1 || isBreak(beforeLast.codePointAt(0) ?? 0)) header += '+';
  const pad = ' '.repeat(indent);
  let out = `${header}\n`;
  let atLineStart = true;
  for (const ch of chars) {
    if (isBreak(ch.codePointAt(0) as number)) {
      out += '\n';
      atLineStart = true;
    } else {
      if (atLineStart) out += pad;
      out += ch;
      atLineStart = false;
    }
  }
  return out;
}

function scalarText(value: string, context: ScalarContext): string {
  switch (selectStyle(value, context)) {
    case 'plain':
      return value;
    case 'single':
      return `'${value.split("'").join("''")}'`;
    case 'double':
      return doubleQuoted(value);
    case 'literal':
      return literal(value, context.indent);
  }
}

/** Output with the current column, which decides where the next entry starts. */
class Writer {
  out = '';
  column = 0;

  write(text: string): void {
    this.out += text;
    const newline = text.lastIndexOf('\n');
    this.column = newline >= 0 ? text.length - newline - 1 : this.column + text.length;
  }

  /** Starts a line at `indent` unless the current line is still empty. */
  line(indent: number): void {
    if (this.column > 0) this.write('\n');
    this.write(' '.repeat(indent));
  }
}

const isCollection = (value: Json): value is Json[] | JsonObject => typeof value === 'object' && value !== null;
const isEmpty = (value: Json[] | JsonObject): boolean => (Array.isArray(value) ? value.length === 0 : Object.keys(value).length === 0);

/** The indent of a node nested under `parent` (-1 at the root): 2 past a sequence dash, else the next multiple of 4. */
function nestedIndent(parent: number, inSequenceItem: boolean): number {
  if (parent < 0) return 0;
  if (inSequenceItem) return parent + 2;
  return BEST_INDENT * Math.floor((parent + BEST_INDENT) / BEST_INDENT);
}

function scalarOf(value: Json, indent: number): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  // go-yaml keeps a number's JSON text; ours is JavaScript's, the same for integers and most floats.
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return scalarText(value, { key: false, indent });
  return Array.isArray(value) ? '[]' : '{}';
}

/**
 * Writes `value` after what is already on the line: nothing at the root (`parentIndent` -1),
 * `key:` of a mapping at `parentIndent`, or the `-` of a sequence at `parentIndent`
 * (`inSequenceItem`).
 */
function writeNode(w: Writer, value: Json, parentIndent: number, inSequenceItem: boolean): void {
  const root = parentIndent < 0;
  if (!isCollection(value) || isEmpty(value)) {
    // A literal block's lines: indent 4 at the root, else the indent a nested collection would get.
    const text = scalarOf(value, root ? BEST_INDENT : nestedIndent(parentIndent, inSequenceItem));
    w.write(root ? text : ` ${text}`);
    return;
  }
  const indent = nestedIndent(parentIndent, inSequenceItem);
  let first = true;
  const start = (): void => {
    // The first entry of a collection inside a sequence item stays on the dash's line.
    if (first && inSequenceItem) w.write(' ');
    else w.line(indent);
    first = false;
  };
  if (Array.isArray(value)) {
    for (const item of value) {
      start();
      w.write('-');
      writeNode(w, item, indent, true);
    }
    return;
  }
  for (const [key, child] of Object.entries(value)) {
    start();
    w.write(`${scalarText(key, { key: true, indent })}:`);
    writeNode(w, child, indent, false);
  }
}

/** `value` as go-yaml v3's `yaml.Marshal` writes the node gnostic parsed from its JSON. Ends with a newline. */
export function goYaml(value: Json): string {
  const w = new Writer();
  writeNode(w, value, -1, false);
  if (!w.out.endsWith('\n')) w.out += '\n';
  return w.out;
}
