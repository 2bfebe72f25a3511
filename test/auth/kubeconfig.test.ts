import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import t from 'tap';
import { parse } from 'yaml';
import { renderKubeconfig, writeKubeconfig } from '../../src/auth/kubeconfig.js';
import { startAuthServer } from './fixture.js';

const run = promisify(execFile);
const kubectl = (process.env.PATH ?? '').split(delimiter).some((dir) => dir && existsSync(join(dir, 'kubectl')));
const b64 = (text: string): string => Buffer.from(text).toString('base64');

interface Kubeconfig {
  apiVersion: string;
  kind: string;
  'current-context': string;
  clusters: { name: string; cluster: Record<string, unknown> }[];
  users: { name: string; user: Record<string, unknown> }[];
  contexts: { name: string; context: { cluster: string; user: string } }[];
}

async function tempDir(t: Pick<typeof import('tap').default, 'teardown'>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'kubemu-kubeconfig-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

t.test('renderKubeconfig: a client-certificate kubeconfig parses back', async (t) => {
  const text = renderKubeconfig({ server: 'https://127.0.0.1:6443', caCert: 'CA PEM\n', clientCert: 'CERT PEM\n', clientKey: 'KEY PEM\n' });
  t.same(parse(text) as Kubeconfig, {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'kubemu', cluster: { server: 'https://127.0.0.1:6443', 'certificate-authority-data': b64('CA PEM\n') } }],
    users: [{ name: 'kubemu-admin', user: { 'client-certificate-data': b64('CERT PEM\n'), 'client-key-data': b64('KEY PEM\n') } }],
    contexts: [{ name: 'kubemu', context: { cluster: 'kubemu', user: 'kubemu-admin' } }],
    'current-context': 'kubemu',
    preferences: {},
  });
});

t.test('renderKubeconfig: token, names and insecure', async (t) => {
  const config = parse(
    renderKubeconfig({ server: 'http://127.0.0.1:8080', token: 'abc', clusterName: 'c', contextName: 'x', userName: 'u', insecure: true }),
  ) as Kubeconfig;
  t.same(config.clusters, [{ name: 'c', cluster: { server: 'http://127.0.0.1:8080', 'insecure-skip-tls-verify': true } }]);
  t.same(config.users, [{ name: 'u', user: { token: 'abc' } }]);
  t.same(config.contexts, [{ name: 'x', context: { cluster: 'c', user: 'u' } }]);
  t.equal(config['current-context'], 'x');
});

t.test('renderKubeconfig: contradictory options are TypeErrors', async (t) => {
  t.throws(() => renderKubeconfig({ server: '' }), TypeError);
  t.throws(() => renderKubeconfig({ server: 'https://x', clientCert: 'c' }), TypeError);
  t.throws(() => renderKubeconfig({ server: 'https://x', caCert: 'c', insecure: true }), TypeError);
});

t.test('writeKubeconfig: creates parent directories, mode 0600, replaces', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'a', 'b', 'kubeconfig');
  await writeKubeconfig(path, 'one');
  t.equal(await readFile(path, 'utf8'), 'one');
  t.equal((await stat(path)).mode & 0o777, 0o600);
  await writeKubeconfig(path, 'two');
  t.equal(await readFile(path, 'utf8'), 'two');
  t.equal((await stat(path)).mode & 0o777, 0o600);
});

t.test('kubectl reads the kubeconfig and talks to an HTTPS server with it', { skip: !kubectl && 'kubectl is not on PATH' }, async (t) => {
  const server = await startAuthServer();
  t.teardown(() => server.app.close());
  const dir = await tempDir(t);
  const { tls, url, token } = server;
  const certPath = join(dir, 'cert.kubeconfig');
  const tokenPath = join(dir, 'token.kubeconfig');
  await writeKubeconfig(certPath, renderKubeconfig({ server: url, caCert: tls.caCert, clientCert: tls.adminCert, clientKey: tls.adminKey }));
  await writeKubeconfig(tokenPath, renderKubeconfig({ server: url, caCert: tls.caCert, token }));

  const view = JSON.parse((await run('kubectl', ['config', 'view', '--kubeconfig', certPath, '--raw', '-o', 'json'])).stdout) as Kubeconfig;
  t.equal(view['current-context'], 'kubemu');
  t.equal(view.clusters[0]?.cluster.server, url);
  t.equal(view.clusters[0]?.cluster['certificate-authority-data'], b64(tls.caCert));
  t.equal(view.users[0]?.name, 'kubemu-admin');
  t.equal(view.users[0]?.user['client-certificate-data'], b64(tls.adminCert));
  t.equal(view.users[0]?.user['client-key-data'], b64(tls.adminKey));

  for (const path of [certPath, tokenPath]) {
    const { stdout } = await run('kubectl', ['--kubeconfig', path, 'get', '--raw', '/apis/whoami']);
    t.same(JSON.parse(stdout), { user: { name: 'kubemu-admin', groups: ['system:masters', 'system:authenticated'] } }, `${path}: kubectl is kubemu-admin`);
  }
  const healthz = await run('kubectl', ['--kubeconfig', certPath, 'get', '--raw', '/healthz']);
  t.equal(JSON.parse(healthz.stdout).user.name, 'kubemu-admin');
});
