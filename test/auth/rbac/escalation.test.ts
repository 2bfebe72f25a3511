/**
 * rbacEscalation admission: writes of Roles, ClusterRoles and their bindings by a user who would
 * gain permissions are refused with kube-apiserver's 403 wording, unless the user holds them,
 * may `escalate` / `bind`, or is in system:masters. The users act through admin impersonation.
 */
import t from 'tap';
import { testServer, type TestServer } from '../../helpers/server.js';

const RBAC = '/apis/rbac.authorization.k8s.io/v1';
const G = 'rbac.authorization.k8s.io';

async function setup(t: { teardown(fn: () => unknown): void }): Promise<TestServer> {
  const s = await testServer();
  t.teardown(() => s.close());
  const ok = async (method: 'POST' | 'PUT', url: string, body: unknown) => {
    const res = await s.json(method, url, body);
    if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.body}`);
  };
  await ok('POST', '/api/v1/namespaces', { metadata: { name: 'team' } });
  // rbac-manager may manage roles and bindings in team (not `*`: that would include escalate and bind), and read pods there.
  await ok('POST', `${RBAC}/namespaces/team/roles`, {
    metadata: { name: 'rbac-manager' },
    rules: [
      { verbs: ['create', 'get', 'list', 'update', 'patch', 'delete'], apiGroups: [G], resources: ['roles', 'rolebindings'] },
      { verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'] },
    ],
  });
  await ok('POST', `${RBAC}/namespaces/team/rolebindings`, {
    metadata: { name: 'alice-manager' },
    roleRef: { apiGroup: G, kind: 'Role', name: 'rbac-manager' },
    subjects: [{ kind: 'User', name: 'alice' }],
  });
  await ok('POST', `${RBAC}/clusterroles`, { metadata: { name: 'secret-reader' }, rules: [{ verbs: ['get'], apiGroups: [''], resources: ['secrets'] }] });
  await ok('POST', `${RBAC}/clusterroles`, { metadata: { name: 'pod-getter' }, rules: [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }] });
  return s;
}

const as = (name: string, group?: string): Record<string, string> => ({ 'impersonate-user': name, ...(group ? { 'impersonate-group': group } : {}) });

t.test('rbacEscalation: a Role granting only held permissions is accepted, one granting more is a 403', async (t) => {
  const s = await setup(t);
  const held = await s.json('POST', `${RBAC}/namespaces/team/roles`, { metadata: { name: 'pods' }, rules: [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }] }, as('alice'));
  t.equal(held.statusCode, 201, 'alice holds pods/get in team');
  const more = await s.json(
    'POST',
    `${RBAC}/namespaces/team/roles`,
    {
      metadata: { name: 'greedy' },
      rules: [
        { verbs: ['get', 'list', 'delete'], apiGroups: [''], resources: ['pods', 'secrets'] },
        { verbs: ['get'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['a'] },
      ],
    },
    as('alice'),
  );
  t.equal(more.statusCode, 403);
  t.same(more.json(), {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message:
      'roles.rbac.authorization.k8s.io "greedy" is forbidden: user "alice" (groups=["system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n' +
      '{APIGroups:[""], Resources:["configmaps"], ResourceNames:["a"], Verbs:["get"]}\n' +
      '{APIGroups:[""], Resources:["pods"], Verbs:["delete"]}\n' +
      '{APIGroups:[""], Resources:["secrets"], Verbs:["get" "list" "delete"]}',
    reason: 'Forbidden',
    details: { name: 'greedy', group: G, kind: 'roles' },
    code: 403,
  });
  const elsewhere = await s.json('POST', `${RBAC}/namespaces/default/roles`, { metadata: { name: 'x' }, rules: [] }, as('alice'));
  t.equal(elsewhere.statusCode, 403, 'no roles/create outside team (authorization, before admission)');
});

t.test('rbacEscalation: updates are checked too, except ones that only touch GC fields', async (t) => {
  const s = await setup(t);
  t.equal((await s.json('POST', `${RBAC}/namespaces/team/roles`, { metadata: { name: 'r' }, rules: [{ verbs: ['get'], apiGroups: [''], resources: ['secrets'] }] })).statusCode, 201);
  const current = (await s.request({ method: 'GET', url: `${RBAC}/namespaces/team/roles/r` })).json();
  const labelled = { ...current, metadata: { ...current.metadata, labels: { a: 'b' } } };
  const relabel = await s.json('PUT', `${RBAC}/namespaces/team/roles/r`, labelled, as('alice'));
  t.equal(relabel.statusCode, 403, 'the role still grants secrets/get, which alice lacks');
  t.match(relabel.json().message, /^roles\.rbac\.authorization\.k8s\.io "r" is forbidden: user "alice"/);
  const finalizers = await s.request({
    method: 'PATCH',
    url: `${RBAC}/namespaces/team/roles/r`,
    headers: { ...as('alice'), 'content-type': 'application/merge-patch+json' },
    payload: JSON.stringify({ metadata: { finalizers: ['example.com/keep'] } }),
  });
  t.equal(finalizers.statusCode, 200, 'finalizers only: not an escalation');
});

t.test('rbacEscalation: escalate on roles lifts the check; system:masters is never checked', async (t) => {
  const s = await setup(t);
  const body = { metadata: { name: 'secrets' }, rules: [{ verbs: ['get'], apiGroups: [''], resources: ['secrets'] }] };
  t.equal((await s.json('POST', `${RBAC}/namespaces/team/roles`, body, as('bob', 'escalators'))).statusCode, 403, 'bob may not even create roles');
  await s.json('POST', `${RBAC}/clusterroles`, { metadata: { name: 'escalator' }, rules: [{ verbs: ['create', 'escalate'], apiGroups: [G], resources: ['roles'] }] });
  await s.json('POST', `${RBAC}/clusterrolebindings`, {
    metadata: { name: 'escalators' },
    roleRef: { apiGroup: G, kind: 'ClusterRole', name: 'escalator' },
    subjects: [{ kind: 'Group', name: 'escalators', apiGroup: G }],
  });
  t.equal((await s.json('POST', `${RBAC}/namespaces/team/roles`, body, as('bob', 'escalators'))).statusCode, 201, 'escalate lets bob grant what he lacks');
  t.equal((await s.json('POST', `${RBAC}/namespaces/team/roles`, { ...body, metadata: { name: 'admin-made' } })).statusCode, 201, 'the admin (system:masters)');
});

t.test('rbacEscalation: bindings need bind on the role or all of its permissions', async (t) => {
  const s = await setup(t);
  const binding = (name: string, role: string) => ({ metadata: { name }, roleRef: { apiGroup: G, kind: 'ClusterRole', name: role }, subjects: [{ kind: 'User', name: 'carol' }] });
  t.equal((await s.json('POST', `${RBAC}/namespaces/team/rolebindings`, binding('pods', 'pod-getter'), as('alice'))).statusCode, 201, 'alice holds pods/get in team');
  const secrets = await s.json('POST', `${RBAC}/namespaces/team/rolebindings`, binding('secrets', 'secret-reader'), as('alice'));
  t.equal(secrets.statusCode, 403);
  t.equal(
    secrets.json().message,
    'rolebindings.rbac.authorization.k8s.io "secrets" is forbidden: user "alice" (groups=["system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:[""], Resources:["secrets"], Verbs:["get"]}',
  );
  const missing = await s.json('POST', `${RBAC}/namespaces/team/rolebindings`, { ...binding('gone', 'x'), roleRef: { apiGroup: G, kind: 'Role', name: 'no-such-role' } }, as('alice'));
  t.equal(missing.statusCode, 404);
  t.equal(missing.json().message, 'roles.rbac.authorization.k8s.io "no-such-role" not found');

  // bind on that one ClusterRole, in team only
  await s.json('POST', `${RBAC}/namespaces/team/roles`, { metadata: { name: 'binder' }, rules: [{ verbs: ['bind'], apiGroups: [G], resources: ['clusterroles'], resourceNames: ['secret-reader'] }] });
  await s.json('POST', `${RBAC}/namespaces/team/rolebindings`, { metadata: { name: 'alice-binder' }, roleRef: { apiGroup: G, kind: 'Role', name: 'binder' }, subjects: [{ kind: 'User', name: 'alice' }] });
  t.equal((await s.json('POST', `${RBAC}/namespaces/team/rolebindings`, binding('secrets', 'secret-reader'), as('alice'))).statusCode, 201, 'bind on secret-reader');
});

t.test('rbacEscalation: ClusterRoleBindings and aggregation rules need cluster-wide rights', async (t) => {
  const s = await setup(t);
  await s.json('POST', `${RBAC}/clusterroles`, {
    metadata: { name: 'rbac-writer' },
    rules: [
      { verbs: ['create', 'update'], apiGroups: [G], resources: ['clusterroles', 'clusterrolebindings'] },
      { verbs: ['get'], apiGroups: [''], resources: ['pods'] },
    ],
  });
  await s.json('POST', `${RBAC}/clusterrolebindings`, { metadata: { name: 'dora' }, roleRef: { apiGroup: G, kind: 'ClusterRole', name: 'rbac-writer' }, subjects: [{ kind: 'User', name: 'dora' }] });
  const crb = (name: string, role: string) => ({ metadata: { name }, roleRef: { apiGroup: G, kind: 'ClusterRole', name: role }, subjects: [{ kind: 'User', name: 'eve' }] });
  t.equal((await s.json('POST', `${RBAC}/clusterrolebindings`, crb('eve-pods', 'pod-getter'), as('dora'))).statusCode, 201);
  const secrets = await s.json('POST', `${RBAC}/clusterrolebindings`, crb('eve-secrets', 'secret-reader'), as('dora'));
  t.equal(secrets.statusCode, 403);
  t.match(secrets.json().message, /^clusterrolebindings\.rbac\.authorization\.k8s\.io "eve-secrets" is forbidden: user "dora"/);

  const aggregated = { metadata: { name: 'agg' }, aggregationRule: { clusterRoleSelectors: [{ matchLabels: { x: 'y' } }] } };
  const agg = await s.json('POST', `${RBAC}/clusterroles`, aggregated, as('dora'));
  t.equal(agg.statusCode, 403);
  t.equal(agg.json().message, 'clusterroles.rbac.authorization.k8s.io "agg" is forbidden: must have cluster-admin privileges to use the aggregationRule');
  t.equal((await s.json('POST', `${RBAC}/clusterroles`, aggregated)).statusCode, 201, 'the admin may');
});

t.test('rbacEscalation: with --authorization-mode AlwaysAllow nothing is checked', async (t) => {
  const { buildServer } = await import('../../../src/server.js');
  const { withDefaults } = await import('../../../src/cli/config.js');
  const server = await buildServer(withDefaults({ storage: 'memory', tls: false, port: 0, authorizationMode: 'AlwaysAllow' }));
  t.teardown(() => server.close());
  const res = await server.app.inject({
    method: 'POST',
    url: `${RBAC}/clusterroles`,
    headers: { authorization: `Bearer ${server.adminToken}`, 'impersonate-user': 'nobody', 'content-type': 'application/json' },
    payload: JSON.stringify({ metadata: { name: 'all' }, rules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }] }),
  });
  t.equal(res.statusCode, 201);
  const anonymous = await server.app.inject({ method: 'GET', url: '/api/v1/namespaces', headers: { authorization: 'Bearer wrong' } });
  t.equal(anonymous.statusCode, 401);
});
