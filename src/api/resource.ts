/**
 * ResourceInfo: everything kubemu knows about one served resource, as data. Built-in kinds and
 * (later) custom resources are both described by this shape; the generic store, discovery, and
 * OpenAPI read it and nothing else.
 * Owns: the ResourceInfo shape and small helpers over it. Must not: do I/O.
 */

/** The verbs discovery advertises, in the order kube-apiserver lists them. */
export type Verb = 'create' | 'delete' | 'deletecollection' | 'get' | 'list' | 'patch' | 'update' | 'watch';

/** A subresource such as `status` or `scale`. */
export interface SubresourceInfo {
  /** `status`, `scale`, `log`, ... */
  name: string;
  /** Kind of the subresource's body (`Scale` for scale; the parent kind for status). */
  kind: string;
  /** Group and version of that kind (autoscaling/v1 for Scale). */
  group: string;
  version: string;
  verbs: Verb[];
}

/** One resource of one group-version. */
export interface ResourceInfo {
  group: string;
  version: string;
  kind: string;
  listKind: string;
  /** Plural resource name, the URL segment: `deployments`. */
  plural: string;
  /** Singular name, lower-case: `deployment`. */
  singular: string;
  namespaced: boolean;
  verbs: Verb[];
  shortNames: string[];
  categories: string[];
  subresources: SubresourceInfo[];
  /** Definition name of the kind's schema, e.g. `io.k8s.api.apps.v1.Deployment`. */
  schemaName?: string;
}

/** `apps/v1`, or `v1` in the core group. */
export function apiVersionOf(info: { group: string; version: string }): string {
  return info.group ? `${info.group}/${info.version}` : info.version;
}

/** `deployments.apps`, or `pods`. */
export function groupResourceOf(info: ResourceInfo): { group: string; name: string } {
  return { group: info.group, name: info.plural };
}

/** `Deployment.apps`-style GroupKind for Invalid errors. */
export function groupKindOf(info: ResourceInfo): { group: string; name: string } {
  return { group: info.group, name: info.kind };
}
