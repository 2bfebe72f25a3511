/**
 * pods/log, exec, attach and portforward on simulated nodes, through kubectl 1.27, 1.30, 1.31
 * and 1.33: log lines from the kubemu.dev/log annotation, follow, tail and timestamps; exec's
 * built-in commands and exit codes over websockets (1.30+) and SPDY (1.27; more in
 * spdy-kubectl.test.ts); upstream errors for unknown containers, unscheduled and waiting pods;
 * discovery of the subresources.
 */
import t from 'tap';
import { WebSocket } from 'ws';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { eventually } from '../helpers/wait.js';
import { firstLines, kubectl, kubectlBinary, runServer, tempFile, type Running } from './helpers.js';

let kube: Running;
t.before(async () => {
  kube = await runServer({ nodes: 1 });
});
t.teardown(() => kube.close());

const pods = () => kube.server.registry.store('', 'v1', 'pods')!;
const phaseOf = (name: string) => {
  try {
    return (pods().get('default', name).status as { phase?: string } | undefined)?.phase;
  } catch {
    return undefined;
  }
};

const POD = `apiVersion: v1
kind: Pod
metadata:
  name: web
  annotations:
    kubemu.dev/log: "hello from {{pod}}\\nsecond line\\nthird line"
    kubemu.dev/log.side: "side car"
spec:
  containers:
  - name: app
    image: nginx
    env: [{name: GREETING, value: hi there}]
    ports: [{containerPort: 8080}]
  - name: side
    image: busybox
`;

t.before(async () => {
  const bin = kubectlBinary('1.31') ?? 'kubectl';
  const file = await tempFile('pod.yaml', POD);
  const applied = await kubectl(bin, kube.kubeconfigPath, ['apply', '-f', file]);
  if (applied.code !== 0) throw new Error(applied.stderr);
  await eventually(() => phaseOf('web') === 'Running', 'web Running', 15_000);
});

for (const version of ['1.27', '1.30', '1.31', '1.33']) {
  const bin = kubectlBinary(version);
  t.test(`kubectl ${version}`, { skip: bin ? false : `kubectl.${version} not installed` }, async (t) => {
    const run = (args: string[], stdin?: string) => kubectl(bin!, kube.kubeconfigPath, args, stdin);

    const logs = await run(['logs', 'web', '-c', 'app']);
    t.equal(logs.stdout, 'hello from web\nsecond line\nthird line\n', 'logs: the annotation, {{pod}} filled in');
    t.equal((await run(['logs', 'web', '-c', 'side'])).stdout, 'side car\n', 'logs: kubemu.dev/log.<container> wins for that container');
    t.equal((await run(['logs', 'web', '-c', 'app', '--tail=1'])).stdout, 'third line\n', '--tail');
    const stamped = (await run(['logs', 'web', '-c', 'app', '--timestamps'])).stdout.split('\n').filter(Boolean);
    t.equal(stamped.length, 3);
    t.match(stamped[0], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z hello from web$/, '--timestamps: RFC 3339 with nanoseconds');
    t.same(await firstLines(bin!, kube.kubeconfigPath, ['logs', '-f', 'web', '-c', 'app'], 2), ['hello from web', 'second line'], 'logs -f');
    t.equal((await run(['logs', 'web', '-c', 'app', '--limit-bytes=5'])).stdout, 'hello', '--limit-bytes');
    t.equal((await run(['logs', 'web', '-c', 'app', '--since=1h'])).stdout.split('\n').filter(Boolean).length, 3, '--since keeps recent lines');
    t.match((await run(['logs', 'web', '-c', 'app', '--previous'])).stderr, 'previous terminated container "app" in pod "web" not found');
    const bad = await run(['logs', 'web', '-c', 'nope']);
    t.not(bad.code, 0);
    t.match(bad.stderr, 'container nope is not valid for pod web');

    const echo = await run(['exec', 'web', '-c', 'app', '--', 'echo', 'hi']);
    t.equal(echo.stdout, 'hi\n', 'exec echo');
    t.equal(echo.code, 0);
    const exit3 = await run(['exec', 'web', '-c', 'app', '--', 'sh', '-c', 'exit 3']);
    t.equal(exit3.code, 3, 'exit code reaches kubectl');
    t.match(exit3.stderr, 'command terminated with exit code 3');
    t.equal((await run(['exec', 'web', '-c', 'app', '--', 'false'])).code, 1);
    t.equal((await run(['exec', 'web', '-c', 'app', '--', 'printenv', 'GREETING'])).stdout, 'hi there\n', 'env of the container');
    t.equal((await run(['exec', 'web', '-c', 'app', '--', 'hostname'])).stdout, 'web\n');
    t.equal((await run(['exec', '-i', 'web', '-c', 'app', '--', 'cat'], 'piped\ninput\n')).stdout, 'piped\ninput\n', 'stdin reaches the command and ends');
    const missing = await run(['exec', 'web', '-c', 'app', '--', 'nosuchcmd']);
    t.not(missing.code, 0);
    t.match(missing.stderr, 'executable file not found in $PATH');
    const wrong = await run(['exec', 'web', '-c', 'nope', '--', 'true']);
    t.match(wrong.stderr, 'container nope is not valid for pod web');
  });
}

t.test('pods not running: waiting containers, unscheduled pods', async (t) => {
  const bin = kubectlBinary('1.33') ?? 'kubectl';
  const run = (args: string[]) => kubectl(bin, kube.kubeconfigPath, args);
  await run(['run', 'slow', '--image=nginx', '--annotations=kubemu.dev/start-after-ms=600000']);
  await run(['run', 'nowhere', '--image=nginx', '--overrides={"spec":{"nodeSelector":{"no":"such-node"}}}']);
  await eventually(() => !!(pods().get('default', 'slow').spec as { nodeName?: string }).nodeName, 'slow bound');
  const waiting = await run(['logs', 'slow']);
  t.match(waiting.stderr, 'container "slow" in pod "slow" is waiting to start: ContainerCreating');
  t.match((await run(['exec', 'slow', '--', 'true'])).stderr, 'container not found ("slow")');
  const empty = await run(['logs', 'nowhere']);
  t.equal(empty.code, 0, 'an unscheduled pod has an empty log, as upstream');
  t.equal(empty.stdout, '');
  t.match((await run(['exec', 'nowhere', '--', 'true'])).stderr, 'pod nowhere does not have a host assigned');
  t.match((await run(['logs', 'nothere'])).stderr, 'pods "nothere" not found');
});

t.test('a followed log grows while the container runs', async (t) => {
  const bin = kubectlBinary('1.33') ?? 'kubectl';
  await kubectl(bin, kube.kubeconfigPath, ['run', 'ticker', '--image=busybox', '--annotations=kubemu.dev/log=one\ntwo\nthree\nfour', '--annotations=kubemu.dev/log-interval-ms=1500']);
  await eventually(() => phaseOf('ticker') === 'Running', 'ticker Running', 15_000);
  const now = (await kubectl(bin, kube.kubeconfigPath, ['logs', 'ticker'])).stdout.split('\n').filter(Boolean);
  t.ok(now.length < 4, `not every line is out yet (${now.length})`);
  t.same(await firstLines(bin, kube.kubeconfigPath, ['logs', '-f', 'ticker'], 4), ['one', 'two', 'three', 'four'], 'later lines arrive on the open stream');
});

t.test('discovery lists the pod I/O subresources as upstream', async (t) => {
  const bin = kubectlBinary('1.33') ?? 'kubectl';
  const doc = JSON.parse((await kubectl(bin, kube.kubeconfigPath, ['get', '--raw', '/api/v1'])).stdout) as { resources: { name: string; verbs: string[] }[] };
  const verbs = Object.fromEntries(doc.resources.filter((r) => r.name.startsWith('pods/')).map((r) => [r.name, r.verbs]));
  t.same(verbs['pods/log'], ['get']);
  for (const sub of ['exec', 'attach', 'portforward']) t.same(verbs[`pods/${sub}`], ['create', 'get'], sub);
});

t.test('port-forward: a v4.channel.k8s.io client gets an echo (kubectl: spdy-kubectl.test.ts)', async (t) => {
  const config = parseYaml(readFileSync(kube.kubeconfigPath, 'utf8')) as { users: { user: Record<string, string> }[]; clusters: { cluster: Record<string, string> }[] };
  const user = config.users[0]!.user;
  const ca = Buffer.from(config.clusters[0]!.cluster['certificate-authority-data']!, 'base64').toString();
  const url = `${kube.url.replace('https', 'wss')}/api/v1/namespaces/default/pods/web/portforward?ports=8080&ports=9999`;
  const ws = new WebSocket(url, ['v4.channel.k8s.io'], {
    ca,
    ...(user['client-certificate-data'] ? { cert: Buffer.from(user['client-certificate-data'], 'base64'), key: Buffer.from(user['client-key-data']!, 'base64') } : {}),
    ...(user.token ? { headers: { authorization: `Bearer ${user.token}` } } : {}),
  });
  const frames: Buffer[] = [];
  const seen = new Promise<void>((resolve) =>
    ws.on('message', (data: Buffer) => {
      frames.push(data);
      if (frames.some((f) => f[0] === 0 && f.length > 3) && frames.some((f) => f[0] === 3 && f.length > 3)) resolve();
    }),
  );
  await new Promise((resolve) => ws.on('open', resolve));
  t.equal(ws.protocol, 'v4.channel.k8s.io');
  ws.send(Buffer.concat([Buffer.of(0), Buffer.from('ping')]));
  ws.send(Buffer.concat([Buffer.of(2), Buffer.from('x')]));
  await seen;
  ws.close();
  t.same([...frames[0]!], [0, 8080 & 0xff, 8080 >> 8], 'each channel opens with its port, little-endian');
  t.equal(frames.find((f) => f[0] === 0 && f.length > 3)!.subarray(1).toString(), 'ping', 'a declared port echoes');
  t.match(frames.find((f) => f[0] === 3 && f.length > 3)!.subarray(1).toString(), 'error forwarding port 9999 to pod web', 'an undeclared port refuses');
});
