/**
 * Which changes queue garbage-collector work (upstream's graph builder ignores the rest): a pod
 * status write queues nothing; an owner-reference change queues the object and its old and new
 * owners; a deletion starting (or finalizers changing while deleted) queues the object, its
 * owners and dependents; an object gone queues its owners; a new object is looked at only when
 * it has owners or is being deleted.
 */
import t from 'tap';
import type { StoredObject } from '../../src/api/types.js';
import type { Client } from '../../src/client/types.js';
import { addedKeys, deletedKeys, GarbageCollectorReconciler, OWNER_INDEX, updatedKeys, type Watched } from '../../src/controllers/garbage-collector/reconciler.js';
import { NAMESPACED_RESOURCES } from '../../src/controllers/resources.js';
import { byOwnerUid, Informer } from '../../src/controllers/runtime/index.js';

const resource = (name: string) => NAMESPACED_RESOURCES.find((r) => r.resource === name)!;
const watched: Watched[] = ['pods', 'replicasets'].map((name) => {
  const informer = new Informer({} as Client, resource(name));
  informer.addIndexer(OWNER_INDEX, byOwnerUid);
  return { resource: resource(name), informer };
});
const gc = new GarbageCollectorReconciler({} as Client, watched);
const [pods] = watched as [Watched, Watched];
const rsRef = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'rs-uid', controller: true };
const pod = (extra: Partial<StoredObject['metadata']> = {}, status: Record<string, unknown> = {}): StoredObject =>
  ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns', uid: 'p-uid', resourceVersion: '1', ownerReferences: [rsRef], ...extra }, status }) as StoredObject;

t.test('status writes queue nothing; owner-reference changes queue the object and both owners', async (t) => {
  t.same(updatedKeys(gc, pods, pod({}, { phase: 'Pending' }), pod({}, { phase: 'Running' })), []);
  const moved = pod({ ownerReferences: [{ ...rsRef, name: 'rs2', uid: 'rs2-uid' }] });
  t.same(updatedKeys(gc, pods, pod(), moved), ['/pods|ns/p', 'apps/replicasets|ns/rs', 'apps/replicasets|ns/rs2']);
});

t.test('a deletion starting or its finalizers changing queue the object and its owners', async (t) => {
  const deleting = pod({ deletionTimestamp: '2026-01-01T00:00:00Z', finalizers: ['foregroundDeletion'] });
  t.same(updatedKeys(gc, pods, pod(), deleting), ['/pods|ns/p', 'apps/replicasets|ns/rs']);
  t.same(updatedKeys(gc, pods, deleting, { ...deleting, metadata: { ...deleting.metadata, finalizers: [] } }), ['/pods|ns/p', 'apps/replicasets|ns/rs']);
  t.same(updatedKeys(gc, pods, deleting, { ...deleting, status: { phase: 'Failed' } }), [], 'other changes while deleted: nothing');
});

t.test('adds and deletes', async (t) => {
  t.same(addedKeys(pods, pod()), ['/pods|ns/p']);
  t.same(addedKeys(pods, pod({ ownerReferences: [] })), [], 'no owners, not deleted: nothing to collect');
  t.same(deletedKeys(gc, pod()), ['apps/replicasets|ns/rs']);
});
