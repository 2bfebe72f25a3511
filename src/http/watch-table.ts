/**
 * Table watch events (`kubectl get -w`): each event's object is a one-row meta.k8s.io Table. As
 * kube-apiserver does, the first event of a stream carries the column definitions and later
 * ones send `columnDefinitions: null`.
 * Owns: the per-watcher Table encoding. Must not: decide which events a watcher gets.
 */
import { apiVersionOf, type ResourceInfo } from '../api/resource.js';
import { columnsFor, rowFor, type IncludeObject, type MetaVersion } from '../codec/table/index.js';
import { objectOf } from '../watch/entry.js';
import type { ResourceHooks } from '../registry/resource-hooks.js';
import { bookmarkObject, shownEntry, type EventEncoder } from './watch-encoding.js';

/** A Table event encoder for one watcher of `info`. */
export function tableEncoder(info: ResourceInfo, version: MetaVersion, includeObject: IncludeObject, hooks?: ResourceHooks): EventEncoder {
  let first = true;
  const printer = hooks?.printer;
  const view = hooks?.view;
  const line = (value: unknown) => Buffer.from(`${JSON.stringify(value)}\n`);
  return {
    event(type, entry, event) {
      const shown = shownEntry(type, entry, event);
      const obj = objectOf(view ? view(shown) : shown);
      const table = {
        kind: 'Table',
        apiVersion: `meta.k8s.io/${version}`,
        metadata: { resourceVersion: obj.metadata.resourceVersion },
        columnDefinitions: first ? columnsFor(info.group, info.plural, printer) : null,
        rows: [rowFor(info.group, info.plural, obj, printer ? { includeObject, printer } : { includeObject })],
      };
      first = false;
      return line({ type, object: table });
    },
    bookmark: (revision, initialEventsEnd) =>
      line({ type: 'BOOKMARK', object: bookmarkObject(info.kind, apiVersionOf(info), revision, initialEventsEnd) }),
    error: (status) => line({ type: 'ERROR', object: status }),
  };
}
