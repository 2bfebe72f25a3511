/**
 * Impersonation, as k8s.io/apiserver's impersonation filter: `Impersonate-User`,
 * `Impersonate-Group` (repeatable), `Impersonate-Uid` and `Impersonate-Extra-<key>` (repeatable,
 * key percent-encoded) replace the requesting user, each only if the requester may `impersonate`:
 *
 *   Impersonate-User: bob                          → users "bob" (core)
 *   Impersonate-User: system:serviceaccount:ns:sa  → serviceaccounts "sa" in ns (core)
 *   Impersonate-Group: dev                         → groups "dev" (core)
 *   Impersonate-Extra-Scopes: view                 → userextras/scopes "view" (authentication.k8s.io)
 *   Impersonate-Uid: 1234                          → uids "1234" (authentication.k8s.io)
 *
 * The new user gets `system:authenticated` unless a group given is it or `system:unauthenticated`
 * (`system:unauthenticated` for system:anonymous); a ServiceAccount without groups gets its fixed
 * groups. Groups, extras or a uid without a user are a 400.
 * Owns: header parsing and the impersonation checks. Must not: know fastify.
 */
import { badRequest } from '../../api/errors.js';
import { isDNS1123Label, isDNS1123Subdomain } from '../../api/names.js';
import { ANONYMOUS_USER, AUTHENTICATED_GROUP, UNAUTHENTICATED_GROUP, type UserInfo } from '../user.js';
import { forbiddenError } from './forbidden.js';
import { resourceAttributes, type Authorizer } from './types.js';

const USER = 'impersonate-user';
const GROUP = 'impersonate-group';
const UID = 'impersonate-uid';
const EXTRA = 'impersonate-extra-';
const SA_PREFIX = 'system:serviceaccount:';
const AUTHENTICATION_GROUP = 'authentication.k8s.io';

/** One thing asked to be impersonated (upstream builds a v1.ObjectReference per header value). */
interface ImpersonationRequest {
  kind: 'ServiceAccount' | 'User' | 'Group' | 'UserExtra' | 'UID';
  namespace: string;
  name: string;
  apiVersion: string;
  /** The extra key (UserExtra). */
  fieldPath: string;
}

/** serviceaccount.SplitUsername: namespace and name of a valid ServiceAccount user name. */
export function splitServiceAccountUsername(username: string): { namespace: string; name: string } | undefined {
  if (!username.startsWith(SA_PREFIX)) return undefined;
  const parts = username.slice(SA_PREFIX.length).split(':');
  if (parts.length !== 2) return undefined;
  const [namespace, name] = parts as [string, string];
  if (isDNS1123Label(namespace).length || isDNS1123Subdomain(name).length) return undefined;
  return { namespace, name };
}

/** Go's `%v` of an ObjectReference: `{Kind Namespace Name UID APIVersion ResourceVersion FieldPath}`. */
function goObjectReference(r: ImpersonationRequest): string {
  return `{${[r.kind, r.namespace, r.name, '', r.apiVersion, '', r.fieldPath].join(' ')}}`;
}

function unescapeKey(key: string): string {
  try {
    return decodeURIComponent(key);
  } catch {
    return key;
  }
}

/** The header lines (name lower-cased, value as sent) of a raw header list `[name, value, name, value, ...]`. */
function headerLines(rawHeaders: readonly string[]): Array<[string, string]> {
  const lines: Array<[string, string]> = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) lines.push([rawHeaders[i]!.toLowerCase(), rawHeaders[i + 1]!]);
  return lines;
}

/** True when the request carries any impersonation header (cheap pre-check). */
export function hasImpersonationHeaders(rawHeaders: readonly string[]): boolean {
  for (let i = 0; i < rawHeaders.length; i += 2) if (rawHeaders[i]!.toLowerCase().startsWith('impersonate-')) return true;
  return false;
}

function buildRequests(rawHeaders: readonly string[]): ImpersonationRequest[] {
  const lines = headerLines(rawHeaders);
  const requests: ImpersonationRequest[] = [];
  const user = lines.find(([name]) => name === USER)?.[1] ?? '';
  const none = { namespace: '', apiVersion: '', fieldPath: '' };
  if (user) {
    const sa = splitServiceAccountUsername(user);
    requests.push(sa ? { ...none, kind: 'ServiceAccount', ...sa } : { ...none, kind: 'User', name: user });
  }
  let extras = false;
  for (const [name, value] of lines) if (name === GROUP) requests.push({ ...none, kind: 'Group', name: value });
  const groups = requests.some((r) => r.kind === 'Group');
  for (const [name, value] of lines) {
    if (!name.startsWith(EXTRA)) continue;
    extras = true;
    requests.push({ kind: 'UserExtra', namespace: '', name: value, apiVersion: `${AUTHENTICATION_GROUP}/v1`, fieldPath: unescapeKey(name.slice(EXTRA.length)) });
  }
  const uid = lines.find(([name]) => name === UID)?.[1] ?? '';
  if (uid) requests.push({ kind: 'UID', namespace: '', name: uid, apiVersion: `${AUTHENTICATION_GROUP}/v1`, fieldPath: '' });
  if ((groups || extras || uid) && !user) {
    throw badRequest(`requested [${requests.map(goObjectReference).join(' ')}] without impersonating a user`);
  }
  return requests;
}

const RESOURCES: Readonly<Record<ImpersonationRequest['kind'], string>> = {
  ServiceAccount: 'serviceaccounts',
  User: 'users',
  Group: 'groups',
  UserExtra: 'userextras',
  UID: 'uids',
};

/**
 * The user a request acts as: `requestor` itself without impersonation headers, else the
 * impersonated user once every part is authorized. Throws 400 (groups without a user) or 403
 * (`users "bob" is forbidden: User "alice" cannot impersonate resource "users" in API group "" at the cluster scope`).
 */
export function impersonate(requestor: UserInfo, rawHeaders: readonly string[], authorizer: Authorizer): UserInfo {
  if (!hasImpersonationHeaders(rawHeaders)) return requestor;
  const requests = buildRequests(rawHeaders);
  if (requests.length === 0) return requestor;
  const groupsSpecified = requests.some((r) => r.kind === 'Group');
  let username = '';
  let uid = '';
  let groups: string[] = [];
  const extra: Record<string, string[]> = {};
  for (const r of requests) {
    const group = r.apiVersion ? r.apiVersion.split('/')[0]! : '';
    const attributes = resourceAttributes(requestor, {
      verb: 'impersonate',
      apiGroup: group,
      apiVersion: r.apiVersion.split('/')[1] ?? '',
      namespace: r.namespace,
      name: r.name,
      resource: RESOURCES[r.kind],
      subresource: r.kind === 'UserExtra' ? r.fieldPath : '',
    });
    switch (r.kind) {
      case 'ServiceAccount':
        username = `${SA_PREFIX}${r.namespace}:${r.name}`;
        if (!groupsSpecified) groups = ['system:serviceaccounts', `system:serviceaccounts:${r.namespace}`];
        break;
      case 'User':
        username = r.name;
        break;
      case 'Group':
        groups.push(r.name);
        break;
      case 'UserExtra':
        (extra[r.fieldPath] ??= []).push(r.name);
        break;
      case 'UID':
        uid = r.name;
        break;
    }
    const decision = authorizer.authorize(attributes);
    if (decision.decision !== 'allow') throw forbiddenError(attributes, decision.reason);
  }
  if (username !== ANONYMOUS_USER) {
    if (!groups.includes(AUTHENTICATED_GROUP) && !groups.includes(UNAUTHENTICATED_GROUP)) groups.push(AUTHENTICATED_GROUP);
  } else if (!groups.includes(UNAUTHENTICATED_GROUP)) groups.push(UNAUTHENTICATED_GROUP);
  const user: UserInfo = { name: username, groups };
  if (uid) user.uid = uid;
  if (Object.keys(extra).length) user.extra = extra;
  return user;
}
