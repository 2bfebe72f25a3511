/**
 * HttpTransport: requests to one API server over node's http/https with a keep-alive agent,
 * authenticated by bearer token or client certificate, verified against the kubeconfig's CA.
 * Answers with a status of 400 or more become StatusErrors (from the Status body the server
 * sends, or built from the code when the body is not a Status). Watches are read as chunked JSON
 * lines into a WatchStream; an `ERROR` event ends it with that Status's StatusError; the socket
 * is paused while the consumer is behind.
 * Owns: bytes on the wire to and from one server. Must not: know resources or verbs.
 */
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { StatusError } from '../api/errors.js';
import type { Status, StoredObject } from '../api/types.js';
import type { Connection } from './kubeconfig.js';
import type { WatchEvent } from './types.js';
import { WatchStream } from './watch-stream.js';

/** One request. */
export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** The API path (`/api/v1/...`), without the server URL's own prefix. */
  path: string;
  query?: URLSearchParams;
  body?: unknown;
  contentType?: string;
}

/** Options of a transport beyond the connection. */
export interface TransportOptions {
  userAgent?: string;
  /** Milliseconds a non-watch request may take (default 60 s). */
  timeoutMs?: number;
  /** Events a watch buffers before its socket is paused (default 1,000). */
  watchHighWater?: number;
}

const REASONS: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  406: 'NotAcceptable',
  409: 'Conflict',
  410: 'Gone',
  413: 'RequestEntityTooLarge',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

/** The StatusError of a failed answer: its Status body when it is one, else one built from the code. */
export function statusErrorOf(code: number, body: unknown, text = ''): StatusError {
  if (typeof body === 'object' && body !== null && (body as Status).kind === 'Status') {
    const status = body as Status;
    return new StatusError(status.code || code, status.reason ?? '', status.message ?? '', status.details);
  }
  return new StatusError(code, REASONS[code] ?? 'Unknown', text.trim() || http.STATUS_CODES[code] || `HTTP ${code}`);
}

/** Requests to one server. */
export class HttpTransport {
  readonly #base: URL;
  readonly #agent: http.Agent;
  readonly #headers: Record<string, string>;
  readonly #options: TransportOptions;
  readonly #secure: boolean;

  constructor(connection: Connection, options: TransportOptions = {}) {
    this.#base = new URL(connection.server);
    this.#secure = this.#base.protocol === 'https:';
    this.#options = options;
    this.#agent = this.#secure
      ? new https.Agent({
          keepAlive: true,
          ...(connection.ca ? { ca: connection.ca } : {}),
          ...(connection.cert && connection.key ? { cert: connection.cert, key: connection.key } : {}),
          ...(connection.servername ? { servername: connection.servername } : {}),
          rejectUnauthorized: !connection.insecure,
        })
      : new http.Agent({ keepAlive: true });
    this.#headers = { accept: 'application/json', 'user-agent': options.userAgent ?? 'kubemu-client' };
    if (connection.token) this.#headers.authorization = `Bearer ${connection.token}`;
  }

  /** Sends one request; resolves with the parsed JSON answer, rejects with a StatusError for codes ≥ 400. */
  request(req: HttpRequest): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const outgoing = this.#send(req, (res) => {
        readAll(res).then((text) => {
          const code = res.statusCode ?? 0;
          let body: unknown;
          try {
            body = text ? JSON.parse(text) : undefined;
          } catch {
            body = undefined;
          }
          if (code >= 400 || code < 200) reject(statusErrorOf(code, body, text));
          else if (body === undefined) reject(new Error(`${req.method} ${req.path}: answer is not JSON: ${text.slice(0, 200)}`));
          else resolve(body);
        }, reject);
      });
      outgoing.on('error', reject);
      const timeoutMs = this.#options.timeoutMs ?? 60_000;
      outgoing.setTimeout(timeoutMs, () => outgoing.destroy(new Error(`${req.method} ${req.path}: no answer within ${timeoutMs} ms`)));
    });
  }

  /** Starts a watch request (`query` has `watch=true`); events go into the returned stream. */
  watch(path: string, query: URLSearchParams): WatchStream {
    let response: IncomingMessage | undefined;
    const stream = new WatchStream({
      onStop: () => outgoing.destroy(),
      highWater: this.#options.watchHighWater ?? 1000,
      onPressure: (high) => (high ? response?.pause() : response?.resume()),
    });
    const outgoing = this.#send({ method: 'GET', path, query }, (res) => {
      response = res;
      const code = res.statusCode ?? 0;
      if (code !== 200) {
        readAll(res).then((text) => stream.fail(statusErrorOf(code, safeParse(text), text)), (err) => stream.fail(err));
        return;
      }
      res.setEncoding('utf8');
      let pending = '';
      const line = (text: string) => {
        if (!text.trim() || stream.closed) return;
        const event = parseEvent(text);
        if (event instanceof Error) {
          stream.fail(event);
          outgoing.destroy();
        } else stream.push(event);
      };
      res.on('data', (chunk: string) => {
        pending += chunk;
        for (let i = pending.indexOf('\n'); i >= 0; i = pending.indexOf('\n')) {
          line(pending.slice(0, i));
          pending = pending.slice(i + 1);
        }
      });
      res.on('end', () => {
        line(pending);
        stream.end();
      });
      res.on('close', () => {
        if (!res.complete) stream.fail(new Error(`watch ${path}: connection closed`));
      });
    });
    outgoing.on('error', (err) => stream.fail(err));
    return stream;
  }

  /** Closes idle keep-alive connections and refuses new ones. */
  close(): void {
    this.#agent.destroy();
  }

  #send(req: HttpRequest, onResponse: (res: IncomingMessage) => void): http.ClientRequest {
    const base = this.#base;
    const prefix = base.pathname.replace(/\/+$/, '');
    const search = req.query?.toString();
    const headers: Record<string, string> = { ...this.#headers };
    let payload: Buffer | undefined;
    if (req.body !== undefined) {
      payload = Buffer.from(JSON.stringify(req.body));
      headers['content-type'] = req.contentType ?? 'application/json';
      headers['content-length'] = String(payload.length);
    }
    const options: http.RequestOptions = {
      protocol: base.protocol,
      hostname: base.hostname.replace(/^\[|\]$/g, ''),
      port: base.port || (this.#secure ? 443 : 80),
      method: req.method,
      path: `${prefix}${req.path}${search ? `?${search}` : ''}`,
      headers,
      agent: this.#agent,
    };
    const outgoing = (this.#secure ? https : http).request(options, onResponse);
    outgoing.end(payload);
    return outgoing;
  }
}

function readAll(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (chunk: Buffer) => chunks.push(chunk));
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
  });
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** One line of a watch stream as an event, or the error it carries (`ERROR` events, unreadable lines). */
function parseEvent(text: string): WatchEvent | Error {
  const value = safeParse(text) as { type?: string; object?: Record<string, unknown> } | undefined;
  const object = value?.object;
  if (!value || typeof object !== 'object' || object === null) return new Error(`watch: unreadable event: ${text.slice(0, 200)}`);
  switch (value.type) {
    case 'ADDED':
    case 'MODIFIED':
    case 'DELETED':
      return { type: value.type, object: object as StoredObject };
    case 'BOOKMARK': {
      const meta = object.metadata as { resourceVersion?: string } | undefined;
      return { type: 'BOOKMARK', resourceVersion: meta?.resourceVersion ?? '' };
    }
    case 'ERROR':
      return statusErrorOf(Number((object as { code?: number }).code) || 500, object);
    default:
      return new Error(`watch: unknown event type ${JSON.stringify(value.type)}`);
  }
}
