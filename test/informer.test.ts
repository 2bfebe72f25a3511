/**
 * A @kubernetes/client-node informer (makeInformer → ListWatch) over the configmaps of one
 * namespace against an in-process kubemu: it lists, follows creates, updates and deletes, resumes
 * from its last resourceVersion after a stop, and re-lists when a resume finds that revision
 * gone from kubemu's small event window (the watch answers with an ERROR 410 event). After
 * each phase its cache must equal a fresh LIST (names and resourceVersions). Every wait is bounded.
 */
import { CoreV1Api, KubeConfig, makeInformer, PatchStrategy, setHeaderOptions, type V1ConfigMap } from '@kubernetes/client-node';
import t from 'tap';
import { startKubemu } from '../src/index.js';

const EVENT_WINDOW = 20;
const NAMESPACE = 'informer';

/** Polls `check` every 20 ms until it returns true; throws `what` after `timeoutMs`. */
async function eventually(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** `promise`, or a rejection naming `what` after `ms`. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish in ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** `name@resourceVersion` of each object, sorted. */
function versions(objects: readonly V1ConfigMap[]): string[] {
  return objects.map((o) => `${o.metadata?.name}@${o.metadata?.resourceVersion}`).sort();
}

t.test('client-node informer: cache follows configmaps through changes, resumes and re-lists after 410', async (t) => {
  t.setTimeout(60_000);
  const kubemu = await startKubemu({ eventWindow: EVENT_WINDOW, controllers: false });
  t.teardown(() => kubemu.close());
  const kc = new KubeConfig();
  kc.loadFromString(kubemu.kubeconfig);
  const core = kc.makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: NAMESPACE } } });
  const cm = (name: string, data: Record<string, string>) => ({ namespace: NAMESPACE, body: { metadata: { name }, data } });
  const patch = (name: string, data: Record<string, string>) =>
    core.patchNamespacedConfigMap({ namespace: NAMESPACE, name, body: { data } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
  await core.createNamespacedConfigMap(cm('seed-a', { n: '0' }));
  await core.createNamespacedConfigMap(cm('seed-b', { n: '0' }));

  let lists = 0;
  const informer = makeInformer(kc, `/api/v1/namespaces/${NAMESPACE}/configmaps`, () => {
    lists++;
    return core.listNamespacedConfigMap({ namespace: NAMESPACE });
  });
  const seen: string[] = [];
  informer.on('add', (o) => seen.push(`add ${o.metadata?.name}`));
  informer.on('update', (o) => seen.push(`update ${o.metadata?.name}`));
  informer.on('delete', (o) => seen.push(`delete ${o.metadata?.name}`));
  const errors: unknown[] = [];
  informer.on('error', (err) => {
    // stop() aborts the watch request, which the informer reports as an error; nothing else aborts.
    if (!(err instanceof Error && err.name === 'AbortError')) errors.push(err);
  });
  t.teardown(() => informer.stop());
  const start = () => within(informer.start(), 10_000, 'informer.start() (LIST and watch request)');

  const server = async () => versions((await core.listNamespacedConfigMap({ namespace: NAMESPACE })).items);
  const inSync = async (what: string) => {
    let expected: string[] = [];
    await eventually(async () => {
      expected = await server();
      return JSON.stringify(versions(informer.list(NAMESPACE))) === JSON.stringify(expected);
    }, `${what}: informer cache ${JSON.stringify(versions(informer.list(NAMESPACE)))} to equal the server's ${JSON.stringify(expected)}`);
    t.same(versions(informer.list(NAMESPACE)), expected, `${what}: cache equals a fresh LIST`);
  };
  const stop = () => informer.stop();

  await start();
  await inSync('after start');
  t.equal(lists, 1, 'one LIST at start');
  t.same(seen.sort(), ['add seed-a', 'add seed-b'], 'add callbacks for the listed objects');

  seen.length = 0;
  await core.createNamespacedConfigMap(cm('c1', { n: '1' }));
  await core.createNamespacedConfigMap(cm('c2', { n: '1' }));
  await patch('seed-a', { n: '1' });
  await core.deleteNamespacedConfigMap({ namespace: NAMESPACE, name: 'seed-b' });
  await inSync('after creates, an update and a delete');
  t.same(seen, ['add c1', 'add c2', 'update seed-a', 'delete seed-b'], 'callbacks in order');
  t.equal(informer.get('seed-a', NAMESPACE)?.data?.n, '1', 'cached object has the new data');

  // A short stop: the restart watches from the last resourceVersion, no new LIST.
  await stop();
  await patch('c1', { n: '2' });
  await core.createNamespacedConfigMap(cm('c3', { n: '1' }));
  seen.length = 0;
  await start();
  await inSync('after a restart within the event window');
  t.equal(lists, 1, 'resumed from its last resourceVersion without a new LIST');
  t.same(seen, ['update c1', 'add c3'], 'missed events replayed');

  // A long stop: more changes than the window keeps, so the resume gets ERROR 410 and re-lists.
  await stop();
  for (let i = 0; i < 2 * EVENT_WINDOW + 1; i++) await patch('c2', { n: String(100 + i) });
  await core.deleteNamespacedConfigMap({ namespace: NAMESPACE, name: 'c3' });
  await core.createNamespacedConfigMap(cm('c4', { n: '1' }));
  seen.length = 0;
  await start();
  await eventually(() => lists === 2, 'a second LIST after the 410');
  await inSync('after a restart past the event window');
  t.same(seen.sort(), ['add c4', 'delete c3', 'update c2'], 'the re-list reports what changed');
  t.equal(informer.get('c2', NAMESPACE)?.data?.n, String(100 + 2 * EVENT_WINDOW), 'cached object has the latest data');

  // And it keeps watching after the re-list.
  seen.length = 0;
  await patch('c4', { n: '2' });
  await inSync('after a change following the re-list');
  t.same(seen, ['update c4'], 'watch resumed after the re-list');
  t.same(errors, [], 'no informer errors');
});
