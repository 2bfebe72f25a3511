import t from 'tap';
import { withDefaults } from '../../src/cli/config.js';
import { buildServer, type Server } from '../../src/server.js';

const NS = '/api/v1/namespaces/default';

interface SecretView {
  statusCode: number;
  data: Record<string, string>;
  annotations: Record<string, string>;
}

/** A small admin client over inject. */
function client(server: Server) {
  const headers = { authorization: `Bearer ${server.adminToken}`, 'content-type': 'application/json' };
  return {
    post: (path: string, body: object) => server.app.inject({ method: 'POST', url: `${NS}/${path}`, headers, payload: JSON.stringify(body) }),
    del: (path: string) => server.app.inject({ method: 'DELETE', url: `${NS}/${path}`, headers }),
    secret: async (name: string): Promise<SecretView> => {
      const res = await server.app.inject({ method: 'GET', url: `${NS}/secrets/${name}`, headers });
      const body = res.json();
      return { statusCode: res.statusCode, data: body.data ?? {}, annotations: body.metadata?.annotations ?? {} };
    },
    /** Waits until the Secret has `key` in its data (the filler runs after the write). */
    filled: async (name: string, key = 'token'): Promise<SecretView> => {
      for (let i = 0; i < 200; i++) {
        const res = await server.app.inject({ method: 'GET', url: `${NS}/secrets/${name}`, headers });
        const body = res.json();
        if (body.data?.[key]) return { statusCode: res.statusCode, data: body.data, annotations: body.metadata.annotations };
        await new Promise((r) => setTimeout(r, 10));
      }
      throw new Error(`secret ${name} was not filled`);
    },
    reach: (token: string) => server.app.inject({ method: 'GET', url: NS, headers: { authorization: `Bearer ${token}` } }),
  };
}

const decode = (b64: string | undefined) => Buffer.from(b64 ?? '', 'base64').toString('utf8');
const tokenSecret = (name: string, sa: string, annotations: Record<string, string> = {}) => ({
  metadata: { name, annotations: { 'kubernetes.io/service-account.name': sa, ...annotations } },
  type: 'kubernetes.io/service-account-token',
});

t.test('a service-account-token Secret gets token, namespace and ca.crt, and the token authenticates', async (t) => {
  const server = await buildServer(withDefaults({ storage: 'memory', tls: true, port: 0 }));
  t.teardown(() => server.close());
  const c = client(server);
  const sa = (await c.post('serviceaccounts', { metadata: { name: 'deployer' } })).json();
  t.equal((await c.post('secrets', tokenSecret('deployer-token', 'deployer'))).statusCode, 201);

  const secret = await c.filled('deployer-token');
  t.equal(decode(secret.data.namespace), 'default');
  t.equal(decode(secret.data['ca.crt']), server.tls?.caCert);
  t.equal(secret.annotations['kubernetes.io/service-account.uid'], sa.metadata.uid);
  const token = decode(secret.data.token);
  const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
  t.same(claims, {
    iss: 'kubernetes/serviceaccount',
    'kubernetes.io/serviceaccount/namespace': 'default',
    'kubernetes.io/serviceaccount/secret.name': 'deployer-token',
    'kubernetes.io/serviceaccount/service-account.name': 'deployer',
    'kubernetes.io/serviceaccount/service-account.uid': sa.metadata.uid,
    sub: 'system:serviceaccount:default:deployer',
  });
  const res = await c.reach(token);
  t.not(res.statusCode, 401, 'the legacy token authenticates');
  if (res.statusCode === 403) t.match(res.json().message, 'User "system:serviceaccount:default:deployer"');

  t.equal((await c.del('secrets/deployer-token')).statusCode, 200);
  t.equal((await c.reach(token)).statusCode, 401, 'deleting the Secret revokes the token');
});

t.test('token Secrets: filled when their ServiceAccount appears; left alone when not theirs or already filled', async (t) => {
  const server = await buildServer(withDefaults({ storage: 'memory', tls: false, port: 0 }));
  t.teardown(() => server.close());
  const c = client(server);

  t.equal((await c.post('secrets', tokenSecret('early-token', 'late'))).statusCode, 201);
  await new Promise((r) => setTimeout(r, 30));
  t.notOk((await c.secret('early-token')).data.token, 'no ServiceAccount yet: nothing to sign for');
  await c.post('serviceaccounts', { metadata: { name: 'late' } });
  const early = await c.filled('early-token');
  t.notOk(early.data['ca.crt'], 'no CA over plain HTTP');
  t.equal(decode(early.data.namespace), 'default');

  await c.post('serviceaccounts', { metadata: { name: 'other' } });
  await c.post('secrets', tokenSecret('wrong-uid', 'other', { 'kubernetes.io/service-account.uid': 'not-its-uid' }));
  await c.post('secrets', { metadata: { name: 'opaque', annotations: { 'kubernetes.io/service-account.name': 'other' } } });
  const given = Buffer.from('my-own-token').toString('base64');
  await c.post('secrets', { ...tokenSecret('prefilled', 'other'), data: { token: given } });
  const prefilled = await c.filled('prefilled', 'namespace');
  t.equal(prefilled.data.token, given, 'an existing token is kept');
  t.equal(decode(prefilled.data.namespace), 'default', 'the missing namespace is added');
  await new Promise((r) => setTimeout(r, 30));
  t.notOk((await c.secret('wrong-uid')).data.token, 'a Secret for another uid of the ServiceAccount is not filled');
  t.notOk((await c.secret('opaque')).data.token, 'only the service-account-token type is filled');
  t.equal((await c.reach('my-own-token')).statusCode, 401, 'a token the server did not sign is not accepted');

  const token = decode(early.data.token);
  t.equal((await c.del('serviceaccounts/late')).statusCode, 200);
  t.equal((await c.reach(token)).statusCode, 401, 'deleting the ServiceAccount revokes the token');
});
