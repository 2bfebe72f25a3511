/**
 * Compact JWS (RFC 7515) with node:crypto alone: the two algorithms Kubernetes service-account
 * keys use (ES256 for ECDSA P-256, RS256 for RSA), key ids as kube-apiserver derives them, and
 * public JWKs as go-jose writes them.
 *
 *   token = b64url(header JSON) "." b64url(payload JSON) "." b64url(signature)
 *   ES256 signatures are the raw 64-byte r‖s (IEEE P1363), not DER.
 *
 * Parsing is strict where Go is strict: unpadded base64url only, header and payload must be JSON
 * objects, `crit` is refused, and the algorithm is taken from the key, never from the token
 * (a token whose `alg` differs from the key's does not verify).
 * Owns: bytes of JWS. Must not: know claims, issuers or Kubernetes objects.
 */
import { createHash, sign, verify, type KeyObject } from 'node:crypto';

/** The JWS algorithms kubemu signs and verifies with. */
export type JwsAlgorithm = 'ES256' | 'RS256';

/** A compact JWS split and decoded, not yet verified. */
export interface ParsedJws {
  header: Readonly<Record<string, unknown>>;
  payload: Readonly<Record<string, unknown>>;
  /** `b64url(header).b64url(payload)`, the signed bytes. */
  signingInput: string;
  signature: Buffer;
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;

/**
 * The algorithm a key signs with: ES256 for an EC P-256 key, RS256 for an RSA key of at least
 * 2048 bits. Throws a TypeError for any other key.
 */
export function algorithmOf(key: KeyObject): JwsAlgorithm {
  const details = key.asymmetricKeyDetails;
  if (key.asymmetricKeyType === 'ec' && details?.namedCurve === 'prime256v1') return 'ES256';
  if (key.asymmetricKeyType === 'rsa' && (details?.modulusLength ?? 0) >= 2048) return 'RS256';
  const what = key.asymmetricKeyType === 'ec' ? `EC ${details?.namedCurve}` : `${key.asymmetricKeyType} ${details?.modulusLength ?? ''}`.trim();
  throw new TypeError(`unsupported service account key (${what}): use an ECDSA P-256 or an RSA (2048 bits or more) key`);
}

/**
 * The key id of a public key as kube-apiserver computes it (keyIDFromPublicKey): the unpadded
 * base64url SHA-256 of the key's PKIX (SubjectPublicKeyInfo) DER.
 */
export function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('base64url');
}

/** Signs `payload` with `header` (which should carry `alg` and `kid`) into a compact JWS. */
export function signCompact(header: Readonly<Record<string, unknown>>, payload: Readonly<Record<string, unknown>>, privateKey: KeyObject): string {
  const alg = algorithmOf(privateKey);
  if (header.alg !== alg) throw new TypeError(`signCompact: header alg ${String(header.alg)} does not match the ${alg} key`);
  const signingInput = `${encodeSegment(header)}.${encodeSegment(payload)}`;
  const signature = sign('sha256', Buffer.from(signingInput), alg === 'ES256' ? { key: privateKey, dsaEncoding: 'ieee-p1363' } : privateKey);
  return `${signingInput}.${signature.toString('base64url')}`;
}

/**
 * Splits and decodes a compact JWS; undefined when `token` is not one (not three unpadded
 * base64url segments, header or payload not a JSON object, or a `crit` header).
 */
export function parseCompact(token: string): ParsedJws | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const [h, p, s] = parts as [string, string, string];
  if (!h || !p || !s || !isBase64Url(h) || !isBase64Url(p) || !isBase64Url(s)) return undefined;
  const header = decodeJsonObject(h);
  const payload = decodeJsonObject(p);
  if (!header || !payload || 'crit' in header) return undefined;
  return { header, payload, signingInput: `${h}.${p}`, signature: Buffer.from(s, 'base64url') };
}

/** True when `jws` carries the algorithm of `publicKey` and a valid signature by it. */
export function verifyCompact(jws: ParsedJws, publicKey: KeyObject): boolean {
  const alg = algorithmOf(publicKey);
  if (jws.header.alg !== alg) return false;
  if (alg === 'ES256' && jws.signature.length !== 64) return false;
  const data = Buffer.from(jws.signingInput);
  try {
    return alg === 'ES256'
      ? verify('sha256', data, { key: publicKey, dsaEncoding: 'ieee-p1363' }, jws.signature)
      : verify('sha256', data, publicKey, jws.signature);
  } catch {
    return false;
  }
}

/**
 * The public JWK of a key, members in go-jose's order: `{use, kty, kid, crv, alg, x, y}` for EC,
 * `{use, kty, kid, alg, n, e}` for RSA.
 */
export function publicJwk(publicKey: KeyObject, kid: string): Record<string, string> {
  const alg = algorithmOf(publicKey);
  const jwk = publicKey.export({ format: 'jwk' });
  if (alg === 'ES256') return { use: 'sig', kty: 'EC', kid, crv: String(jwk.crv), alg, x: String(jwk.x), y: String(jwk.y) };
  return { use: 'sig', kty: 'RSA', kid, alg, n: String(jwk.n), e: String(jwk.e) };
}

function encodeSegment(value: Readonly<Record<string, unknown>>): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** Go's RawURLEncoding accepts no padding and no length of 1 mod 4. */
function isBase64Url(segment: string): boolean {
  return BASE64URL.test(segment) && segment.length % 4 !== 1;
}

function decodeJsonObject(segment: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
