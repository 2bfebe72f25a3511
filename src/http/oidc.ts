/**
 * `GET /.well-known/openid-configuration` and `GET /openid/v1/jwks`: the service-account
 * issuer discovery routes (kube's pkg/routes/openidmetadata.go). Both answer with
 * `Cache-Control: public, max-age=3600`; the key set as `application/jwk-set+json`. Like
 * kube-apiserver, nothing is served when the issuer is not an https URL. `jwks_uri` is the
 * configured one, or this server's own address as the request reached it (kube-apiserver uses
 * its external address; kubemu's port is often picked at listen time).
 * Who may read them is authorization's business (bootstrap role
 * `system:service-account-issuer-discovery`).
 * Owns: the two routes. Must not: know keys beyond the documents auth/oidc.ts renders.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { issuerProblem, jwks, JWKS_PATH, OIDC_MAX_AGE_SECONDS, OPENID_CONFIG_PATH, openIdConfiguration } from '../auth/oidc.js';
import type { ServiceAccountKey } from '../auth/sa-key.js';

/** Options of {@link oidcRoutes}. */
export interface OidcRouteOptions {
  issuer: string;
  key: ServiceAccountKey;
  /** A fixed `jwks_uri` (kube's `--service-account-jwks-uri`). */
  jwksUri?: string;
}

const CACHE_CONTROL = `public, max-age=${OIDC_MAX_AGE_SECONDS}`;

/** Registers both routes; returns false (registering nothing) when the issuer cannot be served. */
export function oidcRoutes(app: FastifyInstance, options: OidcRouteOptions): boolean {
  if (issuerProblem(options.issuer)) return false;
  // Buffers, so fastify adds no charset to the content types (kube-apiserver sends none).
  const keySet = Buffer.from(JSON.stringify(jwks(options.key)));
  const jwksUri = (request: FastifyRequest) => options.jwksUri ?? `${request.protocol}://${request.host}${JWKS_PATH}`;
  app.get(OPENID_CONFIG_PATH, async (request, reply) =>
    reply
      .type('application/json')
      .header('cache-control', CACHE_CONTROL)
      .send(Buffer.from(JSON.stringify(openIdConfiguration(options.issuer, jwksUri(request), options.key)))),
  );
  app.get(JWKS_PATH, async (_request, reply) => reply.type('application/jwk-set+json').header('cache-control', CACHE_CONTROL).send(keySet));
  return true;
}
