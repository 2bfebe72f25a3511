/**
 * kubemu on an etcd that serves TLS and demands client certificates (`--client-cert-auth`):
 * certificates made with the project's own PKI helpers (src/auth/pki.ts); `kubemu serve` with
 * --etcd-cafile/--etcd-certfile/--etcd-keyfile writes and reads through it; a wrong CA, or no
 * client certificate, stops start-up with an error that says what is wrong.
 * Skipped without `etcd`.
 * Owns: etcd TLS options end to end. Must not: test the PKI itself.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { CertificateAuthority } from '../../src/auth/pki.js';
import { haveEtcd, startEtcd } from '../helpers/etcd.js';
import { runKubemu, startKubemuProcess } from '../helpers/spawn.js';

const run = promisify(execFile);

if (!haveEtcd) {
  t.pass('skipped: no etcd binary on PATH');
} else {
  t.test('etcd with TLS and client certificates', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'kubemu-etcd-tls-'));
    t.teardown(() => rm(dir, { recursive: true, force: true }));
    const ca = await CertificateAuthority.create({ commonName: 'etcd-ca', days: 1 });
    const otherCa = await CertificateAuthority.create({ commonName: 'not-etcd-ca', days: 1 });
    const server = await ca.issue({ subject: { commonName: 'etcd' }, usage: 'server', days: 1, dnsNames: ['localhost'], ips: ['127.0.0.1'] });
    const client = await ca.issue({ subject: { commonName: 'kubemu' }, usage: 'client', days: 1 });
    const files = {
      caFile: join(dir, 'ca.crt'), certFile: join(dir, 'server.crt'), keyFile: join(dir, 'server.key'),
      clientCertFile: join(dir, 'client.crt'), clientKeyFile: join(dir, 'client.key'),
    };
    const otherCaFile = join(dir, 'other-ca.crt');
    await Promise.all([
      writeFile(files.caFile, ca.cert), writeFile(files.certFile, server.cert), writeFile(files.keyFile, server.key, { mode: 0o600 }),
      writeFile(files.clientCertFile, client.cert), writeFile(files.clientKeyFile, client.key, { mode: 0o600 }), writeFile(otherCaFile, otherCa.cert),
    ]);
    const etcd = await startEtcd({ tls: files });
    t.teardown(() => etcd.stop());
    t.match(etcd.endpoints[0], /^https:\/\//);
    const base = ['--storage', 'etcd', '--etcd-endpoints', etcd.endpoints.join(','), '--port', '0', '--no-tls', '--no-controllers'];

    t.test('kubemu writes and reads through TLS with a client certificate', async (t) => {
      const kubemu = await startKubemuProcess([...base, '--data-dir', join(dir, 'ok'), '--kubeconfig', join(dir, 'ok.kubeconfig'),
        '--etcd-cafile', files.caFile, '--etcd-certfile', files.clientCertFile, '--etcd-keyfile', files.clientKeyFile]);
      t.teardown(() => kubemu.proc.kill('SIGKILL'));
      const kubectl = (...args: string[]) => run('kubectl', ['--kubeconfig', kubemu.kubeconfigPath, ...args], { timeout: 60_000 });
      await kubectl('create', 'configmap', 'over-tls', '--from-literal=k=v');
      const { stdout } = await kubectl('get', 'configmap', 'over-tls', '-o', 'jsonpath={.data.k}');
      t.equal(stdout, 'v', 'read back through etcd over TLS');
      const ready = await fetch(`${kubemu.url}/readyz?verbose`, { headers: { authorization: `Bearer ${kubemu.token}` } });
      t.match(await ready.text(), /\[\+\]etcd ok/, '/readyz etcd check passes');
    });

    t.test('a wrong CA is a clear start-up error', async (t) => {
      const { output } = runKubemu(['serve', ...base, '--data-dir', join(dir, 'bad'), '--kubeconfig', join(dir, 'bad.kubeconfig'),
        '--etcd-cafile', otherCaFile, '--etcd-certfile', files.clientCertFile, '--etcd-keyfile', files.clientKeyFile]);
      const { code, stderr } = await output;
      t.not(code, 0, 'exits with an error');
      t.match(stderr, /cannot use etcd https:\/\/127\.0\.0\.1:\d+/, 'names the endpoint');
      t.match(stderr, /etcd's serving certificate is not signed by the CA of --etcd-cafile \(.*other-ca\.crt\)/, 'says the CA does not match');
    });

    t.test('no client certificate is a clear start-up error', async (t) => {
      const { output } = runKubemu(['serve', ...base, '--data-dir', join(dir, 'nocert'), '--kubeconfig', join(dir, 'nocert.kubeconfig'),
        '--etcd-cafile', files.caFile]);
      const { code, stderr } = await output;
      t.not(code, 0, 'exits with an error');
      t.match(stderr, /cannot use etcd https:\/\/127\.0\.0\.1:\d+/, 'names the endpoint');
      t.match(stderr, /etcd requires a client certificate: pass --etcd-certfile and --etcd-keyfile/, 'says a client certificate is needed');
    });
  });
}
