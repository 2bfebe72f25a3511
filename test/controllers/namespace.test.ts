/**
 * Namespace deletion end to end: `kubectl delete namespace` on a started kubemu whose namespace
 * and garbage collectors run over HTTPS (a Manager on an HttpClient from the kubeconfig): the
 * namespace turns Terminating, creates in it are refused with upstream's message, its content is
 * deleted, conditions are reported, and `kubernetes` is finalized away so the namespace goes.
 * Also the finalize subresource over HTTPS. Every wait is bounded.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import t from 'tap';
import { StatusError } from '../../src/api/errors.js';
import type { StoredObject } from '../../src/api/types.js';
import { HttpClient } from '../../src/client/http.js';
import { RESOURCES } from '../../src/client/types.js';
import { garbageCollector } from '../../src/controllers/garbage-collector/index.js';
import { namespaceController } from '../../src/controllers/namespace.js';
import { Manager } from '../../src/controllers/runtime/index.js';
import { startKubemu } from '../../src/index.js';
import { eventually } from '../helpers/wait.js';

const KUBECTL = '/usr/lib/google-cloud-sdk/bin/kubectl.1.31';
const run = promisify(execFile);

const kubemu = await startKubemu({ controllers: false });
const client = HttpClient.fromKubeconfig(kubemu.kubeconfig);
const manager = new Manager({ client });
manager.add(garbageCollector());
manager.add(namespaceController());
await manager.start();
t.teardown(async () => {
  await manager.stop();
  await kubemu.close();
});

async function gone(name: string): Promise<boolean> {
  try {
    await client.get(RESOURCES.namespaces, name);
    return false;
  } catch (err) {
    return err instanceof StatusError && err.code === 404;
  }
}

t.test('a finalizer on content holds the namespace Terminating with upstream conditions, then it goes', async (t) => {
  await client.create(RESOURCES.namespaces, { metadata: { name: 'held' } });
  await client.create(RESOURCES.configmaps, { metadata: { name: 'pinned', finalizers: ['example.com/hold'] } }, { namespace: 'held' });
  await client.create(RESOURCES.secrets, { metadata: { name: 's' } }, { namespace: 'held' });
  const marked = (await client.delete(RESOURCES.namespaces, 'held')) as StoredObject;
  t.equal((marked.status as { phase?: string }).phase, 'Terminating');
  await t.rejects(client.create(RESOURCES.configmaps, { metadata: { name: 'late' } }, { namespace: 'held' }), {
    message: 'configmaps "late" is forbidden: unable to create new content in namespace held because it is being terminated',
  });
  type Cond = { type: string; status: string; reason: string; message: string };
  let conditions: Cond[] = [];
  await eventually(async () => {
    const ns = await client.get(RESOURCES.namespaces, 'held');
    conditions = (ns.status as { conditions?: Cond[] }).conditions ?? [];
    return conditions.some((c) => c.type === 'NamespaceFinalizersRemaining' && c.status === 'True');
  }, 'finalizer conditions');
  t.match(conditions.find((c) => c.type === 'NamespaceContentRemaining'), {
    status: 'True', reason: 'SomeResourcesRemain', message: 'Some resources are remaining: configmaps has 1 resource instances',
  });
  t.match(conditions.find((c) => c.type === 'NamespaceFinalizersRemaining'), {
    reason: 'SomeFinalizersRemain', message: 'Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances',
  });
  t.match(conditions.find((c) => c.type === 'NamespaceDeletionDiscoveryFailure'), { status: 'False', reason: 'ResourcesDiscovered' });
  t.equal((await client.list(RESOURCES.secrets, { namespace: 'held' })).items.length, 0, 'content without finalizers is gone');
  await client.patch(RESOURCES.configmaps, 'pinned', { type: 'merge', patch: { metadata: { finalizers: null } } }, { namespace: 'held' });
  await eventually(() => gone('held'), 'namespace removed once its content is', 10_000);
});

t.test('PUT namespaces/finalize replaces spec.finalizers only', async (t) => {
  await client.create(RESOURCES.namespaces, { metadata: { name: 'fin', labels: { a: 'b' } } });
  const ns = await client.get(RESOURCES.namespaces, 'fin');
  const put = await client.update(RESOURCES.namespaces, { ...ns, metadata: { ...ns.metadata, labels: {} }, spec: { finalizers: [] } }, { subresource: 'finalize' });
  t.same((put.spec as { finalizers?: string[] }).finalizers ?? [], []);
  t.equal(put.metadata.labels?.a, 'b', 'labels untouched');
  await client.delete(RESOURCES.namespaces, 'fin');
  await eventually(() => gone('fin'), 'namespace without spec finalizers removed');
});

t.test('kubectl delete namespace removes everything in it, then the namespace', { skip: !existsSync(KUBECTL) && 'no kubectl 1.31' }, async (t) => {
  await client.create(RESOURCES.namespaces, { metadata: { name: 'doomed' } });
  const owner = await client.create(RESOURCES.configmaps, { metadata: { name: 'owner' } }, { namespace: 'doomed' });
  await client.create(RESOURCES.configmaps, { metadata: { name: 'dep', ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: owner.metadata.uid }] } }, { namespace: 'doomed' });
  await client.create(RESOURCES.services, { metadata: { name: 'svc' }, spec: { ports: [{ port: 80 }] } }, { namespace: 'doomed' });
  await client.create(RESOURCES.pods, { metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'i' }] } }, { namespace: 'doomed' });
  const env = { ...process.env, KUBECONFIG: kubemu.kubeconfigPath };
  const { stdout } = await run(KUBECTL, ['delete', 'namespace', 'doomed', '--timeout=20s'], { env, timeout: 30_000 });
  t.match(stdout, /namespace "doomed" deleted/);
  t.ok(await gone('doomed'), 'namespace gone when kubectl returns');
  for (const resource of [RESOURCES.configmaps, RESOURCES.services, RESOURCES.pods])
    t.equal((await client.list(resource, { namespace: 'doomed' })).items.length, 0, `${resource.resource} emptied`);
});
