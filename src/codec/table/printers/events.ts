/**
 * The event printer (upstream printEvent) for core/v1 Events and events.k8s.io/v1 Events; both
 * are served from one storage upstream, so an events.k8s.io object is first read as its core
 * form (regarding → involvedObject, note → message, deprecated* → the old fields). LAST SEEN falls
 * back to the first timestamp, then eventTime; a series supplies its own last time and count; a
 * singleton without a count counts 1.
 * Owns: the event columns and cells. Must not: know HTTP, storage or other kinds.
 */
import type { KubeObject } from '../../../api/types.js';
import { column, columns, wide } from '../columns.js';
import { DOC } from '../descriptions.js';
import { parseTime, since } from '../format.js';
import type { Printer, PrintContext } from '../types.js';

/** The fields printEvent reads, in core/v1 spelling. */
interface CoreEvent {
  name: string;
  involvedObject: { kind?: string; name?: string; fieldPath?: string };
  type?: string;
  reason?: string;
  message?: string;
  source?: { component?: string; host?: string };
  reportingController?: string;
  reportingInstance?: string;
  firstTimestamp?: string;
  lastTimestamp?: string;
  eventTime?: string;
  count?: number;
  series?: { count?: number; lastObservedTime?: string };
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
const rec = (v: unknown): Record<string, unknown> => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : {});

/** An event of either API group in core/v1 spelling (core/v1 calls reportingController `reportingComponent`). */
function coreEvent(obj: KubeObject): CoreEvent {
  const e = obj;
  const v1 = (obj.apiVersion ?? '').startsWith('events.k8s.io/');
  const series = e.series === undefined || e.series === null ? undefined : rec(e.series);
  const ref = rec(v1 ? e.regarding : e.involvedObject);
  const source = rec(v1 ? e.deprecatedSource : e.source);
  return {
    name: obj.metadata?.name ?? '',
    involvedObject: { kind: str(ref.kind), name: str(ref.name), fieldPath: str(ref.fieldPath) },
    type: str(e.type),
    reason: str(e.reason),
    message: str(v1 ? e.note : e.message),
    source: { component: str(source.component), host: str(source.host) },
    reportingController: str(v1 ? e.reportingController : e.reportingComponent),
    reportingInstance: str(e.reportingInstance),
    firstTimestamp: str(v1 ? e.deprecatedFirstTimestamp : e.firstTimestamp),
    lastTimestamp: str(v1 ? e.deprecatedLastTimestamp : e.lastTimestamp),
    eventTime: str(e.eventTime),
    count: num(v1 ? e.deprecatedCount : e.count),
    series: series && { count: num(series.count), lastObservedTime: str(series.lastObservedTime) },
  };
}

/** formatEventSource: component (or reporting controller), then `, host` (or reporting instance). */
function eventSource(e: CoreEvent): string {
  const component = e.source?.component || e.reportingController || '';
  const instance = e.source?.host || e.reportingInstance || '';
  return instance ? `${component}, ${instance}` : component;
}

/**
 * events (core and events.k8s.io): Last Seen, Type, Reason, Object, Message; wide Subobject,
 * Source, First Seen, Count, Name. Count is an integer cell although the column says string.
 */
export const eventPrinter: Printer = {
  columns: columns(
    column('Last Seen', DOC.evLastTimestamp),
    column('Type', DOC.evType),
    column('Reason', DOC.evReason),
    column('Object', DOC.evInvolvedObject),
    wide('Subobject', DOC.evFieldPath),
    wide('Source', DOC.evSource),
    column('Message', DOC.evMessage),
    wide('First Seen', DOC.evFirstTimestamp),
    wide('Count', DOC.evCount),
    column('Name', DOC.name, { format: 'name', priority: 1 }),
  ),
  cells(obj: KubeObject, { now }: PrintContext): unknown[] {
    const e = coreEvent(obj);
    const first = parseTime(e.firstTimestamp) === undefined ? since(e.eventTime, now) : since(e.firstTimestamp, now);
    let last = parseTime(e.lastTimestamp) === undefined ? first : since(e.lastTimestamp, now);
    let count = e.count ?? 0;
    if (e.series) {
      last = since(e.series.lastObservedTime, now);
      count = e.series.count ?? 0;
    } else if (count === 0) {
      count = 1;
    }
    const kind = (e.involvedObject.kind ?? '').toLowerCase();
    const target = e.involvedObject.name ? `${kind}/${e.involvedObject.name}` : kind;
    return [
      last,
      e.type ?? '',
      e.reason ?? '',
      target,
      e.involvedObject.fieldPath ?? '',
      eventSource(e),
      (e.message ?? '').trim(),
      first,
      count,
      e.name,
    ];
  },
};
