/**
 * The `/openapi/v2` document: ONE Swagger 2.0 document for every served group-version, built
 * from the OpenAPI v3 documents kubemu serves (src/openapi/schemas.ts) by
 * src/openapi/v2-convert.ts, with `info: {title: Kubernetes, version: <reported version>}`.
 *
 * Built lazily on the first request for a reported version, then encoded once per format: the
 * JSON bytes, and the gnostic protobuf bytes (src/openapi/gnostic-v2.ts) on the first
 * protobuf request. Both carry the etag of the JSON bytes (upper-case hex SHA-512, `etagOf`),
 * as kube-openapi does: the reply varies on Accept, so one etag serves both. `invalidate()`
 * drops everything (for when the served set changes, e.g. CRDs); a change of the schema source
 * (./source.ts) invalidates too.
 * Owns: the v2 document's lifecycle and bytes. Must not: know HTTP.
 */
import { encodeGnosticV2 } from './gnostic-v2.js';
import type { JsonObject } from './json.js';
import { gvPathOf } from './paths.js';
import { etagOf, groupVersions, openapiV3Document, type EncodedDocument } from './schemas.js';
import { onSchemaSourceChange } from './source.js';
import { toSwaggerV2 } from './v2-convert.js';

/** The document for one reported version, its JSON bytes, and its protobuf bytes once asked for. */
interface Built {
  document: JsonObject;
  json: EncodedDocument;
  protobuf?: EncodedDocument;
}

/** Milliseconds the last build took, for logs and benchmarks. */
export interface OpenAPIV2Timings {
  /** Parsing the v3 documents and converting them. */
  convertMs: number;
  /** `JSON.stringify` plus etag. */
  jsonMs: number;
  /** gnostic protobuf encoding; undefined until protobuf was asked for. */
  protobufMs?: number;
}

let sources: JsonObject[] | undefined;
const built = new Map<string, Built>();
let timings: OpenAPIV2Timings | undefined;

/** The served v3 documents, parsed once. */
function v3Documents(): JsonObject[] {
  if (!sources) {
    sources = [];
    for (const group of groupVersions()) {
      for (const version of group.versions) {
        const doc = openapiV3Document(gvPathOf(group.name, version));
        if (doc) sources.push(JSON.parse(doc.body.toString('utf8')) as JsonObject);
      }
    }
  }
  return sources;
}

function build(version: string): Built {
  const cached = built.get(version);
  if (cached) return cached;
  const started = performance.now();
  const document = toSwaggerV2(v3Documents(), { version });
  const converted = performance.now();
  const body = Buffer.from(JSON.stringify(document));
  const entry: Built = { document, json: { body, etag: etagOf(body) } };
  timings = { convertMs: converted - started, jsonMs: performance.now() - converted };
  built.set(version, entry);
  return entry;
}

/**
 * The Swagger 2.0 document with `info.version` = `version` (e.g. `v1.31.0`). Shared and
 * cached: callers must not modify it.
 */
export function openapiV2Document(version: string): JsonObject {
  return build(version).document;
}

/** The document as JSON bytes, with its etag. */
export function openapiV2Json(version: string): EncodedDocument {
  return build(version).json;
}

/** The document as gnostic `openapi.v2.Document` protobuf bytes, with the JSON bytes' etag. */
export function openapiV2Protobuf(version: string): EncodedDocument {
  const entry = build(version);
  if (!entry.protobuf) {
    const started = performance.now();
    const bytes = encodeGnosticV2(entry.document);
    entry.protobuf = { body: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), etag: entry.json.etag };
    if (timings) timings.protobufMs = performance.now() - started;
  }
  return entry.protobuf;
}

/** Timings of the last build, or undefined before the first. */
export function openapiV2Timings(): OpenAPIV2Timings | undefined {
  return timings ? { ...timings } : undefined;
}

/** Forgets the documents and their bytes; the next request rebuilds them from the current v3 documents. */
export function invalidate(): void {
  sources = undefined;
  built.clear();
  timings = undefined;
}

onSchemaSourceChange(invalidate);
