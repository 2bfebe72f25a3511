/**
 * OpenAPI paths of custom resources as the CRD OpenAPI builder names them: a namespaced kind
 * has the all-namespaces list `/apis/G/V/PLURAL` (GET, list...ForAllNamespaces, list parameters
 * on the path item) in /openapi/v3 and /openapi/v2, operation ids carry `Namespaced`, and the
 * scale subresource's are `...Scale`; no deprecated /watch/ paths (the CRD builder has none);
 * a cluster-scoped kind has no all-namespaces path.
 */
import t from 'tap';
import { testServer } from '../helpers/server.js';
import { cronTabCrd, widgetCrd } from './fixtures.js';

type Json = Record<string, any>;
const CRDS = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';

const opIds = (item: Json): string[] =>
  Object.values(item)
    .filter((o): o is Json => typeof o === 'object' && o !== null && 'operationId' in o)
    .map((o) => o.operationId)
    .sort();

t.test('all-namespaces list path and operation ids (v3 and v2)', async (t) => {
  const s = await testServer();
  t.teardown(() => s.close());
  const cluster = cronTabCrd() as Json;
  cluster.metadata.name = 'clustertabs.stable.example.com';
  cluster.spec.scope = 'Cluster';
  cluster.spec.names = { plural: 'clustertabs', singular: 'clustertab', kind: 'ClusterTab' };
  for (const crd of [widgetCrd(), cluster]) t.equal((await s.json('POST', CRDS, crd)).statusCode, 201);
  await s.server.crds.idle();

  const v3 = (await s.json('GET', '/openapi/v3/apis/example.kubemu.dev/v1')).json() as Json;
  const all = v3.paths['/apis/example.kubemu.dev/v1/widgets'];
  t.ok(all, 'the all-namespaces path is there');
  t.same(Object.keys(all).sort(), ['get', 'parameters']);
  t.equal(all.get.operationId, 'listExampleKubemuDevV1WidgetForAllNamespaces');
  t.equal(all.get.description, 'list or watch objects of kind Widget');
  t.notOk(all.get.parameters, 'parameters on the path item');
  t.same(
    all.parameters.map((p: Json) => p.name),
    ['allowWatchBookmarks', 'continue', 'fieldSelector', 'labelSelector', 'limit', 'pretty', 'resourceVersion', 'resourceVersionMatch', 'sendInitialEvents', 'timeoutSeconds', 'watch'],
  );
  t.equal(all.get.responses['200'].content['application/json'].schema.$ref, '#/components/schemas/dev.kubemu.example.v1.WidgetList');
  t.same(all.get['x-kubernetes-group-version-kind'], { group: 'example.kubemu.dev', kind: 'Widget', version: 'v1' });
  t.equal(all.get['x-kubernetes-action'], 'list');

  const ns = '/apis/example.kubemu.dev/v1/namespaces/{namespace}/widgets';
  t.same(opIds(v3.paths[ns]), ['createExampleKubemuDevV1NamespacedWidget', 'deleteExampleKubemuDevV1CollectionNamespacedWidget', 'listExampleKubemuDevV1NamespacedWidget']);
  t.same(opIds(v3.paths[`${ns}/{name}/status`]), ['patchExampleKubemuDevV1NamespacedWidgetStatus', 'readExampleKubemuDevV1NamespacedWidgetStatus', 'replaceExampleKubemuDevV1NamespacedWidgetStatus']);
  t.same(opIds(v3.paths[`${ns}/{name}/scale`]), ['patchExampleKubemuDevV1NamespacedWidgetScale', 'readExampleKubemuDevV1NamespacedWidgetScale', 'replaceExampleKubemuDevV1NamespacedWidgetScale']);

  const clusterDoc = (await s.json('GET', '/openapi/v3/apis/stable.example.com/v1')).json() as Json;
  t.notOk(Object.keys(v3.paths).some((p) => p.includes('/watch/')), 'no deprecated watch paths (the CRD builder has none)');
  t.same(Object.keys(clusterDoc.paths).sort(), ['/apis/stable.example.com/v1/clustertabs', '/apis/stable.example.com/v1/clustertabs/{name}']);
  t.same(opIds(clusterDoc.paths['/apis/stable.example.com/v1/clustertabs']), ['createStableExampleComV1ClusterTab', 'deleteStableExampleComV1CollectionClusterTab', 'listStableExampleComV1ClusterTab']);

  const v2 = (await s.json('GET', '/openapi/v2')).json() as Json;
  for (const version of ['v1', 'v1beta1']) {
    const item = v2.paths[`/apis/example.kubemu.dev/${version}/widgets`];
    t.ok(item, `v2 has the all-namespaces path of ${version}`);
    t.equal(item?.get?.operationId, `listExampleKubemuDev${version[0]!.toUpperCase()}${version.slice(1)}WidgetForAllNamespaces`);
  }
  t.notOk(Object.keys(v2.paths).some((p) => p === '/apis/stable.example.com/v1/namespaces/{namespace}/clustertabs'), 'no namespaced path for a cluster kind');

  // The path answers as documented: a list across namespaces.
  await s.json('POST', '/api/v1/namespaces', { metadata: { name: 'other' } });
  for (const namespace of ['default', 'other'])
    t.equal((await s.json('POST', `/apis/example.kubemu.dev/v1/namespaces/${namespace}/widgets`, { metadata: { name: 'w' }, spec: { color: 'red' } })).statusCode, 201);
  const list = (await s.json('GET', '/apis/example.kubemu.dev/v1/widgets')).json() as Json;
  t.same(list.items.map((o: Json) => o.metadata.namespace).sort(), ['default', 'other']);
});
