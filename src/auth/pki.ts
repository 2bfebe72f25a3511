/**
 * Certificate and key making: a self-signed CA and leaves signed by it, ECDSA P-256 / SHA-256,
 * everything in PEM (certificates as CERTIFICATE, keys as PKCS#8 PRIVATE KEY).
 * Owns: key generation, subjects, extensions, validity. Must not: read or write files or decide
 * when to reuse (certs.ts does).
 */
import { createPrivateKey } from 'node:crypto';
import type { Extension, Name } from '@peculiar/x509';
import { x509 } from './x509.js';

/** A certificate with its private key, both PEM. */
export interface CertAndKey {
  cert: string;
  key: string;
}

/** The subject of a leaf: CN is the user or server name, each O a group. */
export interface Subject {
  commonName: string;
  organizations?: readonly string[];
}

/** What a leaf certificate is for and whom it names. */
export interface LeafOptions {
  subject: Subject;
  /** `server` adds serverAuth, `client` adds clientAuth. */
  usage: 'server' | 'client';
  days: number;
  /** subjectAltName DNS names (server certificates). */
  dnsNames?: readonly string[];
  /** subjectAltName IP addresses, v4 dotted or v6 (server certificates). */
  ips?: readonly string[];
}

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
const DAY_MS = 86_400_000;
/** Certificates start an hour in the past so that a slightly slow clock still accepts them. */
const BACKDATE_MS = 3_600_000;

const webcrypto = globalThis.crypto;

/** A CA ready to sign: its PEM pair plus the signing key, name and key id, prepared once. */
export class CertificateAuthority implements CertAndKey {
  readonly cert: string;
  readonly key: string;
  #signingKey: CryptoKey;
  #name: Name;
  #keyId: string;

  private constructor(pair: CertAndKey, signingKey: CryptoKey, name: Name, keyId: string) {
    this.cert = pair.cert;
    this.key = pair.key;
    this.#signingKey = signingKey;
    this.#name = name;
    this.#keyId = keyId;
  }

  /** A new self-signed CA (CA:TRUE, keyCertSign, subjectKeyIdentifier) valid for `days`. */
  static async create(options: { commonName: string; days: number }): Promise<CertificateAuthority> {
    const lib = x509();
    const keys = await newKeyPair();
    const ski = await lib.SubjectKeyIdentifierExtension.create(keys.publicKey, false, webcrypto);
    const cert = await lib.X509CertificateGenerator.createSelfSigned(
      {
        name: [{ CN: [options.commonName] }],
        keys,
        signingAlgorithm: ALGORITHM,
        ...validity(options.days),
        extensions: [
          new lib.BasicConstraintsExtension(true, undefined, true),
          new lib.KeyUsagesExtension(lib.KeyUsageFlags.keyCertSign | lib.KeyUsageFlags.cRLSign | lib.KeyUsageFlags.digitalSignature, true),
          ski,
        ],
      },
      webcrypto,
    );
    const pair = { cert: cert.toString('pem'), key: await exportKey(keys.privateKey) };
    return new CertificateAuthority(pair, keys.privateKey, cert.subjectName, ski.keyId);
  }

  /** A CA from its PEM pair (any key encoding node reads). */
  static async load(pair: CertAndKey): Promise<CertificateAuthority> {
    const lib = x509();
    const cert = new lib.X509Certificate(pair.cert);
    const der = createPrivateKey(pair.key).export({ type: 'pkcs8', format: 'der' });
    const signingKey = await webcrypto.subtle.importKey('pkcs8', der, ALGORITHM, false, ['sign']);
    const keyId =
      cert.getExtension(lib.SubjectKeyIdentifierExtension)?.keyId ??
      (await lib.SubjectKeyIdentifierExtension.create(cert.publicKey, false, webcrypto)).keyId;
    return new CertificateAuthority(pair, signingKey, cert.subjectName, keyId);
  }

  /** A new key and a certificate for it, signed by this CA. */
  async issue(options: LeafOptions): Promise<CertAndKey> {
    const lib = x509();
    const keys = await newKeyPair();
    const extensions: Extension[] = [
      new lib.BasicConstraintsExtension(false, undefined, true),
      new lib.KeyUsagesExtension(lib.KeyUsageFlags.digitalSignature, true),
      new lib.ExtendedKeyUsageExtension([options.usage === 'server' ? lib.ExtendedKeyUsage.serverAuth : lib.ExtendedKeyUsage.clientAuth]),
      new lib.AuthorityKeyIdentifierExtension(this.#keyId),
    ];
    const names = [
      ...(options.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })),
      ...(options.ips ?? []).map((value) => ({ type: 'ip' as const, value })),
    ];
    if (names.length) extensions.push(new lib.SubjectAlternativeNameExtension(names));
    const { commonName, organizations = [] } = options.subject;
    const cert = await lib.X509CertificateGenerator.create(
      {
        subject: [{ CN: [commonName] }, ...organizations.map((o) => ({ O: [o] }))],
        issuer: this.#name,
        publicKey: keys.publicKey,
        signingKey: this.#signingKey,
        signingAlgorithm: ALGORITHM,
        ...validity(options.days),
        extensions,
      },
      webcrypto,
    );
    return { cert: cert.toString('pem'), key: await exportKey(keys.privateKey) };
  }
}

function validity(days: number): { notBefore: Date; notAfter: Date } {
  const now = Date.now();
  return { notBefore: new Date(now - BACKDATE_MS), notAfter: new Date(now + days * DAY_MS) };
}

function newKeyPair(): Promise<CryptoKeyPair> {
  return webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
}

async function exportKey(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key)).toString('base64');
  return `-----BEGIN PRIVATE KEY-----\n${der.replace(/.{1,64}/g, '$&\n')}-----END PRIVATE KEY-----\n`;
}
