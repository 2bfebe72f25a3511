/**
 * Conformance: a minimal HTTP(S) client for one API server, authenticated with a kubeconfig's
 * credentials (client certificate, bearer token or basic auth), or deliberately without any.
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

/** Sends requests to one server; `close()` releases its connections. */
export interface HttpClient {
  request(method: string, path: string, options?: HttpOptions): Promise<HttpResult>;
  close(): void;
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

  return {
    request(method, path, options = {}) {
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
      return new Promise<HttpResult>((resolvePromise, reject) => {
        let answered = false;
        const req = send(target, { method, headers, agent: auth ? authAgent : anonAgent, timeout: timeoutMs }, (res) => {
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
    close() {
      authAgent.destroy();
      anonAgent.destroy();
    },
  };
}
