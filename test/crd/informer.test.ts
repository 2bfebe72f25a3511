/**
 * A @kubernetes/client-node informer (makeInformer over CustomObjectsApi) on a custom resource of
 * an in-process kubemu: it lists, then sees creates, updates (main resource and /status) and
 * deletes of Widgets, including those written through the deprecated v1beta1 version while it
 * watches v1; then the CRD is deleted and the informer sees the cleanup delete its objects.
 */
import { ApiextensionsV1Api, CustomObjectsApi, KubeConfig, makeInformer, PatchStrategy, setHeaderOptions, Watch, type KubernetesObject } from '@kubernetes/client-node';
import t, { type Test } from 'tap';
import { startKubemu } from '../../src/index.js';
import { widgetCrd } from './fixtures.js';

const GROUP = 'example.kubemu.dev';

async function eventually(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Waits until the Widget CRD is Established, as a client sees it. */
async function established(ext: ApiextensionsV1Api): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const crd = await ext.readCustomResourceDefinition({ name: 'widgets.example.kubemu.dev' });
    if (crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')) return;
    if (Date.now() > deadline) throw new Error('CRD not Established');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** An in-process kubemu (controllers off, closed at teardown) serving the Widget CRD, and client-node clients of it. */
async function widgetCluster(t: Test): Promise<{ kc: KubeConfig; ext: ApiextensionsV1Api; custom: CustomObjectsApi }> {
  const kubemu = await startKubemu({ controllers: false });
  t.teardown(() => kubemu.close());
  const kc = new KubeConfig();
  kc.loadFromString(kubemu.kubeconfig);
  const ext = kc.makeApiClient(ApiextensionsV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  await ext.createCustomResourceDefinition({ body: widgetCrd() as never });
  await established(ext);
  return { kc, ext, custom };
}

t.test('client-node informer follows a custom resource', async (t) => {
  t.setTimeout(60_000);
  const { kc, ext, custom } = await widgetCluster(t);
  const create = (version: string, name: string) =>
    custom.createNamespacedCustomObject({ group: GROUP, version, namespace: 'default', plural: 'widgets', body: { apiVersion: `${GROUP}/${version}`, kind: 'Widget', metadata: { name }, spec: { color: 'red' } } });
  await create('v1', 'seed');

  const informer = makeInformer<KubernetesObject>(kc, `/apis/${GROUP}/v1/namespaces/default/widgets`, () =>
    custom.listNamespacedCustomObject({ group: GROUP, version: 'v1', namespace: 'default', plural: 'widgets' }) as never,
  );
  const seen: string[] = [];
  informer.on('add', (o) => seen.push(`add ${o.metadata?.name} ${o.apiVersion}`));
  informer.on('update', (o) => seen.push(`update ${o.metadata?.name}`));
  informer.on('delete', (o) => seen.push(`delete ${o.metadata?.name}`));
  informer.on('error', () => {});
  t.teardown(() => informer.stop());
  await informer.start();
  await eventually(() => seen.length === 1, 'the listed object');
  t.same(seen, [`add seed ${GROUP}/v1`]);

  seen.length = 0;
  await create('v1beta1', 'beta');
  const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
  await custom.patchNamespacedCustomObject({ group: GROUP, version: 'v1', namespace: 'default', plural: 'widgets', name: 'seed', body: { spec: { color: 'blue' } } }, merge);
  await custom.patchNamespacedCustomObjectStatus({ group: GROUP, version: 'v1', namespace: 'default', plural: 'widgets', name: 'seed', body: { status: { phase: 'Ready' } } }, merge);
  await custom.deleteNamespacedCustomObject({ group: GROUP, version: 'v1', namespace: 'default', plural: 'widgets', name: 'beta' });
  await eventually(() => seen.length === 4, 'four events');
  t.same(seen, [`add beta ${GROUP}/v1`, 'update seed', 'update seed', 'delete beta'], 'events in order, objects at the watched version');
  t.match(informer.get('seed', 'default'), { spec: { color: 'blue' }, status: { phase: 'Ready' } });

  seen.length = 0;
  await ext.deleteCustomResourceDefinition({ name: 'widgets.example.kubemu.dev' });
  await eventually(() => seen.includes('delete seed'), 'the cleanup deleting seed');
});

t.test('a watch of a non-storage version sees objects at that version and ends when the CRD goes', async (t) => {
  t.setTimeout(60_000);
  const { kc, ext, custom } = await widgetCluster(t);
  const events: Array<{ type: string; apiVersion?: string }> = [];
  const watch = new Watch(kc);
  let ended = false;
  const request = await watch.watch(`/apis/${GROUP}/v1beta1/namespaces/default/widgets`, {}, (type, obj: KubernetesObject) => events.push({ type, apiVersion: obj.apiVersion }), () => {
    ended = true;
  });
  t.teardown(() => request.abort());
  await custom.createNamespacedCustomObject({ group: GROUP, version: 'v1', namespace: 'default', plural: 'widgets', body: { apiVersion: `${GROUP}/v1`, kind: 'Widget', metadata: { name: 'w' }, spec: { color: 'green' } } });
  await eventually(() => events.length === 1, 'the ADDED event');
  t.same(events, [{ type: 'ADDED', apiVersion: `${GROUP}/v1beta1` }]);

  await ext.deleteCustomResourceDefinition({ name: 'widgets.example.kubemu.dev' });
  await eventually(() => ended, 'the watch to end once the CRD is gone');
  t.same(events.map((e) => e.type), ['ADDED', 'DELETED', 'ERROR'], 'the cleanup deletes the object, then the watch ends with an error event');
});
