/**
 * Entering SPDY: the HTTP/1.1 upgrade (`Connection: Upgrade`, `Upgrade: SPDY/3.1`, answered
 * `101 Switching Protocols` with the stream protocol chosen from the client's
 * `X-Stream-Protocol-Version` values), and the websocket tunnel of kubectl 1.31+'s port-forward
 * (subprotocol `SPDY/3.1+portforward.k8s.io`: SPDY bytes in binary messages, no channel byte,
 * message boundaries meaningless). Both give a {@link Transport} to a {@link SpdySession}.
 * Owns: handshakes and transports. Must not: know streams' meaning.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Duplex } from 'node:stream';
import type { RawData } from 'ws';
import { StatusError } from '../../../api/errors.js';
import type { SpdySession, Transport } from './session.js';

/** The `Upgrade` value of SPDY. */
export const SPDY_UPGRADE = 'SPDY/3.1';
/** Stream protocols kubemu serves over SPDY for exec and attach (kubectl offers v4 first). */
export const SPDY_REMOTE_COMMAND_PROTOCOLS: readonly string[] = ['v4.channel.k8s.io'];
/** The stream protocol of port forwarding over SPDY. */
export const SPDY_PORT_FORWARD_PROTOCOLS: readonly string[] = ['portforward.k8s.io'];
/** The websocket subprotocol of SPDY tunnelled port forwarding (kubectl 1.31+). */
export const TUNNELED_PORT_FORWARD = 'SPDY/3.1+portforward.k8s.io';

/**
 * The tunnel's subprotocol as `ws` accepts it: `ws` refuses subprotocols that are not RFC 6455
 * tokens, and `/` is not a token character. {@link aliasTunnelProtocol} renames the client's
 * offer before `ws` parses it, {@link restoreTunnelProtocol} names it again in the 101 answer.
 */
export const TUNNELED_PORT_FORWARD_TOKEN = 'SPDY-3.1+portforward.k8s.io';

const PROTOCOL_HEADER = 'x-stream-protocol-version';
/** How long a half-closed SPDY socket waits for the client to close before it is destroyed. */
const END_GRACE_MS = 10_000;

/** Rewrites an offered {@link TUNNELED_PORT_FORWARD} in `headers` to its token form; true when it did. */
export function aliasTunnelProtocol(headers: IncomingHttpHeaders): boolean {
  const offered = headers['sec-websocket-protocol'];
  if (typeof offered !== 'string' || !offered.includes(TUNNELED_PORT_FORWARD)) return false;
  headers['sec-websocket-protocol'] = offered.split(',').map((p) => (p.trim() === TUNNELED_PORT_FORWARD ? TUNNELED_PORT_FORWARD_TOKEN : p.trim())).join(', ');
  return true;
}

/** `ws`'s `headers` event: the 101 answer names the tunnel protocol as the client spelled it. */
export function restoreTunnelProtocol(lines: string[]): void {
  const at = lines.findIndex((line) => /^sec-websocket-protocol:/i.test(line) && line.includes(TUNNELED_PORT_FORWARD_TOKEN));
  if (at >= 0) lines[at] = `Sec-WebSocket-Protocol: ${TUNNELED_PORT_FORWARD}`;
}

/** True when the request asks to upgrade to SPDY/3.1. */
export function isSpdyUpgrade(headers: IncomingHttpHeaders): boolean {
  return /\bupgrade\b/i.test(String(headers.connection ?? '')) && String(headers.upgrade ?? '').toLowerCase() === SPDY_UPGRADE.toLowerCase();
}

/**
 * The stream protocol for the client's `X-Stream-Protocol-Version` values (its order decides);
 * a 403 worded as upstream's handshake when none is served. A client that names none gets the
 * first served one.
 */
export function negotiateStreamProtocol(headers: IncomingHttpHeaders, served: readonly string[]): string {
  const raw = headers[PROTOCOL_HEADER];
  const offered = (Array.isArray(raw) ? raw : raw ? [raw] : []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
  if (offered.length === 0) return served[0]!;
  const chosen = offered.find((p) => served.includes(p));
  if (chosen) return chosen;
  throw new StatusError(403, 'Forbidden', `unable to upgrade: unable to negotiate protocol: client supports [${offered.join(' ')}], server supports [${served.join(' ')}]`);
}

/**
 * Answers 101 on `socket` and runs `open(transport)`'s session on it: socket bytes go to the
 * session, its frames to the socket. `head` holds bytes the client sent after its request.
 */
export function acceptSpdyUpgrade(socket: Duplex, head: Buffer | undefined, protocol: string, open: (transport: Transport) => SpdySession): SpdySession {
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: ${SPDY_UPGRADE}\r\nX-Stream-Protocol-Version: ${protocol}\r\n\r\n`);
  const session = open({
    write: (bytes) => {
      if (!socket.destroyed && !socket.writableEnded) socket.write(bytes);
    },
    end: () => {
      socket.end();
      // A client that never closes its side does not keep the socket.
      setTimeout(() => socket.destroy(), END_GRACE_MS).unref();
    },
  });
  const setNoDelay = (socket as Duplex & { setNoDelay?: (on: boolean) => void }).setNoDelay;
  setNoDelay?.call(socket, true);
  socket.on('data', (chunk: Buffer) => session.receive(chunk));
  socket.on('close', () => session.transportClosed());
  socket.on('error', () => socket.destroy());
  if (head?.length) session.receive(head);
  socket.resume();
  return session;
}

/** The websocket side of the tunnel: what {@link acceptSpdyTunnel} needs of a `ws` socket. */
export interface TunnelSocket {
  send(data: Buffer, options: { binary: boolean }): void;
  close(code?: number): void;
  on(event: 'message', listener: (data: RawData, isBinary: boolean) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
}

/** Runs `open(transport)`'s session over the tunnelling websocket `socket`. */
export function acceptSpdyTunnel(socket: TunnelSocket, open: (transport: Transport) => SpdySession): SpdySession {
  const session = open({ write: (bytes) => socket.send(bytes, { binary: true }), end: () => socket.close(1000) });
  socket.on('message', (data) => session.receive(Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data)));
  socket.on('close', () => session.transportClosed());
  return session;
}
