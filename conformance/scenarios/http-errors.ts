/**
 * Conformance scenarios: Status errors produced before or around the registry — authentication
 * (401), body size (413, kube-apiserver's default MaxRequestBodyBytes is 3 MiB), undecodable JSON
 * (400, apiserver handlers/rest.go transformDecodeError) and unknown paths (404).
 * Must not: depend on kubemu specifics.
 */
import { expectEqual, expectFailure, expectStatus, pick, scenario } from '../harness.js';
import { configMapJson } from './manifests.js';

/** No credentials at all: 401 Unauthorized (403 for system:anonymous where anonymous auth is on). */
export const noCredentials = scenario({
  name: 'http/unauthorized-no-credentials',
  async run(ctx) {
    const res = await ctx.http('GET', '/api/v1/namespaces', { auth: false });
    if (res.status === 403) {
      // A real cluster started with --anonymous-auth=true (the default) authenticates as system:anonymous.
      expectStatus(
        res,
        { code: 403, reason: 'Forbidden', message: 'namespaces is forbidden: User "system:anonymous" cannot list resource "namespaces" in API group "" at the cluster scope' },
        'anonymous GET /api/v1/namespaces',
      );
      return;
    }
    expectStatus(res, { code: 401, reason: 'Unauthorized', message: 'Unauthorized' }, 'GET /api/v1/namespaces without credentials');
  },
});

/** A bearer token nobody issued: always 401, even where anonymous requests are allowed. */
export const badToken = scenario({
  name: 'http/unauthorized-bad-token',
  async run(ctx) {
    const res = await ctx.http('GET', '/api/v1/namespaces', { auth: false, headers: { authorization: 'Bearer not-a-token-anyone-issued' } });
    expectStatus(res, { code: 401, reason: 'Unauthorized', message: 'Unauthorized' }, 'GET with an unknown bearer token');
  },
});

/** A 4 MiB body is over the 3 MiB request limit. */
export const bodyTooLarge = scenario({
  name: 'http/body-too-large',
  namespace: true,
  async run(ctx) {
    const body = JSON.stringify(configMapJson('big', { a: 'x'.repeat(4 * 1024 * 1024) }));
    const res = await ctx.http('POST', `/api/v1/namespaces/${ctx.namespace}/configmaps`, { body, headers: { 'content-type': 'application/json' } });
    expectStatus(res, { code: 413, reason: 'RequestEntityTooLarge', message: 'Request entity too large: limit is 3145728' }, 'POST of a 4 MiB configmap');
    const after = await ctx.http('GET', `/api/v1/namespaces/${ctx.namespace}/configmaps/big`);
    expectEqual(after.status, 404, 'the oversized configmap was not stored');
  },
});

/** A truncated JSON body: 400 BadRequest with the decoder's message and a summary of the body. */
export const malformedJson = scenario({
  name: 'http/malformed-json',
  namespace: true,
  async run(ctx) {
    const body = '{"apiVersion":"v1",';
    const res = await ctx.http('POST', `/api/v1/namespaces/${ctx.namespace}/configmaps`, { body, headers: { 'content-type': 'application/json' } });
    expectStatus(
      res,
      {
        code: 400,
        reason: 'BadRequest',
        message: `the object provided is unrecognized (must be of type ConfigMap): couldn't get version/kind; json parse error: unexpected end of JSON input (${body})`,
      },
      'POST of truncated JSON',
    );
  },
});

/**
 * An unknown resource of a served group-version: 404 Status (kube-apiserver's go-restful
 * container answers through NewGenericServerResponse), and kubectl's RESTMapper error.
 * (Unknown groups fall through to a plain-text `404 page not found` upstream; not checked here.)
 */
export const unknownResource = scenario({
  name: 'http/unknown-resource',
  async run(ctx) {
    const res = await ctx.http('GET', '/api/v1/namespaces/default/foos');
    expectStatus(res, { code: 404, reason: 'NotFound', message: 'the server could not find the requested resource' }, 'GET of an unknown resource');
    expectEqual(pick(res.json, 'apiVersion'), 'v1', 'Status apiVersion');
    const group = await ctx.http('GET', '/apis/nonexistent.example.com/v1/foos');
    expectEqual(group.status, 404, 'GET in an unknown group: status');
    expectFailure(await ctx.kubectl(['get', 'foos']), 'error: the server doesn\'t have a resource type "foos"', 'kubectl get foos');
  },
});
