/**
 * The PodIO backend interface: what answers `pods/log`, `pods/exec`, `pods/attach` and
 * `pods/portforward` once the HTTP layer has checked the request (pod exists, is scheduled, the
 * container is one of its own) and, for the streaming three, upgraded the connection to a
 * websocket. Two implementations: the simulated nodes' behaviour (simulated.ts) and the relay to
 * a host cluster's pod (src/syncer/relay.ts).
 * Owns: the contract between routes and backends. Must not: hold behaviour.
 */
import type { RawData } from 'ws';
import type { StoredObject } from '../../api/types.js';

/** PodLogOptions as the request gave them (already validated). */
export interface LogOptions {
  container: string;
  follow: boolean;
  previous: boolean;
  timestamps: boolean;
  tailLines?: number;
  sinceSeconds?: number;
  /** RFC 3339 time; only one of sinceSeconds and sinceTime is set. */
  sinceTime?: string;
  limitBytes?: number;
}

/** PodExecOptions / PodAttachOptions as the request gave them (container resolved). */
export interface StreamOptions {
  container: string;
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
  /** exec only: the command and its arguments. */
  command: string[];
}

/**
 * The part of a `ws` WebSocket a backend uses. The websocket routes hand the socket itself; the
 * SPDY routes (spdy/) hand an endpoint that speaks the same channel protocol over SPDY streams.
 */
export interface ChannelSocket {
  /** The channel subprotocol the messages follow. */
  readonly protocol: string;
  /** `WebSocket.OPEN` (1) while messages may be sent. */
  readonly readyState: number;
  send(data: Buffer | string, cb?: (err?: Error) => void): void;
  send(data: RawData | Buffer | string, options: { binary?: boolean }, cb?: (err?: Error) => void): void;
  close(code?: number): void;
  on(event: 'message', listener: (data: RawData, isBinary: boolean) => void): this;
  on(event: 'close', listener: (code: number, reason: Buffer) => void): this;
}

/** An upgraded connection handed to a backend. */
export interface Session {
  socket: ChannelSocket;
  /** The negotiated websocket subprotocol (`v5.channel.k8s.io`, `v4.channel.k8s.io`, ...). */
  protocol: string;
  /** The request's query string without `?` (for a backend that forwards it). */
  query: string;
}

/** Answers pod I/O; see the module comment. */
export interface PodIO {
  /**
   * The container log as bytes. Rejects with a StatusError before any byte when the log cannot
   * be read (container waiting, no previous instance); with `follow` the iterable ends when the
   * container stops or `signal` aborts.
   */
  logs(pod: StoredObject, options: LogOptions, signal: AbortSignal): Promise<AsyncIterable<Uint8Array>>;
  /** Runs a command in the container over `session` (channel protocol) and closes the socket. */
  exec(pod: StoredObject, options: StreamOptions, session: Session): void;
  /** Attaches to the container's streams over `session`. */
  attach(pod: StoredObject, options: StreamOptions, session: Session): void;
  /** Forwards `ports` of the pod over `session` (one data and one error channel per port). */
  portForward(pod: StoredObject, ports: number[], session: Session): void;
}
