/**
 * EventRecorder: a controller's core/v1 Events about the objects it handles, as client-go's
 * recorder writes them — so `kubectl describe` and `kubectl get events` show them: `type`,
 * `reason`, `message`, `involvedObject` (kind, apiVersion, namespace, name, uid,
 * resourceVersion), `source.component`, `reportingComponent`, `firstTimestamp`,
 * `lastTimestamp` and `count`, in the object's namespace (`default` for cluster-scoped ones).
 * Repeats are correlated (event-correlator.ts): an identical event patches the existing one's
 * count and lastTimestamp. Recording never blocks or fails the caller: writes run in the
 * background, one at a time, and failures are logged; `flush()` waits for them.
 * Owns: Event objects and their writing. Must not: decide what is worth an event.
 */
import { StatusError } from '../../api/errors.js';
import type { KubeObject } from '../../api/types.js';
import { RESOURCES, type Client } from '../../client/types.js';
import { EventCorrelator, eventName, type CoreEvent, type CorrelatorOptions, type ObjectReference } from './event-correlator.js';
import { errorFields, silentLogger, type Logger } from './log.js';
import { yieldToEventLoop } from './yield.js';

export type { CoreEvent, ObjectReference } from './event-correlator.js';

/** The two event types of core/v1. */
export type EventKind = 'Normal' | 'Warning';

/** Options of an EventRecorder. */
export interface EventRecorderOptions extends CorrelatorOptions {
  /** Writes the events (its field manager should be the component). */
  client: Client;
  /** `source.component` and `reportingComponent`: the controller's name. */
  component: string;
  /** `source.host` and `reportingInstance`. */
  host?: string;
  log?: Logger;
  /** The clock (tests). */
  now?: () => Date;
}

/** The ObjectReference of a stored object. */
export function referenceOf(obj: KubeObject): ObjectReference {
  const meta = obj.metadata ?? {};
  const ref: ObjectReference = {};
  if (obj.kind) ref.kind = obj.kind;
  if (meta.namespace) ref.namespace = meta.namespace;
  if (meta.name) ref.name = meta.name;
  if (meta.uid) ref.uid = meta.uid;
  if (obj.apiVersion) ref.apiVersion = obj.apiVersion;
  if (meta.resourceVersion) ref.resourceVersion = meta.resourceVersion;
  return ref;
}

/** metav1.Time: RFC 3339 at second precision. */
function timestamp(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

/** Records Events for one component. */
export class EventRecorder {
  readonly component: string;
  readonly #client: Client;
  readonly #host: string | undefined;
  readonly #log: Logger;
  readonly #now: () => Date;
  readonly #correlator: EventCorrelator;
  #pending: Promise<void> = Promise.resolve();

  constructor(options: EventRecorderOptions) {
    this.#client = options.client;
    this.component = options.component;
    this.#host = options.host;
    this.#log = options.log ?? silentLogger;
    this.#now = options.now ?? (() => new Date());
    this.#correlator = new EventCorrelator(options);
  }

  /** Records that `reason` happened to `object` (e.g. `Warning`, `FailedCreate`, `pods "x" is forbidden`). */
  event(object: KubeObject, type: EventKind, reason: string, message: string): void {
    const now = this.#now();
    const involvedObject = referenceOf(object);
    const source: CoreEvent['source'] = { component: this.component };
    if (this.#host) source.host = this.#host;
    const at = timestamp(now);
    const event: CoreEvent = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: eventName(involvedObject.name ?? '', now), namespace: involvedObject.namespace || 'default' },
      involvedObject,
      reason,
      message,
      type,
      source,
      firstTimestamp: at,
      lastTimestamp: at,
      count: 1,
      reportingComponent: this.component,
      reportingInstance: this.#host ?? '',
    };
    const correlation = this.#correlator.correlate(event, now);
    if (correlation.skip) {
      this.#log.debug({ reason, object: involvedObject.name }, 'event dropped by the spam filter');
      return;
    }
    this.#pending = this.#pending.then(() => this.#write(correlation.event, correlation.patch, correlation.key));
  }

  /** Resolves when every event recorded so far has been written (or has failed). */
  flush(): Promise<void> {
    return this.#pending;
  }

  async #write(event: CoreEvent, patch: boolean, key: string): Promise<void> {
    // Thousands of events can queue up in a rollout: write them a time slice at a time.
    await yieldToEventLoop();
    const { name, namespace } = event.metadata;
    try {
      if (patch) {
        try {
          const update = { count: event.count, lastTimestamp: event.lastTimestamp, message: event.message };
          await this.#client.patch(RESOURCES.events, name, { type: 'strategic', patch: update }, { namespace });
          this.#correlator.written(key, { name, count: event.count, firstTimestamp: event.firstTimestamp });
          return;
        } catch (err) {
          // The Event is gone (expired, deleted): create it again with the count so far.
          if (!(err instanceof StatusError && err.code === 404)) throw err;
        }
      }
      const created = await this.#client.create(RESOURCES.events, { ...event, metadata: { name, namespace } }, { namespace });
      this.#correlator.written(key, { name: created.metadata.name, count: event.count, firstTimestamp: event.firstTimestamp });
    } catch (err) {
      this.#log.warn({ reason: event.reason, object: event.involvedObject.name, ...errorFields(err) }, 'could not write event');
    }
  }
}
