/**
 * `GET /openapi/v2`, behaving like kube-openapi's handler:
 * - content negotiation over the Accept clauses, best quality first: JSON for
 *   `application/json` (also `application/*`, `*\/*`, or no Accept at all), gnostic protobuf for
 *   `application/com.github.proto-openapi.spec.v2@v1.0+protobuf` or its `.v1.0+` spelling;
 *   anything else gets 406 with a Kubernetes Status;
 * - the protobuf reply's Content-Type is always
 *   `application/com.github.proto-openapi.spec.v2.v1.0+protobuf`: Go's mime parser (kubectl)
 *   rejects the `@` spelling;
 * - `ETag: "<etag>"` (the same for both formats, as kube-openapi), `If-None-Match` → 304,
 *   `Vary: Accept` on every reply.
 * No hooks: the server composer registers this plugin; authentication is added elsewhere.
 * Owns: the HTTP behaviour of OpenAPI v2. Must not: build or encode documents (src/openapi does).
 */
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { notAcceptable } from '../api/errors.js';
import type { EncodedDocument } from '../openapi/schemas.js';
import { openapiV2Json, openapiV2Protobuf } from '../openapi/v2.js';

/** The protobuf media type kubectl asks for (gnostic's spelling, with `@`). */
export const OPENAPI_V2_PROTOBUF_ACCEPT = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';
/** The protobuf media type kubemu replies with (and also accepts). */
export const OPENAPI_V2_PROTOBUF = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';

/** Where the plugin gets its bytes; defaults to the built-in document for the reported version. */
export interface OpenAPIV2Source {
  json(): EncodedDocument;
  protobuf(): EncodedDocument;
}

/** Options of {@link openapiV2Plugin}: the reported version (`info.version`), or a source of bytes. */
export interface OpenAPIV2Options {
  kubernetesVersion: string;
  source?: OpenAPIV2Source;
}

type Format = 'json' | 'protobuf';

const OFFERS: ReadonlyArray<{ type: string; subtype: string; format: Format }> = [
  { type: 'application', subtype: 'json', format: 'json' },
  { type: 'application', subtype: 'com.github.proto-openapi.spec.v2@v1.0+protobuf', format: 'protobuf' },
  { type: 'application', subtype: 'com.github.proto-openapi.spec.v2.v1.0+protobuf', format: 'protobuf' },
];

/** The Accept header's media ranges with q > 0, best first (stable among equals). */
function acceptClauses(header: string): Array<{ type: string; subtype: string }> {
  const clauses: Array<{ type: string; subtype: string; q: number; index: number }> = [];
  header.split(',').forEach((range, index) => {
    const [mediaType = '', ...params] = range.split(';');
    const [type = '', subtype = ''] = mediaType.trim().toLowerCase().split('/');
    let q = 1;
    for (const param of params) {
      const [name, value] = param.split('=').map((part) => part.trim());
      if (name === 'q' && value !== undefined) q = Number(value);
    }
    if (type && q > 0) clauses.push({ type, subtype: subtype || '*', q, index });
  });
  return clauses.sort((a, b) => b.q - a.q || a.index - b.index);
}

/** The format an Accept header asks for, or undefined when none is acceptable. */
export function negotiateOpenAPIV2(accept: string | undefined): Format | undefined {
  if (!accept || !accept.trim()) return 'json';
  for (const clause of acceptClauses(accept)) {
    for (const offer of OFFERS) {
      if ((clause.type === offer.type || clause.type === '*') && (clause.subtype === offer.subtype || clause.subtype === '*')) return offer.format;
    }
  }
  return undefined;
}

/** True when an `If-None-Match` header names `etag` (strong or weak) or is `*`. */
function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((candidate) => {
    const tag = candidate.trim().replace(/^W\//, '');
    return tag === '*' || tag === `"${etag}"`;
  });
}

function send(reply: FastifyReply, doc: EncodedDocument, contentType: string, ifNoneMatch: string | undefined): FastifyReply {
  reply.header('ETag', `"${doc.etag}"`);
  if (matchesIfNoneMatch(ifNoneMatch, doc.etag)) return reply.code(304).send();
  return reply.type(contentType).send(doc.body);
}

/**
 * Fastify plugin serving `GET /openapi/v2`. Register with
 * `app.register(openapiV2Plugin, { kubernetesVersion: 'v1.31.0' })`.
 */
export const openapiV2Plugin: FastifyPluginAsync<OpenAPIV2Options> = async (app, options) => {
  const version = options.kubernetesVersion;
  const source: OpenAPIV2Source = options.source ?? {
    json: () => openapiV2Json(version),
    protobuf: () => openapiV2Protobuf(version),
  };

  app.get('/openapi/v2', async (request, reply) => {
    reply.header('Vary', 'Accept');
    const format = negotiateOpenAPIV2(request.headers.accept);
    if (format === undefined) {
      const err = notAcceptable(['application/json', OPENAPI_V2_PROTOBUF]);
      return reply.code(err.code).type('application/json').send(err.status);
    }
    const ifNoneMatch = request.headers['if-none-match'];
    if (format === 'protobuf') return send(reply, source.protobuf(), OPENAPI_V2_PROTOBUF, ifNoneMatch);
    return send(reply, source.json(), 'application/json', ifNoneMatch);
  });
};
