/**
 * How the registry turns objects into stored bytes and back. Objects are stored as JSON with
 * their resourceVersion already set, so a GET can answer with the stored bytes unchanged, and
 * with `kind` and `apiVersion` first, as kube-apiserver writes them.
 * Owns: object ⇄ bytes, timestamps, deep copy. Must not: know storage keys or HTTP.
 */
import type { KubeObject, StoredObject } from '../api/types.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Parses stored bytes into an object (a fresh copy the caller owns). */
export function decodeStored(bytes: Uint8Array): StoredObject {
  return JSON.parse(decoder.decode(bytes)) as StoredObject;
}

/** Serialises an object with `kind`, `apiVersion`, `metadata` first. */
export function encodeObject(obj: KubeObject): Uint8Array {
  return encoder.encode(JSON.stringify(ordered(obj)));
}

/** Returns an encoder that stamps `revision` into metadata.resourceVersion before encoding. */
export function encodeAtRevision(obj: KubeObject): (revision: number) => Uint8Array {
  return (revision) => {
    obj.metadata = { ...obj.metadata, resourceVersion: String(revision) };
    return encodeObject(obj);
  };
}

/** The same object with kind, apiVersion and metadata as its first keys. */
export function ordered(obj: KubeObject): KubeObject {
  const { kind, apiVersion, metadata, ...rest } = obj;
  return { kind, apiVersion, metadata, ...rest };
}

/** RFC 3339 at second precision, as Kubernetes writes metav1.Time. */
export function nowTimestamp(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * A deep copy of a JSON value. Plain objects and arrays are copied by hand (several times faster
 * than structuredClone for the small objects of the write path, which is hot: every write copies
 * the stored and the desired object); anything else (a Date, a typed array) by structuredClone.
 */
export function clone<T>(value: T): T {
  return copyValue(value) as T;
}

function copyValue(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    const out: unknown[] = new Array(value.length);
    for (let i = 0; i < value.length; i++) out[i] = copyValue(value[i]);
    return out;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return structuredClone(value);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const copy = copyValue((value as Record<string, unknown>)[key]);
    // A `__proto__` key (JSON.parse makes it an own property) stays data, as structuredClone keeps it.
    if (key === '__proto__') Object.defineProperty(out, key, { value: copy, enumerable: true, writable: true, configurable: true });
    else out[key] = copy;
  }
  return out;
}

/** Structural equality of two JSON values, ignoring key order. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const other = b as unknown[];
    return a.length === other.length && a.every((v, i) => deepEqual(v, other[i]));
  }
  const ak = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const bk = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  if (ak.length !== bk.length) return false;
  return ak.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

const OMIT_EMPTY_META = ['labels', 'annotations', 'finalizers', 'ownerReferences'] as const;
const OMIT_EMPTY_TOP = ['data', 'binaryData'] as const;

function isEmpty(value: unknown): boolean {
  return (Array.isArray(value) && value.length === 0) || (typeof value === 'object' && value !== null && Object.keys(value).length === 0);
}

/**
 * Drops empty maps and lists a typed Go object would not serialise (`omitempty`): metadata
 * labels, annotations, finalizers, ownerReferences, and ConfigMap/Secret data, so `labels: {}`
 * neither shows up nor counts as a change.
 */
export function omitEmpty(obj: KubeObject): void {
  const meta = obj.metadata;
  if (meta) for (const key of OMIT_EMPTY_META) if (isEmpty(meta[key])) delete meta[key];
  for (const key of OMIT_EMPTY_TOP) if (isEmpty(obj[key])) delete obj[key];
}
