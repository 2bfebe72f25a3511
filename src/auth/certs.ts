/**
 * kubemu's TLS material: a CA, the API server's serving certificate and the admin's client
 * certificate, made fresh in memory or kept under `<dir>/pki/` and reused across restarts.
 *
 * Reuse is checked with node:crypto alone (parse, key match, signature, expiry, SANs), so a
 * restart with valid files never loads the certificate library; anything missing, broken,
 * expiring within 30 days, signed by another CA or (serving certificate) made for other hosts is
 * made again, and a new CA re-issues both leaves.
 *
 * Owns: what certificates kubemu has and their files. Must not: know HTTP or authentication.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { join } from 'node:path';
import { ADMIN_USER } from './admin.js';
import { readOptional, writeFileAtomic } from './files.js';
import { CertificateAuthority, type CertAndKey, type LeafOptions } from './pki.js';
import { MASTERS_GROUP } from './user.js';

export type { CertAndKey } from './pki.js';

/** PEM certificates and PKCS#8 keys of kubemu's CA, serving certificate and admin. */
export interface TlsMaterial {
  caCert: string;
  caKey: string;
  serverCert: string;
  serverKey: string;
  adminCert: string;
  adminKey: string;
}

/** Options of {@link loadOrCreateTls}. */
export interface TlsOptions {
  /** Data directory; files go to `<dir>/pki/`. Without it nothing is written. */
  dir?: string;
  /** Extra DNS names and IP addresses the server is reached by (the defaults are always added). */
  hosts: readonly string[];
}

/** Names and addresses every serving certificate carries. */
export const DEFAULT_HOSTS: readonly string[] = [
  'localhost',
  'kubernetes',
  'kubernetes.default',
  'kubernetes.default.svc',
  'kubernetes.default.svc.cluster.local',
  '127.0.0.1',
  '::1',
];

const CA_NAME = 'kubemu-ca';
const SERVER_NAME = 'kube-apiserver';
const CA_DAYS = 3650;
const LEAF_DAYS = 365;
const RENEW_BEFORE_MS = 30 * 86_400_000;

const FILES = { ca: 'ca', server: 'apiserver', admin: 'admin' } as const;
type Role = keyof typeof FILES;

/**
 * The CA, serving and admin certificates: with `dir`, read from `<dir>/pki/` and reused when
 * still valid (otherwise made and written, keys mode 0600); without, made in memory.
 */
export async function loadOrCreateTls(options: TlsOptions): Promise<TlsMaterial> {
  const hosts = servingHosts(options.hosts);
  const server: LeafOptions = {
    subject: { commonName: SERVER_NAME },
    usage: 'server',
    days: LEAF_DAYS,
    dnsNames: hosts.filter((h) => !isIpAddress(h)),
    ips: hosts.filter(isIpAddress),
  };
  const admin: LeafOptions = { subject: { commonName: ADMIN_USER, organizations: [MASTERS_GROUP] }, usage: 'client', days: LEAF_DAYS };
  const dir = options.dir === undefined ? undefined : join(options.dir, 'pki');
  const stored = dir ? await readStored(dir) : {};

  const storedCa = usableCa(stored.ca);
  const caCert = storedCa && new X509Certificate(storedCa.cert);
  const keptServer = caCert && usableLeaf(stored.server, caCert, server, hosts);
  const keptAdmin = caCert && usableLeaf(stored.admin, caCert, admin);
  if (storedCa && keptServer && keptAdmin) return material(storedCa, keptServer, keptAdmin);

  const authority = storedCa ? await CertificateAuthority.load(storedCa) : await CertificateAuthority.create({ commonName: CA_NAME, days: CA_DAYS });
  const [serverPair, adminPair] = await Promise.all([keptServer ?? authority.issue(server), keptAdmin ?? authority.issue(admin)]);
  if (dir) {
    const made: [Role, CertAndKey][] = [];
    if (!storedCa) made.push(['ca', authority]);
    if (serverPair !== keptServer) made.push(['server', serverPair]);
    if (adminPair !== keptAdmin) made.push(['admin', adminPair]);
    await Promise.all(made.map(([role, pair]) => writePair(dir, role, pair)));
  }
  return material(authority, serverPair, adminPair);
}

function material(ca: CertAndKey, server: CertAndKey, admin: CertAndKey): TlsMaterial {
  return { caCert: ca.cert, caKey: ca.key, serverCert: server.cert, serverKey: server.key, adminCert: admin.cert, adminKey: admin.key };
}

/**
 * A new client certificate signed by kubemu's CA: CN = `user`, one O per group, clientAuth,
 * valid for `days` (default 365). The API server then authenticates it as that user.
 */
export async function issueClientCert(
  tls: Pick<TlsMaterial, 'caCert' | 'caKey'>,
  options: { user: string; groups?: readonly string[]; days?: number },
): Promise<CertAndKey> {
  const ca = await CertificateAuthority.load({ cert: tls.caCert, key: tls.caKey });
  return ca.issue({
    subject: { commonName: options.user, organizations: options.groups ?? [] },
    usage: 'client',
    days: options.days ?? LEAF_DAYS,
  });
}

/** The defaults plus `extra`, normalized (lower-case names, canonical IPs, no brackets), deduplicated. */
export function servingHosts(extra: readonly string[]): string[] {
  return [...new Set([...DEFAULT_HOSTS, ...extra].map(normalizeHost).filter((h) => h !== ''))];
}

/**
 * `host` trimmed, without brackets, lower-case; an IPv6 address in its canonical short form
 * (`FE80:0:0::1` → `fe80::1`). Avoids node:net's isIP, whose first call costs ~3 ms.
 */
function normalizeHost(host: string): string {
  const bare = host.trim().replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (!bare.includes(':')) return bare;
  try {
    return new URL(`http://[${bare}]/`).hostname.slice(1, -1);
  } catch {
    throw new TypeError(`invalid host for the serving certificate: ${JSON.stringify(host)}`);
  }
}

/** True for a dotted IPv4 or (anything with a colon, normalized) IPv6 address. */
function isIpAddress(host: string): boolean {
  return host.includes(':') || /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/.test(host);
}

async function readStored(dir: string): Promise<Partial<Record<Role, CertAndKey>>> {
  const roles = Object.keys(FILES) as Role[];
  const pairs = await Promise.all(
    roles.map(async (role) => {
      const [cert, key] = await Promise.all([readOptional(join(dir, `${FILES[role]}.crt`)), readOptional(join(dir, `${FILES[role]}.key`))]);
      return cert && key ? ([role, { cert, key }] as const) : undefined;
    }),
  );
  return Object.fromEntries(pairs.filter((p) => p !== undefined));
}

async function writePair(dir: string, role: Role, pair: CertAndKey): Promise<void> {
  // The key first: a crash in between leaves a certificate that does not match and is remade.
  await writeFileAtomic(join(dir, `${FILES[role]}.key`), pair.key, 0o600);
  await writeFileAtomic(join(dir, `${FILES[role]}.crt`), pair.cert, 0o644);
}

/** The parsed certificate when `pair` parses, its key matches and it is not about to expire. */
function parseValid(pair: CertAndKey | undefined): X509Certificate | undefined {
  if (!pair) return undefined;
  try {
    const cert = new X509Certificate(pair.cert);
    if (!cert.checkPrivateKey(createPrivateKey(pair.key))) return undefined;
    if (Date.parse(cert.validTo) - Date.now() < RENEW_BEFORE_MS) return undefined;
    return cert;
  } catch {
    return undefined;
  }
}

function usableCa(pair: CertAndKey | undefined): CertAndKey | undefined {
  const cert = parseValid(pair);
  return cert?.ca ? pair : undefined;
}

function usableLeaf(pair: CertAndKey | undefined, ca: X509Certificate, want: LeafOptions, hosts?: readonly string[]): CertAndKey | undefined {
  const cert = parseValid(pair);
  if (!cert || !cert.checkIssued(ca) || !cert.verify(ca.publicKey)) return undefined;
  const { commonName, organizations = [] } = want.subject;
  if (cert.subject !== [`CN=${commonName}`, ...organizations.map((o) => `O=${o}`)].join('\n')) return undefined;
  if (hosts && !sameSet(subjectAltNames(cert), hosts)) return undefined;
  return pair;
}

/** The normalized DNS names and IPs of a certificate, from node's `DNS:a, IP Address:b` form. */
function subjectAltNames(cert: X509Certificate): string[] {
  return (cert.subjectAltName ?? '')
    .split(', ')
    .map((entry) => entry.replace(/^(DNS|IP Address):/, ''))
    .filter((h) => h !== '')
    .map((h) => {
      try {
        return normalizeHost(h);
      } catch {
        return h; // a SAN kubemu would not write (URI, email): it simply will not match
      }
    });
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const left = new Set(a);
  const right = new Set(b);
  return left.size === right.size && [...left].every((x) => right.has(x));
}
