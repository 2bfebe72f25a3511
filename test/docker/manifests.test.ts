/**
 * docker/: the manifests apply to a kubemu with `kubectl apply --dry-run=server` and for real;
 * the Role gives the kubemu ServiceAccount exactly the syncer's access in its namespace (checked
 * with `kubectl auth can-i --as`); a kubeconfig from inClusterKubeconfig() with that
 * ServiceAccount's token reaches the API as the Pod would; the Dockerfile has its build and
 * runtime stages, a non-root USER, the /data VOLUME and the documented entrypoint. No Docker
 * engine runs here: the image itself is not built by any test.
 */
import t from 'tap';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { HttpClient } from '../../src/client/http.js';
import { connectionFromKubeconfig } from '../../src/client/kubeconfig.js';
import { inClusterKubeconfig, inClusterNamespace } from '../../src/client/in-cluster.js';
import { RESOURCES } from '../../src/client/types.js';
import { parseCommand } from '../../src/cli/args.js';
import { kubectl, kubectlBinary, runServer, type Running } from '../pod-io/helpers.js';

const DOCKER = fileURLToPath(new URL('../../docker/', import.meta.url));
const MANIFESTS = join(DOCKER, 'manifests');
const bin = kubectlBinary('1.31') ?? 'kubectl';
const NS = 'tenant-a';

let kube: Running;
t.before(async () => {
  kube = await runServer({ controllers: false });
  const made = await kubectl(bin, kube.kubeconfigPath, ['create', 'namespace', NS]);
  if (made.code !== 0) throw new Error(made.stderr);
});
t.teardown(() => kube.close());
const run = (args: string[]) => kubectl(bin, kube.kubeconfigPath, args);

t.test('the manifests hold the five kinds the virtual cluster needs', async (t) => {
  const kinds = readdirSync(MANIFESTS)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => (parseYaml(readFileSync(join(MANIFESTS, f), 'utf8')) as { kind: string }).kind);
  t.same(kinds.sort(), ['Role', 'RoleBinding', 'Service', 'ServiceAccount', 'StatefulSet']);
});

t.test('kubectl apply --dry-run=server accepts every manifest and stores nothing', async (t) => {
  const dry = await run(['apply', '--dry-run=server', '-n', NS, '-f', MANIFESTS]);
  t.equal(dry.code, 0, dry.stderr);
  for (const what of ['serviceaccount/kubemu', 'role.rbac.authorization.k8s.io/kubemu', 'rolebinding.rbac.authorization.k8s.io/kubemu', 'service/kubemu', 'statefulset.apps/kubemu'])
    t.match(dry.stdout, `${what} created (server dry run)`, what);
  t.match((await run(['get', 'statefulset', 'kubemu', '-n', NS])).stderr, 'not found', 'dry run stored nothing');
});

t.test('applied for real: the StatefulSet keeps its claim template, the Role grants exactly the syncer verbs', async (t) => {
  const applied = await run(['apply', '-n', NS, '-f', MANIFESTS]);
  t.equal(applied.code, 0, applied.stderr);
  const sts = JSON.parse((await run(['get', 'statefulset', 'kubemu', '-n', NS, '-o', 'json'])).stdout);
  t.equal(sts.spec.volumeClaimTemplates[0].metadata.name, 'data');
  t.equal(sts.spec.template.spec.serviceAccountName, 'kubemu');
  t.same(sts.spec.template.spec.containers[0].volumeMounts, [{ name: 'data', mountPath: '/data' }]);
  t.ok(sts.spec.template.spec.containers[0].args.includes('--host-in-cluster'));
  const as = ['--as', `system:serviceaccount:${NS}:kubemu`, '-n', NS];
  const can = async (verb: string, resource: string, ns = NS) => (await run(['auth', 'can-i', verb, resource, ...as.slice(0, 2), '-n', ns])).stdout.trim();
  for (const [verb, resource] of [
    ['create', 'pods'], ['delete', 'pods'], ['watch', 'pods'], ['patch', 'pods'], ['get', 'pods/log'], ['create', 'pods/exec'], ['get', 'pods/exec'],
    ['create', 'pods/attach'], ['create', 'pods/portforward'], ['update', 'services'], ['create', 'endpoints'], ['delete', 'configmaps'],
    ['list', 'secrets'], ['create', 'persistentvolumeclaims'], ['watch', 'events'],
  ]) t.equal(await can(verb!, resource!), 'yes', `${verb} ${resource}`);
  for (const [verb, resource] of [['update', 'pods/status'], ['create', 'deployments'], ['create', 'events'], ['create', 'roles'], ['get', 'nodes'], ['create', 'serviceaccounts']])
    t.equal(await can(verb!, resource!), 'no', `no ${verb} ${resource}`);
  t.equal(await can('create', 'pods', 'default'), 'no', 'nothing outside its namespace');
});

t.test('inClusterKubeconfig: the mounted ServiceAccount reaches the API with the Role’s rights', async (t) => {
  const token = (await run(['create', 'token', 'kubemu', '-n', NS])).stdout.trim();
  t.ok(token, 'a token for the ServiceAccount');
  const dir = await mkdtemp(join(tmpdir(), 'kubemu-sa-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const config = parseYaml(await readFile(kube.kubeconfigPath, 'utf8')) as { clusters: { cluster: Record<string, string> }[] };
  await writeFile(join(dir, 'token'), `${token}\n`);
  await writeFile(join(dir, 'ca.crt'), Buffer.from(config.clusters[0]!.cluster['certificate-authority-data']!, 'base64'));
  await writeFile(join(dir, 'namespace'), NS);
  const url = new URL(kube.url);
  const text = inClusterKubeconfig({ env: { KUBERNETES_SERVICE_HOST: url.hostname, KUBERNETES_SERVICE_PORT: url.port }, dir });
  t.equal(inClusterNamespace({ dir }), NS);
  const client = new HttpClient(connectionFromKubeconfig(text));
  t.teardown(() => client.close());
  t.same((await client.list(RESOURCES.pods, { namespace: NS })).items, [], 'pods of its namespace are listed');
  await t.rejects(client.list(RESOURCES.pods, { namespace: 'default' }), { code: 403 }, 'other namespaces are forbidden');
  t.throws(() => inClusterKubeconfig({ env: {}, dir }), /KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be defined/);
});

t.test('--host-in-cluster outside a cluster is a usage error naming the cause', async (t) => {
  const saved = { host: process.env.KUBERNETES_SERVICE_HOST, port: process.env.KUBERNETES_SERVICE_PORT };
  delete process.env.KUBERNETES_SERVICE_HOST;
  delete process.env.KUBERNETES_SERVICE_PORT;
  t.teardown(() => {
    if (saved.host !== undefined) process.env.KUBERNETES_SERVICE_HOST = saved.host;
    if (saved.port !== undefined) process.env.KUBERNETES_SERVICE_PORT = saved.port;
  });
  t.throws(() => parseCommand(['serve', '--host-in-cluster']), /--host-in-cluster: unable to load in-cluster configuration/);
  t.throws(() => parseCommand(['serve', '--host-in-cluster', '--host-kubeconfig', 'x']), /exclude each other/);
});

t.test('the Dockerfile: multi-stage, non-root, /data volume, kubemu serve entrypoint', async (t) => {
  const lines = (await readFile(join(DOCKER, 'Dockerfile'), 'utf8')).split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const from = lines.filter((l) => /^FROM /i.test(l));
  t.same(from, ['FROM node:20-slim AS build', 'FROM node:20-slim AS runtime'], 'a build stage and a node:20-slim runtime');
  t.ok(lines.some((l) => /npm ci\b/.test(l)), 'npm ci');
  t.ok(lines.some((l) => /npm run build/.test(l)), 'tsc build');
  t.ok(lines.some((l) => l.startsWith('COPY --from=build')), 'runtime copies from the build stage');
  const user = lines.filter((l) => l.startsWith('USER '));
  t.equal(user.length, 1);
  t.notMatch(user[0], /^USER (root|0)(:|$)/, 'a non-root user');
  t.ok(lines.includes('VOLUME /data'), 'data dir as a volume');
  const entrypoint = lines.find((l) => l.startsWith('ENTRYPOINT '));
  t.same(JSON.parse(entrypoint!.slice('ENTRYPOINT '.length)), ['kubemu', 'serve', '--host', '0.0.0.0', '--data-dir', '/data']);
  t.ok(lines.indexOf(user[0]!) > lines.lastIndexOf(from[1]!), 'USER is set in the runtime stage');
});
