/**
 * PodIPs: the lowest free address of a node's /24, addresses held before a restart learnt from
 * the node's pods, an address freed when its pod goes (and reused), a new pod under an old key
 * getting its own address, and a full /24 refused.
 */
import t from 'tap';
import type { StoredObject } from '../../../src/api/types.js';
import { PodIPs } from '../../../src/controllers/nodes/pod-ips.js';

const pod = (name: string, uid: string, podIP?: string): StoredObject =>
  ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'ns', uid, resourceVersion: '1', creationTimestamp: '2026-01-01T00:00:00Z' }, ...(podIP ? { status: { podIP } } : {}) }) as StoredObject;

t.test('lowest free address; addresses of pods already on the node are learnt once', async (t) => {
  let scans = 0;
  const existing = [pod('old', 'u0', '10.244.3.2')];
  const ips = new PodIPs((node) => {
    scans++;
    return node === 'n3' ? existing : [];
  });
  t.equal(ips.ipFor('ns/a', pod('a', 'ua'), 'n3', 3), '10.244.3.3', 'skips the address a pod held before the restart');
  t.equal(ips.ipFor('ns/b', pod('b', 'ub'), 'n3', 3), '10.244.3.4');
  t.equal(ips.ipFor('ns/a', pod('a', 'ua'), 'n3', 3), '10.244.3.3', 'the same pod keeps its address');
  t.equal(ips.ipFor('ns/x', pod('x', 'ux'), 'n4', 4), '10.244.4.2', 'nodes have their own ranges');
  t.equal(scans, 2, 'each node scanned once');
});

t.test('released addresses are reused; a new pod under an old key gets its own', async (t) => {
  const ips = new PodIPs(() => []);
  t.equal(ips.ipFor('ns/a', pod('a', 'u1'), 'n', 0), '10.244.0.2');
  t.equal(ips.ipFor('ns/b', pod('b', 'u2'), 'n', 0), '10.244.0.3');
  ips.release('ns/a');
  t.equal(ips.holder('ns/a'), undefined);
  t.equal(ips.ipFor('ns/c', pod('c', 'u3'), 'n', 0), '10.244.0.2', 'the freed address');
  t.equal(ips.ipFor('ns/b', pod('b', 'u4'), 'n', 0), '10.244.0.4', 'recreated pod b: not the old b address, which the old uid held');
  t.equal(ips.ipFor('ns/d', pod('d', 'u5', '10.244.0.9'), 'n', 0), '10.244.0.9', 'a pod showing an address keeps it');
  t.equal(ips.holder('ns/d'), 'u5');
});

t.test('a full /24 is refused', async (t) => {
  const ips = new PodIPs(() => []);
  for (let i = 0; i < 253; i++) ips.ipFor(`ns/p${i}`, pod(`p${i}`, `u${i}`), 'n', 7);
  t.throws(() => ips.ipFor('ns/one-more', pod('one-more', 'ux'), 'n', 7), { message: 'node n: no free pod IP in 10.244.7.0/24' });
});
