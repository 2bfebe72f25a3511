/**
 * Two kubemu replicas started at the same moment on one empty --data-dir (etcd storage) end up
 * with ONE set of secrets: the CA both serving certificates chain to and both kubeconfigs
 * trust, one service-account signing key (the same JWKS on both, so a token issued by one is
 * accepted by the other), one admin token: two `kubemu serve` processes, and four servers built
 * in one process at once (their reads of the empty dir interleave for sure). Skipped without `etcd`.
 * Owns: concurrent creation of the shared secrets. Must not: test the PKI itself.
 */
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { request } from 'node:https';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { parse as parseYaml } from 'yaml';
import { withDefaults, type Config } from '../../src/cli/config.js';
import { buildServer } from '../../src/server.js';
import { etcdTest, serveOnEtcd, tempDir } from '../helpers/serve-child.js';
import type { Child } from '../helpers/spawn.js';

interface Reply {
  status: number;
  body: string;
  peer: X509Certificate;
}

/** An HTTPS request trusting only `ca`, with an optional bearer token. */
function get(url: string, ca: string, token?: string, method = 'GET', body?: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, ca, timeout: 20_000, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) } }, (res) => {
      const peer = new X509Certificate((res.socket as TLSSocket).getPeerCertificate().raw);
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, peer }));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error(`${url}: no answer`)));
    req.end(body);
  });
}

etcdTest('replicas starting together on one empty data dir share one CA and one key', async (t, etcd) => {
  const dir = await tempDir(t, 'kubemu-shared-dir-');
  const start = (name: string) => serveOnEtcd(t, etcd, [
    '--no-controllers', '--data-dir', join(dir, 'data'), '--kubeconfig', join(dir, `${name}.kubeconfig`),
  ], { prefix: '/shared-dir', timeoutMs: 60_000 });
  const children: Child[] = [];
  const started = await Promise.allSettled([start('a'), start('b')]);
  for (const s of started) if (s.status === 'fulfilled') children.push(s.value);
  t.same(started.map((s) => s.status), ['fulfilled', 'fulfilled'], 'both replicas start');
  const [a, b] = children as [Child, Child];

  const caPem = await readFile(join(dir, 'data', 'pki', 'ca.crt'), 'utf8');
  const ca = new X509Certificate(caPem);
  const adminToken = (await readFile(join(dir, 'data', 'pki', 'admin.token'), 'utf8')).trim();
  for (const [name, child] of [['a', a], ['b', b]] as const) {
    const kubeconfig = parseYaml(await readFile(child.kubeconfigPath, 'utf8')) as { clusters: { cluster: { 'certificate-authority-data': string } }[] };
    t.equal(Buffer.from(kubeconfig.clusters[0]!.cluster['certificate-authority-data'], 'base64').toString(), caPem, `${name}'s kubeconfig trusts the CA on disk`);
    const reply = await get(`${child.url}/api/v1/namespaces`, caPem, adminToken);
    t.ok(reply.peer.verify(ca.publicKey), `${name}'s serving certificate is signed by the CA on disk`);
    t.equal(reply.status, 200, `${name} accepts the admin token on disk`);
  }
  const jwks = await Promise.all([a, b].map(async (c) => (await get(`${c.url}/openid/v1/jwks`, caPem, adminToken)).body));
  t.equal(jwks[0], jwks[1], 'one service-account signing key (the same JWKS)');

  // A token issued through a is accepted by b.
  const sa = JSON.stringify({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'robot' } });
  t.equal((await get(`${a.url}/api/v1/namespaces/default/serviceaccounts`, caPem, adminToken, 'POST', sa)).status, 201);
  const tokenRequest = JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: {} });
  const issued = await get(`${a.url}/api/v1/namespaces/default/serviceaccounts/robot/token`, caPem, adminToken, 'POST', tokenRequest);
  const token = (JSON.parse(issued.body) as { status: { token: string } }).status.token;
  const review = JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' });
  const whoami = await get(`${b.url}/apis/authentication.k8s.io/v1/selfsubjectreviews`, caPem, token, 'POST', review);
  t.match(JSON.parse(whoami.body), { status: { userInfo: { username: 'system:serviceaccount:default:robot' } } }, 'b authenticates a token a issued');
});

etcdTest('four servers built at once on one empty data dir share one CA, key and token', async (t, etcd) => {
  const dir = await tempDir(t, 'kubemu-shared-dir-');
  const config = withDefaults({ storage: 'etcd', etcd: { endpoints: etcd.endpoints, prefix: '/shared-dir-4' }, controllers: false, port: 0, dataDir: dir } as Partial<Config>) as Config;
  const servers = await Promise.all([1, 2, 3, 4].map(() => buildServer(config)));
  t.teardown(() => Promise.all(servers.map((s) => s.close())));
  const caOnDisk = await readFile(join(dir, 'pki', 'ca.crt'), 'utf8');
  t.same(servers.map((s) => s.tls?.caCert), [caOnDisk, caOnDisk, caOnDisk, caOnDisk], 'every server uses the CA on disk');
  const tokenOnDisk = (await readFile(join(dir, 'pki', 'admin.token'), 'utf8')).trim();
  t.same(servers.map((s) => s.adminToken), [tokenOnDisk, tokenOnDisk, tokenOnDisk, tokenOnDisk], 'every server uses the admin token on disk');
  const { token } = servers[0]!.serviceAccountTokens.issue({ namespace: 'default', serviceAccount: { name: 'robot', uid: 'u-1' }, audiences: servers[0]!.serviceAccountTokens.audiences, expirationSeconds: 600 });
  t.same(servers.map((s) => s.serviceAccountTokens.verify(token) !== undefined), [true, true, true, true], 'a token the first server signed verifies on every server (one signing key)');
});
