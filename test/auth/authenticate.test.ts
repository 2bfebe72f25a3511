import fastify from 'fastify';
import { Agent } from 'node:https';
import t from 'tap';
import { adminUser } from '../../src/auth/admin.js';
import { authenticationPlugin, clientCertAuthenticator, tokenAuthenticator } from '../../src/auth/authenticate.js';
import { issueClientCert, loadOrCreateTls } from '../../src/auth/certs.js';
import { get, startAuthServer } from './fixture.js';

const UNAUTHORIZED = '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401}';
const ADMIN = { name: 'kubemu-admin', groups: ['system:masters', 'system:authenticated'] };
const ANONYMOUS = { name: 'system:anonymous', groups: ['system:unauthenticated'] };

t.test('authenticationPlugin over HTTPS', async (t) => {
  const server = await startAuthServer();
  t.teardown(() => server.app.close());
  const { url, tls, token } = server;
  const ca = tls.caCert;

  t.test('clientCertAuthenticator: the admin client certificate is kubemu-admin in system:masters', async (t) => {
    const res = await get(`${url}/api`, { ca, cert: tls.adminCert, key: tls.adminKey });
    t.equal(res.status, 200);
    t.same(JSON.parse(res.body), { user: ADMIN });
  });

  t.test('tokenAuthenticator: the admin bearer token is kubemu-admin', async (t) => {
    const res = await get(`${url}/api`, { ca, headers: { authorization: `Bearer ${token}` } });
    t.equal(res.status, 200);
    t.same(JSON.parse(res.body), { user: ADMIN });
    const lower = await get(`${url}/api`, { ca, headers: { authorization: `bearer ${token}` } });
    t.equal(lower.status, 200, 'the scheme is case-insensitive');
  });

  t.test('no credentials: 401 with the Unauthorized Status as application/json', async (t) => {
    const res = await get(`${url}/api/v1/namespaces?limit=1`, { ca });
    t.equal(res.status, 401);
    t.equal(res.contentType, 'application/json');
    t.equal(res.body, UNAUTHORIZED);
  });

  t.test('an unknown bearer token is 401, on public paths too', async (t) => {
    for (const path of ['/api', '/healthz']) {
      const res = await get(`${url}${path}`, { ca, headers: { authorization: 'Bearer wrong' } });
      t.equal(res.status, 401, path);
      t.equal(res.body, UNAUTHORIZED, path);
    }
  });

  t.test('public paths without credentials are system:anonymous', async (t) => {
    for (const path of ['/healthz', '/healthz/etcd', '/livez', '/readyz?verbose', '/version']) {
      const res = await get(`${url}${path}`, { ca });
      t.equal(res.status, 200, path);
      t.same(JSON.parse(res.body).user, ANONYMOUS, path);
    }
    const near = await get(`${url}/healthzz`, { ca });
    t.equal(near.status, 401, 'a longer name is not a sub-path');
  });

  t.test('a credential on a public path is used', async (t) => {
    const res = await get(`${url}/healthz`, { ca, cert: tls.adminCert, key: tls.adminKey });
    t.same(JSON.parse(res.body).user, ADMIN);
  });

  t.test('Authorization with another scheme counts as no credentials', async (t) => {
    const headers = { authorization: 'Basic YWRtaW46YWRtaW4=' };
    t.equal((await get(`${url}/api`, { ca, headers })).status, 401);
    t.same(JSON.parse((await get(`${url}/healthz`, { ca, headers })).body).user, ANONYMOUS);
  });

  t.test('clientCertAuthenticator: a certificate signed by another CA is 401, on public paths too', async (t) => {
    const other = await loadOrCreateTls({ hosts: [] });
    for (const path of ['/api', '/healthz']) {
      const res = await get(`${url}${path}`, { ca, cert: other.adminCert, key: other.adminKey });
      t.equal(res.status, 401, path);
      t.equal(res.body, UNAUTHORIZED, path);
    }
  });

  t.test('clientCertAuthenticator: a certificate without clientAuth is 401', async (t) => {
    const res = await get(`${url}/api`, { ca, cert: tls.serverCert, key: tls.serverKey });
    t.equal(res.status, 401);
  });

  t.test('clientCertAuthenticator: issueClientCert users get CN as name and O as groups', async (t) => {
    const alice = await issueClientCert(tls, { user: 'alice', groups: ['dev', 'ops'] });
    const res = await get(`${url}/api`, { ca, cert: alice.cert, key: alice.key });
    t.equal(res.status, 200);
    t.same(JSON.parse(res.body).user, { name: 'alice', groups: ['dev', 'ops', 'system:authenticated'] });
  });

  t.test('clientCertAuthenticator: an expired certificate is 401', async (t) => {
    const expired = await issueClientCert(tls, { user: 'late', days: -0.01 });
    const res = await get(`${url}/api`, { ca, cert: expired.cert, key: expired.key });
    t.equal(res.status, 401);
  });

  t.test('clientCertAuthenticator: every request of a kept-alive connection is authenticated', async (t) => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    t.teardown(() => agent.destroy());
    const options = { ca, cert: tls.adminCert, key: tls.adminKey, agent };
    const first = await get(`${url}/api`, options);
    const second = await get(`${url}/apis`, options);
    t.notOk(first.reused);
    t.ok(second.reused, 'the second request reused the connection');
    t.same(JSON.parse(second.body).user, ADMIN);
  });

  t.test('a valid client certificate wins over a wrong token', async (t) => {
    const res = await get(`${url}/api`, { ca, cert: tls.adminCert, key: tls.adminKey, headers: { authorization: 'Bearer wrong' } });
    t.equal(res.status, 200);
  });
});

t.test('authenticationPlugin over plain HTTP (--no-tls): bearer token only', async (t) => {
  const app = fastify();
  t.teardown(() => app.close());
  await app.register(authenticationPlugin, {
    authenticators: [clientCertAuthenticator(), tokenAuthenticator(new Map([['tok', adminUser()]]))],
  });
  app.get('/*', (req) => ({ user: req.user }));
  const ok = await app.inject({ url: '/api', headers: { authorization: 'Bearer tok' } });
  t.equal(ok.statusCode, 200);
  t.same(ok.json().user, ADMIN);
  const none = await app.inject({ url: '/api' });
  t.equal(none.statusCode, 401);
  t.equal(none.body, UNAUTHORIZED);
});

t.test('authenticationPlugin: publicPaths as a predicate, system:authenticated added once', async (t) => {
  const app = fastify();
  t.teardown(() => app.close());
  await app.register(authenticationPlugin, {
    authenticators: [tokenAuthenticator(new Map([['tok', { name: 'bob', groups: ['dev'] }]]))],
    publicPaths: () => true,
  });
  app.get('/*', (req) => ({ user: req.user }));
  t.same((await app.inject({ url: '/api' })).json().user, ANONYMOUS);
  t.same((await app.inject({ url: '/api', headers: { authorization: 'Bearer tok' } })).json().user, {
    name: 'bob',
    groups: ['dev', 'system:authenticated'],
  });
});

t.test('authenticationPlugin: a programming error in an authenticator is a 500, not a 401', async (t) => {
  const app = fastify();
  t.teardown(() => app.close());
  await app.register(authenticationPlugin, {
    authenticators: [
      () => {
        throw new TypeError('boom');
      },
    ],
  });
  app.get('/*', () => 'unreachable');
  t.equal((await app.inject({ url: '/healthz' })).statusCode, 500);
});
