/**
 * Conformance scenarios: kubectl run with credentials other than the kubeconfig's — a
 * ServiceAccount token from `kubectl create token` for a ServiceAccount bound to a Role that lets
 * it get and list pods in one namespace, and a client certificate (CN = user, O = groups) signed
 * by the cluster's CA. Each identity gets a kubeconfig of its own (the cluster of the one under
 * test, from `kubectl config view --minify --flatten`), passed as a second `--kubeconfig`, which
 * kubectl takes over the first. Checked: `auth whoami`, `auth can-i`, allowed reads, and 403s
 * worded as kube-apiserver words them (kubectl's `Error from server (Forbidden): …` and the
 * Status over HTTP).
 * The certificate is made with the openssl command line and needs the CA's key: that scenario is
 * skipped unless the runner knows it (ServerSettings.clientCa).
 * Must not: depend on kubemu specifics.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expectEqual, expectFailure, expectMatch, expectStatus, expectSuccess, ExpectationError, pick, scenario, type Context, type Json } from '../harness.js';
import { AUTH_SKIP, expectCanI, folded, untilAnswer } from './auth.js';
import { escape } from './read-fixtures.js';

const exec = promisify(execFile);

/** What a user presents: a bearer token, or a PEM client certificate and key. */
type Credential = { token: string } | { cert: string; key: string };

/**
 * Writes a kubeconfig for `credential` against the cluster (and context name) under test into
 * `dir`; returns the kubectl arguments that select it.
 */
async function identity(ctx: Context, dir: string, name: string, credential: Credential): Promise<string[]> {
  const view = JSON.parse(expectSuccess(await ctx.kubectl(['config', 'view', '--minify', '--flatten', '-o', 'json']), 'config view --minify --flatten')) as Json;
  const contextName = pick(view, 'current-context');
  const cluster = pick(view, 'clusters.0');
  if (typeof contextName !== 'string' || !cluster || typeof cluster !== 'object') throw new ExpectationError(`config view --minify: no context or cluster in ${JSON.stringify(view)}`);
  const user = 'token' in credential
    ? { token: credential.token }
    : { 'client-certificate-data': Buffer.from(credential.cert).toString('base64'), 'client-key-data': Buffer.from(credential.key).toString('base64') };
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [cluster],
    users: [{ name, user }],
    contexts: [{ name: contextName, context: { cluster: pick(cluster, 'name'), user: name } }],
    'current-context': contextName,
  };
  const path = join(dir, `${name}.kubeconfig`);
  await writeFile(path, JSON.stringify(config), { mode: 0o600 });
  return [`--kubeconfig=${path}`];
}

/** Runs `body` with a private temporary directory, removed afterwards. */
async function withTempDir<T>(body: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'kubemu-conformance-auth-'));
  try {
    return await body(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The message kube-apiserver gives a denied request. */
function forbidden(user: string, verb: string, resource: string, namespace: string, name?: string): string {
  return `${resource}${name ? ` "${name}"` : ''} is forbidden: User "${user}" cannot ${verb} resource "${resource}" in API group "" in the namespace "${namespace}"`;
}

/**
 * `kubectl create token` for a ServiceAccount bound (RoleBinding → Role: get, list pods) in one
 * namespace; with that token: whoami, can-i, list pods there; 403 for pods elsewhere, for other
 * resources and for other verbs (kubectl and HTTP).
 */
export const serviceAccountToken = scenario({
  name: 'auth/serviceaccount-token',
  namespace: true,
  skip: AUTH_SKIP,
  async run(ctx) {
    const ns = ctx.namespace;
    const out = (args: string[], expected: string, what: string) => ctx.kubectl(['-n', ns, ...args]).then((r) => expectEqual(expectSuccess(r, what), expected, `${what} output`));
    await out(['create', 'serviceaccount', 'reader'], 'serviceaccount/reader created\n', 'create serviceaccount');
    await out(['create', 'role', 'pod-reader', '--verb=get,list', '--resource=pods'], 'role.rbac.authorization.k8s.io/pod-reader created\n', 'create role');
    await out(['create', 'rolebinding', 'reader-pods', '--role=pod-reader', `--serviceaccount=${ns}:reader`], 'rolebinding.rbac.authorization.k8s.io/reader-pods created\n', 'create rolebinding');
    const token = expectSuccess(await ctx.kubectl(['-n', ns, 'create', 'token', 'reader', '--duration=10m']), 'create token').trim();
    expectMatch(token, /^[\w-]+\.[\w-]+\.[\w-]+$/, 'create token prints a JWT');
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as Json;
    expectEqual(pick(claims, 'sub'), `system:serviceaccount:${ns}:reader`, 'sub claim of the token');
    expectEqual(Number(pick(claims, 'exp')) - Number(pick(claims, 'iat')), 600, 'exp - iat of a --duration=10m token');
    expectFailure(await ctx.kubectl(['-n', ns, 'create', 'token', 'nobody']), 'error: failed to create token: serviceaccounts "nobody" not found', 'create token for a missing ServiceAccount');
    const saUid = pick(JSON.parse(expectSuccess(await ctx.kubectl(['-n', ns, 'get', 'serviceaccount', 'reader', '-o', 'json']), 'get serviceaccount')) as Json, 'metadata.uid');
    const user = `system:serviceaccount:${ns}:reader`;

    await withTempDir(async (dir) => {
      const as = await identity(ctx, dir, 'reader', { token });
      await untilAnswer(ctx, ['list', 'pods', '-n', ns], 'yes', as);

      const who = JSON.parse(expectSuccess(await ctx.kubectl([...as, 'auth', 'whoami', '-o', 'json']), 'auth whoami with the token')) as Json;
      expectEqual(pick(who, 'status.userInfo.username'), user, 'whoami: username of the token');
      expectEqual(pick(who, 'status.userInfo.uid'), saUid, 'whoami: uid is the ServiceAccount uid');
      expectEqual(pick(who, 'status.userInfo.groups'), ['system:serviceaccounts', `system:serviceaccounts:${ns}`, 'system:authenticated'], 'whoami: groups of a service account');

      await expectCanI(ctx, ['get', 'pods', '-n', ns], 'yes', as);
      await expectCanI(ctx, ['delete', 'pods', '-n', ns], 'no', as);
      await expectCanI(ctx, ['list', 'pods', '-n', 'default'], 'no', as);
      await expectCanI(ctx, ['list', 'secrets', '-n', ns], 'no', as);

      const listed = await ctx.kubectl([...as, '-n', ns, 'get', 'pods']);
      expectEqual(listed.code, 0, `get pods with the token: exit code (stderr ${JSON.stringify(listed.stderr)})`);
      expectEqual(listed.stderr, `No resources found in ${ns} namespace.\n`, 'get pods with the token: stderr');
      expectFailure(await ctx.kubectl([...as, '-n', 'default', 'get', 'pods']), `Error from server (Forbidden): ${forbidden(user, 'list', 'pods', 'default')}`, 'get pods in another namespace');
      expectFailure(await ctx.kubectl([...as, '-n', ns, 'get', 'configmaps']), `Error from server (Forbidden): ${forbidden(user, 'list', 'configmaps', ns)}`, 'get configmaps');
      expectFailure(await ctx.kubectl([...as, '-n', ns, 'delete', 'pod', 'nothing']), `Error from server (Forbidden): ${forbidden(user, 'delete', 'pods', ns, 'nothing')}`, 'delete pod');

      const bearer = { auth: false, headers: { authorization: `Bearer ${token}` } };
      const ok = await ctx.http('GET', `/api/v1/namespaces/${ns}/pods`, bearer);
      expectEqual(ok.status, 200, `GET pods with the token over HTTP (body ${ok.text.slice(0, 200)})`);
      expectEqual(pick(ok.json, 'kind'), 'PodList', 'GET pods with the token: kind');
      const denied = await ctx.http('GET', '/api/v1/namespaces/default/pods', bearer);
      expectStatus(denied, { code: 403, reason: 'Forbidden', message: forbidden(user, 'list', 'pods', 'default') }, 'GET pods of another namespace with the token');
      expectEqual(pick(denied.json, 'details'), { kind: 'pods' }, 'details of the 403');
      const named = await ctx.http('DELETE', `/api/v1/namespaces/${ns}/pods/nothing`, bearer);
      expectStatus(named, { code: 403, reason: 'Forbidden', message: forbidden(user, 'delete', 'pods', ns, 'nothing') }, 'DELETE a pod with the token');
      expectEqual(pick(named.json, 'details'), { name: 'nothing', kind: 'pods' }, 'details of the 403 of a named object');
    });
  },
});

/** A client key and certificate for CN=`user`, O=`groups`, signed by `ca` with the openssl CLI (clientAuth, one day). */
async function clientCertificate(dir: string, ca: { cert: string; key: string }, user: string, groups: string[]): Promise<{ cert: string; key: string }> {
  const file = (name: string) => join(dir, name);
  await writeFile(file('ca.crt'), ca.cert);
  await writeFile(file('ca.key'), ca.key, { mode: 0o600 });
  await writeFile(file('ext.cnf'), 'basicConstraints = CA:FALSE\nkeyUsage = critical, digitalSignature, keyEncipherment\nextendedKeyUsage = clientAuth\n');
  const subject = `/CN=${user}${groups.map((g) => `/O=${g}`).join('')}`;
  await exec('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', file('user.key'), '-subj', subject, '-out', file('user.csr')]);
  const serial = `0x${Date.now().toString(16)}`;
  await exec('openssl', ['x509', '-req', '-in', file('user.csr'), '-CA', file('ca.crt'), '-CAkey', file('ca.key'), '-set_serial', serial, '-days', '1', '-sha256', '-extfile', file('ext.cnf'), '-out', file('user.crt')]);
  return { cert: await readFile(file('user.crt'), 'utf8'), key: await readFile(file('user.key'), 'utf8') };
}

/**
 * A client certificate signed by the cluster CA: CN is the user, each O a group; a RoleBinding of
 * the `view` ClusterRole to one of the groups in one namespace decides what it may do there.
 */
export const clientCertificateUser = scenario({
  name: 'auth/client-certificate',
  namespace: true,
  skip: AUTH_SKIP,
  needsServerSettings: 'signs a client certificate with the cluster CA, whose key only a runner that started the server holds',
  async run(ctx) {
    const ca = ctx.settings.clientCa;
    if (!ca) throw new ExpectationError('the runner gave server settings without the client CA (ServerSettings.clientCa)');
    const ns = ctx.namespace;
    const user = ctx.unique('cert-user');
    const team = ctx.unique('cert-team');
    const groups = [team, 'cert-readers'];
    const bound = await ctx.kubectl(['-n', ns, 'create', 'rolebinding', 'team-view', '--clusterrole=view', `--group=${team}`]);
    expectEqual(expectSuccess(bound, 'create rolebinding'), 'rolebinding.rbac.authorization.k8s.io/team-view created\n', 'create rolebinding output');

    await withTempDir(async (dir) => {
      const as = await identity(ctx, dir, 'cert-user', await clientCertificate(dir, ca, user, groups));
      await untilAnswer(ctx, ['list', 'configmaps', '-n', ns], 'yes', as);

      const who = JSON.parse(expectSuccess(await ctx.kubectl([...as, 'auth', 'whoami', '-o', 'json']), 'auth whoami with the certificate')) as Json;
      expectEqual(pick(who, 'status.userInfo.username'), user, 'whoami: CN is the username');
      expectEqual(pick(who, 'status.userInfo.groups'), [...groups, 'system:authenticated'], 'whoami: each O is a group');
      const table = folded(expectSuccess(await ctx.kubectl([...as, 'auth', 'whoami']), 'auth whoami table'));
      expectEqual(table.slice(0, 3), ['ATTRIBUTE VALUE', `Username ${user}`, `Groups [${groups.join(' ')} system:authenticated]`], 'auth whoami table with the certificate');

      await expectCanI(ctx, ['list', 'configmaps', '-n', ns], 'yes', as);
      await expectCanI(ctx, ['watch', 'deployments.apps', '-n', ns], 'yes', as);
      await expectCanI(ctx, ['create', 'configmaps', '-n', ns], 'no', as);
      await expectCanI(ctx, ['get', 'secrets', '-n', ns], 'no', as);
      await expectCanI(ctx, ['list', 'configmaps', '-n', 'default'], 'no', as);

      expectSuccess(await ctx.kubectl([...as, '-n', ns, 'get', 'configmaps']), 'get configmaps with the certificate');
      expectFailure(await ctx.kubectl([...as, '-n', ns, 'get', 'secrets']), `Error from server (Forbidden): ${forbidden(user, 'list', 'secrets', ns)}`, 'get secrets with the certificate');
      expectFailure(await ctx.kubectl([...as, '-n', 'default', 'get', 'configmaps']), `Error from server (Forbidden): ${forbidden(user, 'list', 'configmaps', 'default')}`, 'get configmaps in another namespace');
      const created = await ctx.kubectl([...as, '-n', ns, 'create', 'configmap', 'nope']);
      expectEqual(created.code === 0, false, 'create configmap with the certificate fails');
      expectMatch(created.stderr, new RegExp(`${escape(forbidden(user, 'create', 'configmaps', ns))}\\n$`), 'create configmap: the Forbidden message');
    });
  },
});
