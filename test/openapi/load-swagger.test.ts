// --openapi FILE (src/openapi/source.ts, swagger-file.ts, v3-convert.ts): kubemu started with the
// swagger.json of Kubernetes v1.35.0 (../shared/k8s-reference, test-time only) knows its fields in
// validation, /openapi/v3 and /openapi/v2; served kinds the file lacks keep their bundled entries;
// bad files fail the start with `cannot load --openapi FILE: <reason>`.
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { parseCommand } from '../../src/cli/args.js';
import { withDefaults } from '../../src/cli/config.js';
import { isObject, objectAt, type JsonObject } from '../../src/openapi/json.js';
import { parseApiPath } from '../../src/openapi/paths.js';
import { builtinResources, openapiV3Document } from '../../src/openapi/schemas.js';
import { acquireSchemaSource, schemaSource } from '../../src/openapi/source.js';
import { buildServer, type Server } from '../../src/server.js';

const REFERENCE = fileURLToPath(new URL('../../../shared/k8s-reference/swagger-v1.35.0.json', import.meta.url));
const PROTOBUF = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';

function start(openapi: string): Promise<Server> {
  return buildServer(withDefaults({ storage: 'memory', tls: false, port: 0, openapi }));
}

async function request(server: Server, method: 'GET' | 'POST', url: string, body?: unknown, accept?: string) {
  const headers: Record<string, string> = { authorization: `Bearer ${server.adminToken}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (accept) headers['accept'] = accept;
  return server.app.inject({ method, url, headers, ...(body === undefined ? {} : { payload: JSON.stringify(body) }) });
}

function schemasOf(body: string): JsonObject {
  return objectAt(objectAt(JSON.parse(body) as JsonObject, 'components'), 'schemas') ?? {};
}

t.test('parseCommand reads --openapi FILE into the config', async (t) => {
  const command = parseCommand(['serve', '--openapi', 'swagger.json']);
  t.equal(command.command === 'serve' ? command.config.openapi : undefined, 'swagger.json');
  t.throws(() => parseCommand(['serve', '--openapi', '']), /invalid --openapi ""/);
});

t.test('a bad --openapi file fails the start with a clear error', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'kubemu-openapi-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const missing = join(dir, 'missing.json');
  await t.rejects(start(missing), { message: new RegExp(`^cannot load --openapi ${missing}: ENOENT`) });
  const broken = join(dir, 'broken.json');
  await writeFile(broken, '{"swagger": "2.0",');
  await t.rejects(start(broken), { message: new RegExp(`^cannot load --openapi ${broken}: invalid JSON: `) });
  const v3 = join(dir, 'v3.json');
  await writeFile(v3, JSON.stringify({ openapi: '3.0.0', paths: {}, components: {} }));
  await t.rejects(start(v3), { message: `cannot load --openapi ${v3}: not a Swagger 2.0 document (swagger: null)` });
  const other = join(dir, 'petstore.json');
  await writeFile(other, JSON.stringify({ swagger: '2.0', paths: { '/pets': {} }, definitions: {} }));
  await t.rejects(start(other), { message: /the document describes none of the Kubernetes group-versions kubemu serves/ });
  t.equal(schemaSource().label, 'the bundled schemas', 'a failed start holds nothing');
});

t.test('kubemu started with the v1.35.0 swagger.json', async (t) => {
  if (!existsSync(REFERENCE)) {
    t.comment(`skipped: ${REFERENCE} is absent (reference data lives in ../shared/k8s-reference)`);
    t.pass('nothing to load');
    return;
  }
  const started = performance.now();
  const server = await start(REFERENCE);
  t.comment(`buildServer with --openapi: ${(performance.now() - started).toFixed(0)} ms`);
  t.teardown(() => server.close());

  t.test('validation knows PodSpec.hostnameOverride (v1.34+): no unknown-field warning, field kept', async (t) => {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web' },
      spec: { hostnameOverride: 'web-0', bogusField: 1, containers: [{ name: 'c', image: 'nginx' }] },
    };
    const res = await request(server, 'POST', '/api/v1/namespaces/default/pods?fieldValidation=Warn', pod);
    t.equal(res.statusCode, 201, res.body);
    const warning = String(res.headers['warning'] ?? '');
    t.match(warning, /unknown field \\"spec.bogusField\\"/, 'an unknown field still warns');
    t.notMatch(warning, /hostnameOverride/);
    t.equal(res.json<{ spec: { hostnameOverride?: string } }>().spec.hostnameOverride, 'web-0');
    const strict = await request(server, 'POST', '/api/v1/namespaces/default/pods?fieldValidation=Strict', {
      ...pod,
      metadata: { name: 'strict' },
      spec: { hostnameOverride: 'x', containers: [{ name: 'c', image: 'nginx' }] },
    });
    t.equal(strict.statusCode, 201, strict.body);
  });

  t.test('/openapi/v3/api/v1 carries the v1.35 fields and the extensions of $ref fields', async (t) => {
    const res = await request(server, 'GET', '/openapi/v3/api/v1');
    t.equal(res.statusCode, 200);
    const schemas = schemasOf(res.body);
    const podSpec = objectAt(objectAt(schemas, 'io.k8s.api.core.v1.PodSpec'), 'properties');
    t.match(podSpec?.['hostnameOverride'], { type: 'string' });
    t.match(podSpec?.['affinity'], { allOf: [{ $ref: '#/components/schemas/io.k8s.api.core.v1.Affinity' }], description: /scheduling constraints/ });
    t.match(schemas['io.k8s.apimachinery.pkg.util.intstr.IntOrString'], { format: 'int-or-string', oneOf: [{ type: 'integer' }, { type: 'string' }] });
    const claimRef = objectAt(objectAt(schemas['io.k8s.api.core.v1.PersistentVolumeSpec'], 'properties'), 'claimRef');
    t.match(claimRef, { 'x-kubernetes-map-type': 'granular' });
    const patch = objectAt(objectAt(objectAt(JSON.parse(res.body) as JsonObject, 'paths'), '/api/v1/namespaces/{namespace}/pods/{name}'), 'patch');
    t.ok(objectAt(objectAt(patch, 'requestBody'), 'content')?.['application/strategic-merge-patch+json'], 'request bodies per consumes type');
    t.notOk(JSON.stringify(patch).includes('#/definitions/'), 'no v2 references left');
    const apps = schemasOf((await request(server, 'GET', '/openapi/v3/apis/apps/v1')).body);
    t.match(objectAt(objectAt(apps['io.k8s.api.apps.v1.DeploymentSpec'], 'properties'), 'strategy'), {
      allOf: [{ $ref: '#/components/schemas/io.k8s.api.apps.v1.DeploymentStrategy' }],
      'x-kubernetes-patch-strategy': 'retainKeys',
    });
    const unserved = await request(server, 'GET', '/openapi/v3/apis/resource.k8s.io/v1');
    t.equal(unserved.statusCode, 404, 'group-versions of the file that kubemu does not serve stay unserved');
  });

  t.test('the served table is the same set of kinds, derived from the file', async (t) => {
    const resources = builtinResources();
    t.equal(resources.length, 38);
    t.same(resources.find((r) => r.plural === 'deployments')?.subresources.map((s) => s.name), ['scale', 'status']);
    const discovery = await request(server, 'GET', '/apis/apps/v1');
    t.equal(discovery.statusCode, 200);
  });

  t.test('/openapi/v2 still encodes, in JSON and protobuf', async (t) => {
    const json = await request(server, 'GET', '/openapi/v2');
    t.equal(json.statusCode, 200);
    const definitions = objectAt(JSON.parse(json.body) as JsonObject, 'definitions') ?? {};
    t.match(objectAt(objectAt(definitions, 'io.k8s.api.core.v1.PodSpec'), 'properties')?.['hostnameOverride'], { type: 'string' });
    t.match(objectAt(objectAt(definitions, 'io.k8s.api.apps.v1.DeploymentSpec'), 'properties')?.['strategy'], {
      $ref: '#/definitions/io.k8s.api.apps.v1.DeploymentStrategy',
      'x-kubernetes-patch-strategy': 'retainKeys',
    });
    const protobuf = await request(server, 'GET', '/openapi/v2', undefined, PROTOBUF);
    t.equal(protobuf.statusCode, 200);
    t.ok(protobuf.rawPayload.length > 100_000, `${protobuf.rawPayload.length} protobuf bytes`);
  });

  t.test('one schema source per process', async (t) => {
    t.throws(() => acquireSchemaSource(undefined), /^cannot use the bundled schemas: another kubemu in this process serves --openapi /);
    const again = acquireSchemaSource(REFERENCE);
    again();
    t.match(schemaSource().label, /^--openapi /, 'the same file is shared');
  });
});

t.test('served kinds the file lacks keep their bundled entries, with a warning', async (t) => {
  if (!existsSync(REFERENCE)) {
    t.pass('skipped: no reference swagger.json');
    return;
  }
  t.equal(schemaSource().label, 'the bundled schemas', 'closing the last server restores the bundled source');
  const swagger = JSON.parse(readFileSync(REFERENCE, 'utf8')) as JsonObject;
  const paths = objectAt(swagger, 'paths') ?? {};
  for (const path of Object.keys(paths)) {
    const parsed = parseApiPath(path);
    if (parsed?.gvPath === 'apis/autoscaling/v2' || parsed?.target?.plural === 'leases') delete paths[path];
  }
  const dir = await mkdtemp(join(tmpdir(), 'kubemu-openapi-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'swagger.json');
  await writeFile(file, JSON.stringify(swagger));

  const warnings: string[] = [];
  const release = acquireSchemaSource(file, { warn: (message) => warnings.push(message) });
  t.teardown(release);
  t.same(warnings, [
    `--openapi ${file} has no autoscaling/v2 horizontalpodautoscalers; serving the bundled schemas for them`,
    `--openapi ${file} has no coordination.k8s.io/v1 leases; serving the bundled schemas for them`,
  ]);
  const resources = builtinResources();
  t.equal(resources.length, 38, 'still every served kind');
  t.ok(resources.find((r) => r.group === 'autoscaling' && r.version === 'v2' && r.plural === 'horizontalpodautoscalers'));
  const lease = openapiV3Document('apis/coordination.k8s.io/v1');
  const leaseDoc = JSON.parse(lease?.body.toString('utf8') ?? '{}') as JsonObject;
  t.ok(objectAt(objectAt(leaseDoc, 'paths'), '/apis/coordination.k8s.io/v1/namespaces/{namespace}/leases/{name}'), 'bundled lease paths');
  t.ok(isObject(schemasOf(JSON.stringify(leaseDoc))['io.k8s.api.coordination.v1.Lease']), 'bundled Lease schema');
  const hpa = schemasOf(openapiV3Document('apis/autoscaling/v2')?.body.toString('utf8') ?? '{}');
  t.ok(hpa['io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler'], 'bundled autoscaling/v2 document');
});
