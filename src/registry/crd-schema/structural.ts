/**
 * CRD-time checks of a version's openAPIV3Schema, worded as apiextensions-apiserver:
 * unsupported keywords (validation.go of the apiextensions API), the structural-schema rules
 * (schema/validation.go: type everywhere, nothing but value validations inside
 * allOf/anyOf/oneOf/not, root metadata only name/generateName), list/map extension rules, and
 * defaults that must validate against their schema.
 * Owns: schema-of-schema validation. Must not: validate custom resources' objects.
 */
import { FieldError, field } from '../../api/field-errors.js';
import { allFieldPathErrors, celErrors } from './cel-crd-checks.js';
import { invalid, notSupported } from './go-value.js';
import { buildNode, compilePattern, isObj } from './node.js';
import { pruneValue } from './prune.js';
import { validateValue } from './validate.js';

type Raw = Record<string, unknown>;
type Level = 'root' | 'item' | 'field';

const TYPES = ['array', 'boolean', 'integer', 'number', 'object', 'string'];
const META = new Set(['apiVersion', 'kind', 'metadata']);

const key = (path: string, k: string): string => `${path}[${k}]`;

/** All schema errors of one openAPIV3Schema at `basePath`. */
export function structuralErrors(schema: Raw, basePath: string): FieldError[] {
  const apiErrs: FieldError[] = [];
  apiChecks(schema, basePath, true, false, apiErrs);
  if (schema.nullable === true) apiErrs.push(field.forbidden(`${basePath}.nullable`, 'nullable cannot be true at the root'));
  const structural: FieldError[] = [];
  invariants(schema, 'root', basePath, structural);
  completeness(schema, schema, basePath, basePath, structural);
  structural.sort((a, b) => (a.toString() < b.toString() ? -1 : a.toString() > b.toString() ? 1 : 0));
  const fieldPaths = allFieldPathErrors(schema, basePath);
  const errs = [...structural, ...apiErrs, ...fieldPaths];
  if (structural.length === 0) errs.push(...defaultErrors(schema, basePath));
  // CEL is compiled only over a schema without other errors (its types come from the schema)
  if (errs.length === 0) errs.push(...celErrors(schema, basePath));
  return errs;
}

/** Checks of ValidateCustomResourceDefinitionOpenAPISchema (validation.go). */
function apiChecks(s: Raw, path: string, isRoot: boolean, insideMeta: boolean, errs: FieldError[], noDefaults?: string): void {
  if (typeof s.type === 'string' && s.type !== '' && !TYPES.includes(s.type)) {
    errs.push(s.type === 'null'
      ? field.forbidden(`${path}.type`, 'type cannot be set to null, use nullable as an alternative')
      : notSupported(`${path}.type`, s.type, TYPES));
  }
  if (s.default !== undefined && noDefaults !== undefined) errs.push(field.forbidden(`${path}.default`, `must not be set ${noDefaults}`));
  for (const [k, text] of [
    ['id', 'id is not supported'], ['additionalItems', 'additionalItems is not supported'],
    ['patternProperties', 'patternProperties is not supported'], ['definitions', 'definitions is not supported'],
    ['dependencies', 'dependencies is not supported'], ['$ref', '$ref is not supported'],
  ] as const) {
    if (s[k] !== undefined) errs.push(field.forbidden(`${path}.${k}`, text));
  }
  if (Array.isArray(s.items)) errs.push(field.forbidden(`${path}.items`, 'items must be a schema object and not an array'));
  if (insideMeta && s['x-kubernetes-embedded-resource'] === true) {
    errs.push(field.forbidden(`${path}.x-kubernetes-embedded-resource`, 'must not be used inside of resource meta'));
  }
  if (s.uniqueItems === true) {
    errs.push(field.forbidden(`${path}.uniqueItems`, 'uniqueItems cannot be set to true since the runtime complexity becomes quadratic'));
  }
  const props = isObj(s.properties) ? s.properties : undefined;
  if (s.additionalProperties !== undefined && props && Object.keys(props).length > 0 && s.additionalProperties !== true) {
    errs.push(field.forbidden(`${path}.additionalProperties`, 'additionalProperties and properties are mutual exclusive'));
  }
  if (s['x-kubernetes-preserve-unknown-fields'] === false) {
    errs.push(invalid(`${path}.x-kubernetes-preserve-unknown-fields`, false, 'must be true or undefined'));
  }
  const mapType = s['x-kubernetes-map-type'];
  if (mapType !== undefined) {
    if (s.type !== 'object') {
      errs.push(s.type ? invalid(`${path}.type`, s.type, 'must be object if x-kubernetes-map-type is specified')
        : field.required(`${path}.type`, 'must be object if x-kubernetes-map-type is specified'));
    }
    if (mapType !== 'atomic' && mapType !== 'granular') errs.push(notSupported(`${path}.x-kubernetes-map-type`, mapType, ['atomic', 'granular']));
  }
  const listType = s['x-kubernetes-list-type'];
  const mapKeys = s['x-kubernetes-list-map-keys'];
  const items = isObj(s.items) ? s.items : undefined;
  if (listType !== undefined) {
    if (s.type !== 'array') {
      errs.push(s.type ? invalid(`${path}.type`, s.type, 'must be array if x-kubernetes-list-type is specified')
        : field.required(`${path}.type`, 'must be array if x-kubernetes-list-type is specified'));
    } else if (listType === 'set' && items) {
      if (items['x-kubernetes-list-type'] !== undefined && items['x-kubernetes-list-type'] !== 'atomic') {
        errs.push(invalid(`${path}.items.x-kubernetes-list-type`, items['x-kubernetes-list-type'], 'must be atomic as item of a list with x-kubernetes-list-type=set'));
      }
      if (items['x-kubernetes-map-type'] !== undefined && items['x-kubernetes-map-type'] !== 'atomic') {
        errs.push(invalid(`${path}.items.x-kubernetes-map-type`, items['x-kubernetes-list-type'] ?? null, 'must be atomic as item of a list with x-kubernetes-list-type=set'));
      }
    }
    if (!['atomic', 'set', 'map'].includes(listType as string)) errs.push(notSupported(`${path}.x-kubernetes-list-type`, listType, ['atomic', 'set', 'map']));
  }
  if (Array.isArray(mapKeys) && mapKeys.length > 0) {
    if (listType === undefined) errs.push(field.required(`${path}.x-kubernetes-list-type`, 'must be map if x-kubernetes-list-map-keys is non-empty'));
    else if (listType !== 'map') errs.push(invalid(`${path}.x-kubernetes-list-type`, listType, 'must be map if x-kubernetes-list-map-keys is non-empty'));
  }
  if (listType === 'map') {
    if (!Array.isArray(mapKeys) || mapKeys.length === 0) {
      errs.push(field.required(`${path}.x-kubernetes-list-map-keys`, 'must not be empty if x-kubernetes-list-type is map'));
    }
    if (!items) errs.push(field.required(`${path}.items`, 'must have a schema if x-kubernetes-list-type is map'));
    else if (items.type !== 'object') {
      errs.push(invalid(`${path}.items.type`, items.type ?? '', "must be object if parent array's x-kubernetes-list-type is map"));
    } else if (Array.isArray(mapKeys)) {
      const ip = isObj(items.properties) ? items.properties : {};
      const required = Array.isArray(items.required) ? items.required : [];
      if (!mapKeys.every((k) => typeof k === 'string' && isObj(ip[k]))) {
        errs.push(invalid(`${path}.x-kubernetes-list-map-keys`, mapKeys, 'entries must all be names of item properties'));
      } else {
        for (const k of mapKeys as string[]) {
          const p = ip[k] as Raw;
          if (!['string', 'integer', 'number', 'boolean'].includes(p.type as string) && p['x-kubernetes-int-or-string'] !== true) {
            errs.push(invalid(`${path}.items.properties[${k}].type`, items.type, "must be a scalar type if parent array's x-kubernetes-list-type is map"));
          }
          if (p.default === undefined && !required.includes(k)) {
            errs.push(field.required(`${path}.items.properties[${k}].default`, 'this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property'));
          }
          if (p.nullable === true) {
            errs.push(field.forbidden(`${path}.items.properties[${k}].nullable`, 'this property is in x-kubernetes-list-map-keys, so it cannot be nullable'));
          }
        }
      }
      if (new Set(mapKeys).size !== mapKeys.length) {
        errs.push(invalid(`${path}.x-kubernetes-list-map-keys`, mapKeys, 'must not contain duplicate entries'));
      }
    }
  }
  if ((listType === 'set' || listType === 'map') && items?.nullable === true) {
    errs.push(field.forbidden(`${path}.items.nullable`, `cannot be nullable when x-kubernetes-list-type is ${listType}`));
  }
  if (Array.isArray(s['x-kubernetes-validations'])) {
    (s['x-kubernetes-validations'] as Raw[]).forEach((r, i) => {
      const at = `${path}.x-kubernetes-validations[${i}]`;
      if (typeof r.rule !== 'string' || r.rule === '') errs.push(field.required(`${at}.rule`, 'rule is not specified'));
      if (typeof r.message === 'string') {
        if (r.message.trim() === '') errs.push(invalid(`${at}.message`, r.message, 'message must be non-empty if specified'));
        else if (/[\n\r]/.test(r.message)) errs.push(invalid(`${at}.message`, r.message, 'message must not contain line breaks'));
      } else if (typeof r.rule === 'string' && /\n/.test(r.rule)) {
        errs.push(field.required(`${at}.message`, 'message must be specified if rule contains line breaks'));
      }
      if (r.messageExpression === '') errs.push(field.required(`${at}.messageExpression`, 'messageExpression must be non-empty if specified'));
      const reasons = ['FieldValueDuplicate', 'FieldValueForbidden', 'FieldValueInvalid', 'FieldValueRequired'];
      if (r.reason !== undefined && !reasons.includes(r.reason as string)) errs.push(notSupported(`${at}.reason`, r.reason, reasons));
    });
  }
  if (isObj(s.additionalProperties)) {
    apiChecks(s.additionalProperties, `${path}.additionalProperties`, false, insideMeta, errs, insideMeta ? 'inside additionalProperties applying to object metadata' : noDefaults);
  }
  if (props) {
    for (const [k, v] of Object.entries(props)) {
      if (!isObj(v)) continue;
      const meta = (isRoot || s['x-kubernetes-embedded-resource'] === true) && META.has(k);
      apiChecks(v, key(`${path}.properties`, k), false, insideMeta || meta, errs, meta && isRoot ? (noDefaults ?? `in top-level ${k}`) : noDefaults);
    }
  }
  if (isObj(s.not)) apiChecks(s.not, `${path}.not`, false, insideMeta, errs, noDefaults);
  for (const k of ['allOf', 'anyOf', 'oneOf'] as const) {
    if (Array.isArray(s[k])) (s[k] as unknown[]).forEach((v, i) => isObj(v) && apiChecks(v, `${path}.${k}[${i}]`, false, insideMeta, errs, noDefaults));
  }
  if (items) apiChecks(items, `${path}.items`, false, insideMeta, errs, noDefaults);
}

/**
 * Properties and items named inside the root's allOf/anyOf/oneOf/not must exist in the structural
 * part (schema/complete.go validateStructuralCompleteness, as ValidateStructural's options set it).
 */
function completeness(v: Raw, s: Raw | undefined, sPath: string, vPath: string, errs: FieldError[]): void {
  const nested = (n: unknown, p: string): void => {
    if (isObj(n)) nestedCompleteness(n, s, sPath, p, errs);
  };
  nested(v.not, `${vPath}.not`);
  for (const k of ['allOf', 'anyOf', 'oneOf'] as const) if (Array.isArray(v[k])) (v[k] as unknown[]).forEach((n, i) => nested(n, `${vPath}.${k}[${i}]`));
}

function nestedCompleteness(v: Raw, s: Raw | undefined, sPath: string, vPath: string, errs: FieldError[]): void {
  if (!s) {
    errs.push(field.required(sPath, `because it is defined in ${vPath}`));
    return;
  }
  completeness(v, s, sPath, vPath, errs);
  if (isObj(v.items)) nestedCompleteness(v.items, isObj(s.items) ? s.items : undefined, `${sPath}.items`, `${vPath}.items`, errs);
  if (isObj(v.properties)) {
    const sp = isObj(s.properties) ? s.properties : {};
    for (const [k, p] of Object.entries(v.properties)) {
      if (!isObj(p)) continue;
      if (!isObj(sp[k])) errs.push(field.required(key(`${sPath}.properties`, k), `because it is defined in ${key(`${vPath}.properties`, k)}`));
      else nestedCompleteness(p, sp[k], key(`${sPath}.properties`, k), key(`${vPath}.properties`, k), errs);
    }
  }
}

/** structural invariants (schema/validation.go validateStructuralInvariants). */
function invariants(s: Raw, lvl: Level, path: string, errs: FieldError[]): void {
  const type = typeof s.type === 'string' ? s.type : '';
  const items = isObj(s.items) ? s.items : undefined;
  const props = isObj(s.properties) ? s.properties : {};
  if (type === 'array' && !items) errs.push(field.required(`${path}.items`, 'must be specified'));
  if (items) invariants(items, 'item', `${path}.items`, errs);
  for (const [k, v] of Object.entries(props)) if (isObj(v)) invariants(v, 'field', key(`${path}.properties`, k), errs);
  if (s.additionalProperties !== undefined) {
    if (lvl === 'root') errs.push(field.forbidden(`${path}.additionalProperties`, 'must not be used at the root'));
    if (isObj(s.additionalProperties)) invariants(s.additionalProperties, 'field', `${path}.additionalProperties`, errs);
  }
  const ios = s['x-kubernetes-int-or-string'] === true;
  const pu = s['x-kubernetes-preserve-unknown-fields'] === true;
  const emb = s['x-kubernetes-embedded-resource'] === true;
  if (ios && pu) errs.push(invalid(`${path}.x-kubernetes-preserve-unknown-fields`, true, 'must be false if x-kubernetes-int-or-string is true'));
  if (ios && emb) errs.push(invalid(`${path}.x-kubernetes-embedded-resource`, true, 'must be false if x-kubernetes-int-or-string is true'));
  const skipAnyOf = ios && isIntOrStringAnyOf(s.anyOf);
  const skipFirstAllOfAnyOf = ios && Array.isArray(s.allOf) && isObj(s.allOf[0]) && isIntOrStringAnyOf(s.allOf[0].anyOf);
  valueValidation(s, skipAnyOf, skipFirstAllOfAnyOf, path, errs, true);
  if (emb && type !== 'object') {
    errs.push(type ? invalid(`${path}.type`, type, 'must be object if x-kubernetes-embedded-resource is true')
      : field.required(`${path}.type`, 'must be object if x-kubernetes-embedded-resource is true'));
  } else if (!type && !ios && !pu) {
    const detail = lvl === 'root' ? 'must not be empty at the root' : lvl === 'item' ? 'must not be empty for specified array items' : 'must not be empty for specified object fields';
    errs.push(field.required(`${path}.type`, detail));
  }
  if (emb && s.additionalProperties !== undefined) errs.push(field.forbidden(`${path}.additionalProperties`, 'must not be used if x-kubernetes-embedded-resource is set'));
  if (lvl === 'root' && type && type !== 'object') errs.push(invalid(`${path}.type`, type, 'must be object at the root'));
  const checkMeta = lvl === 'root' || emb;
  for (const f of ['kind', 'apiVersion']) {
    const p = props[f];
    if (checkMeta && isObj(p) && p.type !== 'string') errs.push(invalid(`${key(`${path}.properties`, f)}.type`, p.type ?? '', 'must be string'));
  }
  const meta = props.metadata;
  if (isObj(meta)) {
    const mp = key(`${path}.properties`, 'metadata');
    if (checkMeta && meta.type !== 'object') errs.push(invalid(`${mp}.type`, meta.type ?? '', 'must be object'));
    if (lvl === 'root') {
      const allowed = new Set(['type', 'default', 'properties']);
      const mprops = isObj(meta.properties) ? Object.keys(meta.properties) : [];
      const onlyNames = mprops.every((k) => k === 'name' || k === 'generateName');
      const simpleNames = mprops.every((k) => isObj((meta.properties as Raw)[k]) && isSimpleString((meta.properties as Raw)[k] as Raw));
      if (Object.keys(meta).some((k) => !allowed.has(k)) || !onlyNames || !simpleNames) {
        errs.push(field.forbidden(mp, 'must not specify anything other than name and generateName, but metadata is implicitly specified'));
      }
    }
  }
  if (emb && !pu && Object.keys(props).length === 0) {
    errs.push(field.required(`${path}.properties`, 'must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields'));
  }
}

function isSimpleString(s: Raw): boolean {
  // name/generateName may carry value validations only (type string and e.g. pattern/maxLength)
  return Object.keys(s).every((k) => ['type', 'pattern', 'maxLength', 'minLength', 'enum', 'format', 'description', 'x-kubernetes-validations'].includes(k));
}

function isIntOrStringAnyOf(v: unknown): boolean {
  return Array.isArray(v) && v.length === 2 && isObj(v[0]) && isObj(v[1]) &&
    JSON.stringify(v[0]) === '{"type":"integer"}' && JSON.stringify(v[1]) === '{"type":"string"}';
}

/** Value-validation subtrees (allOf/anyOf/oneOf/not) must not carry structural keywords. */
function valueValidation(s: Raw, skipAnyOf: boolean, skipFirstAllOfAnyOf: boolean, path: string, errs: FieldError[], top: boolean): void {
  if (!skipAnyOf && Array.isArray(s.anyOf)) s.anyOf.forEach((v, i) => isObj(v) && nested(v, false, `${path}.anyOf[${i}]`, errs));
  if (Array.isArray(s.allOf)) s.allOf.forEach((v, i) => isObj(v) && nested(v, skipFirstAllOfAnyOf && i === 0, `${path}.allOf[${i}]`, errs));
  if (Array.isArray(s.oneOf)) s.oneOf.forEach((v, i) => isObj(v) && nested(v, false, `${path}.oneOf[${i}]`, errs));
  if (isObj(s.not)) nested(s.not, false, `${path}.not`, errs);
  if (top && typeof s.pattern === 'string' && s.pattern !== '') {
    const re = compilePattern(s.pattern);
    if (typeof re === 'string') errs.push(invalid(`${path}.pattern`, s.pattern, `must be a valid regular expression, but isn't: ${re}`));
  }
}

function nested(v: Raw, skipAnyOf: boolean, path: string, errs: FieldError[]): void {
  valueValidation(v, skipAnyOf, false, path, errs, true);
  if (isObj(v.items)) nested(v.items, false, `${path}.items`, errs);
  if (isObj(v.properties)) for (const [k, p] of Object.entries(v.properties)) if (isObj(p)) nested(p, false, key(`${path}.properties`, k), errs);
  const forbid = (k: string, text: string): void => void errs.push(field.forbidden(`${path}.${k}`, text));
  if (typeof v.type === 'string' && v.type) forbid('type', 'must be empty to be structural');
  if (v.additionalProperties !== undefined) forbid('additionalProperties', 'must be undefined to be structural');
  if (v.default !== undefined) forbid('default', 'must be undefined to be structural');
  if (typeof v.title === 'string' && v.title) forbid('title', 'must be empty to be structural');
  if (typeof v.description === 'string' && v.description) forbid('description', 'must be empty to be structural');
  if (v.nullable === true) forbid('nullable', 'must be false to be structural');
  if (v['x-kubernetes-preserve-unknown-fields'] === true) forbid('x-kubernetes-preserve-unknown-fields', 'must be false to be structural');
  if (v['x-kubernetes-embedded-resource'] === true) forbid('x-kubernetes-embedded-resource', 'must be false to be structural');
  if (v['x-kubernetes-int-or-string'] === true) forbid('x-kubernetes-int-or-string', 'must be false to be structural');
  if (Array.isArray(v['x-kubernetes-list-map-keys']) && v['x-kubernetes-list-map-keys'].length) forbid('x-kubernetes-list-map-keys', 'must be empty to be structural');
  if (v['x-kubernetes-list-type'] !== undefined) forbid('x-kubernetes-list-type', 'must be undefined to be structural');
  if (v['x-kubernetes-map-type'] !== undefined) forbid('x-kubernetes-map-type', 'must be undefined to be structural');
  if (Array.isArray(v['x-kubernetes-validations']) && v['x-kubernetes-validations'].length) forbid('x-kubernetes-validations', 'must be empty to be structural');
  if (isObj(v.properties) && v.properties.metadata !== undefined) {
    errs.push(field.forbidden(`${key(`${path}.properties`, 'metadata')}`, 'must not be specified in a nested context'));
  }
}

/** Defaults must validate against their own schema (defaulting/validation.go, simplified). */
function defaultErrors(schema: Raw, basePath: string): FieldError[] {
  const errs: FieldError[] = [];
  const visit = (s: Raw, path: string): void => {
    if (s.default !== undefined) {
      const node = buildNode(s);
      if (typeof s.default === 'object' && s.default !== null && pruneValue(structuredClone(s.default), node).length > 0) {
        errs.push(invalid(`${path}.default`, s.default, 'must not have unknown fields'));
      }
      for (const e of validateValue(node, s.default, `${path}.default`.replace(/^\./, ''))) errs.push(e);
    }
    if (isObj(s.properties)) for (const [k, p] of Object.entries(s.properties)) if (isObj(p)) visit(p, key(`${path}.properties`, k));
    if (isObj(s.items)) visit(s.items, `${path}.items`);
    if (isObj(s.additionalProperties)) visit(s.additionalProperties, `${path}.additionalProperties`);
  };
  visit(schema, basePath);
  return errs;
}
