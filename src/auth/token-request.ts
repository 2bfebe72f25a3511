/**
 * TokenRequest: `POST .../serviceaccounts/<name>/token` (kube's TokenREST in
 * pkg/registry/core/serviceaccount/storage/token.go). The body is an authentication.k8s.io/v1
 * TokenRequest; the answer is the same object with `status.token` and
 * `status.expirationTimestamp`. Steps, as upstream:
 *
 *   metadata.name/namespace must match the URL (422) → the ServiceAccount must exist (404) →
 *   audiences default to the API audiences, expirationSeconds to 3600 → 10 minutes ≤
 *   expirationSeconds ≤ 2^32 (422) → boundObjectRef: a Pod (running as this ServiceAccount;
 *   its Node goes into the token too), a Secret or a Node, uid matching if given (404, 400, 409)
 *   → a pod-bound 3607-second token for the API audiences lasts a year and warns after 3607 s
 *
 * Nothing is stored. Owns: the TokenRequest rules. Must not: know HTTP or encodings.
 */
import { badRequest, conflict, invalid, notFound } from '../api/errors.js';
import { field, type FieldError } from '../api/field-errors.js';
import type { KubeObject } from '../api/types.js';
import type { LookupResource, ObjectLookup } from './object-lookup.js';
import type { ObjectRef, ServiceAccountTokens } from './service-account-token.js';

const GROUP_KIND = { group: 'authentication.k8s.io', name: 'TokenRequest' };
const DEFAULT_EXPIRATION_SECONDS = 3600;
const MIN_EXPIRATION_SECONDS = 600;
const MAX_EXPIRATION_SECONDS = 2 ** 32;
/** The expiry kubelets ask for, which kube quietly extends (WarnOnlyBoundTokenExpirationSeconds). */
const WARN_ONLY_EXPIRATION_SECONDS = 3607;
/** One year (ExpirationExtensionSeconds). */
const EXTENDED_EXPIRATION_SECONDS = 365 * 24 * 3600;

/** One TokenRequest create: the URL's namespace and ServiceAccount name and the decoded body. */
export interface TokenRequestInput {
  namespace: string | undefined;
  name: string;
  body: KubeObject;
}

/** Options of {@link tokenRequestHandler}. */
export interface TokenRequestOptions {
  tokens: ServiceAccountTokens;
  lookup: ObjectLookup;
  /** Extend 3607-second pod-bound tokens to a year (`--service-account-extend-token-expiration`, default true). */
  extendExpiration?: boolean;
}

interface BoundObjectReference {
  kind?: string;
  apiVersion?: string;
  name?: string;
  uid?: string;
}

interface TokenRequestSpec {
  audiences: string[];
  expirationSeconds: number;
  boundObjectRef?: BoundObjectReference;
}

/** The TokenRequest create handler: answers the TokenRequest with its token, or throws a StatusError. */
export function tokenRequestHandler(options: TokenRequestOptions): (input: TokenRequestInput) => KubeObject {
  const { tokens, lookup, extendExpiration = true } = options;
  return ({ namespace, name, body }) => {
    if (namespace === undefined) throw badRequest('namespace is required');
    const meta = body.metadata ?? {};
    if (meta.name && meta.name !== name)
      throw invalid(GROUP_KIND, name, [field.invalid('metadata.name', meta.name, 'must match the service account name if specified')]);
    if (meta.namespace && meta.namespace !== namespace)
      throw invalid(GROUP_KIND, name, [field.invalid('metadata.namespace', meta.namespace, 'must match the service account namespace if specified')]);
    const sa = lookup('serviceaccounts', namespace, name);
    if (!sa) throw notFound({ group: '', name: 'serviceaccounts' }, name);

    const spec = readSpec(body.spec);
    if (spec.audiences.length === 0) spec.audiences = [...tokens.audiences];
    const now = tokens.now();
    const errs = validateSpec(spec);
    if (errs.length) throw invalid(GROUP_KIND, '', errs);

    const bound = spec.boundObjectRef ? bind(lookup, namespace, name, spec.boundObjectRef) : {};
    let expirationSeconds = spec.expirationSeconds;
    let warnAfterSeconds: number | undefined;
    const forApi = spec.audiences.every((a) => tokens.audiences.includes(a));
    if (extendExpiration && bound.pod && expirationSeconds === WARN_ONLY_EXPIRATION_SECONDS && forApi) {
      warnAfterSeconds = expirationSeconds;
      expirationSeconds = EXTENDED_EXPIRATION_SECONDS;
    }
    const { token } = tokens.issue({
      namespace,
      serviceAccount: { name: sa.metadata.name, uid: sa.metadata.uid },
      audiences: spec.audiences,
      expirationSeconds,
      ...(warnAfterSeconds ? { warnAfterSeconds } : {}),
      ...bound,
    });
    return {
      kind: 'TokenRequest',
      apiVersion: 'authentication.k8s.io/v1',
      metadata: { ...meta, name, namespace, creationTimestamp: rfc3339(now) },
      spec: { audiences: spec.audiences, expirationSeconds: spec.expirationSeconds, ...(spec.boundObjectRef ? { boundObjectRef: spec.boundObjectRef } : {}) },
      status: { token, expirationTimestamp: rfc3339(now + spec.expirationSeconds * 1000) },
    };
  };
}

function validateSpec(spec: TokenRequestSpec): FieldError[] {
  const errs: FieldError[] = [];
  if (spec.expirationSeconds < MIN_EXPIRATION_SECONDS)
    errs.push(field.invalid('spec.expirationSeconds', spec.expirationSeconds, 'may not specify a duration less than 10 minutes'));
  if (spec.expirationSeconds > MAX_EXPIRATION_SECONDS)
    errs.push(field.invalid('spec.expirationSeconds', spec.expirationSeconds, 'may not specify a duration larger than 2^32 seconds'));
  return errs;
}

/** Resolves boundObjectRef to the claims it adds: pod (+ its node), secret, or node. */
function bind(lookup: ObjectLookup, namespace: string, saName: string, ref: BoundObjectReference): { pod?: ObjectRef; secret?: ObjectRef; node?: ObjectRef } {
  const apiVersion = ref.apiVersion ?? '';
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  const version = apiVersion.includes('/') ? apiVersion.slice(apiVersion.indexOf('/') + 1) : apiVersion;
  const kind = ref.kind ?? '';
  const name = ref.name ?? '';
  const resources: Record<string, LookupResource> = { Pod: 'pods', Secret: 'secrets', Node: 'nodes' };
  const resource = group === '' ? resources[kind] : undefined;
  if (!resource) throw badRequest(`cannot bind token to object of type ${group}/${version}, Kind=${kind}`);
  const obj = lookup(resource, namespace, name);
  if (!obj) throw notFound({ group: '', name: resource }, name);
  if (ref.uid && ref.uid !== obj.metadata.uid)
    throw conflict(
      { group, name: kind },
      name,
      `the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`,
    );
  const self = { name: obj.metadata.name, uid: obj.metadata.uid };
  if (resource === 'secrets') return { secret: self };
  if (resource === 'nodes') return { node: self };
  const podSpec = (obj.spec ?? {}) as { serviceAccountName?: string; serviceAccount?: string; nodeName?: string };
  if ((podSpec.serviceAccountName || podSpec.serviceAccount || 'default') !== saName)
    throw badRequest(`cannot bind token for serviceaccount "${saName}" to pod running with different serviceaccount name.`);
  const node = podSpec.nodeName ? lookup('nodes', undefined, podSpec.nodeName) : undefined;
  return node ? { pod: self, node: { name: node.metadata.name, uid: node.metadata.uid } } : { pod: self };
}

/** The spec with Go's decode checks (400) and the v1 default of expirationSeconds. */
function readSpec(value: unknown): TokenRequestSpec {
  const typeError = (what: string, path: string, goType: string) =>
    badRequest(
      `TokenRequest in version "v1" cannot be handled as a TokenRequest: json: cannot unmarshal ${what} into Go struct field ${path} of type ${goType}`,
    );
  if (value === undefined || value === null) return { audiences: [], expirationSeconds: DEFAULT_EXPIRATION_SECONDS };
  if (typeof value !== 'object' || Array.isArray(value)) throw typeError(jsonType(value), 'TokenRequest.spec', 'v1.TokenRequestSpec');
  const raw = value as Record<string, unknown>;
  const spec: TokenRequestSpec = { audiences: [], expirationSeconds: DEFAULT_EXPIRATION_SECONDS };
  if (raw.audiences !== undefined && raw.audiences !== null) {
    if (!Array.isArray(raw.audiences)) throw typeError(jsonType(raw.audiences), 'TokenRequestSpec.spec.audiences', '[]string');
    for (const a of raw.audiences) if (typeof a !== 'string') throw typeError(jsonType(a), 'TokenRequestSpec.spec.audiences', 'string');
    spec.audiences = [...(raw.audiences as string[])];
  }
  if (raw.expirationSeconds !== undefined && raw.expirationSeconds !== null) {
    if (typeof raw.expirationSeconds !== 'number' || !Number.isInteger(raw.expirationSeconds))
      throw typeError(jsonType(raw.expirationSeconds), 'TokenRequestSpec.spec.expirationSeconds', 'int64');
    spec.expirationSeconds = raw.expirationSeconds;
  }
  if (raw.boundObjectRef !== undefined && raw.boundObjectRef !== null) {
    const ref = raw.boundObjectRef;
    if (typeof ref !== 'object' || Array.isArray(ref)) throw typeError(jsonType(ref), 'TokenRequestSpec.spec.boundObjectRef', 'v1.BoundObjectReference');
    const out: BoundObjectReference = {};
    for (const key of ['kind', 'apiVersion', 'name', 'uid'] as const) {
      const v = (ref as Record<string, unknown>)[key];
      if (v === undefined || v === null || v === '') continue;
      if (typeof v !== 'string') throw typeError(jsonType(v), `BoundObjectReference.spec.boundObjectRef.${key}`, 'string');
      out[key] = v;
    }
    spec.boundObjectRef = out;
  }
  return spec;
}

function jsonType(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  if (typeof value === 'boolean') return 'bool';
  return typeof value;
}

/** RFC 3339 in whole seconds, as metav1.Time marshals. */
function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}
