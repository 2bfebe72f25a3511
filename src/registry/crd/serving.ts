/**
 * What serving a CRD means for the registry: for each served version, a ResourceInfo (names from
 * `status.acceptedNames`), the custom-resource Strategy and the ResourceHooks, built from the
 * version's schema compiled by ../crd-schema:
 *
 * - create/update: apiVersion set to the storage version (conversion None rewrites only that),
 *   unknown fields pruned, defaults applied, then the schema (and CEL rules) validate;
 * - generation: bumped by any change but metadata and status with a status subresource, by any
 *   change but metadata without one (apiextensions customresource strategy);
 * - reads: each version shows stored objects with its own apiVersion and the defaults of its
 *   schema (memoized per stored entry);
 * - scale: autoscaling/v1 Scale over specReplicasPath / statusReplicasPath / labelSelectorPath;
 * - creates are refused while the CRD is terminating.
 * Owns: CRD → served versions. Must not: write anything or know HTTP.
 */
import { invalid, StatusError, badRequest } from '../../api/errors.js';
import { field, type FieldError } from '../../api/field-errors.js';
import { customResourceFieldLabels } from '../../api/selectable-fields.js';
import type { ResourceInfo, SubresourceInfo, Verb } from '../../api/resource.js';
import type { KubeObject, StoredObject } from '../../api/types.js';
import { customResourcePrinter, type PrinterColumnSpec } from '../../codec/table/index.js';
import { customResourceSchemaNode } from '../../openapi/custom-resources.js';
import { objectOf, type CacheEntry, type FieldExtractor } from '../../watch/entry.js';
import { deepEqual } from '../codec.js';
import { compileSchema, type CompiledSchema, type JSONSchemaProps } from '../crd-schema/index.js';
import type { ResourceHooks, ScaleMapping } from '../resource-hooks.js';
import { strategy, type Strategy } from '../strategy.js';
import { storageVersionOf, type Crd, type CrdVersion } from './types.js';
import { compareKubeAwareVersions } from './versions.js';

const VERBS: Verb[] = ['delete', 'deletecollection', 'get', 'list', 'patch', 'create', 'update', 'watch'];
const SUB_VERBS: Verb[] = ['get', 'patch', 'update'];

/** One served version, ready for Registry.addResource. */
export interface ServedVersion {
  info: ResourceInfo;
  strategy: Strategy;
  hooks: ResourceHooks;
  fieldsOf: FieldExtractor;
  /** Warnings of compiling the schema (CEL rules kubemu cannot evaluate, ...). */
  schemaWarnings: string[];
  schema: JSONSchemaProps | undefined;
}

/** Options: whether the CRD is terminating (creates refused), read when a create arrives. */
export interface ServingOptions {
  terminating(): boolean;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function pathOf(jsonPath: string): string[] {
  return jsonPath.replace(/^\./, '').split('.').filter(Boolean);
}

function getPath(obj: unknown, path: readonly string[]): unknown {
  let cur = obj;
  for (const key of path) {
    if (!isRecord(cur) || !Object.hasOwn(cur, key)) return undefined;
    cur = cur[key];
  }
  return cur;
}

function setPath(obj: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let cur = obj;
  for (const key of path.slice(0, -1)) {
    if (!isRecord(cur[key])) cur[key] = {};
    cur = cur[key] as Record<string, unknown>;
  }
  cur[path[path.length - 1]!] = value;
}

function hasDefaults(schema: unknown): boolean {
  if (Array.isArray(schema)) return schema.some(hasDefaults);
  if (!isRecord(schema)) return false;
  if ('default' in schema) return true;
  return Object.values(schema).some(hasDefaults);
}

function scaleMapping(scale: NonNullable<NonNullable<CrdVersion['subresources']>['scale']>): ScaleMapping {
  const specPath = pathOf(scale.specReplicasPath ?? '.spec.replicas');
  const statusPath = pathOf(scale.statusReplicasPath ?? '.status.replicas');
  const selectorPath = scale.labelSelectorPath ? pathOf(scale.labelSelectorPath) : undefined;
  const int = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) ? v : 0);
  return {
    toScale(obj: StoredObject): KubeObject {
      const { name, namespace, uid, resourceVersion, creationTimestamp } = obj.metadata;
      const status: Record<string, unknown> = { replicas: int(getPath(obj, statusPath)) };
      const selector = selectorPath ? getPath(obj, selectorPath) : undefined;
      if (typeof selector === 'string' && selector) status.selector = selector;
      const metadata: Record<string, unknown> = { name };
      if (namespace) metadata.namespace = namespace;
      Object.assign(metadata, { uid, resourceVersion, creationTimestamp });
      return { kind: 'Scale', apiVersion: 'autoscaling/v1', metadata, spec: { replicas: int(getPath(obj, specPath)) }, status };
    },
    fromScale(current: StoredObject, body: KubeObject): KubeObject {
      const replicas = isRecord(body.spec) ? body.spec.replicas : undefined;
      if (replicas !== undefined && (typeof replicas !== 'number' || !Number.isInteger(replicas)))
        throw badRequest(`Scale in version "v1" cannot be handled as a Scale: json: cannot unmarshal ${typeof replicas} into Go struct field ScaleSpec.spec.replicas of type int32`);
      if (typeof replicas === 'number' && replicas < 0)
        throw invalid({ group: 'autoscaling', name: 'Scale' }, current.metadata.name, [field.invalid('spec.replicas', replicas, 'must be greater than or equal to 0')]);
      if (body.metadata?.name && body.metadata.name !== current.metadata.name)
        throw badRequest(`the name of the object (${body.metadata.name}) does not match the name on the URL (${current.metadata.name})`);
      const next = structuredClone(current) as KubeObject;
      setPath(next as Record<string, unknown>, specPath, replicas ?? 0);
      next.metadata = { ...current.metadata, resourceVersion: body.metadata?.resourceVersion || current.metadata.resourceVersion };
      return next;
    },
  };
}

/** The value of a selectable field as a field selector compares it. */
function fieldValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return '';
}

/** Builds the served versions of `crd` (the most preferred first); empty when nothing is served. */
export function servedVersionsOf(crd: Crd, options: ServingOptions): ServedVersion[] {
  const spec = crd.spec ?? {};
  const names = crd.status?.acceptedNames ?? spec.names ?? {};
  const group = spec.group ?? '';
  const plural = names.plural ?? spec.names?.plural ?? '';
  const kind = names.kind ?? '';
  const namespaced = spec.scope !== 'Cluster';
  const storage = storageVersionOf(crd) ?? '';
  const storageApiVersion = `${group}/${storage}`;
  const versions = (spec.versions ?? []).filter((v) => v.served && v.name).sort((a, b) => compareKubeAwareVersions(a.name!, b.name!));
  const selectable = [...new Set((spec.versions ?? []).flatMap((v) => (v.selectableFields ?? []).map((f) => f.jsonPath ?? '')).filter(Boolean))];
  const fieldsOf: FieldExtractor = (obj) => {
    const fields: Record<string, string> = { 'metadata.name': obj.metadata.name, 'metadata.namespace': obj.metadata.namespace ?? '' };
    for (const jsonPath of selectable) fields[jsonPath.replace(/^\./, '')] = fieldValue(getPath(obj, pathOf(jsonPath)));
    return fields;
  };

  return versions.map((v) => {
    const version = v.name!;
    const apiVersion = `${group}/${version}`;
    const schema = v.schema?.openAPIV3Schema;
    const compiled: CompiledSchema = compileSchema(schema ?? { type: 'object', 'x-kubernetes-preserve-unknown-fields': true }, { kind, apiVersion });
    const subresources: SubresourceInfo[] = [];
    const hasStatus = !!v.subresources?.status;
    if (hasStatus) subresources.push({ name: 'status', kind, group, version, verbs: [...SUB_VERBS] });
    if (v.subresources?.scale) subresources.push({ name: 'scale', kind: 'Scale', group: 'autoscaling', version: 'v1', verbs: [...SUB_VERBS] });
    const info: ResourceInfo = {
      group,
      version,
      kind,
      listKind: names.listKind ?? `${kind}List`,
      plural,
      singular: names.singular || kind.toLowerCase(),
      namespaced,
      verbs: [...VERBS],
      shortNames: [...(names.shortNames ?? [])],
      categories: [...(names.categories ?? [])],
      subresources,
    };

    const prepare = (obj: KubeObject) => {
      obj.apiVersion = storageApiVersion;
      compiled.prune(obj as Record<string, unknown>);
      compiled.applyDefaults(obj as Record<string, unknown>);
    };
    const crStrategy = strategy({
      tracksGeneration: true,
      prepareForCreate(obj) {
        if (options.terminating()) {
          const err = new StatusError(405, 'MethodNotAllowed', 'create not allowed while custom resource definition is terminating', { group, kind: plural });
          throw err;
        }
        prepare(obj);
      },
      prepareForUpdate(obj, old) {
        prepare(obj);
        if (!hasStatus && obj.metadata && obj.metadata.generation === old.metadata?.generation && !deepEqual(obj.status ?? null, old.status ?? null))
          obj.metadata.generation = (obj.metadata.generation ?? 1) + 1;
      },
      validate: (obj): FieldError[] => compiled.validate(obj),
      validateUpdate: (obj, old): FieldError[] => compiled.validate(obj, old),
    });

    const needsView = version !== storage || hasDefaults(schema);
    const memo = new WeakMap<CacheEntry, CacheEntry>();
    const showObject = (obj: KubeObject): KubeObject => {
      const before = JSON.stringify(obj);
      const shown = structuredClone(obj);
      shown.apiVersion = apiVersion;
      compiled.applyDefaults(shown as Record<string, unknown>);
      return JSON.stringify(shown) === before ? obj : shown;
    };
    const hooks: ResourceHooks = {
      prune: (obj) => compiled.prune(obj as Record<string, unknown>),
      fieldLabels: customResourceFieldLabels(namespaced, (v.selectableFields ?? []).map((f) => ({ jsonPath: f.jsonPath ?? '' }))),
      warnings: v.deprecated ? [v.deprecationWarning ?? `${apiVersion} ${kind} is deprecated`] : [],
      printer: customResourcePrinter(
        (v.additionalPrinterColumns ?? []).map(
          (c): PrinterColumnSpec => ({
            name: c.name ?? '',
            type: c.type ?? 'string',
            ...(c.format ? { format: c.format } : {}),
            ...(c.description ? { description: c.description } : {}),
            priority: c.priority ?? 0,
            jsonPath: c.jsonPath ?? '',
          }),
        ),
      ),
      schema: customResourceSchemaNode({ group, version, kind, schema }),
    };
    if (v.subresources?.scale) hooks.scale = scaleMapping(v.subresources.scale);
    if (needsView) {
      hooks.viewObject = showObject;
      hooks.view = (entry) => {
        let shown = memo.get(entry);
        if (!shown) {
          const obj = objectOf(entry);
          const viewed = showObject(obj);
          shown = viewed === obj ? entry : { ...entry, bytes: Buffer.from(JSON.stringify(viewed)) };
          memo.set(entry, shown);
        }
        return shown;
      };
    }
    return { info, strategy: crStrategy, hooks, fieldsOf, schemaWarnings: [...compiled.warnings], schema };
  });
}
