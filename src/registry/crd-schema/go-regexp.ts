/**
 * Go (RE2) regular expressions as JS RegExps: CRD `pattern`s and CEL `matches`/`find`/`findAll`
 * are Go regexps upstream (regexp.Compile), so their syntax is parsed here as Go's
 * regexp/syntax parser does (Perl flags) and re-emitted as an equivalent `u` RegExp:
 * inline flags `(?imsU)` / `(?flags:re)` (scoped case-insensitivity is expanded into character
 * classes because Node 20 has no regexp modifiers; a pattern case-insensitive throughout uses the
 * `i` flag), `\A`, `\z`, POSIX classes, `\pL` / `\p{Greek}`, `\Q...\E`, octal/hex escapes, Go's
 * ASCII `\d \s \w`, `.` not matching only `\n`. What RE2 refuses (backreferences, lookaround,
 * possessive or stacked repetition, counts over 1000) is refused with Go's error text
 * (`error parsing regexp: <code>: \`<expr>\``).
 * Owns: syntax translation and its cache. Must not: know schemas, CEL or field errors.
 */

/** A Go regexp parse error; `message` is Go's `error parsing regexp: ...` text. */
export class GoRegexpError extends Error {}

type Range = [number, number];
type Flags = { i: boolean; m: boolean; s: boolean; U: boolean };

const MAX_CP = 0x10ffff;
const DIGIT: Range[] = [[0x30, 0x39]];
const SPACE: Range[] = [[0x09, 0x0a], [0x0c, 0x0d], [0x20, 0x20]];
const WORD: Range[] = [[0x30, 0x39], [0x41, 0x5a], [0x5f, 0x5f], [0x61, 0x7a]];
const PERL: Record<string, Range[]> = { d: DIGIT, s: SPACE, w: WORD };
const POSIX: Record<string, Range[]> = {
  alnum: [[0x30, 0x39], [0x41, 0x5a], [0x61, 0x7a]],
  alpha: [[0x41, 0x5a], [0x61, 0x7a]],
  ascii: [[0x00, 0x7f]],
  blank: [[0x09, 0x09], [0x20, 0x20]],
  cntrl: [[0x00, 0x1f], [0x7f, 0x7f]],
  digit: DIGIT,
  graph: [[0x21, 0x7e]],
  lower: [[0x61, 0x7a]],
  print: [[0x20, 0x7e]],
  punct: [[0x21, 0x2f], [0x3a, 0x40], [0x5b, 0x60], [0x7b, 0x7e]],
  space: [[0x09, 0x0d], [0x20, 0x20]],
  upper: [[0x41, 0x5a]],
  word: WORD,
  xdigit: [[0x30, 0x39], [0x41, 0x46], [0x61, 0x66]],
};
/** Go's unicode.Categories names (\p{..} without a script). */
const CATEGORIES = new Set('C Cc Cf Co Cs L Ll Lm Lo Lt Lu M Mc Me Mn N Nd Nl No P Pc Pd Pe Pf Pi Po Ps S Sc Sk Sm So Z Zl Zp Zs'.split(' '));

function fail(code: string, expr: string): never {
  throw new GoRegexpError(`error parsing regexp: ${code}: \`${expr}\``);
}

const isAlnum = (c: number): boolean => (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
const isOctal = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '7';
const isHex = (c: string | undefined): boolean => c !== undefined && /^[0-9A-Fa-f]$/.test(c);

/** One code point as JS regexp source valid inside and outside classes under `u`. */
function lit(cp: number): string {
  return isAlnum(cp) ? String.fromCodePoint(cp) : `\\u{${cp.toString(16)}}`;
}

function merge(ranges: Range[]): Range[] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: Range[] = [];
  for (const [lo, hi] of sorted) {
    const last = out[out.length - 1];
    if (last && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else out.push([lo, hi]);
  }
  return out;
}

function complement(ranges: Range[]): Range[] {
  const out: Range[] = [];
  let next = 0;
  for (const [lo, hi] of merge(ranges)) {
    if (lo > next) out.push([next, lo - 1]);
    next = hi + 1;
  }
  if (next <= MAX_CP) out.push([next, MAX_CP]);
  return out;
}

/** The BMP and the supplementary blocks with case (Deseret, Osage, Vithkuqi, Old Hungarian, Warang Citi, Medefaidrin, Adlam). */
const CASED_BLOCKS: Range[] = [[0, 0xffff], [0x10400, 0x104ff], [0x10570, 0x105bf], [0x10c80, 0x10cff], [0x118a0, 0x118ff], [0x16e40, 0x16e9f], [0x1e900, 0x1e95f]];
let orbits: Map<number, number[]> | undefined;
function foldKey(cp: number): number {
  const one = (s: string): number | undefined => ([...s].length === 1 ? s.codePointAt(0) : undefined);
  const up = one(String.fromCodePoint(cp).toUpperCase()) ?? cp;
  return one(String.fromCodePoint(up).toLowerCase()) ?? up;
}
/** The simple case-folding orbit of a code point (k, K and the Kelvin sign). */
function orbit(cp: number): number[] {
  if (!orbits) {
    orbits = new Map();
    for (const [lo, hi] of CASED_BLOCKS)
      for (let c = lo; c <= hi; c++) {
        const k = foldKey(c);
        if (k === c) continue;
        const list = orbits.get(k) ?? [k];
        list.push(c);
        orbits.set(k, list);
      }
  }
  return orbits.get(foldKey(cp)) ?? [cp];
}

function foldRanges(ranges: Range[]): Range[] {
  const size = ranges.reduce((n, [lo, hi]) => n + hi - lo + 1, 0);
  if (size > 0x20000) return ranges;
  const out = [...ranges];
  for (const [lo, hi] of ranges) for (let c = lo; c <= Math.min(hi, 0x1ffff); c++) for (const o of orbit(c)) if (o !== c) out.push([o, o]);
  // (code points beyond 0x1ffff have no case)
  return merge(out);
}

/** An atom of the output: its source and whether a quantifier needs it wrapped (assertions). */
type Item = { src: string; assertion: boolean };

class Translator {
  readonly #src: string;
  readonly #native: boolean;
  #pos = 0;
  #flags: Flags = { i: false, m: false, s: false, U: false };
  #names = new Set<string>();
  /** A cased atom was emitted with / without case-insensitivity. */
  foldOn = false;
  foldOff = false;

  constructor(src: string, nativeFold: boolean) {
    this.#src = src;
    this.#native = nativeFold;
  }

  run(): string {
    const out = this.#alternation();
    if (this.#pos < this.#src.length) fail('unexpected )', this.#src);
    return out;
  }

  #peek(off = 0): string | undefined {
    let p = this.#pos;
    for (let k = 0; k < off && p < this.#src.length; k++) p += this.#src.codePointAt(p)! > 0xffff ? 2 : 1;
    if (p >= this.#src.length) return undefined;
    return String.fromCodePoint(this.#src.codePointAt(p)!);
  }

  #next(): string {
    const c = this.#peek();
    if (c === undefined) fail('missing closing )', this.#src);
    this.#pos += c.length;
    return c;
  }

  #alternation(): string {
    const parts = [this.#concat()];
    while (this.#peek() === '|') {
      this.#pos++;
      parts.push(this.#concat());
    }
    return parts.join('|');
  }

  #concat(): string {
    const items: Item[] = [];
    let lastRepeat = -1;
    for (;;) {
      const c = this.#peek();
      if (c === undefined || c === '|' || c === ')') break;
      const start = this.#pos;
      const q = this.#quantifier();
      if (q !== undefined) {
        const last = items[items.length - 1];
        if (lastRepeat >= 0) fail('invalid nested repetition operator', this.#src.slice(lastRepeat, this.#pos));
        if (!last) fail('missing argument to repetition operator', this.#src.slice(start, this.#pos));
        last.src = (last.assertion ? `(?:${last.src})` : last.src) + q;
        last.assertion = false;
        lastRepeat = start;
        continue;
      }
      lastRepeat = -1;
      const item = this.#atom();
      if (item) items.push(...(Array.isArray(item) ? item : [item]));
    }
    return items.map((i) => i.src).join('');
  }

  /** A repetition operator at the cursor (consumed, as JS source), or undefined. */
  #quantifier(): string | undefined {
    const c = this.#peek();
    let q: string;
    if (c === '*' || c === '+' || c === '?') {
      this.#pos++;
      q = c;
    } else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(this.#src.slice(this.#pos));
      const bad = (d: string | undefined): boolean => d !== undefined && d.length >= 2 && d[0] === '0';
      if (!m || bad(m[1]) || bad(m[3])) return undefined;
      const min = Number(m[1]);
      const max = m[2] === undefined ? min : m[3] === '' ? -1 : Number(m[3]);
      if (min > 1000 || max > 1000 || (max >= 0 && min > max)) fail('invalid repeat count', m[0]);
      this.#pos += m[0].length;
      q = m[0];
    } else return undefined;
    let lazy = this.#flags.U;
    if (this.#peek() === '?') {
      this.#pos++;
      lazy = !lazy;
    }
    return lazy ? `${q}?` : q;
  }

  #atom(): Item | Item[] | undefined {
    const c = this.#next();
    switch (c) {
      case '(':
        return this.#group();
      case '[':
        return { src: this.#class(), assertion: false };
      case '.':
        return { src: this.#flags.s ? '[^]' : '[^\\n]', assertion: false };
      case '^':
        return { src: this.#flags.m ? '(?<![^\\n])' : '^', assertion: true };
      case '$':
        return { src: this.#flags.m ? '(?![^\\n])' : '$', assertion: true };
      case '\\':
        return this.#escapeAtom();
      default:
        return this.#literal(c.codePointAt(0)!);
    }
  }

  #literal(cp: number): Item {
    const s = String.fromCodePoint(cp);
    if (s.toUpperCase() !== s.toLowerCase()) {
      if (this.#flags.i) this.foldOn = true;
      else this.foldOff = true;
    }
    const variants = this.#flags.i && !this.#native ? orbit(cp) : [cp];
    if (variants.length === 1) return { src: lit(cp), assertion: false };
    return { src: `[${variants.map(lit).join('')}]`, assertion: false };
  }

  #group(): Item | undefined {
    const start = this.#pos - 1;
    if (this.#peek() !== '?') return { src: `(${this.#groupBody(start)})`, assertion: false };
    const rest = this.#src.slice(start);
    const named = rest.startsWith('(?P<') && rest.length > 4 ? 4 : rest.startsWith('(?<') && rest.length > 3 ? 3 : 0;
    if (named) {
      const end = rest.indexOf('>');
      if (end < 0) fail('invalid named capture', rest);
      const name = rest.slice(named, end);
      if (!/^[A-Za-z0-9_]+$/.test(name)) fail('invalid named capture', rest.slice(0, end + 1));
      if (this.#names.has(name)) fail('duplicate capture group name', name);
      this.#names.add(name);
      this.#pos = start + end + 1;
      return { src: `(${this.#groupBody(start)})`, assertion: false };
    }
    this.#pos++;
    const flags = { ...this.#flags };
    let sign = 1;
    let saw = false;
    for (;;) {
      const c = this.#peek();
      if (c === undefined) break;
      this.#pos += c.length;
      if (c === 'i' || c === 's' || c === 'U') (flags[c] = sign > 0), (saw = true);
      else if (c === 'm') (flags.m = sign > 0), (saw = true);
      else if (c === '-' && sign > 0) (sign = -1), (saw = false);
      else if ((c === ':' || c === ')') && (sign > 0 || saw)) {
        if (c === ')') {
          this.#flags = flags;
          return undefined;
        }
        const outer = this.#flags;
        this.#flags = flags;
        const body = this.#groupBody(start);
        this.#flags = outer;
        return { src: `(?:${body})`, assertion: false };
      } else break;
    }
    return fail('invalid or unsupported Perl syntax', this.#src.slice(start, this.#pos));
  }

  /** The inside of a group up to its `)` (consumed); flags set inside end with it. */
  #groupBody(_start: number): string {
    const saved = this.#flags;
    const body = this.#alternation();
    this.#flags = saved;
    if (this.#peek() !== ')') fail('missing closing )', this.#src);
    this.#pos++;
    return body;
  }

  #escapeAtom(): Item | Item[] {
    const start = this.#pos - 1;
    const c = this.#peek();
    switch (c) {
      case 'A':
        this.#pos++;
        return { src: '^', assertion: true };
      case 'z':
        this.#pos++;
        return { src: '$', assertion: true };
      case 'b':
      case 'B':
        this.#pos++;
        return { src: `\\${c}`, assertion: true };
      case 'C':
        return fail('invalid escape sequence', '\\C');
      case 'Q': {
        const rest = this.#src.slice(this.#pos + 1);
        const end = rest.indexOf('\\E');
        const text = end < 0 ? rest : rest.slice(0, end);
        this.#pos += 1 + text.length + (end < 0 ? 0 : 2);
        return [...text].map((ch) => this.#literal(ch.codePointAt(0)!));
      }
      case 'p':
      case 'P':
        return { src: this.#unicodeClass(start), assertion: false };
      case 'd':
      case 's':
      case 'w':
      case 'D':
      case 'S':
      case 'W':
        this.#pos++;
        return { src: this.#classSource(this.#perl(c), [], false), assertion: false };
      default:
        return this.#literal(this.#escape(start));
    }
  }

  #perl(c: string): Range[] {
    const r = PERL[c.toLowerCase()]!;
    return c === c.toLowerCase() ? r : complement(r);
  }

  /** `\pN`, `\p{Name}`, `\P{^Name}` (cursor on p/P) as JS source. */
  #unicodeClass(start: number): string {
    let negate = this.#next() === 'P';
    let name: string;
    if (this.#peek() === '{') {
      const end = this.#src.indexOf('}', this.#pos);
      if (end < 0) fail('invalid character class range', this.#src.slice(start));
      name = this.#src.slice(this.#pos + 1, end);
      this.#pos = end + 1;
    } else {
      const c = this.#peek();
      if (c === undefined) fail('invalid character class range', this.#src.slice(start));
      name = c;
      this.#pos += c.length;
    }
    const text = this.#src.slice(start, this.#pos);
    if (name.startsWith('^')) (negate = !negate), (name = name.slice(1));
    if (this.#flags.i) this.foldOn = true;
    else this.foldOff = true;
    const p = negate ? 'P' : 'p';
    if (name === 'Any') return negate ? '[^\\u{0}-\\u{10ffff}]' : '[\\u{0}-\\u{10ffff}]';
    if (CATEGORIES.has(name)) return `\\${p}{${name}}`;
    if (/^[A-Z][A-Za-z_]*$/.test(name)) {
      try {
        new RegExp(`\\p{Script=${name}}`, 'u');
        return `\\${p}{Script=${name}}`;
      } catch {
        /* not a script JS knows */
      }
    }
    return fail('invalid character class range', text);
  }

  /** A single-character escape after `\` (cursor after the backslash): its code point. */
  #escape(start: number): number {
    const c = this.#peek();
    if (c === undefined) fail('trailing backslash at end of expression', '');
    this.#pos += c.length;
    const bad = (): never => fail('invalid escape sequence', this.#src.slice(start, this.#pos));
    if (c >= '1' && c <= '7' && !isOctal(this.#peek())) bad();
    if (c >= '0' && c <= '7') {
      let v = c.charCodeAt(0) - 48;
      for (let k = 0; k < 2 && isOctal(this.#peek()); k++) v = v * 8 + this.#next().charCodeAt(0) - 48;
      return v;
    }
    if (c === 'x') {
      if (this.#peek() === '{') {
        this.#pos++;
        let hex = '';
        while (isHex(this.#peek())) hex += this.#next();
        if (this.#peek() !== '}' || hex === '' || parseInt(hex, 16) > MAX_CP) {
          if (this.#peek() !== undefined) this.#pos++;
          bad();
        }
        this.#pos++;
        return parseInt(hex, 16);
      }
      for (let k = 0; k < 2; k++) {
        const h = this.#peek();
        if (h !== undefined) this.#pos += h.length;
        if (!isHex(h)) bad();
      }
      return parseInt(this.#src.slice(this.#pos - 2, this.#pos), 16);
    }
    const simple: Record<string, number> = { a: 7, f: 12, n: 10, r: 13, t: 9, v: 11 };
    if (c in simple) return simple[c]!;
    const cp = c.codePointAt(0)!;
    if (cp < 0x80 && !isAlnum(cp)) return cp;
    return bad();
  }

  /** A bracket expression (cursor after `[`) as JS source. */
  #class(): string {
    const start = this.#pos - 1;
    const missing = (): never => fail('missing closing ]', this.#src.slice(start));
    let negate = false;
    if (this.#peek() === '^') (negate = true), this.#pos++;
    const ranges: Range[] = [];
    const raw: string[] = [];
    let first = true;
    for (;;) {
      const c = this.#peek();
      if (c === undefined) missing();
      if (c === ']' && !first) break;
      first = false;
      if (this.#src.startsWith('[:', this.#pos)) {
        const end = this.#src.indexOf(':]', this.#pos + 2);
        if (end >= 0) {
          const spec = this.#src.slice(this.#pos, end + 2);
          const name = spec.slice(2, -2);
          const set = POSIX[name.replace(/^\^/, '')];
          if (!set) fail('invalid character class range', spec);
          ranges.push(...(name.startsWith('^') ? complement(set) : set));
          this.#pos = end + 2;
          continue;
        }
      }
      if (c === '\\') {
        const e = this.#peek(1);
        if (e === 'p' || e === 'P') {
          this.#pos++;
          raw.push(this.#unicodeClass(this.#pos - 1));
          continue;
        }
        if (e !== undefined && 'dswDSW'.includes(e)) {
          this.#pos += 2;
          ranges.push(...this.#perl(e));
          continue;
        }
      }
      const rangeStart = this.#pos;
      const lo = this.#classChar(missing);
      if (this.#peek() === '-' && this.#peek(1) !== ']' && this.#peek(1) !== undefined) {
        this.#pos++;
        const hi = this.#classChar(missing);
        if (hi < lo) fail('invalid character class range', this.#src.slice(rangeStart, this.#pos));
        ranges.push([lo, hi]);
      } else ranges.push([lo, lo]);
    }
    this.#pos++;
    return this.#classSource(ranges, raw, negate);
  }

  #classChar(missing: () => never): number {
    const c = this.#peek();
    if (c === undefined) return missing();
    this.#pos += c.length;
    if (c !== '\\') return c.codePointAt(0)!;
    if (this.#peek() === undefined) missing();
    return this.#escape(this.#pos - 1);
  }

  #classSource(ranges: Range[], raw: string[], negate: boolean): string {
    let set = merge(ranges);
    // cased: touches ASCII letters or anything beyond ASCII (conservative)
    if (set.some(([lo, hi]) => hi > 0x7f || (lo <= 0x7a && hi >= 0x61) || (lo <= 0x5a && hi >= 0x41))) {
      if (this.#flags.i) this.foldOn = true;
      else this.foldOff = true;
      if (this.#flags.i && !this.#native) set = foldRanges(set);
    }
    const body = set.map(([lo, hi]) => (lo === hi ? lit(lo) : `${lit(lo)}-${lit(hi)}`)).join('') + raw.join('');
    return `[${negate ? '^' : ''}${body}]`;
  }
}

/** Translates a Go regexp to JS source and flags; throws GoRegexpError with Go's message. */
export function translateGoRegexp(pattern: string): { source: string; flags: string } {
  // First as if JS's i flag could carry the case-insensitivity; expanded only when it is mixed.
  const native = new Translator(pattern, true);
  const source = native.run();
  if (!native.foldOn) return { source, flags: 'u' };
  if (!native.foldOff) return { source, flags: 'ui' };
  return { source: new Translator(pattern, false).run(), flags: 'u' };
}

const cache = new Map<string, RegExp | string>();

/** Compiles a Go regexp into a JS RegExp (cached), or returns Go's error text. */
export function compileGoRegexp(pattern: string): RegExp | string {
  const hit = cache.get(pattern);
  if (hit !== undefined) return hit;
  let out: RegExp | string;
  try {
    const { source, flags } = translateGoRegexp(pattern);
    out = new RegExp(source, flags);
  } catch (err) {
    out = err instanceof GoRegexpError ? err.message : `error parsing regexp: ${(err as Error).message}`;
  }
  if (cache.size > 2000) cache.clear();
  cache.set(pattern, out);
  return out;
}
