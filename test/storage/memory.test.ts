/**
 * The storage suite over memory-level, plus the key-value storage's failure handling (a failing
 * batch is easiest to inject into a memory database).
 * Owns: memory-specific and write-failure storage tests. Must not: repeat the shared suite.
 */

import t from 'tap';
import { MemoryLevel } from 'memory-level';
import { KvStorage, createStorage } from '../../src/storage/index.js';
import type { KvDatabase } from '../../src/storage/index.js';
import { enc, storageError, storageSuite, str } from './suite.js';
import type { TestContext } from './suite.js';

storageSuite('memory storage', async (t, options) => {
  const storage = createStorage({ kind: 'memory', ...(options?.eventWindow ? { eventWindow: options.eventWindow } : {}) });
  t.teardown(() => storage.close());
  await storage.open();
  return { storage };
});

t.test('memory storage opens in about a millisecond', async (t) => {
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const storage = createStorage({ kind: 'memory' });
    const start = performance.now();
    await storage.open();
    times.push(performance.now() - start);
    await storage.close();
  }
  const best = Math.min(...times);
  t.ok(best < 5, `best open took ${best.toFixed(2)} ms`);
});

/** A memory store whose next `failures` batch writes (array or chained) fail with "disk full". */
async function failingStore(t: TestContext) {
  const control = { failures: 0 };
  const fail = () => control.failures > 0 && control.failures-- > 0;
  const storage = new KvStorage({
    location: 'memory',
    sync: false,
    createDatabase: () => {
      const db: KvDatabase = new MemoryLevel<string, Uint8Array>({ keyEncoding: 'utf8', valueEncoding: 'view' });
      const batch = db.batch.bind(db) as (...args: unknown[]) => unknown;
      Object.defineProperty(db, 'batch', {
        value: (...args: unknown[]) => {
          if (args.length > 0) return fail() ? Promise.reject(new Error('disk full')) : batch(...args);
          const chained = batch() as { write: (...a: unknown[]) => Promise<void>; close: () => Promise<void> };
          const write = chained.write.bind(chained);
          Object.defineProperty(chained, 'write', {
            value: async (...a: unknown[]) => {
              if (!fail()) return write(...a);
              await chained.close();
              throw new Error('disk full');
            },
          });
          return chained;
        },
      });
      return db;
    },
  });
  t.teardown(() => storage.close());
  await storage.open();
  return { storage, control };
}

t.test('kv storage: a failed batch rejects its writes with Unavailable and rolls back', async (t) => {
  const { storage, control } = await failingStore(t);
  await storage.create('/a', enc('a'));
  const events: number[] = [];
  storage.subscribe((batch) => events.push(...batch.map((e) => e.revision)));

  control.failures = 1;
  const failing = [
    storage.create('/b', enc('b')),
    storage.update('/a', 1, enc('a2')),
    storage.delete('/b', 2),
  ];
  const settled = await Promise.allSettled(failing);
  t.same(settled.map((r) => r.status), ['rejected', 'rejected', 'rejected']);
  for (const r of settled) if (r.status === 'rejected') t.match(r.reason, { name: 'StorageError', code: 'Unavailable', message: /disk full/ });
  t.same(events, [], 'no events for a failed batch');
  t.equal(storage.revision, 1);

  t.equal(await storage.get('/b'), undefined, 'the failed create is gone');
  t.equal(str((await storage.get('/a'))?.value), 'a@1', 'the failed update is gone');
  const b = await storage.create('/b', enc('b'));
  t.equal(b.modRevision, 2, 'revisions of failed writes are reused');
  t.equal((await storage.update('/a', 1, enc('a2'))).modRevision, 3, 'the index is back at the durable revision');
  t.same(events, [2, 3]);
  t.same((await storage.eventsSince(0)).map((e) => e.revision), [1, 2, 3]);
});

t.test('kv storage: writes collected behind a failed batch are rejected too', async (t) => {
  const { storage, control } = await failingStore(t);
  control.failures = 1;
  const first = storage.create('/x', enc('x'));
  // Let the flush take the first batch, then queue a write that depends on it.
  await Promise.resolve();
  await Promise.resolve();
  const behind = storage.update('/x', 1, enc('y'));
  await t.rejects(first, storageError('Unavailable'));
  await t.rejects(behind, storageError('Unavailable'));
  t.equal(await storage.count(''), 0);
  t.equal((await storage.create('/x', enc('x'))).modRevision, 1);
});

t.test('kv storage: a failed compaction rejects with Unavailable', async (t) => {
  const { storage, control } = await failingStore(t);
  for (let i = 0; i < 5; i++) await storage.create(`/k/${i}`, enc('k'));
  control.failures = 1;
  await t.rejects(storage.compact(3), storageError('Unavailable'));
  t.equal(storage.compactedRevision, 0);
  await storage.compact(3);
  t.equal(storage.compactedRevision, 3);
});

t.test('kv storage: a throwing subscriber does not break writes', async (t) => {
  const storage = createStorage({ kind: 'memory' });
  t.teardown(() => storage.close());
  await storage.open();
  const seen: number[] = [];
  storage.subscribe(() => {
    throw new Error('subscriber bug');
  });
  storage.subscribe((events) => seen.push(...events.map((e) => e.revision)));
  const uncaught = new Promise<unknown>((resolve) => process.once('uncaughtException', resolve));
  await storage.create('/a', enc('a'));
  t.match(await uncaught, { message: 'subscriber bug' }, 'surfaced as an uncaught exception');
  t.same(seen, [1], 'later subscribers still hear');
});
