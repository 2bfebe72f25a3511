/**
 * CRDs survive a restart on LevelDB: the CRD controller serves stored CRDs again before the
 * server answers its first request, so custom resources are readable at once; and a default
 * added to the CRD schema later shows on objects stored before it (defaulting on read).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { withDefaults } from '../../src/cli/config.js';
import { buildServer } from '../../src/server.js';
import { cronTabCrd } from './fixtures.js';

type Json = Record<string, any>;
const CRDS = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
const CRONTABS = '/apis/stable.example.com/v1/namespaces/default/crontabs';

async function open(dataDir: string) {
  const server = await buildServer(withDefaults({ storage: 'level', dataDir, tls: false, port: 0, controllers: false }));
  const json = (method: 'GET' | 'POST' | 'PUT', url: string, body?: unknown) =>
    server.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${server.adminToken}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    });
  return { server, json };
}

t.test('stored CRDs are served again after a restart; read defaults follow the schema', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'kubemu-crd-'));
  t.teardown(() => rm(dataDir, { recursive: true, force: true }));
  const first = await open(dataDir);
  t.equal((await first.json('POST', CRDS, cronTabCrd())).statusCode, 201);
  await first.server.crds.idle();
  t.equal((await first.json('POST', CRONTABS, { metadata: { name: 'c' }, spec: { image: 'x' } })).statusCode, 201);
  await first.server.close();

  const second = await open(dataDir);
  t.teardown(() => second.server.close());
  const got = await second.json('GET', `${CRONTABS}/c`);
  t.equal(got.statusCode, 200, 'served at once after the restart');
  t.same(got.json().spec, { image: 'x', replicas: 1 });

  const crd = (await second.json('GET', `${CRDS}/crontabs.stable.example.com`)).json() as Json;
  crd.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.image.default = 'busybox';
  crd.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.cronSpec.default = '* * * * *';
  const updated = await second.json('PUT', `${CRDS}/crontabs.stable.example.com`, crd);
  t.equal(updated.statusCode, 200, updated.body);
  t.equal(updated.json().metadata.generation, 2);
  await second.server.crds.idle();
  const after = await second.json('GET', `${CRONTABS}/c`);
  t.same(after.json().spec, { image: 'x', replicas: 1, cronSpec: '* * * * *' }, 'the new default shows on the stored object');
});
