/**
 * etcd going away under a running `kubemu serve`: reads without resourceVersion (consistent
 * reads), lists and writes answer 503 ServiceUnavailable Status with Retry-After at once (no
 * hang), /readyz reports the etcd check failed; when etcd returns, the same requests succeed
 * again and the write made before the outage is still there. The same with a hung etcd
 * (SIGSTOP: connections open, no answers). Skipped without `etcd`.
 * Owns: the etcd outage end to end over HTTP. Must not: test storage internals.
 */
import { join } from 'node:path';
import { etcdTest, serveOnEtcd, tempDir } from '../helpers/serve-child.js';
import { eventually } from '../helpers/wait.js';

/** A hang guard only: every request must answer, whatever the answer. */
const ANSWER_WITHIN_MS = 20_000;

etcdTest('etcd down under a running kubemu: 503 with Retry-After, then recovery', async (t, etcd) => {
  const dir = await tempDir(t, 'kubemu-outage-');
  const kubemu = await serveOnEtcd(t, etcd, ['--no-tls', '--no-controllers', '--data-dir', dir, '--kubeconfig', join(dir, 'kubeconfig')]);
  const headers = { authorization: `Bearer ${kubemu.token}`, 'content-type': 'application/json' };
  const configMaps = `${kubemu.url}/api/v1/namespaces/default/configmaps`;
  const body = (name: string) => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { k: name } });
  const call = (method: string, url: string, payload?: string) =>
    fetch(url, { method, headers, ...(payload ? { body: payload } : {}), signal: AbortSignal.timeout(ANSWER_WITHIN_MS) });
  t.equal((await call('POST', configMaps, body('before'))).status, 201);

  await etcd.kill(0);
  const requests: [string, string, string?][] = [
    ['GET', `${configMaps}/before`],
    ['GET', configMaps],
    ['POST', configMaps, body('during')],
    ['PUT', `${configMaps}/before`, body('before')],
    ['DELETE', `${configMaps}/before`],
  ];
  for (const [method, url, payload] of requests) {
    const res = await call(method, url, payload);
    const status = (await res.json()) as { kind?: string; code?: number; reason?: string; message?: string };
    const name = `${method} ${url.slice(kubemu.url.length)}`;
    t.equal(res.status, 503, `${name}: 503`);
    t.equal(res.headers.get('retry-after'), '1', `${name}: Retry-After`);
    t.match(status, { kind: 'Status', code: 503, reason: 'ServiceUnavailable' }, `${name}: a Status`);
    t.match(status.message, /etcd http:\/\/127\.0\.0\.1:\d+ is unavailable/, `${name}: names etcd`);
  }
  const ready = await call('GET', `${kubemu.url}/readyz?verbose`);
  t.equal(ready.status, 500, '/readyz fails');
  t.match(await ready.text(), /\[-\]etcd failed/, '/readyz names the etcd check');
  const live = await call('GET', `${kubemu.url}/livez`);
  t.equal(live.status, 200, '/livez stays ok (the process is fine)');

  await etcd.restart(0);
  await eventually(async () => (await call('GET', `${configMaps}/before`).catch(() => undefined))?.status === 200, 'reads work again', 30_000);
  await eventually(async () => (await call('GET', `${kubemu.url}/readyz`).catch(() => undefined))?.status === 200, '/readyz ok again', 30_000);
  const after = await call('POST', configMaps, body('after'));
  t.equal(after.status, 201, 'writes work again');
  const list = (await (await call('GET', configMaps)).json()) as { items: { metadata: { name: string } }[] };
  t.same(list.items.map((i) => i.metadata.name).sort(), ['after', 'before'], 'the write before the outage survived; none during it');

  // A hung etcd (stopped, not dead: connections stay open, nothing answers) is no hang either.
  const member = etcd.members[0]!.proc!;
  member.kill('SIGSTOP');
  try {
    for (const [method, url, payload] of [['GET', `${configMaps}/before`], ['POST', configMaps, body('hung')]] as const) {
      const res = await call(method, url, payload);
      t.equal(res.status, 503, `${method} with etcd hung: 503`);
      t.equal(res.headers.get('retry-after'), '1', `${method} with etcd hung: Retry-After`);
    }
  } finally {
    member.kill('SIGCONT');
  }
  await eventually(async () => (await call('POST', configMaps, body('resumed')).catch(() => undefined))?.status === 201, 'writes after etcd resumed', 30_000);
});
