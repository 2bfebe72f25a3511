/**
 * Port forwarding over SPDY (kubectl port-forward: SPDY/3.1 upgrades up to 1.30, SPDY tunnelled
 * in a websocket from 1.31): for every connection to a local port the client opens a pair of
 * streams, `streamType: error` then `streamType: data`, both with the pod `port` and the same
 * `requestID`. Each complete pair becomes one backend port-forward of that single port on a
 * {@link ChannelEndpoint} under `v4.channel.k8s.io` (channel 0 data, 1 error; the backend's
 * opening port messages are dropped, SPDY names the port in headers). Backend data goes to the
 * data stream; an error message goes to the error stream and ends the pair. The client ending
 * its data stream ends the pair too.
 * Owns: SPDY stream pairs ↔ port-forward channels. Must not: connect to ports (backends do).
 */
import type { ChannelSocket } from '../backend.js';
import { V4 } from '../channel.js';
import { ChannelEndpoint } from './endpoint.js';
import { RST_PROTOCOL_ERROR } from './frames.js';
import { headerValue } from './headers.js';
import { SpdySession, type SpdyStream, type Transport } from './session.js';

/** The data and error streams of one forwarded connection. */
interface Pair {
  port: number;
  data?: SpdyStream;
  error?: SpdyStream;
  endpoint?: ChannelEndpoint;
}

/**
 * A SPDY session on `transport` that calls `start(port, socket)` for each forwarded connection.
 * `start` may throw; `onStartError(socket, err)` then reports on the socket.
 */
export function portForwardOverSpdy(
  transport: Transport,
  start: (port: number, socket: ChannelSocket) => void,
  onStartError: (socket: ChannelSocket, err: unknown) => void,
): SpdySession {
  const pairs = new Map<string, Pair>();

  const end = (key: string, pair: Pair) => {
    pairs.delete(key);
    pair.data?.end();
    pair.error?.end();
  };

  const begin = (key: string, pair: Pair) => {
    const { data, error } = pair as Required<Pick<Pair, 'data' | 'error'>>;
    // The first message on each channel names the port (websocket protocol only).
    const announced = new Set<number>();
    const send = (message: Buffer) => {
      const channel = message[0]!;
      if (!announced.has(channel)) {
        announced.add(channel);
        return;
      }
      if (channel === 0) data.write(message.subarray(1));
      else if (channel === 1 && message.length > 1) {
        error.write(message.subarray(1));
        socket.close(1000);
      }
    };
    const socket = (pair.endpoint = new ChannelEndpoint(V4, send, () => end(key, pair)));
    data.on({
      data: (bytes) => socket.deliver(Buffer.concat([Buffer.of(0), bytes])),
      end: () => {
        end(key, pair);
        socket.peerClosed();
      },
    });
    error.on({ close: () => pairs.get(key) === pair && data.remoteDone && end(key, pair) });
    try {
      start(pair.port, socket);
    } catch (err) {
      onStartError(socket, err);
    }
  };

  const session: SpdySession = new SpdySession(transport, {
    onStream: (stream) => {
      const type = headerValue(stream.headers, 'streamtype');
      const portText = headerValue(stream.headers, 'port') ?? '';
      const port = /^\d+$/.test(portText) ? Number(portText) : NaN;
      if ((type !== 'data' && type !== 'error') || !(port >= 1 && port <= 65535)) {
        stream.reset(RST_PROTOCOL_ERROR);
        return;
      }
      // Clients before requestID paired an error stream with the data stream opened right after it.
      const key = headerValue(stream.headers, 'requestid') ?? String(type === 'error' ? stream.id : stream.id - 2);
      const pair = pairs.get(key) ?? { port };
      pairs.set(key, pair);
      if (pair[type] || pair.port !== port) {
        stream.reset(RST_PROTOCOL_ERROR);
        return;
      }
      pair[type] = stream;
      if (pair.data && pair.error) begin(key, pair);
    },
    onClose: () => {
      for (const pair of pairs.values()) pair.endpoint?.peerClosed();
      pairs.clear();
    },
  });
  return session;
}
