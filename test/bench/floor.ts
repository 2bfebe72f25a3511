/**
 * The floor: a plain fastify server on 127.0.0.1 doing the least a Kubernetes-shaped JSON API
 * must do — check a bearer token, parse the JSON body, set namespace, a global counter as
 * resourceVersion and a timestamp, encode it once, keep the JSON in a Map keyed by
 * namespace/name and answer 201 with it; GET by name sends the kept JSON; LIST a namespace
 * joins the kept JSON of its items. The durable variant also writes each create to a raw classic-level DB with
 * one `put(..., { sync: true })` per request (no batching, no group commit of its own) before
 * answering. Reads come from the Map in both variants.
 * Owns: the baseline server of the API benchmark. Must not: import kubemu code.
 */

import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClassicLevel } from 'classic-level';
import fastify from 'fastify';

const JSON_TYPE = 'application/json';

/** Options of {@link startFloor}. */
export interface FloorOptions {
  /** Write every create to LevelDB with `sync: true` before answering. */
  durable: boolean;
}

/** A running floor server. */
export interface Floor {
  url: string;
  /** Bearer token it accepts. */
  token: string;
  close(): Promise<void>;
}

interface Stored {
  metadata: { name?: string; namespace?: string; resourceVersion?: string; creationTimestamp?: string };
  [field: string]: unknown;
}

interface Params {
  ns: string;
  plural: string;
  name?: string;
}

/** Starts a floor server on a free loopback port. */
export async function startFloor(options: FloorOptions): Promise<Floor> {
  const token = randomBytes(16).toString('hex');
  const dir = options.durable ? await mkdtemp(join(tmpdir(), 'kubemu-floor-')) : undefined;
  const db = dir ? new ClassicLevel<string, string>(join(dir, 'db')) : undefined;
  await db?.open();
  /** collection (`plural/namespace`) → name → the object's JSON, encoded once on create. */
  const collections = new Map<string, Map<string, string>>();
  let revision = 0;

  const app = fastify({ logger: false });
  app.addHook('onRequest', async (request, reply) => {
    if (request.headers.authorization !== `Bearer ${token}`) return reply.code(401).send({ kind: 'Status', code: 401 });
  });

  app.post<{ Params: Params; Body: Stored }>('/api/v1/namespaces/:ns/:plural', async (request, reply) => {
    const { ns, plural } = request.params;
    const object = request.body;
    const name = object?.metadata?.name;
    if (typeof name !== 'string') return reply.code(422).send({ kind: 'Status', code: 422 });
    let collection = collections.get(`${plural}/${ns}`);
    if (!collection) collections.set(`${plural}/${ns}`, (collection = new Map()));
    if (collection.has(name)) return reply.code(409).send({ kind: 'Status', code: 409 });
    object.metadata = { ...object.metadata, namespace: ns, resourceVersion: String(++revision), creationTimestamp: new Date().toISOString() };
    const json = JSON.stringify(object);
    collection.set(name, json);
    if (db) await db.put(`/${plural}/${ns}/${name}`, json, { sync: true });
    return reply.code(201).type(JSON_TYPE).send(json);
  });

  app.get<{ Params: Params }>('/api/v1/namespaces/:ns/:plural/:name', async (request, reply) => {
    const { ns, plural, name } = request.params;
    const json = collections.get(`${plural}/${ns}`)?.get(name!);
    return json === undefined ? reply.code(404).send({ kind: 'Status', code: 404 }) : reply.type(JSON_TYPE).send(json);
  });

  app.get<{ Params: Params }>('/api/v1/namespaces/:ns/:plural', async (request, reply) => {
    const { ns, plural } = request.params;
    const items = [...(collections.get(`${plural}/${ns}`)?.values() ?? [])].join(',');
    return reply.type(JSON_TYPE).send(`{"kind":"List","apiVersion":"v1","metadata":{"resourceVersion":"${revision}"},"items":[${items}]}`);
  });

  // Namespaces are cluster-scoped; the floor accepts them so a run can use the same setup.
  app.post('/api/v1/namespaces', async (_request, reply) => reply.code(201).send({ kind: 'Namespace' }));

  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    token,
    close: async () => {
      await app.close();
      await db?.close();
      if (dir) await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The transport ceiling: a bare node:http server answering every request with bytes built in
 * advance (201 + one object for POST, a 1,000-item list for a collection GET, one object for any
 * other GET), after draining the body. What the load generator and HTTP alone can reach.
 */
export async function startCeiling(): Promise<Floor> {
  const object = Buffer.from(JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'default', resourceVersion: '1' }, data: { key: 'x'.repeat(300) } }));
  const list = Buffer.from(`{"kind":"List","apiVersion":"v1","metadata":{"resourceVersion":"1"},"items":[${Array(1000).fill(object.toString()).join(',')}]}`);
  const server = createServer((request, response) => {
    request.on('data', () => {});
    request.on('end', () => {
      const collection = /^\/api\/v1\/namespaces\/[^/]+\/[^/]+$/.test(request.url ?? '');
      const body = request.method === 'GET' && collection ? list : object;
      response.writeHead(request.method === 'POST' ? 201 : 200, { 'content-type': JSON_TYPE, 'content-length': body.byteLength });
      response.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    token: 'none',
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
