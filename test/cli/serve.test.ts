import { execFile } from 'node:child_process';
import { mkdtemp, writeFile, mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { runKubemu, startKubemuProcess } from '../helpers/spawn.js';

const exec = promisify(execFile);
const hasKubectl = await exec('kubectl', ['version', '--client']).then(() => true, () => false);

t.test('kubemu serve prints its ready line, serves kubectl, keeps state across restarts, and stops on SIGTERM', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'kubemu-serve-'));
  const child = await startKubemuProcess(['--port', '0', '--data-dir', dir]);
  t.match(child.url, /^https:\/\/127\.0\.0\.1:\d+$/);
  t.equal(child.kubeconfigPath, join(dir, 'kubeconfig'));
  if (hasKubectl) {
    const { stdout } = await exec('kubectl', ['--kubeconfig', child.kubeconfigPath, 'get', 'ns', '-o', 'name']);
    t.same(stdout.trim().split('\n').sort(), ['namespace/default', 'namespace/kube-node-lease', 'namespace/kube-public', 'namespace/kube-system']);
    await exec('kubectl', ['--kubeconfig', child.kubeconfigPath, 'create', 'configmap', 'kept', '--from-literal=a=b']);
  } else t.comment('kubectl not on PATH: skipping the kubectl part');
  child.proc.kill('SIGTERM');
  t.equal(await child.exited, 0, 'exits 0 on SIGTERM');

  const again = await startKubemuProcess(['--port', '0', '--data-dir', dir]);
  if (hasKubectl) {
    const { stdout } = await exec('kubectl', ['--kubeconfig', again.kubeconfigPath, 'get', 'configmap', 'kept', '-o', 'jsonpath={.data.a}']);
    t.equal(stdout, 'b', 'the configmap survived the restart with the same credentials');
  }
  again.proc.kill('SIGINT');
  t.equal(await again.exited, 0, 'exits 0 on SIGINT');
});

t.test('--no-tls serves plain HTTP that kubectl can use', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'kubemu-notls-'));
  const child = await startKubemuProcess(['--port', '0', '--data-dir', dir, '--storage', 'memory', '--no-tls']);
  t.match(child.url, /^http:\/\//);
  t.ok(child.token, 'the kubeconfig carries the admin token for clients that send it over HTTP');
  const res = await fetch(`${child.url}/api/v1/namespaces/default`, { headers: { authorization: `Bearer ${child.token}` } });
  t.equal(res.status, 200);
  t.equal((await fetch(`${child.url}/api/v1/namespaces`, { headers: { authorization: 'Bearer wrong' } })).status, 401);
  if (hasKubectl) {
    const { stdout } = await exec('kubectl', ['--kubeconfig', child.kubeconfigPath, 'get', 'ns', 'default', '-o', 'name']);
    t.equal(stdout.trim(), 'namespace/default', 'kubectl (which sends no token over HTTP) is served');
  }
  child.proc.kill('SIGTERM');
  await child.exited;
});

t.test('bad flags are explained and exit 2', async (t) => {
  for (const [args, message] of [
    [['serve', '--port', 'abc'], 'invalid --port "abc": must be a number from 0 to 65535'],
    [['serve', '--storage', 'disk'], 'invalid --storage "disk": must be one of level, memory'],
    [['serve', '--bogus'], "Unknown option '--bogus'"],
    [['launch'], 'unknown command "launch"'],
  ] as const) {
    const { output } = runKubemu([...args]);
    const { code, stderr } = await output;
    t.equal(code, 2, `${args.join(' ')} exits 2`);
    t.match(stderr, message, `${args.join(' ')}: ${message}`);
    t.match(stderr, /Usage: kubemu serve/);
  }
});

t.test('a busy port is reported clearly', async (t) => {
  const blocker = createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
  const port = (blocker.address() as { port: number }).port;
  const dir = await mkdtemp(join(tmpdir(), 'kubemu-busy-'));
  const { output } = runKubemu(['serve', '--port', String(port), '--data-dir', dir]);
  const { code, stderr } = await output;
  blocker.close();
  t.equal(code, 1);
  t.match(stderr, `kubemu: port ${port} on 127.0.0.1 is already in use`);
});

t.test('an unusable data dir is reported clearly', async (t) => {
  const base = await mkdtemp(join(tmpdir(), 'kubemu-bad-'));
  const file = join(base, 'not-a-dir');
  await writeFile(file, 'x');
  const asFile = await runKubemu(['serve', '--port', '0', '--data-dir', file]).output;
  t.equal(asFile.code, 1);
  t.match(asFile.stderr, /^kubemu: cannot .*not-a-dir/m);

  const corrupt = join(base, 'corrupt');
  await mkdir(join(corrupt, 'db'), { recursive: true });
  await writeFile(join(corrupt, 'db', 'CURRENT'), 'garbage\n');
  const bad = await runKubemu(['serve', '--port', '0', '--data-dir', corrupt]).output;
  t.equal(bad.code, 1);
  t.match(bad.stderr, /^kubemu: .*corrupt/m);
});

t.test('--nodes and --no-controllers', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'kubemu-nodes-'));
  const child = await startKubemuProcess(['--port', '0', '--data-dir', dir, '--storage', 'memory', '--no-tls', '--nodes', '3']);
  const deadline = Date.now() + 20000;
  let names: string[] = [];
  while (Date.now() < deadline) {
    const list = (await (await fetch(`${child.url}/api/v1/nodes`)).json()) as { items: Array<{ metadata: { name: string } }> };
    names = list.items.map((n) => n.metadata.name).sort();
    if (names.length === 3) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  t.same(names, ['kubemu-node-0', 'kubemu-node-1', 'kubemu-node-2'], 'three simulated nodes');
  child.proc.kill('SIGTERM');
  await child.exited;

  const quiet = await startKubemuProcess(['--port', '0', '--data-dir', dir, '--storage', 'memory', '--no-tls', '--no-controllers']);
  await new Promise((r) => setTimeout(r, 500));
  const nodes = (await (await fetch(`${quiet.url}/api/v1/nodes`)).json()) as { items: unknown[] };
  t.equal(nodes.items.length, 0, 'no controllers, no nodes');
  quiet.proc.kill('SIGTERM');
  await quiet.exited;
  const { output } = runKubemu(['serve', '--nodes', 'many']);
  t.match((await output).stderr, 'invalid --nodes "many": must be a number from 0 to 1000');
});
