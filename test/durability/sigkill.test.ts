import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { startKubemuProcess } from '../helpers/spawn.js';

/**
 * SIGKILL during concurrent writes: every write that was acknowledged (201) must be there after a
 * restart on the same data dir, no object is half-written, and revisions keep increasing.
 */
t.test('acknowledged writes survive SIGKILL and revisions keep increasing', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'kubemu-kill-'));
  const args = ['--port', '0', '--data-dir', dir, '--no-tls'];
  const first = await startKubemuProcess(args);
  const headers = { authorization: `Bearer ${first.token}`, 'content-type': 'application/json' };
  const url = `${first.url}/api/v1/namespaces/default/configmaps`;

  const acked = new Map<string, number>();
  let stop = false;
  let sent = 0;
  const writer = async (w: number) => {
    for (let i = 0; !stop; i++) {
      const name = `w${w}-${i}`;
      sent++;
      try {
        const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ metadata: { name }, data: { payload: 'x'.repeat(512) } }) });
        if (res.status === 201) acked.set(name, Number((await res.json()).metadata.resourceVersion));
      } catch {
        return; // the server died under us: this write was not acknowledged
      }
    }
  };
  const writers = Array.from({ length: 32 }, (_, w) => writer(w));
  while (acked.size < 300) await new Promise((r) => setTimeout(r, 10));
  first.proc.kill('SIGKILL');
  stop = true;
  await Promise.all(writers);
  await first.exited;
  t.ok(acked.size >= 300, `${acked.size} writes acknowledged of ${sent} sent before SIGKILL`);

  const second = await startKubemuProcess(args);
  const h2 = { authorization: `Bearer ${second.token}`, 'content-type': 'application/json' };
  const listRes = await fetch(`${second.url}/api/v1/namespaces/default/configmaps`, { headers: h2 });
  t.equal(listRes.status, 200, 'every stored object still decodes');
  const list = (await listRes.json()) as { items: Array<{ metadata: { name: string; resourceVersion: string }; data: { payload: string } }> };
  const stored = new Map(list.items.map((i) => [i.metadata.name, i]));
  let missing = 0;
  for (const [name, rv] of acked) {
    const obj = stored.get(name);
    if (!obj || Number(obj.metadata.resourceVersion) !== rv) missing++;
  }
  t.equal(missing, 0, 'every acknowledged write is present with its revision');
  t.ok(list.items.every((i) => i.data.payload.length === 512), 'no half-written object');

  const maxAcked = Math.max(...acked.values());
  const next = await fetch(`${second.url}/api/v1/namespaces/default/configmaps`, {
    method: 'POST',
    headers: h2,
    body: JSON.stringify({ metadata: { name: 'after-restart' } }),
  });
  t.equal(next.status, 201);
  t.ok(Number((await next.json()).metadata.resourceVersion) > maxAcked, 'the revision sequence continues');
  second.proc.kill('SIGTERM');
  await second.exited;
});
