/**
 * Pod I/O through @kubernetes/client-node 1.4 (Exec, Attach, Log, PortForward), as programs use
 * it: the status callback carries upstream's Success / NonZeroExitCode Status, attach sees the
 * lines a running container prints after it attached, and PortForward's v4.channel.k8s.io
 * stream echoes on a declared port.
 */
import t from 'tap';
import { PassThrough, Readable, Writable } from 'node:stream';
import * as k8s from '@kubernetes/client-node';
import { eventually } from '../helpers/wait.js';
import { runServer, type Running } from './helpers.js';

let kube: Running;
let kc: k8s.KubeConfig;
t.before(async () => {
  kube = await runServer({ nodes: 1 });
  kc = new k8s.KubeConfig();
  kc.loadFromFile(kube.kubeconfigPath);
  const pods = kube.server.registry.store('', 'v1', 'pods')!;
  await pods.create('default', {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'app', annotations: { 'kubemu.dev/log': 'a\nb\nc\nd\ne\nf', 'kubemu.dev/log-interval-ms': '700' } },
    spec: { containers: [{ name: 'main', image: 'busybox', ports: [{ containerPort: 80 }] }] },
  });
  await eventually(() => (pods.get('default', 'app').status as { phase?: string } | undefined)?.phase === 'Running', 'app Running', 15_000);
});
t.teardown(() => kube.close());

function collector(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk, _enc, done) {
      text += chunk.toString();
      done();
    },
  });
  return { stream, text: () => text };
}

function execute(command: string[], stdin: Readable | null = null): Promise<{ out: string; err: string; status: k8s.V1Status }> {
  const out = collector();
  const err = collector();
  return new Promise((resolve, reject) => {
    new k8s.Exec(kc)
      .exec('default', 'app', 'main', command, out.stream, err.stream, stdin, false, (status) => resolve({ out: out.text(), err: err.text(), status }))
      .catch(reject);
  });
}

t.test('Exec: output, Success, and NonZeroExitCode with the exit code as a cause', async (t) => {
  const ok = await execute(['echo', 'from', 'client-node']);
  t.equal(ok.out, 'from client-node\n');
  t.equal(ok.status.status, 'Success');
  const failed = await execute(['sh', '-c', 'exit 42']);
  t.equal(failed.status.status, 'Failure');
  t.equal(failed.status.reason, 'NonZeroExitCode');
  t.same(failed.status.details?.causes, [{ reason: 'ExitCode', message: '42' }]);
  t.match(failed.status.message, 'command terminated with non-zero exit code');
  const cat = await execute(['cat'], Readable.from(['to stdin\n']));
  t.equal(cat.out, 'to stdin\n', 'stdin, closed by client-node, ends cat');
  const stderr = await execute(['cat', '/nope']);
  t.equal(stderr.err, 'cat: /nope: No such file or directory\n', 'stderr on its own channel');
});

t.test('Exec with a terminal: echo, prompt, CR LF, Ctrl-D ends the shell, Ctrl-C gives 130', async (t) => {
  /** Runs `sh` with a terminal, typing inputs[i] once the i-th prompt is shown. */
  const run = (inputs: string[]) =>
    new Promise<{ out: string; status: k8s.V1Status }>((resolve, reject) => {
      let out = '';
      let typed = 0;
      const stdin = new PassThrough();
      const stdout = new Writable({
        write(chunk, _enc, done) {
          out += chunk.toString();
          const prompts = out.split('# ').length - 1;
          while (typed < inputs.length && typed < prompts) stdin.write(inputs[typed++]);
          done();
        },
      });
      new k8s.Exec(kc).exec('default', 'app', 'main', ['sh'], stdout, null, stdin, true, (status) => resolve({ out, status })).catch(reject);
    });
  const shell = await run(['echo hi\r', 'exit 5\r']);
  t.equal(shell.out, '# echo hi\r\nhi\r\n# exit 5\r\n', 'typed text echoed, output in CR LF, a prompt per command');
  t.same(shell.status.details?.causes, [{ reason: 'ExitCode', message: '5' }]);
  t.equal((await run(['hostname\r', '\x04'])).status.status, 'Success', 'Ctrl-D on an empty line ends input');
  t.same((await run(['sleep 100\r\x03'])).status.details?.causes, [{ reason: 'ExitCode', message: '130' }], 'Ctrl-C interrupts');
});

t.test('Attach: the lines printed after attaching', async (t) => {
  const out = new PassThrough();
  let text = '';
  out.on('data', (d) => (text += d));
  const ws = await new k8s.Attach(kc).attach('default', 'app', 'main', out, null, null, false);
  await eventually(() => text.split('\n').filter(Boolean).length >= 1, 'a line after attaching', 10_000);
  ws.close();
  const lines = text.split('\n').filter(Boolean);
  t.ok(lines.every((l) => 'abcdef'.includes(l)), `attach shows container output (${lines.join(',')})`);
});

t.test('Log: follow with tailLines', async (t) => {
  const out = collector();
  const abort = await new k8s.Log(kc).log('default', 'app', 'main', out.stream, { tailLines: 1, timestamps: true });
  await eventually(() => out.text().length > 0, 'log text', 10_000);
  abort.abort();
  t.match(out.text(), /^\S+Z [a-f]\n$/, 'one stamped line');
});

t.test('PortForward: bytes to a declared port come back', async (t) => {
  const output = collector();
  const input = new PassThrough();
  const ws = (await new k8s.PortForward(kc).portForward('default', 'app', [80], output.stream, null, input)) as import('ws').WebSocket;
  input.write('echo me');
  await eventually(() => output.text().includes('echo me'), 'echo', 10_000);
  ws.close();
  t.match(output.text(), 'echo me', 'echoed through channel 0');
});
