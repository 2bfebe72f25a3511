/**
 * Routes of the pod-io subresources: `GET pods/<name>/log` (a text stream), and `pods/<name>/
 * exec|attach|portforward` upgraded to a websocket (GET with a channel subprotocol). Every check
 * that upstream makes before reaching a kubelet runs BEFORE the upgrade, so a refused request is
 * an ordinary HTTP Status and the client shows its message. SPDY/3.1 upgrades (POST; kubectl
 * ≤ 1.29, 1.30's port-forward and fallback) and 1.31+'s SPDY-in-websocket port-forward tunnel are
 * served by spdy/, which drives the same backend calls through a channel endpoint.
 * Owns: HTTP/websocket/SPDY entry of pod I/O. Must not: produce pod output (backends do).
 */
import type { Duplex } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import { badRequest, isStatusError } from '../../api/errors.js';
import type { StoredObject } from '../../api/types.js';
import type { ChannelSocket, PodIO } from './backend.js';
import { offeredProtocols, pickProtocol, servedProtocols, frame, ERROR } from './channel.js';
import { logOptions, portForwardPorts, requireNode, streamOptions, type RawQuery } from './options.js';
import { portForwardOverSpdy } from './spdy/portforward.js';
import { remoteCommandOverSpdy } from './spdy/remotecommand.js';
import type { SpdySession, Transport } from './spdy/session.js';
import {
  acceptSpdyTunnel, acceptSpdyUpgrade, aliasTunnelProtocol, isSpdyUpgrade, negotiateStreamProtocol, restoreTunnelProtocol,
  SPDY_PORT_FORWARD_PROTOCOLS, SPDY_REMOTE_COMMAND_PROTOCOLS, TUNNELED_PORT_FORWARD, TUNNELED_PORT_FORWARD_TOKEN,
} from './spdy/upgrade.js';

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
  run: (socket: WebSocket) => void;
  /** The SPDY session of this request on `transport` (POST upgrade or websocket tunnel). */
  spdy: (transport: Transport) => SpdySession;
}

const CHECKED = Symbol('pod-io-checked');
type WithChecked = FastifyRequest & { [CHECKED]?: Checked };

const isUpgrade = (request: FastifyRequest): boolean => /\bupgrade\b/i.test(String(request.headers.connection ?? '')) && !!request.headers.upgrade;
const isWebsocket = (request: FastifyRequest): boolean => String(request.headers.upgrade ?? '').toLowerCase() === 'websocket';

function queryString(request: FastifyRequest): string {
  const at = request.url.indexOf('?');
  return at < 0 ? '' : request.url.slice(at + 1);
}

function noProtocol(sub: Sub, offered: string[]): Error {
  return badRequest(`unable to upgrade: unable to negotiate protocol: client supports [${offered.join(' ')}], server supports [${servedProtocols(`/api/v1/namespaces/n/pods/p/${sub}`)!.map((p) => (p === TUNNELED_PORT_FORWARD_TOKEN ? TUNNELED_PORT_FORWARD : p)).join(' ')}]`);
}

/** A backend that refused to start: its Status on the error channel (port forwarding: the message on channel 1). */
function reportStartError(socket: ChannelSocket, err: unknown, portForward = false): void {
  const status = isStatusError(err) ? err.status : badRequest(String(err)).status;
  const message = portForward ? frame(1, String(status.message ?? '')) : frame(ERROR, JSON.stringify(status));
  socket.send(message, () => socket.close(1000));
}

/** The socket and the bytes after the request head of an upgrade that @fastify/websocket routed. */
function upgradedSocket(request: FastifyRequest): { socket: Duplex; head: Buffer | undefined } {
  const raw = request.raw as FastifyRequest['raw'] & Record<symbol, unknown>;
  const symbols = Object.getOwnPropertySymbols(raw);
  // Only a request Node handed over as an upgrade has a socket free of the HTTP parser.
  if (!symbols.some((k) => k.description === 'ws-socket')) throw badRequest('Upgrade request required');
  const headKey = symbols.find((k) => k.description === 'ws-head');
  const head = headKey ? raw[headKey] : undefined;
  return { socket: raw.socket, head: Buffer.isBuffer(head) ? head : undefined };
}

/** Registers the pod-io routes on `app` (after authentication and authorization). */
export function podIORoutes(app: FastifyInstance, options: PodIORouteOptions): void {
  (app as FastifyInstance & { websocketServer?: { on(event: 'headers', listener: (lines: string[]) => void): void } }).websocketServer?.on('headers', restoreTunnelProtocol);
  // Upgraded SPDY sockets are no longer the HTTP server's: closing the server closes them.
  const spdySockets = new Set<Duplex>();
  app.addHook('preClose', (done) => {
    for (const socket of spdySockets) socket.destroy();
    done();
  });
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
        const forward = (port: number, socket: ChannelSocket) => options.backend(pod).portForward(pod, [port], { socket, protocol: socket.protocol, query: `ports=${port}` });
        return {
          run: (socket) => options.backend(pod).portForward(pod, ports, { socket, protocol: socket.protocol, query: queryString(request) }),
          spdy: (transport) => portForwardOverSpdy(transport, forward, (socket, err) => reportStartError(socket, err, true)),
        };
      }
      const opts = streamOptions(pod, query, sub);
      requireNode(pod);
      const backend = options.backend(pod);
      const start = sub === 'exec' ? backend.exec.bind(backend) : backend.attach.bind(backend);
      return {
        run: (socket) => start(pod, opts, { socket, protocol: socket.protocol, query: queryString(request) }),
        spdy: (transport) => remoteCommandOverSpdy(transport, opts, (socket) => start(pod, opts, { socket, protocol: socket.protocol, query: queryString(request) }), reportStartError),
      };
    };
    app.route({
      method: 'GET',
      url: `${base}/${sub}`,
      preHandler: async (request: FastifyRequest) => {
        const checked = check(request);
        if (sub === 'portforward' && isWebsocket(request)) aliasTunnelProtocol(request.raw.headers);
        const offered = offeredProtocols(request.headers['sec-websocket-protocol']);
        if (isWebsocket(request) && !pickProtocol(offered, servedProtocols(request.url)!)) throw noProtocol(sub, offered);
        (request as WithChecked)[CHECKED] = checked;
      },
      handler: async () => {
        throw badRequest('Upgrade request required');
      },
      wsHandler: (socket: WebSocket, request: FastifyRequest) => {
        const checked = (request as WithChecked)[CHECKED];
        try {
          if (!checked) throw badRequest('Upgrade request required');
          if (socket.protocol === TUNNELED_PORT_FORWARD_TOKEN) acceptSpdyTunnel(socket, checked.spdy);
          else checked.run(socket);
        } catch (err) {
          reportStartError(socket, err);
        }
      },
    });
    app.route({
      method: 'POST',
      url: `${base}/${sub}`,
      preHandler: async (request: FastifyRequest, reply: FastifyReply) => {
        const checked = check(request);
        if (!isUpgrade(request)) throw badRequest('Upgrade request required');
        if (!isSpdyUpgrade(request.headers)) throw badRequest(`unsupported upgrade ${JSON.stringify(String(request.headers.upgrade))}: pods/${sub} upgrades to SPDY/3.1 on POST, or to a websocket on GET`);
        const protocol = negotiateStreamProtocol(request.headers, sub === 'portforward' ? SPDY_PORT_FORWARD_PROTOCOLS : SPDY_REMOTE_COMMAND_PROTOCOLS);
        const { socket, head } = upgradedSocket(request);
        reply.hijack();
        spdySockets.add(socket);
        socket.once('close', () => spdySockets.delete(socket));
        acceptSpdyUpgrade(socket, head, protocol, checked.spdy);
      },
      handler: async () => {
        throw badRequest('Upgrade request required');
      },
    });
  }
}
