/**
 * kubectl against RBAC: `auth can-i` (with --as, --as-group, --subresource, non-resource URLs,
 * --list) and `auth whoami` through the real kubectl 1.29, 1.31 and 1.33 binaries (1.33 sends
 * its review bodies as protobuf), plus 1.27's `auth whoami` (authentication.k8s.io/v1beta1).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { startKubemu, type Kubemu } from '../../../src/index.js';

const KUBECTL_DIR = process.env.KUBEMU_KUBECTL_DIR ?? '/usr/lib/google-cloud-sdk/bin';
const VERSIONS = ['1.29', '1.31', '1.33'].filter((v) => existsSync(join(KUBECTL_DIR, `kubectl.${v}`)));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function kubectl(k: Kubemu, version: string, args: string[], stdin?: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(join(KUBECTL_DIR, `kubectl.${version}`), ['--kubeconfig', k.kubeconfigPath, ...args], { timeout: 30000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1) : 0;
      resolve({ code, stdout, stderr });
    });
    if (stdin !== undefined) child.stdin!.end(stdin);
  });
}

const FIXTURE = `
apiVersion: v1
kind: Namespace
metadata: {name: ns1}
---
apiVersion: v1
kind: Namespace
metadata: {name: ns2}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: pod-reader}
rules:
- {apiGroups: [""], resources: [pods], verbs: [get, list, watch]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: named-cm}
rules:
- {apiGroups: [""], resources: [configmaps], resourceNames: [cm-a], verbs: [get, update]}
- {nonResourceURLs: [/logs, /metrics/*], verbs: [get]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: deploy-scale}
rules:
- {apiGroups: [apps], resources: [deployments/scale], verbs: [update]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: alice}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: pod-reader}
subjects: [{kind: User, name: alice}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: carol, namespace: ns2}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: named-cm}
subjects: [{kind: User, name: carol}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: carol-urls}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: named-cm}
subjects: [{kind: Group, name: url-readers}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: robot, namespace: ns1}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: deploy-scale}
subjects: [{kind: ServiceAccount, name: robot}]
`;

/** [args, expected stdout line, expected exit code] */
const CAN_I: Array<[string[], 'yes' | 'no']> = [
  [['get', 'pods', '-n', 'ns1', '--as', 'alice'], 'yes'],
  [['list', 'pods', '--all-namespaces', '--as', 'alice'], 'yes'],
  [['delete', 'pods', '-n', 'ns1', '--as', 'alice'], 'no'],
  [['get', 'configmaps/cm-a', '-n', 'ns2', '--as', 'carol'], 'yes'],
  [['get', 'configmaps/cm-b', '-n', 'ns2', '--as', 'carol'], 'no'],
  [['list', 'configmaps', '-n', 'ns2', '--as', 'carol'], 'no'],
  [['get', 'configmaps/cm-a', '-n', 'ns1', '--as', 'carol'], 'no'],
  [['get', '/logs', '--as', 'dave', '--as-group', 'url-readers'], 'yes'],
  [['get', '/metrics/x', '--as', 'dave', '--as-group', 'url-readers'], 'yes'],
  [['get', '/logs', '--as', 'dave'], 'no'],
  [['update', 'deployments.apps', '--subresource=scale', '-n', 'ns1', '--as', 'system:serviceaccount:ns1:robot'], 'yes'],
  [['update', 'deployments.apps', '-n', 'ns1', '--as', 'system:serviceaccount:ns1:robot'], 'no'],
  [['*', '*', '--all-namespaces'], 'yes'],
  [['create', 'selfsubjectaccessreviews.authorization.k8s.io', '--as', 'nobody'], 'yes'],
];

t.test('kubectl against RBAC', { skip: VERSIONS.length ? false : `no kubectl.<version> in ${KUBECTL_DIR}` }, async (t) => {
  const k = await startKubemu();
  t.teardown(() => k.close());
  const applied = await kubectl(k, VERSIONS[0]!, ['apply', '-f', '-'], FIXTURE);
  t.equal(applied.code, 0, applied.stderr);

  for (const version of VERSIONS) {
    t.test(`kubectl ${version} auth can-i`, async (t) => {
      for (const [args, expected] of CAN_I) {
        const run = await kubectl(k, version, ['auth', 'can-i', ...args]);
        t.equal(run.stdout.trim(), expected, `can-i ${args.join(' ')}: ${run.stderr}`);
        t.equal(run.code, expected === 'yes' ? 0 : 1, `exit code of can-i ${args.join(' ')}`);
      }
    });

    t.test(`kubectl ${version} auth can-i --list`, async (t) => {
      const run = await kubectl(k, version, ['auth', 'can-i', '--list', '-n', 'ns2', '--as', 'carol']);
      t.equal(run.code, 0, run.stderr);
      const lines = run.stdout.split('\n').map((l) => l.trim().split(/\s+/).join(' '));
      t.match(lines[0], /^Resources Non-Resource URLs Resource Names Verbs$/);
      t.ok(lines.includes('configmaps [] [cm-a] [get update]'), 'the named configmap rule');
      t.ok(lines.includes('selfsubjectaccessreviews.authorization.k8s.io [] [] [create]'), 'system:basic-user');
      t.ok(lines.includes('[/api/*] [] [get]'), 'system:discovery');
      t.notOk(lines.some((l) => l.startsWith('pods ')), 'nothing of alice');
      const admin = await kubectl(k, version, ['auth', 'can-i', '--list']);
      t.ok(admin.stdout.split('\n').some((l) => /^\*\.\*\s+\[\]\s+\[\]\s+\[\*\]/.test(l)), 'cluster-admin for the admin');
    });

    t.test(`kubectl ${version} auth whoami`, async (t) => {
      const admin = await kubectl(k, version, ['auth', 'whoami', '-o', 'json']);
      t.equal(admin.code, 0, admin.stderr);
      t.same(JSON.parse(admin.stdout).status.userInfo, { username: 'kubemu-admin', groups: ['system:masters', 'system:authenticated'] });
      const bob = await kubectl(k, version, ['auth', 'whoami', '--as', 'bob', '--as-group', 'dev', '--as-uid', 'u-1']);
      t.equal(bob.code, 0, bob.stderr);
      const table = bob.stdout.split('\n').map((l) => l.trim().split(/\s+/).join(' '));
      t.same(table.filter((l) => l), ['ATTRIBUTE VALUE', 'Username bob', 'UID u-1', 'Groups [dev system:authenticated]']);
    });
  }

  t.test('kubectl 1.27 auth whoami (authentication.k8s.io/v1beta1)', { skip: existsSync(join(KUBECTL_DIR, 'kubectl.1.27')) ? false : 'no kubectl.1.27' }, async (t) => {
    const run = await kubectl(k, '1.27', ['auth', 'whoami', '--as', 'bob', '-o', 'json']);
    t.equal(run.code, 0, run.stderr);
    const out = JSON.parse(run.stdout);
    t.equal(out.apiVersion, 'authentication.k8s.io/v1beta1');
    t.same(out.status.userInfo, { username: 'bob', groups: ['system:authenticated'] });
  });

  t.test('a forbidden kubectl command prints the upstream message', async (t) => {
    const run = await kubectl(k, VERSIONS[VERSIONS.length - 1]!, ['get', 'secrets', '-n', 'ns1', '--as', 'alice']);
    t.equal(run.code, 1);
    t.match(run.stderr, 'Error from server (Forbidden): secrets is forbidden: User "alice" cannot list resource "secrets" in API group "" in the namespace "ns1"');
  });
});
