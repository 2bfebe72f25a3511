/**
 * The SPDY/3.1 upgrade at the wire, with a scripted client built from the codec: the 101 answer
 * and its X-Stream-Protocol-Version, the 403 when no stream protocol is shared, the 400s before
 * an upgrade; then an exec over raw frames (streams replied, stdout, the v4 Status on the error
 * stream, FIN on every stream, GOAWAY) and a ping answered mid-session, none after GOAWAY.
 */
import t from 'tap';
import https from 'node:https';
import { readFileSync } from 'node:fs';
import type { Duplex } from 'node:stream';
import { parse as parseYaml } from 'yaml';
import { encodePing, encodeSynStream, FrameReader, GOAWAY, PING, SYN_REPLY, type ControlFrame, type Frame } from '../../src/http/pod-io/spdy/frames.js';
import { HeaderCompressor, headerMap } from '../../src/http/pod-io/spdy/headers.js';
import { eventually } from '../helpers/wait.js';
import { kubectl, kubectlBinary, runServer, type Running } from './helpers.js';

let kube: Running;
let tls: { ca: Buffer; cert: Buffer; key: Buffer };
t.before(async () => {
  kube = await runServer({ nodes: 1 });
  const config = parseYaml(readFileSync(kube.kubeconfigPath, 'utf8')) as { users: { user: Record<string, string> }[]; clusters: { cluster: Record<string, string> }[] };
  const user = config.users[0]!.user;
  tls = {
    ca: Buffer.from(config.clusters[0]!.cluster['certificate-authority-data']!, 'base64'),
    cert: Buffer.from(user['client-certificate-data']!, 'base64'),
    key: Buffer.from(user['client-key-data']!, 'base64'),
  };
  await kubectl(kubectlBinary('1.33') ?? 'kubectl', kube.kubeconfigPath, ['run', 'web', '--image=nginx']);
  const pods = kube.server.registry.store('', 'v1', 'pods')!;
  await eventually(() => (pods.get('default', 'web').status as { phase?: string } | undefined)?.phase === 'Running', 'web Running', 15_000);
});
t.teardown(() => kube.close());

type Answer = { status: number; headers: Record<string, string | string[] | undefined>; body: string; socket?: Duplex };

/** POSTs to `path` with `headers`; resolves with the answer, or the upgraded socket on 101. */
function post(path: string, headers: Record<string, string>): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = https.request(`${kube.url}${path}`, { method: 'POST', headers, agent: false, ...tls });
    req.on('upgrade', (res, socket) => resolve({ status: res.statusCode!, headers: res.headers, body: '', socket }));
    req.on('response', (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const SPDY = { connection: 'Upgrade', upgrade: 'SPDY/3.1' };
const EXEC = '/api/v1/namespaces/default/pods/web/exec?command=echo&command=raw&stdout=true';

t.test('handshake answers', async (t) => {
  const none = await post(EXEC, { ...SPDY, 'x-stream-protocol-version': 'v9.channel.k8s.io' });
  t.equal(none.status, 403, 'no shared stream protocol');
  t.match(JSON.parse(none.body), { reason: 'Forbidden', message: 'unable to upgrade: unable to negotiate protocol: client supports [v9.channel.k8s.io], server supports [v4.channel.k8s.io]' });
  const plain = await post(EXEC, {});
  t.equal(plain.status, 400);
  t.match(JSON.parse(plain.body).message, 'Upgrade request required');
  const noCommand = await post('/api/v1/namespaces/default/pods/web/exec?stdout=true', { ...SPDY, 'x-stream-protocol-version': 'v4.channel.k8s.io' });
  t.equal(noCommand.status, 400, 'options are checked before the upgrade');
  t.match(JSON.parse(noCommand.body).message, 'you must specify at least one command for the container');
  const pf = await post('/api/v1/namespaces/default/pods/web/portforward', { ...SPDY, 'x-stream-protocol-version': 'portforward.k8s.io' });
  t.equal(pf.status, 101);
  t.equal(pf.headers['x-stream-protocol-version'], 'portforward.k8s.io');
  pf.socket!.destroy();
});

t.test('exec over raw SPDY frames', async (t) => {
  const up = await post(EXEC, { ...SPDY, 'x-stream-protocol-version': ['v4.channel.k8s.io', 'v3.channel.k8s.io'].join(',') });
  t.equal(up.status, 101);
  t.equal(up.headers['x-stream-protocol-version'], 'v4.channel.k8s.io', 'the first protocol both sides speak');
  t.equal(String(up.headers.upgrade).toLowerCase(), 'spdy/3.1');
  const socket = up.socket!;
  const reader = new FrameReader();
  const frames: Frame[] = [];
  let ended = false;
  socket.on('data', (d: Buffer) => frames.push(...reader.push(d)));
  socket.on('end', () => {
    ended = true;
    socket.end();
  });
  const compressor = new HeaderCompressor();
  t.teardown(() => compressor.close());
  // As client-go does: the error stream first (and its write side closed at once), then stdout.
  socket.write(encodePing(1));
  socket.write(encodeSynStream(1, await compressor.compress(headerMap({ streamtype: 'error' })), { fin: true }));
  socket.write(encodeSynStream(3, await compressor.compress(headerMap({ streamtype: 'stdout' })), { fin: true }));
  const control = (type: number) => frames.filter((f): f is ControlFrame => f.kind === 'control' && f.type === type);
  await eventually(() => control(GOAWAY).length > 0, 'GOAWAY', 10_000);
  // A ping after GOAWAY gets no answer (nothing is written after the server ended its side).
  if (!ended) socket.write(encodePing(3));
  await eventually(() => ended, 'the server ends the connection', 10_000);
  t.same(control(SYN_REPLY).map((f) => f.streamId).sort(), [1, 3], 'both streams accepted');
  t.same(control(PING).map((f) => f.pingId), [1], 'the ping answered');
  const data = (id: number) => frames.filter((f) => f.kind === 'data' && f.streamId === id) as { data: Buffer; flags: number }[];
  t.equal(Buffer.concat(data(3).map((f) => f.data)).toString(), 'raw\n', 'stdout');
  t.equal(data(3).at(-1)!.flags & 1, 1, 'stdout ends with FIN');
  t.match(JSON.parse(Buffer.concat(data(1).map((f) => f.data)).toString()), { kind: 'Status', status: 'Success' }, 'the v4 Status on the error stream');
  t.equal(data(1).at(-1)!.flags & 1, 1, 'the error stream ends with FIN');
  t.same(control(GOAWAY).map((f) => [f.streamId, f.status]), [[3, 0]], 'GOAWAY after the last stream');
  t.ok(frames.indexOf(control(GOAWAY)[0]!) === frames.length - 1, 'GOAWAY is the last frame');
});
