/**
 * The shape of the generated `schemas/` folder: the resource table (`schemas/resources.json`)
 * and the file names of the per-group-version OpenAPI v3 documents. Written by
 * `scripts/gen-schemas.ts`, read by `src/openapi/source.ts`; an `--openapi` file is turned into
 * the same shapes in memory (`src/openapi/swagger-file.ts`).
 *
 * Layout:
 *   schemas/resources.json              ResourceTable (below)
 *   schemas/openapi-v3/api__v1.json     the document kube-apiserver serves at /openapi/v3/api/v1
 *   schemas/openapi-v3/apis__apps__v1.json  ... at /openapi/v3/apis/apps/v1
 * A document file name is its group-version path with `/` replaced by `__`, plus `.json`.
 *
 * Owns: the file format contract. Must not: do I/O or decide what kubemu serves.
 */
import type { Verb } from '../api/resource.js';

/** A subresource as the upstream document describes it. */
export interface TableSubresource {
  /** `status`, `scale`, `log`, ... */
  name: string;
  /** Group, version and kind of the subresource's body (autoscaling/v1 Scale for scale). */
  group: string;
  version: string;
  kind: string;
  verbs: Verb[];
}

/** One resource of one group-version, derived from the document's paths. */
export interface TableResource {
  /** Plural name, the URL segment. */
  name: string;
  kind: string;
  /** Kind of the list response; absent for resources without a list (bindings, reviews). */
  listKind?: string;
  namespaced: boolean;
  /** Sorted, as kube-apiserver's discovery lists them. */
  verbs: Verb[];
  /** components.schemas name of the kind, when the document has one. */
  schemaName?: string;
  /** Sorted by name. */
  subresources: TableSubresource[];
}

/** A group with its versions in preference order (first = preferred). */
export interface TableGroup {
  /** `` for the core group. */
  name: string;
  versions: string[];
  preferredVersion: string;
}

/** `schemas/resources.json`. */
export interface ResourceTable {
  /** Where the data came from, for humans. */
  source: { package: string; packageVersion: string; file: string; infoVersion: string };
  /** `Schema.property` names added by the generator's overlay (fields newer than the source). */
  overlay: string[];
  /**
   * `Schema.property extension` of the patch metadata the overlay wrote next to a `$ref`
   * (the source lost it); absent when the data needs none (`--openapi` files).
   */
  overlayExtensions?: string[];
  /** Groups in the order kube-apiserver lists them; core (``) first. */
  groups: TableGroup[];
  /** Resources per apiVersion (`v1`, `apps/v1`), sorted by name. */
  resources: Record<string, TableResource[]>;
}

/** Folder of the v3 documents, relative to `schemas/`. */
export const OPENAPI_V3_DIR = 'openapi-v3';

/** Path of the resource table, relative to `schemas/`. */
export const RESOURCE_TABLE_FILE = 'resources.json';

/** `api/v1` → `openapi-v3/api__v1.json`. */
export function documentFileOf(gvPath: string): string {
  return `${OPENAPI_V3_DIR}/${gvPath.split('/').join('__')}.json`;
}
