/**
 * pods/binding, as the scheduler and custom schedulers use it: discovery lists it (verb create),
 * a Binding assigns the node and PodScheduled in one write (through @kubernetes/client-node and
 * the in-process client), the upstream refusals (bound already, being deleted, scheduling gates,
 * name mismatch, bad target, uid precondition), and spec.nodeName no longer settable by an update.
 * Raw API semantics: controllers off.
 */
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import t from 'tap';
import type { StoredObject } from '../../../src/api/types.js';
import { LocalClient } from '../../../src/client/local.js';
import { RESOURCES } from '../../../src/client/types.js';
import { withDefaults } from '../../../src/cli/config.js';
import { startKubemu } from '../../../src/index.js';
import { buildServer } from '../../../src/server.js';

const kubemu = await startKubemu({ tls: false, controllers: false });
t.teardown(() => kubemu.close());
const kc = new KubeConfig();
// Plain HTTP: client-node wants skipTLSVerify said for an http:// server.
kc.loadFromOptions({
  clusters: [{ name: 'kubemu', server: kubemu.url, skipTLSVerify: true }],
  users: [{ name: 'admin', token: kubemu.token }],
  contexts: [{ name: 'kubemu', cluster: 'kubemu', user: 'admin' }],
  currentContext: 'kubemu',
});
const core = kc.makeApiClient(CoreV1Api);
const headers = { authorization: `Bearer ${kubemu.token}`, 'content-type': 'application/json' };
const api = async (method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, any> }> => {
  const res = await fetch(`${kubemu.url}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return { status: res.status, json: (await res.json()) as Record<string, any> };
};
const pod = (name: string, spec: Record<string, unknown> = {}) => ({ metadata: { name }, spec: { containers: [{ name: 'c', image: 'nginx' }], ...spec } });
const binding = (name: string, node: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Binding',
  metadata: { name, ...extra },
  target: { apiVersion: 'v1', kind: 'Node', name: node },
});
const base = '/api/v1/namespaces/default/pods';

t.test('discovery lists pods/binding with verb create', async (t) => {
  const { json } = await api('GET', '/api/v1');
  const entry = json.resources.find((r: { name: string }) => r.name === 'pods/binding');
  t.ok(entry, 'listed');
  t.same(entry.verbs, ['create']);
  t.equal(entry.kind, 'Binding');
  t.equal(entry.namespaced, true);
});

t.test('a Binding (client-node createNamespacedPodBinding) sets spec.nodeName and PodScheduled in one write', async (t) => {
  await core.createNamespacedPod({ namespace: 'default', body: pod('b1') });
  const before = await core.readNamespacedPod({ namespace: 'default', name: 'b1' });
  await core.createNamespacedPodBinding({
    namespace: 'default',
    name: 'b1',
    body: { metadata: { name: 'b1', annotations: { 'scheduler.example/why': 'test' } }, target: { kind: 'Node', name: 'node-a' } },
  });
  const after = await core.readNamespacedPod({ namespace: 'default', name: 'b1' });
  t.equal(after.spec?.nodeName, 'node-a');
  t.equal(after.metadata?.annotations?.['scheduler.example/why'], 'test', 'the Binding annotations are merged');
  const scheduled = after.status?.conditions?.find((c) => c.type === 'PodScheduled');
  t.equal(scheduled?.status, 'True');
  t.equal(Number(after.metadata?.resourceVersion), Number(before.metadata?.resourceVersion) + 1, 'one write');
  t.same(after.metadata?.managedFields, before.metadata?.managedFields, 'managedFields untouched, as upstream');
});

t.test('the success Status, and refusals with upstream wording', async (t) => {
  await api('POST', base, pod('b2'));
  const first = await api('POST', `${base}/b2/binding`, binding('b2', 'node-a'));
  t.equal(first.status, 201);
  t.same(first.json, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 }, 'a success Status');
  const again = await api('POST', `${base}/b2/binding`, binding('b2', 'node-b'));
  t.equal(again.status, 409);
  t.equal(again.json.reason, 'Conflict');
  t.equal(again.json.message, 'Operation cannot be fulfilled on pods/binding "b2": pod b2 is already assigned to node "node-a"');

  await api('POST', base, pod('gated', { schedulingGates: [{ name: 'wait' }] }));
  const gated = await api('POST', `${base}/gated/binding`, binding('gated', 'node-a'));
  t.equal(gated.status, 409);
  t.equal(gated.json.message, 'Operation cannot be fulfilled on pods/binding "gated": pod gated has non-empty .spec.schedulingGates');

  await api('POST', base, { ...pod('held'), metadata: { name: 'held', finalizers: ['example.com/hold'] } });
  await api('DELETE', `${base}/held`);
  const deleting = await api('POST', `${base}/held/binding`, binding('held', 'node-a'));
  t.equal(deleting.status, 409);
  t.equal(deleting.json.message, 'Operation cannot be fulfilled on pods/binding "held": pod held is being deleted, cannot be assigned to a host');

  const mismatch = await api('POST', `${base}/b3/binding`, binding('other', 'node-a'));
  t.equal(mismatch.status, 400);
  t.equal(mismatch.json.message, 'name in URL does not match name in Binding object');

  await api('POST', base, pod('b4'));
  const bad = await api('POST', `${base}/b4/binding`, { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'b4' }, target: { kind: 'Pod' } });
  t.equal(bad.status, 422);
  t.same(bad.json.details.causes.map((c: { field: string }) => c.field), ['target.kind', 'target.name']);

  const stale = await api('POST', `${base}/b4/binding`, binding('b4', 'node-a', { uid: 'not-the-uid' }));
  t.equal(stale.status, 409);
  t.match(stale.json.message, /^Operation cannot be fulfilled on pods "b4": Precondition failed: UID in precondition: not-the-uid, UID in object meta: /);

  t.equal((await api('POST', `${base}/missing/binding`, binding('missing', 'node-a'))).status, 404);
});

t.test('spec.nodeName cannot be set by an update, even from empty', async (t) => {
  await api('POST', base, pod('b5'));
  const patched = await fetch(`${kubemu.url}${base}/b5`, {
    method: 'PATCH',
    headers: { ...headers, 'content-type': 'application/merge-patch+json' },
    body: JSON.stringify({ spec: { nodeName: 'node-a' } }),
  });
  const body = (await patched.json()) as Record<string, any>;
  t.equal(patched.status, 422);
  t.match(body.message, /^Pod "b5" is invalid: spec: Forbidden: pod updates may not change fields other than /);
  t.match(body.message, /\+\tspec\.nodeName: "node-a"/);
});

t.test('the in-process client binds through the same subresource', async (t) => {
  const server = await buildServer(withDefaults({ storage: 'memory', tls: false, port: 0, controllers: false }));
  t.teardown(() => server.close());
  const client = new LocalClient(server.registry, { fieldManager: 'test' });
  await client.create(RESOURCES.pods, pod('local'), { namespace: 'default' });
  const answer = (await client.create(RESOURCES.pods, binding('local', 'node-z'), { namespace: 'default', subresource: 'binding' })) as unknown as Record<string, unknown>;
  t.equal(answer.status, 'Success');
  const bound = (await client.get(RESOURCES.pods, 'local', { namespace: 'default' })) as StoredObject & { spec: { nodeName?: string } };
  t.equal(bound.spec.nodeName, 'node-z');
  await t.rejects(client.create(RESOURCES.pods, binding('local', 'node-y'), { namespace: 'default', subresource: 'binding' }), {
    code: 409,
    message: 'Operation cannot be fulfilled on pods/binding "local": pod local is already assigned to node "node-z"',
  });
  await t.rejects(client.create(RESOURCES.configmaps, binding('x', 'node-y'), { namespace: 'default', subresource: 'binding' }), { code: 404 });
});
