/**
 * Routes of the pod-io subresources: `GET pods/<name>/log` (a text stream), and `pods/<name>/
 * exec|attach|portforward` upgraded to a websocket (GET with a channel subprotocol). Every check
 * that upstream makes before reaching a kubelet runs BEFORE the upgrade, so a refused request is
 * an ordinary HTTP Status and the client shows its message. SPDY/3.1 upgrades (kubectl ≤ 1.29,
 * and 1.30+'s fallback) are not served: they get a 400 Status that says so, after the same checks.
 * Owns: HTTP/websocket entry of pod I/O. Must not: produce pod output (backends do).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import { badRequest, isStatusError } from '../../api/errors.js';
import type { StoredObject } from '../../api/types.js';
import type { PodIO } from './backend.js';
import { offeredProtocols, pickProtocol, PORT_FORWARD_PROTOCOLS, REMOTE_COMMAND_PROTOCOLS, frame, ERROR } from './channel.js';
import { logOptions, portForwardPorts, requireNode, streamOptions, type RawQuery } from './options.js';

/** What the routes need. */
export interface PodIORouteOptions {
  /** The pod (throws the upstream 404 when absent). */
  getPod(namespace: string, name: string): StoredObject;
  /** The backend for this pod (the relay when it is synced to a host, else the simulated nodes). */
  backend(pod: StoredObject): PodIO;
}

type Sub = 'exec' | 'attach' | 'portforward';
type Params = { namespace: string; name: string };

/** What was checked before an upgrade, kept for the websocket handler. */
interface Checked {
  pod: StoredObject;
  run: (socket: WebSocket) => void;
}

const CHECKED = Symbol('pod-io-checked');
type WithChecked = FastifyRequest & { [CHECKED]?: Checked };

const isUpgrade = (request: FastifyRequest): boolean => /\bupgrade\b/i.test(String(request.headers.connection ?? '')) && !!request.headers.upgrade;
const isWebsocket = (request: FastifyRequest): boolean => String(request.headers.upgrade ?? '').toLowerCase() === 'websocket';

function queryString(request: FastifyRequest): string {
  const at = request.url.indexOf('?');
  return at < 0 ? '' : request.url.slice(at + 1);
}

function spdyRefusal(sub: Sub): Error {
  const protocols = sub === 'portforward' ? PORT_FORWARD_PROTOCOLS : REMOTE_COMMAND_PROTOCOLS;
  const kubectl = sub === 'portforward' ? 'kubemu does not serve `kubectl port-forward`, which needs SPDY' : 'use kubectl 1.30 or newer, which speaks websockets';
  return badRequest(`kubemu serves pods/${sub} over websockets only (subprotocols ${protocols.join(', ')}); SPDY/3.1 upgrades are not supported: ${kubectl}`);
}

/** Registers the pod-io routes on `app` (after authentication and authorization). */
export function podIORoutes(app: FastifyInstance, options: PodIORouteOptions): void {
  const base = '/api/v1/namespaces/:namespace/pods/:name';

  app.get(`${base}/log`, async (request: FastifyRequest, reply: FastifyReply) => {
    const { namespace, name } = request.params as Params;
    const pod = options.getPod(namespace, name);
    const opts = logOptions(pod, request.query as RawQuery);
    const nodeName = (pod.spec as { nodeName?: string } | undefined)?.nodeName;
    // Upstream answers an empty log for a pod without a node.
    if (!nodeName) return reply.code(200).type('text/plain').send('');
    const abort = new AbortController();
    const body = await options.backend(pod).logs(pod, opts, abort.signal);
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
    raw.flushHeaders();
    raw.on('close', () => abort.abort());
    try {
      for await (const chunk of body) {
        if (raw.destroyed) break;
        raw.write(chunk);
      }
    } catch (err) {
      request.log.warn({ err }, 'pod log stream failed');
    } finally {
      abort.abort();
      raw.end();
    }
  });

  for (const sub of ['exec', 'attach', 'portforward'] as const) {
    const check = (request: FastifyRequest): Checked => {
      const { namespace, name } = request.params as Params;
      const pod = options.getPod(namespace, name);
      const query = request.query as RawQuery;
      if (sub === 'portforward') {
        const ports = portForwardPorts(query);
        requireNode(pod);
        return { pod, run: (socket) => options.backend(pod).portForward(pod, ports, { socket, protocol: socket.protocol, query: queryString(request) }) };
      }
      const opts = streamOptions(pod, query, sub);
      requireNode(pod);
      const backend = options.backend(pod);
      const start = sub === 'exec' ? backend.exec.bind(backend) : backend.attach.bind(backend);
      return { pod, run: (socket) => start(pod, opts, { socket, protocol: socket.protocol, query: queryString(request) }) };
    };
    const served = sub === 'portforward' ? PORT_FORWARD_PROTOCOLS : REMOTE_COMMAND_PROTOCOLS;
    app.route({
      method: 'GET',
      url: `${base}/${sub}`,
      preHandler: async (request: FastifyRequest) => {
        const checked = check(request);
        if (isWebsocket(request) && !pickProtocol(offeredProtocols(request.headers['sec-websocket-protocol']), served)) throw spdyRefusal(sub);
        (request as WithChecked)[CHECKED] = checked;
      },
      handler: async () => {
        throw badRequest('Upgrade request required');
      },
      wsHandler: (socket: WebSocket, request: FastifyRequest) => {
        const checked = (request as WithChecked)[CHECKED];
        try {
          if (!checked) throw badRequest('Upgrade request required');
          checked.run(socket);
        } catch (err) {
          const status = isStatusError(err) ? err.status : badRequest(String(err)).status;
          socket.send(frame(ERROR, JSON.stringify(status)), () => socket.close(1000));
        }
      },
    });
    app.route({
      method: 'POST',
      url: `${base}/${sub}`,
      preHandler: async (request: FastifyRequest) => {
        check(request);
        if (!isUpgrade(request)) throw badRequest('Upgrade request required');
        throw spdyRefusal(sub);
      },
      handler: async () => {
        throw badRequest('Upgrade request required');
      },
    });
  }
}
