/**
 * Validation of a CustomResourceDefinition, as apiextensions' ValidateCustomResourceDefinition
 * (and ...Update) word it: group, scope, names, versions (one storage version, unique DNS-1035
 * names, deprecation warnings), schemas (required; structural rules from ../crd-schema),
 * subresources (scale paths), printer columns, selectable fields, conversion, storedVersions and
 * the API-approval annotation of protected groups. Paths follow upstream's internal form: a
 * schema, subresources, columns or selectable fields that every version shares are reported
 * under `spec.validation` / `spec.subresources` / `spec.additionalPrinterColumns` /
 * `spec.selectableFields`, as after v1 → internal conversion; otherwise per version.
 * `conversion.strategy: Webhook` is validated as upstream and accepted (kubemu converts as None).
 * Owns: those checks. Must not: do I/O or check names against other CRDs (the controller does).
 */
import { field, type FieldError } from '../../api/field-errors.js';
import { isDNS1035Label, isDNS1123Subdomain } from '../../api/names.js';
import { deepEqual } from '../codec.js';
import { validateStructuralSchema, type JSONSchemaProps } from '../crd-schema/index.js';
import { isConditionTrue, type Crd, type CrdColumn, type CrdCondition, type CrdNames, type CrdSubresources, type CrdVersion } from './types.js';

const COLUMN_TYPES = ['boolean', 'date', 'integer', 'number', 'string'];
const COLUMN_FORMATS = ['byte', 'date', 'date-time', 'double', 'float', 'int32', 'int64', 'password'];
const MAX_SELECTABLE_FIELDS = 8;
const APPROVAL = 'api-approved.kubernetes.io';
const ROOT_ALLOWED_WITH_STATUS = new Set([
  'description', 'type', 'format', 'title', 'maximum', 'exclusiveMaximum', 'minimum', 'exclusiveMinimum', 'maxLength',
  'minLength', 'pattern', 'maxItems', 'minItems', 'uniqueItems', 'multipleOf', 'required', 'items', 'properties',
  'externalDocs', 'example', 'x-kubernetes-preserve-unknown-fields', 'x-kubernetes-validations',
]);

/** What every version shares (moved to the top level by upstream's conversion). */
interface Shared {
  schema: boolean;
  subresources: boolean;
  columns: boolean;
  selectable: boolean;
}

function sharedOf(versions: readonly CrdVersion[]): Shared {
  const first = versions[0];
  const same = (pick: (v: CrdVersion) => unknown) => versions.every((v) => deepEqual(pick(v) ?? null, pick(first!) ?? null));
  if (!first) return { schema: false, subresources: false, columns: false, selectable: false };
  return {
    schema: same((v) => v.schema),
    subresources: same((v) => v.subresources),
    columns: same((v) => (v.additionalPrinterColumns?.length ? v.additionalPrinterColumns : null)),
    selectable: same((v) => (v.selectableFields?.length ? v.selectableFields : null)),
  };
}

/** The errors of a CRD on create. */
export function validateCrd(crd: Crd): FieldError[] {
  return [...validateName(crd), ...validateSpec(crd), ...validateStatus(crd), ...validateApproval(crd, undefined), ...validatePreserveUnknownFields(crd, undefined)];
}

/** v1 forbids turning preserveUnknownFields on (kept when an old CRD already had it). */
function validatePreserveUnknownFields(crd: Crd, old: Crd | undefined): FieldError[] {
  if (old?.spec?.preserveUnknownFields === true || crd.spec?.preserveUnknownFields !== true) return [];
  return [field.invalid('spec.preserveUnknownFields', true, 'cannot set to true, set x-kubernetes-preserve-unknown-fields to true in spec.versions[*].schema instead')];
}

function hasDefault(schema: unknown): boolean {
  if (Array.isArray(schema)) return schema.some(hasDefault);
  if (typeof schema !== 'object' || schema === null) return false;
  return 'default' in schema || Object.values(schema).some(hasDefault);
}

/**
 * The errors of a CRD on update (immutable group and plural; scope and kind once Established).
 * An unchanged spec is not validated again (status writes: upstream validates status only).
 */
export function validateCrdUpdate(crd: Crd, old: Crd): FieldError[] {
  const sameSpec = deepEqual(crd.spec ?? null, old.spec ?? null);
  const errs = [...(sameSpec ? [] : validateSpec(crd)), ...validateStatus(crd), ...validateApproval(crd, old), ...validatePreserveUnknownFields(crd, old)];
  const spec = crd.spec ?? {};
  const oldSpec = old.spec ?? {};
  const immutable = (path: string, now: unknown, before: unknown) => {
    if (!deepEqual(now ?? null, before ?? null)) errs.push(field.invalid(path, now ?? '', 'field is immutable'));
  };
  if (isConditionTrue(old, 'Established')) {
    immutable('spec.scope', spec.scope, oldSpec.scope);
    immutable('spec.names.kind', spec.names?.kind, oldSpec.names?.kind);
  }
  immutable('spec.group', spec.group, oldSpec.group);
  immutable('spec.names.plural', spec.names?.plural, oldSpec.names?.plural);
  return errs;
}

/** The errors of a status write: accepted names only. */
export function validateCrdStatus(crd: Crd): FieldError[] {
  return validateNames(crd.status?.acceptedNames ?? {}, 'status.acceptedNames');
}

function validateName(crd: Crd): FieldError[] {
  const name = crd.metadata?.name;
  if (!name) return [];
  const required = `${crd.spec?.names?.plural ?? ''}.${crd.spec?.group ?? ''}`;
  return name === required ? [] : [field.invalid('metadata.name', name, 'must be spec.names.plural+"."+spec.group')];
}

function validateSpec(crd: Crd): FieldError[] {
  const errs: FieldError[] = [];
  const spec = crd.spec ?? {};
  const versions = spec.versions ?? [];
  const shared = sharedOf(versions);
  const group = spec.group ?? '';
  if (!group) errs.push(field.required('spec.group'));
  else {
    const problems = isDNS1123Subdomain(group);
    if (problems.length) errs.push(field.invalid('spec.group', group, problems.join(',')));
    else if (group.split('.').length < 2) errs.push(field.invalid('spec.group', group, 'should be a domain with at least one dot'));
  }
  if (!spec.scope) errs.push(field.required('spec.scope'));
  else if (spec.scope !== 'Cluster' && spec.scope !== 'Namespaced') errs.push(field.notSupported('spec.scope', spec.scope, ['Cluster', 'Namespaced']));

  const topSchema = shared.schema ? versions[0]?.schema?.openAPIV3Schema : undefined;
  if (!topSchema)
    versions.forEach((v, i) => {
      if (!v.schema?.openAPIV3Schema) errs.push(field.required(`spec.versions[${i}].schema.openAPIV3Schema`));
    });
  if (spec.preserveUnknownFields === true && versions.some((v) => hasDefault(v.schema?.openAPIV3Schema)))
    errs.push(field.invalid('spec.preserveUnknownFields', true, 'must be false in order to use defaults in the schema'));

  let storage = 0;
  const seen = new Set<string>();
  let unique = true;
  versions.forEach((v, i) => {
    const path = `spec.versions[${i}]`;
    if (v.storage) storage++;
    if (seen.has(v.name ?? '')) unique = false;
    seen.add(v.name ?? '');
    const problems = isDNS1035Label(v.name ?? '');
    if (problems.length) errs.push(field.invalid(`${path}.name`, v.name ?? '', problems.join(',')));
    for (const message of deprecationWarningErrors(v)) errs.push(field.invalid(`${path}.deprecationWarning`, v.deprecationWarning ?? '', message));
    const subresources = shared.subresources ? versions[0]?.subresources : v.subresources;
    if (!shared.schema && v.schema?.openAPIV3Schema) errs.push(...validateSchema(v.schema.openAPIV3Schema, `${path}.schema`, !!subresources?.status));
    if (!shared.subresources) errs.push(...validateSubresources(v.subresources, `${path}.subresources`));
    if (!shared.columns) (v.additionalPrinterColumns ?? []).forEach((c, j) => errs.push(...validateColumn(c, `${path}.additionalPrinterColumns[${j}]`)));
    if (!shared.selectable && v.selectableFields?.length)
      errs.push(...validateSelectableFields(v.selectableFields, shared.schema ? topSchema : v.schema?.openAPIV3Schema, `${path}.selectableFields`));
  });
  if (!unique) errs.push(field.invalid('spec.versions', versions, 'must contain unique version names'));
  if (storage !== 1) errs.push(field.invalid('spec.versions', versions, 'must have exactly one version marked as storage version'));

  const names = spec.names ?? {};
  if (!names.plural) errs.push(field.required('spec.names.plural'));
  if (!names.singular) errs.push(field.required('spec.names.singular'));
  if (!names.kind) errs.push(field.required('spec.names.kind'));
  if (!names.listKind) errs.push(field.required('spec.names.listKind'));
  errs.push(...validateNames(names, 'spec.names'));

  const first = versions[0];
  if (topSchema) errs.push(...validateSchema(topSchema, 'spec.validation', versions.some((v) => !!v.subresources?.status)));
  if (shared.subresources && first) errs.push(...validateSubresources(first.subresources, 'spec.subresources'));
  if (shared.columns && first) (first.additionalPrinterColumns ?? []).forEach((c, j) => errs.push(...validateColumn(c, `spec.additionalPrinterColumns[${j}]`)));
  if (shared.selectable && first?.selectableFields?.length) errs.push(...validateSelectableFields(first.selectableFields, topSchema, 'spec.selectableFields'));

  errs.push(...validateConversion(spec.conversion));
  return errs;
}

/**
 * spec.conversion as upstream validates it (internal paths: `webhookClientConfig`,
 * `conversionReviewVersions`). Webhook conversion is accepted, but kubemu converts as None
 * (apiVersion only) and says so in a warning (see ./strategy.ts).
 */
function validateConversion(conversion: NonNullable<Crd['spec']>['conversion']): FieldError[] {
  if (!conversion) return [];
  const errs: FieldError[] = [];
  const strategy = conversion.strategy;
  if (!strategy) errs.push(field.required('spec.conversion.strategy'));
  else if (strategy !== 'None' && strategy !== 'Webhook') errs.push(field.notSupported('spec.conversion.strategy', strategy, ['None', 'Webhook']));
  const webhook = conversion.webhook;
  if (strategy === 'Webhook') {
    const config = webhook?.clientConfig;
    if (!config) errs.push(field.required('spec.conversion.webhookClientConfig', 'required when strategy is set to Webhook'));
    else if ((config.url === undefined) === (config.service === undefined))
      errs.push(field.required('spec.conversion.webhookClientConfig', 'exactly one of url or service is required'));
    const versions = webhook?.conversionReviewVersions ?? [];
    const path = 'spec.conversion.conversionReviewVersions';
    if (!versions.length) errs.push(field.required(path));
    else {
      const seen = new Set<string>();
      versions.forEach((v, i) => {
        if (seen.has(v)) return errs.push(field.invalid(`${path}[${i}]`, v, 'duplicate version'));
        seen.add(v);
        for (const problem of isDNS1035Label(v)) errs.push(field.invalid(`${path}[${i}]`, v, problem));
        return 0;
      });
      if (!versions.some((v) => v === 'v1' || v === 'v1beta1')) errs.push(field.invalid(path, versions, 'must include at least one of v1, v1beta1'));
    }
  } else {
    if (webhook?.clientConfig) errs.push(field.forbidden('spec.conversion.webhookClientConfig', 'should not be set when strategy is not set to Webhook'));
    if (webhook?.conversionReviewVersions?.length) errs.push(field.forbidden('spec.conversion.conversionReviewVersions', 'should not be set when strategy is not set to Webhook'));
  }
  return errs;
}

function deprecationWarningErrors(v: CrdVersion): string[] {
  const warning = v.deprecationWarning;
  if (!v.deprecated && warning !== undefined) return ['can only be set for deprecated versions'];
  if (warning === undefined) return [];
  const errs: string[] = [];
  if (warning.length > 256) errs.push('must be <= 256 characters long');
  if (warning.length === 0) errs.push('must not be an empty string');
  const bad = [...warning].findIndex((ch) => /\p{Cc}/u.test(ch));
  if (bad >= 0) errs.push(`must only contain printable UTF-8 characters; non-printable character found at index ${bad}`);
  return errs;
}

function validateSchema(schema: JSONSchemaProps, path: string, statusEnabled: boolean): FieldError[] {
  const errs: FieldError[] = [];
  if (statusEnabled) {
    if (schema.type !== undefined && schema.type !== 'object')
      errs.push(field.invalid(`${path}.openAPIV3Schema.type`, schema.type, 'only "object" is allowed as the type at the root of the schema if the status subresource is enabled'));
    else if (Object.keys(schema).some((k) => !ROOT_ALLOWED_WITH_STATUS.has(k) && schema[k] !== undefined && schema[k] !== false))
      errs.push(
        field.invalid(
          `${path}.openAPIV3Schema`,
          schema,
          'only [Description Type Format Title Maximum ExclusiveMaximum Minimum ExclusiveMinimum MaxLength MinLength Pattern MaxItems MinItems UniqueItems MultipleOf Required Items Properties ExternalDocs Example XPreserveUnknownFields XValidations] fields are allowed at the root of the schema if the status subresource is enabled',
        ),
      );
  }
  if (schema.nullable === true) errs.push(field.forbidden(`${path}.openAPIV3Schema.nullable`, 'nullable cannot be true at the root'));
  errs.push(...validateStructuralSchema(schema, `${path}.openAPIV3Schema`));
  return errs;
}

function validateNames(names: CrdNames, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const label = (key: 'plural' | 'singular', value: string | undefined) => {
    if (!value) return;
    const problems = isDNS1035Label(value);
    if (problems.length) errs.push(field.invalid(`${path}.${key}`, value, problems.join(',')));
  };
  label('plural', names.plural);
  label('singular', names.singular);
  for (const key of ['kind', 'listKind'] as const) {
    const value = names[key];
    if (!value) continue;
    const problems = isDNS1035Label(value.toLowerCase());
    if (problems.length) errs.push(field.invalid(`${path}.${key}`, value, `may have mixed case, but should otherwise match: ${problems.join(',')}`));
  }
  (names.shortNames ?? []).forEach((s, i) => {
    const problems = isDNS1035Label(s);
    if (problems.length) errs.push(field.invalid(`${path}.shortNames[${i}]`, s, problems.join(',')));
  });
  if (names.kind && names.kind === names.listKind) errs.push(field.invalid(`${path}.listKind`, names.listKind, 'kind and listKind may not be the same'));
  (names.categories ?? []).forEach((c, i) => {
    const problems = isDNS1035Label(c);
    if (problems.length) errs.push(field.invalid(`${path}.categories[${i}]`, c, problems.join(',')));
  });
  return errs;
}

function simpleJsonPath(value: string, path: string): FieldError[] {
  if (value.length === 0) return [field.invalid(path, value, 'must not be empty')];
  if (!value.startsWith('.')) return [field.invalid(path, value, 'must be a simple json path starting with .')];
  return [];
}

function validateSubresources(subresources: CrdSubresources | undefined, path: string): FieldError[] {
  const scale = subresources?.scale;
  if (!scale) return [];
  const errs: FieldError[] = [];
  const under = (key: 'specReplicasPath' | 'statusReplicasPath', prefix: string, what: string) => {
    const value = scale[key];
    if (!value) return errs.push(field.required(`${path}.scale.${key}`));
    const bad = simpleJsonPath(value, `${path}.scale.${key}`);
    if (bad.length) errs.push(...bad);
    else if (!value.startsWith(prefix)) errs.push(field.invalid(`${path}.scale.${key}`, value, `should be a json path under ${what}`));
    return 0;
  };
  under('specReplicasPath', '.spec.', '.spec');
  under('statusReplicasPath', '.status.', '.status');
  const selector = scale.labelSelectorPath;
  if (selector) {
    const bad = simpleJsonPath(selector, `${path}.scale.labelSelectorPath`);
    if (bad.length) errs.push(...bad);
    else if (!selector.startsWith('.spec.') && !selector.startsWith('.status.'))
      errs.push(field.invalid(`${path}.scale.labelSelectorPath`, selector, 'should be a json path under either .spec or .status'));
  }
  return errs;
}

function validateColumn(column: CrdColumn, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!column.name) errs.push(field.required(`${path}.name`));
  const types = `must be one of ${COLUMN_TYPES.join(',')}`;
  if (!column.type) errs.push(field.required(`${path}.type`, types));
  else if (!COLUMN_TYPES.includes(column.type)) errs.push(field.invalid(`${path}.type`, column.type, types));
  if (column.format && !COLUMN_FORMATS.includes(column.format))
    errs.push(field.invalid(`${path}.format`, column.format, `must be one of ${COLUMN_FORMATS.join(',')}`));
  if (!column.jsonPath) errs.push(field.required(`${path}.JSONPath`));
  else errs.push(...simpleJsonPath(column.jsonPath, `${path}.JSONPath`));
  return errs;
}

/** The schema node a dotted path (`.spec.color`) names, or undefined. */
function schemaAt(schema: JSONSchemaProps | undefined, jsonPath: string): JSONSchemaProps | undefined {
  let node = schema;
  for (const part of jsonPath.replace(/^\./, '').split('.')) {
    const props = node?.properties as Record<string, JSONSchemaProps> | undefined;
    node = props && Object.hasOwn(props, part) ? props[part] : undefined;
    if (!node) return undefined;
  }
  return node;
}

function validateSelectableFields(fields: ReadonlyArray<{ jsonPath?: string }>, schema: JSONSchemaProps | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const unique = new Set<string>();
  fields.forEach((f, i) => {
    const p = `${path}[${i}].jsonPath`;
    const jsonPath = f.jsonPath ?? '';
    if (!jsonPath) return errs.push(field.required(p));
    const node = /^\.[A-Za-z0-9_$-]+(\.[A-Za-z0-9_$-]+)*$/.test(jsonPath) ? schemaAt(schema, jsonPath) : undefined;
    if (!node) return errs.push(field.invalid(p, jsonPath, `is an invalid path: ${JSON.stringify(jsonPath)} does not refer to a declared field`));
    if (jsonPath.startsWith('.metadata')) errs.push(field.invalid(p, jsonPath, 'must not point to fields in metadata'));
    if (!['string', 'boolean', 'integer'].includes(String(node.type)))
      errs.push(field.invalid(p, jsonPath, 'must point to a field of type string, boolean or integer. Enum string fields and strings with formats are allowed.'));
    if (unique.has(jsonPath)) errs.push(field.duplicate(p, jsonPath));
    unique.add(jsonPath);
    return 0;
  });
  if (unique.size > MAX_SELECTABLE_FIELDS) errs.push(field.tooMany(path, unique.size, MAX_SELECTABLE_FIELDS));
  return errs;
}

function validateStatus(crd: Crd): FieldError[] {
  const errs = validateCrdStatus(crd);
  const stored = crd.status?.storedVersions ?? [];
  const path = 'status.storedVersions';
  if (!stored.length) return [...errs, field.invalid(path, stored, 'must have at least one stored version')];
  const versions = crd.spec?.versions ?? [];
  const remaining = new Map(stored.map((v, i) => [v, i]));
  for (const v of versions) {
    if (v.storage && !remaining.has(v.name ?? '')) errs.push(field.invalid(path, stored, `must have the storage version ${v.name ?? ''}`));
    remaining.delete(v.name ?? '');
  }
  for (const [v, i] of remaining)
    errs.push(
      field.invalid(
        `${path}[${i}]`,
        v,
        `missing from spec.versions; ${v} was previously a storage version, and must remain in spec.versions until a storage migration ensures no data remains persisted in ${v} and removes ${v} from status.storedVersions`,
      ),
    );
  return errs;
}

function isProtectedGroup(group: string): boolean {
  return group === 'k8s.io' || group.endsWith('.k8s.io') || group === 'kubernetes.io' || group.endsWith('.kubernetes.io');
}

function approvalState(annotations: Record<string, string> | undefined): 'missing' | 'bypassed' | 'approved' | 'invalid' {
  const value = annotations?.[APPROVAL] ?? '';
  if (!value) return 'missing';
  if (value.startsWith('unapproved')) return 'bypassed';
  try {
    const url = new URL(value);
    return url.host && url.protocol ? 'approved' : 'invalid';
  } catch {
    return 'invalid';
  }
}

function validateApproval(crd: Crd, old: Crd | undefined): FieldError[] {
  if (!isProtectedGroup(crd.spec?.group ?? '')) return [];
  const state = approvalState(crd.metadata?.annotations);
  if (old && approvalState(old.metadata?.annotations) === state) return [];
  const path = `metadata.annotations[${APPROVAL}]`;
  if (state === 'missing') return [field.required(path, `protected groups must have approval annotation "${APPROVAL}", see https://github.com/kubernetes/enhancements/pull/1111`)];
  if (state === 'invalid')
    return [
      field.invalid(
        path,
        crd.metadata?.annotations?.[APPROVAL] ?? '',
        `protected groups must have approval annotation "${APPROVAL}" with either a URL or a reason starting with "unapproved", see https://github.com/kubernetes/enhancements/pull/1111`,
      ),
    ];
  return [];
}

/**
 * The KubernetesAPIApprovalPolicyConformant condition of a CRD in a protected group
 * (`*.k8s.io`, `*.kubernetes.io`), as apiextensions' apiapproval controller sets it; undefined
 * for other groups.
 */
export function apiApprovalCondition(crd: Crd): CrdCondition | undefined {
  if (!isProtectedGroup(crd.spec?.group ?? '')) return undefined;
  const value = crd.metadata?.annotations?.[APPROVAL] ?? '';
  const type = 'KubernetesAPIApprovalPolicyConformant';
  switch (approvalState(crd.metadata?.annotations)) {
    case 'approved':
      return { type, status: 'True', reason: 'ApprovedAnnotation', message: `approved in ${value}` };
    case 'bypassed':
      return { type, status: 'False', reason: 'UnapprovedAnnotation', message: `not approved: ${JSON.stringify(value)}` };
    case 'missing':
      return { type, status: 'False', reason: 'MissingAnnotation', message: `protected groups must have approval annotation "${APPROVAL}", see https://github.com/kubernetes/enhancements/pull/1111` };
    default:
      return {
        type,
        status: 'False',
        reason: 'InvalidAnnotation',
        message: `protected groups must have approval annotation "${APPROVAL}" with either a URL or a reason starting with "unapproved", see https://github.com/kubernetes/enhancements/pull/1111`,
      };
  }
}
