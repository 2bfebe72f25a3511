/**
 * The storage suite over a real one-member etcd (each test under its own key prefix), plus what
 * only etcd has: two stores on one prefix (two replicas) and an unreachable etcd.
 * Owns: etcd-specific storage tests. Must not: repeat the shared suite. Skipped without `etcd`.
 */

import t from 'tap';
import { EtcdStorage } from '../../src/storage/etcd/etcd-storage.js';
import type { Entry, StorageEvent } from '../../src/storage/types.js';
import { haveEtcd, startEtcd, type EtcdCluster } from '../helpers/etcd.js';
import { eventually, within } from '../helpers/wait.js';
import { enc, storageError, storageSuite, str } from './suite.js';
import type { TestContext } from './suite.js';

if (!haveEtcd) {
  t.pass('skipped: no etcd binary on PATH');
} else {
  let etcd: EtcdCluster | undefined;
  let n = 0;
  t.before(async () => {
    etcd = await startEtcd();
  });
  t.teardown(() => etcd?.stop());

  async function openEtcd(t: TestContext, prefix: string, eventWindow?: number): Promise<EtcdStorage> {
    const storage = new EtcdStorage({ endpoints: etcd!.endpoints, prefix, ...(eventWindow ? { eventWindow } : {}) });
    t.teardown(() => storage.close());
    await storage.open();
    return storage;
  }

  storageSuite('etcd storage', async (t, options) => {
    const prefix = `/suite-${process.pid}-${++n}`;
    const storage = await openEtcd(t, prefix, options?.eventWindow);
    return { storage, reopen: () => openEtcd(t, prefix, options?.eventWindow) };
  });

  t.test('etcd storage: two stores on one prefix see each other (replicas)', async (t) => {
    const prefix = `/replicas-${process.pid}`;
    const a = await openEtcd(t, prefix);
    const b = await openEtcd(t, prefix);
    const seenByB: StorageEvent[] = [];
    b.subscribe((events) => seenByB.push(...events));
    await a.create('/x', enc('from-a'));
    const fromB = await b.update('/x', 1, enc('from-b'));
    t.equal(fromB.modRevision, 2, 'b admitted its write after learning a\'s revision');
    t.equal(str((await a.get('/x'))?.value), 'from-b@2');
    t.same(seenByB.map((e) => `${e.revision} ${e.type} ${str(e.value)}`), ['1 put from-a@1', '2 put from-b@2']);
    // Racing writers on both replicas: all land, revisions stay consecutive, CAS stays exact.
    const writes = [];
    for (let i = 0; i < 20; i++) writes.push((i % 2 ? a : b).create(`/r/${i}`, enc(String(i))));
    const entries = await Promise.all(writes);
    t.same(entries.map((e) => e.modRevision).sort((x, y) => x - y), Array.from({ length: 20 }, (_, i) => i + 3));
    await t.rejects(a.update('/x', 1, enc('stale')), storageError('Conflict'));
    const race = await Promise.allSettled([a.update('/x', 2, enc('a')), b.update('/x', 2, enc('b'))]);
    t.same(race.map((r) => r.status).sort(), ['fulfilled', 'rejected'], 'one CAS winner across replicas');
    const y = await b.create('/y', enc('y'));
    t.equal(str((await a.get('/y'))?.value), `y@${y.modRevision}`, 'a reads b\'s acknowledged write at once');
    await eventually(() => a.revision === y.modRevision, 'a\'s feed delivers b\'s write', 30000);
    t.same((await a.eventsSince(0)).map((e) => e.revision), (await b.eventsSince(0)).map((e) => e.revision));
  });

  t.test('etcd storage: a write issued as a lost CAS race settles is written (no lost flush)', async (t) => {
    // The loser of a race settles inside the flush loop; a write issued by its continuation
    // used to join a loop that had just ended and wait forever. Deadlines here only guard hangs.
    const prefix = `/settle-${process.pid}`;
    const a = await openEtcd(t, prefix);
    const b = await openEtcd(t, prefix);
    let revision = (await a.create('/x', enc('x'))).modRevision;
    let written = 0;
    for (let i = 0; i < 25; i++) {
      const race = await Promise.allSettled([a.update('/x', revision, enc('a')), b.update('/x', revision, enc('b'))]);
      const won = race.find((r): r is PromiseFulfilledResult<Entry> => r.status === 'fulfilled');
      if (!won || race.every((r) => r.status === 'fulfilled')) t.fail(`race ${i}: exactly one CAS winner`);
      revision = won!.value.modRevision;
      const next = await within((i % 2 ? a : b).create(`/after/${i}`, enc(String(i))), 20000, `create after race ${i}`);
      if (next.modRevision > revision) written++;
    }
    t.equal(written, 25, 'every write after a race was written, after the race');
    t.equal(await a.count('/after/'), 25);
  });

  t.test('etcd storage: an unreachable etcd is Unavailable, not a hang', async (t) => {
    const dead = new EtcdStorage({ endpoints: ['http://127.0.0.1:1'], requestTimeoutMs: 500 });
    await t.rejects(dead.open(), { message: /cannot use etcd http:\/\/127\.0\.0\.1:1/ });
    const storage = await openEtcd(t, `/down-${process.pid}`);
    await storage.create('/a', enc('a'));
    await storage.health();
    t.pass('healthy while etcd runs');
  });
}
