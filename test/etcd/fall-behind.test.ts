/**
 * A replica whose event feed falls behind the event window (cut off from etcd while another
 * replica writes and compacts) re-lists: its subscribers receive the net changes, so a state
 * rebuilt from its events equals etcd's, and its index of revisions is exact again (CAS,
 * create, createRevision). Event window 10 here. Skipped without `etcd`.
 * Owns: the fall-behind re-list of the etcd storage. Must not: repeat the shared suite.
 */
import { EtcdStorage } from '../../src/storage/etcd/etcd-storage.js';
import type { StorageEvent } from '../../src/storage/types.js';
import { startEtcdProxy } from '../helpers/etcd.js';
import { etcdTest } from '../helpers/serve-child.js';
import { eventually } from '../helpers/wait.js';
import { enc, storageError, str } from '../storage/suite.js';

etcdTest('a replica behind compaction re-lists', async (t, etcd) => {
  const proxy = await startEtcdProxy(etcd.endpoints[0]!);
  t.teardown(() => proxy.close());
  const prefix = '/behind';
  const a = new EtcdStorage({ endpoints: etcd.endpoints, prefix, eventWindow: 10 });
  const b = new EtcdStorage({ endpoints: [proxy.url], prefix, eventWindow: 10, requestTimeoutMs: 1000 });
  await a.open();
  await b.open();
  t.teardown(async () => {
    await b.close();
    await a.close();
  });
  // What b's subscribers see, applied to a map: a watch cache in miniature.
  const state = new Map<string, string>();
  const seen: StorageEvent[] = [];
  b.subscribe((events) => {
    for (const e of events) {
      seen.push(e);
      if (e.type === 'put') state.set(e.key, str(e.value)!);
      else state.delete(e.key);
    }
  });
  for (let i = 1; i <= 5; i++) await a.create(`/k/${i}`, enc(`v${i}`));
  await eventually(() => b.revision === 5, 'b delivered the first writes', 20000);
  const before = seen.length;

  proxy.cut();
  await a.update('/k/1', undefined, enc('v1b'));
  await a.delete('/k/2');
  await a.delete('/k/3');
  await a.create('/k/3', enc('v3-again'));
  await a.create('/k/6', enc('v6'));
  for (let i = 0; i < 30; i++) await a.update('/k/4', undefined, enc(`v4-${i}`));
  t.ok(a.compactedRevision > 5, `a compacted past what b delivered (compacted ${a.compactedRevision})`);
  proxy.restore();

  await eventually(() => b.revision === a.revision, 'b caught up through a re-list', 60000);
  const current = new Map((await a.list('')).entries.map((e) => [e.key, str(e.value)!]));
  t.same(Object.fromEntries(state), Object.fromEntries(current), 'state rebuilt from b\'s events equals etcd\'s');
  const after = seen.slice(before);
  t.same(after.map((e) => `${e.type} ${e.key}`).sort(), ['delete /k/2', 'put /k/1', 'put /k/3', 'put /k/4', 'put /k/6'], 'one event per changed key');
  t.ok(after.every((e, i) => i === 0 || e.revision > after[i - 1]!.revision), 'revisions increase');
  t.ok(after.every((e) => e.revision > 5 && e.revision <= a.revision), 'revisions inside the gap');

  // b's index is exact again: CAS, create and createRevision follow etcd.
  const k4 = (await a.get('/k/4'))!;
  const updated = await b.update('/k/4', k4.modRevision, enc('from-b'));
  t.equal(updated.createRevision, k4.createRevision);
  await t.rejects(b.create('/k/3', enc('x')), storageError('KeyExists'));
  await t.rejects(b.update('/k/2', undefined, enc('x')), storageError('KeyNotFound'));
  const k3 = (await a.get('/k/3'))!;
  const k3b = await b.update('/k/3', k3.modRevision, enc('v3-b'));
  t.equal(k3b.createRevision, k3.createRevision, 'a key re-created in the gap keeps its new createRevision');
  await eventually(() => a.revision === b.revision, 'a delivered b\'s writes', 20000);
  t.equal(str((await a.get('/k/4'))?.value), `from-b@${updated.modRevision}`);
});
