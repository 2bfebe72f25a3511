/**
 * The default table of kinds without a printer (apiserver `pkg/registry/rest/table.go`,
 * NewDefaultTableConvertor): Name, and Created At as an RFC 3339 UTC date. Upstream serves it
 * for roles, clusterroles, limitranges, customresourcedefinitions and every other kind whose
 * storage declares no printer.
 * Owns: the default columns and cells. Must not: know HTTP, storage or particular kinds.
 */
import type { KubeObject } from '../../../api/types.js';
import { column, columns, NAME } from '../columns.js';
import { DOC } from '../descriptions.js';
import { parseTime } from '../format.js';
import type { Printer } from '../types.js';

/** Go's zero time in RFC 3339, what upstream prints for an object without creationTimestamp. */
const ZERO_TIME = '0001-01-01T00:00:00Z';

/** time.Time.UTC().Format(time.RFC3339): whole seconds, `Z`. */
export function rfc3339(value: unknown): string {
  const t = parseTime(value);
  return t === undefined ? ZERO_TIME : new Date(t).toISOString().replace(/\.\d+Z$/, 'Z');
}

/** Name, Created At. */
export const defaultPrinter: Printer = {
  columns: columns(NAME, column('Created At', DOC.creationTimestamp, { type: 'date' })),
  cells(obj: KubeObject): unknown[] {
    return [obj.metadata?.name ?? '', rfc3339(obj.metadata?.creationTimestamp)];
  },
};
