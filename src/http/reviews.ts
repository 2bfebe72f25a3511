/**
 * Routes of the review resources (SelfSubjectAccessReview, SubjectAccessReview,
 * LocalSubjectAccessReview, SelfSubjectRulesReview, SelfSubjectReview): POST only, body decoded
 * like any write (JSON, YAML or protobuf), answered with 201 and nothing stored.
 * Owns: HTTP ⇄ review answers. Must not: hold review rules (see src/auth/reviews.ts).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { methodNotSupported, pathNotFound } from '../api/errors.js';
import { answerReview, reviewResource } from '../auth/reviews.js';
import type { Authorizer } from '../auth/rbac/types.js';
import { anonymousUser } from '../auth/user.js';
import { decodeObject } from '../codec/decode.js';
import type { ResourcePath } from './request-info.js';
import { sendObject } from './respond.js';

/** A handler for review paths: answers and returns the reply, or returns undefined for any other path. */
export type ReviewHandler = (path: ResourcePath, request: FastifyRequest, reply: FastifyReply) => FastifyReply | undefined;

/** The review routes, answering from `authorizer`. */
export function reviewHandler(authorizer: () => Authorizer): ReviewHandler {
  return (path, request, reply) => {
    const info = reviewResource(path.group, path.version, path.resource);
    if (!info) return undefined;
    if (path.name !== undefined || (path.namespace !== undefined) !== info.namespaced) throw pathNotFound();
    if (request.method !== 'POST') throw methodNotSupported({ group: info.group, name: info.plural }, request.method.toLowerCase());
    const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const object = decodeObject(body, request.headers['content-type'], { group: info.group, version: info.version, kind: info.kind });
    const answer = answerReview(info, object, { user: request.user ?? anonymousUser(), namespace: path.namespace, authorizer: authorizer() });
    return sendObject(request, reply, 201, answer);
  };
}
