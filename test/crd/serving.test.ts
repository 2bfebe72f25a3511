/**
 * Serving custom resources through the generic store: versions (apiVersion per version,
 * storage version, deprecation Warning), status and scale subresources with upstream generation
 * semantics, Table output from printer columns, field selectors with selectableFields, pruning
 * under fieldValidation, 415 for strategic merge patch, server-side apply over list-map keys.
 */
import t from 'tap';
import { testServer } from '../helpers/server.js';
import { widgetCrd, withWidgets } from './fixtures.js';

type Json = Record<string, any>;
const CRDS = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
const V1 = '/apis/example.kubemu.dev/v1/namespaces/default/widgets';
const V1BETA1 = '/apis/example.kubemu.dev/v1beta1/namespaces/default/widgets';

t.test('versions: stored at the storage version, served with each version apiVersion, deprecation warning', async (t) => {
  const s = await withWidgets(t);
  const created = await s.json('POST', V1BETA1, { apiVersion: 'example.kubemu.dev/v1beta1', kind: 'Widget', metadata: { name: 'w1' }, spec: { color: 'red' } });
  t.equal(created.statusCode, 201, created.body);
  t.equal(created.json().apiVersion, 'example.kubemu.dev/v1beta1');
  t.match(String(created.headers.warning), 'example.kubemu.dev/v1beta1 Widget is deprecated');
  t.same(created.json().spec, { color: 'red', replicas: 1, size: 'medium' }, 'defaults');
  const v1 = await s.json('GET', `${V1}/w1`);
  t.equal(v1.json().apiVersion, 'example.kubemu.dev/v1');
  t.notOk(v1.headers.warning);
  const beta = await s.json('GET', V1BETA1);
  t.equal(beta.json().items[0].apiVersion, 'example.kubemu.dev/v1beta1');
  const stored = await s.server.storage.get('/registry/example.kubemu.dev/widgets/default/w1');
  t.equal(JSON.parse(Buffer.from(stored!.value).toString()).apiVersion, 'example.kubemu.dev/v1', 'stored at v1');
  const crd = await s.json('GET', `${CRDS}/widgets.example.kubemu.dev`);
  t.same(crd.json().status.storedVersions, ['v1']);
});

t.test('status subresource: generation, spec ignored on /status, status ignored on the main resource', async (t) => {
  const s = await withWidgets(t);
  const created = (await s.json('POST', V1, { metadata: { name: 'w' }, spec: { color: 'red' }, status: { phase: 'ignored' } })).json();
  t.equal(created.metadata.generation, 1);
  t.notOk(created.status, 'status dropped on create');
  const status = await s.json('PUT', `${V1}/w/status`, { ...created, spec: { color: 'blue' }, status: { phase: 'Running', replicas: 1 } });
  t.equal(status.statusCode, 200, status.body);
  t.equal(status.json().spec.color, 'red', 'spec kept');
  t.equal(status.json().status.phase, 'Running');
  t.equal(status.json().metadata.generation, 1, 'status writes do not bump generation');
  const patched = await s.request({ method: 'PATCH', url: `${V1}/w`, headers: { 'content-type': 'application/merge-patch+json' }, payload: JSON.stringify({ spec: { color: 'green' }, status: { phase: 'X' } }) });
  t.equal(patched.statusCode, 200, patched.body);
  t.equal(patched.json().status.phase, 'Running', 'status kept on main resource');
  t.equal(patched.json().metadata.generation, 2);
  const labels = await s.request({ method: 'PATCH', url: `${V1}/w`, headers: { 'content-type': 'application/merge-patch+json' }, payload: JSON.stringify({ metadata: { labels: { a: 'b' } } }) });
  t.equal(labels.json().metadata.generation, 2, 'metadata changes do not bump generation');
  const sub = await s.request({ method: 'PATCH', url: `${V1}/w/status`, headers: { 'content-type': 'application/merge-patch+json' }, payload: JSON.stringify({ status: { phase: 'Done' } }) });
  t.equal(sub.json().status.phase, 'Done');
});

t.test('scale subresource over the CRD paths', async (t) => {
  const s = await withWidgets(t);
  await s.json('POST', V1, { metadata: { name: 'w' }, spec: { color: 'red', replicas: 2 } });
  await s.request({ method: 'PATCH', url: `${V1}/w/status`, headers: { 'content-type': 'application/merge-patch+json' }, payload: JSON.stringify({ status: { replicas: 2, selector: 'app=w' } }) });
  const scale = await s.json('GET', `${V1}/w/scale`);
  t.equal(scale.statusCode, 200, scale.body);
  t.match(scale.json(), { kind: 'Scale', apiVersion: 'autoscaling/v1', metadata: { name: 'w', namespace: 'default' }, spec: { replicas: 2 }, status: { replicas: 2, selector: 'app=w' } });
  const put = await s.json('PUT', `${V1}/w/scale`, { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'w' }, spec: { replicas: 5 } });
  t.equal(put.statusCode, 200, put.body);
  t.equal(put.json().spec.replicas, 5);
  t.equal((await s.json('GET', `${V1}/w`)).json().spec.replicas, 5);
  const neg = await s.request({ method: 'PATCH', url: `${V1}/w/scale`, headers: { 'content-type': 'application/merge-patch+json' }, payload: JSON.stringify({ spec: { replicas: -1 } }) });
  t.equal(neg.statusCode, 422);
});

t.test('Table from additionalPrinterColumns; field selectors with selectableFields', async (t) => {
  const s = await withWidgets(t);
  await s.json('POST', V1, { metadata: { name: 'a' }, spec: { color: 'red', replicas: 3 } });
  await s.json('POST', V1, { metadata: { name: 'b' }, spec: { color: 'blue' } });
  const table = await s.request({ method: 'GET', url: V1, headers: { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' } });
  t.equal(table.statusCode, 200, table.body);
  t.same(table.json().columnDefinitions.map((c: Json) => [c.name, c.type, c.priority]), [['Name', 'string', 0], ['Color', 'string', 0], ['Desired', 'integer', 0], ['Phase', 'string', 1]]);
  t.same(table.json().rows.map((r: Json) => r.cells), [['a', 'red', 3, null], ['b', 'blue', 1, null]]);
  const byColor = await s.json('GET', `${V1}?fieldSelector=spec.color%3Dblue`);
  t.same(byColor.json().items.map((o: Json) => o.metadata.name), ['b']);
  const byName = await s.json('GET', `${V1}?fieldSelector=metadata.name%3Da`);
  t.same(byName.json().items.map((o: Json) => o.metadata.name), ['a']);
  const refused = await s.json('GET', `${V1}?fieldSelector=spec.size%3Dx`);
  t.equal(refused.statusCode, 400);
  t.match(refused.json().message, 'field label not supported: spec.size');
});

t.test('unknown fields: pruned, warned, refused under Strict; strategic merge patch is 415', async (t) => {
  const s = await withWidgets(t);
  const body = { metadata: { name: 'u' }, spec: { color: 'red', bogus: 1 } };
  const strict = await s.json('POST', `${V1}?fieldValidation=Strict`, body);
  t.equal(strict.statusCode, 400, strict.body);
  t.equal(strict.json().message, 'Widget in version "v1" cannot be handled as a Widget: strict decoding error: unknown field "spec.bogus"');
  const warn = await s.json('POST', V1, body);
  t.equal(warn.statusCode, 201);
  t.match(String(warn.headers.warning), 'unknown field \\"spec.bogus\\"');
  t.notOk('bogus' in warn.json().spec, 'pruned');
  const smp = await s.request({ method: 'PATCH', url: `${V1}/u`, headers: { 'content-type': 'application/strategic-merge-patch+json' }, payload: '{"spec":{"color":"blue"}}' });
  t.equal(smp.statusCode, 415);
  t.equal(smp.json().message, 'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml');
  const jsonPatch = await s.request({ method: 'PATCH', url: `${V1}/u`, headers: { 'content-type': 'application/json-patch+json' }, payload: '[{"op":"replace","path":"/spec/color","value":"blue"}]' });
  t.equal(jsonPatch.json().spec.color, 'blue');
});

t.test('server-side apply merges list-map entries by the schema keys', async (t) => {
  const s = await withWidgets(t);
  const apply = (manager: string, ports: Json[]) =>
    s.request({
      method: 'PATCH',
      url: `${V1}/ssa?fieldManager=${manager}`,
      headers: { 'content-type': 'application/apply-patch+yaml' },
      payload: JSON.stringify({ apiVersion: 'example.kubemu.dev/v1', kind: 'Widget', metadata: { name: 'ssa' }, spec: { color: 'red', ports } }),
    });
  t.equal((await apply('one', [{ name: 'http', port: 80 }])).statusCode, 201);
  const second = await apply('two', [{ name: 'https', port: 443 }]);
  t.equal(second.statusCode, 200, second.body);
  t.same(second.json().spec.ports.map((p: Json) => p.name).sort(), ["http", "https"], "entries of both managers kept");
});

t.test('cluster-scoped custom resources', async (t) => {
  const s = await testServer();
  t.teardown(() => s.close());
  const crd = widgetCrd() as Json;
  crd.spec.scope = 'Cluster';
  for (const v of crd.spec.versions) delete v.selectableFields;
  t.equal((await s.json('POST', CRDS, crd)).statusCode, 201);
  await s.server.crds.idle();
  const url = '/apis/example.kubemu.dev/v1/widgets';
  const created = await s.json('POST', url, { metadata: { name: 'c', namespace: 'ignored' }, spec: { color: 'red' } });
  t.equal(created.statusCode, 201, created.body);
  t.notOk(created.json().metadata.namespace, 'no namespace on a cluster-scoped object');
  t.equal((await s.json('GET', `${url}/c`)).statusCode, 200);
  t.equal((await s.json('GET', '/apis/example.kubemu.dev/v1/namespaces/default/widgets')).statusCode, 404);
  const refused = await s.json('GET', `${url}?fieldSelector=metadata.namespace%3Dx`);
  t.equal(refused.statusCode, 400);
  t.match(refused.json().message, 'field label not supported: metadata.namespace');
  const list = (await s.json('GET', '/apis/example.kubemu.dev/v1')).json();
  t.equal(list.resources[0].namespaced, false);
});

t.test('moving the storage version: storedVersions accumulates, objects stay readable at every version', async (t) => {
  const s = await withWidgets(t);
  t.equal((await s.json('POST', V1, { metadata: { name: 'old' }, spec: { color: 'red' } })).statusCode, 201);
  const crd = (await s.json('GET', `${CRDS}/widgets.example.kubemu.dev`)).json();
  crd.spec.versions[0].storage = true; // v1beta1
  crd.spec.versions[1].storage = false; // v1
  const moved = await s.json('PUT', `${CRDS}/widgets.example.kubemu.dev`, crd);
  t.equal(moved.statusCode, 200, moved.body);
  t.same(moved.json().status.storedVersions, ['v1', 'v1beta1']);
  await s.server.crds.idle();
  t.equal((await s.json('POST', V1, { metadata: { name: 'new' }, spec: { color: 'blue' } })).statusCode, 201);
  const stored = await s.server.storage.get('/registry/example.kubemu.dev/widgets/default/new');
  t.equal(JSON.parse(Buffer.from(stored!.value).toString()).apiVersion, 'example.kubemu.dev/v1beta1', 'new objects stored at the new storage version');
  const v1 = (await s.json('GET', V1)).json();
  t.same(v1.items.map((o: Json) => `${o.metadata.name} ${o.apiVersion}`), ['new example.kubemu.dev/v1', 'old example.kubemu.dev/v1']);
  const beta = (await s.json('GET', V1BETA1)).json();
  t.same(beta.items.map((o: Json) => `${o.metadata.name} ${o.apiVersion}`), ['new example.kubemu.dev/v1beta1', 'old example.kubemu.dev/v1beta1']);

  const current = (await s.json('GET', `${CRDS}/widgets.example.kubemu.dev`)).json();
  current.spec.versions = current.spec.versions.filter((v: Json) => v.name !== 'v1');
  const dropped = await s.json('PUT', `${CRDS}/widgets.example.kubemu.dev`, current);
  t.equal(dropped.statusCode, 422);
  t.match(dropped.json().message, 'status.storedVersions[0]: Invalid value: "v1": missing from spec.versions; v1 was previously a storage version');
});
