/**
 * The service-account token authenticator: a bearer JWT that ServiceAccountTokens verifies is
 * then checked against the objects it names, read from the watch caches (kube's validators in
 * pkg/serviceaccount/claims.go and legacy.go):
 *
 *   bound token:  the ServiceAccount exists with the claimed uid (and was not deleted more than
 *                 the leeway ago); a bound Pod or Secret likewise; a Node for node-only tokens
 *   legacy token: its Secret exists, is not being deleted, is not marked invalid, and holds this
 *                 very token; the ServiceAccount exists with the claimed uid
 *
 * and becomes `system:serviceaccount:<ns>:<name>` in `system:serviceaccounts` and
 * `system:serviceaccounts:<ns>`, uid = the ServiceAccount's, with upstream's extra keys
 * (credential id, pod and node name/uid). A token that fails any check is a 401.
 * Owns: who a service-account token is. Must not: issue tokens or write objects.
 */
import { unauthorized } from '../api/errors.js';
import type { StoredObject } from '../api/types.js';
import { bearerToken, type Authenticator } from './authenticate.js';
import type { LookupResource, ObjectLookup } from './object-lookup.js';
import { LEEWAY_SECONDS, serviceAccountUsername, type ObjectRef, type ServiceAccountTokens, type VerifiedToken } from './service-account-token.js';
import type { UserInfo } from './user.js';

/** The group of every service account. */
export const SERVICE_ACCOUNTS_GROUP = 'system:serviceaccounts';
/** The label that marks a legacy token Secret as invalidated (LegacyServiceAccountTokenCleanUp). */
export const LEGACY_TOKEN_INVALID_SINCE_LABEL = 'kubernetes.io/legacy-token-invalid-since';

/** Keys of UserInfo.extra, as in k8s.io/apiserver/pkg/authentication/serviceaccount. */
export const EXTRA = {
  credentialId: 'authentication.kubernetes.io/credential-id',
  nodeName: 'authentication.kubernetes.io/node-name',
  nodeUid: 'authentication.kubernetes.io/node-uid',
  podName: 'authentication.kubernetes.io/pod-name',
  podUid: 'authentication.kubernetes.io/pod-uid',
} as const;

/** What a verified token says about its service account, after the object checks. */
export interface ServiceAccountInfo {
  namespace: string;
  name: string;
  uid: string;
  podName?: string;
  podUid?: string;
  nodeName?: string;
  nodeUid?: string;
  credentialId?: string;
}

/** The groups of a service account in `namespace`. */
export function serviceAccountGroups(namespace: string): string[] {
  return [SERVICE_ACCOUNTS_GROUP, `${SERVICE_ACCOUNTS_GROUP}:${namespace}`];
}

/** The UserInfo of a service account (ServiceAccountInfo.UserInfo upstream); extra keys sorted. */
export function serviceAccountUser(info: ServiceAccountInfo): UserInfo {
  const extra: Record<string, string[]> = {};
  if (info.credentialId) extra[EXTRA.credentialId] = [info.credentialId];
  if (info.nodeName) {
    extra[EXTRA.nodeName] = [info.nodeName];
    if (info.nodeUid) extra[EXTRA.nodeUid] = [info.nodeUid];
  }
  if (info.podName && info.podUid) {
    extra[EXTRA.podName] = [info.podName];
    extra[EXTRA.podUid] = [info.podUid];
  }
  const user: UserInfo = { name: serviceAccountUsername(info.namespace, info.name), uid: info.uid, groups: serviceAccountGroups(info.namespace) };
  return Object.keys(extra).length ? { ...user, extra } : user;
}

/** Options of {@link serviceAccountAuthenticator}. */
export interface ServiceAccountAuthenticatorOptions {
  tokens: ServiceAccountTokens;
  lookup: ObjectLookup;
}

/** Authenticates service-account bearer tokens (bound and legacy) issued with `tokens`. */
export function serviceAccountAuthenticator(options: ServiceAccountAuthenticatorOptions): Authenticator {
  return (req) => {
    const token = bearerToken(req);
    if (token === undefined) return undefined;
    const verified = options.tokens.verify(token);
    if (!verified) return undefined;
    return serviceAccountUser(validateObjects(verified, token, options));
  };
}

/** Checks the objects a verified token names; throws `unauthorized(reason)` when one does not hold. */
export function validateObjects(verified: VerifiedToken, token: string, options: ServiceAccountAuthenticatorOptions): ServiceAccountInfo {
  const { tokens, lookup } = options;
  const deletedBefore = tokens.now() - LEEWAY_SECONDS * 1000;
  if (verified.kind === 'legacy') return validateLegacy(verified, token, lookup);

  const kube = verified.claims['kubernetes.io'];
  const { namespace } = kube;
  const sa = requireObject(lookup, 'serviceaccounts', namespace, kube.serviceaccount, deletedBefore, {
    missing: `serviceaccounts "${kube.serviceaccount.name}" not found`,
    deleted: `service account ${namespace}/${kube.serviceaccount.name} has been deleted`,
    uid: (uid) => `service account UID (${uid}) does not match claim (${kube.serviceaccount.uid})`,
  });
  const info: ServiceAccountInfo = { namespace, name: sa.metadata.name, uid: sa.metadata.uid };
  if (kube.secret) {
    requireObject(lookup, 'secrets', namespace, kube.secret, deletedBefore, {
      missing: 'token has been invalidated',
      deleted: 'token has been invalidated',
      uid: (uid) => `secret UID (${uid}) does not match service account secret ref claim (${kube.secret?.uid})`,
    });
  }
  if (kube.pod) {
    requireObject(lookup, 'pods', namespace, kube.pod, deletedBefore, {
      missing: 'token has been invalidated',
      deleted: 'token has been invalidated',
      uid: (uid) => `pod UID (${uid}) does not match service account pod ref claim (${kube.pod?.uid})`,
    });
    info.podName = kube.pod.name;
    info.podUid = kube.pod.uid;
  }
  if (kube.node) {
    // A pod-bound token only carries its node for information; a node-bound one needs the node.
    if (!kube.pod && !kube.secret) {
      requireObject(lookup, 'nodes', undefined, kube.node, deletedBefore, {
        missing: 'token has been invalidated',
        deleted: 'token has been invalidated',
        uid: (uid) => `node UID (${uid}) does not match service account node ref claim (${kube.node?.uid})`,
      });
    }
    if (!kube.secret) {
      info.nodeName = kube.node.name;
      if (kube.node.uid) info.nodeUid = kube.node.uid;
    }
  }
  if (verified.jti) info.credentialId = `JTI=${verified.jti}`;
  return info;
}

function validateLegacy(verified: Extract<VerifiedToken, { kind: 'legacy' }>, token: string, lookup: ObjectLookup): ServiceAccountInfo {
  const { namespace, serviceAccount, secretName } = verified;
  const secret = lookup('secrets', namespace, secretName);
  if (!secret || secret.metadata.deletionTimestamp || secret.metadata.labels?.[LEGACY_TOKEN_INVALID_SINCE_LABEL] !== undefined)
    throw unauthorized('token has been invalidated');
  const data = secret.data as Record<string, unknown> | undefined;
  const stored = typeof data?.token === 'string' ? Buffer.from(data.token, 'base64').toString('utf8') : '';
  if (stored !== token) throw unauthorized("token does not match server's copy");
  const sa = lookup('serviceaccounts', namespace, serviceAccount.name);
  if (!sa) throw unauthorized(`serviceaccounts "${serviceAccount.name}" not found`);
  if (sa.metadata.deletionTimestamp) throw unauthorized(`service account ${namespace}/${serviceAccount.name} has been deleted`);
  if (sa.metadata.uid !== serviceAccount.uid)
    throw unauthorized(`service account UID (${sa.metadata.uid}) does not match claim (${serviceAccount.uid})`);
  return { namespace, name: serviceAccount.name, uid: serviceAccount.uid };
}

interface Reasons {
  missing: string;
  deleted: string;
  uid: (actual: string) => string;
}

function requireObject(
  lookup: ObjectLookup,
  resource: LookupResource,
  namespace: string | undefined,
  ref: ObjectRef,
  deletedBeforeMs: number,
  reasons: Reasons,
): Readonly<StoredObject> {
  const obj = lookup(resource, namespace, ref.name);
  if (!obj) throw unauthorized(reasons.missing);
  const deletion = obj.metadata.deletionTimestamp;
  if (deletion && Date.parse(deletion) < deletedBeforeMs) throw unauthorized(reasons.deleted);
  if (obj.metadata.uid !== ref.uid) throw unauthorized(reasons.uid(obj.metadata.uid));
  return obj;
}
