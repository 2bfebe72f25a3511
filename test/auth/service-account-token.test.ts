import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyRequest } from 'fastify';
import t from 'tap';
import type { ObjectMeta, StoredObject } from '../../src/api/types.js';
import { isStatusError } from '../../src/api/errors.js';
import type { LookupResource, ObjectLookup } from '../../src/auth/object-lookup.js';
import { loadOrCreateServiceAccountKey, serviceAccountKey, serviceAccountKeyPath } from '../../src/auth/sa-key.js';
import { serviceAccountAuthenticator, serviceAccountUser } from '../../src/auth/service-account-authenticator.js';
import { LEGACY_ISSUER, ServiceAccountTokens, type BoundTokenSpec } from '../../src/auth/service-account-token.js';
import type { UserInfo } from '../../src/auth/user.js';

const ISSUER = 'https://kubernetes.default.svc.cluster.local';
const key = serviceAccountKey(generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey);

/** What a test sets on a fake object. */
interface Extra {
  data?: Record<string, string>;
  metadata?: Partial<ObjectMeta>;
}

/** A fake cluster: objects by `resource/namespace/name` (namespace empty for nodes). */
class Objects {
  readonly map = new Map<string, StoredObject>();
  put(resource: LookupResource, namespace: string, name: string, extra: Extra = {}, uid = `${name}-uid`): StoredObject {
    const obj = { apiVersion: 'v1', kind: 'X', ...extra, metadata: { name, namespace, uid, resourceVersion: '1', creationTimestamp: '', ...extra.metadata } } as StoredObject;
    this.map.set(`${resource}/${namespace}/${name}`, obj);
    return obj;
  }
  remove(resource: LookupResource, namespace: string, name: string): void {
    this.map.delete(`${resource}/${namespace}/${name}`);
  }
  lookup: ObjectLookup = (resource, namespace, name) => this.map.get(`${resource}/${resource === 'nodes' ? '' : namespace}/${name}`);
}

function setup(now = () => Date.now()) {
  const objects = new Objects();
  objects.put('serviceaccounts', 'team', 'builder');
  const tokens = new ServiceAccountTokens({ key, issuer: ISSUER, now });
  const authenticate = serviceAccountAuthenticator({ tokens, lookup: objects.lookup });
  const as = async (token: string): Promise<UserInfo | undefined> =>
    authenticate({ headers: { authorization: `Bearer ${token}` } } as unknown as FastifyRequest);
  const spec: BoundTokenSpec = { namespace: 'team', serviceAccount: { name: 'builder', uid: 'builder-uid' }, audiences: [ISSUER], expirationSeconds: 3600 };
  return { objects, tokens, as, spec };
}

async function rejection(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    if (isStatusError(err) && err.code === 401) return err.message;
    throw err;
  }
  throw new Error('expected a 401');
}

function payloadOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
}

t.test('ServiceAccountTokens.issue: kube claims, keys sorted, header alg and kid', async (t) => {
  const now = Date.parse('2025-01-01T00:00:00Z');
  const { tokens, spec } = setup(() => now);
  const { token, claims } = tokens.issue({ ...spec, pod: { name: 'p', uid: 'p-uid' }, node: { name: 'n', uid: 'n-uid' }, warnAfterSeconds: 3607 });
  const header = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString());
  t.same(header, { alg: 'ES256', kid: key.kid });
  const payload = payloadOf(token);
  t.same(payload, claims);
  t.same(Object.keys(payload), ['aud', 'exp', 'iat', 'iss', 'jti', 'kubernetes.io', 'nbf', 'sub']);
  const iat = now / 1000;
  t.match(payload, { aud: [ISSUER], exp: iat + 3600, iat, nbf: iat, iss: ISSUER, sub: 'system:serviceaccount:team:builder' });
  t.match(payload.jti, /^[0-9a-f-]{36}$/);
  t.same(payload['kubernetes.io'], {
    namespace: 'team',
    node: { name: 'n', uid: 'n-uid' },
    pod: { name: 'p', uid: 'p-uid' },
    serviceaccount: { name: 'builder', uid: 'builder-uid' },
    warnafter: iat + 3607,
  });
  t.same(Object.keys(payload['kubernetes.io'] as object), ['namespace', 'node', 'pod', 'serviceaccount', 'warnafter']);
});

t.test('serviceAccountAuthenticator: a bound token is the service account, with groups, uid and credential id', async (t) => {
  const { tokens, as, spec } = setup();
  const { token, claims } = tokens.issue(spec);
  t.same(await as(token), {
    name: 'system:serviceaccount:team:builder',
    uid: 'builder-uid',
    groups: ['system:serviceaccounts', 'system:serviceaccounts:team'],
    extra: { 'authentication.kubernetes.io/credential-id': [`JTI=${claims.jti}`] },
  });
  t.equal(await as('not-a-jwt'), undefined, 'other bearer tokens are left to other authenticators');
  const foreign = new ServiceAccountTokens({ key, issuer: 'https://elsewhere' }).issue(spec).token;
  t.equal(await as(foreign), undefined, 'a token of another issuer is not ours');
});

t.test('serviceAccountAuthenticator: pod-bound tokens carry pod and node extras and die with the pod', async (t) => {
  const { objects, tokens, as, spec } = setup();
  objects.put('pods', 'team', 'web');
  const { token } = tokens.issue({ ...spec, pod: { name: 'web', uid: 'web-uid' }, node: { name: 'node-1', uid: 'node-1-uid' } });
  const user = await as(token);
  t.match(user?.extra, {
    'authentication.kubernetes.io/node-name': ['node-1'],
    'authentication.kubernetes.io/node-uid': ['node-1-uid'],
    'authentication.kubernetes.io/pod-name': ['web'],
    'authentication.kubernetes.io/pod-uid': ['web-uid'],
  });
  objects.put('pods', 'team', 'web', {}, 'recreated');
  t.equal(await rejection(as(token)), 'pod UID (recreated) does not match service account pod ref claim (web-uid)');
  objects.remove('pods', 'team', 'web');
  t.equal(await rejection(as(token)), 'token has been invalidated');
});

t.test('serviceAccountAuthenticator: secret- and node-bound tokens need their object', async (t) => {
  const { objects, tokens, as, spec } = setup();
  objects.put('secrets', 'team', 's');
  objects.put('nodes', '', 'n');
  const secretBound = tokens.issue({ ...spec, secret: { name: 's', uid: 's-uid' } }).token;
  const nodeBound = tokens.issue({ ...spec, node: { name: 'n', uid: 'n-uid' } }).token;
  t.ok(await as(secretBound));
  t.match((await as(nodeBound))?.extra, { 'authentication.kubernetes.io/node-name': ['n'] });
  objects.remove('secrets', 'team', 's');
  objects.remove('nodes', '', 'n');
  t.equal(await rejection(as(secretBound)), 'token has been invalidated');
  t.equal(await rejection(as(nodeBound)), 'token has been invalidated');
});

t.test('serviceAccountAuthenticator: a deleted or re-created ServiceAccount invalidates its tokens', async (t) => {
  const { objects, tokens, as, spec } = setup();
  const { token } = tokens.issue(spec);
  objects.put('serviceaccounts', 'team', 'builder', { metadata: { deletionTimestamp: new Date(Date.now() - 10_000).toISOString() } });
  t.ok(await as(token), 'deletion within the leeway still passes');
  objects.put('serviceaccounts', 'team', 'builder', { metadata: { deletionTimestamp: new Date(Date.now() - 120_000).toISOString() } });
  t.equal(await rejection(as(token)), 'service account team/builder has been deleted');
  objects.put('serviceaccounts', 'team', 'builder', {}, 'new-uid');
  t.equal(await rejection(as(token)), 'service account UID (new-uid) does not match claim (builder-uid)');
  objects.remove('serviceaccounts', 'team', 'builder');
  t.equal(await rejection(as(token)), 'serviceaccounts "builder" not found');
});

t.test('ServiceAccountTokens.verify: expiry and not-before with 60 s leeway, audience, signature', async (t) => {
  let clock = Date.parse('2025-01-01T00:00:00Z');
  const { tokens, as, spec } = setup(() => clock);
  const { token } = tokens.issue({ ...spec, expirationSeconds: 600 });
  clock += 600_000 + 59_000;
  t.ok(await as(token), 'within the leeway after exp');
  clock += 2_000;
  t.equal(await rejection(as(token)), 'service account token has expired');

  clock = Date.parse('2025-01-01T00:00:00Z') - 120_000;
  t.equal(await rejection(as(token)), 'service account token is not valid yet');

  clock = Date.parse('2025-01-01T00:00:00Z');
  const other = tokens.issue({ ...spec, audiences: ['vault', 'api'] }).token;
  t.equal(await rejection(as(other)), `token audiences ["vault" "api"] is invalid for the target audiences ["${ISSUER}"]`);
  const mixed = tokens.issue({ ...spec, audiences: ['vault', ISSUER] }).token;
  t.ok(await as(mixed), 'one matching audience is enough');

  const [h, , s] = token.split('.') as [string, string, string];
  const forged = Buffer.from(JSON.stringify({ ...payloadOf(token), sub: 'system:serviceaccount:kube-system:admin' })).toString('base64url');
  t.equal(await rejection(as(`${h}.${forged}.${s}`)), 'square/go-jose: error in cryptographic primitive');
  const otherKey = serviceAccountKey(generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey);
  const byOtherKey = new ServiceAccountTokens({ key: otherKey, issuer: ISSUER, now: () => clock }).issue(spec).token;
  t.equal(await rejection(as(byOtherKey)), 'invalid signature, no keys found', 'a kid of another key');
});

t.test('legacy tokens: claims, and checks against their Secret and ServiceAccount', async (t) => {
  const { objects, tokens, as } = setup();
  const token = tokens.issueLegacy({ namespace: 'team', name: 'builder', uid: 'builder-uid' }, 'builder-token');
  t.same(payloadOf(token), {
    iss: LEGACY_ISSUER,
    'kubernetes.io/serviceaccount/namespace': 'team',
    'kubernetes.io/serviceaccount/secret.name': 'builder-token',
    'kubernetes.io/serviceaccount/service-account.name': 'builder',
    'kubernetes.io/serviceaccount/service-account.uid': 'builder-uid',
    sub: 'system:serviceaccount:team:builder',
  });
  t.equal(await rejection(as(token)), 'token has been invalidated', 'no Secret');
  const data = { token: Buffer.from(token).toString('base64') };
  objects.put('secrets', 'team', 'builder-token', { data });
  t.same(await as(token), { name: 'system:serviceaccount:team:builder', uid: 'builder-uid', groups: ['system:serviceaccounts', 'system:serviceaccounts:team'] });
  objects.put('secrets', 'team', 'builder-token', { data: { token: Buffer.from('other').toString('base64') } });
  t.equal(await rejection(as(token)), "token does not match server's copy");
  objects.put('secrets', 'team', 'builder-token', { data, metadata: { labels: { 'kubernetes.io/legacy-token-invalid-since': '2024-01-01' } } });
  t.equal(await rejection(as(token)), 'token has been invalidated');
  objects.put('secrets', 'team', 'builder-token', { data });
  objects.put('serviceaccounts', 'team', 'builder', {}, 'other-uid');
  t.equal(await rejection(as(token)), 'service account UID (other-uid) does not match claim (builder-uid)');
});

t.test('serviceAccountUser: pod extras only with both name and uid', async (t) => {
  t.same(serviceAccountUser({ namespace: 'ns', name: 'sa', uid: 'u', podName: 'p' }), {
    name: 'system:serviceaccount:ns:sa',
    uid: 'u',
    groups: ['system:serviceaccounts', 'system:serviceaccounts:ns'],
  });
});

t.test('loadOrCreateServiceAccountKey: P-256 in memory, persisted and reused under <dir>/pki', async (t) => {
  const memory = await loadOrCreateServiceAccountKey();
  t.equal(memory.alg, 'ES256');
  const dir = await mkdtemp(join(tmpdir(), 'kubemu-sa-key-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const first = await loadOrCreateServiceAccountKey({ dir });
  const second = await loadOrCreateServiceAccountKey({ dir });
  t.equal(second.kid, first.kid, 'the same key after a restart');
  t.equal(serviceAccountKeyPath(dir), join(dir, 'pki', 'sa.key'));
  t.equal((await stat(serviceAccountKeyPath(dir))).mode & 0o777, 0o600);
  t.match(await readFile(join(dir, 'pki', 'sa.pub'), 'utf8'), /^-----BEGIN PUBLIC KEY-----/);

  await writeFile(serviceAccountKeyPath(dir), 'garbage');
  t.not((await loadOrCreateServiceAccountKey({ dir })).kid, first.kid, 'an unreadable key is made again');

  const rsaDir = join(dir, 'rsa');
  await mkdir(join(rsaDir, 'pki'), { recursive: true });
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }) as string;
  await writeFile(serviceAccountKeyPath(rsaDir), rsa);
  const rsaKey = await loadOrCreateServiceAccountKey({ dir: rsaDir });
  t.equal(rsaKey.alg, 'RS256', 'an RSA key someone put there signs RS256');
  const rsaTokens = new ServiceAccountTokens({ key: rsaKey });
  t.equal(rsaTokens.verify(rsaTokens.issue({ namespace: 'a', serviceAccount: { name: 'b', uid: 'c' }, audiences: [ISSUER], expirationSeconds: 600 }).token)?.kind, 'bound');

  await writeFile(serviceAccountKeyPath(rsaDir), generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
  await t.rejects(loadOrCreateServiceAccountKey({ dir: rsaDir }), /sa\.key: unsupported service account key \(ed25519\)/);
});
