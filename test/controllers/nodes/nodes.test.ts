/**
 * Simulated nodes through buildServer (controllers on, in-process client): the Node and its
 * Lease, scheduling (nodeSelector, affinity, taints, resources, unschedulable report), the
 * default lifecycle stages (Running/Ready with IPs, completion annotations, graceful deletion),
 * the default ServiceAccount and kube-root-ca.crt, ServiceAccount admission, and kubectl's
 * view. Every wait is bounded.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import t from 'tap';
import type { KubeObject, StoredObject } from '../../../src/api/types.js';
import { withDefaults } from '../../../src/cli/config.js';
import { LocalClient } from '../../../src/client/local.js';
import { RESOURCES } from '../../../src/client/types.js';
import { DEFAULT_STAGES } from '../../../src/controllers/nodes/index.js';
import { startKubemu } from '../../../src/index.js';
import { buildServer } from '../../../src/server.js';
import { eventually } from '../../helpers/wait.js';

const exec = promisify(execFile);
const server = await buildServer(withDefaults({ storage: 'memory', tls: false, port: 0 }));
t.teardown(() => server.close());
const client = new LocalClient(server.registry, { fieldManager: 'test' });
const PODS = RESOURCES.pods;
let spaces = 0;
async function namespace(): Promise<string> {
  const name = `nodes-${++spaces}`;
  await client.create(RESOURCES.namespaces, { metadata: { name } });
  return name;
}
type Rec = Record<string, any>;
const pod = (name: string, spec: Rec = {}, annotations?: Record<string, string>): KubeObject =>
  ({ metadata: { name, ...(annotations ? { annotations } : {}) }, spec: { containers: [{ name: 'c', image: 'nginx:1.27' }], ...spec } }) as KubeObject;
const get = async (ns: string, name: string) => (await client.get(PODS, name, { namespace: ns })) as StoredObject & Rec;
const cond = (p: Rec, type: string) => (p.status?.conditions ?? []).find((c: Rec) => c.type === type);

t.test('default stages are pinned by the golden file', async (t) => {
  const golden = JSON.parse(readFileSync(new URL('./testdata/default-stages.json', import.meta.url), 'utf8'));
  t.same(DEFAULT_STAGES, golden);
});

t.test('node kubemu-node-0 is Ready with capacity, nodeInfo, and a renewed Lease', async (t) => {
  await eventually(async () => (await client.list(RESOURCES.nodes)).items.length === 1 && !!cond((await client.get(RESOURCES.nodes, 'kubemu-node-0')), 'Ready'), 'node Ready');
  const node = (await client.get(RESOURCES.nodes, 'kubemu-node-0')) as Rec;
  t.equal(cond(node, 'Ready').status, 'True');
  t.equal(cond(node, 'Ready').reason, 'KubeletReady');
  t.equal(cond(node, 'MemoryPressure').status, 'False');
  t.same(node.status.allocatable, { cpu: '32', memory: '256Gi', pods: '110', 'ephemeral-storage': '1Ti' });
  t.equal(node.status.nodeInfo.kubeletVersion, 'v1.31.0');
  t.match(node.status.nodeInfo.containerRuntimeVersion, /^kubemu:\/\//);
  t.equal(node.metadata.labels['kubernetes.io/hostname'], 'kubemu-node-0');
  t.same(node.status.addresses[0], { type: 'InternalIP', address: '10.244.0.1' });
  await eventually(async () => !!(await client.get({ group: 'coordination.k8s.io', version: 'v1', resource: 'leases' }, 'kubemu-node-0', { namespace: 'kube-node-lease' }).catch(() => undefined)), 'lease');
});

t.test('a pod is scheduled, then Running and Ready with IPs; events and serviceAccountName', async (t) => {
  const ns = await namespace();
  await client.create(PODS, pod('web', { initContainers: [{ name: 'init', image: 'busybox' }] }), { namespace: ns });
  await eventually(async () => (await get(ns, 'web')).status?.phase === 'Running', 'Running');
  const p = await get(ns, 'web');
  t.equal(p.spec.nodeName, 'kubemu-node-0');
  t.equal(p.spec.serviceAccountName, 'default');
  t.match(p.status.podIP, /^10\.244\.0\.\d+$/);
  t.equal(p.status.hostIP, '10.244.0.1');
  for (const type of ['Initialized', 'ContainersReady', 'Ready', 'PodScheduled']) t.equal(cond(p, type)?.status, 'True', type);
  t.equal(p.status.containerStatuses[0].ready, true);
  t.equal(p.status.containerStatuses[0].restartCount, 0);
  t.match(p.status.containerStatuses[0].containerID, /^kubemu:\/\//);
  t.equal(p.status.initContainerStatuses[0].state.terminated.reason, 'Completed');
  await eventually(async () => (await client.list(RESOURCES.events, { namespace: ns })).items.some((e: Rec) => e.reason === 'Scheduled'), 'Scheduled event');
  const ev = (await client.list(RESOURCES.events, { namespace: ns })).items.find((e: Rec) => e.reason === 'Scheduled') as Rec;
  t.equal(ev.message, `Successfully assigned ${ns}/web to kubemu-node-0`);
});

t.test('unschedulable pods: selector, affinity, taint-free resources report upstream wording', async (t) => {
  const ns = await namespace();
  await client.create(PODS, pod('sel', { nodeSelector: { disk: 'ssd' } }), { namespace: ns });
  await client.create(PODS, pod('big', { containers: [{ name: 'c', image: 'x', resources: { requests: { cpu: '40' } } }] }), { namespace: ns });
  const affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'NotIn', values: ['kubemu-node-0'] }] }] } } };
  await client.create(PODS, pod('aff', { affinity }), { namespace: ns });
  const ok = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/os', operator: 'In', values: ['linux'] }] }] } } };
  await client.create(PODS, pod('aff-ok', { affinity: ok }), { namespace: ns });
  for (const name of ['sel', 'aff']) {
    await eventually(async () => cond(await get(ns, name), 'PodScheduled')?.reason === 'Unschedulable', `${name} unschedulable`);
    t.equal(cond(await get(ns, name), 'PodScheduled').message,
      "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.");
  }
  await eventually(async () => cond(await get(ns, 'big'), 'PodScheduled')?.reason === 'Unschedulable', 'big unschedulable');
  t.equal(cond(await get(ns, 'big'), 'PodScheduled').message,
    '0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.');
  await eventually(async () => (await get(ns, 'aff-ok')).spec.nodeName === 'kubemu-node-0', 'aff-ok bound');
  await eventually(async () => (await client.list(RESOURCES.events, { namespace: ns })).items.some((e: Rec) => e.reason === 'FailedScheduling'), 'FailedScheduling');
  // A label on the node makes the selector pod schedulable.
  await client.patch(RESOURCES.nodes, 'kubemu-node-0', { type: 'merge', patch: { metadata: { labels: { disk: 'ssd' } } } });
  await eventually(async () => (await get(ns, 'sel')).spec.nodeName === 'kubemu-node-0', 'sel bound after label', 20000);
});

t.test('taints and tolerations', async (t) => {
  const ns = await namespace();
  await client.patch(RESOURCES.nodes, 'kubemu-node-0', { type: 'merge', patch: { spec: { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] } } });
  t.teardown(() => client.patch(RESOURCES.nodes, 'kubemu-node-0', { type: 'merge', patch: { spec: { taints: null } } }));
  await client.create(PODS, pod('plain'), { namespace: ns });
  await client.create(PODS, pod('tolerant', { tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }] }), { namespace: ns });
  await eventually(async () => cond(await get(ns, 'plain'), 'PodScheduled')?.reason === 'Unschedulable', 'plain unschedulable');
  t.match(cond(await get(ns, 'plain'), 'PodScheduled').message, '1 node(s) had untolerated taint {dedicated: gpu}');
  await eventually(async () => (await get(ns, 'tolerant')).spec.nodeName === 'kubemu-node-0', 'tolerant bound');
});

t.test('completion annotations and graceful deletion', async (t) => {
  const ns = await namespace();
  await client.create(PODS, pod('ok', { restartPolicy: 'Never' }, { 'kubemu.dev/exit': '0' }), { namespace: ns });
  await client.create(PODS, pod('bad', { restartPolicy: 'Never' }, { 'kubemu.dev/exit': '3' }), { namespace: ns });
  await eventually(async () => (await get(ns, 'ok')).status?.phase === 'Succeeded', 'Succeeded');
  await eventually(async () => (await get(ns, 'bad')).status?.phase === 'Failed', 'Failed');
  t.equal((await get(ns, 'bad')).status.containerStatuses[0].state.terminated.exitCode, 3);
  await client.create(PODS, pod('slow', {}, { 'kubemu.dev/start-after-ms': '60000' }), { namespace: ns });
  await eventually(async () => !!(await get(ns, 'slow')).spec.nodeName, 'slow bound');
  const marked = (await client.delete(PODS, 'slow', { namespace: ns })) as Rec;
  t.ok(marked.metadata.deletionTimestamp, 'graceful: marked');
  t.equal(marked.metadata.deletionGracePeriodSeconds, 30);
  await eventually(async () => !(await get(ns, 'slow').catch(() => undefined)), 'node removed the pod');
  // An unscheduled pod goes at once; grace 0 (force) too.
  await client.create(PODS, pod('nowhere', { nodeSelector: { none: 'x' } }), { namespace: ns });
  const gone = (await client.delete(PODS, 'nowhere', { namespace: ns })) as Rec;
  t.notOk(gone.metadata.deletionTimestamp, 'unscheduled: immediate');
});

t.test('default ServiceAccount in every namespace, recreated; kube-root-ca.crt with TLS', async (t) => {
  const ns = await namespace();
  await eventually(async () => !!(await client.get(RESOURCES.serviceaccounts, 'default', { namespace: ns }).catch(() => undefined)), 'default SA');
  await client.delete(RESOURCES.serviceaccounts, 'default', { namespace: ns });
  await eventually(async () => !!(await client.get(RESOURCES.serviceaccounts, 'default', { namespace: ns }).catch(() => undefined)), 'default SA again');
  const tls = await buildServer(withDefaults({ storage: 'memory', tls: true, port: 0 }));
  t.teardown(() => tls.close());
  const local = new LocalClient(tls.registry, { fieldManager: 'test' });
  await eventually(async () => !!(await local.get(RESOURCES.configmaps, 'kube-root-ca.crt', { namespace: 'default' }).catch(() => undefined)), 'root CA configmap');
  const cm = (await local.get(RESOURCES.configmaps, 'kube-root-ca.crt', { namespace: 'default' })) as Rec;
  t.match(cm.data['ca.crt'], /^-----BEGIN CERTIFICATE-----/);
  t.equal(cm.data['ca.crt'], tls.tls?.caCert);
});

const KUBECTL = '/usr/lib/google-cloud-sdk/bin/kubectl.1.31';
t.test('kubectl get nodes / pods -o wide', { skip: existsSync(KUBECTL) ? false : 'kubectl 1.31 missing' }, async (t) => {
  const kube = await startKubemu({ tls: false });
  t.teardown(() => kube.close());
  const args = ['--kubeconfig', kube.kubeconfigPath];
  let out = '';
  await eventually(async () => {
    out = (await exec(KUBECTL, [...args, 'get', 'nodes'])).stdout;
    return / Ready /.test(out);
  }, 'kubectl get nodes Ready', 10000);
  t.match(out, /kubemu-node-0\s+Ready\s+<none>\s+\S+\s+v1\.31\.0/);
  await exec(KUBECTL, [...args, 'run', 'web', '--image=nginx']);
  await eventually(async () => {
    out = (await exec(KUBECTL, [...args, 'get', 'pods', '-o', 'wide'])).stdout;
    return /Running/.test(out);
  }, 'kubectl get pods Running', 10000);
  t.match(out, /web\s+1\/1\s+Running\s+0\s+\S+\s+10\.244\.0\.\d+\s+kubemu-node-0/);
  await exec(KUBECTL, [...args, 'delete', 'pod', 'web', '--wait=true', '--timeout=20s']);
});
