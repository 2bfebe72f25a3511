/**
 * A stand-in for a channel-protocol websocket, so a SPDY connection drives the same PodIO
 * backend calls as the websocket routes: the backend `send`s channel messages (first byte the
 * channel) and the bridge (remotecommand.ts, portforward.ts) routes them to SPDY streams; what
 * the client writes on its streams arrives at the backend as `message` events, and the end of
 * the SPDY side as `close`.
 * Owns: the ChannelSocket contract over callbacks. Must not: know SPDY frames or pods.
 */
import { EventEmitter } from 'node:events';
import type { RawData } from 'ws';
import type { ChannelSocket } from '../backend.js';

const OPEN = 1;
const CLOSED = 3;

function bytes(data: RawData | Buffer | string): Buffer {
  if (typeof data === 'string') return Buffer.from(data);
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.isBuffer(data) ? data : Buffer.from(data);
}

/** See the module comment. */
export class ChannelEndpoint extends EventEmitter implements ChannelSocket {
  readonly protocol: string;
  #readyState = OPEN;
  readonly #onSend: (message: Buffer) => void;
  readonly #onClose: () => void;

  /**
   * `onSend` gets each message the backend sends; `onClose` runs once when the backend closes
   * (not when the bridge reports the client gone with {@link peerClosed}).
   */
  constructor(protocol: string, onSend: (message: Buffer) => void, onClose: () => void) {
    super();
    this.protocol = protocol;
    this.#onSend = onSend;
    this.#onClose = onClose;
  }

  get readyState(): number {
    return this.#readyState;
  }

  send(data: RawData | Buffer | string, optionsOrCb?: { binary?: boolean } | ((err?: Error) => void), cb?: (err?: Error) => void): void {
    const callback = typeof optionsOrCb === 'function' ? optionsOrCb : cb;
    if (this.#readyState !== OPEN) {
      if (callback) queueMicrotask(() => callback(new Error('the connection is closed')));
      return;
    }
    this.#onSend(bytes(data));
    if (callback) queueMicrotask(() => callback());
  }

  close(code = 1000): void {
    if (this.#readyState !== OPEN) return;
    this.#readyState = CLOSED;
    this.#onClose();
    setImmediate(() => this.emit('close', code, Buffer.alloc(0)));
  }

  /** Like `ws`'s terminate: closes at once. */
  terminate(): void {
    this.close(1006);
  }

  /** A message from the client (channel byte first) for the backend. */
  deliver(message: Buffer): void {
    if (this.#readyState === OPEN) this.emit('message', message, true);
  }

  /** The client side went away: the backend sees `close`. */
  peerClosed(): void {
    if (this.#readyState !== OPEN) return;
    this.#readyState = CLOSED;
    setImmediate(() => this.emit('close', 1006, Buffer.alloc(0)));
  }
}
