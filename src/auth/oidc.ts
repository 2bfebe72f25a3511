/**
 * The service-account issuer's OpenID Connect discovery documents, as kube-apiserver renders
 * them (pkg/serviceaccount/openidmetadata.go): the provider configuration and the JSON Web Key
 * Set of the signing key, so relying parties outside the cluster can verify kubemu's tokens.
 * Owns: the two documents. Must not: know HTTP.
 */
import { publicJwk } from './jws.js';
import type { ServiceAccountKey } from './sa-key.js';

/** Where the provider configuration is served. */
export const OPENID_CONFIG_PATH = '/.well-known/openid-configuration';
/** Where the key set is served. */
export const JWKS_PATH = '/openid/v1/jwks';
/** How long clients may cache both documents (the static key getter's 3600 s). */
export const OIDC_MAX_AGE_SECONDS = 3600;

/**
 * Why `issuer` cannot be served as an OIDC issuer (upstream's checks: an https URL without
 * query or fragment), or undefined when it can.
 */
export function issuerProblem(issuer: string): string | undefined {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    return `issuer URL is not a URL: ${issuer}`;
  }
  if (url.protocol !== 'https:') return `issuer URL must use https scheme, got: ${issuer}`;
  if (url.search) return `issuer URL may not include a query, got: ${issuer}`;
  if (url.hash) return `issuer URL may not include a fragment, got: ${issuer}`;
  return undefined;
}

/** The provider configuration (members in upstream's order). */
export function openIdConfiguration(issuer: string, jwksUri: string, key: ServiceAccountKey): Record<string, unknown> {
  return {
    issuer,
    jwks_uri: jwksUri,
    response_types_supported: ['id_token'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: [key.alg],
  };
}

/** The JSON Web Key Set with the public half of `key`. */
export function jwks(key: ServiceAccountKey): { keys: Record<string, string>[] } {
  return { keys: [publicJwk(key.publicKey, key.kid)] };
}
