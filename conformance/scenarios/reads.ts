/**
 * Conformance scenarios: `kubectl get` as a user sees it — the default and `-o wide` columns of
 * the server's Table for the common kinds, `-A`, `--show-labels`, `-L`, `--sort-by`, the
 * client-side formats (custom-columns, jsonpath, name) and `--chunk-size` pagination. Objects are
 * created over HTTP, so every kubectl version can run these; configmaps are selected by label
 * because a real cluster puts `kube-root-ca.crt` in every namespace.
 * Must not: depend on kubemu specifics (expectations are what a real cluster prints).
 */
import { expectEqual, expectMatch, expectSuccess, pick, scenario, type Context } from '../harness.js';
import { AGE, collection, configMap, create, expectTable, IP, pausedDeployment, pendingPod, secret, service } from './read-fixtures.js';

async function get(ctx: Context, args: string[], what: string): Promise<string> {
  return expectSuccess(await ctx.kubectl(['-n', ctx.namespace, 'get', ...args]), what);
}

/** configmaps (NAME DATA AGE), secrets (NAME TYPE DATA AGE), namespaces (NAME STATUS AGE). */
export const columnsConfigMapSecretNamespace = scenario({
  name: 'get/columns-configmap-secret-namespace',
  namespace: true,
  async run(ctx) {
    await create(ctx, collection(ctx, 'configmaps'), configMap('one', { a: '1' }, { set: 'cols' }));
    await create(ctx, collection(ctx, 'configmaps'), configMap('three', { a: '1', b: '2', c: '3' }, { set: 'cols' }));
    await create(ctx, collection(ctx, 'secrets'), secret('opaque', 'Opaque', { user: 'u' }));
    await create(ctx, collection(ctx, 'secrets'), secret('custom', 'example.com/custom', { a: '1', b: '2' }));
    const header = ['NAME', 'DATA', 'AGE'];
    const cms = [header, ['one', '1', AGE], ['three', '3', AGE]];
    expectTable(await get(ctx, ['configmaps', '-l', 'set=cols'], 'get cm'), cms, 'kubectl get configmaps');
    expectTable(await get(ctx, ['configmaps', '-l', 'set=cols', '-o', 'wide'], 'get cm -o wide'), cms, 'kubectl get configmaps -o wide (no extra columns)');
    expectTable(await get(ctx, ['configmap', 'three'], 'get cm three'), [header, ['three', '3', AGE]], 'kubectl get configmap three');
    expectTable(
      await get(ctx, ['secrets', 'opaque', 'custom'], 'get secrets'),
      [['NAME', 'TYPE', 'DATA', 'AGE'], ['opaque', 'Opaque', '1', AGE], ['custom', 'example.com/custom', '2', AGE]],
      'kubectl get secrets opaque custom',
    );
    expectTable(await get(ctx, ['namespace', ctx.namespace], 'get ns'), [['NAME', 'STATUS', 'AGE'], [ctx.namespace, 'Active', AGE]], 'kubectl get namespace');
  },
});

/** A pending pod: `0/1 Pending 0`; `-o wide` adds IP, NODE, NOMINATED NODE, READINESS GATES. */
export const columnsPod = scenario({
  name: 'get/columns-pod',
  namespace: true,
  async run(ctx) {
    await create(ctx, collection(ctx, 'pods'), pendingPod('web'));
    expectTable(
      await get(ctx, ['pods'], 'get pods'),
      [['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE'], ['web', '0/1', 'Pending', '0', AGE]],
      'kubectl get pods',
    );
    expectTable(
      await get(ctx, ['pods', '-o', 'wide'], 'get pods -o wide'),
      [
        ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES'],
        ['web', '0/1', 'Pending', '0', AGE, '<none>', '<none>', '<none>', '<none>'],
      ],
      'kubectl get pods -o wide',
    );
  },
});

/** A paused deployment of 2: `0/2 0 0`; `-o wide` adds CONTAINERS, IMAGES, SELECTOR. */
export const columnsDeployment = scenario({
  name: 'get/columns-deployment',
  namespace: true,
  async run(ctx) {
    await create(ctx, collection(ctx, 'deployments', 'apps/v1'), pausedDeployment('web', 2));
    expectTable(
      await get(ctx, ['deployments'], 'get deployments'),
      [['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE'], ['web', '0/2', '0', '0', AGE]],
      'kubectl get deployments',
    );
    expectTable(
      await get(ctx, ['deployment', 'web', '-o', 'wide'], 'get deployment -o wide'),
      [
        ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE', 'CONTAINERS', 'IMAGES', 'SELECTOR'],
        ['web', '0/2', '0', '0', AGE, 'nginx', 'nginx:1.25', 'app=web'],
      ],
      'kubectl get deployment -o wide',
    );
  },
});

const SERVICE_HEADER = ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE'];
const SERVICE_PORTS = [{ port: 80, targetPort: 8080, protocol: 'TCP' }];

/** ClusterIP and ExternalName services; `-o wide` adds SELECTOR. */
export const columnsService = scenario({
  name: 'get/columns-service',
  namespace: true,
  async run(ctx) {
    await create(ctx, collection(ctx, 'services'), service('cip', { selector: { app: 'web' }, ports: SERVICE_PORTS }));
    await create(ctx, collection(ctx, 'services'), service('ext', { type: 'ExternalName', externalName: 'example.com' }));
    expectTable(
      await get(ctx, ['services'], 'get services'),
      [SERVICE_HEADER, ['cip', 'ClusterIP', IP, '<none>', '80/TCP', AGE], ['ext', 'ExternalName', '<none>', 'example.com', '<none>', AGE]],
      'kubectl get services',
    );
    expectTable(
      await get(ctx, ['services', '-o', 'wide'], 'get services -o wide'),
      [
        [...SERVICE_HEADER, 'SELECTOR'],
        ['cip', 'ClusterIP', IP, '<none>', '80/TCP', AGE, 'app=web'],
        ['ext', 'ExternalName', '<none>', 'example.com', '<none>', AGE, '<none>'],
      ],
      'kubectl get services -o wide',
    );
  },
});

/** A NodePort service shows its allocated node port: `80:3xxxx/TCP`. */
export const columnsServiceNodePort = scenario({
  name: 'get/columns-service-nodeport',
  namespace: true,
  async run(ctx) {
    const created = await create(ctx, collection(ctx, 'services'), service('np', { type: 'NodePort', selector: { app: 'web' }, ports: SERVICE_PORTS }));
    expectMatch(String(pick(created, 'spec.ports.0.nodePort')), /^3\d{4}$/, 'allocated spec.ports[0].nodePort');
    expectEqual(pick(created, 'spec.externalTrafficPolicy'), 'Cluster', 'defaulted spec.externalTrafficPolicy');
    expectTable(await get(ctx, ['services', 'np'], 'get service np'), [SERVICE_HEADER, ['np', 'NodePort', IP, '<none>', /80:3\d{4}\/TCP/, AGE]], 'kubectl get service np');
  },
});

/** `-A` adds a NAMESPACE column and lists across namespaces (namespace, then name order). */
export const allNamespaces = scenario({
  name: 'get/all-namespaces',
  namespace: true,
  async run(ctx) {
    const other = ctx.unique('kc-get-all-namespaces-b');
    const mark = { set: ctx.unique('all') };
    const made = await ctx.http('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: other } } });
    expectEqual(made.status, 201, 'POST second namespace');
    try {
      await create(ctx, collection(ctx, 'configmaps'), configMap('b', { a: '1' }, mark));
      await create(ctx, collection(ctx, 'configmaps'), configMap('a', { a: '1', b: '2' }, mark));
      await create(ctx, `/api/v1/namespaces/${other}/configmaps`, configMap('c', { a: '1' }, mark));
      const [first, second] = [ctx.namespace, other].sort() as [string, string];
      const rows = [
        ...(first === ctx.namespace ? [[first, 'a', '2', AGE], [first, 'b', '1', AGE]] : [[first, 'c', '1', AGE]]),
        ...(second === ctx.namespace ? [[second, 'a', '2', AGE], [second, 'b', '1', AGE]] : [[second, 'c', '1', AGE]]),
      ];
      const out = expectSuccess(await ctx.kubectl(['get', 'configmaps', '-A', '-l', `set=${mark.set}`]), 'get cm -A');
      expectTable(out, [['NAMESPACE', 'NAME', 'DATA', 'AGE'], ...rows], 'kubectl get configmaps -A');
      const names = expectSuccess(await ctx.kubectl(['get', 'configmaps', '--all-namespaces', '-l', `set=${mark.set}`, '-o', 'name']), 'get cm -A -o name');
      expectEqual(names, rows.map((r) => `configmap/${String(r[1])}\n`).join(''), 'kubectl get configmaps --all-namespaces -o name');
    } finally {
      await ctx.http('DELETE', `/api/v1/namespaces/${other}`);
    }
  },
});

/** `--show-labels` adds LABELS (sorted `k=v` list or `<none>`); `-L k1,k2` adds a column per key. */
export const labelColumns = scenario({
  name: 'get/label-columns',
  namespace: true,
  async run(ctx) {
    await create(ctx, collection(ctx, 'configmaps'), configMap('plain', { a: '1' }, { set: 'lbl' }));
    await create(ctx, collection(ctx, 'configmaps'), configMap('tiered', { a: '1' }, { set: 'lbl', tier: 'web', app: 'shop' }));
    expectTable(
      await get(ctx, ['configmaps', '-l', 'set=lbl', '--show-labels'], 'get --show-labels'),
      [['NAME', 'DATA', 'AGE', 'LABELS'], ['plain', '1', AGE, 'set=lbl'], ['tiered', '1', AGE, 'app=shop,set=lbl,tier=web']],
      'kubectl get configmaps --show-labels',
    );
    expectTable(
      await get(ctx, ['configmaps', '-l', 'set=lbl', '-L', 'tier', '-L', 'app,missing'], 'get -L'),
      [['NAME', 'DATA', 'AGE', 'TIER', 'APP', 'MISSING'], ['plain', '1', AGE], ['tiered', '1', AGE, 'web', 'shop']],
      'kubectl get configmaps -L tier -L app,missing',
    );
  },
});

/** `--sort-by` on the name and on a data field (sorting needs the full objects in the Table rows). */
export const sortBy = scenario({
  name: 'get/sort-by',
  namespace: true,
  async run(ctx) {
    for (const [name, rank] of [['bravo', '1'], ['alpha', '3'], ['charlie', '2']] as const) {
      await create(ctx, collection(ctx, 'configmaps'), configMap(name, { rank }, { set: 'sort' }));
    }
    const byName = await get(ctx, ['configmaps', '-l', 'set=sort', '--sort-by=.metadata.name'], 'get --sort-by=.metadata.name');
    expectTable(byName, [['NAME', 'DATA', 'AGE'], ['alpha', '1', AGE], ['bravo', '1', AGE], ['charlie', '1', AGE]], 'kubectl get --sort-by=.metadata.name');
    const byRank = await get(ctx, ['configmaps', '-l', 'set=sort', '--sort-by=.data.rank'], 'get --sort-by=.data.rank');
    expectTable(byRank, [['NAME', 'DATA', 'AGE'], ['bravo', '1', AGE], ['charlie', '1', AGE], ['alpha', '1', AGE]], 'kubectl get --sort-by=.data.rank');
    const names = await get(ctx, ['configmaps', '-l', 'set=sort', '--sort-by=.data.rank', '-o', 'name'], 'get --sort-by -o name');
    expectEqual(names, 'configmap/bravo\nconfigmap/charlie\nconfigmap/alpha\n', 'kubectl get --sort-by=.data.rank -o name');
  },
});

/** custom-columns, jsonpath and name output (kubectl formats these from the plain JSON list). */
export const outputFormats = scenario({
  name: 'get/output-formats',
  namespace: true,
  async run(ctx) {
    await create(ctx, collection(ctx, 'configmaps'), configMap('first', { k: 'v1' }, { set: 'fmt', tier: 'web' }));
    await create(ctx, collection(ctx, 'configmaps'), configMap('second', { k: 'v2', other: 'x' }, { set: 'fmt' }));
    const sel = ['configmaps', '-l', 'set=fmt'];
    const custom = await get(ctx, [...sel, '-o', 'custom-columns=NAME:.metadata.name,K:.data.k,TIER:.metadata.labels.tier'], 'custom-columns');
    expectTable(custom, [['NAME', 'K', 'TIER'], ['first', 'v1', 'web'], ['second', 'v2', '<none>']], 'kubectl get -o custom-columns');
    const jsonpath = await get(ctx, [...sel, '-o', 'jsonpath={range .items[*]}{.metadata.name}={.data.k}{"\\n"}{end}'], 'jsonpath');
    expectEqual(jsonpath, 'first=v1\nsecond=v2\n', 'kubectl get -o jsonpath={range …}');
    const kind = await get(ctx, [...sel, '-o', 'jsonpath={.kind} {.items[*].metadata.name}'], 'jsonpath kind');
    expectEqual(kind, 'List first second', 'kubectl get -o jsonpath={.kind} (kubectl wraps items in a List)');
    const one = await get(ctx, ['configmap', 'second', '-o', 'jsonpath={.data.other}'], 'jsonpath one object');
    expectEqual(one, 'x', 'kubectl get configmap second -o jsonpath={.data.other}');
    expectEqual(await get(ctx, [...sel, '-o', 'name'], '-o name'), 'configmap/first\nconfigmap/second\n', 'kubectl get -o name');
    expectEqual(await get(ctx, ['cm', 'first', '-o', 'name'], '-o name one'), 'configmap/first\n', 'kubectl get cm first -o name');
    const noHeaders = await get(ctx, [...sel, '--no-headers'], '--no-headers');
    expectTable(noHeaders, [['first', '1', AGE], ['second', '2', AGE]], 'kubectl get --no-headers');
  },
});

/** The URLs of the configmap LIST requests in kubectl's `-v=6` log (both log formats). */
function listUrls(stderr: string): URL[] {
  const urls: URL[] = [];
  for (const match of stderr.matchAll(/(?:\] GET |verb="GET" url=")(https?:\/\/[^\s"]+\/configmaps\?[^\s"]*)/g)) urls.push(new URL(match[1]!));
  return urls;
}

/** `--chunk-size=2` over 5 objects prints what one unchunked list prints, fetched in 3 pages. */
export const chunkSize = scenario({
  name: 'get/chunk-size',
  namespace: true,
  async run(ctx) {
    for (const name of ['c1', 'c2', 'c3', 'c4', 'c5']) await create(ctx, collection(ctx, 'configmaps'), configMap(name, { a: '1' }, { set: 'chunk' }));
    const chunked = await ctx.kubectl(['-n', ctx.namespace, 'get', 'configmaps', '-l', 'set=chunk', '--chunk-size=2', '-v=6']);
    const whole = await ctx.kubectl(['-n', ctx.namespace, 'get', 'configmaps', '-l', 'set=chunk', '--chunk-size=0', '-v=6']);
    const rows = [['NAME', 'DATA', 'AGE'], ...['c1', 'c2', 'c3', 'c4', 'c5'].map((n) => [n, '1', AGE])];
    expectTable(expectSuccess(chunked, 'get --chunk-size=2'), rows, 'kubectl get --chunk-size=2');
    expectTable(expectSuccess(whole, 'get --chunk-size=0'), rows, 'kubectl get --chunk-size=0');

    const pages = listUrls(chunked.stderr);
    expectEqual(pages.length, 3, `LIST requests of --chunk-size=2 in the -v=6 log (${pages.map(String).join(' ')})`);
    expectEqual(pages.map((u) => u.searchParams.get('limit')), ['2', '2', '2'], 'limit of each page');
    expectEqual(pages.map((u) => u.searchParams.get('labelSelector')), ['set=chunk', 'set=chunk', 'set=chunk'], 'labelSelector of each page');
    expectEqual(pages[0]!.searchParams.has('continue'), false, 'first page has no continue');
    for (const page of pages.slice(1)) expectMatch(page.searchParams.get('continue') ?? '', /^[A-Za-z0-9_-]+$/, 'later pages carry the continue token of the previous one');
    expectEqual(pages[1]!.searchParams.get('continue') !== pages[2]!.searchParams.get('continue'), true, 'each page has its own continue token');
    const single = listUrls(whole.stderr);
    expectEqual(single.length, 1, 'LIST requests of --chunk-size=0');
    expectEqual([single[0]!.searchParams.has('limit'), single[0]!.searchParams.has('continue')], [false, false], '--chunk-size=0 sends neither limit nor continue');
  },
});
