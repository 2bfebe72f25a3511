/**
 * The URL grammar of Kubernetes API paths as they appear in OpenAPI documents: which
 * group-version a path belongs to and which resource, subresource and scope it addresses.
 * Shared by the schema generator (to derive the resource table) and the loader (to filter
 * documents to the served resources).
 * Owns: path parsing and group-version path spelling. Must not: do I/O or hold resource data.
 *
 * Worked example:
 *   /apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale
 *     → gvPath `apis/apps/v1`, { plural: deployments, subresource: scale, namespaced: true,
 *       watch: false, item: true }
 *   /api/v1/watch/namespaces/{name}   → gvPath `api/v1`, { plural: namespaces, watch: true, item: true }
 *   /api/v1/pods                      → gvPath `api/v1`, { plural: pods, namespaced: false } (all-namespaces list)
 *   /api/v1/                          → gvPath `api/v1`, no target (the APIResourceList endpoint)
 */

/** What a resource path of a group-version addresses. */
export interface PathTarget {
  /** Plural resource name, the URL segment: `deployments`. */
  plural: string;
  /** `status`, `scale`, `log`, ...; undefined for the resource itself. */
  subresource?: string;
  /** True when the path lies under `namespaces/{namespace}/`. */
  namespaced: boolean;
  /** True for the deprecated `/watch/` prefix. */
  watch: boolean;
  /** True when the path names one object (`{name}`), false for the collection. */
  item: boolean;
}

/** A parsed API path: its group-version path and, unless it is the discovery endpoint, its target. */
export interface ParsedPath {
  /** `api/v1` or `apis/<group>/<version>`: the key of `/openapi/v3/<gvPath>`. */
  gvPath: string;
  group: string;
  version: string;
  target?: PathTarget;
}

/** `api/v1` for the core group, `apis/<group>/<version>` otherwise. */
export function gvPathOf(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

/**
 * Parses an OpenAPI path of the Kubernetes API. Returns undefined for paths outside any
 * group-version (`/api/`, `/apis/`, `/apis/apps/`, `/version/`, `/logs/...`) and for shapes
 * that name no resource.
 */
export function parseApiPath(path: string): ParsedPath | undefined {
  const segments = path.split('/').filter((s) => s !== '');
  let group: string;
  let version: string;
  let rest: string[];
  if (segments[0] === 'api' && segments.length >= 2) {
    group = '';
    version = segments[1] as string;
    rest = segments.slice(2);
  } else if (segments[0] === 'apis' && segments.length >= 3) {
    group = segments[1] as string;
    version = segments[2] as string;
    rest = segments.slice(3);
  } else {
    return undefined;
  }
  const parsed: ParsedPath = { gvPath: gvPathOf(group, version), group, version };
  if (rest.length === 0) return parsed;

  let watch = false;
  if (rest[0] === 'watch') {
    watch = true;
    rest = rest.slice(1);
  }
  let namespaced = false;
  if (rest[0] === 'namespaces' && rest[1] === '{namespace}') {
    namespaced = true;
    rest = rest.slice(2);
  }
  const [plural, name, subresource] = rest;
  if (!plural || plural.startsWith('{')) return undefined;
  if (name !== undefined && name !== '{name}') return undefined;
  const target: PathTarget = { plural, namespaced, watch, item: name !== undefined };
  if (subresource !== undefined) target.subresource = subresource;
  parsed.target = target;
  return parsed;
}
