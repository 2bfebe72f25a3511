/**
 * exec and attach over SPDY (kubectl ≤ 1.29, and 1.30+ when websockets fail): the client opens
 * one stream per role, naming it in the `streamType` header — error, stdin, stdout, stderr,
 * resize — and kubemu starts the command once every stream the request's options call for is
 * there (error; stdin, stdout when asked; stderr unless a terminal; resize with a terminal).
 * The backend then talks to a {@link ChannelEndpoint} under `v5.channel.k8s.io`: its stdout,
 * stderr and error channels go to those streams (the error stream carries the v4 protocol's
 * closing Status JSON), the client's stdin arrives on channel 0, its FIN as v5's close-stdin,
 * terminal sizes on channel 4. When the backend closes, every stream gets FIN and the
 * connection GOAWAY.
 * Owns: SPDY streams ↔ remote-command channels. Must not: run commands (backends do).
 */
import type { ChannelSocket, StreamOptions } from '../backend.js';
import { CLOSE, ERROR, RESIZE, STDERR, STDIN, STDOUT, V5 } from '../channel.js';
import { ChannelEndpoint } from './endpoint.js';
import { RST_PROTOCOL_ERROR } from './frames.js';
import { headerValue } from './headers.js';
import { SpdySession, type SpdyStream, type Transport } from './session.js';

/** How long kubemu waits for the client to open its streams (the kubelet's default). */
export const STREAM_CREATION_TIMEOUT_MS = 30_000;

type Role = 'error' | 'stdin' | 'stdout' | 'stderr' | 'resize';
const ROLES: readonly Role[] = ['error', 'stdin', 'stdout', 'stderr', 'resize'];

/** The streams a request with `options` expects, as the kubelet counts them. */
export function expectedStreams(options: Pick<StreamOptions, 'stdin' | 'stdout' | 'stderr' | 'tty'>): Role[] {
  const roles: Role[] = ['error'];
  if (options.stdin) roles.push('stdin');
  if (options.stdout) roles.push('stdout');
  if (options.stderr && !options.tty) roles.push('stderr');
  if (options.tty) roles.push('resize');
  return roles;
}

/** Splits concatenated JSON objects (terminal sizes) as they arrive. */
class JsonObjects {
  #text = '';
  push(chunk: Buffer): string[] {
    this.#text += chunk.toString('utf8');
    const out: string[] = [];
    let depth = 0;
    let start = -1;
    let inString = false;
    let consumed = 0;
    for (let i = 0; i < this.#text.length; i++) {
      const ch = this.#text[i];
      if (inString) {
        if (ch === '\\') i++;
        else if (ch === '"') inString = false;
      } else if (ch === '"') inString = true;
      else if (ch === '{') {
        if (depth++ === 0) start = i;
      } else if (ch === '}' && depth > 0 && --depth === 0) {
        out.push(this.#text.slice(start, i + 1));
        consumed = i + 1;
      }
    }
    this.#text = this.#text.slice(consumed);
    return out;
  }
}

/**
 * A SPDY session on `transport` that calls `start(socket)` once the client's streams are open.
 * `start` may throw (a StatusError); `onStartError` then reports on the socket.
 */
export function remoteCommandOverSpdy(
  transport: Transport,
  options: StreamOptions,
  start: (socket: ChannelSocket) => void,
  onStartError: (socket: ChannelSocket, err: unknown) => void,
): SpdySession {
  const streams = new Map<Role, SpdyStream>();
  const expected = expectedStreams(options);
  let endpoint: ChannelEndpoint | undefined;
  const timer = setTimeout(() => session.close(), STREAM_CREATION_TIMEOUT_MS);
  timer.unref();

  const finish = () => {
    for (const stream of streams.values()) stream.end();
    session.close();
  };
  const send = (message: Buffer) => {
    if (message.length < 2) return; // readiness messages carry nothing SPDY needs
    const payload = message.subarray(1);
    const channel = message[0];
    const target = channel === STDOUT ? streams.get('stdout') : channel === STDERR ? (streams.get('stderr') ?? streams.get('stdout')) : channel === ERROR ? streams.get('error') : undefined;
    target?.write(payload);
  };

  const begin = () => {
    clearTimeout(timer);
    const socket = (endpoint = new ChannelEndpoint(V5, send, finish));
    const sizes = new JsonObjects();
    streams.get('stdin')?.on({
      data: (data) => socket.deliver(Buffer.concat([Buffer.of(STDIN), data])),
      end: () => socket.deliver(Buffer.of(CLOSE, STDIN)),
    });
    streams.get('resize')?.on({
      data: (data) => {
        for (const size of sizes.push(data)) socket.deliver(Buffer.concat([Buffer.of(RESIZE), Buffer.from(size)]));
      },
    });
    try {
      start(socket);
    } catch (err) {
      onStartError(socket, err);
    }
  };

  const session: SpdySession = new SpdySession(transport, {
    onStream: (stream) => {
      const role = headerValue(stream.headers, 'streamtype') as Role | undefined;
      if (!role || !ROLES.includes(role) || streams.has(role) || endpoint) {
        stream.reset(RST_PROTOCOL_ERROR);
        return;
      }
      streams.set(role, stream);
      if (expected.every((r) => streams.has(r))) begin();
    },
    onClose: () => {
      clearTimeout(timer);
      endpoint?.peerClosed();
    },
  });
  return session;
}
