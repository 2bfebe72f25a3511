/**
 * `GET /openapi/v3` and `GET /openapi/v3/<group-version path>`, behaving like kube-openapi's
 * handler3:
 * - the index lists every document with `?hash=<etag>`; each reply carries `ETag: "<etag>"`
 *   and answers a matching `If-None-Match` with 304;
 * - a document requested with the current hash is immutable: `Cache-Control: public,
 *   immutable` (plus a one-year max-age) and `Expires` a year ahead; with any other hash the
 *   client is redirected (301) to the current `?hash=` URL;
 * - documents are JSON only (`Vary: Accept`); an Accept that excludes JSON gets 406;
 * - an unknown group-version gets 404 with a Kubernetes Status body.
 * No hooks: the server composer registers this plugin; authentication is added elsewhere.
 * Owns: the HTTP behaviour of OpenAPI v3. Must not: build or parse documents (src/openapi does).
 */
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { notAcceptable, pathNotFound, type StatusError } from '../api/errors.js';
import { openapiV3Document, openapiV3IndexDocument, type EncodedDocument } from '../openapi/schemas.js';

/** Where the plugin gets its bytes; defaults to the built-in documents. CRDs can later supply their own. */
export interface OpenAPIV3Source {
  index(): EncodedDocument;
  document(gvPath: string): EncodedDocument | undefined;
}

/** Options of {@link openapiV3Plugin}. */
export interface OpenAPIV3Options {
  source?: OpenAPIV3Source;
}

const BUILTIN_SOURCE: OpenAPIV3Source = { index: openapiV3IndexDocument, document: openapiV3Document };
const ONE_YEAR_SECONDS = 365 * 24 * 60 * 60;

/** True when an `If-None-Match` header names `etag` (strong or weak) or is `*`. */
function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((candidate) => {
    const tag = candidate.trim().replace(/^W\//, '');
    return tag === '*' || tag === `"${etag}"`;
  });
}

/** True when an Accept header admits `application/json` (a missing header admits anything). */
function acceptsJson(header: string | undefined): boolean {
  if (!header || !header.trim()) return true;
  return header.split(',').some((range) => {
    const mediaType = (range.split(';')[0] ?? '').trim().toLowerCase();
    return mediaType === 'application/json' || mediaType === 'application/*' || mediaType === '*/*';
  });
}

function sendStatus(reply: FastifyReply, err: StatusError): FastifyReply {
  return reply.code(err.code).type('application/json').send(err.status);
}

function sendDocument(reply: FastifyReply, doc: EncodedDocument, ifNoneMatch: string | undefined): FastifyReply {
  reply.header('ETag', `"${doc.etag}"`);
  if (matchesIfNoneMatch(ifNoneMatch, doc.etag)) return reply.code(304).send();
  return reply.type('application/json').send(doc.body);
}

/**
 * Fastify plugin serving the OpenAPI v3 index and documents. Register with
 * `app.register(openapiV3Plugin)` (or with `{ source }` to serve other documents).
 */
export const openapiV3Plugin: FastifyPluginAsync<OpenAPIV3Options> = async (app, options) => {
  const source = options.source ?? BUILTIN_SOURCE;

  app.get('/openapi/v3', async (request, reply) => {
    return sendDocument(reply, source.index(), request.headers['if-none-match']);
  });

  app.get<{ Params: { '*': string }; Querystring: { hash?: string | string[] } }>('/openapi/v3/*', async (request, reply) => {
    const gvPath = request.params['*'];
    const doc = source.document(gvPath);
    if (!doc) return sendStatus(reply, pathNotFound());
    reply.header('Vary', 'Accept');
    if (!acceptsJson(request.headers.accept)) return sendStatus(reply, notAcceptable(['application/json']));

    const hash = Array.isArray(request.query.hash) ? request.query.hash[0] : request.query.hash;
    if (hash) {
      if (hash !== doc.etag) {
        reply.header('ETag', `"${doc.etag}"`);
        return reply.redirect(`/openapi/v3/${gvPath}?hash=${doc.etag}`, 301);
      }
      const expires = new Date();
      expires.setUTCFullYear(expires.getUTCFullYear() + 1);
      reply.header('Cache-Control', `public, immutable, max-age=${ONE_YEAR_SECONDS}`);
      reply.header('Expires', expires.toUTCString());
    }
    return sendDocument(reply, doc, request.headers['if-none-match']);
  });
};
