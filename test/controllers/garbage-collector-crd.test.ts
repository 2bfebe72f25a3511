/**
 * Garbage collection of custom resources, end to end on an in-process server with the GC and
 * the namespace controller running in a Manager (as garbage-collector.test.ts): a ConfigMap
 * owned by a custom resource goes with it (Background), a custom resource blocking its
 * custom-resource owner's Foreground deletion holds it until it goes, Orphan strips the
 * references, a custom resource owned by a Deployment goes with the Deployment, a CRD (cluster
 * scope) created after the collector started is collected too, and a deleted CRD takes its
 * objects' dependents along and stops its monitor without errors being logged afterwards; a
 * custom-resource owner deleted while the collector was stopped is found when it starts; a CRD
 * whose storage version changes is watched at the new version.
 * Every wait is bounded.
 */
import t from 'tap';
import type { KubeObject, OwnerReference, StoredObject } from '../../src/api/types.js';
import { withDefaults } from '../../src/cli/config.js';
import { LocalClient } from '../../src/client/local.js';
import { RESOURCES, type Client, type Resource } from '../../src/client/types.js';
import { garbageCollector } from '../../src/controllers/garbage-collector/index.js';
import { namespaceController } from '../../src/controllers/namespace.js';
import { Manager, type Logger } from '../../src/controllers/runtime/index.js';
import { buildServer } from '../../src/server.js';
import { eventually, sleep } from '../helpers/wait.js';
import { cronTabCrd } from '../crd/fixtures.js';

const CM = RESOURCES.configmaps;
const CRDS: Resource = { group: 'apiextensions.k8s.io', version: 'v1', resource: 'customresourcedefinitions' };
const CRONTABS: Resource = { group: 'stable.example.com', version: 'v1', resource: 'crontabs' };
const GADGETS: Resource = { group: 'gc.kubemu.dev', version: 'v1', resource: 'gadgets' };
const TOYS: Resource = { group: 'gc.kubemu.dev', version: 'v1', resource: 'toys' };

/** A minimal CRD of group gc.kubemu.dev that keeps unknown fields. */
function crd(plural: string, kind: string, scope: 'Namespaced' | 'Cluster'): KubeObject {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.gc.kubemu.dev` },
    spec: {
      group: 'gc.kubemu.dev',
      scope,
      names: { plural, singular: kind.toLowerCase(), kind, listKind: `${kind}List` },
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
    },
  };
}

/** Log lines at warn and error level, to check that nothing fails once a CRD is gone. */
const problems: { level: string; fields: Record<string, unknown>; message: string }[] = [];
const infos: { fields: Record<string, unknown>; message: string }[] = [];
const log: Logger = {
  debug: () => {},
  info: (fields, message) => void infos.push({ fields, message }),
  warn: (fields, message) => void problems.push({ level: 'warn', fields, message }),
  error: (fields, message) => void problems.push({ level: 'error', fields, message }),
};

const server = await buildServer(withDefaults({ storage: 'memory', tls: false, port: 0, controllers: false }));
const client: Client = new LocalClient(server.registry);
// The CronTab CRD exists before the collector starts; the gadgets and toys CRDs come later.
await client.create(CRDS, cronTabCrd() as KubeObject);
await server.crds.idle();
const manager = new Manager({ client, log });
manager.add(garbageCollector());
manager.add(namespaceController());
await manager.start();
t.teardown(async () => {
  await manager.stop();
  await server.close();
});

let n = 0;
async function ns(): Promise<string> {
  const name = `gc-crd-${++n}`;
  await client.create(RESOURCES.namespaces, { metadata: { name } });
  return name;
}

function ref(owner: StoredObject, block = false): OwnerReference {
  return { apiVersion: owner.apiVersion!, kind: owner.kind!, name: owner.metadata.name, uid: owner.metadata.uid, ...(block ? { blockOwnerDeletion: true } : {}) };
}

async function create(resource: Resource, name: string, namespace: string | undefined, owners: OwnerReference[] = [], extra: Record<string, unknown> = {}): Promise<StoredObject> {
  const body: KubeObject = { metadata: { name, ...(owners.length ? { ownerReferences: owners } : {}), ...extra }, ...(resource === CM ? {} : { spec: {} }) };
  return client.create(resource, body, namespace ? { namespace } : {});
}

async function exists(resource: Resource, name: string, namespace?: string): Promise<StoredObject | undefined> {
  try {
    return await client.get(resource, name, namespace ? { namespace } : {});
  } catch {
    return undefined;
  }
}

t.test('Background: a ConfigMap owned by a custom resource goes with it', async (t) => {
  const n = await ns();
  const owner = await create(CRONTABS, 'owner', n);
  await create(CM, 'dep', n, [ref(owner)]);
  const result = await client.delete(CRONTABS, 'owner', { namespace: n, propagationPolicy: 'Background' });
  t.equal(result.kind, 'Status', 'the owner goes at once');
  await eventually(async () => !(await exists(CM, 'dep', n)), 'dependent ConfigMap deleted');
  t.pass('dependent ConfigMap collected');
});

t.test('Foreground: a custom resource blocking its custom-resource owner holds it until it goes', async (t) => {
  const n = await ns();
  const owner = await create(CRONTABS, 'owner', n);
  // The dependent carries a finalizer of its own, so it stays (being deleted) until the test lets it go.
  await create(CRONTABS, 'blocker', n, [ref(owner, true)], { finalizers: ['example.com/hold'] });
  const marked = (await client.delete(CRONTABS, 'owner', { namespace: n, propagationPolicy: 'Foreground' })) as StoredObject;
  t.same(marked.metadata.finalizers, ['foregroundDeletion'], 'owner pending with foregroundDeletion');
  await eventually(async () => Boolean((await exists(CRONTABS, 'blocker', n))?.metadata.deletionTimestamp), 'blocking dependent deleted by the GC');
  t.ok((await exists(CRONTABS, 'owner', n))?.metadata.deletionTimestamp, 'owner still there while its blocking dependent is');
  await client.patch(CRONTABS, 'blocker', { type: 'merge', patch: { metadata: { finalizers: null } } }, { namespace: n });
  await eventually(async () => !(await exists(CRONTABS, 'owner', n)), 'owner removed once the dependent is gone');
  t.equal(await exists(CRONTABS, 'blocker', n), undefined);
});

t.test('Orphan: the dependents of a custom resource keep living without the reference', async (t) => {
  const n = await ns();
  const owner = await create(CRONTABS, 'owner', n);
  await create(CM, 'dep', n, [ref(owner)]);
  await create(CRONTABS, 'dep', n, [ref(owner)]);
  const marked = (await client.delete(CRONTABS, 'owner', { namespace: n, propagationPolicy: 'Orphan' })) as StoredObject;
  t.same(marked.metadata.finalizers, ['orphan']);
  await eventually(async () => !(await exists(CRONTABS, 'owner', n)), 'owner removed by the GC');
  t.same((await exists(CM, 'dep', n))?.metadata.ownerReferences, undefined, 'ConfigMap kept, reference stripped');
  t.same((await exists(CRONTABS, 'dep', n))?.metadata.ownerReferences, undefined, 'custom resource kept, reference stripped');
});

t.test('a custom resource owned by a Deployment goes with the Deployment', async (t) => {
  const n = await ns();
  const deployment = await client.create(RESOURCES.deployments, {
    metadata: { name: 'web' },
    spec: { replicas: 0, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } },
  }, { namespace: n });
  await create(CRONTABS, 'child', n, [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: deployment.metadata.uid }]);
  await client.delete(RESOURCES.deployments, 'web', { namespace: n, propagationPolicy: 'Background' });
  await eventually(async () => !(await exists(CRONTABS, 'child', n)), 'custom resource collected');
  t.pass('custom resource collected');
});

t.test('a CRD created after the collector started: cluster-scoped owner, namespaced dependents', async (t) => {
  const n = await ns();
  await client.create(CRDS, crd('gadgets', 'Gadget', 'Cluster'));
  await server.crds.idle();
  const owner = await create(GADGETS, 'g1', undefined);
  await create(CM, 'dep', n, [ref(owner)]);
  await client.delete(GADGETS, 'g1', {});
  await eventually(async () => !(await exists(CM, 'dep', n)), 'ConfigMap owned by a gadget collected');
  // And a gadget owned by a ConfigMap... cluster-scoped dependents of namespaced owners are invalid
  // upstream; a gadget owned by another gadget is the cluster-scoped case.
  const parent = await create(GADGETS, 'parent', undefined);
  await create(GADGETS, 'child', undefined, [ref(parent)]);
  await client.delete(GADGETS, 'parent', {});
  await eventually(async () => !(await exists(GADGETS, 'child')), 'gadget owned by a gadget collected');
  t.pass('collected');
});

t.test('a deleted CRD: its objects\' dependents go, its monitor stops, nothing fails afterwards', async (t) => {
  const n = await ns();
  await client.create(CRDS, crd('toys', 'Toy', 'Namespaced'));
  await server.crds.idle();
  const toy = await create(TOYS, 'toy', n);
  await create(CM, 'dep', n, [ref(toy)]);
  await eventually(() => infos.some((l) => l.message === 'garbage collector: monitoring custom resource' && l.fields.resource === 'toys.gc.kubemu.dev'), 'toys monitored');
  problems.length = 0;
  await client.delete(CRDS, 'toys.gc.kubemu.dev', {});
  await eventually(async () => !(await exists(CRDS, 'toys.gc.kubemu.dev')), 'CRD gone');
  await eventually(async () => !(await exists(CM, 'dep', n)), 'dependent of a custom resource deleted with its CRD');
  await eventually(() => infos.some((l) => l.message === 'garbage collector: stopped monitoring custom resource' && l.fields.resource === 'toys.gc.kubemu.dev'), 'toys monitor stopped');
  // A monitor still running would fail to list the resource no longer served and log it (first retry after ~1 s).
  await sleep(1500);
  t.same(problems, [], 'no warnings or errors logged after the CRD went');
});

t.test('a custom-resource owner deleted while the collector was stopped is found when it starts', async (t) => {
  const other = await buildServer(withDefaults({ storage: 'memory', tls: false, port: 0, controllers: false }));
  const c: Client = new LocalClient(other.registry);
  const stopped = new Manager({ client: c });
  stopped.add(garbageCollector());
  t.teardown(async () => {
    await stopped.stop();
    await other.close();
  });
  await c.create(CRDS, cronTabCrd() as KubeObject);
  await other.crds.idle();
  await c.create(RESOURCES.namespaces, { metadata: { name: 'later' } });
  const owner = await c.create(CRONTABS, { metadata: { name: 'owner' }, spec: {} }, { namespace: 'later' });
  await c.create(CM, { metadata: { name: 'dep', ownerReferences: [ref(owner)] } }, { namespace: 'later' });
  await c.delete(CRONTABS, 'owner', { namespace: 'later' });
  await stopped.start();
  await eventually(async () => (await c.list(CM, { namespace: 'later', fieldSelector: 'metadata.name=dep' })).items.length === 0, 'dependent collected after start');
  t.pass('collected');
});

t.test('a CRD whose storage version changes is monitored at the new version', async (t) => {
  const n = await ns();
  const parts = crd('parts', 'Part', 'Namespaced');
  const spec = parts.spec as { versions: Record<string, unknown>[] };
  spec.versions.push({ ...spec.versions[0], name: 'v2', storage: false });
  await client.create(CRDS, parts);
  await server.crds.idle();
  const monitored = (version: string) => infos.some((l) => l.message === 'garbage collector: monitoring custom resource' && l.fields.resource === 'parts.gc.kubemu.dev' && l.fields.version === version);
  await eventually(() => monitored('v1'), 'parts monitored at v1');
  const current = await client.get(CRDS, 'parts.gc.kubemu.dev');
  const versions = (current.spec as { versions: { name: string; storage: boolean }[] }).versions.map((v) => ({ ...v, storage: v.name === 'v2' }));
  await client.update(CRDS, { ...current, spec: { ...(current.spec as object), versions } });
  await server.crds.idle();
  await eventually(() => monitored('v2'), 'parts monitored at v2');
  const PARTS_V2: Resource = { group: 'gc.kubemu.dev', version: 'v2', resource: 'parts' };
  const owner = await create(PARTS_V2, 'owner', n);
  await create(CM, 'dep', n, [ref(owner)]);
  await client.delete(PARTS_V2, 'owner', { namespace: n });
  await eventually(async () => !(await exists(CM, 'dep', n)), 'dependent of a v2 part collected');
  t.same(problems, [], 'no warnings or errors logged (the v1 monitor stopped cleanly)');
});
