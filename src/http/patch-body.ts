/**
 * PATCH bodies: the media type picks the patch (JSON patch, merge patch, strategic merge patch
 * for built-in kinds), the body is parsed once, and the result is a function from the current
 * object to the patched one, so the store can re-apply it when it retries a conflicting write.
 * Owns: PATCH body → patch function, with kube-apiserver's 400/415 wording. Must not: write.
 */
import type { FastifyRequest } from 'fastify';
import { parse as parseYaml } from 'yaml';
import { badRequest, unsupportedMediaType } from '../api/errors.js';
import type { KubeObject } from '../api/types.js';
import { mediaTypeOf } from '../codec/decode.js';
import type { SchemaNode } from '../openapi/patch-meta.js';
import { applyPatch } from '../patch/index.js';

const JSON_PATCH = 'application/json-patch+json';
const MERGE_PATCH = 'application/merge-patch+json';
const STRATEGIC_PATCH = 'application/strategic-merge-patch+json';
const APPLY_PATCH = 'application/apply-patch+yaml';

/** The patch types of a resource: strategic merge only where a built-in schema gives its metadata. */
export function patchTypes(strategic: boolean): string[] {
  return strategic ? [JSON_PATCH, MERGE_PATCH, STRATEGIC_PATCH, APPLY_PATCH] : [JSON_PATCH, MERGE_PATCH, APPLY_PATCH];
}

/** Removes `null` values left by a strategic merge (upstream drops them converting to the typed object). */
function dropNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropNulls);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== null) out[k] = dropNulls(v);
  return out;
}

/**
 * Decodes a PATCH body of `request` (not apply: the caller handles apply-patch itself).
 * `schema` gives the kind's schema for strategic merge (undefined: the kind has none → 415).
 */
export function readPatch(request: FastifyRequest, body: Buffer, schema: () => SchemaNode | undefined): (current: unknown) => unknown {
  const type = mediaTypeOf(request.headers['content-type']);
  const strategic = type === STRATEGIC_PATCH ? schema() : undefined;
  if (type !== JSON_PATCH && type !== MERGE_PATCH && !strategic) throw unsupportedMediaType(type, patchTypes(schema() !== undefined));
  let patch: unknown;
  try {
    patch = JSON.parse(body.toString('utf8'));
  } catch {
    throw badRequest('invalid JSON patch');
  }
  if (type === JSON_PATCH) return (current) => applyPatch('json', current, patch);
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) throw badRequest('Invalid JSON Patch');
  if (strategic) return (current) => dropNulls(applyPatch('strategic', current, patch, strategic));
  return (current) => applyPatch('merge', current, patch);
}

/** True for server-side apply bodies. */
export function isApplyPatch(request: FastifyRequest): boolean {
  return mediaTypeOf(request.headers['content-type']) === APPLY_PATCH;
}

/** The applied configuration of a server-side apply (YAML or JSON); 400 `error decoding patch: ...` otherwise. */
export function readApplyBody(body: Buffer): KubeObject {
  let value: unknown;
  const text = body.toString('utf8');
  try {
    // Clients send apply configurations as JSON (a subset of YAML): parse that the fast way.
    value = text.trimStart().startsWith('{') ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    if (text.trimStart().startsWith('{')) {
      try {
        value = parseYaml(text);
      } catch {
        throw badRequest(`error decoding patch: ${(err as Error).message.split('\n')[0]}`);
      }
      return asObject(value);
    }
    throw badRequest(`error decoding patch: ${(err as Error).message.split('\n')[0]}`);
  }
  return asObject(value);
}

function asObject(value: unknown): KubeObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw badRequest(`error decoding patch: json: cannot unmarshal ${Array.isArray(value) ? 'array' : typeof value} into Go value of type map[string]interface {}`);
  return value as KubeObject;
}
