// src/http/openapi-v3.ts: /openapi/v3 index and documents, ETags, hash caching, 404 Status.
import { createHash } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import t from 'tap';
import { openapiV3Plugin } from '../../src/http/openapi-v3.js';

async function build(): Promise<FastifyInstance> {
  const app = Fastify();
  await app.register(openapiV3Plugin);
  await app.ready();
  return app;
}

const sha512 = (body: Buffer | string): string => createHash('sha512').update(body).digest('hex').toUpperCase();

interface Index {
  paths: Record<string, { serverRelativeURL: string }>;
}

t.test('GET /openapi/v3 lists every served group-version with its hash', async (t) => {
  const app = await build();
  t.teardown(() => app.close());
  const res = await app.inject({ method: 'GET', url: '/openapi/v3' });
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-type'], /^application\/json/);
  t.equal(res.headers.etag, `"${sha512(res.rawPayload)}"`);
  const index = res.json<Index>();
  t.ok(index.paths['api/v1'] && index.paths['apis/apps/v1'] && index.paths['apis/autoscaling/v2'] && index.paths['apis/autoscaling/v1']);
  t.notOk(index.paths['apis/authentication.k8s.io/v1'], 'unserved group-version not listed');
  t.match(index.paths['apis/apps/v1']?.serverRelativeURL, /^\/openapi\/v3\/apis\/apps\/v1\?hash=[0-9A-F]{128}$/);

  const again = await app.inject({ method: 'GET', url: '/openapi/v3', headers: { 'if-none-match': res.headers.etag as string } });
  t.equal(again.statusCode, 304);
  t.equal(again.body, '');
});

t.test('GET /openapi/v3/<gv> serves the document with an ETag and answers If-None-Match with 304', async (t) => {
  const app = await build();
  t.teardown(() => app.close());
  const res = await app.inject({ method: 'GET', url: '/openapi/v3/apis/apps/v1' });
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-type'], /^application\/json/);
  t.equal(res.headers.vary, 'Accept');
  t.equal(res.headers.etag, `"${sha512(res.rawPayload)}"`);
  t.notOk(res.headers['cache-control'], 'no immutable caching without the hash');
  const doc = res.json<{ openapi: string; paths: Record<string, unknown>; components: { schemas: Record<string, unknown> } }>();
  t.equal(doc.openapi, '3.0.0');
  t.ok(doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}']);
  t.ok(doc.components.schemas['io.k8s.api.apps.v1.Deployment']);

  const cached = await app.inject({ method: 'GET', url: '/openapi/v3/apis/apps/v1', headers: { 'if-none-match': res.headers.etag as string } });
  t.equal(cached.statusCode, 304);
  t.equal(cached.body, '');
  t.equal(cached.headers.etag, res.headers.etag);

  const other = await app.inject({ method: 'GET', url: '/openapi/v3/apis/apps/v1', headers: { 'if-none-match': '"0000"' } });
  t.equal(other.statusCode, 200, 'a different etag gets the body');
});

t.test('GET /openapi/v3/<gv>?hash=<etag> is immutable; a stale hash redirects to the current one', async (t) => {
  const app = await build();
  t.teardown(() => app.close());
  const index = (await app.inject({ method: 'GET', url: '/openapi/v3' })).json<Index>();
  const url = index.paths['api/v1']?.serverRelativeURL as string;
  const res = await app.inject({ method: 'GET', url });
  t.equal(res.statusCode, 200);
  t.match(res.headers['cache-control'], /public, immutable/);
  t.match(res.headers['cache-control'], /max-age=31536000/);
  const expires = Date.parse(String(res.headers.expires));
  t.ok(expires - Date.now() > 360 * 24 * 3600 * 1000, 'expires about a year ahead');
  t.equal(`/openapi/v3/api/v1?hash=${sha512(res.rawPayload)}`, url, 'index hash is the document etag');

  const stale = await app.inject({ method: 'GET', url: '/openapi/v3/api/v1?hash=ABC' });
  t.equal(stale.statusCode, 301);
  t.equal(stale.headers.location, url);
});

t.test('GET /openapi/v3/<unknown> is a 404 Kubernetes Status', async (t) => {
  const app = await build();
  t.teardown(() => app.close());
  for (const url of ['/openapi/v3/apis/nope.example.com/v1', '/openapi/v3/apis/authentication.k8s.io/v1', '/openapi/v3/']) {
    const res = await app.inject({ method: 'GET', url });
    t.equal(res.statusCode, 404, url);
    t.match(res.headers['content-type'], /^application\/json/);
    t.match(res.json(), { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404 });
  }
});

t.test('GET /openapi/v3/<gv> refuses an Accept without JSON and honours one with it', async (t) => {
  const app = await build();
  t.teardown(() => app.close());
  const proto = await app.inject({ method: 'GET', url: '/openapi/v3/api/v1', headers: { accept: 'application/com.github.proto-openapi.spec.v3.v1.0+protobuf' } });
  t.equal(proto.statusCode, 406);
  t.match(proto.json(), { kind: 'Status', code: 406, reason: 'NotAcceptable' });
  const either = await app.inject({
    method: 'GET',
    url: '/openapi/v3/api/v1',
    headers: { accept: 'application/com.github.proto-openapi.spec.v3.v1.0+protobuf, application/json;q=0.9' },
  });
  t.equal(either.statusCode, 200);
});
