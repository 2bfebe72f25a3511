/**
 * The pod-template-hash: upstream's ComputeHash takes FNV-32a over a dump of the template plus
 * `collisionCount` and encodes its decimal digits in the safe alphabet (rand.SafeEncodeString).
 * A Go object dump cannot be reproduced here, so the hash is taken over canonical JSON (sorted
 * keys) instead: stable, short, and in the same alphabet — clients only read the label.
 * Also the template equality that ignores the hash label (EqualIgnoreHash).
 * Owns: hashing and template comparison. Must not: do I/O.
 */
import type { PodTemplate } from '../replicaset/objects.js';
import { HASH_LABEL } from './objects.js';

const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** True for what Go's omitempty drops from JSON: null, empty objects and empty arrays. */
function isEmpty(value: unknown): boolean {
  if (value === null || value === undefined) return true;
  if (Array.isArray(value)) return value.length === 0;
  return typeof value === 'object' && Object.values(value as Record<string, unknown>).every(isEmpty);
}

/**
 * JSON with object keys sorted, at every depth, without empty values (null, {}, []), so a
 * template that went through a Go client (`creationTimestamp: null`, `resources: {}`) compares
 * equal to the one stored.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => !isEmpty(v));
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function fnv32a(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** The pod-template-hash of `template` with `collisionCount`. */
export function computeHash(template: PodTemplate | undefined, collisionCount?: number): string {
  let text = canonicalJson(template ?? {});
  if (collisionCount !== undefined) text += `#${collisionCount}`;
  return [...String(fnv32a(text))].map((d) => ALPHABET[d.charCodeAt(0) % ALPHABET.length]).join('');
}

function withoutHash(template: PodTemplate | undefined): string {
  const copy = structuredClone(template ?? {});
  if (copy.metadata?.labels) {
    delete copy.metadata.labels[HASH_LABEL];
    if (!Object.keys(copy.metadata.labels).length) delete copy.metadata.labels;
  }
  return canonicalJson(copy);
}

/** deploymentutil.EqualIgnoreHash: the templates equal once the hash label is dropped. */
export function equalIgnoreHash(a: PodTemplate | undefined, b: PodTemplate | undefined): boolean {
  return withoutHash(a) === withoutHash(b);
}
