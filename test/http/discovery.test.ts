import t from 'tap';
import { testServer, type TestServer } from '../helpers/server.js';

let s: TestServer;
t.before(async () => {
  s = await testServer();
});
t.teardown(() => s.close());

const get = (url: string, accept?: string) => s.request({ method: 'GET', url, headers: accept ? { accept } : {} });

t.test('/api lists v1', async (t) => {
  const body = (await get('/api')).json();
  t.equal(body.kind, 'APIVersions');
  t.same(body.versions, ['v1']);
  t.equal(body.serverAddressByClientCIDRs[0].clientCIDR, '0.0.0.0/0');
});

t.test('/apis lists groups with preferred versions; autoscaling prefers v2', async (t) => {
  const body = (await get('/apis')).json();
  t.equal(body.kind, 'APIGroupList');
  const byName = new Map(body.groups.map((g: { name: string }) => [g.name, g]));
  for (const g of ['apps', 'batch', 'autoscaling', 'coordination.k8s.io', 'events.k8s.io', 'networking.k8s.io', 'policy', 'rbac.authorization.k8s.io', 'scheduling.k8s.io', 'storage.k8s.io', 'discovery.k8s.io', 'apiextensions.k8s.io'])
    t.ok(byName.has(g), `group ${g}`);
  t.match(byName.get('autoscaling'), { preferredVersion: { groupVersion: 'autoscaling/v2', version: 'v2' } });
  const group = (await get('/apis/apps')).json();
  t.match(group, { kind: 'APIGroup', name: 'apps', preferredVersion: { groupVersion: 'apps/v1' } });
  t.equal((await get('/apis/nope')).statusCode, 404);
});

t.test('/api/v1 and /apis/apps/v1 list resources with verbs, short names, categories and subresources', async (t) => {
  const core = (await get('/api/v1')).json();
  t.equal(core.kind, 'APIResourceList');
  t.equal(core.groupVersion, 'v1');
  const pods = core.resources.find((r: { name: string }) => r.name === 'pods');
  t.match(pods, { singularName: 'pod', namespaced: true, kind: 'Pod', shortNames: ['po'], categories: ['all'] });
  t.same([...pods.verbs].sort(), ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch']);
  t.ok(core.resources.find((r: { name: string }) => r.name === 'pods/status'));
  const ns = core.resources.find((r: { name: string }) => r.name === 'namespaces');
  t.match(ns, { namespaced: false, shortNames: ['ns'] });

  const apps = (await get('/apis/apps/v1')).json();
  t.equal(apps.groupVersion, 'apps/v1');
  const scale = apps.resources.find((r: { name: string }) => r.name === 'deployments/scale');
  t.match(scale, { group: 'autoscaling', version: 'v1', kind: 'Scale' });
  for (const r of [...core.resources, ...apps.resources]) {
    for (const key of ['name', 'singularName', 'namespaced', 'kind', 'verbs']) t.ok(key in r, `${r.name} has ${key}`);
  }
});

t.test('aggregated discovery answers v2 and v2beta1 with the exact content type', async (t) => {
  for (const v of ['v2', 'v2beta1']) {
    const type = `application/json;g=apidiscovery.k8s.io;v=${v};as=APIGroupDiscoveryList`;
    const res = await get('/apis', `${type},application/json`);
    t.equal(res.headers['content-type'], type);
    t.equal(res.headers.vary, 'Accept');
    const body = res.json();
    t.equal(body.apiVersion, `apidiscovery.k8s.io/${v}`);
    const apps = body.items.find((i: { metadata: { name: string } }) => i.metadata.name === 'apps');
    const deployments = apps.versions[0].resources.find((r: { resource: string }) => r.resource === 'deployments');
    t.match(deployments, { scope: 'Namespaced', singularResource: 'deployment', shortNames: ['deploy'], categories: ['all'] });
    t.ok(deployments.subresources.some((x: { subresource: string }) => x.subresource === 'scale'));
    const core = (await get('/api', type)).json();
    t.equal(core.items.length, 1);
    t.equal(core.items[0].versions[0].version, 'v1');
  }
  const plain = await get('/apis', 'application/json');
  t.match(plain.headers['content-type'], /^application\/json/);
  t.equal(plain.json().kind, 'APIGroupList');
});

t.test('ETag and If-None-Match', async (t) => {
  const first = await get('/api/v1');
  const etag = first.headers.etag as string;
  t.ok(etag);
  const again = await s.request({ method: 'GET', url: '/api/v1', headers: { 'if-none-match': etag } });
  t.equal(again.statusCode, 304);
});

t.test('/version reports the configured version', async (t) => {
  const body = (await get('/version')).json();
  t.match(body, { major: '1', minor: '31', gitVersion: 'v1.31.0', compiler: 'gc' });
});

t.test('health endpoints', async (t) => {
  for (const path of ['/healthz', '/livez', '/readyz']) t.equal((await get(path)).body, 'ok');
  const verbose = (await get('/readyz?verbose')).body;
  t.match(verbose, /\[\+\]ping ok/);
  t.match(verbose, /readyz check passed/);
  t.equal((await get('/livez/ping')).body, 'ok');
  t.equal((await get('/livez/nope')).statusCode, 404);
});

t.test('an unknown path is a 404 Status', async (t) => {
  const res = await get('/nothing/here');
  t.equal(res.statusCode, 404);
  t.match(res.json(), { kind: 'Status', reason: 'NotFound', message: 'the server could not find the requested resource' });
});
