/**
 * CRD lifecycle through the API: validation of the CRD itself (422 with upstream wording),
 * NamesAccepted / Established with acceptedNames and storedVersions, name conflicts, and
 * deletion (cleanup finalizer, Terminating, custom resources deleted first).
 */
import t from 'tap';
import { testServer, type TestServer } from '../helpers/server.js';
import { cronTabCrd, widgetCrd } from './fixtures.js';

const CRDS = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';

type Json = Record<string, any>;

async function established(s: TestServer, name: string): Promise<Json> {
  await s.server.crds.idle();
  const res = await s.json('GET', `${CRDS}/${name}`);
  return res.json();
}

t.test('a valid CRD becomes Established with accepted names and storedVersions', async (t) => {
  const s = await testServer();
  t.teardown(() => s.close());
  const created = await s.json('POST', CRDS, cronTabCrd());
  t.equal(created.statusCode, 201, created.body);
  t.same(created.json().status.storedVersions, ['v1']);
  const crd = await established(s, 'crontabs.stable.example.com');
  const conditions = Object.fromEntries(crd.status.conditions.map((c: Json) => [c.type, c]));
  t.match(conditions.NamesAccepted, { status: 'True', reason: 'NoConflicts', message: 'no conflicts found' });
  t.match(conditions.Established, { status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted' });
  t.match(crd.status.acceptedNames, { plural: 'crontabs', singular: 'crontab', kind: 'CronTab', shortNames: ['ct'], categories: ['all'] });
  t.equal(crd.metadata.generation, 1);
  const cr = await s.json('POST', '/apis/stable.example.com/v1/namespaces/default/crontabs', {
    apiVersion: 'stable.example.com/v1',
    kind: 'CronTab',
    metadata: { name: 'c1' },
    spec: { cronSpec: '* * * * */5', image: 'img' },
  });
  t.equal(cr.statusCode, 201, cr.body);
  t.equal(cr.json().spec.replicas, 1, 'default applied');
});

t.test('CRD validation answers 422 with upstream messages', async (t) => {
  const s = await testServer();
  t.teardown(() => s.close());
  const bad = cronTabCrd() as Json;
  bad.metadata.name = 'wrong.stable.example.com';
  bad.spec.group = 'nodot';
  bad.spec.versions[0].storage = false;
  bad.spec.names.listKind = 'CronTab';
  bad.spec.names.kind = 'CronTab';
  const res = await s.json('POST', CRDS, bad);
  t.equal(res.statusCode, 422, res.body);
  const message: string = res.json().message;
  t.match(message, 'metadata.name: Invalid value: "wrong.stable.example.com": must be spec.names.plural+"."+spec.group');
  t.match(message, 'spec.group: Invalid value: "nodot": should be a domain with at least one dot');
  t.match(message, 'must have exactly one version marked as storage version');
  t.match(message, 'spec.names.listKind: Invalid value: "CronTab": kind and listKind may not be the same');

  const noSchema = cronTabCrd() as Json;
  delete noSchema.spec.versions[0].schema;
  const res2 = await s.json('POST', CRDS, noSchema);
  t.equal(res2.statusCode, 422);
  t.match(res2.json().message, 'spec.versions[0].schema.openAPIV3Schema: Required value');

  const scale = widgetCrd() as Json;
  for (const v of scale.spec.versions) v.subresources = { scale: { specReplicasPath: 'spec.replicas', statusReplicasPath: '.spec.x' } };
  const res3 = await s.json('POST', CRDS, scale);
  t.equal(res3.statusCode, 422);
  t.match(res3.json().message, 'spec.subresources.scale.specReplicasPath: Invalid value: "spec.replicas": must be a simple json path starting with .');
  t.match(res3.json().message, 'spec.subresources.scale.statusReplicasPath: Invalid value: ".spec.x": should be a json path under .status');
});

t.test('a CRD whose names are taken in its group is not Established', async (t) => {
  const s = await testServer();
  t.teardown(() => s.close());
  t.equal((await s.json('POST', CRDS, cronTabCrd())).statusCode, 201);
  await s.server.crds.idle();
  const other = cronTabCrd() as Json;
  other.metadata.name = 'crontabs2.stable.example.com';
  other.spec.names = { plural: 'crontabs2', singular: 'crontab2', kind: 'CronTab', listKind: 'CronTab2List', shortNames: ['ct2'] };
  t.equal((await s.json('POST', CRDS, other)).statusCode, 201);
  const crd = await established(s, 'crontabs2.stable.example.com');
  const conditions = Object.fromEntries(crd.status.conditions.map((c: Json) => [c.type, c]));
  t.match(conditions.NamesAccepted, { status: 'False', reason: 'KindConflict', message: '"CronTab" is already in use' });
  t.match(conditions.Established, { status: 'False', reason: 'NotAccepted' });
  const list = await s.json('GET', '/apis/stable.example.com/v1/crontabs2');
  t.equal(list.statusCode, 404, 'not served');
});

t.test('deleting a CRD deletes its custom resources, then the CRD', async (t) => {
  const s = await testServer();
  t.teardown(() => s.close());
  t.equal((await s.json('POST', CRDS, cronTabCrd())).statusCode, 201);
  await s.server.crds.idle();
  for (const name of ['a', 'b'])
    t.equal((await s.json('POST', '/apis/stable.example.com/v1/namespaces/default/crontabs', { metadata: { name }, spec: { image: 'x' } })).statusCode, 201);
  const del = await s.json('DELETE', `${CRDS}/crontabs.stable.example.com`);
  t.equal(del.statusCode, 200, del.body);
  t.ok(del.json().metadata.deletionTimestamp, 'marked');
  t.ok(del.json().metadata.finalizers.includes('customresourcecleanup.apiextensions.k8s.io'));
  t.match(del.json().status.conditions, [{}, {}, { type: 'Terminating', status: 'True', reason: 'InstanceDeletionPending' }]);
  await s.server.crds.idle();
  await s.server.crds.idle();
  t.equal((await s.json('GET', `${CRDS}/crontabs.stable.example.com`)).statusCode, 404, 'CRD gone');
  t.equal((await s.json('GET', '/apis/stable.example.com/v1/crontabs')).statusCode, 404, 'resource no longer served');
  const recreated = await s.json('POST', CRDS, cronTabCrd());
  t.equal(recreated.statusCode, 201);
  await s.server.crds.idle();
  const list = await s.json('GET', '/apis/stable.example.com/v1/crontabs');
  t.equal(list.statusCode, 200);
  t.same(list.json().items, [], 'old objects were deleted, not left behind');
});

t.test('a CRD being deleted waits for custom resources held by finalizers and refuses creates', async (t) => {
  const s = await testServer();
  t.teardown(() => s.close());
  t.equal((await s.json('POST', CRDS, cronTabCrd())).statusCode, 201);
  await s.server.crds.idle();
  const path = '/apis/stable.example.com/v1/namespaces/default/crontabs';
  t.equal((await s.json('POST', path, { metadata: { name: 'held', finalizers: ['example.com/hold'] }, spec: {} })).statusCode, 201);
  t.equal((await s.json('DELETE', `${CRDS}/crontabs.stable.example.com`)).statusCode, 200);
  await s.server.crds.idle();
  const crd = (await s.json('GET', `${CRDS}/crontabs.stable.example.com`)).json();
  t.match(crd.status.conditions.find((c: Json) => c.type === 'Terminating'), { status: 'True', reason: 'InstanceDeletionInProgress', message: 'CustomResource deletion is in progress' });
  t.ok((await s.json('GET', `${path}/held`)).json().metadata.deletionTimestamp, 'custom resource marked for deletion');
  const refused = await s.json('POST', path, { metadata: { name: 'new' }, spec: {} });
  t.equal(refused.statusCode, 405);
  t.equal(refused.json().message, 'create not allowed while custom resource definition is terminating');
  const released = await s.request({ method: 'PATCH', url: `${path}/held`, headers: { 'content-type': 'application/merge-patch+json' }, payload: '{"metadata":{"finalizers":null}}' });
  t.equal(released.statusCode, 200, released.body);
  const deadline = Date.now() + 10_000;
  while ((await s.json('GET', `${CRDS}/crontabs.stable.example.com`)).statusCode !== 404) {
    if (Date.now() > deadline) throw new Error('CRD still there');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  t.pass('CRD gone once its last custom resource went');
});

t.test('CRDs in protected groups need the api-approved.kubernetes.io annotation', async (t) => {
  const s = await testServer();
  t.teardown(() => s.close());
  const crd = cronTabCrd() as Json;
  crd.metadata.name = 'crontabs.stable.k8s.io';
  crd.spec.group = 'stable.k8s.io';
  const missing = await s.json('POST', CRDS, crd);
  t.equal(missing.statusCode, 422);
  t.match(missing.json().message, 'metadata.annotations[api-approved.kubernetes.io]: Required value: protected groups must have approval annotation "api-approved.kubernetes.io", see https://github.com/kubernetes/enhancements/pull/1111');
  crd.metadata.annotations = { 'api-approved.kubernetes.io': 'unapproved, testing only' };
  t.equal((await s.json('POST', CRDS, crd)).statusCode, 201);
  const got = await established(s, 'crontabs.stable.k8s.io');
  t.match(got.status.conditions.find((c: Json) => c.type === 'KubernetesAPIApprovalPolicyConformant'), {
    status: 'False',
    reason: 'UnapprovedAnnotation',
    message: 'not approved: "unapproved, testing only"',
  });
});

t.test('webhook conversion: validated as upstream, accepted with a warning, served as None', async (t) => {
  const s = await testServer();
  t.teardown(() => s.close());
  const crd = cronTabCrd() as Json;
  crd.spec.conversion = { strategy: 'Webhook', webhook: { conversionReviewVersions: ['v2'] } };
  const bad = await s.json('POST', CRDS, crd);
  t.equal(bad.statusCode, 422);
  t.match(bad.json().message, 'spec.conversion.webhookClientConfig: Required value: required when strategy is set to Webhook');
  t.match(bad.json().message, 'spec.conversion.conversionReviewVersions: Invalid value: ["v2"]: must include at least one of v1, v1beta1');
  crd.spec.conversion.webhook = { clientConfig: { service: { name: 'conv', namespace: 'default' } }, conversionReviewVersions: ['v1'] };
  const ok = await s.json('POST', CRDS, crd);
  t.equal(ok.statusCode, 201, ok.body);
  t.match(String(ok.headers.warning), 'kubemu does not call conversion webhooks');
  await s.server.crds.idle();
  t.equal((await s.json('POST', '/apis/stable.example.com/v1/namespaces/default/crontabs', { metadata: { name: 'c' }, spec: {} })).statusCode, 201);
});
