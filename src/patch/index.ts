/**
 * One entry point for the three PATCH body types kube-apiserver accepts besides apply:
 * JSON patch (RFC 6902), JSON merge patch (RFC 7386) and strategic merge patch. Every failure
 * is a StatusError worded and coded as kube-apiserver answers it.
 * Owns: choosing the patch algorithm. Must not: know HTTP media types or load schemas.
 */
import { jsonPatch } from './json-patch.js';
import { mergePatch } from './merge-patch.js';
import { strategicMergePatch, StrategicMergePatchError } from './strategic-merge.js';
import type { SchemaNode } from '../openapi/patch-meta.js';

/** The patch body types: `application/json-patch+json`, `merge-patch+json`, `strategic-merge-patch+json`. */
export type PatchType = 'json' | 'merge' | 'strategic';

/**
 * `current` patched with `patch` (a decoded body); inputs are not modified. `schema` is the
 * kind's SchemaNode (`schemaNodeFor`) and is required for `strategic`, which only built-in
 * kinds accept (custom resources are answered 415 before this is called): TypeError without it.
 * Throws StatusError for bad patches (400/422/500 as kube-apiserver).
 */
export function applyPatch(type: PatchType, current: unknown, patch: unknown, schema?: SchemaNode): unknown {
  switch (type) {
    case 'json':
      return jsonPatch(current, patch);
    case 'merge':
      return mergePatch(current, patch);
    case 'strategic':
      if (!schema) throw new TypeError('applyPatch: a strategic merge patch needs the kind schema');
      try {
        return strategicMergePatch(current, patch, schema);
      } catch (err) {
        if (err instanceof StrategicMergePatchError) throw err.toStatusError();
        throw err;
      }
  }
}
