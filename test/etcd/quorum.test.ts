/**
 * The etcd storage over a three-member etcd: a follower, then the raft leader (found through the
 * maintenance status API) killed under concurrent writes, then a second member. Every
 * acknowledged write is present afterwards; writes fail (Unavailable, never a hang) only while
 * no quorum exists. Phases end after a number of acknowledged writes, not after a time. Skipped without `etcd`.
 * Owns: etcd member-failure behaviour of the storage. Must not: test the storage contract.
 */

import { EtcdStorage } from '../../src/storage/etcd/etcd-storage.js';
import { Etcd3 } from 'etcd3';
import type { EtcdCluster } from '../helpers/etcd.js';
import { etcdTest } from '../helpers/serve-child.js';
import { eventually } from '../helpers/wait.js';

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

/** The index of the member etcd's maintenance status names as the raft leader. */
async function leaderIndex(etcd: EtcdCluster, alive: number[]): Promise<number> {
  for (const i of alive) {
    const client = new Etcd3({ hosts: etcd.members[i]!.clientUrl, dialTimeout: 2000 });
    try {
      const status = await client.maintenance.status();
      const leader = status.leader;
      for (const j of alive) {
        if (j === i) {
          if (status.header.member_id === leader) return j;
          continue;
        }
        const other = new Etcd3({ hosts: etcd.members[j]!.clientUrl, dialTimeout: 2000 });
        try {
          if ((await other.maintenance.status()).header.member_id === leader) return j;
        } finally {
          other.close();
        }
      }
    } catch {
      // This member does not answer (yet); ask another.
    } finally {
      client.close();
    }
  }
  throw new Error('no member names a leader');
}

etcdTest('etcd storage: members of three killed under concurrent writes (follower, then the leader, then quorum lost)', async (t, etcd) => {
  const storage = new EtcdStorage({ endpoints: etcd.endpoints, prefix: '/quorum', requestTimeoutMs: 1500 });
  t.teardown(() => storage.close());
  await storage.open();
  const all = [0, 1, 2];
  /** Writers run until `more` further writes are acknowledged after `fn` (hang guards only). */
  async function around(tag: string, fn: () => Promise<void>, more: number) {
    const w = writers(storage, tag, 8);
    await eventually(() => w.acked.length >= 10, `${tag}: writes before`, 20000);
    await fn();
    const at = w.acked.length;
    await eventually(() => w.acked.length >= at + more, `${tag}: ${more} writes acknowledged after`, 30000);
    await w.stop();
    return w;
  }

  // A follower down: a quorum and the leader remain, so no write fails.
  const leader = await leaderIndex(etcd, all);
  const follower = all.find((i) => i !== leader)!;
  const one = await around('follower', () => etcd.kill(follower), 40);
  t.same(one.errors.map(String), [], 'no errors with a follower down');
  await etcd.restart(follower);

  // The leader down: the two others elect a new one; writes go on without errors.
  const two = await around('leader', () => etcd.kill(leader), 40);
  t.same(two.errors.map(String), [], 'no errors with the leader down (a new one is elected)');
  const survivors = all.filter((i) => i !== leader);
  const newLeader = await leaderIndex(etcd, survivors);
  t.not(newLeader, leader, `member ${newLeader} leads after member ${leader} (the leader) was killed`);

  // Two down: no quorum; writes fail with Unavailable instead of hanging.
  await etcd.kill(newLeader);
  const none = writers(storage, 'none', 2);
  await eventually(() => none.errors.length >= 2, 'writes refused without quorum', 30000);
  await none.stop();
  t.ok(none.errors.every((e) => (e as { code?: string }).code === 'Unavailable'), `${none.errors.length} writes refused as Unavailable`);

  // Quorum back: writes succeed again.
  await etcd.restart(newLeader);
  await etcd.restart(leader);
  const back = writers(storage, 'back', 4);
  await eventually(() => back.acked.length >= 10, 'writes after quorum returned', 30000);
  await back.stop();

  const acked = [...one.acked, ...two.acked, ...none.acked, ...back.acked];
  const { entries } = await storage.list('/q/');
  const present = new Set(entries.map((e) => e.key));
  t.same(acked.filter((k) => !present.has(k)), [], `all ${acked.length} acknowledged writes are present`);
  const revisions = entries.map((e) => e.modRevision).sort((a, b) => a - b);
  t.equal(new Set(revisions).size, revisions.length, 'no two writes share a revision');
}, { size: 3 });
