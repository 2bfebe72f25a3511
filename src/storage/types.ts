/**
 * The revisioned key-value store contract, etcd-style. Every write takes the next global
 * revision; the value, an event-log entry and the revision counter are written in one atomic
 * batch, and a write is acknowledged only once durable. Values are opaque bytes: the store
 * knows keys, bytes and revisions, never kinds.
 * Owns: the interface, its errors and event shape. Must not: know kinds or HTTP.
 */

/** A key's current value and the revisions that made it. */
export interface Entry {
  key: string;
  value: Uint8Array;
  /** Revision of the write that created the key (etcd create_revision). */
  createRevision: number;
  /** Revision of the write that last changed the key (etcd mod_revision). */
  modRevision: number;
}

/**
 * Builds the bytes to store once the revision of the write is known, so that a value may embed
 * its own revision (kubemu stores objects with metadata.resourceVersion already set).
 */
export type Encode = (revision: number) => Uint8Array;

/** One change, as kept in the event log and handed to subscribers. */
export interface StorageEvent {
  type: 'put' | 'delete';
  key: string;
  revision: number;
  /** New value for put; for delete, the tombstone bytes given to `delete` (or the last value). */
  value: Uint8Array;
  /** The value before this write; undefined when the put created the key. */
  prevValue?: Uint8Array;
  /** True when a put created the key. */
  created: boolean;
}

/** Codes the registry translates into Kubernetes errors. */
export type StorageErrorCode = 'KeyExists' | 'KeyNotFound' | 'Conflict' | 'Compacted' | 'Closed' | 'Unavailable';

/** A storage failure with a code; message is for logs, not for clients. */
export class StorageError extends Error {
  constructor(
    readonly code: StorageErrorCode,
    readonly key: string,
    message?: string,
    /** For Compacted: the oldest revision still available. */
    readonly oldestRevision?: number,
  ) {
    super(message ?? `${code}: ${key}`);
    this.name = 'StorageError';
  }
}

/** Options of `list`. */
export interface ListOptions {
  /** Return at most this many entries (0 or unset: all). */
  limit?: number;
  /** Start strictly after this key (for pagination). */
  after?: string;
}

/** Result of `list`: entries in key order, the revision they were read at, and whether more remain. */
export interface ListResult {
  entries: Entry[];
  revision: number;
  more: boolean;
}

/** Called with each durable batch of events, in revision order. */
export type Subscriber = (events: readonly StorageEvent[]) => void;

/** The revisioned store. Implementations: LevelDB (default) and memory; etcd later. */
export interface Storage {
  /** Opens the store; resumes revision and event log from disk. Throws a clear Error if the data dir is unusable. */
  open(): Promise<void>;
  /** Waits for in-flight writes, then closes. Further calls throw StorageError('Closed'). */
  close(): Promise<void>;

  /** The latest durable revision (0 for an empty store). */
  readonly revision: number;
  /** The oldest revision whose events are still in the log (events after it can be replayed). */
  readonly compactedRevision: number;

  /** Current value of a key, or undefined. */
  get(key: string): Promise<Entry | undefined>;
  /** Current entries whose key starts with `prefix`, in key order. */
  list(prefix: string, options?: ListOptions): Promise<ListResult>;
  /** Number of keys under `prefix`. */
  count(prefix: string): Promise<number>;

  /** Creates a key; StorageError('KeyExists') if present. Resolves once durable. */
  create(key: string, encode: Encode): Promise<Entry>;
  /**
   * Replaces a key's value if its modRevision equals `expectedRevision` (when given).
   * StorageError('KeyNotFound') if absent, ('Conflict') on a revision mismatch. Resolves once durable.
   */
  update(key: string, expectedRevision: number | undefined, encode: Encode): Promise<Entry>;
  /**
   * Deletes a key if its modRevision equals `expectedRevision` (when given). `tombstone` builds the
   * bytes recorded in the DELETED event (defaults to the last value). Resolves with the deleted entry.
   */
  delete(key: string, expectedRevision?: number, tombstone?: Encode): Promise<Entry & { revision: number }>;

  /**
   * Events with revision > `fromRevision`, in order, from the log.
   * StorageError('Compacted', …, oldestRevision) when `fromRevision` < compactedRevision.
   */
  eventsSince(fromRevision: number): Promise<StorageEvent[]>;
  /** Registers a subscriber for durable events; returns an unsubscribe function. */
  subscribe(subscriber: Subscriber): () => void;
  /** Drops event-log entries up to and including `revision`. */
  compact(revision: number): Promise<void>;
}

/**
 * Compare-and-swap update with retry (kube-apiserver's GuaranteedUpdate): reads the key, calls
 * `tryUpdate` with its current entry, writes the result conditioned on the read revision, and
 * retries on Conflict. `tryUpdate` may throw to abort (its error propagates).
 */
export async function guaranteedUpdate(
  storage: Storage,
  key: string,
  tryUpdate: (current: Entry) => Encode | Promise<Encode>,
  maxAttempts = 16,
): Promise<Entry> {
  for (let attempt = 1; ; attempt++) {
    const current = await storage.get(key);
    if (!current) throw new StorageError('KeyNotFound', key);
    const encode = await tryUpdate(current);
    try {
      return await storage.update(key, current.modRevision, encode);
    } catch (err) {
      if (!(err instanceof StorageError) || err.code !== 'Conflict' || attempt >= maxAttempts) throw err;
    }
  }
}
