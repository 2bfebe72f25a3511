/**
 * A toy controller through the Manager — it copies a ConfigMap's `copy-me` label into its
 * `copied` annotation — proving the loop is level-based: it converges in-process and over
 * HTTPS, after a restart with changes made while it was down, and after missing watch events
 * (dropped, then recovered by a re-list). Also: one key is never reconciled by two workers at
 * once, errors back off, requeueAfter, sync timeouts, and the server's wiring. Bounded waits.
 */
import t, { type Test } from 'tap';
import type { StoredObject } from '../../../src/api/types.js';
import { withDefaults } from '../../../src/cli/config.js';
import { HttpClient } from '../../../src/client/http.js';
import { LocalClient } from '../../../src/client/local.js';
import { RESOURCES, type Client } from '../../../src/client/types.js';
import { Manager, type ControllerDefinition } from '../../../src/controllers/runtime/manager.js';
import { splitKey } from '../../../src/controllers/runtime/store.js';
import { startKubemu } from '../../../src/index.js';
import { buildServer } from '../../../src/server.js';
import { eventually, sleep, within } from '../../helpers/wait.js';
import { ProxyClient } from './proxy-client.js';

const WINDOW = 20;
const CM = RESOURCES.configmaps;
const FAST = { backoff: { initialMs: 10, maxMs: 50 } };

const server = await buildServer(withDefaults({ storage: 'memory', tls: false, port: 0, eventWindow: WINDOW }));
t.teardown(() => server.close());
const local = new LocalClient(server.registry);

let namespaces = 0;
async function namespace(client: Client): Promise<string> {
  const name = `ctl-${++namespaces}`;
  await client.create(RESOURCES.namespaces, { metadata: { name } });
  return name;
}

/** The toy controller; `reconciles` counts its passes. */
function labelCopier(ns: string, stats = { reconciles: 0 }): ControllerDefinition {
  return {
    name: 'label-copier',
    workers: 2,
    setup: (ctx) => {
      const configMaps = ctx.informers.informer(CM, { namespace: ns });
      return {
        sources: [{ informer: configMaps }],
        reconciler: {
          async reconcile(key) {
            stats.reconciles++;
            const cm = configMaps.get(key);
            if (!cm) return;
            const want = cm.metadata.labels?.['copy-me'];
            if (want === cm.metadata.annotations?.copied) return;
            const { namespace, name } = splitKey(key);
            await ctx.client.patch(CM, name, { type: 'merge', patch: { metadata: { annotations: { copied: want ?? null } } } }, { namespace });
            ctx.recorder.event(cm, 'Normal', 'Copied', `copied ${JSON.stringify(want ?? null)}`);
          },
        },
      };
    },
  };
}

/** Waits until every ConfigMap of `ns` has `copied` equal to its `copy-me` label. */
async function converged(t: Test, client: Client, ns: string, what: string): Promise<void> {
  let items: StoredObject[] = [];
  const done = (o: StoredObject) => o.metadata.labels?.['copy-me'] === o.metadata.annotations?.copied;
  await eventually(async () => {
    items = (await client.list(CM, { namespace: ns })).items;
    return items.every(done);
  }, `${what}: ${JSON.stringify(items.map((o) => [o.metadata.name, o.metadata.labels?.['copy-me'], o.metadata.annotations?.copied]))}`);
  t.ok(items.every(done), `${what}: every annotation equals its label`);
}

const cm = (name: string, label?: string) => ({ metadata: { name, ...(label === undefined ? {} : { labels: { 'copy-me': label } }) } });
const relabel = (client: Client, ns: string, name: string, label: string | null) =>
  client.patch(CM, name, { type: 'merge', patch: { metadata: { labels: { 'copy-me': label } } } }, { namespace: ns });

async function toyConverges(t: Test, client: Client): Promise<void> {
  const ns = await namespace(client);
  await client.create(CM, cm('a', 'one'), { namespace: ns });
  const manager = new Manager({ client, informers: FAST });
  manager.add(labelCopier(ns));
  await within(manager.start(), 5000, 'manager.start()');
  t.teardown(() => manager.stop());
  await converged(t, client, ns, 'existing object');
  await client.create(CM, cm('b', 'two'), { namespace: ns });
  await relabel(client, ns, 'a', 'uno');
  await converged(t, client, ns, 'after changes');
  const a = await client.get(CM, 'a', { namespace: ns });
  const managers = (a.metadata.managedFields as { manager: string }[]).map((m) => m.manager);
  t.ok(managers.includes('label-copier'), 'writes carry the controller name as field manager');
  let events: StoredObject[] = [];
  await eventually(async () => {
    events = (await client.list(RESOURCES.events, { namespace: ns, fieldSelector: `involvedObject.name=a,involvedObject.uid=${a.metadata.uid}` })).items;
    return events.length === 2;
  }, 'two Copied events about a');
  t.match(events[0], { type: 'Normal', reason: 'Copied', source: { component: 'label-copier' }, involvedObject: { kind: 'ConfigMap', name: 'a' }, count: 1 });
  await within(manager.stop(), 3000, 'manager.stop()');
}

t.test('Manager: the toy controller converges (in-process client)', (t) => toyConverges(t, local));

t.test('Manager: the toy controller converges (HTTPS client against startKubemu)', async (t) => {
  const kubemu = await startKubemu();
  t.teardown(() => kubemu.close());
  const client = HttpClient.fromKubeconfig(kubemu.kubeconfig);
  t.teardown(() => client.close());
  await toyConverges(t, client);
});

t.test('Manager: converges after a restart with changes made while stopped', async (t) => {
  const ns = await namespace(local);
  await local.create(CM, cm('a', '1'), { namespace: ns });
  await local.create(CM, cm('b', '1'), { namespace: ns });
  const first = new Manager({ client: local, informers: FAST });
  first.add(labelCopier(ns));
  await first.start();
  await converged(t, local, ns, 'first run');
  await within(first.stop(), 3000, 'first.stop()');

  await relabel(local, ns, 'a', '2');
  await relabel(local, ns, 'b', null);
  await local.create(CM, cm('c', '3'), { namespace: ns });
  await sleep(50);
  const stale = (await local.list(CM, { namespace: ns })).items.filter((o) => o.metadata.labels?.['copy-me'] !== o.metadata.annotations?.copied);
  t.equal(stale.length, 3, 'nothing reconciles while stopped');

  const second = new Manager({ client: local, informers: FAST });
  second.add(labelCopier(ns));
  await second.start();
  t.teardown(() => second.stop());
  await converged(t, local, ns, 'after the restart');
});

t.test('Manager: converges after missing watch events (re-list after 410)', async (t) => {
  const ns = await namespace(local);
  await local.create(CM, cm('a', '1'), { namespace: ns });
  await local.create(CM, cm('churn'), { namespace: ns });
  const proxy = new ProxyClient(local);
  const knobs = proxy.interference;
  const stats = { reconciles: 0 };
  const manager = new Manager({ client: proxy, informers: FAST });
  manager.add(labelCopier(ns, stats));
  await manager.start();
  t.teardown(() => manager.stop());
  await converged(t, local, ns, 'before');

  // Every change of 'a' is lost on the way to the controller...
  knobs.drop = (e) => e.type !== 'BOOKMARK' && e.object.metadata.name === 'a';
  for (const label of ['2', '3', '4']) await relabel(local, ns, 'a', label);
  await sleep(100);
  t.not((await local.get(CM, 'a', { namespace: ns })).metadata.annotations?.copied, '4', 'the controller missed the changes');

  // ...until its informer's watch resumes from a resourceVersion the window no longer holds.
  knobs.drop = () => false;
  knobs.hold();
  knobs.endWatches();
  for (let i = 0; i < WINDOW * 2; i++) await local.patch(CM, 'churn', { type: 'merge', patch: { data: { i: String(i) } } }, { namespace: ns });
  knobs.release();
  await converged(t, local, ns, 'after the re-list');
  t.equal((await local.get(CM, 'a', { namespace: ns })).metadata.annotations?.copied, '4', 'the last state, not the missed events');
  t.ok(knobs.lists >= 2, 're-listed');
});

t.test('Controller: one key per worker, errors back off, requeueAfter', async (t) => {
  const inFlight = new Set<string>();
  let overlap = 0;
  let parallel = 0;
  let maxParallel = 0;
  const calls = new Map<string, number>();
  const times: number[] = [];
  const manager = new Manager({ client: local });
  manager.add({
    name: 'toy-queue',
    workers: 4,
    backoff: { baseMs: 20, maxMs: 100 },
    setup: () => ({
      sources: [],
      reconciler: {
        async reconcile(key) {
          const n = (calls.get(key) ?? 0) + 1;
          calls.set(key, n);
          if (inFlight.has(key)) overlap++;
          inFlight.add(key);
          maxParallel = Math.max(maxParallel, ++parallel);
          try {
            await sleep(15);
            if (key === 'bad' && n <= 3) {
              times.push(Date.now());
              throw new Error(`failure ${n}`);
            }
            if (key === 'again' && n <= 2) return { requeueAfter: 30 };
            return undefined;
          } finally {
            inFlight.delete(key);
            parallel--;
          }
        },
      },
    }),
  });
  await manager.start();
  t.teardown(() => manager.stop());
  const controller = manager.controller('toy-queue')!;
  for (let round = 0; round < 5; round++) {
    for (const key of ['k1', 'k2', 'k3', 'k4']) controller.enqueue(key);
    await sleep(5);
  }
  controller.enqueue('bad');
  controller.enqueue('again');
  await eventually(() => calls.get('bad') === 4 && calls.get('again') === 3 && parallel === 0, 'bad to succeed on its 4th try and again to run 3 times', 5000);
  t.equal(overlap, 0, 'no key was reconciled by two workers at once');
  t.ok(maxParallel > 1, `different keys ran in parallel (max ${maxParallel})`);
  for (const key of ['k1', 'k2', 'k3', 'k4']) t.ok((calls.get(key) ?? 0) < 5, `${key}: adds while queued or busy were coalesced (${calls.get(key)} passes)`);
  const gaps = times.slice(1).map((at, i) => at - times[i]!);
  t.ok(gaps[0]! >= 20 + 15 - 5 && gaps[1]! >= 40 + 15 - 5, `retries wait longer each time (gaps ${gaps.join(', ')} ms)`);
  t.equal(controller.queue.numRequeues('bad'), 0, 'a success forgets the backoff');
  await sleep(100);
  t.equal(calls.get('again'), 3, 'no requeue once it stops asking');
});

t.test('Manager.start: rejects when an informer cannot sync, and stops what it started', async (t) => {
  const proxy = new ProxyClient(local);
  proxy.interference.failLists = Number.POSITIVE_INFINITY;
  const manager = new Manager({ client: proxy, syncTimeoutMs: 150, informers: FAST });
  manager.add(labelCopier('default'));
  await t.rejects(within(manager.start(), 3000, 'manager.start()'), /informers did not sync within 150 ms: configmaps/);
  const lists = proxy.interference.lists;
  await sleep(100);
  t.equal(proxy.interference.lists, lists, 'the informer stopped retrying');
  t.throws(() => manager.add(labelCopier('x')), TypeError, 'no adds after start');
});

t.test('buildServer: a controller manager is started after bootstrap and stopped on close', async (t) => {
  const built = await buildServer(withDefaults({ storage: 'memory', tls: false, port: 0 }));
  t.type(built.controllers, Manager);
  t.throws(() => built.controllers.add(labelCopier('default')), TypeError, 'already started');
  await within(built.close(), 3000, 'close()');
  const off = await buildServer(withDefaults({ storage: 'memory', tls: false, port: 0, controllers: false }));
  t.doesNotThrow(() => off.controllers.add({ name: 'later', setup: () => ({ reconciler: { reconcile: async () => {} }, sources: [] }) }), 'not started');
  await within(off.close(), 3000, 'close() without controllers');
});
