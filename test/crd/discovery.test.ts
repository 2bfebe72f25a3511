/**
 * Discovery and OpenAPI follow the served custom resources: legacy and aggregated discovery list
 * a CRD's group and versions once it is Established (preferred version by Kubernetes version
 * priority, subresources, short names, categories) and forget them when it goes; /openapi/v3
 * indexes a document per custom group-version and /openapi/v2 carries the kind, with ETags that
 * change each time.
 */
import t from 'tap';
import { testServer } from '../helpers/server.js';
import { cronTabCrd, widgetCrd } from './fixtures.js';

type Json = Record<string, any>;
const CRDS = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
const AGGREGATED = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';

t.test('discovery lists custom groups once Established and drops them on delete', async (t) => {
  const s = await testServer();
  t.teardown(() => s.close());
  const before = await s.json('GET', '/apis');
  const etagBefore = before.headers.etag;
  t.equal((await s.json('POST', CRDS, widgetCrd())).statusCode, 201);
  t.equal((await s.json('POST', CRDS, cronTabCrd())).statusCode, 201);
  await s.server.crds.idle();

  const groups = await s.json('GET', '/apis');
  t.not(groups.headers.etag, etagBefore, 'ETag changed');
  const widgets = groups.json().groups.find((g: Json) => g.name === 'example.kubemu.dev');
  t.same(widgets.versions.map((v: Json) => v.version), ['v1', 'v1beta1']);
  t.same(widgets.preferredVersion, { groupVersion: 'example.kubemu.dev/v1', version: 'v1' });

  const list = (await s.json('GET', '/apis/example.kubemu.dev/v1')).json();
  t.same(
    list.resources.map((r: Json) => [r.name, r.kind, r.namespaced]),
    [['widgets', 'Widget', true], ['widgets/scale', 'Scale', true], ['widgets/status', 'Widget', true]],
  );
  t.match(list.resources[0], { singularName: 'widget', shortNames: ['wd'], verbs: ['delete', 'deletecollection', 'get', 'list', 'patch', 'create', 'update', 'watch'] });
  t.match(list.resources[1], { group: 'autoscaling', version: 'v1' });

  const aggregated = await s.request({ method: 'GET', url: '/apis', headers: { accept: AGGREGATED } });
  const stable = aggregated.json().items.find((g: Json) => g.metadata.name === 'stable.example.com');
  t.match(stable.versions[0].resources[0], { resource: 'crontabs', scope: 'Namespaced', shortNames: ['ct'], categories: ['all'], responseKind: { kind: 'CronTab' } });

  const del = await s.json('DELETE', `${CRDS}/crontabs.stable.example.com`);
  t.equal(del.statusCode, 200);
  await s.server.crds.idle();
  await s.server.crds.idle();
  const after = await s.json('GET', '/apis');
  t.notOk(after.json().groups.some((g: Json) => g.name === 'stable.example.com'), 'group gone');
  t.equal((await s.json('GET', '/apis/stable.example.com/v1')).statusCode, 404);
});

t.test('OpenAPI v3 and v2 carry custom kinds; ETags change with the served set', async (t) => {
  const s = await testServer();
  t.teardown(() => s.close());
  const index0 = await s.json('GET', '/openapi/v3');
  t.equal((await s.json('POST', CRDS, cronTabCrd())).statusCode, 201);
  await s.server.crds.idle();
  const index = await s.json('GET', '/openapi/v3');
  t.not(index.headers.etag, index0.headers.etag);
  const url = index.json().paths['apis/stable.example.com/v1']?.serverRelativeURL;
  t.match(url, /^\/openapi\/v3\/apis\/stable\.example\.com\/v1\?hash=[0-9A-F]{128}$/);
  const doc = (await s.json('GET', url)).json();
  const kind = doc.components.schemas['com.example.stable.v1.CronTab'];
  t.same(kind['x-kubernetes-group-version-kind'], [{ group: 'stable.example.com', kind: 'CronTab', version: 'v1' }]);
  t.match(kind.properties.spec.properties.cronSpec, { type: 'string' });
  t.ok(doc.components.schemas['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'], 'ObjectMeta resolvable');
  const patch = doc.paths['/apis/stable.example.com/v1/namespaces/{namespace}/crontabs/{name}'].patch;
  t.ok(patch.parameters.some((p: Json) => p.name === 'fieldValidation'), 'fieldValidation parameter (kubectl server-side validation check)');
  t.same(patch['x-kubernetes-group-version-kind'], { group: 'stable.example.com', kind: 'CronTab', version: 'v1' });
  t.notOk('application/strategic-merge-patch+json' in patch.requestBody.content, 'no strategic merge patch (kubectl apply then uses merge patch)');

  const v2 = await s.json('GET', '/openapi/v2');
  t.ok(v2.json().definitions['com.example.stable.v1.CronTab'], 'v2 definition');
  t.ok(v2.json().definitions['io.k8s.api.apps.v1.Deployment'], 'built-ins kept');
  const etag = v2.headers.etag;
  t.equal((await s.json('DELETE', `${CRDS}/crontabs.stable.example.com`)).statusCode, 200);
  await s.server.crds.idle();
  await s.server.crds.idle();
  const v2after = await s.json('GET', '/openapi/v2');
  t.not(v2after.headers.etag, etag);
  t.notOk(v2after.json().definitions['com.example.stable.v1.CronTab']);
  t.equal((await s.json('GET', url.split('?')[0])).statusCode, 404);
});

t.test('a group served by several CRDs lists its versions by priority', async (t) => {
  const s = await testServer();
  t.teardown(() => s.close());
  const a = cronTabCrd() as Json;
  const b = cronTabCrd() as Json;
  b.metadata.name = 'jobs2.stable.example.com';
  b.spec.names = { plural: 'jobs2', singular: 'job2', kind: 'Job2' };
  const v = b.spec.versions[0];
  b.spec.versions = [{ ...v, name: 'v1alpha1', storage: false }, { ...v, name: 'v2', storage: true }];
  t.equal((await s.json('POST', CRDS, a)).statusCode, 201);
  t.equal((await s.json('POST', CRDS, b)).statusCode, 201);
  await s.server.crds.idle();
  const group = (await s.json('GET', '/apis/stable.example.com')).json();
  t.same(group.versions.map((x: Json) => x.version), ['v2', 'v1', 'v1alpha1']);
  t.same(group.preferredVersion, { groupVersion: 'stable.example.com/v2', version: 'v2' });
});
