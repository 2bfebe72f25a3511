/**
 * Strict decoding errors of a raw JSON body, in the order sigs.k8s.io/json finds them: unknown
 * fields and duplicate fields interleaved as they occur in the text. JSON.parse keeps the last
 * of two equal keys without a word, so duplicates can only be seen here, in the bytes.
 *
 * The scanner walks the (already valid) JSON text alongside the decode tree of the kind:
 *
 *   {"spec":{"replicas":1,"foo":2,"replicas":3}}
 *            struct DeploymentSpec: replicas ✓ · foo → unknown field "spec.foo"
 *                                   replicas again → duplicate field "spec.replicas"
 *
 * As upstream: values of unknown fields and of types with their own decoding (IntOrString,
 * Quantity, RawExtension, …) are skipped unread; map keys are checked for duplicates too;
 * equal errors are reported once and at most 100 are kept.
 * Owns: the text scan. Must not: parse values (JSON.parse does) or know HTTP.
 */
import { duplicateFieldMessage, unknownFieldMessage } from './schema.js';
import { kindSlot, type Slot } from './schema-nodes.js';

const MAX_ERRORS = 100;

/** Every object is a map of anything: the schema-free view used by duplicateFields. */
const ANY: unique symbol = Symbol('any');
type Target = Slot | typeof ANY | undefined;

/** One pass over a JSON text; `errors` collects messages, `paths` the duplicate paths. */
class Scanner {
  #pos = 0;
  readonly errors: string[] = [];
  readonly duplicates: string[] = [];
  readonly #seen = new Set<string>();

  constructor(readonly text: string) {}

  #skipSpace(): void {
    const t = this.text;
    while (this.#pos < t.length) {
      const c = t.charCodeAt(this.#pos);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return;
      this.#pos++;
    }
  }

  #report(message: string, duplicatePath?: string): void {
    if (this.#seen.has(message) || this.errors.length >= MAX_ERRORS) return;
    this.#seen.add(message);
    this.errors.push(message);
    if (duplicatePath !== undefined) this.duplicates.push(duplicatePath);
  }

  /** Reads a string token; returns its value. */
  #string(): string {
    const t = this.text;
    const start = this.#pos++;
    let escaped = false;
    while (this.#pos < t.length) {
      const c = t.charCodeAt(this.#pos++);
      if (c === 0x5c) {
        escaped = true;
        this.#pos++;
      } else if (c === 0x22) break;
    }
    const raw = t.slice(start, this.#pos);
    return escaped ? (JSON.parse(raw) as string) : raw.slice(1, -1);
  }

  /** Skips any value. */
  #skip(): void {
    const t = this.text;
    this.#skipSpace();
    const c = t.charCodeAt(this.#pos);
    if (c === 0x22) {
      this.#string();
      return;
    }
    if (c === 0x7b || c === 0x5b) {
      let depth = 0;
      while (this.#pos < t.length) {
        const d = t.charCodeAt(this.#pos);
        if (d === 0x22) {
          this.#string();
          continue;
        }
        this.#pos++;
        if (d === 0x7b || d === 0x5b) depth++;
        else if ((d === 0x7d || d === 0x5d) && --depth === 0) return;
      }
      return;
    }
    while (this.#pos < t.length && !',}] \t\r\n'.includes(t[this.#pos]!)) this.#pos++;
  }

  /** Scans one value decoded into `target` at `path`. */
  value(target: Target, path: string): void {
    this.#skipSpace();
    const c = this.text.charCodeAt(this.#pos);
    if (target === undefined) return this.#skip();
    const node = target === ANY ? undefined : target.node;
    if (c === 0x7b && (target === ANY || node?.kind === 'struct' || node?.kind === 'map')) return this.#object(target, path);
    if (c === 0x5b && (target === ANY || node?.kind === 'slice')) return this.#array(target === ANY ? ANY : (node as { elem: Slot }).elem, path);
    this.#skip();
  }

  #array(elem: Target, path: string): void {
    this.#pos++;
    this.#skipSpace();
    if (this.text.charCodeAt(this.#pos) === 0x5d) {
      this.#pos++;
      return;
    }
    for (let i = 0; ; i++) {
      this.value(elem, `${path}[${i}]`);
      this.#skipSpace();
      if (this.text.charCodeAt(this.#pos++) !== 0x2c) return;
    }
  }

  #object(target: Slot | typeof ANY, path: string): void {
    const node = target === ANY ? undefined : target.node;
    const struct = node?.kind === 'struct' ? node : undefined;
    const elem: Target = target === ANY ? ANY : node?.kind === 'map' ? node.elem : undefined;
    const seen = new Set<string>();
    this.#pos++;
    this.#skipSpace();
    if (this.text.charCodeAt(this.#pos) === 0x7d) {
      this.#pos++;
      return;
    }
    for (;;) {
      this.#skipSpace();
      const key = this.#string();
      this.#skipSpace();
      this.#pos++; // ':'
      const at = path ? `${path}.${key}` : key;
      let child: Target = elem;
      if (struct) {
        child = struct.field(key);
        if (!child && !struct.open) this.#report(unknownFieldMessage(at));
      }
      if (child !== undefined || !struct) {
        if (seen.has(key)) this.#report(duplicateFieldMessage(at), at);
        seen.add(key);
      }
      this.value(child, at);
      this.#skipSpace();
      if (this.text.charCodeAt(this.#pos++) !== 0x2c) return;
    }
  }
}

/**
 * The strict decoding errors of a JSON body for a built-in kind, in upstream order:
 * `unknown field "spec.foo"`, `duplicate field "spec.replicas"`. `text` must be valid JSON
 * (parse it first). Empty for kinds without a built-in schema. These are the errors Strict
 * rejects (see strictDecodingMessage) and Warn turns into one Warning each.
 */
export function strictErrors(group: string, version: string, kind: string, text: string): string[] {
  const root = kindSlot(group, version, kind);
  if (!root) return [];
  const scanner = new Scanner(text);
  scanner.value(root, '');
  return scanner.errors;
}

/**
 * Paths of repeated keys in a JSON text, schema-free (every object counts, at any depth), as
 * upstream formats them: `metadata.name`, `spec.ports[0].port`. `text` must be valid JSON.
 * For a built-in kind prefer strictErrors, which also skips what a typed decode never reads.
 */
export function duplicateFields(text: string): string[] {
  const scanner = new Scanner(text);
  scanner.value(ANY, '');
  return scanner.duplicates;
}
