/**
 * Who a request is: the UserInfo that authentication produces and authorization (RBAC) reads,
 * with the well-known user and group names of Kubernetes.
 * Owns: the identity vocabulary. Must not: know HTTP, certificates or tokens.
 */

/** An authenticated (or anonymous) identity, as in k8s.io/apiserver `user.Info`. */
export interface UserInfo {
  name: string;
  uid?: string;
  groups: readonly string[];
  extra?: Readonly<Record<string, readonly string[]>>;
}

/** The user of requests that carry no credentials. */
export const ANONYMOUS_USER = 'system:anonymous';
/** The group of the anonymous user. */
export const UNAUTHENTICATED_GROUP = 'system:unauthenticated';
/** The group every authenticated user is in. */
export const AUTHENTICATED_GROUP = 'system:authenticated';
/** The group that RBAC lets do everything. */
export const MASTERS_GROUP = 'system:masters';

/** Who a plain-HTTP request without credentials is (kube-apiserver's old insecure port). */
export const UNSECURED_USER = 'system:unsecured';

/** The anonymous user (`system:anonymous` in `system:unauthenticated`). */
export function anonymousUser(): UserInfo {
  return { name: ANONYMOUS_USER, groups: [UNAUTHENTICATED_GROUP] };
}

/**
 * `user` with `system:authenticated` among its groups (added once, never to the anonymous user),
 * as kube-apiserver's AuthenticatedGroupAdder does for every authenticator.
 */
export function withAuthenticatedGroup(user: UserInfo): UserInfo {
  if (user.name === ANONYMOUS_USER || user.groups.includes(AUTHENTICATED_GROUP)) return user;
  return { ...user, groups: [...user.groups, AUTHENTICATED_GROUP] };
}
