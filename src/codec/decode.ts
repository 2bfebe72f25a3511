/**
 * Request-body decoding: JSON and YAML bodies into objects, with kube-apiserver's 400 wording
 * for bodies that do not parse, are not objects, or name another kind or version than the URL.
 * Owns: bytes → object for request bodies. Must not: know resources beyond the expected kind.
 */
import { parse as parseYaml } from 'yaml';
import { badRequest, isStatusError, unsupportedMediaType } from '../api/errors.js';
import type { KubeObject } from '../api/types.js';
import { goJsonSyntaxError } from '../api/go-json-error.js';
import { decodeProtobufObject, PROTOBUF_MEDIA_TYPE } from './protobuf/index.js';

/** Media types a write body may have. */
export const BODY_MEDIA_TYPES = ['application/json', 'application/yaml', PROTOBUF_MEDIA_TYPE] as const;

/** What the URL says the body must be. */
export interface ExpectedKind {
  group: string;
  version: string;
  kind: string;
  /** True when `kind` is served in the group of `apiVersion` (used to word mismatches). */
  isKnownKind?: (apiVersion: string, kind: string) => boolean;
}

/** The bare media type of a Content-Type header, lower-cased. */
export function mediaTypeOf(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

/** Parses a body as JSON or YAML (by media type) into an arbitrary JSON value. */
export function parseBody(body: Buffer, mediaType: string, expectedKind: string): unknown {
  try {
    if (mediaType === 'application/json' || mediaType === '') return JSON.parse(body.toString('utf8'));
    if (mediaType === 'application/yaml' || mediaType === 'application/apply-patch+yaml') {
      return parseYaml(body.toString('utf8'), { maxAliasCount: 100, uniqueKeys: false });
    }
    if (mediaType === PROTOBUF_MEDIA_TYPE) return decodeProtobufObject(body).object;
  } catch (err) {
    if (isStatusError(err)) throw err;
    const isJson = mediaType === 'application/json' || mediaType === '';
    const detail = (isJson && goJsonSyntaxError(body)) || (err instanceof Error ? err.message.split('\n')[0] : String(err));
    const how = isJson ? 'json parse error' : 'error converting YAML to JSON';
    throw badRequest(
      `the object provided is unrecognized (must be of type ${expectedKind}): couldn't get version/kind; ${how}: ${detail} (${summarize(body)})`,
    );
  }
  throw unsupportedMediaType(mediaType, BODY_MEDIA_TYPES);
}

/** Decodes a write body into an object of the expected kind; apiVersion and kind default from the URL. */
export function decodeObject(body: Buffer, contentType: string | undefined, expected: ExpectedKind): KubeObject {
  const mediaType = mediaTypeOf(contentType);
  // Protobuf bodies name their kind in the envelope; upstream ignores unknown protobuf fields.
  const value = mediaType === PROTOBUF_MEDIA_TYPE ? decodeProtobufObject(body, expected).object : parseBody(body, mediaType, expected.kind);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw badRequest(
      `the object provided is unrecognized (must be of type ${expected.kind}): couldn't get version/kind; json parse error: json: cannot unmarshal ${jsonTypeName(value)} into Go value of type struct { APIVersion string "json:\\"apiVersion,omitempty\\""; Kind string "json:\\"kind,omitempty\\"" } (${summarize(body)})`,
    );
  }
  const obj = value as KubeObject;
  const expectedVersion = expected.group ? `${expected.group}/${expected.version}` : expected.version;
  const apiVersion = typeof obj.apiVersion === 'string' && obj.apiVersion ? obj.apiVersion : expectedVersion;
  const kind = typeof obj.kind === 'string' && obj.kind ? obj.kind : expected.kind;
  const version = apiVersion.includes('/') ? apiVersion.slice(apiVersion.indexOf('/') + 1) : apiVersion;
  if (kind !== expected.kind) {
    const known = expected.isKnownKind?.(apiVersion, kind) ?? false;
    const internal = expected.group ? expected.group.split('.')[0] : 'core';
    const cause = known
      ? `converting (${version}.${kind}) to (${internal}.${expected.kind}): unknown conversion`
      : `no kind "${kind}" is registered for version "${apiVersion}" in scheme "pkg/runtime/scheme.go:100"`;
    throw badRequest(`${kind} in version "${version}" cannot be handled as a ${expected.kind}: ${cause}`);
  }
  if (apiVersion !== expectedVersion) {
    throw badRequest(`the API version in the data (${apiVersion}) does not match the expected API version (${expectedVersion})`);
  }
  obj.apiVersion = apiVersion;
  obj.kind = kind;
  checkMetadataShape(obj, expected.kind, version);
  return obj;
}

/** Rejects metadata that a Go decoder could not unmarshal into ObjectMeta. */
function checkMetadataShape(obj: KubeObject, kind: string, version: string): void {
  const fail = (what: string, field: string, goType: string) =>
    badRequest(
      `${kind} in version "${version}" cannot be handled as a ${kind}: json: cannot unmarshal ${what} into Go struct field ${field} of type ${goType}`,
    );
  const meta: unknown = obj.metadata;
  if (meta === undefined || meta === null) {
    obj.metadata = {};
    return;
  }
  if (typeof meta !== 'object' || Array.isArray(meta)) throw fail(jsonTypeName(meta), `${kind}.metadata`, 'v1.ObjectMeta');
  const m = meta as Record<string, unknown>;
  for (const key of ['name', 'generateName', 'namespace', 'uid', 'resourceVersion', 'creationTimestamp', 'deletionTimestamp']) {
    if (m[key] !== undefined && m[key] !== null && typeof m[key] !== 'string')
      throw fail(jsonTypeName(m[key]), `ObjectMeta.metadata.${key}`, 'string');
    if (m[key] === null) delete m[key];
  }
  for (const key of ['labels', 'annotations']) {
    const map = m[key];
    if (map === undefined || map === null) {
      delete m[key];
      continue;
    }
    if (typeof map !== 'object' || Array.isArray(map)) throw fail(jsonTypeName(map), `ObjectMeta.metadata.${key}`, 'map[string]string');
    for (const v of Object.values(map)) if (typeof v !== 'string') throw fail(jsonTypeName(v), `ObjectMeta.metadata.${key}`, 'string');
  }
  for (const key of ['finalizers', 'ownerReferences', 'managedFields']) {
    const list = m[key];
    if (list === null) delete m[key];
    else if (list !== undefined && !Array.isArray(list)) throw fail(jsonTypeName(list), `ObjectMeta.metadata.${key}`, key === 'finalizers' ? '[]string' : `[]v1.${key === 'ownerReferences' ? 'OwnerReference' : 'ManagedFieldsEntry'}`);
  }
  if (Array.isArray(m.finalizers) && m.finalizers.some((f) => typeof f !== 'string'))
    throw fail('number', 'ObjectMeta.metadata.finalizers', 'string');
  if (m.generation !== undefined && m.generation !== null && !Number.isInteger(m.generation))
    throw fail(jsonTypeName(m.generation), 'ObjectMeta.metadata.generation', 'int64');
}

/** The JSON type name Go's decoder uses in its messages. */
function jsonTypeName(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'object';
  if (typeof value === 'boolean') return 'bool';
  return typeof value;
}

/** The first 30 bytes of a body, as upstream's summarizeData. */
function summarize(body: Buffer): string {
  if (body.length === 0) return '<empty>';
  if (body[0] === 0x7b) return body.length > 30 ? `${body.subarray(0, 30).toString('utf8')} ...` : body.toString('utf8');
  return body.length > 30 ? `${body.subarray(0, 30).toString('hex')} ...` : body.toString('hex');
}
