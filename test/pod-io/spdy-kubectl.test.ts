/**
 * Pod I/O over SPDY/3.1 with real kubectl: exec and attach of kubectl 1.27 and 1.29 (SPDY only),
 * `exec -it` of 1.27 in a pseudo-terminal (script(1)): the terminal and resize streams;
 * and port-forward of 1.27 and 1.30 (SPDY upgrade on POST) and 1.31 and 1.33 (SPDY tunnelled in
 * a websocket on GET), each with a TCP round trip through the forwarded local port; an
 * undeclared port reports the kubelet's error on the error stream.
 */
import t from 'tap';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import { eventually, within } from '../helpers/wait.js';
import { kubectl, kubectlBinary, runServer, tempFile, type Running } from './helpers.js';

let kube: Running;
const POD = `apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
  - name: app
    image: nginx
    env: [{name: GREETING, value: hi there}]
    ports: [{containerPort: 80}]
`;

t.before(async () => {
  kube = await runServer({ nodes: 1 });
  const applied = await kubectl(kubectlBinary('1.33') ?? 'kubectl', kube.kubeconfigPath, ['apply', '-f', await tempFile('pod.yaml', POD)]);
  if (applied.code !== 0) throw new Error(applied.stderr);
  const pods = kube.server.registry.store('', 'v1', 'pods')!;
  await eventually(() => (pods.get('default', 'web').status as { phase?: string } | undefined)?.phase === 'Running', 'web Running', 15_000);
});
t.teardown(() => kube.close());

/** A long-running kubectl whose output is collected. */
function start(bin: string, args: string[]): { child: ChildProcessWithoutNullStreams; out: () => string; err: () => string } {
  const child = spawn(bin, ['--kubeconfig', kube.kubeconfigPath, ...args]);
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  return { child, out: () => out, err: () => err };
}

/** Sends `text` (if any) to 127.0.0.1:`port`; resolves with what came back once `expect` bytes arrived or the far side closed. */
function roundTrip(port: number, text: string, expect = text.length): Promise<string> {
  return within(
    new Promise<string>((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1');
      let got = '';
      socket.on('data', (d) => {
        got += d;
        if (got.length >= expect) socket.end();
      });
      socket.on('close', () => resolve(got));
      socket.on('error', reject);
      if (text) socket.write(text);
    }),
    10_000,
    `a round trip through port ${port}`,
  );
}

for (const version of ['1.27', '1.29']) {
  const bin = kubectlBinary(version);
  t.test(`kubectl ${version} exec and attach over SPDY`, { skip: bin ? false : `kubectl.${version} not installed` }, async (t) => {
    const run = (args: string[], stdin?: string) => kubectl(bin!, kube.kubeconfigPath, args, stdin);
    const echo = await run(['exec', 'web', '--', 'echo', 'hi']);
    t.equal(echo.stdout, 'hi\n', 'stdout stream');
    t.equal(echo.code, 0, 'a Success status');
    const exit3 = await run(['exec', 'web', '--', 'sh', '-c', 'exit 3']);
    t.equal(exit3.code, 3, 'the exit code of the v4 error stream Status');
    t.match(exit3.stderr, 'command terminated with exit code 3');
    t.equal((await run(['exec', 'web', '--', 'printenv', 'GREETING'])).stdout, 'hi there\n');
    t.equal((await run(['exec', '-i', 'web', '--', 'cat'], 'piped\ninput\n')).stdout, 'piped\ninput\n', 'stdin reaches the command and its end closes it');
    const missing = await run(['exec', 'web', '--', 'nosuchcmd']);
    t.not(missing.code, 0);
    t.match(missing.stderr, 'executable file not found in $PATH', 'an error Status on the error stream');

    // attach: the simulated container echoes what reaches its stdin.
    const attach = start(bin!, ['attach', '-i', 'web', '-c', 'app']);
    try {
      await eventually(() => !attach.child.stdin.destroyed, 'kubectl attach started');
      attach.child.stdin.write('typed line\n');
      await eventually(() => attach.out().includes('typed line'), `attach echoes stdin (stdout ${JSON.stringify(attach.out())}, stderr ${JSON.stringify(attach.err())})`, 10_000);
      t.pass('attach: stdin in, stdout out');
    } finally {
      attach.child.kill();
    }
  });
}

const script = existsSync('/usr/bin/script') ? '/usr/bin/script' : undefined;
t.test('kubectl 1.27 exec -it over SPDY in a terminal', { skip: !kubectlBinary('1.27') ? 'kubectl.1.27 not installed' : !script ? 'script(1) not installed' : false }, async (t) => {
  // script gives kubectl a terminal on stdin, so it asks for tty=true and opens a resize stream.
  const child = spawn(script!, ['-qec', `${kubectlBinary('1.27')} --kubeconfig ${kube.kubeconfigPath} exec -it web -- sh; echo EXIT=$?`, '/dev/null']);
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  const exited = new Promise((resolve) => child.on('exit', resolve));
  try {
    await eventually(() => out.includes('# '), 'the shell prompt', 15_000);
    child.stdin.write('echo via tty\r');
    await eventually(() => out.includes('via tty\r\n#'), 'the echoed line', 10_000);
    child.stdin.write('exit 4\r');
    await within(exited, 10_000, 'kubectl exec -it');
    t.match(out, 'echo via tty\r\nvia tty\r\n', 'typed input echoed by the terminal, output with CR LF');
    t.match(out, 'EXIT=4', "the shell's exit code is kubectl's");
  } finally {
    child.kill();
  }
});

for (const version of ['1.27', '1.30', '1.31', '1.33']) {
  const bin = kubectlBinary(version);
  t.test(`kubectl ${version} port-forward`, { skip: bin ? false : `kubectl.${version} not installed` }, async (t) => {
    // -v=6 logs the upgrade request: POST (SPDY) up to 1.30, GET (websocket tunnel) from 1.31.
    const pf = start(bin!, ['port-forward', 'pod/web', ':80', ':81', '-v=6']);
    try {
      const ports = () => [...pf.out().matchAll(/Forwarding from 127\.0\.0\.1:(\d+) -> (\d+)/g)].map((m) => ({ local: Number(m[1]), remote: Number(m[2]) }));
      await eventually(() => ports().length === 2, `kubectl port-forward listening (${pf.err().slice(-500)})`, 15_000);
      const declared = ports().find((p) => p.remote === 80)!.local;
      const undeclared = ports().find((p) => p.remote === 81)!.local;
      t.equal(await roundTrip(declared, 'hello through SPDY'), 'hello through SPDY', 'bytes to a declared containerPort come back');
      t.equal(await roundTrip(declared, 'second connection'), 'second connection', 'a new connection gets a new stream pair');
      const together = await Promise.all(['one', 'two', 'three'].map((word) => roundTrip(declared, `${word} at once`)));
      t.same(together, ['one at once', 'two at once', 'three at once'], 'concurrent connections keep their own pairs');
      const method = Number(version.split('.')[1]) >= 31 ? 'GET' : 'POST';
      t.match(pf.err(), new RegExp(`${method}\\W+(url=\\W+)?https://[^ ]+/pods/web/portforward\\W+(status=\\W+)?101 Switching Protocols`), `the upgrade is a ${method}`);
      t.notMatch(pf.err(), 'fallback to secondary dialer', 'no fallback');
      t.equal(await roundTrip(undeclared, ''), '', 'a connection to an undeclared port is closed without a byte being sent');
      await eventually(() => pf.err().includes('error forwarding port 81 to pod web'), 'the error stream message', 10_000);
      t.match(pf.err(), /failed to connect to localhost:81 inside the pod: connection refused/, 'the kubelet wording for an undeclared port');
    } finally {
      pf.child.kill();
    }
  });
}
