/**
 * The shared storage suite: every `Storage` implementation runs it (level, memory; etcd later).
 * Owns: the behaviour the contract in src/storage/types.ts promises. Must not: reach into an
 * implementation's internals (implementation-specific tests live in their own files).
 */

import t from 'tap';
import { StorageError, guaranteedUpdate } from '../../src/storage/types.js';
import type { Encode, Storage, StorageErrorCode, StorageEvent } from '../../src/storage/types.js';

/** A tap test context, as handed to `t.test` callbacks. */
export type TestContext = Parameters<Parameters<typeof t.test>[0]>[0];

/** A fresh, open store and, when its data outlives it, a way to open the same data again. */
export interface StorageFixture {
  storage: Storage;
  /** Opens a new store over the same data; call after `storage.close()`. Absent for memory. */
  reopen?: () => Promise<Storage>;
}

/** Opens a fresh, empty store for one test; registers its own cleanup with `t.teardown`. */
export type StorageFactory = (t: TestContext, options?: { eventWindow?: number }) => Promise<StorageFixture>;

/** Bytes `text@revision`: values embed their revision, as kubemu's objects do. */
export function enc(text: string): Encode {
  return (revision) => Buffer.from(`${text}@${revision}`);
}

/** The text of stored bytes. */
export function str(bytes: Uint8Array | undefined): string | undefined {
  return bytes === undefined ? undefined : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString();
}

/** Matches a StorageError of `code` (for t.rejects / t.throws). */
export function storageError(code: StorageErrorCode): { name: string; code: StorageErrorCode } {
  return { name: 'StorageError', code };
}

function summary(events: readonly StorageEvent[]): string[] {
  return events.map((e) => `${e.revision} ${e.type}${e.created ? '+' : ''} ${e.key} ${str(e.value)} ${str(e.prevValue) ?? '-'}`);
}

/** Runs the whole storage contract against the stores `factory` makes. */
export function storageSuite(name: string, factory: StorageFactory): void {
  t.test(name, async (t) => {
    t.test('create stores bytes from Encode with the assigned revision; get reads them back', async (t) => {
      const { storage } = await factory(t);
      t.equal(storage.revision, 0, 'empty store is at revision 0');
      t.equal(await storage.get('/a'), undefined, 'absent key');
      const created = await storage.create('/a', enc('a'));
      t.match(created, { key: '/a', createRevision: 1, modRevision: 1 });
      t.equal(str(created.value), 'a@1');
      const got = await storage.get('/a');
      t.same({ ...got, value: str(got?.value) }, { key: '/a', value: 'a@1', createRevision: 1, modRevision: 1 });
      t.equal(storage.revision, 1);
      await t.rejects(storage.create('/a', enc('again')), storageError('KeyExists'), 'create of an existing key');
      t.equal(storage.revision, 1, 'a refused write takes no revision');
    });

    t.test('update replaces the value, keeps createRevision, checks expectedRevision', async (t) => {
      const { storage } = await factory(t);
      await storage.create('/a', enc('v1'));
      const u1 = await storage.update('/a', undefined, enc('v2'));
      t.match(u1, { createRevision: 1, modRevision: 2 });
      const u2 = await storage.update('/a', 2, enc('v3'));
      t.match(u2, { createRevision: 1, modRevision: 3 });
      t.equal(str((await storage.get('/a'))?.value), 'v3@3');
      const conflict = await storage.update('/a', 2, enc('stale')).catch((err: unknown) => err);
      t.match(conflict, { name: 'StorageError', code: 'Conflict', key: '/a' });
      t.ok(conflict instanceof StorageError);
      await t.rejects(storage.update('/missing', undefined, enc('x')), storageError('KeyNotFound'));
      await t.rejects(storage.update('/missing', 1, enc('x')), storageError('KeyNotFound'));
      t.equal(storage.revision, 3);
    });

    t.test('delete removes the key and records the tombstone in the event', async (t) => {
      const { storage } = await factory(t);
      await storage.create('/a', enc('a'));
      await storage.create('/b', enc('b'));
      await t.rejects(storage.delete('/a', 2), storageError('Conflict'), 'delete with a stale revision');
      await t.rejects(storage.delete('/nope'), storageError('KeyNotFound'));
      const deleted = await storage.delete('/a', 1, enc('tomb-a'));
      t.match(deleted, { key: '/a', createRevision: 1, modRevision: 1, revision: 3 });
      t.equal(str(deleted.value), 'a@1', 'resolves with the last value');
      t.equal(await storage.get('/a'), undefined);
      const deletedB = await storage.delete('/b');
      t.equal(deletedB.revision, 4);
      const events = await storage.eventsSince(2);
      t.same(summary(events), ['3 delete /a tomb-a@3 a@1', '4 delete /b b@2 b@2'], 'tombstone, or the last value by default');
      const again = await storage.create('/a', enc('a2'));
      t.match(again, { createRevision: 5, modRevision: 5 }, 're-created key has a new createRevision');
    });

    t.test('list returns a prefix in key order with limit, after and more; count counts it', async (t) => {
      const { storage } = await factory(t);
      const keys = ['/r/pods/ns1/b', '/r/pods/ns1/a', '/r/pods/ns2/a', '/r/podsx/ns1/a', '/r/pod', '/r/services/ns1/a'];
      for (const key of keys) await storage.create(key, enc(key));
      const all = await storage.list('/r/pods/');
      t.same(all.entries.map((e) => e.key), ['/r/pods/ns1/a', '/r/pods/ns1/b', '/r/pods/ns2/a']);
      t.equal(all.more, false);
      t.equal(all.revision, storage.revision, 'read at the current revision');
      t.equal(str(all.entries[0]?.value), '/r/pods/ns1/a@2');
      t.match(all.entries[1], { createRevision: 1, modRevision: 1 });
      t.same((await storage.list('/r/pods/ns1/')).entries.map((e) => e.key), ['/r/pods/ns1/a', '/r/pods/ns1/b']);
      t.equal((await storage.list('')).entries.length, keys.length, 'empty prefix lists everything');
      t.same((await storage.list('/nothing/')).entries, []);

      const page1 = await storage.list('/r/', { limit: 2 });
      t.same(page1.entries.map((e) => e.key), ['/r/pod', '/r/pods/ns1/a']);
      t.equal(page1.more, true);
      const page2 = await storage.list('/r/', { limit: 2, after: '/r/pods/ns1/a' });
      t.same(page2.entries.map((e) => e.key), ['/r/pods/ns1/b', '/r/pods/ns2/a']);
      t.equal(page2.more, true);
      const page3 = await storage.list('/r/', { limit: 2, after: '/r/pods/ns2/a' });
      t.same(page3.entries.map((e) => e.key), ['/r/podsx/ns1/a', '/r/services/ns1/a']);
      t.equal(page3.more, false, 'an exactly full last page has no more');
      const exact = await storage.list('/r/pods/', { limit: 3 });
      t.equal(exact.more, false);
      t.same((await storage.list('/r/pods/', { after: '/a' })).entries.length, 3, 'after before the prefix is ignored');
      t.same((await storage.list('/r/pods/', { after: '/z' })).entries, [], 'after past the prefix');
      t.same((await storage.list('/r/pods/', { limit: 0 })).entries.length, 3, 'limit 0 means all');

      t.equal(await storage.count('/r/pods/'), 3);
      t.equal(await storage.count('/r/'), 6);
      t.equal(await storage.count('/none/'), 0);
      await storage.delete('/r/pods/ns1/a');
      t.equal(await storage.count('/r/pods/'), 2);
    });

    t.test('list and keys handle non-ASCII keys in byte order', async (t) => {
      const { storage } = await factory(t);
      for (const key of ['/u/é', '/u/z', '/u/😀', '/u/\uffee', '/v/a']) await storage.create(key, enc('x'));
      const { entries } = await storage.list('/u/');
      t.same(entries.map((e) => e.key), ['/u/z', '/u/é', '/u/\uffee', '/u/😀']);
      t.equal((await storage.get('/u/😀'))?.key, '/u/😀');
      t.same((await storage.list('/u/', { after: '/u/é' })).entries.map((e) => e.key), ['/u/\uffee', '/u/😀']);
    });

    t.test('revisions are global and increase by one per write', async (t) => {
      const { storage } = await factory(t);
      const seen: number[] = [];
      seen.push((await storage.create('/x/1', enc('1'))).modRevision);
      seen.push((await storage.create('/y/1', enc('1'))).modRevision);
      seen.push((await storage.update('/x/1', undefined, enc('2'))).modRevision);
      seen.push((await storage.delete('/y/1')).revision);
      seen.push((await storage.create('/y/1', enc('3'))).modRevision);
      t.same(seen, [1, 2, 3, 4, 5]);
      t.equal(storage.revision, 5);
      t.equal(storage.compactedRevision, 0);
    });

    t.test('Encode that throws takes no revision; writes from inside Encode are refused', async (t) => {
      const { storage } = await factory(t);
      await t.rejects(
        storage.create('/a', () => {
          throw new Error('boom');
        }),
        { message: 'boom' },
      );
      t.equal(await storage.get('/a'), undefined);
      let inner: Promise<unknown> | undefined;
      const outer = await storage.create('/b', (rev) => {
        inner = storage.create('/c', enc('c')).then(() => 'written', (err: unknown) => err);
        return Buffer.from(String(rev));
      });
      t.equal(outer.modRevision, 1, 'the failed Encode left the counter alone');
      t.type(await inner, TypeError);
      await t.rejects(storage.create('/d', () => 'not bytes' as unknown as Uint8Array), TypeError);
      t.equal(storage.revision, 1);
    });

    t.test('eventsSince replays the log in order with prevValue and created', async (t) => {
      const { storage } = await factory(t);
      await storage.create('/a', enc('a1'));
      await storage.create('/b', enc('b1'));
      await storage.update('/a', 1, enc('a2'));
      await storage.delete('/b');
      t.same(summary(await storage.eventsSince(0)), [
        '1 put+ /a a1@1 -',
        '2 put+ /b b1@2 -',
        '3 put /a a2@3 a1@1',
        '4 delete /b b1@2 b1@2',
      ]);
      t.same(summary(await storage.eventsSince(2)).map((s) => s.split(' ')[0]), ['3', '4']);
      t.same(await storage.eventsSince(4), []);
      t.same(await storage.eventsSince(99), [], 'a future revision has no events yet');
      const [first] = await storage.eventsSince(0);
      t.equal(first?.prevValue, undefined);
    });

    t.test('the event log keeps a bounded window; older revisions are Compacted', async (t) => {
      const { storage } = await factory(t, { eventWindow: 10 });
      await storage.create('/k', enc('0'));
      for (let i = 1; i < 40; i++) await storage.update('/k', undefined, enc(String(i)));
      t.equal(storage.revision, 40);
      t.ok(storage.compactedRevision > 0, `auto-compacted to ${storage.compactedRevision}`);
      t.ok(storage.compactedRevision >= 40 - 10 - 2 && storage.compactedRevision <= 30, 'keeps about the window');
      const err = await storage.eventsSince(0).catch((e: unknown) => e);
      t.match(err, { name: 'StorageError', code: 'Compacted', oldestRevision: storage.compactedRevision });
      const tail = await storage.eventsSince(storage.compactedRevision);
      t.equal(tail.length, 40 - storage.compactedRevision, 'everything after the compacted revision');
      t.equal(tail[0]?.revision, storage.compactedRevision + 1);
      t.equal(str(tail.at(-1)?.value), '39@40');

      await storage.compact(38);
      t.equal(storage.compactedRevision, 38);
      await t.rejects(storage.eventsSince(37), storageError('Compacted'));
      t.same((await storage.eventsSince(38)).map((e) => e.revision), [39, 40]);
      await storage.compact(10);
      t.equal(storage.compactedRevision, 38, 'compacting backwards is a no-op');
      await storage.compact(1000);
      t.equal(storage.compactedRevision, 40, 'compaction stops at the current revision');
      t.same(await storage.eventsSince(40), []);
      t.equal((await storage.update('/k', 40, enc('next'))).modRevision, 41, 'writes go on after full compaction');
      t.same((await storage.eventsSince(40)).map((e) => e.revision), [41]);
    });

    t.test('subscribers get durable batches in revision order', async (t) => {
      const { storage } = await factory(t);
      const batches: StorageEvent[][] = [];
      const revisionsAtCall: number[] = [];
      const unsubscribe = storage.subscribe((events) => {
        batches.push([...events]);
        revisionsAtCall.push(storage.revision);
      });
      let resolvedBeforeNotify = false;
      const write = storage.create('/a', enc('a')).then(() => {
        resolvedBeforeNotify = batches.length === 0;
      });
      t.equal(batches.length, 0, 'nothing before the flush');
      await write;
      t.notOk(resolvedBeforeNotify, 'subscribers hear of a write before its promise resolves');
      t.same(revisionsAtCall, [1], 'storage.revision already covers the batch');
      await Promise.all([storage.create('/b', enc('b')), storage.create('/c', enc('c')), storage.update('/a', 1, enc('a2'))]);
      const flat = batches.flat();
      t.same(flat.map((e) => e.revision), [1, 2, 3, 4]);
      t.same(summary(flat.slice(3)), ['4 put /a a2@4 a@1']);
      t.ok(batches.length <= 3, `concurrent writes share batches (${batches.length} batches)`);
      unsubscribe();
      await storage.create('/d', enc('d'));
      t.equal(batches.flat().length, 4, 'no events after unsubscribe');
    });

    t.test('get of a key with a pending write waits for it', async (t) => {
      const { storage } = await factory(t);
      await storage.create('/a', enc('1'));
      const pending = storage.update('/a', undefined, enc('2'));
      const got = await storage.get('/a');
      t.equal(got?.modRevision, 2);
      t.equal(str(got?.value), '2@2');
      await pending;
    });

    t.test('many concurrent writes share flushes and take consecutive revisions', async (t) => {
      const { storage } = await factory(t);
      let batches = 0;
      storage.subscribe(() => batches++);
      const n = 200;
      const created = await Promise.all(Array.from({ length: n }, (_, i) => storage.create(`/c/${i}`, enc(String(i)))));
      t.same(created.map((e) => e.modRevision), Array.from({ length: n }, (_, i) => i + 1), 'revisions in call order');
      t.ok(batches < n / 4, `${n} creates in ${batches} batches`);
      const updated = await Promise.all(created.map((e) => storage.update(e.key, e.modRevision, enc('u'))));
      t.same(updated.map((e) => e.modRevision), Array.from({ length: n }, (_, i) => n + i + 1));
      t.equal(await storage.count('/c/'), n);
      t.equal(storage.revision, 2 * n);
      const events = await storage.eventsSince(0);
      t.same(events.map((e) => e.revision), Array.from({ length: 2 * n }, (_, i) => i + 1));
    });

    t.test('writes to one key in one flush chain their prevValues', async (t) => {
      const { storage } = await factory(t);
      await storage.create('/m', enc('m0'));
      const results = await Promise.all([
        storage.update('/m', 1, enc('m1')),
        storage.delete('/m', 2),
        storage.create('/m', enc('m2')),
        storage.update('/m', 4, enc('m3')),
      ]);
      t.same(results.map((e) => e.modRevision), [2, 2, 4, 5], 'the delete resolves with the entry it deleted');
      t.match(results[1], { revision: 3 });
      t.same(summary(await storage.eventsSince(1)), [
        '2 put /m m1@2 m0@1',
        '3 delete /m m1@2 m1@2',
        '4 put+ /m m2@4 -',
        '5 put /m m3@5 m2@4',
      ]);
      t.match(await storage.get('/m'), { createRevision: 4, modRevision: 5 });
    });

    t.test('a compare-and-swap race has exactly one winner', async (t) => {
      const { storage } = await factory(t);
      const { modRevision } = await storage.create('/race', enc('0'));
      const results = await Promise.allSettled(
        Array.from({ length: 8 }, (_, i) => storage.update('/race', modRevision, enc(`w${i}`))),
      );
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r) => r.status === 'rejected');
      t.equal(won.length, 1, 'one winner');
      t.equal(lost.length, 7);
      for (const r of lost) t.match(r.reason, { code: 'Conflict' });
      t.equal(str((await storage.get('/race'))?.value), 'w0@2', 'the first caller wins');
      const deletes = await Promise.allSettled([storage.delete('/race', 2), storage.delete('/race', 2)]);
      t.same(deletes.map((r) => r.status), ['fulfilled', 'rejected']);
    });

    t.test('guaranteedUpdate retries conflicts until its update lands', async (t) => {
      const { storage } = await factory(t);
      await storage.create('/counter', () => Buffer.from('0'));
      const increment = () =>
        guaranteedUpdate(storage, '/counter', (current) => {
          const n = Number(str(current.value));
          return () => Buffer.from(String(n + 1));
        });
      await Promise.all(Array.from({ length: 12 }, increment));
      t.equal(str((await storage.get('/counter'))?.value), '12');
      await t.rejects(
        guaranteedUpdate(storage, '/counter', () => {
          throw new Error('abort');
        }),
        { message: 'abort' },
      );
      await t.rejects(guaranteedUpdate(storage, '/absent', () => enc('x')), storageError('KeyNotFound'));
    });

    t.test('close waits for pending writes; every later call is Closed', async (t) => {
      const { storage } = await factory(t);
      const events: number[] = [];
      storage.subscribe((batch) => events.push(...batch.map((e) => e.revision)));
      const writes = Array.from({ length: 20 }, (_, i) => storage.create(`/w/${i}`, enc('w')));
      await storage.close();
      const settled = await Promise.allSettled(writes);
      t.ok(settled.every((r) => r.status === 'fulfilled'), 'writes issued before close complete');
      t.equal(events.length, 20);
      t.equal(storage.revision, 20);
      await storage.close();
      t.pass('a second close is harmless');
      const calls: [string, () => Promise<unknown>][] = [
        ['get', () => storage.get('/w/1')],
        ['list', () => storage.list('/w/')],
        ['count', () => storage.count('/w/')],
        ['create', () => storage.create('/n', enc('n'))],
        ['update', () => storage.update('/w/1', undefined, enc('n'))],
        ['delete', () => storage.delete('/w/1')],
        ['eventsSince', () => storage.eventsSince(0)],
        ['compact', () => storage.compact(1)],
      ];
      for (const [name, call] of calls) await t.rejects(call(), storageError('Closed'), name);
      t.throws(() => storage.subscribe(() => undefined), storageError('Closed'), 'subscribe');
    });

    t.test('reopen resumes revision, data and event log', async (t) => {
      const { storage, reopen } = await factory(t, { eventWindow: 5 });
      if (!reopen) {
        t.pass('data does not outlive this store');
        return;
      }
      for (let i = 0; i < 12; i++) await storage.create(`/p/${i}`, enc(String(i)));
      await storage.update('/p/3', undefined, enc('three'));
      await storage.delete('/p/4', undefined, enc('gone'));
      const compacted = storage.compactedRevision;
      await storage.close();

      const again = await reopen();
      t.equal(again.revision, 14, 'revision resumes');
      t.equal(again.compactedRevision, compacted, 'compacted revision resumes');
      t.equal(await again.count('/p/'), 11);
      t.match(await again.get('/p/3'), { createRevision: 4, modRevision: 13 });
      t.equal(str((await again.get('/p/3'))?.value), 'three@13');
      const tail = await again.eventsSince(compacted);
      t.equal(tail.at(-1)?.revision, 14);
      t.same(summary(tail.slice(-2)), ['13 put /p/3 three@13 3@4', '14 delete /p/4 gone@14 4@5']);
      const next = await again.create('/p/new', enc('n'));
      t.equal(next.modRevision, 15, 'new writes continue the sequence');
      await t.rejects(again.create('/p/0', enc('dup')), storageError('KeyExists'), 'the index was reloaded');
      t.match(await again.update('/p/0', 1, enc('u')), { modRevision: 16 });
    });
  });
}
