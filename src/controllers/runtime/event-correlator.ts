/**
 * EventCorrelator: what client-go's `tools/record` does to an event before it is written, so a
 * controller that repeats itself produces one Event with a growing count, not thousands:
 *
 * 1. aggregate — events differing only in message (same source, object, type, reason): from the
 *    10th distinct message within 10 minutes on, they become one event "(combined from similar
 *    events): <message>";
 * 2. observe — an event identical to one already written (same key) becomes a patch of that
 *    Event: same name and firstTimestamp, count + 1, new lastTimestamp (and message);
 * 3. filter — a token bucket per source and object (burst 25, one more every 5 minutes) drops
 *    the rest.
 *
 *   Normal/Synced "ok" ×3 on cm/a  → create a.17f… count 1, patch count 2, patch count 3
 *   Warning/Failed "err 1".."err 12" → 9 events, then "(combined from similar events): err 10"
 *                                      created once and counted up by err 11, err 12
 *
 * Caches are LRU maps of 4096 entries. Owns: the decision create / patch / drop and the counts.
 * Must not: write anything (events.ts does).
 */

/** core/v1 ObjectReference of the involved object. */
export interface ObjectReference {
  kind?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  apiVersion?: string;
  resourceVersion?: string;
  fieldPath?: string;
}

/** A core/v1 Event as the recorder writes it. */
export interface CoreEvent {
  apiVersion: 'v1';
  kind: 'Event';
  metadata: { name: string; namespace: string; resourceVersion?: string };
  involvedObject: ObjectReference;
  reason: string;
  message: string;
  type: string;
  source: { component: string; host?: string };
  firstTimestamp: string;
  lastTimestamp: string;
  count: number;
  reportingComponent: string;
  reportingInstance: string;
}

/** The outcome: write `event` — as a patch of an existing Event when `patch` is set — or skip it. */
export interface Correlation {
  event: CoreEvent;
  /** The cache key to update once written. */
  key: string;
  /** Patch the existing Event `event.metadata.name` with count, lastTimestamp and message. */
  patch: boolean;
  skip: boolean;
}

/** Knobs, client-go's defaults. */
export interface CorrelatorOptions {
  cacheSize?: number;
  maxSimilarEvents?: number;
  similarIntervalMs?: number;
  burst?: number;
  refillPerSecond?: number;
}

/** A Map that forgets its least recently used entries past `size`. */
class Lru<V> {
  readonly #map = new Map<string, V>();
  constructor(readonly size: number) {}
  get(key: string): V | undefined {
    const value = this.#map.get(key);
    if (value !== undefined) {
      this.#map.delete(key);
      this.#map.set(key, value);
    }
    return value;
  }
  set(key: string, value: V): void {
    this.#map.delete(key);
    this.#map.set(key, value);
    if (this.#map.size > this.size) this.#map.delete(this.#map.keys().next().value!);
  }
}

const join = (parts: (string | undefined)[]) => parts.map((p) => p ?? '').join('');

function objectKey(e: CoreEvent): (string | undefined)[] {
  const o = e.involvedObject;
  return [e.source.component, e.source.host, o.kind, o.namespace, o.name, o.uid, o.apiVersion];
}

/** source + object + fieldPath + type + reason + message (getEventKey). */
export function eventKey(e: CoreEvent): string {
  const o = e.involvedObject;
  return join([e.source.component, e.source.host, o.kind, o.namespace, o.name, o.fieldPath, o.uid, o.apiVersion, e.type, e.reason, e.message]);
}

/** Event name: `<object name>.<unix nanoseconds in hex>`, made unique within the process. */
let lastNanos = 0n;
export function eventName(objectName: string, now: Date): string {
  let nanos = BigInt(now.getTime()) * 1_000_000n;
  if (nanos <= lastNanos) nanos = lastNanos + 1n;
  lastNanos = nanos;
  return `${objectName}.${nanos.toString(16)}`;
}

/** What the correlator remembers of a written Event. */
export interface Observation {
  count: number;
  firstTimestamp: string;
  name: string;
}

/** Correlates the events of one recorder. */
export class EventCorrelator {
  readonly #aggregates: Lru<{ messages: Set<string>; last: number }>;
  readonly #observed: Lru<Observation>;
  readonly #buckets: Lru<{ tokens: number; at: number }>;
  readonly #max: number;
  readonly #intervalMs: number;
  readonly #burst: number;
  readonly #refill: number;

  constructor(options: CorrelatorOptions = {}) {
    const size = options.cacheSize ?? 4096;
    this.#aggregates = new Lru(size);
    this.#observed = new Lru(size);
    this.#buckets = new Lru(size);
    this.#max = options.maxSimilarEvents ?? 10;
    this.#intervalMs = options.similarIntervalMs ?? 600_000;
    this.#burst = options.burst ?? 25;
    this.#refill = options.refillPerSecond ?? 1 / 300;
  }

  /** Decides what to do with a new event (count 1, fresh name) at `now`. */
  correlate(event: CoreEvent, now: Date): Correlation {
    const { event: aggregated, key } = this.#aggregate(event, now);
    const observed = this.#observe(aggregated, key);
    return { ...observed, key, skip: !this.#take(aggregated, now.getTime()) };
  }

  /** Records what the server stored under `key` (the name to patch next time, the count so far). */
  written(key: string, stored: Observation): void {
    this.#observed.set(key, { count: stored.count, firstTimestamp: stored.firstTimestamp, name: stored.name });
  }

  #aggregate(event: CoreEvent, now: Date): { event: CoreEvent; key: string } {
    const aggregateKey = join([...objectKey(event), event.type, event.reason, event.reportingComponent, event.reportingInstance]);
    let record = this.#aggregates.get(aggregateKey);
    if (!record || now.getTime() - record.last > this.#intervalMs) record = { messages: new Set(), last: 0 };
    record.messages.add(event.message);
    record.last = now.getTime();
    this.#aggregates.set(aggregateKey, record);
    if (record.messages.size < this.#max) return { event, key: eventKey(event) };
    // Keep the set at max - 1 so every further distinct message still aggregates.
    record.messages.delete(record.messages.values().next().value!);
    const message = `(combined from similar events): ${event.message}`;
    const name = eventName(event.involvedObject.name ?? '', now);
    return { event: { ...event, metadata: { ...event.metadata, name }, message, count: 1 }, key: aggregateKey };
  }

  #observe(event: CoreEvent, key: string): { event: CoreEvent; patch: boolean } {
    const last = this.#observed.get(key);
    let next = event;
    if (last) next = { ...event, metadata: { ...event.metadata, name: last.name }, firstTimestamp: last.firstTimestamp, count: last.count + 1 };
    this.#observed.set(key, { count: next.count, firstTimestamp: next.firstTimestamp, name: next.metadata.name });
    return { event: next, patch: last !== undefined };
  }

  /** Token bucket per source and object: true when the event may be written. */
  #take(event: CoreEvent, at: number): boolean {
    const key = join(objectKey(event));
    const bucket = this.#buckets.get(key) ?? { tokens: this.#burst, at };
    bucket.tokens = Math.min(this.#burst, bucket.tokens + ((at - bucket.at) / 1000) * this.#refill);
    bucket.at = at;
    const allowed = bucket.tokens >= 1;
    if (allowed) bucket.tokens -= 1;
    this.#buckets.set(key, bucket);
    return allowed;
  }
}
