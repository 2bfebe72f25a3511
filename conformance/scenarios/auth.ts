/**
 * Conformance scenarios: RBAC as kubectl's `auth` commands see it — `auth can-i` for users,
 * groups and service accounts given by `--as`/`--as-group` (ClusterRoleBindings, RoleBindings to a
 * ClusterRole in one namespace, resourceNames, subresources, non-resource URLs with a `*` suffix),
 * `auth can-i --list` in a namespace, and `auth whoami` (kubectl 1.27 asks
 * authentication.k8s.io/v1beta1, 1.28 and later v1; whoami runs on every version, the others on
 * three, see AUTH_SKIP). The kubeconfig's user must be a cluster admin
 * allowed to impersonate. Cluster-scoped objects carry the run's unique suffix and are deleted
 * at the end.
 * Must not: depend on kubemu specifics (the expectations are those of a real cluster).
 */
import { expectEqual, expectIncludes, expectSuccess, ExpectationError, pick, scenario, type Context, type Json } from '../harness.js';
import { sleep } from './read-fixtures.js';

/**
 * The can-i, token and certificate scenarios run on the oldest, a middle and the newest kubectl
 * only: every version sends the same reviews (1.33 as protobuf, the others as JSON), and seven
 * passes would add ~40 s to the conformance tap test on a loaded 2-core machine (measured 48 s for
 * all auth scenarios × 7 versions).
 */
export const AUTH_SKIP = [{ versions: '1.28,1.29,1.30,1.32', reason: 'auth scenarios run on 1.27, 1.31 and 1.33 only (suite time budget)' }];

/** The names one run of the can-i scenarios uses (unique per run: cluster-scoped objects and users). */
function names(ctx: Context) {
  return {
    alice: ctx.unique('alice'),
    carol: ctx.unique('carol'),
    dave: ctx.unique('dave'),
    urlReaders: ctx.unique('url-readers'),
    podReader: ctx.unique('conformance-pod-reader'),
    namedCm: ctx.unique('conformance-named-cm'),
    deployScale: ctx.unique('conformance-deploy-scale'),
    robot: 'robot',
  };
}

/** ClusterRoles, ClusterRoleBindings and RoleBindings of the can-i scenarios, as one manifest. */
function policy(ctx: Context, n: ReturnType<typeof names>): string {
  const label = `labels: {conformance-auth: "${ctx.unique('run')}"}`;
  const ns = ctx.namespace;
  return `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: ${n.podReader}, ${label}}
rules:
- {apiGroups: [""], resources: [pods], verbs: [get, list, watch]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: ${n.namedCm}, ${label}}
rules:
- {apiGroups: [""], resources: [configmaps], resourceNames: [cm-a], verbs: [get, update]}
- {nonResourceURLs: [/logs, /metrics/*], verbs: [get]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: ${n.deployScale}, ${label}}
rules:
- {apiGroups: [apps], resources: [deployments/scale], verbs: [update]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: ${n.alice}, ${label}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ${n.podReader}}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: ${n.alice}}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: carol, namespace: ${ns}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ${n.namedCm}}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: ${n.carol}}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: ${n.urlReaders}, ${label}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ${n.namedCm}}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: Group, name: ${n.urlReaders}}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: robot, namespace: ${ns}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ${n.deployScale}}
subjects: [{kind: ServiceAccount, name: ${n.robot}}]
`;
}

/** Applies the policy, runs `body`, and deletes the cluster-scoped part whatever happened. */
async function withPolicy(ctx: Context, body: (n: ReturnType<typeof names>) => Promise<void>): Promise<void> {
  const n = names(ctx);
  expectSuccess(await ctx.kubectl(['apply', '-f', '-'], { stdin: policy(ctx, n) }), 'apply the RBAC policy');
  try {
    // Authorizers follow the policy through a watch: wait until the last binding is in force.
    await untilAnswer(ctx, ['get', '/logs', '--as', n.dave, '--as-group', n.urlReaders], 'yes');
    await untilAnswer(ctx, ['update', 'deployments.apps', '--subresource=scale', '-n', ctx.namespace, '--as', `system:serviceaccount:${ctx.namespace}:${n.robot}`], 'yes');
    await body(n);
  } finally {
    await ctx.kubectl(['delete', 'clusterrole,clusterrolebinding', '-l', `conformance-auth=${ctx.unique('run')}`, '--wait=false']);
  }
}

/** Polls `kubectl auth can-i <args>` until it prints `expected` (at most 10 s: authorizer caches). */
export async function untilAnswer(ctx: Context, args: string[], expected: 'yes' | 'no', extra: string[] = []): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const run = await ctx.kubectl([...extra, 'auth', 'can-i', ...args]);
    if (run.stdout.trim() === expected) return;
    if (Date.now() > deadline) throw new ExpectationError(`auth can-i ${args.join(' ')} to answer ${expected} within 10 s; last: ${JSON.stringify(run)}`);
    await sleep(200);
  }
}

/** Runs `kubectl [extra] auth can-i <args>` and checks the answer and exit code (0 yes, 1 no). */
export async function expectCanI(ctx: Context, args: string[], expected: 'yes' | 'no', extra: string[] = []): Promise<void> {
  const run = await ctx.kubectl([...extra, 'auth', 'can-i', ...args]);
  expectEqual(run.stdout.trim(), expected, `auth can-i ${args.join(' ')} (stderr ${JSON.stringify(run.stderr)})`);
  expectEqual(run.code, expected === 'yes' ? 0 : 1, `exit code of auth can-i ${args.join(' ')}`);
}

/** Table lines with runs of blanks folded to one, blank lines dropped. */
export function folded(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim().split(/\s+/).join(' '))
    .filter((l) => l !== '');
}

/** `auth can-i` with --as, --as-group, a namespace, resource names, subresources and non-resource URLs. */
export const canI = scenario({
  name: 'auth/can-i',
  namespace: true,
  skip: AUTH_SKIP,
  async run(ctx) {
    await withPolicy(ctx, async (n) => {
      const ns = ctx.namespace;
      const robot = `system:serviceaccount:${ns}:${n.robot}`;
      const table: Array<[string[], 'yes' | 'no']> = [
        [['get', 'pods', '-n', ns, '--as', n.alice], 'yes'],
        [['list', 'pods', '--all-namespaces', '--as', n.alice], 'yes'],
        [['delete', 'pods', '-n', ns, '--as', n.alice], 'no'],
        [['get', 'configmaps/cm-a', '-n', ns, '--as', n.carol], 'yes'],
        [['get', 'configmaps/cm-b', '-n', ns, '--as', n.carol], 'no'],
        [['list', 'configmaps', '-n', ns, '--as', n.carol], 'no'],
        [['get', 'configmaps/cm-a', '-n', 'default', '--as', n.carol], 'no'],
        [['get', '/metrics/x', '--as', n.dave, '--as-group', n.urlReaders], 'yes'],
        [['get', '/logs', '--as', n.dave], 'no'],
        [['update', 'deployments.apps', '--subresource=scale', '-n', ns, '--as', robot], 'yes'],
        [['update', 'deployments.apps', '-n', ns, '--as', robot], 'no'],
        [['update', 'deployments.apps', '--subresource=scale', '-n', 'default', '--as', robot], 'no'],
        [['*', '*', '--all-namespaces'], 'yes'],
        [['create', 'selfsubjectaccessreviews.authorization.k8s.io', '--as', ctx.unique('nobody')], 'yes'],
      ];
      for (const [args, expected] of table) await expectCanI(ctx, args, expected);
    });
  },
});

/** `auth can-i --list` in a namespace: the bound ClusterRole's rules there and the bootstrap ones. */
export const canIList = scenario({
  name: 'auth/can-i-list',
  namespace: true,
  skip: AUTH_SKIP,
  async run(ctx) {
    await withPolicy(ctx, async (n) => {
      const out = expectSuccess(await ctx.kubectl(['auth', 'can-i', '--list', '-n', ctx.namespace, '--as', n.carol]), 'auth can-i --list as carol');
      const lines = folded(out);
      expectEqual(lines[0], 'Resources Non-Resource URLs Resource Names Verbs', 'header of auth can-i --list');
      const expect = (line: string, what: string) => expectEqual(lines.includes(line), true, `auth can-i --list has ${what} (${JSON.stringify(line)}); lines: ${JSON.stringify(lines)}`);
      expect('configmaps [] [cm-a] [get update]', 'the named configmap rule');
      expect('[/logs] [] [get]', 'the non-resource URL');
      expect('[/metrics/*] [] [get]', 'the non-resource URL prefix');
      expect('selfsubjectaccessreviews.authorization.k8s.io [] [] [create]', 'system:basic-user');
      expect('[/api/*] [] [get]', 'system:discovery');
      expectEqual(lines.filter((l) => l.startsWith('pods')), [], 'nothing of another user');
      const elsewhere = folded(expectSuccess(await ctx.kubectl(['auth', 'can-i', '--list', '-n', 'default', '--as', n.carol]), 'auth can-i --list -n default'));
      expectEqual(elsewhere.filter((l) => l.startsWith('configmaps')), [], 'the RoleBinding does not reach another namespace');
      expectEqual(elsewhere.includes('[/logs] [] [get]'), false, 'nor do its non-resource rules (a RoleBinding grants none)');
      const admin = folded(expectSuccess(await ctx.kubectl(['auth', 'can-i', '--list', '-n', ctx.namespace]), 'auth can-i --list as the admin'));
      expectEqual(admin.includes('*.* [] [] [*]'), true, `the admin holds *.* [*]; lines: ${JSON.stringify(admin.slice(0, 5))}`);
    });
  },
});

/** `auth whoami` for the kubeconfig's user and for an impersonated one (table and JSON). */
export const whoami = scenario({
  name: 'auth/whoami',
  async run(ctx) {
    const self = JSON.parse(expectSuccess(await ctx.kubectl(['auth', 'whoami', '-o', 'json']), 'auth whoami -o json')) as Json;
    expectEqual(pick(self, 'kind'), 'SelfSubjectReview', 'kind of auth whoami -o json');
    const expectedVersion = ctx.version === '1.27' ? 'authentication.k8s.io/v1beta1' : 'authentication.k8s.io/v1';
    expectEqual(pick(self, 'apiVersion'), expectedVersion, `apiVersion kubectl ${ctx.version} asks for`);
    const groups = pick(self, 'status.userInfo.groups');
    expectEqual(Array.isArray(groups) && groups.includes('system:authenticated'), true, `the kubeconfig user is in system:authenticated (${JSON.stringify(groups)})`);

    const bob = ctx.unique('bob');
    const table = expectSuccess(await ctx.kubectl(['auth', 'whoami', '--as', bob, '--as-group', 'dev', '--as-uid', 'u-1']), 'auth whoami --as');
    expectEqual(folded(table), ['ATTRIBUTE VALUE', `Username ${bob}`, 'UID u-1', 'Groups [dev system:authenticated]'], 'auth whoami table of an impersonated user');
    const json = JSON.parse(expectSuccess(await ctx.kubectl(['auth', 'whoami', '--as', bob, '-o', 'json']), 'auth whoami --as -o json')) as Json;
    expectEqual(pick(json, 'status.userInfo'), { username: bob, groups: ['system:authenticated'] }, 'userInfo of an impersonated user');
    expectIncludes(JSON.stringify(json), '"kind":"SelfSubjectReview"', 'auth whoami -o json kind');
  },
});
