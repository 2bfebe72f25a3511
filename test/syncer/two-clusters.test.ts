import t from 'tap';
import type { StoredObject } from '../../src/api/types.js';
import { HttpClient } from '../../src/client/http.js';
import { RESOURCES } from '../../src/client/types.js';
import { startKubemu } from '../../src/index.js';
import { eventually } from '../helpers/wait.js';

const HOST_NS = 'shared';
const phase = (o: StoredObject) => (o.status as { phase?: string } | undefined)?.phase;

t.test('two virtual clusters with the same names share one host namespace without colliding', async (t) => {
  const host = await startKubemu({ tls: false, nodes: 1 });
  const h = HttpClient.fromKubeconfig(host.kubeconfig);
  await h.create(RESOURCES.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: HOST_NS } });
  const start = (name: string) => startKubemu({ tls: false, hostCluster: { kubeconfigText: host.kubeconfig, namespace: HOST_NS, name, driftIntervalMs: 0 } });
  const [a, b] = await Promise.all([start('a'), start('b')]);
  const [va, vb] = [HttpClient.fromKubeconfig(a.kubeconfig), HttpClient.fromKubeconfig(b.kubeconfig)];
  t.teardown(async () => {
    for (const c of [h, va, vb]) c.close();
    await Promise.all([a.close(), b.close()]);
    await host.close();
  });

  for (const [v, value] of [[va, 'from-a'], [vb, 'from-b']] as const) {
    await v.create(RESOURCES.configmaps, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'default' }, data: { who: value } });
    await v.create(RESOURCES.pods, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web', namespace: 'default', labels: { app: 'web' } },
      spec: { containers: [{ name: 'c', image: 'nginx', envFrom: [{ configMapRef: { name: 'cfg' } }] }] },
    });
    await v.create(RESOURCES.services, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } });
  }
  for (const v of [va, vb]) await eventually(async () => phase(await v.get(RESOURCES.pods, 'web', { namespace: 'default' })) === 'Running', 'both virtual pods Running', 10000);

  const pods = (await h.list(RESOURCES.pods, { namespace: HOST_NS })).items;
  t.same(pods.map((p) => p.metadata.name).sort(), ['web-x-default-x-a', 'web-x-default-x-b'], 'one host pod per virtual cluster');
  for (const vc of ['a', 'b']) {
    const cm = await h.get(RESOURCES.configmaps, `cfg-x-default-x-${vc}`, { namespace: HOST_NS });
    t.same(cm.data, { who: `from-${vc}` }, `${vc}'s ConfigMap on the host`);
    const svc = await h.get(RESOURCES.services, `web-x-default-x-${vc}`, { namespace: HOST_NS });
    t.same((svc.spec as { selector?: unknown }).selector, { app: 'web', 'vcluster.loft.sh/managed-by': vc, 'vcluster.loft.sh/namespace': 'default' }, `${vc}'s Service selects only its own pods`);
  }
  const [sa, sb] = await Promise.all([va.get(RESOURCES.services, 'web', { namespace: 'default' }), vb.get(RESOURCES.services, 'web', { namespace: 'default' })]);
  t.not((sa.spec as { clusterIP: string }).clusterIP, (sb.spec as { clusterIP: string }).clusterIP, 'different host ClusterIPs');

  // Deleting in one virtual cluster leaves the other's host objects alone.
  await va.delete(RESOURCES.pods, 'web', { namespace: 'default', gracePeriodSeconds: 0 });
  await va.delete(RESOURCES.services, 'web', { namespace: 'default' });
  await eventually(async () => (await h.list(RESOURCES.pods, { namespace: HOST_NS })).items.length === 1, 'a\'s host pod to go', 10000);
  await eventually(async () => (await h.list(RESOURCES.services, { namespace: HOST_NS })).items.length === 1, 'a\'s host Service to go', 10000);
  t.same((await h.list(RESOURCES.pods, { namespace: HOST_NS })).items.map((p) => p.metadata.name), ['web-x-default-x-b'], 'b\'s host pod stays');
  t.equal(phase(await vb.get(RESOURCES.pods, 'web', { namespace: 'default' })), 'Running', 'b\'s virtual pod still Running');
  await eventually(async () => (await h.list(RESOURCES.configmaps, { namespace: HOST_NS, labelSelector: 'vcluster.loft.sh/managed-by' })).items.length === 1, 'a\'s unreferenced ConfigMap to go', 10000);
  t.ok(await h.get(RESOURCES.configmaps, 'cfg-x-default-x-b', { namespace: HOST_NS }), 'b\'s ConfigMap stays');
});
