/**
 * Conformance scenarios: discovery over plain HTTP — legacy `/api`, `/apis`, per-group-version
 * resource lists, aggregated discovery (content type negotiated by Accept) and `/healthz`.
 * Shapes follow apimachinery meta/v1 (APIVersions, APIGroupList, APIResourceList) and
 * k8s.io/api apidiscovery/v2 (v2beta1 for 1.29 servers). Must not: depend on kubemu specifics.
 */
import { expectEqual, expectMatch, pick, scenario, type HttpResult, type Json } from '../harness.js';

/** What kubectl 1.30+ sends (1.29 sends only the v2beta1 and plain JSON entries). */
const AGGREGATED_ACCEPT =
  'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';

function list(value: Json | undefined): Json[] {
  return Array.isArray(value) ? value : [];
}

function find(items: Json | undefined, key: string, value: string): Json | undefined {
  return list(items).find((item) => pick(item, key) === value);
}

function sorted(value: Json | undefined): string[] {
  return list(value).map(String).sort();
}

function expectJson(res: HttpResult, what: string): void {
  expectEqual(res.status, 200, `${what} status`);
  expectMatch(res.headers['content-type'] ?? '', /^application\/json/, `${what} content-type`);
}

/** GET /api and /apis (legacy, unaggregated). */
export const legacyRoots = scenario({
  name: 'http/discovery-roots',
  async run(ctx) {
    const api = await ctx.http('GET', '/api');
    expectJson(api, 'GET /api');
    expectEqual(pick(api.json, 'kind'), 'APIVersions', '/api kind');
    expectEqual(pick(api.json, 'versions'), ['v1'], '/api versions');
    const cidrs = list(pick(api.json, 'serverAddressByClientCIDRs'));
    expectEqual(cidrs.length > 0, true, '/api serverAddressByClientCIDRs is a non-empty list');
    for (const entry of cidrs) {
      expectMatch(String(pick(entry, 'clientCIDR')), /^[0-9a-f.:]+\/\d+$/, '/api serverAddressByClientCIDRs[].clientCIDR');
      expectMatch(String(pick(entry, 'serverAddress')), /^\S+:\d+$/, '/api serverAddressByClientCIDRs[].serverAddress');
    }

    const apis = await ctx.http('GET', '/apis');
    expectJson(apis, 'GET /apis');
    expectEqual(pick(apis.json, 'kind'), 'APIGroupList', '/apis kind');
    expectEqual(pick(apis.json, 'apiVersion'), 'v1', '/apis apiVersion');
    const apps = find(pick(apis.json, 'groups'), 'name', 'apps');
    expectEqual(pick(apps, 'preferredVersion'), { groupVersion: 'apps/v1', version: 'v1' }, '/apis group apps preferredVersion');
    expectEqual(pick(apps, 'versions'), [{ groupVersion: 'apps/v1', version: 'v1' }], '/apis group apps versions');
    for (const group of list(pick(apis.json, 'groups'))) {
      const preferred = pick(group, 'preferredVersion.groupVersion');
      const listed = list(pick(group, 'versions')).map((v) => pick(v, 'groupVersion'));
      expectEqual(listed.includes(preferred ?? null), true, `preferredVersion of group ${String(pick(group, 'name'))} is one of its versions`);
    }

    const group = await ctx.http('GET', '/apis/apps');
    expectJson(group, 'GET /apis/apps');
    expectEqual(pick(group.json, 'kind'), 'APIGroup', '/apis/apps kind');
    expectEqual(pick(group.json, 'name'), 'apps', '/apis/apps name');
  },
});

/** GET /api/v1 and /apis/apps/v1: resource entries with verbs, short names and subresources. */
export const resourceLists = scenario({
  name: 'http/discovery-resource-lists',
  async run(ctx) {
    const core = await ctx.http('GET', '/api/v1');
    expectJson(core, 'GET /api/v1');
    expectEqual(pick(core.json, 'kind'), 'APIResourceList', '/api/v1 kind');
    expectEqual(pick(core.json, 'groupVersion'), 'v1', '/api/v1 groupVersion');
    const cm = find(pick(core.json, 'resources'), 'name', 'configmaps');
    expectEqual(
      { name: pick(cm, 'name'), singularName: pick(cm, 'singularName'), namespaced: pick(cm, 'namespaced'), kind: pick(cm, 'kind'), shortNames: pick(cm, 'shortNames') },
      { name: 'configmaps', singularName: 'configmap', namespaced: true, kind: 'ConfigMap', shortNames: ['cm'] },
      '/api/v1 configmaps entry',
    );
    expectEqual(sorted(pick(cm, 'verbs')), ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'], 'configmaps verbs');

    const apps = await ctx.http('GET', '/apis/apps/v1');
    expectJson(apps, 'GET /apis/apps/v1');
    expectEqual(pick(apps.json, 'groupVersion'), 'apps/v1', '/apis/apps/v1 groupVersion');
    const deploy = find(pick(apps.json, 'resources'), 'name', 'deployments');
    expectEqual(pick(deploy, 'categories'), ['all'], 'deployments categories');
    expectEqual(pick(deploy, 'shortNames'), ['deploy'], 'deployments shortNames');
    const scale = find(pick(apps.json, 'resources'), 'name', 'deployments/scale');
    expectEqual(
      { group: pick(scale, 'group'), version: pick(scale, 'version'), kind: pick(scale, 'kind'), namespaced: pick(scale, 'namespaced') },
      { group: 'autoscaling', version: 'v1', kind: 'Scale', namespaced: true },
      'deployments/scale entry',
    );
    expectEqual(sorted(pick(scale, 'verbs')), ['get', 'patch', 'update'], 'deployments/scale verbs');
  },
});

/** GET /apis and /api asking for aggregated discovery: the reply's Content-Type names the kind. */
export const aggregatedDiscovery = scenario({
  name: 'http/aggregated-discovery',
  async run(ctx) {
    const apis = await ctx.http('GET', '/apis', { headers: { accept: AGGREGATED_ACCEPT } });
    expectEqual(apis.status, 200, 'aggregated GET /apis status');
    const type = apis.headers['content-type'] ?? '';
    const match = /^application\/json;g=apidiscovery\.k8s\.io;v=(v2|v2beta1);as=APIGroupDiscoveryList$/.exec(type);
    expectEqual(match !== null, true, `aggregated GET /apis content-type (got ${JSON.stringify(type)})`);
    expectEqual(pick(apis.json, 'kind'), 'APIGroupDiscoveryList', 'aggregated /apis kind');
    expectEqual(pick(apis.json, 'apiVersion'), `apidiscovery.k8s.io/${match![1]}`, 'aggregated /apis apiVersion agrees with content-type');
    expectMatch(apis.headers.vary ?? '', /\bAccept\b/i, 'aggregated /apis Vary header');
    const etag = apis.headers.etag ?? '';
    expectMatch(etag, /^"[^"]+"$/, 'aggregated /apis ETag (quoted)');
    const cached = await ctx.http('GET', '/apis', { headers: { accept: AGGREGATED_ACCEPT, 'if-none-match': etag } });
    expectEqual(cached.status, 304, 'aggregated GET /apis with If-None-Match of its ETag');
    const apps = list(pick(apis.json, 'items')).find((item) => pick(item, 'metadata.name') === 'apps');
    expectEqual(pick(apps, 'versions.0.version'), 'v1', 'aggregated group apps: first (preferred) version');
    const deploy = find(pick(apps, 'versions.0.resources'), 'resource', 'deployments');
    expectEqual(
      {
        responseKind: pick(deploy, 'responseKind'),
        scope: pick(deploy, 'scope'),
        singularResource: pick(deploy, 'singularResource'),
        shortNames: pick(deploy, 'shortNames'),
        categories: pick(deploy, 'categories'),
      },
      { responseKind: { group: 'apps', version: 'v1', kind: 'Deployment' }, scope: 'Namespaced', singularResource: 'deployment', shortNames: ['deploy'], categories: ['all'] },
      'aggregated deployments entry',
    );
    const scale = find(pick(deploy, 'subresources'), 'subresource', 'scale');
    expectEqual(pick(scale, 'responseKind'), { group: 'autoscaling', version: 'v1', kind: 'Scale' }, 'aggregated deployments/scale responseKind');

    const api = await ctx.http('GET', '/api', { headers: { accept: AGGREGATED_ACCEPT } });
    expectEqual(api.status, 200, 'aggregated GET /api status');
    expectEqual(api.headers['content-type'], type, 'aggregated GET /api content-type');
    const core = list(pick(api.json, 'items'))[0];
    expectEqual(pick(core, 'versions.0.version'), 'v1', 'aggregated /api core version');
    const cm = find(pick(core, 'versions.0.resources'), 'resource', 'configmaps');
    expectEqual(pick(cm, 'shortNames'), ['cm'], 'aggregated configmaps shortNames');

    const plain = await ctx.http('GET', '/apis');
    expectEqual(pick(plain.json, 'kind'), 'APIGroupList', 'GET /apis with Accept application/json stays legacy');
  },
});

/** GET /healthz: 200 text "ok". */
export const healthz = scenario({
  name: 'http/healthz',
  async run(ctx) {
    const res = await ctx.http('GET', '/healthz', { headers: { accept: '*/*' } });
    expectEqual(res.status, 200, 'GET /healthz status');
    expectMatch(res.headers['content-type'] ?? '', /^text\/plain/, 'GET /healthz content-type');
    expectEqual(res.text, 'ok', 'GET /healthz body');
  },
});
