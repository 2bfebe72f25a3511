/**
 * Turns every failure into a Kubernetes Status: StatusErrors as they are, fastify's own errors
 * (body too large, bad content length, unknown route) into their Kubernetes equivalents, and
 * a storage that cannot be reached (etcd down, no quorum) into 503 with Retry-After, and
 * anything else into a 500 InternalError that is logged.
 * Owns: the error handler and the 404 handler. Must not: know resources.
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import { badRequest, internalError, isStatusError, pathNotFound, requestEntityTooLarge, StatusError } from '../api/errors.js';
import { StorageError } from '../storage/types.js';
import { sendStatus } from './respond.js';

/** The most bytes a request body may have (kube-apiserver's 3 MiB). */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;

function fromFastify(err: FastifyError): StatusError | undefined {
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return requestEntityTooLarge(`limit is ${MAX_BODY_BYTES}`);
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return badRequest(err.message);
    default:
      if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) return badRequest(err.message);
      return undefined;
  }
}

/** Seconds a client should wait before retrying a write the storage could not take. */
export const STORAGE_RETRY_AFTER_SECONDS = 1;

/** 503 for a storage failure (the registry translates the codes clients caused). */
function fromStorage(err: unknown): StatusError | undefined {
  if (!(err instanceof StorageError) || (err.code !== 'Unavailable' && err.code !== 'Closed')) return undefined;
  return new StatusError(503, 'ServiceUnavailable', `storage is unavailable, try again later: ${err.message}`, {
    retryAfterSeconds: STORAGE_RETRY_AFTER_SECONDS,
  });
}

/** Installs the error and not-found handlers on `app`. */
export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((err, request, reply) => {
    let status: StatusError;
    if (isStatusError(err)) status = err;
    else {
      const mapped = fromStorage(err) ?? fromFastify(err as FastifyError);
      if (mapped) status = mapped;
      else {
        request.log.error({ err }, 'internal error');
        status = internalError(err);
      }
    }
    return sendStatus(reply, status.status);
  });
  app.setNotFoundHandler((_request, reply) => sendStatus(reply, pathNotFound().status));
}
