/**
 * The syntax error Go's encoding/json reports for malformed JSON, so that a bad body gets the
 * same 400 message from kubemu as from kube-apiserver ("unexpected end of JSON input",
 * "invalid character 'x' looking for beginning of value", ...). Only called after JSON.parse has
 * already failed, so it costs nothing on the good path.
 *
 * A small state machine over the bytes, mirroring the states of Go's scanner:
 *
 *   value ─ '{' → key? ─ '"' → string → ':' → value → ',' | '}'
 *         ─ '[' → value? ─ ']' | value → ',' | ']'
 *         ─ '"' string, number, true/false/null literal
 *
 * Owns: Go's wording of JSON syntax errors. Must not: parse values (JSON.parse does).
 */

const WS = new Set([0x20, 0x09, 0x0a, 0x0d]);
const DIGIT = (c: number) => c >= 0x30 && c <= 0x39;
const HEX = (c: number) => DIGIT(c) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);
const ESCAPES = new Set([...'bfnrt\\/"'].map((ch) => ch.charCodeAt(0)));

class SyntaxFailure extends Error {}

/** Go's quoteChar: the byte in single quotes, escaped as strconv.Quote would. */
function quoteChar(c: number): string {
  if (c === 0x27) return "'\\''";
  if (c === 0x22) return `'"'`;
  const named: Record<number, string> = { 0x07: '\\a', 0x08: '\\b', 0x0c: '\\f', 0x0a: '\\n', 0x0d: '\\r', 0x09: '\\t', 0x0b: '\\v', 0x5c: '\\\\' };
  if (named[c]) return `'${named[c]}'`;
  const hex = c.toString(16).padStart(2, '0');
  if (c < 0x20 || c === 0x7f) return `'\\x${hex}'`;
  if (c >= 0x80 && c < 0xa0) return `'\\u00${hex}'`;
  return `'${String.fromCharCode(c)}'`;
}

/** A scanner over one input; each method consumes one construct or throws SyntaxFailure. */
class Scanner {
  #pos = 0;
  constructor(readonly bytes: Uint8Array) {}

  #peek(): number | undefined {
    return this.bytes[this.#pos];
  }

  #next(): number {
    const c = this.bytes[this.#pos];
    if (c === undefined) throw new SyntaxFailure('unexpected end of JSON input');
    this.#pos++;
    return c;
  }

  #fail(c: number, context: string): never {
    throw new SyntaxFailure(`invalid character ${quoteChar(c)} ${context}`);
  }

  #skipSpace(): void {
    while (this.#pos < this.bytes.length && WS.has(this.bytes[this.#pos]!)) this.#pos++;
  }

  /** Scans the whole input: one value and nothing after it but white space. */
  document(): void {
    this.value();
    this.#skipSpace();
    const c = this.#peek();
    if (c !== undefined) this.#fail(c, 'after top-level value');
  }

  value(): void {
    this.#skipSpace();
    const c = this.#next();
    if (c === 0x7b) return this.#object();
    if (c === 0x5b) return this.#array();
    if (c === 0x22) return this.#string();
    if (c === 0x2d || DIGIT(c)) return this.#number(c);
    if (c === 0x74) return this.#literal('true');
    if (c === 0x66) return this.#literal('false');
    if (c === 0x6e) return this.#literal('null');
    this.#fail(c, 'looking for beginning of value');
  }

  #object(): void {
    this.#skipSpace();
    let c = this.#next();
    if (c === 0x7d) return;
    for (;;) {
      if (c !== 0x22) this.#fail(c, 'looking for beginning of object key string');
      this.#string();
      this.#skipSpace();
      c = this.#next();
      if (c !== 0x3a) this.#fail(c, 'after object key');
      this.value();
      this.#skipSpace();
      c = this.#next();
      if (c === 0x7d) return;
      if (c !== 0x2c) this.#fail(c, 'after object key:value pair');
      this.#skipSpace();
      c = this.#next();
    }
  }

  #array(): void {
    this.#skipSpace();
    if (this.#peek() === 0x5d) {
      this.#pos++;
      return;
    }
    for (;;) {
      this.value();
      this.#skipSpace();
      const c = this.#next();
      if (c === 0x5d) return;
      if (c !== 0x2c) this.#fail(c, 'after array element');
    }
  }

  #string(): void {
    for (;;) {
      const c = this.#next();
      if (c === 0x22) return;
      if (c < 0x20) this.#fail(c, 'in string literal');
      if (c !== 0x5c) continue;
      const e = this.#next();
      if (e === 0x75) {
        for (let i = 0; i < 4; i++) {
          const h = this.#next();
          if (!HEX(h)) this.#fail(h, 'in \\u hexadecimal character escape');
        }
      } else if (!ESCAPES.has(e)) this.#fail(e, 'in string escape code');
    }
  }

  #number(first: number): void {
    let c: number | undefined = first;
    if (c === 0x2d) {
      c = this.#next();
      if (!DIGIT(c)) this.#fail(c, 'in numeric literal');
    }
    if (c !== 0x30) while (DIGIT(this.#peek() ?? -1)) this.#pos++;
    if (this.#peek() === 0x2e) {
      this.#pos++;
      const d = this.#next();
      if (!DIGIT(d)) this.#fail(d, 'after decimal point in numeric literal');
      while (DIGIT(this.#peek() ?? -1)) this.#pos++;
    }
    const e = this.#peek();
    if (e === 0x65 || e === 0x45) {
      this.#pos++;
      let d = this.#next();
      if (d === 0x2b || d === 0x2d) d = this.#next();
      if (!DIGIT(d)) this.#fail(d, 'in exponent of numeric literal');
      while (DIGIT(this.#peek() ?? -1)) this.#pos++;
    }
  }

  #literal(word: string): void {
    for (let i = 1; i < word.length; i++) {
      const c = this.#next();
      if (c !== word.charCodeAt(i)) this.#fail(c, `in literal ${word} (expecting '${word[i]}')`);
    }
  }
}

/** Go's error for `bytes`, or undefined when they are valid JSON. */
export function goJsonSyntaxError(bytes: Uint8Array): string | undefined {
  try {
    new Scanner(bytes).document();
    return undefined;
  } catch (err) {
    if (err instanceof SyntaxFailure) return err.message;
    throw err;
  }
}
