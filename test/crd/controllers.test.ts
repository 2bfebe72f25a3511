/**
 * Custom resources and the built-in controllers: deleting a namespace deletes the custom
 * resources in it (discovery-driven namespace cleanup). (The garbage collector watches a fixed
 * set of built-in resources, so custom resources are not collected yet.)
 */
import t from 'tap';
import { withDefaults } from '../../src/cli/config.js';
import { buildServer } from '../../src/server.js';
import { cronTabCrd } from './fixtures.js';

const CRDS = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';

async function eventually(check: () => Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

t.test('namespace deletion deletes the custom resources in it', async (t) => {
  t.setTimeout(60_000);
  const server = await buildServer(withDefaults({ storage: 'memory', tls: false, port: 0, controllers: true, nodes: 0 }));
  t.teardown(() => server.close());
  const json = (method: 'GET' | 'POST' | 'DELETE', url: string, body?: unknown) =>
    server.app.inject({ method, url, headers: { authorization: `Bearer ${server.adminToken}`, 'content-type': 'application/json' }, ...(body === undefined ? {} : { payload: JSON.stringify(body) }) });
  t.equal((await json('POST', CRDS, cronTabCrd())).statusCode, 201);
  await server.crds.idle();
  t.equal((await json('POST', '/api/v1/namespaces', { metadata: { name: 'gone' } })).statusCode, 201);
  t.equal((await json('POST', '/apis/stable.example.com/v1/namespaces/gone/crontabs', { metadata: { name: 'c' }, spec: {} })).statusCode, 201);
  t.equal((await json('DELETE', '/api/v1/namespaces/gone')).statusCode, 200);
  await eventually(async () => (await json('GET', '/api/v1/namespaces/gone')).statusCode === 404, 'namespace gone');
  t.equal((await json('GET', '/apis/stable.example.com/v1/namespaces/gone/crontabs/c')).statusCode, 404, 'custom resource deleted with its namespace');

});
