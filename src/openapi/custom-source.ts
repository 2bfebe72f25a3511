/**
 * The OpenAPI documents a server with custom resources serves: the built-in ones (./schemas.ts,
 * ./v2.ts) plus one v3 document per custom group-version (./custom-resources.ts), and a v2
 * document that adds the custom paths and definitions to the built-in one. Rebuilt lazily when
 * the served set's generation changes, so ETags and `?hash=` change as soon as a CRD is
 * Established, changed or deleted. Per server (unlike the process-wide built-in caches).
 * Owns: joining built-in and custom documents. Must not: know HTTP or CRD lifecycle.
 */
import { encodeGnosticV2 } from './gnostic-v2.js';
import type { JsonObject } from './json.js';
import { customGroupVersionDocument, type CustomResourceOpenAPI } from './custom-resources.js';
import { etagOf, openapiV3Document, openapiV3Index, openapiV3IndexDocument, type EncodedDocument } from './schemas.js';
import { openapiV2Document, openapiV2Json, openapiV2Protobuf } from './v2.js';
import { toSwaggerV2 } from './v2-convert.js';

/** Bytes of the v3 index and group-version documents (the shape the /openapi/v3 routes take). */
export interface V3Documents {
  index(): EncodedDocument;
  document(gvPath: string): EncodedDocument | undefined;
}

/** Bytes of the v2 document in both encodings (the shape the /openapi/v2 route takes). */
export interface V2Documents {
  json(): EncodedDocument;
  protobuf(): EncodedDocument;
}

/** What is served now: a generation that changes with the set, and the resources. */
export interface CustomServed {
  readonly generation: number;
  openapi(): CustomResourceOpenAPI[];
}

interface Built {
  generation: number;
  docs: Map<string, { value: JsonObject; encoded: EncodedDocument }>;
  index?: EncodedDocument;
  v2?: { document: JsonObject; json: EncodedDocument; protobuf?: EncodedDocument };
}

function encode(value: unknown): EncodedDocument {
  const body = Buffer.from(JSON.stringify(value));
  return { body, etag: etagOf(body) };
}

/** OpenAPI v2 and v3 sources over the built-in documents and the served custom resources. */
export class CustomOpenAPI {
  readonly #served: CustomServed;
  readonly #kubernetesVersion: string;
  #built?: Built;

  constructor(served: CustomServed, kubernetesVersion: string) {
    this.#served = served;
    this.#kubernetesVersion = kubernetesVersion;
  }

  #state(): Built {
    const generation = this.#served.generation;
    if (this.#built?.generation === generation) return this.#built;
    const byGv = new Map<string, CustomResourceOpenAPI[]>();
    for (const r of this.#served.openapi()) {
      const gv = `apis/${r.group}/${r.version}`;
      byGv.set(gv, [...(byGv.get(gv) ?? []), r]);
    }
    const docs = new Map<string, { value: JsonObject; encoded: EncodedDocument }>();
    for (const [gv, resources] of byGv) {
      const value = customGroupVersionDocument(resources);
      docs.set(gv, { value, encoded: encode(value) });
    }
    this.#built = { generation, docs };
    return this.#built;
  }

  /** The `/openapi/v3` source. */
  v3(): V3Documents {
    return {
      index: () => {
        const state = this.#state();
        if (!state.docs.size) return openapiV3IndexDocument();
        if (!state.index) {
          const paths: Record<string, { serverRelativeURL: string }> = { ...openapiV3Index().paths };
          for (const [gv, doc] of state.docs) paths[gv] = { serverRelativeURL: `/openapi/v3/${gv}?hash=${doc.encoded.etag}` };
          const sorted: Record<string, { serverRelativeURL: string }> = {};
          for (const gv of Object.keys(paths).sort()) sorted[gv] = paths[gv]!;
          state.index = encode({ paths: sorted });
        }
        return state.index;
      },
      document: (gvPath) => openapiV3Document(gvPath) ?? this.#state().docs.get(gvPath)?.encoded,
    };
  }

  /** The v2 document with the custom paths and definitions, or undefined when none is served. */
  #v2(): NonNullable<Built['v2']> | undefined {
    const state = this.#state();
    if (!state.docs.size) return undefined;
    if (!state.v2) {
      const version = this.#kubernetesVersion;
      const base = openapiV2Document(version);
      const custom = toSwaggerV2([...state.docs.values()].map((d) => d.value), { version });
      const document: JsonObject = {
        ...base,
        definitions: sortKeys({ ...(base['definitions'] as JsonObject), ...(custom['definitions'] as JsonObject) }),
        paths: sortKeys({ ...(base['paths'] as JsonObject), ...(custom['paths'] as JsonObject) }),
      };
      state.v2 = { document, json: encode(document) };
    }
    return state.v2;
  }

  /** The `/openapi/v2` source. */
  v2(): V2Documents {
    const version = this.#kubernetesVersion;
    return {
      json: () => this.#v2()?.json ?? openapiV2Json(version),
      protobuf: () => {
        const v2 = this.#v2();
        if (!v2) return openapiV2Protobuf(version);
        if (!v2.protobuf) {
          const bytes = encodeGnosticV2(v2.document);
          v2.protobuf = { body: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), etag: v2.json.etag };
        }
        return v2.protobuf;
      },
    };
  }
}

function sortKeys(obj: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const k of Object.keys(obj).sort()) out[k] = obj[k]!;
  return out;
}
