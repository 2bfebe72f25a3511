/**
 * NodeUsage: per-node request totals (cpu in millicores) kept from pod events — bound pods count, a change of
 * requests or node moves the contribution, terminal and deleted pods give theirs back, and an
 * assumed bind counts at once and survives an older event that shows the pod unbound.
 */
import t from 'tap';
import type { StoredObject } from '../../../src/api/types.js';
import { NodeUsage } from '../../../src/controllers/nodes/node-usage.js';

const pod = (uid: string, nodeName?: string, cpu = '500m', phase = 'Running'): StoredObject =>
  ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: uid, namespace: 'ns', uid, resourceVersion: '1', creationTimestamp: '2026-01-01T00:00:00Z' },
    spec: { ...(nodeName ? { nodeName } : {}), containers: [{ name: 'c', resources: { requests: { cpu } } }] },
    status: { phase },
  }) as StoredObject;
const totals = (u: NodeUsage, node: string) => Object.fromEntries(u.used(node));

t.test('bound pods count; changes move, terminal and deleted pods give back', async (t) => {
  const u = new NodeUsage();
  u.observe('ns/a', pod('a', 'n1'));
  u.observe('ns/b', pod('b', 'n1', '1'));
  u.observe('ns/c', pod('c'));
  t.same(totals(u, 'n1'), { pods: 2, cpu: 1500 });
  u.observe('ns/a', pod('a', 'n1', '250m'));
  t.same(totals(u, 'n1'), { pods: 2, cpu: 1250 }, 'requests changed');
  u.observe('ns/b', pod('b', 'n1', '1', 'Succeeded'));
  t.same(totals(u, 'n1'), { pods: 1, cpu: 250 }, 'terminal pods hold nothing');
  u.forget('ns/a');
  t.same(totals(u, 'n1'), { pods: 0 }, 'deleted');
});

t.test('an assumed bind counts at once and survives older unbound events', async (t) => {
  const u = new NodeUsage();
  const p = pod('p');
  u.assume('ns/p', p, 'n2');
  t.ok(u.isAssumed('ns/p', 'p'));
  t.same(totals(u, 'n2'), { pods: 1, cpu: 500 });
  u.observe('ns/p', p);
  t.same(totals(u, 'n2'), { pods: 1, cpu: 500 }, 'an event from before the bind leaves the assumption');
  u.observe('ns/p', pod('p', 'n2'));
  t.notOk(u.isAssumed('ns/p', 'p'), 'seen bound: no longer assumed');
  t.same(totals(u, 'n2'), { pods: 1, cpu: 500 }, 'counted once');
  t.notOk(u.isAssumed('ns/p', 'other-uid'));
});
