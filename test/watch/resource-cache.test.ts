import t from 'tap';
import { parseLabelSelector } from '../../src/api/selectors.js';
import type { CacheEntry, Selectable } from '../../src/watch/entry.js';
import { ResourceCache, type EventType } from '../../src/watch/resource-cache.js';

const P = '/registry/core/pods/';
let revision = 0;
const entry = (ns: string, name: string, rev: number, labels?: Record<string, string>): CacheEntry => ({
  key: `${P}${ns}/${name}`,
  bytes: new TextEncoder().encode(JSON.stringify({ metadata: { name, namespace: ns, resourceVersion: String(rev), labels } })),
  revision: rev,
  name,
  namespace: ns,
  ...(labels ? { labels } : {}),
  fields: { 'metadata.name': name, 'metadata.namespace': ns },
});
const all = () => true;
/** The Status of what `fn` throws. */
function statusOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return (err as { status?: unknown }).status;
  }
  return undefined;
}

function newCache(capacity = 100) {
  revision = 0;
  return new ResourceCache({ prefix: P, capacity, currentRevision: () => revision });
}
function put(cache: ResourceCache, ns: string, name: string, labels?: Record<string, string>) {
  revision++;
  cache.apply('put', entry(ns, name, revision, labels), revision);
}
function del(cache: ResourceCache, ns: string, name: string) {
  revision++;
  cache.apply('delete', entry(ns, name, revision), revision);
}
const names = (entries: CacheEntry[]) => entries.map((e) => `${e.namespace}/${e.name}`);

t.test('lists are in key order, per namespace by prefix, and paginate', async (t) => {
  const cache = newCache();
  for (const [ns, n] of [['b', 'x'], ['a', 'z'], ['b', 'a'], ['c', 'q']]) put(cache, ns!, n!);
  t.same(names(cache.list({ prefix: P, filter: all }).entries), ['a/z', 'b/a', 'b/x', 'c/q']);
  t.same(names(cache.list({ prefix: `${P}b/`, filter: all }).entries), ['b/a', 'b/x']);
  const page1 = cache.list({ prefix: P, filter: all, limit: 3 });
  t.same(names(page1.entries), ['a/z', 'b/a', 'b/x']);
  t.equal(page1.more, true);
  t.equal(page1.remaining, 1);
  const page2 = cache.list({ prefix: P, filter: all, limit: 3, after: page1.entries[2]!.key });
  t.same(names(page2.entries), ['c/q']);
  t.equal(page2.more, false);
});

t.test('a later page sees the state of the first page even after changes', async (t) => {
  const cache = newCache();
  put(cache, 'ns', 'a');
  put(cache, 'ns', 'b');
  put(cache, 'ns', 'c');
  const first = cache.list({ prefix: P, filter: all, limit: 1 });
  const at = first.revision;
  del(cache, 'ns', 'b');
  put(cache, 'ns', 'bb');
  put(cache, 'ns', 'c', { changed: 'yes' });
  const rest = cache.list({ prefix: P, filter: all, after: first.entries[0]!.key, atRevision: at });
  t.same(names(rest.entries), ['ns/b', 'ns/c']);
  t.notOk(rest.entries[1]!.labels, 'c as it was at the first page');
  t.same(names(cache.list({ prefix: P, filter: all }).entries), ['ns/a', 'ns/bb', 'ns/c']);
});

t.test('states older than the window are 410 Expired', async (t) => {
  const cache = newCache(2);
  cache.load([], 0);
  for (let i = 0; i < 5; i++) put(cache, 'ns', `p${i}`);
  t.ok(cache.oldestRevision > 0);
  t.match(statusOf(() => cache.list({ prefix: P, filter: all, atRevision: 1 })), {
    code: 410,
    reason: 'Expired',
    message: `too old resource version: 1 (${cache.oldestRevision})`,
  });
});

t.test('label-selected lists use the index and still filter', async (t) => {
  const cache = newCache();
  for (let i = 0; i < 40; i++) put(cache, 'ns', `p${String(i).padStart(2, '0')}`, { app: i % 10 === 0 ? 'rare' : 'common', i: String(i) });
  const selector = parseLabelSelector('app=rare,i!=20');
  const answer = cache.list({ prefix: P, filter: (s: Selectable) => selector.matches(s.labels), exactLabels: selector.exactMatches() });
  t.same(names(answer.entries), ['ns/p00', 'ns/p10', 'ns/p30']);
});

t.test('watchers get replays, selector transitions as ADDED/DELETED, and slow ones are dropped', async (t) => {
  const cache = newCache();
  put(cache, 'ns', 'a', { app: 'web' });
  const from = revision;
  put(cache, 'ns', 'b', { app: 'db' });
  const got: string[] = [];
  const selector = parseLabelSelector('app=web');
  const stop = cache.watch(
    {
      filter: (s) => selector.matches(s.labels),
      sink: { send: (type: EventType, e: CacheEntry) => (got.push(`${type} ${e.name}`), true) },
      onExpired: () => got.push('expired'),
    },
    from,
  );
  put(cache, 'ns', 'b', { app: 'web' });
  put(cache, 'ns', 'a', { app: 'web', v: '2' });
  put(cache, 'ns', 'a', { app: 'other' });
  del(cache, 'ns', 'b');
  del(cache, 'ns', 'a');
  t.same(got, ['ADDED b', 'MODIFIED a', 'DELETED a', 'DELETED b']);
  stop();
  put(cache, 'ns', 'c', { app: 'web' });
  t.equal(got.length, 4, 'stopped watchers get nothing');

  const initial: string[] = [];
  cache.watch({ filter: all, sink: { send: (type: EventType, e: CacheEntry) => (initial.push(`${type} ${e.name}`), true) }, onExpired: () => {} }, undefined);
  t.same(initial, ['ADDED c'], 'no revision: the current state as ADDED');

  let expired = '';
  cache.watch({ filter: all, sink: { send: () => false }, onExpired: (m) => (expired = m) }, revision);
  put(cache, 'ns', 'd');
  t.match(expired, /too far behind/);
  t.equal(cache.watcherCount, 1, 'the slow watcher is gone, the other stays');
  t.match(statusOf(() => cache.watch({ filter: all, sink: { send: () => true }, onExpired: () => {} }, -1)), { code: 410 });
});
