/**
 * requestAttributes (kube's RequestInfoFactory), forbiddenMessage (responsewriters wording),
 * the escalation arithmetic (Covers, CompactRules) and the --authorization-mode flag.
 */
import t from 'tap';
import { requestAttributes, fieldSelectorName } from '../../../src/auth/rbac/attributes.js';
import { compactRules, escalationMessage, uncovered } from '../../../src/auth/rbac/covers.js';
import { forbiddenError } from '../../../src/auth/rbac/forbidden.js';
import { ruleAllows } from '../../../src/auth/rbac/rules.js';
import { parseCommand, UsageError } from '../../../src/cli/args.js';

const U = { name: 'bob', groups: ['system:authenticated'] };
const pick = (method: string, url: string) => {
  const a = requestAttributes(U, method, url);
  return a.resourceRequest
    ? [a.verb, a.apiGroup, a.apiVersion, a.namespace, a.resource, a.subresource, a.name]
    : [a.verb, a.path];
};

t.test('requestAttributes: resource and non-resource requests as RequestInfoFactory reads them', async (t) => {
  const cases: Array<[string, string, unknown[]]> = [
    ['GET', '/api/v1/namespaces/ns1/pods/p', ['get', '', 'v1', 'ns1', 'pods', '', 'p']],
    ['GET', '/api/v1/namespaces/ns1/pods', ['list', '', 'v1', 'ns1', 'pods', '', '']],
    ['GET', '/api/v1/namespaces/ns1/pods?watch=true', ['watch', '', 'v1', 'ns1', 'pods', '', '']],
    ['GET', '/api/v1/pods?watch=1&resourceVersion=5', ['watch', '', 'v1', '', 'pods', '', '']],
    ['GET', '/api/v1/pods?watch=false', ['list', '', 'v1', '', 'pods', '', '']],
    ['GET', '/api/v1/pods?watch=0', ['list', '', 'v1', '', 'pods', '', '']],
    ['GET', '/api/v1/namespaces/ns1/pods?fieldSelector=metadata.name%3Dp1', ['list', '', 'v1', 'ns1', 'pods', '', 'p1']],
    ['GET', '/api/v1/namespaces/ns1/pods?watch=true&fieldSelector=spec.nodeName%3Dn,metadata.name%3D%3Dp2', ['watch', '', 'v1', 'ns1', 'pods', '', 'p2']],
    ['HEAD', '/api/v1/nodes/n1', ['get', '', 'v1', '', 'nodes', '', 'n1']],
    ['POST', '/apis/apps/v1/namespaces/ns1/deployments', ['create', 'apps', 'v1', 'ns1', 'deployments', '', '']],
    ['PUT', '/apis/apps/v1/namespaces/ns1/deployments/d/scale', ['update', 'apps', 'v1', 'ns1', 'deployments', 'scale', 'd']],
    ['PATCH', '/apis/apps/v1/namespaces/ns1/deployments/d/status', ['patch', 'apps', 'v1', 'ns1', 'deployments', 'status', 'd']],
    ['DELETE', '/apis/apps/v1/namespaces/ns1/deployments/d', ['delete', 'apps', 'v1', 'ns1', 'deployments', '', 'd']],
    ['DELETE', '/apis/apps/v1/namespaces/ns1/deployments', ['deletecollection', 'apps', 'v1', 'ns1', 'deployments', '', '']],
    ['GET', '/api/v1/namespaces/ns1', ['get', '', 'v1', 'ns1', 'namespaces', '', 'ns1']],
    ['PUT', '/api/v1/namespaces/ns1/finalize', ['update', '', 'v1', 'ns1', 'namespaces', 'finalize', 'ns1']],
    ['GET', '/api/v1/namespaces', ['list', '', 'v1', '', 'namespaces', '', '']],
    ['GET', '/api/v1/namespaces/ns1/pods/p/log/extra/segments', ['get', '', 'v1', 'ns1', 'pods', 'log', 'p']],
    ['GET', '/api/v1/watch/namespaces/ns1/pods', ['watch', '', 'v1', 'ns1', 'pods', '', '']],
    ['GET', '/api/v1/namespaces/ns1/pods/with%20space', ['get', '', 'v1', 'ns1', 'pods', '', 'with space']],
    ['OPTIONS', '/api/v1/pods', ['', '', 'v1', '', 'pods', '', '']],
    ['GET', '/api', ['get', '/api']],
    ['GET', '/api/v1', ['get', '/api/v1']],
    ['GET', '/apis/apps', ['get', '/apis/apps']],
    ['GET', '/apis/apps/v1', ['get', '/apis/apps/v1']],
    ['GET', '/healthz?verbose', ['get', '/healthz']],
    ['POST', '/version', ['post', '/version']],
    ['GET', '/openapi/v3/apis/apps/v1?hash=AB', ['get', '/openapi/v3/apis/apps/v1']],
  ];
  for (const [method, url, expected] of cases) t.same(pick(method, url), expected, `${method} ${url}`);
});

t.test('fieldSelectorName: only an exact, valid metadata.name term names the object', async (t) => {
  t.equal(fieldSelectorName('metadata.name=a'), 'a');
  t.equal(fieldSelectorName('metadata.name==a,status.phase=Running'), 'a');
  t.equal(fieldSelectorName('metadata.name!=a'), undefined);
  t.equal(fieldSelectorName('metadata.name=a/b'), undefined);
  t.equal(fieldSelectorName('metadata.namespace=a'), undefined);
  t.equal(fieldSelectorName('x=1\\,metadata.name=a'), undefined, 'an escaped comma does not split');
});

t.test('forbiddenError: the three forms of the message, HTML-escaped, with the reason appended', async (t) => {
  const get = forbiddenError(requestAttributes(U, 'GET', '/api/v1/namespaces/ns1/pods/p'), '');
  t.equal(get.status.message, 'pods "p" is forbidden: User "bob" cannot get resource "pods" in API group "" in the namespace "ns1"');
  t.same(get.status.details, { name: 'p', kind: 'pods' });
  const list = forbiddenError(requestAttributes(U, 'GET', '/apis/apps/v1/deployments'), 'RBAC: x');
  t.equal(list.status.message, 'deployments.apps is forbidden: User "bob" cannot list resource "deployments" in API group "apps" at the cluster scope: RBAC: x');
  const sub = forbiddenError(requestAttributes(U, 'PUT', '/apis/apps/v1/namespaces/n/deployments/d/scale'), '');
  t.equal(sub.status.message, 'deployments.apps "d" is forbidden: User "bob" cannot update resource "deployments/scale" in API group "apps" in the namespace "n"');
  const path = forbiddenError(requestAttributes({ name: '<x&y>', groups: [] }, 'GET', '/logs'), '');
  t.equal(path.status.message, 'forbidden: User "&lt;x&amp;y&gt;" cannot get path "/logs"');
  t.same(path.status.details, {});
  t.equal(path.status.code, 403);
  t.equal(path.status.reason, 'Forbidden');
});

t.test('ruleAllows: `*` + `/sub` matches any resource\'s subresource, never the resource itself', async (t) => {
  const rule = { verbs: ['get'], apiGroups: ['*'], resources: ['*/status'] };
  t.ok(ruleAllows(requestAttributes(U, 'GET', '/api/v1/namespaces/n/pods/p/status'), rule));
  t.notOk(ruleAllows(requestAttributes(U, 'GET', '/api/v1/namespaces/n/pods/p'), rule));
  t.notOk(ruleAllows(requestAttributes(U, 'GET', '/api/v1/namespaces/n/pods/p/log'), rule));
  const urls = { verbs: ['get'], nonResourceURLs: ['/a/*', '/b'] };
  t.ok(ruleAllows(requestAttributes(U, 'GET', '/a/x/y'), urls));
  t.notOk(ruleAllows(requestAttributes(U, 'GET', '/a'), urls));
  t.notOk(ruleAllows(requestAttributes(U, 'GET', '/b/c'), urls));
});

t.test('covers: what is missing, compacted and worded as ConfirmNoEscalation', async (t) => {
  const owner = [
    { verbs: ['get', 'list'], apiGroups: [''], resources: ['pods', '*/status'] },
    { verbs: ['get'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['a'] },
    { verbs: ['get'], nonResourceURLs: ['/logs/*'] },
  ];
  t.same(uncovered(owner, [{ verbs: ['get'], apiGroups: [''], resources: ['pods', 'nodes/status'] }]), [], '*/status covers nodes/status');
  t.same(uncovered(owner, [{ verbs: ['get'], nonResourceURLs: ['/logs/x'] }]), []);
  t.same(uncovered(owner, [{ verbs: ['get'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['a'] }]), [], 'named owner covers the same name');
  t.same(uncovered(owner, [{ verbs: ['get'], apiGroups: [''], resources: ['configmaps'] }]).length, 1, 'a named owner rule does not cover all names');
  t.same(compactRules(uncovered(owner, [{ verbs: ['get', 'watch', 'delete'], apiGroups: [''], resources: ['pods', 'secrets'] }])), [
    { apiGroups: [''], resources: ['pods'], verbs: ['watch', 'delete'] },
    { apiGroups: [''], resources: ['secrets'], verbs: ['get', 'watch', 'delete'] },
  ]);
  t.equal(
    escalationMessage({ name: 'u', groups: ['g1', 'g2'] }, owner, [{ verbs: ['put'], nonResourceURLs: ['/x'] }], 'boom'),
    'user "u" (groups=["g1" "g2"]) is attempting to grant RBAC permissions not currently held:\n{NonResourceURLs:["/x"], Verbs:["put"]}; resolution errors: [boom]',
  );
  t.equal(escalationMessage({ name: 'u', groups: [] }, owner, []), undefined);
});

t.test('--authorization-mode: RBAC by default, AlwaysAllow on request, anything else a usage error', async (t) => {
  const mode = (argv: string[]) => {
    const command = parseCommand(['serve', ...argv]);
    return command.command === 'serve' ? command.config.authorizationMode : undefined;
  };
  t.equal(mode([]), 'RBAC');
  t.equal(mode(['--authorization-mode', 'AlwaysAllow']), 'AlwaysAllow');
  t.equal(mode(['--authorization-mode=RBAC']), 'RBAC');
  t.throws(() => parseCommand(['serve', '--authorization-mode', 'Node,RBAC']), new UsageError('invalid --authorization-mode "Node,RBAC": must be one of RBAC, AlwaysAllow'));
});
