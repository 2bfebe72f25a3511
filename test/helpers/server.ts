/**
 * Test helper: a kubemu app on memory storage over plain HTTP, driven through `inject`, with the
 * admin token already in every request.
 */
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { withDefaults } from '../../src/cli/config.js';
import { buildServer, type Server } from '../../src/server.js';

/** A test server and a request function that authenticates as admin. */
export interface TestServer {
  server: Server;
  request(options: InjectOptions): Promise<LightMyRequestResponse>;
  /** JSON request shorthand: method, url, optional JSON body. */
  json(method: InjectOptions['method'], url: string, body?: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

/** Builds a memory-backed server without TLS. */
export async function testServer(): Promise<TestServer> {
  const server = await buildServer(withDefaults({ storage: 'memory', tls: false, port: 0, controllers: false }));
  const auth = { authorization: `Bearer ${server.adminToken}` };
  const request = (options: InjectOptions) =>
    server.app.inject({ ...options, headers: { ...auth, ...(options.headers ?? {}) } });
  return {
    server,
    request,
    json: (method, url, body, headers = {}) =>
      request({
        method,
        url,
        headers: { 'content-type': 'application/json', ...headers },
        ...(body === undefined ? {} : { payload: typeof body === 'string' ? body : JSON.stringify(body) }),
      }),
    close: () => server.close(),
  };
}
