/**
 * Watch streams over chunked HTTP (one JSON event per line, written as it happens) and over a
 * websocket (one event per message). Handles the initial state, replay from a resourceVersion,
 * bookmarks, `timeoutSeconds`, the initial-events-end bookmark of `sendInitialEvents`, client
 * disconnects, and slow clients: a watcher whose unsent bytes pass a bound is sent a 410 ERROR
 * event and closed, so it re-lists and never holds writers or other watchers back.
 * Owns: the life of one watch connection. Must not: choose events (the cache does) or formats.
 */
import type { FastifyReply } from 'fastify';
import type { WebSocket } from 'ws';
import { isStatusError, resourceExpired } from '../api/errors.js';
import { watchTimeoutSeconds } from '../api/list-options.js';
import type { Status } from '../api/types.js';
import type { Selectable } from '../watch/entry.js';
import type { ResourceCache, Watcher } from '../watch/resource-cache.js';
import type { EventEncoder } from './watch-encoding.js';

/** What one watch needs. */
export interface WatchParams {
  cache: ResourceCache;
  filter: (s: Selectable) => boolean;
  /** Replay events after this revision; undefined: start with the current state. */
  fromRevision?: number;
  sendInitialEvents: boolean;
  allowBookmarks: boolean;
  /** As given; absent or 0 means kube-apiserver's default of 30 to 60 minutes. */
  timeoutSeconds?: number;
  encoder: EventEncoder;
  /** The revision the caches have reached (for bookmarks). */
  revision: () => number;
  bookmarkIntervalMs: number;
  /** Unsent bytes past which a watcher is dropped with 410. */
  maxBufferedBytes: number;
}

/** The two transports, as one small interface. */
interface Transport {
  write(data: Buffer): void;
  buffered(): number;
  end(): void;
  onClose(listener: () => void): void;
}

function run(transport: Transport, params: WatchParams): void {
  const { encoder } = params;
  let closed = false;
  let unsubscribe = () => {};
  const timers: NodeJS.Timeout[] = [];
  const close = () => {
    if (closed) return;
    closed = true;
    unsubscribe();
    timers.forEach(clearTimeout);
    transport.end();
  };
  transport.onClose(() => {
    if (closed) return;
    closed = true;
    unsubscribe();
    timers.forEach(clearTimeout);
  });
  const expire = (status: Status) => {
    if (closed) return;
    transport.write(encoder.error(status));
    close();
  };
  const watcher: Watcher = {
    filter: params.filter,
    sink: {
      send: (type, entry, event) => {
        if (closed) return true;
        if (transport.buffered() > params.maxBufferedBytes) return false;
        transport.write(encoder.event(type, entry, event));
        return true;
      },
    },
    onExpired: (message: string) => expire(resourceExpired(message).status),
  };

  try {
    unsubscribe = params.cache.watch(watcher, params.fromRevision);
  } catch (err) {
    if (isStatusError(err)) return expire(err.status);
    throw err;
  }
  if (closed) return;
  // The end of the initial events is marked only for clients that take bookmarks (isListWatchRequest).
  if (params.sendInitialEvents && params.allowBookmarks) transport.write(encoder.bookmark(params.revision(), true));

  const timeoutMs = watchTimeoutSeconds(params.timeoutSeconds) * 1000;
  timers.push(
    setTimeout(() => {
      if (params.allowBookmarks) transport.write(encoder.bookmark(params.revision(), false));
      close();
    }, timeoutMs),
  );
  if (params.allowBookmarks && params.bookmarkIntervalMs < timeoutMs) {
    const tick = () => {
      if (closed) return;
      transport.write(encoder.bookmark(params.revision(), false));
      timers.push(setTimeout(tick, params.bookmarkIntervalMs));
    };
    timers.push(setTimeout(tick, params.bookmarkIntervalMs));
  }
}

/** Answers the request with a chunked HTTP watch stream. */
export function serveHttpWatch(reply: FastifyReply, params: WatchParams, contentType: string): void {
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, { 'Content-Type': contentType, 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
  raw.flushHeaders();
  raw.socket?.setNoDelay(true);
  // Events written in one tick (a storage batch, a backlog) leave in one socket write.
  let corked = false;
  const uncork = () => {
    corked = false;
    raw.uncork();
  };
  run(
    {
      write: (data) => {
        if (!corked) {
          corked = true;
          raw.cork();
          process.nextTick(uncork);
        }
        raw.write(data);
      },
      buffered: () => raw.writableLength,
      end: () => raw.end(),
      onClose: (listener) => void raw.on('close', listener),
    },
    params,
  );
}

/** Runs a watch over an upgraded websocket: each event one text message. */
export function serveWebsocketWatch(socket: WebSocket, params: WatchParams): void {
  run(
    {
      write: (data) => socket.send(data.subarray(0, data.length - 1).toString('utf8')),
      buffered: () => socket.bufferedAmount,
      end: () => socket.close(1000),
      onClose: (listener) => void socket.on('close', listener),
    },
    params,
  );
}
