/**
 * The host relay of pod I/O: for a virtual cluster whose pods run in a host cluster, `pods/log`,
 * `exec`, `attach` and `portforward` of a virtual pod are answered by the host pod it is synced
 * to (name from translate.ts). Logs are piped from the host's log stream; the three streaming
 * subresources open a websocket to the host with the subprotocol the client negotiated
 * (v5/v4 channel protocols, port-forward's v4) and pass frames through unchanged both ways.
 * A host refusal (non-101 answer) reaches the client as the host's Status on the error channel.
 * SPDY clients (kubectl ≤ 1.30, 1.31+'s port-forward tunnel) are terminated in kubemu
 * (http/pod-io/spdy): the relay sees the same channel socket (`v5.channel.k8s.io` for exec and
 * attach, one `v4.channel.k8s.io` port-forward per forwarded connection) and talks websockets
 * to the host.
 * Owns: host connections of pod I/O. Must not: sync objects or parse channel payloads.
 */
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { WebSocket, type RawData } from 'ws';
import { notFound, StatusError } from '../api/errors.js';
import type { StoredObject } from '../api/types.js';
import { statusErrorOf } from '../client/http-transport.js';
import type { HostSyncConfig } from '../cli/config.js';
import { connectionFromKubeconfig, loadKubeconfig, type Connection } from '../client/kubeconfig.js';
import type { LogOptions, PodIO, Session, StreamOptions } from '../http/pod-io/backend.js';
import { frame, ERROR, V4 } from '../http/pod-io/channel.js';
import { hostPodName, type NamespacedName, type TranslateContext } from './translate.js';

/** Options of {@link createPodRelay}. */
export interface PodRelayOptions {
  /** The host API server and credentials (loadKubeconfig, or inClusterConnection()). */
  host: Connection;
  /** Where a virtual pod runs on the host. */
  hostPod(pod: StoredObject): NamespacedName;
  /**
   * Reads the connection again (a kubeconfig whose `tokenFile` the kubelet rotates); the relay
   * takes the bearer token from it at most every {@link TOKEN_REFRESH_MS}.
   */
  reload?: () => Connection;
  /** Milliseconds a reloaded token is used (default {@link TOKEN_REFRESH_MS}). */
  tokenRefreshMs?: number;
}

/** How long a bearer token read through `reload` is used before reading it again. */
export const TOKEN_REFRESH_MS = 60_000;

function readAll(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => (text += chunk));
    res.on('end', () => resolve(text));
    res.on('error', reject);
  });
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function logQuery(options: LogOptions): URLSearchParams {
  const query = new URLSearchParams({ container: options.container });
  if (options.follow) query.set('follow', 'true');
  if (options.previous) query.set('previous', 'true');
  if (options.timestamps) query.set('timestamps', 'true');
  if (options.tailLines !== undefined) query.set('tailLines', String(options.tailLines));
  if (options.sinceSeconds !== undefined) query.set('sinceSeconds', String(options.sinceSeconds));
  if (options.sinceTime) query.set('sinceTime', options.sinceTime);
  if (options.limitBytes !== undefined) query.set('limitBytes', String(options.limitBytes));
  return query;
}

/** See the module comment. */
class PodRelay implements PodIO {
  readonly #base: URL;
  readonly #hostPod: PodRelayOptions['hostPod'];
  readonly #agent: http.Agent;
  /** The host's TLS settings, for the log agent and the websockets alike. */
  readonly #tls: https.AgentOptions;
  readonly #reload: (() => Connection) | undefined;
  readonly #refreshMs: number;
  #token: { value: string | undefined; at: number };

  constructor(options: PodRelayOptions) {
    this.#reload = options.reload;
    this.#refreshMs = options.tokenRefreshMs ?? TOKEN_REFRESH_MS;
    this.#token = { value: options.host.token, at: Date.now() };
    this.#base = new URL(options.host.server.replace(/\/+$/, ''));
    this.#hostPod = options.hostPod;
    const h = options.host;
    this.#tls = {
      ...(h.ca ? { ca: h.ca } : {}),
      ...(h.cert && h.key ? { cert: h.cert, key: h.key } : {}),
      ...(h.servername ? { servername: h.servername } : {}),
      rejectUnauthorized: !h.insecure,
    };
    this.#agent = this.#base.protocol === 'https:' ? new https.Agent({ keepAlive: true, ...this.#tls }) : new http.Agent({ keepAlive: true });
  }

  #url(pod: StoredObject, sub: string, query: string, websocket: boolean): URL {
    const target = this.#hostPod(pod);
    const url = new URL(this.#base.href);
    url.pathname = `${url.pathname.replace(/\/$/, '')}/api/v1/namespaces/${encodeURIComponent(target.namespace)}/pods/${encodeURIComponent(target.name)}/${sub}`;
    url.search = query;
    if (websocket) url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    return url;
  }

  #headers(): Record<string, string> {
    if (this.#reload && Date.now() - this.#token.at >= this.#refreshMs) {
      try {
        this.#token = { value: this.#reload().token, at: Date.now() };
      } catch {
        this.#token.at = Date.now(); // keep the last token; the host answers 401 if it expired
      }
    }
    return this.#token.value ? { authorization: `Bearer ${this.#token.value}` } : {};
  }

  /** A host 404 names the host pod: answer with the virtual one instead. */
  #virtualError(err: StatusError, pod: StoredObject): StatusError {
    if (err.code === 404 && err.status.reason === 'NotFound') return notFound({ group: '', name: 'pods' }, pod.metadata.name);
    return err;
  }

  logs(pod: StoredObject, options: LogOptions, signal: AbortSignal): Promise<AsyncIterable<Uint8Array>> {
    const url = this.#url(pod, 'log', logQuery(options).toString(), false);
    return new Promise((resolve, reject) => {
      const request = (url.protocol === 'https:' ? https : http).request(url, { method: 'GET', agent: this.#agent, headers: { ...this.#headers(), accept: '*/*' } }, (res) => {
        const code = res.statusCode ?? 0;
        if (code !== 200) {
          readAll(res).then((text) => reject(this.#virtualError(statusErrorOf(code, parse(text), text), pod)), reject);
          return;
        }
        signal.addEventListener('abort', () => res.destroy(), { once: true });
        resolve(
          (async function* () {
            try {
              for await (const chunk of res) yield chunk as Buffer;
            } catch (err) {
              if (!signal.aborted) throw err;
            }
          })(),
        );
      });
      request.on('error', reject);
      signal.addEventListener('abort', () => request.destroy(), { once: true });
      request.end();
    });
  }

  exec(pod: StoredObject, _options: StreamOptions, session: Session): void {
    this.#pipe(pod, 'exec', session);
  }

  attach(pod: StoredObject, _options: StreamOptions, session: Session): void {
    this.#pipe(pod, 'attach', session);
  }

  portForward(pod: StoredObject, _ports: number[], session: Session): void {
    this.#pipe(pod, 'portforward', session);
  }

  /** Opens the host websocket and passes frames both ways until either side closes. */
  #pipe(pod: StoredObject, sub: string, session: Session): void {
    const client = session.socket;
    const upstream = new WebSocket(this.#url(pod, sub, session.query, true), [session.protocol], { headers: this.#headers(), ...this.#tls });
    const pending: { data: RawData; binary: boolean }[] = [];
    const fail = (err: StatusError) => {
      // Port forwarding has no Status channel: the first port's error channel carries the message.
      const message = sub === 'portforward' && session.protocol === V4 ? frame(1, err.message) : frame(ERROR, JSON.stringify(err.status));
      if (client.readyState === WebSocket.OPEN) client.send(message, () => client.close(1000));
    };
    client.on('message', (data, binary) => {
      if (upstream.readyState === WebSocket.OPEN) upstream.send(data, { binary });
      else pending.push({ data, binary });
    });
    client.on('close', () => upstream.readyState === WebSocket.CONNECTING ? upstream.terminate() : upstream.close());
    upstream.on('open', () => {
      for (const { data, binary } of pending.splice(0)) upstream.send(data, { binary });
    });
    upstream.on('message', (data, binary) => {
      if (client.readyState === WebSocket.OPEN) client.send(data, { binary });
    });
    upstream.on('close', (code) => {
      if (client.readyState === WebSocket.OPEN) client.close(code === 1005 || code === 1006 ? 1000 : code);
    });
    upstream.on('unexpected-response', (_req, res) => {
      readAll(res).then(
        (text) => fail(this.#virtualError(statusErrorOf(res.statusCode ?? 0, parse(text), text), pod)),
        (err: unknown) => fail(new StatusError(500, 'InternalError', `Internal error occurred: ${String(err)}`)),
      );
    });
    upstream.on('error', (err) => fail(new StatusError(500, 'InternalError', `Internal error occurred: error dialing the host pod: ${err.message}`)));
  }
}

/** A PodIO that relays every pod's I/O to the host pod `hostPod(pod)` names. */
export function createPodRelay(options: PodRelayOptions): PodIO {
  return new PodRelay(options);
}

/**
 * The relay of a virtual cluster: host pods named by translate.ts's hostPodName. Wire it with
 * `server.setPodIO(() => relay)` when a host is attached.
 */
export function hostPodRelay(host: Connection, ctx: TranslateContext, reload?: () => Connection): PodIO {
  return createPodRelay({
    host,
    hostPod: (pod) => hostPodName(ctx, { namespace: pod.metadata.namespace ?? '', name: pod.metadata.name }),
    ...(reload ? { reload } : {}),
  });
}

/**
 * The relay for the server's `hostCluster` config (`--host-kubeconfig` or `--host-in-cluster`):
 * what server.ts installs with `setPodIO` when a host is attached.
 */
export function relayForHostCluster(config: HostSyncConfig): PodIO {
  const read = () => (config.kubeconfigText !== undefined ? connectionFromKubeconfig(config.kubeconfigText) : loadKubeconfig(config.kubeconfig ?? ''));
  return hostPodRelay(read(), { vcluster: config.name, hostNamespace: config.namespace }, read);
}
