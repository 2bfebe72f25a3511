/**
 * JSON patch (RFC 6902) through the `rfc6902` library, with kube-apiserver's limits and error
 * answers: at most 10,000 operations (413), malformed patches 400, failed operations 422.
 * Owns: applying a JSON patch to an object copy. Must not: know Kubernetes kinds.
 */
import { applyPatch, type Operation } from 'rfc6902';
import { badRequest, requestEntityTooLarge, StatusError } from '../api/errors.js';

const MAX_OPERATIONS = 10000;
const OPS = new Set(['add', 'remove', 'replace', 'move', 'copy', 'test']);

/** Checks a parsed body is a list of operations; throws 400 otherwise. */
function asOperations(patch: unknown): Operation[] {
  if (!Array.isArray(patch)) throw badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  for (const op of patch) {
    if (typeof op !== 'object' || op === null || Array.isArray(op))
      throw badRequest(`json: cannot unmarshal ${Array.isArray(op) ? 'array' : typeof op} into Go value of type jsonpatch.Operation`);
    const kind = (op as { op?: unknown }).op;
    if (typeof kind !== 'string' || !OPS.has(kind) || typeof (op as { path?: unknown }).path !== 'string')
      throw unprocessable(`Unexpected kind: ${String(kind)}`);
  }
  if (patch.length > MAX_OPERATIONS)
    throw requestEntityTooLarge(`The allowed maximum operations in a JSON patch is ${MAX_OPERATIONS}, got ${patch.length}`);
  return patch as Operation[];
}

/** 422 as NewGenericServerResponse words it. */
function unprocessable(cause: string): StatusError {
  const err = new StatusError(422, 'Invalid', 'the server rejected our request due to an error in our request', {});
  err.cause = cause;
  return err;
}

/** Applies a JSON patch to a copy of `target`; all operations succeed or none. */
export function jsonPatch(target: unknown, patch: unknown): unknown {
  const operations = asOperations(patch);
  const copy = structuredClone(target);
  const errors = applyPatch(copy, operations).filter((e) => e !== null);
  if (errors.length) throw unprocessable(String(errors[0]));
  return copy;
}
