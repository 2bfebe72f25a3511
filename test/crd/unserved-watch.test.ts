/**
 * A CRD update that stops serving a version: kube-apiserver tears down the CRD's storage, so
 * open watches (of every version) are closed; watching again finds the unserved version gone
 * (404) and the served one working. Over real HTTP watches, and through the in-process client.
 */
import t from 'tap';
import { LocalClient } from '../../src/client/local.js';
import { startKubemu } from '../../src/index.js';
import { testServer } from '../helpers/server.js';
import { widgetCrd } from './fixtures.js';

const CRD = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
const BASE = '/apis/example.kubemu.dev';

type Event = { type: string; object: { kind?: string; code?: number; reason?: string; metadata?: { name?: string } } };

/** Reads a watch response to its end; returns its events. */
async function readWatch(body: ReadableStream<Uint8Array>, seen: Event[]): Promise<Event[]> {
  const decoder = new TextDecoder();
  let buffered = '';
  for await (const chunk of body) {
    buffered += decoder.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl).trim();
      buffered = buffered.slice(nl + 1);
      if (line) seen.push(JSON.parse(line) as Event);
    }
  }
  return seen;
}

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

t.test('watches end when their version stops being served; watching again is a 404', async (t) => {
  const kubemu = await startKubemu({ tls: false, controllers: false });
  t.teardown(() => kubemu.close());
  const call = (method: string, path: string, body?: unknown, type = 'application/json') =>
    fetch(kubemu.url + path, {
      method,
      headers: { authorization: `Bearer ${kubemu.token}`, 'content-type': type },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  t.equal((await call('POST', CRD, widgetCrd())).status, 201);
  for (let i = 0; i < 500; i++) {
    const res = await call('GET', `${BASE}/v1beta1/namespaces/default/widgets`);
    if (res.status === 200) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const created = await call('POST', `${BASE}/v1/namespaces/default/widgets`, { metadata: { name: 'w' }, spec: { color: 'red' } });
  t.equal(created.status, 201);

  const oldWatch = await call('GET', `${BASE}/v1beta1/namespaces/default/widgets?watch=true`);
  const keptWatch = await call('GET', `${BASE}/v1/namespaces/default/widgets?watch=true`);
  t.equal(oldWatch.status, 200);
  const oldEvents: Event[] = [];
  const keptEvents: Event[] = [];
  const oldDone = readWatch(oldWatch.body!, oldEvents);
  const keptDone = readWatch(keptWatch.body!, keptEvents);
  await until(() => oldEvents.length === 1 && keptEvents.length === 1, 'the initial ADDED events');

  const unserve = [{ op: 'replace', path: '/spec/versions/0/served', value: false }];
  const patched = await call('PATCH', `${CRD}/widgets.example.kubemu.dev`, unserve, 'application/json-patch+json');
  t.equal(patched.status, 200, await patched.clone().text());

  await oldDone;
  await keptDone;
  t.same(oldEvents.map((e) => e.type), ['ADDED', 'ERROR'], 'the v1beta1 watch was closed');
  t.match(oldEvents[1]!.object, { kind: 'Status', code: 410, reason: 'Expired' });
  t.same(keptEvents.map((e) => e.type), ['ADDED', 'ERROR'], 'every watch of the old storage was closed, v1 too');

  const again = await call('GET', `${BASE}/v1beta1/namespaces/default/widgets?watch=true`);
  t.equal(again.status, 404, 'watching the unserved version again: 404');
  t.match(await again.json(), { kind: 'Status', code: 404, reason: 'NotFound' });
  const v1 = await call('GET', `${BASE}/v1/namespaces/default/widgets?watch=true&timeoutSeconds=1`);
  t.equal(v1.status, 200, 'the served version watches again');
  const events = await readWatch(v1.body!, []);
  t.same(events.map((e) => `${e.type} ${e.object.metadata?.name}`), ['ADDED w']);
});

t.test('the in-process client: the watch fails with 410, then the version is not found', async (t) => {
  const s = await testServer();
  t.teardown(() => s.close());
  t.equal((await s.json('POST', CRD, widgetCrd())).statusCode, 201);
  await s.server.crds.idle();
  const client = new LocalClient(s.server.registry);
  const v1beta1 = { group: 'example.kubemu.dev', version: 'v1beta1', resource: 'widgets' };
  await client.create(v1beta1, { metadata: { name: 'w', namespace: 'default' }, spec: { color: 'red' } });
  const watch = client.watch(v1beta1, { namespace: 'default' });
  const seen: string[] = [];
  const done = (async () => {
    try {
      for await (const ev of watch) seen.push(ev.type);
      return 'ended';
    } catch (err) {
      return `failed ${(err as { code?: number }).code}`;
    }
  })();
  await until(() => seen.length === 1, 'ADDED');
  const res = await s.request({
    method: 'PATCH',
    url: `${CRD}/widgets.example.kubemu.dev`,
    headers: { 'content-type': 'application/json-patch+json' },
    payload: JSON.stringify([{ op: 'replace', path: '/spec/versions/0/served', value: false }]),
  });
  t.equal(res.statusCode, 200, res.body);
  await s.server.crds.idle();
  t.equal(await done, 'failed 410');
  t.same(seen, ['ADDED']);
  await t.rejects(client.list(v1beta1, { namespace: 'default' }), { code: 404 });
});
