/**
 * The Kubernetes CEL libraries of a 1.31 CRD environment (k8s.io/apiserver pkg/cel/library and
 * the cel-go extensions it enables) registered on a @marcbachmann/cel-js Environment: lists,
 * regex (find/findAll), URLs, quantity, IP, CIDR, format, sets, and the strings extension
 * functions cel-js lacks (charAt, replace, strings.quote). Namespaced functions (`sets.contains`,
 * `format.dns1123Label()`, `strings.quote`) are receiver calls on a constant of a namespace type.
 * Not in a 1.31 environment upstream and so not here: semver (1.33), ext.Math, strings.reverse
 * (strings v3), two-variable comprehensions (1.32), authorizer (admission only).
 * Owns: function semantics. Must not: know schemas or field errors.
 */
import { Optional, type Environment } from '@marcbachmann/cel-js';
import { compareQuantities, formatQuantity, parseQuantity, signOf, type Quantity } from '../validation/quantity.js';
import { isDNS1035Label, isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidLabelValue } from '../../api/names.js';
import { CelCIDR, CelIP, ipIs, parseCIDR, parseIP, parseURL, urlHostname, urlPort, urlQuery, type CelURL } from './cel-net.js';
import { checkFormat } from './formats.js';
import { compilePattern } from './node.js';

/** A resource.Quantity value in CEL. */
export class CelQuantity {
  constructor(readonly q: Quantity) {}
  toString(): string {
    return formatQuantity(this.q);
  }
}
/** A url.URL value in CEL. */
export class CelURLValue {
  constructor(readonly u: CelURL) {}
}
/** A named string format of the format library. */
export class CelFormat {
  constructor(readonly name: string, readonly check: (s: string) => string[]) {}
}
class SetsNamespace {}
class FormatNamespace {}
class StringsNamespace {}
class IPNamespace {}

/** An evaluation error carrying the library's message (shown as `<msg> evaluating rule: ...`). */
export class CelLibraryError extends Error {}

const fail = (msg: string): never => {
  throw new CelLibraryError(msg);
};

const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);

/** int64Amount.AsInt64 as resource.Quantity answers it: exact integers at scale ≥ 0 within int64. */
function quantityInt(q: Quantity): bigint | undefined {
  if (q.mantissa === 0n) return 0n;
  if (q.scale < 0) return undefined;
  const v = q.mantissa * 10n ** BigInt(q.scale);
  return v > INT64_MAX || v < INT64_MIN ? undefined : v;
}

function quantityAdd(a: Quantity, b: Quantity, sign: 1n | -1n): CelQuantity {
  const scale = Math.min(a.scale, b.scale);
  const x = a.mantissa * 10n ** BigInt(a.scale - scale);
  const y = b.mantissa * 10n ** BigInt(b.scale - scale);
  return new CelQuantity({ mantissa: x + sign * y, scale, format: a.mantissa === 0n ? b.format : a.format });
}

function toQuantity(s: string): CelQuantity {
  const q = parseQuantity(s);
  return typeof q === 'string' ? fail(q) : new CelQuantity(q);
}

/** CEL equality of two runtime values (numbers compare across int/double). */
export function celEquals(a: unknown, b: unknown): boolean {
  if ((typeof a === 'bigint' || typeof a === 'number') && (typeof b === 'bigint' || typeof b === 'number')) return Number(a) === Number(b) && (typeof a !== 'bigint' || typeof b !== 'bigint' || a === b);
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => celEquals(x, b[i]));
  if (a instanceof CelQuantity && b instanceof CelQuantity) return compareQuantities(a.q, b.q) === 0;
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const ka = Object.keys(a);
    const rb = b as Record<string, unknown>;
    return ka.length === Object.keys(b).length && ka.every((k) => k in rb && celEquals((a as Record<string, unknown>)[k], rb[k]));
  }
  return a === b;
}

const contains = (l: unknown[], x: unknown): boolean => l.some((y) => celEquals(x, y));

function regex(re: string, global = true): RegExp {
  const c = compilePattern(re);
  if (typeof c === 'string') return fail(`invalid regular expression: ${c}`);
  return global ? new RegExp(c.source, `${c.flags}g`) : c;
}

/** The quote of cel-go's strings extension: a double-quoted string with escapes. */
function quote(s: string): string {
  const esc: Record<string, string> = { '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v', '\\': '\\\\', '"': '\\"' };
  return `"${[...s].map((c) => esc[c] ?? c).join('')}"`;
}

function prefixed(check: (s: string) => string[]): (s: string, prefix: boolean) => string[] {
  return (s, prefix) => check(prefix && s.length > 1 && s.endsWith('-') ? `${s.slice(0, -2)}a` : s);
}

const formatCheck = (name: string, text: string) => (s: string): string[] => (checkFormat(name, s) ? [] : [text]);

/** format.<name>() of the format library (format.go ConstantFormats). */
export const FORMATS: Readonly<Record<string, CelFormat>> = Object.fromEntries(
  ([
    ['dns1123Label', 'DNS1123Label', (s: string) => prefixed(isDNS1123Label)(s, false)],
    ['dns1123Subdomain', 'DNS1123Subdomain', (s: string) => prefixed(isDNS1123Subdomain)(s, false)],
    ['dns1035Label', 'DNS1035Label', (s: string) => prefixed(isDNS1035Label)(s, false)],
    ['qualifiedName', 'QualifiedName', isQualifiedName],
    ['dns1123LabelPrefix', 'DNS1123LabelPrefix', (s: string) => prefixed(isDNS1123Label)(s, true)],
    ['dns1123SubdomainPrefix', 'DNS1123SubdomainPrefix', (s: string) => prefixed(isDNS1123Subdomain)(s, true)],
    ['dns1035LabelPrefix', 'DNS1035LabelPrefix', (s: string) => prefixed(isDNS1035Label)(s, true)],
    ['labelValue', 'LabelValue', isValidLabelValue],
    ['uri', 'URI', (s: string) => {
      const u = parseURL(s);
      return typeof u === 'string' ? [u.replace(/^URL parse error during conversion from string: /, '')] : [];
    }],
    ['uuid', 'uuid', formatCheck('uuid', 'does not match the UUID format')],
    ['byte', 'byte', formatCheck('byte', 'invalid base64')],
    ['date', 'date', formatCheck('date', 'invalid date')],
    ['datetime', 'datetime', formatCheck('datetime', 'invalid datetime')],
  ] as const).map(([key, name, check]) => [key, new CelFormat(name, check)]),
);

const asIP = (s: string): CelIP => {
  const ip = parseIP(s);
  return typeof ip === 'string' ? fail(ip) : ip;
};
const asCIDR = (s: string): CelCIDR => {
  const c = parseCIDR(s);
  return typeof c === 'string' ? fail(c) : c;
};

/** Registers every library function on `env` (returns it for chaining). */
export function registerKubernetesLibraries(env: Environment): Environment {
  // lists (library/lists.go) and the strings extension functions cel-js lacks
  env
    .registerFunction('string.replace(string, string): string', (s: string, a: string, b: string) => s.split(a).join(b))
    .registerFunction('string.replace(string, string, int): string', (s: string, a: string, b: string, n: bigint) => {
      if (n < 0n) return s.split(a).join(b);
      const parts = s.split(a);
      const k = Math.min(Number(n), parts.length - 1);
      return parts.slice(0, k + 1).join(b) + (k + 1 < parts.length ? a + parts.slice(k + 1).join(a) : '');
    })
    .registerFunction('string.charAt(int): string', (s: string, i: bigint) => {
      const cps = [...s];
      return i < 0n || i > BigInt(cps.length) ? fail(`index out of range: ${i}`) : (cps[Number(i)] ?? '');
    })
    .registerType('StringsNamespace', StringsNamespace)
    .registerConstant('strings', 'StringsNamespace', new StringsNamespace())
    .registerFunction('StringsNamespace.quote(string): string', (_: unknown, s: string) => quote(s))
    .registerFunction('list.isSorted(): bool', (l: unknown[]) => l.every((v, i) => i === 0 || (l[i - 1] as number) <= (v as number)))
    .registerFunction('list.sum(): dyn', (l: unknown[]) => (l as number[]).reduce((a, b) => a + b, typeof l[0] === 'number' ? 0 : (0n as unknown as number)))
    .registerFunction('list.min(): dyn', (l: unknown[]) => (l.length ? (l as number[]).reduce((a, b) => (b < a ? b : a)) : fail('min called on empty list')))
    .registerFunction('list.max(): dyn', (l: unknown[]) => (l.length ? (l as number[]).reduce((a, b) => (b > a ? b : a)) : fail('max called on empty list')))
    .registerFunction('list.indexOf(dyn): int', (l: unknown[], v: unknown) => BigInt(l.findIndex((x) => celEquals(x, v))))
    .registerFunction('list.lastIndexOf(dyn): int', (l: unknown[], v: unknown) => {
      for (let i = l.length - 1; i >= 0; i--) if (celEquals(l[i], v)) return BigInt(i);
      return -1n;
    });
  // regex (library/regex.go); `matches` is renamed to matchGo by cel.ts so that it runs as Go regexp
  env
    .registerFunction('string.matchGo(string): bool', (s: string, re: string) => regex(re, false).test(s))
    .registerFunction('matchGo(string, string): bool', (s: string, re: string) => regex(re, false).test(s))
    .registerFunction('string.find(string): string', (s: string, re: string) => regex(re).exec(s)?.[0] ?? '')
    .registerFunction('string.findAll(string): list<string>', (s: string, re: string) => [...s.matchAll(regex(re))].map((m) => m[0]))
    .registerFunction('string.findAll(string, int): list<string>', (s: string, re: string, n: bigint) => {
      const all = [...s.matchAll(regex(re))].map((m) => m[0]);
      return n < 0n ? all : all.slice(0, Number(n));
    });
  // sets (cel-go ext.Sets)
  env
    .registerType('SetsNamespace', SetsNamespace)
    .registerConstant('sets', 'SetsNamespace', new SetsNamespace())
    .registerFunction('SetsNamespace.contains(list, list): bool', (_: unknown, a: unknown[], b: unknown[]) => b.every((x) => contains(a, x)))
    .registerFunction('SetsNamespace.equivalent(list, list): bool', (_: unknown, a: unknown[], b: unknown[]) => b.every((x) => contains(a, x)) && a.every((x) => contains(b, x)))
    .registerFunction('SetsNamespace.intersects(list, list): bool', (_: unknown, a: unknown[], b: unknown[]) => b.some((x) => contains(a, x)));
  // quantity (library/quantity.go)
  env
    .registerType('Quantity', CelQuantity)
    .registerFunction('quantity(string): Quantity', toQuantity)
    .registerFunction('isQuantity(string): bool', (s: string) => typeof parseQuantity(s) !== 'string')
    .registerFunction('Quantity.sign(): int', (a: CelQuantity) => BigInt(signOf(a.q)))
    .registerFunction('Quantity.isGreaterThan(Quantity): bool', (a: CelQuantity, b: CelQuantity) => compareQuantities(a.q, b.q) > 0)
    .registerFunction('Quantity.isLessThan(Quantity): bool', (a: CelQuantity, b: CelQuantity) => compareQuantities(a.q, b.q) < 0)
    .registerFunction('Quantity.compareTo(Quantity): int', (a: CelQuantity, b: CelQuantity) => BigInt(compareQuantities(a.q, b.q)))
    .registerFunction('Quantity.asApproximateFloat(): double', (a: CelQuantity) => Number(a.q.mantissa) * 10 ** a.q.scale)
    .registerFunction('Quantity.asInteger(): int', (a: CelQuantity) => quantityInt(a.q) ?? fail('cannot convert value to integer'))
    .registerFunction('Quantity.isInteger(): bool', (a: CelQuantity) => quantityInt(a.q) !== undefined)
    .registerFunction('Quantity.add(Quantity): Quantity', (a: CelQuantity, b: CelQuantity) => quantityAdd(a.q, b.q, 1n))
    .registerFunction('Quantity.add(int): Quantity', (a: CelQuantity, b: bigint) => quantityAdd(a.q, { mantissa: b, scale: 0, format: a.q.format }, 1n))
    .registerFunction('Quantity.sub(Quantity): Quantity', (a: CelQuantity, b: CelQuantity) => quantityAdd(a.q, b.q, -1n))
    .registerFunction('Quantity.sub(int): Quantity', (a: CelQuantity, b: bigint) => quantityAdd(a.q, { mantissa: b, scale: 0, format: a.q.format }, -1n))
    .registerOperator('Quantity == Quantity', (a: CelQuantity, b: CelQuantity) => compareQuantities(a.q, b.q) === 0);
  // URLs (library/urls.go)
  env
    .registerType('URL', CelURLValue)
    .registerFunction('url(string): URL', (s: string) => {
      const u = parseURL(s);
      return typeof u === 'string' ? fail(u) : new CelURLValue(u);
    })
    .registerFunction('isURL(string): bool', (s: string) => typeof parseURL(s) !== 'string')
    .registerFunction('URL.getScheme(): string', (u: CelURLValue) => u.u.scheme)
    .registerFunction('URL.getHost(): string', (u: CelURLValue) => u.u.host)
    .registerFunction('URL.getHostname(): string', (u: CelURLValue) => urlHostname(u.u))
    .registerFunction('URL.getPort(): string', (u: CelURLValue) => urlPort(u.u))
    .registerFunction('URL.getEscapedPath(): string', (u: CelURLValue) => u.u.path)
    .registerFunction('URL.getQuery(): map<string, list<string>>', (u: CelURLValue) => urlQuery(u.u));
  // IP and CIDR (library/ip.go, cidr.go)
  env
    .registerType('net.IP', CelIP)
    .registerType('net.CIDR', CelCIDR)
    .registerFunction('ip(string): net.IP', asIP)
    .registerFunction('isIP(string): bool', (s: string) => typeof parseIP(s) !== 'string')
    .registerType('IPNamespace', IPNamespace)
    .registerConstant('ip', 'IPNamespace', new IPNamespace())
    .registerFunction('IPNamespace.isCanonical(string): bool', (_: unknown, s: string) => asIP(s).toString() === s)
    .registerFunction('string(net.IP): string', (ip: CelIP) => ip.toString())
    .registerFunction('net.IP.family(): int', (ip: CelIP) => BigInt(ip.family))
    .registerFunction('net.IP.isUnspecified(): bool', (ip: CelIP) => ipIs.unspecified(ip))
    .registerFunction('net.IP.isLoopback(): bool', (ip: CelIP) => ipIs.loopback(ip))
    .registerFunction('net.IP.isLinkLocalMulticast(): bool', (ip: CelIP) => ipIs.linkLocalMulticast(ip))
    .registerFunction('net.IP.isLinkLocalUnicast(): bool', (ip: CelIP) => ipIs.linkLocalUnicast(ip))
    .registerFunction('net.IP.isGlobalUnicast(): bool', (ip: CelIP) => ipIs.globalUnicast(ip))
    .registerOperator('net.IP == net.IP', (a: CelIP, b: CelIP) => a.toString() === b.toString())
    .registerFunction('cidr(string): net.CIDR', asCIDR)
    .registerFunction('isCIDR(string): bool', (s: string) => typeof parseCIDR(s) !== 'string')
    .registerFunction('string(net.CIDR): string', (c: CelCIDR) => c.toString())
    .registerFunction('net.CIDR.containsIP(string): bool', (c: CelCIDR, s: string) => c.contains(asIP(s)))
    .registerFunction('net.CIDR.containsIP(net.IP): bool', (c: CelCIDR, ip: CelIP) => c.contains(ip))
    .registerFunction('net.CIDR.containsCIDR(string): bool', (c: CelCIDR, s: string) => cidrContains(c, asCIDR(s)))
    .registerFunction('net.CIDR.containsCIDR(net.CIDR): bool', (c: CelCIDR, o: CelCIDR) => cidrContains(c, o))
    .registerFunction('net.CIDR.ip(): net.IP', (c: CelCIDR) => c.ip)
    .registerFunction('net.CIDR.masked(): net.CIDR', (c: CelCIDR) => c.masked())
    .registerFunction('net.CIDR.prefixLength(): int', (c: CelCIDR) => BigInt(c.bits))
    .registerOperator('net.CIDR == net.CIDR', (a: CelCIDR, b: CelCIDR) => a.toString() === b.toString());
  // format (library/format.go)
  env
    .registerType('kubernetes.NamedFormat', CelFormat)
    .registerType('FormatNamespace', FormatNamespace)
    .registerConstant('format', 'FormatNamespace', new FormatNamespace())
    .registerFunction('FormatNamespace.named(string): optional<kubernetes.NamedFormat>', (_: unknown, n: string) => (Object.hasOwn(FORMATS, n) ? Optional.of(FORMATS[n]) : Optional.none()))
    .registerFunction('kubernetes.NamedFormat.validate(string): optional<list<string>>', (f: CelFormat, s: string) => {
      const errs = f.check(s);
      return errs.length ? Optional.of(errs) : Optional.none();
    });
  for (const [name, f] of Object.entries(FORMATS)) env.registerFunction(`FormatNamespace.${name}(): kubernetes.NamedFormat`, () => f);
  return env;
}

function cidrContains(c: CelCIDR, o: CelCIDR): boolean {
  return o.ip.family === c.ip.family && c.contains(o.ip) && c.bits <= o.bits;
}
