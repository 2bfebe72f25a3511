/**
 * GET and LIST over HTTP (through `inject`): selectors, namespaces and key order, pagination
 * consistent with the first page, continue-token errors, resourceVersion semantics, and the
 * output formats (Table, PartialObjectMetadata(List), YAML, 406).
 */
import t, { type Test } from 'tap';
import { parse as parseYaml } from 'yaml';
import { withDefaults, type Config } from '../../src/cli/config.js';
import { buildServer } from '../../src/server.js';
import { testServer, type TestServer } from '../helpers/server.js';

interface Meta {
  name: string;
  namespace?: string;
  resourceVersion: string;
  labels?: Record<string, string>;
}
interface Item {
  kind?: string;
  apiVersion?: string;
  metadata: Meta;
  data?: Record<string, string>;
}
interface List {
  kind: string;
  apiVersion: string;
  metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number };
  items: Item[];
}

const TABLE_V1 = 'application/json;as=Table;v=v1;g=meta.k8s.io';
const TABLE_V1BETA1 = 'application/json;as=Table;v=v1beta1;g=meta.k8s.io';
const POM = 'application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io';
const POML = 'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io';

let s: TestServer;
t.before(async () => {
  s = await testServer();
});
t.teardown(() => s.close());

const cms = (ns: string) => `/api/v1/namespaces/${ns}/configmaps`;
const q = (params: Record<string, string | number>) =>
  Object.entries(params)
    .map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`)
    .join('&');

/** A GET on `server` (default: the shared one) as admin. */
async function get(url: string, headers: Record<string, string> = {}, server: TestServer = s) {
  return server.request({ method: 'GET', url, headers });
}
/** A LIST that must succeed. */
async function list(url: string, server: TestServer = s): Promise<List> {
  const res = await get(url, {}, server);
  if (res.statusCode !== 200) throw new Error(`GET ${url}: ${res.statusCode} ${res.body}`);
  return res.json() as List;
}
const names = (l: List) => l.items.map((i) => i.metadata.name);

async function namespace(name: string, server: TestServer = s): Promise<void> {
  const res = await server.json('POST', '/api/v1/namespaces', { metadata: { name } });
  if (res.statusCode !== 201) throw new Error(`namespace ${name}: ${res.body}`);
}
async function createCm(ns: string, name: string, labels?: Record<string, string>, data: Record<string, string> = { v: '0' }, server: TestServer = s): Promise<Item> {
  const res = await server.json('POST', cms(ns), { metadata: { name, ...(labels ? { labels } : {}) }, data });
  if (res.statusCode !== 201) throw new Error(`create ${ns}/${name}: ${res.body}`);
  return res.json() as Item;
}
async function patchCm(ns: string, name: string, patch: unknown, server: TestServer = s): Promise<Item> {
  const res = await server.json('PATCH', `${cms(ns)}/${name}`, patch, { 'content-type': 'application/merge-patch+json' });
  if (res.statusCode !== 200) throw new Error(`patch ${ns}/${name}: ${res.body}`);
  return res.json() as Item;
}
async function deleteCm(ns: string, name: string, server: TestServer = s): Promise<void> {
  const res = await server.request({ method: 'DELETE', url: `${cms(ns)}/${name}` });
  if (res.statusCode !== 200) throw new Error(`delete ${ns}/${name}: ${res.body}`);
}

/** A test server with a config of its own (small event window, ...). */
async function customServer(config: Partial<Config>): Promise<TestServer> {
  const server = await buildServer(withDefaults({ storage: 'memory', tls: false, port: 0, controllers: false, ...config }));
  const auth = { authorization: `Bearer ${server.adminToken}` };
  const request: TestServer['request'] = (options) => server.app.inject({ ...options, headers: { ...auth, ...(options.headers ?? {}) } });
  return {
    server,
    request,
    json: (method, url, body, headers = {}) =>
      request({ method, url, headers: { 'content-type': 'application/json', ...headers }, ...(body === undefined ? {} : { payload: JSON.stringify(body) }) }),
    close: () => server.close(),
  };
}

/** The Status of a failed read, checked for code and reason. */
interface Failure {
  kind: string;
  code: number;
  reason: string;
  message: string;
  metadata: { continue?: string };
  details?: Record<string, unknown>;
}
function failure(t: Test, res: { statusCode: number; json(): unknown }, code: number, reason: string): Failure {
  t.equal(res.statusCode, code, `HTTP ${code}`);
  const body = res.json() as Failure;
  t.equal(body.kind, 'Status');
  t.equal(body.code, code);
  t.equal(body.reason, reason);
  return body;
}

t.test('LIST labelSelector: equality, inequality, set-based, exists and !key', async (t) => {
  await namespace('sel');
  await createCm('sel', 'a', { app: 'web', tier: 'front' });
  await createCm('sel', 'b', { app: 'web', tier: 'back' });
  await createCm('sel', 'c', { app: 'db' });
  await createCm('sel', 'd');
  const cases: Array<[string, string[]]> = [
    ['app=web', ['a', 'b']],
    ['app==web', ['a', 'b']],
    ['app!=web', ['c', 'd']],
    ['tier in (front,back)', ['a', 'b']],
    ['tier notin (front)', ['b', 'c', 'd']],
    ['tier', ['a', 'b']],
    ['!tier', ['c', 'd']],
    ['app=web,tier=back', ['b']],
    ['app in (web,db),!tier', ['c']],
    ['app=none', []],
    ['', ['a', 'b', 'c', 'd']],
  ];
  for (const [selector, expected] of cases) t.strictSame(names(await list(`${cms('sel')}?${q({ labelSelector: selector })}`)), expected, selector || '(empty)');
});

t.test('LIST labelSelector through the label index agrees with a scan, per namespace and across pages', async (t) => {
  await namespace('idx');
  await namespace('idx-other');
  for (let i = 0; i < 30; i++) await createCm('idx', `n${String(i).padStart(2, '0')}`, i % 10 === 3 ? { rare: 'yes' } : { rare: 'no' });
  await createCm('idx-other', 'n03', { rare: 'yes' });
  t.strictSame(names(await list(`${cms('idx')}?labelSelector=rare%3Dyes`)), ['n03', 'n13', 'n23'], 'namespaced: other namespaces are not leaked');
  const all = await list(`/api/v1/configmaps?labelSelector=rare%3Dyes`);
  t.strictSame(
    all.items.map((i) => `${i.metadata.namespace}/${i.metadata.name}`),
    ['idx-other/n03', 'idx/n03', 'idx/n13', 'idx/n23'].sort(),
    'all namespaces, in key order',
  );
  const seen: string[] = [];
  let url = `${cms('idx')}?labelSelector=rare%3Dyes&limit=1`;
  for (let page = 0; page < 10; page++) {
    const l = await list(url);
    seen.push(...names(l));
    t.notOk('remainingItemCount' in l.metadata, 'no remainingItemCount with a selector');
    if (!l.metadata.continue) break;
    url = `${cms('idx')}?labelSelector=rare%3Dyes&limit=1&continue=${l.metadata.continue}`;
  }
  t.strictSame(seen, ['n03', 'n13', 'n23']);
});

t.test('LIST fieldSelector: metadata.name/namespace, pod status.phase and spec.nodeName, secret type', async (t) => {
  await namespace('fld');
  await namespace('fld-2');
  await createCm('fld', 'one');
  await createCm('fld', 'two');
  await createCm('fld-2', 'one');
  t.strictSame(names(await list(`${cms('fld')}?fieldSelector=metadata.name%3Done`)), ['one']);
  t.strictSame(names(await list(`${cms('fld')}?fieldSelector=metadata.name!%3Done`)), ['two']);
  t.strictSame(names(await list(`${cms('fld')}?fieldSelector=metadata.name%3D%3Dtwo`)), ['two'], '== works as =');
  const byNs = await list(`/api/v1/configmaps?${q({ fieldSelector: 'metadata.namespace=fld-2' })}`);
  t.strictSame(byNs.items.map((i) => `${i.metadata.namespace}/${i.metadata.name}`), ['fld-2/one']);
  const both = await list(`/api/v1/configmaps?${q({ fieldSelector: 'metadata.name=one,metadata.namespace!=fld-2' })}`);
  t.strictSame(both.items.map((i) => `${i.metadata.namespace}/${i.metadata.name}`), ['fld/one']);

  const pods = '/api/v1/namespaces/fld/pods';
  const pod = (name: string, nodeName?: string) => ({ metadata: { name }, spec: { ...(nodeName ? { nodeName } : {}), containers: [{ name: 'c', image: 'nginx' }] } });
  t.equal((await s.json('POST', pods, pod('p-node1', 'node-1'))).statusCode, 201);
  t.equal((await s.json('POST', pods, pod('p-node2', 'node-2'))).statusCode, 201);
  const running = (await s.json('POST', pods, pod('p-running'))).json() as Item;
  t.equal((await s.json('PUT', `${pods}/p-running/status`, { ...running, status: { phase: 'Running' } })).statusCode, 200);
  t.strictSame(names(await list(`${pods}?${q({ fieldSelector: 'spec.nodeName=node-1' })}`)), ['p-node1']);
  t.strictSame(names(await list(`${pods}?${q({ fieldSelector: 'spec.nodeName=' })}`)), ['p-running'], 'unscheduled pods: empty nodeName');
  t.strictSame(names(await list(`${pods}?${q({ fieldSelector: 'status.phase=Running' })}`)), ['p-running']);
  t.strictSame(names(await list(`${pods}?${q({ fieldSelector: 'status.phase!=Running' })}`)), ['p-node1', 'p-node2']);
  t.strictSame(names(await list(`${pods}?${q({ fieldSelector: 'status.phase=Pending,spec.nodeName=node-2' })}`)), ['p-node2']);

  const secrets = '/api/v1/namespaces/fld/secrets';
  t.equal((await s.json('POST', secrets, { metadata: { name: 's-opaque' }, data: {} })).statusCode, 201);
  t.equal((await s.json('POST', secrets, { metadata: { name: 's-custom' }, type: 'example.com/custom', data: {} })).statusCode, 201);
  t.strictSame(names(await list(`${secrets}?${q({ fieldSelector: 'type=example.com/custom' })}`)), ['s-custom']);
  t.strictSame(names(await list(`${secrets}?${q({ fieldSelector: 'type=Opaque' })}`)), ['s-opaque'], 'type defaults to Opaque');
});

t.test('bad selectors are 400 BadRequest with the selector module wording', async (t) => {
  const cases: Array<[string, string]> = [
    [`${cms('default')}?${q({ labelSelector: 'app in (a,' })}`, "unable to parse requirement: found '', expected: ',', or identifier"],
    [`${cms('default')}?${q({ labelSelector: 'app=a=b' })}`, "found '=', expected: ',' or 'end of string'"],
    [`${cms('default')}?${q({ labelSelector: '!!x' })}`, "unable to parse requirement: found '!', expected: identifier"],
    [`${cms('default')}?${q({ fieldSelector: 'foo' })}`, "invalid selector: 'foo'; can't understand 'foo'"],
    [`${cms('default')}?${q({ fieldSelector: 'status.phase=Running' })}`, '"status.phase" is not a known field selector: only "metadata.name", "metadata.namespace"'],
    [`/api/v1/pods?${q({ fieldSelector: 'spec.foo=1' })}`, 'field label not supported: spec.foo'],
    [`/api/v1/namespaces/default/secrets?${q({ fieldSelector: 'data=x' })}`, 'field label not supported: data'],
  ];
  for (const [url, message] of cases) {
    const res = await get(url);
    t.equal(failure(t, res, 400, 'BadRequest').message, message, url);
  }
});

t.test('LIST of a namespace and of all namespaces, in key order', async (t) => {
  await namespace('order-b');
  await namespace('order-a');
  for (const n of ['zeta', 'alpha', 'mid', 'alpha-2']) await createCm('order-b', n);
  for (const n of ['zz', 'aa']) await createCm('order-a', n);
  t.strictSame(names(await list(cms('order-b'))), ['alpha', 'alpha-2', 'mid', 'zeta']);
  const all = await list('/api/v1/configmaps');
  const ours = all.items.filter((i) => i.metadata.namespace!.startsWith('order-')).map((i) => `${i.metadata.namespace}/${i.metadata.name}`);
  t.strictSame(ours, ['order-a/aa', 'order-a/zz', 'order-b/alpha', 'order-b/alpha-2', 'order-b/mid', 'order-b/zeta']);
  const keys = all.items.map((i) => `${i.metadata.namespace}/${i.metadata.name}`);
  t.strictSame(keys, [...keys].sort(), 'the whole all-namespaces list is in key order');
  t.equal(all.kind, 'ConfigMapList');
  t.equal(all.apiVersion, 'v1');
});

t.test('limit+continue: every page reflects the first page revision while objects change between pages', async (t) => {
  await namespace('pages');
  const originals = new Map<string, string>();
  for (let i = 0; i < 25; i++) {
    const name = `p${String(i).padStart(2, '0')}`;
    originals.set(name, (await createCm('pages', name, { set: 'pages' }, { v: 'orig' })).metadata.resourceVersion);
  }
  const expected = [...originals.keys()];
  const first = await list(`${cms('pages')}?limit=4`);
  const rv = first.metadata.resourceVersion;
  t.equal(first.metadata.remainingItemCount, 21);
  const seen: Item[] = [...first.items];
  let token = first.metadata.continue;
  let page = 0;
  const deleted = new Set<number>();
  while (token) {
    page++;
    // Churn between pages: create before and after the cursor, change and delete listed and unlisted objects.
    await createCm('pages', `p${String(page).padStart(2, '0')}-new`);
    await createCm('pages', `z-new-${page}`);
    const name = (i: number) => `p${String(i).padStart(2, '0')}`;
    for (const i of [page, page * 4 + 1]) if (i < 25 && !deleted.has(i)) await patchCm('pages', name(i), { data: { v: 'changed' } });
    for (const i of [page - 1, page * 4 + 2]) {
      if (i >= 25 || deleted.has(i)) continue;
      await deleteCm('pages', name(i));
      deleted.add(i);
    }
    const next = await list(`${cms('pages')}?limit=4&continue=${token}`);
    t.equal(next.metadata.resourceVersion, rv, `page ${page} is read at the first page's revision`);
    seen.push(...next.items);
    const remaining = 25 - seen.length;
    if (remaining > 0) t.equal(next.metadata.remainingItemCount, remaining, `page ${page}: remainingItemCount`);
    else t.notOk('remainingItemCount' in next.metadata, 'last page: no remainingItemCount');
    token = next.metadata.continue;
    if (page > 20) break;
  }
  t.equal(page, 6, 'seven pages of at most four');
  t.strictSame(seen.map((i) => i.metadata.name), expected, 'no duplicates, no missed items, nothing created later');
  for (const item of seen) {
    t.equal(item.metadata.resourceVersion, originals.get(item.metadata.name), `${item.metadata.name} as it was`);
    t.strictSame(item.data, { v: 'orig' });
  }
  const now = await list(cms('pages'));
  t.ok(names(now).includes('z-new-1') && !names(now).includes('p06'), 'the changes did happen');

  const selected = await list(`${cms('pages')}?limit=2&labelSelector=set%3Dpages`);
  t.ok(selected.metadata.continue, 'a continue token with a selector');
  t.notOk('remainingItemCount' in selected.metadata, 'but no remainingItemCount');
});

t.test('continue with resourceVersion is 400; with resourceVersion=0 it is allowed', async (t) => {
  await namespace('cont');
  for (const n of ['a', 'b', 'c']) await createCm('cont', n);
  const first = await list(`${cms('cont')}?limit=1`);
  const token = first.metadata.continue!;
  const res = await get(`${cms('cont')}?limit=1&continue=${token}&resourceVersion=${first.metadata.resourceVersion}`);
  t.equal(failure(t, res, 400, 'BadRequest').message, 'specifying resource version is not allowed when using continue');
  const zero = await list(`${cms('cont')}?limit=1&continue=${token}&resourceVersion=0`);
  t.equal(names(zero)[0], 'b', 'the token sets the start');
  // API concepts, "Semantics for get and list": resourceVersion="0" with limit and continue is
  // "Invalid, treated as Continue Token, Exact" (a continuation is served by etcd, which pages).
  t.test('resourceVersion=0 with continue still pages', async (t) => {
    t.strictSame(names(zero), ['b']);
    t.ok(zero.metadata.continue);
  });
});

t.test('garbage continue tokens are 400 with DecodeContinue wording', async (t) => {
  const bad = async (token: string, message: string) => {
    const res = await get(`${cms('default')}?limit=1&continue=${encodeURIComponent(token)}`);
    t.equal(failure(t, res, 400, 'BadRequest').message, `invalid continue token: continue key is not valid: ${message}`, token);
  };
  await bad('x!', 'illegal base64 data at input byte 1');
  await bad(Buffer.from('{"v":"v2","rv":1,"start":"a"}').toString('base64url'), 'server does not recognize this encoded version v2');
  await bad(Buffer.from('{"v":"meta.k8s.io/v1","rv":0,"start":"a"}').toString('base64url'), 'incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  await bad(Buffer.from('{"v":"meta.k8s.io/v1","rv":3,"start":"../x"}').toString('base64url'), '../x');
});

t.test('an expired continue token is 410 with a fresh token that lists the rest at the latest revision', async (t) => {
  const small = await customServer({ eventWindow: 5 });
  t.teardown(() => small.close());
  for (const n of ['c0', 'c1', 'c2', 'c3', 'c4']) await createCm('default', n, undefined, undefined, small);
  const first = await list(`${cms('default')}?limit=2`, small);
  t.strictSame(names(first), ['c0', 'c1']);
  for (let i = 0; i < 20; i++) await patchCm('default', 'c0', { data: { v: String(i) } }, small);
  await patchCm('default', 'c3', { data: { v: 'latest' } }, small);
  await createCm('default', 'c1a', undefined, undefined, small);

  const res = await get(`${cms('default')}?limit=2&continue=${first.metadata.continue}`, {}, small);
  const status = failure(t, res, 410, 'Expired');
  t.equal(
    status.message,
    'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue ' +
      'parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided ' +
      'token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was ' +
      'returned and now may show up in the list.',
  );
  const fresh = status.metadata.continue;
  t.ok(fresh, 'a fresh token in metadata.continue');
  t.strictSame(JSON.parse(Buffer.from(fresh!, 'base64url').toString('utf8')), { v: 'meta.k8s.io/v1', rv: -1, start: 'c1\u0000' });

  const rest = await get(`${cms('default')}?limit=2&continue=${fresh}`, {}, small);
  t.equal(rest.statusCode, 200, 'the fresh token is accepted');
  const page = rest.json() as List;
  t.strictSame(names(page), ['c1a', 'c2'], 'the rest from the latest state, created objects included');
  const latestRv = (await list(cms('default'), small)).metadata.resourceVersion;
  t.equal(page.metadata.resourceVersion, latestRv, 'read at the latest revision');
  const last = await list(`${cms('default')}?limit=2&continue=${page.metadata.continue}`, small);
  t.strictSame(names(last), ['c3', 'c4']);
  t.strictSame(last.items[0]!.data, { v: 'latest' });
  t.notOk(last.metadata.continue);
});

t.test('resourceVersion=0 and NotOlderThan serve the latest state; limit is ignored for 0', async (t) => {
  await namespace('rvs');
  const a = await createCm('rvs', 'a');
  await createCm('rvs', 'b');
  const changed = await patchCm('rvs', 'a', { data: { v: '1' } });

  const zero = await list(`${cms('rvs')}?resourceVersion=0&limit=1`);
  t.strictSame(names(zero), ['a', 'b'], 'resourceVersion=0 ignores limit');
  t.notOk(zero.metadata.continue);

  const from = `${cms('rvs')}?resourceVersion=${a.metadata.resourceVersion}`;
  for (const url of [from, `${from}&resourceVersionMatch=NotOlderThan`]) {
    const l = await list(url);
    t.strictSame(names(l), ['a', 'b'], url);
    t.strictSame(l.items[0]!.data, { v: '1' }, 'not older than: the latest state');
    t.ok(Number(l.metadata.resourceVersion) >= Number(changed.metadata.resourceVersion));
  }
  const one = (await get(`${cms('rvs')}/a?resourceVersion=${a.metadata.resourceVersion}`)).json() as Item;
  t.equal(one.metadata.resourceVersion, changed.metadata.resourceVersion, 'GET not older than: the latest state');
  const zeroGet = (await get(`${cms('rvs')}/a?resourceVersion=0`)).json() as Item;
  t.equal(zeroGet.metadata.resourceVersion, changed.metadata.resourceVersion);
});

t.test('resourceVersion=N with a limit and no resourceVersionMatch is Exact (the legacy paging semantics)', async (t) => {
  await namespace('legacy');
  const a = await createCm('legacy', 'a', undefined, { v: 'old' });
  await patchCm('legacy', 'a', { data: { v: 'new' } });
  await createCm('legacy', 'b');
  const page = await list(`${cms('legacy')}?resourceVersion=${a.metadata.resourceVersion}&limit=10`);
  t.equal(page.metadata.resourceVersion, a.metadata.resourceVersion);
  t.strictSame(names(page), ['a']);
  t.strictSame(page.items[0]!.data, { v: 'old' });
  const unpaged = await list(`${cms('legacy')}?resourceVersion=${a.metadata.resourceVersion}`);
  t.strictSame(names(unpaged), ['a', 'b'], 'without a limit: not older than');
});

t.test('resourceVersionMatch=Exact lists the state as it was, across pages too', async (t) => {
  await namespace('exact');
  await createCm('exact', 'a', undefined, { v: 'old' });
  const gone = await createCm('exact', 'gone');
  const at = gone.metadata.resourceVersion;
  await patchCm('exact', 'a', { data: { v: 'new' } });
  await deleteCm('exact', 'gone');
  await createCm('exact', 'later');

  const then = await list(`${cms('exact')}?resourceVersion=${at}&resourceVersionMatch=Exact`);
  t.equal(then.metadata.resourceVersion, at);
  t.strictSame(names(then), ['a', 'gone'], 'deleted-later present, created-later absent');
  t.strictSame(then.items[0]!.data, { v: 'old' });
  const p1 = await list(`${cms('exact')}?resourceVersion=${at}&resourceVersionMatch=Exact&limit=1`);
  const p2 = await list(`${cms('exact')}?limit=1&continue=${p1.metadata.continue}`);
  t.strictSame([...names(p1), ...names(p2)], ['a', 'gone']);
  t.notOk(p2.metadata.continue);
  t.strictSame(names(await list(cms('exact'))), ['a', 'later'], 'the latest state');
});

t.test('resourceVersionMatch=Exact older than the event window is 410', async (t) => {
  const small = await customServer({ eventWindow: 5 });
  t.teardown(() => small.close());
  const first = await createCm('default', 'w', undefined, undefined, small);
  for (let i = 0; i < 20; i++) await patchCm('default', 'w', { data: { v: String(i) } }, small);
  const res = await get(`${cms('default')}?resourceVersion=${first.metadata.resourceVersion}&resourceVersionMatch=Exact`, {}, small);
  t.equal(failure(t, res, 410, 'Expired').message, 'The resourceVersion for the provided list is too old.');
});

t.test('a resourceVersion the server has not reached is 504 after the wait (get, list, Exact list)', async (t) => {
  const current = Number((await list(cms('default'))).metadata.resourceVersion);
  const future = current + 1000;
  const started = performance.now();
  const answers = await Promise.all([
    get(`${cms('default')}?resourceVersion=${future}`),
    get(`${cms('default')}?resourceVersion=${future}&resourceVersionMatch=Exact`),
    get(`/api/v1/namespaces/default?resourceVersion=${future}`),
  ]);
  const waited = performance.now() - started;
  t.ok(waited >= 2900, `waited ${waited.toFixed(0)} ms`);
  for (const res of answers) {
    const status = failure(t, res, 504, 'Timeout');
    t.match(status.message, new RegExp(`^Timeout: Too large resource version: ${future}, current: \\d+$`));
    t.match(status.details, { causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }], retryAfterSeconds: 1 });
  }
  t.test('the 504 carries a Retry-After header', async (t) => {
    t.equal(answers[0]!.headers['retry-after'], '1');
  });
});

t.test('a non-numeric resourceVersion is 400 for get, list and watch', async (t) => {
  const parse = 'resourceVersion: Invalid value: "abc": strconv.ParseUint: parsing "abc": invalid syntax';
  t.equal(failure(t, await get(`${cms('default')}/none?resourceVersion=abc`), 400, 'BadRequest').message, parse, 'get');
  t.equal(failure(t, await get(`${cms('default')}?resourceVersion=abc`), 400, 'BadRequest').message, `invalid resource version: ${parse}`, 'list');
  t.equal(failure(t, await get(`${cms('default')}?watch=true&resourceVersion=abc`), 400, 'BadRequest').message, parse, 'watch');
  t.equal(
    failure(t, await get(`${cms('default')}?resourceVersion=-1`), 400, 'BadRequest').message,
    'invalid resource version: resourceVersion: Invalid value: "-1": strconv.ParseUint: parsing "-1": invalid syntax',
    'no sign',
  );
});

t.test('limit: negative or zero lists everything, garbage is a ParseInt 400', async (t) => {
  await namespace('lim');
  for (const n of ['a', 'b', 'c']) await createCm('lim', n);
  for (const limit of ['-1', '0', '-9223372036854775808']) {
    const l = await list(`${cms('lim')}?limit=${limit}`);
    t.strictSame(names(l), ['a', 'b', 'c'], `limit=${limit}`);
    t.notOk(l.metadata.continue);
  }
  const cases: Array<[string, string]> = [
    ['abc', 'strconv.ParseInt: parsing "abc": invalid syntax'],
    ['1.5', 'strconv.ParseInt: parsing "1.5": invalid syntax'],
    ['', 'strconv.ParseInt: parsing "": invalid syntax'],
    ['99999999999999999999', 'strconv.ParseInt: parsing "99999999999999999999": value out of range'],
  ];
  for (const [limit, message] of cases) t.equal(failure(t, await get(`${cms('lim')}?limit=${limit}`), 400, 'BadRequest').message, message, `limit=${limit}`);
  const two = await list(`${cms('lim')}?limit=2`);
  t.strictSame(names(two), ['a', 'b']);
  t.equal(two.metadata.remainingItemCount, 1);
});

interface Column {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}
interface Table {
  kind: string;
  apiVersion: string;
  metadata: { resourceVersion?: string; continue?: string };
  columnDefinitions: Column[];
  rows: Array<{ cells: unknown[]; object?: (Item & { kind: string; apiVersion: string }) | null }>;
}

t.test('Table output: configmap and pod columns, includeObject, v1beta1, metadata', async (t) => {
  await namespace('tbl');
  await createCm('tbl', 'one', { app: 'x' }, { a: '1', b: '2' });
  await createCm('tbl', 'two', undefined, {});
  const res = await get(cms('tbl'), { accept: TABLE_V1 });
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-type'], /^application\/json/);
  const table = res.json() as Table;
  t.equal(table.kind, 'Table');
  t.equal(table.apiVersion, 'meta.k8s.io/v1');
  t.match(table.metadata.resourceVersion, /^\d+$/);
  t.strictSame(table.columnDefinitions.map((c) => [c.name, c.type, c.priority]), [
    ['Name', 'string', 0],
    ['Data', 'string', 0],
    ['Age', 'string', 0],
  ]);
  t.strictSame(table.rows.map((r) => r.cells.slice(0, 2)), [
    ['one', 2],
    ['two', 0],
  ]);
  t.match(table.rows[0]!.cells[2], /^\d+s$/);
  t.match(table.rows[0]!.object, { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: { name: 'one', namespace: 'tbl', labels: { app: 'x' } } });
  t.notOk('data' in table.rows[0]!.object!, 'Metadata (the default) carries no data');

  const none = (await get(`${cms('tbl')}?includeObject=None`, { accept: TABLE_V1 })).json() as Table;
  t.notOk(none.rows[0]!.object, 'None: no object');
  const meta = (await get(`${cms('tbl')}?includeObject=Metadata`, { accept: TABLE_V1 })).json() as Table;
  t.equal(meta.rows[0]!.object!.kind, 'PartialObjectMetadata');
  const full = (await get(`${cms('tbl')}?includeObject=Object`, { accept: TABLE_V1 })).json() as Table;
  t.match(full.rows[0]!.object, { kind: 'ConfigMap', apiVersion: 'v1', data: { a: '1', b: '2' } });

  const beta = (await get(cms('tbl'), { accept: TABLE_V1BETA1 })).json() as Table;
  t.equal(beta.apiVersion, 'meta.k8s.io/v1beta1');
  t.equal(beta.rows.length, 2);

  const paged = (await get(`${cms('tbl')}?limit=1`, { accept: TABLE_V1 })).json() as Table;
  t.equal(paged.rows.length, 1);
  t.ok(paged.metadata.continue, 'a paged Table carries the continue token');

  const single = (await get(`${cms('tbl')}/one`, { accept: `application/vnd.kubernetes.protobuf;as=Table;v=v1;g=meta.k8s.io, ${TABLE_V1}, application/json` })).json() as Table;
  t.equal(single.kind, 'Table', 'kubectl get <name>: protobuf skipped, Table chosen');
  t.equal(single.rows.length, 1);
  t.equal(single.rows[0]!.cells[0], 'one');

  const pods = '/api/v1/namespaces/tbl/pods';
  const containers = [
    { name: 'a', image: 'nginx' },
    { name: 'b', image: 'nginx' },
  ];
  t.equal((await s.json('POST', pods, { metadata: { name: 'web' }, spec: { nodeName: 'node-9', containers } })).statusCode, 201);
  const podTable = (await get(pods, { accept: TABLE_V1 })).json() as Table;
  t.strictSame(podTable.columnDefinitions.map((c) => [c.name, c.priority]), [
    ['Name', 0],
    ['Ready', 0],
    ['Status', 0],
    ['Restarts', 0],
    ['Age', 0],
    ['IP', 1],
    ['Node', 1],
    ['Nominated Node', 1],
    ['Readiness Gates', 1],
  ]);
  const cells = podTable.rows[0]!.cells;
  t.strictSame([cells[0], cells[1], cells[2], cells[3], cells[6]], ['web', '0/2', 'Pending', '0', 'node-9']);
});

t.test('PartialObjectMetadata and PartialObjectMetadataList', async (t) => {
  await namespace('pom');
  await createCm('pom', 'm1', { k: 'v' }, { secret: 'x' });
  await createCm('pom', 'm2');
  const one = await get(`${cms('pom')}/m1`, { accept: POM });
  t.equal(one.statusCode, 200);
  const obj = one.json() as Item;
  t.equal(obj.kind, 'PartialObjectMetadata');
  t.equal(obj.apiVersion, 'meta.k8s.io/v1');
  t.match(obj.metadata, { name: 'm1', namespace: 'pom', labels: { k: 'v' }, resourceVersion: /^\d+$/ });
  t.notOk('data' in obj);

  const l = (await get(`${cms('pom')}?limit=1`, { accept: POML })).json() as List;
  t.equal(l.kind, 'PartialObjectMetadataList');
  t.equal(l.apiVersion, 'meta.k8s.io/v1');
  t.match(l.metadata, { resourceVersion: /^\d+$/, continue: /./, remainingItemCount: 1 });
  t.equal(l.items.length, 1);
  t.match(l.items[0], { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: { name: 'm1' } });
  t.notOk('data' in l.items[0]!);
  const beta = (await get(cms('pom'), { accept: 'application/json;as=PartialObjectMetadataList;v=v1beta1;g=meta.k8s.io' })).json() as List;
  t.equal(beta.apiVersion, 'meta.k8s.io/v1beta1');
  t.strictSame(names(beta), ['m1', 'm2']);

  t.equal((await get(cms('pom'), { accept: POM })).statusCode, 406, 'PartialObjectMetadata for a list: 406');
  t.equal((await get(`${cms('pom')}/m1`, { accept: POML })).statusCode, 406, 'PartialObjectMetadataList for one object: 406');
});

t.test('406 NotAcceptable when no offered media type can be produced', async (t) => {
  for (const accept of ['text/html', 'application/vnd.kubernetes.protobuf', 'application/json;as=Table;v=v2;g=meta.k8s.io', 'application/json;as=Table;v=v1;g=other.io']) {
    const res = await get(cms('default'), { accept });
    t.match(failure(t, res, 406, 'NotAcceptable').message, /^only the following media types are accepted: /, accept);
  }
  t.equal((await get(cms('default'), { accept: 'text/html, */*' })).statusCode, 200, '*/* is JSON');
});

t.test('YAML output for get and list', async (t) => {
  await namespace('yml');
  const created = await createCm('yml', 'y', { a: 'b' }, { key: 'line1\nline2' });
  const one = await get(`${cms('yml')}/y`, { accept: 'application/yaml' });
  t.equal(one.statusCode, 200);
  t.match(one.headers['content-type'], /^application\/yaml/);
  t.strictSame(parseYaml(one.body), created);
  const l = await get(cms('yml'), { accept: 'application/yaml' });
  t.match(l.headers['content-type'], /^application\/yaml/);
  const parsed = parseYaml(l.body) as List;
  t.equal(parsed.kind, 'ConfigMapList');
  t.strictSame(parsed.items, [created]);
  t.match((await get(`${cms('yml')}/y`, { accept: 'application/json, application/yaml' })).headers['content-type'], /^application\/json/, 'JSON first wins');
});
