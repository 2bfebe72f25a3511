/**
 * The syncer's client of the host cluster: any Client (kubemu's HttpClient over a kubeconfig in
 * practice) wrapped with a token-bucket rate limit (client-go's QPS/burst) and retries with
 * exponential backoff on transient failures (transport errors, 429, 500, 502, 503, 504; a
 * server's `retryAfterSeconds` is honoured). Watches are rate-limited when they open; their
 * failures are left to the informer's own re-list backoff.
 *
 *   const host = new HostClient(HttpClient.fromKubeconfig(text), { qps: 40, burst: 80 });
 *
 * Owns: pacing and retrying host calls. Must not: know resources or translation.
 */
import { StatusError } from '../api/errors.js';
import type { KubeObject, Status, StoredObject } from '../api/types.js';
import type {
  Client,
  DeleteOptions,
  ListOptions,
  ObjectList,
  Patch,
  PatchOptions,
  Resource,
  Scoped,
  UpdateOptions,
  Watch,
  WatchOptions,
  WriteOptions,
} from '../client/types.js';

/** Rate limit and retry settings of host calls. */
export interface HostClientOptions {
  /** Sustained requests per second (default 40, vcluster's host client default). */
  qps?: number;
  /** Requests allowed at once above the sustained rate (default 80). */
  burst?: number;
  /** Attempts of one call, the first included (default 5). */
  attempts?: number;
  /** First retry delay; doubles each attempt (default 100 ms). */
  backoffMs?: number;
  /** Longest retry delay (default 5 s). */
  maxBackoffMs?: number;
}

/** A token bucket: `take()` resolves when a token is available. */
export class TokenBucket {
  readonly #qps: number;
  readonly #burst: number;
  #tokens: number;
  #last = Date.now();
  #tail: Promise<void> = Promise.resolve();

  constructor(qps: number, burst: number) {
    this.#qps = qps;
    this.#burst = Math.max(1, burst);
    this.#tokens = this.#burst;
  }

  /** Waits for one token (callers are served in order). */
  take(): Promise<void> {
    if (!(this.#qps > 0)) return Promise.resolve();
    const turn = this.#tail.then(() => this.#wait());
    this.#tail = turn;
    return turn;
  }

  async #wait(): Promise<void> {
    for (;;) {
      const now = Date.now();
      this.#tokens = Math.min(this.#burst, this.#tokens + ((now - this.#last) * this.#qps) / 1000);
      this.#last = now;
      if (this.#tokens >= 1) {
        this.#tokens -= 1;
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, Math.ceil(((1 - this.#tokens) * 1000) / this.#qps)));
    }
  }
}

const RETRIABLE_CODES = new Set([429, 500, 502, 503, 504]);

/** True for failures worth retrying: transport errors and overload/unavailable answers. */
export function isTransient(err: unknown): boolean {
  if (err instanceof StatusError) return RETRIABLE_CODES.has(err.code);
  return err instanceof Error && !(err instanceof TypeError);
}

/** A Client that paces and retries another. */
export class HostClient implements Client {
  readonly #inner: Client;
  readonly #bucket: TokenBucket;
  readonly #options: Required<HostClientOptions>;

  constructor(inner: Client, options: HostClientOptions = {}, bucket?: TokenBucket) {
    this.#inner = inner;
    this.#options = { qps: 40, burst: 80, attempts: 5, backoffMs: 100, maxBackoffMs: 5000, ...options };
    this.#bucket = bucket ?? new TokenBucket(this.#options.qps, this.#options.burst);
  }

  get fieldManager(): string {
    return this.#inner.fieldManager;
  }

  withFieldManager(fieldManager: string): HostClient {
    return new HostClient(this.#inner.withFieldManager(fieldManager), this.#options, this.#bucket);
  }

  async #call<T>(fn: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      await this.#bucket.take();
      try {
        return await fn();
      } catch (err) {
        if (attempt >= this.#options.attempts || !isTransient(err)) throw err;
        const hinted = err instanceof StatusError ? (err.status.details?.retryAfterSeconds ?? 0) * 1000 : 0;
        const backoff = Math.min(this.#options.maxBackoffMs, this.#options.backoffMs * 2 ** (attempt - 1));
        await new Promise((resolve) => setTimeout(resolve, Math.max(hinted, backoff)));
      }
    }
  }

  get(resource: Resource, name: string, options?: Scoped): Promise<StoredObject> {
    return this.#call(() => this.#inner.get(resource, name, options));
  }

  list(resource: Resource, options?: ListOptions): Promise<ObjectList> {
    return this.#call(() => this.#inner.list(resource, options));
  }

  watch(resource: Resource, options?: WatchOptions): Watch {
    // Opening is not awaited by the Watch contract; pacing the first read keeps the QPS honest.
    const inner = this.#inner.watch(resource, options);
    const bucket = this.#bucket;
    return {
      stop: () => inner.stop(),
      async *[Symbol.asyncIterator]() {
        await bucket.take();
        yield* inner;
      },
    };
  }

  create(resource: Resource, object: KubeObject, options?: WriteOptions): Promise<StoredObject> {
    return this.#call(() => this.#inner.create(resource, object, options));
  }

  update(resource: Resource, object: KubeObject, options?: UpdateOptions): Promise<StoredObject> {
    return this.#call(() => this.#inner.update(resource, object, options));
  }

  updateStatus(resource: Resource, object: KubeObject, options?: WriteOptions): Promise<StoredObject> {
    return this.#call(() => this.#inner.updateStatus(resource, object, options));
  }

  patch(resource: Resource, name: string, patch: Patch, options?: PatchOptions): Promise<StoredObject> {
    return this.#call(() => this.#inner.patch(resource, name, patch, options));
  }

  delete(resource: Resource, name: string, options?: DeleteOptions): Promise<StoredObject | Status> {
    return this.#call(() => this.#inner.delete(resource, name, options));
  }
}
