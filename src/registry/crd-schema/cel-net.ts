/**
 * IP addresses, CIDR prefixes and URLs for the Kubernetes CEL libraries (k8s.io/apiserver
 * pkg/cel/library ip.go, cidr.go, urls.go), parsed as Go's net/netip and net/url do for the
 * inputs those libraries accept: dotted IPv4 without leading zeros, IPv6 with `::` compression,
 * zones and IPv4-mapped IPv6 rejected; absolute URLs or absolute paths.
 * Owns: parsing, canonical printing and predicates. Must not: know CEL.
 */

/** An IP address as 4 or 16 bytes. */
export class CelIP {
  constructor(readonly bytes: Uint8Array) {}
  /** 4 or 6. */
  get family(): number {
    return this.bytes.length === 4 ? 4 : 6;
  }
  /** netip.Addr.String(). */
  toString(): string {
    return formatIP(this.bytes);
  }
}

/** A network prefix (address as written, not masked) and its length. */
export class CelCIDR {
  constructor(readonly ip: CelIP, readonly bits: number) {}
  /** The prefix with host bits cleared. */
  masked(): CelCIDR {
    const b = Uint8Array.from(this.ip.bytes);
    for (let i = 0; i < b.length; i++) {
      const keep = Math.max(0, Math.min(8, this.bits - i * 8));
      b[i]! &= (0xff << (8 - keep)) & 0xff;
    }
    return new CelCIDR(new CelIP(b), this.bits);
  }
  /** Whether `ip` lies inside the prefix (families must match). */
  contains(ip: CelIP): boolean {
    if (ip.bytes.length !== this.ip.bytes.length) return false;
    const m = this.masked().ip.bytes;
    const other = new CelCIDR(ip, this.bits).masked().ip.bytes;
    return m.every((v, i) => v === other[i]);
  }
  /** netip.Prefix.String(). */
  toString(): string {
    return `${this.ip}/${this.bits}`;
  }
}

/** A parsed URL (url.URL fields the library exposes). */
export interface CelURL {
  scheme: string;
  host: string;
  path: string;
  rawQuery: string;
}

function parseIPv4(s: string): Uint8Array | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i]!;
    if (!/^\d{1,3}$/.test(p) || (p.length > 1 && p[0] === '0') || Number(p) > 255) return undefined;
    out[i] = Number(p);
  }
  return out;
}

function parseIPv6(s: string): Uint8Array | undefined {
  let tail4: Uint8Array | undefined;
  let text = s;
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    tail4 = parseIPv4(text.slice(lastColon + 1));
    if (!tail4) return undefined;
    text = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (h: string): number[] | undefined => {
    if (h === '') return [];
    const out: number[] = [];
    for (const g of h.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const head = groups(halves[0]!);
  const rest = halves.length === 2 ? groups(halves[1]!) : [];
  if (!head || !rest) return undefined;
  const total = head.length + rest.length;
  if (halves.length === 1 ? total !== 8 : total > 7) return undefined;
  const all = [...head, ...new Array<number>(8 - total).fill(0), ...rest];
  const out = new Uint8Array(16);
  all.forEach((g, i) => {
    out[i * 2] = g >> 8;
    out[i * 2 + 1] = g & 0xff;
  });
  if (tail4) out.set(tail4, 12);
  return out;
}

function isV4Mapped(b: Uint8Array): boolean {
  return b.length === 16 && b.slice(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff;
}

/** Parses an IP as the library's parseIPAddr; returns the error text on failure. */
export function parseIP(raw: string): CelIP | string {
  if (raw.includes('%')) return `IP address ${JSON.stringify(raw)} with zone value is not allowed`;
  const b = raw.includes(':') ? parseIPv6(raw) : parseIPv4(raw);
  if (!b) return `IP Address ${JSON.stringify(raw)} parse error during conversion from string: ParseAddr(${JSON.stringify(raw)}): unable to parse IP`;
  if (isV4Mapped(b)) return `IPv4-mapped IPv6 address ${JSON.stringify(raw)} is not allowed`;
  return new CelIP(b);
}

/** Parses a CIDR as the library's parseCIDR; returns the error text on failure. */
export function parseCIDR(raw: string): CelCIDR | string {
  const slash = raw.lastIndexOf('/');
  const err = `network address parse error during conversion from string: netip.ParsePrefix(${JSON.stringify(raw)}): `;
  if (slash < 0) return `${err}no '/'`;
  const ipText = raw.slice(0, slash);
  if (ipText.includes('%')) return `${err}IPv6 zones cannot be present in a prefix`;
  const b = ipText.includes(':') ? parseIPv6(ipText) : parseIPv4(ipText);
  if (!b) return `${err}ParseAddr(${JSON.stringify(ipText)}): unable to parse IP`;
  const bitsText = raw.slice(slash + 1);
  const max = b.length * 8;
  if (!/^(0|[1-9]\d{0,2})$/.test(bitsText) || Number(bitsText) > max) return `${err}bad bits after slash: ${JSON.stringify(bitsText)}`;
  if (isV4Mapped(b)) return `IPv4-mapped IPv6 address ${JSON.stringify(raw)} is not allowed`;
  return new CelCIDR(new CelIP(b), Number(bitsText));
}

/** netip.Addr.String(): dotted IPv4, RFC 5952 IPv6. */
export function formatIP(b: Uint8Array): string {
  if (b.length === 4) return [...b].join('.');
  const g: number[] = [];
  for (let i = 0; i < 16; i += 2) g.push((b[i]! << 8) | b[i + 1]!);
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j;
  }
  const hex = (xs: number[]): string => xs.map((x) => x.toString(16)).join(':');
  if (best < 0) return hex(g);
  return `${hex(g.slice(0, best))}::${hex(g.slice(best + bestLen))}`;
}

/** Predicates of netip.Addr used by the library. */
export const ipIs = {
  unspecified: (ip: CelIP): boolean => ip.bytes.every((x) => x === 0),
  loopback: (ip: CelIP): boolean => (ip.family === 4 ? ip.bytes[0] === 127 : ip.bytes.slice(0, 15).every((x) => x === 0) && ip.bytes[15] === 1),
  linkLocalMulticast: (ip: CelIP): boolean =>
    ip.family === 4 ? ip.bytes[0] === 224 && ip.bytes[1] === 0 && ip.bytes[2] === 0 : ip.bytes[0] === 0xff && (ip.bytes[1]! & 0x0f) === 0x02,
  linkLocalUnicast: (ip: CelIP): boolean =>
    ip.family === 4 ? ip.bytes[0] === 169 && ip.bytes[1] === 254 : ip.bytes[0] === 0xfe && (ip.bytes[1]! & 0xc0) === 0x80,
  globalUnicast(ip: CelIP): boolean {
    if (ip.family === 4 && ip.bytes.every((x) => x === 255)) return false;
    const multicast = ip.family === 4 ? (ip.bytes[0]! & 0xf0) === 0xe0 : ip.bytes[0] === 0xff;
    return !this.unspecified(ip) && !this.loopback(ip) && !multicast && !this.linkLocalUnicast(ip);
  },
};

const URL_RE = /^([a-zA-Z][a-zA-Z0-9+.-]*):(?:\/\/([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#.*)?$/;

/** url.ParseRequestURI then url.Parse, as the library's url(); returns the error text on failure. */
export function parseURL(s: string): CelURL | string {
  const bad = `URL parse error during conversion from string: parse ${JSON.stringify(s)}: invalid URI for request`;
  if (/[\x00-\x1f\x7f]/.test(s) || s === '') return bad;
  if (s.startsWith('/')) {
    const [pathAndQuery] = s.split('#');
    const q = pathAndQuery!.indexOf('?');
    return { scheme: '', host: '', path: q < 0 ? pathAndQuery! : pathAndQuery!.slice(0, q), rawQuery: q < 0 ? '' : pathAndQuery!.slice(q + 1) };
  }
  const m = URL_RE.exec(s);
  if (!m) return bad;
  const authority = m[2] ?? '';
  const host = authority.includes('@') ? authority.slice(authority.lastIndexOf('@') + 1) : authority;
  return { scheme: m[1]!.toLowerCase(), host, path: m[3] ?? '', rawQuery: m[4] ?? '' };
}

/** url.URL.Hostname(). */
export function urlHostname(u: CelURL): string {
  if (u.host.startsWith('[')) return u.host.slice(1, u.host.indexOf(']') < 0 ? undefined : u.host.indexOf(']'));
  const c = u.host.lastIndexOf(':');
  return c < 0 ? u.host : u.host.slice(0, c);
}

/** url.URL.Port(). */
export function urlPort(u: CelURL): string {
  const from = u.host.startsWith('[') ? u.host.indexOf(']') : 0;
  const c = u.host.lastIndexOf(':');
  if (c < 0 || c < from) return '';
  const p = u.host.slice(c + 1);
  return /^\d*$/.test(p) ? p : '';
}

/** url.URL.Query(): values per key in order. */
export function urlQuery(u: CelURL): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  if (!u.rawQuery) return out;
  for (const part of u.rawQuery.split('&')) {
    if (part === '' || part.includes(';')) continue;
    const eq = part.indexOf('=');
    const dec = (x: string): string | undefined => {
      try {
        return decodeURIComponent(x.replace(/\+/g, ' '));
      } catch {
        return undefined;
      }
    };
    const k = dec(eq < 0 ? part : part.slice(0, eq));
    const v = dec(eq < 0 ? '' : part.slice(eq + 1));
    if (k === undefined || v === undefined) continue;
    (out[k] ??= []).push(v);
  }
  return out;
}
