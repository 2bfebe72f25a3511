/**
 * The Client semantics suite, run against every implementation (local.test.ts over the Registry,
 * http.test.ts over HTTP(S) against startKubemu): reads with selectors, StatusErrors with the
 * server's code, reason and wording, field managers, update and status, the four patch types,
 * delete options, and watches (events, selection changes, initial state, 410 after the window,
 * stop, timeout). The server must have an event window of SUITE_EVENT_WINDOW. Not a test file.
 */
import type { Test } from 'tap';
import { StatusError } from '../../src/api/errors.js';
import type { KubeObject, StoredObject } from '../../src/api/types.js';
import { isStatus, RESOURCES, type Client, type Watch, type WatchEvent } from '../../src/client/types.js';
import { within } from '../helpers/wait.js';

/** The event window the suite's server must be built with. */
export const SUITE_EVENT_WINDOW = 40;

const { configmaps: CM, namespaces: NS, deployments: DEPLOY } = RESOURCES;

/** The StatusError `promise` rejects with (fails the test when it resolves or rejects otherwise). */
async function statusOf(promise: Promise<unknown>): Promise<StatusError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof StatusError) return err;
    throw err;
  }
  throw new Error('expected a StatusError, the call succeeded');
}

/** Reads a watch's events one at a time, each read bounded; bookmarks are skipped. */
class Reader {
  readonly #it: AsyncIterator<WatchEvent>;
  constructor(watch: Watch) {
    this.#it = watch[Symbol.asyncIterator]();
  }
  async next(what: string, ms = 3000): Promise<IteratorResult<WatchEvent>> {
    for (;;) {
      const result = await within(this.#it.next(), ms, what);
      if (result.done || result.value.type !== 'BOOKMARK') return result;
    }
  }
  async event(what: string): Promise<string> {
    const result = await this.next(what);
    if (result.done) return 'END';
    const event = result.value;
    return event.type === 'BOOKMARK' ? 'BOOKMARK' : `${event.type} ${event.object.metadata.name}`;
  }
}

function configMap(name: string, labels: Record<string, string> = {}, data: Record<string, string> = {}): KubeObject {
  return { metadata: { name, labels }, data };
}

function deployment(name: string): KubeObject {
  const labels = { app: name };
  const containers = [
    { name: 'a', image: 'nginx:1' },
    { name: 'b', image: 'busybox:1' },
  ];
  return { metadata: { name }, spec: { replicas: 1, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers } } } };
}

/** Registers the suite's tests on `t`, all against `client` (of a server with SUITE_EVENT_WINDOW). */
export function clientSuite(t: Test, client: Client): void {
  const namespace = async (name: string) => {
    await client.create(NS, { metadata: { name } });
    return name;
  };

  t.test('create, get and list with label and field selectors', async (t) => {
    const ns = await namespace('suite-read');
    const a = await client.create(CM, configMap('a', { app: 'web' }), { namespace: ns });
    t.equal(a.metadata.namespace, ns, 'namespace from the options');
    await client.create(CM, { ...configMap('b', { app: 'db' }), metadata: { name: 'b', namespace: ns, labels: { app: 'db' } } });
    t.equal((await client.get(CM, 'a', { namespace: ns })).metadata.uid, a.metadata.uid, 'get returns the created object');
    const names = (list: { items: StoredObject[] }) => list.items.map((o) => o.metadata.name);
    t.same(names(await client.list(CM, { namespace: ns, labelSelector: 'app=web' })), ['a']);
    t.same(names(await client.list(CM, { namespace: ns, labelSelector: 'app in (web,db)' })), ['a', 'b']);
    t.same(names(await client.list(CM, { namespace: ns, fieldSelector: 'metadata.name=b' })), ['b']);
    const all = await client.list(CM, { labelSelector: 'app' });
    t.ok(all.items.some((o) => o.metadata.namespace === ns), 'lists across namespaces');
    t.ok(Number(all.resourceVersion) >= Number(a.metadata.resourceVersion), 'list resourceVersion is current');
  });

  t.test('failures are StatusErrors with the server code, reason and message', async (t) => {
    const ns = await namespace('suite-errors');
    let err = await statusOf(client.get(CM, 'nope', { namespace: ns }));
    t.match(err, { code: 404, reason: 'NotFound', message: 'configmaps "nope" not found' });
    const created = await client.create(CM, configMap('dup'), { namespace: ns });
    err = await statusOf(client.create(CM, configMap('dup'), { namespace: ns }));
    t.match(err, { code: 409, reason: 'AlreadyExists', message: 'configmaps "dup" already exists' });
    await client.update(CM, { ...created, data: { v: '1' } });
    err = await statusOf(client.update(CM, { ...created, data: { v: '2' } }));
    t.match(err, { code: 409, reason: 'Conflict', message: /the object has been modified/ });
    err = await statusOf(client.create(CM, configMap('Bad_Name'), { namespace: ns }));
    t.match(err, { code: 422, reason: 'Invalid', message: /^ConfigMap "Bad_Name" is invalid: metadata.name/ });
    t.ok(err.status.details?.causes?.length, 'causes are kept');
    err = await statusOf(client.list(CM, { namespace: ns, labelSelector: 'a b' }));
    t.equal(err.code, 400, 'bad label selector');
    err = await statusOf(client.list(CM, { namespace: ns, fieldSelector: 'data.x=1' }));
    t.match(err, { code: 400, message: /"data.x" is not a known field selector/ });
    err = await statusOf(client.get({ group: 'nope.example.com', version: 'v1', resource: 'things' }, 'x'));
    t.match(err, { code: 404, message: 'the server could not find the requested resource' });
    err = await statusOf(client.create(CM, configMap('x'), { namespace: 'suite-missing' }));
    t.match(err, { code: 404, message: 'namespaces "suite-missing" not found' });
    err = await statusOf(client.create(CM, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'k' } }, { namespace: ns }));
    t.match(err, { code: 400, message: /Secret in version "v1" cannot be handled as a ConfigMap/ });
  });

  t.test('every write records its field manager', async (t) => {
    const ns = await namespace('suite-managers');
    const writer = client.withFieldManager('suite-writer');
    t.equal(writer.fieldManager, 'suite-writer');
    const managers = (o: StoredObject) => (o.metadata.managedFields as { manager: string; operation: string }[]).map((m) => `${m.manager}/${m.operation}`);
    let cm = await writer.create(CM, configMap('m', {}, { a: '1' }), { namespace: ns });
    t.same(managers(cm), ['suite-writer/Update']);
    cm = await writer.update(CM, { ...cm, data: { a: '1', b: '2' } }, { fieldManager: 'suite-other' });
    t.same(managers(cm).sort(), ['suite-other/Update', 'suite-writer/Update'], 'per-call override');
    cm = await writer.patch(CM, 'm', { type: 'apply', patch: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'm' }, data: { c: '3' } } }, { namespace: ns });
    t.ok(managers(cm).includes('suite-writer/Apply'), 'apply as the client manager');
  });

  t.test('update and updateStatus change only their part', async (t) => {
    const ns = await namespace('suite-status');
    const d = await client.create(DEPLOY, deployment('web'), { namespace: ns });
    t.equal(d.metadata.generation, 1);
    const spec = d.spec as { replicas: number };
    const updated = await client.update(DEPLOY, { ...d, spec: { ...spec, replicas: 3 }, status: { replicas: 9 } });
    t.equal(updated.metadata.generation, 2, 'spec change bumps generation');
    t.notOk((updated.status as { replicas?: number } | undefined)?.replicas, 'status in an update is ignored');
    const status = await client.updateStatus(DEPLOY, { ...updated, spec: { ...spec, replicas: 7 }, status: { observedGeneration: 2, replicas: 0 } });
    t.match(status.status, { observedGeneration: 2 });
    t.equal((status.spec as { replicas: number }).replicas, 3, 'spec in a status update is ignored');
    const stale = await statusOf(client.updateStatus(DEPLOY, { ...updated, status: { observedGeneration: 1 } }));
    t.equal(stale.code, 409, 'a stale resourceVersion conflicts on /status too');
  });

  t.test('patch: merge, json, strategic, apply (conflict and force), status', async (t) => {
    const ns = await namespace('suite-patch');
    await client.create(CM, configMap('p', {}, { a: '1', b: '2' }), { namespace: ns });
    let cm = await client.patch(CM, 'p', { type: 'merge', patch: { data: { a: null, c: '3' } } }, { namespace: ns });
    t.same(cm.data, { b: '2', c: '3' }, 'merge patch');
    cm = await client.patch(CM, 'p', { type: 'json', patch: [{ op: 'add', path: '/data/d', value: '4' }] }, { namespace: ns });
    t.same(cm.data, { b: '2', c: '3', d: '4' }, 'json patch');
    const err = await statusOf(client.patch(CM, 'p', { type: 'json', patch: [{ op: 'test', path: '/data/b', value: 'x' }] }, { namespace: ns }));
    t.ok(err.code >= 400, 'a failing json patch test is an error');

    await client.create(DEPLOY, deployment('sm'), { namespace: ns });
    const containers = { containers: [{ name: 'b', image: 'busybox:2' }] };
    const d = await client.patch(DEPLOY, 'sm', { type: 'strategic', patch: { spec: { template: { spec: containers } } } }, { namespace: ns });
    const images = ((d.spec as { template: { spec: { containers: { name: string; image: string }[] } } }).template.spec.containers).map((c) => `${c.name}=${c.image}`);
    t.same(images, ['a=nginx:1', 'b=busybox:2'], 'strategic merge by container name');
    const status = await client.patch(DEPLOY, 'sm', { type: 'merge', patch: { status: { observedGeneration: 5 } } }, { namespace: ns, subresource: 'status' });
    t.match(status.status, { observedGeneration: 5 }, 'status patch');

    const applied = (value: string) => ({ type: 'apply' as const, patch: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ssa' }, data: { x: value } } });
    await client.patch(CM, 'ssa', applied('1'), { namespace: ns, fieldManager: 'suite-a' });
    const conflict = await statusOf(client.patch(CM, 'ssa', applied('2'), { namespace: ns, fieldManager: 'suite-b' }));
    t.match(conflict, { code: 409, reason: 'Conflict', message: /conflict with "suite-a"/ });
    cm = await client.patch(CM, 'ssa', { ...applied('2'), force: true }, { namespace: ns, fieldManager: 'suite-b' });
    t.same(cm.data, { x: '2' }, 'force takes the field');
  });

  t.test('delete: preconditions, finalizers, dry run, success status', async (t) => {
    const ns = await namespace('suite-delete');
    const cm = await client.create(CM, configMap('d'), { namespace: ns });
    const err = await statusOf(client.delete(CM, 'd', { namespace: ns, preconditions: { uid: 'other' } }));
    t.match(err, { code: 409, message: /Precondition failed: UID in precondition: other/ });
    await client.delete(CM, 'd', { namespace: ns, dryRun: true });
    t.ok(await client.get(CM, 'd', { namespace: ns }), 'dry run keeps the object');
    const result = await client.delete(CM, 'd', { namespace: ns, preconditions: { uid: cm.metadata.uid }, propagationPolicy: 'Background' });
    t.ok(isStatus(result), 'answers the success Status');
    if (isStatus(result)) t.match(result, { status: 'Success', details: { name: 'd', kind: 'configmaps' } });

    const held = await client.create(CM, { metadata: { name: 'f', finalizers: ['example.com/hold'] } }, { namespace: ns });
    const pending = await client.delete(CM, 'f', { namespace: ns, gracePeriodSeconds: 0 });
    t.notOk(isStatus(pending), 'a pending delete answers the object');
    if (!isStatus(pending)) t.ok(pending.metadata.deletionTimestamp, 'marked for deletion');
    const current = await client.get(CM, 'f', { namespace: ns });
    await client.update(CM, { ...current, metadata: { ...current.metadata, finalizers: [] } });
    t.equal((await statusOf(client.get(CM, 'f', { namespace: ns }))).code, 404, 'gone once the finalizer is removed');
    t.equal(held.metadata.finalizers?.length, 1);
  });

  t.test('watch from a list resourceVersion: events, selection changes, stop', async (t) => {
    const ns = await namespace('suite-watch');
    await client.create(CM, configMap('before', { app: 'w' }), { namespace: ns });
    const { resourceVersion } = await client.list(CM, { namespace: ns });
    const watch = client.watch(CM, { namespace: ns, labelSelector: 'app=w', resourceVersion });
    const reader = new Reader(watch);
    await client.create(CM, configMap('x', { app: 'w' }), { namespace: ns });
    await client.create(CM, configMap('other', { app: 'z' }), { namespace: ns });
    await client.patch(CM, 'x', { type: 'merge', patch: { data: { k: 'v' } } }, { namespace: ns });
    await client.patch(CM, 'other', { type: 'merge', patch: { metadata: { labels: { app: 'w' } } } }, { namespace: ns });
    await client.patch(CM, 'before', { type: 'merge', patch: { metadata: { labels: { app: 'gone' } } } }, { namespace: ns });
    await client.delete(CM, 'x', { namespace: ns });
    const seen = [];
    for (let i = 0; i < 5; i++) seen.push(await reader.event(`event ${i}`));
    t.same(seen, ['ADDED x', 'MODIFIED x', 'ADDED other', 'DELETED before', 'DELETED x']);
    watch.stop();
    t.equal(await reader.event('end after stop'), 'END', 'stop ends the iteration');
  });

  t.test('watch without resourceVersion starts with the current objects', async (t) => {
    const ns = await namespace('suite-initial');
    await client.create(CM, configMap('one'), { namespace: ns });
    await client.create(CM, configMap('two'), { namespace: ns });
    const watch = client.watch(CM, { namespace: ns, allowBookmarks: true });
    const reader = new Reader(watch);
    const initial = [await reader.event('initial 1'), await reader.event('initial 2')].sort();
    t.same(initial, ['ADDED one', 'ADDED two']);
    await client.delete(CM, 'one', { namespace: ns });
    t.equal(await reader.event('delete'), 'DELETED one');
    watch.stop();
  });

  t.test('watch from a resourceVersion older than the window ends with 410 Expired', async (t) => {
    const ns = await namespace('suite-expired');
    const cm = await client.create(CM, configMap('churn'), { namespace: ns });
    for (let i = 0; i < SUITE_EVENT_WINDOW * 2; i++) await client.patch(CM, 'churn', { type: 'merge', patch: { data: { i: String(i) } } }, { namespace: ns });
    const reader = new Reader(client.watch(CM, { namespace: ns, resourceVersion: cm.metadata.resourceVersion }));
    const err = await reader.next('the 410').then(
      () => undefined,
      (e: unknown) => e,
    );
    t.type(err, StatusError);
    t.match(err, { code: 410, reason: 'Expired', message: /too old resource version/ });
  });

  t.test('watch with timeoutSeconds ends normally', async (t) => {
    const ns = await namespace('suite-timeout');
    const { resourceVersion } = await client.list(CM, { namespace: ns });
    const reader = new Reader(client.watch(CM, { namespace: ns, resourceVersion, timeoutSeconds: 1 }));
    t.equal(await reader.event('the end of a 1 s watch'), 'END');
  });
}
