/**
 * The `fieldPath` of x-kubernetes-validations rules, read as apiextensions-apiserver's
 * cel.ValidFieldPath does: `.name` and `['quoted']` steps through properties (or into
 * additionalProperties maps as keys), normalized to a field.Path string (`a.b[key]`).
 * Owns: fieldPath syntax. Must not: evaluate rules.
 */
import type { SchemaNode } from './node.js';

const ESCAPES: Readonly<Record<string, string>> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', "'": "'", '"': '"', '\\': '\\' };

/** Splits at `.`, `[`, `]`, keeping single-quoted tokens whole. */
function tokens(path: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < path.length) {
    const c = path[i]!;
    if (c === '.' || c === '[' || c === ']') {
      out.push(c);
      i++;
    } else if (c === "'") {
      let j = i + 1;
      while (j < path.length && !(path[j] === "'" && path[j - 1] !== '\\')) j++;
      out.push(path.slice(i, j + 1));
      i = j + 1;
    } else {
      let j = i;
      while (j < path.length && !'.[]'.includes(path[j]!)) j++;
      out.push(path.slice(i, j));
      i = j;
    }
  }
  return out;
}

/** The normalized path and its schema, or upstream's error text. */
export function parseFieldPath(jsonPath: string, root: SchemaNode): { path: string; schema: SchemaNode } | { error: string } {
  let path = '';
  let s: SchemaNode | undefined = root;
  const step = (name: string): string | undefined => {
    if (!s) return 'does not refer to a valid field';
    if (s.properties) {
      const p = s.properties.get(name);
      if (!p) return 'does not refer to a valid field';
      path = path ? `${path}.${name}` : name;
      s = p;
    } else if (typeof s.additionalProperties === 'object') {
      path = `${path}[${name}]`;
      s = s.additionalProperties;
    } else return 'does not refer to a valid field';
    return undefined;
  };
  const ts = tokens(jsonPath);
  for (let i = 0; i < ts.length; i++) {
    const t = ts[i]!;
    if (t === '[') {
      const q = ts[++i];
      if (q === undefined) return { error: 'unexpected end of JSON path' };
      if (q.length < 2 || q[0] !== "'" || q[q.length - 1] !== "'") return { error: `expected single quoted string but got ${q}` };
      const bad = /\\[^abfnrtv'"\\]/.exec(q.slice(1, -1));
      if (bad) return { error: `invalid string literal: invalid escape sequence: ${bad[0]}` };
      const err = step(q.slice(1, -1).replace(/\\(.)/g, (_, d: string) => ESCAPES[d] ?? d));
      if (err) return { error: err };
      const close = ts[++i];
      if (close === undefined) return { error: 'unexpected end of JSON path' };
      if (close !== ']') return { error: `expected ] but got ${close}` };
    } else if (t === '.') {
      const name = ts[++i];
      if (name === undefined) return { error: 'unexpected end of JSON path' };
      const err = step(name);
      if (err) return { error: err };
    } else return { error: `expected [ or . but got: ${t}` };
  }
  return { path, schema: s! };
}
