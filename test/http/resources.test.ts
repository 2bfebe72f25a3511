import t from 'tap';
import { withDefaults } from '../../src/cli/config.js';
import { buildServer } from '../../src/server.js';
import { testServer, type TestServer } from '../helpers/server.js';

let s: TestServer;
t.before(async () => {
  s = await testServer();
});
t.teardown(() => s.close());

const CM = '/api/v1/namespaces/default/configmaps';
const configMap = (name: string, data: Record<string, string> = { a: '1' }) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data });

t.test('create → get → list → replace → merge patch → delete of a ConfigMap', async (t) => {
  const created = await s.json('POST', CM, configMap('crud'));
  t.equal(created.statusCode, 201);
  const obj = created.json();
  t.equal(obj.metadata.namespace, 'default');
  t.match(obj.metadata.uid, /^[0-9a-f-]{36}$/);
  t.match(obj.metadata.creationTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  t.match(obj.metadata.resourceVersion, /^\d+$/);
  t.notOk('generation' in obj.metadata, 'configmaps have no generation');

  const got = await s.request({ method: 'GET', url: `${CM}/crud` });
  t.equal(got.statusCode, 200);
  t.same(got.json(), obj, 'GET returns the stored object unchanged');

  const list = (await s.request({ method: 'GET', url: CM })).json();
  t.equal(list.kind, 'ConfigMapList');
  t.equal(list.apiVersion, 'v1');
  t.ok(Number(list.metadata.resourceVersion) >= Number(obj.metadata.resourceVersion));
  t.ok(list.items.some((i: { metadata: { name: string } }) => i.metadata.name === 'crud'));

  const replaced = await s.json('PUT', `${CM}/crud`, { ...obj, data: { a: '2' } });
  t.equal(replaced.statusCode, 200);
  t.equal(replaced.json().data.a, '2');
  t.ok(Number(replaced.json().metadata.resourceVersion) > Number(obj.metadata.resourceVersion));
  t.equal(replaced.json().metadata.uid, obj.metadata.uid);

  const patched = await s.json('PATCH', `${CM}/crud`, { metadata: { labels: { app: 'x' } } }, { 'content-type': 'application/merge-patch+json' });
  t.equal(patched.statusCode, 200);
  t.same(patched.json().metadata.labels, { app: 'x' });
  t.equal(patched.json().data.a, '2');

  const jsonPatched = await s.json('PATCH', `${CM}/crud`, [{ op: 'replace', path: '/data/a', value: '3' }], {
    'content-type': 'application/json-patch+json',
  });
  t.equal(jsonPatched.json().data.a, '3');

  const deleted = await s.request({ method: 'DELETE', url: `${CM}/crud` });
  t.equal(deleted.statusCode, 200);
  t.match(deleted.json(), { kind: 'Status', status: 'Success', details: { name: 'crud', kind: 'configmaps', uid: obj.metadata.uid } });
  const gone = await s.request({ method: 'GET', url: `${CM}/crud` });
  t.equal(gone.statusCode, 404);
  t.equal(gone.json().message, 'configmaps "crud" not found');
});

t.test('an update that changes nothing does not take a new revision', async (t) => {
  const obj = (await s.json('POST', CM, configMap('same'))).json();
  const again = await s.json('PUT', `${CM}/same`, obj);
  t.equal(again.json().metadata.resourceVersion, obj.metadata.resourceVersion);
});

t.test('YAML bodies are accepted', async (t) => {
  const res = await s.request({
    method: 'POST',
    url: CM,
    headers: { 'content-type': 'application/yaml' },
    payload: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-yaml\ndata:\n  k: v\n',
  });
  t.equal(res.statusCode, 201);
  t.equal(res.json().data.k, 'v');
});

t.test('generateName produces a name with five random characters', async (t) => {
  const res = await s.json('POST', CM, { metadata: { generateName: 'gen-' }, data: {} });
  t.equal(res.statusCode, 201);
  t.match(res.json().metadata.name, /^gen-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
});

t.test('bad input gets the right Status and nothing is stored', async (t) => {
  const cases: Array<{ name: string; send: () => Promise<{ statusCode: number; json(): Record<string, unknown> }>; code: number; reason: string; message: RegExp | string }> = [
    {
      name: 'malformed JSON',
      send: () => s.json('POST', CM, '{"metadata": {'),
      code: 400,
      reason: 'BadRequest',
      message: /^the object provided is unrecognized \(must be of type ConfigMap\): couldn't get version\/kind; json parse error: /,
    },
    {
      name: 'malformed YAML',
      send: () => s.request({ method: 'POST', url: CM, headers: { 'content-type': 'application/yaml' }, payload: 'metadata: [unclosed\n  name: x' }),
      code: 400,
      reason: 'BadRequest',
      message: /^the object provided is unrecognized \(must be of type ConfigMap\): couldn't get version\/kind; error converting YAML to JSON/,
    },
    {
      name: 'a kind that does not match the URL',
      send: () => s.json('POST', CM, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'k' } }),
      code: 400,
      reason: 'BadRequest',
      message: 'Secret in version "v1" cannot be handled as a ConfigMap: converting (v1.Secret) to (core.ConfigMap): unknown conversion',
    },
    {
      name: 'an apiVersion that does not match the URL',
      send: () => s.json('POST', CM, { apiVersion: 'apps/v1', kind: 'ConfigMap', metadata: { name: 'k' } }),
      code: 400,
      reason: 'BadRequest',
      message: 'the API version in the data (apps/v1) does not match the expected API version (v1)',
    },
    {
      name: 'a namespace that does not match the URL',
      send: () => s.json('POST', CM, { metadata: { name: 'k', namespace: 'kube-system' } }),
      code: 400,
      reason: 'BadRequest',
      message: 'the namespace of the provided object does not match the namespace sent on the request',
    },
    {
      name: 'an invalid name',
      send: () => s.json('POST', CM, configMap('Bad_Name')),
      code: 422,
      reason: 'Invalid',
      message: /^ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of/,
    },
    {
      name: 'an invalid label',
      send: () => s.json('POST', CM, { metadata: { name: 'lbl', labels: { 'bad key!': 'v' } } }),
      code: 422,
      reason: 'Invalid',
      message: /^ConfigMap "lbl" is invalid: metadata.labels: Invalid value: "bad key!": name part must consist of alphanumeric characters/,
    },
    {
      name: 'a missing name',
      send: () => s.json('POST', CM, { metadata: {} }),
      code: 422,
      reason: 'Invalid',
      message: 'ConfigMap "" is invalid: metadata.name: Required value: name or generateName is required',
    },
    {
      name: 'labels that are not strings',
      send: () => s.json('POST', CM, { metadata: { name: 'n', labels: { a: 1 } } }),
      code: 400,
      reason: 'BadRequest',
      message: /cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string/,
    },
    {
      name: 'an unknown resource',
      send: () => s.request({ method: 'GET', url: '/api/v1/namespaces/default/widgets' }),
      code: 404,
      reason: 'NotFound',
      message: 'the server could not find the requested resource',
    },
    {
      name: 'a namespace that does not exist',
      send: () => s.json('POST', '/api/v1/namespaces/nowhere/configmaps', configMap('x')),
      code: 404,
      reason: 'NotFound',
      message: 'namespaces "nowhere" not found',
    },
    {
      name: 'a 4 MiB body',
      send: () => s.json('POST', CM, configMap('big', { big: 'x'.repeat(4 * 1024 * 1024) })),
      code: 413,
      reason: 'RequestEntityTooLarge',
      message: 'Request entity too large: limit is 3145728',
    },
    {
      name: 'a resourceVersion on create',
      send: () => s.json('POST', CM, { metadata: { name: 'rv', resourceVersion: '5' } }),
      code: 400,
      reason: 'BadRequest',
      message: 'resourceVersion should not be set on objects to be created',
    },
    {
      name: 'an unsupported patch type',
      send: () => s.json('PATCH', `${CM}/x`, {}, { 'content-type': 'text/plain' }),
      code: 415,
      reason: 'UnsupportedMediaType',
      message: /^the body of the request was in an unknown format - accepted media types include: /,
    },
    {
      name: 'a bad dryRun value',
      send: () => s.json('POST', `${CM}?dryRun=Nope`, configMap('dr')),
      code: 422,
      reason: 'Invalid',
      message: 'CreateOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: ["Nope"]: supported values: "All"',
    },
  ];
  for (const c of cases) {
    const res = await c.send();
    t.equal(res.statusCode, c.code, `${c.name}: code`);
    const body = res.json();
    t.equal(body.kind, 'Status', `${c.name}: a Status`);
    t.equal(body.reason, c.reason, `${c.name}: reason`);
    t.equal(body.code, c.code, `${c.name}: code in body`);
    if (typeof c.message === 'string') t.equal(body.message, c.message, `${c.name}: message`);
    else t.match(body.message, c.message, `${c.name}: message`);
  }
  const names = (await s.request({ method: 'GET', url: CM })).json().items.map((i: { metadata: { name: string } }) => i.metadata.name);
  for (const n of ['k', 'Bad_Name', 'lbl', 'n', 'big', 'rv', 'dr']) t.notOk(names.includes(n), `${n} was not stored`);
});

t.test('a stale resourceVersion is a Conflict', async (t) => {
  const obj = (await s.json('POST', CM, configMap('stale'))).json();
  await s.json('PUT', `${CM}/stale`, { ...obj, data: { a: 'new' } });
  const res = await s.json('PUT', `${CM}/stale`, { ...obj, data: { a: 'old' } });
  t.equal(res.statusCode, 409);
  t.equal(
    res.json().message,
    'Operation cannot be fulfilled on configmaps "stale": the object has been modified; please apply your changes to the latest version and try again',
  );
  t.equal((await s.request({ method: 'GET', url: `${CM}/stale` })).json().data.a, 'new');
});

t.test('AlreadyExists on a second create', async (t) => {
  await s.json('POST', CM, configMap('twice'));
  const res = await s.json('POST', CM, configMap('twice'));
  t.equal(res.statusCode, 409);
  t.equal(res.json().reason, 'AlreadyExists');
  t.equal(res.json().message, 'configmaps "twice" already exists');
});

t.test('dryRun=All persists nothing', async (t) => {
  const res = await s.json('POST', `${CM}?dryRun=All`, configMap('dry'));
  t.equal(res.statusCode, 201);
  t.equal((await s.request({ method: 'GET', url: `${CM}/dry` })).statusCode, 404);
});

t.test('finalizers hold a delete until they are removed', async (t) => {
  await s.json('POST', CM, { metadata: { name: 'held', finalizers: ['example.com/hold'] } });
  const del = await s.request({ method: 'DELETE', url: `${CM}/held` });
  t.equal(del.statusCode, 200);
  t.ok(del.json().metadata.deletionTimestamp, 'marked for deletion');
  const added = await s.json('PATCH', `${CM}/held`, { metadata: { finalizers: ['example.com/hold', 'example.com/more'] } }, {
    'content-type': 'application/merge-patch+json',
  });
  t.equal(added.statusCode, 422, 'no new finalizers while deleting');
  const released = await s.json('PATCH', `${CM}/held`, { metadata: { finalizers: null } }, { 'content-type': 'application/merge-patch+json' });
  t.equal(released.statusCode, 200);
  t.equal((await s.request({ method: 'GET', url: `${CM}/held` })).statusCode, 404, 'gone once the last finalizer is removed');
});

t.test('ownerReferences are validated', async (t) => {
  const res = await s.json('POST', CM, {
    metadata: {
      name: 'owned',
      ownerReferences: [
        { apiVersion: 'v1', kind: 'A', name: 'a', uid: '1', controller: true },
        { apiVersion: 'v1', kind: 'B', name: 'b', uid: '', controller: true },
      ],
    },
  });
  t.equal(res.statusCode, 422);
  t.match(res.json().message, /metadata.ownerReferences\[1\].uid: Required value: must not be empty/);
  t.match(res.json().message, /Only one reference can have Controller set to true. Found "true" in references for A\/a and B\/b/);
});

t.test('namespaces: DNS-1123 labels, phase Active, finalizer kubernetes, system namespaces protected', async (t) => {
  const ns = await s.json('POST', '/api/v1/namespaces', { metadata: { name: 'team-a' } });
  t.equal(ns.statusCode, 201);
  t.same(ns.json().spec, { finalizers: ['kubernetes'] });
  t.same(ns.json().status, { phase: 'Active' });
  t.equal(ns.json().metadata.labels['kubernetes.io/metadata.name'], 'team-a');
  const dotted = await s.json('POST', '/api/v1/namespaces', { metadata: { name: 'a.b' } });
  t.equal(dotted.statusCode, 422);
  t.equal(dotted.json().message, 'Namespace "a.b" is invalid: metadata.name: Invalid value: "a.b": must not contain dots');
  const del = await s.request({ method: 'DELETE', url: '/api/v1/namespaces/kube-system' });
  t.equal(del.statusCode, 403);
  t.equal(del.json().message, 'namespaces "kube-system" is forbidden: this namespace may not be deleted');
});

t.test('deployments: generation, defaults, status and scale subresources', async (t) => {
  const D = '/apis/apps/v1/namespaces/default/deployments';
  const dep = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web' },
    spec: {
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
    },
    status: { replicas: 99 },
  };
  const created = (await s.json('POST', D, dep)).json();
  t.equal(created.metadata.generation, 1);
  t.equal(created.spec.replicas, 1);
  t.equal(created.spec.strategy.type, 'RollingUpdate');
  t.equal(created.spec.template.spec.containers[0].imagePullPolicy, 'Always');
  t.notOk(created.status?.replicas, 'status from the body is dropped on create');

  const status = await s.json('PUT', `${D}/web/status`, { ...created, spec: { ...created.spec, replicas: 5 }, status: { replicas: 1 } });
  t.equal(status.statusCode, 200);
  t.equal(status.json().status.replicas, 1);
  t.equal(status.json().spec.replicas, 1, 'the status endpoint does not change spec');
  t.equal(status.json().metadata.generation, 1, 'status writes do not bump generation');

  const scale = await s.request({ method: 'GET', url: `${D}/web/scale` });
  t.match(scale.json(), { kind: 'Scale', apiVersion: 'autoscaling/v1', spec: { replicas: 1 }, status: { replicas: 1, selector: 'app=web' } });
  const scaled = await s.json('PATCH', `${D}/web/scale`, { spec: { replicas: 3 } }, { 'content-type': 'application/merge-patch+json' });
  t.equal(scaled.statusCode, 200);
  t.equal(scaled.json().spec.replicas, 3);
  const after = (await s.request({ method: 'GET', url: `${D}/web` })).json();
  t.equal(after.spec.replicas, 3);
  t.equal(after.metadata.generation, 2, 'a spec change bumps generation');
  const negative = await s.json('PUT', `${D}/web/scale`, { kind: 'Scale', apiVersion: 'autoscaling/v1', metadata: { name: 'web' }, spec: { replicas: -1 } });
  t.equal(negative.statusCode, 422);
  t.equal(negative.json().message, 'Scale.autoscaling "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0');
});

t.test('services: DNS-1035 names, clusterIP allocated and immutable', async (t) => {
  const S = '/api/v1/namespaces/default/services';
  const bad = await s.json('POST', S, { metadata: { name: '1svc' }, spec: { ports: [{ port: 80 }] } });
  t.equal(bad.statusCode, 422);
  const svc = (await s.json('POST', S, { metadata: { name: 'svc' }, spec: { ports: [{ port: 80 }] } })).json();
  t.match(svc.spec.clusterIP, /^10\.(9[6-9]|10[0-9]|11[01])\.\d+\.\d+$/);
  t.equal(svc.spec.ports[0].targetPort, 80);
  const changed = await s.json('PUT', `${S}/svc`, { ...svc, spec: { ...svc.spec, clusterIP: '10.96.0.99', clusterIPs: ['10.96.0.99'] } });
  t.equal(changed.statusCode, 422);
  t.equal(changed.json().message, 'Service "svc" is invalid: spec.clusterIPs[0]: Invalid value: []string{"10.96.0.99"}: may not change once set');
});

t.test('bootstrap state: four namespaces and the kubernetes Service', async (t) => {
  const names = (await s.request({ method: 'GET', url: '/api/v1/namespaces' })).json().items.map((n: { metadata: { name: string } }) => n.metadata.name);
  for (const n of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) t.ok(names.includes(n), n);
  const svc = (await s.request({ method: 'GET', url: '/api/v1/namespaces/default/services/kubernetes' })).json();
  t.equal(svc.spec.clusterIP, '10.96.0.1');
});

t.test('cluster-scoped resources refuse a namespace in the URL; all-namespace lists work', async (t) => {
  t.equal((await s.request({ method: 'GET', url: '/api/v1/namespaces/default/nodes' })).statusCode, 404);
  const all = (await s.request({ method: 'GET', url: '/api/v1/configmaps' })).json();
  t.equal(all.kind, 'ConfigMapList');
  t.equal((await s.json('POST', '/api/v1/configmaps', configMap('x'))).statusCode, 405);
});

t.test('deletecollection with a label selector deletes only what matches', async (t) => {
  await s.json('POST', CM, { metadata: { name: 'sel-a', labels: { batch: 'one' } } });
  await s.json('POST', CM, { metadata: { name: 'sel-b', labels: { batch: 'two' } } });
  const res = await s.request({ method: 'DELETE', url: `${CM}?labelSelector=batch%3Done` });
  t.equal(res.statusCode, 200);
  t.same(res.json().items.map((i: { metadata: { name: string } }) => i.metadata.name), ['sel-a']);
  t.equal((await s.request({ method: 'GET', url: `${CM}/sel-b` })).statusCode, 200);
});

t.test('over plain HTTP a request without credentials is the admin, a wrong token is 401', async (t) => {
  const res = await s.server.app.inject({ method: 'GET', url: '/api/v1/namespaces' });
  t.equal(res.statusCode, 200, 'as system:unsecured, like the old insecure port');
  const bad = await s.server.app.inject({ method: 'GET', url: '/api/v1/namespaces', headers: { authorization: 'Bearer wrong' } });
  t.equal(bad.statusCode, 401);
});

t.test('over HTTPS requests without credentials are system:anonymous, refused by RBAC; health and version are public', async (t) => {
  const tls = await buildServer(withDefaults({ storage: 'memory', tls: true, port: 0, controllers: false }));
  t.teardown(() => tls.close());
  const res = await tls.app.inject({ method: 'GET', url: '/api/v1/namespaces' });
  t.equal(res.statusCode, 403);
  t.same(res.json(), {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: 'namespaces is forbidden: User "system:anonymous" cannot list resource "namespaces" in API group "" at the cluster scope',
    reason: 'Forbidden',
    details: { kind: 'namespaces' },
    code: 403,
  });
  t.equal((await tls.app.inject({ method: 'GET', url: '/api/v1/namespaces', headers: { authorization: 'Bearer wrong' } })).statusCode, 401, 'a bad token is still 401');
  t.equal((await tls.app.inject({ method: 'GET', url: '/healthz' })).body, 'ok');
  t.equal((await tls.app.inject({ method: 'GET', url: '/version' })).statusCode, 200);
  const withToken = await tls.app.inject({ method: 'GET', url: '/api/v1/namespaces', headers: { authorization: `Bearer ${tls.adminToken}` } });
  t.equal(withToken.statusCode, 200, 'the admin token works over HTTPS too');
});

t.test('PUT names must match the URL; namespaced items need a namespace in the URL', async (t) => {
  await s.json('POST', CM, configMap('named'));
  const noName = await s.json('PUT', `${CM}/named`, { data: { a: 'b' } });
  t.equal(noName.statusCode, 400);
  t.equal(noName.json().message, 'the name of the object () does not match the name on the URL (named)');
  const other = await s.json('PUT', `${CM}/named`, configMap('other'));
  t.equal(other.json().message, 'the name of the object (other) does not match the name on the URL (named)');
  t.equal((await s.request({ method: 'GET', url: '/api/v1/configmaps/named' })).statusCode, 404);
});
