/**
 * WatchStream: the push side of a Watch shared by both clients. A transport pushes events, then
 * ends it (normal end) or fails it (error after the buffered events); one consumer pulls them
 * with `for await`. Stopping (or breaking out of the loop) discards what is buffered and tells
 * the transport once, through `onStop`.
 *
 *   push(A) push(B) fail(410)   →   next() = A, next() = B, next() throws 410, next() = done
 *
 * Owns: buffering and the async-iterator protocol. Must not: know HTTP or the watch cache.
 */
import type { Watch, WatchEvent } from './types.js';

/** An event, or a function that builds it when the consumer pulls it (decode lazily, off the writer's path). */
export type PendingEvent = WatchEvent | (() => WatchEvent);

/** Options of a WatchStream. */
export interface WatchStreamOptions {
  /** Called once when the consumer stops the watch (not when the transport ends or fails it). */
  onStop?: () => void;
  /** Called with true when the buffer passes `highWater` events, false when it is drained again (pause a socket). */
  onPressure?: (high: boolean) => void;
  highWater?: number;
}

/** A Watch fed by a transport. */
export class WatchStream implements Watch {
  readonly #buffer: PendingEvent[] = [];
  readonly #options: WatchStreamOptions;
  #head = 0;
  #done = false;
  #stopped = false;
  #error: unknown;
  #failed = false;
  #pressure = false;
  #wake?: () => void;

  constructor(options: WatchStreamOptions = {}) {
    this.#options = options;
  }

  /** Events buffered and not yet pulled. */
  get buffered(): number {
    return this.#buffer.length - this.#head;
  }

  /** True once ended, failed or stopped: pushes are ignored. */
  get closed(): boolean {
    return this.#done || this.#stopped;
  }

  /** Delivers one event (ignored once closed). */
  push(event: PendingEvent): void {
    if (this.closed) return;
    this.#buffer.push(event);
    const high = this.#options.highWater;
    if (high !== undefined && !this.#pressure && this.buffered >= high) {
      this.#pressure = true;
      this.#options.onPressure?.(true);
    }
    this.#notify();
  }

  /** Ends the watch normally once the buffered events are pulled. */
  end(): void {
    if (this.closed) return;
    this.#done = true;
    this.#notify();
  }

  /** Ends the watch with `error`, thrown after the buffered events are pulled. */
  fail(error: unknown): void {
    if (this.closed) return;
    this.#done = true;
    this.#failed = true;
    this.#error = error;
    this.#notify();
  }

  stop(): void {
    if (this.#stopped) return;
    const wasDone = this.#done;
    this.#stopped = true;
    this.#buffer.length = 0;
    this.#head = 0;
    this.#failed = false;
    this.#notify();
    if (!wasDone) this.#options.onStop?.();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<WatchEvent, void, undefined> {
    try {
      for (;;) {
        if (this.#stopped) return;
        if (this.#head < this.#buffer.length) {
          const pending = this.#buffer[this.#head++]!;
          if (this.#head > 1024 && this.#head * 2 > this.#buffer.length) {
            this.#buffer.splice(0, this.#head);
            this.#head = 0;
          }
          this.#relieve();
          yield typeof pending === 'function' ? pending() : pending;
          continue;
        }
        if (this.#done) {
          if (this.#failed) {
            this.#failed = false;
            throw this.#error;
          }
          return;
        }
        await new Promise<void>((resolve) => (this.#wake = resolve));
      }
    } finally {
      // Breaking out of `for await` stops the watch.
      if (!this.#done) this.stop();
    }
  }

  #relieve(): void {
    const high = this.#options.highWater;
    if (this.#pressure && high !== undefined && this.buffered <= high / 2) {
      this.#pressure = false;
      this.#options.onPressure?.(false);
    }
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}
