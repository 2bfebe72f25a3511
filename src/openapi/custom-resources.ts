/**
 * OpenAPI for custom resources: the schema of a CRD version as served (`apiVersion`, `kind`,
 * `metadata` → ObjectMeta added, `x-kubernetes-group-version-kind`), its List, and the OpenAPI v3
 * document of one custom group-version with paths shaped like kube-apiserver's CRD builder
 * (list/create/deletecollection, get/replace/patch/delete, status and scale, and for namespaced
 * resources the all-namespaces list `/apis/G/V/PLURAL`; no deprecated /watch/ paths), so
 * `kubectl explain` and kubectl's server-side field-validation check work. Paths are derived from
 * the bundled CustomResourceDefinition paths (same parameters and responses), renamed.
 * Also the schema navigator server-side apply merges custom resources with.
 * Owns: CR schemas and documents. Must not: know HTTP, the registry or CRD lifecycle.
 */
import type { JSONSchemaProps } from '../registry/crd-schema/index.js';
import { isObject, objectAt, reachableSchemas, SCHEMA_REF_PREFIX, type Json, type JsonObject } from './json.js';
import { schemaNodeOf, type SchemaNode } from './patch-meta.js';
import { onSchemaSourceChange, schemaSource } from './source.js';

const CRD_GV_PATH = 'apis/apiextensions.k8s.io/v1';
const CRD_DEF = 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition';
const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';
const LIST_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta';
const SCALE_DEF = 'io.k8s.api.autoscaling.v1.Scale';

/** One served version of a custom resource, as the document needs it. */
export interface CustomResourceOpenAPI {
  group: string;
  version: string;
  kind: string;
  listKind: string;
  plural: string;
  namespaced: boolean;
  schema: JSONSchemaProps | undefined;
  status: boolean;
  scale: boolean;
}

interface Templates {
  /** The CRD document's path items by suffix: `` (collection), `/{name}`, `/{name}/status`. */
  paths: Map<string, JsonObject>;
  /** apimachinery schemas (ObjectMeta, ListMeta, Status, DeleteOptions, Patch, WatchEvent, ...). */
  meta: JsonObject;
  /** autoscaling/v1 Scale and what it references. */
  scale: JsonObject;
  apiVersionDoc: string;
  kindDoc: string;
}

let templates: Templates | undefined;
onSchemaSourceChange(() => {
  templates = undefined;
});

function pick(schemas: JsonObject, roots: string[]): JsonObject {
  const out: JsonObject = {};
  for (const name of reachableSchemas(roots, schemas).names) out[name] = schemas[name]!;
  return out;
}

function loadTemplates(): Templates {
  if (templates) return templates;
  const doc = schemaSource().document(CRD_GV_PATH);
  if (!doc) throw new TypeError(`no ${CRD_GV_PATH} document in ${schemaSource().label}`);
  const schemas = (doc['components'] as JsonObject)['schemas'] as JsonObject;
  const prefix = `/${CRD_GV_PATH}/`;
  const paths = new Map<string, JsonObject>();
  for (const [path, item] of Object.entries(doc['paths'] as JsonObject)) {
    if (!path.startsWith(prefix) || !isObject(item)) continue;
    const rest = path.slice(prefix.length);
    if (rest.startsWith('customresourcedefinitions')) paths.set(rest.slice('customresourcedefinitions'.length), item);
  }
  const meta = pick(schemas, Object.keys(schemas).filter((n) => n.startsWith('io.k8s.apimachinery.')));
  const autoscaling = schemaSource().document('apis/autoscaling/v1');
  const autoscalingSchemas = ((autoscaling?.['components'] as JsonObject | undefined)?.['schemas'] as JsonObject | undefined) ?? {};
  const scale = pick(autoscalingSchemas, [SCALE_DEF]);
  const crdProps = (schemas[CRD_DEF] as JsonObject)['properties'] as JsonObject;
  const doc0 = (name: string) => String(((crdProps[name] as JsonObject | undefined)?.['description'] as string | undefined) ?? '');
  templates = { paths, meta, scale, apiVersionDoc: doc0('apiVersion'), kindDoc: doc0('kind') };
  return templates;
}

/** `stable.example.com` → `com.example.stable`, the prefix of a custom kind's definition name. */
export function reversedGroup(group: string): string {
  return group.split('.').reverse().join('.');
}

/** Definition name of a custom kind: `com.example.stable.v1.CronTab`. */
export function definitionName(group: string, version: string, kind: string): string {
  return `${reversedGroup(group)}.${version}.${kind}`;
}

/** The kind's schema as served: the CRD schema with apiVersion, kind, metadata and the GVK extension. */
export function customResourceSchema(r: Pick<CustomResourceOpenAPI, 'group' | 'version' | 'kind' | 'schema'>): JsonObject {
  const t = loadTemplates();
  const base = structuredClone((r.schema ?? { type: 'object', 'x-kubernetes-preserve-unknown-fields': true }) as JsonObject);
  const props = isObject(base['properties']) ? base['properties'] : {};
  base['type'] ??= 'object';
  base['properties'] = {
    apiVersion: { description: t.apiVersionDoc, type: 'string' },
    kind: { description: t.kindDoc, type: 'string' },
    ...props,
    metadata: { allOf: [{ $ref: `${SCHEMA_REF_PREFIX}${OBJECT_META}` }], description: "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata" },
  };
  base['x-kubernetes-group-version-kind'] = [{ group: r.group, kind: r.kind, version: r.version }];
  return base;
}

function listSchema(r: CustomResourceOpenAPI): JsonObject {
  const t = loadTemplates();
  return {
    description: `${r.listKind} is a list of ${r.kind}`,
    required: ['items'],
    type: 'object',
    properties: {
      apiVersion: { description: t.apiVersionDoc, type: 'string' },
      items: { description: `List of ${r.plural}. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md`, type: 'array', items: { $ref: `${SCHEMA_REF_PREFIX}${definitionName(r.group, r.version, r.kind)}` } },
      kind: { description: t.kindDoc, type: 'string' },
      metadata: { allOf: [{ $ref: `${SCHEMA_REF_PREFIX}${LIST_META}` }], description: 'Standard list metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds' },
    },
    'x-kubernetes-group-version-kind': [{ group: r.group, kind: r.listKind, version: r.version }],
  };
}

const NAMESPACE_PARAMETER: JsonObject = {
  description: 'object name and auth scope, such as for teams and projects',
  in: 'path',
  name: 'namespace',
  required: true,
  schema: { type: 'string', uniqueItems: true },
};

function camel(text: string): string {
  return text
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((p) => p[0]!.toUpperCase() + p.slice(1))
    .join('');
}

/** The path items of one resource, renamed from the CRD's. */
function resourcePaths(r: CustomResourceOpenAPI): JsonObject {
  const t = loadTemplates();
  const kindDef = definitionName(r.group, r.version, r.kind);
  const listDef = definitionName(r.group, r.version, r.listKind);
  const ns = r.namespaced ? 'namespaces/{namespace}/' : '';
  const base = `/apis/${r.group}/${r.version}/`;
  // operation ids as the CRD builder names them: <verb>[Namespaced]<Kind>[Status|Scale]
  const opKind = `${r.namespaced ? 'Namespaced' : ''}${r.kind}`;
  const rename = (item: JsonObject, scale = false): JsonObject => {
    let text = JSON.stringify(item)
      .replace(/"operationId":"([a-z]+)ApiextensionsV1(Collection)?CustomResourceDefinition(Status|List)?"/g, (_m, verb: string, coll = '', suffix = '') =>
        `"operationId":"${verb}${camel(`${r.group} ${r.version}`)}${coll}${opKind}${suffix === 'Status' && scale ? 'Scale' : suffix}"`,
      )
      .replaceAll(`${CRD_DEF}List`, listDef)
      .replaceAll(CRD_DEF, scale ? SCALE_DEF : kindDef)
      .replaceAll('"group":"apiextensions.k8s.io"', scale ? '"group":"autoscaling"' : `"group":${JSON.stringify(r.group)}`)
      .replaceAll('"kind":"CustomResourceDefinition"', scale ? '"kind":"Scale"' : `"kind":${JSON.stringify(r.kind)}`)
      .replaceAll('ApiextensionsV1', camel(`${r.group} ${r.version}`))
      .replaceAll('apiextensions_v1', `${r.group.replaceAll('.', '_')}_${r.version}`)
      .replaceAll('CustomResourceDefinition', scale ? `${r.kind}Scale` : r.kind);
    const out = JSON.parse(text) as JsonObject;
    // Custom resources take no strategic merge patch (kubectl apply reads this to choose merge patch).
    const content = objectAt(objectAt(objectAt(out, 'patch'), 'requestBody'), 'content');
    if (content) delete content['application/strategic-merge-patch+json'];
    if (r.namespaced) out['parameters'] = [NAMESPACE_PARAMETER, ...((out['parameters'] as Json[] | undefined) ?? [])];
    return out;
  };
  const paths: JsonObject = {};
  const add = (suffix: string, templateKey: string, scale = false) => {
    const item = t.paths.get(templateKey);
    if (item) paths[`${base}${suffix}`] = rename(item, scale);
  };
  if (r.namespaced) {
    // the all-namespaces list: GET only, its parameters on the path item (as the CRD builder's)
    const list = t.paths.get('');
    const get = list && objectAt(list, 'get');
    if (list && get) {
      const op = { ...get } as JsonObject;
      const params = [...((op['parameters'] as Json[] | undefined) ?? []), ...((list['parameters'] as Json[] | undefined) ?? [])];
      delete op['parameters'];
      const name = (p: Json): string => String((p as JsonObject)['name'] ?? (p as JsonObject)['$ref'] ?? '');
      const item = rename({ get: op, parameters: params.sort((a, b) => name(a).localeCompare(name(b))) });
      item['parameters'] = ((item['parameters'] as Json[]).filter((p) => p !== NAMESPACE_PARAMETER));
      const renamed = objectAt(item, 'get');
      if (renamed) renamed['operationId'] = `list${camel(`${r.group} ${r.version}`)}${r.kind}ForAllNamespaces`;
      paths[`${base}${r.plural}`] = item;
    }
  }
  add(`${ns}${r.plural}`, '');
  add(`${ns}${r.plural}/{name}`, '/{name}');
  if (r.status) add(`${ns}${r.plural}/{name}/status`, '/{name}/status');
  if (r.scale) add(`${ns}${r.plural}/{name}/scale`, '/{name}/status', true);
  return paths;
}

/** The OpenAPI v3 document of one custom group-version, over the resources served there. */
export function customGroupVersionDocument(resources: readonly CustomResourceOpenAPI[]): JsonObject {
  const t = loadTemplates();
  const schemas: JsonObject = { ...t.meta };
  let paths: JsonObject = {};
  for (const r of resources) {
    schemas[definitionName(r.group, r.version, r.kind)] = customResourceSchema(r);
    schemas[definitionName(r.group, r.version, r.listKind)] = listSchema(r);
    if (r.scale) Object.assign(schemas, t.scale);
    paths = { ...paths, ...resourcePaths(r) };
  }
  const sorted: JsonObject = {};
  for (const name of Object.keys(schemas).sort()) sorted[name] = schemas[name]!;
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes CRD Swagger', version: 'v0.1.0' },
    paths,
    components: { schemas: sorted, securitySchemes: { BearerToken: { description: 'Bearer Token authentication', in: 'header', name: 'authorization', type: 'apiKey' } } },
  };
}

/** The schema navigator server-side apply merges a custom kind with (metadata as ObjectMeta). */
export function customResourceSchemaNode(r: Pick<CustomResourceOpenAPI, 'group' | 'version' | 'kind' | 'schema'>): SchemaNode {
  return schemaNodeOf(customResourceSchema(r), loadTemplates().meta);
}
