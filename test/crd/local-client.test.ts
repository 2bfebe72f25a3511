/**
 * The in-process client on custom resources behaves as the HTTP routes: objects shown at the
 * requested served version (reads, lists, watches, write answers), unknown fields dropped and
 * reported as warnings (Warn), refused under Strict, the deprecation warning of a version.
 */
import t from 'tap';
import { LocalClient } from '../../src/client/local.js';
import { testServer } from '../helpers/server.js';
import { widgetCrd, withWidgets } from './fixtures.js';

const CRDS = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
const V1 = { group: 'example.kubemu.dev', version: 'v1', resource: 'widgets' };
const V1BETA1 = { ...V1, version: 'v1beta1' };

t.test('objects at the requested version, as over HTTP', async (t) => {
  const s = await withWidgets(t);
  const warnings: string[] = [];
  const client = new LocalClient(s.server.registry, { onWarning: (w) => warnings.push(w) });
  const created = await client.create(V1BETA1, { apiVersion: 'example.kubemu.dev/v1beta1', kind: 'Widget', metadata: { name: 'w', namespace: 'default' }, spec: { color: 'red' } });
  t.equal(created.apiVersion, 'example.kubemu.dev/v1beta1', 'create answer at v1beta1');
  t.same(warnings, ['example.kubemu.dev/v1beta1 Widget is deprecated']);
  const http = (await s.json('GET', '/apis/example.kubemu.dev/v1beta1/namespaces/default/widgets/w')).json();
  const got = await client.get(V1BETA1, 'w', { namespace: 'default' });
  t.same(got, http, 'get equals the HTTP GET');
  t.equal((await client.get(V1, 'w', { namespace: 'default' })).apiVersion, 'example.kubemu.dev/v1');
  const list = await client.list(V1BETA1, { namespace: 'default' });
  t.same(list.items.map((o) => o.apiVersion), ['example.kubemu.dev/v1beta1']);
  const patched = await client.patch(V1BETA1, 'w', { type: 'merge', patch: { spec: { color: 'blue' } } }, { namespace: 'default' });
  t.equal(patched.apiVersion, 'example.kubemu.dev/v1beta1', 'patch answer at v1beta1');
  const updated = await client.update(V1, { ...patched, apiVersion: 'example.kubemu.dev/v1' }, { namespace: 'default' });
  t.equal(updated.apiVersion, 'example.kubemu.dev/v1', 'update answer at v1');

  const watch = client.watch(V1BETA1, { namespace: 'default', resourceVersion: created.metadata.resourceVersion });
  await client.patch(V1, 'w', { type: 'merge', patch: { spec: { color: 'green' } } }, { namespace: 'default' });
  const seen: string[] = [];
  for await (const ev of watch) {
    if (ev.type === 'BOOKMARK') continue;
    seen.push(`${ev.type} ${ev.object.apiVersion} ${(ev.object as unknown as { spec: { color: string } }).spec.color}`);
    if (seen.length === 2) break;
  }
  watch.stop();
  t.same(seen, ['MODIFIED example.kubemu.dev/v1beta1 blue', 'MODIFIED example.kubemu.dev/v1beta1 green'], 'watch events at v1beta1 (the no-op update writes nothing)');
});

t.test('unknown fields: dropped and reported (Warn), refused (Strict), silent (Ignore)', async (t) => {
  const s = await withWidgets(t);
  const warnings: string[] = [];
  const client = new LocalClient(s.server.registry, { onWarning: (w) => warnings.push(w) });
  const body = { apiVersion: 'example.kubemu.dev/v1', kind: 'Widget', metadata: { name: 'u', namespace: 'default' }, spec: { color: 'red', shade: 'dark' }, extra: 1 };
  const created = await client.create(V1, body);
  t.notOk((created.spec as Record<string, unknown>).shade, 'pruned');
  t.notOk('extra' in created, 'pruned at the root');
  // The HTTP route's warnings for the same body.
  const http = await s.json('POST', '/apis/example.kubemu.dev/v1/namespaces/default/widgets', { ...body, metadata: { name: 'u2' } });
  const httpWarnings = String(http.headers.warning).split(/,\s*(?=299)/).map((w) => w.replace(/^299 - "(.*)"$/, '$1').replace(/\\"/g, '"'));
  t.same(warnings, httpWarnings, 'same warnings as the HTTP route');
  t.match(warnings, ['unknown field "extra"', 'unknown field "spec.shade"'].map((w) => new RegExp(w)));

  warnings.length = 0;
  await client.patch(V1, 'u', { type: 'merge', patch: { spec: { tint: 1 } } }, { namespace: 'default' });
  t.same(warnings, ['unknown field "spec.tint"'], 'patch warnings');

  const strict = new LocalClient(s.server.registry, { fieldValidation: 'Strict' });
  await t.rejects(strict.create(V1, { ...body, metadata: { name: 's', namespace: 'default' } }), {
    code: 400,
    message: 'Widget in version "v1" cannot be handled as a Widget: strict decoding error: unknown field "extra", unknown field "spec.shade"',
  });
  await t.rejects(strict.patch(V1, 'u', { type: 'merge', patch: { spec: { tint: 1 } } }, { namespace: 'default' }), { code: 422, message: /strict decoding error: unknown field "spec.tint"/ });

  warnings.length = 0;
  const quiet = new LocalClient(s.server.registry, { fieldValidation: 'Ignore', onWarning: (w) => warnings.push(w) });
  await quiet.create(V1, { ...body, metadata: { name: 'q', namespace: 'default' } });
  t.same(warnings, [], 'Ignore: no warnings');
});

t.test('write warnings of the strategy reach onWarning, as the HTTP Warning headers', async (t) => {
  const s = await testServer();
  t.teardown(() => s.close());
  const warnings: string[] = [];
  const client = new LocalClient(s.server.registry, { onWarning: (w) => warnings.push(w) });
  const crd = widgetCrd() as { metadata: { name: string }; spec: Record<string, unknown> };
  crd.spec.conversion = { strategy: 'Webhook', webhook: { conversionReviewVersions: ['v1'], clientConfig: { url: 'https://convert.example.com/' } } };
  await client.create({ group: 'apiextensions.k8s.io', version: 'v1', resource: 'customresourcedefinitions' }, crd);
  const current = (await s.json('GET', `${CRDS}/${crd.metadata.name}`)).json() as Record<string, unknown>;
  const http = await s.json('PUT', `${CRDS}/${crd.metadata.name}`, current);
  t.equal(http.statusCode, 200, http.body);
  t.ok(warnings.length > 0, 'a warning');
  t.match(String(http.headers.warning), warnings[0]!.slice(0, 40), 'the one the HTTP route sends');
});
