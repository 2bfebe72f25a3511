/**
 * StatusError and its named constructors, worded exactly as apimachinery's `pkg/api/errors`.
 * Every error that reaches HTTP is one of these; programming errors stay plain TypeErrors.
 * Owns: the Status shape of failures. Must not: do I/O or know HTTP frameworks.
 */
import type { Status, StatusCause, StatusDetails } from './types.js';
import { aggregateMessage, type FieldError } from './field-errors.js';

/** A group and a resource (plural) or kind, printed as `resource.group` or `resource`. */
export interface GroupName {
  group: string;
  /** The plural resource name (or, for Invalid, the Kind). */
  name: string;
}

/** `resource.group`, or `resource` in the core group (schema.GroupResource.String()). */
export function qualified({ group, name }: GroupName): string {
  return group ? `${name}.${group}` : name;
}

/** An error that carries the Kubernetes Status it is answered with. */
export class StatusError extends Error {
  readonly status: Status;

  constructor(code: number, reason: string, message: string, details?: StatusDetails) {
    super(message);
    this.name = 'StatusError';
    this.status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
    if (details) this.status.details = details;
  }

  get code(): number {
    return this.status.code;
  }

  get reason(): string {
    return this.status.reason ?? '';
  }
}

function resourceDetails(resource: GroupName, name?: string): StatusDetails {
  const details: StatusDetails = {};
  if (name) details.name = name;
  if (resource.group) details.group = resource.group;
  details.kind = resource.name;
  return details;
}

/** 404 `<resource> "<name>" not found`. */
export function notFound(resource: GroupName, name: string): StatusError {
  return new StatusError(404, 'NotFound', `${qualified(resource)} ${JSON.stringify(name)} not found`, resourceDetails(resource, name));
}

/** 409 `<resource> "<name>" already exists`. */
export function alreadyExists(resource: GroupName, name: string): StatusError {
  return new StatusError(409, 'AlreadyExists', `${qualified(resource)} ${JSON.stringify(name)} already exists`, resourceDetails(resource, name));
}

/** 409 AlreadyExists when generateName found no free name. */
export function generateNameConflict(resource: GroupName, name: string, retryAfterSeconds: number): StatusError {
  return new StatusError(
    409,
    'AlreadyExists',
    `${qualified(resource)} ${JSON.stringify(name)} already exists, the server was not able to generate a unique name for the object`,
    { ...resourceDetails(resource, name), retryAfterSeconds },
  );
}

/** The detail of a stale-resourceVersion conflict. */
export const OBJECT_MODIFIED = 'the object has been modified; please apply your changes to the latest version and try again';

/** 409 `Operation cannot be fulfilled on <resource> "<name>": <detail>`. */
export function conflict(resource: GroupName, name: string, detail: string = OBJECT_MODIFIED): StatusError {
  return new StatusError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualified(resource)} ${JSON.stringify(name)}: ${detail}`,
    resourceDetails(resource, name),
  );
}

/** 422 `<Kind>[.<group>] "<name>" is invalid: <errors>` with one cause per field error. */
export function invalid(kind: GroupName, name: string, errors: readonly FieldError[]): StatusError {
  const causes: StatusCause[] = errors.map((e) => ({ reason: e.type, message: e.body(), field: e.field }));
  const details: StatusDetails = { ...resourceDetails(kind, name), causes };
  const head = `${qualified(kind)} ${JSON.stringify(name)} is invalid`;
  return new StatusError(422, 'Invalid', errors.length ? `${head}: ${aggregateMessage(errors)}` : head, details);
}

/** 400 BadRequest with the message as given. */
export function badRequest(message: string): StatusError {
  return new StatusError(400, 'BadRequest', message);
}

/** 401 Unauthorized. */
export function unauthorized(message = 'Unauthorized'): StatusError {
  return new StatusError(401, 'Unauthorized', message || 'not authorized');
}

/** 403 `<resource> ["<name>"] is forbidden: <detail>`. */
export function forbidden(resource: GroupName | undefined, name: string, detail: string): StatusError {
  let message: string;
  if (!resource || (!resource.group && !resource.name)) message = `forbidden: ${detail}`;
  else if (!name) message = `${qualified(resource)} is forbidden: ${detail}`;
  else message = `${qualified(resource)} ${JSON.stringify(name)} is forbidden: ${detail}`;
  return new StatusError(403, 'Forbidden', message, resource ? resourceDetails(resource, name) : undefined);
}

/** 405 `<action> is not supported on resources of kind "<resource>"`. */
export function methodNotSupported(resource: GroupName, action: string): StatusError {
  return new StatusError(
    405,
    'MethodNotAllowed',
    `${action} is not supported on resources of kind ${JSON.stringify(qualified(resource))}`,
    resourceDetails(resource),
  );
}

/** 410 Expired (too old resourceVersion, expired continue token). */
export function resourceExpired(message: string): StatusError {
  return new StatusError(410, 'Expired', message);
}

/** 410 Gone. */
export function gone(message: string): StatusError {
  return new StatusError(410, 'Gone', message);
}

/** 413 `Request entity too large: <message>`. */
export function requestEntityTooLarge(message: string): StatusError {
  return new StatusError(413, 'RequestEntityTooLarge', `Request entity too large: ${message}`);
}

/** 415 UnsupportedMediaType. */
export function unsupportedMediaType(contentType: string, supported: readonly string[]): StatusError {
  return new StatusError(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: ${supported.join(', ')}`,
  );
}

/** 406 NotAcceptable. */
export function notAcceptable(supported: readonly string[]): StatusError {
  return new StatusError(406, 'NotAcceptable', `only the following media types are accepted: ${supported.join(', ')}`);
}

/** 404 for a path that names nothing. */
export function pathNotFound(): StatusError {
  return new StatusError(404, 'NotFound', 'the server could not find the requested resource', {});
}

/** 503 ServiceUnavailable. */
export function serviceUnavailable(message: string): StatusError {
  return new StatusError(503, 'ServiceUnavailable', message);
}

/** 500 `Internal error occurred: <message>`. */
export function internalError(err: unknown): StatusError {
  const message = err instanceof Error ? err.message : String(err);
  return new StatusError(500, 'InternalError', `Internal error occurred: ${message}`, { causes: [{ message }] });
}

/** True for a StatusError. */
export function isStatusError(err: unknown): err is StatusError {
  return err instanceof StatusError;
}
