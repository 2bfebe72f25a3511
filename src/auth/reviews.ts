/**
 * The review resources: create-only, never stored, answered from who the caller is and what the
 * authorizer says (kube's `pkg/registry/authorization/{selfsubjectaccessreview,
 * subjectaccessreview,localsubjectaccessreview,selfsubjectrulesreview}` and
 * `pkg/registry/authentication/selfsubjectreview`), with their ResourceInfos for discovery.
 * Owns: review semantics, validation and answers. Must not: know HTTP or decode bodies.
 */
import { badRequest, invalid } from '../api/errors.js';
import { field, OMIT_VALUE, type FieldError } from '../api/field-errors.js';
import type { ResourceInfo } from '../api/resource.js';
import type { KubeObject } from '../api/types.js';
import { nonResourceAttributes, resourceAttributes, type Attributes, type Authorizer, type PolicyRule } from './rbac/types.js';
import type { UserInfo } from './user.js';

const AUTHORIZATION = 'authorization.k8s.io';
const AUTHENTICATION = 'authentication.k8s.io';

function reviewInfo(group: string, version: string, kind: string, namespaced = false): ResourceInfo {
  const singular = kind.toLowerCase();
  const info: ResourceInfo = {
    group,
    version,
    kind,
    listKind: '',
    plural: `${singular}s`,
    singular,
    namespaced,
    verbs: ['create'],
    shortNames: [],
    categories: [],
    subresources: [],
  };
  return Object.freeze(info);
}

/** The review resources as discovery lists them (group order as kube-apiserver's: authentication, then authorization). */
export const REVIEW_RESOURCES: readonly ResourceInfo[] = Object.freeze([
  reviewInfo(AUTHENTICATION, 'v1', 'SelfSubjectReview'),
  reviewInfo(AUTHENTICATION, 'v1beta1', 'SelfSubjectReview'),
  reviewInfo(AUTHORIZATION, 'v1', 'LocalSubjectAccessReview', true),
  reviewInfo(AUTHORIZATION, 'v1', 'SelfSubjectAccessReview'),
  reviewInfo(AUTHORIZATION, 'v1', 'SelfSubjectRulesReview'),
  reviewInfo(AUTHORIZATION, 'v1', 'SubjectAccessReview'),
]);

/**
 * `resources` with the review resources added where kube-apiserver lists their groups: before
 * the first group that follows them upstream (autoscaling), or at the end.
 */
export function withReviewResources(resources: readonly ResourceInfo[]): ResourceInfo[] {
  const at = resources.findIndex((r) => r.group === 'autoscaling');
  if (at < 0) return [...resources, ...REVIEW_RESOURCES];
  return [...resources.slice(0, at), ...REVIEW_RESOURCES, ...resources.slice(at)];
}

/** The review resource of a URL, if it names one. */
export function reviewResource(group: string, version: string, plural: string): ResourceInfo | undefined {
  return REVIEW_RESOURCES.find((r) => r.group === group && r.version === version && r.plural === plural);
}

/** What a review answer depends on. */
export interface ReviewContext {
  /** The (possibly impersonated) caller. */
  user: UserInfo;
  /** The namespace of the URL (LocalSubjectAccessReview). */
  namespace?: string;
  authorizer: Authorizer;
}

type Json = Record<string, unknown>;

function objectOr(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** A Go zero value after decoding: null, '', false, 0, empty object or list. */
function isZero(value: unknown): boolean {
  if (value === null || value === undefined || value === '' || value === false || value === 0) return true;
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === 'object') return Object.values(value as Json).every(isZero);
  return false;
}

/** Go's `%#v` of the attributes struct, as field.Invalid prints a non-nil struct pointer. */
function goStruct(kind: string, value: Json, fields: readonly string[]): string {
  const body = fields.map((f) => `${f[0]!.toUpperCase()}${f.slice(1)}:${JSON.stringify(str(value[f]))}`).join(', ');
  return `authorization.${kind}{${body}}`;
}

const RESOURCE_FIELDS = ['namespace', 'verb', 'group', 'version', 'resource', 'subresource', 'name'] as const;
const NON_RESOURCE_FIELDS = ['path', 'verb'] as const;

/** A spec's attribute block as Go re-encodes it: strings only, empty ones omitted (selectors kept). */
function cleanAttributes(value: Json | undefined, fields: readonly string[]): Json | undefined {
  if (!value) return undefined;
  const out: Json = {};
  for (const f of fields) if (str(value[f])) out[f] = value[f];
  for (const extra of ['fieldSelector', 'labelSelector']) if (value[extra] !== undefined && value[extra] !== null) out[extra] = value[extra];
  return out;
}

interface ParsedSpec {
  resource?: Json;
  nonResource?: Json;
}

/** ValidateSelfSubjectAccessReviewSpec (also the first half of the SubjectAccessReview one). */
function validateAttributesChoice(spec: ParsedSpec): FieldError[] {
  const errs: FieldError[] = [];
  if (spec.resource && spec.nonResource) {
    const value = goStruct('NonResourceAttributes', spec.nonResource, NON_RESOURCE_FIELDS);
    errs.push(field.invalid('spec.nonResourceAttributes', OMIT_VALUE, `${value}: cannot be specified in combination with resourceAttributes`));
  }
  if (!spec.resource && !spec.nonResource) {
    errs.push(field.invalid('spec.resourceAttributes', 'null', 'exactly one of nonResourceAttributes or resourceAttributes must be specified'));
  }
  return errs;
}

function attributesOf(user: UserInfo, spec: ParsedSpec): Attributes {
  if (spec.resource) {
    const r = spec.resource;
    return resourceAttributes(user, {
      verb: str(r.verb),
      namespace: str(r.namespace),
      apiGroup: str(r.group),
      apiVersion: str(r.version) || '*',
      resource: str(r.resource),
      subresource: str(r.subresource),
      name: str(r.name),
    });
  }
  return nonResourceAttributes(user, str(spec.nonResource?.verb), str(spec.nonResource?.path));
}

function accessStatus(authorizer: Authorizer, attributes: Attributes): Json {
  const decision = authorizer.authorize(attributes);
  const status: Json = { allowed: decision.decision === 'allow' };
  if (decision.decision === 'deny') status.denied = true;
  if (decision.reason) status.reason = decision.reason;
  if (decision.evaluationError) status.evaluationError = decision.evaluationError;
  return status;
}

function parseSpec(body: KubeObject): { raw: Json; parsed: ParsedSpec } {
  const raw = objectOr(body.spec) ?? {};
  const parsed: ParsedSpec = {};
  const resource = cleanAttributes(objectOr(raw.resourceAttributes), RESOURCE_FIELDS);
  const nonResource = cleanAttributes(objectOr(raw.nonResourceAttributes), NON_RESOURCE_FIELDS);
  if (resource) parsed.resource = resource;
  if (nonResource) parsed.nonResource = nonResource;
  return { raw, parsed };
}

function specOut(parsed: ParsedSpec, extra: Json = {}): Json {
  const spec: Json = {};
  if (parsed.resource) spec.resourceAttributes = parsed.resource;
  if (parsed.nonResource) spec.nonResourceAttributes = parsed.nonResource;
  for (const [k, v] of Object.entries(extra)) if (!isZero(v)) spec[k] = v;
  return spec;
}

function metadataErrors(body: KubeObject, except: readonly string[], detail: string): FieldError[] {
  const meta = { ...(body.metadata ?? {}) } as Json;
  for (const key of ['managedFields', ...except]) delete meta[key];
  return isZero(meta) ? [] : [field.invalid('metadata', OMIT_VALUE, `${JSON.stringify(body.metadata)}: ${detail}`)];
}

function refuse(kind: string, errs: FieldError[]): void {
  if (errs.length) throw invalid({ group: AUTHORIZATION, name: kind }, '', errs);
}

function answer(body: KubeObject, metadata: Json, spec: Json, status: Json): KubeObject {
  // Go encodes the zero creationTimestamp of a never-stored object as null.
  const meta = { ...metadata, creationTimestamp: null } as unknown as KubeObject['metadata'];
  return { kind: body.kind, apiVersion: body.apiVersion, metadata: meta, spec, status };
}

function selfSubjectAccessReview(body: KubeObject, ctx: ReviewContext): KubeObject {
  const { parsed } = parseSpec(body);
  refuse('SelfSubjectAccessReview', [...validateAttributesChoice(parsed), ...metadataErrors(body, [], 'must be empty')]);
  return answer(body, {}, specOut(parsed), accessStatus(ctx.authorizer, attributesOf(ctx.user, parsed)));
}

/** The user a SubjectAccessReview asks about (spec.user, groups, uid, extra), taken as given. */
function specUser(raw: Json): { user: UserInfo; extra: Json } {
  const groups = Array.isArray(raw.groups) ? raw.groups.filter((g): g is string => typeof g === 'string') : [];
  const user: UserInfo = { name: str(raw.user), groups };
  if (str(raw.uid)) user.uid = str(raw.uid);
  const extraIn = objectOr(raw.extra);
  if (extraIn) {
    const extra: Record<string, string[]> = {};
    for (const [k, v] of Object.entries(extraIn)) if (Array.isArray(v)) extra[k] = v.filter((s): s is string => typeof s === 'string');
    user.extra = extra;
  }
  return { user, extra: { user: raw.user, groups: raw.groups, extra: raw.extra, uid: raw.uid } };
}

function subjectErrors(raw: Json): FieldError[] {
  const hasGroups = Array.isArray(raw.groups) && raw.groups.length > 0;
  return !str(raw.user) && !hasGroups ? [field.invalid('spec.user', '', 'at least one of user or group must be specified')] : [];
}

function subjectAccessReview(body: KubeObject, ctx: ReviewContext): KubeObject {
  const { raw, parsed } = parseSpec(body);
  refuse('SubjectAccessReview', [...validateAttributesChoice(parsed), ...subjectErrors(raw), ...metadataErrors(body, [], 'must be empty')]);
  const { user, extra } = specUser(raw);
  return answer(body, {}, specOut(parsed, extra), accessStatus(ctx.authorizer, attributesOf(user, parsed)));
}

function localSubjectAccessReview(body: KubeObject, ctx: ReviewContext): KubeObject {
  const namespace = ctx.namespace ?? '';
  const bodyNamespace = body.metadata?.namespace;
  if (bodyNamespace && bodyNamespace !== namespace) {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  const { raw, parsed } = parseSpec(body);
  const errs = [...validateAttributesChoice(parsed), ...subjectErrors(raw), ...metadataErrors(body, ['namespace'], 'must be empty except for namespace')];
  const specNamespace = str(parsed.resource?.namespace);
  if (parsed.resource && specNamespace !== namespace) {
    errs.push(field.invalid('spec.resourceAttributes.namespace', specNamespace, 'must match metadata.namespace'));
  }
  if (parsed.nonResource) {
    const value = goStruct('NonResourceAttributes', parsed.nonResource, NON_RESOURCE_FIELDS);
    errs.push(field.invalid('spec.nonResourceAttributes', OMIT_VALUE, `${value}: disallowed on this kind of request`));
  }
  refuse('LocalSubjectAccessReview', errs);
  if (!namespace) throw badRequest(`namespace is required on this type: ${namespace}`);
  const { user, extra } = specUser(raw);
  return answer(body, { namespace }, specOut(parsed, extra), accessStatus(ctx.authorizer, attributesOf(user, parsed)));
}

function resourceRule(rule: PolicyRule): Json {
  const out: Json = { verbs: rule.verbs };
  if (rule.apiGroups?.length) out.apiGroups = rule.apiGroups;
  if (rule.resources?.length) out.resources = rule.resources;
  if (rule.resourceNames?.length) out.resourceNames = rule.resourceNames;
  return out;
}

function selfSubjectRulesReview(body: KubeObject, ctx: ReviewContext): KubeObject {
  const namespace = str(objectOr(body.spec)?.namespace);
  if (!namespace) throw badRequest('no namespace on request');
  const rules = ctx.authorizer.rulesFor(ctx.user, namespace);
  const status: Json = {
    resourceRules: rules.resourceRules.map(resourceRule),
    nonResourceRules: rules.nonResourceRules.map((r) => ({ verbs: r.verbs, nonResourceURLs: r.nonResourceURLs })),
    incomplete: rules.incomplete,
  };
  if (rules.evaluationError) status.evaluationError = rules.evaluationError;
  return answer(body, {}, {}, status);
}

function selfSubjectReview(body: KubeObject, ctx: ReviewContext): KubeObject {
  const { user } = ctx;
  const userInfo: Json = { username: user.name };
  if (user.uid) userInfo.uid = user.uid;
  if (user.groups.length) userInfo.groups = user.groups;
  if (user.extra && Object.keys(user.extra).length) userInfo.extra = user.extra;
  const creationTimestamp = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  return { kind: body.kind, apiVersion: body.apiVersion, metadata: { creationTimestamp }, status: { userInfo } };
}

const HANDLERS: Readonly<Record<string, (body: KubeObject, ctx: ReviewContext) => KubeObject>> = {
  SelfSubjectAccessReview: selfSubjectAccessReview,
  SubjectAccessReview: subjectAccessReview,
  LocalSubjectAccessReview: localSubjectAccessReview,
  SelfSubjectRulesReview: selfSubjectRulesReview,
  SelfSubjectReview: selfSubjectReview,
};

/**
 * The answer to creating review `body` (already decoded as `info.kind`): the object with its
 * status, as kube-apiserver returns it with 201. Throws 400/422 StatusErrors as upstream.
 */
export function answerReview(info: ResourceInfo, body: KubeObject, ctx: ReviewContext): KubeObject {
  const handler = HANDLERS[info.kind];
  if (!handler) throw new TypeError(`${info.kind} is not a review`);
  return handler(body, ctx);
}
