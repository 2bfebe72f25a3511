/**
 * The predicate a LIST or DELETE-collection applies: `labelSelector` and `fieldSelector` from the
 * query, parsed once per request, with the fields each kind supports upstream.
 * Owns: query → predicate. Must not: read storage.
 */
import type { ResourceInfo } from '../api/resource.js';
import type { StoredObject } from '../api/types.js';
import { fieldSelectorFields, fieldsOf, parseFieldSelector, parseLabelSelector } from '../api/selectors.js';
import type { Query } from './options.js';

/** A predicate over stored objects; `everything` is true when nothing is filtered out. */
export interface ListFilter {
  (obj: StoredObject): boolean;
  everything: boolean;
}

function text(query: Query, key: string): string {
  const v = query[key];
  return (Array.isArray(v) ? v[0] : v) ?? '';
}

/** Builds the filter of a request; throws 400 for malformed selectors. */
export function listFilter(info: ResourceInfo, query: Query): ListFilter {
  const groupPlural = info.group ? `${info.group}/${info.plural}` : info.plural;
  const labels = parseLabelSelector(text(query, 'labelSelector'));
  const fields = parseFieldSelector(text(query, 'fieldSelector'), fieldSelectorFields[groupPlural]);
  const filter = ((obj: StoredObject) =>
    labels.matches(obj.metadata.labels) && (fields.empty || fields.matches(fieldsOf(groupPlural, obj)))) as ListFilter;
  filter.everything = labels.empty && fields.empty;
  return filter;
}
