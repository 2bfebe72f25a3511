/**
 * The compiled form of a CRD openAPIV3Schema: one SchemaNode per schema object, with the
 * Kubernetes extensions read once, regular expressions compiled once, and unsupported string
 * formats stripped as kube-apiserver does for custom resources.
 * Owns: reading JSONSchemaProps. Must not: validate, prune or default values.
 */
import { compileGoRegexp } from './go-regexp.js';

/** A CEL rule as written in x-kubernetes-validations. */
export interface ValidationRule {
  rule: string;
  message?: string;
  messageExpression?: string;
  reason?: string;
  fieldPath?: string;
  optionalOldSelf?: boolean;
}

/** One compiled schema node. */
export interface SchemaNode {
  raw: Record<string, unknown>;
  type: string;
  /** kube-openapi's type list: [] | [type] | ['integer','string'] for int-or-string. */
  types: string[];
  nullable: boolean;
  /** Format kept only if kube-apiserver validates it for custom resources. */
  format: string;
  intOrString: boolean;
  preserveUnknown: boolean;
  embedded: boolean;
  listType?: string;
  listMapKeys: string[];
  mapType?: string;
  properties?: Map<string, SchemaNode>;
  /** Schema for additional properties; `true` allows anything, `false` forbids. */
  additionalProperties?: SchemaNode | boolean;
  items?: SchemaNode;
  allOf: SchemaNode[];
  anyOf: SchemaNode[];
  oneOf: SchemaNode[];
  not?: SchemaNode;
  required: string[];
  enum?: unknown[];
  hasDefault: boolean;
  default?: unknown;
  maximum?: number;
  exclusiveMaximum: boolean;
  minimum?: number;
  exclusiveMinimum: boolean;
  multipleOf?: number;
  maxLength?: number;
  minLength?: number;
  pattern?: string;
  /** The compiled pattern, or the compile error text. */
  regex?: RegExp | string;
  maxItems?: number;
  minItems?: number;
  uniqueItems: boolean;
  maxProperties?: number;
  minProperties?: number;
  validations: ValidationRule[];
}

/** Formats validated for custom resources (apiextensions-apiserver validation/formats.go), normalised without '-'. */
const SUPPORTED_FORMATS = new Set([
  'bsonobjectid', 'uri', 'email', 'hostname', 'ipv4', 'ipv6', 'cidr', 'mac', 'uuid', 'uuid3', 'uuid4', 'uuid5',
  'isbn', 'isbn10', 'isbn13', 'creditcard', 'ssn', 'hexcolor', 'rgbcolor', 'byte', 'password', 'date', 'duration',
  'datetime',
]);

function num(v: unknown): number | undefined {
  return typeof v === 'number' ? v : undefined;
}

/** Compiles a regular expression written for Go's RE2 into a JS RegExp, or returns Go's error text. */
export function compilePattern(pattern: string): RegExp | string {
  return compileGoRegexp(pattern);
}

/** Builds the node tree for a schema (recursively). */
export function buildNode(raw: Record<string, unknown>): SchemaNode {
  const type = typeof raw.type === 'string' ? raw.type : '';
  const intOrString = raw['x-kubernetes-int-or-string'] === true;
  const format = typeof raw.format === 'string' && SUPPORTED_FORMATS.has(raw.format.replace(/-/g, '')) ? raw.format : '';
  const node: SchemaNode = {
    raw,
    type,
    types: intOrString ? ['integer', 'string'] : type ? [type] : [],
    nullable: raw.nullable === true,
    format,
    intOrString,
    preserveUnknown: raw['x-kubernetes-preserve-unknown-fields'] === true,
    embedded: raw['x-kubernetes-embedded-resource'] === true,
    listMapKeys: Array.isArray(raw['x-kubernetes-list-map-keys']) ? (raw['x-kubernetes-list-map-keys'] as string[]) : [],
    allOf: subList(raw.allOf),
    anyOf: subList(raw.anyOf),
    oneOf: subList(raw.oneOf),
    required: Array.isArray(raw.required) ? (raw.required as string[]) : [],
    hasDefault: raw.default !== undefined,
    default: raw.default,
    exclusiveMaximum: raw.exclusiveMaximum === true,
    exclusiveMinimum: raw.exclusiveMinimum === true,
    uniqueItems: raw.uniqueItems === true,
    validations: Array.isArray(raw['x-kubernetes-validations']) ? (raw['x-kubernetes-validations'] as ValidationRule[]) : [],
  };
  if (typeof raw['x-kubernetes-list-type'] === 'string') node.listType = raw['x-kubernetes-list-type'];
  if (typeof raw['x-kubernetes-map-type'] === 'string') node.mapType = raw['x-kubernetes-map-type'];
  if (isObj(raw.properties)) {
    node.properties = new Map();
    for (const [k, v] of Object.entries(raw.properties)) if (isObj(v)) node.properties.set(k, buildNode(v));
  }
  if (typeof raw.additionalProperties === 'boolean') node.additionalProperties = raw.additionalProperties;
  else if (isObj(raw.additionalProperties)) node.additionalProperties = buildNode(raw.additionalProperties);
  if (isObj(raw.items)) node.items = buildNode(raw.items);
  if (isObj(raw.not)) node.not = buildNode(raw.not);
  if (Array.isArray(raw.enum)) node.enum = raw.enum;
  const set = <K extends keyof SchemaNode>(k: K, v: SchemaNode[K] | undefined): void => {
    if (v !== undefined) node[k] = v;
  };
  set('maximum', num(raw.maximum));
  set('minimum', num(raw.minimum));
  set('multipleOf', num(raw.multipleOf));
  set('maxLength', num(raw.maxLength));
  set('minLength', num(raw.minLength));
  set('maxItems', num(raw.maxItems));
  set('minItems', num(raw.minItems));
  set('maxProperties', num(raw.maxProperties));
  set('minProperties', num(raw.minProperties));
  if (typeof raw.pattern === 'string' && raw.pattern !== '') {
    node.pattern = raw.pattern;
    node.regex = compilePattern(raw.pattern);
  }
  return node;
}

function subList(v: unknown): SchemaNode[] {
  return Array.isArray(v) ? v.filter(isObj).map(buildNode) : [];
}

/** A plain JSON object (not an array, not null). */
export function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The schema for key `k` of an object under `s` (property, else additionalProperties schema). */
export function fieldSchema(s: SchemaNode | undefined, k: string): SchemaNode | undefined {
  if (!s) return undefined;
  const p = s.properties?.get(k);
  if (p) return p;
  return typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined;
}
