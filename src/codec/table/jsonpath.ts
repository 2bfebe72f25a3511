/**
 * The subset of client-go's JSONPath that printer columns use (`{<path>}` with missing keys
 * allowed): `.field` (dots inside a name escaped as `\.`), `['field']`, `[n]` (negative counts
 * from the end), `[*]`, `..` is not supported, and filters `[?(@.a.b == "x")]` with ==, !=, <, >,
 * <=, >= against a string, number or boolean literal, or `[?(@.a)]` for existence.
 * Owns: parsing and evaluating such paths. Must not: format values (the printer does).
 */

type Step =
  | { kind: 'field'; name: string }
  | { kind: 'index'; index: number }
  | { kind: 'all' }
  | { kind: 'filter'; path: string[]; op?: string; value?: unknown };

/** A parsed path; `find` returns every match in document order (empty when nothing matches). */
export interface JsonPath {
  find(data: unknown): unknown[];
}

/** Parses `path` (`.spec.replicas`); throws TypeError when it is not in the supported subset. */
export function parseJsonPath(path: string): JsonPath {
  const steps = parseSteps(path.trim().replace(/^\{(.*)\}$/s, '$1'));
  return { find: (data) => evaluate(steps, [data]) };
}

function parseSteps(text: string): Step[] {
  const steps: Step[] = [];
  let i = 0;
  if (text.startsWith('$')) i = 1;
  while (i < text.length) {
    const c = text[i];
    if (c === '.') {
      if (text[i + 1] === '.') throw new TypeError(`unsupported recursive descent in ${text}`);
      i++;
      let name = '';
      while (i < text.length && text[i] !== '.' && text[i] !== '[') {
        if (text[i] === '\\' && i + 1 < text.length) {
          name += text[i + 1];
          i += 2;
        } else name += text[i++];
      }
      if (name === '*') steps.push({ kind: 'all' });
      else if (name) steps.push({ kind: 'field', name });
    } else if (c === '[') {
      const end = closing(text, i);
      const inner = text.slice(i + 1, end).trim();
      i = end + 1;
      if (inner === '*') steps.push({ kind: 'all' });
      else if (/^-?\d+$/.test(inner)) steps.push({ kind: 'index', index: Number(inner) });
      else if (/^'.*'$|^".*"$/s.test(inner)) steps.push({ kind: 'field', name: inner.slice(1, -1) });
      else if (inner.startsWith('?(') && inner.endsWith(')')) steps.push(parseFilter(inner.slice(2, -1).trim()));
      else throw new TypeError(`unrecognized JSONPath segment [${inner}]`);
    } else {
      throw new TypeError(`unrecognized character in JSONPath ${text} at ${i}`);
    }
  }
  return steps;
}

function closing(text: string, open: number): number {
  let quote: string | undefined;
  for (let i = open + 1; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === ']') return i;
  }
  throw new TypeError(`unclosed [ in JSONPath ${text}`);
}

function parseFilter(expr: string): Step {
  const m = /^@((?:\.[^.\s=!<>]+)*)\s*(==|!=|<=|>=|<|>)?\s*(.*)$/s.exec(expr);
  if (!m) throw new TypeError(`unrecognized filter ${expr}`);
  const path = (m[1] ?? '').split('.').filter(Boolean);
  if (!m[2]) return { kind: 'filter', path };
  const literal = (m[3] ?? '').trim();
  let value: unknown;
  if (/^".*"$|^'.*'$/s.test(literal)) value = literal.slice(1, -1);
  else if (literal === 'true' || literal === 'false') value = literal === 'true';
  else if (literal !== '' && !Number.isNaN(Number(literal))) value = Number(literal);
  else throw new TypeError(`unrecognized filter value ${literal}`);
  return { kind: 'filter', path, op: m[2], value };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function children(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (isRecord(value)) return Object.keys(value).sort().map((k) => value[k]);
  return [];
}

function compare(left: unknown, op: string, right: unknown): boolean {
  switch (op) {
    case '==':
      return left === right;
    case '!=':
      return left !== right;
    default: {
      if (typeof left !== typeof right || (typeof left !== 'number' && typeof left !== 'string')) return false;
      const l = left as number | string;
      const r = right as number | string;
      return op === '<' ? l < r : op === '>' ? l > r : op === '<=' ? l <= r : l >= r;
    }
  }
}

function evaluate(steps: readonly Step[], start: unknown[]): unknown[] {
  let current = start;
  for (const step of steps) {
    const next: unknown[] = [];
    for (const value of current) {
      switch (step.kind) {
        case 'field':
          if (isRecord(value) && Object.hasOwn(value, step.name)) next.push(value[step.name]);
          break;
        case 'index':
          if (Array.isArray(value)) {
            const i = step.index < 0 ? value.length + step.index : step.index;
            if (i >= 0 && i < value.length) next.push(value[i]);
          }
          break;
        case 'all':
          next.push(...children(value));
          break;
        case 'filter':
          for (const item of Array.isArray(value) ? value : [value]) {
            const found = evaluate(step.path.map((name) => ({ kind: 'field', name })), [item]);
            if (!found.length) continue;
            if (!step.op || compare(found[0], step.op, step.value)) next.push(item);
          }
          break;
      }
    }
    current = next;
  }
  return current;
}
