import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { request } from 'node:https';
import { promisify } from 'node:util';
import t from 'tap';
import { startKubemu } from '../../src/index.js';
import { get } from './fixture.js';

const exec = promisify(execFile);
const KUBECTL_DIR = '/usr/lib/google-cloud-sdk/bin';

/** kubectl 1.31 sends the TokenRequest as JSON, 1.33 as protobuf. */
const VERSIONS: readonly [version: string, body: string][] = [
  ['1.31', 'application/json'],
  ['1.33', 'application/vnd.kubernetes.protobuf'],
];

t.test('kubectl create token: the token reaches the API as system:serviceaccount:default:default', async (t) => {
  const kube = await startKubemu();
  t.teardown(() => kube.close());
  const kubeconfig = ['--kubeconfig', kube.kubeconfigPath];
  const created = await fetchOrCreateDefault(kube.url, kube.caCert!, kube.token);
  t.ok(created, 'the default ServiceAccount exists');

  for (const [version, contentType] of VERSIONS) {
    const kubectl = `${KUBECTL_DIR}/kubectl.${version}`;
    if (!existsSync(kubectl)) {
      t.comment(`${kubectl} missing: skipped`);
      continue;
    }
    const { stdout, stderr } = await exec(kubectl, [...kubeconfig, 'create', 'token', 'default', '--duration=15m', '-v=8']);
    const token = stdout.trim();
    t.match(token, /^ey[\w-]+\.[\w-]+\.[\w-]+$/, `kubectl ${version} printed a token`);
    t.match(stderr, `Content-Type: ${contentType}`, `kubectl ${version} sent ${contentType}`);
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
    t.equal(claims.sub, 'system:serviceaccount:default:default');
    t.equal(claims.exp - claims.iat, 900, '--duration is honoured');

    const res = await get(`${kube.url}/api/v1/namespaces/default`, { ca: kube.caCert!, headers: { authorization: `Bearer ${token}` } });
    t.not(res.status, 401, `kubectl ${version}'s token authenticates (${res.status})`);
    if (res.status === 403) t.match(JSON.parse(res.body).message, 'User "system:serviceaccount:default:default"');
    else t.equal(res.status, 200);
  }

});

/** Creates the `default` ServiceAccount unless a controller made it already; true when it exists. */
async function fetchOrCreateDefault(url: string, ca: string, token: string): Promise<boolean> {
  const headers = { authorization: `Bearer ${token}` };
  if ((await get(`${url}/api/v1/namespaces/default/serviceaccounts/default`, { ca, headers })).status === 200) return true;
  const status = await new Promise<number>((resolve, reject) => {
    const req = request(`${url}/api/v1/namespaces/default/serviceaccounts`, { method: 'POST', ca, headers: { ...headers, 'content-type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(JSON.stringify({ metadata: { name: 'default' } }));
  });
  return status === 201 || status === 409;
}
