/**
 * resource.Quantity as apimachinery parses, compares and prints it: the scanner of
 * ParseQuantity with its three errors, exact values (BigInt mantissa and a power of ten,
 * rounded up to nano units), and the canonical String() ("0.5" → "500m", "1024Mi" → "1Gi").
 *
 * Worked example: "1.5Gi" → digits 15, denominator 1 → 15 × 10^-1 × 2^30 = 1610612736 (scale 0),
 * BinarySI; canonical: divisible by 1024 twice → "1536Mi".
 * Owns: quantity syntax, value and canonical form. Must not: know fields or kinds.
 */

/** The three suffix families; the canonical form keeps the family the input used. */
export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

/** An exact quantity: `mantissa × 10^scale`, scale ≥ -9. */
export interface Quantity {
  readonly mantissa: bigint;
  readonly scale: number;
  readonly format: QuantityFormat;
}

/** apimachinery's ErrFormatWrong. */
export const QUANTITY_FORMAT_ERROR = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
/** apimachinery's ErrSuffix. */
export const QUANTITY_SUFFIX_ERROR = "unable to parse quantity's suffix";

const DECIMAL_SUFFIXES: Readonly<Record<string, number>> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_SUFFIXES: Readonly<Record<string, number>> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const SUFFIX_CHARS = 'eEinumkKMGTP';
const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';

interface Scanned {
  positive: boolean;
  num: string;
  denom: string;
  suffix: string;
}

/** parseQuantityString: sign, digits, optional fraction, suffix; ErrFormatWrong on leftovers. */
function scan(str: string): Scanned | string {
  let pos = 0;
  const end = str.length;
  let positive = true;
  if (str[0] === '-') {
    positive = false;
    pos++;
  } else if (str[0] === '+') pos++;
  while (pos < end && str[pos] === '0') pos++;
  if (pos >= end) return { positive, num: '0', denom: '', suffix: '' };
  let i = pos;
  while (i < end && isDigit(str[i])) i++;
  const num = str.slice(pos, i) || '0';
  pos = i;
  let denom = '';
  if (str[pos] === '.') {
    i = ++pos;
    while (i < end && isDigit(str[i])) i++;
    denom = str.slice(pos, i);
    pos = i;
  }
  const suffixStart = pos;
  while (pos < end && SUFFIX_CHARS.includes(str[pos]!)) pos++;
  if (pos < end && (str[pos] === '-' || str[pos] === '+')) pos++;
  while (pos < end && isDigit(str[pos])) pos++;
  if (pos < end) return QUANTITY_FORMAT_ERROR;
  return { positive, num, denom, suffix: str.slice(suffixStart) };
}

/** The base-10 or base-2 exponent and format of a suffix; undefined when unknown. */
function interpret(suffix: string): { base: 10 | 2; exponent: number; format: QuantityFormat } | undefined {
  if (Object.hasOwn(DECIMAL_SUFFIXES, suffix)) return { base: 10, exponent: DECIMAL_SUFFIXES[suffix]!, format: 'DecimalSI' };
  if (Object.hasOwn(BINARY_SUFFIXES, suffix)) return { base: 2, exponent: BINARY_SUFFIXES[suffix]!, format: 'BinarySI' };
  if (suffix.length > 1 && (suffix[0] === 'e' || suffix[0] === 'E') && /^[+-]?\d+$/.test(suffix.slice(1))) {
    return { base: 10, exponent: Number(suffix.slice(1)), format: 'DecimalExponent' };
  }
  return undefined;
}

/** ParseQuantity: the quantity, or upstream's error text. Leading/trailing space is not trimmed here. */
export function parseQuantity(str: string): Quantity | string {
  if (str.length === 0) return QUANTITY_FORMAT_ERROR;
  if (str === '0') return { mantissa: 0n, scale: 0, format: 'DecimalSI' };
  const scanned = scan(str);
  if (typeof scanned === 'string') return scanned;
  const suffix = interpret(scanned.suffix);
  if (!suffix) return QUANTITY_SUFFIX_ERROR;
  let mantissa = BigInt(scanned.num + scanned.denom);
  let scale = -scanned.denom.length;
  if (suffix.base === 10) scale += suffix.exponent;
  else mantissa *= 2n ** BigInt(suffix.exponent);
  if (!scanned.positive) mantissa = -mantissa;
  if (scale < -9) {
    // Round away from zero to nano units, as inf.RoundUp does.
    const divisor = 10n ** BigInt(-9 - scale);
    const rounded = mantissa / divisor;
    mantissa = rounded * divisor === mantissa ? rounded : rounded + (mantissa < 0n ? -1n : 1n);
    scale = -9;
  }
  return { mantissa, scale, format: suffix.format };
}

/** The error Quantity.UnmarshalJSON returns for a decoded JSON value, undefined when it parses. */
export function quantityJsonError(value: unknown): string | undefined {
  if (value === null || typeof value === 'number') return undefined;
  if (typeof value !== 'string') return QUANTITY_FORMAT_ERROR;
  const parsed = parseQuantity(value.trim());
  return typeof parsed === 'string' ? parsed : undefined;
}

/** Brings both quantities to one scale. */
function aligned(a: Quantity, b: Quantity): [bigint, bigint] {
  const scale = Math.min(a.scale, b.scale);
  return [a.mantissa * 10n ** BigInt(a.scale - scale), b.mantissa * 10n ** BigInt(b.scale - scale)];
}

/** Quantity.Cmp: -1, 0 or 1. */
export function compareQuantities(a: Quantity, b: Quantity): number {
  const [x, y] = aligned(a, b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The sign of a quantity: -1, 0 or 1. */
export function signOf(q: Quantity): number {
  return q.mantissa < 0n ? -1 : q.mantissa > 0n ? 1 : 0;
}

const DECIMAL_BY_EXPONENT = new Map(Object.entries(DECIMAL_SUFFIXES).map(([s, e]) => [e, s]));
const BINARY_BY_EXPONENT = new Map(Object.entries(BINARY_SUFFIXES).map(([s, e]) => [e, s]));

/** Quantity.String(): the canonical form. */
export function formatQuantity(q: Quantity): string {
  if (q.mantissa === 0n) return '0';
  let format = q.format;
  if (format === 'BinarySI') {
    const integral = q.scale >= 0 || q.mantissa % 10n ** BigInt(-q.scale) === 0n;
    const whole = q.scale >= 0 ? q.mantissa * 10n ** BigInt(q.scale) : q.mantissa / 10n ** BigInt(-q.scale);
    if (!integral || (whole > -1024n && whole < 1024n)) format = 'DecimalSI';
    else {
      let amount = whole;
      let exponent = 0;
      while (amount % 1024n === 0n && exponent < 60) {
        amount /= 1024n;
        exponent += 10;
      }
      return `${amount}${BINARY_BY_EXPONENT.get(exponent) ?? ''}`;
    }
  }
  let amount = q.mantissa;
  let exponent = q.scale;
  while (amount % 10n === 0n) {
    amount /= 10n;
    exponent++;
  }
  const rest = exponent % 3;
  if (rest === 1 || rest === -2) {
    amount *= 10n;
    exponent -= 1;
  } else if (rest === 2 || rest === -1) {
    amount *= 100n;
    exponent -= 2;
  }
  if (format === 'DecimalExponent') return exponent === 0 ? `${amount}` : `${amount}e${exponent}`;
  return `${amount}${DECIMAL_BY_EXPONENT.get(exponent) ?? ''}`;
}
