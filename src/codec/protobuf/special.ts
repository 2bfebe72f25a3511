/**
 * JSON forms of the messages Go marshals with custom code: Time, MicroTime, Duration, Quantity,
 * IntOrString, RawExtension/FieldsV1 and named slices (see SpecialJson in table.ts).
 * Each converter takes the message decoded generically (bytes as Buffers) and returns its JSON
 * value and whether that value is the Go zero value (which omitempty drops), or `undefined`
 * when Go would write `null` (a zero Time, an empty RawExtension).
 * Owns: those renderings, worded as Go's encoders. Must not: read the wire.
 */
import { goJsonSyntaxError } from '../../api/go-json-error.js';
import type { SpecialJson } from './table.js';
import { ProtoError } from './wire.js';

/** A special message's JSON value; `value` undefined means Go's `null` (the field is omitted). */
export interface SpecialValue {
  value: unknown;
  zero: boolean;
}

/** Unix seconds of Go's zero time.Time (0001-01-01T00:00:00Z). */
const GO_ZERO_TIME_SECONDS = -62135596800;

const num = (v: unknown): number => (typeof v === 'number' ? v : 0);

/** Normalizes seconds/nanos as time.Unix does (nanos into [0, 1e9)). */
function normalize(seconds: number, nanos: number): [number, number] {
  const carry = Math.floor(nanos / 1e9);
  return [seconds + carry, nanos - carry * 1e9];
}

/** RFC 3339 in UTC with `digits` fractional digits (0: time.RFC3339, 6: RFC3339Micro). */
export function formatGoTime(seconds: number, nanos: number, digits: 0 | 6): string {
  const [s, n] = normalize(seconds, nanos);
  const date = new Date(s * 1000);
  const year = date.getUTCFullYear();
  if (!Number.isFinite(year) || year < 0 || year > 9999) throw new ProtoError('Time.MarshalJSON: year outside of range [0,9999]');
  const pad = (v: number, width = 2): string => String(v).padStart(width, '0');
  const frac = digits ? `.${pad(Math.floor(n / 1000), 6)}` : '';
  return `${pad(year, 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}T${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}${frac}Z`;
}

/** Go's fmtFrac: `.` plus the fraction of v/10^prec without trailing zeros; returns [text, v/10^prec]. */
function fmtFrac(v: bigint, prec: number): [string, bigint] {
  let digits = '';
  let print = false;
  for (let i = 0; i < prec; i++) {
    const digit = v % 10n;
    print ||= digit !== 0n;
    if (print) digits = `${digit}${digits}`;
    v /= 10n;
  }
  return [print ? `.${digits}` : '', v];
}

/** time.Duration.String(): `1h0m0s`, `1.5s`, `300ms`, `0s`. */
export function formatGoDuration(nanoseconds: number): string {
  let u = BigInt(Math.trunc(nanoseconds));
  const neg = u < 0n;
  if (neg) u = -u;
  let out: string;
  if (u < 1_000_000_000n) {
    if (u === 0n) return '0s';
    const [prec, unit] = u < 1000n ? [0, 'ns'] : u < 1_000_000n ? [3, 'µs'] : [6, 'ms'];
    const [frac, whole] = fmtFrac(u, prec);
    out = `${whole}${frac}${unit}`;
  } else {
    const [frac, secondsTotal] = fmtFrac(u, 9);
    out = `${secondsTotal % 60n}${frac}s`;
    const minutes = secondsTotal / 60n;
    if (minutes > 0n) {
      out = `${minutes % 60n}m${out}`;
      const hours = minutes / 60n;
      if (hours > 0n) out = `${hours}h${out}`;
    }
  }
  return neg ? `-${out}` : out;
}

const QUANTITY = /^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$/;

/** JSON of raw bytes that hold JSON (RawExtension, FieldsV1); Go writes them verbatim. */
function rawJson(raw: unknown, goType: string): SpecialValue {
  if (!(raw instanceof Buffer) || raw.length === 0) return { value: undefined, zero: true };
  try {
    return { value: JSON.parse(raw.toString('utf8')), zero: false };
  } catch {
    throw new ProtoError(`json: error calling MarshalJSON for type ${goType}: ${goJsonSyntaxError(raw) ?? 'invalid JSON'}`);
  }
}

/**
 * The JSON value of a special message from its generically decoded fields; `empty` when the
 * message had no bytes at all (Go's Time.Unmarshal reads that as the zero time, not 1970).
 */
export function specialJson(json: SpecialJson, message: Record<string, unknown>, goName: string, empty = false): SpecialValue {
  switch (json) {
    case 'time':
    case 'microtime': {
      if (empty) return { value: undefined, zero: true };
      const [seconds, nanos] = normalize(num(message.seconds), num(message.nanos));
      if (seconds === GO_ZERO_TIME_SECONDS && nanos === 0) return { value: undefined, zero: true };
      return { value: formatGoTime(seconds, nanos, json === 'time' ? 0 : 6), zero: false };
    }
    case 'duration': {
      const ns = num(message.duration);
      return { value: formatGoDuration(ns), zero: ns === 0 };
    }
    case 'quantity': {
      const text = typeof message.string === 'string' ? message.string : '';
      if (text === '') return { value: '0', zero: true };
      if (!QUANTITY.test(text)) throw new ProtoError(`quantities must match the regular expression '${QUANTITY.source}'`);
      return { value: text, zero: false };
    }
    case 'intorstring': {
      const type = num(message.type);
      if (type !== 0 && type !== 1) throw new ProtoError('json: error calling MarshalJSON for type intstr.IntOrString: impossible IntOrString.Type');
      if (type === 1) return { value: typeof message.strVal === 'string' ? message.strVal : '', zero: false };
      const value = num(message.intVal);
      return { value, zero: type === 0 && value === 0 };
    }
    case 'rawjson':
      return rawJson(message.raw ?? message.Raw, `*${goName === 'FieldsV1' ? 'v1' : 'runtime'}.${goName}`);
    case 'list': {
      const items = Array.isArray(message.items) ? message.items : [];
      return { value: items, zero: items.length === 0 };
    }
  }
}
