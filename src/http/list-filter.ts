/**
 * The selection a LIST, WATCH or DELETE-collection applies: `labelSelector` and `fieldSelector`,
 * as a predicate over cached entries plus the exact label matches the cache can look up in its
 * index.
 * Owns: options → selection. Must not: read storage or the cache.
 */
import type { ListOptions } from '../api/list-options.js';
import type { Selectable } from '../watch/entry.js';

/** A parsed selection. */
export interface Selection {
  filter: (s: Selectable) => boolean;
  /** Label keys that must have exactly one value (index hints). */
  exactLabels: ReadonlyMap<string, string>;
  /** True when nothing is filtered out. */
  everything: boolean;
}

/** The selection of parsed list options. */
export function listSelection(options: Pick<ListOptions, 'labelSelector' | 'fieldSelector'>): Selection {
  const { labelSelector: labels, fieldSelector: fields } = options;
  const everything = labels.empty && fields.empty;
  const filter = everything ? () => true : (s: Selectable) => labels.matches(s.labels) && (fields.empty || fields.matches(s.fields));
  return { filter, exactLabels: labels.exactMatches(), everything };
}
