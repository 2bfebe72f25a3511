/**
 * The syncer of kubemu replicas on etcd runs under the controllers' leader election: of two
 * replicas attached to one host cluster, only the Lease holder runs a syncer; a pod written
 * through the other replica is synced by the leader; when the leader stops, the survivor takes
 * the Lease and its syncer syncs a pod created afterwards. Skipped without `etcd`.
 * Owns: the syncer's leader election on etcd. Must not: test the syncer's mapping rules.
 */
import type { KubeObject } from '../../src/api/types.js';
import { withDefaults, type Config } from '../../src/cli/config.js';
import { HttpClient } from '../../src/client/http.js';
import { LocalClient } from '../../src/client/local.js';
import { RESOURCES } from '../../src/client/types.js';
import { startKubemu } from '../../src/index.js';
import { buildServer, type Server } from '../../src/server.js';
import { etcdTest, tempDir } from '../helpers/serve-child.js';
import { eventually } from '../helpers/wait.js';

const HOST_NS = 'vc-host';

const pod = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } as KubeObject);

etcdTest('only the Lease holder runs the syncer; the survivor takes over', async (t, etcd) => {
  const host = await startKubemu({ tls: false, nodes: 1 });
  t.teardown(() => host.close());
  const h = HttpClient.fromKubeconfig(host.kubeconfig);
  t.teardown(() => h.close());
  await h.create(RESOURCES.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: HOST_NS } } as KubeObject);
  const dir = await tempDir(t, 'kubemu-syncer-leader-');
  const replica = () => buildServer(withDefaults({
    storage: 'etcd', etcd: { endpoints: etcd.endpoints, prefix: '/syncer-leader' }, tls: false, port: 0, dataDir: dir,
    leaderElectLeaseSeconds: 2,
    hostCluster: { kubeconfigText: host.kubeconfig, namespace: HOST_NS, name: 'vc', driftIntervalMs: 0 },
  } as Partial<Config>) as Config);
  const servers: Server[] = [await replica(), await replica()];
  const closed = new Set<Server>();
  t.teardown(async () => {
    for (const s of servers) if (!closed.has(s)) await s.close();
  });
  await eventually(() => servers.some((s) => s.syncer), 'a replica runs the syncer', 20000);
  const leader = servers.find((s) => s.syncer)!;
  const other = servers.find((s) => s !== leader)!;
  t.equal(other.syncer, undefined, 'the other replica runs no syncer');

  const hostPods = async () => (await h.list(RESOURCES.pods, { namespace: HOST_NS })).items.map((p) => p.metadata.name).sort();
  await new LocalClient(other.registry).create(RESOURCES.pods, pod('first'), { namespace: 'default' });
  await eventually(async () => (await hostPods()).length === 1, 'the leader syncs a pod written through the other replica', 20000);
  t.same(await hostPods(), ['first-x-default-x-vc']);
  t.equal(other.syncer, undefined, 'still no syncer on the other replica');

  await leader.close();
  closed.add(leader);
  await eventually(() => other.syncer !== undefined, 'the survivor runs the syncer after the leader left', 20000);
  await new LocalClient(other.registry).create(RESOURCES.pods, pod('second'), { namespace: 'default' });
  await eventually(async () => (await hostPods()).length === 2, 'the survivor syncs a new pod', 20000);
  t.same(await hostPods(), ['first-x-default-x-vc', 'second-x-default-x-vc']);
});
