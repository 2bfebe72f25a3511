/**
 * JSON values as structured-merge-diff sees them (its `value` package): the type order used to
 * sort set members and list-map keys, deep equality, Go's rendering of values in field paths
 * (`%q`, `%v`) and Go's JSON encoding of the values inside `k:` and `v:` FieldsV1 keys
 * (sorted map keys, `<`, `>`, `&`, U+2028 and U+2029 escaped).
 * Owns: comparisons and renderings of plain JSON values. Must not: know schemas or Kubernetes kinds.
 */

/** A JSON value as decoded by JSON.parse. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** A JSON object. */
export type JsonMap = { [key: string]: JsonValue };

/** True for a JSON object (not null, not an array). */
export function isMap(value: unknown): value is JsonMap {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** True for a string, number or boolean. */
export function isScalar(value: unknown): value is string | number | boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

/** Compares strings by code point, as Go compares UTF-8 bytes. */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i) as number;
    const y = b.codePointAt(i) as number;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++;
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

/** Rank of a value's type in value.Compare: numbers, strings, booleans, lists, maps, null. */
function rank(v: unknown): number {
  if (typeof v === 'number') return 0;
  if (typeof v === 'string') return 1;
  if (typeof v === 'boolean') return 2;
  if (Array.isArray(v)) return 3;
  if (isMap(v)) return 4;
  if (v === null) return 5;
  return 6;
}

/** value.Compare: a total order over JSON values (-1, 0, 1). */
export function compareValues(a: unknown, b: unknown): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  switch (ra) {
    case 0:
      return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
    case 1:
      return compareStrings(a as string, b as string);
    case 2:
      return a === b ? 0 : a === false ? -1 : 1;
    case 3: {
      const x = a as unknown[];
      const y = b as unknown[];
      for (let i = 0; ; i++) {
        if (i >= x.length && i >= y.length) return 0;
        if (i >= x.length) return -1;
        if (i >= y.length) return 1;
        const c = compareValues(x[i], y[i]);
        if (c !== 0) return c;
      }
    }
    case 4:
      return compareMaps(a as JsonMap, b as JsonMap);
    default:
      return 0;
  }
}

/** value.MapCompare: walks the sorted union of keys as Go's MapZip does. */
function compareMaps(a: JsonMap, b: JsonMap): number {
  const la = Object.keys(a).length;
  const lb = Object.keys(b).length;
  if (la === 0 && lb === 0) return 0;
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort(compareStrings);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    let c: number;
    if (i === la) c = -1;
    else if (i === lb) c = 1;
    else if (!(key in a)) c = 1;
    else if (!(key in b)) c = -1;
    else c = compareValues(a[key], b[key]);
    if (c !== 0) return c;
  }
  return 0;
}

/** value.Equals: deep equality, numbers compared numerically, map key order ignored. */
export function valuesEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => valuesEqual(item, b[i]));
  }
  if (isMap(a)) {
    if (!isMap(b)) return false;
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    return keys.every((k) => k in b && valuesEqual(a[k], b[k]));
  }
  return false;
}

const HEX = '0123456789abcdef';

/** A string as Go's JSON encoders write it with HTML escaping on. */
export function goJsonString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0) as number;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || ch === '<' || ch === '>' || ch === '&')
      out += `\\u00${HEX[c >> 4]}${HEX[c & 15]}`;
    else if (c === 0x2028 || c === 0x2029) out += `\\u${c.toString(16)}`;
    else out += ch;
  }
  return `${out}"`;
}

/** Go's JSON encoding of an unstructured value: map keys sorted, HTML characters escaped. */
export function goJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return goJsonString(value);
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null';
  if (typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map(goJson).join(',')}]`;
  const map = value as JsonMap;
  const keys = Object.keys(map).sort(compareStrings);
  return `{${keys.map((k) => `${goJsonString(k)}:${goJson(map[k])}`).join(',')}}`;
}

const NAMED_ESCAPES: Record<string, string> = {
  '\x07': '\\a',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\v',
};

/** Go's `%q` of a string (strconv.Quote): printable runes kept, others escaped. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0) as number;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (NAMED_ESCAPES[ch]) out += NAMED_ESCAPES[ch];
    else if (c < 0x20 || c === 0x7f) out += `\\x${HEX[c >> 4]}${HEX[c & 15]}`;
    else if ((c >= 0x80 && c < 0xa0) || c === 0xad || c === 0x2028 || c === 0x2029 || c === 0xfeff)
      out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/** value.ToString: how a value prints inside a field path (`"nginx"`, `80`, `true`). */
export function valueString(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return goQuote(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map(valueString).join(',')}]`;
  return Object.entries(value as JsonMap)
    .map(([k, v]) => `${k}=${valueString(v)}`)
    .join('');
}
