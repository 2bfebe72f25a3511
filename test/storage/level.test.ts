/**
 * The storage suite over LevelDB (classic-level), plus what only a data dir has: reopening,
 * locking, foreign and corrupt directories.
 * Owns: level-specific storage tests. Must not: test behaviour the shared suite covers.
 */

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { ClassicLevel } from 'classic-level';
import { createStorage } from '../../src/storage/index.js';
import type { Storage } from '../../src/storage/types.js';
import { enc, storageSuite } from './suite.js';
import type { TestContext } from './suite.js';

async function tempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'kubemu-storage-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function openLevel(t: TestContext, dataDir: string, eventWindow?: number): Promise<Storage> {
  const storage = createStorage({ kind: 'level', dataDir, ...(eventWindow ? { eventWindow } : {}) });
  t.teardown(() => storage.close());
  await storage.open();
  return storage;
}

storageSuite('level storage', async (t, options) => {
  const dir = await tempDir(t);
  const storage = await openLevel(t, dir, options?.eventWindow);
  return { storage, reopen: () => openLevel(t, dir, options?.eventWindow) };
});

t.test('level storage: open refuses unusable data dirs with a clear message', async (t) => {
  t.test('a dir locked by another store', async (t) => {
    const dir = await tempDir(t);
    await openLevel(t, dir);
    const second = createStorage({ kind: 'level', dataDir: dir });
    const err = await second.open().then(() => undefined, (e: unknown) => e);
    t.match(err, { name: 'DataDirError' });
    t.ok((err as Error).message.startsWith(`cannot open data dir ${dir}: it is locked by another kubemu process`), (err as Error).message);
  });

  t.test('a LevelDB dir that is not kubemu\'s', async (t) => {
    const dir = await tempDir(t);
    const foreign = new ClassicLevel(join(dir, 'db'));
    await foreign.put('hello', 'world');
    await foreign.close();
    const storage = createStorage({ kind: 'level', dataDir: dir });
    await t.rejects(storage.open(), { name: 'DataDirError', message: new RegExp(`^${dir} is not a kubemu data dir or is corrupt: it holds data without the kubemu format marker`) });
  });

  t.test('a corrupt dir', async (t) => {
    const dir = await tempDir(t);
    const first = await openLevel(t, dir);
    await first.create('/a', enc('a'));
    await first.close();
    await writeFile(join(dir, 'db', 'CURRENT'), 'garbage');
    const storage = createStorage({ kind: 'level', dataDir: dir });
    await t.rejects(storage.open(), { message: new RegExp(`^${dir} is not a kubemu data dir or is corrupt: Corruption`) });
  });

  t.test('a data dir path that is a file', async (t) => {
    const dir = await tempDir(t);
    const file = join(dir, 'file');
    await writeFile(file, 'x');
    const storage = createStorage({ kind: 'level', dataDir: file });
    await t.rejects(storage.open(), { message: new RegExp(`^cannot open data dir ${file}: .*not a directory`) });
  });
});

t.test('level storage: a store opened again after a failed open works', async (t) => {
  const dir = await tempDir(t);
  const holder = createStorage({ kind: 'level', dataDir: dir });
  await holder.open();
  const storage = createStorage({ kind: 'level', dataDir: dir });
  t.teardown(() => storage.close());
  await t.rejects(storage.open());
  await holder.close();
  await storage.open();
  t.equal((await storage.create('/a', enc('a'))).modRevision, 1);
});
