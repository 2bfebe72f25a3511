/**
 * Controllers recover after a crash of kubemu on LevelDB: `kubemu serve` runs as a child process
 * (one simulated node); a Deployment of 4 replicas becomes Available, its image changes, and the
 * process is SIGKILLed while the new ReplicaSet exists but the rollout is not complete. While it
 * is down, another Deployment is deleted straight from the data dir (as if by another writer).
 * After a restart on the same data dir the rollout completes (updated = replicas = available,
 * old ReplicaSet at 0, no duplicate ReplicaSets, 4 live pods of the new template) and the
 * deleted Deployment's ReplicaSets and pods are garbage-collected. Every wait is bounded.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import type { StoredObject } from '../../src/api/types.js';
import { HttpClient } from '../../src/client/http.js';
import { RESOURCES, type Client } from '../../src/client/types.js';
import { createStorage } from '../../src/storage/index.js';
import { startKubemuProcess, type Child } from '../helpers/spawn.js';
import { eventually } from '../helpers/wait.js';

const WAIT_MS = 60_000;
const NS = 'restart';
const DEPLOY = RESOURCES.deployments;
const RS = RESOURCES.replicasets;
const dataDir = await mkdtemp(join(tmpdir(), 'kubemu-restart-'));
const children: Child[] = [];
t.teardown(async () => {
  for (const child of children) if (child.proc.exitCode === null && child.proc.signalCode === null) child.proc.kill('SIGKILL');
  await Promise.all(children.map((c) => c.exited));
  await rm(dataDir, { recursive: true, force: true });
});

async function start(): Promise<Client> {
  const child = await startKubemuProcess(['--port', '0', '--data-dir', dataDir, '--no-tls'], WAIT_MS);
  children.push(child);
  return new HttpClient({ server: child.url, ...(child.token ? { token: child.token } : {}) }, { fieldManager: 'restart-test' });
}

/** A Deployment whose pods start `startAfterMs` after being scheduled (so a rollout takes a while). */
function deployment(name: string, replicas: number, startAfterMs: number): StoredObject {
  const labels = { app: name };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: labels },
      template: { metadata: { labels, annotations: { 'kubemu.dev/start-after-ms': String(startAfterMs) } }, spec: { containers: [{ name: 'app', image: 'nginx:1.25' }] } },
    },
  } as unknown as StoredObject;
}

interface DStatus { replicas?: number; updatedReplicas?: number; availableReplicas?: number; observedGeneration?: number; conditions?: { type: string; status: string }[] }

async function complete(client: Client, name: string, replicas: number): Promise<boolean> {
  const d = await client.get(DEPLOY, name, { namespace: NS });
  const s = (d.status ?? {}) as DStatus;
  const available = s.conditions?.some((c) => c.type === 'Available' && c.status === 'True') ?? false;
  return s.observedGeneration === d.metadata.generation && s.updatedReplicas === replicas && s.replicas === replicas && s.availableReplicas === replicas && available;
}

async function setsOf(client: Client, app: string): Promise<StoredObject[]> {
  return (await client.list(RS, { namespace: NS, labelSelector: `app=${app}` })).items;
}

async function livePods(client: Client, app: string): Promise<StoredObject[]> {
  const { items } = await client.list(RESOURCES.pods, { namespace: NS, labelSelector: `app=${app}` });
  return items.filter((p) => !p.metadata.deletionTimestamp);
}

const hashOf = (o: StoredObject) => o.metadata.labels?.['pod-template-hash'];
const specReplicas = (rs: StoredObject) => (rs.spec as { replicas?: number }).replicas;
const image = (d: StoredObject) => (d.spec as { template: { spec: { containers: { image: string }[] } } }).template.spec.containers[0]!.image;

let client = await start();
await client.create(RESOURCES.namespaces, { metadata: { name: NS } } as StoredObject);
await client.create(DEPLOY, deployment('web', 4, 400), { namespace: NS });
await client.create(DEPLOY, deployment('gone', 2, 0), { namespace: NS });

t.test('a Deployment becomes Available before the crash', async (t) => {
  await eventually(() => complete(client, 'web', 4), 'web Available', WAIT_MS);
  await eventually(() => complete(client, 'gone', 2), 'gone Available', WAIT_MS);
  t.equal((await setsOf(client, 'web')).length, 1, 'one ReplicaSet');
});

let oldHash: string | undefined;
let newHash: string | undefined;

t.test('SIGKILL mid-rollout', async (t) => {
  oldHash = hashOf((await setsOf(client, 'web'))[0]!);
  await client.patch(DEPLOY, 'web', { type: 'merge', patch: { spec: { template: { spec: { containers: [{ name: 'app', image: 'nginx:1.26' }] } } } } }, { namespace: NS });
  let midway = false;
  await eventually(async () => {
    const sets = await setsOf(client, 'web');
    const next = sets.find((rs) => hashOf(rs) !== oldHash);
    if (!next) return false;
    newHash = hashOf(next);
    midway = !(await complete(client, 'web', 4));
    return true;
  }, 'new ReplicaSet', WAIT_MS);
  t.ok(midway, 'the rollout was not complete when the new ReplicaSet appeared');
  const child = children.at(-1)!;
  child.proc.kill('SIGKILL');
  await child.exited;
  t.ok(newHash && newHash !== oldHash, `new ReplicaSet ${newHash} beside ${oldHash}`);
});

t.test('a Deployment deleted while kubemu is down', async (t) => {
  const storage = createStorage({ kind: 'level', dataDir });
  await storage.open();
  try {
    const keys = (await storage.list('/registry/apps/deployments/')).entries.map((e) => e.key);
    const key = keys.find((k) => k.endsWith(`/${NS}/gone`));
    t.ok(key, `found the Deployment's key among ${keys.join(', ')}`);
    await storage.delete(key!);
  } finally {
    await storage.close();
  }
});

t.test('after the restart the rollout completes', async (t) => {
  client = await start();
  await eventually(() => complete(client, 'web', 4), 'rollout complete after restart', WAIT_MS);
  const d = await client.get(DEPLOY, 'web', { namespace: NS });
  t.equal(image(d), 'nginx:1.26');
  await eventually(async () => {
    const sets = await setsOf(client, 'web');
    const old = sets.find((rs) => hashOf(rs) === oldHash);
    return sets.length === 2 && old !== undefined && specReplicas(old) === 0 && ((old.status as { replicas?: number } | undefined)?.replicas ?? 0) === 0;
  }, 'old ReplicaSet scaled to 0', WAIT_MS);
  const sets = await setsOf(client, 'web');
  t.same(sets.map(hashOf).sort(), [newHash, oldHash].sort(), 'exactly the old and the new ReplicaSet, no duplicates');
  t.equal(specReplicas(sets.find((rs) => hashOf(rs) === newHash)!), 4, 'new ReplicaSet at 4');
  await eventually(async () => (await livePods(client, 'web')).length === 4, 'pod count converges to 4', WAIT_MS);
  const pods = await livePods(client, 'web');
  t.ok(pods.every((p) => hashOf(p) === newHash), 'every live pod runs the new template');
  t.ok(pods.every((p) => (p.status as { phase?: string } | undefined)?.phase === 'Running'), 'every pod Running');
});

t.test('the deleted Deployment is garbage-collected after the restart', async (t) => {
  await t.rejects(client.get(DEPLOY, 'gone', { namespace: NS }), { code: 404 }, 'the Deployment is gone');
  await eventually(async () => (await setsOf(client, 'gone')).length === 0, 'its ReplicaSets collected', WAIT_MS);
  await eventually(async () => (await client.list(RESOURCES.pods, { namespace: NS, labelSelector: 'app=gone' })).items.length === 0, 'its pods collected', WAIT_MS);
  t.pass('collected');
});
