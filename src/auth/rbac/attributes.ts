/**
 * Request → authorization attributes, as k8s.io/apiserver's RequestInfoFactory reads a URL:
 * `/api/<v>/...` and `/apis/<g>/<v>/...` with at least a resource are resource requests
 * (`[namespaces/<ns>/]<resource>[/<name>[/<subresource>]]`, further segments ignored); everything
 * else — `/api`, `/apis/<g>/<v>`, `/healthz`, `/openapi/v3` — is a non-resource request whose
 * verb is the lower-case HTTP method.
 *
 *   GET /api/v1/namespaces/ns1/pods?watch=1              → watch pods in ns1
 *   GET /api/v1/pods?fieldSelector=metadata.name%3Dp1     → list pods, name p1
 *   GET /api/v1/namespaces/ns1                            → get namespaces "ns1" in ns1
 *   DELETE /apis/apps/v1/namespaces/ns1/deployments       → deletecollection
 *
 * Owns: that mapping. Must not: look resources up (a path need not name a served resource).
 */
import type { UserInfo } from '../user.js';
import { nonResourceAttributes, type Attributes } from './types.js';

/** Subresources that follow a namespace's own name rather than naming a resource in it. */
const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);
const SPECIAL_VERBS = new Set(['proxy', 'watch']);
const METHOD_VERBS: Readonly<Record<string, string>> = { POST: 'create', GET: 'get', HEAD: 'get', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };

function decode(segment: string): string {
  // Only %-escapes change anything (and only they can fail): most segments have none.
  if (!segment.includes('%')) return segment;
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** How `watch=` converts to a bool (runtime.Convert_Slice_string_To_bool): anything but `0` or `false`. */
function isTrue(value: string): boolean {
  return value !== '0' && value.toLowerCase() !== 'false';
}

/**
 * The name an exact `metadata.name=<n>` (or `==`) term of a field selector requires, if any and
 * if it is a valid path segment name; backslash escapes (`\,` `\=` `\\`) are honoured.
 */
export function fieldSelectorName(selector: string): string | undefined {
  const terms: string[] = [];
  let current = '';
  for (let i = 0; i < selector.length; i++) {
    const c = selector[i]!;
    if (c === '\\' && i + 1 < selector.length) {
      current += c + selector[++i];
      continue;
    }
    if (c === ',') {
      terms.push(current);
      current = '';
    } else current += c;
  }
  terms.push(current);
  for (const term of terms) {
    const match = /^\s*metadata\.name\s*(==|=)(.*)$/.exec(term);
    if (!match) continue;
    const name = match[2]!.trim().replace(/\\(.)/g, '$1');
    if (name === '' || name === '.' || name === '..' || /[/%]/.test(name)) return undefined;
    return name;
  }
  return undefined;
}

/** The attributes of a request by `user` with `method` on `url` (path and query as received). */
export function requestAttributes(user: UserInfo, method: string, url: string): Attributes {
  const queryStart = url.indexOf('?');
  const rawPath = queryStart < 0 ? url : url.slice(0, queryStart);
  const path = decode(rawPath);
  const nonResource = nonResourceAttributes(user, method.toLowerCase(), path);
  let parts = rawPath.split('/').filter((p) => p.length > 0).map(decode);
  if (parts.length < 3 || (parts[0] !== 'api' && parts[0] !== 'apis')) return nonResource;
  let apiGroup = '';
  if (parts[0] === 'apis') {
    if (parts.length < 4) return nonResource;
    apiGroup = parts[1]!;
    parts = parts.slice(2);
  } else parts = parts.slice(1);
  const apiVersion = parts.shift()!;
  const attributes: Attributes = { ...nonResource, resourceRequest: true, apiGroup, apiVersion, path: '' };

  if (SPECIAL_VERBS.has(parts[0]!)) {
    if (parts.length < 2) return attributes;
    attributes.verb = parts.shift()!;
  } else attributes.verb = METHOD_VERBS[method] ?? '';

  if (parts[0] === 'namespaces') {
    if (parts.length > 1) {
      attributes.namespace = parts[1]!;
      if (parts.length > 2 && !NAMESPACE_SUBRESOURCES.has(parts[2]!)) parts = parts.slice(2);
    }
  }
  if (parts.length >= 3 && attributes.verb !== 'proxy') attributes.subresource = parts[2]!;
  if (parts.length >= 2) attributes.name = parts[1]!;
  attributes.resource = parts[0] ?? '';

  if (!attributes.name && attributes.verb === 'get') {
    const query = new URLSearchParams(queryStart < 0 ? '' : url.slice(queryStart + 1));
    const watch = query.get('watch');
    attributes.verb = watch !== null && isTrue(watch) ? 'watch' : 'list';
    const selector = query.get('fieldSelector');
    const name = selector === null ? undefined : fieldSelectorName(selector);
    if (name !== undefined) attributes.name = name;
  }
  if (!attributes.name && attributes.verb === 'delete') attributes.verb = 'deletecollection';
  return attributes;
}
