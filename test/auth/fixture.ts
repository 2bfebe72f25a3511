/**
 * Test fixture of the auth tests: an HTTPS fastify server with the authentication plugin, the
 * admin's client certificate and token, and a small https client. Not a test file itself.
 */
import fastify, { type FastifyInstance } from 'fastify';
import { request, type Agent } from 'node:https';
import type { AddressInfo } from 'node:net';
import { adminUser } from '../../src/auth/admin.js';
import { authenticationPlugin, clientCertAuthenticator, tokenAuthenticator } from '../../src/auth/authenticate.js';
import { loadOrCreateTls, type TlsMaterial } from '../../src/auth/certs.js';

/** A listening HTTPS server that echoes `request.user` on every path. */
export interface AuthServer {
  app: FastifyInstance;
  url: string;
  tls: TlsMaterial;
  token: string;
}

/** Starts the server on 127.0.0.1 with fresh TLS material; close `app` when done. */
export async function startAuthServer(): Promise<AuthServer> {
  const tls = await loadOrCreateTls({ hosts: [] });
  const token = 'admin-token-for-tests';
  const app = fastify({
    https: { key: tls.serverKey, cert: tls.serverCert, ca: tls.caCert, requestCert: true, rejectUnauthorized: false },
  });
  await app.register(authenticationPlugin, {
    authenticators: [clientCertAuthenticator(), tokenAuthenticator(new Map([[token, adminUser()]]))],
  });
  app.get('/version', (req) => ({ major: '1', minor: '32', gitVersion: 'v1.32.0', user: req.user }));
  app.get('/*', (req) => ({ user: req.user }));
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return { app, url: `https://127.0.0.1:${port}`, tls, token };
}

/** A response as the tests look at it. */
export interface Reply {
  status: number;
  contentType: string | undefined;
  body: string;
  /** True when the request went over a kept-alive connection. */
  reused: boolean;
}

/** Options of {@link get}. */
export interface GetOptions {
  ca: string;
  cert?: string;
  key?: string;
  headers?: Record<string, string>;
  /** Without it, a new connection per request. */
  agent?: Agent;
}

/** GET `url` trusting `ca`, optionally with a client certificate or extra headers. */
export function get(url: string, options: GetOptions): Promise<Reply> {
  const { ca, cert, key, headers, agent = false } = options;
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, cert, key, headers, agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: res.headers['content-type'], body, reused: req.reusedSocket }));
    });
    req.on('error', reject);
    req.end();
  });
}
