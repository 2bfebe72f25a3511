/**
 * The Kubernetes channel websocket protocols, server side. Remote commands (`exec`, `attach`)
 * speak `v5.channel.k8s.io` or `v4.channel.k8s.io`: every binary message starts with a channel
 * byte (0 stdin, 1 stdout, 2 stderr, 3 error — one Status as JSON at the end, 4 resize), and v5
 * adds message `[255, channel]`, the client closing its side of a channel (stdin's end of file).
 * Port forwarding speaks `v4.channel.k8s.io` / `portforward.k8s.io`: two channels per requested
 * port (2i data, 2i+1 error), each opened by a message carrying the port in 2 little-endian bytes.
 * Owns: framing and subprotocol choice. Must not: know what runs behind the channels.
 */
import type { IncomingMessage } from 'node:http';
import type { Status } from '../../api/types.js';
import type { ChannelSocket } from './backend.js';
import { TUNNELED_PORT_FORWARD_TOKEN } from './spdy/upgrade.js';

export const V5 = 'v5.channel.k8s.io';
export const V4 = 'v4.channel.k8s.io';
export const PORT_FORWARD = 'portforward.k8s.io';

/** Subprotocols kubemu serves for remote commands, best first. */
export const REMOTE_COMMAND_PROTOCOLS: readonly string[] = [V5, V4];
/** Subprotocols kubemu serves for port forwarding, best first. */
export const PORT_FORWARD_PROTOCOLS: readonly string[] = [V4, PORT_FORWARD];

export const STDIN = 0;
export const STDOUT = 1;
export const STDERR = 2;
export const ERROR = 3;
export const RESIZE = 4;
export const CLOSE = 255;

const STREAM_PATH = /^\/api\/v1\/namespaces\/[^/]+\/pods\/[^/]+\/(exec|attach|portforward)\/?$/;

/** The pod-io subresource an upgrade request names, if any. */
export function streamSubresource(url: string): 'exec' | 'attach' | 'portforward' | undefined {
  const match = STREAM_PATH.exec(url.split('?')[0]!);
  return match ? (match[1] as 'exec' | 'attach' | 'portforward') : undefined;
}

/** The protocols served at `url`, or undefined when it is not a pod-io path. */
export function servedProtocols(url: string): readonly string[] | undefined {
  const sub = streamSubresource(url);
  if (!sub) return undefined;
  return sub === 'portforward' ? [...PORT_FORWARD_PROTOCOLS, TUNNELED_PORT_FORWARD_TOKEN] : REMOTE_COMMAND_PROTOCOLS;
}

/** The first protocol the client offers that `served` holds (the client's order decides). */
export function pickProtocol(offered: Iterable<string>, served: readonly string[]): string | undefined {
  for (const protocol of offered) if (served.includes(protocol)) return protocol;
  return undefined;
}

/** The client's offered subprotocols from the header. */
export function offeredProtocols(header: string | string[] | undefined): string[] {
  const text = Array.isArray(header) ? header.join(',') : (header ?? '');
  return text.split(',').map((p) => p.trim()).filter(Boolean);
}

/**
 * `ws`'s handleProtocols for the whole server: pod-io paths get a served protocol, other
 * websocket paths (watch) the client's first, as before.
 */
export function handleProtocols(protocols: Set<string>, request: IncomingMessage): string | false {
  const served = servedProtocols(request.url ?? '');
  if (served) return pickProtocol(protocols, served) ?? false;
  const first = protocols.values().next();
  return first.done ? false : first.value;
}

/** A message on `channel`. */
export function frame(channel: number, data?: Uint8Array | string): Buffer {
  const body = data === undefined ? Buffer.alloc(0) : typeof data === 'string' ? Buffer.from(data) : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.concat([Buffer.of(channel), body]);
}

/** The Status a remote command ends with: Success, or Failure with NonZeroExitCode for exit code ≠ 0. */
export function exitStatus(code: number, command: readonly string[]): Status {
  if (code === 0) return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success' } as Status;
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command [${command.join(' ')}], exit code ${code}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
  } as unknown as Status;
}

/** Server side of a remote-command connection, decoded into channel callbacks. */
export class RemoteCommandChannels {
  readonly #socket: ChannelSocket;
  readonly #protocol: string;
  #closed = false;

  /**
   * Listens on `socket`: `onStdin(data)` for stdin bytes, `onStdinEnd()` when the client closes
   * stdin (v5) or the connection, `onResize` for terminal sizes.
   */
  constructor(
    socket: ChannelSocket,
    protocol: string,
    handlers: { onStdin?: (data: Buffer) => void; onStdinEnd?: () => void; onResize?: (size: { Width: number; Height: number }) => void; onClose?: () => void },
  ) {
    this.#socket = socket;
    this.#protocol = protocol;
    let stdinEnded = false;
    const endStdin = () => {
      if (stdinEnded) return;
      stdinEnded = true;
      handlers.onStdinEnd?.();
    };
    socket.on('message', (raw: Buffer | ArrayBuffer | Buffer[]) => {
      const data = Array.isArray(raw) ? Buffer.concat(raw) : Buffer.isBuffer(raw) ? raw : Buffer.from(raw);
      if (data.length === 0) return;
      const channel = data[0]!;
      if (channel === CLOSE && this.#protocol === V5) {
        if (data[1] === STDIN) endStdin();
        return;
      }
      if (channel === STDIN) handlers.onStdin?.(data.subarray(1));
      else if (channel === RESIZE) {
        try {
          handlers.onResize?.(JSON.parse(data.subarray(1).toString('utf8')) as { Width: number; Height: number });
        } catch {
          // a malformed size is ignored, as the kubelet does
        }
      }
    });
    socket.on('close', () => {
      this.#closed = true;
      endStdin();
      handlers.onClose?.();
    });
  }

  /** True once the socket closed. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Writes `data` on stdout (1) or stderr (2). */
  write(channel: number, data: Uint8Array | string): void {
    if (this.#closed) return;
    this.#socket.send(frame(channel, data));
  }

  /** Tells the client the connection is ready: an empty message on the lowest writable channel. */
  ready(options: { stdout: boolean; stderr: boolean }): void {
    this.write(options.stdout ? STDOUT : options.stderr ? STDERR : ERROR, '');
  }

  /** Ends the session with `status` on the error channel, then closes. */
  finish(status: Status): void {
    if (this.#closed) return;
    this.#socket.send(frame(ERROR, JSON.stringify(status)), () => this.#socket.close(1000));
  }
}
