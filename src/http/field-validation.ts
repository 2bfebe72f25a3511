/**
 * Decoding checks of write bodies for built-in kinds, as kube-apiserver's strict decoder does
 * them: Go type mismatches are a 400, unknown and duplicate fields follow `fieldValidation`
 * (Strict: 400; Warn, the default: one `Warning: 299` header each; Ignore: nothing), and
 * unknown fields are always dropped before the object is stored. For PATCH the same checks run
 * on the patched object and fail with upstream's 422 `patch: Invalid value` form.
 * Owns: fieldValidation handling and Warning headers. Must not: store anything.
 */
import type { FastifyReply } from 'fastify';
import { badRequest, invalid } from '../api/errors.js';
import { field } from '../api/field-errors.js';
import type { ResourceInfo } from '../api/resource.js';
import type { KubeObject } from '../api/types.js';
import {
  cannotBeHandled,
  decodeTypeErrors,
  pruneUnknownFields,
  strictDecodingMessage,
  unknownFieldMessage,
  unknownFields,
} from '../registry/validation/schema.js';
import { duplicateFields, strictErrors } from '../registry/validation/strict.js';
import type { WriteQuery } from './options.js';

/** The group, version and kind an object is decoded as (its own apiVersion/kind, else the URL's). */
function gvkOf(info: ResourceInfo, obj: KubeObject): { group: string; version: string; kind: string } {
  const apiVersion = typeof obj.apiVersion === 'string' ? obj.apiVersion : '';
  const slash = apiVersion.indexOf('/');
  if (!apiVersion) return { group: info.group, version: info.version, kind: info.kind };
  return {
    group: slash < 0 ? '' : apiVersion.slice(0, slash),
    version: slash < 0 ? apiVersion : apiVersion.slice(slash + 1),
    kind: typeof obj.kind === 'string' ? obj.kind : info.kind,
  };
}

/** Adds `Warning: 299` headers (deduplicated, quoted as Go's %q). */
export function addWarnings(reply: FastifyReply, warnings: readonly string[]): void {
  if (!warnings.length) return;
  const existing = reply.getHeader('Warning');
  const list = existing === undefined ? [] : Array.isArray(existing) ? existing.map(String) : [String(existing)];
  for (const text of warnings) list.push(`299 - ${JSON.stringify(text)}`);
  reply.header('Warning', [...new Set(list)]);
}

/**
 * Checks a decoded create/update body (`text` is the raw JSON, when the body was JSON) and prunes
 * unknown fields; returns the warnings to send. Throws 400 as upstream for type errors and, under
 * Strict, unknown or duplicate fields.
 */
export function checkBody(info: ResourceInfo, obj: KubeObject, text: string | undefined, query: WriteQuery): string[] {
  const { group, version, kind } = gvkOf(info, obj);
  const typeError = decodeTypeErrors(group, version, kind, obj);
  if (typeError) throw badRequest(cannotBeHandled(kind, version, typeError));
  let problems: string[] = [];
  if (query.fieldValidation !== 'Ignore')
    problems = text !== undefined ? strictErrors(group, version, kind, text) : unknownFields(group, version, kind, obj).map(unknownFieldMessage);
  if (problems.length && query.fieldValidation === 'Strict') throw badRequest(cannotBeHandled(kind, version, strictDecodingMessage(problems)));
  pruneUnknownFields(group, version, kind, obj);
  return query.fieldValidation === 'Warn' ? problems : [];
}

/** The checks of a patched object: failures are 422 `patch: Invalid value: ...`; returns warnings. */
export function checkPatched(info: ResourceInfo, obj: KubeObject, patchText: string, query: WriteQuery, jsonPatch: boolean): string[] {
  const fail = (detail: string) => invalid({ group: '', name: '' }, '', [field.invalid('patch', JSON.stringify(obj), detail)]);
  const { group, version, kind } = gvkOf(info, obj);
  const typeError = decodeTypeErrors(group, version, kind, obj);
  if (typeError) throw fail(typeError);
  let problems: string[] = [];
  if (query.fieldValidation !== 'Ignore') {
    const duplicates = duplicateFields(patchText).map((d) => (jsonPatch ? `json patch ${d}` : d));
    problems = [...duplicates, ...unknownFields(group, version, kind, obj).map(unknownFieldMessage)];
  }
  if (problems.length && query.fieldValidation === 'Strict') throw fail(strictDecodingMessage(problems));
  pruneUnknownFields(group, version, kind, obj);
  return query.fieldValidation === 'Warn' ? problems : [];
}
