/**
 * Test fixture of the RBAC tests: a policy with every rule form (verbs `*`, groups `*`,
 * `res/sub`, `*` + `/sub`, resourceNames, nonResourceURLs with `*` suffixes, aggregation), bindings of
 * every subject kind in several namespaces (and broken ones), and the identities that probe it,
 * each with the impersonation headers that make the admin act as it. Not a test file itself.
 */
import type { TestServer } from '../../helpers/server.js';

const RBAC = '/apis/rbac.authorization.k8s.io/v1';
const rbacGroup = 'rbac.authorization.k8s.io';

type Rule = { verbs: string[]; apiGroups?: string[]; resources?: string[]; resourceNames?: string[]; nonResourceURLs?: string[] };
type Subject = { kind: string; name: string; namespace?: string; apiGroup?: string };

const r = (verbs: string[], apiGroups: string[], resources: string[], resourceNames?: string[]): Rule => ({
  verbs,
  apiGroups,
  resources,
  ...(resourceNames ? { resourceNames } : {}),
});
const user = (name: string): Subject => ({ kind: 'User', name, apiGroup: rbacGroup });
const group = (name: string): Subject => ({ kind: 'Group', name, apiGroup: rbacGroup });
const sa = (name: string, namespace?: string): Subject => ({ kind: 'ServiceAccount', name, ...(namespace ? { namespace } : {}) });

/** ClusterRoles of the fixture: name → rules (or an aggregation rule), labels. */
export const CLUSTER_ROLES: Record<string, { rules?: Rule[]; labels?: Record<string, string>; aggregate?: Record<string, string> }> = {
  'pod-reader': { rules: [r(['get', 'list', 'watch'], [''], ['pods'])] },
  'star-verbs': { rules: [r(['*'], [''], ['configmaps'])] },
  'any-group-secrets': { rules: [r(['get'], ['*'], ['secrets'])] },
  'deploy-scale': { rules: [r(['get', 'update'], ['apps'], ['deployments/scale'])] },
  'any-status': { rules: [r(['get'], ['*'], ['*/status'])] },
  'named-cm': { rules: [r(['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'], [''], ['configmaps'], ['cm-a'])] },
  urls: { rules: [{ verbs: ['get'], nonResourceURLs: ['/logs', '/metrics/*'] }, { verbs: ['post'], nonResourceURLs: ['/webhook'] }] },
  'everything-apps': { rules: [r(['*'], ['apps'], ['*'])] },
  'agg-parent': { aggregate: { 'kubemu.test/agg': 'true' } },
  'agg-child-1': { labels: { 'kubemu.test/agg': 'true' }, rules: [r(['list'], [''], ['services'])] },
  'agg-child-2': { labels: { 'kubemu.test/agg': 'true' }, rules: [r(['get'], [''], ['endpoints'])] },
};

/** Roles of the fixture: `ns/name` → rules. */
export const ROLES: Record<string, Rule[]> = {
  'ns1/role-leases': [r(['create', 'get'], ['coordination.k8s.io'], ['leases'])],
  'ns2/role-events': [r(['list'], ['', 'events.k8s.io'], ['events'])],
};

/** Bindings of the fixture: `[ns/]name` → role and subjects (no namespace: a ClusterRoleBinding). */
export const BINDINGS: Record<string, { role: [kind: 'Role' | 'ClusterRole', name: string]; subjects: Subject[] }> = {
  'alice-pod-reader': { role: ['ClusterRole', 'pod-reader'], subjects: [user('alice')] },
  'ns1/bob-star': { role: ['ClusterRole', 'star-verbs'], subjects: [user('bob')] },
  'ns1/devs-leases': { role: ['Role', 'role-leases'], subjects: [group('devs')] },
  'ns2/devs-leases-elsewhere': { role: ['Role', 'role-leases'], subjects: [group('devs')] },
  'ns2/sa-events': { role: ['Role', 'role-events'], subjects: [sa('builder')] },
  'sa-cross': { role: ['ClusterRole', 'deploy-scale'], subjects: [sa('robot', 'ns1')] },
  'sa-no-namespace': { role: ['ClusterRole', 'pod-reader'], subjects: [sa('ghost')] },
  'ops-secrets': { role: ['ClusterRole', 'any-group-secrets'], subjects: [group('ops')] },
  'ns2/carol-named': { role: ['ClusterRole', 'named-cm'], subjects: [user('carol')] },
  'dave-urls': { role: ['ClusterRole', 'urls'], subjects: [user('dave')] },
  'erin-apps': { role: ['ClusterRole', 'everything-apps'], subjects: [user('erin')] },
  'frank-status': { role: ['ClusterRole', 'any-status'], subjects: [user('frank')] },
  'gina-agg': { role: ['ClusterRole', 'agg-parent'], subjects: [user('gina')] },
  'ns1/hank-missing-clusterrole': { role: ['ClusterRole', 'does-not-exist'], subjects: [user('hank')] },
  'ns1/hank-missing-role': { role: ['Role', 'no-such-role'], subjects: [user('hank')] },
  'ns1/ivy-view': { role: ['ClusterRole', 'view'], subjects: [user('ivy')] },
  'ns2/jack-edit': { role: ['ClusterRole', 'edit'], subjects: [user('jack'), user('someone-else')] },
  'ns3/kim-other-ns-sa': { role: ['ClusterRole', 'pod-reader'], subjects: [sa('kim', 'ns1')] },
};

/** One identity the table probes, and how the admin impersonates it. */
export interface Identity {
  id: string;
  name: string;
  groups: string[];
  /** Impersonation headers (none for the admin itself). */
  headers: Record<string, string | string[]>;
}

const as = (id: string, name: string, groups: string[], extraGroups: string[] = []): Identity => ({
  id,
  name,
  groups,
  headers: { 'impersonate-user': name, ...(extraGroups.length ? { 'impersonate-group': extraGroups } : {}) },
});
const SA_GROUPS = (ns: string) => ['system:serviceaccounts', `system:serviceaccounts:${ns}`, 'system:authenticated'];

/** Every identity of the table. The groups are what impersonation gives each one. */
export const IDENTITIES: Identity[] = [
  { id: 'admin', name: 'kubemu-admin', groups: ['system:masters', 'system:authenticated'], headers: {} },
  as('anonymous', 'system:anonymous', ['system:unauthenticated']),
  as('nobody', 'nobody', ['system:authenticated']),
  ...['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'gina', 'hank', 'ivy', 'jack'].map((n) => as(n, n, ['system:authenticated'])),
  as('zed', 'zed', ['devs', 'system:authenticated'], ['devs']),
  as('yan', 'yan', ['ops', 'system:authenticated'], ['ops']),
  as('builder', 'system:serviceaccount:ns2:builder', SA_GROUPS('ns2')),
  as('robot', 'system:serviceaccount:ns1:robot', SA_GROUPS('ns1')),
  as('ghost', 'system:serviceaccount:default:ghost', SA_GROUPS('default')),
  as('kim', 'system:serviceaccount:ns1:kim', SA_GROUPS('ns1')),
];

/** Creates the namespaces, roles and bindings as the admin; throws on any failure. */
export async function installFixture(s: TestServer): Promise<void> {
  const post = async (url: string, body: unknown) => {
    const res = await s.json('POST', url, body);
    if (res.statusCode !== 201) throw new Error(`POST ${url}: ${res.statusCode} ${res.body}`);
  };
  for (const ns of ['ns1', 'ns2', 'ns3']) await post('/api/v1/namespaces', { metadata: { name: ns } });
  for (const [name, role] of Object.entries(CLUSTER_ROLES)) {
    const body: Record<string, unknown> = { metadata: { name, ...(role.labels ? { labels: role.labels } : {}) } };
    if (role.rules) body.rules = role.rules;
    if (role.aggregate) body.aggregationRule = { clusterRoleSelectors: [{ matchLabels: role.aggregate }] };
    await post(`${RBAC}/clusterroles`, body);
  }
  for (const [key, rules] of Object.entries(ROLES)) {
    const [ns, name] = key.split('/') as [string, string];
    await post(`${RBAC}/namespaces/${ns}/roles`, { metadata: { name }, rules });
  }
  for (const [key, binding] of Object.entries(BINDINGS)) {
    const [ns, name] = key.includes('/') ? (key.split('/') as [string, string]) : [undefined, key];
    const body = { metadata: { name }, roleRef: { apiGroup: rbacGroup, kind: binding.role[0], name: binding.role[1] }, subjects: binding.subjects };
    await post(ns ? `${RBAC}/namespaces/${ns}/rolebindings` : `${RBAC}/clusterrolebindings`, body);
  }
  await s.server.authorization.settled();
}
