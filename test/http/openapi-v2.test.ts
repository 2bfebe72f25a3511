// src/http/openapi-v2.ts: GET /openapi/v2 in JSON and gnostic protobuf (content negotiation,
// the exact protobuf Content-Type, ETag/304, Vary, 406), and kubectl 1.27/1.28 — which need the
// protobuf document for every -f command — running explain and create -f against kubemu.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Fastify, { type FastifyInstance } from 'fastify';
import t from 'tap';
import { withDefaults } from '../../src/cli/config.js';
import { listen } from '../../src/cli/listen.js';
import { negotiateOpenAPIV2, OPENAPI_V2_PROTOBUF, OPENAPI_V2_PROTOBUF_ACCEPT, openapiV2Plugin } from '../../src/http/openapi-v2.js';
import { openapiV2Protobuf } from '../../src/openapi/v2.js';
import { buildServer, type Server } from '../../src/server.js';

const VERSION = 'v1.31.0';
const sha512 = (body: Buffer): string => createHash('sha512').update(body).digest('hex').toUpperCase();
const run = promisify(execFile);

async function build(): Promise<FastifyInstance> {
  const app = Fastify();
  await app.register(openapiV2Plugin, { kubernetesVersion: VERSION });
  await app.ready();
  return app;
}

/** Registers the plugin unless src/server.ts already serves /openapi/v2. */
async function withOpenAPIV2(server: Server): Promise<Server> {
  if (!server.app.hasRoute({ method: 'GET', url: '/openapi/v2' })) {
    await server.app.register(openapiV2Plugin, { kubernetesVersion: VERSION });
  }
  return server;
}

t.test('negotiateOpenAPIV2 picks the best acceptable clause', async (t) => {
  t.equal(negotiateOpenAPIV2(undefined), 'json', 'no Accept: JSON');
  t.equal(negotiateOpenAPIV2(''), 'json');
  t.equal(negotiateOpenAPIV2('application/json'), 'json');
  t.equal(negotiateOpenAPIV2('*/*'), 'json');
  t.equal(negotiateOpenAPIV2('application/*'), 'json');
  t.equal(negotiateOpenAPIV2(OPENAPI_V2_PROTOBUF_ACCEPT), 'protobuf', 'kubectl 1.27/1.28 spelling');
  t.equal(negotiateOpenAPIV2(OPENAPI_V2_PROTOBUF), 'protobuf', 'dotted spelling');
  t.equal(negotiateOpenAPIV2(`application/json;q=0.5, ${OPENAPI_V2_PROTOBUF_ACCEPT}`), 'protobuf', 'quality first');
  t.equal(negotiateOpenAPIV2(`${OPENAPI_V2_PROTOBUF_ACCEPT};q=0, application/json`), 'json', 'q=0 excludes');
  t.equal(negotiateOpenAPIV2('text/html'), undefined);
  t.equal(negotiateOpenAPIV2('application/yaml, text/*'), undefined);
});

t.test('GET /openapi/v2 serves JSON without Accept or for application/json', async (t) => {
  const app = await build();
  t.teardown(() => app.close());
  for (const headers of [{}, { accept: 'application/json' }, { accept: 'application/json, */*' }]) {
    const res = await app.inject({ method: 'GET', url: '/openapi/v2', headers });
    t.equal(res.statusCode, 200);
    t.equal(res.headers['content-type'], 'application/json');
    t.equal(res.headers.vary, 'Accept');
    t.equal(res.headers.etag, `"${sha512(res.rawPayload)}"`);
    const doc = res.json<{ swagger: string; info: { title: string; version: string }; paths: Record<string, unknown> }>();
    t.equal(doc.swagger, '2.0');
    t.same(doc.info, { title: 'Kubernetes', version: VERSION });
    t.ok(doc.paths['/api/v1/namespaces/{namespace}/configmaps']);
  }
});

t.test('GET /openapi/v2 serves gnostic protobuf with the dotted Content-Type, for either spelling', async (t) => {
  const app = await build();
  t.teardown(() => app.close());
  const json = await app.inject({ method: 'GET', url: '/openapi/v2' });
  for (const accept of [OPENAPI_V2_PROTOBUF_ACCEPT, OPENAPI_V2_PROTOBUF, `application/json;q=0.9,${OPENAPI_V2_PROTOBUF_ACCEPT}`]) {
    const res = await app.inject({ method: 'GET', url: '/openapi/v2', headers: { accept } });
    t.equal(res.statusCode, 200, accept);
    t.equal(res.headers['content-type'], 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf', 'never the @ spelling');
    t.equal(res.headers.vary, 'Accept');
    t.ok(res.rawPayload.equals(openapiV2Protobuf(VERSION).body), 'the encoded document');
    t.equal(res.headers.etag, json.headers.etag, 'the JSON etag, as kube-openapi');
  }
});

t.test('GET /openapi/v2 answers a matching If-None-Match with 304 in both formats', async (t) => {
  const app = await build();
  t.teardown(() => app.close());
  const first = await app.inject({ method: 'GET', url: '/openapi/v2' });
  const etag = first.headers.etag as string;
  for (const accept of ['application/json', OPENAPI_V2_PROTOBUF_ACCEPT]) {
    const cached = await app.inject({ method: 'GET', url: '/openapi/v2', headers: { accept, 'if-none-match': etag } });
    t.equal(cached.statusCode, 304, accept);
    t.equal(cached.body, '');
    t.equal(cached.headers.etag, etag);
    t.equal(cached.headers.vary, 'Accept');
  }
  const weak = await app.inject({ method: 'GET', url: '/openapi/v2', headers: { 'if-none-match': `W/${etag}` } });
  t.equal(weak.statusCode, 304, 'weak comparison');
  const other = await app.inject({ method: 'GET', url: '/openapi/v2', headers: { 'if-none-match': '"0000"' } });
  t.equal(other.statusCode, 200, 'a different etag gets the body');
});

t.test('GET /openapi/v2 with an unacceptable Accept is a 406 Status', async (t) => {
  const app = await build();
  t.teardown(() => app.close());
  const res = await app.inject({ method: 'GET', url: '/openapi/v2', headers: { accept: 'text/html' } });
  t.equal(res.statusCode, 406);
  t.equal(res.headers.vary, 'Accept');
  t.match(res.json(), { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotAcceptable', code: 406 });
  t.match(res.json<{ message: string }>().message, /application\/json, application\/com\.github\.proto-openapi\.spec\.v2\.v1\.0\+protobuf/);
});

t.test('GET /openapi/v2 on a kubemu server needs authentication', async (t) => {
  const server = await withOpenAPIV2(await buildServer(withDefaults({ storage: 'memory', tls: false, port: 0 })));
  t.teardown(() => server.close());
  const anonymous = await server.app.inject({ method: 'GET', url: '/openapi/v2', headers: { authorization: 'Bearer wrong' } });
  t.equal(anonymous.statusCode, 401);
  const admin = await server.app.inject({
    method: 'GET',
    url: '/openapi/v2',
    headers: { authorization: `Bearer ${server.adminToken}`, accept: OPENAPI_V2_PROTOBUF_ACCEPT },
  });
  t.equal(admin.statusCode, 200);
  t.equal(admin.headers['content-type'], OPENAPI_V2_PROTOBUF);
});

const KUBECTLS = ['1.27', '1.28'].map((v) => ({ version: v, path: `/usr/lib/google-cloud-sdk/bin/kubectl.${v}` }));

t.test('kubectl 1.27 and 1.28 explain and create -f against kubemu', async (t) => {
  const available = KUBECTLS.filter((k) => existsSync(k.path));
  if (available.length === 0) {
    t.comment(`skipped: no ${KUBECTLS.map((k) => k.path).join(' or ')}`);
    t.pass('nothing to run');
    return;
  }
  const config = withDefaults({ storage: 'memory', port: 0 });
  const server = await withOpenAPIV2(await buildServer(config));
  const dir = await mkdtemp(join(tmpdir(), 'kubemu-openapi-v2-'));
  t.teardown(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });
  const { kubeconfigPath } = await listen(server, config, join(dir, 'kubeconfig'));

  for (const kubectl of available) {
    t.test(`kubectl ${kubectl.version}`, async (t) => {
      const env = { ...process.env, HOME: dir, KUBECONFIG: kubeconfigPath as string };
      const cacheDir = join(dir, `cache-${kubectl.version}`);
      const kubectlRun = (...args: string[]) => run(kubectl.path, ['--cache-dir', cacheDir, ...args], { env, timeout: 60000 });

      const explain = await kubectlRun('explain', 'configmap.data');
      t.match(explain.stdout, /KIND:\s+ConfigMap/);
      t.match(explain.stdout, /FIELD:\s+data\s+<map\[string\]string>/);
      t.match(explain.stdout, /Data contains the configuration data/);

      const name = `cm-${kubectl.version.replace('.', '-')}`;
      const file = join(dir, `${name}.yaml`);
      await writeFile(file, `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  a: b\n`);
      const created = await kubectlRun('create', '-f', file, '-v=6');
      t.match(created.stdout, new RegExp(`configmap/${name} created`));
      t.match(created.stderr, /GET https:\/\/\S+\/openapi\/v2\S* 200 OK/, 'fetched /openapi/v2');
      t.match(created.stderr, /POST \S+\/configmaps\?fieldManager=kubectl-create&fieldValidation=Strict 201/, 'server-side validation chosen from the document');

      const got = await server.app.inject({ method: 'GET', url: `/api/v1/namespaces/default/configmaps/${name}`, headers: { authorization: `Bearer ${server.adminToken}` } });
      t.equal(got.statusCode, 200);
      t.same(got.json<{ data: Record<string, string> }>().data, { a: 'b' });
    });
  }
});
