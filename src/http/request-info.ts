/**
 * Parses an API path into what it names, as kube-apiserver's RequestInfoFactory does:
 * discovery documents (`/api`, `/api/v1`, `/apis`, `/apis/<g>`, `/apis/<g>/<v>`) or a resource
 * request (`[/namespaces/<ns>]/<resource>[/<name>[/<subresource>]]`), and the verb.
 * Owns: URL → RequestInfo. Must not: look resources up.
 */

/** A path that names a discovery document. */
export interface DiscoveryPath {
  type: 'discovery';
  /** `/api` → legacy-root, `/api/v1` or `/apis/<g>/<v>` → group-version, `/apis` → groups, `/apis/<g>` → group. */
  document: 'legacy-root' | 'groups' | 'group' | 'group-version';
  group: string;
  version: string;
}

/** A path that names a resource, collection or subresource. */
export interface ResourcePath {
  type: 'resource';
  group: string;
  version: string;
  namespace?: string;
  resource: string;
  name?: string;
  subresource?: string;
}

/** Subresources that follow a namespace's own name rather than naming a resource in it. */
const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

/** Parses `/api/...` or `/apis/...`; undefined when the path is not an API path. */
export function parseApiPath(path: string): DiscoveryPath | ResourcePath | undefined {
  const parts = path.split('/').filter((p) => p.length > 0).map(decodeSegment);
  if (parts.length === 0) return undefined;
  const prefix = parts.shift();
  let group = '';
  let version: string | undefined;
  if (prefix === 'api') {
    if (parts.length === 0) return { type: 'discovery', document: 'legacy-root', group: '', version: '' };
    version = parts.shift()!;
  } else if (prefix === 'apis') {
    if (parts.length === 0) return { type: 'discovery', document: 'groups', group: '', version: '' };
    group = parts.shift()!;
    if (parts.length === 0) return { type: 'discovery', document: 'group', group, version: '' };
    version = parts.shift()!;
  } else {
    return undefined;
  }
  if (parts.length === 0) return { type: 'discovery', document: 'group-version', group, version };

  let namespace: string | undefined;
  let rest = parts;
  if (rest[0] === 'namespaces' && rest.length > 1) {
    namespace = rest[1];
    if (rest.length > 2 && !NAMESPACE_SUBRESOURCES.has(rest[2]!)) rest = rest.slice(2);
  }
  if (rest.length > 3) return undefined;
  const info: ResourcePath = { type: 'resource', group, version, resource: rest[0]! };
  if (namespace !== undefined) info.namespace = namespace;
  if (rest[1] !== undefined) info.name = rest[1];
  if (rest[2] !== undefined) info.subresource = rest[2];
  return info;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** The API verb of a request (get, list, watch, create, update, patch, delete, deletecollection). */
export function verbOf(method: string, info: ResourcePath, watch: boolean): string {
  switch (method) {
    case 'GET':
    case 'HEAD':
      if (watch) return 'watch';
      return info.name ? 'get' : 'list';
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return info.name ? 'delete' : 'deletecollection';
    default:
      return method.toLowerCase();
  }
}
