/**
 * Decode checks of custom-resource bodies, as apiextensions' schema-coercing decoder makes them:
 * duplicate keys of the JSON text, then the fields pruning removes (`unknown field "spec.foo"`),
 * are strict decoding errors — a 400 under `fieldValidation=Strict` (a 422 `patch: Invalid value`
 * for PATCH, as for built-in kinds), one Warning each under Warn, nothing under Ignore — and the
 * unknown fields are always dropped. Also the per-version view of write answers.
 * Owns: those checks for resources with hooks. Must not: store anything.
 */
import { badRequest, invalid } from '../api/errors.js';
import { field } from '../api/field-errors.js';
import type { ResourceInfo } from '../api/resource.js';
import type { KubeObject } from '../api/types.js';
import type { WriteResult } from '../registry/generic-store.js';
import type { ResourceHooks } from '../registry/resource-hooks.js';
import { cannotBeHandled, strictDecodingMessage, unknownFieldMessage } from '../registry/validation/schema.js';
import { duplicateFields } from '../registry/validation/strict.js';
import type { WriteQuery } from './options.js';

function problemsOf(hooks: ResourceHooks, obj: KubeObject, text: string | undefined, query: WriteQuery): string[] {
  const duplicates = query.fieldValidation !== 'Ignore' && text !== undefined ? safeDuplicates(text) : [];
  const pruned = hooks.prune(obj);
  return query.fieldValidation === 'Ignore' ? [] : [...duplicates, ...pruned.map(unknownFieldMessage)];
}

function safeDuplicates(text: string): string[] {
  try {
    return duplicateFields(text);
  } catch {
    return [];
  }
}

/** Checks and prunes a decoded create/update body of a custom resource; returns the warnings to send. */
export function checkCustomBody(info: ResourceInfo, hooks: ResourceHooks, obj: KubeObject, text: string | undefined, query: WriteQuery): string[] {
  const problems = problemsOf(hooks, obj, text, query);
  if (problems.length && query.fieldValidation === 'Strict') throw badRequest(cannotBeHandled(info.kind, info.version, strictDecodingMessage(problems)));
  return query.fieldValidation === 'Warn' ? problems : [];
}

/** Checks and prunes a patched custom resource: Strict failures are 422 `patch: Invalid value: ...`; returns warnings. */
export function checkCustomPatched(hooks: ResourceHooks, obj: KubeObject, patchText: string, query: WriteQuery): string[] {
  const problems = problemsOf(hooks, obj, patchText, query);
  if (problems.length && query.fieldValidation === 'Strict')
    throw invalid({ group: '', name: '' }, '', [field.invalid('patch', JSON.stringify(obj), strictDecodingMessage(problems))]);
  return query.fieldValidation === 'Warn' ? problems : [];
}

/** A write's answer as the requested version shows it (object and, when unchanged, its bytes). */
export function viewedResult(hooks: ResourceHooks | undefined, result: WriteResult): { object: KubeObject; bytes?: Uint8Array } {
  if (!hooks?.viewObject) return result.bytes ? { object: result.object, bytes: result.bytes } : { object: result.object };
  const stored = result.bytes ? (JSON.parse(Buffer.from(result.bytes).toString('utf8')) as KubeObject) : result.object;
  const shown = hooks.viewObject(stored);
  if (shown === stored && result.bytes) return { object: shown, bytes: result.bytes };
  return { object: shown };
}
