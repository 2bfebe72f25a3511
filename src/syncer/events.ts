/**
 * Host Events about synced objects, copied into the virtual cluster (host → virtual only), as
 * vcluster's event syncer does for involved objects of kind Pod, Service, Endpoints, Secret and
 * ConfigMap: the involved object is found among this virtual cluster's managed host objects, the
 * copy goes to the virtual object's namespace with `involvedObject` pointing at the virtual
 * object (name, namespace, uid, resourceVersion), a name that starts with the host object's name
 * starts with the virtual name instead (`web-x-default-x-vc.17f…` → `web.17f…`), and the message's
 * host names are replaced by virtual ones. One host Event is one virtual Event: later changes of
 * the host Event (count, lastTimestamp) update it, so nothing is duplicated. Events about
 * objects of other virtual clusters or foreign objects are ignored.
 *
 * Keys are host `namespace/name` of Events.
 * Owns: Events host → virtual. Must not: write to the host.
 */
import { isDeepStrictEqual } from 'node:util';
import type { KubeObject } from '../api/types.js';
import { RESOURCES, type Resource } from '../client/types.js';
import { Controller, type Informer } from '../controllers/runtime/index.js';
import { ignoreCodes, isCode, type SyncContext } from './context.js';
import { isManaged, MARKERS, virtualNameOf } from './translate.js';

type Rec = Record<string, unknown>;

/** Kinds whose host events are copied, with the resource the involved object is read from. */
const ACCEPTED: Record<string, Resource> = {
  Pod: RESOURCES.pods,
  Service: RESOURCES.services,
  Endpoints: { group: '', version: 'v1', resource: 'endpoints' },
  Secret: RESOURCES.secrets,
  ConfigMap: RESOURCES.configmaps,
};

/** The event syncer's controller. */
export function eventSyncer(ctx: SyncContext, options: { workers?: number } = {}): Controller {
  const hostEvents: Informer = ctx.hostInformers.informer(RESOURCES.events, { namespace: ctx.hostNamespace });
  const selection = { namespace: ctx.hostNamespace, labelSelector: `${MARKERS.managedBy}=${ctx.vcluster}` };
  const hostObjects: Record<string, Informer> = {};
  for (const [kind, resource] of Object.entries(ACCEPTED)) hostObjects[kind] = ctx.hostInformers.informer(resource, selection);
  const virtualObjects: Record<string, Informer> = {};
  for (const [kind, resource] of Object.entries(ACCEPTED)) virtualObjects[kind] = ctx.virtualInformers.informer(resource);

  const reconcile = async (key: string): Promise<void> => {
    const event = hostEvents.get(key);
    if (!event) return;
    const involved = (event.involvedObject ?? {}) as Rec;
    const kind = String(involved.kind ?? '');
    const apiVersion = String(involved.apiVersion ?? 'v1');
    if (!ACCEPTED[kind] || (apiVersion !== 'v1' && apiVersion !== '')) return;
    const hostName = String(involved.name ?? '');
    const hostObject = hostObjects[kind]!.get(`${ctx.hostNamespace}/${hostName}`);
    if (!hostObject || !isManaged(ctx, hostObject, kind)) return;
    const target = virtualNameOf(hostObject);
    if (!target) return;
    const vObject = virtualObjects[kind]!.get(`${target.namespace}/${target.name}`);
    if (!vObject) return;

    const name = event.metadata.name.startsWith(hostName) ? target.name + event.metadata.name.slice(hostName.length) : event.metadata.name;
    const message = typeof event.message === 'string'
      ? event.message.replaceAll(`${ctx.hostNamespace}/${hostName}`, `${target.namespace}/${target.name}`).replaceAll(hostName, target.name)
      : event.message;
    const copy: Rec = {};
    for (const [k, val] of Object.entries(event)) if (k !== 'metadata' && k !== 'apiVersion' && k !== 'kind') copy[k] = val;
    Object.assign(copy, {
      involvedObject: { ...involved, namespace: target.namespace, name: target.name, uid: vObject.metadata.uid, resourceVersion: vObject.metadata.resourceVersion },
      ...(message !== undefined ? { message } : {}),
    });
    const body: KubeObject = { apiVersion: 'v1', kind: 'Event', metadata: { name, namespace: target.namespace }, ...copy };
    const existing = await ctx.virtual.get(RESOURCES.events, name, { namespace: target.namespace }).catch(ignoreCodes(404));
    if (!existing) {
      await ctx.virtual.create(RESOURCES.events, body, { namespace: target.namespace }).catch((err: unknown) => {
        // A terminating or vanished namespace takes no events; a racing copy already exists.
        if (isCode(err, 403) || isCode(err, 404) || isCode(err, 409)) return undefined;
        throw err;
      });
      return;
    }
    const same = Object.entries(copy).every(([k, val]) => isDeepStrictEqual(stripRv(k, val), stripRv(k, (existing as Rec)[k])));
    if (same) return;
    await ctx.virtual
      .update(RESOURCES.events, { ...body, metadata: { ...body.metadata, resourceVersion: existing.metadata.resourceVersion } }, { namespace: target.namespace })
      .catch(ignoreCodes(404, 409));
  };

  return new Controller({
    name: 'syncer-events',
    reconciler: { reconcile },
    log: ctx.log,
    workers: options.workers ?? 2,
    sources: [{ informer: hostEvents }],
  });
}

/** The involved object's resourceVersion changes with every pod update; it alone is no change. */
function stripRv(key: string, value: unknown): unknown {
  if (key !== 'involvedObject' || typeof value !== 'object' || value === null) return value;
  const { resourceVersion: _rv, ...rest } = value as Rec;
  return rest;
}

