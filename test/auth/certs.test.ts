import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { adminTokenPath, loadOrCreateAdminToken } from '../../src/auth/admin.js';
import { DEFAULT_HOSTS, issueClientCert, loadOrCreateTls, servingHosts, type TlsMaterial } from '../../src/auth/certs.js';

const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';

/** The assertions the helpers below use, from whichever (sub)test calls them. */
type Asserts = Pick<typeof t, 'ok' | 'notOk' | 'equal' | 'same' | 'teardown'>;

async function tempDir(t: Asserts): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'kubemu-certs-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

function signedBy(pem: string, caPem: string): boolean {
  const cert = new X509Certificate(pem);
  const ca = new X509Certificate(caPem);
  return cert.checkIssued(ca) && cert.verify(ca.publicKey);
}

function keyMatches(certPem: string, keyPem: string): boolean {
  return new X509Certificate(certPem).checkPrivateKey(createPrivateKey(keyPem));
}

function checkChain(t: Asserts, tls: TlsMaterial): void {
  const ca = new X509Certificate(tls.caCert);
  t.ok(ca.ca, 'the CA is a CA');
  t.equal(ca.subject, 'CN=kubemu-ca');
  t.ok(ca.verify(ca.publicKey), 'the CA is self-signed');
  const years = (Date.parse(ca.validTo) - Date.now()) / (365 * 86_400_000);
  t.ok(years > 9.9 && years < 10.1, `the CA is valid for 10 years (${years.toFixed(2)})`);
  t.ok(signedBy(tls.serverCert, tls.caCert), 'the serving certificate is signed by the CA');
  t.ok(signedBy(tls.adminCert, tls.caCert), 'the admin certificate is signed by the CA');
  t.ok(keyMatches(tls.caCert, tls.caKey) && keyMatches(tls.serverCert, tls.serverKey) && keyMatches(tls.adminCert, tls.adminKey), 'keys match');
  t.equal(createPrivateKey(tls.serverKey).asymmetricKeyDetails?.namedCurve, 'prime256v1', 'ECDSA P-256');
  const server = new X509Certificate(tls.serverCert);
  t.notOk(server.ca);
  t.same(server.keyUsage, [SERVER_AUTH]);
  const admin = new X509Certificate(tls.adminCert);
  t.equal(admin.subject, 'CN=kubemu-admin\nO=system:masters');
  t.same(admin.keyUsage, [CLIENT_AUTH]);
}

t.test('loadOrCreateTls without dir: a CA, a serving and an admin certificate in memory', async (t) => {
  const started = performance.now();
  const tls = await loadOrCreateTls({ hosts: ['api.example.com', '10.1.2.3', '[FE80::0:1]'] });
  t.comment(`fresh generation took ${(performance.now() - started).toFixed(1)} ms (first in this process)`);
  checkChain(t, tls);
  const server = new X509Certificate(tls.serverCert);
  for (const host of ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local', 'api.example.com']) {
    t.equal(server.checkHost(host, { subject: 'never' }), host, `SAN DNS:${host}`);
  }
  for (const ip of ['127.0.0.1', '::1', '10.1.2.3', 'fe80::1']) t.equal(server.checkIP(ip), ip, `SAN IP:${ip}`);
  t.notOk(server.checkHost('other.example.com', { subject: 'never' }));
  t.notOk(server.checkIP('10.1.2.4'));

  const again = performance.now();
  const other = await loadOrCreateTls({ hosts: [] });
  t.comment(`fresh generation took ${(performance.now() - again).toFixed(1)} ms (second in this process)`);
  t.not(other.caCert, tls.caCert, 'every instance without dir has its own CA');
  t.notOk(signedBy(other.serverCert, tls.caCert));
});

t.test('servingHosts: defaults first, normalized and deduplicated', async (t) => {
  t.same(servingHosts([]), DEFAULT_HOSTS);
  t.same(servingHosts(['LOCALHOST', '[::1]', '0:0:0:0:0:0:0:1', 'Foo.Example', ' 10.0.0.1 ']), [...DEFAULT_HOSTS, 'foo.example', '10.0.0.1']);
  t.throws(() => servingHosts(['not:an:ip']), TypeError);
});

t.test('loadOrCreateTls with dir: persisted under pki/ and reused', async (t) => {
  const dir = await tempDir(t);
  const started = performance.now();
  const first = await loadOrCreateTls({ dir, hosts: ['api.example.com'] });
  t.comment(`fresh generation with dir took ${(performance.now() - started).toFixed(1)} ms`);
  checkChain(t, first);
  for (const name of ['ca', 'apiserver', 'admin']) {
    t.equal((await stat(join(dir, 'pki', `${name}.key`))).mode & 0o777, 0o600, `${name}.key is 0600`);
    t.equal(await readFile(join(dir, 'pki', `${name}.crt`), 'utf8'), first[name === 'ca' ? 'caCert' : name === 'apiserver' ? 'serverCert' : 'adminCert']);
  }
  t.equal((await stat(join(dir, 'pki'))).mode & 0o777, 0o700, 'pki/ is 0700');

  const reused = performance.now();
  const second = await loadOrCreateTls({ dir, hosts: ['API.example.com'] });
  t.comment(`reuse from dir took ${(performance.now() - reused).toFixed(1)} ms`);
  t.same(second, first, 'the same hosts (modulo case) reuse everything');

  const moved = await loadOrCreateTls({ dir, hosts: ['api2.example.com'] });
  t.equal(moved.caCert, first.caCert, 'a host change keeps the CA');
  t.equal(moved.adminCert, first.adminCert, 'a host change keeps the admin certificate');
  t.not(moved.serverCert, first.serverCert, 'a host change makes a new serving certificate');
  t.ok(signedBy(moved.serverCert, first.caCert));
  t.equal(new X509Certificate(moved.serverCert).checkHost('api2.example.com'), 'api2.example.com');
  t.notOk(new X509Certificate(moved.serverCert).checkHost('api.example.com'), 'the old host is gone');
  t.same(await loadOrCreateTls({ dir, hosts: ['api2.example.com'] }), moved, 'and is reused next time');

  const fewer = await loadOrCreateTls({ dir, hosts: [] });
  t.not(fewer.serverCert, moved.serverCert, 'removing a host is a change too');
});

t.test('loadOrCreateTls with dir: broken or foreign files are replaced', async (t) => {
  const dir = await tempDir(t);
  const first = await loadOrCreateTls({ dir, hosts: [] });

  await rm(join(dir, 'pki', 'admin.crt'));
  const noAdmin = await loadOrCreateTls({ dir, hosts: [] });
  t.equal(noAdmin.caCert, first.caCert);
  t.equal(noAdmin.serverCert, first.serverCert);
  t.not(noAdmin.adminCert, first.adminCert, 'a missing admin certificate is made again');

  const stranger = await loadOrCreateTls({ hosts: [] });
  await writeFile(join(dir, 'pki', 'apiserver.crt'), stranger.serverCert);
  await writeFile(join(dir, 'pki', 'apiserver.key'), stranger.serverKey);
  const foreign = await loadOrCreateTls({ dir, hosts: [] });
  t.not(foreign.serverCert, stranger.serverCert, 'a serving certificate of another CA is replaced');
  t.ok(signedBy(foreign.serverCert, first.caCert));

  await writeFile(join(dir, 'pki', 'ca.key'), stranger.caKey);
  const mismatch = await loadOrCreateTls({ dir, hosts: [] });
  t.not(mismatch.caCert, first.caCert, 'a CA whose key does not match is made again');
  checkChain(t, mismatch);

  await writeFile(join(dir, 'pki', 'ca.crt'), 'garbage');
  const garbage = await loadOrCreateTls({ dir, hosts: [] });
  t.not(garbage.caCert, mismatch.caCert, 'an unreadable CA is made again');
  checkChain(t, garbage);
  t.same(await loadOrCreateTls({ dir, hosts: [] }), garbage);
});

t.test('issueClientCert: CN is the user, each group an O, signed by the CA, clientAuth', async (t) => {
  const tls = await loadOrCreateTls({ hosts: [] });
  const { cert, key } = await issueClientCert(tls, { user: 'jane', groups: ['dev', 'system:masters'] });
  t.ok(signedBy(cert, tls.caCert));
  t.ok(keyMatches(cert, key));
  const parsed = new X509Certificate(cert);
  t.equal(parsed.subject, 'CN=jane\nO=dev\nO=system:masters');
  t.same(parsed.keyUsage, [CLIENT_AUTH]);
  const short = new X509Certificate((await issueClientCert(tls, { user: 'x', days: 1 })).cert);
  t.ok(Date.parse(short.validTo) - Date.now() <= 86_400_000, 'days sets the validity');
});

t.test('loadOrCreateAdminToken: random per start without dir, persisted 0600 with dir', async (t) => {
  const a = await loadOrCreateAdminToken();
  t.match(a, /^[A-Za-z0-9_-]{43}$/);
  t.not(await loadOrCreateAdminToken(), a);
  const dir = await tempDir(t);
  const persisted = await loadOrCreateAdminToken({ dir });
  t.equal(await loadOrCreateAdminToken({ dir }), persisted);
  t.equal((await readFile(adminTokenPath(dir), 'utf8')).trim(), persisted);
  t.equal((await stat(adminTokenPath(dir))).mode & 0o777, 0o600);
});
