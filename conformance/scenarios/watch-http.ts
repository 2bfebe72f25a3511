/**
 * Conformance scenarios: WATCH over plain HTTP — events from a resourceVersion and from the
 * current state, selector transitions (an object entering or leaving a label selection is ADDED
 * or DELETED), single-object watches by `metadata.name`, BOOKMARKs (before `timeoutSeconds`
 * closes the stream, and periodically), the ERROR 410 of a resourceVersion older than the event
 * window, and Table-encoded events. All run once per suite (no kubectl).
 * Must not: depend on kubemu specifics, except where `needsServerSettings` says so.
 */
import { expectEqual, expectMatch, expectStatus, pick, scenario, type Context, type Json, type WatchEvent, type WatchStream } from '../harness.js';
import { collection, configMap, create, mergePatch } from './read-fixtures.js';

const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io';

/** `TYPE name` of an event, for compact comparisons. */
function brief(event: WatchEvent | undefined): string {
  if (!event) return '(end of stream)';
  const name = pick(event.object, 'metadata.name');
  return name === undefined ? event.type : `${event.type} ${String(name)}`;
}

/** Reads `n` events (each within the stream's default wait). */
async function take(stream: WatchStream, n: number): Promise<WatchEvent[]> {
  const events: WatchEvent[] = [];
  for (let i = 0; i < n; i++) {
    const event = await stream.next();
    if (!event) break;
    events.push(event);
  }
  return events;
}

async function openWatch(ctx: Context, query: string, headers: Record<string, string> = {}): Promise<WatchStream> {
  const stream = await ctx.watch(`${collection(ctx, 'configmaps')}?watch=true&${query}`, { headers });
  expectEqual(stream.status, 200, `watch ${query}: status (body ${stream.text.slice(0, 300)})`);
  return stream;
}

async function listRv(ctx: Context, selector: string): Promise<string> {
  const res = await ctx.http('GET', `${collection(ctx, 'configmaps')}?labelSelector=${encodeURIComponent(selector)}`);
  return String(pick(res.json, 'metadata.resourceVersion'));
}

/** From a list's resourceVersion: ADDED, MODIFIED, DELETED (the last state, at a new resourceVersion), and selector transitions. */
export const watchEvents = scenario({
  name: 'watch/events-and-selector-transitions',
  namespace: true,
  httpOnly: true,
  async run(ctx) {
    const path = collection(ctx, 'configmaps');
    await create(ctx, path, configMap('before', { a: '1' }, { sel: 'yes' }));
    const rv = await listRv(ctx, 'sel=yes');
    const stream = await openWatch(ctx, `labelSelector=sel%3Dyes&resourceVersion=${rv}`);
    await create(ctx, path, configMap('x', { a: '1' }, { sel: 'no' }));
    await mergePatch(ctx, `${path}/x`, { metadata: { labels: { sel: 'yes' } } });
    await mergePatch(ctx, `${path}/x`, { data: { a: '2' } });
    const left = await mergePatch(ctx, `${path}/x`, { metadata: { labels: { sel: 'no' } } });
    await mergePatch(ctx, `${path}/x`, { data: { a: '3' } });
    await create(ctx, path, configMap('y', { a: '1' }, { sel: 'yes' }));
    const modified = await mergePatch(ctx, `${path}/y`, { data: { a: '2' } });
    const deleted = await ctx.http('DELETE', `${path}/y`);
    expectEqual(deleted.status, 200, 'DELETE y');
    const events = await take(stream, 6);
    expectEqual(events.map(brief), ['ADDED x', 'MODIFIED x', 'DELETED x', 'ADDED y', 'MODIFIED y', 'DELETED y'], 'events of the watch on sel=yes');
    expectEqual([pick(events[1]!.object, 'kind'), pick(events[1]!.object, 'apiVersion'), pick(events[1]!.object, 'data.a')], ['ConfigMap', 'v1', '2'], 'MODIFIED carries the new object');
    // Upstream (cacheWatcher.convertToWatchEvent): the previous state, at the resourceVersion of the change.
    const leaving = events[2]!.object;
    expectEqual([pick(leaving, 'metadata.labels.sel'), pick(leaving, 'data.a')], ['yes', '2'], 'DELETED by a selector change carries the last state that matched');
    expectEqual(pick(leaving, 'metadata.resourceVersion'), pick(left.json, 'metadata.resourceVersion'), 'at the resourceVersion of the change');
    const modifiedRv = Number(pick(modified.json, 'metadata.resourceVersion'));
    expectEqual(pick(events[5]!.object, 'data.a'), '2', 'DELETED carries the last state');
    expectEqual(Number(pick(events[5]!.object, 'metadata.resourceVersion')) > modifiedRv, true, 'DELETED carries the resourceVersion of the delete');

    const single = await openWatch(ctx, `fieldSelector=metadata.name%3Dx&resourceVersion=${rv}`);
    expectEqual((await take(single, 5)).map(brief), ['ADDED x', 'MODIFIED x', 'MODIFIED x', 'MODIFIED x', 'MODIFIED x'], 'watch of one object by metadata.name');
  },
});

/** Without a resourceVersion (or with "0"), a watch first sends ADDED for every current object. */
export const watchInitialState = scenario({
  name: 'watch/initial-state',
  namespace: true,
  httpOnly: true,
  async run(ctx) {
    const path = collection(ctx, 'configmaps');
    for (const name of ['a', 'b']) await create(ctx, path, configMap(name, { a: '1' }, { set: 'init' }));
    for (const rv of ['', '&resourceVersion=0']) {
      const stream = await openWatch(ctx, `labelSelector=set%3Dinit${rv}`);
      const initial = (await take(stream, 2)).map(brief).sort();
      expectEqual(initial, ['ADDED a', 'ADDED b'], `initial events (watch${rv || ' without resourceVersion'})`);
      await mergePatch(ctx, `${path}/a`, { data: { a: rv ? '3' : '2' } });
      expectEqual(brief(await stream.next()), 'MODIFIED a', `then changes (watch${rv || ' without resourceVersion'})`);
      stream.close();
    }
  },
});

/** `allowWatchBookmarks=true`: a BOOKMARK (kind and resourceVersion only) before `timeoutSeconds` ends the stream. */
export const watchBookmark = scenario({
  name: 'watch/bookmark-before-timeout',
  namespace: true,
  httpOnly: true,
  async run(ctx) {
    await create(ctx, collection(ctx, 'configmaps'), configMap('a', { a: '1' }, { set: 'bm' }));
    const rv = await listRv(ctx, 'set=bm');
    const stream = await openWatch(ctx, `labelSelector=set%3Dbm&resourceVersion=${rv}&allowWatchBookmarks=true&timeoutSeconds=3`);
    // Opened now and read at the end (its lines are buffered): its second runs during the other watch's three.
    const plain = await openWatch(ctx, `labelSelector=set%3Dbm&resourceVersion=${rv}&timeoutSeconds=1`);
    const bookmark = await stream.next(10_000);
    expectEqual(bookmark?.type, 'BOOKMARK', 'first event of a quiet watch that allows bookmarks');
    expectEqual([pick(bookmark?.object, 'kind'), pick(bookmark?.object, 'apiVersion'), pick(bookmark?.object, 'metadata.name')], ['ConfigMap', 'v1', undefined], 'BOOKMARK object');
    expectMatch(String(pick(bookmark?.object, 'metadata.resourceVersion')), /^\d+$/, 'BOOKMARK resourceVersion');
    expectEqual(Number(pick(bookmark?.object, 'metadata.resourceVersion')) >= Number(rv), true, 'BOOKMARK resourceVersion is not older than the watch start');
    let next = await stream.next(10_000);
    while (next?.type === 'BOOKMARK') next = await stream.next(10_000);
    expectEqual(brief(next), '(end of stream)', 'the stream ends at timeoutSeconds');

    expectEqual(brief(await plain.next(10_000)), '(end of stream)', 'no BOOKMARK without allowWatchBookmarks');
  },
});

/** Bookmarks also arrive periodically, at the server's interval. */
export const watchBookmarkPeriodic = scenario({
  name: 'watch/bookmark-periodic',
  namespace: true,
  httpOnly: true,
  needsServerSettings: 'waits for the bookmark interval',
  async run(ctx) {
    const rv = await listRv(ctx, 'set=bmp');
    const interval = ctx.settings.bookmarkIntervalMs;
    const stream = await openWatch(ctx, `labelSelector=set%3Dbmp&resourceVersion=${rv}&allowWatchBookmarks=true`);
    const started = Date.now();
    expectEqual(brief(await stream.next(3 * interval + 1000)), 'BOOKMARK', `first event within ${3 * interval + 1000} ms`);
    expectEqual(brief(await stream.next(3 * interval + 1000)), 'BOOKMARK', 'and another');
    expectEqual(Date.now() - started >= interval, true, 'not before one interval');
  },
});

/** A watch from a resourceVersion older than the event window: 200, then an ERROR event with 410 Expired. */
export const watchTooOld = scenario({
  name: 'watch/too-old-resource-version',
  namespace: true,
  httpOnly: true,
  needsServerSettings: 'pushes a revision out of the event window',
  async run(ctx) {
    const path = collection(ctx, 'configmaps');
    const created = await create(ctx, path, configMap('a', { n: '0' }, { set: 'old' }));
    const old = Number(pick(created, 'metadata.resourceVersion'));
    for (let i = 1; i <= 2 * ctx.settings.eventWindow + 1; i++) await mergePatch(ctx, `${path}/a`, { data: { n: String(i) } });
    const stream = await openWatch(ctx, `labelSelector=set%3Dold&resourceVersion=${old}`);
    const event = await stream.next();
    expectEqual(event?.type, 'ERROR', `first event of a watch from resourceVersion ${old}`);
    const status = event!.object;
    expectStatus({ status: 410, headers: {}, text: JSON.stringify(status), json: status }, { code: 410, reason: 'Expired', message: /^too old resource version: \d+ \(\d+\)$/ }, 'ERROR event object');
    const [requested, oldest] = (/^too old resource version: (\d+) \((\d+)\)$/.exec(String(pick(status, 'message'))) ?? []).slice(1).map(Number);
    expectEqual(requested, old, 'the message names the requested resourceVersion');
    expectEqual(oldest! > old, true, 'and a newer oldest one');
    expectEqual(brief(await stream.next()), '(end of stream)', 'the stream ends after the ERROR');
    const current = await openWatch(ctx, `labelSelector=set%3Dold&resourceVersion=${await listRv(ctx, 'set=old')}`);
    await mergePatch(ctx, `${path}/a`, { data: { n: 'last' } });
    expectEqual(brief(await current.next()), 'MODIFIED a', 'a watch from a fresh list works');
  },
});

/** Table watch events: each object a Table with one row; column definitions only in the first. */
export const watchTable = scenario({
  name: 'watch/table',
  namespace: true,
  httpOnly: true,
  async run(ctx) {
    const path = collection(ctx, 'configmaps');
    await create(ctx, path, configMap('a', { a: '1' }, { set: 'tw' }));
    const stream = await openWatch(ctx, 'labelSelector=set%3Dtw', { accept: TABLE });
    const first = await stream.next();
    expectEqual([first?.type, pick(first?.object, 'kind'), pick(first?.object, 'apiVersion')], ['ADDED', 'Table', 'meta.k8s.io/v1'], 'first event');
    const names = ((pick(first?.object, 'columnDefinitions') ?? []) as Json[]).map((c) => pick(c, 'name'));
    expectEqual(names, ['Name', 'Data', 'Age'], 'first event column definitions');
    expectEqual([pick(first?.object, 'rows.0.cells.0'), pick(first?.object, 'rows.0.cells.1'), pick(first?.object, 'rows.0.object.kind')], ['a', 1, 'PartialObjectMetadata'], 'first event row');
    await mergePatch(ctx, `${path}/a`, { data: { a: '1', b: '2' } });
    const second = await stream.next();
    expectEqual([second?.type, pick(second?.object, 'kind'), pick(second?.object, 'rows.0.cells.1')], ['MODIFIED', 'Table', 2], 'second event');
    const later = pick(second?.object, 'columnDefinitions');
    expectEqual(later === undefined || later === null || (Array.isArray(later) && later.length === 0), true, `later events carry no column definitions (got ${JSON.stringify(later)})`);
  },
});
