/**
 * The Deployment controller (with the ReplicaSet controller) through buildServer: create →
 * ReplicaSet + pods → Available; rolling updates bounded by maxSurge/maxUnavailable (sampled),
 * revisions and `rollout undo` reusing the old ReplicaSet, pause/resume, restart, proportional
 * scaling mid-rollout, history limit, Recreate, progress deadline, and `kubectl rollout status`
 * against a listening kubemu. Pods are marked ready by the test. Every wait is bounded.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import t from 'tap';
import type { StoredObject } from '../../src/api/types.js';
import { withDefaults } from '../../src/cli/config.js';
import { HttpClient } from '../../src/client/http.js';
import { LocalClient } from '../../src/client/local.js';
import { RESOURCES, type Client } from '../../src/client/types.js';
import { startKubemu } from '../../src/index.js';
import { buildServer } from '../../src/server.js';
import { eventually, sleep } from '../helpers/wait.js';
import { livePods, markReady, template } from './workloads-helpers.js';

const exec = promisify(execFile);
const KUBECTL = '/usr/lib/google-cloud-sdk/bin/kubectl.1.31';
const DEPLOY = RESOURCES.deployments;
const RS = RESOURCES.replicasets;
const server = await buildServer(withDefaults({ storage: 'memory', tls: false, port: 0, nodes: 0 }));
t.teardown(() => server.close());
const client = new LocalClient(server.registry, { fieldManager: 'test' });
let spaces = 0;
async function namespace(c: Client = client): Promise<string> {
  const name = `deploy-${++spaces}`;
  await c.create(RESOURCES.namespaces, { metadata: { name } });
  return name;
}

interface Cond { type: string; status: string; reason?: string; message?: string }
type DStatus = { replicas?: number; updatedReplicas?: number; readyReplicas?: number; availableReplicas?: number; unavailableReplicas?: number; observedGeneration?: number; conditions?: Cond[] };

function deployment(name: string, replicas: number, spec: Record<string, unknown> = {}, annotations?: Record<string, string>): StoredObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, ...(annotations ? { annotations } : {}) },
    spec: { replicas, selector: { matchLabels: { app: name } }, template: template({ app: name }), ...spec },
  } as unknown as StoredObject;
}

/** Marks the pods of `selector` ready every `ms` until stopped (a stand-in for kubelets). */
function autoReady(c: Client, ns: string, selector: string, ms = 30): () => Promise<void> {
  let on = true;
  const loop = (async () => {
    while (on) {
      await markReady(c, ns, selector).catch(() => 0);
      await sleep(ms);
    }
  })();
  return async () => {
    on = false;
    await loop;
  };
}

async function sets(ns: string, c: Client = client): Promise<StoredObject[]> {
  return (await c.list(RS, { namespace: ns })).items;
}
const size = (rs: StoredObject) => (rs.spec as { replicas: number }).replicas;
const ann = (o: StoredObject, k: string) => o.metadata.annotations?.[`deployment.kubernetes.io/${k}`];
async function dstatus(ns: string, name: string, c: Client = client): Promise<DStatus & { generation: number }> {
  const d = await c.get(DEPLOY, name, { namespace: ns });
  return { ...((d.status ?? {}) as DStatus), generation: d.metadata.generation ?? 0 };
}
const cond = (s: DStatus, type: string) => s.conditions?.find((c) => c.type === type);
async function complete(ns: string, name: string, replicas: number): Promise<boolean> {
  const s = await dstatus(ns, name);
  return s.observedGeneration === s.generation && s.updatedReplicas === replicas && s.replicas === replicas && s.availableReplicas === replicas;
}
async function setImage(ns: string, name: string, image: string): Promise<void> {
  await client.patch(DEPLOY, name, { type: 'strategic', patch: { spec: { template: { spec: { containers: [{ name: 'app', image }] } } } } }, { namespace: ns });
}

t.test('Deployment: create → ReplicaSet <name>-<hash> with pods → Available, revision 1, events', async (t) => {
  const ns = await namespace();
  await client.create(DEPLOY, deployment('web', 3, {}, { 'kubernetes.io/change-cause': 'first', 'kubectl.kubernetes.io/last-applied-configuration': '{}' }), { namespace: ns });
  await eventually(async () => (await sets(ns)).length === 1 && (await livePods(client, ns, 'app=web')).length === 3, 'one RS and 3 pods');
  const [rs] = await sets(ns);
  const hash = rs!.metadata.labels?.['pod-template-hash'];
  t.match(hash, /^[bcdfghjklmnpqrstvwxz2456789]+$/, 'hash in the safe alphabet');
  t.equal(rs!.metadata.name, `web-${hash}`);
  t.same((rs!.spec as { selector: unknown }).selector, { matchLabels: { app: 'web', 'pod-template-hash': hash } });
  t.equal(ann(rs!, 'revision'), '1');
  t.equal(ann(rs!, 'desired-replicas'), '3');
  t.equal(ann(rs!, 'max-replicas'), '4', '3 + 25% rounded up');
  t.equal(rs!.metadata.annotations?.['kubernetes.io/change-cause'], 'first', 'change-cause copied');
  t.notOk(rs!.metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration'], 'last-applied not copied');
  t.equal(rs!.metadata.ownerReferences?.[0]?.kind, 'Deployment');
  for (const pod of await livePods(client, ns, 'app=web')) t.equal(pod.metadata.labels?.['pod-template-hash'], hash, 'hash label on pods');
  await markReady(client, ns, 'app=web');
  await eventually(() => complete(ns, 'web', 3), 'complete');
  await eventually(async () => cond(await dstatus(ns, 'web'), 'Progressing')?.reason === 'NewReplicaSetAvailable', 'NewReplicaSetAvailable');
  const s = await dstatus(ns, 'web');
  t.match(cond(s, 'Available'), { status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' });
  t.match(cond(s, 'Progressing'), { status: 'True', message: `ReplicaSet "web-${hash}" has successfully progressed.` });
  t.equal(s.unavailableReplicas ?? 0, 0);
  t.equal((await client.get(DEPLOY, 'web', { namespace: ns })).metadata.annotations?.['deployment.kubernetes.io/revision'], '1');
  const { items } = await client.list(RESOURCES.events, { namespace: ns });
  t.ok(items.some((e) => e.reason === 'ScalingReplicaSet' && e.message === `Scaled up replica set web-${hash} from 0 to 3`), 'ScalingReplicaSet event');
});

t.test('Deployment: rolling update stays within maxSurge/maxUnavailable; undo reuses the old ReplicaSet', async (t) => {
  const ns = await namespace();
  await client.create(DEPLOY, deployment('roll', 4, { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } } }), { namespace: ns });
  const stop = autoReady(client, ns, 'app=roll');
  await eventually(() => complete(ns, 'roll', 4), 'first rollout complete');
  const first = (await sets(ns))[0]!;
  let sampling = true;
  let maxPods = 0;
  let minReady = 4;
  const sampler = (async () => {
    while (sampling) {
      const pods = await livePods(client, ns, 'app=roll');
      maxPods = Math.max(maxPods, pods.length);
      const total = (await sets(ns)).reduce((n, rs) => n + size(rs), 0);
      maxPods = Math.max(maxPods, total);
      const ready = pods.filter((p) => (p.status as { conditions?: Cond[] } | undefined)?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length;
      minReady = Math.min(minReady, ready);
      await sleep(3);
    }
  })();
  await setImage(ns, 'roll', 'nginx:1.26');
  await eventually(async () => (await sets(ns)).length === 2 && (await complete(ns, 'roll', 4)), 'second rollout complete', 10000);
  sampling = false;
  await sampler;
  t.ok(maxPods <= 5, `never more than replicas + maxSurge pods (max ${maxPods})`);
  t.ok(minReady >= 3, `never fewer than replicas - maxUnavailable ready (min ${minReady})`);
  const second = (await sets(ns)).find((rs) => rs.metadata.uid !== first.metadata.uid)!;
  t.equal(size((await client.get(RS, first.metadata.name, { namespace: ns }))), 0, 'old RS scaled to 0');
  t.equal(ann(second, 'revision'), '2');
  // kubectl rollout undo: JSON-patch the template (hash label dropped) back to revision 1's.
  const tpl = structuredClone((first.spec as { template: { metadata: { labels: Record<string, string> } } }).template);
  delete tpl.metadata.labels['pod-template-hash'];
  await client.patch(DEPLOY, 'roll', { type: 'json', patch: [{ op: 'replace', path: '/spec/template', value: tpl }] }, { namespace: ns });
  await eventually(async () => ann(await client.get(RS, first.metadata.name, { namespace: ns }), 'revision') === '3', 'the old RS becomes revision 3', 5000);
  await eventually(() => complete(ns, 'roll', 4), 'undo complete', 10000);
  await stop();
  const after = await sets(ns);
  t.equal(after.length, 2, 'no third ReplicaSet');
  const reused = after.find((rs) => rs.metadata.uid === first.metadata.uid)!;
  t.equal(size(reused), 4);
  t.equal(ann(reused, 'revision-history'), '1');
  t.equal((await client.get(DEPLOY, 'roll', { namespace: ns })).metadata.annotations?.['deployment.kubernetes.io/revision'], '3');
});

t.test('Deployment: pause holds a template change; resume rolls it; restart makes a new ReplicaSet', async (t) => {
  const ns = await namespace();
  await client.create(DEPLOY, deployment('pz', 2), { namespace: ns });
  const stop = autoReady(client, ns, 'app=pz');
  await eventually(() => complete(ns, 'pz', 2), 'complete');
  await client.patch(DEPLOY, 'pz', { type: 'strategic', patch: { spec: { paused: true } } }, { namespace: ns });
  await eventually(async () => cond(await dstatus(ns, 'pz'), 'Progressing')?.reason === 'DeploymentPaused', 'DeploymentPaused');
  t.match(cond(await dstatus(ns, 'pz'), 'Progressing'), { status: 'Unknown', message: 'Deployment is paused' });
  await setImage(ns, 'pz', 'nginx:2');
  await client.patch(DEPLOY, 'pz', { type: 'merge', patch: { spec: { replicas: 3 } } }, { namespace: ns });
  await eventually(async () => (await livePods(client, ns, 'app=pz')).length === 3, 'paused deployments still scale');
  await sleep(200);
  t.equal((await sets(ns)).length, 1, 'no new ReplicaSet while paused');
  await client.patch(DEPLOY, 'pz', { type: 'strategic', patch: { spec: { paused: null } } }, { namespace: ns });
  await eventually(async () => (await sets(ns)).length === 2 && (await complete(ns, 'pz', 3)), 'resumed rollout complete', 10000);
  const restartedAt = new Date().toISOString();
  await client.patch(DEPLOY, 'pz', { type: 'strategic', patch: { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': restartedAt } } } } } }, { namespace: ns });
  await eventually(async () => (await sets(ns)).length === 3 && (await complete(ns, 'pz', 3)), 'restart rollout complete', 10000);
  await stop();
  const newest = (await sets(ns)).find((rs) => ann(rs, 'revision') === '3')!;
  t.equal((newest.spec as { template: { metadata: { annotations: Record<string, string> } } }).template.metadata.annotations['kubectl.kubernetes.io/restartedAt'], restartedAt);
});

t.test('Deployment: scaling mid-rollout is proportional', async (t) => {
  const ns = await namespace();
  await client.create(DEPLOY, deployment('prop', 10, { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 3, maxUnavailable: 2 } } }), { namespace: ns });
  await eventually(async () => (await livePods(client, ns, 'app=prop')).length === 10, '10 pods');
  await markReady(client, ns, 'app=prop');
  await eventually(() => complete(ns, 'prop', 10), 'complete');
  await setImage(ns, 'prop', 'nginx:new'); // new pods never get ready: the rollout stalls
  const sizes = async () => (await sets(ns)).map(size).sort((a, b) => b - a).join(',');
  await eventually(async () => (await sizes()) === '8,5', 'stalled at old 8 / new 5', 5000);
  await client.patch(DEPLOY, 'prop', { type: 'merge', patch: { spec: { replicas: 20 } } }, { namespace: ns });
  await eventually(async () => (await sizes()) === '14,9', 'scaled in proportion to 14 / 9', 5000);
  const { items } = await client.list(RESOURCES.events, { namespace: ns });
  t.ok(items.some((e) => /^Scaled up replica set prop-\w+ from 8 to 14$/.test(String(e.message))), 'event for the old RS');
});

t.test('Deployment: revisionHistoryLimit prunes old empty ReplicaSets', async (t) => {
  const ns = await namespace();
  await client.create(DEPLOY, deployment('hist', 1, { revisionHistoryLimit: 1 }), { namespace: ns });
  const stop = autoReady(client, ns, 'app=hist');
  await eventually(() => complete(ns, 'hist', 1), 'complete');
  for (const image of ['a:1', 'a:2', 'a:3']) {
    await setImage(ns, 'hist', image);
    await eventually(async () => {
      const s = await dstatus(ns, 'hist');
      return s.observedGeneration === s.generation && (await complete(ns, 'hist', 1));
    }, `rollout to ${image}`, 10000);
  }
  await eventually(async () => (await sets(ns)).length === 2, 'new + 1 old ReplicaSet kept', 5000);
  await stop();
  t.same((await sets(ns)).map((rs) => ann(rs, 'revision')).sort(), ['3', '4']);
});

t.test('Deployment: Recreate scales old to 0 before creating the new ReplicaSet', async (t) => {
  const ns = await namespace();
  await client.create(DEPLOY, deployment('rec', 3, { strategy: { type: 'Recreate' } }), { namespace: ns });
  const stop = autoReady(client, ns, 'app=rec');
  await eventually(() => complete(ns, 'rec', 3), 'complete');
  let mixed = false;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const hashes = new Set((await livePods(client, ns, 'app=rec')).map((p) => p.metadata.labels?.['pod-template-hash']));
      if (hashes.size > 1) mixed = true;
      await sleep(3);
    }
  })();
  await setImage(ns, 'rec', 'nginx:recreated');
  await eventually(async () => (await sets(ns)).length === 2 && (await complete(ns, 'rec', 3)), 'recreated', 10000);
  sampling = false;
  await sampler;
  await stop();
  t.notOk(mixed, 'old and new pods never ran together');
});

t.test('Deployment: ProgressDeadlineExceeded when pods never get ready', async (t) => {
  const ns = await namespace();
  await client.create(DEPLOY, deployment('stuck', 1, { progressDeadlineSeconds: 1 }), { namespace: ns });
  await eventually(async () => cond(await dstatus(ns, 'stuck'), 'Progressing')?.reason === 'ProgressDeadlineExceeded', 'ProgressDeadlineExceeded', 8000);
  const s = await dstatus(ns, 'stuck');
  t.match(cond(s, 'Progressing'), { status: 'False', message: /^ReplicaSet "stuck-\w+" has timed out progressing\.$/ });
  t.match(cond(s, 'Available'), { status: 'False', reason: 'MinimumReplicasUnavailable' });
});

t.test('kubectl rollout status: succeeds once the pods are ready', { skip: existsSync(KUBECTL) ? false : `${KUBECTL} missing` }, async (t) => {
  const kubemu = await startKubemu({ nodes: 0 });
  t.teardown(() => kubemu.close());
  const http = HttpClient.fromKubeconfig(kubemu.kubeconfig, { fieldManager: 'test' });
  const ns = await namespace(http);
  await http.create(DEPLOY, deployment('ks', 2), { namespace: ns });
  const stop = autoReady(http, ns, 'app=ks', 100);
  t.teardown(stop);
  const { stdout } = await exec(KUBECTL, ['--kubeconfig', kubemu.kubeconfigPath, '-n', ns, 'rollout', 'status', 'deploy/ks', '--timeout=30s'], { timeout: 40000 });
  t.match(stdout, /deployment "ks" successfully rolled out/);
  await http.patch(DEPLOY, 'ks', { type: 'strategic', patch: { spec: { template: { spec: { containers: [{ name: 'app', image: 'nginx:9' }] } } } } }, { namespace: ns });
  const again = await exec(KUBECTL, ['--kubeconfig', kubemu.kubeconfigPath, '-n', ns, 'rollout', 'status', 'deploy/ks', '--timeout=30s'], { timeout: 40000 });
  t.match(again.stdout, /successfully rolled out/);
  const history = await exec(KUBECTL, ['--kubeconfig', kubemu.kubeconfigPath, '-n', ns, 'rollout', 'history', 'deploy/ks'], { timeout: 20000 });
  t.match(history.stdout, /REVISION\s+CHANGE-CAUSE[\s\S]*1\s[\s\S]*2\s/);
  const undo = await exec(KUBECTL, ['--kubeconfig', kubemu.kubeconfigPath, '-n', ns, 'rollout', 'undo', 'deploy/ks'], { timeout: 20000 });
  t.match(undo.stdout, /rolled back/);
  await exec(KUBECTL, ['--kubeconfig', kubemu.kubeconfigPath, '-n', ns, 'rollout', 'status', 'deploy/ks', '--timeout=30s'], { timeout: 40000 });
  t.equal((await sets(ns, http)).length, 2, 'undo reused the first ReplicaSet');
});
