/**
 * The review resources: discovery lists them with verbs [create]; SubjectAccessReview,
 * LocalSubjectAccessReview, SelfSubjectAccessReview, SelfSubjectRulesReview and SelfSubjectReview
 * (v1 and v1beta1) answer POST with 201 and store nothing; validation failures are worded as
 * kube-apiserver's.
 */
import t from 'tap';
import { testServer } from '../../helpers/server.js';
import { installFixture } from './fixture.js';

const AUTHZ = '/apis/authorization.k8s.io/v1';

t.test('reviews: discovery lists them create-only, in their groups and versions', async (t) => {
  const s = await testServer();
  t.teardown(() => s.close());
  const authz = (await s.request({ method: 'GET', url: AUTHZ })).json();
  t.same(
    authz.resources.map((r: { name: string; namespaced: boolean; kind: string; verbs: string[] }) => [r.name, r.namespaced, r.kind, r.verbs]),
    [
      ['localsubjectaccessreviews', true, 'LocalSubjectAccessReview', ['create']],
      ['selfsubjectaccessreviews', false, 'SelfSubjectAccessReview', ['create']],
      ['selfsubjectrulesreviews', false, 'SelfSubjectRulesReview', ['create']],
      ['subjectaccessreviews', false, 'SubjectAccessReview', ['create']],
    ],
  );
  const authn = (await s.request({ method: 'GET', url: '/apis/authentication.k8s.io' })).json();
  t.same(authn.versions.map((v: { version: string }) => v.version), ['v1', 'v1beta1']);
  t.equal(authn.preferredVersion.version, 'v1');
  const v1beta1 = (await s.request({ method: 'GET', url: '/apis/authentication.k8s.io/v1beta1' })).json();
  t.same(v1beta1.resources.map((r: { name: string }) => r.name), ['selfsubjectreviews']);
  const groups = (await s.request({ method: 'GET', url: '/apis' })).json().groups.map((g: { name: string }) => g.name);
  t.ok(groups.indexOf('authentication.k8s.io') < groups.indexOf('authorization.k8s.io'));
  t.ok(groups.indexOf('authorization.k8s.io') < groups.indexOf('autoscaling'), 'listed where kube-apiserver lists them');
  const aggregated = await s.request({ method: 'GET', url: '/apis', headers: { accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList' } });
  t.match(aggregated.body, /"resource":"selfsubjectaccessreviews"/);
});

t.test('reviews: SubjectAccessReview asks about the user in the spec, exactly as given', async (t) => {
  const s = await testServer();
  t.teardown(() => s.close());
  await installFixture(s);
  const spec = { resourceAttributes: { namespace: 'ns1', verb: 'get', resource: 'pods', name: 'p' }, user: 'alice' };
  const res = await s.json('POST', `${AUTHZ}/subjectaccessreviews`, { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec });
  t.equal(res.statusCode, 201);
  t.same(res.json(), {
    kind: 'SubjectAccessReview',
    apiVersion: 'authorization.k8s.io/v1',
    metadata: { creationTimestamp: null },
    spec,
    status: { allowed: true, reason: 'RBAC: allowed by ClusterRoleBinding "alice-pod-reader" of ClusterRole "pod-reader" to User "alice"' },
  });
  const byGroup = await s.json('POST', `${AUTHZ}/subjectaccessreviews`, { spec: { nonResourceAttributes: { path: '/api', verb: 'get' }, groups: ['system:authenticated'] } });
  t.equal(byGroup.json().status.allowed, true, 'a group alone is enough');
  const noOne = await s.json('POST', `${AUTHZ}/subjectaccessreviews`, { spec: { nonResourceAttributes: { path: '/api', verb: 'get' } } });
  t.equal(noOne.statusCode, 422);
  t.equal(noOne.json().message, 'SubjectAccessReview.authorization.k8s.io "" is invalid: spec.user: Invalid value: "": at least one of user or group must be specified');
  const neither = await s.json('POST', `${AUTHZ}/subjectaccessreviews`, { spec: { user: 'x' } });
  t.equal(neither.json().message, 'SubjectAccessReview.authorization.k8s.io "" is invalid: spec.resourceAttributes: Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes must be specified');
  const both = await s.json('POST', `${AUTHZ}/subjectaccessreviews`, { spec: { user: 'x', resourceAttributes: { verb: 'get' }, nonResourceAttributes: { path: '/x', verb: 'get' } } });
  t.equal(
    both.json().message,
    'SubjectAccessReview.authorization.k8s.io "" is invalid: spec.nonResourceAttributes: Invalid value: authorization.NonResourceAttributes{Path:"/x", Verb:"get"}: cannot be specified in combination with resourceAttributes',
  );
  const named = await s.json('POST', `${AUTHZ}/subjectaccessreviews`, { metadata: { name: 'x' }, spec: { user: 'x', resourceAttributes: { verb: 'get' } } });
  t.equal(named.statusCode, 422);
  t.match(named.json().message, /metadata: Invalid value: .*must be empty/);
  t.equal((await s.request({ method: 'GET', url: `${AUTHZ}/subjectaccessreviews` })).statusCode, 405, 'create only');
  t.equal((await s.request({ method: 'GET', url: `${AUTHZ}/subjectaccessreviews/x` })).statusCode, 404);
});

t.test('reviews: LocalSubjectAccessReview is bound to the namespace of its URL', async (t) => {
  const s = await testServer();
  t.teardown(() => s.close());
  await installFixture(s);
  const url = `${AUTHZ}/namespaces/ns2/localsubjectaccessreviews`;
  const ok = await s.json('POST', url, { spec: { resourceAttributes: { namespace: 'ns2', verb: 'list', resource: 'events' }, user: 'system:serviceaccount:ns2:builder' } });
  t.equal(ok.statusCode, 201);
  t.same(ok.json().metadata, { namespace: 'ns2', creationTimestamp: null });
  t.equal(ok.json().status.allowed, true);
  const other = await s.json('POST', url, { spec: { resourceAttributes: { namespace: 'ns1', verb: 'list', resource: 'events' }, user: 'x' } });
  t.equal(other.statusCode, 422);
  t.equal(other.json().message, 'LocalSubjectAccessReview.authorization.k8s.io "" is invalid: spec.resourceAttributes.namespace: Invalid value: "ns1": must match metadata.namespace');
  const body = await s.json('POST', url, { metadata: { namespace: 'ns1' }, spec: { resourceAttributes: { namespace: 'ns2', verb: 'get' }, user: 'x' } });
  t.equal(body.statusCode, 400);
  t.equal(body.json().message, 'the namespace of the provided object does not match the namespace sent on the request');
  const nonResource = await s.json('POST', url, { spec: { nonResourceAttributes: { path: '/x', verb: 'get' }, user: 'x' } });
  t.match(nonResource.json().message, /spec\.nonResourceAttributes: Invalid value: authorization\.NonResourceAttributes\{Path:"\/x", Verb:"get"\}: disallowed on this kind of request/);
  t.equal((await s.json('POST', `${AUTHZ}/localsubjectaccessreviews`, {})).statusCode, 404, 'only under a namespace');
});

t.test('reviews: SelfSubjectRulesReview lists the rules of the caller in a namespace', async (t) => {
  const s = await testServer();
  t.teardown(() => s.close());
  await installFixture(s);
  const rules = async (user: string, namespace: string) =>
    (await s.json('POST', `${AUTHZ}/selfsubjectrulesreviews`, { spec: { namespace } }, { 'impersonate-user': user })).json();
  const carol = await rules('carol', 'ns2');
  t.same(carol.spec, {});
  t.same(carol.status.resourceRules[0], {
    verbs: ['create'],
    apiGroups: ['authorization.k8s.io'],
    resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'],
  });
  t.ok(
    carol.status.resourceRules.some((r: { resourceNames?: string[] }) => r.resourceNames?.[0] === 'cm-a'),
    'her named configmap rule in ns2',
  );
  t.equal(carol.status.incomplete, false);
  t.ok(carol.status.nonResourceRules.some((r: { nonResourceURLs: string[] }) => r.nonResourceURLs.includes('/healthz')));
  t.notOk((await rules('carol', 'ns1')).status.resourceRules.some((r: { resourceNames?: string[] }) => r.resourceNames), 'not in ns1');
  const hank = await rules('hank', 'ns1');
  t.equal(hank.status.evaluationError, '[clusterrole.rbac.authorization.k8s.io "does-not-exist" not found, role.rbac.authorization.k8s.io "no-such-role" not found]');
  const none = await s.json('POST', `${AUTHZ}/selfsubjectrulesreviews`, { spec: {} });
  t.equal(none.statusCode, 400);
  t.equal(none.json().message, 'no namespace on request');
});

t.test('reviews: SelfSubjectReview returns the (impersonated) caller, in v1 and v1beta1', async (t) => {
  const s = await testServer();
  t.teardown(() => s.close());
  for (const version of ['v1', 'v1beta1']) {
    const res = await s.json('POST', `/apis/authentication.k8s.io/${version}/selfsubjectreviews`, { apiVersion: `authentication.k8s.io/${version}`, kind: 'SelfSubjectReview' });
    t.equal(res.statusCode, 201);
    const body = res.json();
    t.equal(body.apiVersion, `authentication.k8s.io/${version}`);
    t.match(body.metadata.creationTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    t.same(body.status.userInfo, { username: 'kubemu-admin', groups: ['system:masters', 'system:authenticated'] });
  }
  const as = await s.request({
    method: 'POST',
    url: '/apis/authentication.k8s.io/v1/selfsubjectreviews',
    headers: { 'content-type': 'application/json', 'impersonate-user': 'bob', 'impersonate-group': ['a', 'b'], 'impersonate-uid': 'u-7', 'impersonate-extra-scopes': 'view' },
    payload: '{}',
  });
  t.same(as.json().status.userInfo, { username: 'bob', uid: 'u-7', groups: ['a', 'b', 'system:authenticated'], extra: { scopes: ['view'] } });
  const wrongKind = await s.json('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview' });
  t.equal(wrongKind.statusCode, 400);
  const list = await s.request({ method: 'GET', url: '/apis/authentication.k8s.io/v1/selfsubjectreviews' });
  t.equal(list.statusCode, 405);
});
