/**
 * The syncer's pod I/O relay: a virtual kubemu whose pods/log, exec and portforward go to the
 * host pod that translate.ts names in a host kubemu with simulated nodes. kubectl 1.33, 1.31 and
 * 1.27 (SPDY, terminated in the virtual kubemu and relayed over websockets) against the virtual
 * server see the host pod's output, exit codes and errors; kubectl port-forward through it echoes.
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { WebSocket } from 'ws';
import { parse as parseYaml } from 'yaml';
import { loadKubeconfig } from '../../src/client/kubeconfig.js';
import { createPodRelay, hostPodRelay } from '../../src/syncer/relay.js';
import { hostPodName } from '../../src/syncer/translate.js';
import { eventually } from '../helpers/wait.js';
import { firstLines, kubectl, kubectlBinary, runServer, type Running } from './helpers.js';

const ctx = { vcluster: 'vc1', hostNamespace: 'tenant-a' };
let host: Running;
let virtual: Running;

t.before(async () => {
  [host, virtual] = await Promise.all([runServer({ nodes: 1 }), runServer({ controllers: false })]);
  virtual.server.setPodIO(() => hostPodRelay(loadKubeconfig(host.kubeconfigPath), ctx));
});
t.teardown(async () => {
  await Promise.all([host?.close(), virtual?.close()]);
});

const hostPods = () => host.server.registry.store('', 'v1', 'pods')!;
const target = hostPodName(ctx, { namespace: 'default', name: 'web' });

t.before(async () => {
  await host.server.registry.store('', 'v1', 'namespaces')!.create(undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ctx.hostNamespace } });
  const containers = [{ name: 'app', image: 'nginx', ports: [{ containerPort: 8080 }], env: [{ name: 'WHERE', value: 'host' }] }];
  await hostPods().create(
    ctx.hostNamespace,
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: target.name, annotations: { 'kubemu.dev/log': 'from the host\nline two' } }, spec: { containers } }
  );
  // The virtual pod as the syncer leaves it: bound to the node the host pod runs on.
  await virtual.server.registry.store('', 'v1', 'pods')!.create(
    'default',
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web' }, spec: { containers, nodeName: 'kubemu-node-0' } }
  );
  await eventually(() => (hostPods().get(ctx.hostNamespace, target.name).status as { phase?: string } | undefined)?.phase === 'Running', 'host pod Running', 15_000);
});

for (const version of ['1.27', '1.31', '1.33']) {
  const bin = kubectlBinary(version);
  t.test(`kubectl ${version} against the virtual cluster reaches the host pod`, { skip: bin ? false : `kubectl.${version} not installed` }, async (t) => {
    const run = (args: string[], stdin?: string) => kubectl(bin!, virtual.kubeconfigPath, args, stdin);
    t.equal((await run(['logs', 'web'])).stdout, 'from the host\nline two\n', 'logs piped from the host');
    t.equal((await run(['logs', 'web', '--tail=1'])).stdout, 'line two\n', 'options forwarded');
    t.same(await firstLines(bin!, virtual.kubeconfigPath, ['logs', '-f', 'web'], 2), ['from the host', 'line two'], 'logs -f');
    const echo = await run(['exec', 'web', '--', 'printenv', 'WHERE']);
    t.equal(echo.stdout, 'host\n', 'exec runs in the host pod');
    t.equal(echo.code, 0);
    t.equal((await run(['exec', 'web', '--', 'hostname'])).stdout, `${target.name}\n`, 'the host pod answers');
    const exit = await run(['exec', 'web', '--', 'sh', '-c', 'exit 7']);
    t.equal(exit.code, 7, 'exit code relayed on the status channel');
    t.match(exit.stderr, 'command terminated with exit code 7');
    t.equal((await run(['exec', '-i', 'web', '--', 'cat'], 'through\nthe relay\n')).stdout, 'through\nthe relay\n', 'stdin and its close relayed');
    t.match((await run(['logs', 'web', '-c', 'nope'])).stderr, 'container nope is not valid for pod web', 'checked on the virtual pod');
  });
}

t.test('port-forward frames pass through the relay', async (t) => {
  const config = parseYaml(readFileSync(virtual.kubeconfigPath, 'utf8')) as { users: { user: Record<string, string> }[]; clusters: { cluster: Record<string, string> }[] };
  const user = config.users[0]!.user;
  const ws = new WebSocket(`${virtual.url.replace('https', 'wss')}/api/v1/namespaces/default/pods/web/portforward?ports=8080`, ['v4.channel.k8s.io'], {
    ca: Buffer.from(config.clusters[0]!.cluster['certificate-authority-data']!, 'base64'),
    cert: Buffer.from(user['client-certificate-data']!, 'base64'),
    key: Buffer.from(user['client-key-data']!, 'base64'),
  });
  const frames: Buffer[] = [];
  const echoed = new Promise<void>((resolve) =>
    ws.on('message', (data: Buffer) => {
      frames.push(data);
      if (frames.some((f) => f[0] === 0 && f.subarray(1).toString() === 'ping')) resolve();
    }),
  );
  await new Promise((resolve) => ws.on('open', resolve));
  ws.send(Buffer.concat([Buffer.of(0), Buffer.from('ping')]));
  await echoed;
  ws.close();
  t.same([...frames[0]!], [0, 8080 & 0xff, 8080 >> 8], 'the host pod opened the channel');
});

for (const version of ['1.27', '1.33']) {
  const bin = kubectlBinary(version);
  t.test(`kubectl ${version} port-forward through the relay`, { skip: bin ? false : `kubectl.${version} not installed` }, async (t) => {
    // kubectl forwards only to a Running pod: the status the syncer would mirror from the host.
    const patched = await kubectl(kubectlBinary('1.33') ?? 'kubectl', virtual.kubeconfigPath, ['patch', 'pod', 'web', '--subresource=status', '--type=merge', '-p', '{"status":{"phase":"Running"}}']);
    t.equal(patched.code, 0, patched.stderr);
    const child = spawn(bin!, ['--kubeconfig', virtual.kubeconfigPath, 'port-forward', 'pod/web', ':8080']);
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    try {
      await eventually(() => /Forwarding from 127\.0\.0\.1:\d+/.test(out), `port-forward listening (${err})`, 15_000);
      const port = Number(/Forwarding from 127\.0\.0\.1:(\d+)/.exec(out)![1]);
      const echoed = await new Promise<string>((resolve, reject) => {
        const socket = net.connect(port, '127.0.0.1');
        let got = '';
        socket.on('data', (d) => ((got += d), got.length >= 9 && socket.end()));
        socket.on('close', () => resolve(got));
        socket.on('error', reject);
        socket.write('via relay');
      });
      t.equal(echoed, 'via relay', 'the host pod echoes the forwarded bytes');
    } finally {
      child.kill();
    }
  });
}

t.test('a reloaded host token replaces an expired one', async (t) => {
  const good = loadKubeconfig(host.kubeconfigPath);
  const stale = { server: good.server, ...(good.ca ? { ca: good.ca } : {}), token: 'expired-token' };
  const relay = createPodRelay({ host: stale, hostPod: () => target, tokenRefreshMs: 0, reload: () => ({ ...stale, token: host.server.adminToken }) });
  const pod = virtual.server.registry.store('', 'v1', 'pods')!.get('default', 'web');
  const chunks: Buffer[] = [];
  for await (const chunk of await relay.logs(pod, { container: 'app', follow: false, previous: false, timestamps: false }, new AbortController().signal)) chunks.push(Buffer.from(chunk));
  t.equal(Buffer.concat(chunks).toString(), 'from the host\nline two\n');
  const unreloaded = createPodRelay({ host: stale, hostPod: () => target });
  await t.rejects(unreloaded.logs(pod, { container: 'app', follow: false, previous: false, timestamps: false }, new AbortController().signal), { code: 401 }, 'the stale token alone is refused');
});

t.test('host errors reach the client with the virtual name', async (t) => {
  const bin = kubectlBinary('1.33') ?? 'kubectl';
  await hostPods().delete(ctx.hostNamespace, target.name, { gracePeriodSeconds: 0 });
  await eventually(() => {
    try {
      hostPods().get(ctx.hostNamespace, target.name);
      return false;
    } catch {
      return true;
    }
  }, 'host pod gone');
  const logs = await kubectl(bin, virtual.kubeconfigPath, ['logs', 'web']);
  t.not(logs.code, 0);
  t.match(logs.stderr, 'pods "web" not found');
  t.notMatch(logs.stderr, target.name, 'the host name does not leak');
  const exec = await kubectl(bin, virtual.kubeconfigPath, ['exec', 'web', '--', 'true']);
  t.not(exec.code, 0);
  t.match(exec.stderr, 'pods "web" not found');
});
