/**
 * HTTP for the controller benchmark: JSON requests over keep-alive sockets and watch streams
 * read line by line, against a loopback kubemu with a bearer token.
 * Owns: the bytes on the wire. Must not: know the workload or time anything.
 */

import http from 'node:http';

/** Where a benchmarked server answers. */
export interface Endpoint {
  url: string;
  token: string;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 128 });

/** Sends `body` (JSON; merge patch for PATCH) and resolves with the parsed answer; rejects on non-2xx or after `timeoutMs`. */
export function httpJson(endpoint: Endpoint, method: string, path: string, body?: unknown, timeoutMs = 60_000): Promise<unknown> {
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  const headers: Record<string, string> = { authorization: `Bearer ${endpoint.token}`, accept: 'application/json' };
  if (payload) {
    headers['content-type'] = method === 'PATCH' ? 'application/merge-patch+json' : 'application/json';
    headers['content-length'] = String(payload.length);
  }
  return new Promise((resolve, reject) => {
    const req = http.request(new URL(path, endpoint.url), { method, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        if ((res.statusCode ?? 0) >= 300) reject(new Error(`${method} ${path}: ${res.statusCode} ${text.slice(0, 300)}`));
        else resolve(text ? JSON.parse(text) : undefined);
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`${method} ${path}: timed out`)));
    req.end(payload);
  });
}

/** An open watch. */
export interface WatchHandle {
  close(): void;
}

/** Opens a watch (`path` with `watch=true`) and calls `onLine` with each parsed event line. */
export function watchLines(endpoint: Endpoint, path: string, onLine: (line: Record<string, unknown>) => void): WatchHandle {
  const req = http.request(new URL(path, endpoint.url), { headers: { authorization: `Bearer ${endpoint.token}` } }, (res) => {
    let buffer = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      buffer += chunk;
      let nl = buffer.indexOf('\n');
      while (nl >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (line.trim()) onLine(JSON.parse(line) as Record<string, unknown>);
        nl = buffer.indexOf('\n');
      }
    });
    res.on('error', () => undefined);
  });
  req.on('error', () => undefined);
  req.end();
  return { close: () => req.destroy() };
}
