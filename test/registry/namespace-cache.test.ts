import t from 'tap';
import { NamespaceCache } from '../../src/registry/namespace-cache.js';
import { createStorage } from '../../src/storage/index.js';

const PREFIX = '/registry/core/namespaces/';
const encode = (obj: unknown) => () => new TextEncoder().encode(JSON.stringify(obj));

t.test('NamespaceCache loads existing namespaces and follows later writes', async (t) => {
  const storage = createStorage({ kind: 'memory' });
  await storage.open();
  await storage.create(`${PREFIX}before`, encode({ metadata: { name: 'before' } }));
  await storage.create('/registry/core/configmaps/default/x', encode({ metadata: { name: 'x' } }));
  const cache = new NamespaceCache(storage, PREFIX);
  await cache.start();
  t.equal(cache.get('before')?.metadata?.name, 'before', 'loaded from storage');
  t.equal(cache.get('x'), undefined, 'other resources are not namespaces');

  const created = await storage.create(`${PREFIX}after`, encode({ metadata: { name: 'after' } }));
  t.ok(cache.get('after'), 'a namespace is visible once its create resolves');
  await storage.update(`${PREFIX}after`, created.modRevision, encode({ metadata: { name: 'after', deletionTimestamp: 'now' } }));
  t.equal(cache.get('after')?.metadata?.deletionTimestamp, 'now', 'updates replace the cached object');
  await storage.delete(`${PREFIX}after`);
  t.equal(cache.get('after'), undefined, 'deletes remove it');

  cache.stop();
  await storage.create(`${PREFIX}unseen`, encode({ metadata: { name: 'unseen' } }));
  t.equal(cache.get('unseen'), undefined, 'a stopped cache no longer follows storage');
  await storage.close();
});
