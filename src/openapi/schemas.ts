/**
 * The built-in resources and their OpenAPI v3 documents, loaded lazily from the active schema
 * source (./source.ts: the generated `schemas/` folder, see ./table.ts for its layout, or an
 * `--openapi` file):
 * - the resource table is read on the first call that needs it;
 * - a group-version document is read, narrowed to the served resources, encoded and hashed
 *   once, on its first request; the same bytes are served afterwards.
 * Nothing is read at import time; everything is forgotten when the active source changes.
 *
 * ETags are the upper-case hex SHA-512 of the encoded bytes (128 characters), as kube-openapi
 * computes them; the `/openapi/v3` index carries them in each `serverRelativeURL`.
 * Owns: loading, the served view of the table, document bytes and etags. Must not: know HTTP.
 */
import { createHash } from 'node:crypto';
import type { ResourceInfo, SubresourceInfo } from '../api/resource.js';
import { BUILTIN_NAMES, builtinNamesKey } from '../registry/builtin-names.js';
import { filterDocument, type ServedPaths } from './filter.js';
import { gvPathOf } from './paths.js';
import { SERVED_RESOURCES, SERVED_SUBRESOURCES } from './served.js';
import { onSchemaSourceChange, schemaSource } from './source.js';
import type { ResourceTable } from './table.js';

/** A served group with its served versions, most preferred first. */
export interface ServedGroup {
  /** `` for the core group. */
  name: string;
  versions: string[];
  preferredVersion: string;
}

/** Bytes to send and their etag (without quotes). */
export interface EncodedDocument {
  body: Buffer;
  etag: string;
}

/** The `/openapi/v3` index: group-version path → URL of its document, pinned by hash. */
export interface OpenAPIV3Index {
  paths: Record<string, { serverRelativeURL: string }>;
}

interface ServedState {
  resources: readonly ResourceInfo[];
  groups: readonly ServedGroup[];
  /** gvPath (`apis/apps/v1`) → served plural → served subresources. */
  paths: ReadonlyMap<string, ServedPaths>;
}

let state: ServedState | undefined;
const documents = new Map<string, EncodedDocument>();
let index: { value: OpenAPIV3Index; encoded: EncodedDocument } | undefined;

onSchemaSourceChange(() => {
  state = undefined;
  documents.clear();
  index = undefined;
});

function deepFreeze<T extends object>(value: T): T {
  for (const child of Object.values(value)) {
    if (typeof child === 'object' && child !== null) deepFreeze(child as object);
  }
  return Object.freeze(value);
}

/** Joins the table, the served list and the names overlay; throws TypeError on a served resource the data lacks. */
function buildState(table: ResourceTable): ServedState {
  const where = schemaSource().label;
  for (const apiVersion of Object.keys(SERVED_RESOURCES)) {
    if (!table.resources[apiVersion]) throw new TypeError(`served group-version ${apiVersion} is not in ${where}`);
  }
  const resources: ResourceInfo[] = [];
  const groups: ServedGroup[] = [];
  const paths = new Map<string, ServedPaths>();
  for (const group of table.groups) {
    const versions: string[] = [];
    for (const version of group.versions) {
      const apiVersion = group.name ? `${group.name}/${version}` : version;
      const plurals = SERVED_RESOURCES[apiVersion];
      if (!plurals) continue;
      versions.push(version);
      const gvPaths = new Map<string, ReadonlySet<string>>();
      for (const entry of table.resources[apiVersion] ?? []) {
        if (!plurals.includes(entry.name)) continue;
        const names = BUILTIN_NAMES[builtinNamesKey(group.name, entry.name)];
        if (!names) throw new TypeError(`no builtin names for ${builtinNamesKey(group.name, entry.name)}`);
        if (!entry.listKind) throw new TypeError(`served resource ${apiVersion} ${entry.name} has no list`);
        const subresources: SubresourceInfo[] = entry.subresources
          .filter((s) => SERVED_SUBRESOURCES.includes(s.name))
          .map((s) => ({ name: s.name, kind: s.kind, group: s.group, version: s.version, verbs: [...s.verbs] }));
        const info: ResourceInfo = {
          group: group.name,
          version,
          kind: entry.kind,
          listKind: entry.listKind,
          plural: entry.name,
          singular: names.singular,
          namespaced: entry.namespaced,
          verbs: [...entry.verbs],
          shortNames: [...(names.shortNames ?? [])],
          categories: [...(names.categories ?? [])],
          subresources,
        };
        if (entry.schemaName) info.schemaName = entry.schemaName;
        resources.push(deepFreeze(info));
        gvPaths.set(entry.name, new Set(subresources.map((s) => s.name)));
      }
      const missing = plurals.filter((p) => !gvPaths.has(p));
      if (missing.length > 0) throw new TypeError(`served resources not in ${where}: ${apiVersion} ${missing.join(', ')}`);
      paths.set(gvPathOf(group.name, version), gvPaths);
    }
    if (versions.length > 0) groups.push(deepFreeze({ name: group.name, versions, preferredVersion: versions[0] as string }));
  }
  return { resources, groups, paths };
}

function served(): ServedState {
  state ??= buildState(schemaSource().table());
  return state;
}

/** Upper-case hex SHA-512 of `bytes`, kube-openapi's etag. */
export function etagOf(bytes: Buffer): string {
  return createHash('sha512').update(bytes).digest('hex').toUpperCase();
}

/**
 * The built-in resources kubemu serves (see src/openapi/served.ts), in kube-apiserver's
 * group-version order and by name within one. The objects are frozen and shared; the array is
 * a fresh copy. Throws TypeError when a served resource is missing from the generated data.
 */
export function builtinResources(): ResourceInfo[] {
  return [...served().resources];
}

/** Served groups in the order kube-apiserver lists them (core first), versions by preference (autoscaling: v2, v1). */
export function groupVersions(): ServedGroup[] {
  return [...served().groups];
}

/**
 * The OpenAPI v3 document of a served group-version path (`api/v1`, `apis/apps/v1`), narrowed
 * to the served resources; undefined for any other path. Encoded once, then cached.
 */
export function openapiV3Document(gvPath: string): EncodedDocument | undefined {
  const cached = documents.get(gvPath);
  if (cached) return cached;
  const servedPaths = served().paths.get(gvPath);
  if (!servedPaths) return undefined;
  const doc = schemaSource().document(gvPath);
  if (!doc) return undefined;
  const body = Buffer.from(JSON.stringify(filterDocument(doc, servedPaths)));
  const encoded = { body, etag: etagOf(body) };
  documents.set(gvPath, encoded);
  return encoded;
}

function buildIndex(): { value: OpenAPIV3Index; encoded: EncodedDocument } {
  const value: OpenAPIV3Index = { paths: {} };
  for (const gvPath of [...served().paths.keys()].sort()) {
    const doc = openapiV3Document(gvPath) as EncodedDocument;
    value.paths[gvPath] = { serverRelativeURL: `/openapi/v3/${gvPath}?hash=${doc.etag}` };
  }
  const body = Buffer.from(JSON.stringify(value));
  return { value: deepFreeze(value), encoded: { body, etag: etagOf(body) } };
}

/** The `/openapi/v3` index (keys sorted, as kube-openapi writes them). Loads every served document once. */
export function openapiV3Index(): OpenAPIV3Index {
  index ??= buildIndex();
  return index.value;
}

/** The encoded `/openapi/v3` index and its etag. */
export function openapiV3IndexDocument(): EncodedDocument {
  index ??= buildIndex();
  return index.encoded;
}
