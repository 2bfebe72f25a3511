/**
 * The errors of Go's `time.Parse` for the two layouts metav1 decodes (Time: RFC 3339,
 * MicroTime: RFC 3339 with six fractional digits), worded as Go words them, so that a bad
 * timestamp in a body gets kube-apiserver's 400 text:
 *
 *   parsing time "2024-13-01T00:00:00Z": month out of range
 *   parsing time "yesterday" as "2006-01-02T15:04:05Z07:00": cannot parse "yesterday" as "2006"
 *
 * The layout is walked chunk by chunk as Go's parse does: a literal prefix, then one element.
 * Owns: that wording. Must not: build dates (callers only need the verdict).
 */

/** time.RFC3339, metav1.Time's layout. */
export const RFC3339 = '2006-01-02T15:04:05Z07:00';
/** metav1.RFC3339Micro, metav1.MicroTime's layout. */
export const RFC3339_MICRO = '2006-01-02T15:04:05.000000Z07:00';

type Element = 'year' | 'month' | 'day' | 'hour' | 'minute' | 'second' | 'micro' | 'zone';

/** [literal prefix, element text, element] of each layout, in order. */
const CHUNKS: Readonly<Record<string, readonly (readonly [string, string, Element])[]>> = {
  [RFC3339]: [
    ['', '2006', 'year'], ['-', '01', 'month'], ['-', '02', 'day'], ['T', '15', 'hour'],
    [':', '04', 'minute'], [':', '05', 'second'], ['', 'Z07:00', 'zone'],
  ],
  [RFC3339_MICRO]: [
    ['', '2006', 'year'], ['-', '01', 'month'], ['-', '02', 'day'], ['T', '15', 'hour'],
    [':', '04', 'minute'], [':', '05', 'second'], ['', '.000000', 'micro'], ['', 'Z07:00', 'zone'],
  ],
};

class Bad extends Error {}

/** Go's time.quote: ASCII as is (quotes and backslashes escaped), other bytes as \xNN. */
function quote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    if (code >= 0x80 || code < 0x20) {
      for (const byte of Buffer.from(ch)) out += `\\x${byte.toString(16).padStart(2, '0')}`;
    } else out += ch === '"' || ch === '\\' ? `\\${ch}` : ch;
  }
  return `${out}"`;
}

const digit = (s: string, i: number): boolean => i < s.length && s[i]! >= '0' && s[i]! <= '9';

/** getnum: one or two digits (exactly two when `fixed`). */
function getnum(s: string, fixed: boolean): [number, string] {
  if (!digit(s, 0)) throw new Bad();
  if (!digit(s, 1)) {
    if (fixed) throw new Bad();
    return [Number(s[0]), s.slice(1)];
  }
  return [Number(s.slice(0, 2)), s.slice(2)];
}

function daysIn(month: number, year: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Parses one element off `value`; returns the rest and an out-of-range name, if any. */
function element(kind: Element, value: string, layout: string, date: { year: number; month: number; day: number }): [string, string] {
  switch (kind) {
    case 'year': {
      if (value.length < 4 || !/^\d{4}/.test(value)) throw new Bad();
      date.year = Number(value.slice(0, 4));
      return [value.slice(4), ''];
    }
    case 'month': {
      const [month, rest] = getnum(value, true);
      date.month = month;
      return [rest, month <= 0 || month > 12 ? 'month' : ''];
    }
    case 'day': {
      const [day, rest] = getnum(value, true);
      date.day = day;
      return [rest, ''];
    }
    case 'hour': {
      const [hour, rest] = getnum(value, false);
      return [rest, hour >= 24 ? 'hour' : ''];
    }
    case 'minute': {
      const [minute, rest] = getnum(value, true);
      return [rest, minute >= 60 ? 'minute' : ''];
    }
    case 'second': {
      const [second, rest] = getnum(value, true);
      if (second >= 60) return [rest, 'second'];
      // A fraction the layout does not name is accepted (and the layout's own fraction parsed later).
      if (layout === RFC3339 && rest.length >= 2 && (rest[0] === '.' || rest[0] === ',') && digit(rest, 1)) {
        let n = 2;
        while (digit(rest, n)) n++;
        return [rest.slice(n), ''];
      }
      return [rest, ''];
    }
    case 'micro': {
      if (value.length < 7 || value[0] !== '.' || !/^\.\d{6}/.test(value)) throw new Bad();
      return [value.slice(7), ''];
    }
    case 'zone': {
      if (value[0] === 'Z') return [value.slice(1), ''];
      if (value.length < 6 || value[3] !== ':') throw new Bad();
      const [hours] = getnum(value.slice(1, 3), true);
      const [minutes] = getnum(value.slice(4, 6), true);
      if (value[0] !== '+' && value[0] !== '-') throw new Bad();
      return [value.slice(6), hours > 24 ? 'time zone offset hour' : minutes > 60 ? 'time zone offset minute' : ''];
    }
  }
}

/** Go's error for `time.Parse(layout, value)`, or undefined when it parses. */
export function goTimeParseError(layout: string, value: string): string | undefined {
  const chunks = CHUNKS[layout];
  if (!chunks) throw new TypeError(`unsupported layout ${layout}`);
  const head = `parsing time ${quote(value)}`;
  const cannot = (valueElem: string, layoutElem: string): string =>
    `${head} as ${quote(layout)}: cannot parse ${quote(valueElem)} as ${quote(layoutElem)}`;
  const date = { year: 0, month: 0, day: 0 };
  let rest = value;
  for (const [prefix, text, kind] of chunks) {
    for (const ch of prefix) {
      if (rest[0] !== ch) return cannot(rest, prefix);
      rest = rest.slice(1);
    }
    const hold = rest;
    try {
      const [next, range] = element(kind, rest, layout, date);
      if (range) return `${head}: ${range} out of range`;
      rest = next;
    } catch (err) {
      if (err instanceof Bad) return cannot(hold, text);
      throw err;
    }
  }
  if (rest.length) return `${head}: extra text: ${quote(rest)}`;
  if (date.day < 1 || date.day > daysIn(date.month, date.year)) return `${head}: day out of range`;
  return undefined;
}
