/**
 * Child process of crash.test.ts: opens LevelDB storage in the given data dir and writes as fast
 * as it can with many concurrent writers, printing `<key> <revision>` for every acknowledged
 * write, until it is killed. Not a test by itself.
 * Owns: the write load of the crash test. Must not: check anything.
 */

import { createStorage } from '../../src/storage/index.js';
import { StorageError } from '../../src/storage/types.js';

const dataDir = process.argv[2];
if (!dataDir) throw new TypeError('usage: crash-writer.ts <data dir>');

const storage = createStorage({ kind: 'level', dataDir, eventWindow: 300 });
await storage.open();
process.stdout.write(`ready ${storage.revision}\n`);

const KEYS = 150;
const WRITERS = 32;
const padding = 'x'.repeat(600);

/** Value bytes embed key and revision, so the checker can tell a torn or stale value. */
const encode = (key: string) => (revision: number) => Buffer.from(`${key}@${revision} ${padding.slice(0, revision % 600)}`);

async function writer(id: number): Promise<never> {
  for (let i = 0; ; i++) {
    const key = `/crash/k${(id * 7919 + i * 104729) % KEYS}`;
    let revision: number;
    try {
      revision = (await storage.create(key, encode(key))).modRevision;
    } catch (err) {
      if (!(err instanceof StorageError) || err.code !== 'KeyExists') throw err;
      revision = (await storage.update(key, undefined, encode(key))).modRevision;
    }
    // Synchronous on a pipe: once printed, the parent will see it even if we die right after.
    process.stdout.write(`${key} ${revision}\n`);
  }
}

await Promise.all(Array.from({ length: WRITERS }, (_, id) => writer(id)));
