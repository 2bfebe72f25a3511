import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { HttpClient } from '../../src/client/http.js';
import { RESOURCES } from '../../src/client/types.js';
import { startKubemu, type Kubemu } from '../../src/index.js';
import { eventually } from '../helpers/wait.js';

const exec = promisify(execFile);
const HOST_NS = 'vc-host';

type Pod = { metadata: { name: string; uid: string; labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: { nodeName?: string }; status?: { phase?: string; podIP?: string } };

t.test('a virtual kubemu runs its pods in a host kubemu', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'kubemu-syncer-'));
  const host = await startKubemu({ tls: false, nodes: 2 });
  const hostClient = HttpClient.fromKubeconfig(host.kubeconfig);
  await hostClient.create(RESOURCES.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: HOST_NS } });
  const startVirtual = () =>
    startKubemu({
      tls: false,
      storage: 'level',
      dataDir,
      hostCluster: { kubeconfigText: host.kubeconfig, namespace: HOST_NS, name: 'vc1', driftIntervalMs: 2000 },
    });
  let virtual: Kubemu = await startVirtual();
  t.teardown(async () => {
    hostClient.close();
    await virtual.close();
    await host.close();
    await rm(dataDir, { recursive: true, force: true });
  });
  const kubectl = async (...args: string[]) => (await exec('kubectl', ['--kubeconfig', virtual.kubeconfigPath, ...args])).stdout;
  const hostPods = async () =>
    (await hostClient.list(RESOURCES.pods, { namespace: HOST_NS, labelSelector: 'vcluster.loft.sh/managed-by=vc1' })).items as unknown as Pod[];
  const virtualPods = async () => (JSON.parse(await kubectl('get', 'pods', '-n', 'default', '-o', 'json')) as { items: Pod[] }).items;

  await kubectl('create', 'deployment', 'web', '--image=nginx', '--replicas=3');
  await kubectl('rollout', 'status', 'deployment/web', '--timeout=30s');
  const pods = await virtualPods();
  t.equal(pods.length, 3, 'three virtual pods');
  for (const pod of pods) {
    t.equal(pod.status?.phase, 'Running', `${pod.metadata.name} Running`);
    t.match(pod.spec?.nodeName, /^kubemu-node-\d$/, `${pod.metadata.name} bound to the host node`);
    t.ok(pod.status?.podIP, 'pod IP from the host');
  }
  const nodes = JSON.parse(await kubectl('get', 'nodes', '-o', 'json')) as { items: { metadata: { name: string; labels: Record<string, string> } }[] };
  t.ok(nodes.items.length > 0 && nodes.items.every((n) => n.metadata.labels['vcluster.loft.sh/fake-node'] === 'true'), 'virtual nodes are the fake nodes of used host nodes');

  let onHost = await hostPods();
  t.same(onHost.map((p) => p.metadata.name).sort(), pods.map((p) => `${p.metadata.name}-x-default-x-vc1`).sort(), 'exactly the three translated pods on the host');
  for (const pod of onHost) {
    const virtualName = pod.metadata.annotations?.['vcluster.loft.sh/object-name'];
    t.match(pod.metadata.labels, { 'vcluster.loft.sh/managed-by': 'vc1', 'vcluster.loft.sh/namespace': 'default', app: 'web' });
    t.match(pod.metadata.annotations, { 'vcluster.loft.sh/object-namespace': 'default', 'vcluster.loft.sh/object-kind': '/v1, Kind=Pod', 'vcluster.loft.sh/object-host-namespace': HOST_NS });
    const twin = pods.find((p) => p.metadata.name === virtualName);
    t.equal(pod.metadata.annotations?.['vcluster.loft.sh/object-uid'], twin?.metadata.uid, 'object-uid is the virtual uid');
    t.equal(twin?.status?.podIP, (pod.status as { podIP?: string }).podIP, 'virtual pod IP is the host one');
  }

  // A Service takes the host's ClusterIP.
  await kubectl('create', 'service', 'clusterip', 'web', '--tcp=80:80');
  const vSvc = JSON.parse(await kubectl('get', 'service', 'web', '-o', 'json')) as { spec: { clusterIP: string; selector: Record<string, string> } };
  const hSvc = (await hostClient.get(RESOURCES.services, 'web-x-default-x-vc1', { namespace: HOST_NS })) as unknown as { spec: { clusterIP: string; selector: Record<string, string> } };
  t.equal(vSvc.spec.clusterIP, hSvc.spec.clusterIP, 'virtual Service shows the host ClusterIP');
  t.same(hSvc.spec.selector, { app: 'web', 'vcluster.loft.sh/managed-by': 'vc1', 'vcluster.loft.sh/namespace': 'default' }, 'host selector translated');

  // kubectl logs and exec on a synced pod reach the host pod (its simulated node prints kubemu.dev/log).
  await kubectl('run', 'talker', '--image=busybox', '--annotations=kubemu.dev/log=hello from the host', '--restart=Never');
  await kubectl('wait', '--for=condition=Ready', 'pod/talker', '--timeout=30s');
  t.match(await kubectl('logs', 'talker'), /hello from the host/, 'kubectl logs relayed from the host pod');
  t.equal(await kubectl('exec', 'talker', '--', 'echo', 'hi'), 'hi\n', 'kubectl exec relayed to the host pod');
  for (const pod of pods) {
    t.equal(await kubectl('exec', pod.metadata.name, '--', 'echo', pod.metadata.name), `${pod.metadata.name}\n`, `kubectl exec reaches ${pod.metadata.name}`);
    t.equal(await kubectl('logs', pod.metadata.name), '', `kubectl logs reaches ${pod.metadata.name} (no log lines configured)`);
  }
  const failed = await exec('kubectl', ['--kubeconfig', virtual.kubeconfigPath, 'exec', 'talker', '--', 'sh', '-c', 'exit 3']).then(() => 0, (e: { code?: number }) => e.code);
  t.equal(failed, 3, 'the exit code of a relayed exec');
  await kubectl('delete', 'pod', 'talker', '--grace-period=0', '--force');
  await eventually(async () => (await hostPods()).length === 3, 'the host copy of the talker pod to go', 15000);

  // A host pod deleted by hand: the virtual pod goes, the ReplicaSet replaces it, the host gets the new one.
  const victim = onHost[0]!;
  await hostClient.delete(RESOURCES.pods, victim.metadata.name, { namespace: HOST_NS, gracePeriodSeconds: 0 });
  await eventually(async () => {
    const now = await hostPods();
    return now.length === 3 && !now.some((p) => p.metadata.name === victim.metadata.name);
  }, 'the host namespace to hold three pods again, without the deleted one', 15000);
  await kubectl('rollout', 'status', 'deployment/web', '--timeout=30s');
  t.notOk((await virtualPods()).some((p) => `${p.metadata.name}-x-default-x-vc1` === victim.metadata.name), 'the virtual twin of the deleted host pod is gone');

  // Restart the virtual cluster: nothing is lost or duplicated.
  await eventually(async () => (await virtualPods()).every((p) => p.status?.phase === 'Running') && (await virtualPods()).length === 3, 'three running virtual pods', 15000);
  const before = (await hostPods()).map((p) => `${p.metadata.name}/${p.metadata.uid}`).sort();
  const mappings = JSON.parse(await kubectl('get', 'configmaps', '-n', 'kubemu-syncer', '-o', 'json')) as { items: { data?: Record<string, string> }[] };
  const recorded = mappings.items.flatMap((cm) => Object.keys(cm.data ?? {})).filter((k) => k.startsWith('default.web-'));
  t.equal(recorded.length, 3, 'three pod mappings persisted');
  await virtual.close();
  virtual = await startVirtual();
  await new Promise((resolve) => setTimeout(resolve, 1500));
  t.same((await hostPods()).map((p) => `${p.metadata.name}/${p.metadata.uid}`).sort(), before, 'same host pods (same uids) after the restart');
  t.equal((await virtualPods()).length, 3, 'three virtual pods after the restart');

  // Deleting the Deployment empties the host namespace.
  await kubectl('delete', 'deployment', 'web');
  await eventually(async () => (await hostPods()).length === 0, 'the host namespace to hold no synced pods', 20000);
  t.equal((await hostPods()).length, 0, 'host namespace emptied');
  await kubectl('delete', 'service', 'web');
  await eventually(async () => (await hostClient.list(RESOURCES.services, { namespace: HOST_NS })).items.length === 0, 'the host service to go', 10000);
});
