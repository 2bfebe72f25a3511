import type { LightMyRequestResponse } from 'fastify';
import t, { type Test } from 'tap';
import { ServiceAccountTokens } from '../../src/auth/service-account-token.js';
import { withDefaults } from '../../src/cli/config.js';
import { buildServer } from '../../src/server.js';
import { testServer, type TestServer } from '../helpers/server.js';

const ISSUER = 'https://kubernetes.default.svc.cluster.local';
const SA = '/api/v1/namespaces/default/serviceaccounts';
const TOKEN = `${SA}/robot/token`;

let s: TestServer;
t.before(async () => {
  s = await testServer();
  await ensure(s, SA, { metadata: { name: 'robot' } });
});
t.teardown(() => s.close());

/** Creates an object, accepting that it exists already (a controller may have made it). */
async function ensure(server: TestServer, collection: string, body: object): Promise<LightMyRequestResponse> {
  const res = await server.json('POST', collection, body);
  if (res.statusCode !== 201 && res.statusCode !== 409) throw new Error(`create in ${collection}: ${res.statusCode} ${res.body}`);
  return res;
}

function payloadOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
}

/** GET /api/v1/namespaces/default with `token` as the only credential. */
function withBearer(server: TestServer, token: string): Promise<LightMyRequestResponse> {
  return server.server.app.inject({ method: 'GET', url: '/api/v1/namespaces/default', headers: { authorization: `Bearer ${token}` } });
}

/**
 * Asserts the token authenticated as `user`: 200, or (once RBAC decides) a 403 that names the
 * user. Only authentication is asserted here.
 */
function authenticatedAs(t: Test, res: LightMyRequestResponse, user: string): void {
  t.not(res.statusCode, 401, `authenticated (${res.statusCode})`);
  if (res.statusCode === 403) t.match(res.json().message, `User "${user}"`);
  else t.equal(res.statusCode, 200);
}

t.test('POST serviceaccounts/<name>/token (JSON): 201 TokenRequest with a token for the API audience', async (t) => {
  const before = Math.floor(Date.now() / 1000);
  const res = await s.json('POST', TOKEN, { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: {} });
  t.equal(res.statusCode, 201);
  const body = res.json();
  t.match(body, {
    kind: 'TokenRequest',
    apiVersion: 'authentication.k8s.io/v1',
    metadata: { name: 'robot', namespace: 'default' },
    spec: { audiences: [ISSUER], expirationSeconds: 3600 },
    status: { token: /^ey[\w-]+\.[\w-]+\.[\w-]+$/ },
  });
  t.notOk('boundObjectRef' in body.spec, 'omitted when not bound');
  const expires = Date.parse(body.status.expirationTimestamp) / 1000;
  t.ok(expires >= before + 3600 && expires <= before + 3602, 'expires in an hour');
  const claims = payloadOf(body.status.token);
  t.equal(claims.exp, expires, 'exp agrees with status.expirationTimestamp');
  t.equal(claims.sub, 'system:serviceaccount:default:robot');
  authenticatedAs(t, await withBearer(s, body.status.token), 'system:serviceaccount:default:robot');
});

t.test('TokenRequest: an empty body, audiences and expirationSeconds', async (t) => {
  const empty = await s.request({ method: 'POST', url: TOKEN, headers: { 'content-type': 'application/json' }, payload: '{}' });
  t.equal(empty.statusCode, 201);
  const res = await s.json('POST', TOKEN, { spec: { audiences: ['vault'], expirationSeconds: 7200 } });
  t.equal(res.statusCode, 201);
  t.match(res.json().spec, { audiences: ['vault'], expirationSeconds: 7200 });
  const claims = payloadOf(res.json().status.token);
  t.same(claims.aud, ['vault']);
  t.equal(Number(claims.exp) - Number(claims.iat), 7200);
  t.equal((await withBearer(s, res.json().status.token)).statusCode, 401, 'a token for another audience does not reach the API');
});

t.test('TokenRequest errors as kube-apiserver words them', async (t) => {
  const short = await s.json('POST', TOKEN, { spec: { expirationSeconds: 60 } });
  t.equal(short.statusCode, 422);
  t.equal(short.json().message, 'TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes');
  const long = await s.json('POST', TOKEN, { spec: { expirationSeconds: 2 ** 33 } });
  t.equal(long.statusCode, 422);
  t.match(long.json().message, 'may not specify a duration larger than 2^32 seconds');

  const missing = await s.json('POST', `${SA}/nobody/token`, {});
  t.equal(missing.statusCode, 404);
  t.equal(missing.json().message, 'serviceaccounts "nobody" not found');

  const otherName = await s.json('POST', TOKEN, { metadata: { name: 'other' } });
  t.equal(otherName.statusCode, 422);
  t.equal(otherName.json().message, 'TokenRequest.authentication.k8s.io "robot" is invalid: metadata.name: Invalid value: "other": must match the service account name if specified');

  const wrongKind = await s.json('POST', TOKEN, { apiVersion: 'v1', kind: 'ServiceAccount' });
  t.equal(wrongKind.statusCode, 400);

  const badType = await s.json('POST', TOKEN, { spec: { expirationSeconds: '3600' } });
  t.equal(badType.statusCode, 400);
  t.match(badType.json().message, 'cannot unmarshal string into Go struct field TokenRequestSpec.spec.expirationSeconds of type int64');

  const get = await s.request({ method: 'GET', url: TOKEN });
  t.equal(get.statusCode, 405);
  const collection = await s.json('POST', '/api/v1/namespaces/default/serviceaccounts/robot/nope', {});
  t.equal(collection.statusCode, 404, 'other subresources are still not served');
});

t.test('TokenRequest boundObjectRef: Pod, Secret, uid checks, other kinds', async (t) => {
  const pod = await ensure(s, '/api/v1/namespaces/default/pods', {
    metadata: { name: 'worker' },
    spec: { serviceAccountName: 'robot', containers: [{ name: 'c', image: 'busybox' }] },
  });
  const podUid = pod.json().metadata.uid;
  const bound = await s.json('POST', TOKEN, { spec: { boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'worker', uid: podUid } } });
  t.equal(bound.statusCode, 201);
  t.same(bound.json().spec.boundObjectRef, { kind: 'Pod', apiVersion: 'v1', name: 'worker', uid: podUid });
  t.same((payloadOf(bound.json().status.token)['kubernetes.io'] as { pod: unknown }).pod, { name: 'worker', uid: podUid });
  authenticatedAs(t, await withBearer(s, bound.json().status.token), 'system:serviceaccount:default:robot');

  const extended = await s.json('POST', TOKEN, { spec: { expirationSeconds: 3607, boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'worker' } } });
  const claims = payloadOf(extended.json().status.token);
  t.equal(Number(claims.exp) - Number(claims.iat), 365 * 24 * 3600, 'kubelet-style 3607 s pod tokens last a year');
  t.equal((claims['kubernetes.io'] as { warnafter: number }).warnafter, Number(claims.iat) + 3607);
  t.equal(Date.parse(extended.json().status.expirationTimestamp) / 1000, Number(claims.iat) + 3607, 'status keeps the requested expiry');

  const stale = await s.json('POST', TOKEN, { spec: { boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'worker', uid: 'old' } } });
  t.equal(stale.statusCode, 409);
  t.equal(stale.json().message, 'Operation cannot be fulfilled on Pod "worker": the UID in the bound object reference (old) does not match the UID in record. The object might have been deleted and then recreated');

  await ensure(s, SA, { metadata: { name: 'other' } });
  const notItsPod = await s.json('POST', `${SA}/other/token`, { spec: { boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'worker' } } });
  t.equal(notItsPod.statusCode, 400);
  t.equal(notItsPod.json().message, 'cannot bind token for serviceaccount "other" to pod running with different serviceaccount name.');

  const noPod = await s.json('POST', TOKEN, { spec: { boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'ghost' } } });
  t.equal(noPod.statusCode, 404);
  t.equal(noPod.json().message, 'pods "ghost" not found');

  const configMap = await s.json('POST', TOKEN, { spec: { boundObjectRef: { kind: 'ConfigMap', apiVersion: 'v1', name: 'x' } } });
  t.equal(configMap.statusCode, 400);
  t.equal(configMap.json().message, 'cannot bind token to object of type /v1, Kind=ConfigMap');

  await ensure(s, '/api/v1/namespaces/default/secrets', { metadata: { name: 'binder' } });
  const secretBound = await s.json('POST', TOKEN, { spec: { boundObjectRef: { kind: 'Secret', apiVersion: 'v1', name: 'binder' } } });
  t.equal(secretBound.statusCode, 201);
  const secretToken = secretBound.json().status.token;
  authenticatedAs(t, await withBearer(s, secretToken), 'system:serviceaccount:default:robot');
  t.equal((await s.request({ method: 'DELETE', url: '/api/v1/namespaces/default/secrets/binder' })).statusCode, 200);
  t.equal((await withBearer(s, secretToken)).statusCode, 401, 'deleting the bound Secret invalidates the token');
});

t.test('a token of a deleted ServiceAccount is 401, also after a ServiceAccount of that name is made again', async (t) => {
  await ensure(s, SA, { metadata: { name: 'short-lived' } });
  const token = (await s.json('POST', `${SA}/short-lived/token`, {})).json().status.token;
  authenticatedAs(t, await withBearer(s, token), 'system:serviceaccount:default:short-lived');
  t.equal((await s.request({ method: 'DELETE', url: `${SA}/short-lived` })).statusCode, 200);
  t.equal((await withBearer(s, token)).statusCode, 401);
  await ensure(s, SA, { metadata: { name: 'short-lived' } });
  t.equal((await withBearer(s, token)).statusCode, 401, 'the new ServiceAccount has another uid');
});

t.test('an expired token is 401; a forged one too', async (t) => {
  const sa = (await s.request({ method: 'GET', url: `${SA}/robot` })).json();
  const past = new ServiceAccountTokens({ key: s.server.serviceAccountTokens.key, now: () => Date.now() - 2 * 3600_000 });
  const spec = { namespace: 'default', serviceAccount: { name: 'robot', uid: sa.metadata.uid }, audiences: [ISSUER] };
  t.equal((await withBearer(s, past.issue({ ...spec, expirationSeconds: 3600 }).token)).statusCode, 401);
  authenticatedAs(t, await withBearer(s, past.issue({ ...spec, expirationSeconds: 3 * 3600 }).token), 'system:serviceaccount:default:robot');
  const valid = (await s.json('POST', TOKEN, {})).json().status.token as string;
  t.equal((await withBearer(s, `${valid.slice(0, -4)}AAAA`)).statusCode, 401);
});

t.test('discovery lists serviceaccounts/token as kube-apiserver does', async (t) => {
  const resources = (await s.request({ method: 'GET', url: '/api/v1' })).json().resources as { name: string }[];
  t.same(
    resources.find((r) => r.name === 'serviceaccounts/token'),
    { name: 'serviceaccounts/token', singularName: '', namespaced: true, group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest', verbs: ['create'] },
  );
});

t.test('OIDC discovery: provider configuration and the key set that verifies issued tokens', async (t) => {
  const config = await s.request({ method: 'GET', url: '/.well-known/openid-configuration', headers: { host: 'kubemu.example:6443' } });
  t.equal(config.statusCode, 200);
  t.equal(config.headers['content-type'], 'application/json');
  t.equal(config.headers['cache-control'], 'public, max-age=3600');
  t.same(config.json(), {
    issuer: ISSUER,
    jwks_uri: 'http://kubemu.example:6443/openid/v1/jwks',
    response_types_supported: ['id_token'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['ES256'],
  });
  const keys = await s.request({ method: 'GET', url: '/openid/v1/jwks' });
  t.equal(keys.statusCode, 200);
  t.equal(keys.headers['content-type'], 'application/jwk-set+json');
  t.equal(keys.headers['cache-control'], 'public, max-age=3600');
  const [jwk] = keys.json().keys;
  const token = (await s.json('POST', TOKEN, {})).json().status.token as string;
  const header = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString());
  t.equal(jwk.kid, header.kid, 'the key id of issued tokens');
  const publicKey = await globalThis.crypto.subtle.importKey('jwk', jwk, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify']);
  const [h, p, sig] = token.split('.') as [string, string, string];
  const ok = await globalThis.crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, publicKey, Buffer.from(sig, 'base64url'), Buffer.from(`${h}.${p}`));
  t.ok(ok, 'a third party verifies the token with the published key');

  const anonymous = await s.server.app.inject({ method: 'GET', url: '/openid/v1/jwks', headers: { authorization: 'Bearer wrong' } });
  t.equal(anonymous.statusCode, 401);
});

t.test('OIDC discovery is not served for an issuer that is not an https URL', async (t) => {
  const server = await buildServer(withDefaults({ storage: 'memory', tls: false, port: 0, serviceAccountIssuer: 'kubemu' }));
  t.teardown(() => server.close());
  const headers = { authorization: `Bearer ${server.adminToken}` };
  t.equal((await server.app.inject({ method: 'GET', url: '/.well-known/openid-configuration', headers })).statusCode, 404);
  t.equal(server.serviceAccountTokens.issuer, 'kubemu');
});
