/**
 * Reads: GET of one object, LIST (selectors, pagination with continue tokens consistent with
 * the first page, resourceVersion and resourceVersionMatch semantics) and WATCH, all answered
 * from the watch cache, in JSON, YAML, Table or PartialObjectMetadata as negotiated.
 * Owns: read requests ⇄ cache. Must not: hold resource-specific rules.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { apiVersionOf } from '../api/resource.js';
import { parseGetOptions, parseListOptions, parseResourceVersion, type ListOptions } from '../api/list-options.js';
import {
  continueAfter,
  encodeContinueToken,
  expiredContinue,
  listResourceVersionTooOld,
  remainingItemCount,
  resourceVersionTooLarge,
} from '../api/continue-token.js';
import type { StoredObject } from '../api/types.js';
import { partialObjectMetadata, partialObjectMetadataList, tableFor, type IncludeObject, type TableOptions } from '../codec/table/index.js';
import type { GenericStore } from '../registry/generic-store.js';
import { listPrefix } from '../registry/keys.js';
import { objectOf, type Selectable } from '../watch/entry.js';
import type { ListAnswer, ListQuery } from '../watch/resource-cache.js';
import type { WatchCache } from '../watch/watch-cache.js';
import { listSelection } from './list-filter.js';
import { negotiateOutput, type OutputFormat } from './negotiate.js';
import type { Query } from './options.js';
import { listBytes, sendObject } from './respond.js';
import { jsonEncoder, metadataEncoder } from './watch-encoding.js';
import { tableEncoder } from './watch-table.js';
import { serveHttpWatch, type WatchParams } from './watch.js';

/** Settings of read handling. */
export interface ReadSettings {
  watchCache: WatchCache;
  bookmarkIntervalMs: number;
  maxWatchBufferedBytes: number;
}

/** The object a row or metadata answer embeds, per includeObject. */
function includeObjectOf(query: Query): IncludeObject {
  const value = Array.isArray(query.includeObject) ? query.includeObject[0] : query.includeObject;
  return value === 'None' || value === 'Object' ? value : 'Metadata';
}

/** Table options of a request: includeObject, and the resource's own printer (custom resources). */
function tableOptions(store: GenericStore, query: Query): TableOptions {
  const options: TableOptions = { includeObject: includeObjectOf(query) };
  if (store.hooks?.printer) options.printer = store.hooks.printer;
  return options;
}

/** GET of one object. */
export async function getObject(
  store: GenericStore,
  settings: ReadSettings,
  namespace: string | undefined,
  name: string,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const query = request.query as Query;
  const format = negotiateOutput(request.headers.accept, false);
  const { resourceVersion } = parseGetOptions(query);
  if (resourceVersion !== undefined && resourceVersion !== '0')
    await settings.watchCache.waitFor(parseResourceVersion(resourceVersion), resourceVersionTooLarge);
  const stored = store.entry(namespace, name);
  const entry = store.hooks?.view ? store.hooks.view(stored) : stored;
  if (format.kind === 'json' || format.kind === 'yaml') return sendObject(request, reply, 200, undefined, entry.bytes);
  const obj = objectOf(entry);
  if (format.kind === 'metadata') return sendObject(request, reply, 200, partialObjectMetadata(obj, format.version));
  const table = tableFor(store.info.group, store.info.plural, [obj], tableOptions(store, query));
  table.apiVersion = `meta.k8s.io/${format.version}`;
  table.metadata = { resourceVersion: obj.metadata.resourceVersion };
  return sendObject(request, reply, 200, table);
}

/** LIST, or WATCH when `watch` is set. */
export async function listObjects(
  store: GenericStore,
  settings: ReadSettings,
  namespace: string | undefined,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply | void> {
  const { info } = store;
  const query = request.query as Query;
  const groupPlural = info.group ? `${info.group}/${info.plural}` : info.plural;
  const watching = query.watch !== undefined && !['0', 'false'].includes(String(query.watch).toLowerCase());
  const format = negotiateOutput(request.headers.accept, !watching);
  const options = parseListOptions(query, groupPlural, store.hooks ? { fieldLabels: store.hooks.fieldLabels } : {});
  if (options.watch) return serveHttpWatch(reply, watchParams(store, settings, options, namespace, format, query), 'application/json');

  const selection = listSelection(options);
  const prefix = listPrefix(info, namespace);
  const listQuery: Omit<ListQuery, 'prefix'> = { filter: selection.filter, exactLabels: selection.exactLabels };
  if (options.continueToken) {
    const token = options.continueToken;
    // rv -1 (the token of an expired-continue 410) continues at the latest revision.
    if (token.rv > 0) {
      if (token.rv < store.cache.oldestRevision) throw expiredContinue(token);
      listQuery.atRevision = token.rv;
    }
    listQuery.after = prefix + token.start;
  } else if (options.resourceVersion !== undefined && options.resourceVersion !== '0') {
    const revision = parseResourceVersion(options.resourceVersion, 'list');
    // A limit without resourceVersionMatch keeps the legacy meaning of N: exactly N (etcd3 store GetList).
    if (options.resourceVersionMatch === 'Exact' || (options.resourceVersionMatch === undefined && options.limit)) {
      if (revision < store.cache.oldestRevision) throw listResourceVersionTooOld();
      if (revision > settings.watchCache.revision) await settings.watchCache.waitFor(revision, resourceVersionTooLarge);
      listQuery.atRevision = revision;
    } else await settings.watchCache.waitFor(revision, resourceVersionTooLarge);
  }
  if (options.limit) listQuery.limit = options.limit;
  const answer = store.list(namespace, listQuery);
  const view = store.hooks?.view;
  if (view) answer.entries = answer.entries.map(view);
  const metadata = listMetadata(answer, prefix, selection.everything);

  if (format.kind === 'json' || format.kind === 'yaml')
    return sendObject(request, reply, 200, undefined, listBytes(info.listKind, apiVersionOf(info), metadata, answer.entries.map((e) => e.bytes)));
  const objects = answer.entries.map(objectOf);
  if (format.kind === 'metadata') return sendObject(request, reply, 200, partialObjectMetadataList(objects, metadata, format.version));
  const table = tableFor(info.group, info.plural, objects, tableOptions(store, query));
  table.apiVersion = `meta.k8s.io/${format.version}`;
  table.metadata = metadata;
  return sendObject(request, reply, 200, table);
}

function listMetadata(answer: ListAnswer, prefix: string, unfiltered: boolean): Record<string, unknown> {
  const metadata: Record<string, unknown> = { resourceVersion: String(answer.revision) };
  const last = answer.entries[answer.entries.length - 1];
  if (answer.more && last) metadata.continue = encodeContinueToken(answer.revision, continueAfter(last.key, prefix));
  const remaining = remainingItemCount(answer.more, answer.remaining ?? 0, unfiltered);
  if (remaining !== undefined) metadata.remainingItemCount = remaining;
  return metadata;
}

/** The parameters of a watch of `store` with parsed options, in the negotiated format. */
export function watchParams(
  store: GenericStore,
  settings: ReadSettings,
  options: ListOptions,
  namespace: string | undefined,
  format: OutputFormat,
  query: Query,
): WatchParams {
  const { info } = store;
  const selection = listSelection(options);
  const inNamespace = info.namespaced && namespace !== undefined;
  const filter = inNamespace ? (s: Selectable) => s.namespace === namespace && selection.filter(s) : selection.filter;
  // Initial events for sendInitialEvents=true and, by default, from "" or "0"; an explicit false from "" or "0" starts now.
  const rv = options.resourceVersion;
  const legacy = rv === undefined || rv === '0';
  let fromRevision: number | undefined;
  if (options.sendInitialEvents === false) fromRevision = legacy ? settings.watchCache.revision : parseResourceVersion(rv);
  else if (!legacy && !options.sendInitialEvents) fromRevision = parseResourceVersion(rv);
  const encoder =
    format.kind === 'table'
      ? tableEncoder(info, format.version, includeObjectOf(query), store.hooks)
      : format.kind === 'metadata'
        ? metadataEncoder(format.version)
        : jsonEncoder(info.kind, apiVersionOf(info), store.hooks?.view);
  const params: WatchParams = {
    cache: store.cache,
    filter,
    sendInitialEvents: options.sendInitialEvents === true,
    allowBookmarks: options.allowWatchBookmarks,
    encoder,
    revision: () => settings.watchCache.revision,
    bookmarkIntervalMs: settings.bookmarkIntervalMs,
    maxBufferedBytes: settings.maxWatchBufferedBytes,
  };
  if (fromRevision !== undefined) params.fromRevision = fromRevision;
  if (options.timeoutSeconds !== undefined) params.timeoutSeconds = options.timeoutSeconds;
  return params;
}
