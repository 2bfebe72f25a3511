/**
 * Impersonation: `impersonate()` on its own (header parsing, groups, extras, uid, the 400 and
 * 403 wording of kube's impersonation filter), then end to end over HTTPS, where alice holds a
 * client certificate and may impersonate only what RBAC lets her.
 */
import { request } from 'node:https';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { issueClientCert } from '../../../src/auth/certs.js';
import { impersonate } from '../../../src/auth/rbac/impersonation.js';
import type { Attributes, Authorizer } from '../../../src/auth/rbac/types.js';
import { withDefaults } from '../../../src/cli/config.js';
import { buildServer } from '../../../src/server.js';

const ADMIN = { name: 'root', groups: ['system:masters', 'system:authenticated'] };
const raw = (headers: Array<[string, string]>) => headers.flat();

/** An authorizer that allows what `allow` says and records every question. */
function recording(allow: (a: Attributes) => boolean = () => true): Authorizer & { asked: Attributes[] } {
  const asked: Attributes[] = [];
  return {
    asked,
    authorize: (a) => {
      asked.push(a);
      return allow(a) ? { decision: 'allow', reason: '' } : { decision: 'no-opinion', reason: '' };
    },
    rulesFor: () => ({ resourceRules: [], nonResourceRules: [], incomplete: false }),
  };
}

t.test('impersonate: no impersonation headers keep the requesting user', async (t) => {
  const authorizer = recording();
  t.equal(impersonate(ADMIN, raw([['Accept', 'application/json']]), authorizer), ADMIN);
  t.same(authorizer.asked, []);
});

t.test('impersonate: user, repeated groups, extras and uid are each authorized, then replace the user', async (t) => {
  const authorizer = recording();
  const user = impersonate(
    ADMIN,
    raw([
      ['Impersonate-User', 'bob'],
      ['Impersonate-Group', 'dev'],
      ['Impersonate-Group', 'ops,qa'],
      ['Impersonate-Extra-Scopes', 'view'],
      ['Impersonate-Extra-Scopes', 'edit'],
      ['impersonate-extra-example.com%2fteam', 'blue'],
      ['Impersonate-Uid', 'u-1'],
    ]),
    authorizer,
  );
  t.same(user, {
    name: 'bob',
    groups: ['dev', 'ops,qa', 'system:authenticated'],
    uid: 'u-1',
    extra: { scopes: ['view', 'edit'], 'example.com/team': ['blue'] },
  });
  t.same(
    authorizer.asked.map((a) => [a.verb, a.apiGroup, a.resource, a.subresource, a.namespace, a.name]),
    [
      ['impersonate', '', 'users', '', '', 'bob'],
      ['impersonate', '', 'groups', '', '', 'dev'],
      ['impersonate', '', 'groups', '', '', 'ops,qa'],
      ['impersonate', 'authentication.k8s.io', 'userextras', 'scopes', '', 'view'],
      ['impersonate', 'authentication.k8s.io', 'userextras', 'scopes', '', 'edit'],
      ['impersonate', 'authentication.k8s.io', 'userextras', 'example.com/team', '', 'blue'],
      ['impersonate', 'authentication.k8s.io', 'uids', '', '', 'u-1'],
    ],
  );
  t.ok(authorizer.asked.every((a) => a.user === ADMIN && a.resourceRequest));
});

t.test('impersonate: service accounts get their groups unless groups are given', async (t) => {
  const sa = impersonate(ADMIN, raw([['Impersonate-User', 'system:serviceaccount:ns1:builder']]), recording());
  t.same(sa, { name: 'system:serviceaccount:ns1:builder', groups: ['system:serviceaccounts', 'system:serviceaccounts:ns1', 'system:authenticated'] });
  const authorizer = recording();
  const withGroups = impersonate(ADMIN, raw([['Impersonate-User', 'system:serviceaccount:ns1:builder'], ['Impersonate-Group', 'x']]), authorizer);
  t.same(withGroups.groups, ['x', 'system:authenticated']);
  t.same(authorizer.asked[0]!.resource, 'serviceaccounts');
  t.same(authorizer.asked[0]!.namespace, 'ns1');
  t.same(authorizer.asked[0]!.name, 'builder');
  const notSA = impersonate(ADMIN, raw([['Impersonate-User', 'system:serviceaccount:Bad_NS:x']]), recording());
  t.same(notSA.groups, ['system:authenticated'], 'an invalid namespace makes it a plain user name');
});

t.test('impersonate: system:authenticated / system:unauthenticated are added as upstream does', async (t) => {
  const none = recording();
  t.same(impersonate(ADMIN, raw([['Impersonate-User', 'system:anonymous']]), none).groups, ['system:unauthenticated']);
  t.same(impersonate(ADMIN, raw([['Impersonate-User', 'u'], ['Impersonate-Group', 'system:authenticated']]), none).groups, ['system:authenticated']);
  t.same(impersonate(ADMIN, raw([['Impersonate-User', 'u'], ['Impersonate-Group', 'system:unauthenticated']]), none).groups, ['system:unauthenticated']);
});

t.test('impersonate: groups, extras or a uid without a user are a 400', async (t) => {
  const err = t.throws(() => impersonate(ADMIN, raw([['Impersonate-Group', 'devs'], ['Impersonate-Uid', 'u-1']]), recording())) as unknown as { status: { code: number; message: string } };
  t.equal(err.status.code, 400);
  t.equal(err.status.message, 'requested [{Group  devs    } {UID  u-1  authentication.k8s.io/v1  }] without impersonating a user');
});

t.test('impersonate: the first refused part is a 403 worded as upstream', async (t) => {
  const onlyUsers = recording((a) => a.resource === 'users');
  const err = t.throws(() => impersonate({ name: 'alice', groups: ['system:authenticated'] }, raw([['Impersonate-User', 'bob'], ['Impersonate-Group', 'admins']]), onlyUsers)) as unknown as {
    status: { code: number; message: string; details: unknown };
  };
  t.equal(err.status.code, 403);
  t.equal(err.status.message, 'groups "admins" is forbidden: User "alice" cannot impersonate resource "groups" in API group "" at the cluster scope');
  t.same(err.status.details, { name: 'admins', kind: 'groups' });
  const extra = recording((a) => a.resource !== 'userextras');
  const e2 = t.throws(() => impersonate(ADMIN, raw([['Impersonate-User', 'bob'], ['Impersonate-Extra-Scopes', 'view']]), extra)) as unknown as { status: { message: string } };
  t.equal(e2.status.message, 'userextras.authentication.k8s.io "view" is forbidden: User "root" cannot impersonate resource "userextras/scopes" in API group "authentication.k8s.io" at the cluster scope');
  const sa = recording(() => false);
  const e3 = t.throws(() => impersonate(ADMIN, raw([['Impersonate-User', 'system:serviceaccount:ns1:builder']]), sa)) as unknown as { status: { message: string } };
  t.equal(e3.status.message, 'serviceaccounts "builder" is forbidden: User "root" cannot impersonate resource "serviceaccounts" in API group "" in the namespace "ns1"');
});

interface Reply {
  status: number;
  body: string;
}

t.test('impersonation over HTTPS: alice (client certificate) may impersonate only what RBAC grants', async (t) => {
  const server = await buildServer(withDefaults({ storage: 'memory', tls: true, port: 0, controllers: false } as Parameters<typeof withDefaults>[0]));
  t.teardown(() => server.close());
  await server.app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = server.app.server.address() as AddressInfo;
  const tls = server.tls!;
  const alice = await issueClientCert(tls, { user: 'alice', groups: ['team'] });
  const call = (method: string, path: string, headers: Record<string, string>, body?: unknown, cert = alice): Promise<Reply> =>
    new Promise((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port, path, method, ca: tls.caCert, cert: cert.cert, key: cert.key, agent: false, headers: { 'content-type': 'application/json', ...headers } },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => (text += d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        },
      );
      req.on('error', reject);
      req.end(body === undefined ? undefined : JSON.stringify(body));
    });
  const admin = { cert: tls.adminCert, key: tls.adminKey };
  const whoami = (headers: Record<string, string>) => call('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', headers, {});

  const plain = await whoami({});
  t.same(JSON.parse(plain.body).status.userInfo, { username: 'alice', groups: ['team', 'system:authenticated'] });
  const refused = await whoami({ 'Impersonate-User': 'bob' });
  t.equal(refused.status, 403);
  t.equal(JSON.parse(refused.body).message, 'users "bob" is forbidden: User "alice" cannot impersonate resource "users" in API group "" at the cluster scope');

  const role = { metadata: { name: 'impersonate-bob' }, rules: [{ verbs: ['impersonate'], apiGroups: [''], resources: ['users'], resourceNames: ['bob'] }] };
  t.equal((await call('POST', '/apis/rbac.authorization.k8s.io/v1/clusterroles', {}, role, admin)).status, 201);
  const binding = { metadata: { name: 'team-impersonates-bob' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'impersonate-bob' }, subjects: [{ kind: 'Group', name: 'team' }] };
  t.equal((await call('POST', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {}, binding, admin)).status, 201);

  const bob = await whoami({ 'Impersonate-User': 'bob' });
  t.equal(bob.status, 201);
  t.same(JSON.parse(bob.body).status.userInfo, { username: 'bob', groups: ['system:authenticated'] }, 'the impersonated identity, not alice');
  t.equal((await whoami({ 'Impersonate-User': 'carol' })).status, 403, 'only bob');
  t.equal((await whoami({ 'Impersonate-User': 'bob', 'Impersonate-Group': 'system:masters' })).status, 403, 'no group impersonation');
  const asBob = await call('GET', '/api/v1/namespaces', { 'Impersonate-User': 'bob' });
  t.equal(asBob.status, 403);
  t.equal(JSON.parse(asBob.body).message, 'namespaces is forbidden: User "bob" cannot list resource "namespaces" in API group "" at the cluster scope', 'decided as bob');
});
