/**
 * bootstrapPolicy(): the bootstrap ClusterRoles, ClusterRoleBindings, Roles and RoleBindings are
 * pinned by golden files in upstream's testdata layout (a v1 List, keys sorted), so any change to
 * the policy data shows up as a diff against test/auth/rbac/golden/*.yaml. Regenerate with
 * KUBEMU_UPDATE_GOLDEN=1. Also: a fresh server holds them, aggregated as upstream.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import t from 'tap';
import { stringify } from 'yaml';
import { bootstrapPolicy } from '../../../src/auth/rbac/bootstrap-policy.js';
import { testServer } from '../../helpers/server.js';

const GOLDEN = new URL('./golden/', import.meta.url);
const UPDATE = process.env.KUBEMU_UPDATE_GOLDEN === '1';

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]));
}

function render(items: unknown[]): string {
  return stringify({ apiVersion: 'v1', items: sortKeys(items), kind: 'List', metadata: {} }, { lineWidth: 0 });
}

const policy = bootstrapPolicy();
const FILES: Array<[string, unknown[]]> = [
  ['cluster-roles.yaml', policy.clusterroles],
  ['cluster-role-bindings.yaml', policy.clusterrolebindings],
  ['namespace-roles.yaml', policy.roles],
  ['namespace-role-bindings.yaml', policy.rolebindings],
];

for (const [file, items] of FILES) {
  t.test(`bootstrapPolicy: ${file} matches its golden file`, async (t) => {
    const url = new URL(file, GOLDEN);
    const text = render(items);
    if (UPDATE) writeFileSync(url, text);
    t.equal(text, readFileSync(url, 'utf8'));
  });
}

t.test('bootstrapPolicy: every object carries the bootstrapping label and the autoupdate annotation', async (t) => {
  for (const obj of [...policy.clusterroles, ...policy.clusterrolebindings, ...policy.roles, ...policy.rolebindings]) {
    const name = obj.metadata?.name ?? '';
    t.equal(obj.metadata?.labels?.['kubernetes.io/bootstrapping'], 'rbac-defaults', name);
    t.equal(obj.metadata?.annotations?.['rbac.authorization.kubernetes.io/autoupdate'], 'true', name);
  }
  const names = policy.clusterroles.map((r) => r.metadata?.name);
  for (const name of ['cluster-admin', 'admin', 'edit', 'view', 'system:basic-user', 'system:discovery', 'system:public-info-viewer', 'system:monitoring', 'system:aggregate-to-admin', 'system:aggregate-to-edit', 'system:aggregate-to-view', 'system:node-proxier']) {
    t.ok(names.includes(name), name);
  }
  t.same([...names].sort(), names, 'cluster roles in name order, as upstream lists them');
});

t.test('ensureBootstrapPolicy: a new server holds the policy, with admin ⊇ edit ⊇ view aggregated', async (t) => {
  const s = await testServer();
  t.teardown(() => s.close());
  const get = async (path: string) => (await s.request({ method: 'GET', url: `/apis/rbac.authorization.k8s.io/v1/${path}` })).json();
  const crb = await get('clusterrolebindings/cluster-admin');
  t.same(crb.subjects, [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'system:masters' }]);
  const roles = await get('namespaces/kube-system/roles/extension-apiserver-authentication-reader');
  t.equal(roles.metadata.namespace, 'kube-system');

  type Rule = { verbs: string[]; apiGroups?: string[]; resources?: string[] };
  const rulesOf = async (name: string): Promise<Rule[]> => (await get(`clusterroles/${name}`)).rules ?? [];
  const key = (r: Rule) => JSON.stringify(r);
  const [admin, edit, view, toView, toEdit, toAdmin] = await Promise.all(
    ['admin', 'edit', 'view', 'system:aggregate-to-view', 'system:aggregate-to-edit', 'system:aggregate-to-admin'].map(rulesOf),
  );
  t.same(view, toView, 'view = system:aggregate-to-view');
  t.same(edit, [...toEdit, ...toView], 'edit = aggregate-to-edit, then view (roles by name)');
  t.same(admin, [...edit, ...toAdmin], 'admin = edit (by name first), then system:aggregate-to-admin');
  t.ok(view.every((r) => edit.some((e) => key(e) === key(r))));
});

t.test('ensureBootstrapPolicy: a user-edited bootstrap role is left alone on restart of the same data', async (t) => {
  const s = await testServer();
  t.teardown(() => s.close());
  const url = '/apis/rbac.authorization.k8s.io/v1/clusterroles/system:heapster';
  const before = (await s.request({ method: 'GET', url })).json();
  before.rules = [{ verbs: ['get'], apiGroups: [''], resources: ['nodes'] }];
  t.equal((await s.json('PUT', url, before)).statusCode, 200);
  const { bootstrap } = await import('../../../src/registry/bootstrap.js');
  await bootstrap(s.server.registry, { advertiseAddress: '127.0.0.1', port: 6443 });
  t.same((await s.request({ method: 'GET', url })).json().rules, before.rules);
});
