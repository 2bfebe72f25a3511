/**
 * WATCH against a listening server: chunked JSON lines read as a client reads them, and the same
 * stream over a websocket. Initial state, replay, selector transitions, namespaces, timeouts,
 * bookmarks, sendInitialEvents, too-old resourceVersions, slow watchers, Table events and
 * disconnects. Every wait is bounded.
 */
import http, { type ClientRequest, type IncomingMessage } from 'node:http';
import t from 'tap';
import WebSocket from 'ws';
import { listen } from '../../src/cli/listen.js';
import { withDefaults } from '../../src/cli/config.js';
import { startKubemu, type Kubemu } from '../../src/index.js';
import { buildServer } from '../../src/server.js';

interface Meta {
  name: string;
  namespace?: string;
  resourceVersion: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface WatchObject {
  kind: string;
  apiVersion: string;
  metadata: Meta;
  data?: Record<string, string>;
  code?: number;
  reason?: string;
  status?: string;
  message?: string;
  columnDefinitions?: Array<{ name: string }> | null;
  rows?: Array<{ cells: unknown[]; object?: { kind: string; metadata: Meta } }>;
}
interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: WatchObject;
}
/** The target of requests: a base URL and the admin token. */
interface Target {
  url: string;
  token: string;
}

const WAIT_MS = 5000;
const TABLE_V1 = 'application/json;as=Table;v=v1;g=meta.k8s.io';

/** A queue of events fed by a transport; every wait ends after a bound. */
class EventQueue {
  readonly #events: WatchEvent[] = [];
  #waiter?: () => void;
  #ended = false;
  /** Every event received so far, in order. */
  readonly received: WatchEvent[] = [];

  push(event: WatchEvent): void {
    this.#events.push(event);
    this.received.push(event);
    this.#waiter?.();
  }

  end(): void {
    this.#ended = true;
    this.#waiter?.();
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** The next event; rejects when the stream ends first or nothing comes within `timeoutMs`. */
  async next(timeoutMs = WAIT_MS): Promise<WatchEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const event = this.#events.shift();
      if (event) return event;
      if (this.#ended) throw new Error('the watch ended');
      if (!(await this.#wait(deadline))) throw new Error(`no event within ${timeoutMs} ms (received: ${this.received.map((e) => e.type).join(',')})`);
    }
  }

  /** The next `n` events. */
  async take(n: number, timeoutMs = WAIT_MS): Promise<WatchEvent[]> {
    const out: WatchEvent[] = [];
    for (let i = 0; i < n; i++) out.push(await this.next(timeoutMs));
    return out;
  }

  /** Every event left until the stream ends (rejects if it does not end within `timeoutMs`). */
  async rest(timeoutMs = WAIT_MS): Promise<WatchEvent[]> {
    const deadline = Date.now() + timeoutMs;
    while (!this.#ended) if (!(await this.#wait(deadline))) throw new Error(`the watch did not end within ${timeoutMs} ms`);
    return this.#events.splice(0);
  }

  /** Events that arrive within `ms` (for "nothing happens" checks). */
  async quiet(ms: number): Promise<WatchEvent[]> {
    await new Promise((resolve) => setTimeout(resolve, ms));
    return this.#events.splice(0);
  }

  /** Resolves true when something happened, false at the deadline. */
  #wait(deadline: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#waiter = undefined;
        resolve(false);
      }, Math.max(0, deadline - Date.now()));
      this.#waiter = () => {
        clearTimeout(timer);
        this.#waiter = undefined;
        resolve(true);
      };
    });
  }
}

/** A chunked HTTP watch read line by line. */
interface HttpWatch {
  events: EventQueue;
  res: IncomingMessage;
  req: ClientRequest;
  /** Stops reading without closing (a slow client); `resume` reads again. */
  pause(): void;
  resume(): void;
  close(): void;
}

/** Opens a watch (`path` includes `?watch=true...`) and resolves once the response head arrives. */
function openWatch(target: Target, path: string, headers: Record<string, string> = {}): Promise<HttpWatch> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no response to ${path}`)), WAIT_MS);
    const req = http.get(`${target.url}${path}`, { headers: { authorization: `Bearer ${target.token}`, ...headers } }, (res) => {
      clearTimeout(timer);
      const events = new EventQueue();
      let buffered = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffered += chunk;
        let newline: number;
        while ((newline = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, newline);
          buffered = buffered.slice(newline + 1);
          if (line) events.push(JSON.parse(line) as WatchEvent);
        }
      });
      res.on('end', () => events.end());
      res.on('close', () => events.end());
      resolve({ events, res, req, pause: () => res.pause(), resume: () => res.resume(), close: () => req.destroy() });
    });
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/** A JSON request to `target`; throws unless the answer is 2xx. */
async function api<T = WatchObject>(target: Target, method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<T> {
  const res = await fetch(`${target.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${target.token}`, 'content-type': contentType },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(WAIT_MS),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return JSON.parse(text) as T;
}

const cms = (ns: string) => `/api/v1/namespaces/${ns}/configmaps`;
const createNs = (target: Target, name: string) => api(target, 'POST', '/api/v1/namespaces', { metadata: { name } });
const createCm = (target: Target, ns: string, name: string, labels?: Record<string, string>, data: Record<string, string> = { v: '0' }) =>
  api(target, 'POST', cms(ns), { metadata: { name, ...(labels ? { labels } : {}) }, data });
const patchCm = (target: Target, ns: string, name: string, patch: unknown) => api(target, 'PATCH', `${cms(ns)}/${name}`, patch, 'application/merge-patch+json');
const deleteCm = (target: Target, ns: string, name: string) => api(target, 'DELETE', `${cms(ns)}/${name}`);
const listRv = async (target: Target, ns: string) => (await api<{ metadata: { resourceVersion: string } }>(target, 'GET', cms(ns))).metadata.resourceVersion;
const summary = (events: WatchEvent[]) => events.map((e) => `${e.type} ${e.object.metadata.name}`);

let k: Kubemu;
t.before(async () => {
  k = await startKubemu({ tls: false, bookmarkIntervalMs: 200, controllers: false });
});
t.teardown(() => k.close());

t.test('a watch without resourceVersion starts with ADDED for every object, then follows changes', async (t) => {
  await createNs(k, 'w-init');
  await createCm(k, 'w-init', 'a');
  await createCm(k, 'w-init', 'b');
  const w = await openWatch(k, `${cms('w-init')}?watch=true`);
  t.teardown(() => w.close());
  t.equal(w.res.statusCode, 200);
  t.match(w.res.headers['content-type'], /^application\/json/);
  t.equal(w.res.headers['transfer-encoding'], 'chunked');
  const initial = await w.events.take(2);
  t.strictSame(summary(initial).sort(), ['ADDED a', 'ADDED b']);
  t.match(initial[0]!.object, { kind: 'ConfigMap', apiVersion: 'v1', metadata: { namespace: 'w-init', resourceVersion: /^\d+$/ }, data: { v: '0' } });
  t.strictSame(await w.events.quiet(300), [], 'no bookmark and nothing else without a change');
  await createCm(k, 'w-init', 'c');
  t.strictSame(summary([await w.events.next()]), ['ADDED c']);

  const zero = await openWatch(k, `${cms('w-init')}?watch=true&resourceVersion=0`);
  t.teardown(() => zero.close());
  t.strictSame(summary(await zero.events.take(3)).sort(), ['ADDED a', 'ADDED b', 'ADDED c'], 'resourceVersion=0: the current state too');
});

t.test('a watch from a resourceVersion replays what happened after it', async (t) => {
  await createNs(k, 'w-replay');
  const a = await createCm(k, 'w-replay', 'a');
  const a2 = await patchCm(k, 'w-replay', 'a', { data: { v: '1' } });
  const b = await createCm(k, 'w-replay', 'b');
  await deleteCm(k, 'w-replay', 'a');
  const w = await openWatch(k, `${cms('w-replay')}?watch=true&resourceVersion=${a.metadata.resourceVersion}`);
  t.teardown(() => w.close());
  const events = await w.events.take(3);
  t.strictSame(summary(events), ['MODIFIED a', 'ADDED b', 'DELETED a']);
  t.equal(events[0]!.object.metadata.resourceVersion, a2.metadata.resourceVersion);
  t.strictSame(events[0]!.object.data, { v: '1' });
  t.equal(events[1]!.object.metadata.resourceVersion, b.metadata.resourceVersion);
  t.ok(Number(events[2]!.object.metadata.resourceVersion) > Number(b.metadata.resourceVersion), 'DELETED carries the deletion revision');
  t.strictSame(events[2]!.object.data, { v: '1' }, 'and the last state');

  const later = await openWatch(k, `${cms('w-replay')}?watch=true&resourceVersion=${b.metadata.resourceVersion}`);
  t.teardown(() => later.close());
  t.strictSame(summary([await later.events.next()]), ['DELETED a'], 'only events after the given revision');
  t.strictSame(await later.events.quiet(200), []);
});

t.test('MODIFIED and DELETED as they happen', async (t) => {
  await createNs(k, 'w-live');
  await createCm(k, 'w-live', 'x');
  const w = await openWatch(k, `${cms('w-live')}?watch=true&resourceVersion=${await listRv(k, 'w-live')}`);
  t.teardown(() => w.close());
  const changed = await patchCm(k, 'w-live', 'x', { data: { v: 'changed' } });
  const modified = await w.events.next();
  t.strictSame(summary([modified]), ['MODIFIED x']);
  t.strictSame(modified.object.data, { v: 'changed' });
  t.equal(modified.object.metadata.resourceVersion, changed.metadata.resourceVersion);
  await deleteCm(k, 'w-live', 'x');
  const deleted = await w.events.next();
  t.strictSame(summary([deleted]), ['DELETED x']);
  t.ok(Number(deleted.object.metadata.resourceVersion) > Number(changed.metadata.resourceVersion));
});

t.test('selector watches: DELETED when an object stops matching, ADDED when it starts', async (t) => {
  await createNs(k, 'w-sel');
  await createCm(k, 'w-sel', 'x', { watch: 'no' });
  const w = await openWatch(k, `${cms('w-sel')}?watch=true&labelSelector=watch%3Dyes&resourceVersion=${await listRv(k, 'w-sel')}`);
  t.teardown(() => w.close());
  await patchCm(k, 'w-sel', 'x', { data: { v: 'ignored' } });
  const start = await patchCm(k, 'w-sel', 'x', { metadata: { labels: { watch: 'yes' } } });
  const added = await w.events.next();
  t.strictSame(summary([added]), ['ADDED x'], 'the change while not matching is not seen; starting to match is ADDED');
  t.equal(added.object.metadata.resourceVersion, start.metadata.resourceVersion);
  await patchCm(k, 'w-sel', 'x', { data: { v: 'seen' } });
  t.strictSame(summary([await w.events.next()]), ['MODIFIED x']);
  const stop = await patchCm(k, 'w-sel', 'x', { metadata: { labels: { watch: 'no' } } });
  const deleted = await w.events.next();
  t.strictSame(summary([deleted]), ['DELETED x']);
  t.equal(deleted.object.metadata.resourceVersion, stop.metadata.resourceVersion, 'at the revision of the change');
  t.strictSame(deleted.object.metadata.labels, { watch: 'yes' }, 'showing the last state that matched (cacheWatcher)');
  await deleteCm(k, 'w-sel', 'x');
  t.strictSame(await w.events.quiet(200), [], 'deleting a non-matching object is not an event');

  const fields = await openWatch(k, `${cms('w-sel')}?watch=true&fieldSelector=metadata.name%3Dy&resourceVersion=${await listRv(k, 'w-sel')}`);
  t.teardown(() => fields.close());
  await createCm(k, 'w-sel', 'z');
  await createCm(k, 'w-sel', 'y');
  t.strictSame(summary([await fields.events.next()]), ['ADDED y'], 'field selectors filter too');
});

t.test('a namespaced watch sees only its namespace; an all-namespaces watch sees every one', async (t) => {
  await createNs(k, 'w-ns-a');
  await createNs(k, 'w-ns-b');
  const rv = await listRv(k, 'w-ns-a');
  const inA = await openWatch(k, `${cms('w-ns-a')}?watch=true&resourceVersion=${rv}`);
  const all = await openWatch(k, `/api/v1/configmaps?watch=true&resourceVersion=${rv}`);
  t.teardown(() => inA.close());
  t.teardown(() => all.close());
  await createCm(k, 'w-ns-b', 'other');
  await createCm(k, 'w-ns-a', 'mine');
  t.strictSame(summary([await inA.events.next()]), ['ADDED mine']);
  const both = await all.events.take(2);
  t.strictSame(both.map((e) => `${e.object.metadata.namespace}/${e.object.metadata.name}`), ['w-ns-b/other', 'w-ns-a/mine']);
});

t.test('timeoutSeconds ends the stream; 0 means the default timeout', async (t) => {
  const started = Date.now();
  const w = await openWatch(k, `${cms('default')}?watch=true&timeoutSeconds=1&resourceVersion=${await listRv(k, 'default')}`);
  const rest = await w.events.rest(4000);
  const took = Date.now() - started;
  t.ok(took >= 900 && took < 3000, `ended after ${took} ms`);
  t.strictSame(rest.map((e) => e.type), [], 'no bookmark at the end without allowWatchBookmarks');

  const zero = await openWatch(k, `${cms('default')}?watch=true&timeoutSeconds=0&resourceVersion=${await listRv(k, 'default')}`);
  t.teardown(() => zero.close());
  await new Promise((resolve) => setTimeout(resolve, 300));
  t.notOk(zero.events.ended, 'timeoutSeconds=0 does not end the watch at once');
  await createCm(k, 'default', 'after-zero');
  t.strictSame(summary([await zero.events.next()]), ['ADDED after-zero']);
});

t.test('allowWatchBookmarks: periodic BOOKMARKs and one before the timeout closes the stream', async (t) => {
  const rv = await listRv(k, 'default');
  const w = await openWatch(k, `${cms('default')}?watch=true&allowWatchBookmarks=true&timeoutSeconds=1&resourceVersion=${rv}`);
  const first = await w.events.next(2000);
  t.equal(first.type, 'BOOKMARK');
  const bookmark = { kind: 'ConfigMap', apiVersion: 'v1', metadata: { resourceVersion: first.object.metadata.resourceVersion } };
  t.strictSame(first.object, bookmark, 'only kind, apiVersion and resourceVersion');
  t.ok(Number(first.object.metadata.resourceVersion) >= Number(rv));
  const rest = await w.events.rest(3000);
  t.ok(rest.length >= 1 && rest.every((e) => e.type === 'BOOKMARK'), `${rest.length + 1} bookmarks in one second at a 200 ms interval`);
});

t.test('sendInitialEvents=true: the current state, then a BOOKMARK marked k8s.io/initial-events-end', async (t) => {
  await createNs(k, 'w-list');
  await createCm(k, 'w-list', 'a');
  const b = await createCm(k, 'w-list', 'b');
  const w = await openWatch(k, `${cms('w-list')}?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true`);
  t.teardown(() => w.close());
  t.equal(w.res.statusCode, 200);
  const [e1, e2, end] = await w.events.take(3);
  t.strictSame(summary([e1!, e2!]).sort(), ['ADDED a', 'ADDED b']);
  t.equal(end!.type, 'BOOKMARK');
  t.strictSame(end!.object.metadata.annotations, { 'k8s.io/initial-events-end': 'true' });
  t.ok(Number(end!.object.metadata.resourceVersion) >= Number(b.metadata.resourceVersion), 'at a revision covering the initial state');
  await createCm(k, 'w-list', 'c');
  let next = await w.events.next();
  while (next.type === 'BOOKMARK') {
    t.notOk(next.object.metadata.annotations, 'later bookmarks are not marked');
    next = await w.events.next();
  }
  t.strictSame(summary([next]), ['ADDED c']);

  const quiet = await openWatch(k, `${cms('w-list')}?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan`);
  t.teardown(() => quiet.close());
  t.strictSame(summary(await quiet.events.take(3)).sort(), ['ADDED a', 'ADDED b', 'ADDED c']);
  t.strictSame(await quiet.events.quiet(300), [], 'no end marker for a client that does not take bookmarks');

  const none = await openWatch(k, `${cms('w-list')}?watch=true&sendInitialEvents=false&resourceVersionMatch=NotOlderThan`);
  t.teardown(() => none.close());
  t.strictSame(await none.events.quiet(300), [], 'sendInitialEvents=false: no initial events');
  await createCm(k, 'w-list', 'd');
  t.strictSame(summary([await none.events.next()]), ['ADDED d'], 'but the changes from now on');

  const bad = await fetch(`${k.url}${cms('w-list')}?watch=true&sendInitialEvents=true`, { headers: { authorization: `Bearer ${k.token}` }, signal: AbortSignal.timeout(WAIT_MS) });
  t.equal(bad.status, 422, 'sendInitialEvents needs resourceVersionMatch=NotOlderThan');
  t.match(await bad.json(), { reason: 'Invalid', message: /sendInitialEvents requires setting resourceVersionMatch to NotOlderThan/ });
});

t.test('a resourceVersion older than the window: 200, then an ERROR event with a 410 Expired Status', async (t) => {
  const small = await startKubemu({ tls: false, eventWindow: 10, controllers: false });
  t.teardown(() => small.close());
  const first = await createCm(small, 'default', 'churn');
  for (let i = 0; i < 30; i++) await patchCm(small, 'default', 'churn', { data: { v: String(i) } });
  const w = await openWatch(small, `${cms('default')}?watch=true&resourceVersion=${first.metadata.resourceVersion}`);
  t.equal(w.res.statusCode, 200);
  const error = await w.events.next();
  t.equal(error.type, 'ERROR');
  t.match(error.object, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Expired', code: 410 });
  t.match(error.object.message, new RegExp(`^too old resource version: ${first.metadata.resourceVersion} \\(\\d+\\)$`));
  t.strictSame(await w.events.rest(), [], 'and the stream ends');
});

t.test('a watcher that stops reading is ended with a 410 ERROR; writers and other watchers go on', async (t) => {
  const bounded = await startKubemu({ tls: false, maxWatchBufferedBytes: 64 * 1024, controllers: false });
  t.teardown(() => bounded.close());
  await createCm(bounded, 'default', 'big');
  const rv = await listRv(bounded, 'default');
  const slow = await openWatch(bounded, `${cms('default')}?watch=true&resourceVersion=${rv}`);
  const healthy = await openWatch(bounded, `${cms('default')}?watch=true&resourceVersion=${rv}`);
  t.teardown(() => slow.close());
  t.teardown(() => healthy.close());
  slow.pause();
  const writes = 120;
  const started = Date.now();
  for (let i = 0; i < writes; i++) await patchCm(bounded, 'default', 'big', { data: { v: `${'x'.repeat(256 * 1024)}${i}` } });
  t.ok(Date.now() - started < 20000, 'writers were not held back by the slow watcher');
  const seen = await healthy.events.take(writes, 10000);
  t.ok(seen.every((e, i) => e.type === 'MODIFIED' && e.object.data!.v!.endsWith(`x${i}`)), 'the other watcher got every event in order');

  slow.resume();
  const rest = await slow.events.rest(10000);
  const all = slow.events.received;
  const last = all[all.length - 1]!;
  t.equal(last.type, 'ERROR', 'the slow watcher is told why it is dropped');
  t.match(last.object, { kind: 'Status', reason: 'Expired', code: 410 });
  t.ok(all.length - 1 < writes, `it got ${all.length - 1} of ${writes} events before that`);
  t.ok(rest.length >= 1);
  t.ok(all.slice(0, -1).every((e) => e.type === 'MODIFIED'));
});

t.test('Table watch (kubectl get -w): the first event carries columnDefinitions, later ones null', async (t) => {
  await createNs(k, 'w-table');
  await createCm(k, 'w-table', 'row', undefined, { a: '1', b: '2' });
  const w = await openWatch(k, `${cms('w-table')}?watch=true`, { accept: `${TABLE_V1}, application/json` });
  t.teardown(() => w.close());
  const added = await w.events.next();
  t.equal(added.type, 'ADDED');
  t.match(added.object, { kind: 'Table', apiVersion: 'meta.k8s.io/v1' });
  t.strictSame(added.object.columnDefinitions!.map((c) => c.name), ['Name', 'Data', 'Age']);
  t.equal(added.object.rows!.length, 1);
  t.strictSame(added.object.rows![0]!.cells.slice(0, 2), ['row', 2]);
  t.match(added.object.rows![0]!.object, { kind: 'PartialObjectMetadata', metadata: { name: 'row' } });
  const changed = await patchCm(k, 'w-table', 'row', { data: { c: '3' } });
  const modified = await w.events.next();
  t.equal(modified.type, 'MODIFIED');
  t.equal(modified.object.columnDefinitions, null);
  t.equal(modified.object.metadata.resourceVersion, changed.metadata.resourceVersion);
  t.strictSame(modified.object.rows![0]!.cells.slice(0, 2), ['row', 3]);
  await deleteCm(k, 'w-table', 'row');
  const deleted = await w.events.next();
  t.equal(deleted.type, 'DELETED');
  t.equal(deleted.object.columnDefinitions, null);
});

t.test('metadata watch (as=PartialObjectMetadata, metadata informers): every object reduced to its metadata', async (t) => {
  await createNs(k, 'w-meta');
  await createCm(k, 'w-meta', 'm', { app: 'x' }, { secret: 'not shown' });
  // What client-go's metadata client sends for a watch.
  const accept = 'application/vnd.kubernetes.protobuf;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json';
  const w = await openWatch(k, `${cms('w-meta')}?watch=true&allowWatchBookmarks=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan`, { accept });
  t.teardown(() => w.close());
  const [added, end] = await w.events.take(2);
  t.equal(added!.type, 'ADDED');
  t.strictSame(Object.keys(added!.object).sort(), ['apiVersion', 'kind', 'metadata']);
  t.match(added!.object, { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: { name: 'm', namespace: 'w-meta', labels: { app: 'x' } } });
  t.equal(end!.type, 'BOOKMARK');
  t.match(end!.object, { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: { annotations: { 'k8s.io/initial-events-end': 'true' } } });
  await patchCm(k, 'w-meta', 'm', { data: { secret: 'still not shown' } });
  let next = await w.events.next();
  while (next.type === 'BOOKMARK') next = await w.events.next();
  t.equal(next.type, 'MODIFIED');
  t.equal(next.object.kind, 'PartialObjectMetadata');
  t.notOk('data' in next.object);
});

t.test('a client that disconnects frees its watcher', async (t) => {
  const config = withDefaults({ storage: 'memory', tls: false, port: 0, controllers: false });
  const server = await buildServer(config);
  t.teardown(() => server.close());
  const { url } = await listen(server, config, null);
  const target = { url, token: server.adminToken };
  const cache = server.registry.storeFor('', 'configmaps').cache;
  const until = async (what: string, check: () => boolean) => {
    const deadline = Date.now() + WAIT_MS;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
  t.equal(cache.watcherCount, 0);
  const a = await openWatch(target, `${cms('default')}?watch=true`);
  const b = await openWatch(target, `${cms('default')}?watch=true&timeoutSeconds=1`);
  await until('two watchers', () => cache.watcherCount === 2);
  a.close();
  await until('the disconnected watcher to go', () => cache.watcherCount === 1);
  t.pass('a disconnect unregisters the watcher');
  await b.events.rest();
  await until('the timed-out watcher to go', () => cache.watcherCount === 0);
  t.pass('a timeout unregisters the watcher');
  await createCm(target, 'default', 'after');
  t.equal(cache.watcherCount, 0);
});

t.test('the same stream over a websocket, one event per message', async (t) => {
  await createNs(k, 'w-ws');
  await createCm(k, 'w-ws', 'before');
  const events = new EventQueue();
  const socket = new WebSocket(`${k.url.replace('http', 'ws')}${cms('w-ws')}?watch=true`, { headers: { authorization: `Bearer ${k.token}` } });
  t.teardown(() => socket.terminate());
  socket.on('message', (data) => events.push(JSON.parse(String(data)) as WatchEvent));
  socket.on('close', () => events.end());
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
    setTimeout(() => reject(new Error('websocket did not open')), WAIT_MS);
  });
  t.strictSame(summary([await events.next()]), ['ADDED before']);
  await createCm(k, 'w-ws', 'after');
  t.strictSame(summary([await events.next()]), ['ADDED after'], 'no bookmark unless asked for');
  await patchCm(k, 'w-ws', 'after', { data: { v: '1' } });
  await deleteCm(k, 'w-ws', 'after');
  t.strictSame(summary(await events.take(2)), ['MODIFIED after', 'DELETED after']);

  const timed = new WebSocket(`${k.url.replace('http', 'ws')}${cms('w-ws')}?watch=true&timeoutSeconds=1&resourceVersion=${await listRv(k, 'w-ws')}`, {
    headers: { authorization: `Bearer ${k.token}` },
  });
  t.teardown(() => timed.terminate());
  const code = await new Promise<number>((resolve, reject) => {
    timed.once('close', (c) => resolve(c));
    timed.once('error', reject);
    setTimeout(() => reject(new Error('websocket did not close')), WAIT_MS);
  });
  t.equal(code, 1000, 'timeoutSeconds closes the socket normally');
});
