/**
 * The etcd storage over a three-member etcd: a member killed under concurrent writes. Every
 * acknowledged write is present afterwards; writes fail (Unavailable, never a hang) only while
 * no quorum exists. Skipped without `etcd`.
 * Owns: etcd member-failure behaviour of the storage. Must not: test the storage contract.
 */

import t from 'tap';
import { EtcdStorage } from '../../src/storage/etcd/etcd-storage.js';
import { haveEtcd, startEtcd } from '../helpers/etcd.js';

/** Writers creating keys until `until` resolves; returns acknowledged keys and failures. */
function writers(storage: EtcdStorage, tag: string, n: number) {
  let stop = false;
  const acked: string[] = [];
  const errors: unknown[] = [];
  const runs = Array.from({ length: n }, async (_, w) => {
    for (let i = 0; !stop; i++) {
      const key = `/q/${tag}/${w}/${i}`;
      try {
        await storage.create(key, (rev) => Buffer.from(`${key}@${rev}`));
        acked.push(key);
      } catch (err) {
        errors.push(err);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  });
  return {
    acked,
    errors,
    async stop() {
      stop = true;
      await Promise.all(runs);
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

if (!haveEtcd) {
  t.pass('skipped: no etcd binary on PATH');
} else {
  t.test('etcd storage: a killed member of three under concurrent writes', async (t) => {
    const etcd = await startEtcd({ size: 3 });
    t.teardown(() => etcd.stop());
    const storage = new EtcdStorage({ endpoints: etcd.endpoints, prefix: '/quorum', requestTimeoutMs: 1500 });
    t.teardown(() => storage.close());
    await storage.open();

    // One member down: a quorum remains, so no write fails.
    const one = writers(storage, 'one', 8);
    await sleep(300);
    await etcd.kill(0);
    await sleep(1500);
    await one.stop();
    t.same(one.errors.map(String), [], 'no errors while a quorum exists');
    t.ok(one.acked.length > 20, `${one.acked.length} writes acknowledged around the kill`);

    // Two down: no quorum; writes fail with Unavailable instead of hanging.
    await etcd.kill(1);
    const none = writers(storage, 'none', 2);
    await sleep(4000);
    await none.stop();
    t.ok(none.errors.length > 0, `${none.errors.length} writes refused without quorum`);
    t.ok(none.errors.every((e) => (e as { code?: string }).code === 'Unavailable'), 'refused as Unavailable');

    // Quorum back: writes succeed again.
    await etcd.restart(1);
    await etcd.restart(0);
    const back = writers(storage, 'back', 4);
    await sleep(1500);
    await back.stop();
    t.ok(back.acked.length > 0, `${back.acked.length} writes after quorum returned`);

    const acked = [...one.acked, ...none.acked, ...back.acked];
    const { entries } = await storage.list('/q/');
    const present = new Set(entries.map((e) => e.key));
    t.same(acked.filter((k) => !present.has(k)), [], `all ${acked.length} acknowledged writes are present`);
    const revisions = entries.map((e) => e.modRevision).sort((a, b) => a - b);
    t.equal(new Set(revisions).size, revisions.length, 'no two writes share a revision');
  });
}
