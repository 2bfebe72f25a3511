/**
 * Every route of a kubemu server (HTTPS configuration), walked without credentials and with a
 * bad token: a bad token is a 401 everywhere; no credentials is system:anonymous, which the
 * bootstrap policy lets reach /healthz, /livez, /readyz and /version only — every other route,
 * every resource verb and subresource, the reviews, discovery, OpenAPI and unknown paths answer
 * 403 worded as kube-apiserver's. Routes come from fastify's own table, so a new route is walked
 * (or fails this test) without editing it.
 */
import type { AddressInfo } from 'node:net';
import t from 'tap';
import WebSocket from 'ws';
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

t.test('every route: no credentials is system:anonymous decided by RBAC; a bad token is 401', async (t) => {
  const server = await buildServer(withDefaults({ storage: 'memory', tls: true, port: 0, controllers: false } as Parameters<typeof withDefaults>[0]));
  t.teardown(() => server.close());
  const list = await probes(server);
  t.ok(list.length > 300, `${list.length} requests per credential`);
  let failures = 0;
  for (const probe of list) {
    const payload = probe.method === 'GET' || probe.method === 'DELETE' ? undefined : '{}';
    const anonymous = await server.app.inject({ method: probe.method as 'GET', url: probe.url, ...(payload ? { payload, headers: { 'content-type': 'application/json' } } : {}) });
    const bad = await server.app.inject({ method: probe.method as 'GET', url: probe.url, headers: { authorization: 'Bearer not-a-token' } });
    const label = `${probe.method} ${probe.url}`;
    if (bad.statusCode !== 401 || bad.json().message !== 'Unauthorized') failures++, t.fail(`${label} with a bad token: ${bad.statusCode}`);
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
