/**
 * Informer over the Client: initial list, handlers and indexes, a re-list after a forced 410
 * (its watch resumes from a resourceVersion kubemu's small event window no longer holds — run
 * in-process and over HTTPS), re-watch without re-list after a normal end, resync, late
 * handlers, list failures with backoff, and a clean stop. Every wait is bounded.
 */
import t, { type Test } from 'tap';
import type { StoredObject } from '../../../src/api/types.js';
import { withDefaults } from '../../../src/cli/config.js';
import { HttpClient } from '../../../src/client/http.js';
import { LocalClient } from '../../../src/client/local.js';
import { RESOURCES, type Client } from '../../../src/client/types.js';
import { Informer, type InformerOptions } from '../../../src/controllers/runtime/informer.js';
import { silentLogger } from '../../../src/controllers/runtime/log.js';
import { byLabel, byOwnerUid } from '../../../src/controllers/runtime/store.js';
import { startKubemu } from '../../../src/index.js';
import { buildServer } from '../../../src/server.js';
import { eventually, sleep, within } from '../../helpers/wait.js';
import { ProxyClient } from './proxy-client.js';

const WINDOW = 20;
const CM = RESOURCES.configmaps;
const FAST: InformerOptions = { backoff: { initialMs: 10, maxMs: 50 } };

const server = await buildServer(withDefaults({ storage: 'memory', tls: false, port: 0, eventWindow: WINDOW }));
t.teardown(() => server.close());
const local = new LocalClient(server.registry);

let namespaces = 0;
async function namespace(client: Client): Promise<string> {
  const name = `inf-${++namespaces}`;
  await client.create(RESOURCES.namespaces, { metadata: { name } });
  return name;
}

/** `name@rv` of each object, sorted. */
const versions = (objects: readonly StoredObject[]) => objects.map((o) => `${o.metadata.name}@${o.metadata.resourceVersion}`).sort();

/** Waits until the informer's store equals a fresh LIST of the namespace. */
async function inSync(t: Test, client: Client, informer: Informer, ns: string, what: string): Promise<void> {
  let expected: string[] = [];
  await eventually(async () => {
    expected = versions((await client.list(CM, { namespace: ns })).items);
    return JSON.stringify(versions(informer.list(ns))) === JSON.stringify(expected);
  }, `${what}: informer ${JSON.stringify(versions(informer.list(ns)))} to equal the server's ${JSON.stringify(expected)}`);
  t.same(versions(informer.list(ns)), expected, `${what}: store equals a fresh LIST`);
}

function record(informer: Informer): string[] {
  const seen: string[] = [];
  informer.addEventHandler({
    add: (o) => seen.push(`add ${o.metadata.name}`),
    update: (a, b) => seen.push(`update ${b.metadata.name}${a === b ? ' (resync)' : ''}`),
    delete: (o) => seen.push(`delete ${o.metadata.name}`),
  });
  return seen;
}

t.test('Informer: initial list, handlers, store and indexes', async (t) => {
  const ns = await namespace(local);
  const owner = await local.create(CM, { metadata: { name: 'owner', labels: { tier: 'a' } } }, { namespace: ns });
  const ownerRef = { apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: owner.metadata.uid, controller: true };
  await local.create(CM, { metadata: { name: 'child', labels: { tier: 'b' }, ownerReferences: [ownerRef] } }, { namespace: ns });
  const informer = new Informer(local, CM, { ...FAST, namespace: ns });
  t.teardown(() => informer.stop());
  informer.addIndexer('owner', byOwnerUid);
  informer.addIndexer('tier', byLabel('tier'));
  const seen = record(informer);
  t.notOk(informer.hasSynced());
  informer.start();
  t.ok(await informer.waitForSync(3000), 'synced');
  t.same(seen.sort(), ['add child', 'add owner']);
  t.equal(informer.get(`${ns}/owner`)?.metadata.uid, owner.metadata.uid);
  t.same(informer.byIndex('owner', owner.metadata.uid).map((o) => o.metadata.name), ['child']);
  t.same(informer.byIndex('tier', 'a').map((o) => o.metadata.name), ['owner']);
  t.throws(() => (informer.get(`${ns}/owner`)!.metadata as { name: string }).name = 'x', TypeError, 'stored objects are frozen');

  seen.length = 0;
  await local.patch(CM, 'child', { type: 'merge', patch: { metadata: { labels: { tier: 'a' }, ownerReferences: null } } }, { namespace: ns });
  await local.create(CM, { metadata: { name: 'new' } }, { namespace: ns });
  await local.delete(CM, 'owner', { namespace: ns });
  await eventually(() => seen.length === 3, 'three events');
  t.same(seen, ['update child', 'add new', 'delete owner']);
  t.same(informer.byIndex('owner', owner.metadata.uid), [], 'index follows updates');
  t.same(informer.byIndex('tier', 'a').map((o) => o.metadata.name), ['child']);
  await inSync(t, local, informer, ns, 'after events');
});

/** The forced-410 scenario over `client`. */
async function relistAfter410(t: Test, client: Client): Promise<void> {
  const ns = await namespace(client);
  await client.create(CM, { metadata: { name: 'keep' } }, { namespace: ns });
  await client.create(CM, { metadata: { name: 'doomed' } }, { namespace: ns });
  const proxy = new ProxyClient(client);
  const knobs = proxy.interference;
  const relists: Record<string, unknown>[] = [];
  const log = { ...silentLogger, info: (fields: Record<string, unknown>) => relists.push(fields) };
  const informer = new Informer(proxy, CM, { ...FAST, namespace: ns, log });
  t.teardown(() => informer.stop());
  const seen = record(informer);
  informer.start();
  t.ok(await informer.waitForSync(3000), 'synced');
  t.equal(knobs.lists, 1);
  const staleRv = informer.lastSyncResourceVersion;

  // Between two watches, more changes than the window holds: the next watch's rv is too old.
  knobs.hold();
  knobs.endWatches();
  await eventually(() => knobs.watches === 2, 'the informer to ask for its next watch');
  t.equal(knobs.watchedFrom[1], staleRv, 'resumes from the last resourceVersion');
  await client.delete(CM, 'doomed', { namespace: ns });
  await client.create(CM, { metadata: { name: 'born' } }, { namespace: ns });
  for (let i = 0; i < WINDOW * 2; i++) await client.patch(CM, 'keep', { type: 'merge', patch: { data: { i: String(i) } } }, { namespace: ns });
  seen.length = 0;
  knobs.release();

  await eventually(() => knobs.lists === 2, 'the re-list after 410');
  t.match(relists, [{ code: 410, delayMs: 0, err: /too old resource version/ }], 'the watch ended with 410 and the informer listed again at once');
  await inSync(t, client, informer, ns, 'after the 410 re-list');
  t.same(seen.sort(), ['add born', 'delete doomed', 'update keep'], 'the re-list reports what changed');
}

t.test('Informer: re-lists after a 410 (in-process client)', (t) => relistAfter410(t, local));

t.test('Informer: re-lists after a 410 (HTTPS client against startKubemu)', async (t) => {
  const kubemu = await startKubemu({ eventWindow: WINDOW });
  t.teardown(() => kubemu.close());
  const client = HttpClient.fromKubeconfig(kubemu.kubeconfig);
  t.teardown(() => client.close());
  await relistAfter410(t, client);
});

t.test('Informer: a watch that ends normally is resumed without a re-list', async (t) => {
  const ns = await namespace(local);
  const proxy = new ProxyClient(local);
  const informer = new Informer(proxy, CM, { ...FAST, namespace: ns, watchTimeoutSeconds: 1 });
  t.teardown(() => informer.stop());
  informer.start();
  t.ok(await informer.waitForSync(3000));
  await eventually(() => proxy.interference.watches >= 2, 'a second watch after the 1 s timeout', 4000);
  await local.create(CM, { metadata: { name: 'after-timeout' } }, { namespace: ns });
  await inSync(t, local, informer, ns, 'after a watch timeout');
  t.equal(proxy.interference.lists, 1, 'no re-list');
});

t.test('Informer: resync, late handlers, removed handlers', async (t) => {
  const ns = await namespace(local);
  await local.create(CM, { metadata: { name: 'r' } }, { namespace: ns });
  const informer = new Informer(local, CM, { ...FAST, namespace: ns });
  t.teardown(() => informer.stop());
  informer.start();
  t.ok(await informer.waitForSync(3000));
  const late: string[] = [];
  const remove = informer.addEventHandler({ add: (o) => late.push(`add ${o.metadata.name}`), update: (a, b) => late.push(a === b ? 'resync' : 'update') }, { resyncPeriodMs: 30 });
  t.same(late, ['add r'], 'a late handler first gets the current objects');
  await eventually(() => late.filter((e) => e === 'resync').length >= 2, 'two resyncs');
  remove();
  const count = late.length;
  await sleep(80);
  t.equal(late.length, count, 'a removed handler hears nothing more');
});

t.test('Informer: list failures back off and recover; stop is clean', async (t) => {
  const ns = await namespace(local);
  const proxy = new ProxyClient(local);
  proxy.interference.failLists = 3;
  const informer = new Informer(proxy, CM, { ...FAST, namespace: ns });
  const seen = record(informer);
  informer.start();
  t.ok(await informer.waitForSync(3000), 'synced after failures');
  t.equal(proxy.interference.lists, 4, 'three failed lists, then one that worked');
  await within(informer.stop(), 1000, 'informer.stop()');
  t.equal(await informer.waitForSync(10), true, 'still synced after stop');
  await local.create(CM, { metadata: { name: 'after-stop' } }, { namespace: ns });
  await sleep(50);
  t.same(seen, [], 'no events after stop');
  t.same(informer.list(ns), []);
});
