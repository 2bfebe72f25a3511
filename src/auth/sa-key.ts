/**
 * The service-account signing key: an ECDSA P-256 key made fresh in memory, or kept in
 * `<dir>/pki/sa.key` (PKCS#8 PEM, mode 0600, with its public half in `sa.pub`) and reused across
 * restarts so issued tokens stay valid. A key file someone put there may also be RSA (RS256).
 * Owns: which key signs service-account tokens and its files. Must not: know claims or HTTP.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { join } from 'node:path';
import { readOptional, writeFileAtomic } from './files.js';
import { algorithmOf, keyIdOf, type JwsAlgorithm } from './jws.js';

/** A signing key with everything the issuer and the OIDC documents need from it. */
export interface ServiceAccountKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  alg: JwsAlgorithm;
  /** kube-apiserver's key id of the public key. */
  kid: string;
}

/** The path of the persisted signing key under a data directory. */
export function serviceAccountKeyPath(dir: string): string {
  return join(dir, 'pki', 'sa.key');
}

/**
 * The signing key: with `dir`, the one in `<dir>/pki/sa.key` (made and written, with `sa.pub`,
 * when missing, empty or unreadable as a private key); without, a fresh P-256 key. A readable
 * key of an unsupported type is an error rather than silently replaced.
 */
export async function loadOrCreateServiceAccountKey(options: { dir?: string } = {}): Promise<ServiceAccountKey> {
  if (options.dir === undefined) return serviceAccountKey(newPrivateKey());
  const path = serviceAccountKeyPath(options.dir);
  const stored = parsePrivateKey(await readOptional(path));
  if (stored) {
    try {
      return serviceAccountKey(stored);
    } catch (err) {
      throw new TypeError(`${path}: ${(err as Error).message}`);
    }
  }
  const key = serviceAccountKey(newPrivateKey());
  await writeFileAtomic(path, key.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, 0o600);
  await writeFileAtomic(join(options.dir, 'pki', 'sa.pub'), key.publicKey.export({ type: 'spki', format: 'pem' }) as string, 0o644);
  return key;
}

/** A ServiceAccountKey from a private key; throws a TypeError for an unsupported key type. */
export function serviceAccountKey(privateKey: KeyObject): ServiceAccountKey {
  const alg = algorithmOf(privateKey);
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, alg, kid: keyIdOf(publicKey) };
}

function newPrivateKey(): KeyObject {
  return generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
}

function parsePrivateKey(pem: string | undefined): KeyObject | undefined {
  if (!pem?.trim()) return undefined;
  try {
    return createPrivateKey(pem);
  } catch {
    return undefined;
  }
}
