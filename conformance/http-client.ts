/**
 * Conformance: a minimal HTTP(S) client for one API server, authenticated with a kubeconfig's
 * credentials (client certificate, bearer token or basic auth), or deliberately without any;
 * whole responses, or watch streams read event by event.
 * Owns: request building, TLS agents, response decoding. Must not: know scenarios or kubemu.
 */
import http from 'node:http';
import https from 'node:https';
import type { Connection } from './kubeconfig.js';

/** A JSON value as parsed from a response body. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Options of one request. */
export interface HttpOptions {
  /** A string or Buffer is sent as is; anything else is sent as JSON. */
  body?: unknown;
  headers?: Record<string, string>;
  /** false: send no credentials at all (no token, no client certificate). Default true. */
  auth?: boolean;
}

/** A response: status, lower-case headers, body text and its JSON (when it parses). */
export interface HttpResult {
  status: number;
  headers: Record<string, string>;
  text: string;
  json: Json | undefined;
}

/** One event of a watch stream: a line `{"type":"ADDED|MODIFIED|DELETED|BOOKMARK|ERROR","object":{…}}`. */
export interface WatchEvent {
  type: string;
  object: Json;
}

/** An open watch (a GET whose body streams one JSON event per line). */
export interface WatchStream {
  status: number;
  headers: Record<string, string>;
  /** The whole body when the status is not 200 (the stream is then already ended). */
  text: string;
  /**
   * The next event; undefined once the server has ended the stream. Rejects when none arrives
   * within `timeoutMs` (default 10 s) or when a line is not a watch event.
   */
  next(timeoutMs?: number): Promise<WatchEvent | undefined>;
  /** Aborts the request (idempotent). */
  close(): void;
}

/** Sends requests to one server; `close()` releases its connections. */
export interface HttpClient {
  request(method: string, path: string, options?: HttpOptions): Promise<HttpResult>;
  /** GETs `path` (which should say `watch=true`) and resolves once the response headers arrive. */
  watch(path: string, options?: Omit<HttpOptions, 'body'>): Promise<WatchStream>;
  close(): void;
}

/** Splits a response body into lines and hands them out one at a time. */
function lineReader(res: http.IncomingMessage): (timeoutMs: number) => Promise<string | undefined> {
  const lines: string[] = [];
  let partial = '';
  let ended = false;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  res.setEncoding('utf8');
  res.on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop()!;
    lines.push(...parts.filter((l) => l.trim() !== ''));
    wake?.();
  });
  res.on('end', () => {
    if (partial.trim() !== '') lines.push(partial);
    ended = true;
    wake?.();
  });
  res.on('error', (err) => {
    failure = err;
    wake?.();
  });
  res.on('close', () => {
    ended = true;
    wake?.();
  });
  return async (timeoutMs) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (lines.length) return lines.shift();
      if (failure) throw failure;
      if (ended) return undefined;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no watch event within ${timeoutMs} ms`);
      await new Promise<void>((resolveWait) => {
        const timer = setTimeout(resolveWait, left);
        wake = () => {
          clearTimeout(timer);
          wake = undefined;
          resolveWait();
        };
      });
    }
  };
}

function flattenHeaders(raw: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

function parseJson(text: string): Json | undefined {
  try {
    return JSON.parse(text) as Json;
  } catch {
    return undefined;
  }
}

/** Creates a client for `connection`; requests time out after `timeoutMs` (default 30 s). */
export function httpClient(connection: Connection, timeoutMs = 30_000): HttpClient {
  const base = new URL(connection.server);
  const secure = base.protocol === 'https:';
  const tls = {
    ...(connection.ca ? { ca: connection.ca } : {}),
    ...(connection.tlsServerName ? { servername: connection.tlsServerName } : {}),
    rejectUnauthorized: !connection.insecureSkipTlsVerify,
  };
  // Client certificates belong to the TLS connection, so anonymous requests need their own agent.
  const authAgent = secure
    ? new https.Agent({ keepAlive: true, ...tls, ...(connection.cert ? { cert: connection.cert, key: connection.key } : {}) })
    : new http.Agent({ keepAlive: true });
  const anonAgent = secure ? new https.Agent({ keepAlive: true, ...tls }) : new http.Agent({ keepAlive: true });
  const basePath = base.pathname.replace(/\/+$/, '');

  function credentials(): Record<string, string> {
    if (connection.token) return { authorization: `Bearer ${connection.token}` };
    if (connection.username && connection.password) {
      return { authorization: `Basic ${Buffer.from(`${connection.username}:${connection.password}`).toString('base64')}` };
    }
    return {};
  }

  function prepare(method: string, path: string, options: HttpOptions) {
    const auth = options.auth ?? true;
    let payload: Buffer | undefined;
    const headers: Record<string, string> = { accept: 'application/json', ...(auth ? credentials() : {}) };
    if (options.body !== undefined) {
      if (typeof options.body === 'string' || Buffer.isBuffer(options.body)) {
        payload = Buffer.isBuffer(options.body) ? options.body : Buffer.from(options.body);
      } else {
        payload = Buffer.from(JSON.stringify(options.body));
        headers['content-type'] = 'application/json';
      }
      headers['content-length'] = String(payload.length);
    }
    Object.assign(headers, options.headers ?? {});
    const target = new URL(basePath + path, base);
    const send = secure ? https.request : http.request;
    return { target, send, payload, init: { method, headers, agent: auth ? authAgent : anonAgent } };
  }

  return {
    request(method, path, options = {}) {
      const { target, send, payload, init } = prepare(method, path, options);
      return new Promise<HttpResult>((resolvePromise, reject) => {
        let answered = false;
        const req = send(target, { ...init, timeout: timeoutMs }, (res) => {
          answered = true;
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            resolvePromise({ status: res.statusCode ?? 0, headers: flattenHeaders(res.headers), text, json: parseJson(text) });
          });
        });
        req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer in ${timeoutMs} ms`)));
        // A server may answer (e.g. 413) and close before the whole body is written: keep its answer.
        req.on('error', (err) => {
          if (!answered) reject(err);
        });
        req.end(payload);
      });
    },
    watch(path, options = {}) {
      const { target, send, init } = prepare('GET', path, options);
      return new Promise<WatchStream>((resolvePromise, reject) => {
        const req = send(target, { ...init, timeout: timeoutMs }, (res) => {
          req.setTimeout(0);
          const readLine = lineReader(res);
          const close = () => req.destroy();
          const stream: WatchStream = {
            status: res.statusCode ?? 0,
            headers: flattenHeaders(res.headers),
            text: '',
            close,
            async next(wait = 10_000) {
              const line = await readLine(wait);
              if (line === undefined) return undefined;
              const event = parseJson(line);
              if (event === null || typeof event !== 'object' || Array.isArray(event) || typeof event.type !== 'string' || event.object === undefined)
                throw new Error(`not a watch event: ${line.slice(0, 300)}`);
              return { type: event.type, object: event.object };
            },
          };
          if (stream.status === 200) return resolvePromise(stream);
          // Not a stream: read the Status the server answered with.
          void (async () => {
            const lines: string[] = [];
            for (let line = await readLine(timeoutMs); line !== undefined; line = await readLine(timeoutMs)) lines.push(line);
            stream.text = lines.join('\n');
            resolvePromise(stream);
          })().catch(reject);
        });
        req.on('timeout', () => req.destroy(new Error(`GET ${path}: no answer in ${timeoutMs} ms`)));
        req.on('error', reject);
        req.end();
      });
    },
    close() {
      authAgent.destroy();
      anonAgent.destroy();
    },
  };
}
