import t from 'tap';
import type { StoredObject } from '../../src/api/types.js';
import { HttpClient } from '../../src/client/http.js';
import { RESOURCES, type Resource } from '../../src/client/types.js';
import { startKubemu } from '../../src/index.js';
import { eventually } from '../helpers/wait.js';

const HOST_NS = 'vc-host';
const PVCS: Resource = { group: '', version: 'v1', resource: 'persistentvolumeclaims' };
const PVS: Resource = { group: '', version: 'v1', resource: 'persistentvolumes' };
const ENDPOINTS: Resource = { group: '', version: 'v1', resource: 'endpoints' };

type Rec = Record<string, unknown>;
const spec = (o: StoredObject | undefined) => (o?.spec ?? {}) as Rec;
const status = (o: StoredObject | undefined) => (o?.status ?? {}) as Rec;
const missing = (p: Promise<unknown>) => p.then(() => false, (err: { code?: number }) => err.code === 404);

t.test('claims, events and selector-less endpoints sync; dry-run Services stay off the host', async (t) => {
  const host = await startKubemu({ tls: false, nodes: 1 });
  const h = HttpClient.fromKubeconfig(host.kubeconfig);
  await h.create(RESOURCES.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: HOST_NS } });
  const virtual = await startKubemu({ tls: false, hostCluster: { kubeconfigText: host.kubeconfig, namespace: HOST_NS, name: 'vc1', driftIntervalMs: 0, apiHost: '10.96.0.10', apiPort: 443 } });
  const v = HttpClient.fromKubeconfig(virtual.kubeconfig);
  t.teardown(async () => {
    h.close();
    v.close();
    await virtual.close();
    await host.close();
  });

  t.test('a PersistentVolumeClaim goes to the host; the host binding and status come back', async (t) => {
    await v.create(PVCS, { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data', namespace: 'default', labels: { app: 'db' } }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } });
    let hostClaim: StoredObject | undefined;
    await eventually(async () => Boolean((hostClaim = await h.get(PVCS, 'data-x-default-x-vc1', { namespace: HOST_NS }).catch(() => undefined))), 'the host claim');
    t.match(hostClaim!.metadata.labels, { app: 'db', 'vcluster.loft.sh/managed-by': 'vc1' }, 'translated labels and marker');
    t.equal(hostClaim!.metadata.annotations?.['vcluster.loft.sh/object-name'], 'data', 'ownership annotation');
    t.same(spec(hostClaim).resources, { requests: { storage: '1Gi' } }, 'spec copied');
    t.equal(status(await v.get(PVCS, 'data', { namespace: 'default' })).phase, undefined, 'virtual claim not bound while the host one is not (kubemu has no volume binder)');

    // What a host's volume binder would do.
    await h.patch(PVCS, 'data-x-default-x-vc1', { type: 'merge', patch: { metadata: { annotations: { 'pv.kubernetes.io/bind-completed': 'yes' } }, spec: { volumeName: 'pvc-1234' } } }, { namespace: HOST_NS });
    await h.patch(PVCS, 'data-x-default-x-vc1', { type: 'merge', patch: { status: { phase: 'Bound', accessModes: ['ReadWriteOnce'], capacity: { storage: '1Gi' } } } }, { namespace: HOST_NS, subresource: 'status' });
    let claim: StoredObject | undefined;
    await eventually(async () => {
      claim = await v.get(PVCS, 'data', { namespace: 'default' });
      return status(claim).phase === 'Bound' && spec(claim).volumeName === 'pvc-1234';
    }, 'the virtual claim to show the host binding');
    t.same(status(claim).capacity, { storage: '1Gi' }, 'status copied');
    t.equal(claim!.metadata.annotations?.['pv.kubernetes.io/bind-completed'], 'yes', 'bind annotation copied back');
    let pv: StoredObject | undefined;
    await eventually(async () => Boolean((pv = await v.get(PVS, 'pvc-1234').catch(() => undefined))), 'the fake PersistentVolume');
    t.equal(pv!.metadata.labels?.['vcluster.loft.sh/fake-pv'], 'true', 'fake PV label');
    t.match(spec(pv).claimRef, { namespace: 'default', name: 'data', uid: claim!.metadata.uid }, 'fake PV bound to the virtual claim');

    await v.delete(PVCS, 'data', { namespace: 'default' });
    await eventually(() => missing(h.get(PVCS, 'data-x-default-x-vc1', { namespace: HOST_NS })), 'the host claim to go');
    await eventually(() => missing(v.get(PVS, 'pvc-1234')), 'the fake PV to go');
  });

  t.test('host events about a synced pod are copied once, about the virtual pod', async (t) => {
    const pod = await v.create(RESOURCES.pods, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'ev', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
    await eventually(async () => !(await missing(h.get(RESOURCES.pods, 'ev-x-default-x-vc1', { namespace: HOST_NS }))), 'the host pod');
    const hostPod = await h.get(RESOURCES.pods, 'ev-x-default-x-vc1', { namespace: HOST_NS });
    const env = (spec(hostPod).containers as { env?: { name: string; value?: string }[] }[])[0]!.env ?? [];
    t.match(env.slice(0, 2), [{ name: 'KUBERNETES_SERVICE_HOST', value: '10.96.0.10' }, { name: 'KUBERNETES_SERVICE_PORT', value: '443' }], 'the host pod reaches the virtual API (--sync-api-host)');
    const event = (name: string, involved: string, uid: string, count: number) => ({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace: HOST_NS },
      involvedObject: { apiVersion: 'v1', kind: 'Pod', namespace: HOST_NS, name: involved, uid },
      reason: 'BackOff',
      message: `Back-off restarting failed container c in pod ${involved}`,
      type: 'Warning',
      count,
      source: { component: 'kubelet' },
      firstTimestamp: '2024-01-01T00:00:00Z',
      lastTimestamp: '2024-01-01T00:00:00Z',
    });
    const created = await h.create(RESOURCES.events, event('ev-x-default-x-vc1.abc', 'ev-x-default-x-vc1', hostPod.metadata.uid, 1));
    await h.create(RESOURCES.events, event('foreign.abc', 'foreign', 'u-1', 1));
    let copy: StoredObject | undefined;
    await eventually(async () => Boolean((copy = await v.get(RESOURCES.events, 'ev.abc', { namespace: 'default' }).catch(() => undefined))), 'the virtual event');
    t.match(copy!.involvedObject, { kind: 'Pod', namespace: 'default', name: 'ev', uid: pod.metadata.uid }, 'involvedObject is the virtual pod');
    t.equal(copy!.message, 'Back-off restarting failed container c in pod ev', 'host name replaced in the message');

    await h.update(RESOURCES.events, { ...event('ev-x-default-x-vc1.abc', 'ev-x-default-x-vc1', hostPod.metadata.uid, 5), metadata: { name: 'ev-x-default-x-vc1.abc', namespace: HOST_NS, resourceVersion: created.metadata.resourceVersion } });
    await eventually(async () => (await v.get(RESOURCES.events, 'ev.abc', { namespace: 'default' })).count === 5, 'the count to follow the host');
    const copies = (await v.list(RESOURCES.events, { namespace: 'default', fieldSelector: 'involvedObject.name=ev' })).items.filter((e) => e.reason === 'BackOff');
    t.equal(copies.length, 1, 'one virtual event for one host event');
    t.ok(await missing(v.get(RESOURCES.events, 'foreign.abc', { namespace: 'default' })), 'events about foreign objects are not copied');
    await v.delete(RESOURCES.pods, 'ev', { namespace: 'default', gracePeriodSeconds: 0 });
  });

  t.test('Endpoints of a Service without selector go to the host', async (t) => {
    await v.create(RESOURCES.services, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'ext', namespace: 'default' }, spec: { ports: [{ port: 80 }] } });
    await v.create(ENDPOINTS, {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: 'ext', namespace: 'default' },
      subsets: [{ addresses: [{ ip: '10.1.2.3', targetRef: { kind: 'Pod', namespace: 'default', name: 'backend', uid: 'x' } }], ports: [{ port: 80 }] }],
    });
    let eps: StoredObject | undefined;
    await eventually(async () => Boolean((eps = await h.get(ENDPOINTS, 'ext-x-default-x-vc1', { namespace: HOST_NS }).catch(() => undefined))), 'the host endpoints');
    t.same((eps!.subsets as Rec[])[0], { addresses: [{ ip: '10.1.2.3', targetRef: { kind: 'Pod', namespace: HOST_NS, name: 'backend-x-default-x-vc1' } }], ports: [{ port: 80 }] }, 'subsets copied, pod reference translated');
    t.equal(eps!.metadata.labels?.['vcluster.loft.sh/managed-by'], 'vc1', 'marker label');

    // A selector Service's endpoints are left to the host.
    await v.create(RESOURCES.services, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'sel', namespace: 'default' }, spec: { selector: { app: 'x' }, ports: [{ port: 80 }] } });
    await v.create(ENDPOINTS, { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'sel', namespace: 'default' }, subsets: [{ addresses: [{ ip: '10.9.9.9' }], ports: [{ port: 80 }] }] });
    await v.delete(ENDPOINTS, 'ext', { namespace: 'default' });
    await eventually(() => missing(h.get(ENDPOINTS, 'ext-x-default-x-vc1', { namespace: HOST_NS })), 'the host endpoints to go with the virtual ones');
    const sel = await h.get(ENDPOINTS, 'sel-x-default-x-vc1', { namespace: HOST_NS }).catch(() => undefined);
    t.notOk(sel?.metadata.annotations?.['vcluster.loft.sh/object-name'], 'no synced endpoints for a selector Service');
  });

  t.test('a dry-run Service create leaves the host alone', async (t) => {
    const answer = await v.create(RESOURCES.services, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'dry', namespace: 'default' }, spec: { selector: { app: 'x' }, ports: [{ port: 80 }] } }, { dryRun: true });
    t.equal(answer.metadata.name, 'dry', 'the dry run answers');
    t.ok(await missing(h.get(RESOURCES.services, 'dry-x-default-x-vc1', { namespace: HOST_NS })), 'no host Service');
    t.ok(await missing(v.get(RESOURCES.services, 'dry', { namespace: 'default' })), 'no virtual Service');
  });
});
