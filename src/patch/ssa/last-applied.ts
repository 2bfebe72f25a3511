/**
 * Client-side → server-side apply migration, as apimachinery's lastappliedmanager.go and
 * lastappliedupdater.go: when `kubectl` (exactly that manager name) applies server-side to an
 * object carrying `kubectl.kubernetes.io/last-applied-configuration`,
 *   - conflicts on fields the annotation holds with the value the object still has are
 *     allowed (the client-side applier is taking them over), and the apply is forced;
 *   - after the apply, the annotation is rewritten to the applied configuration, so a later
 *     client-side apply still sees what was applied (dropped when annotations would pass 256 KiB).
 * Owns: the annotation's reading and rewriting. Must not: merge (merge.ts) or format errors.
 */
import type { KubeObject } from '../../api/types.js';
import { FieldSet } from './fieldpath.js';
import type { SmdType } from './schema.js';
import { compare, toFieldSet, validate } from './typed.js';
import { goJson, isMap } from './value.js';

/** The client-side apply annotation. */
export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';

/** The only manager name the migration applies to. */
export const KUBECTL_MANAGER = 'kubectl';

/** The total size annotations may have (TotalAnnotationSizeLimitB). */
const ANNOTATIONS_SIZE_LIMIT = 256 * 1024;

function annotationsOf(obj: KubeObject | undefined): Record<string, string> | undefined {
  const annotations = obj?.metadata?.annotations;
  return isMap(annotations) ? (annotations as Record<string, string>) : undefined;
}

/** True when the object carries a non-empty last-applied annotation. */
export function hasLastApplied(obj: KubeObject | undefined): boolean {
  const value = annotationsOf(obj)?.[LAST_APPLIED_ANNOTATION];
  return typeof value === 'string' && value.length > 0;
}

/**
 * allowedConflictsFromLastApplied: the fields of the annotation whose values the live object
 * still has; undefined when there is no usable annotation (absent, not JSON, other apiVersion,
 * not valid for the schema).
 */
export function allowedConflictsFromLastApplied(live: KubeObject, apiVersion: string, type: SmdType): FieldSet | undefined {
  if (!hasLastApplied(live)) return undefined;
  let last: unknown;
  try {
    last = JSON.parse(annotationsOf(live)![LAST_APPLIED_ANNOTATION] as string);
  } catch {
    return undefined;
  }
  if (!isMap(last) || last['apiVersion'] !== apiVersion) return undefined;
  if (validate(last, type).length > 0) return undefined;
  const differs = compare(last, live, type);
  return toFieldSet(last, type).difference(differs.modified).difference(differs.added).difference(differs.removed);
}

/** buildLastApplied: the applied configuration without the annotation, as Go's json.Encoder writes it. */
export function buildLastApplied(applied: KubeObject): string {
  const copy = structuredClone(applied);
  const annotations = annotationsOf(copy);
  if (annotations) delete annotations[LAST_APPLIED_ANNOTATION];
  return `${goJson(copy)}\n`;
}

/** SetLastApplied: writes the annotation into `obj` (mutated), or removes it when annotations would be too large. */
export function setLastApplied(obj: KubeObject, value: string): void {
  obj.metadata ??= {};
  const annotations: Record<string, string> = { ...(annotationsOf(obj) ?? {}), [LAST_APPLIED_ANNOTATION]: value };
  let size = 0;
  for (const [k, v] of Object.entries(annotations)) size += Buffer.byteLength(k) + Buffer.byteLength(String(v));
  if (size > ANNOTATIONS_SIZE_LIMIT) delete annotations[LAST_APPLIED_ANNOTATION];
  obj.metadata.annotations = annotations;
}
