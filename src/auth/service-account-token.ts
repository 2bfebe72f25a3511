/**
 * Service-account tokens as kube-apiserver issues them (pkg/serviceaccount/claims.go, legacy.go,
 * jwt.go): bound tokens for the TokenRequest API and legacy tokens for token Secrets, signed by
 * the service-account key; and the first half of checking one — signature, issuer, audience,
 * time claims and claim shapes. Whether the named objects still exist is the authenticator's
 * half (service-account-authenticator.ts).
 *
 * A bound token's payload (keys sorted, as Go's JSON of the merged claim map writes them):
 *
 *   { "aud": ["https://kubernetes.default.svc.cluster.local"], "exp": 1700003600,
 *     "iat": 1700000000, "iss": "https://kubernetes.default.svc.cluster.local", "jti": "<uuid>",
 *     "kubernetes.io": { "namespace": "default", "pod": {"name","uid"}?, "node": {…}?,
 *                        "secret": {…}?, "serviceaccount": {"name": "default", "uid": "…"},
 *                        "warnafter": 1700003607? },
 *     "nbf": 1700000000, "sub": "system:serviceaccount:default:default" }
 *
 * A legacy token's payload: `iss: "kubernetes/serviceaccount"`, `sub`, and the claims
 * `kubernetes.io/serviceaccount/{namespace, secret.name, service-account.name, service-account.uid}`;
 * no audience and no expiry.
 * Owns: claims, issuing and verifying tokens. Must not: read objects or know HTTP.
 */
import { randomUUID } from 'node:crypto';
import { unauthorized } from '../api/errors.js';
import { parseCompact, signCompact, verifyCompact } from './jws.js';
import type { ServiceAccountKey } from './sa-key.js';

/** kube-apiserver's usual `--service-account-issuer` (and so the default API audience). */
export const DEFAULT_SERVICE_ACCOUNT_ISSUER = 'https://kubernetes.default.svc.cluster.local';
/** The issuer of legacy (Secret-based) tokens. */
export const LEGACY_ISSUER = 'kubernetes/serviceaccount';
/** Allowed clock skew on exp, nbf and iat (go-jose's DefaultLeeway); also the grace for deletions. */
export const LEEWAY_SECONDS = 60;

const LEGACY = {
  namespace: 'kubernetes.io/serviceaccount/namespace',
  secretName: 'kubernetes.io/serviceaccount/secret.name',
  name: 'kubernetes.io/serviceaccount/service-account.name',
  uid: 'kubernetes.io/serviceaccount/service-account.uid',
} as const;

/** A name and uid, as the `kubernetes.io` claim refers to objects. */
export interface ObjectRef {
  name: string;
  uid: string;
}

/** What a bound token is for; the issuer adds iss, iat, nbf, exp and jti. */
export interface BoundTokenSpec {
  namespace: string;
  serviceAccount: ObjectRef;
  audiences: readonly string[];
  expirationSeconds: number;
  /** Seconds after which use is reported stale (the extended 3607 s pod tokens). */
  warnAfterSeconds?: number;
  pod?: ObjectRef;
  secret?: ObjectRef;
  node?: ObjectRef;
}

/** The `kubernetes.io` private claim of a bound token. */
export interface KubernetesClaim {
  namespace: string;
  node?: ObjectRef;
  pod?: ObjectRef;
  secret?: ObjectRef;
  serviceaccount: ObjectRef;
  warnafter?: number;
}

/** The claims of a bound token. */
export interface BoundClaims {
  aud: string[];
  exp: number;
  iat: number;
  iss: string;
  jti: string;
  'kubernetes.io': KubernetesClaim;
  nbf: number;
  sub: string;
}

/** A token whose signature, issuer, audience and times check out. */
export type VerifiedToken =
  | { kind: 'bound'; claims: BoundClaims; jti?: string }
  | { kind: 'legacy'; namespace: string; serviceAccount: ObjectRef; secretName: string };

/** Options of {@link ServiceAccountTokens}. */
export interface ServiceAccountTokensOptions {
  key: ServiceAccountKey;
  /** `iss` of bound tokens; default {@link DEFAULT_SERVICE_ACCOUNT_ISSUER}. */
  issuer?: string;
  /** The API audiences a token must name one of; default `[issuer]`. */
  audiences?: readonly string[];
  /** The clock, in milliseconds (tests move it). */
  now?: () => number;
}

/** `system:serviceaccount:<namespace>:<name>`. */
export function serviceAccountUsername(namespace: string, name: string): string {
  return `system:serviceaccount:${namespace}:${name}`;
}

/** Issues and verifies service-account tokens with one key. */
export class ServiceAccountTokens {
  readonly key: ServiceAccountKey;
  readonly issuer: string;
  readonly audiences: readonly string[];
  readonly #now: () => number;

  constructor(options: ServiceAccountTokensOptions) {
    this.key = options.key;
    this.issuer = options.issuer ?? DEFAULT_SERVICE_ACCOUNT_ISSUER;
    this.audiences = options.audiences ?? [this.issuer];
    this.#now = options.now ?? Date.now;
  }

  /** The current time in milliseconds, by this issuer's clock. */
  now(): number {
    return this.#now();
  }

  /** A bound token and its claims; `exp` is now + expirationSeconds. */
  issue(spec: BoundTokenSpec): { token: string; claims: BoundClaims } {
    const now = Math.floor(this.#now() / 1000);
    const kube: KubernetesClaim = {
      namespace: spec.namespace,
      ...(spec.node ? { node: { ...spec.node } } : {}),
      ...(spec.pod ? { pod: { ...spec.pod } } : {}),
      ...(spec.secret ? { secret: { ...spec.secret } } : {}),
      serviceaccount: { ...spec.serviceAccount },
      ...(spec.warnAfterSeconds ? { warnafter: now + spec.warnAfterSeconds } : {}),
    };
    const claims: BoundClaims = {
      aud: [...spec.audiences],
      exp: now + spec.expirationSeconds,
      iat: now,
      iss: this.issuer,
      jti: randomUUID(),
      'kubernetes.io': kube,
      nbf: now,
      sub: serviceAccountUsername(spec.namespace, spec.serviceAccount.name),
    };
    return { token: this.#sign(claims), claims };
  }

  /** A legacy token for the token Secret `secretName` of a ServiceAccount. */
  issueLegacy(serviceAccount: { namespace: string; name: string; uid: string }, secretName: string): string {
    const { namespace, name, uid } = serviceAccount;
    return this.#sign({
      iss: LEGACY_ISSUER,
      [LEGACY.namespace]: namespace,
      [LEGACY.secretName]: secretName,
      [LEGACY.name]: name,
      [LEGACY.uid]: uid,
      sub: serviceAccountUsername(namespace, name),
    });
  }

  /**
   * Checks a bearer token. Undefined when it is not a service-account token of this server (not
   * a JWS, or another issuer), so other authenticators may take it; throws `unauthorized(reason)`
   * when it is one but is not valid (signature, audience, time or claim shape).
   */
  verify(token: string): VerifiedToken | undefined {
    if (token.trimStart().startsWith('{')) return undefined;
    const jws = parseCompact(token);
    if (!jws) return undefined;
    const { header, payload } = jws;
    const legacy = payload.iss === LEGACY_ISSUER;
    if (!legacy && payload.iss !== this.issuer) return undefined;
    if (header.kid !== undefined && header.kid !== this.key.kid) throw unauthorized('invalid signature, no keys found');
    if (!verifyCompact(jws, this.key.publicKey)) throw unauthorized('square/go-jose: error in cryptographic primitive');
    this.#checkAudience(payload.aud);
    return legacy ? legacyClaims(payload) : this.#boundClaims(payload);
  }

  #sign(payload: object): string {
    return signCompact({ alg: this.key.alg, kid: this.key.kid }, payload as Readonly<Record<string, unknown>>, this.key.privateKey);
  }

  #checkAudience(aud: unknown): void {
    const tokenAudiences = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud.filter((a): a is string => typeof a === 'string') : [];
    // Tokens without an audience (legacy tokens) are for the API server's own audiences.
    if (tokenAudiences.length === 0 || this.audiences.length === 0) return;
    if (!tokenAudiences.some((a) => this.audiences.includes(a)))
      throw unauthorized(`token audiences ${goQuote(tokenAudiences)} is invalid for the target audiences ${goQuote(this.audiences)}`);
  }

  #boundClaims(payload: Readonly<Record<string, unknown>>): VerifiedToken {
    const invalid = () => unauthorized('service account token claims could not be validated');
    for (const claim of ['exp', 'iat', 'nbf'] as const) {
      if (payload[claim] !== undefined && typeof payload[claim] !== 'number') throw invalid();
    }
    const now = this.#now() / 1000;
    const { exp, nbf, iat } = payload as { exp?: number; nbf?: number; iat?: number };
    if (exp !== undefined && now - LEEWAY_SECONDS > exp) throw unauthorized('service account token has expired');
    if (nbf !== undefined && now + LEEWAY_SECONDS < nbf) throw unauthorized('service account token is not valid yet');
    if (iat !== undefined && now + LEEWAY_SECONDS < iat) throw unauthorized('service account token is issued in the future');
    const kube = payload['kubernetes.io'];
    if (!isRecord(kube) || typeof kube.namespace !== 'string' || !isRef(kube.serviceaccount)) throw invalid();
    for (const key of ['pod', 'secret', 'node'] as const) if (kube[key] !== undefined && !isRef(kube[key])) throw invalid();
    const claims = payload as unknown as BoundClaims;
    return typeof payload.jti === 'string' && payload.jti ? { kind: 'bound', claims, jti: payload.jti } : { kind: 'bound', claims };
  }
}

function legacyClaims(payload: Readonly<Record<string, unknown>>): VerifiedToken {
  const text = (key: string) => (typeof payload[key] === 'string' ? (payload[key] as string) : '');
  const sub = text('sub');
  if (!sub) throw unauthorized('sub claim is missing');
  const namespace = text(LEGACY.namespace);
  if (!namespace) throw unauthorized('namespace claim is missing');
  const secretName = text(LEGACY.secretName);
  if (!secretName) throw unauthorized('secretName claim is missing');
  const name = text(LEGACY.name);
  if (!name) throw unauthorized('serviceAccountName claim is missing');
  const uid = text(LEGACY.uid);
  if (!uid) throw unauthorized('serviceAccountUID claim is missing');
  if (sub !== serviceAccountUsername(namespace, name)) throw unauthorized('sub claim is invalid');
  return { kind: 'legacy', namespace, serviceAccount: { name, uid }, secretName };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isRef(value: unknown): value is ObjectRef {
  return isRecord(value) && typeof value.name === 'string' && (value.uid === undefined || typeof value.uid === 'string');
}

/** Go's `%q` of a []string: `["a" "b"]`. */
function goQuote(values: readonly string[]): string {
  return `[${values.map((v) => JSON.stringify(v)).join(' ')}]`;
}
