/**
 * Every route of a kubemu server (HTTPS configuration), walked without credentials, with a bad
 * token, with an expired service-account token (signed with the server's own key, exp in the
 * past, for a ServiceAccount that exists) and with the token of a deleted ServiceAccount (issued
 * by the TokenRequest API while it existed): each of the three is a 401 `Unauthorized`
 * everywhere, public paths included; no credentials is system:anonymous, which the
 * bootstrap policy lets reach /healthz, /livez, /readyz and /version only — every other route,
 * every resource verb and subresource, the reviews, discovery, OpenAPI and unknown paths answer
 * 403 worded as kube-apiserver's. Routes come from fastify's own table, so a new route is walked
 * (or fails this test) without editing it.
 */
import type { AddressInfo } from 'node:net';
import t from 'tap';
import type { Test } from 'tap';
import WebSocket from 'ws';
import { ServiceAccountTokens } from '../../../src/auth/service-account-token.js';
import { withDefaults } from '../../../src/cli/config.js';
import { buildServer, type Server } from '../../../src/server.js';

interface Probe {
  method: string;
  url: string;
  /** The 403 message expected for system:anonymous; undefined when the path is public. */
  forbidden?: string;
}

const PUBLIC = ['/healthz', '/livez', '/readyz', '/version'];
const VERB_METHODS: Record<string, string> = { get: 'GET', list: 'GET', watch: 'GET', create: 'POST', update: 'PUT', patch: 'PATCH', delete: 'DELETE', deletecollection: 'DELETE' };

/** Full paths of fastify's route tree (printRoutes with commonPrefix: false). */
function routePaths(tree: string): string[] {
  const parents: string[] = [];
  const paths: string[] = [];
  for (const line of tree.split('\n')) {
    const at = line.search(/[├└]── /);
    if (at < 0) continue;
    const depth = at / 4;
    const segment = line.slice(at + 4).replace(/ \(.*\)$/, '');
    const path = (depth > 0 ? parents[depth - 1]! : '') + segment;
    parents[depth] = path;
    parents.length = depth + 1;
    paths.push(path);
  }
  return paths;
}

function nonResource(method: string, url: string): Probe {
  const path = url.split('?')[0]!;
  if (method === 'GET' && PUBLIC.includes(path)) return { method, url };
  return { method, url, forbidden: `forbidden: User "system:anonymous" cannot ${method.toLowerCase()} path ${JSON.stringify(path)}` };
}

function resourceProbe(verb: string, r: { group: string; version: string; plural: string; namespaced: boolean }, sub?: string): Probe {
  const base = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
  const named = !['list', 'watch', 'create', 'deletecollection'].includes(verb);
  const name = named || sub ? 'x' : '';
  // `/api/v1/namespaces/x` names namespace x itself: request-info reads it as the namespace too.
  const ns = r.namespaced ? 'default' : r.plural === 'namespaces' && name ? name : '';
  const inPath = r.namespaced ? 'default' : '';
  let url = `${base}${inPath ? `/namespaces/${inPath}` : ''}/${r.plural}${name ? `/${name}` : ''}${sub ? `/${sub}` : ''}`;
  if (verb === 'watch') url += '?watch=true';
  const resource = sub ? `${r.plural}/${sub}` : r.plural;
  const scope = ns ? `in the namespace "${ns}"` : 'at the cluster scope';
  const subject = `${r.group ? `${r.plural}.${r.group}` : r.plural}${name ? ` "${name}"` : ''}`;
  return {
    method: VERB_METHODS[verb]!,
    url,
    forbidden: `${subject} is forbidden: User "system:anonymous" cannot ${verb} resource "${resource}" in API group "${r.group}" ${scope}`,
  };
}

async function probes(server: Server): Promise<Probe[]> {
  const admin = { authorization: `Bearer ${server.adminToken}` };
  const out: Probe[] = [];
  for (const path of routePaths(server.app.printRoutes({ commonPrefix: false }))) {
    // `/api`, `/api*`, `/apis`, `/apis*`: walked below, resource by resource.
    if (/^\/apis?\*?$/.test(path)) continue;
    // A route of its own for a namespaced subresource (pods/log, pods/exec, ...): a resource request.
    const sub = /^\/api\/(v1)\/namespaces\/:namespace\/([a-z]+)\/:name\/([a-z]+)$/.exec(path);
    if (sub) {
      out.push(resourceProbe('get', { group: '', version: sub[1]!, plural: sub[2]!, namespaced: true }, sub[3]));
      continue;
    }
    const concrete = path.replace('/:check', '/ping').replace(/\/?\*$/, '/apis/apps/v1');
    out.push(nonResource('GET', concrete));
  }
  out.push(nonResource('GET', '/healthz?verbose'), nonResource('GET', '/no/such/path'), nonResource('POST', '/version'), nonResource('GET', '/metrics'));
  // Discovery documents are non-resource paths too.
  for (const url of ['/api', '/api/v1', '/apis', '/apis/apps', '/apis/apps/v1', '/apis/authorization.k8s.io/v1']) out.push(nonResource('GET', url));
  // Every served resource (as the admin discovers them), every verb and subresource.
  const versions = (await server.app.inject({ url: '/api', headers: admin })).json().versions as string[];
  const groups = (await server.app.inject({ url: '/apis', headers: admin })).json().groups as Array<{ name: string; versions: Array<{ version: string }> }>;
  const gvs = [...versions.map((v) => ({ group: '', version: v })), ...groups.flatMap((g) => g.versions.map((v) => ({ group: g.name, version: v.version })))];
  for (const gv of gvs) {
    const url = gv.group ? `/apis/${gv.group}/${gv.version}` : `/api/${gv.version}`;
    const list = (await server.app.inject({ url, headers: admin })).json().resources as Array<{ name: string; namespaced: boolean; verbs: string[] }>;
    for (const entry of list) {
      const [plural, sub] = entry.name.split('/') as [string, string | undefined];
      const r = { ...gv, plural, namespaced: entry.namespaced };
      for (const verb of entry.verbs) {
        if (sub && (verb === 'list' || verb === 'watch' || verb === 'deletecollection')) continue;
        out.push(resourceProbe(verb, r, sub));
      }
    }
  }
  return out;
}

/** Creates ServiceAccount `name` in default as the admin; its uid. */
async function createServiceAccount(server: Server, name: string): Promise<string> {
  const res = await server.app.inject({ method: 'POST', url: '/api/v1/namespaces/default/serviceaccounts', headers: { authorization: `Bearer ${server.adminToken}` }, payload: { metadata: { name } } });
  if (res.statusCode !== 201) throw new Error(`create serviceaccount ${name}: ${res.statusCode} ${res.body}`);
  return res.json().metadata.uid as string;
}

/** What a bearer token authenticates as, by SelfSubjectReview: `401` or the username. */
async function whoIs(server: Server, token: string): Promise<string> {
  const res = await server.app.inject({
    method: 'POST',
    url: '/apis/authentication.k8s.io/v1/selfsubjectreviews',
    headers: { authorization: `Bearer ${token}` },
    payload: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
  });
  return res.statusCode === 401 ? '401' : `${res.statusCode} ${res.json().status?.userInfo?.username}`;
}

/**
 * Two service-account tokens that must not authenticate: one for an existing ServiceAccount whose
 * exp is two hours past (issued by a clock set back; the same key, issuer and audience), and one
 * issued by the TokenRequest API for a ServiceAccount deleted afterwards.
 */
async function deadTokens(t: Test, server: Server): Promise<{ expired: string; deleted: string }> {
  const live = server.serviceAccountTokens;
  const uid = await createServiceAccount(server, 'walker');
  const past = new ServiceAccountTokens({ key: live.key, issuer: live.issuer, audiences: live.audiences, now: () => live.now() - 2 * 3600_000 });
  const expired = past.issue({ namespace: 'default', serviceAccount: { name: 'walker', uid }, audiences: live.audiences, expirationSeconds: 600 }).token;
  const stillValid = past.issue({ namespace: 'default', serviceAccount: { name: 'walker', uid }, audiences: live.audiences, expirationSeconds: 3 * 3600 }).token;
  t.equal(await whoIs(server, stillValid), '201 system:serviceaccount:default:walker', 'control: a token of that clock and key that has not expired authenticates');
  t.equal(await whoIs(server, expired), '401', 'the expired token does not');

  await createServiceAccount(server, 'doomed');
  const requested = await server.app.inject({
    method: 'POST',
    url: '/api/v1/namespaces/default/serviceaccounts/doomed/token',
    headers: { authorization: `Bearer ${server.adminToken}` },
    payload: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600 } },
  });
  t.equal(requested.statusCode, 201, `TokenRequest: ${requested.body.slice(0, 200)}`);
  const deleted = requested.json().status.token as string;
  t.equal(await whoIs(server, deleted), '201 system:serviceaccount:default:doomed', 'control: the token authenticates while its ServiceAccount exists');
  const gone = await server.app.inject({ method: 'DELETE', url: '/api/v1/namespaces/default/serviceaccounts/doomed', headers: { authorization: `Bearer ${server.adminToken}` } });
  t.equal(gone.statusCode, 200, 'the ServiceAccount is deleted');
  t.equal(await whoIs(server, deleted), '401', 'the token of the deleted ServiceAccount does not authenticate');
  return { expired, deleted };
}

t.test('every route: no credentials is system:anonymous decided by RBAC; a bad, expired or orphaned token is 401', async (t) => {
  const server = await buildServer(withDefaults({ storage: 'memory', tls: true, port: 0, controllers: false } as Parameters<typeof withDefaults>[0]));
  t.teardown(() => server.close());
  const { expired, deleted } = await deadTokens(t, server);
  const refused: Array<[what: string, token: string]> = [
    ['a bad token', 'not-a-token'],
    ['an expired service-account token', expired],
    ['the token of a deleted ServiceAccount', deleted],
  ];
  const list = await probes(server);
  t.ok(list.length > 300, `${list.length} requests per credential`);
  let failures = 0;
  for (const probe of list) {
    const payload = probe.method === 'GET' || probe.method === 'DELETE' ? undefined : '{}';
    const label = `${probe.method} ${probe.url}`;
    for (const [what, token] of refused) {
      const res = await server.app.inject({
        method: probe.method as 'GET',
        url: probe.url,
        headers: { authorization: `Bearer ${token}`, ...(payload ? { 'content-type': 'application/json' } : {}) },
        ...(payload ? { payload } : {}),
      });
      const body = res.statusCode === 401 ? res.json() : undefined;
      if (!body || body.kind !== 'Status' || body.reason !== 'Unauthorized' || body.message !== 'Unauthorized') failures++, t.fail(`${label} with ${what}: ${res.statusCode} ${res.body.slice(0, 200)}`);
    }
    const anonymous = await server.app.inject({ method: probe.method as 'GET', url: probe.url, ...(payload ? { payload, headers: { 'content-type': 'application/json' } } : {}) });
    if (probe.forbidden === undefined) {
      if (anonymous.statusCode !== 200) failures++, t.fail(`${label} anonymous: ${anonymous.statusCode} ${anonymous.body}`);
      continue;
    }
    const body = anonymous.statusCode === 403 ? anonymous.json() : undefined;
    if (!body || body.reason !== 'Forbidden' || body.message !== probe.forbidden) failures++, t.fail(`${label} anonymous: ${anonymous.statusCode} ${anonymous.body}\n  expected ${probe.forbidden}`);
  }
  t.equal(failures, 0, 'every route answered as expected');
});

t.test('every route: a websocket watch is refused before the upgrade', async (t) => {
  const server = await buildServer(withDefaults({ storage: 'memory', tls: false, port: 0, controllers: false } as Parameters<typeof withDefaults>[0]));
  t.teardown(() => server.close());
  await server.app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = server.app.server.address() as AddressInfo;
  const open = (headers: Record<string, string>) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/api/v1/namespaces/default/configmaps?watch=true`, { headers });
      ws.on('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      ws.on('open', () => {
        ws.terminate();
        resolve({ status: 101, body: '' });
      });
      ws.on('error', (err) => (err.message.startsWith('Unexpected server response') ? undefined : reject(err)));
    });
  t.equal((await open({ authorization: 'Bearer wrong' })).status, 401);
  const forbidden = await open({ authorization: `Bearer ${server.adminToken}`, 'impersonate-user': 'bob' });
  t.equal(forbidden.status, 403);
  t.equal(JSON.parse(forbidden.body).message, 'configmaps is forbidden: User "bob" cannot watch resource "configmaps" in API group "" in the namespace "default"');
  t.equal((await open({ authorization: `Bearer ${server.adminToken}` })).status, 101, 'the admin watches');
});
