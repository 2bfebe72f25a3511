/**
 * The ReplicaSet controller through buildServer (controllers on, in-process client): scale up
 * and down with upstream's deletion order, adoption and release, expectations under a burst of
 * reconciles, status counts, and its events. Pods are marked ready by the test. Bounded waits.
 */
import t from 'tap';
import type { StoredObject } from '../../src/api/types.js';
import { withDefaults } from '../../src/cli/config.js';
import { LocalClient } from '../../src/client/local.js';
import { RESOURCES } from '../../src/client/types.js';
import { buildServer } from '../../src/server.js';
import { eventually, sleep } from '../helpers/wait.js';
import type { ReplicaSet } from '../../src/controllers/replicaset/objects.js';
import { calculateStatus, statusChanged } from '../../src/controllers/replicaset/status.js';
import { livePods, markReady, template } from './workloads-helpers.js';

const server = await buildServer(withDefaults({ storage: 'memory', tls: false, port: 0, nodes: 0 }));
t.teardown(() => server.close());
const client = new LocalClient(server.registry, { fieldManager: 'test' });
const RS = RESOURCES.replicasets;
let spaces = 0;
async function namespace(): Promise<string> {
  const name = `rs-${++spaces}`;
  await client.create(RESOURCES.namespaces, { metadata: { name } });
  return name;
}

function replicaSet(name: string, replicas: number, labels: Record<string, string>): StoredObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name },
    spec: { replicas, selector: { matchLabels: labels }, template: template(labels) },
  } as unknown as StoredObject;
}

async function status(ns: string, name: string): Promise<Record<string, number>> {
  return ((await client.get(RS, name, { namespace: ns })).status ?? {}) as Record<string, number>;
}

t.test('ReplicaSet: creates owned pods from the template, counts ready/available, records events', async (t) => {
  const ns = await namespace();
  const rs = await client.create(RS, replicaSet('web', 3, { app: 'web' }), { namespace: ns });
  await eventually(async () => (await livePods(client, ns, 'app=web')).length === 3, '3 pods', 5000);
  const pods = await livePods(client, ns, 'app=web');
  for (const pod of pods) {
    t.match(pod.metadata.name, /^web-[a-z0-9]{5}$/, 'generateName web-');
    t.same(pod.metadata.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: rs.metadata.uid, controller: true, blockOwnerDeletion: true }]);
  }
  await eventually(async () => (await status(ns, 'web')).replicas === 3, 'status.replicas 3');
  let s = await status(ns, 'web');
  t.equal(s.readyReplicas ?? 0, 0, 'none ready yet');
  t.equal(s.fullyLabeledReplicas, 3);
  await markReady(client, ns, 'app=web');
  await eventually(async () => (await status(ns, 'web')).availableReplicas === 3, 'availableReplicas 3');
  s = await status(ns, 'web');
  t.equal(s.readyReplicas, 3);
  t.equal(s.observedGeneration, 1);
  await eventually(async () => {
    const { items } = await client.list(RESOURCES.events, { namespace: ns });
    return items.filter((e) => e.reason === 'SuccessfulCreate').length === 3;
  }, 'three SuccessfulCreate events');
  const { items } = await client.list(RESOURCES.events, { namespace: ns });
  t.ok(items.some((e) => e.message === `Created pod: ${pods[0]!.metadata.name}`), 'Created pod: <name>');
});

t.test('ReplicaSet: minReadySeconds delays availability', async (t) => {
  const ns = await namespace();
  const obj = replicaSet('slow', 2, { app: 'slow' });
  (obj.spec as Record<string, unknown>).minReadySeconds = 1;
  await client.create(RS, obj, { namespace: ns });
  await eventually(async () => (await livePods(client, ns, 'app=slow')).length === 2, '2 pods');
  await markReady(client, ns, 'app=slow');
  await eventually(async () => (await status(ns, 'slow')).readyReplicas === 2, 'ready 2');
  t.equal((await status(ns, 'slow')).availableReplicas ?? 0, 0, 'ready but not yet available');
  await eventually(async () => (await status(ns, 'slow')).availableReplicas === 2, 'available after minReadySeconds', 5000);
});

t.test('ReplicaSet: scale down deletes unready and newer pods first', async (t) => {
  const ns = await namespace();
  await client.create(RS, replicaSet('db', 2, { app: 'db' }), { namespace: ns });
  await eventually(async () => (await livePods(client, ns, 'app=db')).length === 2, '2 pods');
  await markReady(client, ns, 'app=db', new Date(Date.now() - 60_000));
  const oldReady = (await livePods(client, ns, 'app=db')).map((p) => p.metadata.name);
  await client.patch(RS, 'db', { type: 'merge', patch: { spec: { replicas: 5 } } }, { namespace: ns });
  await eventually(async () => (await livePods(client, ns, 'app=db')).length === 5, '5 pods');
  // One new pod becomes ready recently; two stay unready.
  const fresh = (await livePods(client, ns, 'app=db')).filter((p) => !oldReady.includes(p.metadata.name));
  await client.updateStatus(RESOURCES.pods, { ...fresh[0]!, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: new Date().toISOString().slice(0, 19) + 'Z' }] } }, { namespace: ns });
  await eventually(async () => (await status(ns, 'db')).readyReplicas === 3, '3 ready');
  await client.patch(RS, 'db', { type: 'merge', patch: { spec: { replicas: 2 } } }, { namespace: ns });
  await eventually(async () => (await livePods(client, ns, 'app=db')).length === 2, 'down to 2', 5000);
  t.same((await livePods(client, ns, 'app=db')).map((p) => p.metadata.name).sort(), [...oldReady].sort(), 'the long-ready pods survive; unready and recently ready go first');
  await client.patch(RS, 'db', { type: 'merge', patch: { spec: { replicas: 1 } } }, { namespace: ns });
  await eventually(async () => (await livePods(client, ns, 'app=db')).length === 1, 'down to 1');
  await eventually(async () => {
    const { items } = await client.list(RESOURCES.events, { namespace: ns });
    return items.some((e) => e.reason === 'SuccessfulDelete' && /^Deleted pod: db-/.test(String(e.message)));
  }, 'SuccessfulDelete events');
});

t.test('ReplicaSet: adopts matching orphans and releases pods that stop matching', async (t) => {
  const ns = await namespace();
  const orphan = await client.create(RESOURCES.pods, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'orphan', labels: { app: 'adopt' } }, spec: { containers: [{ name: 'c', image: 'x' }] } }, { namespace: ns });
  const rs = await client.create(RS, replicaSet('adopter', 2, { app: 'adopt' }), { namespace: ns });
  await eventually(async () => {
    const pod = await client.get(RESOURCES.pods, 'orphan', { namespace: ns });
    return pod.metadata.ownerReferences?.[0]?.uid === rs.metadata.uid;
  }, 'the orphan adopted');
  await eventually(async () => (await livePods(client, ns, 'app=adopt')).length === 2, '2 pods (orphan + 1 created)');
  await sleep(200);
  t.equal((await livePods(client, ns, 'app=adopt')).length, 2, 'only one pod created besides the adopted one');
  t.equal(orphan.metadata.name, 'orphan');
  await client.patch(RESOURCES.pods, 'orphan', { type: 'merge', patch: { metadata: { labels: { app: 'other' } } } }, { namespace: ns });
  await eventually(async () => !(await client.get(RESOURCES.pods, 'orphan', { namespace: ns })).metadata.ownerReferences?.length, 'the pod released');
  await eventually(async () => (await livePods(client, ns, 'app=adopt')).length === 2, 'a replacement pod created');
});

t.test('ReplicaSet: expectations prevent over-creation under a burst of reconciles', async (t) => {
  const ns = await namespace();
  await client.create(RS, replicaSet('burst', 20, { app: 'burst' }), { namespace: ns });
  const controller = server.controllers.controller('replicaset-controller')!;
  for (let n = 0; n < 30; n++) {
    controller.enqueue(`${ns}/burst`);
    await sleep(2);
  }
  await eventually(async () => (await status(ns, 'burst')).replicas === 20, '20 replicas', 10000);
  await sleep(300);
  t.equal((await livePods(client, ns, 'app=burst')).length, 20, 'exactly 20 pods, never more');
  const { items } = await client.list(RESOURCES.events, { namespace: ns });
  const creates = items.filter((e) => e.reason === 'SuccessfulCreate').reduce((n, e) => n + Number(e.count ?? 1), 0);
  t.equal(creates, 20, '20 creates in all');
});

t.test('calculateStatus: ReplicaFailure is set by a failed create and removed by a clean pass', async (t) => {
  const rs = { ...replicaSet('x', 1, { app: 'x' }), metadata: { name: 'x', uid: 'u', resourceVersion: '1', creationTimestamp: '', generation: 2 } } as unknown as ReplicaSet;
  const failed = calculateStatus({ rs, pods: [], now: Date.now(), failure: { error: new Error('pods "x-" is forbidden: nope'), creating: true } });
  t.match(failed, { replicas: 0, observedGeneration: 2, conditions: [{ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: 'pods "x-" is forbidden: nope' }] });
  t.ok(statusChanged(rs, failed));
  const clean = calculateStatus({ rs: { ...rs, status: failed }, pods: [], now: Date.now() });
  t.notOk(clean.conditions, 'removed');
});

t.test('ReplicaSet: with simulated nodes the pods run and become available on their own', async (t) => {
  const withNodes = await buildServer(withDefaults({ storage: 'memory', tls: false, port: 0, nodes: 1 }));
  t.teardown(() => withNodes.close());
  const c = new LocalClient(withNodes.registry, { fieldManager: 'test' });
  await c.create(RESOURCES.namespaces, { metadata: { name: 'sim' } });
  await c.create(RS, replicaSet('sim', 3, { app: 'sim' }), { namespace: 'sim' });
  await eventually(async () => ((await c.get(RS, 'sim', { namespace: 'sim' })).status as { availableReplicas?: number } | undefined)?.availableReplicas === 3, '3 available', 15000);
  await c.patch(RS, 'sim', { type: 'merge', patch: { spec: { replicas: 1 } } }, { namespace: 'sim' });
  await eventually(async () => ((await c.get(RS, 'sim', { namespace: 'sim' })).status as { replicas?: number } | undefined)?.replicas === 1, 'down to 1', 15000);
  t.equal((await livePods(c, 'sim', 'app=sim')).length, 1);
});
