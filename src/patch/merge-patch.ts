/**
 * JSON merge patch (RFC 7386): objects merge recursively, `null` removes a key, anything else
 * (lists included) replaces. Small enough to own rather than depend on.
 * Owns: the merge. Must not: know Kubernetes kinds.
 */

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Returns `target` merged with `patch` (inputs are not modified). */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  const result: Json = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}
