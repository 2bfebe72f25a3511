/**
 * What the project adds to the source document (about v1.27, converted by APIs.guru):
 * - fields that Kubernetes releases after the source added and that users of kubectl
 *   1.28-1.33 commonly write in manifests. Without them a strict field validation would
 *   reject, and `kubectl explain` would not show, e.g. sidecar init containers
 *   (`restartPolicy: Always`). Field names and types are facts of the Kubernetes API; the
 *   descriptions are ours;
 * - the patch metadata of `$ref` fields. APIs.guru's 2→3 conversion dropped every sibling of a
 *   `$ref` (kube-apiserver writes `{allOf: [{$ref}], description, x-kubernetes-...}`), and the
 *   source keeps no other trace of them. Every `$ref` field that upstream (v1.35) marks with
 *   x-kubernetes-patch-strategy, -patch-merge-key, -list-type or -map-type is listed in
 *   REF_FIELD_EXTENSIONS (all three of them) and written back in kube-apiserver's v3 shape.
 *   Their descriptions (about 600 fields) are not restored: too many to write by hand.
 * The overlay only adds what the source lacks, so a newer source wins.
 * Owns: those lists and their application. Must not: change fields the source already has.
 */
import { isObject, objectAt, type Json, type JsonObject } from '../../src/openapi/json.js';

const ref = (name: string): JsonObject => ({ $ref: `#/components/schemas/${name}` });
const core = (kind: string): string => `io.k8s.api.core.v1.${kind}`;
const batch = (kind: string): string => `io.k8s.api.batch.v1.${kind}`;
const apps = (kind: string): string => `io.k8s.api.apps.v1.${kind}`;
const policy = (kind: string): string => `io.k8s.api.policy.v1.${kind}`;
const apiext = (kind: string): string => `io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.${kind}`;

/** Schemas that new fields refer to. */
const NEW_SCHEMAS: Readonly<Record<string, JsonObject>> = {
  [apiext('SelectableField')]: {
    description: 'SelectableField names a field of a custom resource that field selectors may use.',
    properties: { jsonPath: { description: 'Simple JSONPath (e.g. `.spec.color`) of a string, integer or boolean field.', type: 'string' } },
    required: ['jsonPath'],
    type: 'object',
  },
  [core('SleepAction')]: {
    description: 'SleepAction pauses a lifecycle hook for a number of seconds.',
    properties: { seconds: { description: 'Seconds to sleep.', format: 'int64', type: 'integer' } },
    required: ['seconds'],
    type: 'object',
  },
  [core('AppArmorProfile')]: {
    description: 'AppArmorProfile selects the AppArmor profile of a pod or container.',
    properties: {
      localhostProfile: { description: 'Name of a profile loaded on the node; set exactly when type is Localhost.', type: 'string' },
      type: { description: 'Localhost, RuntimeDefault or Unconfined.', type: 'string' },
    },
    required: ['type'],
    type: 'object',
    'x-kubernetes-unions': [{ discriminator: 'type', 'fields-to-discriminateBy': { localhostProfile: 'LocalhostProfile' } }],
  },
  [batch('SuccessPolicyRule')]: {
    description: 'SuccessPolicyRule is one way for an Indexed Job to succeed early.',
    properties: {
      succeededCount: { description: 'Minimum number of succeeded indexes (within succeededIndexes when set).', format: 'int32', type: 'integer' },
      succeededIndexes: { description: 'Indexes that must succeed, as intervals such as "1,3-5,7".', type: 'string' },
    },
    type: 'object',
  },
  [batch('SuccessPolicy')]: {
    description: 'SuccessPolicy declares when an Indexed Job counts as succeeded before all indexes complete.',
    properties: {
      rules: { description: 'Alternative rules; the first that is met makes the Job succeed.', items: ref(batch('SuccessPolicyRule')), type: 'array', 'x-kubernetes-list-type': 'atomic' },
    },
    required: ['rules'],
    type: 'object',
  },
};

const text = (description: string): JsonObject => ({ description, type: 'string' });
const int32 = (description: string): JsonObject => ({ description, format: 'int32', type: 'integer' });
const restartPolicy = text('Restart policy of this container. Only `Always` is allowed, and only for init containers, which then run as sidecars for the life of the pod (Kubernetes 1.28+).');

/** [schema, field, field schema] triples, added when the field is absent. */
const NEW_FIELDS: ReadonlyArray<readonly [string, string, JsonObject]> = [
  [core('Container'), 'restartPolicy', restartPolicy],
  [core('EphemeralContainer'), 'restartPolicy', restartPolicy],
  [core('LifecycleHandler'), 'sleep', ref(core('SleepAction'))],
  [core('Lifecycle'), 'stopSignal', text('Signal sent to stop the container, e.g. SIGUSR1 (Kubernetes 1.33+).')],
  [core('SecurityContext'), 'appArmorProfile', ref(core('AppArmorProfile'))],
  [core('PodSecurityContext'), 'appArmorProfile', ref(core('AppArmorProfile'))],
  [core('PodSecurityContext'), 'supplementalGroupsPolicy', text('How supplemental groups of the first container process are computed: Merge or Strict.')],
  [core('PodSecurityContext'), 'seLinuxChangePolicy', text('How the SELinux label is applied to volumes: Recursive or MountOption.')],
  [core('PodSpec'), 'resources', ref(core('ResourceRequirements'))],
  [core('ServiceSpec'), 'trafficDistribution', text('Preference for routing traffic to endpoints, e.g. PreferClose (Kubernetes 1.30+).')],
  [core('PersistentVolumeClaimSpec'), 'volumeAttributesClassName', text('Name of the VolumeAttributesClass used by this claim.')],
  [batch('JobSpec'), 'backoffLimitPerIndex', int32('Retries allowed per index of an Indexed Job before that index fails.')],
  [batch('JobSpec'), 'maxFailedIndexes', int32('Failed indexes allowed before an Indexed Job fails; needs backoffLimitPerIndex.')],
  [batch('JobSpec'), 'podReplacementPolicy', text('When replacement pods are created: TerminatingOrFailed or Failed.')],
  [batch('JobSpec'), 'managedBy', text('Controller that reconciles this Job; empty or kubernetes.io/job-controller for the built-in one.')],
  [batch('JobSpec'), 'successPolicy', ref(batch('SuccessPolicy'))],
  [
    apiext('CustomResourceDefinitionVersion'),
    'selectableFields',
    { description: 'Fields that field selectors may use on this version (at most 8; Kubernetes 1.30+).', items: ref(apiext('SelectableField')), type: 'array', 'x-kubernetes-list-type': 'atomic' },
  ],
  [apiext('ValidationRule'), 'reason', text('Reason of the failure returned to the client: FieldValueInvalid (default), FieldValueForbidden, FieldValueRequired or FieldValueDuplicate.')],
  [apiext('ValidationRule'), 'fieldPath', text('Path of the field the failure is reported at, relative to the schema node of the rule, e.g. `.spec.replicas`.')],
  [apiext('ValidationRule'), 'optionalOldSelf', { description: 'Evaluate a transition rule also on create and for absent old values, with oldSelf an optional (Kubernetes 1.29+).', type: 'boolean' }],
];

/**
 * [schema, `$ref` field, extensions]: field-level patch metadata of `$ref` fields, facts of the
 * Go types' tags (k8s.io/api): apps/v1 DeploymentSpec.Strategy `patchStrategy:"retainKeys"`,
 * core/v1 PersistentVolumeSpec.ClaimRef `+structType=granular` (ObjectReference itself is
 * atomic), policy/v1 PodDisruptionBudgetSpec.Selector `patchStrategy:"replace"`.
 */
const REF_FIELD_EXTENSIONS: ReadonlyArray<readonly [string, string, JsonObject]> = [
  [apps('DeploymentSpec'), 'strategy', { 'x-kubernetes-patch-strategy': 'retainKeys' }],
  [core('PersistentVolumeSpec'), 'claimRef', { 'x-kubernetes-map-type': 'granular' }],
  [policy('PodDisruptionBudgetSpec'), 'selector', { 'x-kubernetes-patch-strategy': 'replace' }],
];

/** What applyOverlay added, for resources.json. */
export interface OverlayReport {
  /** `Schema.field` names of the new fields. */
  fields: string[];
  /** `Schema.field extension` of the extensions written next to a `$ref`. */
  extensions: string[];
}

/** Writes the extensions of REF_FIELD_EXTENSIONS as `{allOf: [{$ref}], ...}`; returns what it added. */
function applyRefFieldExtensions(schemas: JsonObject): string[] {
  const added: string[] = [];
  for (const [name, field, extensions] of REF_FIELD_EXTENSIONS) {
    const properties = objectAt(schemas[name], 'properties');
    const property = objectAt(properties, field);
    if (!properties || !property) throw new TypeError(`overlay: no field ${name}.${field}`);
    const missing = Object.keys(extensions).filter((key) => property[key] === undefined);
    if (missing.length === 0) continue;
    const { $ref: ref, ...siblings } = property;
    if (typeof ref !== 'string' && !Array.isArray(property['allOf'])) throw new TypeError(`overlay: ${name}.${field} is not a $ref field`);
    const wrapped: JsonObject = typeof ref === 'string' ? { allOf: [{ $ref: ref }], ...siblings } : { ...property };
    for (const key of missing) {
      wrapped[key] = structuredClone(extensions[key] as Json);
      added.push(`${name}.${field} ${key}`);
    }
    properties[field] = wrapped;
  }
  return added;
}

/** Adds the overlay to `schemas` in place; returns what it added. */
export function applyOverlay(schemas: JsonObject): OverlayReport {
  for (const [name, schema] of Object.entries(NEW_SCHEMAS)) {
    if (schemas[name] === undefined) schemas[name] = structuredClone(schema);
  }
  const fields: string[] = [];
  for (const [name, field, fieldSchema] of NEW_FIELDS) {
    const schema = schemas[name];
    if (!isObject(schema)) throw new TypeError(`overlay: no schema ${name}`);
    const properties = isObject(schema['properties']) ? schema['properties'] : (schema['properties'] = {});
    if (properties[field] !== undefined) continue;
    properties[field] = structuredClone(fieldSchema);
    fields.push(`${name}.${field}`);
  }
  return { fields, extensions: applyRefFieldExtensions(schemas) };
}
