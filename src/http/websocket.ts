/**
 * Watches over a websocket: a client that upgrades a `?watch=true` collection request gets the
 * same events as over chunked HTTP, one per message. Anything else that upgrades is told why in
 * a close frame.
 * Owns: the upgrade entry point. Must not: hold watch logic (watch.ts does).
 */
import type { FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import { isStatusError, methodNotSupported, pathNotFound } from '../api/errors.js';
import { parseListOptions } from '../api/list-options.js';
import type { Registry } from '../registry/registry.js';
import { negotiateOutput } from './negotiate.js';
import type { Query } from './options.js';
import { watchParams, type ReadSettings } from './reads.js';
import { parseApiPath } from './request-info.js';
import { serveWebsocketWatch } from './watch.js';

/** Handles an upgraded GET on an API path. */
export function websocketWatch(registry: Registry, settings: ReadSettings, socket: WebSocket, request: FastifyRequest): void {
  try {
    const path = parseApiPath(request.url.split('?')[0]!);
    if (!path || path.type !== 'resource' || path.subresource) throw pathNotFound();
    const store = registry.store(path.group, path.version, path.resource);
    if (!store) throw pathNotFound();
    const { info } = store;
    const query = request.query as Query;
    const options = parseListOptions(query, info.group ? `${info.group}/${info.plural}` : info.plural, store.hooks ? { fieldLabels: store.hooks.fieldLabels } : {});
    if (!options.watch || path.name) throw methodNotSupported({ group: info.group, name: info.plural }, 'websocket upgrade without watch');
    const format = negotiateOutput(request.headers.accept, false);
    serveWebsocketWatch(socket, watchParams(store, settings, options, path.namespace, format, query));
  } catch (err) {
    const message = isStatusError(err) ? JSON.stringify(err.status) : 'internal error';
    socket.send(message);
    socket.close(1011, isStatusError(err) ? err.status.reason : 'error');
  }
}
