/**
 * The 403 of a refused request, worded as k8s.io/apiserver `responsewriters.ForbiddenStatusError`:
 *
 *   pods "p" is forbidden: User "bob" cannot get resource "pods" in API group "" in the namespace "ns"
 *   deployments.apps is forbidden: User "bob" cannot list resource "deployments" in API group "apps" at the cluster scope
 *   forbidden: User "system:anonymous" cannot get path "/foo"
 *
 * followed by `: <reason>` when the authorizer gave one. `&`, `<`, `>` are HTML-escaped.
 * Owns: that wording. Must not: decide anything.
 */
import { qualified, StatusError } from '../../api/errors.js';
import type { StatusDetails } from '../../api/types.js';
import type { Attributes } from './types.js';

function sanitize(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** forbiddenMessage: what the user cannot do, without the reason. */
export function forbiddenMessage(attributes: Attributes): string {
  const user = JSON.stringify(attributes.user.name);
  if (!attributes.resourceRequest) return `User ${user} cannot ${attributes.verb} path ${JSON.stringify(attributes.path)}`;
  const resource = attributes.subresource ? `${attributes.resource}/${attributes.subresource}` : attributes.resource;
  const head = `User ${user} cannot ${attributes.verb} resource ${JSON.stringify(resource)} in API group ${JSON.stringify(attributes.apiGroup)}`;
  return attributes.namespace ? `${head} in the namespace ${JSON.stringify(attributes.namespace)}` : `${head} at the cluster scope`;
}

/** The 403 Forbidden StatusError of refused `attributes` (details: name, group, resource as kind). */
export function forbiddenError(attributes: Attributes, reason: string): StatusError {
  const detail = sanitize(forbiddenMessage(attributes)) + (reason ? `: ${reason}` : '');
  return forbiddenStatus(attributes.apiGroup, attributes.resource, attributes.name, detail);
}

/** apierrors.NewForbidden(groupResource, name, detail); an empty group-resource reads `forbidden: <detail>`. */
export function forbiddenStatus(group: string, resource: string, name: string, detail: string): StatusError {
  let message: string;
  if (!group && !resource) message = `forbidden: ${detail}`;
  else if (!name) message = `${qualified({ group, name: resource })} is forbidden: ${detail}`;
  else message = `${qualified({ group, name: resource })} ${JSON.stringify(name)} is forbidden: ${detail}`;
  const details: StatusDetails = {};
  if (name) details.name = name;
  if (group) details.group = group;
  if (resource) details.kind = resource;
  return new StatusError(403, 'Forbidden', message, details);
}
